/*
 * The request object of the fake stack and what handlers ask of it (headers,
 * query, body, the auth and permission gates, parking). Internal to
 * fake-stack/.
 *
 * How a request flows (server.c):
 *  1. the raw URI is split: path on '/' then each segment percent-decoded
 *     (so "io.cozy.konnectors%2Fslug" stays one segment), query pairs decoded
 *     ('+' is a space, empty values kept); the token is looked up (req->auth);
 *  2. the route is chosen by the first path segment (the table in stack.c:
 *     /data, /files, /accounts);
 *  3. the route's begin hook (optional) runs once the headers are in, before
 *     any body byte: it may answer at once (reply_* → the body is discarded),
 *     or switch to streaming by setting req->on_body (then the body is never
 *     held in memory), or do nothing (buffered: req->body gets the whole
 *     body, up to the server's body_limit, else 413 without calling the handler);
 *  4. the route's handler runs when the body is complete: it answers with one
 *     reply_* call (reply.h), or parks the request with http_suspend and
 *     answers later (reply_* then http_resume);
 *  5. the request is journaled (journal.h) with its status and bodies.
 */
#ifndef FAKE_STACK_HTTP_H
#define FAKE_STACK_HTTP_H

#include "common/buf.h"

#include <jansson.h>
#include <stddef.h>

struct stack;
struct request;
struct MHD_Connection;

/* Who made the request (from Authorization: Bearer, Basic password or bearer_token=). */
enum auth_kind {
	AUTH_NONE,      /* no token */
	AUTH_INVALID,   /* a token we did not mint */
	AUTH_KONNECTOR, /* a konnector job token (aud konn), req->slug is the konnector */
	AUTH_APP,       /* an app token (aud app), whole access, req->slug is the app */
};

/*
 * Which error body family the route group answers in (stack: web/data/data.go
 * couchdbStyleErrorHandler for /data, web/errors/errors.go ErrorHandler and
 * HTMLErrorHandler for the others).
 */
enum err_family {
	FAMILY_DATA,    /* /data: CouchDB-style {"ok":false,...}, {"error":"code=401, message=..."} */
	FAMILY_JSONAPI, /* /files, /accounts: {"errors":[...]}; echo errors by Accept */
};

struct kv {
	char *key;
	char *value;
};

/* Streaming body callback: 0 to go on, -1 after answering with reply_* (the rest of the body is discarded). */
typedef int (*request_body_cb)(struct request *req, const char *data, size_t len);
/* Called once when the request ends (answered, failed or client gone): free handler_data. */
typedef void (*request_free_cb)(struct request *req);

struct request {
	struct stack *st;
	struct MHD_Connection *conn;
	const char *method; /* "GET", "POST", … */
	char *path;         /* raw path as received, without the query */
	char **seg;         /* path segments, each percent-decoded; "/data/x/" → {"data","x"} */
	size_t nseg;
	int trailing_slash; /* the raw path ends with '/' ("/data/io.cozy.bills/") */
	struct kv *query;   /* decoded query pairs in order; value "" when empty or absent */
	size_t nquery;
	char *raw_query; /* the raw query string after '?', "" when none */

	enum auth_kind auth;
	const char *slug; /* konnector or app slug for AUTH_KONNECTOR/AUTH_APP, else NULL */
	enum err_family family;

	/* Buffered mode: the whole body (NUL-terminated). */
	struct buf body;
	size_t body_len_seen; /* bytes received so far (both modes) */

	/* Streaming mode: set by a begin hook. */
	request_body_cb on_body;
	request_free_cb on_free;
	void *handler_data;

	/* Private to server.c, http.c and reply.c (http_int.h). */
	struct http_private *priv;
};

/*
 * A route: begin (may be NULL) once headers are in; handle once the body is
 * complete. 0, or -1 on an internal error (→ 500). The routes themselves are
 * declared in their rooms: data/route_data.h, files/route_files.h,
 * accounts/route_accounts.h.
 */
typedef int (*route_fn)(struct stack *st, struct request *req);

/* A request header (case-insensitive name); "" when present and empty, NULL when absent. */
const char *http_header(const struct request *req, const char *name);
/* The first value of a query parameter (decoded, "" when empty), or NULL when absent. */
const char *http_query(const struct request *req, const char *key);
/* Path segment i (decoded) or NULL past the end. */
const char *http_seg(const struct request *req, size_t i);

/*
 * Parse the buffered body as JSON. 0 with *out (new ref); -1 after answering
 * 400 in the route's family ("Bad Request(400): <decoder error>").
 */
int http_body_json(struct request *req, json_t **out);

/*
 * Auth gate: 0 when the request carries a token we minted; else answers
 * 401 "No token in request" / 400 "Invalid JWT token" (+ WWW-Authenticate)
 * in the route's family and returns -1.
 */
int http_require_auth(struct request *req);

/*
 * Permission gate (stack: model/permission/match.go, rule.go): verb "GET", "POST",
 * "PUT", "PATCH" or "DELETE" on doctype; id/doc the document concerned (either
 * may be NULL: a new doc, or a whole-type check when whole_type is set).
 * Calls http_require_auth first. Reserved and invalid doctypes apply. App
 * tokens pass. In warn mode a refusal is journaled as "forbidden" and 0 is
 * returned; in enforce mode 403 is answered and -1 returned; off: always 0.
 */
int http_allow(struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
	       int whole_type);

/*
 * http_allow without the reserved-doctype gate, which only web/data's own
 * handlers run (CheckReadable/CheckWritable): the /files routes and the
 * references routes (stack: middlewares.AllowVFS, AllowTypeAndID) use this.
 */
int http_allow_rules(struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
		     int whole_type);
/*
 * http_allow_rules with a matcher of its own over the token's rule set (the
 * vfs's walk up the file tree): match returns 1 to allow verb (a perm.h
 * PERM_* bit); what names the target in the journal's "forbidden" note.
 */
struct perm_set;
typedef int (*http_matcher)(const struct perm_set *set, unsigned verb, void *arg);
int http_allow_matching(struct request *req, const char *verb, const char *what, http_matcher match, void *arg);
/* Would the token's rules allow this? No answer, no journal note (for "this or that" checks). App tokens and mode
 * off: 1. */
int http_permits(const struct request *req, const char *verb, const char *doctype, const char *id, const json_t *doc,
		 int whole_type);

/* Record why the real stack would refuse this request (journal "forbidden"); the first note wins. */
void http_note_forbidden(struct request *req, const char *why);
/*
 * Record that this answer cannot be the real stack's (journal "differs"): what
 * we could not emulate and what the stack would do; lint reports it as
 * not-emulated. The first note wins.
 */
void http_note_differs(struct request *req, const char *why);

/* Park the request (answer later, from a loop callback). */
void http_suspend(struct request *req);
/* Send the answer set by reply_* since http_suspend. */
void http_resume(struct request *req);

/* Percent-decode s (len bytes) into a malloc'd string; plus_is_space for query parts. NULL on a bad escape. */
char *http_unescape(const char *s, size_t len, int plus_is_space);

#endif
