/* The vendor proxy's door (see proxy.h): listening, the konnector's environment, saving, the report. */
#include "vendor-proxy/proxy_int.h"

#include "common/atomic_file.h"
#include "common/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef HARNESS_VERSION
#define HARNESS_VERSION "0"
#endif

const char *proxy_outcome_name(enum proxy_outcome o)
{
	static const char *const names[] = {"recorded", "replayed", "repeated", "unrecorded", "failed"};
	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static void proxy_on_accept(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)events;
	struct proxy *p = arg;
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return; /* EAGAIN, or out of fds: the next turn tries again */
		conn_accept(p, c);
	}
}

/* A listening socket on 127.0.0.1, any port; the URL into p->url. */
static int proxy_listen(struct proxy *p, char *err)
{
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0)
		return err_set(err, "vendor proxy: socket: %s", strerror(errno));
	int one = 1;
	setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(p->listen_fd, 128) < 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&a, &len) < 0)
		return err_set(err, "vendor proxy: cannot listen on 127.0.0.1: %s", strerror(errno));
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	return loop_add_fd(p->loop, p->listen_fd, EPOLLIN, proxy_on_accept, p, err);
}

struct proxy *proxy_start(struct loop *loop, const struct proxy_options *o, char *err)
{
	struct proxy *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	p->loop = loop;
	p->mode = o->mode;
	p->listen_fd = -1;
	p->har.fd = -1;
	p->ops = o->mode == PROXY_RECORD ? &record_ops : &replay_ops;
	p->failed = json_array();
	p->unrecorded = json_array();
	struct redact_secret *rs = o->n_secrets ? calloc(o->n_secrets, sizeof(*rs)) : NULL;
	for (size_t i = 0; rs != NULL && i < o->n_secrets; i++)
		rs[i] = (struct redact_secret){o->secrets[i].name, o->secrets[i].value};
	p->redact = redact_new(rs, rs ? o->n_secrets : 0);
	free(rs);
	p->har_path = o->har_path ? strdup(o->har_path) : NULL;
	if (p->failed == NULL || p->unrecorded == NULL || p->redact == NULL || p->har_path == NULL) {
		proxy_stop(p);
		err_set(err, o->har_path ? "out of memory" : "vendor proxy: no HAR path");
		return NULL;
	}
	int rc = 0;
	if (o->mode == PROXY_REPLAY) {
		if (har_read(o->har_path, &p->har, err) < 0)
			rc = -1;
		else if ((p->match = match_table_new(&p->har)) == NULL)
			rc = err_set(err, "out of memory");
	} else {
		struct upstream_options uo = {.ca_file = o->vendor_ca, .connect_to = o->connect_to};
		if ((p->up = upstream_new(loop, &uo, err)) == NULL || (p->spool = spool_new(o->spool_dir, err)) == NULL)
			rc = -1;
	}
	if (rc == 0 && (p->ca = ca_open(o->ca_dir, err)) == NULL)
		rc = -1;
	if (rc == 0)
		rc = proxy_listen(p, err);
	if (rc < 0) {
		proxy_stop(p);
		return NULL;
	}
	return p;
}

void proxy_stop(struct proxy *p)
{
	if (p == NULL)
		return;
	while (p->conns != NULL) {
		struct conn *c = p->conns;
		p->conns = c->next;
		conn_free(c);
	}
	if (p->reap_timer != 0)
		loop_del_timer(p->loop, p->reap_timer);
	if (p->listen_fd >= 0) {
		loop_del_fd(p->loop, p->listen_fd);
		close(p->listen_fd);
	}
	upstream_free(p->up);
	har_log_free(&p->log);
	spool_free(p->spool);
	match_table_free(p->match);
	if (p->har.v != NULL || p->har.fd >= 0)
		har_file_free(&p->har);
	ca_free(p->ca);
	redact_free(p->redact);
	json_decref(p->failed);
	json_decref(p->unrecorded);
	free(p->har_path);
	free(p);
}

const char *proxy_url(const struct proxy *p)
{
	return p->url;
}

const char *proxy_ca_path(const struct proxy *p)
{
	return ca_cert_path(p->ca);
}

void proxy_on_exchange(struct proxy *p, proxy_exchange_cb cb, void *arg)
{
	p->cb = cb;
	p->cb_arg = arg;
}

/* The host:port of an http URL ("http://127.0.0.1:8080/" -> "127.0.0.1:8080"), malloc'd. */
static char *authority_of(const char *url)
{
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	return strndup(s, strcspn(s, "/?#"));
}

char **proxy_env(const struct proxy *p, const char *stack_url)
{
	char **env = calloc(8, sizeof(*env));
	if (env == NULL)
		return NULL;
	/*
	 * request (cozy-konnector-libs) matches a NO_PROXY entry with a port on
	 * host suffix and exact port (request/lib/getProxyFromURI.js): naming the
	 * stack's host:port leaves a vendor on another port of 127.0.0.1 proxied.
	 */
	char *stack = stack_url ? authority_of(stack_url) : NULL;
	struct buf np = {0};
	if (stack != NULL && stack[0] != '\0') {
		buf_puts(&np, stack);
		const char *colon = strrchr(stack, ':');
		if (colon != NULL && strncmp(stack, "127.0.0.1:", 10) == 0)
			buf_printf(&np, ",localhost%s", colon);
	}
	free(stack);
	const char *names[] = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"};
	size_t n = 0;
	int bad = 0;
	for (size_t i = 0; i < 4; i++)
		bad |= asprintf(&env[n++], "%s=%s", names[i], p->url) < 0;
	bad |= asprintf(&env[n++], "NODE_EXTRA_CA_CERTS=%s", ca_cert_path(p->ca)) < 0;
	if (np.data != NULL) {
		bad |= asprintf(&env[n++], "NO_PROXY=%s", np.data) < 0;
		bad |= asprintf(&env[n++], "no_proxy=%s", np.data) < 0;
	}
	buf_free(&np);
	if (bad) {
		proxy_env_free(env);
		return NULL;
	}
	return env;
}

void proxy_env_free(char **env)
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

int proxy_save(struct proxy *p, char *err)
{
	if (p->mode != PROXY_RECORD)
		return err_set(err, "vendor proxy: nothing recorded in replay mode");
	struct atomic_file f;
	if (atomic_begin(&f, p->har_path, err) < 0)
		return -1;
	if (har_write(&p->log, p->redact, HARNESS_VERSION, f.fd, err) < 0) {
		atomic_abort(&f);
		return -1;
	}
	return atomic_commit(&f, err);
}

json_t *proxy_report(const struct proxy *p)
{
	json_t *r = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O, s:O}", "mode",
			      p->mode == PROXY_RECORD ? "record" : "replay", "har", p->har_path, "exchanges",
			      (json_int_t)p->n_exchanges, "recorded", (json_int_t)p->n_recorded, "replayed",
			      (json_int_t)p->n_replayed, "failed", p->failed, "unrecorded", p->unrecorded);
	if (r == NULL)
		return NULL;
	if (p->mode == PROXY_RECORD) {
		size_t complete = 0;
		for (size_t i = 0; i < p->log.n; i++)
			complete += p->log.v[i]->complete != 0;
		json_object_set_new(r, "entries", json_integer((json_int_t)complete));
		return r;
	}
	json_t *unused = json_array();
	for (size_t i = 0; i < p->har.n; i++)
		if (match_uses(p->match, i) == 0)
			json_array_append_new(unused, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)i, "method",
								p->har.v[i].method, "url", p->har.v[i].url));
	json_object_set_new(r, "recorded_entries", json_integer((json_int_t)p->har.n));
	json_object_set_new(r, "unused", unused);
	return r;
}
