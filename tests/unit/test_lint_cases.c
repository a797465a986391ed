/* The data-driven lint cases: tests/lint/NAME.test (format in tests/lint/README.md), read from the repo root. */
#include "common/buf.h"
#include "harness/judge/linescan.h"
#include "harness/judge/lint.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lcase {
	char name[200];
	const char *file;
	int line;
	enum process_end end;
	int code;
	long long duration_ms;
	struct lint_secret secrets[8];
	char *secret_store[16];
	size_t n_secrets;
	json_t *journal;
	json_t *vendor; /* the vendor proxy's report (vendor: / unrecorded: lines) */
	struct buf out, err, findings, verdict;
	int noeol;
};

/* Expand {{C*N}} and {{xHH}} in one block line into b. */
static void expand(struct buf *b, const char *s)
{
	while (*s) {
		const char *o = strstr(s, "{{"), *c = o ? strstr(o, "}}") : NULL;
		if (o == NULL || c == NULL) {
			buf_puts(b, s);
			return;
		}
		buf_append(b, s, (size_t)(o - s));
		const char *in = o + 2;
		if (in[0] == 'x' && c - in == 3) {
			char h[3] = {in[1], in[2], 0};
			char byte = (char)strtol(h, NULL, 16);
			buf_append(b, &byte, 1);
		} else if (c - in >= 3 && in[1] == '*') {
			long n = strtol(in + 2, NULL, 10);
			for (long i = 0; i < n; i++)
				buf_append(b, in, 1);
		} else {
			buf_append(b, o, (size_t)(c + 2 - o));
		}
		s = c + 2;
	}
}

static void case_reset(struct lcase *c)
{
	buf_free(&c->out);
	buf_free(&c->err);
	buf_free(&c->findings);
	buf_free(&c->verdict);
	for (size_t i = 0; i < 16; i++)
		free(c->secret_store[i]);
	json_decref(c->journal);
	json_decref(c->vendor);
	memset(c, 0, sizeof(*c));
	c->end = END_UNKNOWN;
	c->duration_ms = -1;
}

static void on_line(void *arg, const char *line, size_t len, unsigned long lineno)
{
	lint_stdout_line(arg, line, len, lineno);
}

static void on_too_long(void *arg, const char *head, size_t len, unsigned long lineno)
{
	(void)head;
	(void)len;
	lint_stdout_too_long(arg, lineno);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, newline-joined copy of the non-empty lines of s. */
static char *sorted_lines(const char *s)
{
	char *copy = strdup(s ? s : ""), *save = NULL, *tok;
	char *lines[512];
	size_t n = 0;
	for (tok = strtok_r(copy, "\n", &save); tok && n < 512; tok = strtok_r(NULL, "\n", &save))
		lines[n++] = tok;
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\n", lines[i]);
	free(copy);
	return buf_steal(&b);
}

/* Run one case; returns 0 when it passes, else prints why. */
static int case_run(struct lcase *c)
{
	struct lint_options lo = {.file = "stdout", .secrets = c->secrets, .n_secrets = c->n_secrets};
	struct lint *l = lint_new(&lo);
	cr_assert_not_null(l);
	struct linescan_hooks h = {on_line, on_too_long, l};
	struct linescan *s = linescan_new(&h);
	linescan_feed(s, c->out.data ? c->out.data : "", c->out.len);
	linescan_finish(s);
	linescan_free(s);
	if (c->err.len)
		lint_stderr(l, c->err.data, c->err.len);
	if (c->journal)
		lint_journal(l, c->journal);
	if (c->vendor)
		lint_vendor(l, c->vendor);
	struct verdict v;
	lint_finish(l, c->end, c->code, c->duration_ms, &v);

	struct buf got = {0};
	buf_puts(&got, "");
	size_t n;
	const struct finding *fs = lint_findings(l, &n);
	for (size_t i = 0; i < n; i++)
		buf_printf(&got, "%lu %s %s\n", fs[i].line, lint_severity_name(fs[i].severity), fs[i].rule);
	char *gs = sorted_lines(got.data), *ws = sorted_lines(c->findings.data);
	int ok = 1;
	if (strcmp(gs, ws) != 0) {
		cr_log_error("%s:%d: case '%s': findings differ\n--- want\n%s--- got\n%s", c->file, c->line, c->name,
			     ws, gs);
		for (size_t i = 0; i < n; i++)
			cr_log_info("  %s:%lu: %s %s: %s", fs[i].file, fs[i].line, lint_severity_name(fs[i].severity),
				    fs[i].rule, fs[i].message);
		ok = 0;
	}
	char vb[4200];
	if (v.done)
		snprintf(vb, sizeof(vb), "done");
	else
		snprintf(vb, sizeof(vb), "errored retry=%s skips=%s %.*s", v.retry ? "yes" : "no",
			 v.skips_next_runs ? "yes" : "no", (int)v.error_len, v.error);
	const char *want_v = c->verdict.data ? c->verdict.data : "";
	size_t wl = strlen(want_v);
	while (wl && want_v[wl - 1] == '\n')
		wl--;
	if (wl && (strlen(vb) != wl || memcmp(vb, want_v, wl) != 0)) {
		cr_log_error("%s:%d: case '%s': verdict differs\n  want: %.*s\n  got:  %s", c->file, c->line, c->name,
			     (int)wl, want_v, vb);
		ok = 0;
	}
	free(gs);
	free(ws);
	buf_free(&got);
	verdict_clear(&v);
	lint_free(l);
	return ok ? 0 : -1;
}

/* Parse a header line of a case. */
static void case_header(struct lcase *c, const char *line)
{
	if (strncmp(line, "end: ", 5) == 0) {
		const char *v = line + 5;
		if (strncmp(v, "exit ", 5) == 0)
			c->end = END_EXITED, c->code = atoi(v + 5);
		else if (strncmp(v, "signal ", 7) == 0)
			c->end = END_SIGNALED, c->code = atoi(v + 7);
		else if (strcmp(v, "timeout") == 0)
			c->end = END_TIMEOUT;
		else
			c->end = END_UNKNOWN;
	} else if (strncmp(line, "duration: ", 10) == 0) {
		c->duration_ms = atoll(line + 10) * 1000;
	} else if (strncmp(line, "fields: ", 8) == 0) {
		char *copy = strdup(line + 8), *save = NULL;
		for (char *t = strtok_r(copy, " ", &save); t && c->n_secrets < 8; t = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(t, '=');
			if (!eq)
				continue;
			*eq = 0;
			c->secret_store[2 * c->n_secrets] = strdup(t);
			c->secret_store[2 * c->n_secrets + 1] = strdup(eq + 1);
			c->secrets[c->n_secrets].name = c->secret_store[2 * c->n_secrets];
			c->secrets[c->n_secrets].value = c->secret_store[2 * c->n_secrets + 1];
			c->n_secrets++;
		}
		free(copy);
	} else if (strncmp(line, "vendor: ", 8) == 0) {
		char mode[16] = "";
		long long n = 0;
		sscanf(line + 8, "%15s %lld", mode, &n);
		json_decref(c->vendor);
		c->vendor = json_pack("{s:s, s:s, s:I, s:[]}", "mode", mode, "har", "vendor.har", "exchanges",
				      (json_int_t)n, "unrecorded");
	} else if (strncmp(line, "unrecorded: ", 12) == 0) {
		char m[16] = "", u[512] = "";
		sscanf(line + 12, "%15s %511s", m, u);
		if (!c->vendor)
			c->vendor = json_pack("{s:s, s:s, s:i, s:[]}", "mode", "replay", "har", "vendor.har",
					      "exchanges", 1, "unrecorded");
		json_array_append_new(json_object_get(c->vendor, "unrecorded"),
				      json_pack("{s:s, s:s}", "method", m, "url", u));
	} else if (strncmp(line, "journal: ", 9) == 0) {
		char m[16] = "", p[512] = "";
		int off = 0;
		sscanf(line + 9, "%15s %511s %n", m, p, &off);
		if (!c->journal)
			c->journal = json_array();
		json_t *e = json_pack("{s:s, s:s, s:i, s:s}", "method", m, "path", p, "status", 200, "forbidden",
				      line + 9 + off);
		json_array_append_new(c->journal, e);
	} else if (strncmp(line, "differs: ", 9) == 0) {
		char m[16] = "", p[512] = "";
		int off = 0;
		sscanf(line + 9, "%15s %511s %n", m, p, &off);
		if (!c->journal)
			c->journal = json_array();
		json_t *e = json_pack("{s:s, s:s, s:i, s:s}", "method", m, "path", p, "status", 200, "differs",
				      line + 9 + off);
		json_array_append_new(c->journal, e);
	}
}

Test(lint_cases, all_files)
{
	glob_t g;
	cr_assert_eq(glob("tests/lint/*.test", 0, NULL, &g), 0, "no tests/lint/*.test (run from the repo root)");
	int failed = 0, total = 0;
	for (size_t f = 0; f < g.gl_pathc; f++) {
		FILE *in = fopen(g.gl_pathv[f], "r");
		cr_assert_not_null(in);
		struct lcase c = {0};
		case_reset(&c);
		char *line = NULL;
		size_t cap = 0;
		ssize_t got;
		int lineno = 0, in_case = 0;
		enum { S_HEAD, S_OUT, S_ERR, S_FIND, S_VERDICT } sec = S_HEAD;
		for (;;) {
			got = getline(&line, &cap, in);
			if (got >= 0) {
				lineno++;
				if (got > 0 && line[got - 1] == '\n')
					line[--got] = 0;
			}
			if (got < 0 || strncmp(line, "=== ", 4) == 0) {
				if (in_case) {
					total++;
					if (c.out.data && !c.noeol)
						buf_puts(&c.out, "\n");
					if (case_run(&c) < 0)
						failed++;
				}
				if (got < 0)
					break;
				case_reset(&c);
				snprintf(c.name, sizeof(c.name), "%s", line + 4);
				c.file = g.gl_pathv[f];
				c.line = lineno;
				in_case = 1;
				sec = S_HEAD;
				continue;
			}
			if (strcmp(line, "--- stdout") == 0) {
				sec = S_OUT;
				continue;
			}
			if (strcmp(line, "--- stderr") == 0) {
				sec = S_ERR;
				continue;
			}
			if (strcmp(line, "--- findings") == 0) {
				sec = S_FIND;
				continue;
			}
			if (strcmp(line, "--- verdict") == 0) {
				sec = S_VERDICT;
				continue;
			}
			switch (sec) {
			case S_HEAD:
				if (line[0] != '#' && line[0] != 0)
					case_header(&c, line);
				break;
			case S_OUT:
				if (strcmp(line, "{{noeol}}") == 0) {
					c.noeol = 1;
					break;
				}
				if (c.out.len || c.out.data)
					buf_puts(&c.out, "\n");
				expand(&c.out, line);
				break;
			case S_ERR:
				expand(&c.err, line);
				buf_puts(&c.err, "\n");
				break;
			case S_FIND:
				if (line[0] != '#' && line[0] != 0)
					buf_printf(&c.findings, "%s\n", line);
				break;
			case S_VERDICT:
				if (line[0] != '#' && line[0] != 0) {
					expand(&c.verdict, line);
					buf_puts(&c.verdict, "\n");
				}
				break;
			}
		}
		free(line);
		case_reset(&c);
		fclose(in);
	}
	globfree(&g);
	cr_log_info("lint cases: %d run, %d failed", total, failed);
	cr_assert_eq(failed, 0, "%d of %d lint cases failed (see above)", failed, total);
	cr_assert_gt(total, 0);
}
