/*
 * A konnector stdout line as cozy-stack decodes it (see events.h for the rules
 * and their Go sources). jsmn splits the line into tokens; every byte that is
 * not inside a token is then checked to be whitespace or exactly the
 * punctuation the grammar expects there, and every token is checked for what
 * jsmn lets through (literals, numbers, control bytes in strings).
 * Over 600 lines on purpose: the grammar checks, Go's unquoting and its key
 * folding make one decision per line and are only right together.
 */
#include "harness/judge/events.h"

#include "common/jsmn_wrap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens on the stack for ordinary lines; longer ones get a heap array sized by jsmn's count. */
#define EVENT_TOKENS_FIXED 128

struct parse {
	const char *s;
	size_t len;
	const char *why;
	size_t errpos;
};

static int fail_at(struct parse *p, size_t pos, const char *why)
{
	p->why = why;
	p->errpos = pos;
	return -1;
}

/* go: scanner.go isSpace — only these four. */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int event_utf8_len(const unsigned char *s, size_t n)
{
	/* go: src/unicode/utf8 DecodeRune: shortest form, no surrogates, max U+10FFFF */
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	unsigned char lo = 0x80, hi = 0xBF;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < 2 || s[1] < lo || s[1] > hi)
		return 0;
	if (n < 3 || (s[2] & 0xC0) != 0x80)
		return 0;
	if (c < 0xF0)
		return 3;
	if (n < 4 || (s[3] & 0xC0) != 0x80)
		return 0;
	return 4;
}

/* Check gap [from, to): whitespace around at most one `punct` (required when punct != 0). */
static int check_gap(struct parse *p, size_t from, size_t to, char punct, const char *missing)
{
	int seen = punct == 0;
	for (size_t i = from; i < to; i++) {
		char c = p->s[i];
		if (is_ws(c))
			continue;
		if (!seen && c == punct) {
			seen = 1;
			continue;
		}
		return fail_at(p, i, c == ',' ? "unexpected comma (trailing or doubled)" : "unexpected character");
	}
	if (!seen)
		return fail_at(p, to, missing);
	return 0;
}

/* go: scanner.go number states: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int check_number(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return -1;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return -1;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n ? 0 : -1;
}

/* A primitive token: exactly true, false, null or a JSON number. */
static int check_primitive(struct parse *p, size_t start, size_t end)
{
	const char *s = p->s + start;
	size_t n = end - start;
	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 4 && memcmp(s, "null", 4) == 0))
		return 0;
	if (s[0] == 't' || s[0] == 'f' || s[0] == 'n')
		return fail_at(p, start, "invalid literal (only true, false, null)");
	if (check_number(s, n) < 0)
		return fail_at(p, start, "invalid number");
	return 0;
}

/* String content [start, end) (quotes excluded): no raw control bytes, known escapes (jsmn checked most). */
static int check_string(struct parse *p, size_t start, size_t end)
{
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if (c < 0x20)
			return fail_at(p, i, "raw control character inside a string");
		if (c == '\\') {
			i++;
			if (i >= end)
				return fail_at(p, i, "bad escape");
			if (p->s[i] == 'u') {
				if (end - i < 5)
					return fail_at(p, i, "bad \\u escape");
				i += 4; /* jsmn checked the 4 hex digits */
			} else if (strchr("\"\\/bfnrt", p->s[i]) == NULL || p->s[i] == '\0') {
				return fail_at(p, i, "bad escape");
			}
		}
	}
	return 0;
}

/* Where a token's text begins (jsmn strings start after their quote). */
static size_t tok_raw_start(const jsmntok_t *t)
{
	return (size_t)t->start - (t->type == JSMN_STRING ? 1 : 0);
}

/* Where a token's text ends (exclusive; after a string's closing quote). */
static size_t tok_raw_end(const jsmntok_t *t)
{
	return (size_t)t->end + (t->type == JSMN_STRING ? 1 : 0);
}

struct frame {
	int tok;
	int count;
};

/*
 * Walk the tokens in order with an explicit stack, checking each gap between
 * them; so every byte of the line is either inside a checked token or inside a
 * checked gap. Returns 0 when the line is JSON as Go's scanner sees it.
 */
static int validate(struct parse *p, const jsmntok_t *t, int n)
{
	struct frame fixed[64];
	struct frame *stack = fixed;
	size_t cap = 64, depth = 0;
	size_t pos = 0;
	int i = 0, rc = -1, root_done = 0;

	for (;;) {
		int want_value = 0;
		if (depth == 0) {
			if (root_done) {
				if (check_gap(p, pos, p->len, 0, NULL) < 0)
					goto out;
				if (i != n) {
					fail_at(p, tok_raw_start(&t[i]), "more than one value");
					goto out;
				}
				rc = 0;
				goto out;
			}
			if (i >= n) {
				fail_at(p, pos, "empty line");
				goto out;
			}
			if (check_gap(p, pos, tok_raw_start(&t[i]), 0, NULL) < 0)
				goto out;
			root_done = 1;
			want_value = 1;
		} else {
			struct frame *f = &stack[depth - 1];
			const jsmntok_t *c = &t[f->tok];
			size_t close = (size_t)c->end - 1;
			if (i >= n || tok_raw_start(&t[i]) >= close) {
				if (check_gap(p, pos, close, 0, NULL) < 0)
					goto out;
				pos = close + 1;
				depth--;
				continue;
			}
			if (check_gap(p, pos, tok_raw_start(&t[i]), f->count ? ',' : 0, "missing comma") < 0)
				goto out;
			f->count++;
			if (c->type == JSMN_OBJECT) {
				if (t[i].type != JSMN_STRING) {
					fail_at(p, tok_raw_start(&t[i]), "object key is not a string");
					goto out;
				}
				if (check_string(p, (size_t)t[i].start, (size_t)t[i].end) < 0)
					goto out;
				pos = tok_raw_end(&t[i]);
				i++;
				if (i >= n || tok_raw_start(&t[i]) >= close) {
					fail_at(p, pos, "missing value after key");
					goto out;
				}
				if (check_gap(p, pos, tok_raw_start(&t[i]), ':', "missing colon") < 0)
					goto out;
			}
			want_value = 1;
		}
		if (!want_value)
			continue;
		/* the value token t[i] starts here */
		const jsmntok_t *v = &t[i];
		if (depth > 0 && tok_raw_end(v) > (size_t)t[stack[depth - 1].tok].end - 1) {
			fail_at(p, tok_raw_start(v), "bad nesting");
			goto out;
		}
		if (v->type == JSMN_STRING) {
			if (check_string(p, (size_t)v->start, (size_t)v->end) < 0)
				goto out;
			pos = tok_raw_end(v);
		} else if (v->type == JSMN_PRIMITIVE) {
			if (check_primitive(p, (size_t)v->start, (size_t)v->end) < 0)
				goto out;
			pos = (size_t)v->end;
		} else {
			if (depth >= EVENT_MAX_DEPTH) {
				fail_at(p, (size_t)v->start, "exceeded max depth (10000)");
				goto out;
			}
			if (depth == cap) {
				struct frame *ns = malloc(cap * 2 * sizeof(*ns));
				if (ns == NULL) {
					fail_at(p, (size_t)v->start, "out of memory");
					goto out;
				}
				memcpy(ns, stack, depth * sizeof(*ns));
				if (stack != fixed)
					free(stack);
				stack = ns;
				cap *= 2;
			}
			stack[depth].tok = i;
			stack[depth].count = 0;
			depth++;
			pos = (size_t)v->start + 1;
		}
		i++;
	}
out:
	if (stack != fixed)
		free(stack);
	return rc;
}

/* Read 4 hex digits (already checked by jsmn). */
static unsigned hex4(const char *s)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		v <<= 4;
		v |= (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Encode rune r as UTF-8 into o (at least 4 bytes); returns the byte count. */
static size_t put_rune(unsigned r, unsigned char *o)
{
	if (r < 0x80) {
		o[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (unsigned char)(0xC0 | (r >> 6));
		o[1] = (unsigned char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (r >> 12));
		o[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (r & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (r >> 18));
	o[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (r & 0x3F));
	return 4;
}

/*
 * Decode validated string content s[0..n) as Go's unquoteBytes does (bad UTF-8
 * and lone surrogates → U+FFFD), writing at most cap bytes to out (may be NULL
 * when cap is 0). Returns the full decoded length.
 */
static size_t unquote(const char *s, size_t n, char *out, size_t cap)
{
	size_t w = 0, r = 0;
	unsigned char tmp[4];
	while (r < n) {
		unsigned char c = (unsigned char)s[r];
		size_t k;
		if (c == '\\') {
			char e = s[r + 1];
			r += 2;
			switch (e) {
			case 'b':
				tmp[0] = '\b';
				k = 1;
				break;
			case 'f':
				tmp[0] = '\f';
				k = 1;
				break;
			case 'n':
				tmp[0] = '\n';
				k = 1;
				break;
			case 'r':
				tmp[0] = '\r';
				k = 1;
				break;
			case 't':
				tmp[0] = '\t';
				k = 1;
				break;
			case 'u': {
				unsigned rr = hex4(s + r);
				r += 4;
				if (rr >= 0xD800 && rr < 0xE000) {
					/* go: decode.go: a valid pair is consumed whole, else U+FFFD for the first */
					unsigned r2 = 0;
					int pair = 0;
					if (rr < 0xDC00 && r + 6 <= n && s[r] == '\\' && s[r + 1] == 'u') {
						r2 = hex4(s + r + 2);
						pair = r2 >= 0xDC00 && r2 < 0xE000;
					}
					if (pair) {
						rr = 0x10000 + ((rr - 0xD800) << 10) + (r2 - 0xDC00);
						r += 6;
					} else {
						rr = 0xFFFD;
					}
				}
				k = put_rune(rr, tmp);
				break;
			}
			default:
				tmp[0] = (unsigned char)e;
				k = 1;
				break; /* " \ / */
			}
			if (w + k <= cap)
				memcpy(out + w, tmp, k);
			else if (w < cap)
				memcpy(out + w, tmp, cap - w);
			w += k;
			continue;
		}
		if (c < 0x80) {
			if (w < cap)
				out[w] = (char)c;
			w++;
			r++;
			continue;
		}
		int ul = event_utf8_len((const unsigned char *)s + r, n - r);
		const unsigned char *src = (const unsigned char *)s + r;
		if (ul == 0) {
			src = (const unsigned char *)"\xEF\xBF\xBD";
			ul = 3;
			r += 1;
		} else {
			r += (size_t)ul;
		}
		for (int q = 0; q < ul; q++, w++)
			if (w < cap)
				out[w] = (char)src[q];
	}
	return w;
}

/* A malloc'd decode of the string token, cut to cap bytes; *full gets the full decoded length. */
static char *unquote_dup(const char *s, size_t n, size_t cap, size_t *got, size_t *full)
{
	/* decoded output is never longer than 3 bytes per input byte (one bad byte → U+FFFD) */
	size_t room = n * 3 < cap ? n * 3 : cap;
	char *out = malloc(room + 1);
	if (out == NULL)
		return NULL;
	size_t total = unquote(s, n, out, room);
	size_t kept = total < room ? total : room;
	out[kept] = '\0';
	*got = kept;
	if (full)
		*full = total;
	return out;
}

/* go: fold.go foldName: the smallest rune of r's simple-fold orbit, for the runes that fold onto ASCII. */
static int fold_key_equal(const char *key, size_t n, const char *upper)
{
	size_t i = 0, j = 0;
	while (i < n) {
		unsigned char c = (unsigned char)key[i];
		char f;
		if (c < 0x80) {
			f = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
			i++;
		} else if (n - i >= 2 && c == 0xC5 && (unsigned char)key[i + 1] == 0xBF) {
			f = 'S'; /* U+017F LATIN SMALL LETTER LONG S */
			i += 2;
		} else if (n - i >= 3 && c == 0xE2 && (unsigned char)key[i + 1] == 0x84 &&
			   (unsigned char)key[i + 2] == 0xAA) {
			f = 'K'; /* U+212A KELVIN SIGN */
			i += 3;
		} else {
			return 0;
		}
		if (upper[j] == '\0' || upper[j] != f)
			return 0;
		j++;
	}
	return upper[j] == '\0';
}

enum field { F_NONE, F_TYPE, F_MESSAGE, F_NO_RETRY };

/* Which struct field a key token names, after unquoting and folding. */
static enum field key_field(const char *s, const jsmntok_t *k)
{
	char kb[32];
	size_t full = unquote(s + k->start, (size_t)(k->end - k->start), kb, sizeof(kb));
	if (full > sizeof(kb))
		return F_NONE;
	if (fold_key_equal(kb, full, "TYPE"))
		return F_TYPE;
	if (fold_key_equal(kb, full, "MESSAGE"))
		return F_MESSAGE;
	if (fold_key_equal(kb, full, "NO_RETRY"))
		return F_NO_RETRY;
	return F_NONE;
}

/* Index after the subtree of token i (tokens are in pre-order). */
static int tok_skip(const jsmntok_t *t, int n, int i)
{
	if (t[i].type == JSMN_STRING || t[i].type == JSMN_PRIMITIVE)
		return i + 1;
	int end = t[i].end, j = i + 1;
	while (j < n && t[j].start < end)
		j++;
	return j;
}

/* Fill ev from the root object t[0] as Go's decoder fills the struct; -1 (and why) on a type error. */
static int decode_fields(const char *s, const jsmntok_t *t, int n, struct event *ev, const char **why, size_t *errpos)
{
	int i = 1;
	while (i < n && t[i].start < t[0].end) {
		const jsmntok_t *k = &t[i], *v = &t[i + 1];
		enum field f = key_field(s, k);
		int next = tok_skip(t, n, i + 1);
		i = next;
		if (f == F_NONE)
			continue;
		int is_null = v->type == JSMN_PRIMITIVE && s[v->start] == 'n';
		if (is_null)
			continue; /* go: decode.go literalStore: null is ignored for strings and bools */
		if (f == F_NO_RETRY) {
			if (v->type != JSMN_PRIMITIVE || (s[v->start] != 't' && s[v->start] != 'f')) {
				*why = "no_retry is not a boolean";
				*errpos = tok_raw_start(v);
				return -1;
			}
			ev->no_retry = s[v->start] == 't';
			continue;
		}
		if (v->type != JSMN_STRING) {
			*why = f == F_TYPE ? "type is not a string" : "message is not a string";
			*errpos = tok_raw_start(v);
			return -1;
		}
		size_t n_in = (size_t)(v->end - v->start), got, full;
		if (f == F_TYPE) {
			char *d = unquote_dup(s + v->start, n_in, (size_t)-1 / 4, &got, NULL);
			if (d == NULL)
				return -1;
			free(ev->type);
			ev->type = d;
			ev->type_len = got;
		} else {
			char *d = unquote_dup(s + v->start, n_in, EVENT_MESSAGE_MAX, &got, &full);
			if (d == NULL)
				return -1;
			free(ev->message);
			ev->message = d;
			ev->message_len = got;
			ev->message_full_len = full;
			ev->has_message = 1;
		}
	}
	return 0;
}

/* A root that is not an object, array or string: a literal or a number, then only whitespace. */
static enum event_status parse_bare(struct parse *p, size_t at)
{
	size_t e = at;
	while (e < p->len && !is_ws(p->s[e]))
		e++;
	char c = p->s[at];
	if (!(c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n')) {
		fail_at(p, at, "unexpected character");
		return EVENT_NOT_JSON;
	}
	if (check_primitive(p, at, e) < 0 || check_gap(p, e, p->len, 0, NULL) < 0)
		return EVENT_NOT_JSON;
	if (c == 'n') /* go: Unmarshal("null") into a struct: no-op, no error */
		return EVENT_OK;
	fail_at(p, at, c == 't' || c == 'f' ? "a boolean, not an object" : "a number, not an object");
	return EVENT_BAD_SHAPE;
}

static void set_why(char *why, size_t why_len, const char *s)
{
	if (why != NULL && why_len > 0)
		snprintf(why, why_len, "%s", s);
}

/* Make ev the empty event; type and message always point to strings. */
static int event_empty(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = strdup("");
	ev->message = strdup("");
	if (ev->type == NULL || ev->message == NULL) {
		event_clear(ev);
		return -1;
	}
	return 0;
}

enum event_status event_parse(const char *line, size_t len, struct event *ev, char *why, size_t why_len, size_t *col)
{
	struct parse p = {line, len, NULL, 0};
	jsmntok_t fixed[EVENT_TOKENS_FIXED];
	jsmntok_t *t = fixed;
	enum event_status st = EVENT_NOT_JSON;
	memset(ev, 0, sizeof(*ev));
	if (col)
		*col = 0;

	size_t at = 0;
	while (at < len && is_ws(line[at]))
		at++;
	if (at == len) {
		fail_at(&p, at, len ? "blank line" : "empty line");
		goto done;
	}
	if (len > INT32_MAX / 2) {
		fail_at(&p, 0, "line too long to parse");
		goto done;
	}
	if (line[at] != '{' && line[at] != '[' && line[at] != '"') {
		st = parse_bare(&p, at);
		if (st == EVENT_OK && event_empty(ev) < 0) {
			fail_at(&p, 0, "out of memory");
			st = EVENT_NOT_JSON;
		}
		goto done;
	}

	jsmn_parser jp;
	jsmn_init(&jp);
	int n = jsmn_parse(&jp, line, len, t, EVENT_TOKENS_FIXED);
	if (n == JSMN_ERROR_NOMEM) {
		/* many tokens: count them, then one array of that size (bounded by the line length) */
		jsmn_init(&jp);
		int count = jsmn_parse(&jp, line, len, NULL, 0);
		if (count <= 0) {
			fail_at(&p, 0, "not JSON");
			goto done;
		}
		t = malloc((size_t)count * sizeof(*t));
		if (t == NULL) {
			fail_at(&p, 0, "out of memory");
			goto done;
		}
		jsmn_init(&jp);
		n = jsmn_parse(&jp, line, len, t, (unsigned)count);
	}
	if (n < 0) {
		fail_at(&p, jp.pos < len ? jp.pos : len,
			n == JSMN_ERROR_PART ? "incomplete JSON (unterminated string, object or array)" : "not JSON");
		goto done;
	}
	if (validate(&p, t, n) < 0)
		goto done;
	if (t[0].type != JSMN_OBJECT) {
		st = EVENT_BAD_SHAPE;
		fail_at(&p, tok_raw_start(&t[0]),
			t[0].type == JSMN_ARRAY ? "an array, not an object" : "a string, not an object");
		goto done;
	}
	if (event_empty(ev) < 0) {
		fail_at(&p, 0, "out of memory");
		goto done;
	}
	const char *w = NULL;
	size_t ep = 0;
	if (decode_fields(line, t, n, ev, &w, &ep) < 0) {
		event_clear(ev);
		fail_at(&p, ep, w ? w : "out of memory");
		st = w ? EVENT_BAD_SHAPE : EVENT_NOT_JSON;
		goto done;
	}
	st = EVENT_OK;
done:
	if (t != fixed)
		free(t);
	if (st != EVENT_OK) {
		set_why(why, why_len, p.why ? p.why : "not JSON");
		if (col)
			*col = p.errpos + 1;
	}
	return st;
}

void event_clear(struct event *ev)
{
	free(ev->type);
	free(ev->message);
	memset(ev, 0, sizeof(*ev));
}

int event_type_is(const struct event *ev, const char *t)
{
	size_t n = strlen(t);
	return ev->type != NULL && ev->type_len == n && memcmp(ev->type, t, n) == 0;
}
