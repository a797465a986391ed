/*
 * Sort specs as CouchDB reads them (src/mango/src/mango_sort.erl: one
 * direction for all fields) and the order of a _find's hits: the sort keys
 * compared as mango_match_cmp does, then the doc id, as view rows with equal
 * keys come.
 */
#include "fake-stack/data/mango_int.h"

#include <stdlib.h>
#include <string.h>

void mango_sort_free(struct mango_sort *s)
{
	for (size_t i = 0; i < s->n; i++)
		mango_path_free(&s->paths[i]);
	free(s->paths);
	free(s->raw);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* Give each sort path's first member a key number; -1 when out of memory. */
int mango_sort_slots(struct mango_sort *s, struct mango_path_set *ks)
{
	s->slot = calloc(s->n + 1, sizeof(*s->slot));
	if (s->slot == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		long k = s->paths[i].n > 0 ? mango_path_set_add(ks, &s->paths[i]) : 0;
		if (k < 0)
			return -1;
		s->slot[i] = (size_t)k;
	}
	return 0;
}

/* mango_sort new: "field" or {"field":"asc|desc"}, one direction for all. */
int mango_sort_parse(const json_t *sort, struct mango_sort *s, struct mango_error *e, char *err)
{
	memset(s, 0, sizeof(*s));
	if (sort == NULL)
		return 0;
	if (!json_is_array(sort))
		return mango_error_set(e, 400, "invalid_sort_json", err, "Sort must be an array of sort specs, not: %T",
				       sort);
	size_t n = json_array_size(sort);
	s->paths = calloc(n + 1, sizeof(*s->paths));
	s->raw = calloc(n + 1, sizeof(*s->raw));
	if (s->paths == NULL || s->raw == NULL)
		return mango_error_set(e, 500, "unknown_error", err, "out of memory", NULL);
	int dir = -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(sort, i);
		const char *name = NULL;
		int desc = 0;
		json_t *d = NULL;
		if (json_is_string(f) && json_string_length(f) > 0) {
			name = json_string_value(f);
		} else if ((name = mango_only_key(f, &d)) != NULL) {
			if (!json_is_string(d) ||
			    (strcmp(json_string_value(d), "asc") != 0 && strcmp(json_string_value(d), "desc") != 0)) {
				mango_sort_free(s);
				return mango_error_set(e, 400, "invalid_sort_dir", err, "Invalid sort direction: %T",
						       d);
			}
			desc = strcmp(json_string_value(d), "desc") == 0;
		} else {
			mango_sort_free(s);
			return mango_error_set(e, 400, "invalid_sort_field", err, "Invalid sort field: %T", f);
		}
		if (dir != -1 && dir != desc) {
			mango_sort_free(s);
			return mango_error_set(e, 400, "unsupported_mixed_sort", err,
					       "Sorts currently only support a single direction for all fields.", NULL);
		}
		dir = desc;
		mango_path_parse(name, &s->paths[s->n]);
		s->raw[s->n] = strcmp(name, "_id") == 0;
		s->n++;
	}
	s->desc = dir == 1;
	return 0;
}

/* Hit x before (<0) or after (>0) hit y in the sort. */
static int hit_order(const struct mango_hit *x, const struct mango_hit *y, const struct mango_sort *s)
{
	int c = 0;
	for (size_t i = 0; c == 0 && i < s->n; i++)
		c = mango_match_cmp(x->keys[i], y->keys[i], s->raw[i]);
	if (c == 0)
		c = strcmp(x->id, y->id); /* view rows with equal keys come by doc id */
	return s->desc ? -c : c;
}

/* hit_order for qsort_r. */
static int hit_cmp(const void *a, const void *b, void *ctx)
{
	return hit_order(a, b, ctx);
}

/* Sift hits[i] down in a max-heap of n hits. */
static void heap_down(struct mango_hit *h, size_t n, size_t i, const struct mango_sort *s)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && hit_order(&h[l], &h[m], s) > 0)
			m = l;
		if (r < n && hit_order(&h[r], &h[m], s) > 0)
			m = r;
		if (m == i)
			return;
		struct mango_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/*
 * Put the first k hits in order at the front (the rest is left unordered):
 * a bounded heap when k is small, as a page of 100 out of 100k docs is the
 * common case, else a full sort.
 */
void mango_sort_top(struct mango_hit *h, size_t n, size_t k, const struct mango_sort *s)
{
	if (k == 0)
		return;
	if (k >= n / 4) {
		qsort_r(h, n, sizeof(*h), hit_cmp, (void *)s);
		return;
	}
	for (size_t i = k / 2 + 1; i-- > 0;)
		heap_down(h, k, i, s);
	for (size_t i = k; i < n; i++) {
		if (hit_order(&h[i], &h[0], s) < 0) {
			h[0] = h[i];
			heap_down(h, k, 0, s);
		}
	}
	qsort_r(h, k, sizeof(*h), hit_cmp, (void *)s);
}
