/*
 * Mango queries (CouchDB _find) over jansson documents: selector checking and
 * matching (with CouchDB view collation, collate.h), sort, fields,
 * limit/skip/bookmark.
 * Internal to fake-stack/. The public face of mango_*.c (what those pieces
 * share among themselves is in mango_int.h).
 */
#ifndef FAKE_STACK_MANGO_H
#define FAKE_STACK_MANGO_H

#include <jansson.h>
#include <stddef.h>

/* A CouchDB error: HTTP status, error name ("invalid_operator"…); the reason goes in err. */
struct mango_error {
	int status;
	const char *error; /* static string */
};

/*
 * Check and normalize a selector as CouchDB does (mango_selector normalize):
 * implicit $and, nested objects to dotted paths, negations pushed down.
 * Returns a new ref, or NULL with CouchDB's reason in err (e.g. "Invalid
 * operator: $foo") and *e (may be NULL) filled.
 */
json_t *mango_selector_normalize(const json_t *selector, struct mango_error *e, char *err);
/* Check a selector as CouchDB does before running it; -1 with CouchDB's reason in err. */
int mango_selector_check(const json_t *selector, char *err);
/* Does doc match a normalized selector? */
int mango_match_normalized(const json_t *normalized, const json_t *doc);
/* Does doc match selector (normalized on each call; 0 for a bad selector)? */
int mango_match(const json_t *selector, const json_t *doc);
/* The value at a dotted path ("a.b.c", with "\." escaping a dot; array elements by index), borrowed, or NULL. */
const json_t *mango_path_value(const json_t *doc, const char *path);

/*
 * The index a query runs on, when the caller (who knows the design docs)
 * picked one: results then come in index order (its fields, then _id) and,
 * as with a CouchDB json index, only docs having every indexed field (and
 * matching its partial filter) are seen. NULL: the _all_docs index (by _id).
 */
struct mango_index {
	const json_t *fields;         /* ["a", {"b":"asc"}…] as in the _index body */
	const json_t *partial_filter; /* partial_filter_selector or NULL */
};

struct mango_result {
	json_t *docs;   /* new ref: the page of (projected) docs */
	int next;       /* the stack's "next": len(docs) >= limit */
	char *bookmark; /* malloc'd opaque bookmark for the next page ("" when the page is empty) */
	size_t limit;   /* the limit applied (absent, not a number, or over 1000 → 100, as the stack forces) */
	size_t total;   /* how many docs matched before skip/limit */
	struct mango_error error; /* on failure: status and CouchDB error name */
};

/* A field path split as CouchDB does ("a.b", "\." a literal dot): at least one segment. */
struct mango_path {
	char **segs;
	size_t n;
};

/* What a path gives in a doc (mango_doc get_field): a value, nothing, or a step into a scalar or past an array. */
enum mango_lookup { MANGO_FOUND, MANGO_MISSING, MANGO_BAD_PATH };

/*
 * The docs a _find runs over, in _id order, lent by their owner: the store
 * (documents kept as text, fields read from value columns) or an array of
 * trees (mango_docs_array). Pointers they return stay valid for the _find.
 */
struct mango_docs {
	size_t n;
	void *ctx;
	/* doc i's _id (borrowed) */
	const char *(*id)(void *ctx, size_t i);
	/* get ready to answer field() for these paths (valid for the _find); -1 when out of memory */
	int (*want)(void *ctx, const struct mango_path *paths, size_t npaths);
	/* paths[k] in doc i: *out (borrowed) when MANGO_FOUND */
	enum mango_lookup (*field)(void *ctx, size_t i, size_t k, const json_t **out);
	/* the whole doc i (new ref) */
	json_t *(*doc)(void *ctx, size_t i);
};

/* Are two paths the same segments? */
int mango_path_equal(const struct mango_path *a, const struct mango_path *b);
/* A deep copy of src into dst; -1 when out of memory (dst then holds nothing to free). */
int mango_path_copy(struct mango_path *dst, const struct mango_path *src);
void mango_path_free(struct mango_path *p);

/* The value at a path of a tree, as field() answers. */
enum mango_lookup mango_path_get(const json_t *doc, const struct mango_path *p, const json_t **out);

/* Trees lent as mango_docs: arr must outlive the _find. */
struct mango_array {
	json_t *const *docs;
	const struct mango_path *paths;
};
void mango_docs_array(struct mango_docs *docs, struct mango_array *arr, json_t *const *trees, size_t n);

/*
 * Run a _find request body ({selector, sort, fields, limit, skip, bookmark,
 * use_index…}) over docs (sorted by _id; design docs are skipped as CouchDB
 * does). Returns -1 with a CouchDB reason in err and res->error set for a
 * bad request (bad selector, bad sort…).
 */
int mango_find(const json_t *request, const struct mango_docs *docs, const struct mango_index *index,
	       struct mango_result *res, char *err);
/* Free what mango_find put in res (docs, bookmark). */
void mango_find_clear(struct mango_result *res);

#endif
