/* JSON:API rendering of file docs (stack: web/files/paginated.go NewFile, NewDir, DirData; pkg/jsonapi/data.go). */
#include "fake-stack/files/files_jsonapi.h"

#include <stdio.h>
#include <string.h>

/* "/files/<id><suffix>" as a new json string. */
static json_t *files_link(const char *id, const char *suffix)
{
	size_t n = strlen(id) + strlen(suffix) + 8;
	char buf[n];
	snprintf(buf, n, "/files/%s%s", id, suffix);
	return json_string(buf);
}

/* {"links":{"self":…},"data":[refs]} for referenced_by. */
static json_t *files_refs_rel(const json_t *doc, const char *id)
{
	json_t *refs = json_object_get(doc, "referenced_by");
	json_t *rel = json_object();
	json_object_set_new(rel, "links", json_pack("{s:o}", "self", files_link(id, "/relationships/references")));
	json_object_set_new(rel, "data", json_is_array(refs) ? json_deep_copy(refs) : json_null());
	return rel;
}

json_t *files_jsonapi_object(const json_t *doc, int with_path)
{
	const char *id = json_string_value(json_object_get(doc, "_id"));
	const char *dir_id = json_string_value(json_object_get(doc, "dir_id"));
	int is_dir = strcmp(json_string_value(json_object_get(doc, "type")), "directory") == 0;
	json_t *attrs = json_deep_copy(doc);
	json_object_del(attrs, "_id");
	json_object_del(attrs, "_rev");
	if (!is_dir) {
		/* stack: file attributes hide referenced_by (shown in relationships); path only in _find results */
		json_object_del(attrs, "referenced_by");
		if (!with_path)
			json_object_del(attrs, "path");
	}
	json_t *obj = json_pack("{s:s, s:s, s:o}", "type", "io.cozy.files", "id", id, "attributes", attrs);
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	json_object_set_new(obj, "meta", rev ? json_pack("{s:s}", "rev", rev) : json_object());
	json_object_set_new(obj, "links", json_pack("{s:o}", "self", files_link(id, "")));
	json_t *rels = json_object();
	if (!is_dir && dir_id) {
		json_object_set_new(rels, "parent",
				    json_pack("{s:{s:o}, s:{s:s, s:s}}", "links", "related", files_link(dir_id, ""),
					      "data", "id", dir_id, "type", "io.cozy.files"));
	}
	json_object_set_new(rels, "referenced_by", files_refs_rel(doc, id));
	json_object_set_new(obj, "relationships", rels);
	return obj;
}

json_t *files_jsonapi_document(const json_t *doc)
{
	return json_pack("{s:o}", "data", files_jsonapi_object(doc, 0));
}

json_t *files_jsonapi_dir_document(const struct vfs *v, const json_t *dir, size_t skip, size_t limit)
{
	const char *id = json_string_value(json_object_get(dir, "_id"));
	const char *dir_id = json_string_value(json_object_get(dir, "dir_id"));
	json_t *kids = vfs_children(v, id);
	size_t count = json_array_size(kids);
	json_t *data = json_array(), *included = json_array();
	for (size_t i = skip; i < count && i < skip + limit; i++) {
		const json_t *k = json_array_get(kids, i);
		json_array_append_new(data, json_pack("{s:s, s:s}", "id", json_string_value(json_object_get(k, "_id")),
						      "type", "io.cozy.files"));
		json_array_append_new(included, files_jsonapi_object(k, 0));
	}
	json_t *obj = files_jsonapi_object(dir, 0);
	json_t *rels = json_object_get(obj, "relationships");
	json_t *contents = json_pack("{s:{s:I}, s:{s:o}, s:o}", "meta", "count", (json_int_t)count, "links", "self",
				     files_link(id, "/relationships/contents"), "data", data);
	json_t *doc = json_pack("{s:o, s:o}", "data", obj, "included", included);
	if (skip + limit < count) {
		char q[64];
		snprintf(q, sizeof(q), "?page%%5Bskip%%5D=%zu", skip + limit);
		json_t *next_rel = files_link(id, "/relationships/contents");
		char buf[512];
		snprintf(buf, sizeof(buf), "%s%s", json_string_value(next_rel), q);
		json_object_set_new(json_object_get(contents, "links"), "next", json_string(buf));
		json_decref(next_rel);
		json_t *self = files_link(id, "");
		snprintf(buf, sizeof(buf), "%s%s", json_string_value(self), q);
		json_object_set_new(doc, "links", json_pack("{s:s}", "next", buf));
		json_decref(self);
	}
	if (strcmp(id, VFS_ROOT_ID) != 0 && dir_id)
		json_object_set_new(rels, "parent",
				    json_pack("{s:{s:o}, s:{s:s, s:s}}", "links", "self", files_link(dir_id, ""),
					      "data", "id", dir_id, "type", "io.cozy.files"));
	json_object_set_new(rels, "contents", contents);
	json_object_set_new(rels, "not_synchronized_on",
			    json_pack("{s:{s:o}, s:n}", "links", "self",
				      files_link(id, "/relationships/not_synchronized_on"), "data"));
	json_decref(kids);
	return doc;
}
