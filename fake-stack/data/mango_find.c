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
	static const char *const known[] = {"selector", "use_index", "bookmark", "limit", "skip", "sort", "fields",
					    "partition", "r", "conflicts", "stale", "update", "stable",
					    "execution_stats"};
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

int mango_find(const json_t *request, const struct mango_docs *docs, const struct mango_index *index,
	       struct mango_result *res, char *err)
{
	memset(res, 0, sizeof(*res));
	struct mango_error *e = &res->error;
	if (!json_is_object(request))
		return mango_error_set(e, 400, "bad_request", err, "Request body must be a JSON object", NULL);
	if (check_request(request, e, err) < 0)
		return -1;
	const json_t *selector = json_object_get(request, "selector");
	if (selector == NULL)
		return mango_error_set(e, 400, "missing_required_key", err, "Missing required key: selector", NULL);
	/* stack: web/data/data.go findDocuments forces limit to 100 when absent or over 1000 */
	const json_t *jl = json_object_get(request, "limit");
	size_t limit = 100, skip = 0, start = 0;
	if (json_is_number(jl) && json_number_value(jl) <= 1000 && non_neg(jl, &limit, e, err) < 0)
		return -1;
	const json_t *js = json_object_get(request, "skip");
	if (js != NULL && non_neg(js, &skip, e, err) < 0)
		return -1;
	if (bookmark_read(json_object_get(request, "bookmark"), &start, e, err) < 0)
		return -1;
	struct mango_sort sort;
	if (mango_sort_parse(json_object_get(request, "sort"), &sort, e, err) < 0)
		return -1;
	json_t *norm = mango_normalize(selector, e, err);
	if (norm == NULL) {
		mango_sort_free(&sort);
		return -1;
	}
	/* The index order: explicit sort, else the index's fields, else _id. */
	struct mango_sort *order = &sort;
	struct mango_sort idx = {0};
	struct mango_node *partial = NULL;
	json_t *pnorm = NULL;
	struct mango_path_set ks = {0};
	int oom = 0;
	if (index != NULL && index->fields != NULL) {
		if (sort.n == 0 && mango_sort_parse(index->fields, &idx, NULL, err) == 0)
			order = &idx;
		if (index->partial_filter != NULL && json_object_size(index->partial_filter) > 0 &&
		    (pnorm = mango_normalize(index->partial_filter, NULL, err)) != NULL)
			oom |= (partial = mango_match_compile(pnorm, &ks)) == NULL;
	}
	/* A json index only holds docs having every indexed field (sort fields included). */
	struct mango_sort need = {0};
	if (index != NULL && index->fields != NULL)
		mango_sort_parse(index->fields, &need, NULL, err);

	struct mango_node *root = mango_match_compile(norm, &ks);
	oom |= root == NULL || mango_sort_slots(order, &ks) < 0 || mango_sort_slots(&need, &ks) < 0;
	size_t n = docs->n;
	struct mango_hit *hits = malloc((n + 1) * sizeof(*hits));
	const json_t **keys = malloc((n * (order->n + 1) + 1) * sizeof(*keys));
	oom |= hits == NULL || keys == NULL || docs->want(docs->ctx, ks.paths, ks.n) < 0;
	size_t nh = 0;
	int order_whole = 0; /* a sort path "" makes the whole doc a sort key */
	for (size_t j = 0; j < order->n; j++)
		order_whole |= order->paths[j].n == 0;
	for (size_t i = 0; !oom && i < n; i++) {
		const char *id = docs->id(docs->ctx, i);
		if (id == NULL || (id[0] == '_' && strncmp(id, "_design/", 8) == 0))
			continue; /* design docs are not in Mango results */
		struct mango_row row = {docs, i, NULL};
		/* the selector first: most docs fail it */
		int ok = mango_match_row(root, &row) && (partial == NULL || mango_match_row(partial, &row));
		const json_t *v;
		for (size_t j = 0; ok && j < need.n; j++)
			ok = mango_docs_field(&row, &need.paths[j], need.slot[j], &v) == MANGO_FOUND;
		const json_t **k = keys + nh * (order->n + 1);
		for (size_t j = 0; ok && j < order->n; j++)
			ok = mango_docs_field(&row, &order->paths[j], order->slot[j], &k[j]) == MANGO_FOUND;
		if (ok && order_whole) {
			hits[nh++] = (struct mango_hit){i, k, id, row.whole};
			continue;
		}
		json_decref(row.whole); /* the sort keys come from the columns */
		if (ok)
			hits[nh++] = (struct mango_hit){i, k, id, NULL};
	}
	size_t from = start + skip;
	if (!oom && order->n > 0)
		mango_sort_top(hits, nh, from + limit, order);

	res->total = nh;
	res->limit = limit;
	res->docs = json_array();
	const json_t *fields = json_object_get(request, "fields");
	for (size_t i = from; !oom && i < nh && i - from < limit; i++) {
		json_t *doc = docs->doc(docs->ctx, hits[i].i);
		if (doc == NULL) {
			oom = 1;
			break;
		}
		json_array_append_new(res->docs, json_array_size(fields) > 0 ? project(doc, fields) : json_incref(doc));
		json_decref(doc);
	}
	size_t got = json_array_size(res->docs);
	res->next = got >= limit;
	res->bookmark = got > 0 ? bookmark_make(from + got) : strdup("");
	oom |= res->docs == NULL || res->bookmark == NULL;
	mango_match_free(root);
	mango_match_free(partial);
	json_decref(pnorm);
	json_decref(norm);
	for (size_t i = 0; hits != NULL && i < nh; i++)
		json_decref(hits[i].whole);
	free(hits);
	free(keys);
	mango_path_set_free(&ks);
	mango_sort_free(&sort);
	mango_sort_free(&idx);
	mango_sort_free(&need);
	if (oom) {
		mango_result_clear(res);
		return mango_error_set(e, 500, "unknown_error", err, "out of memory", NULL);
	}
	return 0;
}

void mango_result_clear(struct mango_result *res)
{
	json_decref(res->docs);
	free(res->bookmark);
	res->docs = NULL;
	res->bookmark = NULL;
}
