/*
 * fake-stack/data/mango_*.c and collate.c: CouchDB selectors, collation, _find.
 * The tabular cases are data, tests/mango/NAME.test (format in tests/mango/README.md),
 * read here from the repo root; what needs a set of docs or a C call stays C.
 */
#include "common/err.h"
#include "fake-stack/data/collate.h"
#include "fake-stack/data/mango.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	cr_assert_not_null(v, "bad test JSON %s: %s", text, e.text);
	return v;
}

/* ---- the runner of tests/mango/NAME.test ---- */

/* One line of a case, and where it is. */
struct mline {
	char *text;
	int no;
};

/* A case: its lines (comments left out), in its file. */
struct mcase {
	const char *file;
	struct mline *lines;
	size_t n;
};

/* Report a failed case as file:line: why (the test goes on, and fails at its end). Returns -1. */
__attribute__((format(printf, 3, 4))) static int case_fail(const struct mcase *c, int no, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cr_expect_fail("%s:%d: %s", c->file, no, why);
	return -1;
}

/* Line k of a case as JSON (a new ref), or NULL after reporting the case as malformed. */
static json_t *case_json(const struct mcase *c, size_t k)
{
	json_error_t e;
	json_t *v = json_loads(c->lines[k].text, JSON_DECODE_ANY, &e);
	if (v == NULL)
		case_fail(c, c->lines[k].no, "malformed case: not JSON (%s): %s", e.text, c->lines[k].text);
	return v;
}

/* "refused NAME: REASON" split into name and reason (pointing into line); -1 when it is not one. */
static int refused_parse(const char *line, char *name, size_t cap, const char **reason)
{
	if (strncmp(line, "refused ", 8) != 0)
		return -1;
	const char *colon = strstr(line + 8, ": ");
	if (colon == NULL || colon == line + 8 || (size_t)(colon - (line + 8)) >= cap)
		return -1;
	snprintf(name, cap, "%.*s", (int)(colon - (line + 8)), line + 8);
	*reason = colon + 2;
	return 0;
}

/* Did a refusal give status 400 with the expected name and reason (line k: "refused NAME: REASON")? */
static int refusal_check(const struct mcase *c, size_t k, const struct mango_error *e, const char *err)
{
	char name[64];
	const char *reason;
	if (refused_parse(c->lines[k].text, name, sizeof(name), &reason) < 0)
		return case_fail(c, c->lines[k].no, "malformed case: want \"refused NAME: REASON\", got: %s",
				 c->lines[k].text);
	if (e->status != 400 || e->error == NULL || strcmp(e->error, name) != 0 || strcmp(err, reason) != 0)
		return case_fail(c, c->lines[0].no, "%s: want 400 %s: %s, got %d %s: %s", c->lines[0].text, name,
				 reason, e->status, e->error != NULL ? e->error : "(none)", err);
	return 0;
}

typedef int (*case_fn)(const struct mcase *c);

/* Run fn on every case of tests/mango/name; the test fails if a case fails, or the file is unreadable or empty. */
static void run_file(const char *name, case_fn fn)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/mango/%s", name);
	FILE *in = fopen(path, "r");
	cr_assert_not_null(in, "%s: %s (the tests run from the repo root)", path, strerror(errno));
	struct mcase c = {path, NULL, 0};
	size_t cap = 0;
	int total = 0, failed = 0, no = 0;
	char *line = NULL;
	size_t lcap = 0;
	for (;;) {
		ssize_t got = getline(&line, &lcap, in);
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		no++;
		if (got < 0 || got == 0) { /* end of file, or a blank line: the case is whole */
			if (c.n > 0) {
				total++;
				failed += fn(&c) < 0;
			}
			for (size_t i = 0; i < c.n; i++)
				free(c.lines[i].text);
			c.n = 0;
			if (got < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (c.n == cap) {
			cap = cap ? cap * 2 : 8;
			c.lines = realloc(c.lines, cap * sizeof(*c.lines));
			cr_assert_not_null(c.lines);
		}
		c.lines[c.n++] = (struct mline){strdup(line), no};
	}
	free(line);
	free(c.lines);
	fclose(in);
	cr_log_info("%s: %d cases, %d failed", path, total, failed);
	cr_assert_gt(total, 0, "%s holds no case", path);
	cr_assert_eq(failed, 0, "%d of the %d cases of %s failed (see above)", failed, total, path);
}

/* selectors.test: selector, doc, "match" | "no match"; or selector, "refused NAME: REASON". */
static int selector_case(const struct mcase *c)
{
	if (c->n != 2 && c->n != 3)
		return case_fail(c, c->lines[0].no, "malformed case: %zu lines, want 2 or 3", c->n);
	int want = c->n == 3 && strcmp(c->lines[2].text, "match") == 0;
	if (c->n == 3 && !want && strcmp(c->lines[2].text, "no match") != 0)
		return case_fail(c, c->lines[2].no, "malformed case: want \"match\" or \"no match\", got: %s",
				 c->lines[2].text);
	json_t *sel = case_json(c, 0), *doc = c->n == 3 ? case_json(c, 1) : NULL;
	int rc = sel == NULL || (c->n == 3 && doc == NULL) ? -1 : 0;
	char err[ERR_MAX] = "";
	if (rc == 0 && c->n == 3) {
		if (mango_selector_check(sel, err) < 0)
			rc = case_fail(c, c->lines[0].no, "selector refused: %s", err);
		else if (mango_match(sel, doc) != want)
			rc = case_fail(c, c->lines[0].no, "%s should%s match %s", c->lines[0].text, want ? "" : " not",
				       c->lines[1].text);
	} else if (rc == 0) {
		struct mango_error e = {0};
		json_t *n = mango_selector_normalize(sel, &e, err);
		if (n != NULL)
			rc = case_fail(c, c->lines[0].no, "%s should be refused", c->lines[0].text);
		else
			rc = refusal_check(c, 1, &e, err);
		json_decref(n);
	}
	json_decref(sel);
	json_decref(doc);
	return rc;
}

/* find.test: a request refused over one doc: request, "refused NAME: REASON". */
static int find_case(const struct mcase *c)
{
	if (c->n != 2)
		return case_fail(c, c->lines[0].no, "malformed case: %zu lines, want 2", c->n);
	json_t *req = case_json(c, 0);
	if (req == NULL)
		return -1;
	json_t *docs[] = {J("{\"_id\":\"a\"}")};
	struct mango_docs md;
	struct mango_array arr;
	mango_docs_array(&md, &arr, docs, 1);
	struct mango_result res;
	char err[ERR_MAX] = "";
	int rc;
	if (mango_find(req, &md, NULL, &res, err) == 0) {
		rc = case_fail(c, c->lines[0].no, "%s should be refused", c->lines[0].text);
		mango_find_clear(&res);
	} else {
		rc = refusal_check(c, 1, &res.error, err);
	}
	json_decref(docs[0]);
	json_decref(req);
	return rc;
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* collation.test: values in strictly increasing order; every pair compared (the first wrong pair reported). */
static int collation_case(const struct mcase *c)
{
	json_t **v = calloc(c->n, sizeof(*v));
	cr_assert_not_null(v);
	int rc = 0;
	for (size_t i = 0; i < c->n; i++)
		if ((v[i] = case_json(c, i)) == NULL)
			rc = -1;
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		for (size_t j = 0; rc == 0 && j < c->n; j++) {
			int want = sign((int)i - (int)j), got = sign(collate_json(v[i], v[j]));
			if (got == want && json_is_string(v[i]) && json_is_string(v[j]))
				got = sign(collate_strings(json_string_value(v[i]), json_string_length(v[i]),
							   json_string_value(v[j]), json_string_length(v[j])));
			if (got != want)
				rc = case_fail(c, c->lines[i].no, "collate(%s, %s) = %d, want %d (line %d)",
					       c->lines[i].text, c->lines[j].text, got, want, c->lines[j].no);
		}
	}
	for (size_t i = 0; i < c->n; i++)
		json_decref(v[i]);
	free(v);
	return rc;
}

Test(mango, selectors_data)
{
	run_file("selectors.test", selector_case);
}

Test(mango, find_refusals_data)
{
	run_file("find.test", find_case);
}

Test(mango, collation_data)
{
	run_file("collation.test", collation_case);
}

/* ---- what is not tabular ---- */

Test(mango, path_value)
{
	json_t *d = J("{\"metadata\":{\"fileIdAttributes\":\"B001\",\"x\":1},"
		      "\"cozyMetadata\":{\"createdByApp\":\"labvendor\",\"sourceAccountIdentifier\":\"homer\"},"
		      "\"trashed\":false}");
	cr_assert_str_eq(json_string_value(mango_path_value(d, "cozyMetadata.createdByApp")), "labvendor");
	cr_assert_null(mango_path_value(d, "cozyMetadata.nope"));
	cr_assert_null(mango_path_value(d, "trashed.x"));
	json_decref(d);
}

Test(mango, bad_selector_matches_nothing)
{
	char err[ERR_MAX];
	json_t *s = J("{\"a\":{\"$bar\":1}}");
	cr_assert_eq(mango_selector_check(s, err), -1);
	cr_assert_eq(mango_match(s, s), 0, "a bad selector matches nothing");
	json_decref(s);
}

Test(mango, normalization_shape)
{
	json_t *s = J("{\"a\":{\"b\":{\"$gt\":1}},\"$not\":{\"c\":{\"$lt\":2}}}");
	char err[ERR_MAX];
	json_t *n = mango_selector_normalize(s, NULL, err);
	json_t *want = J("{\"$and\":[{\"a.b\":{\"$gt\":1}},{\"c\":{\"$gte\":2}}]}");
	cr_assert(json_equal(n, want), "%s", json_dumps(n, 0));
	json_decref(s);
	json_decref(n);
	json_decref(want);
}

/* 30 docs: n = 0..29, even/odd group; ids "d00".."d29" in reverse creation order. */
static json_t **make_docs(size_t *n)
{
	*n = 31;
	json_t **docs = calloc(*n, sizeof(*docs));
	for (int i = 0; i < 30; i++) {
		char id[16];
		snprintf(id, sizeof(id), "d%02d", i);
		docs[i] = json_pack("{s:s, s:i, s:s, s:{s:s}}", "_id", id, "n", 29 - i, "g", i % 2 ? "odd" : "even",
				    "meta", "k", i % 3 ? "x" : "y");
	}
	docs[30] = json_pack("{s:s, s:{}}", "_id", "_design/idx", "views");
	return docs;
}

static void free_docs(json_t **docs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	free(docs);
}

/* mango_find over an array of trees. */
static int find_in(const json_t *req, json_t **docs, size_t n, const struct mango_index *idx, struct mango_result *res,
		   char *err)
{
	struct mango_docs md;
	struct mango_array arr;
	mango_docs_array(&md, &arr, (json_t *const *)docs, n);
	return mango_find(req, &md, idx, res, err);
}

static int find(const char *req, json_t **docs, size_t n, struct mango_result *res, char *err)
{
	json_t *r = J(req);
	int rc = find_in(r, docs, n, NULL, res, err);
	json_decref(r);
	return rc;
}

static int doc_n(const struct mango_result *res, size_t i)
{
	return (int)json_integer_value(json_object_get(json_array_get(res->docs, i), "n"));
}

Test(mango, find_default_order_limit_and_design_docs)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find("{\"selector\":{\"_id\":{\"$gt\":null}}}", docs, n, &res, err), 0, "%s", err);
	cr_assert_eq(res.total, 30, "design docs are skipped");
	cr_assert_eq(res.limit, 100);
	cr_assert_eq(json_array_size(res.docs), 30);
	cr_assert_eq(res.next, 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(res.docs, 0), "_id")), "d00");
	mango_find_clear(&res);
	/* over 1000 → 100; 0 gives an empty page that says next */
	cr_assert_eq(find("{\"selector\":{},\"limit\":5000}", docs, n, &res, err), 0);
	cr_assert_eq(res.limit, 100);
	mango_find_clear(&res);
	cr_assert_eq(find("{\"selector\":{},\"limit\":0}", docs, n, &res, err), 0);
	cr_assert_eq(json_array_size(res.docs), 0);
	cr_assert_eq(res.next, 1);
	cr_assert_str_eq(res.bookmark, "");
	mango_find_clear(&res);
	free_docs(docs, n);
}

Test(mango, find_sort_asc_desc_mixed_types)
{
	json_t *docs[] = {
		J("{\"_id\":\"1\",\"v\":\"b\"}"), J("{\"_id\":\"2\",\"v\":2}"),     J("{\"_id\":\"3\",\"v\":null}"),
		J("{\"_id\":\"4\",\"v\":\"A\"}"), J("{\"_id\":\"5\",\"v\":[0]}"),   J("{\"_id\":\"6\"}"),
		J("{\"_id\":\"7\",\"v\":true}"),  J("{\"_id\":\"8\",\"v\":\"a\"}"), J("{\"_id\":\"9\",\"v\":{}}")};
	size_t n = sizeof(docs) / sizeof(*docs);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find("{\"selector\":{\"v\":{\"$exists\":true}},\"sort\":[\"v\"]}", docs, n, &res, err), 0, "%s",
		     err);
	const char *asc = "37284159";
	cr_assert_eq(json_array_size(res.docs), 8);
	for (size_t i = 0; i < 8; i++)
		cr_assert_eq(json_string_value(json_object_get(json_array_get(res.docs, i), "_id"))[0], asc[i],
			     "position %zu", i);
	mango_find_clear(&res);
	cr_assert_eq(find("{\"selector\":{},\"sort\":[{\"v\":\"desc\"}]}", docs, n, &res, err), 0, "%s", err);
	cr_assert_eq(json_array_size(res.docs), 8, "a doc without the sort field is not in the index");
	for (size_t i = 0; i < 8; i++)
		cr_assert_eq(json_string_value(json_object_get(json_array_get(res.docs, i), "_id"))[0], asc[7 - i]);
	mango_find_clear(&res);
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
}

Test(mango, find_two_field_sort_and_index_order)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(
		find("{\"selector\":{\"g\":\"even\",\"n\":{\"$gt\":10}},\"sort\":[\"g\",\"n\"]}", docs, n, &res, err),
		0, "%s", err);
	/* even i → n = 29 - i is odd: 11, 13, …, 29 */
	cr_assert_eq(json_array_size(res.docs), 10);
	for (size_t i = 0; i < 10; i++)
		cr_assert_eq(doc_n(&res, i), 11 + 2 * (int)i);
	mango_find_clear(&res);
	/* an index given by the caller orders the results when there is no sort */
	json_t *req = J("{\"selector\":{\"n\":{\"$lt\":3}}}");
	json_t *fields = J("[\"n\"]");
	json_t *pfs = J("{\"g\":\"odd\"}");
	struct mango_index idx = {fields, pfs};
	cr_assert_eq(find_in(req, docs, n, &idx, &res, err), 0, "%s", err);
	cr_assert_eq(json_array_size(res.docs), 2, "partial filter: only odd docs (n=0 and n=2 have an odd i)");
	cr_assert_eq(doc_n(&res, 0), 0);
	cr_assert_eq(doc_n(&res, 1), 2);
	mango_find_clear(&res);
	idx.partial_filter = NULL;
	cr_assert_eq(find_in(req, docs, n, &idx, &res, err), 0, "%s", err);
	cr_assert_eq(json_array_size(res.docs), 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(doc_n(&res, i), (int)i);
	mango_find_clear(&res);
	json_decref(req);
	json_decref(fields);
	json_decref(pfs);
	free_docs(docs, n);
}

Test(mango, find_fields_projection)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find("{\"selector\":{\"_id\":\"d03\"},\"fields\":[\"_id\",\"meta.k\",\"nope\",\"n.x\"]}", docs, n,
			  &res, err),
		     0, "%s", err);
	json_t *want = J("{\"_id\":\"d03\",\"meta\":{\"k\":\"y\"}}");
	cr_assert(json_equal(json_array_get(res.docs, 0), want), "%s", json_dumps(json_array_get(res.docs, 0), 0));
	json_decref(want);
	mango_find_clear(&res);
	free_docs(docs, n);
}

Test(mango, find_paging_skip_and_bookmark)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	/* skip paging, as cozy-konnector-libs queryAll does */
	int seen = 0;
	for (int skip = 0;; skip += 7) {
		char req[128];
		snprintf(req, sizeof(req), "{\"selector\":{\"g\":\"odd\"},\"limit\":7,\"skip\":%d}", skip);
		cr_assert_eq(find(req, docs, n, &res, err), 0, "%s", err);
		seen += (int)json_array_size(res.docs);
		int next = res.next;
		mango_find_clear(&res);
		if (!next)
			break;
	}
	cr_assert_eq(seen, 15);
	/* bookmark paging: exactly the whole set once, in order */
	char *bm = strdup("");
	int expect = 0, pages = 0;
	for (;;) {
		json_t *req = json_pack("{s:{}, s:i, s:s}", "selector", "limit", 4, "bookmark", bm);
		cr_assert_eq(find_in(req, docs, n, NULL, &res, err), 0, "%s", err);
		json_decref(req);
		for (size_t i = 0; i < json_array_size(res.docs); i++, expect++) {
			char id[16];
			snprintf(id, sizeof(id), "d%02d", expect);
			cr_assert_str_eq(json_string_value(json_object_get(json_array_get(res.docs, i), "_id")), id);
		}
		free(bm);
		bm = strdup(res.bookmark);
		int next = res.next;
		mango_find_clear(&res);
		pages++;
		if (!next)
			break;
	}
	cr_assert_eq(expect, 30);
	cr_assert_eq(pages, 8);
	free(bm);
	free_docs(docs, n);
}

Test(mango, find_accepts_what_konnectors_send)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(
		find("{\"use_index\":\"_design/abc\",\"selector\":{\"n\":{\"$gt\":null}},\"limit\":1000,\"skip\":0,"
		     "\"bookmark\":\"nil\",\"execution_stats\":true}",
		     docs, n, &res, err),
		0, "%s", err);
	cr_assert_eq(res.limit, 1000);
	cr_assert_eq(json_array_size(res.docs), 30);
	mango_find_clear(&res);
	free_docs(docs, n);
}
