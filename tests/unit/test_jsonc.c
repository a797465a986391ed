/* common/jsonc.c: mistakes named where they are, members located. */
#include "common/jsonc.h"

#include <criterion/criterion.h>
#include <string.h>

/* Check t and expect an error at line:col whose text starts with what. */
static void expect_error(const char *t, int flags, int line, int col, const char *what)
{
	struct jsonc_error e;
	cr_assert_eq(jsonc_check(t, strlen(t), flags, &e), -1, "accepted: %s", t);
	cr_assert(e.line == line && e.col == col && strncmp(e.text, what, strlen(what)) == 0,
		  "%s: got %d:%d: %s, wanted %d:%d: %s", t, e.line, e.col, e.text, line, col, what);
}

Test(jsonc, accepts_json_and_comments_when_asked)
{
	struct jsonc_error e;
	const char *t = "{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"], \"b\": {}}";
	cr_assert_eq(jsonc_check(t, strlen(t), 0, &e), 0, "%s", e.text);
	const char *c = "// head\n{ /* x */ \"a\": 1 // tail\n}";
	cr_assert_eq(jsonc_check(c, strlen(c), JSONC_COMMENTS, &e), 0, "%s", e.text);
	expect_error(c, 0, 1, 1, "a comment");
	jsonc_check(c, strlen(c), 0, &e);
	cr_assert_eq(e.kind, JSONC_COMMENT);
}

Test(jsonc, commas)
{
	expect_error("{\n  \"a\": 1,\n}", 0, 2, 9, "trailing comma");
	expect_error("[1, 2,]", 0, 1, 6, "trailing comma");
	expect_error("{\n  \"a\": \"x\"\n  \"b\": 2\n}", 0, 2, 11, "missing comma: another member follows at 3:3");
	expect_error("[1 2]", 0, 1, 3, "missing comma: another element follows at 1:4");
	struct jsonc_error e;
	const char *t = "{\"a\": 1,}";
	jsonc_check(t, strlen(t), 0, &e);
	cr_assert_eq(e.kind, JSONC_TRAILING_COMMA);
}

Test(jsonc, unterminated_things_are_named_where_they_open)
{
	expect_error("{\n  \"a\": 1 /* never\n closed }", JSONC_COMMENTS, 2, 10, "unterminated comment");
	expect_error("{\"a\": \"oops\n}", 0, 1, 7, "unterminated string");
	expect_error("{\n\"a\": [1, 2\n", 0, 2, 6, "unterminated array");
	expect_error("\n\n{\"a\": 1", 0, 3, 1, "unterminated object");
}

Test(jsonc, other_mistakes)
{
	expect_error("{a: 1}", 0, 1, 2, "a member name without quotes");
	expect_error("{'a': 1}", 0, 1, 2, "a member name in single quotes");
	expect_error("{\"a\" 1}", 0, 1, 6, "':' expected");
	expect_error("{\"a\": undefined}", 0, 1, 7, "'undefined' is not a JSON value");
	expect_error("[01]", 0, 1, 2, "bad number");
	expect_error("[\"\\x\"]", 0, 1, 3, "bad escape");
	expect_error("{} x", 0, 1, 4, "'x' after the end");
	expect_error("  ", 0, 1, 3, "empty");
	/* columns count characters, not bytes */
	expect_error("{\"é\": 1,}", 0, 1, 8, "trailing comma");
}

Test(jsonc, locate_members)
{
	const char *t = "{\n  // c\n  \"a\": {\"b\": [1, {\"x\": 1}], \"c\": \"d\"},\n  \"e\\u0066\": 2\n}";
	struct jsonc_pos p;
	const char *const ac[] = {"a", "c"};
	cr_assert_eq(jsonc_locate(t, strlen(t), ac, 2, &p), 1);
	cr_assert(p.key_line == 3 && p.key_col == 29 && p.line == 3 && p.col == 34, "%d:%d %d:%d", p.key_line,
		  p.key_col, p.line, p.col);
	const char *const ef[] = {"ef"};
	cr_assert_eq(jsonc_locate(t, strlen(t), ef, 1, &p), 1);
	cr_assert(p.line == 4 && p.col == 14, "%d:%d", p.line, p.col);
	const char *const no[] = {"a", "z"};
	cr_assert_eq(jsonc_locate(t, strlen(t), no, 2, &p), 0);
}
