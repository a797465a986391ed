/* fake-stack/vfs*.c: the Cozy file tree on disk. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/md5.h"
#include "fake-stack/files/vfs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char vfs_tmp[64];
static struct vfs *V;
static char E[ERR_MAX];

static void vfs_setup(void)
{
	snprintf(vfs_tmp, sizeof(vfs_tmp), "/tmp/kh-vfs-XXXXXX");
	cr_assert_not_null(mkdtemp(vfs_tmp));
	char p[128];
	snprintf(p, sizeof(p), "%s/files", vfs_tmp);
	V = vfs_new(p, E);
	cr_assert_not_null(V, "%s", E);
}

static void vfs_teardown(void)
{
	vfs_free(V);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", vfs_tmp);
	cr_assert_eq(system(cmd), 0);
}

/* Upload data as name in dir_id, in two chunks. */
static enum vfs_status vfs_put(const char *dir_id, const char *name, const char *data, long long size,
			       const char *md5b64, const json_t **out)
{
	struct vfs_upload_info info = {.dir_id = dir_id, .name = name, .size = size};
	if (md5b64) {
		info.has_md5 = 1;
		cr_assert_eq(md5_from_base64(md5b64, info.md5), 0);
	}
	enum vfs_status st;
	struct vfs_upload *u = vfs_upload_begin(V, &info, NULL, NULL, &st, E);
	if (u == NULL)
		return st;
	size_t n = strlen(data), half = n / 2;
	cr_assert_eq(vfs_upload_write(u, data, half, &st, E), 0);
	cr_assert_eq(vfs_upload_write(u, data + half, n - half, &st, E), 0);
	return vfs_upload_finish(u, out, E);
}

static const char *S(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

TestSuite(vfs, .init = vfs_setup, .fini = vfs_teardown);

Test(vfs, root_and_trash_exist)
{
	const json_t *root = vfs_get(V, VFS_ROOT_ID);
	cr_assert_str_eq(S(root, "path"), "/");
	cr_assert_str_eq(S(vfs_get_by_path(V, "/.cozy_trash"), "_id"), VFS_TRASH_ID);
	json_t *kids = vfs_children(V, VFS_ROOT_ID);
	cr_assert_eq(json_array_size(kids), 0, "trash must be hidden");
	json_decref(kids);
}

Test(vfs, upload_streams_to_disk_with_md5_size_mime)
{
	const json_t *dir;
	cr_assert_eq(vfs_mkdir_p(V, "/Administrative/Shop", NULL, &dir, E), VFS_OK, "%s", E);
	const json_t *f;
	cr_assert_eq(vfs_put(S(dir, "_id"), "bill.pdf", "abc", 3, "kAFQmDzST7DWlj99KOF/cg==", &f), VFS_OK, "%s", E);
	cr_assert_str_eq(S(f, "size"), "3");
	cr_assert_str_eq(S(f, "md5sum"), "kAFQmDzST7DWlj99KOF/cg==");
	cr_assert_str_eq(S(f, "mime"), "application/pdf");
	cr_assert_str_eq(S(f, "class"), "pdf");
	cr_assert_str_eq(S(f, "path"), "/Administrative/Shop/bill.pdf");
	cr_assert_str_eq(S(f, "dir_id"), S(dir, "_id"));
	cr_assert(strncmp(S(f, "_rev"), "1-", 2) == 0);
	char *disk = vfs_content_path(V, S(f, "_id"));
	size_t len;
	char *content = file_read_all(disk, &len, E);
	cr_assert_str_eq(content, "abc");
	free(content);
	free(disk);
	cr_assert_not_null(vfs_get_by_path(V, "/Administrative/Shop/bill.pdf"));
}

Test(vfs, upload_errors)
{
	const json_t *f;
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", 3, "AAAAAAAAAAAAAAAAAAAAAA==", &f), VFS_BAD_MD5);
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", 4, NULL, &f), VFS_BAD_SIZE);
	cr_assert_eq(vfs_put(NULL, "../evil", "abc", 3, NULL, &f), VFS_BAD_NAME);
	cr_assert_eq(vfs_put(NULL, "a/b", "abc", 3, NULL, &f), VFS_BAD_NAME);
	cr_assert_eq(vfs_put("nope", "a.txt", "abc", 3, NULL, &f), VFS_PARENT_MISSING);
	cr_assert_eq(vfs_put(VFS_TRASH_ID, "a.txt", "abc", 3, NULL, &f), VFS_PARENT_MISSING);
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", -1, NULL, &f), VFS_OK, "%s", E);
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", -1, NULL, &f), VFS_EXISTS);
	/* No temp file left behind. */
	json_t *kids = vfs_children(V, VFS_ROOT_ID);
	cr_assert_eq(json_array_size(kids), 1);
	json_decref(kids);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 2", vfs_files_dir(V));
	cr_assert_eq(system(cmd), 0, "only a.txt and .cozy_trash on disk");
}

Test(vfs, overwrite_checks_rev_and_keeps_name)
{
	const json_t *f;
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", 3, NULL, &f), VFS_OK);
	char id[64], rev[64];
	snprintf(id, sizeof(id), "%s", S(f, "_id"));
	snprintf(rev, sizeof(rev), "%s", S(f, "_rev"));
	struct vfs_upload_info info = {.name = "ignored.bin", .size = -1, .content_type = "text/plain"};
	enum vfs_status st;
	cr_assert_null(vfs_upload_begin(V, &info, id, "1-wrong", &st, E));
	cr_assert_eq(st, VFS_BAD_REV);
	struct vfs_upload *u = vfs_upload_begin(V, &info, id, rev, &st, E);
	cr_assert_not_null(u, "%s", E);
	cr_assert_eq(vfs_upload_write(u, "hello", 5, &st, E), 0);
	cr_assert_eq(vfs_upload_finish(u, &f, E), VFS_OK, "%s", E);
	cr_assert_str_eq(S(f, "name"), "a.txt");
	cr_assert_str_eq(S(f, "size"), "5");
	cr_assert(strncmp(S(f, "_rev"), "2-", 2) == 0);
}

Test(vfs, mkdir_conflicts_and_names)
{
	const json_t *d;
	cr_assert_eq(vfs_mkdir(V, NULL, "A", NULL, &d, E), VFS_OK);
	cr_assert_eq(vfs_mkdir(V, NULL, "A", NULL, &d, E), VFS_EXISTS);
	cr_assert_eq(vfs_mkdir(V, NULL, "..", NULL, &d, E), VFS_BAD_NAME);
	cr_assert_eq(vfs_mkdir(V, "missing", "B", NULL, &d, E), VFS_PARENT_MISSING);
	cr_assert_eq(vfs_mkdir_p(V, "/A/../etc", NULL, &d, E), VFS_BAD_NAME);
	const json_t *again;
	cr_assert_eq(vfs_mkdir_p(V, "/A", NULL, &again, E), VFS_OK);
	cr_assert_str_eq(S(again, "path"), "/A");
}

Test(vfs, patch_rename_move_dir_updates_subtree)
{
	const json_t *a, *b, *f;
	cr_assert_eq(vfs_mkdir_p(V, "/A/Sub", NULL, &a, E), VFS_OK);
	char sub_id[64];
	snprintf(sub_id, sizeof(sub_id), "%s", S(a, "_id"));
	cr_assert_eq(vfs_put(sub_id, "f.txt", "x", 1, NULL, &f), VFS_OK);
	char fid[64];
	snprintf(fid, sizeof(fid), "%s", S(f, "_id"));
	cr_assert_eq(vfs_mkdir(V, NULL, "B", NULL, &b, E), VFS_OK);
	struct vfs_patch p = {.dir_id = S(b, "_id"), .name = "Moved", .executable = -1, .encrypted = -1};
	const json_t *moved;
	cr_assert_eq(vfs_patch(V, sub_id, &p, NULL, &moved, E), VFS_OK, "%s", E);
	cr_assert_str_eq(S(moved, "path"), "/B/Moved");
	cr_assert_str_eq(S(vfs_get(V, fid), "path"), "/B/Moved/f.txt");
	cr_assert_not_null(vfs_get_by_path(V, "/B/Moved/f.txt"));
	cr_assert_null(vfs_get_by_path(V, "/A/Sub/f.txt"));
	char *disk = vfs_content_path(V, fid);
	cr_assert_eq(access(disk, F_OK), 0);
	free(disk);
	/* a dir cannot move into its own subtree */
	const json_t *bdoc = vfs_get_by_path(V, "/B");
	struct vfs_patch into = {.dir_id = sub_id, .executable = -1, .encrypted = -1};
	char bid[64];
	snprintf(bid, sizeof(bid), "%s", S(bdoc, "_id"));
	cr_assert_eq(vfs_patch(V, bid, &into, NULL, &moved, E), VFS_FORBIDDEN);
	struct vfs_patch bad = {.name = "x/y", .executable = -1, .encrypted = -1};
	cr_assert_eq(vfs_patch(V, fid, &bad, NULL, &moved, E), VFS_BAD_NAME);
	struct vfs_patch root = {.name = "r", .executable = -1, .encrypted = -1};
	cr_assert_eq(vfs_patch(V, VFS_ROOT_ID, &root, NULL, &moved, E), VFS_FORBIDDEN);
}

Test(vfs, trash_then_destroy)
{
	const json_t *f, *t, *f2;
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", 3, NULL, &f), VFS_OK);
	char id[64];
	snprintf(id, sizeof(id), "%s", S(f, "_id"));
	cr_assert_eq(vfs_trash(V, id, NULL, &t, E), VFS_OK, "%s", E);
	cr_assert_str_eq(S(t, "path"), "/.cozy_trash/a.txt");
	cr_assert_str_eq(S(t, "restore_path"), "/");
	cr_assert(json_is_true(json_object_get(t, "trashed")));
	/* the same name again, trashed again: suffixed */
	cr_assert_eq(vfs_put(NULL, "a.txt", "abc", 3, NULL, &f2), VFS_OK);
	char id2[64];
	snprintf(id2, sizeof(id2), "%s", S(f2, "_id"));
	cr_assert_eq(vfs_trash(V, id2, NULL, &t, E), VFS_OK, "%s", E);
	cr_assert_str_eq(S(t, "path"), "/.cozy_trash/a.txt (2)");
	json_t *gone = NULL;
	cr_assert_eq(vfs_destroy(V, id, NULL, &gone, E), VFS_OK);
	cr_assert_str_eq(S(gone, "_id"), id);
	json_decref(gone);
	cr_assert_null(vfs_get(V, id));
	cr_assert_eq(vfs_destroy(V, id, NULL, NULL, E), VFS_NOT_FOUND);
	cr_assert_eq(vfs_destroy(V, VFS_TRASH_ID, NULL, NULL, E), VFS_FORBIDDEN);
}

Test(vfs, references_both_ways)
{
	const json_t *d, *f;
	cr_assert_eq(vfs_mkdir(V, NULL, "K", NULL, &d, E), VFS_OK);
	cr_assert_eq(vfs_put(NULL, "b.pdf", "x", 1, NULL, &f), VFS_OK);
	char did[64], fid[64];
	snprintf(did, sizeof(did), "%s", S(d, "_id"));
	snprintf(fid, sizeof(fid), "%s", S(f, "_id"));
	json_t *refs = json_pack("[{s:s,s:s}]", "type", "io.cozy.konnectors", "id", "io.cozy.konnectors/shop");
	cr_assert_eq(vfs_add_refs(V, did, refs, &d, E), VFS_OK);
	cr_assert_eq(vfs_add_refs(V, did, refs, &d, E), VFS_OK);
	cr_assert_eq(json_array_size(json_object_get(d, "referenced_by")), 1, "no duplicate");
	cr_assert_eq(vfs_add_refs(V, fid, refs, &f, E), VFS_OK);
	json_t *list = vfs_referenced_by(V, "io.cozy.konnectors", "io.cozy.konnectors/shop", "datetime");
	cr_assert_eq(json_array_size(list), 2);
	json_decref(list);
	cr_assert_eq(vfs_remove_refs(V, fid, refs, &f, E), VFS_OK);
	cr_assert_null(json_object_get(f, "referenced_by"));
	list = vfs_referenced_by(V, "io.cozy.konnectors", "io.cozy.konnectors/shop", NULL);
	cr_assert_eq(json_array_size(list), 1);
	json_decref(list);
	json_decref(refs);
}

Test(vfs, fixtures_loaded_and_symlinks_refused)
{
	char fx[128], cmd[512];
	snprintf(fx, sizeof(fx), "%s/fx", vfs_tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/Administrative/Shop' && printf abc > '%s/Administrative/Shop/old.pdf'",
		 fx, fx);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(vfs_load_fixtures(V, fx, E), 0, "%s", E);
	const json_t *f = vfs_get_by_path(V, "/Administrative/Shop/old.pdf");
	cr_assert_not_null(f);
	cr_assert_str_eq(S(f, "md5sum"), "kAFQmDzST7DWlj99KOF/cg==");
	cr_assert_str_eq(S(f, "mime"), "application/pdf");
	const json_t *d = vfs_get_by_path(V, "/Administrative/Shop");
	cr_assert_eq(strlen(S(d, "_id")), 32);
	snprintf(cmd, sizeof(cmd), "ln -s /etc/passwd '%s/Administrative/link'", fx);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(vfs_clear(V, E), 0);
	cr_assert_eq(vfs_load_fixtures(V, fx, E), -1);
	cr_assert(strstr(E, "symbolic links") != NULL, "%s", E);
}

Test(vfs, state_round_trip)
{
	const json_t *d, *f;
	cr_assert_eq(vfs_mkdir_p(V, "/A/B", NULL, &d, E), VFS_OK);
	cr_assert_eq(vfs_put(S(d, "_id"), "c.txt", "content", 7, NULL, &f), VFS_OK);
	char fid[64], state[128], other[128];
	snprintf(fid, sizeof(fid), "%s", S(f, "_id"));
	snprintf(state, sizeof(state), "%s/state", vfs_tmp);
	snprintf(other, sizeof(other), "%s/other", vfs_tmp);
	cr_assert_eq(vfs_write_state(V, state, E), 0, "%s", E);
	struct vfs *w = vfs_new(other, E);
	cr_assert_not_null(w, "%s", E);
	cr_assert_eq(vfs_load_state(w, state, E), 0, "%s", E);
	const json_t *g = vfs_get(w, fid);
	cr_assert_not_null(g);
	cr_assert_str_eq(S(g, "path"), "/A/B/c.txt");
	char *disk = vfs_content_path(w, fid);
	size_t len;
	char *content = file_read_all(disk, &len, E);
	cr_assert_str_eq(content, "content");
	free(content);
	free(disk);
	vfs_free(w);
}

Test(vfs, refuses_a_foreign_non_empty_dir)
{
	char p[128], cmd[400];
	snprintf(p, sizeof(p), "%s/user", vfs_tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && touch %s/precious", p, p);
	cr_assert_eq(system(cmd), 0);
	cr_assert_null(vfs_new(p, E));
	snprintf(cmd, sizeof(cmd), "%s/precious", p);
	cr_assert_eq(access(cmd, F_OK), 0);
}

Test(vfs, quota)
{
	vfs_set_quota(V, 4);
	const json_t *f;
	cr_assert_eq(vfs_put(NULL, "a", "abc", 3, NULL, &f), VFS_OK);
	struct vfs_upload_info info = {.name = "b", .size = 5};
	enum vfs_status st;
	cr_assert_null(vfs_upload_begin(V, &info, NULL, NULL, &st, E));
	cr_assert_eq(st, VFS_QUOTA);
	info.size = -1;
	struct vfs_upload *u = vfs_upload_begin(V, &info, NULL, NULL, &st, E);
	cr_assert_not_null(u);
	cr_assert_eq(vfs_upload_write(u, "xy", 2, &st, E), -1);
	cr_assert_eq(st, VFS_QUOTA);
	vfs_upload_abort(u);
}

Test(vfs, metadata_secrets_and_cozy_metadata)
{
	json_t *attrs = json_pack("{s:s}", "fileIdAttributes", "B001");
	const char *secret = vfs_metadata_put(V, attrs);
	cr_assert_not_null(secret);
	cr_assert_str_eq(S(vfs_metadata_get(V, secret), "fileIdAttributes"), "B001");
	cr_assert_null(vfs_metadata_get(V, "nope"));
	json_decref(attrs);
	json_t *cm = vfs_cozy_metadata("shop", "http://127.0.0.1:1/", "acc1", "homer", "2024-01-01T00:00:00Z");
	cr_assert_str_eq(S(cm, "createdByApp"), "shop");
	cr_assert_str_eq(S(cm, "sourceAccountIdentifier"), "homer");
	cr_assert_str_eq(S(cm, "doctypeVersion"), "1");
	json_decref(cm);
}
