/*
 * The store's insides, shared by store.c (the store, revisions, reads and
 * writes), store_rec.c (records), store_db.c (a database's slots, id hash and
 * order), store_columns.c (_find's value columns), store_load.c (fixture
 * folders in and out) and store_index.c (Mango indexes, design docs). Only
 * these files include it. Calls go one way: store_rec.c <- store_columns.c
 * <- store_db.c <- store.c <- store_index.c, store_load.c.
 */
#ifndef FAKE_STACK_STORE_INT_H
#define FAKE_STACK_STORE_INT_H

#include "common/buf.h"
#include "fake-stack/data/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct rec {
	char *mem;        /* "<id>\0<rev>\0<JSON object text without _id and _rev>\0"; NULL: a free slot */
	uint32_t textoff; /* where the JSON text starts in mem */
	uint32_t textlen;
};

/* Values shared by a column while few are distinct (keyed by their JSON text). */
struct intern {
	struct intern_ent {
		uint64_t hash;
		char *text;
		size_t len;
		json_t *v; /* a reference of its own */
	} * e;
	size_t cap, n;
};

/* One field path of every live doc, for _find. */
struct column {
	struct mango_path path; /* its own copy */
	json_t **vals;          /* by slot (capacity capslots), a reference each; NULL: missing;
				   store_columns_bad_path: a bad path */
	struct intern *intern;  /* NULL once too many values are distinct */
};

/* The value a column holds where the path steps into a scalar or past an array (never dereferenced). */
extern json_t *const store_columns_bad_path;

struct db {
	char *name;
	struct rec *recs; /* by slot */
	size_t nslots, capslots;
	uint32_t *freeslots; /* slots to reuse */
	size_t nfree;
	uint32_t *hash; /* open addressing by id: slot + 1, 0 = empty; capacity hcap (a power of 2) */
	size_t hcap;
	uint32_t *order; /* live slots by id (strcmp, as CouchDB's raw collation); nlive of them */
	size_t nlive, caporder;
	int order_dirty; /* set by bulk loading: sort once on the next read */
	json_t *tombs;   /* id → string "<deleted revision>\0<last live body as JSON text>" */
	struct column **cols;
	size_t ncols;
	struct column **want; /* the columns of the running _find, by its key numbers */
	size_t nwant;
	long created, updated, deleted;
	long indexes; /* _design/ documents written: indexes, counted apart from the documents */
};

struct store {
	struct db **dbs; /* sorted by name */
	size_t ndbs, capdbs;
	uint64_t rng[2];
};

/* FNV-1a: the id hash and the columns' shared values. */
static inline uint64_t store_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* ---- store_rec.c ---- */
const char *store_rec_id(const struct rec *r);
const char *store_rec_rev(const struct rec *r);
const char *store_rec_text(const struct rec *r);
/* A record for id at rev whose other members are body's (_id, _rev and _type left out); -1 when out of memory. */
int store_rec_make(struct rec *r, const char *id, const char *rev, const json_t *body);
/* The doc's whole JSON text, _id and _rev first, appended to b. */
void store_rec_full_text(const struct rec *r, struct buf *b);
/* The doc as CouchDB answers it, _id and _rev first: a new tree, NULL when out of memory. */
json_t *store_rec_tree(const struct rec *r);

/* ---- store_db.c ---- */
void store_db_free(struct db *db);
/* Binary search of the db list; *pos gets the insertion point when absent. */
struct db *store_db_find(const struct store *st, const char *doctype, size_t *pos);
/* The doctype's database, created when missing; NULL when out of memory. */
struct db *store_db_open(struct store *st, const char *doctype);
/* The slot of a live id, or -1. */
long store_db_lookup(const struct db *db, const char *id);
/* Put a new live record in a fresh slot (hash, order and columns follow); bulk: sort later. -1 when out of memory. */
int store_db_add(struct db *db, struct rec *r, int bulk);
/* Forget a live doc: its slot is freed for reuse. */
void store_db_remove(struct db *db, size_t slot);
/* Sort the order after bulk loading. */
void store_db_order_fix(const struct db *db);

/* ---- store_columns.c ---- */
/* Set a column's value for a slot from its record (a freed slot's record: none). */
void store_columns_fill(struct db *db, struct column *c, size_t slot);
void store_columns_free(const struct db *db, struct column *c);
/* The database's live docs as mango_find reads them (its order fixed). */
void store_columns_docs(struct db *db, struct mango_docs *docs);

/* ---- store.c ---- */
void store_hex32(struct store *st, char *out);
/* Store body as the live doc id at generation gen (replacing the live one, if any); *out gets a new tree. */
enum store_status store_put(struct store *st, struct db *db, const char *id, long gen, const json_t *body, json_t **out,
			    char *err);
/* Is rev "N-<32 lowercase hex>" with N >= 1? */
int store_rev_valid(const char *rev);
long store_rev_gen(const char *rev);
void store_rev_make(struct store *st, long gen, char *out /* [64] */);
/* stack: pkg/couchdb/couchdb.go validateDocID: an id starting with '_' is bad_id (design docs come from _index). */
int store_id_check(const char *id, char *err);
/* The generation a re-created id continues from, 0 if none. */
long store_tomb_gen(const struct db *db, const char *id);

#endif
