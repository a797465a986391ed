/*
 * harness/watch/gitignore.c: the gitignore(5) subset the watcher honours. The
 * cases are data, tests/gitignore/NAME.test (format in tests/gitignore/README.md),
 * read here from the repo root.
 */
#include "common/buf.h"
#include "common/err.h"
#include "harness/watch/gitignore.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The case being read: its pattern set, the .gitignore text not added yet, what it has checked. */
struct gcase {
	const char *file;
	struct gitignore *gi;
	struct buf text; /* "> " lines read since the last add */
	char base[256];  /* the directory of that text */
	int has_text;
	int checks;
	int failed;
};

/* Report a failed line as file:line: why (the test goes on, and fails at its end). */
__attribute__((format(printf, 3, 4))) static void line_fail(struct gcase *c, int no, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cr_expect_fail("%s:%d: %s", c->file, no, why);
	c->failed = 1;
}

/* Expand {{xHH}} (a byte) and {{C*N}} (C repeated N times) in s into b. */
static void expand(struct buf *b, const char *s)
{
	while (*s) {
		const char *o = strstr(s, "{{"), *e = o ? strstr(o, "}}") : NULL;
		if (o == NULL || e == NULL) {
			buf_puts(b, s);
			return;
		}
		buf_append(b, s, (size_t)(o - s));
		const char *in = o + 2;
		if (in[0] == 'x' && e - in == 3) {
			char h[3] = {in[1], in[2], 0};
			char byte = (char)strtol(h, NULL, 16);
			buf_append(b, &byte, 1);
		} else if (e - in >= 3 && in[1] == '*') {
			for (long i = strtol(in + 2, NULL, 10); i > 0; i--)
				buf_append(b, in, 1);
		} else {
			buf_append(b, o, (size_t)(e + 2 - o));
		}
		s = e + 2;
	}
}

/* Add the .gitignore text read so far (if any) to the case's patterns. */
static void text_flush(struct gcase *c, int no)
{
	if (!c->has_text)
		return;
	char err[ERR_MAX] = "";
	if (gitignore_add_text(c->gi, c->base, c->text.data != NULL ? c->text.data : "", c->text.len, err) < 0)
		line_fail(c, no, "the .gitignore of \"%s\" is refused: %s", c->base, err);
	buf_reset(&c->text);
	c->has_text = 0;
}

/* "ignored PATH" or "kept PATH": PATH ending with '/' is a directory. */
static void check_path(struct gcase *c, int no, const char *arg, int want)
{
	struct buf path = {0};
	expand(&path, arg);
	buf_puts(&path, "");
	int is_dir = path.len > 0 && path.data[path.len - 1] == '/';
	if (is_dir)
		path.data[--path.len] = '\0';
	int got = gitignore_ignored(c->gi, path.data, is_dir);
	if (got != want)
		line_fail(c, no, "%s (%s): want %s, got %s", path.data, is_dir ? "directory" : "file",
			  want ? "ignored" : "kept", got ? "ignored" : "kept");
	c->checks++;
	buf_free(&path);
}

/* One line of a case, in order. */
static void case_line(struct gcase *c, int no, const char *line)
{
	if (line[0] == '>' && (line[1] == '\0' || line[1] == ' ')) {
		if (line[1] == ' ')
			expand(&c->text, line + 2);
		buf_puts(&c->text, "\n");
		c->has_text = 1;
		return;
	}
	text_flush(c, no);
	if (strncmp(line, "in ", 3) == 0) {
		snprintf(c->base, sizeof(c->base), "%s", line + 3);
	} else if (strncmp(line, "ignored ", 8) == 0) {
		check_path(c, no, line + 8, 1);
	} else if (strncmp(line, "kept ", 5) == 0) {
		check_path(c, no, line + 5, 0);
	} else if (strncmp(line, "count ", 6) == 0) {
		size_t got = gitignore_count(c->gi), want = strtoul(line + 6, NULL, 10);
		if (got != want)
			line_fail(c, no, "count: want %zu patterns, got %zu", want, got);
		c->checks++;
	} else if (strncmp(line, "drop ", 5) == 0) {
		gitignore_drop_base(c->gi, line + 5);
	} else {
		line_fail(c, no, "malformed line: %s", line);
	}
}

/* Start a case (first line no). */
static void case_begin(struct gcase *c, const char *file)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->gi = gitignore_new();
	cr_assert_not_null(c->gi);
}

/* Finish a case begun at line first; -1 when it failed. */
static int case_end(struct gcase *c, int first, int no)
{
	text_flush(c, no);
	if (c->checks == 0)
		line_fail(c, first, "malformed case: it checks nothing");
	gitignore_free(c->gi);
	buf_free(&c->text);
	return c->failed ? -1 : 0;
}

Test(gitignore, patterns_data)
{
	const char *path = "tests/gitignore/patterns.test";
	FILE *in = fopen(path, "r");
	cr_assert_not_null(in, "%s: %s (the tests run from the repo root)", path, strerror(errno));
	struct gcase c;
	int total = 0, failed = 0, no = 0, first = 0;
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		ssize_t got = getline(&line, &cap, in);
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		no++;
		if (got <= 0) { /* end of file, or a blank line: the case is whole */
			if (first > 0) {
				total++;
				failed += case_end(&c, first, no) < 0;
				first = 0;
			}
			if (got < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (first == 0) {
			case_begin(&c, path);
			first = no;
		}
		case_line(&c, no, line);
	}
	free(line);
	fclose(in);
	cr_log_info("%s: %d cases, %d failed", path, total, failed);
	cr_assert_gt(total, 0, "%s holds no case", path);
	cr_assert_eq(failed, 0, "%d of the %d cases of %s failed (see above)", failed, total, path);
}
