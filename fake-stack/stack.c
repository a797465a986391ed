/*
 * The fake stack: libmicrohttpd in external epoll mode on the harness loop,
 * request lifecycle (parse, auth, route, body, answer, journal), tokens and
 * permissions, and the stack.h API over the store.
 */
#include "fake-stack/stack.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "fake-stack/http/http.h"
#include "fake-stack/http/http_int.h"
#include "fake-stack/http/journal.h"
#include "fake-stack/http/mhd_loop.h"
#include "fake-stack/http/perm.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/accounts/route_accounts.h"
#include "fake-stack/stack_int.h"
#include "fake-stack/data/store.h"
#include "fake-stack/http/token.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct route {
	const char *first; /* first path segment */
	enum err_family family;
	route_fn begin;
	route_fn handle;
};

/* stack: web/routing.go mounts /data (CouchDB-style errors), /files and /accounts (JSON:API errors). */
static const struct route routes[] = {
	{"data", FAMILY_DATA, NULL, route_data_handle},
	{"files", FAMILY_JSONAPI, route_files_begin, route_files_handle},
	{"accounts", FAMILY_JSONAPI, NULL, route_accounts_handle},
};

/* Manifest permissions of the declared konnectors. */
struct perms {
	struct perms_entry {
		char *slug;
		struct perm_set *set;
	} *v;
	size_t n;
};

static void perms_free(struct perms *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].slug);
		perm_set_free(p->v[i].set);
	}
	free(p->v);
	free(p);
}

static const struct perm_set *perms_find(const struct perms *p, const char *slug, int *found)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].slug, slug) == 0) {
			*found = 1;
			return p->v[i].set;
		}
	*found = 0;
	return NULL;
}

/* ---- auth and permissions ---- */

int http_require_auth(struct request *req)
{
	if (req->auth == AUTH_KONNECTOR || req->auth == AUTH_APP)
		return 0;
	if (req->auth == AUTH_NONE) {
		reply_echo_error(req, 401, "No token in request");
		return -1;
	}
	/* stack: web/middlewares/permissions.go: a token we cannot verify is 400 with WWW-Authenticate. */
	reply_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	reply_echo_error(req, 400, "Invalid JWT token");
	return -1;
}

/* Refuse as the mode says: warn notes it and lets it through, enforce answers 403. */
static int refuse(struct request *req, const char *why, unsigned status)
{
	if (req->st->perm_mode == STACK_PERM_ENFORCE) {
		reply_echo_error(req, status, why);
		return -1;
	}
	http_note_forbidden(req, why);
	return 0;
}

int http_allow(struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
	       int whole_type)
{
	int write = strcmp(verb, "GET") != 0 && strcmp(verb, "HEAD") != 0;
	char gate[512];
	/* stack: CheckReadable/CheckWritable run before the token is looked at. */
	if (req->st->perm_mode != STACK_PERM_OFF && perm_doctype_gate(doctype, write, gate, sizeof(gate)) != NULL &&
	    refuse(req, gate, 403) < 0)
		return -1;
	return http_allow_rules(req, verb, doctype, id, doc, whole_type);
}

int http_permits(const struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
		 int whole_type)
{
	const struct stack *st = req->st;
	if (req->auth != AUTH_KONNECTOR && req->auth != AUTH_APP)
		return 0;
	if (st->perm_mode == STACK_PERM_OFF || req->auth == AUTH_APP)
		return 1;
	int found;
	const struct perm_set *set = perms_find(st->perms, req->slug, &found);
	return found && perm_allows(set, perm_verb(verb), doctype, id, doc, whole_type);
}

int http_allow_rules(struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
		     int whole_type)
{
	struct stack *st = req->st;
	if (http_require_auth(req) < 0)
		return -1;
	if (st->perm_mode == STACK_PERM_OFF || req->auth == AUTH_APP)
		return 0;
	int found;
	const struct perm_set *set = perms_find(st->perms, req->slug, &found);
	if (!found) {
		char why[300];
		/* stack: model/permission/permissions.go getFromSource: a CouchDB 404 when the konnector has no permission doc. */
		snprintf(why, sizeof(why), "no permission doc for %s", req->slug);
		if (st->perm_mode == STACK_PERM_ENFORCE) {
			reply_couch_error(req, 404, "not_found", why);
			return -1;
		}
		http_note_forbidden(req, why);
		return 0;
	}
	if (perm_allows(set, perm_verb(verb), doctype, id, doc, whole_type))
		return 0;
	if (st->perm_mode == STACK_PERM_ENFORCE) {
		reply_echo_error(req, 403, "Forbidden");
		return -1;
	}
	char why[600];
	snprintf(why, sizeof(why), "Forbidden: no permission of %s allows %s on %s%s%s", req->slug, verb, doctype,
		 whole_type ? " (whole type)" : id ? "/" : "", whole_type ? "" : id ? id : "");
	http_note_forbidden(req, why);
	return 0;
}

/* ---- request lifecycle ---- */

void http_suspend(struct request *req)
{
	req->priv->suspended = 1;
}

void http_resume(struct request *req)
{
	struct http_private *p = req->priv;
	if (!p->suspended)
		return;
	p->suspended = 0;
	if (req->conn != NULL && p->handled) {
		MHD_resume_connection(req->conn);
		mhd_loop_kick(req->st->mhd_loop);
	}
}

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

static void journal_request(struct stack *st, struct request *req)
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
	if (p->req_body_note != NULL) {
		rb = p->req_body_note;
		rblen = strlen(rb);
	} else if (req->on_body != NULL || p->too_large) {
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
	};
	journal_add(st->journal, &e);
	json_decref(query);
}

/* Hand the answer to MHD (journaled first). */
static enum MHD_Result queue_answer(struct stack *st, struct request *req)
{
	struct http_private *p = req->priv;
	if (!p->answered)
		reply_internal_error(req, "the handler gave no answer");
	journal_request(st, req);
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

static const struct route *route_find(const struct request *req)
{
	const char *first = http_seg(req, 0);
	if (first == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].first, first) == 0)
			return &routes[i];
	return NULL;
}

/* Who is calling: the token of the request in our table. */
static void resolve_auth(struct stack *st, struct request *req)
{
	char *tok = token_from_request(http_header(req, "Authorization"), http_query(req, "bearer_token"));
	if (tok == NULL) {
		req->auth = AUTH_NONE;
		return;
	}
	enum token_kind kind;
	const char *slug;
	if (tokens_lookup(st->tokens, tok, &kind, &slug) == 0) {
		req->auth = kind == TOKEN_KONNECTOR ? AUTH_KONNECTOR : AUTH_APP;
		req->slug = slug;
	} else {
		req->auth = AUTH_INVALID;
	}
	free(tok);
}

/* The first call for a request: headers are in, no body yet. */
static void request_begin(struct stack *st, struct request *req, struct MHD_Connection *conn, const char *method)
{
	struct http_private *p = req->priv;
	req->conn = conn;
	req->method = method;
	p->began = 1;
	p->start_ms = loop_now_ms();
	journal_time_now(p->time_iso);
	resolve_auth(st, req);
	const struct route *r = route_find(req);
	p->route = r;
	req->family = r != NULL ? r->family : FAMILY_JSONAPI;
	if (r != NULL && r->begin != NULL && r->begin(st, req) < 0 && !p->answered)
		reply_internal_error(req, "internal error");
	if (p->answered || req->on_body != NULL)
		return;
	/* Buffered mode: refuse a declared length over the limit before reading it. */
	const char *cl = http_header(req, "Content-Length");
	if (cl != NULL && strtoull(cl, NULL, 10) > st->body_limit) {
		p->too_large = 1;
		reply_couch_error(req, 413, "document_too_large", "Request body is too large");
	}
}

static void request_body(struct stack *st, struct request *req, const char *data, size_t len)
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
	if (p->too_large || req->body.len + len > st->body_limit) {
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
static void request_handle(struct stack *st, struct request *req)
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
	const struct route *r = p->route;
	if (r == NULL) {
		reply_echo_error(req, 404, "Not Found");
		return;
	}
	if (r->handle(st, req) < 0 && !p->answered)
		reply_internal_error(req, "internal error");
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct stack *st = cls;
	(void)url;
	(void)version;
	struct request *req = *con_cls;
	if (req == NULL)
		return MHD_NO;
	struct http_private *p = req->priv;
	if (!p->began) {
		request_begin(st, req, conn, method);
		/* Answered before the body (early 404, 413 by Content-Length…): MHD discards the body. */
		if (p->answered && *upload_data_size == 0 && !p->suspended) {
			p->handled = 1;
			return queue_answer(st, req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		request_body(st, req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (p->queued)
		return MHD_YES;
	if (!p->handled)
		request_handle(st, req);
	if (p->suspended) {
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue_answer(st, req);
}

/* MHD gives the raw URI here, before it unescapes the path: our request starts with it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct stack *st = cls;
	(void)conn;
	struct request *req = http_request_new(st, "", uri);
	if (req == NULL)
		return NULL;
	struct http_private *p = req->priv;
	p->next = st->live;
	if (st->live != NULL)
		st->live->prev = p;
	st->live = p;
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct stack *st = cls;
	(void)conn;
	(void)toe;
	struct request *req = *con_cls;
	if (req == NULL)
		return;
	struct http_private *p = req->priv;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		st->live = p->next;
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

/* ---- listening ---- */

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

static int start_daemon(struct stack *st, char *err)
{
	int lfd = listen_on(st->bind_addr, st->port_wanted, err);
	if (lfd < 0)
		return -1;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	unsigned port = ntohs(sa.sin_port);
	snprintf(st->domain, sizeof(st->domain), "%s:%u", st->bind_addr, port);
	snprintf(st->url, sizeof(st->url), "http://%s/", st->domain);
	st->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				   on_access, st, MHD_OPTION_LISTEN_SOCKET, lfd, MHD_OPTION_URI_LOG_CALLBACK, on_uri, st,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, st, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
				   st, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				   (size_t)(128 * 1024), MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (st->mhd == NULL) {
		close(lfd);
		return err_set(err, "libmicrohttpd could not start on %s", st->domain);
	}
	st->mhd_loop = mhd_loop_attach(st->loop, st->mhd, err);
	return st->mhd_loop != NULL ? 0 : -1;
}

/* ---- fixtures ---- */

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Documents from the state dir or the fixtures (account types: route_accounts.c). */
static int load_data(struct stack *st, char *err)
{
	const char *base = st->state_dir != NULL ? st->state_dir : st->fixtures_dir;
	if (base == NULL)
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/data", base);
	if (is_dir(path) && store_load_dir(st->store, path, err) < 0)
		return -1;
	store_reset_changes(st->store);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct stack *stack_start(struct loop *loop, const struct stack_options *opt, char *err)
{
	struct stack *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	st->loop = loop;
	st->fixtures_dir = dup_or_null(opt->fixtures_dir);
	st->state_dir = dup_or_null(opt->state_dir);
	st->files_dir = dup_or_null(opt->files_dir);
	st->bind_addr = strdup(opt->bind_addr != NULL ? opt->bind_addr : "127.0.0.1");
	st->locale = strdup(opt->locale != NULL ? opt->locale : "en");
	st->perm_mode = opt->perm_mode;
	st->port_wanted = opt->port;
	st->body_limit = STACK_BODY_LIMIT;
	st->store = store_new();
	st->tokens = tokens_new();
	st->perms = calloc(1, sizeof(struct perms));
	st->journal = journal_new();
	if (st->store == NULL || st->tokens == NULL || st->perms == NULL || st->journal == NULL ||
	    st->bind_addr == NULL || st->locale == NULL) {
		err_set(err, "out of memory");
		stack_stop(st);
		return NULL;
	}
	if (load_data(st, err) < 0 || start_daemon(st, err) < 0 || stack_files_start(st, err) < 0 ||
	    stack_accounts_start(st, err) < 0) {
		stack_stop(st);
		return NULL;
	}
	return st;
}

void stack_stop(struct stack *st)
{
	if (st == NULL)
		return;
	if (st->mhd != NULL) {
		/* MHD refuses to stop with suspended connections: answer them first. */
		for (struct http_private *p = st->live; p != NULL; p = p->next) {
			if (p->suspended) {
				reply_echo_error(&p->req, 503, "Service Unavailable");
				http_resume(&p->req);
			}
		}
		/* Let MHD send those answers (a resumed connection only moves in MHD_run; external mode never blocks). */
		for (int i = 0; st->mhd_loop != NULL && i < 4; i++)
			mhd_loop_run(st->mhd_loop);
		mhd_loop_detach(st->mhd_loop);
		MHD_stop_daemon(st->mhd);
	}
	stack_files_stop(st);
	stack_accounts_stop(st);
	store_free(st->store);
	tokens_free(st->tokens);
	perms_free(st->perms);
	journal_free(st->journal);
	free(st->fixtures_dir);
	free(st->state_dir);
	free(st->files_dir);
	free(st->bind_addr);
	free(st->locale);
	free(st);
}

const char *stack_url(const struct stack *st)
{
	return st->url;
}

const char *stack_domain(const struct stack *st)
{
	return st->domain;
}

int stack_add_konnector(struct stack *st, const char *slug, const json_t *permissions, char *err)
{
	struct perm_set *set = perm_parse(permissions, err);
	if (set == NULL)
		return -1;
	for (size_t i = 0; i < st->perms->n; i++) {
		if (strcmp(st->perms->v[i].slug, slug) == 0) {
			perm_set_free(st->perms->v[i].set);
			st->perms->v[i].set = set;
			return 0;
		}
	}
	struct perms_entry *v = realloc(st->perms->v, (st->perms->n + 1) * sizeof(*v));
	if (v == NULL) {
		perm_set_free(set);
		return err_set(err, "out of memory");
	}
	st->perms->v = v;
	v[st->perms->n].slug = strdup(slug);
	v[st->perms->n].set = set;
	st->perms->n++;
	return 0;
}

const char *stack_mint_konnector_token(struct stack *st, const char *slug, char *err)
{
	return tokens_mint(st->tokens, TOKEN_KONNECTOR, st->domain, slug, (long long)time(NULL), err);
}

const char *stack_mint_app_token(struct stack *st, const char *slug, char *err)
{
	return tokens_mint(st->tokens, TOKEN_APP, st->domain, slug, (long long)time(NULL), err);
}

/* ---- documents for the runner ---- */

json_t *stack_doc_get(struct stack *st, const char *doctype, const char *id)
{
	return store_fetch(st->store, doctype, id, NULL);
}

json_t *stack_doc_put(struct stack *st, const char *doctype, const json_t *doc, char *err)
{
	json_t *out = NULL;
	const char *id = json_string_value(json_object_get(doc, "_id"));
	enum store_status s;
	if (json_object_get(doc, "_rev") != NULL && id != NULL)
		s = store_update(st->store, doctype, id, doc, &out, err);
	else
		s = store_create(st->store, doctype, doc, &out, err);
	if (s == STORE_OK)
		return out;
	json_decref(out);
	return NULL;
}

int stack_doc_delete(struct stack *st, const char *doctype, const char *id, char *err)
{
	const char *rev = store_rev(st->store, doctype, id, NULL);
	if (rev == NULL)
		return err_set(err, "%s/%s: missing", doctype, id);
	return store_delete(st->store, doctype, id, rev, NULL, err) == STORE_OK ? 0 : -1;
}

const json_t *stack_account_types(const struct stack *st)
{
	return stack_accounts_types(st);
}

/* ---- journal, state, changes, reset ---- */

const json_t *stack_journal(const struct stack *st)
{
	return journal_entries(st->journal);
}

int stack_write_journal(const struct stack *st, const char *path, char *err)
{
	return journal_write(st->journal, path, err);
}

int stack_write_state(const struct stack *st, const char *dir, char *err)
{
	char path[4096];
	if (mkdir_p(dir, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/data", dir);
	if (mkdir_p(path, err) < 0 || store_write_dir(st->store, path, err) < 0)
		return -1;
	return stack_files_write_state(st, dir, err);
}

json_t *stack_changes(const struct stack *st)
{
	json_t *c = store_changes(st->store);
	json_t *files = stack_files_changes(st);
	if (c != NULL && files != NULL)
		json_object_set(c, "io.cozy.files", files);
	json_decref(files);
	return c;
}

int stack_reset(struct stack *st, char *err)
{
	struct store *fresh = store_new();
	if (fresh == NULL)
		return err_set(err, "out of memory");
	struct store *old = st->store;
	st->store = fresh;
	if (load_data(st, err) < 0) {
		store_free(fresh);
		st->store = old;
		return -1;
	}
	store_free(old);
	journal_clear(st->journal);
	if (stack_files_reset(st, err) < 0)
		return -1;
	return stack_accounts_reset(st, err);
}
