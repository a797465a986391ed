/*
 * The document store: one CouchDB-like database per doctype.
 *
 * Memory is the design constraint (issue 3: resident memory under 3x the
 * fixtures on disk; a jansson tree costs ~1.7 KB for a 150-byte doc). So each
 * live doc is one allocation, "<id>\0<rev>\0<compact JSON without _id and
 * _rev>\0", in a slot that never moves; a hash finds a slot by id, an array
 * of slots sorted by id gives _all_docs order, and reads parse the text into
 * a fresh tree. _find reads members through columns (slot → parsed value of
 * one top-level member), built on the first query naming that member and
 * kept in step with every write; values repeated across docs are shared.
 * Tombstones (few) stay jansson trees.
 */
#include "fake-stack/store.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/pct.h"
#include "fake-stack/jtext.h"
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

/* One live doc. */
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
	} *e;
	size_t cap, n;
};

/* One top-level member of every live doc, for _find. */
struct column {
	char *key;
	json_t **vals;          /* by slot (capacity capslots), a reference each; NULL: no such member */
	struct intern *intern;  /* NULL once too many values are distinct */
};

struct db {
	char *name;
	struct rec *recs;       /* by slot */
	size_t nslots, capslots;
	uint32_t *freeslots;    /* slots to reuse */
	size_t nfree;
	uint32_t *hash;         /* open addressing by id: slot + 1, 0 = empty; capacity hcap (a power of 2) */
	size_t hcap;
	uint32_t *order;        /* live slots by id (strcmp, as CouchDB's raw collation); nlive of them */
	size_t nlive, caporder;
	int order_dirty;        /* set by bulk loading: sort once on the next read */
	json_t *tombs;          /* id → [stub {"_id","_rev","_deleted":true}, last live body] */
	struct column **cols;
	size_t ncols;
	struct column **want;   /* the columns of the running _find, by its key numbers */
	size_t nwant;
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

/* ---- records ---- */

static const char *rec_id(const struct rec *r)
{
	return r->mem;
}

static const char *rec_rev(const struct rec *r)
{
	return r->mem + strlen(r->mem) + 1;
}

static const char *rec_text(const struct rec *r)
{
	return r->mem + r->textoff;
}

/* A record for id at rev whose other members are body's (_id, _rev and _type left out); -1 when out of memory. */
static int rec_make(struct rec *r, const char *id, const char *rev, const json_t *body)
{
	json_t *rest = json_object();
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)body, k, v) {
		if (strcmp(k, "_id") != 0 && strcmp(k, "_rev") != 0 && strcmp(k, "_type") != 0)
			json_object_set(rest, k, v);
	}
	char *text = json_dumps(rest, JSON_COMPACT);
	json_decref(rest);
	if (text == NULL)
		return -1;
	size_t il = strlen(id), rl = strlen(rev), tl = strlen(text);
	char *mem = malloc(il + rl + tl + 3);
	if (mem == NULL) {
		free(text);
		return -1;
	}
	memcpy(mem, id, il + 1);
	memcpy(mem + il + 1, rev, rl + 1);
	memcpy(mem + il + rl + 2, text, tl + 1);
	free(text);
	r->mem = mem;
	r->textoff = (uint32_t)(il + rl + 2);
	r->textlen = (uint32_t)tl;
	return 0;
}

/* s as a JSON string literal. */
static void json_quote(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* The doc as CouchDB answers it, _id and _rev first: a new tree, NULL when out of memory. */
static json_t *rec_tree(const struct rec *r)
{
	struct buf b = {0};
	buf_puts(&b, "{\"_id\":");
	json_quote(&b, rec_id(r));
	buf_printf(&b, ",\"_rev\":\"%s\"", rec_rev(r));
	const char *text = rec_text(r);
	if (r->textlen > 2)
		buf_printf(&b, ",%s", text + 1);
	else
		buf_puts(&b, "}");
	json_t *doc = b.data != NULL ? json_loadb(b.data, b.len, 0, NULL) : NULL;
	buf_free(&b);
	return doc;
}

/* ---- value columns ---- */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void intern_free(struct intern *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->cap; i++) {
		free(in->e[i].text);
		json_decref(in->e[i].v);
	}
	free(in->e);
	free(in);
}

/* Parse a member's JSON text: the common scalars directly, the rest with jansson. New ref. */
static json_t *value_parse(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '"' && memchr(s, '\\', n) == NULL)
		return json_stringn(s + 1, n - 2);
	if (n > 0 && n < 19 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) {
		size_t i = s[0] == '-';
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == n && n > (size_t)(s[0] == '-'))
			return json_integer(strtoll(s, NULL, 10));
	}
	if (n == 4 && memcmp(s, "true", 4) == 0)
		return json_true();
	if (n == 5 && memcmp(s, "false", 5) == 0)
		return json_false();
	if (n == 4 && memcmp(s, "null", 4) == 0)
		return json_null();
	return json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* The shared value for this JSON text, parsed on its first sight. New ref. */
static json_t *intern_get(struct intern *in, const char *s, size_t n)
{
	if (in->n * 2 >= in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 64;
		struct intern_ent *e = calloc(cap, sizeof(*e));
		if (e == NULL)
			return value_parse(s, n);
		for (size_t i = 0; i < in->cap; i++) {
			if (in->e[i].v == NULL)
				continue;
			size_t j = in->e[i].hash & (cap - 1);
			while (e[j].v != NULL)
				j = (j + 1) & (cap - 1);
			e[j] = in->e[i];
		}
		free(in->e);
		in->e = e;
		in->cap = cap;
	}
	uint64_t h = fnv1a(s, n);
	size_t j = h & (in->cap - 1);
	for (; in->e[j].v != NULL; j = (j + 1) & (in->cap - 1))
		if (in->e[j].hash == h && in->e[j].len == n && memcmp(in->e[j].text, s, n) == 0)
			return json_incref(in->e[j].v);
	json_t *v = value_parse(s, n);
	char *text = malloc(n + 1);
	if (v == NULL || text == NULL) {
		free(text);
		return v;
	}
	memcpy(text, s, n);
	text[n] = '\0';
	in->e[j] = (struct intern_ent){h, text, n, json_incref(v)};
	in->n++;
	return v;
}

/* Set the column's value for a slot from its record (NULL record: the slot was freed). */
static void column_fill(struct db *db, struct column *c, size_t slot)
{
	const struct rec *r = &db->recs[slot];
	json_t *v = NULL;
	if (r->mem != NULL) {
		const char *s;
		size_t n;
		if (strcmp(c->key, "_id") == 0)
			v = json_string(rec_id(r));
		else if (strcmp(c->key, "_rev") == 0)
			v = json_string(rec_rev(r));
		else if (jtext_member(rec_text(r), rec_text(r) + r->textlen, c->key, &s, &n) == 1)
			v = c->intern != NULL ? intern_get(c->intern, s, n) : value_parse(s, n);
	}
	json_decref(c->vals[slot]);
	c->vals[slot] = v;
	/* Sharing pays while values repeat (vendors, categories); unique values (dates) would only double. */
	if (c->intern != NULL && c->intern->n > 4096 && c->intern->n * 4 > db->nlive) {
		intern_free(c->intern);
		c->intern = NULL;
	}
}

static void column_free(const struct db *db, struct column *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; c->vals != NULL && i < db->capslots; i++)
		json_decref(c->vals[i]);
	free(c->vals);
	intern_free(c->intern);
	free(c->key);
	free(c);
}

/* The column of a member, built from every live doc when first asked for. */
static struct column *column_get(struct db *db, const char *key)
{
	for (size_t i = 0; i < db->ncols; i++)
		if (strcmp(db->cols[i]->key, key) == 0)
			return db->cols[i];
	struct column **more = realloc(db->cols, (db->ncols + 1) * sizeof(*more));
	if (more == NULL)
		return NULL;
	db->cols = more;
	struct column *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->key = strdup(key);
	c->vals = calloc(db->capslots + 1, sizeof(*c->vals));
	c->intern = calloc(1, sizeof(*c->intern));
	if (c->key == NULL || c->vals == NULL || c->intern == NULL) {
		column_free(db, c);
		return NULL;
	}
	for (size_t slot = 0; slot < db->nslots; slot++)
		if (db->recs[slot].mem != NULL)
			column_fill(db, c, slot);
	db->cols[db->ncols++] = c;
	return c;
}

/* ---- databases: slots, the id hash, the sorted order ---- */

static void db_free(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->ncols; i++)
		column_free(db, db->cols[i]);
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
	db->tombs = json_object();
	if (db->name == NULL || db->tombs == NULL) {
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

/* The slot of a live id, or -1. */
static long db_lookup(const struct db *db, const char *id)
{
	if (db->hcap == 0)
		return -1;
	for (size_t j = fnv1a(id, strlen(id)) & (db->hcap - 1); db->hash[j] != 0; j = (j + 1) & (db->hcap - 1))
		if (strcmp(rec_id(&db->recs[db->hash[j] - 1]), id) == 0)
			return (long)db->hash[j] - 1;
	return -1;
}

static void hash_put(uint32_t *hash, size_t hcap, const char *id, uint32_t slot)
{
	size_t j = fnv1a(id, strlen(id)) & (hcap - 1);
	while (hash[j] != 0)
		j = (j + 1) & (hcap - 1);
	hash[j] = slot + 1;
}

/* Remove a slot from the id hash (backward-shift deletion: no tombstones in the table). */
static void hash_del(struct db *db, const char *id, uint32_t slot)
{
	size_t mask = db->hcap - 1, j = fnv1a(id, strlen(id)) & mask;
	while (db->hash[j] != slot + 1)
		j = (j + 1) & mask;
	for (size_t k = (j + 1) & mask; db->hash[k] != 0; k = (k + 1) & mask) {
		const char *kid = rec_id(&db->recs[db->hash[k] - 1]);
		size_t home = fnv1a(kid, strlen(kid)) & mask;
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
				hash_put(hash, hcap, rec_id(&db->recs[db->hash[i] - 1]), db->hash[i] - 1);
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

static const struct db *cmp_db; /* qsort has no context argument; the store is single-threaded */

static int cmp_slots(const void *a, const void *b)
{
	return strcmp(rec_id(&cmp_db->recs[*(const uint32_t *)a]), rec_id(&cmp_db->recs[*(const uint32_t *)b]));
}

static void order_fix(const struct db *db)
{
	struct db *m = (struct db *)db; /* the order is logically const */
	if (!m->order_dirty)
		return;
	cmp_db = m;
	qsort(m->order, m->nlive, sizeof(*m->order), cmp_slots);
	m->order_dirty = 0;
}

/* Where id is in the order, or would be inserted; *found says which. */
static size_t order_search(const struct db *db, const char *id, int *found)
{
	order_fix(db);
	size_t lo = 0, hi = db->nlive;
	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(rec_id(&db->recs[db->order[mid]]), id);
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
static int db_add(struct db *db, struct rec *r, int bulk)
{
	long slot = slot_alloc(db);
	if (slot < 0)
		return -1;
	db->recs[slot] = *r;
	hash_put(db->hash, db->hcap, rec_id(r), (uint32_t)slot);
	if (bulk) {
		db->order[db->nlive++] = (uint32_t)slot;
		db->order_dirty = 1;
	} else {
		int found;
		size_t at = order_search(db, rec_id(r), &found);
		memmove(db->order + at + 1, db->order + at, (db->nlive - at) * sizeof(*db->order));
		db->order[at] = (uint32_t)slot;
		db->nlive++;
	}
	for (size_t i = 0; i < db->ncols; i++)
		column_fill(db, db->cols[i], (size_t)slot);
	return 0;
}

/* Forget a live doc: its slot is freed for reuse. */
static void db_remove(struct db *db, size_t slot)
{
	struct rec *r = &db->recs[slot];
	int found;
	size_t at = order_search(db, rec_id(r), &found);
	if (found) {
		memmove(db->order + at, db->order + at + 1, (db->nlive - at - 1) * sizeof(*db->order));
		db->nlive--;
	}
	hash_del(db, rec_id(r), (uint32_t)slot);
	free(r->mem);
	r->mem = NULL;
	for (size_t i = 0; i < db->ncols; i++)
		column_fill(db, db->cols[i], slot);
	db->freeslots[db->nfree++] = (uint32_t)slot;
}

/* ---- revisions and ids ---- */

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

/* stack: pkg/couchdb/couchdb.go validateDocID: an id starting with '_' is bad_id (design docs come from _index). */
static int id_check(const char *id, char *err)
{
	if (id[0] == '\0')
		return err_set(err, "document id is empty");
	if (id[0] == '_' && strncmp(id, "_design/", 8) != 0)
		return err_set(err, "Unsuported couchdb operation %s", id);
	return 0;
}

static const char *doc_id(const json_t *doc)
{
	return json_string_value(json_object_get(doc, "_id"));
}

/* The generation a re-created id continues from (CouchDB: a deleted doc's revision tree goes on), 0 if none. */
static long tomb_gen(const struct db *db, const char *id)
{
	json_t *tomb = json_object_get(db->tombs, id);
	return tomb != NULL ? rev_gen(json_string_value(json_object_get(json_array_get(tomb, 0), "_rev"))) : 0;
}

/* ---- reading ---- */

json_t *store_fetch(const struct store *st, const char *doctype, const char *id, enum store_status *status)
{
	enum store_status dummy;
	if (status == NULL)
		status = &dummy;
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		*status = STORE_NO_DB;
		return NULL;
	}
	long slot = db_lookup(db, id);
	if (slot >= 0) {
		json_t *doc = rec_tree(&db->recs[slot]);
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
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		*status = STORE_NO_DB;
		return NULL;
	}
	long slot = db_lookup(db, id);
	if (slot >= 0) {
		*status = STORE_OK;
		return rec_rev(&db->recs[slot]);
	}
	*status = json_object_get(db->tombs, id) != NULL ? STORE_DELETED : STORE_NOT_FOUND;
	return NULL;
}

json_t *store_fetch_rev(const struct store *st, const char *doctype, const char *id, const char *rev)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL || rev == NULL)
		return NULL;
	long slot = db_lookup(db, id);
	if (slot >= 0)
		return strcmp(rec_rev(&db->recs[slot]), rev) == 0 ? rec_tree(&db->recs[slot]) : NULL;
	json_t *tomb = json_object_get(db->tombs, id);
	for (size_t i = 0; i < json_array_size(tomb); i++) {
		json_t *d = json_array_get(tomb, i);
		if (strcmp(json_string_value(json_object_get(d, "_rev")), rev) == 0)
			return json_deep_copy(d);
	}
	return NULL;
}

/* The live doc at position i of the _all_docs order, or NULL. */
static const struct rec *rec_at(const struct store *st, const char *doctype, size_t i)
{
	const struct db *db = db_find(st, doctype, NULL);
	if (db == NULL || i >= db->nlive)
		return NULL;
	order_fix(db);
	return &db->recs[db->order[i]];
}

size_t store_count(const struct store *st, const char *doctype)
{
	const struct db *db = db_find(st, doctype, NULL);
	return db != NULL ? db->nlive : 0;
}

const char *store_id_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = rec_at(st, doctype, i);
	return r != NULL ? rec_id(r) : NULL;
}

const char *store_rev_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = rec_at(st, doctype, i);
	return r != NULL ? rec_rev(r) : NULL;
}

json_t *store_fetch_at(const struct store *st, const char *doctype, size_t i)
{
	const struct rec *r = rec_at(st, doctype, i);
	return r != NULL ? rec_tree(r) : NULL;
}

json_t *store_all_docs(const struct store *st, const char *doctype)
{
	json_t *arr = json_array();
	size_t n = store_count(st, doctype);
	for (size_t i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, store_fetch_at(st, doctype, i));
	return arr;
}

int store_db_counts(const struct store *st, const char *doctype, size_t *live, size_t *deleted)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL)
		return -1;
	*live = db->nlive;
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

/* ---- _find's view of a database ---- */

static const char *mango_id(void *ctx, size_t i)
{
	const struct db *db = ctx;
	return rec_id(&db->recs[db->order[i]]);
}

static int mango_want(void *ctx, const char *const *keys, size_t nkeys)
{
	struct db *db = ctx;
	struct column **want = realloc(db->want, (nkeys + 1) * sizeof(*want));
	if (want == NULL)
		return -1;
	db->want = want;
	db->nwant = 0;
	for (size_t k = 0; k < nkeys; k++) {
		if ((want[k] = column_get(db, keys[k])) == NULL)
			return -1;
		db->nwant++;
	}
	return 0;
}

static const json_t *mango_member(void *ctx, size_t i, size_t k)
{
	const struct db *db = ctx;
	return db->want[k]->vals[db->order[i]];
}

static json_t *mango_doc(void *ctx, size_t i)
{
	const struct db *db = ctx;
	return rec_tree(&db->recs[db->order[i]]);
}

int store_mango_docs(const struct store *st, const char *doctype, struct mango_docs *docs)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL)
		return -1;
	order_fix(db);
	*docs = (struct mango_docs){db->nlive, db, mango_id, mango_want, mango_member, mango_doc};
	return 0;
}

/* ---- writing ---- */

/* Store body as the live doc id at generation gen (replacing the live one, if any); *out gets a new tree. */
static enum store_status db_put(struct store *st, struct db *db, const char *id, long gen, const json_t *body,
				json_t **out, char *err)
{
	char rev[64];
	rev_make(st, gen, rev);
	struct rec r;
	if (rec_make(&r, id, rev, body) < 0) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	long old = db_lookup(db, id);
	if (old >= 0) {
		/* same id: same slot, same place in the order and the hash */
		free(db->recs[old].mem);
		db->recs[old] = r;
		for (size_t i = 0; i < db->ncols; i++)
			column_fill(db, db->cols[i], (size_t)old);
	} else if (db_add(db, &r, 0) < 0) {
		free(r.mem);
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	json_object_del(db->tombs, id);
	if (out != NULL && (*out = rec_tree(&r)) == NULL) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	return STORE_OK;
}

enum store_status store_create(struct store *st, const char *doctype, const json_t *doc, json_t **out, char *err)
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
	if (db_lookup(db, id) >= 0) {
		err_set(err, "Document update conflict.");
		return STORE_CONFLICT;
	}
	enum store_status s = db_put(st, db, id, tomb_gen(db, id) + 1, doc, out, err);
	if (s == STORE_OK)
		db->created++;
	return s;
}

/* The slot of the live doc that an update or delete with rev may replace (and its database), or why not. */
static enum store_status db_current(struct store *st, const char *doctype, const char *id, const char *rev, struct db **dbp,
				    size_t *slotp, char *err)
{
	struct db *db = db_find(st, doctype, NULL);
	if (db == NULL) {
		err_set(err, "Database does not exist.");
		return STORE_NO_DB;
	}
	long slot = db_lookup(db, id);
	if (slot < 0) {
		int deleted = json_object_get(db->tombs, id) != NULL;
		err_set(err, deleted ? "deleted" : "missing");
		return deleted ? STORE_DELETED : STORE_NOT_FOUND;
	}
	if (rev == NULL || strcmp(rev, rec_rev(&db->recs[slot])) != 0) {
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
	enum store_status found = db_current(st, doctype, id, json_string_value(json_object_get(doc, "_rev")), &db, &slot, err);
	if (found != STORE_OK)
		return found;
	enum store_status s = db_put(st, db, id, rev_gen(rec_rev(&db->recs[slot])) + 1, doc, out, err);
	if (s == STORE_OK)
		db->updated++;
	return s;
}

enum store_status store_delete(struct store *st, const char *doctype, const char *id, const char *rev,
			       const char **tombstone_rev, char *err)
{
	struct db *db;
	size_t slot;
	enum store_status found = db_current(st, doctype, id, rev, &db, &slot, err);
	if (found != STORE_OK)
		return found;
	char trev[64];
	rev_make(st, rev_gen(rec_rev(&db->recs[slot])) + 1, trev);
	json_t *stub = json_pack("{s:s, s:s, s:b}", "_id", id, "_rev", trev, "_deleted", 1);
	json_t *body = rec_tree(&db->recs[slot]);
	json_t *tomb = NULL;
	if (stub != NULL && body != NULL) {
		tomb = json_pack("[o,o]", stub, body); /* steals both, even when it fails */
	} else {
		json_decref(stub);
		json_decref(body);
	}
	if (tomb == NULL || json_object_set_new(db->tombs, id, tomb) < 0) {
		err_set(err, "out of memory");
		return STORE_ERROR;
	}
	db_remove(db, slot);
	db->deleted++;
	if (tombstone_rev != NULL)
		*tombstone_rev = json_string_value(json_object_get(stub, "_rev"));
	return STORE_OK;
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

/* Add one fixture doc (borrowed); id_hint is the file-name id or NULL. */
static int load_doc(struct store *st, struct db *db, const json_t *doc, const char *id_hint, const char *path,
		    size_t index, char *err)
{
	char where[64] = "";
	if (index != (size_t)-1)
		snprintf(where, sizeof(where), " (element %zu)", index);
	if (!json_is_object(doc))
		return err_set(err, "%s%s: a document must be a JSON object", path, where);
	json_t *jid = json_object_get(doc, "_id");
	char genid[33];
	const char *id;
	if (jid != NULL) {
		if (!json_is_string(jid))
			return err_set(err, "%s%s: _id must be a string", path, where);
		id = json_string_value(jid);
	} else if (id_hint != NULL) {
		id = id_hint;
	} else {
		store_hex32(st, genid);
		id = genid;
	}
	char idmsg[ERR_MAX];
	if (id_check(id, idmsg) < 0)
		return err_set(err, "%s%s: invalid _id \"%s\": ids starting with _ are reserved (only _design/… is allowed)",
			       path, where, id);
	if (db_lookup(db, id) >= 0)
		return err_set(err, "%s%s: duplicate _id \"%s\" in %s", path, where, id, db->name);
	/* A fixture's own revision is kept when well-formed, else the doc starts at generation 1. */
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	char newrev[64];
	if (!rev_valid(rev)) {
		rev_make(st, 1, newrev);
		rev = newrev;
	}
	struct rec r;
	if (rec_make(&r, id, rev, doc) < 0)
		return err_set(err, "%s: out of memory", path);
	if (db_add(db, &r, 1) < 0) {
		free(r.mem);
		return err_set(err, "%s: out of memory", path);
	}
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

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Parse text whole to report why it is not a valid array of docs ("path:line:column: what"). */
static int array_file_error(const char *path, const char *text, size_t len, const char *doctype, char *err)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (v == NULL) {
		if (je.line > 0)
			return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return err_set(err, "%s: %s", path, je.text);
	}
	int is_array = json_is_array(v);
	json_decref(v);
	if (!is_array)
		return err_set(err, "%s: expected an array of documents for doctype %s", path, doctype);
	return err_set(err, "%s: cannot read the array of documents", path);
}

/*
 * data/<doctype>.json: an array of documents, parsed one element at a time
 * so that a big fixture never exists as one tree (its memory would stay
 * fragmented under the store's texts). Any syntax error is reported by a
 * whole-file parse, with jansson's line and column.
 */
static int load_array_file(struct store *st, const char *path, const char *doctype, char *err)
{
	size_t len = 0;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return -1;
	const char *p = skip_space(text, text + len), *end = text + len;
	int rc = 0;
	struct db *db = NULL;
	if (p >= end || *p != '[') {
		rc = array_file_error(path, text, len, doctype, err);
		goto out;
	}
	if ((db = db_ensure(st, doctype)) == NULL) {
		rc = err_set(err, "out of memory");
		goto out;
	}
	p = skip_space(p + 1, end);
	if (p < end && *p == ']') {
		p++;
	} else {
		for (size_t i = 0;; i++) {
			json_error_t je;
			json_t *doc = json_loadb(p, (size_t)(end - p), JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
			if (doc == NULL) {
				rc = array_file_error(path, text, len, doctype, err);
				goto out;
			}
			rc = load_doc(st, db, doc, NULL, path, i, err);
			json_decref(doc);
			if (rc < 0)
				goto out;
			p = skip_space(p + je.position, end);
			if (p < end && *p == ',') {
				p = skip_space(p + 1, end);
				continue;
			}
			if (p < end && *p == ']') {
				p++;
				break;
			}
			rc = array_file_error(path, text, len, doctype, err);
			goto out;
		}
	}
	if (skip_space(p, end) != end)
		rc = array_file_error(path, text, len, doctype, err);
out:
	free(text);
	return rc;
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
			rc = load_doc(st, db, doc, id, path.data, (size_t)-1, err);
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
		for (size_t slot = 0; rc == 0 && slot < db->nslots; slot++) {
			const struct rec *r = &db->recs[slot];
			if (r->mem == NULL)
				continue;
			path.len = base;
			path.data[base] = '\0';
			buf_puts(&path, "/");
			id_to_filename(&path, rec_id(r));
			buf_puts(&path, ".json");
			json_t *doc = rec_tree(r);
			rc = doc != NULL ? write_doc(path.data, doc, err) : err_set(err, "%s: out of memory", path.data);
			json_decref(doc);
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
				  char **id, char **name, char *err)
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
	json_t *cur = db != NULL ? store_fetch(st, doctype, ddid.data, NULL) : NULL;
	json_t *old = cur != NULL ? json_object_get(json_object_get(cur, "views"), iname) : NULL;
	if (db == NULL) {
		err_set(err, "out of memory");
		s = STORE_ERROR;
	} else if (old != NULL && json_equal(json_object_get(old, "map"), map)) {
		*result = "exists";
	} else {
		json_t *ddoc = cur != NULL ? json_incref(cur) : json_pack("{s:s, s:{}}", "language", "query", "views");
		if (!json_is_object(json_object_get(ddoc, "views")))
			json_object_set_new(ddoc, "views", json_object());
		json_object_set(json_object_get(ddoc, "views"), iname, view);
		long gen = cur != NULL ? rev_gen(json_string_value(json_object_get(cur, "_rev"))) + 1
				       : tomb_gen(db, ddid.data) + 1;
		s = db_put(st, db, ddid.data, gen, ddoc, NULL, err);
		json_decref(ddoc);
		if (s == STORE_OK) {
			if (cur == NULL)
				db->created++;
			else
				db->updated++;
		}
		*result = "created";
	}
	json_decref(cur);
	json_decref(view);
	if (s == STORE_OK) {
		*id = buf_steal(&ddid);
		*name = strdup(iname);
	}
	buf_free(&ddid);
	return s;
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
	json_t *doc = store_fetch(st, doctype, id.data, NULL);
	int ok = doc != NULL && (view == NULL || json_object_get(json_object_get(doc, "views"), view) != NULL);
	json_decref(doc);
	buf_free(&id);
	free(copy);
	return ok;
}

json_t *store_design_docs(const struct store *st, const char *doctype)
{
	size_t n = store_count(st, doctype);
	json_t *rows = json_array();
	/* CouchDB _design_docs is _all_docs from "_design/" to "_design0": offset counts the ids before. */
	size_t offset = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = store_id_at(st, doctype, i);
		if (strcmp(id, "_design/") < 0)
			offset++;
		if (strncmp(id, "_design/", 8) != 0)
			continue;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:{s:s}, s:o}", "id", id, "key", id, "value", "rev",
						      store_rev_at(st, doctype, i), "doc", store_fetch_at(st, doctype, i)));
	}
	return json_pack("{s:I, s:I, s:o}", "total_rows", (json_int_t)n, "offset", (json_int_t)offset, "rows", rows);
}
