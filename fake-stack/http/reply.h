/*
 * Answers: success documents and the three error body families of the real
 * stack (pkg/couchdb/errors.go, pkg/jsonapi/errors.go, web/errors/errors.go).
 * A handler calls exactly one reply_* function; the answer is sent when the
 * handler returns (or at http_resume). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_REPLY_H
#define FAKE_STACK_REPLY_H

#include "fake-stack/http/http.h"

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* JSON body with Content-Type application/json (the /data family). Steals body. */
int reply_json(struct request *req, unsigned status, json_t *body);
/* JSON:API document with Content-Type application/vnd.api+json. Steals doc. */
int reply_jsonapi(struct request *req, unsigned status, json_t *doc);
/* Raw bytes (copied) with a content type (NULL: none). */
int reply_raw(struct request *req, unsigned status, const char *content_type, const void *data, size_t len);
/* The content of an open file (fd is taken over and closed), size bytes from offset 0. */
int reply_fd(struct request *req, unsigned status, const char *content_type, int fd, size_t size);
/* No body (204, or a HEAD). */
int reply_empty(struct request *req, unsigned status);
/* Add a response header (before or after the reply_* call). */
int reply_header(struct request *req, const char *name, const char *value);

/*
 * A CouchDB error: /data → {"ok":false,"status":"404","error":"not_found","reason":"missing"};
 * JSON:API routes → {"errors":[{"status":"404","title":"not_found","detail":"missing","source":{}}]}.
 */
int reply_couch_error(struct request *req, unsigned status, const char *error, const char *reason);
/*
 * A JSON:API error object (title from the status: "Bad Request", "Not Found"…):
 * /data → {"error":"Bad Request(400): <detail>"}; JSON:API routes →
 * {"errors":[{"status":"400","title":"Bad Request","detail":"<detail>","source":{…}}]}.
 * source_key/source_value may be NULL ("parameter"/"pointer" and its value).
 */
int reply_jsonapi_error(struct request *req, unsigned status, const char *detail, const char *source_key,
			const char *source_value);
/*
 * An echo HTTP error (auth 401/400/403, some 404s): /data → {"error":"code=403, message=Forbidden"};
 * JSON:API routes → by Accept: application/json {"error":"Forbidden"}, text/html a page, else text/plain.
 */
int reply_echo_error(struct request *req, unsigned status, const char *message);
/* Any other error → 500: /data {"error":"<text>"}; JSON:API "Unqualified error". */
int reply_internal_error(struct request *req, const char *text);

/* The HTTP reason phrase the stack uses as a JSON:API title ("Not Found"). */
const char *reply_status_text(unsigned status);

/* {"ok":true,"id","rev","type","data":{doc + _type}} for creates and updates. New ref. */
json_t *reply_doc_written(const char *doctype, const json_t *doc);

#endif
