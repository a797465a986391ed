/* The vendor side of a recording: curl multi on the loop (see upstream.h). */
#include "vendor-proxy/upstream.h"

#include "common/buf.h"
#include "common/err.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct upstream {
	struct loop *loop;
	CURLM *multi;
	long long timer; /* loop timer standing for curl's timeout, 0 when none */
	struct curl_slist *connect_to;
	char *ca_file;
	struct upstream_call *calls;
	int in_action; /* inside curl_multi_socket_action: frees wait until it returns */
};

struct upstream_call {
	struct upstream *u;
	struct upstream_call *next;
	CURL *easy;
	struct curl_slist *headers;
	struct upstream_hooks hooks;
	void *arg;
	int status;
	char *reason;
	struct http1_headers resp;
	int head_sent;
	int in_cb;     /* inside one of curl's callbacks for this call */
	int cancelled; /* free once outside curl */
	char errbuf[CURL_ERROR_SIZE];
};

/* A marker stored with curl_multi_assign: this socket is on the loop. */
static char on_loop;

static void call_free(struct upstream_call *c)
{
	struct upstream *u = c->u;
	for (struct upstream_call **p = &u->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	curl_multi_remove_handle(u->multi, c->easy);
	curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->headers);
	free(c->reason);
	http1_headers_free(&c->resp);
	free(c);
}

/* Free the calls cancelled from inside curl's callbacks. */
static void sweep(struct upstream *u)
{
	struct upstream_call *c = u->calls;
	while (c != NULL) {
		struct upstream_call *next = c->next;
		if (c->cancelled && !c->in_cb)
			call_free(c);
		c = next;
	}
}

/* The status line "HTTP/1.1 200 OK": a new answer starts (1xx ones come before the real one). */
static void status_line(struct upstream_call *c, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	c->status = sp ? atoi(sp + 1) : 0;
	const char *r = sp ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - p)) : NULL;
	free(c->reason);
	c->reason = r ? strndup(r + 1, n - (size_t)(r + 1 - p)) : strdup("");
	http1_headers_free(&c->resp);
}

/* Deliver the head once the final answer's headers are all in. */
static void send_head(struct upstream_call *c)
{
	const char *ce = http1_headers_get(&c->resp, "Content-Encoding");
	int decoded = ce != NULL && strcasecmp(ce, "identity") != 0;
	if (decoded) {
		/* curl decoded the body: these would describe bytes the konnector never gets. */
		http1_headers_del(&c->resp, "Content-Encoding");
		http1_headers_del(&c->resp, "Content-Length");
	}
	c->head_sent = 1;
	c->hooks.head(c->arg, c->status, c->reason ? c->reason : "", &c->resp, decoded);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct upstream_call *c = arg;
	size_t n = size * nmemb, len = n;
	if (c->cancelled)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		status_line(c, data, len);
	} else if (len == 0) {
		if (c->status >= 200 && !c->head_sent) {
			c->in_cb = 1;
			send_head(c);
			c->in_cb = 0;
		}
	} else if (data[0] == ' ' || data[0] == '\t') {
		/* obs-fold: joins the previous header (RFC 9112 5.2). */
		if (c->resp.n > 0) {
			struct buf b = {0};
			buf_printf(&b, "%s %.*s", c->resp.v[c->resp.n - 1].value, (int)len, data);
			free(c->resp.v[c->resp.n - 1].value);
			c->resp.v[c->resp.n - 1].value = buf_steal(&b);
		}
	} else {
		const char *colon = memchr(data, ':', len);
		if (colon != NULL) {
			const char *v = colon + 1;
			while (v < data + len && (*v == ' ' || *v == '\t'))
				v++;
			http1_headers_addn(&c->resp, data, (size_t)(colon - data), v, (size_t)(data + len - v));
		}
	}
	return c->cancelled ? 0 : n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct upstream_call *c = arg;
	size_t n = size * nmemb;
	if (c->cancelled)
		return 0;
	if (!c->head_sent) {
		c->in_cb = 1;
		send_head(c);
		c->in_cb = 0;
		if (c->cancelled)
			return 0;
	}
	c->in_cb = 1;
	int pause = c->hooks.body(c->arg, data, n);
	c->in_cb = 0;
	if (c->cancelled)
		return 0;
	return pause ? CURL_WRITEFUNC_PAUSE : n;
}

/* Hand every finished transfer to its done hook. */
static void check_done(struct upstream *u)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(u->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct upstream_call *c = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		CURLcode rc = msg->data.result;
		if (c->cancelled)
			continue;
		if (rc == CURLE_OK && !c->head_sent)
			send_head(c);
		struct buf e = {0};
		if (rc != CURLE_OK)
			buf_printf(&e, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		c->cancelled = 1; /* nothing more for its hooks, whatever they do */
		c->hooks.done(c->arg, rc == CURLE_OK ? NULL : e.data);
		buf_free(&e);
	}
	sweep(u);
}

static void action(struct upstream *u, curl_socket_t s, int flags)
{
	int running;
	u->in_action++;
	curl_multi_socket_action(u->multi, s, flags, &running);
	u->in_action--;
	check_done(u);
}

static void on_fd(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	int flags = 0;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	action(arg, fd, flags);
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct upstream *u = arg;
	u->timer = 0;
	action(u, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_SOCKETFUNCTION: put curl's sockets on our loop, or take them off. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	struct upstream *u = userp;
	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL)
			loop_del_fd(u->loop, s);
		curl_multi_assign(u->multi, s, NULL);
		return 0;
	}
	uint32_t ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	if (socketp != NULL)
		return loop_mod_fd(u->loop, s, ev, NULL) < 0 ? -1 : 0;
	if (loop_add_fd(u->loop, s, ev, on_fd, u, NULL) < 0)
		return -1;
	curl_multi_assign(u->multi, s, &on_loop);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one loop timer stands for curl's single timeout. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct upstream *u = userp;
	if (u->timer != 0) {
		loop_del_timer(u->loop, u->timer);
		u->timer = 0;
	}
	if (timeout_ms >= 0) {
		u->timer = loop_add_timer(u->loop, timeout_ms, on_timer, u);
		if (u->timer < 0) {
			u->timer = 0;
			return -1;
		}
	}
	return 0;
}

struct upstream *upstream_new(struct loop *loop, const struct upstream_options *o, char *err)
{
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(err, "curl_global_init failed");
			return NULL;
		}
		curl_ready = 1;
	}
	struct upstream *u = calloc(1, sizeof(*u));
	if (u == NULL || (u->multi = curl_multi_init()) == NULL) {
		free(u);
		err_set(err, "cannot start curl");
		return NULL;
	}
	u->loop = loop;
	if (o != NULL && o->ca_file != NULL && (u->ca_file = strdup(o->ca_file)) == NULL) {
		upstream_free(u);
		err_set(err, "out of memory");
		return NULL;
	}
	for (size_t i = 0; o != NULL && o->connect_to != NULL && o->connect_to[i] != NULL; i++) {
		struct curl_slist *l = curl_slist_append(u->connect_to, o->connect_to[i]);
		if (l == NULL) {
			upstream_free(u);
			err_set(err, "out of memory");
			return NULL;
		}
		u->connect_to = l;
	}
	curl_multi_setopt(u->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(u->multi, CURLMOPT_SOCKETDATA, u);
	curl_multi_setopt(u->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(u->multi, CURLMOPT_TIMERDATA, u);
	return u;
}

void upstream_free(struct upstream *u)
{
	if (u == NULL)
		return;
	while (u->calls != NULL)
		call_free(u->calls);
	if (u->timer != 0)
		loop_del_timer(u->loop, u->timer);
	curl_multi_cleanup(u->multi);
	curl_slist_free_all(u->connect_to);
	free(u->ca_file);
	free(u);
}

/* The konnector's headers as curl sends them; curl's own defaults it did not ask for are removed. */
static struct curl_slist *request_headers(const struct http1_headers *h, int has_body)
{
	struct curl_slist *l = NULL;
	int accept = 0, ctype = 0;
	for (size_t i = 0; i < h->n; i++) {
		const char *name = h->v[i].name;
		/* curl frames the body and asks for (then decodes) compressed answers itself. */
		if (http1_is_hop_by_hop(name, h) || strcasecmp(name, "Content-Length") == 0 ||
		    strcasecmp(name, "Accept-Encoding") == 0 || strcasecmp(name, "Expect") == 0)
			continue;
		accept |= strcasecmp(name, "Accept") == 0;
		ctype |= strcasecmp(name, "Content-Type") == 0;
		struct buf b = {0};
		if (h->v[i].value[0] == '\0')
			buf_printf(&b, "%s;", name); /* curl's way to send an empty header */
		else
			buf_printf(&b, "%s: %s", name, h->v[i].value);
		if (b.data != NULL)
			l = curl_slist_append(l, b.data);
		buf_free(&b);
	}
	if (!accept)
		l = curl_slist_append(l, "Accept:");
	if (has_body && !ctype)
		l = curl_slist_append(l, "Content-Type:");
	l = curl_slist_append(l, "Expect:");
	return l;
}

struct upstream_call *upstream_request(struct upstream *u, const char *method, const char *url,
				       const struct http1_headers *headers, const char *body, size_t body_len,
				       const struct upstream_hooks *hooks, void *arg, char *err)
{
	struct upstream_call *c = calloc(1, sizeof(*c));
	if (c == NULL || (c->easy = curl_easy_init()) == NULL) {
		free(c);
		err_set(err, "cannot start curl");
		return NULL;
	}
	c->u = u;
	c->hooks = *hooks;
	c->arg = arg;
	int has_body = body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		       strcmp(method, "PATCH") == 0;
	c->headers = request_headers(headers, has_body);
	CURL *e = c->easy;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	if (u->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, u->ca_file);
	if (u->connect_to != NULL)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, u->connect_to);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") == 0 && !has_body) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		if (has_body) {
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
			curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body_len > 0 ? body : "");
		}
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	c->next = u->calls;
	u->calls = c;
	CURLMcode mc = curl_multi_add_handle(u->multi, e);
	if (mc != CURLM_OK) {
		call_free(c);
		err_set(err, "curl: %s", curl_multi_strerror(mc));
		return NULL;
	}
	return c;
}

void upstream_resume(struct upstream_call *c)
{
	if (c == NULL || c->cancelled)
		return;
	struct upstream *u = c->u;
	/* Unpausing may hand the held bytes to the body hook at once. */
	curl_easy_pause(c->easy, CURLPAUSE_CONT);
	if (!u->in_action)
		check_done(u);
}

void upstream_cancel(struct upstream_call *c)
{
	if (c == NULL)
		return;
	c->cancelled = 1;
	if (!c->in_cb && !c->u->in_action)
		call_free(c);
}
