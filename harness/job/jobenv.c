/* The COZY_* environment of a job; see jobenv.h. */
#include "harness/job/jobenv.h"

#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *jobenv_go_json(const json_t *v)
{
	char *raw = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (raw == NULL)
		return NULL;
	/* Go's encoder escapes HTML characters and the JS line separators; jansson does not. */
	struct buf b = {0};
	for (const char *p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '<')
			buf_puts(&b, "\\u003c");
		else if (c == '>')
			buf_puts(&b, "\\u003e");
		else if (c == '&')
			buf_puts(&b, "\\u0026");
		else if (c == 0xe2 && (unsigned char)p[1] == 0x80 &&
			 ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9)) {
			buf_puts(&b, (unsigned char)p[2] == 0xa8 ? "\\u2028" : "\\u2029");
			p += 2;
		} else
			buf_append(&b, p, 1);
	}
	free(raw);
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_steal(&b);
}

char *jobenv_fields(const char *slug, const char *account, const char *folder_to_save, const json_t *extra)
{
	json_t *msg = json_object();
	if (account != NULL)
		json_object_set_new(msg, "account", json_string(account));
	json_object_set_new(msg, "konnector", json_string(slug));
	if (folder_to_save != NULL)
		json_object_set_new(msg, "folder_to_save", json_string(folder_to_save));
	if (json_is_object(extra))
		json_object_update(msg, (json_t *)extra);
	char *s = jobenv_go_json(msg);
	json_decref(msg);
	return s;
}

char *jobenv_parameters(const json_t *manifest_params, const json_t *dev_params, const json_t *secret)
{
	json_t *params;
	if (json_is_object(manifest_params))
		params = json_deep_copy(manifest_params);
	else if (manifest_params != NULL && !json_is_null(manifest_params))
		return jobenv_go_json(manifest_params); /* not a map: Go marshals it as is */
	else
		params = NULL;
	if (json_is_object(dev_params)) {
		if (params == NULL)
			params = json_object();
		json_object_update(params, (json_t *)dev_params);
	}
	/* stack: worker/exec/konnector.go PrepareCmdEnv: the secret overrides a parameter of that name */
	if (secret != NULL) {
		if (params == NULL)
			params = json_object();
		json_object_set(params, "secret", (json_t *)secret);
	}
	if (params == NULL)
		return strdup("null");
	char *s = jobenv_go_json(params);
	json_decref(params);
	return s;
}

char *jobenv_payload(const char *body, size_t len, int *big)
{
	*big = 0;
	if (body == NULL || len == 0)
		return strdup("");
	/* stack: worker/exec/common.go preparePayload: decoded into a map; any failure → "" */
	json_t *v = json_loadb(body, len, 0, NULL);
	if (!json_is_object(v)) {
		json_decref(v);
		return strdup("");
	}
	char *s = jobenv_go_json(v);
	json_decref(v);
	if (s != NULL && strlen(s) > JOBENV_PAYLOAD_MAX)
		*big = 1;
	return s;
}

const char *jobenv_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

struct envlist {
	char **v;
	size_t n, cap;
};

/* Index of the variable named like kv ("KEY=…" or "KEY"), or -1. */
static long envlist_find(const struct envlist *l, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->v[i], kv, klen) == 0 && l->v[i][klen] == '=')
			return (long)i;
	return -1;
}

/* Append (or with replace, overwrite) one KEY=VAL; takes ownership of kv. */
static int envlist_put(struct envlist *l, char *kv, int replace)
{
	if (kv == NULL)
		return -1;
	long at = envlist_find(l, kv);
	if (at >= 0) {
		if (replace) {
			free(l->v[at]);
			l->v[at] = kv;
		} else
			free(kv);
		return 0;
	}
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL) {
			free(kv);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = kv;
	l->v[l->n] = NULL;
	return 0;
}

/* "name=value" malloc'd. */
static char *kv_make(const char *name, const char *value)
{
	char *s = NULL;
	if (asprintf(&s, "%s=%s", name, value) < 0)
		return NULL;
	return s;
}

char **jobenv_build(const struct job *job, char *err)
{
	struct envlist l = {0};
	char limit[32], *job_id = NULL;
	snprintf(limit, sizeof(limit), "%lld", job->time_limit_s + 5);
	if (asprintf(&job_id, "konnector/0/%s", job->job_id ? job->job_id : "") < 0) {
		err_set(err, "out of memory");
		return NULL;
	}
	/* stack: worker/exec/konnector.go PrepareCmdEnv: this list, in this order, and nothing else */
	int rc = 0;
	rc |= envlist_put(&l, kv_make("COZY_URL", job->url ? job->url : ""), 1);
	rc |= envlist_put(&l, kv_make("COZY_CREDENTIALS", job->credentials ? job->credentials : ""), 1);
	rc |= envlist_put(&l, kv_make("COZY_FIELDS", job->fields ? job->fields : "{}"), 1);
	rc |= envlist_put(&l, kv_make("COZY_PARAMETERS", job->parameters ? job->parameters : "null"), 1);
	rc |= envlist_put(&l, kv_make("COZY_PAYLOAD", job->payload ? job->payload : ""), 1);
	rc |= envlist_put(&l, kv_make("COZY_LANGUAGE", job->language ? job->language : "node"), 1);
	rc |= envlist_put(&l, kv_make("COZY_LOCALE", job->locale ? job->locale : "en"), 1);
	rc |= envlist_put(&l, kv_make("COZY_TIME_LIMIT", limit), 1);
	rc |= envlist_put(&l, kv_make("COZY_JOB_ID", job_id), 1);
	rc |= envlist_put(&l, kv_make("COZY_JOB_MANUAL_EXECUTION", job->manual ? "true" : "false"), 1);
	if (job->trigger_id != NULL)
		rc |= envlist_put(&l, kv_make("COZY_TRIGGER_ID", job->trigger_id), 1);
	free(job_id);
	/* Not the stack's: node has to be found. The stack's run script relies on bash's default PATH. */
	if (job->path != NULL)
		rc |= envlist_put(&l, kv_make("PATH", job->path), 1);
	for (char *const *p = job->inherit; rc == 0 && p != NULL && *p != NULL; p++)
		if (strchr(*p, '=') != NULL)
			rc |= envlist_put(&l, strdup(*p), 0);
	for (char *const *p = job->extra; rc == 0 && p != NULL && *p != NULL; p++) {
		if (strchr(*p, '=') == NULL || **p == '=') {
			jobenv_free(l.v);
			err_set(err, "--env %s: expected KEY=VALUE", *p);
			return NULL;
		}
		rc |= envlist_put(&l, strdup(*p), 1);
	}
	if (rc != 0 || l.v == NULL) {
		jobenv_free(l.v);
		err_set(err, "out of memory");
		return NULL;
	}
	return l.v;
}

void jobenv_free(char **env)
{
	for (char **p = env; p != NULL && *p != NULL; p++)
		free(*p);
	free(env);
}
