/* The file tree in and out: fixtures' files/ folder, and the state a run leaves behind. */
#include "common/isotime.h"
#include "fake-stack/files/vfs_int.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/md5.h"
#include "common/pathsafe.h"
#include "fake-stack/files/mime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Copy src to dst (created, O_NOFOLLOW on both), md5 on the way when digest is not NULL. */
static int vfs_copy_file(const char *src, const char *dst, unsigned char *digest, long long *size, char *err)
{
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return err_set(err, "%s: %s", src, strerror(errno));
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return err_set(err, "%s: %s", dst, strerror(errno));
	}
	struct md5 m;
	md5_init(&m);
	char buf[65536];
	long long total = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, "%s: %s", src, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		md5_update(&m, buf, (size_t)n);
		total += n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = err_set(err, "%s: %s", dst, strerror(errno));
				break;
			}
			off += w;
		}
		if (rc < 0)
			break;
	}
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = err_set(err, "%s: %s", dst, strerror(errno));
	if (digest)
		md5_final(&m, digest);
	if (size)
		*size = total;
	return rc;
}

/* A file's mtime as an RFC 3339 UTC string. */
static void vfs_mtime(const struct stat *sb, char out[40])
{
	isotime_format(&sb->st_mtim, ISOTIME_SECONDS, out, 40);
}

/* Deterministic id of a fixture entry: the md5 of its Cozy path in hex, so folder ids stay the same run after run. */
static void vfs_fixture_id(const char *cozy_path, char out[33])
{
	md5_hex(cozy_path, strlen(cozy_path), out);
}

/* Load one fixtures folder (src on disk) into the Cozy dir parent (doc), recursively. */
static int vfs_load_tree(struct vfs *v, const char *src, const json_t *parent, int depth, char *err)
{
	if (depth > 64)
		return err_set(err, "%s: fixtures nested too deep", src);
	DIR *d = opendir(src);
	if (d == NULL)
		return err_set(err, "%s: %s", src, strerror(errno));
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", src, e->d_name) < 0) {
			rc = err_set(err, "out of memory");
			break;
		}
		char nerr[ERR_MAX];
		struct stat sb;
		const char *ppath = json_string_value(json_object_get(parent, "path"));
		if (lstat(p, &sb) < 0) {
			rc = err_set(err, "%s: %s", p, strerror(errno));
		} else if (S_ISLNK(sb.st_mode)) {
			rc = err_set(err, "%s: symbolic links are not allowed in fixtures", p);
		} else if (pathsafe_check_name(e->d_name, nerr) < 0) {
			rc = err_set(err, "%s: invalid Cozy name: %s", p, nerr);
		} else if (strcmp(ppath, "/") == 0 && strcmp(e->d_name, ".cozy_trash") == 0) {
			rc = err_set(err, "%s: the trash cannot come from fixtures", p);
		} else if (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode)) {
			char *cpath = pathsafe_child(ppath, e->d_name);
			char *disk = vfs_disk_path(v, cpath, err);
			char id[33], mt[40];
			vfs_fixture_id(cpath, id);
			vfs_mtime(&sb, mt);
			json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "_id", id, "name", e->d_name,
						"dir_id", json_string_value(json_object_get(parent, "_id")), "path",
						cpath, "created_at", mt, "updated_at", mt, "tags");
			vfs_bump_rev(doc);
			if (disk == NULL) {
				rc = -1;
				json_decref(doc);
			} else if (S_ISDIR(sb.st_mode)) {
				json_object_set_new(doc, "type", json_string("directory"));
				if (mkdir(disk, 0755) < 0 && errno != EEXIST) {
					rc = err_set(err, "%s: %s", disk, strerror(errno));
					json_decref(doc);
				} else {
					vfs_put_doc(v, doc);
					rc = vfs_load_tree(v, p, doc, depth + 1, err);
				}
			} else {
				unsigned char dg[16];
				long long size = 0;
				rc = vfs_copy_file(p, disk, dg, &size, err);
				char b64[25], sz[32], mime[256], cls[256];
				md5_to_base64(dg, b64);
				snprintf(sz, sizeof(sz), "%lld", size);
				mime_and_class(NULL, e->d_name, mime, cls, sizeof(mime));
				json_object_set_new(doc, "type", json_string("file"));
				json_object_set_new(doc, "size", json_string(sz));
				json_object_set_new(doc, "md5sum", json_string(b64));
				json_object_set_new(doc, "mime", json_string(mime));
				json_object_set_new(doc, "class", json_string(cls));
				json_object_set_new(doc, "executable", json_boolean(sb.st_mode & 0100));
				json_object_set_new(doc, "trashed", json_false());
				json_object_set_new(doc, "encrypted", json_false());
				if (rc == 0) {
					vfs_put_doc(v, doc);
					v->used += size;
				} else {
					json_decref(doc);
				}
			}
			free(disk);
			free(cpath);
		} /* other kinds (fifos, sockets, devices) are skipped */
		free(p);
	}
	closedir(d);
	return rc;
}

int vfs_load_fixtures(struct vfs *v, const char *fixtures_files_dir, char *err)
{
	struct stat sb;
	if (lstat(fixtures_files_dir, &sb) < 0)
		return errno == ENOENT ? 0 : err_set(err, "%s: %s", fixtures_files_dir, strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return err_set(err, "%s: symbolic links are not allowed in fixtures", fixtures_files_dir);
	if (!S_ISDIR(sb.st_mode))
		return err_set(err, "%s: not a directory", fixtures_files_dir);
	return vfs_load_tree(v, fixtures_files_dir, vfs_get(v, VFS_ROOT_ID), 0, err);
}

/* Copy the content of every file doc from one tree root to another. */
static int vfs_copy_tree(const json_t *docs, const char *from, const char *to, char *err)
{
	size_t i;
	json_t *d;
	/* Dirs first (docs sorted by path), then files. */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach (docs, i, d) {
			const char *type = json_string_value(json_object_get(d, "type"));
			const char *path = json_string_value(json_object_get(d, "path"));
			if (type == NULL || path == NULL)
				return err_set(err, "files.json: a doc without type or path");
			if ((pass == 0) != (strcmp(type, "directory") == 0))
				continue;
			char *src = pathsafe_join(from, path, err), *dst = pathsafe_join(to, path, err);
			int rc = src && dst ? 0 : -1;
			if (rc == 0 && pass == 0)
				rc = mkdir_p(dst, err);
			else if (rc == 0)
				rc = vfs_copy_file(src, dst, NULL, NULL, err);
			free(src);
			free(dst);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* docs sorted by path so parents come before children. */
static int vfs_cmp_path(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	return strcmp(json_string_value(json_object_get(x, "path")), json_string_value(json_object_get(y, "path")));
}

/* All docs as an array sorted by path (new ref). */
static json_t *vfs_docs_by_path(const struct vfs *v)
{
	json_t *all = vfs_all_docs(v);
	size_t n = json_array_size(all);
	const json_t **list = calloc(n ? n : 1, sizeof(*list));
	for (size_t i = 0; i < n; i++)
		list[i] = json_array_get(all, i);
	qsort(list, n, sizeof(*list), vfs_cmp_path);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, (json_t *)list[i]);
	free(list);
	json_decref(all);
	return out;
}

int vfs_write_state(const struct vfs *v, const char *dir, char *err)
{
	if (mkdir_p(dir, err) < 0)
		return -1;
	json_t *docs = vfs_docs_by_path(v);
	char *meta = NULL, *tree = NULL;
	int rc = -1;
	if (asprintf(&meta, "%s/files.json", dir) < 0 || asprintf(&tree, "%s/files", dir) < 0) {
		err_set(err, "out of memory");
		goto out;
	}
	char *text = json_dumps(docs, JSON_INDENT(2));
	rc = atomic_write(meta, text, strlen(text), err);
	free(text);
	if (rc < 0)
		goto out;
	if (mkdir_p(tree, err) < 0) {
		rc = -1;
		goto out;
	}
	char *real = realpath(tree, NULL);
	int same = real && strcmp(real, v->dir) == 0;
	free(real);
	if (!same)
		rc = vfs_copy_tree(docs, v->dir, tree, err);
out:
	free(meta);
	free(tree);
	json_decref(docs);
	return rc;
}

int vfs_load_state(struct vfs *v, const char *dir, char *err)
{
	char *meta = NULL, *tree = NULL;
	if (asprintf(&meta, "%s/files.json", dir) < 0 || asprintf(&tree, "%s/files", dir) < 0) {
		free(meta);
		return err_set(err, "out of memory");
	}
	json_error_t je;
	json_t *docs = json_load_file(meta, 0, &je);
	int rc = 0;
	if (docs == NULL) {
		rc = err_set(err, "%s:%d:%d: %s", meta, je.line, je.column, je.text);
	} else if (!json_is_array(docs)) {
		rc = err_set(err, "%s: an array of file docs is expected", meta);
	} else {
		size_t i;
		json_t *d;
		json_array_foreach (docs, i, d) {
			const char *id = json_string_value(json_object_get(d, "_id"));
			const char *path = json_string_value(json_object_get(d, "path"));
			char perr[ERR_MAX];
			const char *type = json_string_value(json_object_get(d, "type"));
			if (id == NULL || path == NULL || type == NULL || pathsafe_check_path(path, perr) < 0) {
				rc = err_set(err, "%s: doc %zu: bad _id or path", meta, i);
				break;
			}
		}
		char *real = rc == 0 ? realpath(tree, NULL) : NULL;
		int same = real && strcmp(real, v->dir) == 0;
		free(real);
		if (rc == 0 && !same) {
			json_object_clear(v->docs);
			json_object_clear(v->by_path);
			rc = vfs_copy_tree(docs, tree, v->dir, err);
		}
		if (rc == 0) {
			json_object_clear(v->docs);
			json_object_clear(v->by_path);
			v->used = 0;
			json_array_foreach (docs, i, d) {
				vfs_put_doc(v, json_deep_copy(d));
				if (strcmp(json_string_value(json_object_get(d, "type")), "file") == 0)
					v->used += vfs_doc_size(d);
			}
			if (vfs_get(v, VFS_TRASH_ID) == NULL || vfs_get(v, VFS_ROOT_ID) == NULL)
				rc = err_set(err, "%s: root or trash missing", meta);
		}
	}
	json_decref(docs);
	free(meta);
	free(tree);
	return rc;
}
