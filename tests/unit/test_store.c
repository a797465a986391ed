/* fake-stack/data/store*.c: documents, revisions, tombstones, fixtures, indexes. */
#include "common/err.h"
#include "common/sha1.h"
#include "fake-stack/data/mango.h"
#include "fake-stack/data/store.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void assert_rev(const char *rev, const char *gen)
{
	cr_assert_not_null(rev);
	size_t g = strlen(gen);
	cr_assert(strncmp(rev, gen, g) == 0 && rev[g] == '-', "rev %s, want generation %s", rev, gen);
	cr_assert_eq(strlen(rev + g + 1), 32, "rev %s", rev);
	cr_assert(is_hex(rev + g + 1, 32), "rev %s", rev);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A fresh temp dir; the test removes it with rm -rf. */
static char *temp_dir(void)
{
	char *d = strdup("/tmp/kh-store-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void rm_rf(char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

/* A doc's revision as a string the test owns. */
static char *rev_of(const json_t *doc)
{
	return strdup(json_string_value(json_object_get(doc, "_rev")));
}

Test(store, create_get_update_delete)
{
	struct store *st = store_new();
	char err[ERR_MAX];
	enum store_status s;
	cr_assert(!store_db_exists(st, "io.cozy.bills"));
	cr_assert_null(store_fetch(st, "io.cozy.bills", "x", &s));
	cr_assert_eq(s, STORE_NO_DB);

	json_t *in = json_pack("{s:f, s:s}", "amount", 12.5, "_type", "io.cozy.bills");
	json_t *out = NULL;
	cr_assert_eq(store_create(st, "io.cozy.bills", in, &out, err), STORE_OK);
	cr_assert(store_db_exists(st, "io.cozy.bills"));
	const char *id = json_string_value(json_object_get(out, "_id"));
	cr_assert_eq(strlen(id), 32);
	cr_assert(is_hex(id, 32));
	assert_rev(json_string_value(json_object_get(out, "_rev")), "1");
	cr_assert_null(json_object_get(out, "_type"), "_type is never stored");
	/* _id and _rev come first, as CouchDB answers */
	void *it = json_object_iter(out);
	cr_assert_str_eq(json_object_iter_key(it), "_id");
	cr_assert_str_eq(json_object_iter_key(json_object_iter_next(out, it)), "_rev");
	/* the stored doc is a copy */
	json_object_set_new(in, "amount", json_integer(99));
	json_decref(in);

	char *sid = strdup(id);
	char *rev1 = rev_of(out);
	json_t *got = store_fetch(st, "io.cozy.bills", sid, &s);
	cr_assert_eq(s, STORE_OK);
	cr_assert(json_equal(got, out), "%s", json_dumps(got, 0));
	cr_assert_eq(json_real_value(json_object_get(got, "amount")), 12.5);
	cr_assert_str_eq(store_rev(st, "io.cozy.bills", sid, &s), rev1);
	/* what a reader gets is its own: changing it changes nothing stored */
	json_object_set_new(got, "amount", json_integer(1));
	json_decref(got);
	got = store_fetch(st, "io.cozy.bills", sid, &s);
	cr_assert_eq(json_real_value(json_object_get(got, "amount")), 12.5);
	json_decref(got);
	json_decref(out);

	/* update with the current rev bumps the generation */
	json_t *upd = json_pack("{s:s, s:s, s:i}", "_id", sid, "_rev", rev1, "amount", 13);
	cr_assert_eq(store_update(st, "io.cozy.bills", sid, upd, &out, err), STORE_OK);
	assert_rev(json_string_value(json_object_get(out, "_rev")), "2");
	cr_assert_eq(json_integer_value(json_object_get(out, "amount")), 13);
	char *rev2 = rev_of(out);
	json_decref(out);
	/* stale rev → conflict */
	out = NULL;
	cr_assert_eq(store_update(st, "io.cozy.bills", sid, upd, &out, err), STORE_CONFLICT);
	cr_assert_null(out);
	cr_assert_str_eq(err, "Document update conflict.");
	json_decref(upd);
	/* the old revision is gone, the new one is there */
	cr_assert_null(store_fetch_rev(st, "io.cozy.bills", sid, rev1));
	got = store_fetch_rev(st, "io.cozy.bills", sid, rev2);
	cr_assert_not_null(got);
	json_decref(got);

	/* delete: wrong rev → conflict, right rev → tombstone */
	const char *trev = NULL;
	cr_assert_eq(store_delete(st, "io.cozy.bills", sid, rev1, &trev, err), STORE_CONFLICT);
	cr_assert_eq(store_delete(st, "io.cozy.bills", sid, NULL, &trev, err), STORE_CONFLICT);
	cr_assert_eq(store_delete(st, "io.cozy.bills", sid, rev2, &trev, err), STORE_OK);
	assert_rev(trev, "3");
	cr_assert_null(store_fetch(st, "io.cozy.bills", sid, &s));
	cr_assert_eq(s, STORE_DELETED);
	cr_assert_null(store_rev(st, "io.cozy.bills", sid, &s));
	cr_assert_eq(s, STORE_DELETED);
	cr_assert_null(store_fetch(st, "io.cozy.bills", "never", &s));
	cr_assert_eq(s, STORE_NOT_FOUND);
	/* the last body and the tombstone stay reachable by rev */
	json_t *old = store_fetch_rev(st, "io.cozy.bills", sid, rev2);
	cr_assert_not_null(old);
	cr_assert_eq(json_integer_value(json_object_get(old, "amount")), 13);
	json_decref(old);
	json_t *stub = store_fetch_rev(st, "io.cozy.bills", sid, trev);
	cr_assert_not_null(stub);
	cr_assert(json_is_true(json_object_get(stub, "_deleted")));
	json_decref(stub);
	/* update / delete of a deleted doc → deleted */
	upd = json_pack("{s:s, s:s}", "_id", sid, "_rev", trev);
	cr_assert_eq(store_update(st, "io.cozy.bills", sid, upd, &out, err), STORE_DELETED);
	cr_assert_eq(store_delete(st, "io.cozy.bills", sid, trev, NULL, err), STORE_DELETED);
	json_decref(upd);
	/* re-creating a deleted id continues its revision tree */
	json_t *again = json_pack("{s:s, s:b}", "_id", sid, "back", 1);
	cr_assert_eq(store_create(st, "io.cozy.bills", again, &out, err), STORE_OK);
	assert_rev(json_string_value(json_object_get(out, "_rev")), "4");
	json_decref(out);
	/* … and creating it twice is a conflict */
	cr_assert_eq(store_create(st, "io.cozy.bills", again, NULL, err), STORE_CONFLICT);
	json_decref(again);

	json_t *changes = store_changes(st);
	json_t *exp = json_pack("{s:{s:i, s:i, s:i}}", "io.cozy.bills", "created", 2, "updated", 1, "deleted", 1);
	cr_assert(json_equal(changes, exp), "%s", json_dumps(changes, 0));
	json_decref(changes);
	json_decref(exp);
	store_reset_changes(st);
	changes = store_changes(st);
	cr_assert_eq(json_object_size(changes), 0);
	json_decref(changes);

	size_t live = 0, dead = 0;
	cr_assert_eq(store_db_counts(st, "io.cozy.bills", &live, &dead), 0);
	cr_assert_eq(live, 1);
	cr_assert_eq(dead, 0);
	cr_assert_eq(store_db_counts(st, "io.cozy.nope", &live, &dead), -1);
	free(sid);
	free(rev1);
	free(rev2);
	store_free(st);
}

Test(store, bad_ids_and_missing_db)
{
	struct store *st = store_new();
	char err[ERR_MAX];
	json_t *out = NULL;
	json_t *doc = json_pack("{s:s}", "_id", "_foo");
	cr_assert_eq(store_create(st, "io.cozy.x", doc, &out, err), STORE_BAD_ID);
	cr_assert_str_eq(err, "Unsuported couchdb operation _foo");
	json_decref(doc);
	doc = json_pack("{s:i}", "_id", 3);
	cr_assert_eq(store_create(st, "io.cozy.x", doc, &out, err), STORE_BAD_ID);
	json_decref(doc);
	doc = json_pack("{s:s}", "_id", "");
	cr_assert_eq(store_create(st, "io.cozy.x", doc, &out, err), STORE_BAD_ID);
	json_decref(doc);
	doc = json_pack("{s:s, s:s}", "_id", "a", "_rev", "1-x");
	cr_assert_eq(store_update(st, "io.cozy.none", "a", doc, &out, err), STORE_NO_DB);
	cr_assert_eq(store_delete(st, "io.cozy.none", "a", "1-x", NULL, err), STORE_NO_DB);
	json_decref(doc);
	cr_assert_eq(store_db_delete(st, "io.cozy.none"), STORE_NO_DB);

	cr_assert(store_doctype_valid("io.cozy.bills"));
	cr_assert(store_doctype_valid("io.cozy.lab_events2"));
	cr_assert(!store_doctype_valid(""));
	cr_assert(!store_doctype_valid(".io.cozy"));
	cr_assert(!store_doctype_valid("io.cozy."));
	cr_assert(!store_doctype_valid("io..cozy"));
	cr_assert(!store_doctype_valid("io.cozy.Bills"));
	cr_assert(!store_doctype_valid("io/cozy"));
	store_free(st);
}

Test(store, sorted_docs_follow_writes)
{
	struct store *st = store_new();
	char err[ERR_MAX];
	const char *ids[] = {"m", "b", "_design/z", "Z", "a", "y"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		json_t *d = json_pack("{s:s}", "_id", ids[i]);
		cr_assert_eq(store_create(st, "io.cozy.t", d, NULL, err), STORE_OK);
		json_decref(d);
	}
	size_t n = store_count(st, "io.cozy.t");
	const char *want[] = {"Z", "_design/z", "a", "b", "m", "y"}; /* byte order, as _all_docs */
	cr_assert_eq(n, 6);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(store_id_at(st, "io.cozy.t", i), want[i]);
		json_t *d = store_fetch_at(st, "io.cozy.t", i);
		cr_assert_str_eq(json_string_value(json_object_get(d, "_rev")), store_rev_at(st, "io.cozy.t", i));
		json_decref(d);
	}
	cr_assert_null(store_id_at(st, "io.cozy.t", 6));
	enum store_status s;
	const char *mrev = store_rev(st, "io.cozy.t", "m", &s);
	cr_assert_eq(store_delete(st, "io.cozy.t", "m", mrev, NULL, err), STORE_OK);
	json_t *all = store_all_docs(st, "io.cozy.t");
	cr_assert_eq(json_array_size(all), 5);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 4), "_id")), "y");
	json_decref(all);
	/* a re-created id takes its place again (its slot is reused) */
	json_t *d = json_pack("{s:s}", "_id", "m");
	cr_assert_eq(store_create(st, "io.cozy.t", d, NULL, err), STORE_OK);
	json_decref(d);
	cr_assert_str_eq(store_id_at(st, "io.cozy.t", 4), "m");
	cr_assert_eq(store_count(st, "io.cozy.none"), 0);
	cr_assert_null(store_id_at(st, "io.cozy.none", 0));
	json_t *names = store_doctypes(st);
	cr_assert_eq(json_array_size(names), 1);
	json_decref(names);
	cr_assert_eq(store_db_delete(st, "io.cozy.t"), STORE_OK);
	cr_assert(!store_db_exists(st, "io.cozy.t"));
	store_free(st);
}

Test(store, load_dir_both_layouts)
{
	char *dir = temp_dir();
	char p[512];
	snprintf(p, sizeof(p), "%s/io.cozy.accounts", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/io.cozy.accounts/acc1.json", dir);
	write_file(p, "{\"account_type\":\"template\",\"auth\":{\"login\":\"homer\"}}");
	snprintf(p, sizeof(p), "%s/io.cozy.accounts/io.cozy.konnectors%%2Ftemplate.json", dir);
	write_file(p, "{\"x\":1}");
	snprintf(p, sizeof(p), "%s/io.cozy.accounts/notes.txt", dir);
	write_file(p, "ignored");
	snprintf(p, sizeof(p), "%s/io.cozy.bank.operations.json", dir);
	write_file(p, "[{\"_id\":\"op1\",\"_rev\":\"1-seed\",\"amount\":-12.5},"
		      "{\"_id\":\"op2\",\"_rev\":\"7-0123456789abcdef0123456789abcdef\"},{\"label\":\"no id\"}]");

	struct store *st = store_new();
	char err[ERR_MAX] = "";
	cr_assert_eq(store_load_dir(st, dir, err), 0, "%s", err);
	enum store_status s;
	json_t *acc = store_fetch(st, "io.cozy.accounts", "acc1", &s);
	cr_assert_not_null(acc);
	cr_assert_str_eq(json_string_value(json_object_get(acc, "_id")), "acc1");
	assert_rev(json_string_value(json_object_get(acc, "_rev")), "1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(acc, "auth"), "login")), "homer");
	json_decref(acc);
	cr_assert_not_null(store_rev(st, "io.cozy.accounts", "io.cozy.konnectors/template", &s), "percent-decoded");
	json_t *op1 = store_fetch(st, "io.cozy.bank.operations", "op1", &s);
	assert_rev(json_string_value(json_object_get(op1, "_rev")), "1"); /* malformed fixture rev replaced */
	cr_assert_eq(json_real_value(json_object_get(op1, "amount")), -12.5);
	/* _id and _rev come first whatever the fixture's order */
	cr_assert_str_eq(json_object_iter_key(json_object_iter(op1)), "_id");
	json_decref(op1);
	cr_assert_str_eq(store_rev(st, "io.cozy.bank.operations", "op2", &s), "7-0123456789abcdef0123456789abcdef");
	cr_assert_eq(store_count(st, "io.cozy.bank.operations"), 3, "a doc without _id gets a generated one");
	json_t *changes = store_changes(st);
	cr_assert_eq(json_object_size(changes), 0, "loading is not a change");
	json_decref(changes);
	store_free(st);
	rm_rf(dir);
}

/* Load dir with one bad file; err must contain want. */
static void expect_load_error(const char *rel, const char *text, const char *want)
{
	char *dir = temp_dir();
	char p[512];
	if (strchr(rel, '/') != NULL) {
		snprintf(p, sizeof(p), "%s/%.*s", dir, (int)(strchr(rel, '/') - rel), rel);
		mkdir(p, 0755);
	}
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	write_file(p, text);
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	cr_assert_eq(store_load_dir(st, dir, err), -1, "%s should fail", rel);
	cr_assert(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	cr_assert(strstr(err, dir) != NULL, "error \"%s\" lacks the path", err);
	store_free(st);
	rm_rf(dir);
}

Test(store, load_dir_errors)
{
	/* line 2, column 9: jansson's position of the bad token */
	expect_load_error("io.cozy.bills/b1.json", "{\n  \"a\": tru\n}", ".json:2:");
	expect_load_error("io.cozy.bills.json", "[{\"a\":1},\n{\"b\":}]", "io.cozy.bills.json:2:");
	expect_load_error("io.cozy.bills.json", "{\"a\":1}", "expected an array");
	expect_load_error("io.cozy.bills.json", "[1]", "must be a JSON object");
	expect_load_error("io.cozy.bills/x.json", "[{}]", "found an array");
	expect_load_error("io.cozy.bills/x.json", "\"str\"", "must be a JSON object");
	expect_load_error("IO.Cozy.json", "[]", "not a valid doctype name");
	expect_load_error("io..cozy/x.json", "{}", "not a valid doctype name");
	expect_load_error("io.cozy.bills/_bad.json", "{}", "invalid _id \"_bad\"");
	expect_load_error("io.cozy.bills.json", "[{\"_id\":\"_all_docs\"}]", "invalid _id");
	expect_load_error("io.cozy.bills.json", "[{\"_id\":\"a\"},{\"_id\":\"a\"}]", "duplicate _id");
	expect_load_error("io.cozy.bills.json", "[{\"_id\":4}]", "_id must be a string");
	expect_load_error("io.cozy.bills/bad%zz.json", "{}", "percent-escape");
}

Test(store, load_error_line_and_column)
{
	char *dir = temp_dir();
	char p[512];
	snprintf(p, sizeof(p), "%s/io.cozy.bills.json", dir);
	write_file(p, "[\n  {\"a\": 1},\n  {\"b\" 2}\n]\n");
	struct store *st = store_new();
	char err[ERR_MAX] = "", want[600];
	cr_assert_eq(store_load_dir(st, dir, err), -1);
	snprintf(want, sizeof(want), "%s:3:", p);
	cr_assert(strncmp(err, want, strlen(want)) == 0, "got %s", err);
	cr_assert(strstr(err, "':' expected") != NULL, "got %s", err);
	store_free(st);
	rm_rf(dir);
}

Test(store, missing_data_dir)
{
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	cr_assert_eq(store_load_dir(st, "/nonexistent/kh-data", err), -1);
	cr_assert(strstr(err, "/nonexistent/kh-data") != NULL);
	store_free(st);
}

Test(store, write_dir_round_trip)
{
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	const char *ids[] = {"plain", "io.cozy.konnectors/template", "100%", ".hidden", "sp ace", "_design/idx"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		json_t *d = json_pack("{s:s, s:i, s:{s:[i,s]}}", "_id", ids[i], "n", (int)i, "deep", "k", 1, "é");
		cr_assert_eq(store_create(st, "io.cozy.t", d, NULL, err), STORE_OK, "%s", err);
		json_decref(d);
	}
	json_t *d = json_pack("{s:s}", "x", "y");
	cr_assert_eq(store_create(st, "io.cozy.other", d, NULL, err), STORE_OK);
	json_decref(d);
	char *dir = temp_dir();
	char out[512];
	snprintf(out, sizeof(out), "%s/data", dir);
	cr_assert_eq(store_write_dir(st, out, err), 0, "%s", err);
	char p[600];
	snprintf(p, sizeof(p), "%s/io.cozy.t/io.cozy.konnectors%%2Ftemplate.json", out);
	cr_assert_eq(access(p, F_OK), 0, "%s", p);
	snprintf(p, sizeof(p), "%s/io.cozy.t/100%%25.json", out);
	cr_assert_eq(access(p, F_OK), 0, "%s", p);

	struct store *back = store_new();
	cr_assert_eq(store_load_dir(back, out, err), 0, "%s", err);
	const char *types[] = {"io.cozy.t", "io.cozy.other"};
	for (size_t t = 0; t < 2; t++) {
		json_t *a = store_all_docs(st, types[t]), *b = store_all_docs(back, types[t]);
		cr_assert(json_equal(a, b), "%s:\n%s\n%s", types[t], json_dumps(a, 0), json_dumps(b, 0));
		json_decref(a);
		json_decref(b);
	}
	store_free(back);
	store_free(st);
	rm_rf(dir);
}

Test(store, index_put_and_design_docs)
{
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	const char *result;
	char *id = NULL, *name = NULL;
	json_t *body = json_loads("{\"index\":{\"fields\":[\"date\",\"amount\",\"vendor\"]}}", 0, NULL);
	cr_assert_eq(store_index_put(st, "io.cozy.bills", body, &result, &id, &name, err), STORE_OK, "%s", err);
	cr_assert_str_eq(result, "created");
	cr_assert_eq(strlen(name), 40);
	cr_assert(is_hex(name, 40));
	cr_assert_eq(strncmp(id, "_design/", 8), 0);
	cr_assert_str_eq(id + 8, name);
	char *first = id;
	free(name);
	cr_assert_eq(store_index_put(st, "io.cozy.bills", body, &result, &id, &name, err), STORE_OK);
	cr_assert_str_eq(result, "exists");
	cr_assert_str_eq(id, first);
	free(id);
	free(name);
	json_decref(body);

	json_t *idx = json_string(first);
	cr_assert(store_index_exists(st, "io.cozy.bills", idx));
	json_decref(idx);
	idx = json_string(first + 8);
	cr_assert(store_index_exists(st, "io.cozy.bills", idx));
	json_decref(idx);
	idx = json_string("_design/nope");
	cr_assert(!store_index_exists(st, "io.cozy.bills", idx));
	json_decref(idx);

	/* cozy-client style: named ddoc, partial filter */
	body = json_loads("{\"index\":{\"fields\":[\"dir_id\"],\"partial_filter_selector\":{\"trashed\":false}},"
			  "\"ddoc\":\"by_dir_id_filter_trashed\"}",
			  0, NULL);
	cr_assert_eq(store_index_put(st, "io.cozy.bills", body, &result, &id, &name, err), STORE_OK);
	cr_assert_str_eq(result, "created");
	cr_assert_str_eq(id, "_design/by_dir_id_filter_trashed");
	free(id);
	json_decref(body);
	idx = json_pack("[s,s]", "by_dir_id_filter_trashed", name);
	cr_assert(store_index_exists(st, "io.cozy.bills", idx));
	json_decref(idx);
	idx = json_pack("[s,s]", "by_dir_id_filter_trashed", "other");
	cr_assert(!store_index_exists(st, "io.cozy.bills", idx));
	json_decref(idx);

	json_t *dd = store_index_design_docs(st, "io.cozy.bills");
	cr_assert_eq(json_array_size(json_object_get(dd, "rows")), 2);
	json_t *row = json_array_get(json_object_get(dd, "rows"), 0); /* "_design/b…" < "_design/<hex>" */
	cr_assert_str_eq(json_string_value(json_object_get(row, "id")), "_design/by_dir_id_filter_trashed");
	json_t *view = json_object_get(json_object_get(json_object_get(row, "doc"), "views"), name);
	json_t *want =
		json_loads("{\"map\":{\"fields\":{\"dir_id\":\"asc\"},\"partial_filter_selector\":{\"trashed\":false}},"
			   "\"reduce\":\"_count\",\"options\":{\"def\":{\"fields\":[\"dir_id\"],"
			   "\"partial_filter_selector\":{\"trashed\":false}}}}",
			   0, NULL);
	cr_assert(json_equal(view, want), "%s", json_dumps(view, 0));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(row, "doc"), "language")), "query");
	json_decref(want);
	json_decref(dd);
	free(name);

	/* errors */
	body = json_loads("{\"fields\":[\"a\"]}", 0, NULL);
	cr_assert_eq(store_index_put(st, "io.cozy.bills", body, &result, &id, &name, err), STORE_ERROR);
	cr_assert_str_eq(err, "Missing required key: index");
	json_decref(body);
	body = json_loads("{\"index\":{\"fields\":[{\"a\":\"up\"}]}}", 0, NULL);
	cr_assert_eq(store_index_put(st, "io.cozy.bills", body, &result, &id, &name, err), STORE_ERROR);
	json_decref(body);
	free(first);
	store_free(st);
}

Test(store, sha1_known_vectors)
{
	char out[41];
	sha1_hex("abc", 3, out);
	cr_assert_str_eq(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_hex("", 0, out);
	cr_assert_str_eq(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	const char *l = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha1_hex(l, strlen(l), out);
	cr_assert_str_eq(out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

Test(store, many_docs_load)
{
	/* 20,000 docs in one array file: the load path for big fixtures (timing lives in bench/). */
	char *dir = temp_dir();
	char p[512];
	snprintf(p, sizeof(p), "%s/io.cozy.big.json", dir);
	FILE *f = fopen(p, "w");
	fputc('[', f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%s{\"_id\":\"d%06d\",\"n\":%d}", i ? "," : "", (i * 7919) % 20000, i);
	fputc(']', f);
	fclose(f);
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	cr_assert_eq(store_load_dir(st, dir, err), 0, "%s", err);
	size_t n = store_count(st, "io.cozy.big");
	cr_assert_eq(n, 20000);
	for (size_t i = 1; i < n; i++)
		cr_assert(strcmp(store_id_at(st, "io.cozy.big", i - 1), store_id_at(st, "io.cozy.big", i)) < 0);
	enum store_status s;
	json_t *d = store_fetch(st, "io.cozy.big", "d012345", &s);
	cr_assert_not_null(d);
	json_decref(d);
	store_free(st);
	rm_rf(dir);
}

Test(store, find_sorted_on_the_whole_doc)
{
	/* a sort on "" makes each whole doc a sort key: the docs must live until the sort is done */
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	for (int i = 0; i < 40; i++) {
		json_t *d = json_pack("{s:i}", "n", (i * 7) % 40);
		cr_assert_eq(store_create(st, "io.cozy.t", d, NULL, err), STORE_OK);
		json_decref(d);
	}
	struct mango_docs docs;
	cr_assert_eq(store_mango_docs(st, "io.cozy.t", &docs), 0);
	json_t *req = json_loads("{\"selector\":{},\"sort\":[{\"\":\"asc\"}],\"limit\":3}", 0, NULL);
	struct mango_result res;
	cr_assert_eq(mango_find(req, &docs, NULL, &res, err), 0, "%s", err);
	cr_assert_eq(json_array_size(res.docs), 3);
	/* objects collate by their members in order: _id first */
	const char *a = json_string_value(json_object_get(json_array_get(res.docs, 0), "_id"));
	const char *b = json_string_value(json_object_get(json_array_get(res.docs, 1), "_id"));
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	mango_find_clear(&res);
	json_decref(req);
	cr_assert_eq(store_mango_docs(st, "io.cozy.none", &docs), -1);
	store_free(st);
}

Test(store, array_fixture_syntax_error_first)
{
	/* a bad element before a syntax error: the syntax error (with its line and column) is what is reported */
	expect_load_error("io.cozy.bills.json", "[1,\n {\"a\" 2}]", "io.cozy.bills.json:2:");
	expect_load_error("io.cozy.bills.json", "[{\"_id\":\"a\"},{\"_id\":\"a\"} x", "io.cozy.bills.json:1:");
	/* without one, the element's own problem */
	expect_load_error("io.cozy.bills.json", "[{\"_id\":\"_bad\"}]", "(element 0)");
	/* a file name that percent-decodes to bytes that are not UTF-8 */
	expect_load_error("io.cozy.bills/%FF.json", "{}", "not UTF-8");
}

Test(store, tombstones_keep_the_last_body)
{
	struct store *st = store_new();
	char err[ERR_MAX] = "";
	json_t *d = json_pack("{s:s, s:{s:[i,i]}, s:s}", "_id", "x", "deep", "a", 1, 2, "u", "é\"");
	json_t *out = NULL;
	cr_assert_eq(store_create(st, "io.cozy.t", d, &out, err), STORE_OK);
	char *rev = strdup(json_string_value(json_object_get(out, "_rev")));
	const char *trev = NULL;
	cr_assert_eq(store_delete(st, "io.cozy.t", "x", rev, &trev, err), STORE_OK);
	char *trev_copy = strdup(trev);
	json_t *body = store_fetch_rev(st, "io.cozy.t", "x", rev);
	cr_assert(json_equal(body, out), "%s", json_dumps(body, 0));
	json_t *stub = store_fetch_rev(st, "io.cozy.t", "x", trev_copy);
	json_t *want = json_pack("{s:s, s:s, s:b}", "_id", "x", "_rev", trev_copy, "_deleted", 1);
	cr_assert(json_equal(stub, want));
	cr_assert_null(store_fetch_rev(st, "io.cozy.t", "x", "9-00000000000000000000000000000000"));
	json_decref(want);
	json_decref(stub);
	json_decref(body);
	json_decref(out);
	json_decref(d);
	free(rev);
	free(trev_copy);
	store_free(st);
}
