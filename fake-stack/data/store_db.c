/*
 * A database's tables: records in slots that never move (freed slots are
 * reused), an open-addressing hash from id to slot, and the live slots in id
 * order (_all_docs order, strcmp as CouchDB's raw collation). Columns follow
 * every slot change (store_columns.c).
 */
#include "fake-stack/data/store_int.h"

#include <stdlib.h>
#include <string.h>

void store_db_free(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->ncols; i++)
		store_columns_free(db, db->cols[i]);
	free(db->cols);
	free(db->want);
	for (size_t i = 0; i < db->nslots; i++)
		free(db->recs[i].mem);
	free(db->recs);
	free(db->freeslots);
	free(db->hash);
	free(db->order);
	free(db->name);
	json_decref(db->tombs);
	free(db);
}

/* Binary search of the db list; *pos gets the insertion point when absent. */
struct db *store_db_find(const struct store *st, const char *doctype, size_t *pos)
{
	size_t lo = 0, hi = st->ndbs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(st->dbs[mid]->name, doctype);
		if (c == 0)
			return st->dbs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos != NULL)
		*pos = lo;
	return NULL;
}

/* The doctype's database, created when missing (kept sorted by name); NULL when out of memory. */
struct db *store_db_open(struct store *st, const char *doctype)
{
	size_t pos = 0;
	struct db *db = store_db_find(st, doctype, &pos);
	if (db != NULL)
		return db;
	if (st->ndbs == st->capdbs) {
		size_t cap = st->capdbs ? st->capdbs * 2 : 16;
		struct db **bigger = realloc(st->dbs, cap * sizeof(*bigger));
		if (bigger == NULL)
			return NULL;
		st->dbs = bigger;
		st->capdbs = cap;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return NULL;
	db->name = strdup(doctype);
	db->tombs = json_object();
	if (db->name == NULL || db->tombs == NULL) {
		store_db_free(db);
		return NULL;
	}
	memmove(st->dbs + pos + 1, st->dbs + pos, (st->ndbs - pos) * sizeof(*st->dbs));
	st->dbs[pos] = db;
	st->ndbs++;
	return db;
}

int store_db_exists(const struct store *st, const char *doctype)
{
	return store_db_find(st, doctype, NULL) != NULL;
}

void store_db_ensure(struct store *st, const char *doctype)
{
	store_db_open(st, doctype);
}

enum store_status store_db_delete(struct store *st, const char *doctype)
{
	size_t i = 0;
	for (; i < st->ndbs; i++)
		if (strcmp(st->dbs[i]->name, doctype) == 0)
			break;
	if (i == st->ndbs)
		return STORE_NO_DB;
	store_db_free(st->dbs[i]);
	memmove(st->dbs + i, st->dbs + i + 1, (st->ndbs - i - 1) * sizeof(*st->dbs));
	st->ndbs--;
	return STORE_OK;
}

/* The slot of a live id, or -1. */
long store_db_lookup(const struct db *db, const char *id)
{
	if (db->hcap == 0)
		return -1;
	for (size_t j = store_hash(id, strlen(id)) & (db->hcap - 1); db->hash[j] != 0; j = (j + 1) & (db->hcap - 1))
		if (strcmp(store_rec_id(&db->recs[db->hash[j] - 1]), id) == 0)
			return (long)db->hash[j] - 1;
	return -1;
}

static void hash_put(uint32_t *hash, size_t hcap, const char *id, uint32_t slot)
{
	size_t j = store_hash(id, strlen(id)) & (hcap - 1);
	while (hash[j] != 0)
		j = (j + 1) & (hcap - 1);
	hash[j] = slot + 1;
}

/* Remove a slot from the id hash (backward-shift deletion: no tombstones in the table). */
static void hash_del(struct db *db, const char *id, uint32_t slot)
{
	size_t mask = db->hcap - 1, j = store_hash(id, strlen(id)) & mask;
	while (db->hash[j] != slot + 1)
		j = (j + 1) & mask;
	for (size_t k = (j + 1) & mask; db->hash[k] != 0; k = (k + 1) & mask) {
		const char *kid = store_rec_id(&db->recs[db->hash[k] - 1]);
		size_t home = store_hash(kid, strlen(kid)) & mask;
		/* move k back into the hole j unless its home lies cyclically in (j, k] */
		if ((k > j && (home <= j || home > k)) || (k < j && (home <= j && home > k))) {
			db->hash[j] = db->hash[k];
			j = k;
		}
	}
	db->hash[j] = 0;
}

/* A free slot (its record zeroed), growing the tables; -1 when out of memory. */
static long slot_alloc(struct db *db)
{
	if (db->nfree > 0)
		return db->freeslots[--db->nfree];
	if (db->nslots == db->capslots) {
		size_t cap = db->capslots ? db->capslots * 2 : 64;
		struct rec *recs = realloc(db->recs, cap * sizeof(*recs));
		if (recs == NULL)
			return -1;
		db->recs = recs;
		uint32_t *fs = realloc(db->freeslots, cap * sizeof(*fs));
		if (fs == NULL)
			return -1;
		db->freeslots = fs;
		for (size_t i = 0; i < db->ncols; i++) {
			json_t **vals = realloc(db->cols[i]->vals, cap * sizeof(*vals));
			if (vals == NULL)
				return -1;
			memset(vals + db->capslots, 0, (cap - db->capslots) * sizeof(*vals));
			db->cols[i]->vals = vals;
		}
		db->capslots = cap;
	}
	if ((db->nlive + 1) * 2 > db->hcap) {
		size_t hcap = db->hcap ? db->hcap * 2 : 128;
		uint32_t *hash = calloc(hcap, sizeof(*hash));
		if (hash == NULL)
			return -1;
		for (size_t i = 0; i < db->hcap; i++)
			if (db->hash[i] != 0)
				hash_put(hash, hcap, store_rec_id(&db->recs[db->hash[i] - 1]), db->hash[i] - 1);
		free(db->hash);
		db->hash = hash;
		db->hcap = hcap;
	}
	if (db->nlive == db->caporder) {
		size_t cap = db->caporder ? db->caporder * 2 : 64;
		uint32_t *order = realloc(db->order, cap * sizeof(*order));
		if (order == NULL)
			return -1;
		db->order = order;
		db->caporder = cap;
	}
	db->recs[db->nslots] = (struct rec){0};
	return (long)db->nslots++;
}

/* Slots by their record's id, for qsort_r. */
static int cmp_slots(const void *a, const void *b, void *ctx)
{
	const struct db *db = ctx;
	return strcmp(store_rec_id(&db->recs[*(const uint32_t *)a]), store_rec_id(&db->recs[*(const uint32_t *)b]));
}

void store_db_order_fix(const struct db *db)
{
	struct db *m = (struct db *)db; /* the order is logically const */
	if (!m->order_dirty)
		return;
	qsort_r(m->order, m->nlive, sizeof(*m->order), cmp_slots, m);
	m->order_dirty = 0;
}

/* Where id is in the order, or would be inserted; *found says which. */
static size_t order_search(const struct db *db, const char *id, int *found)
{
	store_db_order_fix(db);
	size_t lo = 0, hi = db->nlive;
	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(store_rec_id(&db->recs[db->order[mid]]), id);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put a new live record in a fresh slot (hash, order and columns follow); -1 when out of memory. */
int store_db_add(struct db *db, struct rec *r, int bulk)
{
	long slot = slot_alloc(db);
	if (slot < 0)
		return -1;
	db->recs[slot] = *r;
	hash_put(db->hash, db->hcap, store_rec_id(r), (uint32_t)slot);
	if (bulk) {
		db->order[db->nlive++] = (uint32_t)slot;
		db->order_dirty = 1;
	} else {
		int found;
		size_t at = order_search(db, store_rec_id(r), &found);
		memmove(db->order + at + 1, db->order + at, (db->nlive - at) * sizeof(*db->order));
		db->order[at] = (uint32_t)slot;
		db->nlive++;
	}
	for (size_t i = 0; i < db->ncols; i++)
		store_columns_fill(db, db->cols[i], (size_t)slot);
	return 0;
}

/* Forget a live doc: its slot is freed for reuse. */
void store_db_remove(struct db *db, size_t slot)
{
	struct rec *r = &db->recs[slot];
	int found;
	size_t at = order_search(db, store_rec_id(r), &found);
	if (found) {
		memmove(db->order + at, db->order + at + 1, (db->nlive - at - 1) * sizeof(*db->order));
		db->nlive--;
	}
	hash_del(db, store_rec_id(r), (uint32_t)slot);
	free(r->mem);
	r->mem = NULL;
	for (size_t i = 0; i < db->ncols; i++)
		store_columns_fill(db, db->cols[i], slot);
	db->freeslots[db->nfree++] = (uint32_t)slot;
}

int store_db_counts(const struct store *st, const char *doctype, size_t *live, size_t *deleted)
{
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL)
		return -1;
	*live = db->nlive;
	*deleted = json_object_size(db->tombs);
	return 0;
}
