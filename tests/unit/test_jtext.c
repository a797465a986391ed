/*
 * common/jtext.c: skipping a JSON value and finding a top-level member in
 * JSON text. Every input is copied into a buffer of exactly its length (no
 * NUL after it), so an over-read is caught by ASan (make check-asan).
 */
#include "common/jtext.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* text copied into a malloc'd buffer of exactly strlen(text) bytes. */
static char *exact(const char *text, size_t *n)
{
	*n = strlen(text);
	char *p = malloc(*n ? *n : 1);
	cr_assert_not_null(p);
	memcpy(p, text, *n);
	return p;
}

/* How many bytes jtext_skip consumed from text (leading whitespace included), or -1 for NULL. */
static long skipped(const char *text)
{
	size_t n;
	char *p = exact(text, &n);
	const char *e = jtext_skip(p, p + n);
	long r = e != NULL ? (long)(e - p) : -1;
	cr_assert(e == NULL || (e > p && e <= p + n), "jtext_skip(%s) ended outside its input", text);
	free(p);
	return r;
}

/* jtext_member on text; *val gets a malloc'd copy of the value span (NULL unless found). */
static int member(const char *text, const char *key, char **val)
{
	size_t n;
	char *p = exact(text, &n);
	const char *v = NULL;
	size_t vlen = 0;
	int rc = jtext_member(p, p + n, key, &v, &vlen);
	*val = NULL;
	if (rc == 1) {
		cr_assert(v >= p && v + vlen <= p + n, "member %s of %s: span outside the input", key, text);
		*val = strndup(v, vlen);
	}
	free(p);
	return rc;
}

/* The member must be found with exactly this value text. */
static void assert_member(const char *text, const char *key, const char *want)
{
	char *val;
	int rc = member(text, key, &val);
	cr_assert_eq(rc, 1, "member \"%s\" of %s: rc %d, want found", key, text, rc);
	cr_assert_str_eq(val, want, "member \"%s\" of %s", key, text);
	free(val);
}

static void assert_no_member(const char *text, const char *key, int want_rc)
{
	char *val;
	int rc = member(text, key, &val);
	cr_assert_eq(rc, want_rc, "member \"%s\" of %s: rc %d, want %d", key, text, rc, want_rc);
	cr_assert_null(val);
}

Test(jtext, skip_strings_with_escapes)
{
	cr_assert_eq(skipped("\"\""), 2);
	cr_assert_eq(skipped("\"abc\""), 5);
	cr_assert_eq(skipped("\"abc\",\"d\""), 5, "stops after the first string");
	/* an escaped quote does not end the string */
	cr_assert_eq(skipped("\"a\\\"b\" x"), 6);
	/* an escaped backslash does: "a\\" then "b" */
	cr_assert_eq(skipped("\"a\\\\\"b\""), 5);
	cr_assert_eq(skipped("\"\\\\\\\"\""), 6, "\\\\ then \\\" inside");
	cr_assert_eq(skipped("\"\\u00e9\\n\\t\""), 12);
	cr_assert_eq(skipped("\"é日本\""), (long)strlen("\"é日本\""));
	cr_assert_eq(skipped("\"{[,]}:\""), 8, "brackets and commas inside a string");
}

Test(jtext, skip_nested_containers)
{
	cr_assert_eq(skipped("{}"), 2);
	cr_assert_eq(skipped("[]"), 2);
	cr_assert_eq(skipped("{}]"), 2);
	cr_assert_eq(skipped("{\"a\":{\"b\":[1,{\"c\":[]}]}},9"), 24);
	cr_assert_eq(skipped("[[[]],[]],1"), 9);
	/* brackets and quotes inside strings do not count */
	cr_assert_eq(skipped("{\"}\":\"]\"}x"), 9);
	cr_assert_eq(skipped("[\"[\",\"{\",\"\\\"]\"]x"), 15);
	cr_assert_eq(skipped("{\"a\\\\\":\"}\"}x"), 11, "a key ending in an escaped backslash");
	cr_assert_eq(skipped("[\"\\\\\",\"]\"]x"), 10);
}

Test(jtext, skip_scalars)
{
	cr_assert_eq(skipped("0"), 1);
	cr_assert_eq(skipped("-12.5e+3,"), 8);
	cr_assert_eq(skipped("9223372036854775807}"), 19);
	cr_assert_eq(skipped("true]"), 4);
	cr_assert_eq(skipped("false"), 5);
	cr_assert_eq(skipped("null "), 4);
	cr_assert_eq(skipped("1\t"), 1);
}

Test(jtext, skip_whitespace)
{
	cr_assert_eq(skipped("  \t\r\n1"), 6, "leading whitespace is skipped");
	cr_assert_eq(skipped(" { \"a\" : [ 1 , 2 ] } ,"), 20);
	cr_assert_eq(skipped(" \"x\" "), 4);
	cr_assert_eq(skipped(""), -1, "nothing");
	cr_assert_eq(skipped(" \n\t\r "), -1, "only whitespace");
}

/* Cut short: NULL, never a read past the end (the buffers have no NUL after them). */
Test(jtext, skip_truncated)
{
	cr_assert_eq(skipped("\""), -1);
	cr_assert_eq(skipped("\"abc"), -1);
	cr_assert_eq(skipped("\"abc\\"), -1, "a backslash as the last byte");
	cr_assert_eq(skipped("\"abc\\\""), -1, "an escaped quote is not the end");
	cr_assert_eq(skipped("{"), -1);
	cr_assert_eq(skipped("["), -1);
	cr_assert_eq(skipped("{\"a\":1"), -1);
	cr_assert_eq(skipped("{\"a\":[1,2]"), -1);
	cr_assert_eq(skipped("[[1],[2]"), -1);
	cr_assert_eq(skipped("{\"a\":\"}"), -1, "the closing brace is inside a string");
	cr_assert_eq(skipped("[\"\\"), -1);
	cr_assert_eq(skipped("  {\"a\":{\"b\":"), -1);
	/* a bare closing bracket or comma is no value */
	cr_assert_eq(skipped("}"), -1);
	cr_assert_eq(skipped("]"), -1);
	cr_assert_eq(skipped(","), -1);
	/* a scalar cut short cannot be told from a whole one: it ends at the end */
	cr_assert_eq(skipped("tru"), 3);
	cr_assert_eq(skipped("12"), 2);
}

Test(jtext, member_found_first_last_absent)
{
	const char *o = "{\"a\":1,\"b\":\"two\",\"c\":{\"a\":3},\"d\":[4,{\"e\":5}],\"z\":null}";
	assert_member(o, "a", "1");
	assert_member(o, "b", "\"two\"");
	assert_member(o, "c", "{\"a\":3}");
	assert_member(o, "d", "[4,{\"e\":5}]");
	assert_member(o, "z", "null");
	assert_no_member(o, "e", 0);   /* only nested */
	assert_no_member(o, "two", 0); /* only a value */
	assert_no_member(o, "", 0);
	assert_no_member(o, "A", 0);
	assert_member("{\"only\":true}", "only", "true");
	/* a value that looks like the key comes before the key */
	assert_member("{\"x\":\"k\",\"k\":\"v\"}", "k", "\"v\"");
	assert_member("{\"x\":{\"k\":0},\"k\":1}", "k", "1");
	assert_member("{\"\":7}", "", "7");
}

Test(jtext, member_prefixes)
{
	const char *o = "{\"ab\":1,\"a\":2,\"abc\":3}";
	assert_member(o, "a", "2");
	assert_member(o, "ab", "1");
	assert_member(o, "abc", "3");
	assert_no_member(o, "abcd", 0);
	assert_no_member(o, "b", 0);
	assert_no_member("{\"ab\":1}", "a", 0);
	assert_no_member("{\"a\":1}", "ab", 0);
}

Test(jtext, member_keys_with_escapes)
{
	/* the key a"b, written escaped */
	assert_member("{\"x\":0,\"a\\\"b\":1}", "a\"b", "1");
	assert_no_member("{\"a\\\"b\":1}", "a\\\"b", 0);
	assert_no_member("{\"a\\\"b\":1}", "ab", 0);
	/* a\b */
	assert_member("{\"a\\\\b\":\"v\"}", "a\\b", "\"v\"");
	/* \u00e9 is é: an escaped key equals its raw UTF-8 spelling */
	assert_member("{\"\\u00e9\":1}", "é", "1");
	assert_member("{\"é\":2}", "é", "2");
	assert_no_member("{\"é\":2}", "\\u00e9", 0);
	assert_no_member("{\"\\u00e9\":1}", "e", 0);
	assert_member("{\"caf\\u00e9\":1,\"café\":2}", "café", "1");
	/* a surrogate pair */
	assert_member("{\"\\ud83d\\ude00\":[1]}", "\xf0\x9f\x98\x80", "[1]");
	/* a newline escaped in a key */
	assert_member("{\"a\\nb\":3}", "a\nb", "3");
	/* an escaped key that does not decode to the wanted one is skipped, the search goes on */
	assert_member("{\"a\\\"\":1,\"a\":2}", "a", "2");
	/* escaped values do not disturb the scan */
	assert_member("{\"s\":\"\\\"},\\\\\",\"t\":4}", "t", "4");
	assert_member("{\"s\":\"\\\"},\\\\\",\"t\":4}", "s", "\"\\\"},\\\\\"");
}

Test(jtext, member_whitespace)
{
	const char *o = " { \"a\" : 1 ,\n\t\"b\" :\r[ 2 , 3 ] , \"c\":\"x\" } ";
	assert_member(o, "a", "1");
	assert_member(o, "b", "[ 2 , 3 ]");
	assert_member(o, "c", "\"x\"");
	assert_no_member(o, "d", 0);
	assert_no_member(" { } ", "a", 0);
}

Test(jtext, member_empty_and_not_objects)
{
	assert_no_member("{}", "a", 0);
	assert_no_member("{}", "", 0);
	assert_no_member("[]", "a", -1);
	assert_no_member("[{\"a\":1}]", "a", -1);
	assert_no_member("\"a\"", "a", -1);
	assert_no_member("1", "a", -1);
	assert_no_member("null", "a", -1);
	assert_no_member("", "a", -1);
	assert_no_member("   ", "a", -1);
}

/* Cut short: the member is absent (-1), never a read past the end. */
Test(jtext, member_truncated)
{
	assert_no_member("{", "a", -1);
	assert_no_member("{\"a", "a", -1);
	assert_no_member("{\"a\"", "a", -1);
	assert_no_member("{\"a\":", "a", -1);
	assert_no_member("{\"a\":\"x", "a", -1);
	assert_no_member("{\"a\":{\"b\":1}", "b", -1);
	assert_no_member("{\"a\":1,", "b", -1);
	assert_no_member("{\"a\":1", "b", -1);
	assert_no_member("{\"a\\", "a", -1);
	assert_no_member("{\"a\":[1,2", "b", -1);
	/* a member found before the cut is still found */
	assert_member("{\"a\":1,\"b\":", "a", "1");
}

/* jtext_index on text without a NUL after it: rc, and the element's text when found. */
static int element(const char *text, size_t pos, char **val)
{
	size_t n;
	char *buf = exact(text, &n);
	const char *v = NULL;
	size_t vlen = 0;
	int rc = jtext_index(buf, buf + n, pos, &v, &vlen);
	*val = rc == 1 ? strndup(v, vlen) : NULL;
	free(buf);
	return rc;
}

Test(jtext, index_elements)
{
	char *v;
	cr_assert_eq(element("[1, \"a,]\" ,{\"x\":[2]}]", 0, &v), 1);
	cr_assert_str_eq(v, "1");
	free(v);
	cr_assert_eq(element("[1, \"a,]\" ,{\"x\":[2]}]", 1, &v), 1);
	cr_assert_str_eq(v, "\"a,]\"");
	free(v);
	cr_assert_eq(element("[1, \"a,]\" ,{\"x\":[2]}]", 2, &v), 1);
	cr_assert_str_eq(v, "{\"x\":[2]}");
	free(v);
	cr_assert_eq(element("[1, \"a,]\" ,{\"x\":[2]}]", 3, &v), 0, "past the end");
	cr_assert_eq(element("[ ]", 0, &v), 0);
	cr_assert_eq(element("{\"a\":1}", 0, &v), -1, "not an array");
	cr_assert_eq(element("[1, 2", 5, &v), -1, "cut short");
}
