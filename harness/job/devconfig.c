/* konnector-dev-config.json: comments, shape checks, the account document. */
#include "harness/job/devconfig.h"

#include "common/atomic_file.h"
#include "common/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void devconfig_strip_comments(char *t, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (t[i] == '"') {
			/* a JSON string: skip to its closing quote, honouring backslash escapes */
			i++;
			while (i < len && t[i] != '"' && t[i] != '\n') {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			if (i < len && t[i] == '"')
				i++;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			while (i < len && t[i] != '\n')
				t[i++] = ' ';
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			t[i] = t[i + 1] = ' ';
			i += 2;
			while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
				if (t[i] != '\n' && t[i] != '\r')
					t[i] = ' ';
				i++;
			}
			if (i < len) { /* the closing star-slash; an unclosed comment runs to the end */
				t[i] = t[i + 1] = ' ';
				i += 2;
			}
		} else {
			i++;
		}
	}
}

/* Member key of root must be an object (or absent/null → *out NULL). */
static int object_member(json_t *root, const char *key, json_t **out, const char *path, char *err)
{
	json_t *v = json_object_get(root, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_set(err, "%s: \"%s\" must be a JSON object", path, key);
	*out = v;
	return 0;
}

int devconfig_parse(const char *text, size_t len, const char *path, struct devconfig *dc, char *err)
{
	memset(dc, 0, sizeof(*dc));
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return err_set(err, "%s: out of memory", path);
	memcpy(copy, text, len);
	copy[len] = '\0';
	devconfig_strip_comments(copy, len);
	json_error_t je;
	json_t *root = json_loadb(copy, len, JSON_REJECT_DUPLICATES, &je);
	free(copy);
	if (root == NULL)
		return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(err, "%s:1:1: the dev config must be a JSON object", path);
	}
	dc->root = root;
	if (object_member(root, "fields", &dc->fields, path, err) < 0 ||
	    object_member(root, "COZY_FIELDS", &dc->cozy_fields, path, err) < 0 ||
	    object_member(root, "COZY_PARAMETERS", &dc->cozy_parameters, path, err) < 0) {
		devconfig_free(dc);
		return -1;
	}
	if (dc->fields == NULL) {
		dc->fields = json_object();
		json_object_set_new(root, "fields", dc->fields);
	}
	return 0;
}

enum devconfig_status devconfig_load(const char *path, struct devconfig *dc, char *err)
{
	memset(dc, 0, sizeof(*dc));
	struct stat st;
	if (stat(path, &st) < 0 && errno == ENOENT) {
		err_set(err, "%s: no such file", path);
		return DEVCONFIG_MISSING;
	}
	size_t len;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return DEVCONFIG_BAD;
	int rc = devconfig_parse(text, len, path, dc, err);
	free(text);
	return rc == 0 ? DEVCONFIG_OK : DEVCONFIG_BAD;
}

void devconfig_free(struct devconfig *dc)
{
	json_decref(dc->root);
	memset(dc, 0, sizeof(*dc));
}

/* These keys describe a token, not a login form: they go under the account's oauth (docs/STACK.md). */
static const char *const oauth_keys[] = {"access_token", "refresh_token", "token_type", "expires_at", "scope", "id_token"};

int devconfig_is_oauth_key(const char *key)
{
	for (size_t i = 0; i < sizeof(oauth_keys) / sizeof(oauth_keys[0]); i++)
		if (strcmp(key, oauth_keys[i]) == 0)
			return 1;
	return 0;
}

json_t *devconfig_account(const struct devconfig *dc, const char *slug, const char *id)
{
	json_t *acc = json_object();
	json_t *auth = json_object(), *oauth = json_object();
	const char *key;
	json_t *val;
	json_object_foreach(dc->fields, key, val)
	{
		json_object_set(devconfig_is_oauth_key(key) ? oauth : auth, key, val);
	}
	json_object_set_new(acc, "_id", json_string(id));
	json_object_set_new(acc, "account_type", json_string(slug));
	json_object_set_new(acc, "auth", auth);
	if (json_object_size(oauth) > 0)
		json_object_set_new(acc, "oauth", oauth);
	else
		json_decref(oauth);
	return acc;
}

char *devconfig_template(const struct manifest *m)
{
	json_t *root = json_object(), *fields = json_object();
	json_t *names = manifest_field_names(m);
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name)
	{
		json_object_set_new(fields, json_string_value(name), json_string(""));
	}
	json_decref(names);
	json_object_set_new(root, "fields", fields);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return NULL;
	size_t n = strlen(text);
	char *out = realloc(text, n + 2);
	if (out == NULL) {
		free(text);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}
