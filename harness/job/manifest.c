/* Reading manifest.konnector with jansson (line and column on errors). */
#include "harness/job/manifest.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/jsonc.h"

#include <stdlib.h>
#include <string.h>

/* A string member or NULL. */
static const char *str_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* stack: model/app/konnector.go hasFolderPath: `folders` is an array (even empty), or fields.advanced_fields.folderPath
 * is not null */
static int manifest_wants_folder(json_t *root)
{
	if (json_is_array(json_object_get(root, "folders")))
		return 1;
	json_t *adv = json_object_get(json_object_get(root, "fields"), "advanced_fields");
	json_t *fp = json_object_get(adv, "folderPath");
	return fp != NULL && !json_is_null(fp);
}

/* Home's needsFolder (cozy-harvest helpers/konnectors.js): a `folders` key, or fields.advancedFields.folderPath
 * (legacy). */
static int manifest_home_wants_folder(json_t *root)
{
	if (json_object_get(root, "folders") != NULL)
		return 1;
	json_t *adv = json_object_get(json_object_get(root, "fields"), "advancedFields");
	return json_is_object(adv) && json_object_get(adv, "folderPath") != NULL;
}

/*
 * The account's `identifier` as Home sets it (cozy-harvest helpers/accounts.js
 * build; cozy-client packages/cozy-client/src/models/manifest.js getIdentifier):
 * advancedFields left aside, the first field with role "identifier"; else the
 * first of login, identifier, new_identifier, email; else the first field
 * whose type is not "password". NULL when none.
 */
static const char *manifest_identifier(json_t *fields)
{
	const char *k;
	json_t *f;
	json_object_foreach (fields, k, f) {
		const char *role = json_string_value(json_object_get(f, "role"));
		if (strcmp(k, "advancedFields") != 0 && role != NULL && strcmp(role, "identifier") == 0)
			return k;
	}
	static const char *const legacy[] = {"login", "identifier", "new_identifier", "email"};
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		if (json_is_object(json_object_get(fields, legacy[i])))
			return json_object_iter_key(json_object_iter_at(fields, legacy[i]));
	json_object_foreach (fields, k, f) {
		const char *type = json_string_value(json_object_get(f, "type"));
		/* lodash: a field that is not an object cannot take a role */
		if (strcmp(k, "advancedFields") != 0 && json_is_object(f) &&
		    (type == NULL || strcmp(type, "password") != 0))
			return k;
	}
	return NULL;
}

static const char *manifest_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/*
 * Known members of the wrong type. stack: model/app/konnector.go decodes the
 * manifest into KonnManifest, whose string members refuse any other type
 * (ErrBadManifest) and whose permissions are an object of rules; fields,
 * folders, oauth, locales… are kept raw there, but Home and
 * cozy-konnector-libs read them with these shapes. null is always fine.
 */
static int manifest_check_types(const json_t *root, const char *text, size_t len, const char *path, char *err)
{
	static const struct {
		const char *key;
		json_type type;
	} known[] = {
		{"slug", JSON_STRING},
		{"name", JSON_STRING},
		{"name_prefix", JSON_STRING},
		{"editor", JSON_STRING},
		{"icon", JSON_STRING},
		{"type", JSON_STRING},
		{"license", JSON_STRING},
		{"language", JSON_STRING},
		{"vendor_link", JSON_STRING},
		{"frequency", JSON_STRING},
		{"on_delete_account", JSON_STRING},
		{"source", JSON_STRING},
		{"version", JSON_STRING},
		{"fields", JSON_OBJECT},
		{"permissions", JSON_OBJECT},
		{"oauth", JSON_OBJECT},
		{"locales", JSON_OBJECT},
		{"developer", JSON_OBJECT},
		{"folders", JSON_ARRAY},
		{"langs", JSON_ARRAY},
		{"categories", JSON_ARRAY},
		{"data_types", JSON_ARRAY},
		{"screenshots", JSON_ARRAY},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const json_t *v = json_object_get(root, known[i].key);
		if (v == NULL || json_is_null(v) || json_typeof(v) == known[i].type)
			continue;
		const char *const at[] = {known[i].key};
		struct jsonc_pos pos = {1, 1, 1, 1};
		jsonc_locate(text, len, at, 1, &pos);
		const char *want = known[i].type == JSON_STRING   ? "a string"
				   : known[i].type == JSON_OBJECT ? "an object"
								  : "an array";
		return err_set(err, "%s:%d:%d: \"%s\" must be %s, not %s", path, pos.line, pos.col, known[i].key, want,
			       manifest_type_name(v));
	}
	return 0;
}

int manifest_parse(const char *text, size_t len, const char *path, struct manifest *m, char *err)
{
	memset(m, 0, sizeof(*m));
	struct jsonc_error ce;
	if (jsonc_check(text, len, 0, &ce) < 0)
		return err_set(err, "%s:%d:%d: %s", path, ce.line, ce.col, ce.text);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(err, "%s:1:1: the manifest must be a JSON object", path);
	}
	m->root = root;
	if (manifest_check_types(root, text, len, path, err) < 0) {
		manifest_free(m);
		return -1;
	}
	m->slug = str_member(root, "slug");
	if (m->slug == NULL || m->slug[0] == '\0') {
		manifest_free(m);
		return err_set(err, "%s: the manifest has no \"slug\" string", path);
	}
	for (const char *p = m->slug; *p; p++) {
		if (*p == '/' || *p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
			manifest_free(m);
			return err_set(err, "%s: the slug \"%s\" has a character a slug cannot have", path, m->slug);
		}
	}
	m->name = str_member(root, "name");
	if (m->name == NULL || m->name[0] == '\0')
		m->name = m->slug;
	m->language = str_member(root, "language");
	if (m->language == NULL || m->language[0] == '\0')
		m->language = "node";
	m->on_delete_account = str_member(root, "on_delete_account");
	if (m->on_delete_account != NULL && m->on_delete_account[0] == '\0')
		m->on_delete_account = NULL;
	json_t *v = json_object_get(root, "fields");
	m->fields = json_is_object(v) ? v : NULL;
	v = json_object_get(root, "permissions");
	m->permissions = json_is_object(v) ? v : NULL;
	v = json_object_get(root, "parameters");
	m->parameters = (v != NULL && !json_is_null(v)) ? v : NULL;
	m->wants_folder = manifest_wants_folder(root);
	m->home_wants_folder = manifest_home_wants_folder(root);
	m->identifier = m->fields ? manifest_identifier(m->fields) : NULL;
	return 0;
}

int manifest_load(const char *path, struct manifest *m, char *err)
{
	size_t len;
	char ferr[ERR_MAX];
	char *text = file_read_all(path, &len, ferr);
	if (text == NULL) {
		memset(m, 0, sizeof(*m));
		return err_set(err, "%s", ferr);
	}
	int rc = manifest_parse(text, len, path, m, err);
	free(text);
	return rc;
}

void manifest_free(struct manifest *m)
{
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

json_t *manifest_field_names(const struct manifest *m)
{
	json_t *names = json_array();
	const char *key;
	json_t *val;
	json_object_foreach (m->fields, key, val) {
		if (strcmp(key, "advanced_fields") != 0 && strcmp(key, "advancedFields") != 0)
			json_array_append_new(names, json_string(key));
	}
	return names;
}
