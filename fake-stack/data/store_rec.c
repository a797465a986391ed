/*
 * The store's records: one allocation per live doc, "<id>\0<rev>\0<compact
 * JSON without _id and _rev>\0", read back as a fresh tree or as text.
 */
#include "fake-stack/data/store_int.h"

#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

const char *store_rec_id(const struct rec *r)
{
	return r->mem;
}

const char *store_rec_rev(const struct rec *r)
{
	return r->mem + strlen(r->mem) + 1;
}

const char *store_rec_text(const struct rec *r)
{
	return r->mem + r->textoff;
}

/* A record for id at rev whose other members are body's (_id, _rev and _type left out); -1 when out of memory. */
int store_rec_make(struct rec *r, const char *id, const char *rev, const json_t *body)
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

/* The doc's whole JSON text, _id and _rev first, appended to b. */
void store_rec_full_text(const struct rec *r, struct buf *b)
{
	buf_puts(b, "{\"_id\":");
	json_quote(b, store_rec_id(r));
	buf_printf(b, ",\"_rev\":\"%s\"", store_rec_rev(r));
	if (r->textlen > 2)
		buf_printf(b, ",%s", store_rec_text(r) + 1);
	else
		buf_puts(b, "}");
}

/* The doc as CouchDB answers it, _id and _rev first: a new tree, NULL when out of memory. */
json_t *store_rec_tree(const struct rec *r)
{
	struct buf b = {0};
	store_rec_full_text(r, &b);
	json_t *doc = b.data != NULL ? json_loadb(b.data, b.len, 0, NULL) : NULL;
	buf_free(&b);
	return doc;
}
