/*
 * Mango queries (CouchDB _find) over jansson documents: selector checking and
 * matching, CouchDB view collation, sort, fields, limit/skip/bookmark.
 * Internal to fake-stack/.
 */
#ifndef FAKE_STACK_MANGO_H
#define FAKE_STACK_MANGO_H

#include <jansson.h>
#include <stddef.h>

/* Check a selector as CouchDB does before running it; -1 with CouchDB's reason in err (e.g. "Invalid operator: $foo"). */
int mango_check(const json_t *selector, char *err);
/* Does doc match selector? (selector already checked) */
int mango_match(const json_t *selector, const json_t *doc);
/* CouchDB view collation: null < false < true < numbers < strings (ICU-like) < arrays < objects. <0, 0, >0. */
int mango_collate(const json_t *a, const json_t *b);
/* The value at a dotted path ("a.b.c", with "\." escaping a dot), borrowed, or NULL. */
const json_t *mango_get_path(const json_t *doc, const char *path);

struct mango_result {
	json_t *docs;     /* new ref: the page of (projected) docs */
	int next;         /* the stack's "next": len(docs) >= limit */
	char *bookmark;   /* malloc'd opaque bookmark for the next page */
	size_t limit;     /* the limit applied (default 100, over 1000 → 100, as the stack forces) */
	size_t total;     /* how many docs matched before skip/limit */
};

/*
 * Run a _find request body ({selector, sort, fields, limit, skip, bookmark,
 * use_index…}) over docs (an array of documents). Returns -1 with a CouchDB
 * style reason in err for a bad request (bad selector, bad sort…).
 */
int mango_find(const json_t *request, const json_t *docs, struct mango_result *res, char *err);
void mango_result_clear(struct mango_result *res);

#endif
