/* harness/judge/report.c: the five formats over one small run, and the escapers they share. */
#include "harness/judge/report.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *render(enum report_format fmt, int strict, int nlines)
{
	struct lint_options o = {.file = "out.log"};
	struct lint *l = lint_new(&o);
	for (int i = 1; i <= nlines; i++)
		lint_stdout_line(l, "oops", 4, (unsigned long)i);
	lint_stdout_line(l, "{\"type\":\"critical\",\"message\":\"LOGIN_FAILED\"}", 44, (unsigned long)nlines + 1);
	struct verdict v;
	lint_finish(l, END_EXITED, 1, -1, &v);
	struct report_item it = {"out.log", l, &v};
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	cr_assert_eq(report_write(f, fmt, &it, 1, strict), 0);
	fclose(f);
	verdict_clear(&v);
	lint_free(l);
	return data;
}

Test(report, format_names)
{
	enum report_format f;
	const char *names[] = {"text", "json", "junit", "github", "tap"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_eq(report_format_parse(names[i], &f), 0);
	cr_assert_eq(report_format_parse("xml", &f), -1);
}

Test(report, text)
{
	char *s = render(REPORT_TEXT, 0, 1);
	cr_assert(strstr(s, "out.log:1: warning not-json: ") != NULL, "%s", s);
	cr_assert(strstr(s, "out.log: verdict: job errored: \"LOGIN_FAILED\" (no retry; later automatic runs are "
			    "skipped)") != NULL,
		  "%s", s);
	cr_assert(strstr(s, "0 errors, 1 warning, 1 info") != NULL, "%s", s);
	free(s);
}

Test(report, json_parses)
{
	char *s = render(REPORT_JSON, 0, 2);
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	cr_assert_eq(json_integer_value(json_object_get(j, "warnings")), 2);
	json_t *file0 = json_array_get(json_object_get(j, "files"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(file0, "verdict"), "error")),
			 "LOGIN_FAILED");
	json_decref(j);
	free(s);
}

Test(report, junit_and_tap_strict)
{
	char *s = render(REPORT_JUNIT, 0, 1);
	cr_assert(strstr(s, "failures=\"0\"") != NULL, "%s", s);
	free(s);
	s = render(REPORT_JUNIT, 1, 1);
	cr_assert(strstr(s, "failures=\"1\"") != NULL, "%s", s);
	cr_assert(strstr(s, "<failure message=\"1 finding") != NULL, "%s", s);
	free(s);
	s = render(REPORT_TAP, 1, 1);
	cr_assert(strstr(s, "not ok 1 - not-json") != NULL, "%s", s);
	free(s);
}

Test(report, github_caps_annotations)
{
	char *s = render(REPORT_GITHUB, 0, 12);
	size_t count = 0;
	for (const char *p = s; (p = strstr(p, "::warning file=out.log")) != NULL; p++)
		count++;
	cr_assert_eq(count, REPORT_GITHUB_MAX);
	cr_assert(strstr(s, "2 more warning findings not annotated") != NULL, "%s", s);
	cr_assert(strstr(s, "::notice file=out.log,line=13,title=skips-next-runs::") != NULL, "%s", s);
	free(s);
}

/* The one XML and GitHub escaper lint's and expect's reports share: specials escaped, NULL writes nothing. */
Test(report, escapers)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	report_xml_escape(f, "a<b>&\"c\"\x01\n");
	report_xml_escape(f, NULL);
	fputc('|', f);
	report_github_escape(f, "50%,x:y\r\n", 1);
	fputc('|', f);
	report_github_escape(f, "50%,x:y\r\n", 0);
	report_github_escape(f, NULL, 1);
	fclose(f);
	cr_assert_str_eq(data, "a&lt;b&gt;&amp;&quot;c&quot;?\n|50%25%2Cx%3Ay%0D%0A|50%25,x:y%0D%0A");
	free(data);
}
