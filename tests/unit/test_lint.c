/* harness/judge/lint.c: the API run uses (the rules themselves are covered by the tests/lint cases). */
#include "harness/judge/lint.h"

#include <criterion/criterion.h>
#include <string.h>

static void line(struct lint *l, const char *s, unsigned long n)
{
	lint_stdout_line(l, s, strlen(s), n);
}

Test(lint, rules_table_ids_unique_and_findable)
{
	for (size_t i = 0; i < lint_rules_len; i++) {
		cr_assert_eq(lint_rule_find(lint_rules[i].id), &lint_rules[i]);
		for (size_t k = i + 1; k < lint_rules_len; k++)
			cr_assert_str_neq(lint_rules[i].id, lint_rules[k].id);
	}
	cr_assert_null(lint_rule_find("nope"));
}

Test(lint, stderr_in_chunks_and_journal)
{
	struct lint_secret s[] = {{"password", "hunter22"}};
	struct lint_options o = {.secrets = s, .n_secrets = 1};
	struct lint *l = lint_new(&o);
	lint_stderr(l, "line one\nthe pass is hun", 24);
	lint_stderr(l, "ter22 ok\n", 9); /* the secret is split across two chunks */
	json_t *j = json_pack("[{s:s,s:s},{s:s,s:s,s:s}]", "method", "GET", "path", "/data/a/b", "method", "GET",
			      "path", "/data/io.cozy.bills/x", "forbidden", "no permission");
	lint_journal(l, j);
	json_decref(j);
	struct verdict v;
	lint_finish(l, END_EXITED, 0, 10, &v);
	size_t n;
	const struct finding *f = lint_findings(l, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(f[0].rule, "secret-leak");
	cr_assert_str_eq(f[0].file, "stderr");
	cr_assert_eq(f[0].line, 2);
	cr_assert_null(strstr(f[0].message, "hunter22")); /* never print the secret */
	cr_assert_str_eq(f[1].rule, "permission-missing");
	cr_assert_eq(f[1].line, 2);
	cr_assert_eq(lint_count(l, SEV_ERROR), 1);
	cr_assert_eq(lint_count(l, SEV_INFO), 2);
	verdict_clear(&v);
	lint_free(l);
}

Test(lint, findings_capped_per_rule_but_counted)
{
	struct lint *l = lint_new(NULL);
	for (unsigned long i = 1; i <= 1000; i++)
		line(l, "not json", i);
	struct verdict v;
	lint_finish(l, END_UNKNOWN, 0, -1, &v);
	size_t n;
	lint_findings(l, &n);
	cr_assert_eq(n, 200);
	cr_assert_eq(lint_dropped(l, "not-json"), 800);
	cr_assert_eq(lint_count(l, SEV_WARNING), 1000);
	cr_assert(v.done);
	cr_assert(v.from_events_only);
	verdict_clear(&v);
	lint_free(l);
}

Test(lint, too_long_stops_everything_after)
{
	struct lint *l = lint_new(NULL);
	line(l, "{\"type\":\"info\"}", 1);
	lint_stdout_too_long(l, 2);
	line(l, "{\"type\":\"critical\",\"message\":\"LOGIN_FAILED\"}", 3);
	struct verdict v;
	lint_finish(l, END_EXITED, 0, -1, &v);
	cr_assert(v.done);
	cr_assert_eq(lint_judge(l)->count_critical, 0);
	cr_assert_eq(lint_count(l, SEV_ERROR), 1);
	verdict_clear(&v);
	lint_free(l);
}

/* A journal entry as the fake stack records it (query object, response body as text). */
static json_t *entry(const char *method, const char *path, const char *metadata_id, int status, const char *answer)
{
	json_t *q = json_object();
	if (metadata_id)
		json_object_set_new(q, "MetadataID", json_string(metadata_id));
	return json_pack("{s:s,s:s,s:o,s:i,s:s}", "method", method, "path", path, "query", q, "status", status,
			 "response_body", answer ? answer : "");
}

#define META_ANSWER(id) "{\"data\":{\"type\":\"io.cozy.files.metadata\",\"id\":\"" id "\",\"attributes\":{}}}\n"

/* The findings of rule after feeding journal j and ending the run with end. */
static size_t rule_findings(json_t *j, enum process_end end, const char *rule, unsigned long *line, char **msg)
{
	struct lint *l = lint_new(NULL);
	lint_journal(l, j);
	json_decref(j);
	struct verdict v;
	lint_finish(l, end, end == END_SIGNALED ? 9 : 0, 10, &v);
	size_t n, c = 0;
	const struct finding *f = lint_findings(l, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].rule, rule) == 0) {
			if (c++ == 0 && line)
				*line = f[i].line;
			if (c == 1 && msg)
				*msg = strdup(f[i].message);
			cr_assert_eq(f[i].severity, SEV_ERROR);
			cr_assert_str_eq(f[i].file, "journal");
		}
	verdict_clear(&v);
	lint_free(l);
	return c;
}

/* libs 5.13.0 saveFiles: metadata for B001 then its upload, metadata for B002 and no upload: hung. */
static json_t *hung_journal(void)
{
	json_t *j = json_array();
	json_array_append_new(j, entry("GET", "/files/dir1", NULL, 200, "{}"));
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, META_ANSWER("m1")));
	json_array_append_new(j, entry("POST", "/files/dir1", "m1", 201, "{}"));
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, META_ANSWER("m2")));
	json_array_append_new(j, entry("GET", "/data/io.cozy.bills/_all_docs", NULL, 200, "{}"));
	return j;
}

Test(lint, upload_never_sent_after_metadata_in_a_timed_out_run)
{
	unsigned long line = 0;
	char *msg = NULL;
	cr_assert_eq(rule_findings(hung_journal(), END_TIMEOUT, "upload-never-sent", &line, &msg), 1);
	cr_assert_eq(line, 4); /* the metadata whose id no upload names */
	cr_assert_not_null(strstr(msg, "/files/upload/metadata"));
	cr_assert_not_null(strstr(msg, "requestInstance"));
	cr_assert_not_null(strstr(msg, "fetchFile"));
	free(msg);
	cr_assert_eq(rule_findings(hung_journal(), END_SIGNALED, "upload-never-sent", NULL, NULL), 1);
}

Test(lint, upload_never_sent_needs_a_hung_run)
{
	cr_assert_eq(rule_findings(hung_journal(), END_EXITED, "upload-never-sent", NULL, NULL), 0);
	cr_assert_eq(rule_findings(hung_journal(), END_UNKNOWN, "upload-never-sent", NULL, NULL), 0);
}

Test(lint, upload_never_sent_not_when_every_upload_came)
{
	json_t *j = json_array();
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, META_ANSWER("m1")));
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, META_ANSWER("m2")));
	json_array_append_new(j, entry("PUT", "/files/f1", "m2", 200, "{}")); /* an update names it too */
	json_array_append_new(j, entry("POST", "/files/dir1", "m1", 201, "{}"));
	json_array_append_new(j,
			      entry("POST", "/files/upload/metadata", NULL, 400, "{\"errors\":[]}")); /* no id given */
	cr_assert_eq(rule_findings(j, END_TIMEOUT, "upload-never-sent", NULL, NULL), 0);
}

Test(lint, upload_never_sent_upload_before_metadata_does_not_count)
{
	json_t *j = json_array();
	json_array_append_new(j, entry("POST", "/files/dir1", "m1", 422, "{}"));
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, META_ANSWER("m1")));
	cr_assert_eq(rule_findings(j, END_TIMEOUT, "upload-never-sent", NULL, NULL), 1);
}

Test(lint, upload_never_sent_unreadable_answer_falls_back_to_last_files_request)
{
	/* the id cannot be read: only a metadata that is the last /files request counts */
	json_t *j = json_array();
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, "<body withheld: out of memory>"));
	json_array_append_new(j, entry("POST", "/files/dir1", "m1", 201, "{}"));
	json_array_append_new(j, entry("POST", "/files/upload/metadata", NULL, 201, "{\"data\":{\"id\":\"m2\""));
	json_array_append_new(j, entry("GET", "/data/io.cozy.bills/x", NULL, 200, "{}"));
	unsigned long line = 0;
	cr_assert_eq(rule_findings(j, END_TIMEOUT, "upload-never-sent", &line, NULL), 1);
	cr_assert_eq(line, 3);
}
