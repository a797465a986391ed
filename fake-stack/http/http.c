/*
 * Requests: the raw URI split into decoded segments and query pairs, headers,
 * the JSON body; the auth and permission gates of the handlers; parking.
 */
#include "fake-stack/http/http.h"

#include "common/pct.h"
#include "fake-stack/http/http_int.h"
#include "fake-stack/http/mhd_loop.h"
#include "fake-stack/http/perm.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/stack_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

char *http_unescape(const char *s, size_t len, int plus_is_space)
{
	return pct_decode(s, len, plus_is_space ? PCT_PLUS_IS_SPACE : 0);
}

/* A decoded copy, or the raw text when the escape is malformed (the stack would keep going too). */
static char *unescape_or_copy(const char *s, size_t len, int plus_is_space)
{
	char *d = http_unescape(s, len, plus_is_space);
	return d != NULL ? d : strndup(s, len);
}

/* Split the path on '/' first, then decode each segment (io.cozy.konnectors%2Fslug stays one). */
static int split_path(struct request *req, const char *path)
{
	const char *p = path;
	if (*p == '/')
		p++;
	size_t plen = strlen(p);
	req->trailing_slash = plen > 0 && p[plen - 1] == '/';
	if (plen == 0)
		return 0;
	size_t cap = 1;
	for (const char *q = p; *q; q++)
		cap += *q == '/';
	req->seg = calloc(cap, sizeof(char *));
	if (req->seg == NULL)
		return -1;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if ((req->seg[req->nseg] = unescape_or_copy(p, n, 0)) == NULL)
			return -1;
		req->nseg++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return 0;
}

/* Query pairs as Go's url.ParseQuery reads them: '&' separated, '+' is a space, empty values kept. */
static int split_query(struct request *req, const char *q)
{
	size_t cap = 1;
	for (const char *c = q; *c; c++)
		cap += *c == '&' || *c == ';';
	req->query = calloc(cap, sizeof(struct kv));
	if (req->query == NULL)
		return -1;
	const char *p = q;
	while (*p != '\0') {
		const char *amp = p + strcspn(p, "&;");
		if (amp > p) {
			const char *eq = memchr(p, '=', (size_t)(amp - p));
			const char *kend = eq ? eq : amp;
			struct kv *kv = &req->query[req->nquery];
			kv->key = unescape_or_copy(p, (size_t)(kend - p), 1);
			kv->value = eq ? unescape_or_copy(eq + 1, (size_t)(amp - eq - 1), 1) : strdup("");
			if (kv->key == NULL || kv->value == NULL)
				return -1;
			req->nquery++;
		}
		if (*amp == '\0')
			break;
		p = amp + 1;
	}
	return 0;
}

struct request *http_request_new(struct stack *st, const char *method, const char *uri)
{
	struct http_private *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	struct request *req = &p->req;
	req->priv = p;
	req->st = st;
	req->method = method;
	p->resp_fd = -1;
	const char *qm = strchr(uri, '?');
	size_t plen = qm ? (size_t)(qm - uri) : strlen(uri);
	req->path = strndup(uri, plen);
	req->raw_query = strdup(qm ? qm + 1 : "");
	if (req->path == NULL || req->raw_query == NULL || split_path(req, req->path) < 0 ||
	    split_query(req, req->raw_query) < 0) {
		http_request_free(req);
		return NULL;
	}
	return req;
}

static void kv_free(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void http_request_free(struct request *req)
{
	if (req == NULL)
		return;
	struct http_private *p = req->priv;
	if (req->on_free != NULL)
		req->on_free(req);
	for (size_t i = 0; i < req->nseg; i++)
		free(req->seg[i]);
	free(req->seg);
	kv_free(req->query, req->nquery);
	free(req->path);
	free(req->raw_query);
	buf_free(&req->body);
	free(p->content_type);
	buf_free(&p->resp);
	if (p->resp_fd >= 0)
		close(p->resp_fd);
	kv_free(p->hdrs, p->nhdrs);
	kv_free(p->test_hdrs, p->ntest_hdrs);
	free(p->forbidden);
	free(p->differs);
	free(p);
}

int http_request_add_header(struct request *req, const char *name, const char *value)
{
	struct http_private *p = req->priv;
	struct kv *h = realloc(p->test_hdrs, (p->ntest_hdrs + 1) * sizeof(*h));
	if (h == NULL)
		return -1;
	p->test_hdrs = h;
	h[p->ntest_hdrs].key = strdup(name);
	h[p->ntest_hdrs].value = strdup(value);
	if (strcasecmp(name, "Accept") == 0 && p->accept == NULL)
		p->accept = h[p->ntest_hdrs].value;
	p->ntest_hdrs++;
	return 0;
}

const char *http_header(const struct request *req, const char *name)
{
	if (req->conn != NULL)
		return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
	const struct http_private *p = req->priv;
	for (size_t i = 0; i < p->ntest_hdrs; i++)
		if (strcasecmp(p->test_hdrs[i].key, name) == 0)
			return p->test_hdrs[i].value;
	return NULL;
}

const char *http_query(const struct request *req, const char *key)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value;
	return NULL;
}

const char *http_seg(const struct request *req, size_t i)
{
	return i < req->nseg ? req->seg[i] : NULL;
}

int http_body_json(struct request *req, json_t **out)
{
	json_error_t je;
	*out = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_DECODE_ANY, &je);
	if (*out != NULL)
		return 0;
	/* Go's decoder says "EOF" for an empty body and "invalid character …" otherwise; we give jansson's words. */
	const char *why = req->body.len == 0 ? "EOF" : je.text;
	reply_jsonapi_error(req, 400, why, NULL, NULL);
	return -1;
}

void http_note_forbidden(struct request *req, const char *why)
{
	struct http_private *p = req->priv;
	if (p->forbidden == NULL)
		p->forbidden = strdup(why);
}

void http_note_differs(struct request *req, const char *why)
{
	struct http_private *p = req->priv;
	if (p->differs == NULL)
		p->differs = strdup(why);
}

/* ---- auth and permission gates ---- */

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

/* Warn mode lets a refused request through: journal why, and tell stack_on_forbidden's hook. */
static void note_refusal(struct request *req, const char *verb, const char *doctype, const char *why)
{
	int first = req->priv->forbidden == NULL;
	http_note_forbidden(req, why);
	if (first && req->st->on_forbidden != NULL)
		req->st->on_forbidden(req->st, verb, doctype, why, req->st->on_forbidden_arg);
}

/* Refuse as the mode says: warn notes it and lets it through, enforce answers 403. */
static int refuse(struct request *req, const char *verb, const char *doctype, const char *why, unsigned status)
{
	if (req->st->perm_mode == STACK_PERM_ENFORCE) {
		reply_echo_error(req, status, why);
		return -1;
	}
	note_refusal(req, verb, doctype, why);
	return 0;
}

int http_allow(struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
	       int whole_type)
{
	int write = strcmp(verb, "GET") != 0 && strcmp(verb, "HEAD") != 0;
	char gate[512];
	/* stack: CheckReadable/CheckWritable run before the token is looked at. */
	if (req->st->perm_mode != STACK_PERM_OFF && perm_doctype_gate(doctype, write, gate, sizeof(gate)) != NULL &&
	    refuse(req, verb, doctype, gate, 403) < 0)
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
	const struct perm_set *set = perm_registry_find(st->perms, req->slug, &found);
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
	const struct perm_set *set = perm_registry_find(st->perms, req->slug, &found);
	if (!found) {
		char why[300];
		/* stack: model/permission/permissions.go getFromSource: a CouchDB 404 when the konnector has no
		 * permission doc. */
		snprintf(why, sizeof(why), "no permission doc for %s", req->slug);
		if (st->perm_mode == STACK_PERM_ENFORCE) {
			reply_couch_error(req, 404, "not_found", why);
			return -1;
		}
		note_refusal(req, verb, doctype, why);
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
		 whole_type ? " (whole type)"
		 : id       ? "/"
			    : "",
		 whole_type ? ""
		 : id       ? id
			    : "");
	note_refusal(req, verb, doctype, why);
	return 0;
}

int http_allow_matching(struct request *req, const char *verb, const char *what, http_matcher match, void *arg)
{
	struct stack *st = req->st;
	if (http_require_auth(req) < 0)
		return -1;
	if (st->perm_mode == STACK_PERM_OFF || req->auth == AUTH_APP)
		return 0;
	int found;
	const struct perm_set *set = perm_registry_find(st->perms, req->slug, &found);
	if (!found) {
		char why[300];
		/* stack: model/permission/permissions.go getFromSource */
		snprintf(why, sizeof(why), "no permission doc for %s", req->slug);
		if (st->perm_mode == STACK_PERM_ENFORCE) {
			reply_couch_error(req, 404, "not_found", why);
			return -1;
		}
		http_note_forbidden(req, why);
		return 0;
	}
	if (match(set, perm_verb(verb), arg))
		return 0;
	if (st->perm_mode == STACK_PERM_ENFORCE) {
		reply_echo_error(req, 403, "Forbidden");
		return -1;
	}
	char why[700];
	snprintf(why, sizeof(why), "Forbidden: no permission of %s allows %s on %s", req->slug, verb, what);
	http_note_forbidden(req, why);
	return 0;
}

/* ---- parking ---- */

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
		mhd_loop_kick(p->ml);
	}
}
