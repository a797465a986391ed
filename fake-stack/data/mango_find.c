/*
 * A _find request as CouchDB runs it: the request checked
 * (src/mango/src/mango_opts.erl validate_find), the docs matched, ordered by
 * the sort or the index, paged by skip, limit and bookmark, and projected on
 * the requested fields (mango_fields.erl).
 */
#include "fake-stack/data/mango_int.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mango_fields extract: only the listed paths, nested objects rebuilt. */
static json_t *project(const json_t *doc, const json_t *fields)
{
	json_t *out = json_object();
	for (size_t i = 0; i < json_array_size(fields); i++) {
		struct mango_path p;
		if (mango_path_parse(json_string_value(json_array_get(fields, i)), &p) < 0)
			continue;
		const json_t *v = NULL;
		if (p.n > 0 && mango_path_get(doc, &p, &v) == MANGO_FOUND) {
			json_t *at = out;
			for (size_t j = 0; j + 1 < p.n; j++) {
				json_t *next = json_object_get(at, p.segs[j]);
				if (!json_is_object(next)) {
					next = json_object();
					json_object_set_new(at, p.segs[j], next);
				}
				at = next;
			}
			json_object_set(at, p.segs[p.n - 1], (json_t *)v);
		}
		mango_path_free(&p);
	}
	return out;
}

/* Our bookmark: "kh1-" + hex of the number of matching rows already consumed. */
static char *bookmark_make(size_t pos)
{
	char *s = NULL;
	if (asprintf(&s, "kh1-%zx", pos) < 0)
		return NULL;
	return s;
}

/* A request's bookmark: none, "" or "nil" start at 0, ours gives the position, anything else is refused. */
static int bookmark_read(const json_t *b, size_t *pos, struct mango_error *e, char *err)
{
	*pos = 0;
	if (b == NULL || json_is_null(b))
		return 0;
	const char *s = json_string_value(b);
	if (s != NULL && (s[0] == '\0' || strcmp(s, "nil") == 0))
		return 0;
	char *end = NULL;
	if (s != NULL && strncmp(s, "kh1-", 4) == 0 && s[4] != '\0') {
		unsigned long long v = strtoull(s + 4, &end, 16);
		if (*end == '\0') {
			*pos = (size_t)v;
			return 0;
		}
	}
	/* mango_error: "Invalid bookmark value: ~s" with the JSON encoding */
	char *js = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
	mango_error_set(e, 400, "invalid_bookmark", err, "Invalid bookmark value: ", NULL);
	size_t n = strlen(err);
	snprintf(err + n, ERR_MAX - n, "%s", js != NULL ? js : "?");
	free(js);
	return -1;
}

/* A non-negative integer option (limit, skip); -1 with CouchDB's message. */
static int non_neg(const json_t *v, size_t *out, struct mango_error *e, char *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return mango_error_set(e, 400, "invalid_non_neg_integer", err,
				       "%T is not an integer greater than or equal to zero", v);
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* mango_opts validate_find: known keys and their types; anything else is invalid_key. */
static int check_request(const json_t *req, struct mango_error *e, char *err)
{
	static const char *const booleans[] = {"conflicts", "update", "stable", "execution_stats"};
	static const char *const known[] = {"selector", "use_index",      "bookmark", "limit",     "skip",  "sort",
					    "fields",   "partition",      "r",        "conflicts", "stale", "update",
					    "stable",   "execution_stats"};
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)req, k, v) {
		int ok = 0;
		for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
			ok |= strcmp(k, known[i]) == 0;
		for (size_t i = 0; i < sizeof(booleans) / sizeof(*booleans); i++)
			if (strcmp(k, booleans[i]) == 0 && !json_is_boolean(v))
				return mango_error_set(e, 400, "invalid_boolean", err, "Invalid boolean value: %T", v);
		if (!ok) {
			mango_error_set(e, 400, "invalid_key", err, "Invalid key ", NULL);
			size_t n = strlen(err);
			snprintf(err + n, ERR_MAX - n, "%s for this request.", k);
			return -1;
		}
	}
	const json_t *ui = json_object_get(req, "use_index");
	if (ui != NULL && !json_is_null(ui) && !json_is_string(ui) &&
	    !(json_is_array(ui) && json_array_size(ui) <= 2 &&
	      (json_array_size(ui) == 0 || json_is_string(json_array_get(ui, 0))) &&
	      (json_array_size(ui) < 2 || json_is_string(json_array_get(ui, 1)))))
		return mango_error_set(e, 400, "invalid_index_name", err, "Invalid index name: %T", ui);
	const json_t *fields = json_object_get(req, "fields");
	if (fields != NULL) {
		if (!json_is_array(fields))
			return mango_error_set(e, 400, "invalid_fields", err,
					       "Fields must be an array of strings, not: %T", fields);
		for (size_t i = 0; i < json_array_size(fields); i++)
			if (!json_is_string(json_array_get(fields, i)))
				return mango_error_set(e, 400, "invalid_field", err, "Invalid JSON for field spec: %T",
						       json_array_get(fields, i));
	}
	return 0;
}

/* What a _find request asks for besides its selector's docs. */
struct find_opts {
	const json_t *selector;
	const json_t *fields;
	size_t limit, skip, start; /* start: the rows a bookmark says were consumed */
};

/* The request checked and its options read; -1 with CouchDB's reason. */
static int find_opts_read(const json_t *request, struct find_opts *o, struct mango_error *e, char *err)
{
	if (!json_is_object(request))
		return mango_error_set(e, 400, "bad_request", err, "Request body must be a JSON object", NULL);
	if (check_request(request, e, err) < 0)
		return -1;
	o->selector = json_object_get(request, "selector");
	if (o->selector == NULL)
		return mango_error_set(e, 400, "missing_required_key", err, "Missing required key: selector", NULL);
	o->fields = json_object_get(request, "fields");
	/* stack: web/data/data.go findDocuments forces limit to 100 when absent or over 1000 */
	const json_t *jl = json_object_get(request, "limit");
	o->limit = 100;
	o->skip = 0;
	if (json_is_number(jl) && json_number_value(jl) <= 1000 && non_neg(jl, &o->limit, e, err) < 0)
		return -1;
	const json_t *js = json_object_get(request, "skip");
	if (js != NULL && non_neg(js, &o->skip, e, err) < 0)
		return -1;
	return bookmark_read(json_object_get(request, "bookmark"), &o->start, e, err);
}

/* A _find made ready to run over docs. */
struct find_plan {
	json_t *norm, *pnorm; /* the normalized selector and index partial filter */
	struct mango_node *root, *partial;
	struct mango_sort sort, idx; /* the request's sort, the index's fields */
	struct mango_sort *order;    /* the index order: sort, else idx, else none (_id) */
	struct mango_sort need;      /* the fields a doc must have to be in the index */
	int order_whole;             /* a sort path "" makes the whole doc a sort key */
	struct mango_path_set ks;    /* every top-level member read, by key number */
	int oom;
};

static void plan_free(struct find_plan *p)
{
	mango_match_free(p->root);
	mango_match_free(p->partial);
	json_decref(p->pnorm);
	json_decref(p->norm);
	mango_path_set_free(&p->ks);
	mango_sort_free(&p->sort);
	mango_sort_free(&p->idx);
	mango_sort_free(&p->need);
}

/*
 * Compile the selector, the sort and the index (its order when there is no
 * sort, its partial filter, the fields its docs have): -1 with CouchDB's
 * reason for a bad sort or selector; p->oom set when out of memory.
 */
static int plan_make(struct find_plan *p, const json_t *request, const json_t *selector,
		     const struct mango_index *index, struct mango_error *e, char *err)
{
	memset(p, 0, sizeof(*p));
	if (mango_sort_parse(json_object_get(request, "sort"), &p->sort, e, err) < 0)
		return -1;
	p->norm = mango_selector_normalize(selector, e, err);
	if (p->norm == NULL) {
		plan_free(p);
		return -1;
	}
	p->order = &p->sort;
	if (index != NULL && index->fields != NULL) {
		if (p->sort.n == 0 && mango_sort_parse(index->fields, &p->idx, NULL, err) == 0)
			p->order = &p->idx;
		if (index->partial_filter != NULL && json_object_size(index->partial_filter) > 0 &&
		    (p->pnorm = mango_selector_normalize(index->partial_filter, NULL, err)) != NULL)
			p->oom |= (p->partial = mango_match_compile(p->pnorm, &p->ks)) == NULL;
		/* A json index only holds docs having every indexed field (sort fields included). */
		mango_sort_parse(index->fields, &p->need, NULL, err);
	}
	p->root = mango_match_compile(p->norm, &p->ks);
	p->oom |= p->root == NULL || mango_sort_slots(p->order, &p->ks) < 0 || mango_sort_slots(&p->need, &p->ks) < 0;
	for (size_t j = 0; j < p->order->n; j++)
		p->order_whole |= p->order->paths[j].n == 0;
	return 0;
}

/*
 * Match every doc (design docs are not in Mango results) into hits, with
 * their sort keys in keys (order->n + 1 per hit); how many matched.
 */
static size_t find_scan(const struct find_plan *p, const struct mango_docs *docs, struct mango_hit *hits,
			const json_t **keys)
{
	const struct mango_sort *order = p->order;
	size_t nh = 0;
	for (size_t i = 0; i < docs->n; i++) {
		const char *id = docs->id(docs->ctx, i);
		if (id == NULL || (id[0] == '_' && strncmp(id, "_design/", 8) == 0))
			continue;
		struct mango_row row = {docs, i, NULL};
		/* the selector first: most docs fail it */
		int ok = mango_match_row(p->root, &row) && (p->partial == NULL || mango_match_row(p->partial, &row));
		const json_t *v;
		for (size_t j = 0; ok && j < p->need.n; j++)
			ok = mango_docs_field(&row, &p->need.paths[j], p->need.slot[j], &v) == MANGO_FOUND;
		const json_t **k = keys + nh * (order->n + 1);
		for (size_t j = 0; ok && j < order->n; j++)
			ok = mango_docs_field(&row, &order->paths[j], order->slot[j], &k[j]) == MANGO_FOUND;
		if (ok && p->order_whole) {
			hits[nh++] = (struct mango_hit){i, k, id, row.whole};
			continue;
		}
		json_decref(row.whole); /* the sort keys come from the columns */
		if (ok)
			hits[nh++] = (struct mango_hit){i, k, id, NULL};
	}
	return nh;
}

/* The page of (projected) docs from hit number from on, "next" and the bookmark; -1 when out of memory. */
static int find_page(struct mango_result *res, const struct mango_docs *docs, const struct mango_hit *hits, size_t nh,
		     size_t from, const struct find_opts *o)
{
	res->docs = json_array();
	int oom = res->docs == NULL;
	for (size_t i = from; !oom && i < nh && i - from < o->limit; i++) {
		json_t *doc = docs->doc(docs->ctx, hits[i].i);
		if (doc == NULL) {
			oom = 1;
			break;
		}
		json_array_append_new(res->docs,
				      json_array_size(o->fields) > 0 ? project(doc, o->fields) : json_incref(doc));
		json_decref(doc);
	}
	size_t got = json_array_size(res->docs);
	res->next = got >= o->limit;
	res->bookmark = got > 0 ? bookmark_make(from + got) : strdup("");
	return oom || res->bookmark == NULL ? -1 : 0;
}

int mango_find(const json_t *request, const struct mango_docs *docs, const struct mango_index *index,
	       struct mango_result *res, char *err)
{
	memset(res, 0, sizeof(*res));
	struct mango_error *e = &res->error;
	struct find_opts o;
	struct find_plan p;
	if (find_opts_read(request, &o, e, err) < 0 || plan_make(&p, request, o.selector, index, e, err) < 0)
		return -1;
	size_t n = docs->n;
	struct mango_hit *hits = malloc((n + 1) * sizeof(*hits));
	const json_t **keys = malloc((n * (p.order->n + 1) + 1) * sizeof(*keys));
	int oom = p.oom || hits == NULL || keys == NULL || docs->want(docs->ctx, p.ks.paths, p.ks.n) < 0;
	size_t nh = oom ? 0 : find_scan(&p, docs, hits, keys);
	size_t from = o.start + o.skip;
	if (!oom && p.order->n > 0)
		mango_sort_top(hits, nh, from + o.limit, p.order);
	res->total = nh;
	res->limit = o.limit;
	if (!oom)
		oom = find_page(res, docs, hits, nh, from, &o) < 0;
	for (size_t i = 0; i < nh; i++)
		json_decref(hits[i].whole);
	free(hits);
	free(keys);
	plan_free(&p);
	if (oom) {
		mango_find_clear(res);
		return mango_error_set(e, 500, "unknown_error", err, "out of memory", NULL);
	}
	return 0;
}

void mango_find_clear(struct mango_result *res)
{
	json_decref(res->docs);
	free(res->bookmark);
	res->docs = NULL;
	res->bookmark = NULL;
}
