/*
 * OAuth token requests on the loop with curl's multi interface (see oauth_client.h).
 * Slightly over 600 lines: the three token_mode request shapes and the one reading
 * of a provider's answer belong together.
 */
#include "fake-stack/accounts/oauth_client.h"
#include "common/b64.h"

#include "common/buf.h"
#include "common/err.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_MAX (1 << 20) /* a token answer is small; more is cut */

struct oauth_client {
	struct loop *loop;
	CURLM *multi;
	long timeout_ms;
	long long timer; /* loop timer id for curl's timeout, 0 when none */
	struct oauth_call *calls;
};

struct oauth_call {
	struct oauth_client *c;
	struct oauth_call *next;
	CURL *easy;
	struct curl_slist *headers;
	struct buf body;
	oauth_done_cb cb;
	void *arg;
	char method[8];
	char *shown_url;           /* the URL as error texts show it (query redacted in get mode) */
	struct deferred *deferred; /* a failure known before any I/O, answered from a loop timer */
	char errbuf[CURL_ERROR_SIZE];
};

/* A failure known before any I/O, answered on the next loop turn. */
struct deferred {
	long long timer;
	char *error;
	struct oauth_call *call;
};

static void deferred_free(struct oauth_client *c, struct deferred *d)
{
	if (d == NULL)
		return;
	loop_del_timer(c->loop, d->timer);
	free(d->error);
	free(d);
}

/* A marker stored with curl_multi_assign: this socket is on the loop. */
static char on_loop;

/* Go's url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX. */
static void query_escape(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			buf_append(b, p, 1);
		else if (*p == ' ')
			buf_puts(b, "+");
		else
			buf_printf(b, "%%%02X", *p);
	}
}

char *oauth_client_form_encode(const char *const *pairs)
{
	size_t n = 0;
	while (pairs[2 * n] != NULL)
		n++;
	size_t *order = malloc((n + 1) * sizeof(*order));
	if (order == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Stable insertion sort by name, like sort.Strings over url.Values keys. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(pairs[2 * order[j - 1]], pairs[2 * order[j]]) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, "&");
		query_escape(&b, pairs[2 * order[i]]);
		buf_puts(&b, "=");
		query_escape(&b, pairs[2 * order[i] + 1] ? pairs[2 * order[i] + 1] : "");
	}
	free(order);
	return buf_steal(&b);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oauth_call *call = arg;
	size_t n = size * nmemb;
	if (call->body.len + n <= BODY_MAX)
		buf_append(&call->body, data, n);
	return n;
}

/* Unlink call from its client and free it. */
static void on_deferred(struct loop *loop, void *arg);
static void call_free(struct oauth_call *call)
{
	struct oauth_client *c = call->c;
	for (struct oauth_call **p = &c->calls; *p; p = &(*p)->next)
		if (*p == call) {
			*p = call->next;
			break;
		}
	curl_multi_remove_handle(c->multi, call->easy);
	curl_easy_cleanup(call->easy);
	curl_slist_free_all(call->headers);
	buf_free(&call->body);
	free(call->shown_url);
	deferred_free(c, call->deferred);
	free(call);
}

/* The failure text of a finished call, worded like Go's *url.Error. */
static void transport_error(struct oauth_call *call, CURLcode rc, struct buf *out)
{
	long status = 0;
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_PARTIAL_FILE && status != 0) {
		/* stack: model/account/type.go RefreshAccount: the headers came, the body is cut; the decoder's words
		 */
		buf_puts(out, "unexpected EOF");
		return;
	}
	buf_printf(out, "%s \"%s\": ", call->method, call->shown_url);
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		buf_puts(out, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
	} else if (rc == CURLE_COULDNT_CONNECT) {
		char *ip = NULL;
		long port = 0;
		curl_easy_getinfo(call->easy, CURLINFO_PRIMARY_IP, &ip);
		curl_easy_getinfo(call->easy, CURLINFO_PRIMARY_PORT, &port);
		if (ip != NULL && ip[0] != '\0')
			buf_printf(out, "dial tcp %s:%ld: connect: connection refused", ip, port);
		else
			buf_puts(out, "dial tcp: connect: connection refused");
	} else {
		buf_puts(out, call->errbuf[0] ? call->errbuf : curl_easy_strerror(rc));
	}
}

/* Hand every finished transfer to its callback. */
static void check_done(struct oauth_client *c)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct oauth_call *call = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		CURLcode rc = msg->data.result;
		struct oauth_response res = {0};
		struct buf errtext = {0};
		if (rc == CURLE_OK) {
			curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &res.status);
		} else {
			transport_error(call, rc, &errtext);
			res.error = errtext.data;
		}
		res.body = call->body.data != NULL ? call->body.data : "";
		res.body_len = call->body.len;
		curl_multi_remove_handle(c->multi, call->easy);
		oauth_done_cb cb = call->cb;
		void *arg = call->arg;
		call->cb = NULL;
		cb(&res, arg);
		buf_free(&errtext);
		call_free(call);
	}
}

static void on_fd(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	struct oauth_client *c = arg;
	int flags = 0, running;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(c->multi, fd, flags, &running);
	check_done(c);
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct oauth_client *c = arg;
	int running;
	c->timer = 0;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(c);
}

/* CURLMOPT_SOCKETFUNCTION: put curl's sockets on our loop, or take them off. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	struct oauth_client *c = userp;
	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL)
			loop_del_fd(c->loop, s);
		curl_multi_assign(c->multi, s, NULL);
		return 0;
	}
	uint32_t ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	if (socketp != NULL)
		return loop_mod_fd(c->loop, s, ev, NULL) < 0 ? -1 : 0;
	if (loop_add_fd(c->loop, s, ev, on_fd, c, NULL) < 0)
		return -1;
	curl_multi_assign(c->multi, s, &on_loop);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one loop timer stands for curl's single timeout. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct oauth_client *c = userp;
	if (c->timer != 0) {
		loop_del_timer(c->loop, c->timer);
		c->timer = 0;
	}
	if (timeout_ms >= 0) {
		c->timer = loop_add_timer(c->loop, timeout_ms, on_timer, c);
		if (c->timer < 0) {
			c->timer = 0;
			return -1;
		}
	}
	return 0;
}

struct oauth_client *oauth_client_new(struct loop *loop, long timeout_ms, char *err)
{
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(err, "curl_global_init failed");
			return NULL;
		}
		curl_ready = 1;
	}
	struct oauth_client *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : OAUTH_DEFAULT_TIMEOUT_MS;
	c->multi = curl_multi_init();
	if (c->multi == NULL) {
		free(c);
		err_set(err, "curl_multi_init failed");
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

void oauth_client_free(struct oauth_client *c)
{
	if (c == NULL)
		return;
	while (c->calls != NULL)
		call_free(c->calls);
	if (c->timer != 0)
		loop_del_timer(c->loop, c->timer);
	curl_multi_cleanup(c->multi);
	free(c);
}

void oauth_client_cancel(struct oauth_call *call)
{
	if (call != NULL)
		call_free(call);
}

/* The URL scheme as Go's url.Parse sees it (lowercased), "" when none. */
static void url_scheme(const char *url, char *out, size_t outlen)
{
	size_t i = 0;
	out[0] = '\0';
	if (!isalpha((unsigned char)url[0]))
		return;
	while (url[i] && (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
		i++;
	if (url[i] != ':' || i + 1 > outlen)
		return;
	for (size_t j = 0; j < i; j++)
		out[j] = (char)tolower((unsigned char)url[j]);
	out[i] = '\0';
}

struct oauth_call *oauth_client_request(struct oauth_client *c, const struct oauth_token_request *req, oauth_done_cb cb,
					void *arg, char *err)
{
	const char *endpoint = req->token_endpoint != NULL ? req->token_endpoint : "";
	const char *mode = req->token_mode != NULL ? req->token_mode : "";
	int basic = strcmp(mode, "basic") == 0, get = strcmp(mode, "get") == 0;
	size_t n = 0;
	while (req->params != NULL && req->params[2 * n] != NULL)
		n++;
	const char **pairs = calloc(2 * n + 5, sizeof(char *));
	struct oauth_call *call = calloc(1, sizeof(*call));
	if (pairs == NULL || call == NULL) {
		free(pairs);
		free(call);
		err_set(err, "out of memory");
		return NULL;
	}
	memcpy(pairs, req->params, 2 * n * sizeof(char *));
	if (!basic) {
		pairs[2 * n++] = "client_id";
		pairs[2 * n - 1] = req->client_id ? req->client_id : "";
		pairs[2 * n++] = "client_secret";
		pairs[2 * n - 1] = req->client_secret ? req->client_secret : "";
	}
	char *form = oauth_client_form_encode(pairs);
	free(pairs);
	call->c = c;
	call->cb = cb;
	call->arg = arg;
	snprintf(call->method, sizeof(call->method), "%s", get ? "Get" : "Post");
	struct buf url = {0};
	buf_puts(&url, endpoint);
	if (get) {
		buf_printf(&url, "?%s", form);
		struct buf shown = {0};
		buf_printf(&shown, "%s?%s", endpoint, "[redacted]");
		call->shown_url = buf_steal(&shown);
	} else {
		call->shown_url = strdup(endpoint);
	}
	call->easy = curl_easy_init();
	call->next = c->calls;
	c->calls = call;
	char scheme[32];
	url_scheme(endpoint, scheme, sizeof(scheme));
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		/* Go's client refuses before any I/O: "unsupported protocol scheme". */
		struct deferred *d = calloc(1, sizeof(*d));
		struct buf e = {0};
		buf_printf(&e, "%s \"%s\": unsupported protocol scheme \"%s\"", call->method, call->shown_url, scheme);
		d->error = buf_steal(&e);
		d->call = call;
		call->deferred = d;
		d->timer = loop_add_timer(c->loop, 0, on_deferred, d);
		buf_free(&url);
		free(form);
		return call;
	}
	CURL *e = call->easy;
	curl_easy_setopt(e, CURLOPT_URL, url.data);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L); /* Go's client follows up to 10 redirects */
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "Go-http-client/1.1");
	/* Drop the Accept and Expect headers curl adds by itself: only the headers the stack sends. */
	call->headers = curl_slist_append(call->headers, "Accept:");
	call->headers = curl_slist_append(call->headers, "Expect:");
	if (!get) {
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, form);
		call->headers = curl_slist_append(call->headers, "Content-Type: application/x-www-form-urlencoded");
		if (basic || req->purpose == OAUTH_CODE_EXCHANGE)
			call->headers = curl_slist_append(call->headers, "Accept: application/json");
	}
	if (basic) {
		struct buf cred = {0}, h = {0};
		buf_printf(&cred, "%s:%s", req->client_id ? req->client_id : "",
			   req->client_secret ? req->client_secret : "");
		buf_puts(&h, "Authorization: Basic ");
		b64_encode(&h, cred.data, cred.len, B64_STD);
		call->headers = curl_slist_append(call->headers, h.data);
		buf_free(&cred);
		buf_free(&h);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->headers);
	buf_free(&url);
	free(form);
	CURLMcode mc = curl_multi_add_handle(c->multi, e);
	if (mc != CURLM_OK) {
		call_free(call);
		err_set(err, "curl: %s", curl_multi_strerror(mc));
		return NULL;
	}
	return call;
}

static void on_deferred(struct loop *loop, void *arg)
{
	(void)loop;
	struct deferred *d = arg;
	struct oauth_call *call = d->call;
	struct oauth_response res = {.status = 0, .body = "", .body_len = 0, .error = d->error};
	oauth_done_cb cb = call->cb;
	void *cb_arg = call->arg;
	call->deferred = NULL;
	call_free(call);
	cb(&res, cb_arg);
	free(d->error);
	free(d);
}

/* Decode body like Go's json.Unmarshal into tokenEndpointResponse; returns the object or NULL with the Go error. */
static json_t *decode_answer(const char *body, size_t len, const char *type_name, char *detail)
{
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", body[i]) != NULL)
		i++;
	if (i == len) {
		err_set(detail, "unexpected end of JSON input");
		return NULL;
	}
	json_error_t je;
	json_t *doc = json_loadb(body, len, JSON_DECODE_ANY, &je);
	if (doc == NULL) {
		if (strchr("{[\"-0123456789tfn", body[i]) == NULL)
			err_set(detail, "invalid character '%c' looking for beginning of value", body[i]);
		else
			err_set(detail, "invalid JSON at %d:%d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (json_is_null(doc)) {
		json_decref(doc);
		return json_object(); /* Go: null leaves the struct zero */
	}
	if (!json_is_object(doc)) {
		const char *kind = json_is_array(doc)     ? "array"
				   : json_is_string(doc)  ? "string"
				   : json_is_boolean(doc) ? "bool"
							  : "number";
		err_set(detail, "json: cannot unmarshal %s into Go value of type %s", kind, type_name);
		json_decref(doc);
		return NULL;
	}
	/* Go matches keys case-insensitively, the last one winning; fold them onto the struct's names. */
	static const char *const fields[] = {"refresh_token", "access_token", "id_token",         "expires_in",
					     "token_type",    "error",        "error_description"};
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach (doc, k, v) {
		const char *name = NULL;
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			if (strcasecmp(k, fields[f]) == 0)
				name = fields[f];
		if (name == NULL || json_is_null(v))
			continue;
		int is_int = strcmp(name, "expires_in") == 0;
		if ((is_int && !json_is_integer(v)) || (!is_int && !json_is_string(v))) {
			const char *kind = json_is_array(v)     ? "array"
					   : json_is_object(v)  ? "object"
					   : json_is_string(v)  ? "string"
					   : json_is_boolean(v) ? "bool"
								: "number";
			const char *short_type = strchr(type_name, '.') ? strchr(type_name, '.') + 1 : type_name;
			err_set(detail, "json: cannot unmarshal %s into Go struct field %s.%s of type %s", kind,
				short_type, name, is_int ? "int" : "string");
			json_decref(out);
			json_decref(doc);
			return NULL;
		}
		json_object_set(out, name, v);
	}
	/* Keep the raw answer for the code exchange's extras. */
	json_object_set_new(out, "\x01raw", doc);
	return out;
}

/* A non-empty string field of the decoded answer, or NULL. */
static const char *field(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Fill t from a decoded answer. */
static void take_tokens(const json_t *o, struct oauth_tokens *t)
{
	t->access_token = dup_or_null(field(o, "access_token"));
	t->refresh_token = dup_or_null(field(o, "refresh_token"));
	t->token_type = dup_or_null(field(o, "token_type"));
	t->expires_in = json_integer_value(json_object_get(o, "expires_in"));
}

/* stack: model/account/type.go: a 200 answer that does not decode, or that carries "error", fails
 * as "OauthError(<error>) <error_description>". Fills detail and returns 1 then. */
static int answer_failed(const json_t *o, const char *derr, char *detail)
{
	if (o == NULL) {
		err_set(detail, "%s", derr);
		return 1;
	}
	if (field(o, "error") != NULL) {
		const char *d = json_string_value(json_object_get(o, "error_description"));
		err_set(detail, "OauthError(%s) %s", field(o, "error"), d ? d : "");
		return 1;
	}
	return 0;
}

enum oauth_outcome oauth_client_refresh_outcome(const struct oauth_response *res, struct oauth_tokens *t, char *detail)
{
	memset(t, 0, sizeof(*t));
	if (res->status == 0) {
		err_set(detail, "%s", res->error ? res->error : "no answer");
		return OAUTH_FAILED;
	}
	char derr[ERR_MAX];
	json_t *o = decode_answer(res->body, res->body_len, "account.tokenEndpointResponse", derr);
	if (res->status != 200) {
		const char *e = o ? field(o, "error") : NULL;
		enum oauth_outcome out = OAUTH_FAILED;
		/* stack: model/account/type.go isInvalidRefreshTokenError */
		if (e != NULL && (strcmp(e, "invalid_grant") == 0 || strcmp(e, "invalid_token") == 0))
			out = OAUTH_INVALID_TOKEN;
		else
			err_set(detail, "oauth service responded with status %ld", res->status);
		json_decref(o);
		return out;
	}
	if (answer_failed(o, derr, detail)) {
		json_decref(o);
		return OAUTH_FAILED;
	}
	take_tokens(o, t);
	json_decref(o);
	return OAUTH_OK;
}

enum oauth_outcome oauth_client_code_outcome(const struct oauth_response *res, struct oauth_tokens *t, char *detail)
{
	memset(t, 0, sizeof(*t));
	if (res->status == 0) {
		err_set(detail, "%s", res->error ? res->error : "no answer");
		return OAUTH_FAILED;
	}
	if (res->status != 200) {
		err_set(detail, "oauth services responded with non-200 res: %.*s",
			(int)(res->body_len > 400 ? 400 : res->body_len), res->body);
		return OAUTH_FAILED;
	}
	char derr[ERR_MAX];
	json_t *o = decode_answer(res->body, res->body_len, "struct", derr);
	if (answer_failed(o, derr, detail)) {
		json_decref(o);
		return OAUTH_FAILED;
	}
	take_tokens(o, t);
	if (t->access_token == NULL)
		t->access_token = dup_or_null(field(o, "id_token"));
	if (t->access_token == NULL) {
		json_decref(o);
		oauth_client_tokens_free(t);
		err_set(detail, "server responded without access token");
		return OAUTH_FAILED;
	}
	/* stack: RequestAccessToken keeps the other fields as oauth_callback_results. */
	json_t *raw = json_deep_copy(json_object_get(o, "\x01raw"));
	const char *drop[] = {"access_token", "refresh_token", "token_type", "expires_in"};
	for (size_t i = 0; i < 4; i++)
		json_object_del(raw, drop[i]);
	if (json_object_size(raw) > 0)
		t->extras = raw;
	else
		json_decref(raw);
	json_decref(o);
	return OAUTH_OK;
}

void oauth_client_tokens_free(struct oauth_tokens *t)
{
	free(t->access_token);
	free(t->refresh_token);
	free(t->token_type);
	json_decref(t->extras);
	memset(t, 0, sizeof(*t));
}
