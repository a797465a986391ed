/*
 * The document store: one CouchDB-like database per doctype, held in jansson.
 *
 * Per database: a jansson object id → live doc (O(1) GET), an object
 * id → tombstone [stub, last body], and a cache of the live docs sorted by _id
 * (byte order, as CouchDB's _all_docs) kept up to date on each write, so
 * _all_docs and _find never rebuild a 100k array per request.
 */
#include "fake-stack/store.h"
#include "common/pct.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "fake-stack/sha1.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

struct db {
	char *name;
	json_t *docs;  /* id → live doc {"_id","_rev",…} */
	json_t *tombs; /* id → [stub {"_id","_rev","_deleted":true}, last live body] */
	json_t **sorted; /* live docs by _id (strcmp), borrowed from docs */
	const char **ids; /* ids[i] is sorted[i]'s _id (cached: a hash lookup per compare is slow) */
	size_t nsorted, capsorted;
	int sorted_dirty; /* set by bulk loading: sort once on the next read */
	long created, updated, deleted;
};

struct store {
	struct db **dbs; /* sorted by name */
	size_t ndbs, capdbs;
	uint64_t rng[2];
};

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
static void store_hex32(struct store *st, char *out)
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

static void db_free(struct db *db)
{
	if (db == NULL)
		return;
	free(db->name);
	json_decref(db->docs);
	json_decref(db->tombs);
	free(db->sorted);
	free(db->ids);
	free(db);
}

void store_free(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->ndbs; i++)
		db_free(st->dbs[i]);
	free(st->dbs);
	free(st);
}

/* stack: model/permission/doctype.go CheckDoctypeName: lowercase letters, digits, '.', '_'; no dot at either end, no ".." */
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

/* Binary search of the db list; *pos gets the insertion point when absent. */
static struct db *db_find(const struct store *st, const char *doctype, size_t *pos)
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

static struct db *db_ensure(struct store *st, const char *doctype)
{
	size_t pos = 0;
	struct db *db = db_find(st, doctype, &pos);
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
	db->docs = json_object();
	db->tombs = json_object();
	if (db->name == NULL || db->docs == NULL || db->tombs == NULL) {
		db_free(db);
		return NULL;
	}
	memmove(st->dbs + pos + 1, st->dbs + pos, (st->ndbs - pos) * sizeof(*st->dbs));
	st->dbs[pos] = db;
	st->ndbs++;
	return db;
}

int store_db_exists(const struct store *st, const char *doctype)
{
	return db_find(st, doctype, NULL) != NULL;
}

void store_db_ensure(struct store *st, const char *doctype)
{
	db_ensure(st, doctype);
}

enum store_status store_db_delete(struct store *st, const char *doctype)
{
	size_t i = 0;
	for (; i < st->ndbs; i++)
		if (strcmp(st->dbs[i]->name, doctype) == 0)
			break;
	if (i == st->ndbs)
		return STORE_NO_DB;
	db_free(st->dbs[i]);
	memmove(st->dbs + i, st->dbs + i + 1, (st->ndbs - i - 1) * sizeof(*st->dbs));
	st->ndbs--;
	return STORE_OK;
}

static const char *doc_id(const json_t *doc)
{
	return json_string_value(json_object_get(doc, "_id"));
}

struct id_doc {
	const char *id;
	json_t *doc;
};

static int cmp_id_doc(const void *a, const void *b)
{
	return strcmp(((const struct id_doc *)a)->id, ((const struct id_doc *)b)->id);
}

/* Index in db->sorted where id is, or would be inserted; *found says which. */
static size_t sorted_search(const struct db *db, const char *id, int *found)
{
	size_t lo = 0, hi = db->nsorted;
	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(db->ids[mid], id);
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

static int sorted_reserve(struct db *db)
{
	if (db->nsorted < db->capsorted)
		return 0;
	size_t cap = db->capsorted ? db->capsorted * 2 : 64;
	json_t **bigger = realloc(db->sorted, cap * sizeof(*bigger));
	if (bigger == NULL)
		return -1;
	db->sorted = bigger;
	const char **bids = realloc(db->ids, cap * sizeof(*bids));
	if (bids == NULL)
		return -1;
	db->ids = bids;
	db->capsorted = cap;
	return 0;
}

static void sorted_fix(const struct db *db)
{
	struct db *m = (struct db *)db; /* the cache is logically const */
	if (!m->sorted_dirty)
		return;
	/* Sort (id, doc) pairs together, then split them back. */
	struct id_doc *pairs = malloc(m->nsorted * sizeof(*pairs) + 1);
	if (pairs == NULL)
		return; /* stays dirty; retried on the next read */
	for (size_t i = 0; i < m->nsorted; i++)
		pairs[i] = (struct id_doc){m->ids[i], m->sorted[i]};
	qsort(pairs, m->nsorted, sizeof(*pairs), cmp_id_doc);
	for (size_t i = 0; i < m->nsorted; i++) {
		m->ids[i] = pairs[i].id;
		m->sorted[i] = pairs[i].doc;
	}
	free(pairs);
	m->sorted_dirty = 0;
}

/* Put doc (stolen) as the live doc id, keeping the sorted cache in step. */
static int db_set_live(struct db *db, json_t *doc)
{
	const char *id = doc_id(doc); /* the new doc's own copy: the caller's may die with the old doc */
	sorted_fix(db);
	int found = 0;
	size_t at = sorted_search(db, id, &found);
	if (!found && sorted_reserve(db) < 0) {
		json_decref(doc);
		return -1;
	}
	/* The cache borrows: docs holds the reference (and drops the old doc now). */
	if (json_object_set_new(db->docs, id, doc) < 0)
		return -1;
	if (!found) {
		memmove(db->sorted + at + 1, db->sorted + at, (db->nsorted - at) * sizeof(*db->sorted));
		memmove(db->ids + at + 1, db->ids + at, (db->nsorted - at) * sizeof(*db->ids));
		db->nsorted++;
	}
	db->sorted[at] = doc;
	db->ids[at] = id;
	return 0;
}

static void db_drop_live(struct db *db, const char *id)
{
	sorted_fix(db);
	int found = 0;
	size_t at = sorted_search(db, id, &found);
	if (found) {
		memmove(db->sorted + at, db->sorted + at + 1, (db->nsorted - at - 1) * sizeof(*db->sorted));
		memmove(db->ids + at, db->ids + at + 1, (db->nsorted - at - 1) * sizeof(*db->ids));
		db->nsorted--;
	}
	json_object_del(db->docs, id);
}

/* Is rev "N-<32 lowercase hex>" with N >= 1? */
static int rev_valid(const char *rev)
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

static long rev_gen(const char *rev)
{
	return rev != NULL ? strtol(rev, NULL, 10) : 0;
}

static void rev_make(struct store *st, long gen, char *out /* [64] */)
{
	char hex[33];
	store_hex32(st, hex);
	snprintf(out, 64, "%ld-%s", gen, hex);
}

/*
 * A new object with _id and _rev first (as CouchDB answers), then src's
 * members except _id, _rev and _type (cozy-stack keeps _type out of CouchDB;
 * konnectors send it back on PUT). Values are shared when steal, else copied.
 */
static json_t *doc_with_head(const char *id, const char *rev, const json_t *src, int steal)
{
	json_t *doc = json_object();
	if (doc == NULL || json_object_set_new(doc, "_id", json_string(id)) < 0 ||
	    json_object_set_new(doc, "_rev", json_string(rev)) < 0) {
		json_decref(doc);
		return NULL;
	}
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)src, k, v) {
		if (strcmp(k, "_id") == 0 || strcmp(k, "_rev") == 0 || strcmp(k, "_type") == 0)
			continue;
		json_t *val = steal ? json_incref(v) : json_deep_copy(v);
		if (val == NULL || json_object_set_new(doc, k, val) < 0) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

/* stack: pkg/couchdb/couchdb.go validateDocID: an id starting with '_' is bad_id (design docs come from _index). */
static int id_check(const char *id, char *err)
{
	if (id[0] == '\0')
		return err_set(err, "document id is empty");
	if (id[0] == '_' && strncmp(id, "_design/", 8) != 0)
		return err_set(err, "Unsuported couchdb operation %s", id);
	return 0;
}

const json_t *store_get(const struct store *st, const char *doctype, const char *id, enum store_status *status)
{
	enum store_status dummy;
	if (status == NULL)
		status = &dummy;
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		*status = STORE_NO_DB;
		return NULL;
	}
	json_t *doc = json_object_get(db->docs, id);
	if (doc != NULL) {
		*status = STORE_OK;
		return doc;
	}
	*status = json_object_get(db->tombs, id) != NULL ? STORE_DELETED : STORE_NOT_FOUND;
	return NULL;
}

const json_t *store_get_rev(const struct store *st, const char *doctype, const char *id, const char *rev)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL || rev == NULL)
		return NULL;
	json_t *doc = json_object_get(db->docs, id);
	if (doc != NULL)
		return strcmp(json_string_value(json_object_get(doc, "_rev")), rev) == 0 ? doc : NULL;
	json_t *tomb = json_object_get(db->tombs, id);
	for (size_t i = 0; i < json_array_size(tomb); i++) {
		json_t *d = json_array_get(tomb, i);
		if (strcmp(json_string_value(json_object_get(d, "_rev")), rev) == 0)
			return d;
	}
	return NULL;
}

/* Store a new live doc at generation gen; a tombstone of the same id is forgotten. */
static enum store_status db_put_new(struct store *st, struct db *db, const char *id, long gen, const json_t *body,
				    const json_t **out, char *err)
{
	char rev[64];
	rev_make(st, gen, rev);
	json_t *doc = doc_with_head(id, rev, body, 0);
	if (doc == NULL) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	json_object_del(db->tombs, doc_id(doc));
	if (db_set_live(db, doc) < 0) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	if (out != NULL)
		*out = doc;
	return STORE_OK;
}

enum store_status store_create(struct store *st, const char *doctype, const json_t *doc, const json_t **out, char *err)
{
	if (!json_is_object(doc)) {
		err_set(err, "Document must be a JSON object");
		return STORE_ERROR;
	}
	char genid[33];
	const char *id = doc_id(doc);
	if (json_object_get(doc, "_id") != NULL && id == NULL) {
		err_set(err, "Document id must be a string");
		return STORE_BAD_ID;
	}
	if (id == NULL) {
		store_hex32(st, genid);
		id = genid;
	} else if (id_check(id, err) < 0) {
		return STORE_BAD_ID;
	}
	struct db *db = db_ensure(st, doctype);
	if (db == NULL) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	if (json_object_get(db->docs, id) != NULL) {
		err_set(err, "Document update conflict.");
		return STORE_CONFLICT;
	}
	/* CouchDB: re-creating a deleted doc extends its revision tree (tombstone N → N+1). */
	json_t *tomb = json_object_get(db->tombs, id);
	long gen = tomb != NULL ? rev_gen(json_string_value(json_object_get(json_array_get(tomb, 0), "_rev"))) + 1 : 1;
	enum store_status s = db_put_new(st, db, id, gen, doc, out, err);
	if (s == STORE_OK)
		db->created++;
	return s;
}

/* The live doc that an update or delete with rev may replace (and its database), or why not. */
static enum store_status db_current(struct store *st, const char *doctype, const char *id, const char *rev, struct db **dbp,
				    json_t **curp, char *err)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		err_set(err, "Database does not exist.");
		return STORE_NO_DB;
	}
	json_t *cur = json_object_get(db->docs, id);
	if (cur == NULL) {
		int deleted = json_object_get(db->tombs, id) != NULL;
		err_set(err, deleted ? "deleted" : "missing");
		return deleted ? STORE_DELETED : STORE_NOT_FOUND;
	}
	const char *currev = json_string_value(json_object_get(cur, "_rev"));
	if (rev == NULL || strcmp(rev, currev) != 0) {
		err_set(err, "Document update conflict.");
		return STORE_CONFLICT;
	}
	*dbp = db;
	*curp = cur;
	return STORE_OK;
}

enum store_status store_update(struct store *st, const char *doctype, const char *id, const json_t *doc, const json_t **out,
			       char *err)
{
	struct db *db;
	json_t *cur;
	enum store_status found = db_current(st, doctype, id, json_string_value(json_object_get(doc, "_rev")), &db, &cur, err);
	if (found != STORE_OK)
		return found;
	const char *currev = json_string_value(json_object_get(cur, "_rev"));
	enum store_status s = db_put_new(st, db, id, rev_gen(currev) + 1, doc, out, err);
	if (s == STORE_OK)
		db->updated++;
	return s;
}

enum store_status store_delete(struct store *st, const char *doctype, const char *id, const char *rev,
			       const char **tombstone_rev, char *err)
{
	struct db *db;
	json_t *cur;
	enum store_status found = db_current(st, doctype, id, rev, &db, &cur, err);
	if (found != STORE_OK)
		return found;
	const char *currev = json_string_value(json_object_get(cur, "_rev"));
	char trev[64];
	rev_make(st, rev_gen(currev) + 1, trev);
	json_t *stub = json_pack("{s:s, s:s, s:b}", "_id", id, "_rev", trev, "_deleted", 1);
	json_t *tomb = json_array();
	if (stub == NULL || tomb == NULL || json_array_append_new(tomb, stub) < 0 || json_array_append(tomb, cur) < 0 ||
	    json_object_set_new(db->tombs, id, tomb) < 0) {
		if (tomb == NULL)
			json_decref(stub);
		json_decref(tomb);
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	db_drop_live(db, id);
	db->deleted++;
	if (tombstone_rev != NULL)
		*tombstone_rev = json_string_value(json_object_get(stub, "_rev"));
	return STORE_OK;
}

json_t *const *store_docs(const struct store *st, const char *doctype, size_t *n)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		*n = 0;
		return NULL;
	}
	sorted_fix(db);
	*n = db->nsorted;
	return db->sorted;
}

json_t *store_all_docs(const struct store *st, const char *doctype)
{
	size_t n = 0;
	json_t *const *docs = store_docs(st, doctype, &n);
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < n; i++)
		json_array_append(arr, docs[i]);
	return arr;
}

int store_db_counts(const struct store *st, const char *doctype, size_t *live, size_t *deleted)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL)
		return -1;
	*live = json_object_size(db->docs);
	*deleted = json_object_size(db->tombs);
	return 0;
}

json_t *store_doctypes(const struct store *st)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < st->ndbs; i++)
		json_array_append_new(arr, json_string(st->dbs[i]->name));
	return arr;
}

json_t *store_changes(const struct store *st)
{
	json_t *all = json_object();
	for (size_t i = 0; all != NULL && i < st->ndbs; i++) {
		const struct db *db = st->dbs[i];
		if (db->created == 0 && db->updated == 0 && db->deleted == 0)
			continue;
		json_object_set_new(all, db->name,
				    json_pack("{s:I, s:I, s:I}", "created", (json_int_t)db->created, "updated",
					      (json_int_t)db->updated, "deleted", (json_int_t)db->deleted));
	}
	return all;
}

void store_reset_changes(struct store *st)
{
	for (size_t i = 0; i < st->ndbs; i++)
		st->dbs[i]->created = st->dbs[i]->updated = st->dbs[i]->deleted = 0;
}

/* ---- loading and writing folders ---- */

/* Percent-decode a file name (without .json) into a malloc'd id; NULL on a bad escape. */
static char *id_from_filename(const char *name, size_t len)
{
	return pct_decode(name, len, PCT_REJECT_NUL);
}

/* The file name for an id: '%' and '/' (and control bytes, and a leading '.') percent-encoded. */
static void id_to_filename(struct buf *b, const char *id)
{
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (*p == '%' || *p == '/' || *p < 0x20 || *p == 0x7f || (p == (const unsigned char *)id && *p == '.'))
			buf_printf(b, "%%%02X", *p);
		else
			buf_append(b, p, 1);
	}
}

/* Add one fixture doc (stolen); id_hint is the file-name id or NULL. */
static int load_doc(struct store *st, struct db *db, json_t *doc, const char *id_hint, const char *path, size_t index,
		    char *err)
{
	char where[64] = "";
	if (index != (size_t)-1)
		snprintf(where, sizeof(where), " (element %zu)", index);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return err_set(err, "%s%s: a document must be a JSON object", path, where);
	}
	json_t *jid = json_object_get(doc, "_id");
	char genid[33];
	const char *id;
	if (jid != NULL) {
		if (!json_is_string(jid)) {
			json_decref(doc);
			return err_set(err, "%s%s: _id must be a string", path, where);
		}
		id = json_string_value(jid);
	} else if (id_hint != NULL) {
		id = id_hint;
	} else {
		store_hex32(st, genid);
		id = genid;
	}
	char idmsg[ERR_MAX];
	if (id_check(id, idmsg) < 0) {
		err_set(err, "%s%s: invalid _id \"%s\": ids starting with _ are reserved (only _design/… is allowed)",
			path, where, id);
		json_decref(doc);
		return -1;
	}
	if (json_object_get(db->docs, id) != NULL) {
		err_set(err, "%s%s: duplicate _id \"%s\" in %s", path, where, id, db->name);
		json_decref(doc);
		return -1;
	}
	/*
	 * Fix the doc up in place rather than rebuilding it with _id and _rev
	 * first: no second copy of 100k docs at load time (only their member
	 * order differs from what CouchDB would answer).
	 */
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	char newrev[64];
	if (!rev_valid(rev)) {
		rev_make(st, 1, newrev);
		rev = newrev;
	}
	if ((jid == NULL && json_object_set_new(doc, "_id", json_string(id)) < 0) ||
	    (rev == newrev && json_object_set_new(doc, "_rev", json_string(rev)) < 0)) {
		json_decref(doc);
		return err_set(err, "%s: out of memory", path);
	}
	json_object_del(doc, "_type");
	id = doc_id(doc);
	if (sorted_reserve(db) < 0 || json_object_set_new(db->docs, id, doc) < 0)
		return err_set(err, "%s: out of memory", path);
	db->ids[db->nsorted] = id;
	db->sorted[db->nsorted++] = doc;
	db->sorted_dirty = 1;
	return 0;
}

/* Parse a JSON file; a syntax error reads "path:line:column: what". */
static json_t *load_json(const char *path, char *err)
{
	/* Read then parse from memory: jansson's file reader goes through getc, 2x slower. */
	size_t len = 0;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return NULL;
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);
	free(text);
	if (v == NULL) {
		if (je.line > 0)
			err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		else
			err_set(err, "%s: %s", path, je.text);
	}
	return v;
}

static int has_json_ext(const char *name, size_t *stem)
{
	size_t n = strlen(name);
	if (n <= 5 || strcmp(name + n - 5, ".json") != 0)
		return 0;
	*stem = n - 5;
	return 1;
}

/* data/<doctype>.json: an array of documents. */
static int load_array_file(struct store *st, const char *path, const char *doctype, char *err)
{
	json_t *arr = load_json(path, err);
	if (arr == NULL)
		return -1;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return err_set(err, "%s: expected an array of documents for doctype %s", path, doctype);
	}
	struct db *db = db_ensure(st, doctype);
	if (db == NULL) {
		json_decref(arr);
		return err_set(err, "out of memory");
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		if (load_doc(st, db, json_incref(json_array_get(arr, i)), NULL, path, i, err) < 0) {
			json_decref(arr);
			return -1;
		}
	}
	json_decref(arr);
	return 0;
}

/* data/<doctype>/<id>.json: one document per file. */
static int load_doc_dir(struct store *st, const char *dir, const char *doctype, char *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set(err, "%s: %s", dir, strerror(errno));
	struct db *db = db_ensure(st, doctype);
	if (db == NULL) {
		closedir(d);
		return err_set(err, "out of memory");
	}
	struct buf path = {0};
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t stem = 0;
		if (de->d_name[0] == '.' || !has_json_ext(de->d_name, &stem))
			continue; /* hidden files, editor backups, READMEs */
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		char *id = id_from_filename(de->d_name, stem);
		if (id == NULL) {
			rc = err_set(err, "%s: bad percent-escape in the file name", path.data);
			break;
		}
		json_t *doc = load_json(path.data, err);
		if (doc == NULL)
			rc = -1;
		else if (json_is_array(doc))
			rc = err_set(err, "%s: expected one document (a JSON object), found an array; "
					  "arrays of documents go in data/%s.json", path.data, doctype);
		else
			rc = load_doc(st, db, json_incref(doc), id, path.data, (size_t)-1, err);
		json_decref(doc);
		free(id);
	}
	closedir(d);
	buf_free(&path);
	return rc;
}

int store_load_dir(struct store *st, const char *data_dir, char *err)
{
	DIR *d = opendir(data_dir);
	if (d == NULL)
		return err_set(err, "%s: %s", data_dir, strerror(errno));
	struct buf path = {0};
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", data_dir, de->d_name);
		struct stat sb;
		if (stat(path.data, &sb) < 0) {
			rc = err_set(err, "%s: %s", path.data, strerror(errno));
			break;
		}
		size_t stem = 0;
		char name[256];
		if (S_ISDIR(sb.st_mode)) {
			snprintf(name, sizeof(name), "%s", de->d_name);
		} else if (S_ISREG(sb.st_mode) && has_json_ext(de->d_name, &stem) && stem < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)stem, de->d_name);
		} else {
			continue;
		}
		if (!store_doctype_valid(name)) {
			rc = err_set(err, "%s: \"%s\" is not a valid doctype name (lowercase letters, digits, '.' and '_' only; "
					  "no dot at either end, no \"..\")", path.data, name);
			break;
		}
		rc = S_ISDIR(sb.st_mode) ? load_doc_dir(st, path.data, name, err)
					 : load_array_file(st, path.data, name, err);
	}
	closedir(d);
	buf_free(&path);
	return rc;
}

/* Write one doc as JSON to path (plain write: a fresh run directory, not the user's fixtures). */
static int write_doc(const char *path, const json_t *doc, char *err)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return err_set(err, "%s: %s", path, strerror(errno));
	int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (fputc('\n', f) == EOF)
		rc = -1;
	if (fclose(f) != 0 || rc != 0)
		return err_set(err, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}

int store_write_dir(const struct store *st, const char *dir, char *err)
{
	struct buf path = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < st->ndbs; i++) {
		const struct db *db = st->dbs[i];
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, db->name);
		if (mkdir_p(path.data, err) < 0) {
			rc = -1;
			break;
		}
		size_t base = path.len;
		const char *id;
		json_t *doc;
		json_object_foreach (db->docs, id, doc) {
			path.len = base;
			path.data[base] = '\0';
			buf_puts(&path, "/");
			id_to_filename(&path, id);
			buf_puts(&path, ".json");
			if (write_doc(path.data, doc, err) < 0) {
				rc = -1;
				break;
			}
		}
	}
	buf_free(&path);
	return rc;
}

/* ---- design docs and Mango indexes ---- */

/* A sort spec ("f" or {"f":"asc|desc"}) as {"f":"asc|desc"} pairs into fields_obj; -1 on a bad one. */
static int index_fields(const json_t *fields, json_t *fields_obj, char *err)
{
	if (!json_is_array(fields) || json_array_size(fields) == 0)
		return err_set(err, "Sort must be an array of sort specs");
	size_t i;
	json_t *f;
	json_array_foreach (fields, i, f) {
		if (json_is_string(f) && json_string_length(f) > 0) {
			json_object_set_new(fields_obj, json_string_value(f), json_string("asc"));
		} else if (json_is_object(f) && json_object_size(f) == 1) {
			const char *k = json_object_iter_key(json_object_iter((json_t *)f));
			const char *dir = json_string_value(json_object_iter_value(json_object_iter((json_t *)f)));
			if (dir == NULL || (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0))
				return err_set(err, "Invalid sort direction");
			json_object_set_new(fields_obj, k, json_string(dir));
		} else {
			return err_set(err, "Invalid sort field");
		}
	}
	return 0;
}

enum store_status store_index_put(struct store *st, const char *doctype, const json_t *body, const char **result,
				  const char **id, const char **name, char *err)
{
	/* CouchDB mango_opts validate_idx_create: index required; type, name, ddoc optional strings. */
	if (!json_is_object(body)) {
		err_set(err, "Invalid JSON value");
		return STORE_ERROR;
	}
	const json_t *def = json_object_get(body, "index");
	if (def == NULL) {
		err_set(err, "Missing required key: index");
		return STORE_ERROR;
	}
	if (!json_is_object(def)) {
		err_set(err, "JSON indexes must be an object");
		return STORE_ERROR;
	}
	const json_t *type = json_object_get(body, "type");
	if (type != NULL && (!json_is_string(type) || strcmp(json_string_value(type), "json") != 0)) {
		err_set(err, "Invalid type for index: %s", json_is_string(type) ? json_string_value(type) : "?");
		return STORE_ERROR;
	}
	const json_t *jname = json_object_get(body, "name"), *jddoc = json_object_get(body, "ddoc");
	if ((jname != NULL && !json_is_string(jname)) || (jddoc != NULL && !json_is_string(jddoc))) {
		err_set(err, "Invalid index name");
		return STORE_ERROR;
	}
	json_t *fields_obj = json_object();
	if (index_fields(json_object_get(def, "fields"), fields_obj, err) < 0) {
		json_decref(fields_obj);
		return STORE_ERROR;
	}
	const json_t *pfs = json_object_get(def, "partial_filter_selector");
	if (pfs != NULL && !json_is_object(pfs)) {
		json_decref(fields_obj);
		err_set(err, "Selector must be a JSON object");
		return STORE_ERROR;
	}
	/* mango_idx_view make_view: map = normalized def, reduce _count, options.def = def as given. */
	json_t *map = json_object();
	json_object_set_new(map, "fields", fields_obj);
	json_object_set_new(map, "partial_filter_selector", pfs != NULL ? json_deep_copy(pfs) : json_object());
	json_t *view = json_pack("{s:o, s:s, s:{s:O}}", "map", map, "reduce", "_count", "options", "def", def);

	/* CouchDB names an unnamed index with a SHA-1 of its definition (mango_idx gen_name); ours hashes the canonical JSON. */
	char *canon = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS);
	char hash[41];
	sha1_hex(canon, strlen(canon), hash);
	free(canon);
	const char *iname = jname != NULL ? json_string_value(jname) : hash;
	struct buf ddid = {0};
	const char *dd = jddoc != NULL ? json_string_value(jddoc) : hash;
	if (strncmp(dd, "_design/", 8) != 0)
		buf_puts(&ddid, "_design/");
	buf_puts(&ddid, dd);

	struct db *db = db_ensure(st, doctype);
	enum store_status s = STORE_OK;
	json_t *cur = db != NULL ? json_object_get(db->docs, ddid.data) : NULL;
	json_t *old = cur != NULL ? json_object_get(json_object_get(cur, "views"), iname) : NULL;
	if (db == NULL) {
		err_set(err, "out of memory");
		s = STORE_ERROR;
	} else if (old != NULL && json_equal(json_object_get(old, "map"), map)) {
		*result = "exists";
	} else {
		json_t *ddoc = cur != NULL ? json_deep_copy(cur) : json_pack("{s:s, s:{}}", "language", "query", "views");
		if (!json_is_object(json_object_get(ddoc, "views")))
			json_object_set_new(ddoc, "views", json_object());
		json_object_set(json_object_get(ddoc, "views"), iname, view);
		const json_t *stored = NULL;
		long gen = cur != NULL ? rev_gen(json_string_value(json_object_get(cur, "_rev"))) + 1 : 1;
		json_t *tomb = json_object_get(db->tombs, ddid.data);
		if (cur == NULL && tomb != NULL)
			gen = rev_gen(json_string_value(json_object_get(json_array_get(tomb, 0), "_rev"))) + 1;
		s = db_put_new(st, db, ddid.data, gen, ddoc, &stored, err);
		json_decref(ddoc);
		if (s == STORE_OK) {
			if (cur == NULL)
				db->created++;
			else
				db->updated++;
			cur = (json_t *)stored;
		}
		*result = "created";
	}
	json_decref(view);
	buf_free(&ddid);
	if (s != STORE_OK)
		return s;
	*id = json_string_value(json_object_get(cur, "_id"));
	/* The name string lives in the stored ddoc's views object. */
	json_t *views = json_object_get(cur, "views");
	void *it = json_object_iter_at(views, iname);
	*name = it != NULL ? json_object_iter_key(it) : NULL;
	return STORE_OK;
}

int store_index_exists(const struct store *st, const char *doctype, const json_t *use_index)
{
	const char *ddoc = NULL, *view = NULL;
	if (json_is_string(use_index)) {
		ddoc = json_string_value(use_index);
	} else if (json_is_array(use_index) && json_array_size(use_index) >= 1) {
		ddoc = json_string_value(json_array_get(use_index, 0));
		view = json_string_value(json_array_get(use_index, 1));
	}
	if (ddoc == NULL)
		return 0;
	char *copy = NULL;
	if (strncmp(ddoc, "_design/", 8) == 0)
		ddoc += 8;
	/* "ddoc/name" (mango_opts validate_use_index) */
	const char *slash = strchr(ddoc, '/');
	if (view == NULL && slash != NULL) {
		copy = strndup(ddoc, (size_t)(slash - ddoc));
		view = slash + 1;
		ddoc = copy;
	}
	struct buf id = {0};
	buf_printf(&id, "_design/%s", ddoc);
	enum store_status s;
	const json_t *doc = store_get(st, doctype, id.data, &s);
	int ok = doc != NULL && (view == NULL || json_object_get(json_object_get(doc, "views"), view) != NULL);
	buf_free(&id);
	free(copy);
	return ok;
}

json_t *store_design_docs(const struct store *st, const char *doctype)
{
	size_t n = 0;
	json_t *const *docs = store_docs(st, doctype, &n);
	json_t *rows = json_array();
	/* CouchDB _design_docs is _all_docs from "_design/" to "_design0": offset counts the ids before. */
	size_t offset = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = doc_id(docs[i]);
		if (strcmp(id, "_design/") < 0)
			offset++;
		if (strncmp(id, "_design/", 8) != 0)
			continue;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:{s:s}, s:O}", "id", id, "key", id, "value", "rev",
						      json_string_value(json_object_get(docs[i], "_rev")), "doc", docs[i]));
	}
	return json_pack("{s:I, s:I, s:o}", "total_rows", (json_int_t)n, "offset", (json_int_t)offset, "rows", rows);
}
