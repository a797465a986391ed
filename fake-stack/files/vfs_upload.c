/* Uploads streamed to a temp file in files_dir, md5 on the fly, then renamed into place. */
#include "fake-stack/files/vfs_int.h"

#include "common/err.h"
#include "common/md5.h"
#include "fake-stack/files/mime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vfs_upload {
	struct vfs *v;
	int fd;
	char *tmp;        /* temp file path */
	char *replace_id; /* PUT: the file overwritten */
	char *dir_id;
	char *name;
	char *content_type;
	long long size; /* declared, -1 unknown */
	long long written;
	int has_md5;
	unsigned char md5_given[16];
	struct md5 md5;
	json_t *attrs; /* created_at, updated_at, tags, metadata, cozyMetadata, executable, encrypted */
};

void vfs_upload_abort(struct vfs_upload *u)
{
	if (u == NULL)
		return;
	if (u->fd >= 0)
		close(u->fd);
	if (u->tmp)
		unlink(u->tmp);
	free(u->tmp);
	free(u->replace_id);
	free(u->dir_id);
	free(u->name);
	free(u->content_type);
	json_decref(u->attrs);
	free(u);
}

/* Keep the optional attributes in a json object (the caller's pointers do not outlive begin). */
static json_t *vfs_upload_attrs(const struct vfs_attrs *a)
{
	json_t *o = json_object();
	if (a->created_at)
		json_object_set_new(o, "created_at", json_string(a->created_at));
	if (a->updated_at)
		json_object_set_new(o, "updated_at", json_string(a->updated_at));
	if (json_is_array(a->tags))
		json_object_set_new(o, "tags", json_deep_copy(a->tags));
	if (json_is_object(a->metadata))
		json_object_set_new(o, "metadata", json_deep_copy(a->metadata));
	if (json_is_object(a->cozy_metadata))
		json_object_set_new(o, "cozyMetadata", json_deep_copy(a->cozy_metadata));
	json_object_set_new(o, "executable", json_boolean(a->executable));
	json_object_set_new(o, "encrypted", json_boolean(a->encrypted));
	return o;
}

struct vfs_upload *vfs_upload_begin(struct vfs *v, const struct vfs_upload_info *info, const char *replace_id,
				    const char *if_rev, enum vfs_status *st, char *err)
{
	const char *name = info->name;
	if (replace_id != NULL) {
		const json_t *old = vfs_get(v, replace_id);
		if (old == NULL || strcmp(json_string_value(json_object_get(old, "type")), "file") != 0) {
			*st = VFS_NOT_FOUND;
			err_set(err, "file does not exist");
			return NULL;
		}
		if (if_rev && if_rev[0] && strcmp(if_rev, json_string_value(json_object_get(old, "_rev"))) != 0) {
			*st = VFS_BAD_REV;
			err_set(err, "Revision does not match.");
			return NULL;
		}
		name = json_string_value(json_object_get(old, "name"));
	} else if ((*st = vfs_check_new_child(v, info->dir_id, name, NULL, NULL, err)) != VFS_OK) {
		/* stack: model/vfs CreateFile checks name, parent and conflict before the body. */
		return NULL;
	}
	if (v->quota > 0 && info->size > 0 && v->used + info->size > v->quota) {
		*st = VFS_QUOTA;
		err_set(err, "The file is too big and exceeds the disk quota");
		return NULL;
	}
	struct vfs_upload *u = calloc(1, sizeof(*u));
	u->v = v;
	u->fd = -1;
	if (asprintf(&u->tmp, "%s/.kh-upload-XXXXXX", v->dir) < 0) {
		free(u);
		*st = VFS_ERROR;
		err_set(err, "out of memory");
		return NULL;
	}
	u->fd = mkostemp(u->tmp, O_CLOEXEC);
	if (u->fd < 0) {
		*st = VFS_ERROR;
		err_set(err, "temp file in %s: %s", v->dir, strerror(errno));
		free(u->tmp);
		u->tmp = NULL;
		vfs_upload_abort(u);
		return NULL;
	}
	(void)fchmod(u->fd, 0644);
	u->replace_id = replace_id ? strdup(replace_id) : NULL;
	u->dir_id = strdup(info->dir_id && info->dir_id[0] ? info->dir_id : VFS_ROOT_ID);
	u->name = strdup(name);
	u->content_type = strdup(info->content_type ? info->content_type : "");
	u->size = info->size;
	u->has_md5 = info->has_md5;
	memcpy(u->md5_given, info->md5, 16);
	md5_init(&u->md5);
	u->attrs = vfs_upload_attrs(&info->attrs);
	*st = VFS_OK;
	return u;
}

int vfs_upload_write(struct vfs_upload *u, const void *data, size_t len, enum vfs_status *st, char *err)
{
	struct vfs *v = u->v;
	if (v->quota > 0 && v->used + u->written + (long long)len > v->quota) {
		*st = VFS_QUOTA;
		return err_set(err, "The file is too big and exceeds the disk quota");
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(u->fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*st = errno == ENOSPC ? VFS_QUOTA : VFS_ERROR;
			return err_set(err, "writing %s: %s", u->tmp, strerror(errno));
		}
		p += n;
		left -= (size_t)n;
	}
	md5_update(&u->md5, data, len);
	u->written += (long long)len;
	*st = VFS_OK;
	return 0;
}

/* Fill the content fields of a file doc from a finished upload. */
static void vfs_upload_fill(json_t *doc, struct vfs_upload *u, const unsigned char digest[16])
{
	char b64[25], size[32], mime[256], cls[256];
	md5_to_base64(digest, b64);
	snprintf(size, sizeof(size), "%lld", u->written);
	mime_and_class(u->content_type, u->name, mime, cls, sizeof(mime));
	json_object_set_new(doc, "size", json_string(size));
	json_object_set_new(doc, "md5sum", json_string(b64));
	json_object_set_new(doc, "mime", json_string(mime));
	json_object_set_new(doc, "class", json_string(cls));
}

/* A new file doc from the upload. */
static json_t *vfs_upload_new_doc(struct vfs_upload *u, const json_t *parent, const char *path,
				  const unsigned char digest[16])
{
	char id[33], now[40];
	vfs_gen_id(id);
	vfs_now(now);
	const char *cat = json_string_value(json_object_get(u->attrs, "created_at"));
	const char *uat = json_string_value(json_object_get(u->attrs, "updated_at"));
	cat = cat ? cat : now;
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "_id", id, "type", "file", "name", u->name,
				"dir_id", json_string_value(json_object_get(parent, "_id")), "path", path, "created_at",
				cat, "updated_at", uat ? uat : cat);
	vfs_upload_fill(doc, u, digest);
	json_object_set(doc, "executable", json_object_get(u->attrs, "executable"));
	json_object_set_new(doc, "trashed", json_false());
	json_object_set(doc, "encrypted", json_object_get(u->attrs, "encrypted"));
	json_t *tags = json_object_get(u->attrs, "tags");
	json_object_set_new(doc, "tags", tags ? json_incref(tags) : json_array());
	json_t *md = json_object_get(u->attrs, "metadata");
	if (md)
		json_object_set(doc, "metadata", md);
	json_t *cm = json_object_get(u->attrs, "cozyMetadata");
	if (cm)
		json_object_set(doc, "cozyMetadata", cm);
	vfs_bump_rev(doc);
	return doc;
}

/* An overwrite keeps the creation side of cozyMetadata and takes the upload side (stack: web/files/files.go
 * OverwriteFileContentHandler). */
static void vfs_upload_merge_cozy_metadata(json_t *doc, const json_t *fresh)
{
	if (!json_is_object(fresh))
		return;
	json_t *cm = json_object_get(doc, "cozyMetadata");
	if (!json_is_object(cm)) {
		json_object_set_new(doc, "cozyMetadata", json_deep_copy(fresh));
		return;
	}
	static const char *const keys[] = {"updatedAt", "updatedByApps", "uploadedAt", "uploadedBy", "uploadedOn"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *x = json_object_get(fresh, keys[i]);
		if (x)
			json_object_set(cm, keys[i], x);
	}
}

enum vfs_status vfs_upload_finish(struct vfs_upload *u, const json_t **out, char *err)
{
	struct vfs *v = u->v;
	enum vfs_status st = VFS_OK;
	unsigned char digest[16];
	md5_final(&u->md5, digest);
	if (close(u->fd) < 0) {
		u->fd = -1;
		err_set(err, "closing %s: %s", u->tmp, strerror(errno));
		vfs_upload_abort(u);
		return VFS_ERROR;
	}
	u->fd = -1;
	/* stack: model/vfs/vfsafero/impl.go Close checks the hash then the size. */
	if (u->has_md5 && memcmp(digest, u->md5_given, 16) != 0) {
		err_set(err, "Invalid hash");
		vfs_upload_abort(u);
		return VFS_BAD_MD5;
	}
	if (u->size >= 0 && u->written != u->size) {
		err_set(err, "Content length does not match");
		vfs_upload_abort(u);
		return VFS_BAD_SIZE;
	}
	json_t *doc = NULL;
	char *path = NULL;
	const json_t *parent = NULL;
	if (u->replace_id) {
		doc = json_object_get(v->docs, u->replace_id);
		if (doc == NULL) {
			err_set(err, "file does not exist");
			vfs_upload_abort(u);
			return VFS_NOT_FOUND;
		}
		path = strdup(json_string_value(json_object_get(doc, "path")));
	} else {
		/* Checked again: the tree may have changed while the body came in. */
		if ((st = vfs_check_new_child(v, u->dir_id, u->name, &parent, &path, err)) != VFS_OK) {
			vfs_upload_abort(u);
			return st;
		}
	}
	char *disk = vfs_disk_path(v, path, err);
	if (disk == NULL || rename(u->tmp, disk) < 0) {
		if (disk)
			err_set(err, "rename to %s: %s", disk, strerror(errno));
		free(disk);
		free(path);
		vfs_upload_abort(u);
		return VFS_ERROR;
	}
	free(disk);
	free(u->tmp);
	u->tmp = NULL;
	if (u->replace_id) {
		v->used += u->written - vfs_doc_size(doc);
		vfs_upload_fill(doc, u, digest);
		char now[40];
		vfs_now(now);
		const char *uat = json_string_value(json_object_get(u->attrs, "updated_at"));
		json_object_set_new(doc, "updated_at", json_string(uat ? uat : now));
		vfs_upload_merge_cozy_metadata(doc, json_object_get(u->attrs, "cozyMetadata"));
		json_t *md = json_object_get(u->attrs, "metadata");
		if (md)
			json_object_set(doc, "metadata", md);
		vfs_bump_rev(doc);
		v->updated++;
	} else {
		doc = vfs_upload_new_doc(u, parent, path, digest);
		vfs_put_doc(v, doc);
		v->used += u->written;
		v->created++;
	}
	free(path);
	if (out)
		*out = doc;
	vfs_upload_abort(u);
	return VFS_OK;
}
