/* Lint findings and the stack's verdict in the formats CI tools read: text, json, junit, github, tap. */
#ifndef HARNESS_REPORT_H
#define HARNESS_REPORT_H

#include "harness/judge/lint.h"

#include <stdio.h>

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_JUNIT, REPORT_GITHUB, REPORT_TAP };

/* "text", "json", "junit", "github", "tap" → *out; -1 for anything else. */
int report_format_parse(const char *s, enum report_format *out);

/* One linted input: its findings (from lint) and its verdict. */
struct report_item {
	const char *file;
	const struct lint *lint;
	const struct verdict *verdict;
};

/* GitHub Actions shows at most 10 annotations per level; the rest go to a summary line. */
#define REPORT_GITHUB_MAX 10

/* Write the report; strict: warnings count as failures. Returns 0, -1 on a write error. */
int report_write(FILE *f, enum report_format fmt, const struct report_item *items, size_t n, int strict);

/* One line: "job done", or "job errored: \"…\" (retried once; later automatic runs skipped)". */
void report_verdict_text(const struct verdict *v, char *out, size_t len);

/* s (NULL: nothing) as XML text or attribute value: the five specials escaped, other control bytes as '?'. */
void report_xml_escape(FILE *f, const char *s);
/* s (NULL: nothing) in a GitHub workflow command: % CR LF always, ':' and ',' too in a property. */
void report_github_escape(FILE *f, const char *s, int property);

#endif
