/* Mango index definitions (POST _index) as CouchDB design docs, and _design_docs. */
#include "fake-stack/data/store_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/sha1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sort spec ("f" or {"f":"asc|desc"}) as {"f":"asc|desc"} pairs into fields_obj; -1 on a bad one. */
static int index_fields(const json_t *fields, json_t *fields_obj, char *err)
{
	if (!json_is_array(fields) || json_array_size(fields) == 0)
		return err_set(err, "Sort must be an array of sort specs");
	size_t i;
	json_t *f;
	json_array_foreach (fields, i, f) {
		if (json_is_string(f) && json_string_length(f) > 0) {
			json_object_set_new(fields_obj, json_string_value(f), json_string("asc"));
		} else if (json_is_object(f) && json_object_size(f) == 1) {
			const char *k = json_object_iter_key(json_object_iter((json_t *)f));
			const char *dir = json_string_value(json_object_iter_value(json_object_iter((json_t *)f)));
			if (dir == NULL || (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0))
				return err_set(err, "Invalid sort direction");
			json_object_set_new(fields_obj, k, json_string(dir));
		} else {
			return err_set(err, "Invalid sort field");
		}
	}
	return 0;
}

enum store_status store_index_put(struct store *st, const char *doctype, const json_t *body, const char **result,
				  char **id, char **name, char *err)
{
	/* CouchDB mango_opts validate_idx_create: index required; type, name, ddoc optional strings. */
	if (!json_is_object(body)) {
		err_set(err, "Invalid JSON value");
		return STORE_ERROR;
	}
	const json_t *def = json_object_get(body, "index");
	if (def == NULL) {
		err_set(err, "Missing required key: index");
		return STORE_ERROR;
	}
	if (!json_is_object(def)) {
		err_set(err, "JSON indexes must be an object");
		return STORE_ERROR;
	}
	const json_t *type = json_object_get(body, "type");
	if (type != NULL && (!json_is_string(type) || strcmp(json_string_value(type), "json") != 0)) {
		err_set(err, "Invalid type for index: %s", json_is_string(type) ? json_string_value(type) : "?");
		return STORE_ERROR;
	}
	const json_t *jname = json_object_get(body, "name"), *jddoc = json_object_get(body, "ddoc");
	if ((jname != NULL && !json_is_string(jname)) || (jddoc != NULL && !json_is_string(jddoc))) {
		err_set(err, "Invalid index name");
		return STORE_ERROR;
	}
	json_t *fields_obj = json_object();
	if (index_fields(json_object_get(def, "fields"), fields_obj, err) < 0) {
		json_decref(fields_obj);
		return STORE_ERROR;
	}
	const json_t *pfs = json_object_get(def, "partial_filter_selector");
	if (pfs != NULL && !json_is_object(pfs)) {
		json_decref(fields_obj);
		err_set(err, "Selector must be a JSON object");
		return STORE_ERROR;
	}
	/* mango_idx_view make_view: map = normalized def, reduce _count, options.def = def as given. */
	json_t *map = json_object();
	json_object_set_new(map, "fields", fields_obj);
	json_object_set_new(map, "partial_filter_selector", pfs != NULL ? json_deep_copy(pfs) : json_object());
	json_t *view = json_pack("{s:o, s:s, s:{s:O}}", "map", map, "reduce", "_count", "options", "def", def);

	/* CouchDB names an unnamed index with a SHA-1 of its definition (mango_idx gen_name); ours hashes the canonical
	 * JSON. */
	char *canon = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS);
	char hash[41];
	sha1_hex(canon, strlen(canon), hash);
	free(canon);
	const char *iname = jname != NULL ? json_string_value(jname) : hash;
	struct buf ddid = {0};
	const char *dd = jddoc != NULL ? json_string_value(jddoc) : hash;
	if (strncmp(dd, "_design/", 8) != 0)
		buf_puts(&ddid, "_design/");
	buf_puts(&ddid, dd);

	struct db *db = store_db_open(st, doctype);
	enum store_status s = STORE_OK;
	json_t *cur = db != NULL ? store_fetch(st, doctype, ddid.data, NULL) : NULL;
	json_t *old = cur != NULL ? json_object_get(json_object_get(cur, "views"), iname) : NULL;
	if (db == NULL) {
		err_set(err, "out of memory");
		s = STORE_ERROR;
	} else if (old != NULL && json_equal(json_object_get(old, "map"), map)) {
		*result = "exists";
	} else {
		json_t *ddoc = cur != NULL ? json_incref(cur) : json_pack("{s:s, s:{}}", "language", "query", "views");
		if (!json_is_object(json_object_get(ddoc, "views")))
			json_object_set_new(ddoc, "views", json_object());
		json_object_set(json_object_get(ddoc, "views"), iname, view);
		long gen = cur != NULL ? store_rev_gen(json_string_value(json_object_get(cur, "_rev"))) + 1
				       : store_tomb_gen(db, ddid.data) + 1;
		s = store_put(st, db, ddid.data, gen, ddoc, NULL, err);
		json_decref(ddoc);
		if (s == STORE_OK)
			db->indexes++; /* an index, not a document: counted apart */
		*result = "created";
	}
	json_decref(cur);
	json_decref(view);
	if (s == STORE_OK) {
		*id = buf_steal(&ddid);
		*name = strdup(iname);
	}
	buf_free(&ddid);
	return s;
}

int store_index_exists(const struct store *st, const char *doctype, const json_t *use_index)
{
	const char *ddoc = NULL, *view = NULL;
	if (json_is_string(use_index)) {
		ddoc = json_string_value(use_index);
	} else if (json_is_array(use_index) && json_array_size(use_index) >= 1) {
		ddoc = json_string_value(json_array_get(use_index, 0));
		view = json_string_value(json_array_get(use_index, 1));
	}
	if (ddoc == NULL)
		return 0;
	char *copy = NULL;
	if (strncmp(ddoc, "_design/", 8) == 0)
		ddoc += 8;
	/* "ddoc/name" (mango_opts validate_use_index) */
	const char *slash = strchr(ddoc, '/');
	if (view == NULL && slash != NULL) {
		copy = strndup(ddoc, (size_t)(slash - ddoc));
		view = slash + 1;
		ddoc = copy;
	}
	struct buf id = {0};
	buf_printf(&id, "_design/%s", ddoc);
	json_t *doc = store_fetch(st, doctype, id.data, NULL);
	int ok = doc != NULL && (view == NULL || json_object_get(json_object_get(doc, "views"), view) != NULL);
	json_decref(doc);
	buf_free(&id);
	free(copy);
	return ok;
}

json_t *store_index_design_docs(const struct store *st, const char *doctype)
{
	size_t n = store_count(st, doctype);
	json_t *rows = json_array();
	/* CouchDB _design_docs is _all_docs from "_design/" to "_design0": offset counts the ids before. */
	size_t offset = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = store_id_at(st, doctype, i);
		if (strcmp(id, "_design/") < 0)
			offset++;
		if (strncmp(id, "_design/", 8) != 0)
			continue;
		json_array_append_new(rows,
				      json_pack("{s:s, s:s, s:{s:s}, s:o}", "id", id, "key", id, "value", "rev",
						store_rev_at(st, doctype, i), "doc", store_fetch_at(st, doctype, i)));
	}
	return json_pack("{s:I, s:I, s:o}", "total_rows", (json_int_t)n, "offset", (json_int_t)offset, "rows", rows);
}
