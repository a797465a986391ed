/*
 * /files routes and /data/:doctype/:id/relationships/references over HTTP:
 * parse the request, check permissions, call files_api.c, send what it fills.
 * Uploads (POST Type=file, PUT) stream their body to the vfs chunk by chunk.
 */
#include "fake-stack/files/route_files.h"
#include "common/err.h"
#include "fake-stack/files/files_api.h"
#include "fake-stack/files/files_perm.h"
#include "fake-stack/files/vfs.h"
#include "fake-stack/http/http.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/stack_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_DOCTYPE "io.cozy.files"

struct files_perm_arg {
	const struct vfs *vfs;
	const json_t *fd;
};

static int files_match(const struct perm_set *set, unsigned verb, void *arg)
{
	const struct files_perm_arg *a = arg;
	return files_perm_allows(set, a->vfs, verb, a->fd);
}

/*
 * Permission gate on one file or directory, fd as the vfs holds it or as it
 * is about to be created (stack: middlewares.AllowVFS → model/vfs/permissions.go
 * Allows, no reserved-doctype gate). A missing doc needs only a token: the
 * stack looks the file up first and answers 404. 0 to go on, -1 when an
 * answer was sent.
 */
static int files_allow(struct request *req, const char *verb, const json_t *fd)
{
	if (fd == NULL)
		return http_require_auth(req);
	const char *id = json_string_value(json_object_get(fd, "_id"));
	const char *name = json_string_value(json_object_get(fd, "name"));
	char what[600];
	if (id != NULL)
		snprintf(what, sizeof(what), FILES_DOCTYPE "/%s", id);
	else
		snprintf(what, sizeof(what), "a new %s \"%s\" in " FILES_DOCTYPE "/%s",
			 json_string_value(json_object_get(fd, "type")), name ? name : "",
			 json_string_value(json_object_get(fd, "dir_id")));
	struct files_perm_arg a = {req->st->vfs, fd};
	return http_allow_matching(req, verb, what, files_match, &a);
}

/* The whole-type gate of _find and _all_docs (stack: AllowWholeType on io.cozy.files). */
static int files_allow_whole(struct request *req, const char *verb)
{
	return http_allow_rules(req, verb, FILES_DOCTYPE, NULL, NULL, 1);
}

/*
 * The references routes' gate: verb on doctype/docid, or else whole-type
 * files_verb on io.cozy.files (stack: web/files/references.go
 * AllowTypeAndID, then AllowWholeType on consts.Files). 0 to go on.
 */
static int refs_allow(struct request *req, const char *verb, const char *doctype, const char *docid,
		      const char *files_verb)
{
	if (!http_permits(req, verb, doctype, docid, NULL, 0) &&
	    http_permits(req, files_verb, FILES_DOCTYPE, NULL, NULL, 1))
		return http_allow_rules(req, files_verb, FILES_DOCTYPE, NULL, NULL, 1);
	return http_allow_rules(req, verb, doctype, docid, NULL, 0);
}

static void files_ctx_of(struct stack *st, struct request *req, struct files_ctx *c)
{
	c->vfs = st->vfs;
	c->slug = req->slug;
	c->instance_url = st->url;
}

/* Send a files_result (JSON:API document or error, or 204). */
static int files_send(struct request *req, struct files_result *res)
{
	int status = res->status ? res->status : 500;
	json_t *body = res->body;
	res->body = NULL;
	if (body == NULL)
		return reply_empty(req, (unsigned)status);
	return reply_jsonapi(req, (unsigned)status, body);
}

/* Query parameters and headers of a creation or overwrite. */
static void files_create_req_of(const struct request *req, struct files_create_req *q)
{
	q->type = http_query(req, "Type");
	q->name = http_query(req, "Name");
	q->path = http_query(req, "Path");
	q->recursive = http_query(req, "Recursive");
	q->tags = http_query(req, "Tags");
	q->executable = http_query(req, "Executable");
	q->encrypted = http_query(req, "Encrypted");
	q->size = http_query(req, "Size");
	q->created_at = http_query(req, "CreatedAt");
	q->updated_at = http_query(req, "UpdatedAt");
	q->metadata = http_query(req, "Metadata");
	q->metadata_id = http_query(req, "MetadataID");
	q->source_account = http_query(req, "SourceAccount");
	q->source_account_identifier = http_query(req, "SourceAccountIdentifier");
	q->content_type = http_header(req, "Content-Type");
	q->content_length = http_header(req, "Content-Length");
	q->content_md5 = http_header(req, "Content-MD5");
	q->date = http_header(req, "Date");
	q->if_match = http_header(req, "If-Match");
	q->rev = http_query(req, "rev");
}

/* Does a decoded query value hide a NUL (percent-encoded %00)? Then it was cut short: refuse it. */
static int files_has_nul(const struct request *req, const char *key)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "%s=", key);
	const char *p = strstr(req->raw_query, pat);
	if (p == NULL)
		return 0;
	const char *end = strchr(p, '&');
	size_t n = end ? (size_t)(end - p) : strlen(p);
	for (size_t i = 0; i + 2 < n; i++)
		if (p[i] == '%' && p[i + 1] == '0' && p[i + 2] == '0')
			return 1;
	return 0;
}

/* An upload in flight: the vfs upload and the answer once something failed. */
struct files_stream {
	struct vfs_upload *up;
	int created;
	struct files_result res;
};

static void files_stream_free(struct request *req)
{
	struct files_stream *s = req->handler_data;
	if (s == NULL)
		return;
	vfs_upload_abort(s->up);
	files_result_clear(&s->res);
	free(s);
	req->handler_data = NULL;
}

/* A body chunk goes straight to disk. */
static int files_stream_body(struct request *req, const char *data, size_t len)
{
	struct files_stream *s = req->handler_data;
	if (files_upload_write(s->up, data, len, &s->res) == 0)
		return 0;
	vfs_upload_abort(s->up);
	s->up = NULL;
	files_send(req, &s->res);
	return -1;
}

/* Is this request an upload (POST Type=file, or PUT /files/:id)? */
static int files_is_upload(const struct request *req)
{
	if (strcmp(req->method, "PUT") == 0 && req->nseg == 2)
		return 1;
	if (strcmp(req->method, "POST") != 0 || req->nseg > 2)
		return 0;
	const char *type = http_query(req, "Type");
	const char *s1 = http_seg(req, 1);
	if (s1 && (strcmp(s1, "_find") == 0 || strcmp(s1, "upload") == 0 || strcmp(s1, "_all_docs") == 0))
		return 0;
	return type && strcmp(type, "file") == 0;
}

/* Before the body: an upload checks what it can and switches to streaming. */
int route_files_begin(struct stack *st, struct request *req)
{
	if (!files_is_upload(req))
		return 0;
	if (http_require_auth(req) < 0)
		return 0;
	struct files_ctx c;
	files_ctx_of(st, req, &c);
	struct files_create_req q = {0};
	files_create_req_of(req, &q);
	struct files_result res = {0};
	int put = strcmp(req->method, "PUT") == 0;
	const char *id = http_seg(req, 1);
	if (id && id[0] == '\0')
		id = NULL;
	if (files_has_nul(req, "Name")) {
		files_vfs_error(&res, VFS_BAD_NAME, "");
		return files_send(req, &res);
	}
	if (put) {
		if (files_allow(req, "PUT", vfs_get(st->vfs, id)) < 0)
			return 0;
	} else {
		/* stack: createFileHandler checks the new file doc: its parent, its tags, its ancestors */
		json_t *tags = files_tags_of(q.tags);
		json_t *fd = files_perm_new_doc("file", q.name, id ? id : VFS_ROOT_ID, tags, q.content_type);
		int rc = files_allow(req, "POST", fd);
		json_decref(fd);
		json_decref(tags);
		if (rc < 0)
			return 0;
	}
	struct vfs_upload *up = files_upload_begin(&c, put ? NULL : id, put ? id : NULL, &q, &res);
	if (up == NULL)
		return files_send(req, &res);
	struct files_stream *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		vfs_upload_abort(up);
		return reply_internal_error(req, "out of memory");
	}
	s->up = up;
	s->created = !put;
	req->handler_data = s;
	req->on_body = files_stream_body;
	req->on_free = files_stream_free;
	return 0;
}

/* GET /files/download/:id: the raw content (stack: web/files/files.go ReadFileContentFromIDHandler). */
static int files_download(struct stack *st, struct request *req, const char *id)
{
	const json_t *doc = vfs_get(st->vfs, id);
	if (files_allow(req, "GET", doc) < 0)
		return 0;
	char *path = vfs_content_path(st->vfs, id);
	int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	free(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		struct files_result res = {0};
		files_error(&res, 404, "Not Found", "file does not exist", NULL, NULL);
		return files_send(req, &res);
	}
	/* the name inside the quotes: a quote, backslash or control char would break the header */
	char safe[512];
	snprintf(safe, sizeof(safe), "%s", json_string_value(json_object_get(doc, "name")));
	for (char *p = safe; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	char disp[600];
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", safe);
	reply_header(req, "Content-Disposition", disp);
	reply_header(req, "Etag", json_string_value(json_object_get(doc, "md5sum")));
	return reply_fd(req, 200, json_string_value(json_object_get(doc, "mime")), fd, (size_t)sb.st_size);
}

/* A page number from the query (page[skip] / page[limit]). */
static size_t files_qnum(const struct request *req, const char *key, size_t def)
{
	const char *v = http_query(req, key);
	if (v == NULL || v[0] == '\0')
		return def;
	long long n = strtoll(v, NULL, 10);
	return n < 0 ? def : (size_t)n;
}

/* The JSON body, or NULL after a 400 was sent. */
static json_t *files_body(struct request *req)
{
	json_t *body = NULL;
	if (http_body_json(req, &body) < 0)
		return NULL;
	return body;
}

static int files_handle_get(struct stack *st, struct request *req, struct files_ctx *c, struct files_result *res)
{
	const char *s1 = http_seg(req, 1);
	size_t skip = files_qnum(req, "page[skip]", 0), limit = files_qnum(req, "page[limit]", 30);
	if (s1 && strcmp(s1, "download") == 0 && req->nseg == 3)
		return files_download(st, req, http_seg(req, 2));
	if (s1 && strcmp(s1, "metadata") == 0 && req->nseg == 2) {
		const char *path = http_query(req, "Path");
		const json_t *doc = path ? vfs_get_by_path(st->vfs, path) : NULL;
		if (files_allow(req, "GET", doc) < 0)
			return 0;
		files_get_by_path(c, path, skip, limit, res);
		return files_send(req, res);
	}
	if (req->nseg <= 2) {
		const char *id = s1 && s1[0] ? s1 : VFS_ROOT_ID;
		if (files_allow(req, "GET", vfs_get(st->vfs, id)) < 0)
			return 0;
		files_get(c, id, skip, limit, res);
		return files_send(req, res);
	}
	return reply_echo_error(req, 404, "Not Found");
}

/* POST/DELETE /files/:id/relationships/referenced_by */
static int files_handle_refs(struct stack *st, struct request *req, struct files_ctx *c, struct files_result *res,
			     int add)
{
	const char *id = http_seg(req, 1);
	if (files_allow(req, "PATCH", vfs_get(st->vfs, id)) < 0)
		return 0;
	json_t *body = files_body(req);
	if (body == NULL)
		return 0;
	files_refs_change(c, id, body, add, res);
	json_decref(body);
	return files_send(req, res);
}

int route_files_handle(struct stack *st, struct request *req)
{
	struct files_stream *s = req->handler_data;
	if (s != NULL && req->on_body == files_stream_body) {
		/* end of a streamed upload */
		struct vfs_upload *up = s->up;
		s->up = NULL;
		files_upload_finish(up, s->created, &s->res);
		return files_send(req, &s->res);
	}
	if (http_require_auth(req) < 0)
		return 0;
	struct files_ctx c;
	files_ctx_of(st, req, &c);
	struct files_result res = {0};
	const char *m = req->method, *s1 = http_seg(req, 1), *s2 = http_seg(req, 2), *s3 = http_seg(req, 3);
	int rc;
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return files_handle_get(st, req, &c, &res);
	if (req->nseg == 4 && s2 && strcmp(s2, "relationships") == 0 && s3 && strcmp(s3, "referenced_by") == 0) {
		if (strcmp(m, "POST") == 0 || strcmp(m, "DELETE") == 0)
			return files_handle_refs(st, req, &c, &res, strcmp(m, "POST") == 0);
		return reply_echo_error(req, 405, "Method Not Allowed");
	}
	if (strcmp(m, "POST") == 0 && req->nseg == 2 && strcmp(s1, "_find") == 0) {
		if (files_allow_whole(req, "GET") < 0)
			return 0;
		json_t *body = files_body(req);
		if (body == NULL)
			return 0;
		files_find(&c, body, http_query(req, "page[limit]"), http_query(req, "page[skip]"),
			   http_query(req, "page[cursor]") ? http_query(req, "page[cursor]")
							   : http_query(req, "cursor"),
			   &res);
		json_decref(body);
		return files_send(req, &res);
	}
	if (strcmp(m, "POST") == 0 && req->nseg == 2 && strcmp(s1, "_all_docs") == 0) {
		/* stack: web/files/files.go GetAllDocs: whole-type GET on io.cozy.files, checked before the body */
		if (files_allow_whole(req, "GET") < 0)
			return 0;
		json_t *body = files_body(req);
		if (body == NULL)
			return 0;
		files_all_docs(&c, body, &res);
		json_decref(body);
		return files_send(req, &res);
	}
	if (strcmp(m, "POST") == 0 && req->nseg == 3 && strcmp(s1, "upload") == 0 && strcmp(s2, "metadata") == 0) {
		/* stack: UploadMetadataHandler checks an empty FileDoc: only the whole type (or the root) allows it */
		json_t *fd = json_pack("{s:s,s:s,s:s}", "type", "", "name", "", "dir_id", "");
		int prc = files_allow(req, "POST", fd);
		json_decref(fd);
		if (prc < 0)
			return 0;
		json_t *body = files_body(req);
		if (body == NULL)
			return 0;
		files_upload_metadata(&c, body, &res);
		json_decref(body);
		return files_send(req, &res);
	}
	if (strcmp(m, "POST") == 0 && req->nseg <= 2) {
		/* Type=file went through the streaming path; here: directories and bad types */
		struct files_create_req q = {0};
		files_create_req_of(req, &q);
		if (q.type == NULL || strcmp(q.type, "directory") != 0) {
			files_error(&res, 422, "Invalid Attribute", "Invalid document type", NULL,
				    "/data/attributes/type");
			return files_send(req, &res);
		}
		if (files_has_nul(req, "Name") || files_has_nul(req, "Path")) {
			files_vfs_error(&res, VFS_BAD_NAME, "");
			return files_send(req, &res);
		}
		const char *dir_id = s1 && s1[0] ? s1 : NULL;
		json_t *tags = files_tags_of(q.tags);
		json_t *fd = files_perm_new_doc("directory", q.name, dir_id ? dir_id : VFS_ROOT_ID, tags, NULL);
		int prc = files_allow(req, "POST", fd);
		json_decref(fd);
		json_decref(tags);
		if (prc < 0)
			return 0;
		files_create_dir(&c, dir_id, &q, &res);
		return files_send(req, &res);
	}
	if ((strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0) && req->nseg == 2) {
		const json_t *doc = vfs_get(st->vfs, s1);
		if (files_allow(req, m, doc) < 0)
			return 0;
		const char *if_match = http_header(req, "If-Match");
		if (if_match == NULL || if_match[0] == '\0')
			if_match = http_query(req, "rev");
		if (strcmp(m, "DELETE") == 0) {
			files_delete(&c, s1, if_match, &res);
		} else {
			json_t *body = files_body(req);
			if (body == NULL)
				return 0;
			files_patch(&c, s1, body, if_match, &res);
			json_decref(body);
		}
		return files_send(req, &res);
	}
	rc = reply_echo_error(req, 404, "Not Found");
	return rc;
}

/* Errors of the references routes take the /data family's shape (the route lives under /data). */
static int files_send_data(struct request *req, struct files_result *res)
{
	if (res->status < 400)
		return files_send(req, res);
	json_t *e = json_array_get(json_object_get(res->body, "errors"), 0);
	const json_t *src = json_object_get(e, "source");
	const char *key = json_object_get(src, "parameter") ? "parameter"
			  : json_object_get(src, "pointer") ? "pointer"
							    : NULL;
	int rc = reply_jsonapi_error(req, (unsigned)res->status, json_string_value(json_object_get(e, "detail")), key,
				     key ? json_string_value(json_object_get(src, key)) : NULL);
	files_result_clear(res);
	return rc;
}

/* /data/:doctype/:id/relationships/references (stack: web/files/references.go). */
int route_files_references_handle(struct stack *st, struct request *req)
{
	if (http_require_auth(req) < 0)
		return 0;
	const char *doctype = http_seg(req, 1), *docid = http_seg(req, 2);
	struct files_ctx c;
	files_ctx_of(st, req, &c);
	struct files_result res = {0};
	if (doctype == NULL || docid == NULL)
		return reply_echo_error(req, 404, "Not Found");
	if (strcmp(req->method, "GET") == 0) {
		/* stack: listing needs GET on the referencing doc (by id) or whole-type GET on files */
		if (refs_allow(req, "GET", doctype, docid, "GET") < 0)
			return 0;
		const char *include = http_query(req, "include");
		files_references_list(&c, doctype, docid, include && strcmp(include, "files") == 0,
				      http_query(req, "sort"), http_query(req, "page[limit]"),
				      http_query(req, "page[skip]"), &res);
		return files_send_data(req, &res);
	}
	if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "DELETE") == 0) {
		/* stack: PUT on the doc (by id) or whole-type PATCH on files */
		if (refs_allow(req, "PUT", doctype, docid, "PATCH") < 0)
			return 0;
		json_t *body = NULL;
		if (http_body_json(req, &body) < 0)
			return 0;
		files_references_change(&c, doctype, docid, body, strcmp(req->method, "POST") == 0, &res);
		json_decref(body);
		return files_send_data(req, &res);
	}
	return reply_echo_error(req, 405, "Method Not Allowed");
}
