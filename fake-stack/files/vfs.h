/*
 * The Cozy file tree (io.cozy.files): metadata documents held in jansson,
 * content on disk under files_dir at the Cozy path (files_dir/<cozy path>).
 * Root "io.cozy.files.root-dir" ("/"), trash "io.cozy.files.trash-dir"
 * ("/.cozy_trash"). Pure module: no HTTP; route_files.c maps statuses to answers.
 * Internal to fake-stack/.
 *
 * Stored docs look like CouchDB's file docs (model/vfs/file.go, directory.go):
 * _id, _rev, type ("file"|"directory"), name, dir_id, path, created_at,
 * updated_at, tags, metadata, cozyMetadata, referenced_by (when not empty),
 * restore_path (in the trash), and for files size (a string), md5sum (base64),
 * mime, class, executable, trashed, encrypted. Docs are borrowed and valid
 * until the next write.
 */
#ifndef FAKE_STACK_VFS_H
#define FAKE_STACK_VFS_H

#include <jansson.h>
#include <stddef.h>

#define VFS_ROOT_ID "io.cozy.files.root-dir"
#define VFS_TRASH_ID "io.cozy.files.trash-dir"
#define VFS_TRASH_PATH "/.cozy_trash"

struct vfs;
struct vfs_upload;

enum vfs_status {
	VFS_OK = 0,
	VFS_NOT_FOUND,      /* 404: no such file or directory */
	VFS_PARENT_MISSING, /* 404: the parent dir does not exist (or is not a dir, or is in the trash) */
	VFS_EXISTS,         /* 409: a file or dir of that name exists in the parent */
	VFS_BAD_NAME,       /* 422: invalid name (source.parameter "name") */
	VFS_BAD_MD5,        /* 412: content does not match Content-MD5 */
	VFS_BAD_SIZE,       /* 412: bytes received differ from Content-Length */
	VFS_BAD_REV,        /* 412: If-Match / rev does not match */
	VFS_QUOTA,          /* 413: the quota would be exceeded */
	VFS_INVALID,        /* 400/422: anything else the request got wrong (err says) */
	VFS_FORBIDDEN,      /* 403: root and trash cannot be changed, a dir cannot move into itself */
	VFS_ERROR,          /* 500: disk error (err says) */
};

/* A new tree under files_dir (created if missing; must be empty or hold only a previous tree we may replace). */
struct vfs *vfs_new(const char *files_dir, char *err);
/* A tree in a new temp dir (under $TMPDIR or /tmp), removed by vfs_free. */
struct vfs *vfs_new_temp(char *err);
void vfs_free(struct vfs *v);
/* Forget every doc and file, back to root + trash. */
int vfs_clear(struct vfs *v, char *err);
const char *vfs_files_dir(const struct vfs *v);
/* Refuse uploads that would make the total size exceed bytes (0: no quota). */
void vfs_set_quota(struct vfs *v, long long bytes);

/* Initial files and folders from a fixtures files/ folder (copied; symlinks and bad names refused with file path in
 * err). */
int vfs_load_fixtures(struct vfs *v, const char *fixtures_files_dir, char *err);
/* Write dir/files.json (every doc) and copy the tree to dir/files/ (skipped when it is files_dir itself). */
int vfs_write_state(const struct vfs *v, const char *dir, char *err);
/* Load what vfs_write_state wrote. */
int vfs_load_state(struct vfs *v, const char *dir, char *err);

/* Lookups. */
const json_t *vfs_get(const struct vfs *v, const char *id);
const json_t *vfs_get_by_path(const struct vfs *v, const char *cozy_path);
/* Disk path of a file's content (malloc'd), or NULL when id is not a file. */
char *vfs_content_path(const struct vfs *v, const char *id);
/* Every doc (array, new ref), in _id order. */
json_t *vfs_all_docs(const struct vfs *v);
/* Children of a dir (array of borrowed-into-new-array docs, dirs first then by name); the trash is hidden under root.
 * New ref. */
json_t *vfs_children(const struct vfs *v, const char *dir_id);
/* Is the doc in the trash (its path under /.cozy_trash)? */
int vfs_in_trash(const json_t *doc);

/* What a creation says beyond name and parent (all optional). */
struct vfs_attrs {
	const char *created_at;      /* RFC 3339; NULL: now */
	const char *updated_at;      /* NULL: created_at */
	const json_t *tags;          /* array of strings */
	const json_t *metadata;      /* object */
	const json_t *cozy_metadata; /* object (see vfs_cozy_metadata) */
	int executable, encrypted;
};

/* Create a directory in dir_id (NULL: root). */
enum vfs_status vfs_mkdir(struct vfs *v, const char *dir_id, const char *name, const struct vfs_attrs *a,
			  const json_t **out, char *err);
/* mkdir -p of an absolute Cozy path; an existing dir is returned as is. */
enum vfs_status vfs_mkdir_p(struct vfs *v, const char *cozy_path, const struct vfs_attrs *a, const json_t **out,
			    char *err);

/* What an upload declares. */
struct vfs_upload_info {
	const char *dir_id;       /* NULL: root (ignored for an overwrite) */
	const char *name;         /* ignored for an overwrite (the stack keeps the old name) */
	const char *content_type; /* NULL/empty/octet-stream: from the name's extension */
	long long size;           /* Content-Length (or Size), -1 when unknown */
	int has_md5;
	unsigned char md5[16]; /* Content-MD5 */
	struct vfs_attrs attrs;
};

/*
 * Start an upload: checks name, parent and conflicts now (as the stack does
 * before reading the body), opens a temp file in files_dir. replace_id non-NULL:
 * overwrite that file (PUT), if_rev non-NULL must be its current rev.
 */
struct vfs_upload *vfs_upload_begin(struct vfs *v, const struct vfs_upload_info *info, const char *replace_id,
				    const char *if_rev, enum vfs_status *st, char *err);
/* Append body bytes (written to disk, md5 updated); -1 with *st on error (quota, disk). */
int vfs_upload_write(struct vfs_upload *u, const void *data, size_t len, enum vfs_status *st, char *err);
/* Check md5 and size, move the content into place, create/update the doc. Frees u in every case. */
enum vfs_status vfs_upload_finish(struct vfs_upload *u, const json_t **out, char *err);
/* Drop an upload (client gone, error answered early): temp file removed. NULL is fine. */
void vfs_upload_abort(struct vfs_upload *u);

/* A PATCH: any field may be NULL (unchanged). */
struct vfs_patch {
	const char *name;
	const char *dir_id;
	const json_t *tags;
	const char *updated_at;
	int executable; /* -1 unchanged, else 0/1 */
	int encrypted;  /* -1 unchanged */
	const char *class;
	const json_t *metadata;      /* replaces */
	const json_t *cozy_metadata; /* merged into the existing one */
};
enum vfs_status vfs_patch(struct vfs *v, const char *id, const struct vfs_patch *p, const char *if_rev,
			  const json_t **out, char *err);
/* Move to the trash (files get trashed:true and restore_path). *out: the trashed doc. */
enum vfs_status vfs_trash(struct vfs *v, const char *id, const char *if_rev, const json_t **out, char *err);
/* Delete for good (doc and content, a dir with its subtree). *out: new ref to the doc as it was, or NULL. */
enum vfs_status vfs_destroy(struct vfs *v, const char *id, const char *if_rev, json_t **out, char *err);

/* Add/remove references {type,id} on a file or dir; bumps the rev. refs: array of {type,id}. */
enum vfs_status vfs_add_refs(struct vfs *v, const char *id, const json_t *refs, const json_t **out, char *err);
enum vfs_status vfs_remove_refs(struct vfs *v, const char *id, const json_t *refs, const json_t **out, char *err);
/*
 * One write of a doc edited as a whole (couchdb.UpdateDoc of a DirDoc): refs
 * appended to its referenced_by as they are (no dedup), cozy_metadata (when an
 * object) replacing its cozyMetadata; one new rev.
 */
enum vfs_status vfs_set_refs_and_metadata(struct vfs *v, const char *id, const json_t *refs,
					  const json_t *cozy_metadata, const json_t **out, char *err);
/* Every doc referenced by {doctype, docid} (new ref, array), sorted: "datetime", "-datetime", "id" (default). */
json_t *vfs_referenced_by(const struct vfs *v, const char *doctype, const char *docid, const char *sort);

/* The cozyMetadata a konnector/app upload gets (stack: model/vfs/cozy_metadata.go CozyMetadataFromClaims). New ref. */
json_t *vfs_cozy_metadata(const char *slug, const char *instance_url, const char *source_account,
			  const char *source_account_identifier, const char *now);

/* Short-lived metadata for POST /files/upload/metadata: keep it, get a secret id (owned by vfs). */
const char *vfs_metadata_put(struct vfs *v, const json_t *attributes);
/* The metadata for a MetadataID (borrowed) or NULL. */
const json_t *vfs_metadata_get(const struct vfs *v, const char *secret);

/* Now as Go marshals time.Time in UTC (RFC 3339, nanoseconds without trailing zeros). */
void vfs_now(char out[40]);
/* Writes since start/clear: {"created":n,"updated":n,"deleted":n}. New ref. */
json_t *vfs_changes(const struct vfs *v);

#endif
