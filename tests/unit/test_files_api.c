/* fake-stack/files/files_api.c + files_jsonapi.c: the /files answers without HTTP. */
#include "common/err.h"
#include "fake-stack/files/files_api.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fa_tmp[64];
static struct files_ctx C;
static struct files_result R;

static void fa_setup(void)
{
	char err[ERR_MAX];
	snprintf(fa_tmp, sizeof(fa_tmp), "/tmp/kh-fapi-XXXXXX");
	cr_assert_not_null(mkdtemp(fa_tmp));
	C.vfs = vfs_new(fa_tmp, err);
	cr_assert_not_null(C.vfs, "%s", err);
	C.slug = "shop";
	C.instance_url = "http://127.0.0.1:9/";
}

static void fa_teardown(void)
{
	files_result_clear(&R);
	vfs_free(C.vfs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fa_tmp);
	cr_assert_eq(system(cmd), 0);
}

/* The value at a dotted path of R.body, as a string (numbers printed). */
static const char *at(const char *path)
{
	static char buf[256];
	json_t *cur = R.body;
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", path);
	char *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(k)) : json_object_get(cur, k);
	if (json_is_string(cur))
		return json_string_value(cur);
	if (json_is_integer(cur)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(cur));
		return buf;
	}
	return cur ? "<json>" : "<missing>";
}

TestSuite(files_api, .init = fa_setup, .fini = fa_teardown);

Test(files_api, get_root_and_missing)
{
	files_get(&C, VFS_ROOT_ID, 0, 0, &R);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("data.type"), "io.cozy.files");
	cr_assert_str_eq(at("data.attributes.path"), "/");
	cr_assert_str_eq(at("data.relationships.contents.meta.count"), "0");
	files_get(&C, "nope", 0, 0, &R);
	cr_assert_eq(R.status, 404);
	cr_assert_str_eq(at("errors.0.status"), "404");
	cr_assert_str_eq(at("errors.0.title"), "Not Found");
	cr_assert_str_eq(at("errors.0.source"), "<json>");
}

Test(files_api, dirs_upload_and_cozy_metadata)
{
	struct files_create_req q = {.type = "directory", .name = "Bills", .date = ""};
	files_create_dir(&C, NULL, &q, &R);
	cr_assert_eq(R.status, 201);
	char dir_id[64];
	snprintf(dir_id, sizeof(dir_id), "%s", at("data.id"));
	files_create_dir(&C, NULL, &q, &R);
	cr_assert_eq(R.status, 409);
	struct files_create_req p = {.type = "directory", .path = "/A/B/C", .recursive = "true"};
	files_create_dir(&C, "ignored", &p, &R);
	cr_assert_eq(R.status, 201);
	cr_assert_str_eq(at("data.attributes.path"), "/A/B/C");
	/* stack: a directory's cozyMetadata has no upload fields (CozyMetadataFromClaims(c, false)) */
	cr_assert_str_eq(at("data.attributes.cozyMetadata.createdByApp"), "shop");
	cr_assert_null(json_object_get(
		json_object_get(json_object_get(json_object_get(R.body, "data"), "attributes"), "cozyMetadata"),
		"uploadedAt"));

	struct files_create_req f = {.type = "file",
				     .name = "b.pdf",
				     .content_length = "3",
				     .size = "",
				     .metadata_id = "",
				     .source_account = "acc1",
				     .source_account_identifier = "homer@example.com",
				     .date = "Mon, 15 Jan 2024 10:00:00 GMT",
				     .content_type = "application/octet-stream"};
	struct vfs_upload *u = files_upload_begin(&C, dir_id, NULL, &f, &R);
	cr_assert_not_null(u, "%s", R.body ? json_dumps(R.body, 0) : "");
	cr_assert_eq(files_upload_write(u, "abc", 3, &R), 0);
	files_upload_finish(u, 1, &R);
	cr_assert_eq(R.status, 201);
	cr_assert_str_eq(at("data.attributes.size"), "3");
	cr_assert_str_eq(at("data.attributes.mime"), "application/pdf");
	cr_assert_str_eq(at("data.attributes.created_at"), "2024-01-15T10:00:00Z");
	cr_assert_str_eq(at("data.attributes.cozyMetadata.createdByApp"), "shop");
	cr_assert_str_eq(at("data.attributes.cozyMetadata.sourceAccountIdentifier"), "homer@example.com");
	cr_assert_str_eq(at("data.attributes.path"), "<missing>");
	cr_assert_str_eq(at("data.relationships.parent.data.id"), dir_id);
	cr_assert(strncmp(at("data.meta.rev"), "1-", 2) == 0);

	struct files_create_req bad = {.type = "file", .name = "c.pdf", .content_md5 = "nope"};
	cr_assert_null(files_upload_begin(&C, dir_id, NULL, &bad, &R));
	cr_assert_eq(R.status, 422);
	cr_assert_str_eq(at("errors.0.source.parameter"), "Content-MD5");
	cr_assert_str_eq(at("errors.0.detail"), "Given Content-MD5 is invalid");
	struct files_create_req badname = {.type = "file", .name = ".."};
	cr_assert_null(files_upload_begin(&C, dir_id, NULL, &badname, &R));
	cr_assert_eq(R.status, 422);
	cr_assert_str_eq(at("errors.0.source.parameter"), "name");
	struct files_create_req badmeta = {.type = "file", .name = "d.pdf", .metadata_id = "nope"};
	cr_assert_null(files_upload_begin(&C, dir_id, NULL, &badmeta, &R));
	cr_assert_eq(R.status, 422);

	files_get_by_path(&C, "/Bills/b.pdf", 0, 0, &R);
	cr_assert_eq(R.status, 200);
	files_get_by_path(&C, "/Bills", 0, 0, &R);
	cr_assert_str_eq(at("included.0.attributes.name"), "b.pdf");
	cr_assert_str_eq(at("data.relationships.contents.meta.count"), "1");
	files_get_by_path(&C, "/Bills/none.pdf", 0, 0, &R);
	cr_assert_eq(R.status, 404);
}

Test(files_api, references_and_permanent_delete)
{
	struct files_create_req q = {.type = "directory", .name = "K"};
	files_create_dir(&C, NULL, &q, &R);
	char id[64];
	snprintf(id, sizeof(id), "%s", at("data.id"));
	json_t *body = json_pack("{s:[{s:s, s:s}]}", "data", "type", "io.cozy.files", "id", id);
	files_references_change(&C, "io.cozy.konnectors", "io.cozy.konnectors/shop", body, 1, &R);
	cr_assert_eq(R.status, 204);
	json_decref(body);
	files_references_list(&C, "io.cozy.konnectors", "io.cozy.konnectors/shop", 1, "datetime", NULL, NULL, &R);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("meta.count"), "1");
	cr_assert_str_eq(at("data.0.id"), id);
	cr_assert_str_eq(at("included.0.attributes.referenced_by.0.id"), "io.cozy.konnectors/shop");
	body = json_pack("{s:{s:s, s:s}}", "data", "type", "io.cozy.bills", "id", "bill1");
	files_refs_change(&C, id, body, 1, &R);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("meta.count"), "2");
	json_decref(body);
	body = json_pack("{s:{s:s, s:s, s:{s:b}}}", "data", "type", "io.cozy.files", "id", id, "attributes",
			 "permanent_delete", 1);
	files_patch(&C, id, body, NULL, &R);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("data.id"), id);
	json_decref(body);
	files_get(&C, id, 0, 0, &R);
	cr_assert_eq(R.status, 404);
}

Test(files_api, upload_metadata_secret)
{
	json_t *body = json_pack("{s:{s:s, s:{s:s}}}", "data", "type", "io.cozy.files.metadata", "attributes",
				 "fileIdAttributes", "B001");
	files_upload_metadata(&C, body, &R);
	json_decref(body);
	cr_assert_eq(R.status, 201);
	char secret[64];
	snprintf(secret, sizeof(secret), "%s", at("data.id"));
	struct files_create_req f = {.type = "file", .name = "m.pdf", .metadata_id = secret};
	struct vfs_upload *u = files_upload_begin(&C, NULL, NULL, &f, &R);
	cr_assert_not_null(u);
	files_upload_finish(u, 1, &R);
	cr_assert_eq(R.status, 201);
	cr_assert_str_eq(at("data.attributes.metadata.fileIdAttributes"), "B001");
}

/* Upload a small file named name into dir_id (NULL: root). */
static void fa_put(const char *dir_id, const char *name)
{
	struct files_create_req f = {.type = "file", .name = name};
	struct vfs_upload *u = files_upload_begin(&C, dir_id, NULL, &f, &R);
	cr_assert_not_null(u);
	cr_assert_eq(files_upload_write(u, "x", 1, &R), 0);
	files_upload_finish(u, 1, &R);
	cr_assert_eq(R.status, 201);
}

Test(files_api, find_pages_with_count_and_next)
{
	struct files_create_req q = {.type = "directory", .name = "F"};
	files_create_dir(&C, NULL, &q, &R);
	char dir[64];
	snprintf(dir, sizeof(dir), "%s", at("data.id"));
	fa_put(dir, "a.pdf");
	fa_put(dir, "b.pdf");
	fa_put(dir, "c.pdf");
	fa_put(NULL, "elsewhere.pdf");

	json_t *body = json_pack("{s:{s:s}, s:i}", "selector", "dir_id", dir, "limit", 2);
	files_find(&C, body, NULL, NULL, NULL, &R);
	cr_assert_eq(R.status, 200, "%s", json_dumps(R.body, 0));
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 2);
	/* a full page: the stack's "ask again" count, and a next link with the bookmark */
	cr_assert_str_eq(at("meta.count"), "2147483646");
	const char *next = at("links.next");
	cr_assert(strncmp(next, "/files/_find?page[cursor]=", 26) == 0, "%s", next);
	char cursor[256];
	snprintf(cursor, sizeof(cursor), "%s", next + 26);
	/* file entries carry their path in _find results; the order is _id order (no sort) */
	char path[128], seen[3][64];
	snprintf(seen[0], sizeof(seen[0]), "%s", at("data.0.attributes.name"));
	snprintf(seen[1], sizeof(seen[1]), "%s", at("data.1.attributes.name"));
	snprintf(path, sizeof(path), "/F/%s", seen[0]);
	cr_assert_str_eq(at("data.0.attributes.path"), path);
	cr_assert_str_eq(at("data.0.type"), "io.cozy.files");
	cr_assert_lt(strcmp(at("data.0.id"), at("data.1.id")), 0);

	files_find(&C, body, NULL, NULL, cursor, &R);
	cr_assert_eq(R.status, 200);
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 1);
	snprintf(seen[2], sizeof(seen[2]), "%s", at("data.0.attributes.name"));
	cr_assert(strcmp(seen[0], seen[1]) && strcmp(seen[0], seen[2]) && strcmp(seen[1], seen[2]));
	cr_assert_str_eq(at("links.next"), "<missing>");
	json_decref(body);

	/* page[skip] from the query overrides the body; a short page counts skip+len */
	body = json_pack("{s:{s:s}}", "selector", "dir_id", dir);
	files_find(&C, body, NULL, "1", NULL, &R);
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 2);
	cr_assert_str_eq(at("meta.count"), "3");
	json_decref(body);

	/* CouchDB file docs have no path: a selector on a file's path matches nothing */
	body = json_pack("{s:{s:s}}", "selector", "path", "/F/a.pdf");
	files_find(&C, body, NULL, NULL, NULL, &R);
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 0);
	cr_assert_str_eq(at("meta.count"), "0");
	json_decref(body);

	body = json_pack("{s:{s:{s:i}}}", "selector", "name", "$nope", 1);
	files_find(&C, body, NULL, NULL, NULL, &R);
	cr_assert_eq(R.status, 400);
	cr_assert_str_eq(at("errors.0.status"), "400");
	json_decref(body);
	files_find(&C, NULL, NULL, NULL, NULL, &R);
	cr_assert_eq(R.status, 400);
}

/* POST /files/_all_docs with a body given as JSON text. */
static void fa_all_docs(const char *text)
{
	json_error_t je;
	json_t *body = json_loads(text, JSON_DECODE_ANY, &je);
	cr_assert_not_null(body, "%s: %s", text, je.text);
	files_all_docs(&C, body, &R);
	json_decref(body);
}

Test(files_api, all_docs_keys_in_order_unknown_skipped)
{
	struct files_create_req q = {.type = "directory", .name = "D"};
	files_create_dir(&C, NULL, &q, &R);
	char dir[64], file[64], keys[512];
	snprintf(dir, sizeof(dir), "%s", at("data.id"));
	fa_put(dir, "a.pdf");
	snprintf(file, sizeof(file), "%s", at("data.id"));

	/* key order, duplicates kept, unknown ids and the trash dir left out, count = entries */
	snprintf(keys, sizeof(keys), "{\"keys\":[\"%s\",\"nope\",\"%s\",\"io.cozy.files.trash-dir\",null,\"%s\"]}",
		 file, dir, file);
	fa_all_docs(keys);
	cr_assert_eq(R.status, 200, "%s", json_dumps(R.body, 0));
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 3);
	cr_assert_str_eq(at("meta.count"), "3");
	cr_assert_str_eq(at("links"), "<missing>");
	cr_assert_str_eq(at("data.0.id"), file);
	cr_assert_str_eq(at("data.0.type"), "io.cozy.files");
	cr_assert_str_eq(at("data.0.attributes.path"), "/D/a.pdf");
	cr_assert_str_eq(at("data.0.relationships.parent.data.id"), dir);
	cr_assert(strncmp(at("data.0.meta.rev"), "1-", 2) == 0);
	cr_assert_str_eq(at("data.1.id"), dir);
	cr_assert_str_eq(at("data.1.attributes.path"), "/D");
	cr_assert_str_eq(at("data.1.relationships.parent"), "<missing>");
	cr_assert_str_eq(at("data.2.id"), file);

	/* only unknown keys: an empty list, not an error; Go matches the field name case-insensitively */
	fa_all_docs("{\"KEYS\":[\"nope\"]}");
	cr_assert_eq(R.status, 200);
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 0);
	cr_assert_str_eq(at("meta.count"), "0");

	/* a trashed file is still there, with its trash path */
	files_delete(&C, file, NULL, &R);
	cr_assert_eq(R.status, 200);
	snprintf(keys, sizeof(keys), "{\"keys\":[\"%s\"]}", file);
	fa_all_docs(keys);
	cr_assert_eq(json_array_size(json_object_get(R.body, "data")), 1);
	cr_assert(json_is_true(json_object_get(
		json_object_get(json_array_get(json_object_get(R.body, "data"), 0), "attributes"), "trashed")));
	cr_assert_str_eq(at("data.0.attributes.path"), "/.cozy_trash/a.pdf");
}

Test(files_api, all_docs_without_keys_lists_everything_but_trash)
{
	fa_put(NULL, "z.txt");
	char file[64];
	snprintf(file, sizeof(file), "%s", at("data.id"));
	const char *bodies[] = {"{}", "null", "{\"keys\":[]}", "{\"keys\":null}", "{\"other\":1}"};
	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
		fa_all_docs(bodies[b]);
		cr_assert_eq(R.status, 200, "%s", bodies[b]);
		json_t *data = json_object_get(R.body, "data");
		cr_assert_eq(json_array_size(data), 2, "%s: %s", bodies[b], json_dumps(R.body, 0));
		cr_assert_str_eq(at("meta.count"), "2");
		/* _id order: the uploaded file's hex id sorts before io.cozy.files.root-dir */
		cr_assert_str_eq(at("data.0.id"), file, "%s", bodies[b]);
		cr_assert_str_eq(at("data.0.attributes.path"), "/z.txt");
		cr_assert_str_eq(at("data.1.id"), VFS_ROOT_ID);
		cr_assert_str_eq(at("data.1.attributes.path"), "/");
	}
}

Test(files_api, all_docs_bad_bodies_are_go_decode_errors)
{
	struct {
		const char *body, *detail;
	} cases[] = {
		{"[]",
		 "json: cannot unmarshal array into Go value of type struct { Keys []string \"json:\\\"keys\\\"\" }"},
		{"\"x\"",
		 "json: cannot unmarshal string into Go value of type struct { Keys []string \"json:\\\"keys\\\"\" }"},
		{"{\"keys\":\"x\"}", "json: cannot unmarshal string into Go struct field .keys of type []string"},
		{"{\"keys\":{}}", "json: cannot unmarshal object into Go struct field .keys of type []string"},
		{"{\"keys\":[\"a\",1]}", "json: cannot unmarshal number into Go struct field .keys of type string"},
		{"{\"Keys\":[true],\"keys\":[]}",
		 "json: cannot unmarshal bool into Go struct field .keys of type string"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fa_all_docs(cases[i].body);
		cr_assert_eq(R.status, 400, "%s", cases[i].body);
		cr_assert_str_eq(at("errors.0.status"), "400");
		cr_assert_str_eq(at("errors.0.title"), "Bad Request");
		cr_assert_str_eq(at("errors.0.detail"), cases[i].detail, "%s", cases[i].body);
	}
}

/* stack: UpdateFileCozyMetadata / setTrashCozyMetadata: a PATCH moves updatedAt, puts the app last in updatedByApps,
 * and a move to the trash sets trashedAt. */
Test(files_api, patch_touches_cozy_metadata)
{
	struct files_create_req f = {.type = "file", .name = "p.txt"};
	struct vfs_upload *u = files_upload_begin(&C, NULL, NULL, &f, &R);
	cr_assert_not_null(u);
	files_upload_finish(u, 1, &R);
	cr_assert_eq(R.status, 201);
	char id[64], before[64];
	snprintf(id, sizeof(id), "%s", at("data.id"));
	snprintf(before, sizeof(before), "%s", at("data.attributes.cozyMetadata.updatedAt"));
	const char *slug = C.slug;
	C.slug = "other";
	json_t *body = json_pack("{s:{s:s,s:s,s:{s:s}}}", "data", "type", "io.cozy.files", "id", id, "attributes",
				 "name", "q.txt");
	files_patch(&C, id, body, NULL, &R);
	json_decref(body);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("data.attributes.cozyMetadata.updatedByApps.1.slug"), "other");
	cr_assert_str_eq(at("data.attributes.cozyMetadata.updatedByApps.0.slug"), "shop");
	cr_assert_str_eq(at("data.attributes.cozyMetadata.createdByApp"), "shop");
	cr_assert(strcmp(at("data.attributes.cozyMetadata.updatedAt"), before) >= 0);
	body = json_pack("{s:{s:s,s:s,s:{s:s}}}", "data", "type", "io.cozy.files", "id", id, "attributes", "dir_id",
			 VFS_TRASH_ID);
	files_patch(&C, id, body, NULL, &R);
	json_decref(body);
	cr_assert_eq(R.status, 200);
	cr_assert_str_eq(at("data.attributes.cozyMetadata.trashedAt"), at("data.attributes.cozyMetadata.updatedAt"));
	C.slug = slug;
}
