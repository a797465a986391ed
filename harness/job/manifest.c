/* Reading manifest.konnector with jansson (line and column on errors). */
#include "harness/job/manifest.h"

#include "common/atomic_file.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* A string member or NULL. */
static const char *str_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* stack: model/app/konnector.go hasFolderPath: `folders` non-empty, or fields.advanced_fields.folderPath */
static int manifest_wants_folder(json_t *root)
{
	json_t *folders = json_object_get(root, "folders");
	if (folders != NULL && !json_is_null(folders) &&
	    !(json_is_array(folders) && json_array_size(folders) == 0))
		return 1;
	json_t *adv = json_object_get(json_object_get(root, "fields"), "advanced_fields");
	return json_object_get(adv, "folderPath") != NULL;
}

int manifest_parse(const char *text, size_t len, const char *path, struct manifest *m, char *err)
{
	memset(m, 0, sizeof(*m));
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(err, "%s:1:1: the manifest must be a JSON object", path);
	}
	m->root = root;
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
	json_object_foreach(m->fields, key, val)
	{
		if (strcmp(key, "advanced_fields") != 0)
			json_array_append_new(names, json_string(key));
	}
	return names;
}
