/* A burst of file events reduced to the set of paths that changed. */
#include "harness/watch/changeset.h"

#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* Bursts are small (an editor's save, a checkout); a linear scan from the newest entry is enough. */
static struct changeset_entry *changeset_find(struct changeset *cs, const char *path)
{
	for (size_t i = cs->n; i-- > 0;)
		if (strcmp(cs->v[i].path, path) == 0)
			return &cs->v[i];
	return NULL;
}

int changeset_note(struct changeset *cs, const char *path, enum change_kind kind, int open, int fixture, char *err)
{
	struct changeset_entry *e = changeset_find(cs, path);
	if (e != NULL) {
		e->last = kind;
		e->open = kind == CHANGE_CREATED ? open : 0;
		return 0;
	}
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 32;
		struct changeset_entry *v = realloc(cs->v, cap * sizeof(*v));
		if (v == NULL)
			return err_set(err, "out of memory");
		cs->v = v;
		cs->cap = cap;
	}
	char *copy = strdup(path);
	if (copy == NULL)
		return err_set(err, "out of memory");
	cs->v[cs->n++] = (struct changeset_entry){copy, kind, kind, kind == CHANGE_CREATED ? open : 0, fixture};
	return 0;
}

size_t changeset_open_count(const struct changeset *cs)
{
	size_t k = 0;
	for (size_t i = 0; i < cs->n; i++)
		k += cs->v[i].open != 0;
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **changeset_take(struct changeset *cs, size_t *n, int *fixture)
{
	char **out = calloc(cs->n + 1, sizeof(*out));
	if (out == NULL)
		return NULL;
	size_t k = 0;
	*fixture = 0;
	for (size_t i = 0; i < cs->n; i++) {
		struct changeset_entry *e = &cs->v[i];
		if (e->first == CHANGE_CREATED && e->last == CHANGE_REMOVED) {
			free(e->path); /* came and went within the burst */
			continue;
		}
		*fixture |= e->fixture;
		out[k++] = e->path;
	}
	cs->n = 0;
	qsort(out, k, sizeof(*out), cmp_str);
	*n = k;
	return out;
}

void changeset_paths_free(char **paths)
{
	if (paths == NULL)
		return;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
}

void changeset_clear(struct changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].path);
	free(cs->v);
	*cs = (struct changeset){0};
}
