/*
 * The fake stack's HTTP server: libmicrohttpd on our loop (mhd_loop.c) and
 * the request lifecycle: begin (auth, route, begin hook), body (buffered or
 * streamed), handle, answer, journal.
 */
#include "fake-stack/http/server.h"

#include "common/err.h"
#include "fake-stack/http/http_int.h"
#include "fake-stack/http/journal.h"
#include "fake-stack/http/mhd_loop.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/http/token.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct server {
	struct server_config cfg;
	struct MHD_Daemon *mhd;
	struct mhd_loop *ml;
	unsigned short port;
	struct http_private *live; /* requests in flight */
};

/* "konnector:<slug>" and friends for the journal. */
static void auth_label(const struct request *req, char *out, size_t len)
{
	switch (req->auth) {
	case AUTH_KONNECTOR:
		snprintf(out, len, "konnector:%s", req->slug);
		break;
	case AUTH_APP:
		snprintf(out, len, "app:%s", req->slug);
		break;
	case AUTH_INVALID:
		snprintf(out, len, "invalid");
		break;
	default:
		snprintf(out, len, "none");
	}
}

static void journal_request(struct server *s, struct request *req)
{
	struct http_private *p = req->priv;
	json_t *query = json_object();
	for (size_t i = 0; i < req->nquery && query != NULL; i++) {
		/* Never record a token, wherever it travels. */
		const char *v = strcmp(req->query[i].key, "bearer_token") == 0 ? "<redacted>" : req->query[i].value;
		if (json_object_get(query, req->query[i].key) == NULL)
			json_object_set_new(query, req->query[i].key, json_string(v));
	}
	char auth[300];
	auth_label(req, auth, sizeof(auth));
	char note[64];
	const char *rb = req->body.data;
	size_t rblen = req->body.len;
	if (req->on_body != NULL || p->too_large) {
		snprintf(note, sizeof(note), "<%zu bytes>", req->body_len_seen);
		rb = note;
		rblen = strlen(note);
	}
	char fdnote[64];
	const char *resp = p->resp.data;
	size_t resplen = p->resp.len;
	if (p->resp_fd >= 0) {
		snprintf(fdnote, sizeof(fdnote), "<%zu bytes>", p->resp_fd_size);
		resp = fdnote;
		resplen = strlen(fdnote);
	}
	struct journal_entry e = {
		.time = p->time_iso,
		.method = req->method,
		.path = req->path,
		.query = query,
		.status = p->status,
		.duration_ms = loop_now_ms() - p->start_ms,
		.auth = auth,
		.request_body = rb,
		.request_body_len = rblen,
		.response_body = resp,
		.response_body_len = resplen,
		.forbidden = p->forbidden,
		.differs = p->differs,
	};
	journal_add(s->cfg.journal, &e);
	json_decref(query);
}

/* Hand the answer to MHD (journaled first). */
static enum MHD_Result queue_answer(struct server *s, struct request *req)
{
	struct http_private *p = req->priv;
	if (!p->answered)
		reply_internal_error(req, "the handler gave no answer");
	journal_request(s, req);
	struct MHD_Response *resp;
	if (p->resp_fd >= 0) {
		resp = MHD_create_response_from_fd(p->resp_fd_size, p->resp_fd);
		if (resp != NULL)
			p->resp_fd = -1; /* MHD closes it */
	} else {
		resp = MHD_create_response_from_buffer(p->resp.len, p->resp.data ? p->resp.data : (void *)"",
						       MHD_RESPMEM_MUST_COPY);
	}
	if (resp == NULL)
		return MHD_NO;
	if (p->content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
	for (size_t i = 0; i < p->nhdrs; i++)
		MHD_add_response_header(resp, p->hdrs[i].key, p->hdrs[i].value);
	p->queued = 1;
	enum MHD_Result rc = MHD_queue_response(req->conn, p->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static const struct server_route *route_find(const struct server *s, const struct request *req)
{
	const char *first = http_seg(req, 0);
	if (first == NULL)
		return NULL;
	for (size_t i = 0; i < s->cfg.nroutes; i++)
		if (strcmp(s->cfg.routes[i].first, first) == 0)
			return &s->cfg.routes[i];
	return NULL;
}

/* Who is calling: the token of the request in our table. */
static void resolve_auth(struct server *s, struct request *req)
{
	char *tok = token_from_request(http_header(req, "Authorization"), http_query(req, "bearer_token"));
	if (tok == NULL) {
		req->auth = AUTH_NONE;
		return;
	}
	enum token_kind kind;
	const char *slug;
	if (tokens_lookup(s->cfg.tokens, tok, &kind, &slug) == 0) {
		req->auth = kind == TOKEN_KONNECTOR ? AUTH_KONNECTOR : AUTH_APP;
		req->slug = slug;
	} else {
		req->auth = AUTH_INVALID;
	}
	free(tok);
}

/* The first call for a request: headers are in, no body yet. */
static void request_begin(struct server *s, struct request *req, struct MHD_Connection *conn, const char *method)
{
	struct http_private *p = req->priv;
	req->conn = conn;
	req->method = method;
	p->accept = http_header(req, "Accept");
	p->began = 1;
	p->start_ms = loop_now_ms();
	journal_time_now(p->time_iso);
	resolve_auth(s, req);
	const struct server_route *r = route_find(s, req);
	p->route = r;
	req->family = r != NULL ? r->family : FAMILY_JSONAPI;
	if (r != NULL && r->begin != NULL && r->begin(s->cfg.st, req) < 0 && !p->answered)
		reply_internal_error(req, "internal error");
	if (p->answered || req->on_body != NULL)
		return;
	/* Buffered mode: refuse a declared length over the limit before reading it. */
	const char *cl = http_header(req, "Content-Length");
	if (cl != NULL && strtoull(cl, NULL, 10) > s->cfg.body_limit) {
		p->too_large = 1;
		reply_couch_error(req, 413, "document_too_large", "Request body is too large");
	}
}

static void request_body(struct server *s, struct request *req, const char *data, size_t len)
{
	struct http_private *p = req->priv;
	req->body_len_seen += len;
	if (p->answered || p->discarding)
		return;
	if (req->on_body != NULL) {
		if (req->on_body(req, data, len) < 0) {
			p->discarding = 1;
			if (!p->answered)
				reply_internal_error(req, "upload failed");
		}
		return;
	}
	if (p->too_large || req->body.len + len > s->cfg.body_limit) {
		p->too_large = 1;
		buf_free(&req->body);
		return;
	}
	if (buf_append(&req->body, data, len) < 0) {
		p->discarding = 1;
		reply_internal_error(req, "out of memory");
	}
}

/* The body is complete: run the handler unless an answer is already set. */
static void request_handle(struct server *s, struct request *req)
{
	struct http_private *p = req->priv;
	p->handled = 1;
	if (p->answered)
		return;
	if (p->too_large) {
		/* CouchDB: a body over max_document_size is 413 document_too_large. */
		reply_couch_error(req, 413, "document_too_large", "Request body is too large");
		return;
	}
	const struct server_route *r = p->route;
	if (r == NULL) {
		reply_echo_error(req, 404, "Not Found");
		return;
	}
	if (r->handle(s->cfg.st, req) < 0 && !p->answered)
		reply_internal_error(req, "internal error");
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	(void)url;
	(void)version;
	struct request *req = *con_cls;
	if (req == NULL)
		return MHD_NO;
	struct http_private *p = req->priv;
	if (!p->began) {
		request_begin(s, req, conn, method);
		/* Answered before the body (early 404, 413 by Content-Length…): MHD discards the body. */
		if (p->answered && *upload_data_size == 0 && !p->suspended) {
			p->handled = 1;
			return queue_answer(s, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		request_body(s, req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (p->queued)
		return MHD_YES;
	if (!p->handled)
		request_handle(s, req);
	if (p->suspended) {
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue_answer(s, req);
}

/* MHD gives the raw URI here, before it unescapes the path: our request starts with it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server *s = cls;
	(void)conn;
	struct request *req = http_request_new(s->cfg.st, "", uri);
	if (req == NULL)
		return NULL;
	struct http_private *p = req->priv;
	p->ml = s->ml;
	p->next = s->live;
	if (s->live != NULL)
		s->live->prev = p;
	s->live = p;
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	(void)conn;
	(void)toe;
	struct request *req = *con_cls;
	if (req == NULL)
		return;
	struct http_private *p = req->priv;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->live = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	http_request_free(req);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	/* Modules never print; MHD's complaints (client resets…) are not the user's business. */
	(void)cls;
	(void)fmt;
	(void)ap;
}

/* Our own listening socket: exact bind errors (address in use) and an explicit address. */
static int listen_on(const char *addr, unsigned short port, char *err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return err_set(err, "bind address %s is not an IPv4 address", addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(err, "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		if (e == EADDRINUSE)
			return err_set(err, "address in use: %s:%u is taken", addr, port);
		return err_set(err, "bind %s:%u: %s", addr, port, strerror(e));
	}
	if (listen(fd, 128) < 0) {
		close(fd);
		return err_set(err, "listen: %s", strerror(errno));
	}
	return fd;
}

struct server *server_start(const struct server_config *cfg, char *err)
{
	struct server *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	int lfd = listen_on(cfg->bind_addr, cfg->port, err);
	if (lfd < 0) {
		free(s);
		return NULL;
	}
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	s->port = ntohs(sa.sin_port);
	s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				  on_access, s, MHD_OPTION_LISTEN_SOCKET, lfd, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
				  s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)(128 * 1024), MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (s->mhd == NULL) {
		close(lfd);
		err_set(err, "libmicrohttpd could not start on %s:%u", cfg->bind_addr, s->port);
		free(s);
		return NULL;
	}
	s->ml = mhd_loop_attach(cfg->loop, s->mhd, err);
	if (s->ml == NULL) {
		server_stop(s);
		return NULL;
	}
	return s;
}

unsigned short server_port(const struct server *s)
{
	return s->port;
}

void server_stop(struct server *s)
{
	if (s == NULL)
		return;
	/* MHD refuses to stop with suspended connections: answer them first. */
	for (struct http_private *p = s->live; p != NULL; p = p->next) {
		if (p->suspended) {
			reply_echo_error(&p->req, 503, "Service Unavailable");
			http_resume(&p->req);
		}
	}
	/* Let MHD send those answers (a resumed connection only moves in MHD_run; external mode never blocks). */
	for (int i = 0; i < 4; i++)
		MHD_run(s->mhd);
	mhd_loop_detach(s->ml);
	MHD_stop_daemon(s->mhd);
	free(s);
}
