/* harness/lint.c: the API run uses (the rules themselves are covered by the tests/lint cases). */
#include "harness/lint.h"

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
	json_t *j = json_pack("[{s:s,s:s},{s:s,s:s,s:s}]", "method", "GET", "path", "/data/a/b", "method", "GET", "path",
			      "/data/io.cozy.bills/x", "forbidden", "no permission");
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
