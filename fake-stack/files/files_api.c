/*
 * The /files API over the vfs, HTTP-free (see files_api.h).
 * Over 600 lines on purpose: one function per route of web/files/files.go, with the
 * stack's checks in its order; splitting by route would scatter the shared checks.
 */
#include "fake-stack/files/files_api.h"

#include "common/err.h"
#include "common/md5.h"
#include "fake-stack/data/mango.h"
#include "fake-stack/files/files_jsonapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FILES_PER_PAGE 30 /* stack: web/files/paginated.go defPerPage */

void files_result_clear(struct files_result *res)
{
	json_decref(res->body);
	res->body = NULL;
	res->status = 0;
}

void files_error(struct files_result *res, int status, const char *title, const char *detail, const char *param,
		 const char *pointer)
{
	char st[8];
	snprintf(st, sizeof(st), "%d", status);
	json_t *src = json_object();
	if (param)
		json_object_set_new(src, "parameter", json_string(param));
	if (pointer)
		json_object_set_new(src, "pointer", json_string(pointer));
	json_decref(res->body);
	res->status = status;
	res->body = json_pack("{s:[{s:s, s:s, s:s, s:o}]}", "errors", "status", st, "title", title, "detail",
			      detail ? detail : "", "source", src);
}

void files_vfs_error(struct files_result *res, enum vfs_status st, const char *err)
{
	switch (st) {
	case VFS_OK:
		break;
	case VFS_NOT_FOUND:
	case VFS_PARENT_MISSING:
		files_error(res, 404, "Not Found", err, NULL, NULL);
		break;
	case VFS_EXISTS:
		files_error(res, 409, "Conflict", "file already exists", NULL, NULL);
		break;
	case VFS_BAD_NAME:
		files_error(res, 422, "Invalid Parameter", "Invalid filename: empty or contains an illegal character",
			    "name", NULL);
		break;
	case VFS_BAD_MD5:
		files_error(res, 412, "Precondition Failed", "Invalid hash", "Content-MD5", NULL);
		break;
	case VFS_BAD_SIZE:
		files_error(res, 412, "Precondition Failed", "Content length does not match", "Content-Length", NULL);
		break;
	case VFS_BAD_REV:
		files_error(res, 412, "Precondition Failed", "Revision does not match.", "If-Match", NULL);
		break;
	case VFS_QUOTA:
		files_error(res, 413, "Request Entity Too Large", "The file is too big and exceeds the disk quota",
			    NULL, NULL);
		break;
	case VFS_INVALID:
		files_error(res, 400, "Bad Request", err, NULL, NULL);
		break;
	case VFS_FORBIDDEN:
		if (strcmp(err, "Forbidden document move") == 0)
			files_error(res, 412, "Precondition Failed", err, "dir-id", NULL);
		else
			files_error(res, 403, "Forbidden", err, NULL, NULL);
		break;
	case VFS_ERROR:
		files_error(res, 500, "Unqualified error", err, NULL, NULL);
		break;
	}
}

/* 200 with the file document, or the dir document with its first page of children. */
static void files_answer_doc(const struct files_ctx *c, const json_t *doc, int status, size_t skip, size_t limit,
			     struct files_result *res)
{
	json_decref(res->body);
	res->status = status;
	if (strcmp(json_string_value(json_object_get(doc, "type")), "directory") == 0)
		res->body = files_jsonapi_dir_document(c->vfs, doc, skip, limit ? limit : FILES_PER_PAGE);
	else
		res->body = files_jsonapi_document(doc);
}

void files_get(const struct files_ctx *c, const char *id, size_t skip, size_t limit, struct files_result *res)
{
	const json_t *doc = vfs_get(c->vfs, id);
	if (doc == NULL)
		return files_error(res, 404, "Not Found", "file does not exist", NULL, NULL);
	files_answer_doc(c, doc, 200, skip, limit, res);
}

void files_get_by_path(const struct files_ctx *c, const char *path, size_t skip, size_t limit, struct files_result *res)
{
	const json_t *doc = path ? vfs_get_by_path(c->vfs, path) : NULL;
	if (doc == NULL)
		return files_error(res, 404, "Not Found", "file does not exist", NULL, NULL);
	files_answer_doc(c, doc, 200, skip, limit, res);
}

json_t *files_tags_of(const char *s)
{
	json_t *out = json_array();
	if (s == NULL)
		return out;
	char *copy = strdup(s), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n > 0 && t[n - 1] == ' ')
			t[--n] = '\0';
		int dup = 0;
		size_t i;
		json_t *x;
		json_array_foreach (out, i, x)
			dup |= strcmp(json_string_value(x), t) == 0;
		if (n > 0 && !dup)
			json_array_append_new(out, json_string(t));
	}
	free(copy);
	return out;
}

/* An RFC 1123 Date header as RFC 3339, or 0 when it does not parse (the stack then ignores it). */
static int files_rfc1123(const char *date, char out[40])
{
	struct tm tm = {0};
	const char *end = date ? strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
	if (end == NULL || *end != '\0')
		return 0;
	strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 1;
}

/* Is s an RFC 3339 time (what Go's time.Parse(time.RFC3339) accepts, roughly)? */
static int files_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (end == NULL)
		return 0;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	return strcmp(end, "Z") == 0 || ((end[0] == '+' || end[0] == '-') && strlen(end) == 6 && end[3] == ':');
}

/* Shared creation attributes; 0, or -1 with res filled. Owned json in *meta / *cm (decref by caller). */
static int files_attrs(const struct files_ctx *c, const struct files_create_req *q, int with_source,
		       struct vfs_attrs *a, json_t **tags, json_t **meta, json_t **cm, char date_buf[40],
		       struct files_result *res)
{
	char now[40];
	vfs_now(now);
	memset(a, 0, sizeof(*a));
	*tags = files_tags_of(q->tags);
	*meta = NULL;
	*cm = vfs_cozy_metadata(c->slug, c->instance_url, with_source ? q->source_account : NULL,
				with_source ? q->source_account_identifier : NULL, now);
	a->tags = *tags;
	a->cozy_metadata = *cm;
	if (files_rfc1123(q->date, date_buf))
		a->created_at = date_buf;
	if (q->created_at && q->created_at[0]) {
		if (!files_rfc3339(q->created_at)) {
			files_error(res, 422, "Invalid Parameter", "Invalid time given", "CreatedAt", NULL);
			return -1;
		}
		a->created_at = q->created_at;
	}
	if (q->updated_at && q->updated_at[0]) {
		if (!files_rfc3339(q->updated_at)) {
			files_error(res, 422, "Invalid Parameter", "Invalid time given", "UpdatedAt", NULL);
			return -1;
		}
		a->updated_at = q->updated_at;
	}
	if (q->metadata_id && q->metadata_id[0]) {
		const json_t *m = vfs_metadata_get(c->vfs, q->metadata_id);
		if (m == NULL) {
			files_error(res, 422, "Invalid Parameter", "Invalid or expired MetadataID", "MetadataID", NULL);
			return -1;
		}
		*meta = json_deep_copy(m);
	} else if (q->metadata && q->metadata[0]) {
		*meta = json_loads(q->metadata, 0, NULL);
		if (!json_is_object(*meta)) {
			files_error(res, 422, "Invalid Parameter", "Invalid metadata", "Metadata", NULL);
			return -1;
		}
	}
	a->metadata = *meta;
	a->executable = q->executable && strcmp(q->executable, "true") == 0;
	a->encrypted = q->encrypted && strcmp(q->encrypted, "true") == 0;
	return 0;
}

void files_create_dir(const struct files_ctx *c, const char *dir_id, const struct files_create_req *q,
		      struct files_result *res)
{
	struct vfs_attrs a;
	json_t *tags, *meta, *cm;
	char date[40], err[ERR_MAX] = "";
	/* stack: createDirHandler takes CozyMetadataFromClaims(c, false): SourceAccount* but no upload fields */
	if (files_attrs(c, q, 1, &a, &tags, &meta, &cm, date, res) == 0) {
		json_object_del(cm, "uploadedAt");
		json_object_del(cm, "uploadedOn");
		json_object_del(cm, "uploadedBy");
		const json_t *out = NULL;
		enum vfs_status st;
		if (q->path && q->path[0]) {
			/* stack: web/files/files.go createDirHandler: Path wins over :dir-id; Recursive=true → MkdirAll
			 */
			if (q->recursive && strcmp(q->recursive, "true") == 0) {
				st = vfs_mkdir_p(c->vfs, q->path, &a, &out, err);
			} else {
				char *parent = strdup(q->path), *slash = strrchr(parent, '/');
				const json_t *pd = NULL;
				if (q->path[0] != '/' || slash == NULL) {
					st = VFS_BAD_NAME;
				} else {
					*slash = '\0';
					pd = vfs_get_by_path(c->vfs, parent[0] ? parent : "/");
					st = pd ? vfs_mkdir(c->vfs, json_string_value(json_object_get(pd, "_id")),
							    slash + 1, &a, &out, err)
						: VFS_PARENT_MISSING;
					if (pd == NULL)
						snprintf(err, sizeof(err), "file does not exist");
				}
				free(parent);
			}
		} else {
			st = vfs_mkdir(c->vfs, dir_id, q->name, &a, &out, err);
			if (st == VFS_PARENT_MISSING &&
			    vfs_get(c->vfs, dir_id && dir_id[0] ? dir_id : VFS_ROOT_ID) == NULL)
				snprintf(err, sizeof(err), "file does not exist");
		}
		if (st != VFS_OK)
			files_vfs_error(res, st, err);
		else
			files_answer_doc(c, out, 201, 0, FILES_PER_PAGE, res);
	}
	json_decref(tags);
	json_decref(meta);
	json_decref(cm);
}

struct vfs_upload *files_upload_begin(const struct files_ctx *c, const char *dir_id, const char *replace_id,
				      const struct files_create_req *q, struct files_result *res)
{
	struct vfs_upload_info info = {.dir_id = dir_id, .name = q->name, .content_type = q->content_type, .size = -1};
	if (q->content_length && q->content_length[0]) {
		char *end;
		info.size = strtoll(q->content_length, &end, 10);
		if (*end != '\0' || info.size < 0) {
			files_error(res, 422, "Invalid Parameter", "Invalid content length", "Content-Length", NULL);
			return NULL;
		}
	} else if (q->size && q->size[0]) {
		/* stack: FileDocFromReq uses Size only when the length is unknown (chunked) */
		char *end;
		long long s = strtoll(q->size, &end, 10);
		if (*end == '\0' && s >= 0)
			info.size = s;
	}
	if (q->content_md5 && q->content_md5[0]) {
		if (md5_from_base64(q->content_md5, info.md5) < 0) {
			/* stack: web/files/files.go parseMD5Hash's error, as InvalidParameter("Content-MD5", err) */
			files_error(res, 422, "Invalid Parameter", "Given Content-MD5 is invalid", "Content-MD5", NULL);
			return NULL;
		}
		info.has_md5 = 1;
	}
	json_t *tags, *meta, *cm;
	char date[40], err[ERR_MAX] = "";
	struct vfs_upload *u = NULL;
	if (files_attrs(c, q, replace_id == NULL, &info.attrs, &tags, &meta, &cm, date, res) == 0) {
		enum vfs_status st;
		const char *rev = q->if_match && q->if_match[0] ? q->if_match : q->rev;
		u = vfs_upload_begin(c->vfs, &info, replace_id, rev, &st, err);
		if (u == NULL)
			files_vfs_error(res, st, err);
	}
	json_decref(tags);
	json_decref(meta);
	json_decref(cm);
	return u;
}

int files_upload_write(struct vfs_upload *u, const void *data, size_t len, struct files_result *res)
{
	enum vfs_status st;
	char err[ERR_MAX] = "";
	if (vfs_upload_write(u, data, len, &st, err) == 0)
		return 0;
	files_vfs_error(res, st, err);
	return -1;
}

void files_upload_finish(struct vfs_upload *u, int created, struct files_result *res)
{
	const json_t *out = NULL;
	char err[ERR_MAX] = "";
	enum vfs_status st = vfs_upload_finish(u, &out, err);
	if (st != VFS_OK)
		return files_vfs_error(res, st, err);
	json_decref(res->body);
	res->status = created ? 201 : 200;
	res->body = files_jsonapi_document(out);
}

/*
 * stack: web/files/files.go UpdateDirCozyMetadata / UpdateFileCozyMetadata
 * (and setTrashCozyMetadata when the patch moves it to the trash): what a
 * PATCH merges into the doc's cozyMetadata: updatedAt now, the token's app
 * last in updatedByApps (one entry per slug and instance), trashedAt; a doc
 * without cozyMetadata gets a whole new one, created at its created_at. New ref.
 */
static json_t *files_touched_metadata(const struct files_ctx *c, const json_t *doc, int trash)
{
	char now[40];
	vfs_now(now);
	const json_t *old = json_object_get(doc, "cozyMetadata");
	json_t *m;
	if (json_is_object(old)) {
		m = json_pack("{s:s}", "updatedAt", now);
		json_t *apps = json_array();
		size_t i;
		json_t *e;
		json_array_foreach (json_object_get(old, "updatedByApps"), i, e) {
			const char *s = json_string_value(json_object_get(e, "slug"));
			const char *in = json_string_value(json_object_get(e, "instance"));
			if (!(c->slug && s && strcmp(s, c->slug) == 0 && in && strcmp(in, c->instance_url) == 0))
				json_array_append(apps, e);
		}
		if (c->slug != NULL && c->slug[0] != '\0')
			json_array_append_new(apps, json_pack("{s:s,s:s,s:s}", "slug", c->slug, "date", now, "instance",
							      c->instance_url));
		json_object_set_new(m, "updatedByApps", apps);
	} else {
		const char *created = json_string_value(json_object_get(doc, "created_at"));
		m = vfs_cozy_metadata(c->slug, c->instance_url, NULL, NULL, now);
		json_object_set_new(m, "createdAt", json_string(created ? created : now));
		json_object_del(m, "createdByApp");
		json_object_del(m, "uploadedAt");
		json_object_del(m, "uploadedOn");
		json_object_del(m, "uploadedBy");
	}
	if (trash)
		json_object_set_new(m, "trashedAt", json_string(now));
	return m;
}

void files_patch(const struct files_ctx *c, const char *id, const json_t *body, const char *if_match,
		 struct files_result *res)
{
	const json_t *data = json_object_get(body, "data");
	const json_t *attrs = json_object_get(data, "attributes");
	if (!json_is_object(data) || (attrs != NULL && !json_is_object(attrs)))
		return files_error(res, 400, "Bad Request", "Invalid JSON-API document", NULL, NULL);
	char err[ERR_MAX] = "";
	if (json_is_true(json_object_get(attrs, "permanent_delete"))) {
		/* stack: web/files/files.go patchFile: permanent_delete destroys and answers with the deleted file */
		json_t *gone = NULL;
		enum vfs_status st = vfs_destroy(c->vfs, id, if_match, &gone, err);
		if (st != VFS_OK)
			return files_vfs_error(res, st, err);
		json_decref(res->body);
		res->status = 200;
		res->body = files_jsonapi_document(gone);
		json_decref(gone);
		return;
	}
	struct vfs_patch p = {.executable = -1, .encrypted = -1};
	p.name = json_string_value(json_object_get(attrs, "name"));
	p.dir_id = json_string_value(json_object_get(attrs, "dir_id"));
	const char *parent = json_string_value(json_object_get(
		json_object_get(json_object_get(json_object_get(data, "relationships"), "parent"), "data"), "id"));
	if (parent)
		p.dir_id = parent;
	p.tags = json_object_get(attrs, "tags");
	p.updated_at = json_string_value(json_object_get(attrs, "updated_at"));
	const json_t *x = json_object_get(attrs, "executable");
	if (json_is_boolean(x))
		p.executable = json_is_true(x);
	x = json_object_get(attrs, "encrypted");
	if (json_is_boolean(x))
		p.encrypted = json_is_true(x);
	p.class = json_string_value(json_object_get(attrs, "class"));
	p.metadata = json_object_get(attrs, "metadata");
	const json_t *cm = json_object_get(attrs, "cozyMetadata");
	json_t *fav =
		files_touched_metadata(c, vfs_get(c->vfs, id), p.dir_id != NULL && strcmp(p.dir_id, VFS_TRASH_ID) == 0);
	if (json_is_object(cm) && json_object_get(cm, "favorite")) {
		/* stack: only cozyMetadata.favorite can be patched */
		json_object_set(fav, "favorite", json_object_get(cm, "favorite"));
	}
	p.cozy_metadata = fav;
	if (p.updated_at && !files_rfc3339(p.updated_at)) {
		json_decref(fav);
		return files_error(res, 422, "Invalid Parameter", "Invalid time given", "UpdatedAt", NULL);
	}
	const json_t *out = NULL;
	enum vfs_status st = vfs_patch(c->vfs, id, &p, if_match, &out, err);
	json_decref(fav);
	if (st != VFS_OK)
		return files_vfs_error(res, st, err);
	files_answer_doc(c, out, 200, 0, FILES_PER_PAGE, res);
}

void files_delete(const struct files_ctx *c, const char *id, const char *if_match, struct files_result *res)
{
	const json_t *out = NULL;
	char err[ERR_MAX] = "";
	enum vfs_status st = vfs_trash(c->vfs, id, if_match, &out, err);
	if (st != VFS_OK)
		return files_vfs_error(res, st, err);
	files_answer_doc(c, out, 200, 0, FILES_PER_PAGE, res);
}

void files_upload_metadata(const struct files_ctx *c, const json_t *body, struct files_result *res)
{
	const json_t *attrs = json_object_get(json_object_get(body, "data"), "attributes");
	if (!json_is_object(attrs))
		return files_error(res, 422, "Invalid Attribute", "Invalid metadata", NULL, "/data/attributes");
	const char *secret = vfs_metadata_put(c->vfs, attrs);
	json_decref(res->body);
	res->status = 201;
	/* stack: web/files/files.go UploadMetadataHandler; the object's id is the secret, attributes the metadata */
	res->body = json_pack("{s:{s:s, s:s, s:O, s:{}, s:n}}", "data", "type", "io.cozy.files.metadata", "id", secret,
			      "attributes", attrs, "meta", "links");
	json_object_del(json_object_get(res->body, "data"), "links");
}

/* A query/body number in [0, max], or def. */
static size_t files_num(const json_t *body_val, const char *q, size_t def, size_t max)
{
	long long n = -1;
	if (q && q[0])
		n = strtoll(q, NULL, 10);
	else if (json_is_integer(body_val))
		n = json_integer_value(body_val);
	if (n < 0)
		return def;
	return (size_t)n > max ? max : (size_t)n;
}

void files_find(const struct files_ctx *c, const json_t *body, const char *q_limit, const char *q_skip,
		const char *q_cursor, struct files_result *res)
{
	if (!json_is_object(body))
		return files_error(res, 400, "Bad Request", "Invalid JSON body", NULL, NULL);
	/* stack: web/files/files.go FindFilesMango: limit default 100, max 1000; page[…] query values override */
	size_t limit = files_num(json_object_get(body, "limit"), q_limit, 100, 1000);
	size_t skip = files_num(json_object_get(body, "skip"), q_skip, 0, (size_t)1 << 40);
	json_t *req = json_deep_copy(body);
	json_object_set_new(req, "limit", json_integer((json_int_t)limit));
	json_object_set_new(req, "skip", json_integer((json_int_t)skip));
	if (q_cursor && q_cursor[0])
		json_object_set_new(req, "bookmark", json_string(q_cursor));
	json_t *docs = vfs_all_docs(c->vfs);
	/* CouchDB's file docs carry no path; only dirs have one (stack: model/vfs/file.go, path is not stored). */
	size_t n_docs = json_array_size(docs);
	json_t **couch = calloc(n_docs ? n_docs : 1, sizeof(*couch));
	size_t i;
	json_t *d;
	json_array_foreach (docs, i, d) {
		couch[i] = json_deep_copy(d);
		if (strcmp(json_string_value(json_object_get(d, "type")), "file") == 0)
			json_object_del(couch[i], "path");
	}
	struct mango_result mr = {0};
	char err[ERR_MAX] = "";
	struct mango_docs md;
	struct mango_array arr;
	mango_docs_array(&md, &arr, couch, n_docs);
	if (mango_find(req, &md, NULL, &mr, err) < 0) {
		/* stack: web/errors/errors.go ErrorHandler: a CouchDB error keeps its status, title = its error name */
		files_error(res, mr.error.status ? mr.error.status : 400,
			    mr.error.error ? mr.error.error : "Bad Request", err, NULL, NULL);
	} else {
		json_t *data = json_array();
		json_array_foreach (mr.docs, i, d) {
			const char *id = json_string_value(json_object_get(d, "_id"));
			const json_t *full = id ? vfs_get(c->vfs, id) : NULL;
			json_array_append_new(data, files_jsonapi_object(full ? full : d, 1));
		}
		size_t n = json_array_size(data);
		/* stack: meta.count is skip+len when the page is short, else a huge number so clients ask again */
		json_int_t count = n < limit ? (json_int_t)(skip + n) : 2147483646;
		json_decref(res->body);
		res->status = 200;
		res->body = json_pack("{s:o, s:{s:I}}", "data", data, "meta", "count", count);
		if (n >= limit && mr.bookmark) {
			char *next = NULL;
			if (asprintf(&next, "/files/_find?page[cursor]=%s", mr.bookmark) >= 0)
				json_object_set_new(res->body, "links", json_pack("{s:s}", "next", next));
			free(next);
		} else {
			json_object_set_new(res->body, "links", json_object());
		}
	}
	mango_find_clear(&mr);
	for (i = 0; i < n_docs; i++)
		json_decref(couch[i]);
	free(couch);
	json_decref(docs);
	json_decref(req);
}

/* The word Go's encoding/json uses for a JSON value's kind in an UnmarshalTypeError. */
static const char *files_go_kind(const json_t *v)
{
	if (json_is_object(v))
		return "object";
	if (json_is_array(v))
		return "array";
	if (json_is_string(v))
		return "string";
	if (json_is_boolean(v))
		return "bool";
	return "number";
}

/*
 * Decode body like Go's json.Decoder into struct{Keys []string `json:"keys"`}:
 * *keys = the last field whose name equals "keys" case-insensitively (borrowed;
 * NULL when absent or null). 0, or -1 with Go's error text in detail.
 */
static int files_all_docs_keys(const json_t *body, const json_t **keys, char *detail, size_t n)
{
	*keys = NULL;
	if (json_is_null(body))
		return 0;
	if (!json_is_object(body)) {
		snprintf(detail, n,
			 "json: cannot unmarshal %s into Go value of type struct { Keys []string \"json:\\\"keys\\\"\" "
			 "}",
			 files_go_kind(body));
		return -1;
	}
	const char *k;
	const json_t *v;
	int bad = 0;
	json_object_foreach ((json_t *)body, k, v) {
		if (strcasecmp(k, "keys") != 0)
			continue;
		const char *kind = NULL, *type = "[]string";
		if (!json_is_null(v) && !json_is_array(v))
			kind = files_go_kind(v);
		/* a null element decodes to "" (no doc has that id); anything else but a string is an error */
		for (size_t i = 0; kind == NULL && i < json_array_size(v); i++) {
			const json_t *x = json_array_get(v, i);
			if (!json_is_null(x) && !json_is_string(x)) {
				kind = files_go_kind(x);
				type = "string";
			}
		}
		/* Go keeps decoding after a type error and reports the first one */
		if (kind && !bad) {
			snprintf(detail, n, "json: cannot unmarshal %s into Go struct field .keys of type %s", kind,
				 type);
			bad = 1;
		}
		*keys = json_is_null(v) ? NULL : v;
	}
	return bad ? -1 : 0;
}

void files_all_docs(const struct files_ctx *c, const json_t *body, struct files_result *res)
{
	/*
	 * stack: web/files/files.go GetAllDocs: keys go to CouchDB _all_docs
	 * (pkg/couchdb/bulk.go getAllDocs: no or empty keys → every doc, in _id
	 * order; a row per key, in key order, duplicates kept); rows without a doc
	 * (unknown or deleted ids) and the trash dir are skipped; dirs render as
	 * NewDir, files as NewFile with their path; jsonapi.DataList → meta.count,
	 * no links. A body that does not decode is 400 with Go's error as detail.
	 */
	const json_t *keys = NULL;
	char detail[256];
	if (files_all_docs_keys(body, &keys, detail, sizeof(detail)) < 0)
		return files_error(res, 400, "Bad Request", detail, NULL, NULL);
	json_t *docs;
	if (json_array_size(keys) == 0) {
		docs = vfs_all_docs(c->vfs);
	} else {
		docs = json_array();
		size_t i;
		const json_t *k;
		json_array_foreach (keys, i, k) {
			const json_t *d = json_is_string(k) ? vfs_get(c->vfs, json_string_value(k)) : NULL;
			if (d != NULL)
				json_array_append(docs, (json_t *)d);
		}
	}
	json_t *data = json_array();
	size_t i;
	json_t *d;
	json_array_foreach (docs, i, d) {
		const char *id = json_string_value(json_object_get(d, "_id"));
		if (id == NULL || strcmp(id, VFS_TRASH_ID) == 0)
			continue;
		json_array_append_new(data, files_jsonapi_object(d, 1));
	}
	json_decref(docs);
	json_decref(res->body);
	res->status = 200;
	res->body = json_pack("{s:o, s:{s:I}}", "data", data, "meta", "count", (json_int_t)json_array_size(data));
}

/* body "data": an array of {type,id}, or one such object → new ref array, or NULL. */
static json_t *files_ref_list(const json_t *body)
{
	const json_t *data = json_object_get(body, "data");
	if (json_is_object(data))
		return json_pack("[O]", data);
	if (json_is_array(data))
		return json_incref((json_t *)data);
	return NULL;
}

void files_refs_change(const struct files_ctx *c, const char *id, const json_t *body, int add, struct files_result *res)
{
	json_t *refs = files_ref_list(body);
	if (refs == NULL)
		return files_error(res, 400, "Bad Request", "Invalid JSON-API document", NULL, NULL);
	const json_t *out = NULL;
	char err[ERR_MAX] = "";
	enum vfs_status st =
		add ? vfs_add_refs(c->vfs, id, refs, &out, err) : vfs_remove_refs(c->vfs, id, refs, &out, err);
	json_decref(refs);
	if (st != VFS_OK)
		return files_vfs_error(res, st, err);
	json_t *cur = json_object_get(out, "referenced_by");
	json_t *data = json_is_array(cur) ? json_deep_copy(cur) : json_array();
	json_decref(res->body);
	res->status = 200;
	res->body =
		json_pack("{s:o, s:{s:s, s:I}}", "data", data, "meta", "rev",
			  json_string_value(json_object_get(out, "_rev")), "count", (json_int_t)json_array_size(data));
}

void files_references_list(const struct files_ctx *c, const char *doctype, const char *docid, int include_files,
			   const char *sort, const char *q_limit, const char *q_skip, struct files_result *res)
{
	if (sort && sort[0] && strcmp(sort, "datetime") != 0 && strcmp(sort, "-datetime") != 0 &&
	    strcmp(sort, "id") != 0)
		return files_error(res, 400, "Bad Request", "Invalid sort value", "sort", NULL);
	/* stack: web/files/references.go ListReferencesHandler: page[limit] default 100, max 1000 */
	size_t limit = files_num(NULL, q_limit, 100, 1000), skip = files_num(NULL, q_skip, 0, (size_t)1 << 40);
	json_t *all = vfs_referenced_by(c->vfs, doctype, docid, sort && sort[0] ? sort : "id");
	size_t total = json_array_size(all);
	json_t *data = json_array(), *included = json_array();
	for (size_t i = skip; i < total && i < skip + limit; i++) {
		const json_t *d = json_array_get(all, i);
		json_array_append_new(data, json_pack("{s:s, s:s}", "type", "io.cozy.files", "id",
						      json_string_value(json_object_get(d, "_id"))));
		if (include_files)
			json_array_append_new(included, files_jsonapi_object(d, 0));
	}
	json_decref(res->body);
	res->status = 200;
	res->body = json_pack("{s:o, s:{s:I}, s:{}}", "data", data, "meta", "count", (json_int_t)total, "links");
	if (skip + limit < total) {
		char next[128];
		snprintf(next, sizeof(next), "?page%%5Blimit%%5D=%zu&page%%5Bskip%%5D=%zu", limit, skip + limit);
		json_object_set_new(json_object_get(res->body, "links"), "next", json_string(next));
	}
	if (include_files)
		json_object_set_new(res->body, "included", included);
	else
		json_decref(included);
	json_decref(all);
}

void files_references_change(const struct files_ctx *c, const char *doctype, const char *docid, const json_t *body,
			     int add, struct files_result *res)
{
	json_t *list = files_ref_list(body);
	if (list == NULL)
		return files_error(res, 400, "Bad Request", "Invalid JSON-API document", NULL, NULL);
	json_t *ref = json_pack("[{s:s, s:s}]", "type", doctype, "id", docid);
	size_t i;
	json_t *x;
	json_array_foreach (list, i, x) {
		const char *id = json_string_value(json_object_get(x, "id"));
		char err[ERR_MAX] = "";
		enum vfs_status st = id ? (add ? vfs_add_refs(c->vfs, id, ref, NULL, err)
					       : vfs_remove_refs(c->vfs, id, ref, NULL, err))
					: VFS_INVALID;
		if (id == NULL)
			snprintf(err, sizeof(err), "a reference needs an id");
		if (st != VFS_OK) {
			json_decref(ref);
			json_decref(list);
			return files_vfs_error(res, st, err);
		}
	}
	json_decref(ref);
	json_decref(list);
	json_decref(res->body);
	res->status = 204;
	res->body = NULL;
}
