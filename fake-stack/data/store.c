/*
 * The document store: one CouchDB-like database per doctype.
 *
 * Memory is the design constraint (resident memory under 3x the fixtures on
 * disk, as bench/data-bench measures; a jansson tree costs ~1.7 KB for a
 * 150-byte doc). So each live doc is one allocation, "<id>\0<rev>\0<compact
 * JSON without _id and _rev>\0", in a slot that never moves; a hash finds a
 * slot by id, an array of slots sorted by id gives _all_docs order, and reads
 * parse the text into a fresh tree (store_rec.c, store_db.c). _find reads
 * members through columns (store_columns.c).
 * Tombstones (few) stay jansson trees.
 */
#include "fake-stack/data/store_int.h"

#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* xorshift128+: ids and revs need to be unique, not secret. */
static uint64_t store_rand(struct store *st)
{
	uint64_t x = st->rng[0], y = st->rng[1];
	st->rng[0] = y;
	x ^= x << 23;
	st->rng[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
	return st->rng[1] + y;
}

/* 32 lowercase hex digits into out[33]. */
void store_hex32(struct store *st, char *out)
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)store_rand(st), (unsigned long long)store_rand(st));
}

struct store *store_new(void)
{
	struct store *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	if (getrandom(st->rng, sizeof(st->rng), 0) != (ssize_t)sizeof(st->rng)) {
		st->rng[0] = (uint64_t)time(NULL) * 2654435761u;
		st->rng[1] = (uint64_t)(uintptr_t)st;
	}
	st->rng[0] |= 1;
	return st;
}

/* ---- databases ---- */

void store_free(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->ndbs; i++)
		store_db_free(st->dbs[i]);
	free(st->dbs);
	free(st);
}

/* stack: model/permission/doctype.go CheckDoctypeName: lowercase letters, digits, '.', '_'; no dot at either end, no
 * ".." */
int store_doctype_valid(const char *doctype)
{
	size_t n = strlen(doctype);
	if (n == 0 || doctype[0] == '.' || doctype[n - 1] == '.' || strstr(doctype, "..") != NULL)
		return 0;
	for (const char *p = doctype; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
			return 0;
	return 1;
}

/* ---- revisions and ids ---- */

/* Is rev "N-<32 lowercase hex>" with N >= 1? */
int store_rev_valid(const char *rev)
{
	if (rev == NULL || *rev < '1' || *rev > '9')
		return 0;
	const char *p = rev;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '-' || p - rev > 10)
		return 0;
	for (int i = 0; i < 32; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return *p == '\0';
}

long store_rev_gen(const char *rev)
{
	return rev != NULL ? strtol(rev, NULL, 10) : 0;
}

void store_rev_make(struct store *st, long gen, char *out /* [64] */)
{
	char hex[33];
	store_hex32(st, hex);
	snprintf(out, 64, "%ld-%s", gen, hex);
}

/* stack: pkg/couchdb/couchdb.go validateDocID: an id starting with '_' is bad_id (design docs come from _index). */
int store_id_check(const char *id, char *err)
{
	if (id[0] == '\0')
		return err_set(err, "document id is empty");
	if (id[0] == '_' && strncmp(id, "_design/", 8) != 0)
		return err_set(err, "Unsuported couchdb operation %s", id);
	return 0;
}

/* The generation a re-created id continues from (CouchDB: a deleted doc's revision tree goes on), 0 if none. */
long store_tomb_gen(const struct db *db, const char *id)
{
	return store_rev_gen(json_string_value(json_object_get(db->tombs, id)));
}

/* ---- reading ---- */

json_t *store_fetch(const struct store *st, const char *doctype, const char *id, enum store_status *status)
{
	enum store_status dummy;
	if (status == NULL)
		status = &dummy;
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL) {
		*status = STORE_NO_DB;
		return NULL;
	}
	long slot = store_db_lookup(db, id);
	if (slot >= 0) {
		json_t *doc = store_rec_tree(&db->recs[slot]);
		*status = doc != NULL ? STORE_OK : STORE_ERROR;
		return doc;
	}
	*status = json_object_get(db->tombs, id) != NULL ? STORE_DELETED : STORE_NOT_FOUND;
	return NULL;
}

const char *store_rev(const struct store *st, const char *doctype, const char *id, enum store_status *status)
{
	enum store_status dummy;
	if (status == NULL)
		status = &dummy;
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL) {
		*status = STORE_NO_DB;
		return NULL;
	}
	long slot = store_db_lookup(db, id);
	if (slot >= 0) {
		*status = STORE_OK;
		return store_rec_rev(&db->recs[slot]);
	}
	*status = json_object_get(db->tombs, id) != NULL ? STORE_DELETED : STORE_NOT_FOUND;
	return NULL;
}

json_t *store_fetch_rev(const struct store *st, const char *doctype, const char *id, const char *rev)
{
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL || rev == NULL)
		return NULL;
	long slot = store_db_lookup(db, id);
	if (slot >= 0)
		return strcmp(store_rec_rev(&db->recs[slot]), rev) == 0 ? store_rec_tree(&db->recs[slot]) : NULL;
	json_t *tomb = json_object_get(db->tombs, id);
	if (tomb == NULL)
		return NULL;
	const char *trev = json_string_value(tomb);
	if (strcmp(trev, rev) == 0)
		return json_pack("{s:s, s:s, s:b}", "_id", id, "_rev", trev, "_deleted", 1);
	size_t skip = strlen(trev) + 1;
	json_t *body = json_loadb(trev + skip, json_string_length(tomb) - skip, 0, NULL);
	if (strcmp(json_string_value(json_object_get(body, "_rev")), rev) == 0)
		return body;
	json_decref(body);
	return NULL;
}

/* The live doc at position i of the _all_docs order, or NULL. */
static const struct rec *live_at(const struct store *st, const char *doctype, size_t i)
{
	const struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL || i >= db->nlive)
		return NULL;
	store_db_order_fix(db);
	return &db->recs[db->order[i]];
}

size_t store_count(const struct store *st, const char *doctype)
{
	const struct db *db = store_db_find(st, doctype, NULL);
	return db != NULL ? db->nlive : 0;
}

const char *store_id_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = live_at(st, doctype, i);
	return r != NULL ? store_rec_id(r) : NULL;
}

const char *store_rev_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = live_at(st, doctype, i);
	return r != NULL ? store_rec_rev(r) : NULL;
}

json_t *store_fetch_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = live_at(st, doctype, i);
	return r != NULL ? store_rec_tree(r) : NULL;
}

json_t *store_all_docs(const struct store *st, const char *doctype)
{
	json_t *arr = json_array();
	size_t n = store_count(st, doctype);
	for (size_t i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, store_fetch_at(st, doctype, i));
	return arr;
}

int store_mango_docs(const struct store *st, const char *doctype, struct mango_docs *docs)
{
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL)
		return -1;
	store_db_order_fix(db);
	store_columns_docs(db, docs);
	return 0;
}

json_t *store_doctypes(const struct store *st)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < st->ndbs; i++)
		json_array_append_new(arr, json_string(st->dbs[i]->name));
	return arr;
}

/* ---- writing ---- */

/* Store body as the live doc id at generation gen (replacing the live one, if any); *out gets a new tree. */
enum store_status store_put(struct store *st, struct db *db, const char *id, long gen, const json_t *body, json_t **out,
			    char *err)
{
	char rev[64];
	store_rev_make(st, gen, rev);
	struct rec r;
	if (store_rec_make(&r, id, rev, body) < 0) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	long old = store_db_lookup(db, id);
	if (old >= 0) {
		/* same id: same slot, same place in the order and the hash */
		free(db->recs[old].mem);
		db->recs[old] = r;
		for (size_t i = 0; i < db->ncols; i++)
			store_columns_fill(db, db->cols[i], (size_t)old);
	} else if (store_db_add(db, &r, 0) < 0) {
		free(r.mem);
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	json_object_del(db->tombs, id);
	if (out != NULL && (*out = store_rec_tree(&r)) == NULL) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* The counter a write of id moves: the document one, or indexes for a design document (not a document to count). */
static long *store_counter(struct db *db, const char *id, long *doc_counter)
{
	return strncmp(id, "_design/", 8) == 0 ? &db->indexes : doc_counter;
}

enum store_status store_create(struct store *st, const char *doctype, const json_t *doc, json_t **out, char *err)
{
	if (!json_is_object(doc)) {
		err_set(err, "Document must be a JSON object");
		return STORE_ERROR;
	}
	char genid[33];
	const char *id = json_string_value(json_object_get(doc, "_id"));
	if (json_object_get(doc, "_id") != NULL && id == NULL) {
		err_set(err, "Document id must be a string");
		return STORE_BAD_ID;
	}
	if (id == NULL) {
		store_hex32(st, genid);
		id = genid;
	} else if (store_id_check(id, err) < 0) {
		return STORE_BAD_ID;
	}
	struct db *db = store_db_open(st, doctype);
	if (db == NULL) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	if (store_db_lookup(db, id) >= 0) {
		err_set(err, "Document update conflict.");
		return STORE_CONFLICT;
	}
	enum store_status s = store_put(st, db, id, store_tomb_gen(db, id) + 1, doc, out, err);
	if (s == STORE_OK)
		*store_counter(db, id, &db->created) += 1;
	return s;
}

/* The slot of the live doc that an update or delete with rev may replace (and its database), or why not. */
static enum store_status replaceable_slot(struct store *st, const char *doctype, const char *id, const char *rev,
					  struct db **dbp, size_t *slotp, char *err)
{
	struct db *db = store_db_find(st, doctype, NULL);
	if (db == NULL) {
		err_set(err, "Database does not exist.");
		return STORE_NO_DB;
	}
	long slot = store_db_lookup(db, id);
	if (slot < 0) {
		int deleted = json_object_get(db->tombs, id) != NULL;
		err_set(err, deleted ? "deleted" : "missing");
		return deleted ? STORE_DELETED : STORE_NOT_FOUND;
	}
	if (rev == NULL || strcmp(rev, store_rec_rev(&db->recs[slot])) != 0) {
		err_set(err, "Document update conflict.");
		return STORE_CONFLICT;
	}
	*dbp = db;
	*slotp = (size_t)slot;
	return STORE_OK;
}

enum store_status store_update(struct store *st, const char *doctype, const char *id, const json_t *doc, json_t **out,
			       char *err)
{
	struct db *db;
	size_t slot;
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	enum store_status found = replaceable_slot(st, doctype, id, rev, &db, &slot, err);
	if (found != STORE_OK)
		return found;
	enum store_status s = store_put(st, db, id, store_rev_gen(store_rec_rev(&db->recs[slot])) + 1, doc, out, err);
	if (s == STORE_OK)
		*store_counter(db, id, &db->updated) += 1;
	return s;
}

enum store_status store_delete(struct store *st, const char *doctype, const char *id, const char *rev,
			       const char **tombstone_rev, char *err)
{
	struct db *db;
	size_t slot;
	enum store_status found = replaceable_slot(st, doctype, id, rev, &db, &slot, err);
	if (found != STORE_OK)
		return found;
	char trev[64];
	store_rev_make(st, store_rev_gen(store_rec_rev(&db->recs[slot])) + 1, trev);
	/* The tombstone as text too: "<deleted revision>\0<last live body>" (a tree per deleted doc cost 3 KB). */
	struct buf b = {0};
	buf_puts(&b, trev);
	buf_append(&b, "", 1);
	store_rec_full_text(&db->recs[slot], &b);
	json_t *tomb = b.data != NULL ? json_stringn(b.data, b.len) : NULL;
	buf_free(&b);
	if (tomb == NULL || json_object_set_new(db->tombs, id, tomb) < 0) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	*store_counter(db, id, &db->deleted) += 1; /* before store_db_remove: id may live in the record */
	store_db_remove(db, slot);
	if (tombstone_rev != NULL)
		*tombstone_rev = json_string_value(tomb);
	return STORE_OK;
}

json_t *store_changes(const struct store *st)
{
	json_t *all = json_object();
	for (size_t i = 0; all != NULL && i < st->ndbs; i++) {
		const struct db *db = st->dbs[i];
		if (db->created == 0 && db->updated == 0 && db->deleted == 0 && db->indexes == 0)
			continue;
		json_t *c = json_pack("{s:I, s:I, s:I}", "created", (json_int_t)db->created, "updated",
				      (json_int_t)db->updated, "deleted", (json_int_t)db->deleted);
		if (c != NULL && db->indexes > 0)
			json_object_set_new(c, "indexes", json_integer((json_int_t)db->indexes));
		json_object_set_new(all, db->name, c);
	}
	return all;
}

void store_reset_changes(struct store *st)
{
	for (size_t i = 0; i < st->ndbs; i++)
		st->dbs[i]->created = st->dbs[i]->updated = st->dbs[i]->deleted = st->dbs[i]->indexes = 0;
}
