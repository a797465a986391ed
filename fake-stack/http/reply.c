/* Answers in the stack's shapes: success documents and the three error families (see reply.h). */
#include "fake-stack/http/reply.h"

#include "fake-stack/http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Go's net/http StatusText for the codes the stack answers. */
const char *reply_status_text(unsigned status)
{
	static const struct {
		unsigned code;
		const char *text;
	} texts[] = {
		{200, "OK"},
		{201, "Created"},
		{202, "Accepted"},
		{204, "No Content"},
		{304, "Not Modified"},
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{402, "Payment Required"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{406, "Not Acceptable"},
		{409, "Conflict"},
		{410, "Gone"},
		{412, "Precondition Failed"},
		{413, "Request Entity Too Large"},
		{415, "Unsupported Media Type"},
		{416, "Requested Range Not Satisfiable"},
		{422, "Unprocessable Entity"},
		{429, "Too Many Requests"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{502, "Bad Gateway"},
		{503, "Service Unavailable"},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == status)
			return texts[i].text;
	return "";
}

/* Forget an earlier answer (a handler that answers twice keeps the last). */
static void reply_clear(struct http_private *p)
{
	free(p->content_type);
	p->content_type = NULL;
	buf_reset(&p->resp);
	if (p->resp_fd >= 0)
		close(p->resp_fd);
	p->resp_fd = -1;
	p->resp_fd_size = 0;
}

static int reply_set(struct request *req, unsigned status, const char *content_type)
{
	struct http_private *p = http_priv(req);
	reply_clear(p);
	p->answered = 1;
	p->status = status;
	if (content_type != NULL && (p->content_type = strdup(content_type)) == NULL)
		return -1;
	return 0;
}

int reply_raw(struct request *req, unsigned status, const char *content_type, const void *data, size_t len)
{
	if (reply_set(req, status, content_type) < 0)
		return -1;
	if (len > 0 && buf_append(&http_priv(req)->resp, data, len) < 0)
		return -1;
	return 0;
}

/* Compact JSON, as Go's encoding/json writes it (echo adds a newline after c.JSON). */
static int reply_dump(struct request *req, unsigned status, const char *ct, json_t *body)
{
	if (body == NULL)
		return reply_raw(req, 500, "text/plain", "out of memory", 13);
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(body);
	if (s == NULL)
		return reply_raw(req, 500, "text/plain", "out of memory", 13);
	size_t n = strlen(s);
	int rc = reply_raw(req, status, ct, s, n);
	if (rc == 0)
		rc = buf_append(&http_priv(req)->resp, "\n", 1);
	free(s);
	return rc;
}

int reply_json(struct request *req, unsigned status, json_t *body)
{
	return reply_dump(req, status, "application/json", body);
}

int reply_jsonapi(struct request *req, unsigned status, json_t *doc)
{
	return reply_dump(req, status, "application/vnd.api+json", doc);
}

int reply_fd(struct request *req, unsigned status, const char *content_type, int fd, size_t size)
{
	if (reply_set(req, status, content_type) < 0) {
		close(fd);
		return -1;
	}
	http_priv(req)->resp_fd = fd;
	http_priv(req)->resp_fd_size = size;
	return 0;
}

int reply_empty(struct request *req, unsigned status)
{
	return reply_set(req, status, NULL);
}

int reply_header(struct request *req, const char *name, const char *value)
{
	struct http_private *p = http_priv(req);
	struct kv *h = realloc(p->hdrs, (p->nhdrs + 1) * sizeof(*h));
	if (h == NULL)
		return -1;
	p->hdrs = h;
	h[p->nhdrs].key = strdup(name);
	h[p->nhdrs].value = strdup(value);
	p->nhdrs++;
	return 0;
}

/* stack: pkg/couchdb/errors.go JSON(): status as a string, then error and reason. */
int reply_couch_error(struct request *req, unsigned status, const char *error, const char *reason)
{
	char code[16];
	snprintf(code, sizeof(code), "%u", status);
	if (req->family == FAMILY_DATA)
		return reply_json(
			req, status,
			json_pack("{s:b,s:s,s:s,s:s}", "ok", 0, "status", code, "error", error, "reason", reason));
	/* stack: web/errors/errors.go ErrorHandler: a CouchDB error becomes title=<name>, detail=<reason>. */
	return reply_jsonapi(req, status,
			     json_pack("{s:[{s:s,s:s,s:s,s:{}}]}", "errors", "status", code, "title", error, "detail",
				       reason, "source"));
}

/* stack: pkg/jsonapi/errors.go Error(): "<title>(<status>): <detail>" under /data. */
int reply_jsonapi_error(struct request *req, unsigned status, const char *detail, const char *source_key,
			const char *source_value)
{
	char code[16];
	snprintf(code, sizeof(code), "%u", status);
	if (req->family == FAMILY_DATA) {
		char *msg = NULL;
		if (asprintf(&msg, "%s(%u): %s", reply_status_text(status), status, detail) < 0)
			return -1;
		int rc = reply_json(req, status, json_pack("{s:s}", "error", msg));
		free(msg);
		return rc;
	}
	json_t *source = json_object();
	if (source_key != NULL && source_value != NULL)
		json_object_set_new(source, source_key, json_string(source_value));
	return reply_jsonapi(req, status,
			     json_pack("{s:[{s:s,s:s,s:s,s:o}]}", "errors", "status", code, "title",
				       reply_status_text(status), "detail", detail, "source", source));
}

/* stack: web/data/data.go couchdbStyleErrorHandler for /data; web/errors/errors.go HTMLErrorHandler elsewhere. */
int reply_echo_error(struct request *req, unsigned status, const char *message)
{
	if (req->family == FAMILY_DATA) {
		char *msg = NULL;
		if (asprintf(&msg, "code=%u, message=%s", status, message) < 0)
			return -1;
		int rc = reply_json(req, status, json_pack("{s:s}", "error", msg));
		free(msg);
		return rc;
	}
	if (strcmp(req->method, "HEAD") == 0)
		return reply_empty(req, status);
	const char *accept = http_priv(req)->accept;
	if (accept != NULL && strstr(accept, "application/json") != NULL)
		return reply_json(req, status, json_pack("{s:s}", "error", message));
	if (accept != NULL && strstr(accept, "text/html") != NULL) {
		char *page = NULL;
		int n = asprintf(&page,
				 "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>"
				 "<body><h1>%u</h1><p>%s</p></body></html>\n",
				 message, status, message);
		if (n < 0)
			return -1;
		int rc = reply_raw(req, status, "text/html; charset=UTF-8", page, (size_t)n);
		free(page);
		return rc;
	}
	return reply_raw(req, status, "text/plain; charset=UTF-8", message, strlen(message));
}

int reply_internal_error(struct request *req, const char *text)
{
	if (req->family == FAMILY_DATA)
		return reply_json(req, 500, json_pack("{s:s}", "error", text));
	return reply_jsonapi(req, 500,
			     json_pack("{s:[{s:s,s:s,s:s,s:{}}]}", "errors", "status", "500", "title",
				       "Unqualified error", "detail", text, "source"));
}

/* stack: web/data/data.go createDoc/UpdateDoc answer {ok,id,rev,type,data} with _type in data. */
json_t *reply_doc_written(const char *doctype, const json_t *doc)
{
	json_t *data = json_deep_copy(doc);
	if (data == NULL)
		return NULL;
	json_object_set_new(data, "_type", json_string(doctype));
	const char *id = json_string_value(json_object_get(doc, "_id"));
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	return json_pack("{s:b,s:s,s:s,s:s,s:o}", "ok", 1, "id", id ? id : "", "rev", rev ? rev : "", "type", doctype,
			 "data", data);
}
