/* fake-stack/data/mango_*.c and collate.c: CouchDB selectors, collation, _find. */
#include "common/err.h"
#include "fake-stack/data/collate.h"
#include "fake-stack/data/mango.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	cr_assert_not_null(v, "bad test JSON %s: %s", text, e.text);
	return v;
}

/* Does doc match selector? (both as JSON text) */
static int M(const char *sel, const char *doc)
{
	json_t *s = J(sel), *d = J(doc);
	char err[ERR_MAX] = "";
	cr_assert_eq(mango_selector_check(s, err), 0, "selector %s refused: %s", sel, err);
	int r = mango_match(s, d);
	json_decref(s);
	json_decref(d);
	return r;
}

#define YES(sel, doc) cr_assert(M(sel, doc), "%s should match %s", sel, doc)
#define NO(sel, doc) cr_assert(!M(sel, doc), "%s should not match %s", sel, doc)

/* The selector is refused with exactly this reason. */
static void BAD(const char *sel, const char *reason)
{
	json_t *s = J(sel);
	char err[ERR_MAX] = "";
	struct mango_error e = {0};
	json_t *n = mango_selector_normalize(s, &e, err);
	cr_assert_null(n, "%s should be refused", sel);
	cr_assert_str_eq(err, reason, "selector %s", sel);
	cr_assert_eq(e.status, 400);
	json_decref(s);
}

Test(mango, comparison_operators)
{
	YES("{\"a\":{\"$eq\":1}}", "{\"a\":1}");
	NO("{\"a\":{\"$eq\":1}}", "{\"a\":2}");
	YES("{\"a\":1}", "{\"a\":1.0}");
	NO("{\"a\":1}", "{\"a\":\"1\"}");
	YES("{\"a\":{\"$ne\":1}}", "{\"a\":2}");
	NO("{\"a\":{\"$ne\":1}}", "{\"a\":1}");
	YES("{\"a\":{\"$gt\":1}}", "{\"a\":2}");
	NO("{\"a\":{\"$gt\":1}}", "{\"a\":1}");
	YES("{\"a\":{\"$gte\":1}}", "{\"a\":1}");
	NO("{\"a\":{\"$gte\":1}}", "{\"a\":0.5}");
	YES("{\"a\":{\"$lt\":1}}", "{\"a\":0}");
	NO("{\"a\":{\"$lt\":1}}", "{\"a\":1}");
	YES("{\"a\":{\"$lte\":1}}", "{\"a\":1}");
	NO("{\"a\":{\"$lte\":1}}", "{\"a\":1.5}");
	/* across types: collation order */
	YES("{\"a\":{\"$gt\":null}}", "{\"a\":false}");
	YES("{\"a\":{\"$gt\":null}}", "{\"a\":\"\"}");
	NO("{\"a\":{\"$gt\":null}}", "{\"a\":null}");
	YES("{\"a\":{\"$gt\":99}}", "{\"a\":\"0\"}");
	YES("{\"a\":{\"$lt\":{}}}", "{\"a\":[1]}");
	/* ISO dates as strings */
	YES("{\"date\":{\"$gt\":\"2024-01-01T00:00:00.000Z\",\"$lt\":\"2024-02-01\"}}",
	    "{\"date\":\"2024-01-15T10:00:00.000Z\"}");
	NO("{\"date\":{\"$gt\":\"2024-01-01T00:00:00.000Z\",\"$lt\":\"2024-02-01\"}}",
	   "{\"date\":\"2024-02-15T10:00:00.000Z\"}");
	/* equality on objects and arrays */
	YES("{\"a\":{\"$eq\":{\"b\":1}}}", "{\"a\":{\"b\":1}}");
	YES("{\"a\":[1,2]}", "{\"a\":[1,2]}");
	NO("{\"a\":[1,2]}", "{\"a\":[2,1]}");
}

Test(mango, missing_fields_match_nothing_but_exists_false)
{
	NO("{\"a\":{\"$ne\":1}}", "{}");
	NO("{\"a\":{\"$nin\":[1]}}", "{}");
	NO("{\"a\":{\"$gt\":null}}", "{}");
	NO("{\"a\":{\"$not\":{\"$eq\":1}}}", "{}");
	NO("{\"$not\":{\"a\":1}}", "{}");
	YES("{\"a\":{\"$exists\":false}}", "{}");
	NO("{\"a\":{\"$exists\":false}}", "{\"a\":null}");
	YES("{\"a\":{\"$exists\":true}}", "{\"a\":null}");
	NO("{\"a\":{\"$exists\":true}}", "{}");
	YES("{\"$not\":{\"a\":{\"$exists\":true}}}", "{}");
	/* through a scalar: a bad path, not even $exists:false */
	NO("{\"a.b\":{\"$exists\":false}}", "{\"a\":3}");
	YES("{\"a.b\":{\"$exists\":false}}", "{\"a\":{}}");
	YES("{}", "{\"anything\":1}");
}

Test(mango, in_nin_all_size_mod_type_regex)
{
	YES("{\"a\":{\"$in\":[1,2]}}", "{\"a\":2}");
	NO("{\"a\":{\"$in\":[1,2]}}", "{\"a\":3}");
	YES("{\"a\":{\"$in\":[1,2]}}", "{\"a\":[5,2]}");
	YES("{\"a\":{\"$nin\":[1,2]}}", "{\"a\":3}");
	NO("{\"a\":{\"$nin\":[1,2]}}", "{\"a\":1}");
	NO("{\"a\":{\"$nin\":[1,2]}}", "{\"a\":[3,1]}");
	YES("{\"a\":{\"$all\":[1,2]}}", "{\"a\":[2,3,1]}");
	NO("{\"a\":{\"$all\":[1,2]}}", "{\"a\":[2,3]}");
	NO("{\"a\":{\"$all\":[1]}}", "{\"a\":1}");
	YES("{\"a\":{\"$all\":[[1,2]]}}", "{\"a\":[1,2]}");
	YES("{\"a\":{\"$size\":2}}", "{\"a\":[1,[]]}");
	NO("{\"a\":{\"$size\":2}}", "{\"a\":[1]}");
	NO("{\"a\":{\"$size\":1}}", "{\"a\":\"x\"}");
	YES("{\"a\":{\"$mod\":[3,1]}}", "{\"a\":7}");
	NO("{\"a\":{\"$mod\":[3,1]}}", "{\"a\":6}");
	YES("{\"a\":{\"$mod\":[3,-1]}}", "{\"a\":-7}");
	NO("{\"a\":{\"$mod\":[3,1]}}", "{\"a\":7.0}");
	YES("{\"a\":{\"$type\":\"string\"}}", "{\"a\":\"x\"}");
	NO("{\"a\":{\"$type\":\"string\"}}", "{\"a\":1}");
	YES("{\"a\":{\"$type\":\"boolean\"}}", "{\"a\":false}");
	YES("{\"a\":{\"$type\":\"null\"}}", "{\"a\":null}");
	YES("{\"a\":{\"$type\":\"number\"}}", "{\"a\":1.5}");
	YES("{\"a\":{\"$type\":\"array\"}}", "{\"a\":[]}");
	YES("{\"a\":{\"$type\":\"object\"}}", "{\"a\":{}}");
	YES("{\"a\":{\"$regex\":\"^b.*s$\"}}", "{\"a\":\"books\"}");
	NO("{\"a\":{\"$regex\":\"^b.*s$\"}}", "{\"a\":\"Books\"}");
	YES("{\"a\":{\"$regex\":\"(?i)^b.*s$\"}}", "{\"a\":\"Books\"}");
	YES("{\"a\":{\"$regex\":\"\\\\d{4}\"}}", "{\"a\":\"in 2024\"}");
	NO("{\"a\":{\"$regex\":\"\\\\d{4}\"}}", "{\"a\":\"in 24\"}");
	NO("{\"a\":{\"$regex\":\"1\"}}", "{\"a\":1}");
	YES("{\"a\":{\"$beginsWith\":\"io.cozy\"}}", "{\"a\":\"io.cozy.files\"}");
	NO("{\"a\":{\"$beginsWith\":\"io.cozy\"}}", "{\"a\":\"io.coz\"}");
}

Test(mango, logical_operators)
{
	YES("{\"$and\":[{\"a\":1},{\"b\":2}]}", "{\"a\":1,\"b\":2}");
	NO("{\"$and\":[{\"a\":1},{\"b\":2}]}", "{\"a\":1,\"b\":3}");
	YES("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}");
	NO("{\"a\":1,\"b\":2}", "{\"a\":1}");
	YES("{\"$or\":[{\"a\":1},{\"b\":2}]}", "{\"b\":2}");
	NO("{\"$or\":[{\"a\":1},{\"b\":2}]}", "{\"b\":1}");
	YES("{\"$nor\":[{\"a\":1},{\"a\":2}]}", "{\"a\":3}");
	NO("{\"$nor\":[{\"a\":1},{\"a\":2}]}", "{\"a\":2}");
	NO("{\"$nor\":[{\"a\":1}]}", "{}");
	YES("{\"$not\":{\"a\":{\"$gt\":5}}}", "{\"a\":5}");
	NO("{\"$not\":{\"a\":{\"$gt\":5}}}", "{\"a\":6}");
	YES("{\"a\":{\"$not\":{\"$regex\":\"^x\"}}}", "{\"a\":\"y\"}");
	NO("{\"a\":{\"$not\":{\"$regex\":\"^x\"}}}", "{\"a\":\"xy\"}");
	YES("{\"a\":{\"$gt\":1,\"$lt\":3}}", "{\"a\":2}");
	NO("{\"a\":{\"$gt\":1,\"$lt\":3}}", "{\"a\":3}");
	YES("{\"a\":{\"$or\":[1,{\"$gt\":10}]}}", "{\"a\":11}");
}

Test(mango, elem_match_all_match)
{
	YES("{\"a\":{\"$elemMatch\":{\"$gte\":80,\"$lt\":85}}}", "{\"a\":[70,82]}");
	NO("{\"a\":{\"$elemMatch\":{\"$gte\":80,\"$lt\":85}}}", "{\"a\":[70,90]}");
	YES("{\"a\":{\"$elemMatch\":{\"b\":1}}}", "{\"a\":[{\"b\":2},{\"b\":1}]}");
	NO("{\"a\":{\"$elemMatch\":{\"b\":1}}}", "{\"a\":{\"b\":1}}");
	YES("{\"a\":{\"$allMatch\":{\"$gt\":0}}}", "{\"a\":[1,2]}");
	NO("{\"a\":{\"$allMatch\":{\"$gt\":0}}}", "{\"a\":[1,0]}");
	NO("{\"a\":{\"$allMatch\":{\"$gt\":0}}}", "{\"a\":[]}");
}

Test(mango, nested_objects_and_dotted_paths)
{
	/* what cozy-client sends for files dedup */
	const char *sel = "{\"metadata\":{\"fileIdAttributes\":\"B001\"},"
			  "\"cozyMetadata\":{\"createdByApp\":\"labvendor\",\"sourceAccountIdentifier\":\"homer\"},"
			  "\"trashed\":false}";
	const char *doc = "{\"metadata\":{\"fileIdAttributes\":\"B001\",\"x\":1},"
			  "\"cozyMetadata\":{\"createdByApp\":\"labvendor\",\"sourceAccountIdentifier\":\"homer\"},"
			  "\"trashed\":false}";
	YES(sel, doc);
	NO(sel, "{\"metadata\":{\"fileIdAttributes\":\"B002\"},"
		"\"cozyMetadata\":{\"createdByApp\":\"labvendor\",\"sourceAccountIdentifier\":\"homer\"},"
		"\"trashed\":false}");
	/* nested = dotted (not whole-object equality) */
	YES("{\"cozyMetadata.createdByApp\":\"labvendor\"}", doc);
	YES("{\"metadata\":{\"fileIdAttributes\":\"B001\"}}", doc);
	NO("{\"metadata\":{\"$eq\":{\"fileIdAttributes\":\"B001\"}}}", doc);
	YES("{\"a\\\\.b\":1}", "{\"a.b\":1}");
	NO("{\"a\\\\.b\":1}", "{\"a\":{\"b\":1}}");
	YES("{\"a.1\":\"y\"}", "{\"a\":[\"x\",\"y\"]}");
	NO("{\"a.2\":\"y\"}", "{\"a\":[\"x\",\"y\"]}");
	YES("{\"_id\":{\"$gt\":\"B\"}}", "{\"_id\":\"a\"}"); /* raw byte order on _id */
	YES("{\"x\":{\"$gt\":\"a\"}}", "{\"x\":\"B\"}");     /* collation elsewhere: a < B */
	NO("{\"x\":{\"$gt\":\"B\"}}", "{\"x\":\"a\"}");

	json_t *d = J(doc);
	cr_assert_str_eq(json_string_value(mango_path_value(d, "cozyMetadata.createdByApp")), "labvendor");
	cr_assert_null(mango_path_value(d, "cozyMetadata.nope"));
	cr_assert_null(mango_path_value(d, "trashed.x"));
	json_decref(d);
}

Test(mango, bad_selectors)
{
	BAD("{\"a\":{\"$foo\":1}}", "Invalid operator: $foo");
	BAD("{\"$foo\":1}", "Invalid operator: $foo");
	BAD("{\"$and\":{\"a\":1}}", "Bad argument for operator $and: {[{<<\"a\">>,1}]}");
	BAD("{\"$or\":1}", "Bad argument for operator $or: 1");
	BAD("{\"a\":{\"$in\":1}}", "Bad argument for operator $in: 1");
	BAD("{\"a\":{\"$nin\":\"x\"}}", "Bad argument for operator $nin: <<\"x\">>");
	BAD("{\"a\":{\"$exists\":1}}", "Bad argument for operator $exists: 1");
	BAD("{\"a\":{\"$type\":1}}", "Bad argument for operator $type: 1");
	BAD("{\"a\":{\"$size\":-1}}", "Bad argument for operator $size: -1");
	BAD("{\"a\":{\"$mod\":[1]}}", "Bad argument for operator $mod: [1]");
	BAD("{\"a\":{\"$regex\":\"(\"}}", "Bad argument for operator $regex: <<\"(\">>");
	BAD("{\"a\":{\"$not\":1}}", "Bad argument for operator $not: 1");
	BAD("{\"a\":{\"$elemMatch\":[1]}}", "Bad argument for operator $elemMatch: [1]");
	BAD("{\"a\":{\"$all\":null}}", "Bad argument for operator $all: null");
	BAD("{\"a\":{\"$where\":\"x\"}}", "Unsupported operator: $where");
	BAD("{\"$eq\":1}", "One or more conditions is missing a field name.");
	BAD("[1]", "Selector must be a JSON object, not: [1]");
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

/* The CouchDB docs' collation specification (ddocs/views/collation.rst), in order. */
Test(mango, collation_documented_order)
{
	const char *list[] = {"null", "false", "true", "1", "2", "3.0", "4", "\"a\"", "\"A\"", "\"aa\"", "\"b\"",
			      "\"B\"", "\"ba\"", "\"bb\"", "[\"a\"]", "[\"b\"]", "[\"b\",\"c\"]", "[\"b\",\"c\",\"a\"]",
			      "[\"b\",\"d\"]", "[\"b\",\"d\",\"e\"]", "{\"a\":1}", "{\"a\":2}", "{\"b\":1}", "{\"b\":2}",
			      "{\"b\":2,\"a\":1}", "{\"b\":2,\"c\":2}"};
	size_t n = sizeof(list) / sizeof(*list);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			json_t *a = J(list[i]), *b = J(list[j]);
			int c = collate_json(a, b);
			int want = (i > j) - (i < j);
			cr_assert_eq((c > 0) - (c < 0), want, "collate(%s, %s) = %d", list[i], list[j], c);
			json_decref(a);
			json_decref(b);
		}
	}
}

Test(mango, collation_strings)
{
	/* the docs' ASCII sequence: symbols, digits, then letters a A b B … */
	const char *seq = "`^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ";
	for (size_t i = 1; seq[i]; i++)
		cr_assert_lt(collate_strings(seq + i - 1, 1, seq + i, 1), 0, "'%c' < '%c'", seq[i - 1], seq[i]);
	/* abc < Abc < ABC < abc1 < AbcZZZZZ */
	const char *keys[] = {"abc", "Abc", "ABC", "abc1", "AbcZZZZZ"};
	for (size_t i = 1; i < 5; i++)
		cr_assert_lt(collate_strings(keys[i - 1], strlen(keys[i - 1]), keys[i], strlen(keys[i])), 0,
			     "%s < %s", keys[i - 1], keys[i]);
	/* accents after the bare letter, before the next letter; other code points after ASCII letters */
	cr_assert_lt(collate_strings("e", 1, "é", 2), 0);
	cr_assert_lt(collate_strings("é", 2, "f", 1), 0);
	cr_assert_lt(collate_strings("élan", 5, "etat", 4), 0); /* primary first: l < t */
	cr_assert_lt(collate_strings("z", 1, "я", 2), 0);
	cr_assert_eq(collate_strings("same", 4, "same", 4), 0);
	cr_assert_lt(collate_strings("", 0, " ", 1), 0);
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
	json_t *docs[] = {J("{\"_id\":\"1\",\"v\":\"b\"}"), J("{\"_id\":\"2\",\"v\":2}"), J("{\"_id\":\"3\",\"v\":null}"),
			  J("{\"_id\":\"4\",\"v\":\"A\"}"), J("{\"_id\":\"5\",\"v\":[0]}"), J("{\"_id\":\"6\"}"),
			  J("{\"_id\":\"7\",\"v\":true}"), J("{\"_id\":\"8\",\"v\":\"a\"}"), J("{\"_id\":\"9\",\"v\":{}}")};
	size_t n = sizeof(docs) / sizeof(*docs);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find("{\"selector\":{\"v\":{\"$exists\":true}},\"sort\":[\"v\"]}", docs, n, &res, err), 0, "%s", err);
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
	cr_assert_eq(find("{\"selector\":{\"g\":\"even\",\"n\":{\"$gt\":10}},\"sort\":[\"g\",\"n\"]}", docs, n, &res, err),
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
	cr_assert_eq(find("{\"selector\":{\"_id\":\"d03\"},\"fields\":[\"_id\",\"meta.k\",\"nope\",\"n.x\"]}", docs, n, &res,
			  err),
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

/* The request is refused with this error name and reason. */
static void FIND_BAD(const char *req, const char *error, const char *reason)
{
	json_t *docs[] = {J("{\"_id\":\"a\"}")};
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find(req, docs, 1, &res, err), -1, "%s should fail", req);
	cr_assert_str_eq(res.error.error, error, "%s", req);
	cr_assert_str_eq(err, reason, "%s", req);
	cr_assert_eq(res.error.status, 400);
	json_decref(docs[0]);
}

Test(mango, find_bad_requests)
{
	FIND_BAD("{}", "missing_required_key", "Missing required key: selector");
	FIND_BAD("{\"selector\":[]}", "invalid_selector_json", "Selector must be a JSON object, not: []");
	FIND_BAD("{\"selector\":{\"a\":{\"$foo\":1}}}", "invalid_operator", "Invalid operator: $foo");
	FIND_BAD("{\"selector\":{},\"sort\":\"a\"}", "invalid_sort_json",
		 "Sort must be an array of sort specs, not: <<\"a\">>");
	FIND_BAD("{\"selector\":{},\"sort\":[{\"a\":\"up\"}]}", "invalid_sort_dir", "Invalid sort direction: <<\"up\">>");
	FIND_BAD("{\"selector\":{},\"sort\":[1]}", "invalid_sort_field", "Invalid sort field: 1");
	FIND_BAD("{\"selector\":{},\"sort\":[{\"a\":\"asc\"},{\"b\":\"desc\"}]}", "unsupported_mixed_sort",
		 "Sorts currently only support a single direction for all fields.");
	FIND_BAD("{\"selector\":{},\"skip\":-1}", "invalid_non_neg_integer",
		 "-1 is not an integer greater than or equal to zero");
	FIND_BAD("{\"selector\":{},\"limit\":1.5}", "invalid_non_neg_integer",
		 "1.5 is not an integer greater than or equal to zero");
	FIND_BAD("{\"selector\":{},\"fields\":\"a\"}", "invalid_fields", "Fields must be an array of strings, not: <<\"a\">>");
	FIND_BAD("{\"selector\":{},\"fields\":[1]}", "invalid_field", "Invalid JSON for field spec: 1");
	FIND_BAD("{\"selector\":{},\"bookmark\":\"zzz\"}", "invalid_bookmark", "Invalid bookmark value: \"zzz\"");
	FIND_BAD("{\"selector\":{},\"foo\":1}", "invalid_key", "Invalid key foo for this request.");
	FIND_BAD("{\"selector\":{},\"use_index\":1}", "invalid_index_name", "Invalid index name: 1");
	FIND_BAD("{\"selector\":{},\"execution_stats\":1}", "invalid_boolean", "Invalid boolean value: 1");
	FIND_BAD("[]", "bad_request", "Request body must be a JSON object");
}

Test(mango, find_accepts_what_konnectors_send)
{
	size_t n;
	json_t **docs = make_docs(&n);
	struct mango_result res;
	char err[ERR_MAX] = "";
	cr_assert_eq(find("{\"use_index\":\"_design/abc\",\"selector\":{\"n\":{\"$gt\":null}},\"limit\":1000,\"skip\":0,"
			  "\"bookmark\":\"nil\",\"execution_stats\":true}",
			  docs, n, &res, err),
		     0, "%s", err);
	cr_assert_eq(res.limit, 1000);
	cr_assert_eq(json_array_size(res.docs), 30);
	mango_find_clear(&res);
	free_docs(docs, n);
}
