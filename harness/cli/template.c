/* {{placeholder}} substitution and template trees for `init`. */
#include "harness/cli/template.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *vars_find(const struct template_vars *vars, const char *name, size_t len)
{
	for (size_t i = 0; i < vars->n; i++)
		if (strlen(vars->v[i].name) == len && memcmp(vars->v[i].name, name, len) == 0)
			return vars->v[i].value;
	return NULL;
}

static int is_ident(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

char *template_render(const char *text, size_t len, const char *file, const struct template_vars *vars, size_t *out_len,
		      char *err)
{
	struct buf out = {0};
	size_t line = 1, i = 0;
	while (i < len) {
		int open = text[i] == '{' && i + 1 < len && text[i + 1] == '{';
		if (text[i] == '\n')
			line++;
		if (!open) {
			if (buf_append(&out, text + i, 1) < 0)
				goto oom;
			i++;
			continue;
		}
		if (i > 0 && text[i - 1] == '$') {
			/* `${{ … }}` is a GitHub Actions expression: copied as is. */
			if (buf_append(&out, "{{", 2) < 0)
				goto oom;
			i += 2;
			continue;
		}
		size_t p = i + 2;
		while (p < len && text[p] == ' ')
			p++;
		size_t name = p;
		while (p < len && is_ident(text[p], p == name))
			p++;
		size_t name_len = p - name;
		while (p < len && text[p] == ' ')
			p++;
		if (name_len == 0 || p + 1 >= len || text[p] != '}' || text[p + 1] != '}') {
			buf_free(&out);
			err_set(err,
				"%s:%zu: malformed placeholder (expected {{name}}; write ${{ for a literal GitHub "
				"expression)",
				file, line);
			return NULL;
		}
		const char *value = vars_find(vars, text + name, name_len);
		if (value == NULL) {
			buf_free(&out);
			err_set(err, "%s:%zu: unknown placeholder {{%.*s}}", file, line, (int)name_len, text + name);
			return NULL;
		}
		if (buf_puts(&out, value) < 0)
			goto oom;
		i = p + 2;
	}
	if (out.data == NULL && buf_append(&out, "", 0) < 0)
		goto oom;
	if (out_len != NULL)
		*out_len = out.len;
	return buf_steal(&out);
oom:
	buf_free(&out);
	err_set(err, "%s: out of memory", file);
	return NULL;
}

/* Add or replace (same rendered path) one file in the plan; takes rel and data. */
static int plan_put(struct template_plan *plan, char *rel, char *data, size_t len)
{
	for (size_t i = 0; i < plan->n; i++) {
		if (strcmp(plan->files[i].rel, rel) == 0) {
			free(plan->files[i].rel);
			free(plan->files[i].data);
			plan->files[i].rel = rel;
			plan->files[i].data = data;
			plan->files[i].len = len;
			return 0;
		}
	}
	struct template_file *f = realloc(plan->files, (plan->n + 1) * sizeof(*f));
	if (f == NULL)
		return -1;
	plan->files = f;
	plan->files[plan->n++] = (struct template_file){rel, data, len, 0};
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Render the tree root/rel (rel "" for the root) into plan, in sorted order. */
static int plan_walk(const char *root, const char *rel, const struct template_vars *vars, struct template_plan *plan,
		     char *err)
{
	char *dirpath = NULL;
	if (asprintf(&dirpath, "%s%s%s", root, rel[0] ? "/" : "", rel) < 0)
		return err_set(err, "out of memory");
	DIR *d = opendir(dirpath);
	if (d == NULL) {
		err_set(err, "%s: %s", dirpath, strerror(errno));
		free(dirpath);
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (nn == NULL || (nn[n] = strdup(de->d_name)) == NULL) {
			names = nn ? nn : names;
			rc = err_set(err, "out of memory");
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (rc == 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *child = NULL, *path = NULL;
		if (asprintf(&child, "%s%s%s", rel, rel[0] ? "/" : "", names[i]) < 0) {
			rc = err_set(err, "out of memory");
			break;
		}
		if (asprintf(&path, "%s/%s", root, child) < 0) {
			free(child);
			rc = err_set(err, "out of memory");
			break;
		}
		struct stat st;
		if (lstat(path, &st) < 0) {
			rc = err_set(err, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = plan_walk(root, child, vars, plan, err);
		} else if (S_ISREG(st.st_mode)) {
			size_t len = 0, out_len = 0, rel_len = 0;
			char *text = file_read_all(path, &len, err);
			char *data = text ? template_render(text, len, path, vars, &out_len, err) : NULL;
			char *out_rel = data ? template_render(child, strlen(child), path, vars, &rel_len, err) : NULL;
			free(text);
			if (out_rel == NULL) {
				free(data);
				rc = -1;
			} else if (plan_put(plan, out_rel, data, out_len) < 0) {
				free(out_rel);
				free(data);
				rc = err_set(err, "out of memory");
			}
		}
		free(child);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dirpath);
	return rc;
}

static int plan_rel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct template_file *)a)->rel, ((const struct template_file *)b)->rel);
}

int template_plan_build(const char *const *src_dirs, size_t n_src, const char *dst_dir,
			const struct template_vars *vars, struct template_plan *plan, char *err)
{
	memset(plan, 0, sizeof(*plan));
	for (size_t i = 0; i < n_src; i++) {
		if (plan_walk(src_dirs[i], "", vars, plan, err) < 0) {
			template_plan_clear(plan);
			return -1;
		}
	}
	if (plan->n > 0)
		qsort(plan->files, plan->n, sizeof(*plan->files), plan_rel_cmp);
	for (size_t i = 0; i < plan->n; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dst_dir, plan->files[i].rel) < 0) {
			template_plan_clear(plan);
			return err_set(err, "out of memory");
		}
		struct stat st;
		plan->files[i].exists = lstat(path, &st) == 0;
		free(path);
	}
	return 0;
}

size_t template_plan_conflicts(const struct template_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->n; i++)
		n += plan->files[i].exists != 0;
	return n;
}

int template_plan_write(const struct template_plan *plan, const char *dst_dir, int force, char *err)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct template_file *f = &plan->files[i];
		if (f->exists && !force)
			continue;
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dst_dir, f->rel) < 0)
			return err_set(err, "out of memory");
		char *slash = strrchr(path, '/');
		*slash = '\0';
		int rc = mkdir_p(path, err);
		*slash = '/';
		if (rc == 0)
			rc = atomic_write(path, f->data, f->len, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void template_plan_clear(struct template_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->files[i].rel);
		free(plan->files[i].data);
	}
	free(plan->files);
	memset(plan, 0, sizeof(*plan));
}
