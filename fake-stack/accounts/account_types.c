/* Account type fixtures and canned refresh answers (see account_types.h). */
#include "fake-stack/accounts/account_types.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/jsmn_wrap.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct account_types {
	json_t *types;   /* array of docs, in file name order */
	json_t *refresh; /* {"<account_type>": <file content>} */
};

static const json_t *find_exact(const struct account_types *at, const char *id);

/* stack: model/account/type.go, AccountType's string fields (JSON names). */
static const char *const string_fields[] = {
	"_id",
	"_rev",
	"slug",
	"grant_mode",
	"client_id",
	"client_secret",
	"auth_endpoint",
	"manage_endpoint",
	"token_endpoint",
	"reconnect_endpoint",
	"token_mode",
	"redirect_uri",
};
static const char *const bool_fields[] = {"skip_redirect_uri_on_authorize", "skip_state_on_token"};

/* Line and column (1-based) of offset in text. */
static void text_position(const char *text, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Offset of the value of top-level key in the JSON text, or -1. */
static long key_value_offset(const char *text, const char *key)
{
	jsmn_parser p;
	jsmn_init(&p);
	size_t len = strlen(text);
	int n = jsmn_parse(&p, text, len, NULL, 0);
	if (n <= 0)
		return -1;
	jsmntok_t *tok = calloc((size_t)n, sizeof(*tok));
	if (tok == NULL)
		return -1;
	jsmn_init(&p);
	long found = -1;
	if (jsmn_parse(&p, text, len, tok, (unsigned)n) > 0 && tok[0].type == JSMN_OBJECT) {
		for (int i = 1; i + 1 < n; i++) {
			if (tok[i].parent != 0 || tok[i].type != JSMN_STRING)
				continue;
			size_t klen = (size_t)(tok[i].end - tok[i].start);
			if (klen == strlen(key) && memcmp(text + tok[i].start, key, klen) == 0)
				found = tok[i + 1].start - (tok[i + 1].type == JSMN_STRING ? 1 : 0);
		}
	}
	free(tok);
	return found;
}

/* "file:line:column: " for key in text, or "file: " when unknown. */
static int fail_at(char *err, const char *file, const char *text, const char *key, const char *what)
{
	long off = text != NULL ? key_value_offset(text, key) : -1;
	if (off < 0)
		return err_set(err, "%s: %s %s", file, key, what);
	int line, col;
	text_position(text, (size_t)off, &line, &col);
	return err_set(err, "%s:%d:%d: %s %s", file, line, col, key, what);
}

int account_types_check(const json_t *doc, const char *file, const char *text, char *err)
{
	if (!json_is_object(doc))
		return err_set(err, "%s:1:1: an account type must be a JSON object", file);
	for (size_t i = 0; i < sizeof(string_fields) / sizeof(string_fields[0]); i++) {
		const json_t *v = json_object_get(doc, string_fields[i]);
		if (v != NULL && !json_is_null(v) && !json_is_string(v))
			return fail_at(err, file, text, string_fields[i], "must be a string");
	}
	for (size_t i = 0; i < sizeof(bool_fields) / sizeof(bool_fields[0]); i++) {
		const json_t *v = json_object_get(doc, bool_fields[i]);
		if (v != NULL && !json_is_null(v) && !json_is_boolean(v))
			return fail_at(err, file, text, bool_fields[i], "must be true or false");
	}
	const json_t *extras = json_object_get(doc, "extras");
	if (extras != NULL && !json_is_null(extras)) {
		if (!json_is_object(extras))
			return fail_at(err, file, text, "extras", "must be an object of strings");
		const char *k;
		const json_t *v;
		json_object_foreach ((json_t *)extras, k, v) {
			if (!json_is_string(v))
				return fail_at(err, file, text, "extras", "must be an object of strings");
		}
	}
	return 0;
}

/* Parse path; a syntax error reads "path:line:column: what". *text gets the source. */
static json_t *load_json(const char *path, char **text, char *err)
{
	size_t len;
	*text = file_read_all(path, &len, err);
	if (*text == NULL)
		return NULL;
	json_error_t je;
	json_t *doc = json_loadb(*text, len, JSON_DECODE_ANY, &je);
	if (doc == NULL) {
		err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		free(*text);
		*text = NULL;
	}
	return doc;
}

/* The .json file names of dir, sorted; NULL entries list on a missing dir (*n = 0). */
static int list_json(const char *dir, char ***names, size_t *n, char *err)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, "%s: %s", dir, strerror(errno));
	}
	struct dirent *e;
	size_t cap = 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0 || e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			char **more = realloc(*names, cap * sizeof(char *));
			if (more == NULL)
				break;
			*names = more;
		}
		(*names)[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
			char *t = (*names)[j];
			(*names)[j] = (*names)[j - 1];
			(*names)[j - 1] = t;
		}
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

typedef int (*load_one_fn)(struct account_types *at, const char *path, const char *text, const char *stem, json_t *doc,
			   char *err);

/* Load every <stem>.json of dir, in name order, handing each to one(); stops at the first error. */
static int load_dir(struct account_types *at, const char *dir, load_one_fn one, char *err)
{
	char **names;
	size_t n;
	if (list_json(dir, &names, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *path, *text;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = err_set(err, "out of memory");
			break;
		}
		json_t *doc = load_json(path, &text, err);
		if (doc == NULL) {
			free(path);
			rc = -1;
			break;
		}
		names[i][strlen(names[i]) - 5] = '\0'; /* the stem: without ".json" */
		rc = one(at, path, text, names[i], doc, err);
		json_decref(doc);
		free(text);
		free(path);
	}
	free_names(names, n);
	return rc;
}

/* One account_types/<id>.json into at->types (the file name is the _id when the doc has none). */
static int load_type(struct account_types *at, const char *path, const char *text, const char *stem, json_t *doc,
		     char *err)
{
	if (account_types_check(doc, path, text, err) < 0)
		return -1;
	if (json_object_get(doc, "_id") == NULL || json_is_null(json_object_get(doc, "_id")))
		json_object_set_new(doc, "_id", json_string(stem));
	const char *id = json_string_value(json_object_get(doc, "_id"));
	if (find_exact(at, id) != NULL)
		return err_set(err, "%s: account type %s is defined twice", path, id);
	json_array_append(at->types, doc);
	return 0;
}

/* One refresh/<type>.json canned answer into at->refresh. */
static int load_refresh_one(struct account_types *at, const char *path, const char *text, const char *stem, json_t *doc,
			    char *err)
{
	json_t *status = json_object_get(doc, "status");
	if (!json_is_object(doc))
		return err_set(err, "%s:1:1: a canned refresh answer must be a JSON object", path);
	if (status != NULL &&
	    (!json_is_integer(status) || json_integer_value(status) < 100 || json_integer_value(status) > 599))
		return fail_at(err, path, text, "status", "must be an HTTP status (100-599)");
	if (status != NULL && json_object_get(doc, "body") == NULL)
		return err_set(err, "%s: a canned answer with \"status\" needs a \"body\"", path);
	json_object_set(at->refresh, stem, doc);
	return 0;
}

struct account_types *account_types_load(const char *fixtures_dir, char *err)
{
	struct account_types *at = calloc(1, sizeof(*at));
	if (at == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	at->types = json_array();
	at->refresh = json_object();
	if (fixtures_dir != NULL) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/account_types", fixtures_dir);
		if (load_dir(at, dir, load_type, err) < 0) {
			account_types_free(at);
			return NULL;
		}
		snprintf(dir, sizeof(dir), "%s/refresh", fixtures_dir);
		if (load_dir(at, dir, load_refresh_one, err) < 0) {
			account_types_free(at);
			return NULL;
		}
	}
	return at;
}

void account_types_free(struct account_types *at)
{
	if (at == NULL)
		return;
	json_decref(at->types);
	json_decref(at->refresh);
	free(at);
}

const json_t *account_types_all(const struct account_types *at)
{
	return at->types;
}

/* The doc whose _id is exactly id, or NULL. */
static const json_t *find_exact(const struct account_types *at, const char *id)
{
	size_t i;
	const json_t *doc;
	json_array_foreach (at->types, i, doc) {
		const char *did = json_string_value(json_object_get(doc, "_id"));
		if (did != NULL && strcmp(did, id) == 0)
			return doc;
	}
	return NULL;
}

/* stack: model/account/type.go TypeInfo: "<context>/<id>" first, then "<id>"; the fake's context is "". */
const json_t *account_types_find(const struct account_types *at, const char *id)
{
	if (id == NULL || id[0] == '\0')
		return NULL;
	char ctx_id[1024];
	snprintf(ctx_id, sizeof(ctx_id), "/%s", id);
	const json_t *doc = find_exact(at, ctx_id);
	return doc != NULL ? doc : find_exact(at, id);
}

const json_t *account_types_canned_refresh(const struct account_types *at, const char *account_type, int *status)
{
	const json_t *doc = account_type != NULL ? json_object_get(at->refresh, account_type) : NULL;
	if (doc == NULL)
		return NULL;
	const json_t *st = json_object_get(doc, "status");
	if (st != NULL) {
		*status = (int)json_integer_value(st);
		return json_object_get(doc, "body");
	}
	const json_t *e = json_object_get(doc, "error");
	*status = (e != NULL && !json_is_null(e)) ? 400 : 200;
	return doc;
}

int account_types_has_secret_grant(const char *grant_mode)
{
	static const char *const modes[] = {"secret", "bi_webauth+secret", "bi_webview+secret",
					    "authorization_code+secret"};
	if (grant_mode == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(grant_mode, modes[i]) == 0)
			return 1;
	return 0;
}

/*
 * stack: model/account/type.go filterByContext with context "": docs "/<id>"
 * first, then global docs not overloaded by one of them; other contexts'
 * docs are left out. Counts what remains for slug; *last gets one of them.
 */
static size_t count_by_slug(const struct account_types *at, const char *slug, const json_t **last)
{
	size_t count = 0, i;
	const json_t *doc;
	json_array_foreach (at->types, i, doc) {
		const char *s = json_string_value(json_object_get(doc, "slug"));
		const char *id = json_string_value(json_object_get(doc, "_id"));
		if (s == NULL || id == NULL || strcmp(s, slug) != 0)
			continue;
		const char *slash = strchr(id, '/');
		if (slash != NULL && slash != id)
			continue; /* another context's doc */
		if (slash == NULL) {
			char ctx_id[1024];
			snprintf(ctx_id, sizeof(ctx_id), "/%s", id);
			const json_t *over = find_exact(at, ctx_id);
			const char *os = over ? json_string_value(json_object_get(over, "slug")) : NULL;
			if (os != NULL && strcmp(os, slug) == 0)
				continue; /* overloaded for this context */
		}
		count++;
		*last = doc;
	}
	return count;
}

int account_types_secret(const struct account_types *at, const char *slug, const json_t **secret)
{
	const json_t *doc = NULL;
	if (slug == NULL || count_by_slug(at, slug, &doc) != 1)
		return 0;
	if (!account_types_has_secret_grant(json_string_value(json_object_get(doc, "grant_mode"))))
		return 0;
	const json_t *s = json_object_get(doc, "secret");
	*secret = s != NULL ? s : json_null(); /* Go: a nil interface{} encodes as null */
	return 1;
}
