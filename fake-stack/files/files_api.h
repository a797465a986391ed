/*
 * The /files API and the references routes, without HTTP: route_files.c parses
 * a request into these calls and sends what they fill in. Internal to fake-stack/.
 * Every call fills a struct files_result: a status and a JSON body (success
 * document, or a JSON:API error document built by files_error).
 */
#ifndef FAKE_STACK_FILES_API_H
#define FAKE_STACK_FILES_API_H

#include "fake-stack/files/vfs.h"

#include <jansson.h>

/* Who asks (from the token) and where the instance lives. */
struct files_ctx {
	struct vfs *vfs;
	const char *slug;         /* konnector/app slug of the token, NULL when none */
	const char *instance_url; /* COZY_URL, with its trailing slash */
};

struct files_result {
	int status;   /* HTTP status */
	json_t *body; /* new ref; NULL for 204 */
};

/* Fill res with a JSON:API error {"errors":[{status,title,detail,source}]}; param/pointer may be NULL. */
void files_error(struct files_result *res, int status, const char *title, const char *detail, const char *param,
		 const char *pointer);
/* Map a vfs status and its err text to the stack's JSON:API error (stack: web/files/files.go wrapVfsError). */
void files_vfs_error(struct files_result *res, enum vfs_status st, const char *err);
void files_result_clear(struct files_result *res);

/* GET /files/:id and GET /files/metadata?Path= (dirs with their first page of children). */
void files_get(const struct files_ctx *c, const char *id, size_t skip, size_t limit, struct files_result *res);
void files_get_by_path(const struct files_ctx *c, const char *path, size_t skip, size_t limit,
		       struct files_result *res);

/* The query parameters and headers of a creation (POST /files/:dir-id) or overwrite (PUT /files/:id). NULL when absent.
 */
struct files_create_req {
	const char *type, *name, *path, *recursive, *tags, *executable, *encrypted, *size, *created_at, *updated_at,
		*metadata, *metadata_id, *source_account, *source_account_identifier;
	const char *content_type, *content_length, *content_md5, *date, *if_match, *rev;
};

/* A Tags query value as the stack splits it: "a, b,,a" → ["a","b"] (stack: model/vfs uniqueTags). New ref. */
json_t *files_tags_of(const char *s);

/* POST /files/:dir-id?Type=directory (Name, or Path[&Recursive=true]). */
void files_create_dir(const struct files_ctx *c, const char *dir_id, const struct files_create_req *q,
		      struct files_result *res);
/*
 * POST /files/:dir-id?Type=file (replace_id NULL) or PUT /files/:id: checks
 * everything that can be checked before the body; NULL with res filled on error.
 */
struct vfs_upload *files_upload_begin(const struct files_ctx *c, const char *dir_id, const char *replace_id,
				      const struct files_create_req *q, struct files_result *res);
/* Body bytes; -1 with res filled on error (the caller then aborts the upload). */
int files_upload_write(struct vfs_upload *u, const void *data, size_t len, struct files_result *res);
/* End of body: 201 (creation) or 200 (overwrite) with the file, or the error. Frees u. */
void files_upload_finish(struct vfs_upload *u, int created, struct files_result *res);

/* PATCH /files/:id with a JSON:API body (permanent_delete included). */
void files_patch(const struct files_ctx *c, const char *id, const json_t *body, const char *if_match,
		 struct files_result *res);
/* DELETE /files/:id: to the trash. */
void files_delete(const struct files_ctx *c, const char *id, const char *if_match, struct files_result *res);
/* POST /files/upload/metadata. */
void files_upload_metadata(const struct files_ctx *c, const json_t *body, struct files_result *res);
/* POST /files/_find: Mango over file docs; page[limit]/page[skip]/page[cursor] query values may be NULL. */
void files_find(const struct files_ctx *c, const json_t *body, const char *q_limit, const char *q_skip,
		const char *q_cursor, struct files_result *res);
/*
 * POST /files/_all_docs with the decoded body (any JSON value): the docs of
 * body.keys in key order (unknown ids and the trash dir left out), or every
 * doc when there are no keys; {"data":[…],"meta":{"count":N}}.
 */
void files_all_docs(const struct files_ctx *c, const json_t *body, struct files_result *res);
/* POST|DELETE /files/:id/relationships/referenced_by. */
void files_refs_change(const struct files_ctx *c, const char *id, const json_t *body, int add,
		       struct files_result *res);
/* GET /data/:doctype/:id/relationships/references[?include=files&sort=…&page[limit]=…&page[skip]=…]. */
void files_references_list(const struct files_ctx *c, const char *doctype, const char *docid, int include_files,
			   const char *sort, const char *q_limit, const char *q_skip, struct files_result *res);
/* POST|DELETE /data/:doctype/:id/relationships/references {"data":[{type:"io.cozy.files",id}]}: 204. */
void files_references_change(const struct files_ctx *c, const char *doctype, const char *docid, const json_t *body,
			     int add, struct files_result *res);

#endif
