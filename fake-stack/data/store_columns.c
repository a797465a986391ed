/*
 * _find's view of a database: columns, one per field path a query has named
 * (slot → the parsed value at that path, read from the doc's text), built on
 * first use and kept in step with every write by store_db.c and store.c;
 * values repeated across docs are shared while few are distinct.
 */
#include "fake-stack/data/store_int.h"

#include "common/jtext.h"

#include <stdlib.h>
#include <string.h>

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
	uint64_t h = store_hash(s, n);
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

static char bad_path_marker;
json_t *const store_columns_bad_path = (json_t *)&bad_path_marker;

static void value_drop(json_t *v)
{
	if (v != store_columns_bad_path)
		json_decref(v);
}

/* mango_doc get_field on a doc's text: the span of the value at path, or why there is none. */
static enum mango_lookup text_get(const struct rec *r, const struct mango_path *p, const char **val, size_t *vlen)
{
	const char *s = store_rec_text(r), *end = s + r->textlen;
	for (size_t i = 0; i < p->n; i++) {
		const char *seg = p->segs[i];
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		int found;
		if (s < end && *s == '{') {
			found = jtext_member(s, end, seg, &s, vlen);
			if (found <= 0)
				return MANGO_MISSING;
		} else if (s < end && *s == '[') {
			/* arrays by a decimal index, as mango_doc get_field */
			char *stop;
			if (*seg == '\0' || (*seg == '-' && seg[1] == '\0'))
				return MANGO_BAD_PATH;
			long pos = strtol(seg, &stop, 10);
			if (*stop != '\0' || pos < 0 || jtext_index(s, end, (size_t)pos, &s, vlen) != 1)
				return MANGO_BAD_PATH;
		} else {
			return MANGO_BAD_PATH;
		}
		end = s + *vlen;
	}
	*val = s;
	*vlen = (size_t)(end - s);
	return MANGO_FOUND;
}

/* Set the column's value for a slot from its record (a freed slot's record: none). */
void store_columns_fill(struct db *db, struct column *c, size_t slot)
{
	const struct rec *r = &db->recs[slot];
	json_t *v = NULL;
	if (r->mem != NULL) {
		const char *first = c->path.segs[0];
		if (strcmp(first, "_id") == 0 || strcmp(first, "_rev") == 0) {
			/* not in the text: the record holds them (strings: any deeper step is a bad path) */
			v = c->path.n > 1 ? store_columns_bad_path
					  : json_string(first[1] == 'i' ? store_rec_id(r) : store_rec_rev(r));
		} else {
			const char *s;
			size_t n;
			enum mango_lookup got = text_get(r, &c->path, &s, &n);
			if (got == MANGO_BAD_PATH)
				v = store_columns_bad_path;
			else if (got == MANGO_FOUND)
				v = c->intern != NULL ? intern_get(c->intern, s, n) : value_parse(s, n);
		}
	}
	value_drop(c->vals[slot]);
	c->vals[slot] = v;
	/* Sharing pays while values repeat (vendors, categories); unique values (dates) would only double. */
	if (c->intern != NULL && c->intern->n > 4096 && c->intern->n * 4 > db->nlive) {
		intern_free(c->intern);
		c->intern = NULL;
	}
}

void store_columns_free(const struct db *db, struct column *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; c->vals != NULL && i < db->capslots; i++)
		value_drop(c->vals[i]);
	free(c->vals);
	intern_free(c->intern);
	mango_path_free(&c->path);
	free(c);
}

/* The column of a field path, built from every live doc when first asked for. */
static struct column *column_get(struct db *db, const struct mango_path *path)
{
	for (size_t i = 0; i < db->ncols; i++)
		if (mango_path_equal(&db->cols[i]->path, path))
			return db->cols[i];
	struct column **more = realloc(db->cols, (db->ncols + 1) * sizeof(*more));
	if (more == NULL)
		return NULL;
	db->cols = more;
	struct column *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->vals = calloc(db->capslots + 1, sizeof(*c->vals));
	c->intern = calloc(1, sizeof(*c->intern));
	if (path->n == 0 || c->vals == NULL || c->intern == NULL || mango_path_copy(&c->path, path) < 0) {
		store_columns_free(db, c);
		return NULL;
	}
	for (size_t slot = 0; slot < db->nslots; slot++)
		if (db->recs[slot].mem != NULL)
			store_columns_fill(db, c, slot);
	db->cols[db->ncols++] = c;
	return c;
}

/* ---- _find's view of a database ---- */

static const char *docs_id(void *ctx, size_t i)
{
	const struct db *db = ctx;
	return store_rec_id(&db->recs[db->order[i]]);
}

static int docs_want(void *ctx, const struct mango_path *paths, size_t npaths)
{
	struct db *db = ctx;
	struct column **want = realloc(db->want, (npaths + 1) * sizeof(*want));
	if (want == NULL)
		return -1;
	db->want = want;
	db->nwant = 0;
	for (size_t k = 0; k < npaths; k++) {
		if ((want[k] = column_get(db, &paths[k])) == NULL)
			return -1;
		db->nwant++;
	}
	return 0;
}

static enum mango_lookup docs_field(void *ctx, size_t i, size_t k, const json_t **out)
{
	const struct db *db = ctx;
	const json_t *v = db->want[k]->vals[db->order[i]];
	if (v == NULL)
		return MANGO_MISSING;
	if (v == store_columns_bad_path)
		return MANGO_BAD_PATH;
	*out = v;
	return MANGO_FOUND;
}

static json_t *docs_doc(void *ctx, size_t i)
{
	const struct db *db = ctx;
	return store_rec_tree(&db->recs[db->order[i]]);
}

void store_columns_docs(struct db *db, struct mango_docs *docs)
{
	*docs = (struct mango_docs){db->nlive, db, docs_id, docs_want, docs_field, docs_doc};
}
