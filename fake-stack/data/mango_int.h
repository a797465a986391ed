/*
 * What the pieces of the Mango module share: mango_error.c (CouchDB error
 * reasons), mango_regex.c ($regex patterns), mango_path.c (field paths),
 * mango_selector.c (checking and normalizing), mango_match.c (compiled
 * selectors), mango_docs.c (the docs a _find reads), mango_sort.c (sort specs,
 * ordering the hits) and mango_find.c (the _find request). Only these files
 * include it; everything else uses mango.h.
 */
#ifndef FAKE_STACK_MANGO_INT_H
#define FAKE_STACK_MANGO_INT_H

#include "fake-stack/data/mango.h"

#include <jansson.h>
#include <regex.h>
#include <stddef.h>

/* The key of a one-member object, its value in *val; NULL for anything else. */
static inline const char *mango_only_key(const json_t *o, json_t **val)
{
	if (!json_is_object(o) || json_object_size(o) != 1)
		return NULL;
	void *it = json_object_iter((json_t *)o);
	*val = json_object_iter_value(it);
	return json_object_iter_key(it);
}

/* ---- mango_error.c ---- */

/* Fill e (may be NULL) and err: fmt's single "%T" becomes Erlang's ~w rendering of v. Returns -1. */
int mango_error_set(struct mango_error *e, int status, const char *name, char *err, const char *fmt, const json_t *v);

/* ---- mango_regex.c ---- */

/* Compile a $regex argument (PCRE) as the POSIX approximation we run; regcomp's result. */
int mango_regex_compile(regex_t *rx, const char *pattern);

/* ---- mango_path.c ---- */

/* Split a field path as CouchDB does ("" gives no segment); -1 when out of memory. */
int mango_path_parse(const char *s, struct mango_path *p);

/* The field paths a _find reads at the top level of its docs, numbered (mango_docs want/field key numbers). */
struct mango_path_set {
	struct mango_path *paths;
	size_t n;
};

/* The key number of a path (copied when new); -1 when out of memory. */
long mango_path_set_add(struct mango_path_set *ks, const struct mango_path *p);
void mango_path_set_free(struct mango_path_set *ks);

/* ---- mango_docs.c ---- */

/* A doc of a mango_docs being matched: members come from its columns, the whole doc only when needed. */
struct mango_row {
	const struct mango_docs *docs;
	size_t i;
	json_t *whole; /* loaded on demand, freed by the caller */
};

/* The row's whole doc (loaded once; NULL when out of memory). */
const json_t *mango_docs_whole(struct mango_row *r);
/* The value at a path of a row's doc (key number slot in the _find's path set), "" being the doc itself. */
enum mango_lookup mango_docs_field(struct mango_row *r, const struct mango_path *p, size_t slot, const json_t **out);

/* ---- mango_match.c ---- */

/* A normalized selector compiled for matching. */
struct mango_node;

/*
 * Compile a normalized selector (regexes compiled once); ks (may be NULL)
 * collects the top-level members its fields read. NULL when out of memory.
 */
struct mango_node *mango_match_compile(const json_t *normalized, struct mango_path_set *ks);
void mango_match_free(struct mango_node *n);
/* Does the row's doc match? */
int mango_match_row(const struct mango_node *n, struct mango_row *row);
/* How selectors and sorts compare values: view collation, or raw byte order for _id strings. */
int mango_match_cmp(const json_t *a, const json_t *b, int raw);

/* ---- mango_sort.c ---- */

/* A parsed sort (or index fields): paths, all in one direction. */
struct mango_sort {
	struct mango_path *paths;
	int *raw;     /* compare as _id (mango_match_cmp raw) */
	size_t *slot; /* each path's key number (mango_sort_slots) */
	size_t n;
	int desc;
};

/* mango_sort new: "field" or {"field":"asc|desc"}, one direction for all; NULL sort: none. */
int mango_sort_parse(const json_t *sort, struct mango_sort *s, struct mango_error *e, char *err);
/* Give each sort path a key number in ks; -1 when out of memory. */
int mango_sort_slots(struct mango_sort *s, struct mango_path_set *ks);
void mango_sort_free(struct mango_sort *s);

/* A matched doc with its sort keys. */
struct mango_hit {
	size_t i; /* in the mango_docs */
	const json_t **keys;
	const char *id;
	json_t *whole; /* the doc, kept when a sort key lies in it (a sort on "") */
};

/* Put the first k hits in sort order at the front (the rest is left unordered). */
void mango_sort_top(struct mango_hit *h, size_t n, size_t k, const struct mango_sort *s);

#endif
