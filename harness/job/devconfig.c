/* konnector-dev-config.json: comments, shape checks, the account document. */
#include "harness/job/devconfig.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/jsonc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void devconfig_strip_comments(char *t, size_t len)
{
	jsonc_strip_comments(t, len);
}

/* Member key of root must be an object (or absent/null → *out NULL). */
static int object_member(json_t *root, const char *key, json_t **out, const char *text, size_t len, const char *path,
			 char *err)
{
	json_t *v = json_object_get(root, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		const char *const at[] = {key};
		struct jsonc_pos pos = {1, 1, 1, 1};
		jsonc_locate(text, len, at, 1, &pos);
		return err_set(err, "%s:%d:%d: \"%s\" must be a JSON object", path, pos.line, pos.col, key);
	}
	*out = v;
	return 0;
}

int devconfig_parse(const char *text, size_t len, const char *path, struct devconfig *dc, char *err)
{
	memset(dc, 0, sizeof(*dc));
	struct jsonc_error ce;
	if (jsonc_check(text, len, JSONC_COMMENTS, &ce) < 0)
		return err_set(
			err, "%s:%d:%d: %s%s", path, ce.line, ce.col, ce.text,
			ce.kind == JSONC_TRAILING_COMMA
				? " (cozy-konnector-dev reads this file with JSON.parse after stripping comments: "
				  "it refuses trailing commas too)"
				: "");
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return err_set(err, "%s: out of memory", path);
	memcpy(copy, text, len);
	copy[len] = '\0';
	devconfig_strip_comments(copy, len);
	json_error_t je;
	json_t *root = json_loadb(copy, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		free(copy);
		return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	if (!json_is_object(root)) {
		free(copy);
		json_decref(root);
		return err_set(err, "%s:1:1: the dev config must be a JSON object", path);
	}
	memcpy(copy, text, len); /* the text as written, for the positions of warnings */
	dc->root = root;
	dc->text = copy;
	dc->len = len;
	if (object_member(root, "fields", &dc->fields, text, len, path, err) < 0 ||
	    object_member(root, "COZY_FIELDS", &dc->cozy_fields, text, len, path, err) < 0 ||
	    object_member(root, "COZY_PARAMETERS", &dc->cozy_parameters, text, len, path, err) < 0) {
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
	free(dc->text);
	memset(dc, 0, sizeof(*dc));
}

/* Levenshtein distance of a and b, stopping at 3 ("far"). */
static size_t devconfig_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2)
		return 3;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The declared name closest to key (distance 1 or 2), or NULL. */
static const char *devconfig_closest(const char *key, const json_t *names)
{
	const char *best = NULL;
	size_t best_d = 3, i;
	const json_t *n;
	json_array_foreach (names, i, n) {
		size_t d = devconfig_distance(key, json_string_value(n));
		if (d < best_d) {
			best_d = d;
			best = json_string_value(n);
		}
	}
	return best;
}

/* "path:line:col: " of member path[0..depth) into out. */
static void devconfig_where(const struct devconfig *dc, const char *path, const char *const *keys, size_t depth,
			    char *out, size_t len)
{
	struct jsonc_pos pos;
	if (dc->text != NULL && jsonc_locate(dc->text, dc->len, keys, depth, &pos))
		snprintf(out, len, "%s:%d:%d: ", path, pos.key_line, pos.key_col);
	else
		snprintf(out, len, "%s: ", path);
}

void devconfig_check_keys(const struct devconfig *dc, const struct manifest *m, const char *path, json_t *warnings)
{
	/* libs: packages/cozy-jobs-cli/src/konnector-dev.js and inject-dev-account.js read these */
	static const char *const top[] = {"fields", "COZY_FIELDS", "COZY_PARAMETERS", "COZY_URL"};
	char where[PATH_MAX + 64], w[PATH_MAX + 512];
	const char *key;
	json_t *v;
	json_object_foreach (dc->root, key, v) {
		size_t i, n = sizeof(top) / sizeof(top[0]);
		for (i = 0; i < n && strcmp(key, top[i]) != 0; i++)
			;
		if (i < n)
			continue;
		const char *const at[] = {key};
		devconfig_where(dc, path, at, 1, where, sizeof(where));
		snprintf(w, sizeof(w),
			 "%sunknown key \"%s\": the dev config has fields, COZY_FIELDS, COZY_PARAMETERS "
			 "and COZY_URL; this one is ignored",
			 where, key);
		json_array_append_new(warnings, json_string(w));
	}
	if (m == NULL || m->fields == NULL)
		return;
	json_t *names = manifest_field_names(m);
	/* the advanced fields (folderPath…) are declared too, under either spelling */
	static const char *const adv[] = {"advanced_fields", "advancedFields"};
	for (size_t k = 0; k < sizeof(adv) / sizeof(adv[0]); k++) {
		const char *ak;
		json_t *av;
		json_object_foreach (json_object_get(m->fields, adv[k]), ak, av) {
			json_array_append_new(names, json_string(ak));
		}
	}
	json_object_foreach (dc->fields, key, v) {
		size_t i;
		json_t *n;
		int declared = devconfig_is_oauth_key(key);
		json_array_foreach (names, i, n)
			declared |= strcmp(key, json_string_value(n)) == 0;
		if (declared)
			continue;
		const char *const at[] = {"fields", key};
		devconfig_where(dc, path, at, 2, where, sizeof(where));
		const char *near = devconfig_closest(key, names);
		snprintf(w, sizeof(w),
			 "%sfields.%s is not a field of the manifest%s%s%s; the konnector gets it in "
			 "account.auth all the same",
			 where, key, near ? " (a typo for \"" : "", near ? near : "", near ? "\"?)" : "");
		json_array_append_new(warnings, json_string(w));
	}
	json_decref(names);
}

/*
 * A token's keys, not a login form's: the account keeps them in `oauth`
 * (stack: model/account/accounts.go OauthInfo); scope and id_token come in a
 * provider's token answer too.
 */
static const char *const oauth_keys[] = {"access_token", "refresh_token", "token_type",
					 "expires_at",   "scope",         "id_token"};

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
	json_object_foreach (dc->fields, key, val) {
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
	json_array_foreach (names, i, name) {
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
