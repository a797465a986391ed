/* harness/judge/judge.c and verdict.c: the stack's result rules (stack: worker/exec/konnector.go Error). */
#include "harness/judge/judge.h"
#include "harness/judge/verdict.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void feed(struct judge *j, const char *line)
{
	struct event ev;
	if (event_parse(line, strlen(line), &ev, NULL, 0, NULL) == EVENT_OK) {
		judge_event(j, &ev);
		event_clear(&ev);
	}
}

static void run(const char **lines, enum process_end end, int code, struct verdict *v)
{
	struct judge j;
	judge_init(&j);
	for (; *lines; lines++)
		feed(&j, *lines);
	judge_finish(&j, end, code, v);
	judge_clear(&j);
}

Test(verdict, success_and_exit_status)
{
	struct verdict v;
	const char *none[] = {"{\"type\":\"info\",\"message\":\"hi\"}", NULL};
	run(none, END_EXITED, 0, &v);
	cr_assert(v.done);
	cr_assert_null(v.error);
	verdict_clear(&v);
	run(none, END_EXITED, 3, &v);
	cr_assert_not(v.done);
	cr_assert_str_eq(v.error, "exit status 3");
	cr_assert(v.retry);
	cr_assert_not(v.skips_next_runs);
	verdict_clear(&v);
	run(none, END_SIGNALED, 9, &v);
	cr_assert_str_eq(v.error, "signal: killed");
	verdict_clear(&v);
	run(none, END_TIMEOUT, 0, &v);
	cr_assert_str_eq(v.error, "context deadline exceeded");
	cr_assert(v.retry);
	verdict_clear(&v);
}

Test(verdict, critical_beats_error_and_last_wins)
{
	struct verdict v;
	const char *l[] = {"{\"type\":\"critical\",\"message\":\"VENDOR_DOWN\"}",
			   "{\"type\":\"error\",\"message\":\"e1\"}",
			   "{\"type\":\"critical\",\"message\":\"LOGIN_FAILED\"}",
			   "{\"type\":\"error\",\"message\":\"e2\"}", NULL};
	run(l, END_EXITED, 1, &v);
	cr_assert_str_eq(v.error, "LOGIN_FAILED");
	cr_assert_not(v.retry);
	cr_assert(v.skips_next_runs);
	verdict_clear(&v);
	const char *e[] = {"{\"type\":\"error\",\"message\":\"e1\"}", "{\"type\":\"error\",\"message\":\"e2\"}", NULL};
	run(e, END_EXITED, 0, &v); /* an error line fails the job even on exit 0 */
	cr_assert_not(v.done);
	cr_assert_str_eq(v.error, "e2");
	verdict_clear(&v);
	run(e, END_TIMEOUT, 0, &v); /* an earlier error line wins over the timeout */
	cr_assert_str_eq(v.error, "e2");
	verdict_clear(&v);
}

Test(verdict, keywords)
{
	struct verdict v;
	const char *cgu[] = {"{\"type\":\"critical\",\"message\":\"USER_ACTION_NEEDED.CGU_FORM\"}", NULL};
	run(cgu, END_EXITED, 1, &v);
	cr_assert_not(v.retry);
	cr_assert_not(v.skips_next_runs);
	verdict_clear(&v);
	const char *cgu2[] = {"{\"type\":\"critical\",\"message\":\"USER_ACTION_NEEDED.CGU_FORMS\"}", NULL};
	run(cgu2, END_EXITED, 1, &v);
	cr_assert(v.skips_next_runs);
	verdict_clear(&v);
	const char *lf[] = {"{\"type\":\"critical\",\"message\":\"LOGIN_FAILEDxyz\"}", NULL};
	run(lf, END_EXITED, 1, &v);
	cr_assert(v.skips_next_runs);
	cr_assert_not(v.retry);
	verdict_clear(&v);
	const char *nr[] = {"{\"type\":\"critical\",\"message\":\"VENDOR_DOWN\",\"no_retry\":true}",
			    "{\"type\":\"critical\",\"message\":\"VENDOR_DOWN\",\"no_retry\":false}", NULL};
	run(nr, END_EXITED, 1, &v);
	cr_assert_not(v.retry); /* ctx.SetNoRetry is never undone */
	verdict_clear(&v);
	const char *enr[] = {"{\"type\":\"error\",\"message\":\"VENDOR_DOWN\",\"no_retry\":true}", NULL};
	run(enr, END_EXITED, 1, &v);
	cr_assert(v.retry); /* no_retry only counts on critical lines */
	verdict_clear(&v);
}

Test(verdict, types_are_exact)
{
	struct verdict v;
	const char *l[] = {"{\"type\":\"Error\",\"message\":\"x\"}",
			   "{\"type\":\"CRITICAL\",\"message\":\"x\"}",
			   "{\"type\":\"warn\",\"message\":\"w\"}",
			   "{}",
			   "null",
			   NULL};
	struct judge j;
	judge_init(&j);
	for (const char **p = l; *p; p++)
		feed(&j, *p);
	cr_assert_eq(j.count_other, 4);
	cr_assert_eq(j.count_warning, 1);
	judge_finish(&j, END_EXITED, 0, &v);
	cr_assert(v.done);
	verdict_clear(&v);
	judge_clear(&j);
	const char *crit_empty[] = {"{\"type\":\"critical\"}", NULL};
	run(crit_empty, END_EXITED, 0, &v); /* errors.New("") is still an error */
	cr_assert_not(v.done);
	cr_assert_str_eq(v.error, "");
	verdict_clear(&v);
}

Test(verdict, stops_after_too_long_and_events_only)
{
	struct judge j;
	struct verdict v;
	judge_init(&j);
	judge_line_too_long(&j);
	feed(&j, "{\"type\":\"critical\",\"message\":\"LOGIN_FAILED\"}");
	judge_finish(&j, END_UNKNOWN, 0, &v);
	cr_assert(v.done);
	cr_assert(v.from_events_only);
	verdict_clear(&v);
	judge_clear(&j);
}

Test(verdict, cut_character_stored_as_replacement)
{
	struct judge j;
	struct verdict v;
	judge_init(&j);
	char line[9000];
	int n = snprintf(line, sizeof(line), "{\"type\":\"error\",\"message\":\"a");
	for (int i = 0; i < 2100; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\xc3\xa9");
	snprintf(line + n, sizeof(line) - (size_t)n, "\"}");
	feed(&j, line);
	judge_finish(&j, END_EXITED, 0, &v);
	/* 1 + 1999*2 = 3999 bytes, then the first byte of é: stored as U+FFFD */
	cr_assert_eq(v.error_len, 3999 + 3);
	cr_assert_eq(memcmp(v.error + 3999, "\xef\xbf\xbd", 3), 0);
	verdict_clear(&v);
	judge_clear(&j);
}
