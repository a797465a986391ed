/*
 * The Cozy file tree: docs in jansson, content under files_dir (see vfs.h).
 * Over 600 lines on purpose: the tree's lookups, moves and trash rules share
 * the path index and are only right together; uploads, state and the write
 * log already live apart (vfs_upload.c, vfs_state.c, vfs_log.c).
 */
#include "common/isotime.h"
#include "fake-stack/files/vfs_int.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/pathsafe.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void vfs_gen_id(char out[33])
{
	unsigned char r[16];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* getrandom cannot really fail for 16 bytes; fall back to a clock mix. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < 16; i++)
			r[i] = (unsigned char)((ts.tv_nsec >> (i % 8)) ^ (rand() & 0xff));
	}
	for (int i = 0; i < 16; i++) {
		out[i * 2] = "0123456789abcdef"[r[i] >> 4];
		out[i * 2 + 1] = "0123456789abcdef"[r[i] & 15];
	}
	out[32] = '\0';
}

void vfs_bump_rev(json_t *doc)
{
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	long n = rev ? strtol(rev, NULL, 10) : 0;
	char hex[33], buf[64];
	vfs_gen_id(hex);
	snprintf(buf, sizeof(buf), "%ld-%s", n + 1, hex);
	json_object_set_new(doc, "_rev", json_string(buf));
}

void vfs_now(char out[40])
{
	isotime_now(ISOTIME_NANOS, out, 40, NULL);
}

char *vfs_disk_path(const struct vfs *v, const char *cozy_path, char *err)
{
	return pathsafe_join(v->dir, cozy_path, err);
}

long long vfs_doc_size(const json_t *doc)
{
	const char *s = json_string_value(json_object_get(doc, "size"));
	return s ? strtoll(s, NULL, 10) : 0;
}

void vfs_put_doc(struct vfs *v, json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "_id"));
	const char *path = json_string_value(json_object_get(doc, "path"));
	json_object_set(v->by_path, path, json_object_get(doc, "_id"));
	json_object_set_new(v->docs, id, doc);
}

/* nftw callback removing everything, deepest first. */
static int vfs_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int vfs_rm_rf(const char *path, char *err)
{
	struct stat sb;
	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : err_set(err, "%s: %s", path, strerror(errno));
	if (nftw(path, vfs_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return err_set(err, "removing %s: %s", path, strerror(errno));
	return 0;
}

/* A directory doc with the fixed fields. */
static json_t *vfs_dir_doc(const char *id, const char *name, const char *dir_id, const char *path, const char *now)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "_id", id, "type", "directory", "name", name,
			      "path", path, "created_at", now, "updated_at", now, "tags");
	if (dir_id != NULL)
		json_object_set_new(d, "dir_id", json_string(dir_id));
	vfs_bump_rev(d);
	return d;
}

/* Root and trash, as every instance has them (stack: model/vfs/couchdb_indexer.go InitIndex). */
static int vfs_init_tree(struct vfs *v, char *err)
{
	char now[40];
	vfs_now(now);
	json_t *root = vfs_dir_doc(VFS_ROOT_ID, "", NULL, "/", now);
	json_t *trash = vfs_dir_doc(VFS_TRASH_ID, ".cozy_trash", VFS_ROOT_ID, VFS_TRASH_PATH, now);
	vfs_put_doc(v, root);
	vfs_put_doc(v, trash);
	char *tp = vfs_disk_path(v, VFS_TRASH_PATH, err);
	if (tp == NULL)
		return -1;
	int rc = mkdir_p(tp, err);
	free(tp);
	return rc;
}

/* Is dir empty, or a tree we made before (it has .cozy_trash)? */
static int vfs_dir_reusable(const char *dir)
{
	char *p = NULL;
	if (asprintf(&p, "%s/.cozy_trash", dir) < 0)
		return 0;
	struct stat sb;
	int ours = lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(p);
	if (ours)
		return 1;
	int empty = 1;
	DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

struct vfs *vfs_new(const char *files_dir, char *err)
{
	if (!vfs_dir_reusable(files_dir)) {
		err_set(err, "%s: not empty and not a file tree made by konnector-harness; refusing to use it",
			files_dir);
		return NULL;
	}
	if (mkdir_p(files_dir, err) < 0)
		return NULL;
	struct vfs *v = calloc(1, sizeof(*v));
	if (v == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	v->dir = realpath(files_dir, NULL);
	v->docs = json_object();
	v->by_path = json_object();
	v->secrets = json_object();
	if (v->dir == NULL) {
		err_set(err, "%s: %s", files_dir, strerror(errno));
		vfs_free(v);
		return NULL;
	}
	if (vfs_clear(v, err) < 0) {
		vfs_free(v);
		return NULL;
	}
	return v;
}

struct vfs *vfs_new_temp(char *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL;
	if (asprintf(&dir, "%s/kh-files-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") < 0 || mkdtemp(dir) == NULL) {
		err_set(err, "temp dir for the file tree: %s", strerror(errno));
		free(dir);
		return NULL;
	}
	struct vfs *v = vfs_new(dir, err);
	if (v == NULL)
		rmdir(dir);
	else
		v->remove_on_free = 1;
	free(dir);
	return v;
}

void vfs_free(struct vfs *v)
{
	if (v == NULL)
		return;
	if (v->remove_on_free)
		vfs_rm_rf(v->dir, NULL);
	json_decref(v->docs);
	json_decref(v->by_path);
	json_decref(v->secrets);
	free(v->dir);
	free(v);
}

int vfs_clear(struct vfs *v, char *err)
{
	json_object_clear(v->docs);
	json_object_clear(v->by_path);
	json_object_clear(v->secrets);
	v->used = 0;
	v->created = v->updated = v->deleted = 0;
	DIR *d = opendir(v->dir);
	if (d == NULL)
		return err_set(err, "%s: %s", v->dir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", v->dir, e->d_name) < 0)
			rc = err_set(err, "out of memory");
		else
			rc = vfs_rm_rf(p, err);
		free(p);
	}
	closedir(d);
	return rc < 0 ? -1 : vfs_init_tree(v, err);
}

const char *vfs_files_dir(const struct vfs *v)
{
	return v->dir;
}

void vfs_set_quota(struct vfs *v, long long bytes)
{
	v->quota = bytes;
}

const json_t *vfs_get(const struct vfs *v, const char *id)
{
	return id ? json_object_get(v->docs, id) : NULL;
}

const json_t *vfs_get_by_path(const struct vfs *v, const char *cozy_path)
{
	const char *id = json_string_value(json_object_get(v->by_path, cozy_path));
	return id ? json_object_get(v->docs, id) : NULL;
}

int vfs_in_trash(const json_t *doc)
{
	const char *p = json_string_value(json_object_get(doc, "path"));
	return p && pathsafe_is_under(p, VFS_TRASH_PATH);
}

const json_t *vfs_live_dir(const struct vfs *v, const char *dir_id)
{
	const json_t *d = vfs_get(v, dir_id && dir_id[0] ? dir_id : VFS_ROOT_ID);
	if (d == NULL || strcmp(json_string_value(json_object_get(d, "type")), "directory") != 0)
		return NULL;
	if (vfs_in_trash(d))
		return NULL;
	return d;
}

char *vfs_content_path(const struct vfs *v, const char *id)
{
	const json_t *d = vfs_get(v, id);
	if (d == NULL || strcmp(json_string_value(json_object_get(d, "type")), "file") != 0)
		return NULL;
	return vfs_disk_path(v, json_string_value(json_object_get(d, "path")), NULL);
}

/* qsort comparator over const char * elements. */
static int vfs_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *vfs_all_docs(const struct vfs *v)
{
	/* jansson keeps insertion order; sort the ids for _all_docs order. */
	size_t n = json_object_size(v->docs), i = 0;
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	const char *k;
	json_t *val;
	json_object_foreach (v->docs, k, val)
		ids[i++] = k;
	qsort(ids, n, sizeof(*ids), vfs_cmp_str);
	json_t *out = json_array();
	for (i = 0; i < n; i++)
		json_array_append(out, json_object_get(v->docs, ids[i]));
	free(ids);
	return out;
}

/* Dirs before files, then by name (stack: CouchDB view dir-content key [dir_id, type, name]). */
static int vfs_cmp_child(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "type")), json_string_value(json_object_get(y, "type")));
	if (c != 0)
		return c;
	return strcmp(json_string_value(json_object_get(x, "name")), json_string_value(json_object_get(y, "name")));
}

json_t *vfs_children(const struct vfs *v, const char *dir_id)
{
	size_t n = 0, cap = 16;
	const json_t **list = malloc(cap * sizeof(*list));
	const char *k;
	json_t *d;
	json_object_foreach (v->docs, k, d) {
		const char *parent = json_string_value(json_object_get(d, "dir_id"));
		if (parent == NULL || strcmp(parent, dir_id) != 0)
			continue;
		if (strcmp(k, VFS_TRASH_ID) == 0)
			continue; /* stack: the trash is hidden from the root's contents */
		if (n == cap)
			list = realloc(list, (cap *= 2) * sizeof(*list));
		list[n++] = d;
	}
	qsort(list, n, sizeof(*list), vfs_cmp_child);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, (json_t *)list[i]);
	free(list);
	return out;
}

/* Apply optional creation attributes to a new doc. */
static void vfs_apply_attrs(json_t *doc, const struct vfs_attrs *a, const char *now)
{
	const char *cat = a && a->created_at ? a->created_at : now;
	const char *uat = a && a->updated_at ? a->updated_at : cat;
	json_object_set_new(doc, "created_at", json_string(cat));
	json_object_set_new(doc, "updated_at", json_string(uat));
	if (a == NULL)
		return;
	if (json_is_array(a->tags))
		json_object_set_new(doc, "tags", json_deep_copy(a->tags));
	if (json_is_object(a->metadata))
		json_object_set_new(doc, "metadata", json_deep_copy(a->metadata));
	if (json_is_object(a->cozy_metadata))
		json_object_set_new(doc, "cozyMetadata", json_deep_copy(a->cozy_metadata));
}

enum vfs_status vfs_check_new_child(const struct vfs *v, const char *dir_id, const char *name, const json_t **parent,
				    char **path, char *err)
{
	if (pathsafe_check_name(name, err) < 0)
		return VFS_BAD_NAME;
	const json_t *dir = vfs_live_dir(v, dir_id);
	if (dir == NULL) {
		err_set(err, "Parent directory with given DirID does not exist");
		return VFS_PARENT_MISSING;
	}
	char *p = pathsafe_child(json_string_value(json_object_get(dir, "path")), name);
	if (vfs_get_by_path(v, p) != NULL) {
		free(p);
		err_set(err, "file already exists");
		return VFS_EXISTS;
	}
	if (parent != NULL)
		*parent = dir;
	if (path != NULL)
		*path = p;
	else
		free(p);
	return VFS_OK;
}

enum vfs_status vfs_mkdir(struct vfs *v, const char *dir_id, const char *name, const struct vfs_attrs *a,
			  const json_t **out, char *err)
{
	const json_t *parent;
	char *path;
	enum vfs_status cs = vfs_check_new_child(v, dir_id, name, &parent, &path, err);
	if (cs != VFS_OK)
		return cs;
	char *disk = vfs_disk_path(v, path, err);
	if (disk == NULL || mkdir(disk, 0755) < 0) {
		if (disk != NULL)
			err_set(err, "mkdir %s: %s", disk, strerror(errno));
		free(disk);
		free(path);
		return VFS_ERROR;
	}
	free(disk);
	char id[33], now[40];
	vfs_gen_id(id);
	vfs_now(now);
	json_t *doc = vfs_dir_doc(id, name, json_string_value(json_object_get(parent, "_id")), path, now);
	free(path);
	vfs_apply_attrs(doc, a, now);
	vfs_put_doc(v, doc);
	v->created++;
	if (out)
		*out = doc;
	return VFS_OK;
}

enum vfs_status vfs_mkdir_p(struct vfs *v, const char *cozy_path, const struct vfs_attrs *a, const json_t **out,
			    char *err)
{
	if (pathsafe_check_path(cozy_path, err) < 0)
		return VFS_BAD_NAME;
	const json_t *cur = vfs_get(v, VFS_ROOT_ID);
	const char *p = cozy_path + 1;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *name = strndup(p, n);
		char *child = pathsafe_child(json_string_value(json_object_get(cur, "path")), name);
		const json_t *next = vfs_get_by_path(v, child);
		free(child);
		if (next != NULL && strcmp(json_string_value(json_object_get(next, "type")), "directory") != 0) {
			free(name);
			err_set(err, "Conflict: a file exists at this path");
			return VFS_EXISTS;
		}
		if (next == NULL) {
			enum vfs_status st =
				vfs_mkdir(v, json_string_value(json_object_get(cur, "_id")), name, a, &next, err);
			if (st != VFS_OK) {
				free(name);
				return st;
			}
		}
		free(name);
		cur = next;
		p += n;
		if (*p == '/')
			p++;
	}
	if (out)
		*out = cur;
	return VFS_OK;
}

/* Check an optional rev against the doc's (stack: web/files/files.go CheckIfMatch). */
static enum vfs_status vfs_check_rev(const json_t *doc, const char *if_rev, char *err)
{
	if (if_rev == NULL || if_rev[0] == '\0')
		return VFS_OK;
	if (strcmp(if_rev, json_string_value(json_object_get(doc, "_rev"))) != 0) {
		err_set(err, "Revision does not match.");
		return VFS_BAD_REV;
	}
	return VFS_OK;
}

/* Rewrite path (and by_path) of every doc under old_prefix to new_prefix; set trashed on files when asked. */
static void vfs_repath(struct vfs *v, const char *old_prefix, const char *new_prefix, int trashed)
{
	size_t ol = strlen(old_prefix);
	const char *k;
	json_t *d;
	json_object_foreach (v->docs, k, d) {
		const char *p = json_string_value(json_object_get(d, "path"));
		if (p == NULL || !pathsafe_is_under(p, old_prefix))
			continue;
		char *np = NULL;
		if (asprintf(&np, "%s%s", new_prefix, p + ol) < 0)
			continue;
		json_object_del(v->by_path, p);
		json_object_set_new(d, "path", json_string(np));
		json_object_set_new(v->by_path, np, json_string(k));
		if (trashed >= 0 && strcmp(json_string_value(json_object_get(d, "type")), "file") == 0)
			json_object_set_new(d, "trashed", json_boolean(trashed));
		free(np);
	}
}

/* Move/rename doc to (parent, name) on disk and in the index. */
static enum vfs_status vfs_move(struct vfs *v, json_t *doc, const json_t *parent, const char *name, int trashed,
				char *err)
{
	const char *old = json_string_value(json_object_get(doc, "path"));
	const char *ppath = json_string_value(json_object_get(parent, "path"));
	char *np = pathsafe_child(ppath, name);
	if (strcmp(np, old) == 0) {
		free(np);
		return VFS_OK;
	}
	int is_dir = strcmp(json_string_value(json_object_get(doc, "type")), "directory") == 0;
	if (is_dir && pathsafe_is_under(ppath, old)) {
		free(np);
		err_set(err, "Forbidden document move");
		return VFS_FORBIDDEN;
	}
	if (vfs_get_by_path(v, np) != NULL) {
		free(np);
		err_set(err, "file already exists");
		return VFS_EXISTS;
	}
	char *from = vfs_disk_path(v, old, err), *to = vfs_disk_path(v, np, err);
	enum vfs_status st = VFS_OK;
	if (from == NULL || to == NULL || rename(from, to) < 0) {
		if (from && to)
			err_set(err, "rename %s: %s", from, strerror(errno));
		st = VFS_ERROR;
	} else {
		json_object_set_new(doc, "name", json_string(name));
		json_object_set_new(doc, "dir_id", json_string(json_string_value(json_object_get(parent, "_id"))));
		char *oldc = strdup(old);
		vfs_repath(v, oldc, np, trashed);
		free(oldc);
	}
	free(from);
	free(to);
	free(np);
	return st;
}

/* The doc for a write, refusing root and trash. */
static json_t *vfs_writable(struct vfs *v, const char *id, enum vfs_status *st, char *err)
{
	json_t *doc = json_object_get(v->docs, id);
	if (doc == NULL) {
		*st = VFS_NOT_FOUND;
		err_set(err, "file does not exist");
		return NULL;
	}
	if (strcmp(id, VFS_ROOT_ID) == 0 || strcmp(id, VFS_TRASH_ID) == 0) {
		*st = VFS_FORBIDDEN;
		err_set(err, "Forbidden: the root and the trash cannot be changed");
		return NULL;
	}
	*st = VFS_OK;
	return doc;
}

enum vfs_status vfs_patch(struct vfs *v, const char *id, const struct vfs_patch *p, const char *if_rev,
			  const json_t **out, char *err)
{
	enum vfs_status st;
	json_t *doc = vfs_writable(v, id, &st, err);
	if (doc == NULL)
		return st;
	if ((st = vfs_check_rev(doc, if_rev, err)) != VFS_OK)
		return st;
	const char *name = p->name ? p->name : json_string_value(json_object_get(doc, "name"));
	if (p->name && pathsafe_check_name(p->name, err) < 0)
		return VFS_BAD_NAME;
	const char *dir_id = p->dir_id ? p->dir_id : json_string_value(json_object_get(doc, "dir_id"));
	const json_t *parent = vfs_get(v, dir_id);
	if (parent == NULL || strcmp(json_string_value(json_object_get(parent, "type")), "directory") != 0) {
		err_set(err, "Parent directory with given DirID does not exist");
		return VFS_PARENT_MISSING;
	}
	char *namec = strdup(name);
	st = vfs_move(v, doc, parent, namec, vfs_in_trash(parent) ? 1 : 0, err);
	free(namec);
	if (st != VFS_OK)
		return st;
	if (json_is_array(p->tags))
		json_object_set_new(doc, "tags", json_deep_copy(p->tags));
	int is_file = strcmp(json_string_value(json_object_get(doc, "type")), "file") == 0;
	if (is_file && p->executable >= 0)
		json_object_set_new(doc, "executable", json_boolean(p->executable));
	if (is_file && p->encrypted >= 0)
		json_object_set_new(doc, "encrypted", json_boolean(p->encrypted));
	if (is_file && p->class)
		json_object_set_new(doc, "class", json_string(p->class));
	if (json_is_object(p->metadata))
		json_object_set_new(doc, "metadata", json_deep_copy(p->metadata));
	if (json_is_object(p->cozy_metadata)) {
		json_t *cm = json_object_get(doc, "cozyMetadata");
		if (!json_is_object(cm))
			json_object_set_new(doc, "cozyMetadata", json_deep_copy(p->cozy_metadata));
		else
			json_object_update_new(cm, json_deep_copy(p->cozy_metadata));
	}
	char now[40];
	vfs_now(now);
	json_object_set_new(doc, "updated_at", json_string(p->updated_at ? p->updated_at : now));
	vfs_bump_rev(doc);
	v->updated++;
	if (out)
		*out = doc;
	return VFS_OK;
}

enum vfs_status vfs_trash(struct vfs *v, const char *id, const char *if_rev, const json_t **out, char *err)
{
	enum vfs_status st;
	json_t *doc = vfs_writable(v, id, &st, err);
	if (doc == NULL)
		return st;
	if ((st = vfs_check_rev(doc, if_rev, err)) != VFS_OK)
		return st;
	if (vfs_in_trash(doc)) {
		err_set(err, "File or directory is already in the trash");
		return VFS_INVALID;
	}
	const json_t *trash = vfs_get(v, VFS_TRASH_ID);
	char *restore = pathsafe_parent(json_string_value(json_object_get(doc, "path")));
	/* stack: model/vfs trash conflicts get a suffix; here " (2)", " (3)"… */
	const char *name = json_string_value(json_object_get(doc, "name"));
	char *tname = strdup(name);
	for (int i = 2; i < 10000; i++) {
		char *probe = pathsafe_child(VFS_TRASH_PATH, tname);
		int taken = vfs_get_by_path(v, probe) != NULL;
		free(probe);
		if (!taken)
			break;
		free(tname);
		if (asprintf(&tname, "%s (%d)", name, i) < 0)
			tname = NULL;
	}
	st = vfs_move(v, doc, trash, tname, 1, err);
	free(tname);
	if (st != VFS_OK) {
		free(restore);
		return st;
	}
	json_object_set_new(doc, "restore_path", json_string(restore));
	free(restore);
	if (strcmp(json_string_value(json_object_get(doc, "type")), "file") == 0)
		json_object_set_new(doc, "trashed", json_true());
	char now[40];
	vfs_now(now);
	json_object_set_new(doc, "updated_at", json_string(now));
	vfs_bump_rev(doc);
	v->updated++;
	if (out)
		*out = doc;
	return VFS_OK;
}

enum vfs_status vfs_destroy(struct vfs *v, const char *id, const char *if_rev, json_t **out, char *err)
{
	enum vfs_status st;
	json_t *doc = vfs_writable(v, id, &st, err);
	if (doc == NULL)
		return st;
	if ((st = vfs_check_rev(doc, if_rev, err)) != VFS_OK)
		return st;
	char *path = strdup(json_string_value(json_object_get(doc, "path")));
	char *disk = vfs_disk_path(v, path, err);
	if (disk == NULL || vfs_rm_rf(disk, err) < 0) {
		free(disk);
		free(path);
		return VFS_ERROR;
	}
	free(disk);
	if (out)
		*out = json_deep_copy(doc);
	/* Drop the doc and its subtree. */
	json_t *gone = json_array();
	const char *k;
	json_t *d;
	json_object_foreach (v->docs, k, d) {
		const char *p = json_string_value(json_object_get(d, "path"));
		if (p && pathsafe_is_under(p, path))
			json_array_append_new(gone, json_string(k));
	}
	size_t i;
	json_t *gid;
	json_array_foreach (gone, i, gid) {
		const json_t *g = json_object_get(v->docs, json_string_value(gid));
		if (strcmp(json_string_value(json_object_get(g, "type")), "file") == 0)
			v->used -= vfs_doc_size(g);
		json_object_del(v->by_path, json_string_value(json_object_get(g, "path")));
		json_object_del(v->docs, json_string_value(gid));
		v->deleted++;
	}
	json_decref(gone);
	free(path);
	return VFS_OK;
}

/* Is {type,id} ref in the array refs? Index or -1. */
static int vfs_ref_index(const json_t *refs, const char *type, const char *id)
{
	size_t i;
	json_t *r;
	json_array_foreach (refs, i, r) {
		const char *t = json_string_value(json_object_get(r, "type"));
		const char *x = json_string_value(json_object_get(r, "id"));
		if (t && x && strcmp(t, type) == 0 && strcmp(x, id) == 0)
			return (int)i;
	}
	return -1;
}

/* Add (add=1) or remove references; stack: web/files/references.go. */
static enum vfs_status vfs_change_refs(struct vfs *v, const char *id, const json_t *refs, int add, const json_t **out,
				       char *err)
{
	json_t *doc = json_object_get(v->docs, id);
	if (doc == NULL) {
		err_set(err, "file does not exist");
		return VFS_NOT_FOUND;
	}
	if (!json_is_array(refs)) {
		err_set(err, "Invalid references: an array of {type, id} is expected");
		return VFS_INVALID;
	}
	json_t *cur = json_object_get(doc, "referenced_by");
	if (!json_is_array(cur)) {
		cur = json_array();
		json_object_set_new(doc, "referenced_by", cur);
	}
	size_t i;
	json_t *r;
	json_array_foreach (refs, i, r) {
		const char *t = json_string_value(json_object_get(r, "type"));
		const char *x = json_string_value(json_object_get(r, "id"));
		if (t == NULL || x == NULL) {
			err_set(err, "Invalid reference: type and id are required");
			return VFS_INVALID;
		}
		int at = vfs_ref_index(cur, t, x);
		if (add && at < 0)
			json_array_append_new(cur, json_pack("{s:s, s:s}", "type", t, "id", x));
		else if (!add && at >= 0)
			json_array_remove(cur, (size_t)at);
	}
	if (json_array_size(cur) == 0)
		json_object_del(doc, "referenced_by"); /* omitempty */
	vfs_bump_rev(doc);
	v->updated++;
	if (out)
		*out = doc;
	return VFS_OK;
}

enum vfs_status vfs_add_refs(struct vfs *v, const char *id, const json_t *refs, const json_t **out, char *err)
{
	return vfs_change_refs(v, id, refs, 1, out, err);
}

enum vfs_status vfs_remove_refs(struct vfs *v, const char *id, const json_t *refs, const json_t **out, char *err)
{
	return vfs_change_refs(v, id, refs, 0, out, err);
}

enum vfs_status vfs_set_refs_and_metadata(struct vfs *v, const char *id, const json_t *refs,
					  const json_t *cozy_metadata, const json_t **out, char *err)
{
	json_t *doc = json_object_get(v->docs, id);
	if (doc == NULL) {
		err_set(err, "file does not exist");
		return VFS_NOT_FOUND;
	}
	if (json_array_size(refs) > 0) {
		json_t *cur = json_object_get(doc, "referenced_by");
		if (!json_is_array(cur)) {
			cur = json_array();
			json_object_set_new(doc, "referenced_by", cur);
		}
		size_t i;
		json_t *r;
		json_array_foreach (refs, i, r)
			json_array_append(cur, r);
	}
	if (json_is_object(cozy_metadata))
		json_object_set_new(doc, "cozyMetadata", json_deep_copy(cozy_metadata));
	vfs_bump_rev(doc);
	v->updated++;
	if (out)
		*out = doc;
	return VFS_OK;
}

/* The date a reference listing sorts on: metadata.datetime, else created_at. */
static const char *vfs_ref_datetime(const json_t *d)
{
	const char *dt = json_string_value(json_object_get(json_object_get(d, "metadata"), "datetime"));
	return dt ? dt : json_string_value(json_object_get(d, "created_at"));
}

static int vfs_cmp_datetime(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	const char *dx = vfs_ref_datetime(x), *dy = vfs_ref_datetime(y);
	int c = strcmp(dx ? dx : "", dy ? dy : "");
	return c ? c
		 : strcmp(json_string_value(json_object_get(x, "_id")), json_string_value(json_object_get(y, "_id")));
}

static int vfs_cmp_id(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	return strcmp(json_string_value(json_object_get(x, "_id")), json_string_value(json_object_get(y, "_id")));
}

json_t *vfs_referenced_by(const struct vfs *v, const char *doctype, const char *docid, const char *sort)
{
	size_t n = 0, cap = 16;
	const json_t **list = malloc(cap * sizeof(*list));
	const char *k;
	json_t *d;
	json_object_foreach (v->docs, k, d) {
		if (vfs_ref_index(json_object_get(d, "referenced_by"), doctype, docid) < 0)
			continue;
		if (n == cap)
			list = realloc(list, (cap *= 2) * sizeof(*list));
		list[n++] = d;
	}
	int desc = sort && sort[0] == '-';
	const char *key = sort ? sort + desc : "id";
	qsort(list, n, sizeof(*list), strcmp(key, "datetime") == 0 ? vfs_cmp_datetime : vfs_cmp_id);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, (json_t *)list[desc ? n - 1 - i : i]);
	free(list);
	return out;
}

json_t *vfs_cozy_metadata(const char *slug, const char *instance_url, const char *source_account,
			  const char *source_account_identifier, const char *now)
{
	json_t *m = json_pack("{s:s, s:i, s:s, s:s}", "doctypeVersion", "1", "metadataVersion", 1, "createdAt", now,
			      "updatedAt", now);
	if (slug && slug[0]) {
		json_object_set_new(m, "createdByApp", json_string(slug));
		json_object_set_new(m, "updatedByApps",
				    json_pack("[{s:s, s:s, s:s}]", "slug", slug, "date", now, "instance",
					      instance_url ? instance_url : ""));
	}
	if (instance_url) {
		json_object_set_new(m, "createdOn", json_string(instance_url));
		json_object_set_new(m, "uploadedOn", json_string(instance_url));
	}
	json_object_set_new(m, "uploadedAt", json_string(now));
	if (slug && slug[0])
		json_object_set_new(m, "uploadedBy", json_pack("{s:s}", "slug", slug));
	if (source_account && source_account[0])
		json_object_set_new(m, "sourceAccount", json_string(source_account));
	if (source_account_identifier && source_account_identifier[0])
		json_object_set_new(m, "sourceAccountIdentifier", json_string(source_account_identifier));
	return m;
}

const char *vfs_metadata_put(struct vfs *v, const json_t *attributes)
{
	char id[33];
	vfs_gen_id(id);
	json_object_set_new(v->secrets, id, json_deep_copy(attributes));
	const char *k;
	json_t *val;
	json_object_foreach (v->secrets, k, val)
		if (strcmp(k, id) == 0)
			return k;
	return NULL;
}

const json_t *vfs_metadata_get(const struct vfs *v, const char *secret)
{
	return secret && secret[0] ? json_object_get(v->secrets, secret) : NULL;
}

json_t *vfs_changes(const struct vfs *v)
{
	return json_pack("{s:I, s:I, s:I}", "created", (json_int_t)v->created, "updated", (json_int_t)v->updated,
			 "deleted", (json_int_t)v->deleted);
}
