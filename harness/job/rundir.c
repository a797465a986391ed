/* The run directory; see rundir.h. */
#include "harness/job/rundir.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REDACTED "<redacted>"

/* The highest numbered entry of base, 0 when none. */
static int rundir_highest(const char *base)
{
	DIR *d = opendir(base);
	int max = 0;
	if (d == NULL)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && *end == '\0' && v > max && v < 1000000000)
			max = (int)v;
	}
	closedir(d);
	return max;
}

static int rundir_cmp_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x < y) - (x > y);
}

int rundir_prune(const char *base, int keep, const char *protect, char *err)
{
	DIR *d = opendir(base);
	if (d == NULL)
		return 0;
	int *nums = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end != '\0' || v >= 1000000000)
			continue;
		if (n == cap) {
			int *nn = realloc(nums, (cap = cap ? 2 * cap : 64) * sizeof(*nn));
			if (nn == NULL)
				break;
			nums = nn;
		}
		nums[n++] = (int)v;
	}
	closedir(d);
	if (n <= (size_t)keep) {
		free(nums);
		return 0;
	}
	qsort(nums, n, sizeof(*nums), rundir_cmp_desc);
	char link[PATH_MAX], target[64] = "";
	snprintf(link, sizeof(link), "%s/latest", base);
	ssize_t tl = readlink(link, target, sizeof(target) - 1);
	target[tl > 0 ? tl : 0] = '\0';
	char *keep_real = protect != NULL ? realpath(protect, NULL) : NULL;
	int rc = 0;
	for (size_t i = (size_t)keep; i < n; i++) {
		char name[16], path[PATH_MAX];
		snprintf(name, sizeof(name), "%d", nums[i]);
		snprintf(path, sizeof(path), "%s/%s", base, name);
		if (strcmp(name, target) == 0)
			continue;
		char *real = realpath(path, NULL);
		int protected = keep_real != NULL && real != NULL && strcmp(real, keep_real) == 0;
		free(real);
		char rerr[ERR_MAX];
		if (!protected && fs_remove_tree(path, rerr) < 0 && rc == 0)
			rc = err_set(err, "pruning old run directories: %s", rerr);
	}
	free(keep_real);
	free(nums);
	return rc;
}

/* base/latest → n, replaced atomically (symlink beside it, then rename). */
static int rundir_link_latest(const char *base, int n, char *err)
{
	char target[32], *tmp = NULL, *link = NULL;
	snprintf(target, sizeof(target), "%d", n);
	if (asprintf(&tmp, "%s/.latest-%d", base, (int)getpid()) < 0 || asprintf(&link, "%s/latest", base) < 0) {
		free(tmp);
		return err_set(err, "out of memory");
	}
	unlink(tmp);
	int rc = 0;
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		rc = err_set(err, "%s: %s", link, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(link);
	return rc;
}

/* Open name in rd->path for writing. */
static FILE *rundir_open(const struct rundir *rd, const char *name, char *err)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", rd->path, name) < 0) {
		err_set(err, "out of memory");
		return NULL;
	}
	FILE *f = fopen(p, "we"); /* e: close-on-exec, the konnector must not inherit it */
	if (f == NULL)
		err_set(err, "%s: %s", p, strerror(errno));
	free(p);
	return f;
}

int rundir_create(const char *base, const char *out, struct rundir *rd, char *err)
{
	memset(rd, 0, sizeof(*rd));
	if (out != NULL) {
		if (mkdir_p(out, err) < 0)
			return -1;
		rd->path = strdup(out);
	} else {
		if (mkdir_p(base, err) < 0)
			return -1;
		int n = rundir_highest(base) + 1;
		for (int tries = 0; rd->path == NULL; tries++, n++) {
			char *p = NULL;
			if (asprintf(&p, "%s/%d", base, n) < 0)
				return err_set(err, "out of memory");
			if (mkdir(p, 0755) == 0) {
				rd->path = p;
				rd->n = n;
			} else {
				int e = errno;
				free(p);
				if (e != EEXIST || tries > 1000)
					return err_set(err, "%s/%d: %s", base, n, strerror(e));
			}
		}
		if (rundir_link_latest(base, rd->n, err) < 0) {
			free(rd->path);
			rd->path = NULL;
			return -1;
		}
	}
	if (rd->path == NULL)
		return err_set(err, "out of memory");
	if ((rd->out = rundir_open(rd, "stdout.log", err)) == NULL ||
	    (rd->err = rundir_open(rd, "stderr.log", err)) == NULL ||
	    (rd->events = rundir_open(rd, "events.jsonl", err)) == NULL) {
		rundir_close(rd);
		return -1;
	}
	return 0;
}

int rundir_write(const struct rundir *rd, const char *name, const void *data, size_t len, char *err)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", rd->path, name) < 0)
		return err_set(err, "out of memory");
	int rc = atomic_write(p, data, len, err);
	free(p);
	return rc;
}

/* A key that names a secret: password, secret, token, passphrase, key (any case). */
static int secret_name(const char *key)
{
	static const char *const words[] = {"password",   "passwd",     "secret", "token",
					    "passphrase", "credential", "apikey", "api_key"};
	char low[128];
	size_t i;
	for (i = 0; key[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)key[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]) != NULL)
			return 1;
	return 0;
}

/* Replace the values of secret-looking keys anywhere in v. */
static void redact_json(json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach (v, key, val) {
			if (secret_name(key) && !json_is_null(val))
				json_object_set_new(v, key, json_string(REDACTED));
			else
				redact_json(val);
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, val)
			redact_json(val);
	}
}

char *rundir_redact_env(char *const *envp)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (char *const *p = envp; p != NULL && *p != NULL; p++) {
		const char *eq = strchr(*p, '=');
		if (eq == NULL)
			continue;
		int klen = (int)(eq - *p);
		char name[256];
		snprintf(name, sizeof(name), "%.*s", klen, *p);
		const char *val = eq + 1;
		if (strcmp(name, "COZY_CREDENTIALS") == 0 || secret_name(name)) {
			buf_printf(&b, "%s=%s\n", name, REDACTED);
			continue;
		}
		json_t *j = NULL;
		if (strncmp(name, "COZY_", 5) == 0 && (val[0] == '{' || val[0] == '['))
			j = json_loads(val, 0, NULL);
		if (j != NULL) {
			redact_json(j);
			char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			buf_printf(&b, "%s=%s\n", name, s ? s : "");
			free(s);
			json_decref(j);
		} else {
			buf_printf(&b, "%s\n", *p);
		}
	}
	return buf_steal(&b);
}

int rundir_write_env(const struct rundir *rd, char *const *envp, char *err)
{
	char *text = rundir_redact_env(envp);
	if (text == NULL)
		return err_set(err, "out of memory");
	int rc = rundir_write(rd, "env", text, strlen(text), err);
	free(text);
	return rc;
}

void rundir_close(struct rundir *rd)
{
	if (rd->out)
		fclose(rd->out);
	if (rd->err)
		fclose(rd->err);
	if (rd->events)
		fclose(rd->events);
	free(rd->path);
	memset(rd, 0, sizeof(*rd));
}
