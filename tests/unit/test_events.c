/* harness/judge/events.c: a line is an event exactly when Go's encoding/json decodes it into the stack's struct. */
#include "common/buf.h"
#include "harness/judge/capture.h"
#include "harness/judge/events.h"
#include "harness/judge/linescan.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static enum event_status parse(const char *s, struct event *ev)
{
	char why[128];
	size_t col;
	return event_parse(s, strlen(s), ev, why, sizeof(why), &col);
}

static void expect_status(const char *s, enum event_status want)
{
	struct event ev;
	enum event_status got = parse(s, &ev);
	cr_expect_eq(got, want, "line %s: got %d want %d", s, got, want);
	event_clear(&ev);
}

Test(events, cozy_logger_line)
{
	struct event ev;
	cr_assert_eq(
		parse("{\"time\":\"2026-11-23T07:09:49.635Z\",\"type\":\"critical\",\"namespace\":\"BaseKonnector\","
		      "\"no_retry\":true,\"message\":\"LOGIN_FAILED\"}",
		      &ev),
		EVENT_OK);
	cr_assert_str_eq(ev.type, "critical");
	cr_assert_str_eq(ev.message, "LOGIN_FAILED");
	cr_assert_eq(ev.message_len, 12);
	cr_assert(ev.no_retry);
	cr_assert(ev.has_message);
	event_clear(&ev);
}

Test(events, not_json)
{
	const char *bad[] = {"",
			     "   ",
			     "hello",
			     "{",
			     "{\"type\":\"error\"",
			     "{\"type\":\"error\",}",
			     "[1,]",
			     "[1 2]",
			     "{\"a\" 1}",
			     "{\"a\":1 \"b\":2}",
			     "{1:2}",
			     "{\"a\":tru}",
			     "{\"a\":nulll}",
			     "{\"a\":01}",
			     "{\"a\":1.}",
			     "{\"a\":.5}",
			     "{\"a\":-}",
			     "{\"a\":1e}",
			     "{\"a\":+1}",
			     "{\"a\":\"x\ty\"}",
			     "{\"a\":\"\\x\"}",
			     "{\"a\":\"\\u12g4\"}",
			     "{} {}",
			     "{}x",
			     "null null",
			     "tru",
			     "nul",
			     "NaN",
			     "{\"a\":1,,\"b\":2}",
			     "[,1]",
			     "{,}",
			     "\xef\xbb\xbf{}",
			     "{\"a\":'x'}",
			     "{\"a\":1}\v",
			     "{\"a\":[1}",
			     "{\"a\":{]}",
			     "}",
			     "]",
			     "[[]",
			     "\"abc",
			     "{\"a\":\"\\\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], EVENT_NOT_JSON);
	/* a raw NUL byte is a control character for Go's scanner */
	struct event ev;
	cr_expect_eq(event_parse("{\"a\":\"x\0y\"}", 11, &ev, NULL, 0, NULL), EVENT_NOT_JSON);
	cr_expect_eq(event_parse("{}\0", 3, &ev, NULL, 0, NULL), EVENT_NOT_JSON);
}

Test(events, bad_shape)
{
	const char *bad[] = {"[]",
			     "[{\"type\":\"error\"}]",
			     "\"error\"",
			     "1",
			     "-2.5e3",
			     "true",
			     "false",
			     "{\"message\":42}",
			     "{\"message\":{}}",
			     "{\"message\":[]}",
			     "{\"message\":true}",
			     "{\"type\":1}",
			     "{\"no_retry\":\"true\"}",
			     "{\"no_retry\":1}",
			     "{\"no_retry\":{}}",
			     "{\"type\":\"error\",\"TYPE\":[]}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], EVENT_BAD_SHAPE);
}

Test(events, null_and_empty_objects_decode)
{
	struct event ev;
	cr_assert_eq(parse("null", &ev), EVENT_OK);
	cr_assert_str_eq(ev.type, "");
	cr_assert_str_eq(ev.message, "");
	event_clear(&ev);
	cr_assert_eq(parse(" {} ", &ev), EVENT_OK);
	cr_assert_str_eq(ev.type, "");
	cr_assert_eq(ev.has_message, 0);
	event_clear(&ev);
	expect_status("\t null \r", EVENT_OK);
}

Test(events, keys_fold_case_and_last_wins)
{
	struct event ev;
	cr_assert_eq(parse("{\"TYPE\":\"error\",\"Message\":\"a\",\"MESSAGE\":\"b\",\"No_Retry\":true}", &ev),
		     EVENT_OK);
	cr_assert_str_eq(ev.type, "error");
	cr_assert_str_eq(ev.message, "b");
	cr_assert(ev.no_retry);
	event_clear(&ev);
	/* U+017F LATIN SMALL LETTER LONG S folds to s (go: fold.go) */
	cr_assert_eq(parse("{\"me\xc5\xbf\xc5\xbf"
			   "age\":\"x\",\"typ\\u0065\":\"info\"}",
			   &ev),
		     EVENT_OK);
	cr_assert_str_eq(ev.message, "x");
	cr_assert_str_eq(ev.type, "info");
	event_clear(&ev);
	/* null keeps the previous value */
	cr_assert_eq(parse("{\"type\":\"error\",\"type\":null,\"message\":null}", &ev), EVENT_OK);
	cr_assert_str_eq(ev.type, "error");
	cr_assert_eq(ev.has_message, 0);
	event_clear(&ev);
	/* unknown keys: any value; near-miss keys do not match */
	cr_assert_eq(parse("{\"types\":1,\"type \":2,\"x\":[{\"message\":1}],\"type\":\"warn\"}", &ev), EVENT_OK);
	cr_assert_str_eq(ev.type, "warn");
	event_clear(&ev);
}

Test(events, strings_decode_like_go)
{
	struct event ev;
	cr_assert_eq(parse("{\"message\":\"a\\n\\u00e9\\ud83d\\ude00\\/\\\\\\\"\"}", &ev), EVENT_OK);
	cr_assert_str_eq(ev.message, "a\n\xc3\xa9\xf0\x9f\x98\x80/\\\"");
	event_clear(&ev);
	/* invalid UTF-8 is accepted and each bad byte becomes U+FFFD (decode.go unquoteBytes) */
	cr_assert_eq(parse("{\"message\":\"a\xff\xe2\x82z\"}", &ev), EVENT_OK);
	cr_assert_str_eq(ev.message, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	event_clear(&ev);
	/* lone surrogates → U+FFFD, the next escape kept */
	cr_assert_eq(parse("{\"message\":\"\\ud800\\u0041\\udc00\"}", &ev), EVENT_OK);
	cr_assert_str_eq(ev.message, "\xef\xbf\xbd"
				     "A\xef\xbf\xbd");
	event_clear(&ev);
	/* \u0000 gives a NUL inside the message */
	cr_assert_eq(parse("{\"type\":\"error\\u0000\",\"message\":\"a\\u0000b\"}", &ev), EVENT_OK);
	cr_assert_eq(ev.message_len, 3);
	cr_assert_eq(ev.type_len, 6);
	cr_assert_not(event_type_is(&ev, "error"));
	event_clear(&ev);
	/* DEL (0x7f) is not a control character for Go */
	expect_status("{\"message\":\"\x7f\"}", EVENT_OK);
}

Test(events, message_cut_to_4000_bytes)
{
	struct buf b = {0};
	buf_puts(&b, "{\"type\":\"critical\",\"message\":\"");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "\\u00e9"); /* 2 bytes each once decoded */
	buf_puts(&b, "\"}");
	struct event ev;
	cr_assert_eq(event_parse(b.data, b.len, &ev, NULL, 0, NULL), EVENT_OK);
	cr_assert_eq(ev.message_len, EVENT_MESSAGE_MAX);
	cr_assert_eq(ev.message_full_len, 10000);
	event_clear(&ev);
	buf_free(&b);
}

Test(events, many_tokens_and_depth)
{
	struct buf b = {0};
	buf_puts(&b, "{\"type\":\"info\",\"x\":[");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, i ? ",1" : "1");
	buf_puts(&b, "]}");
	struct event ev;
	cr_assert_eq(event_parse(b.data, b.len, &ev, NULL, 0, NULL), EVENT_OK);
	cr_assert_str_eq(ev.type, "info");
	event_clear(&ev);
	buf_reset(&b);
	/* go: maxNestingDepth 10000: 10000 levels pass, 10001 fail */
	for (int depth = 10000; depth <= 10001; depth++) {
		buf_reset(&b);
		buf_puts(&b, "{\"x\":");
		for (int i = 1; i < depth - 0; i++)
			buf_puts(&b, "[");
		for (int i = 1; i < depth - 0; i++)
			buf_puts(&b, "]");
		buf_puts(&b, "}");
		cr_expect_eq(event_parse(b.data, b.len, &ev, NULL, 0, NULL), depth == 10000 ? EVENT_OK : EVENT_NOT_JSON,
			     "depth %d", depth);
		event_clear(&ev);
	}
	buf_free(&b);
}

Test(events, never_reads_past_len)
{
	/* the object is cut by len: the rest of the buffer must not count */
	const char *s = "{\"type\":\"error\"}";
	struct event ev;
	cr_assert_eq(event_parse(s, 10, &ev, NULL, 0, NULL), EVENT_NOT_JSON);
	char *heap = malloc(4);
	memcpy(heap, "null", 4); /* no NUL terminator: ASan would catch an over-read */
	cr_assert_eq(event_parse(heap, 4, &ev, NULL, 0, NULL), EVENT_OK);
	event_clear(&ev);
	memcpy(heap, "[1 ]", 4);
	cr_assert_eq(event_parse(heap, 4, &ev, NULL, 0, NULL), EVENT_BAD_SHAPE);
	free(heap);
}

Test(events, why_and_column)
{
	struct event ev;
	char why[64];
	size_t col;
	cr_assert_eq(event_parse("{\"a\":1,}", 8, &ev, why, sizeof(why), &col), EVENT_NOT_JSON);
	cr_expect_eq(col, 7);
	cr_expect(strstr(why, "comma") != NULL, "%s", why);
	cr_assert_eq(event_parse("{\"message\":42}", 14, &ev, why, sizeof(why), &col), EVENT_BAD_SHAPE);
	cr_expect_eq(col, 12);
	cr_expect(strstr(why, "message") != NULL, "%s", why);
}

struct collected {
	int lines, too_long;
	size_t lens[8];
	unsigned long too_long_at;
};

static void on_line(void *arg, const char *line, size_t len, unsigned long lineno)
{
	(void)line;
	struct collected *c = arg;
	if (c->lines < 8)
		c->lens[c->lines] = len;
	c->lines++;
	(void)lineno;
}

static void on_too_long(void *arg, const char *head, size_t len, unsigned long lineno)
{
	(void)head;
	struct collected *c = arg;
	c->too_long++;
	c->too_long_at = lineno;
	cr_assert_eq(len, LINESCAN_LINE_MAX);
}

/* Feed n bytes of 'a' then the tail, in chunks of `chunk`. */
static struct collected scan(size_t n, const char *tail, size_t chunk)
{
	struct collected c = {0};
	struct linescan_hooks h = {on_line, on_too_long, &c};
	struct linescan *s = linescan_new(&h);
	struct buf b = {0};
	buf_puts(&b, "x\r\n");
	for (size_t i = 0; i < n; i++)
		buf_append(&b, "a", 1);
	buf_puts(&b, tail);
	for (size_t off = 0; off < b.len; off += chunk)
		linescan_feed(s, b.data + off, b.len - off < chunk ? b.len - off : chunk);
	linescan_finish(s);
	linescan_free(s);
	buf_free(&b);
	return c;
}

Test(events, scanner_boundary_like_bufio)
{
	size_t chunks[] = {1, 7, 4096, 1 << 20};
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		size_t ch = chunks[k];
		struct collected c = scan(65535, "\nafter\n", ch);
		cr_expect_eq(c.lines, 3, "65535+\\n chunk %zu", ch);
		cr_expect_eq(c.lens[0], 1); /* "x\r" → "x" */
		cr_expect_eq(c.lens[1], 65535);
		c = scan(65536, "\nafter\n", ch);
		cr_expect_eq(c.lines, 1, "65536+\\n chunk %zu", ch);
		cr_expect_eq(c.too_long, 1);
		cr_expect_eq(c.too_long_at, 2);
		c = scan(65534, "\r\n", ch); /* 65535 bytes before \n, the \r dropped */
		cr_expect_eq(c.lines, 2);
		cr_expect_eq(c.lens[1], 65534);
		c = scan(65535, "", ch); /* final unterminated line */
		cr_expect_eq(c.lines, 2);
		cr_expect_eq(c.too_long, 0);
		c = scan(65536, "", ch);
		cr_expect_eq(c.lines, 1);
		cr_expect_eq(c.too_long, 1);
	}
	struct collected c = scan(0, "\n\nz", 3); /* empty lines are delivered too */
	cr_expect_eq(c.lines, 4);
}

Test(events, capture_roundtrip)
{
	struct buf b = {0};
	cr_assert_eq(capture_format(&b, 1763881789635LL, 3, "{\"type\":\"info\"}\r", 16, 0), 0);
	cr_assert(strstr(b.data, "\"time\":\"2025-11-23T07:09:49.635Z\"") != NULL, "%s", b.data);
	unsigned long ln;
	char *raw;
	size_t rl;
	int tl;
	char err[512];
	cr_assert_eq(capture_parse(b.data, b.len, &ln, &raw, &rl, &tl, err), 0, "%s", err);
	cr_assert_eq(ln, 3);
	cr_assert_eq(rl, 16);
	cr_assert_eq(memcmp(raw, "{\"type\":\"info\"}\r", 16), 0);
	free(raw);
	buf_reset(&b);
	cr_assert_eq(capture_format(&b, 0, 4, "a\xff\0b", 4, 0), 0);
	cr_assert(strstr(b.data, "raw_base64") != NULL);
	cr_assert_eq(capture_parse(b.data, b.len, &ln, &raw, &rl, &tl, err), 0, "%s", err);
	cr_assert_eq(rl, 4);
	cr_assert_eq(memcmp(raw, "a\xff\0b", 4), 0);
	free(raw);
	cr_assert_eq(capture_parse("{\"type\":\"info\"}", 15, &ln, &raw, &rl, &tl, err), -1);
	buf_free(&b);
}

/*
 * Differential test: jansson (strict, but with JSON_DECODE_ANY and
 * JSON_ALLOW_NUL, duplicates allowed as in Go) is the oracle for "valid JSON
 * or not" over the .jsonl files of tests/lint/corpus. Known, intended differences, where Go
 * (so the stack, so events.c) accepts what jansson refuses:
 *  - invalid UTF-8 inside strings (Go coerces to U+FFFD);
 *  - lone surrogate escapes like \uD800 (Go gives U+FFFD);
 *  - numbers out of range (Go checks only the syntax of a skipped value);
 *  - nesting deeper than jansson's 2048 (Go's limit is 10000).
 */
static int known_difference(const char *jansson_error)
{
	static const char *const why[] = {
		"UTF-8", "unable to decode byte", "surrogate", "Unicode", "too big", "overflow", "depth"};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strstr(jansson_error, why[i]) != NULL)
			return 1;
	return 0;
}

#include <glob.h>
#include <jansson.h>
#include <stdio.h>

Test(events, differential_vs_jansson)
{
	glob_t g;
	cr_assert_eq(glob("tests/lint/corpus/*.jsonl", 0, NULL, &g), 0, "no corpus (run from the repo root)");
	size_t checked = 0, known = 0;
	for (size_t f = 0; f < g.gl_pathc; f++) {
		FILE *in = fopen(g.gl_pathv[f], "rb");
		cr_assert_not_null(in);
		char *line = NULL;
		size_t cap = 0;
		ssize_t got;
		unsigned long no = 0;
		while ((got = getline(&line, &cap, in)) >= 0) {
			no++;
			size_t len = (size_t)got;
			if (len && line[len - 1] == '\n')
				len--;
			json_error_t je;
			json_t *j = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
			struct event ev;
			enum event_status st = event_parse(line, len, &ev, NULL, 0, NULL);
			int ours = st != EVENT_NOT_JSON, theirs = j != NULL;
			if (st == EVENT_OK)
				event_clear(&ev);
			json_decref(j);
			checked++;
			if (ours == theirs)
				continue;
			if (ours && !theirs && known_difference(je.text)) {
				known++;
				continue;
			}
			cr_expect_eq(ours, theirs, "%s:%lu: events.c says %s, jansson says %s (%s)", g.gl_pathv[f], no,
				     ours ? "JSON" : "not JSON", theirs ? "JSON" : "not JSON", theirs ? "" : je.text);
		}
		free(line);
		fclose(in);
	}
	globfree(&g);
	cr_assert_gt(checked, 50);
	cr_assert_gt(known, 0); /* the corpus exercises the documented differences */
}
