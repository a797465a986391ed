/* harness/judge/expect.c and scenario_check.c: one passing and one failing case per kind of expectation, and
 * validation. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/judge/expect.h"
#include "harness/judge/expect_sink.h"
#include "harness/judge/scenario_check.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	cr_assert_not_null(j, "bad test JSON %d:%d %s", je.line, je.column, je.text);
	return j;
}

struct fixture {
	json_t *documents, *files, *journal, *events, *lint, *vendor;
	struct expect_outcome out;
};

static void fixture_init(struct fixture *f, const char *state, const char *error)
{
	f->documents = J("{\"io.cozy.bills\": ["
			 " {\"_id\":\"_design/x\",\"views\":{}},"
			 " {\"_id\":\"b1\",\"vendor\":\"demo\",\"vendorRef\":\"B001\",\"amount\":12.5,"
			 "  \"cozyMetadata\":{\"createdByApp\":\"demo\"}},"
			 " {\"_id\":\"b2\",\"vendor\":\"demo\",\"vendorRef\":\"B002\",\"amount\":20.0}],"
			 " \"io.cozy.accounts\": [{\"_id\":\"a1\",\"oauth\":{\"access_token\":\"fresh\"}}]}");
	f->files = J("[{\"path\":\"/Administrative/Demo/"
		     "2024-01-15_demo_12.50EUR.pdf\",\"size\":\"612\",\"mime\":\"application/pdf\"},"
		     " {\"path\":\"/Administrative/Demo/notes.txt\",\"size\":3,\"mime\":\"text/plain\"}]");
	f->journal = J("[{\"method\":\"GET\",\"path\":\"/data/io.cozy.accounts/a1\",\"status\":200},"
		       " {\"method\":\"POST\",\"path\":\"/accounts/demo/a1/refresh\",\"status\":200},"
		       " {\"method\":\"POST\",\"path\":\"/data/io.cozy.bills/\",\"status\":201},"
		       " {\"method\":\"POST\",\"path\":\"/data/io.cozy.bills/\",\"status\":201}]");
	f->events = J("[{\"type\":\"debug\",\"message\":\"Preparing konnector...\"},"
		      " {\"type\":\"info\",\"message\":\"saveFiles created 2 files for 2 entries\"},"
		      " {\"type\":\"critical\",\"message\":\"LOGIN_FAILED\"}]");
	f->lint = J("[\"skips-next-runs\", \"unknown-type\"]");
	f->vendor =
		J("{\"mode\":\"replay\",\"har\":\"fixtures/default/vendor.har\",\"recorded_entries\":3,\"unused\":[]}");
	f->out = (struct expect_outcome){state,      error,     f->documents, f->files,
					 f->journal, f->events, f->lint,      f->vendor};
}

static void fixture_fini(struct fixture *f)
{
	json_decref(f->documents);
	json_decref(f->files);
	json_decref(f->journal);
	json_decref(f->events);
	json_decref(f->lint);
	json_decref(f->vendor);
}

/* Check expect_text against the fixture; returns the results (one or more). */
static struct expect_results check(const char *expect_text, const char *state, const char *error)
{
	struct fixture f;
	fixture_init(&f, state, error);
	json_t *e = J(expect_text);
	struct expect_results res;
	char err[ERR_MAX] = "";
	cr_assert_eq(expect_check(e, &f.out, &res, err), 0, "%s", err);
	json_decref(e);
	fixture_fini(&f);
	return res;
}

static void assert_all(const char *expect_text, const char *state, const char *error, int passed)
{
	struct expect_results res = check(expect_text, state, error);
	cr_assert_gt(res.n, 0);
	for (size_t i = 0; i < res.n; i++) {
		cr_assert_eq(res.r[i].passed, passed, "%s: %s (expected %s, actual %s)", expect_text, res.r[i].name,
			     res.r[i].expected, res.r[i].actual);
		if (!passed) {
			cr_assert(strstr(res.r[i].message, res.r[i].expected) != NULL, "%s", res.r[i].message);
			cr_assert(strstr(res.r[i].message, res.r[i].actual) != NULL, "%s", res.r[i].message);
		} else {
			cr_assert_str_eq(res.r[i].message, "");
		}
	}
	cr_assert_eq(res.failed, passed ? 0 : res.n);
	expect_results_clear(&res);
}

Test(expect, verdict_pass)
{
	assert_all("{\"verdict\": \"done\"}", "done", NULL, 1);
	assert_all("{\"verdict\": {\"state\": \"errored\", \"error\": \"LOGIN_FAILED\"}}", "errored",
		   "LOGIN_FAILED.NEEDS_SECRET", 1);
}

Test(expect, verdict_fail)
{
	assert_all("{\"verdict\": \"done\"}", "errored", "VENDOR_DOWN", 0);
	assert_all("{\"verdict\": {\"state\": \"errored\", \"error\": \"LOGIN_FAILED\"}}", "errored", "VENDOR_DOWN", 0);
	struct expect_results res = check("{\"verdict\": \"done\"}", "errored", "VENDOR_DOWN");
	cr_assert_str_eq(res.r[0].message, "expected done, got errored with error \"VENDOR_DOWN\"");
	expect_results_clear(&res);
}

Test(expect, documents_pass)
{
	assert_all("{\"documents\": {\"io.cozy.bills\": {\"count\": 2, \"match\": ["
		   " {\"vendorRef\": \"B002\", \"amount\": 20}, {\"cozyMetadata\": {\"createdByApp\": \"demo\"}}]},"
		   " \"io.cozy.accounts\": {\"at_least\": 1, \"at_most\": 1, \"match\": [{\"oauth\": "
		   "{\"access_token\": \"fresh\"}}]},"
		   " \"io.cozy.nothing\": {\"count\": 0}}}",
		   "done", NULL, 1);
}

Test(expect, documents_fail)
{
	assert_all("{\"documents\": {\"io.cozy.bills\": {\"count\": 3, \"match\": [{\"vendorRef\": \"B003\"}]},"
		   " \"io.cozy.accounts\": {\"at_least\": 2}}}",
		   "done", NULL, 0);
	struct expect_results res =
		check("{\"documents\": {\"io.cozy.bills\": {\"match\": [{\"amount\": 13}]}}}", "done", NULL);
	cr_assert_eq(res.n, 1);
	cr_assert(strstr(res.r[0].message, "amount: expected 13, got 12.5") != NULL, "%s", res.r[0].message);
	expect_results_clear(&res);
}

Test(expect, files_pass)
{
	assert_all("{\"files\": [{\"path\": \"*/2024-01-15_demo_12.50EUR.pdf\", \"size\": 612, \"mime\": "
		   "\"application/pdf\"},"
		   " {\"path\": \"/Administrative/Demo/notes.txt\"}]}",
		   "done", NULL, 1);
}

Test(expect, files_fail)
{
	assert_all("{\"files\": [{\"path\": \"*/2024-01-15_demo_12.50EUR.pdf\", \"size\": 613},"
		   " {\"path\": \"*.txt\", \"mime\": \"application/pdf\"}, {\"path\": \"*/missing.pdf\"}]}",
		   "done", NULL, 0);
	struct expect_results res = check("{\"files\": [{\"path\": \"*/missing.pdf\"}]}", "done", NULL);
	cr_assert(strstr(res.r[0].actual, "no file matches (2 files: /Administrative/Demo/2024") != NULL, "%s",
		  res.r[0].actual);
	expect_results_clear(&res);
}

Test(expect, requests_pass)
{
	assert_all(
		"{\"requests\": [{\"method\": \"POST\", \"path\": \"/accounts/*/refresh\", \"count\": 1},"
		" {\"method\": \"post\", \"path\": \"/data/io.cozy.bills/\", \"status\": 201, \"at_least\": 2, "
		"\"at_most\": 2},"
		" {\"path\": \"/data/io.cozy.accounts/*\"}, {\"method\": \"DELETE\", \"path\": \"*\", \"count\": 0}]}",
		"done", NULL, 1);
}

Test(expect, requests_fail)
{
	assert_all(
		"{\"requests\": [{\"method\": \"POST\", \"path\": \"/accounts/*/refresh\", \"count\": 2},"
		" {\"method\": \"POST\", \"path\": \"/accounts/*/refresh\", \"status\": 401},"
		" {\"method\": \"PUT\", \"path\": \"/data/*\"}, {\"path\": \"/data/io.cozy.bills/\", \"at_most\": 1}]}",
		"done", NULL, 0);
	struct expect_results res = check("{\"requests\": [{\"method\": \"POST\", \"path\": \"/accounts/*/refresh\", "
					  "\"status\": 401, \"count\": 1}]}",
					  "done", NULL);
	cr_assert(strstr(res.r[0].message, "POST /accounts/demo/a1/refresh answered 200") != NULL, "%s",
		  res.r[0].message);
	expect_results_clear(&res);
}

Test(expect, events_pass)
{
	assert_all("{\"events\": {\"contain\": [{\"type\": \"info\", \"message\": \"saveFiles created 2 files\"},"
		   " {\"message\": \"Preparing\"}], \"not_contain\": [{\"type\": \"error\"}, {\"type\": \"critical\", "
		   "\"message\": \"VENDOR_DOWN\"}]}}",
		   "done", NULL, 1);
}

Test(expect, events_fail)
{
	assert_all("{\"events\": {\"contain\": [{\"type\": \"warn\"}, {\"type\": \"info\", \"message\": \"created 3 "
		   "files\"}],"
		   " \"not_contain\": [{\"type\": \"critical\"}]}}",
		   "done", NULL, 0);
}

Test(expect, lint_pass)
{
	assert_all("{\"lint\": {\"must_not_fire\": [\"secret-leak\", \"not-json\"]}}", "done", NULL, 1);
}

Test(expect, lint_fail)
{
	assert_all("{\"lint\": {\"must_not_fire\": [\"unknown-type\", \"*\"]}}", "done", NULL, 0);
}

Test(expect, vendor_pass)
{
	assert_all("{\"vendor\": {\"all_used\": true}}", "done", NULL, 1);
	struct expect_results res = check("{\"vendor\": {\"all_used\": false}}", "done", NULL);
	cr_assert_eq(res.n, 0, "false asks nothing");
	expect_results_clear(&res);
}

/* vendor.all_used against a given proxy report (NULL: no proxy ran). */
static struct expect_results check_vendor_report(const char *report)
{
	json_t *v = report ? J(report) : NULL;
	struct expect_outcome out = {.state = "done", .vendor = v};
	json_t *e = J("{\"vendor\": {\"all_used\": true}}");
	struct expect_results res;
	char err[ERR_MAX] = "";
	cr_assert_eq(expect_check(e, &out, &res, err), 0, "%s", err);
	json_decref(e);
	json_decref(v);
	return res;
}

Test(expect, vendor_fail)
{
	struct expect_results res = check_vendor_report(
		"{\"mode\":\"replay\",\"recorded_entries\":3,\"unused\":[{\"index\":2,\"method\":\"GET\","
		"\"url\":\"https://v/bills/B002.pdf\"}]}");
	cr_assert_eq(res.failed, 1);
	cr_assert(strstr(res.r[0].message, "GET https://v/bills/B002.pdf") != NULL, "%s", res.r[0].message);
	expect_results_clear(&res);
	res = check_vendor_report(NULL);
	cr_assert_eq(res.failed, 1, "no replay at all cannot have used everything");
	cr_assert(strstr(res.r[0].actual, "no vendor.har was replayed") != NULL, "%s", res.r[0].actual);
	expect_results_clear(&res);
	res = check_vendor_report("{\"mode\":\"record\"}");
	cr_assert_eq(res.failed, 0, "a recording uses everything it records");
	expect_results_clear(&res);
	char err[ERR_MAX];
	json_t *bad = J("{\"vendor\": {\"all_used\": 1}}");
	cr_assert_eq(expect_validate(bad, "expect.json", err), -1);
	cr_assert(strstr(err, "vendor.all_used") != NULL, "%s", err);
	json_decref(bad);
	bad = J("{\"vendor\": {\"unused\": 0}}");
	cr_assert_eq(expect_validate(bad, "expect.json", err), -1);
	json_decref(bad);
}

Test(expect, results_json_shape)
{
	struct expect_results res =
		check("{\"verdict\": \"done\", \"lint\": {\"must_not_fire\": [\"*\"]}}", "done", NULL);
	json_t *j = expect_results_json(&res);
	cr_assert_eq(json_array_size(j), 2);
	cr_assert(json_is_true(json_object_get(json_array_get(j, 0), "passed")));
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "name")),
			 "lint no rule does not fire");
	json_decref(j);
	expect_results_clear(&res);
}

static void assert_invalid(const char *text, const char *needle)
{
	json_t *e = J(text);
	char err[ERR_MAX] = "";
	cr_assert_eq(expect_validate(e, "fixtures/x/expect.json", err), -1, "accepted: %s", text);
	cr_assert(strstr(err, needle) != NULL, "%s: got '%s'", text, err);
	json_decref(e);
}

Test(expect, validation_names_the_key)
{
	assert_invalid("[]", "fixtures/x/expect.json: expected a JSON object");
	assert_invalid("{\"verdcit\": \"done\"}", "top level: unknown key \"verdcit\"");
	assert_invalid("{\"verdict\": \"ok\"}", "verdict: expected \"done\" or \"errored\"");
	assert_invalid("{\"verdict\": {\"state\": \"done\", \"error\": \"X\"}}", "a \"done\" job has no error");
	assert_invalid("{\"documents\": {\"io.cozy.bills\": {\"count\": -1}}}", "documents.io.cozy.bills.count");
	assert_invalid("{\"documents\": {\"io.cozy.bills\": {\"count\": 1, \"at_least\": 1}}}", "cannot be combined");
	assert_invalid("{\"files\": [{\"size\": 3}]}", "files[0].path: expected a string");
	assert_invalid("{\"requests\": [{\"path\": \"/x\", \"cout\": 1}]}", "requests[0]: unknown key \"cout\"");
	assert_invalid("{\"events\": {\"contain\": [{}]}}", "events.contain[0]: give a \"type\"");
	assert_invalid("{\"lint\": {\"must_not_fire\": [1]}}", "lint.must_not_fire[0]");
}

Test(expect, load_reports_line_and_column)
{
	char path[] = "/tmp/kh-expect-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	const char *text = "{\n  \"verdict\": \"done\",\n  \"files\": [,]\n}\n";
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char err[ERR_MAX] = "";
	cr_assert_null(expect_load(path, err));
	char want[64];
	snprintf(want, sizeof(want), "%s:3:", path);
	cr_assert(strstr(err, want) == err, "%s", err);
	unlink(path);
}

/* The expect.json files shipped in templates/ are valid once rendered (checked here raw: placeholders are inside
 * strings). */
Test(expect, shipped_templates_validate)
{
	const char *files[] = {
		"templates/base/fixtures/default/expect.json", "templates/base/fixtures/login-failed/expect.json",
		"templates/oauth/fixtures/default/expect.json", "templates/oauth/fixtures/login-failed/expect.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char err[ERR_MAX] = "";
		json_t *e = expect_load(files[i], err);
		cr_assert_not_null(e, "%s", err);
		json_decref(e);
	}
}

/* harness/judge/scenario_check.c: the outcome read back from a run directory, then checked. */

static void put_file(const char *dir, const char *rel, const char *text)
{
	char path[512], err[ERR_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	cr_assert_eq(mkdir_p(path, err), 0, "%s", err);
	*slash = '/';
	cr_assert_eq(atomic_write(path, text, strlen(text), err), 0, "%s", err);
}

Test(expect, run_dir_outcome_and_check)
{
	char root[] = "/tmp/kh-expect-run-XXXXXX";
	cr_assert_not_null(mkdtemp(root));
	char run[300], fix[300];
	snprintf(run, sizeof(run), "%s/run", root);
	snprintf(fix, sizeof(fix), "%s/fixtures", root);
	put_file(run, "state/data/io.cozy.bills/b1.json", "{\"_id\":\"b1\",\"amount\":1}");
	put_file(run, "state/data/io.cozy.bills/_design%2Fx.json", "{\"_id\":\"_design/x\"}");
	put_file(run, "state/files.json",
		 "[{\"type\":\"directory\",\"path\":\"/A\"},{\"type\":\"file\",\"path\":\"/A/"
		 "b.pdf\",\"size\":\"5\",\"mime\":\"application/pdf\"},"
		 "{\"type\":\"file\",\"path\":\"/.cozy_trash/old.pdf\",\"trashed\":true}]");
	/* capture records (events.h): only the lines the stack takes as events count */
	put_file(run, "events.jsonl",
		 "{\"time\":\"2026-11-23T07:09:49.635Z\",\"line\":1,\"raw\":\"{\\\"type\\\":\\\"info\\\","
		 "\\\"message\\\":\\\"hi\\\"}\\r\"}\n"
		 "{\"time\":\"2026-11-23T07:09:49.636Z\",\"line\":2,\"raw\":\"not json\"}\n"
		 "{\"time\":\"2026-11-23T07:09:49.637Z\",\"line\":3,\"raw\":\"{\\\"type\\\":\\\"critical\\\","
		 "\\\"message\\\":\\\"LOGIN_FAILED\\\"}\"}\n");

	json_t *docs, *files, *events;
	char err[ERR_MAX] = "";
	cr_assert_eq(scenario_check_load(run, &docs, &files, &events, err), 0, "%s", err);
	cr_assert_eq(json_array_size(json_object_get(docs, "io.cozy.bills")), 2);
	cr_assert_eq(json_array_size(files), 1, "trashed files and dirs are not files");
	cr_assert_eq(json_array_size(events), 2, "the not-JSON line is no event");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(events, 0), "message")), "hi");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(events, 1), "line")), 3);
	json_decref(docs);
	json_decref(files);
	json_decref(events);

	json_t *results = NULL;
	size_t failed = 9;
	cr_assert_eq(
		scenario_check_rundir(fix, run, NULL, "errored", "LOGIN_FAILED", NULL, NULL, &results, &failed, err), 0,
		"%s", err);
	cr_assert_null(results, "no expect.json: no results");
	cr_assert_eq(scenario_check_has_verdict(fix), 0);

	put_file(fix, "expect.json",
		 "{\"verdict\":{\"state\":\"errored\",\"error\":\"LOGIN_FAILED\"},\"documents\":{\"io.cozy.bills\":{"
		 "\"count\":1}},"
		 "\"files\":[{\"path\":\"/A/*.pdf\",\"size\":5}],\"events\":{\"contain\":[{\"type\":\"critical\"}]},"
		 "\"requests\":[{\"path\":\"/data/*\",\"count\":0}],\"lint\":{\"must_not_fire\":[\"*\"]}}");
	cr_assert_eq(
		scenario_check_rundir(fix, run, NULL, "errored", "LOGIN_FAILED", NULL, NULL, &results, &failed, err), 0,
		"%s", err);
	cr_assert_eq(json_array_size(results), 6);
	cr_assert_eq(failed, 0, "%s", json_dumps(results, 0));
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(results, 5), "actual")),
			 "none: lint did not run");
	cr_assert_eq(scenario_check_has_verdict(fix), 1);
	json_decref(results);

	cr_assert_eq(scenario_check_rundir(fix, run, NULL, "done", NULL, NULL, NULL, &results, &failed, err), 0, "%s",
		     err);
	cr_assert_eq(failed, 1);
	json_decref(results);

	put_file(fix, "expect.json", "{\"files\": 3}");
	cr_assert_eq(scenario_check_rundir(fix, run, NULL, "done", NULL, NULL, NULL, &results, &failed, err), -1);
	cr_assert(strstr(err, "expect.json: files: expected an array") != NULL, "%s", err);

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

/* harness/judge/expect_sink.c: the three CI formats, escaping included. */
static char *sink_output(enum report_format fmt, const char *results_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	struct expect_sink s = {.fmt = fmt};
	json_t *results = results_text ? J(results_text) : NULL;
	expect_sink_begin(&s, f);
	expect_sink_scenario(&s, f, "a<b", "fixtures/x/expect.json", "errored", "LOGIN_FAILED", results);
	expect_sink_end(&s, f);
	fclose(f);
	json_decref(results);
	return buf;
}

Test(expect, sink_formats)
{
	const char *res = "[{\"name\":\"n1\",\"passed\":true,\"expected\":\"e\",\"actual\":\"a\",\"message\":\"\"},"
			  "{\"name\":\"x: y, "
			  "z\",\"passed\":false,\"expected\":\"1%\",\"actual\":\"\\\"2\\\"\",\"message\":\"m\\nl\"}]";
	char *out = sink_output(REPORT_GITHUB, res);
	cr_assert_str_eq(out, "::error file=fixtures/x/expect.json,title=a<b%3A x%3A y%2C z::m%0Al\n"
			      "konnector-harness: scenario a<b: 1 passed, 1 failed\n");
	free(out);
	out = sink_output(REPORT_TAP, res);
	cr_assert_str_eq(out, "TAP version 13\n# scenario a<b\nok 1 - a<b: n1\nnot ok 2 - a<b: x: y, z\n"
			      "  ---\n  expected: \"1%\"\n  actual: \"\\\"2\\\"\"\n  ...\n1..2\n");
	free(out);
	out = sink_output(REPORT_JUNIT, res);
	cr_assert(strstr(out, "<testsuite name=\"a&lt;b\" tests=\"2\" failures=\"1\" errors=\"0\">") != NULL, "%s",
		  out);
	cr_assert(strstr(out, "<failure type=\"expectation\" message=\"m\nl\">expected: 1%\nactual: "
			      "&quot;2&quot;</failure>") != NULL,
		  "%s", out);
	free(out);
	/* No expect.json: the verdict is the one case. */
	out = sink_output(REPORT_TAP, NULL);
	cr_assert(strstr(out, "not ok 1 - a<b: verdict\n") != NULL, "%s", out);
	cr_assert(strstr(out, "actual: \"errored with error \\\"LOGIN_FAILED\\\"\"") != NULL, "%s", out);
	free(out);
}
