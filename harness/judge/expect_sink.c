/* Expectation results as junit / github / tap test cases. */
#include "harness/judge/expect_sink.h"

#include <string.h>

int expect_sink_wants(enum report_format fmt)
{
	return fmt == REPORT_JUNIT || fmt == REPORT_GITHUB || fmt == REPORT_TAP;
}

/* A YAML double-quoted scalar for TAP diagnostics. */
static void yaml_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void expect_sink_begin(struct expect_sink *s, FILE *f)
{
	s->cases = s->failed = s->annotations = 0;
	if (s->fmt == REPORT_JUNIT)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	else if (s->fmt == REPORT_TAP)
		fputs("TAP version 13\n", f);
}

/* The lone case of a scenario without expect.json: the run must be done. */
static json_t *verdict_case(const char *state, const char *error)
{
	int done = state != NULL && strcmp(state, "done") == 0;
	char actual[600];
	snprintf(actual, sizeof(actual), "%s%s%s%s", state ? state : "unknown", error ? " with error \"" : "",
		 error ? error : "", error ? "\"" : "");
	char message[700];
	snprintf(message, sizeof(message), "expected done, got %s", actual);
	return json_pack("[{s:s, s:b, s:s, s:s, s:s}]", "name", "verdict", "passed", done, "expected", "done", "actual",
			 actual, "message", done ? "" : message);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void expect_sink_scenario(struct expect_sink *s, FILE *f, const char *scenario, const char *file, const char *state,
			  const char *error, const json_t *results)
{
	json_t *own = results ? NULL : verdict_case(state, error);
	const json_t *cases = results ? results : own;
	const char *name = scenario ? scenario : "default";
	size_t n = json_array_size(cases), failed = 0, i;
	const json_t *c;
	json_array_foreach (cases, i, c)
		failed += !json_is_true(json_object_get(c, "passed"));
	if (s->fmt == REPORT_JUNIT) {
		fputs("  <testsuite name=\"", f);
		report_xml_escape(f, name);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", n, failed);
	} else if (s->fmt == REPORT_TAP) {
		fprintf(f, "# scenario %s\n", name);
	}
	json_array_foreach (cases, i, c) {
		int passed = json_is_true(json_object_get(c, "passed"));
		s->cases++;
		if (s->fmt == REPORT_JUNIT) {
			fputs("    <testcase classname=\"konnector-harness.expect.", f);
			report_xml_escape(f, name);
			fputs("\" name=\"", f);
			report_xml_escape(f, str(c, "name"));
			fputs(passed ? "\"/>\n" : "\">\n      <failure type=\"expectation\" message=\"", f);
			if (!passed) {
				report_xml_escape(f, str(c, "message"));
				fputs("\">expected: ", f);
				report_xml_escape(f, str(c, "expected"));
				fputs("\nactual: ", f);
				report_xml_escape(f, str(c, "actual"));
				fputs("</failure>\n    </testcase>\n", f);
			}
		} else if (s->fmt == REPORT_TAP) {
			fprintf(f, "%s %zu - %s: %s\n", passed ? "ok" : "not ok", s->cases, name, str(c, "name"));
			if (!passed) {
				fputs("  ---\n  expected: ", f);
				yaml_quoted(f, str(c, "expected"));
				fputs("\n  actual: ", f);
				yaml_quoted(f, str(c, "actual"));
				fputs("\n  ...\n", f);
			}
		} else if (!passed && s->annotations < REPORT_GITHUB_MAX) {
			s->annotations++;
			fputs("::error ", f);
			if (file != NULL) {
				fputs("file=", f);
				report_github_escape(f, file, 1);
				fputc(',', f);
			}
			fputs("title=", f);
			report_github_escape(f, name, 1);
			report_github_escape(f, ": ", 1);
			report_github_escape(f, str(c, "name"), 1);
			fputs("::", f);
			report_github_escape(f, str(c, "message"), 0);
			fputc('\n', f);
		}
	}
	if (s->fmt == REPORT_JUNIT)
		fputs("  </testsuite>\n", f);
	else if (s->fmt == REPORT_GITHUB)
		fprintf(f, "konnector-harness: scenario %s: %zu passed, %zu failed\n", name, n - failed, failed);
	s->failed += failed;
	json_decref(own);
	fflush(f);
}

void expect_sink_end(struct expect_sink *s, FILE *f)
{
	if (s->fmt == REPORT_JUNIT)
		fputs("</testsuites>\n", f);
	else if (s->fmt == REPORT_TAP)
		fprintf(f, "1..%zu\n", s->cases);
	else if (s->fmt == REPORT_GITHUB && s->failed > s->annotations)
		fprintf(f,
			"konnector-harness: %zu more failed expectation%s not annotated (GitHub shows at most %d "
			"per level)\n",
			s->failed - s->annotations, s->failed - s->annotations == 1 ? "" : "s", REPORT_GITHUB_MAX);
	fflush(f);
}
