/* The grammar check of hand-written JSON, and where its members are; see jsonc.h. */
#include "common/jsonc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Deeper than any manifest or dev config; jansson's own limit is 2048. */
#define JSONC_MAX_DEPTH 512

struct scan {
	const char *start, *s, *end;
	int flags;
	int depth;
	struct jsonc_error *e;
};

/* Line and column (1-based, columns in characters) of at. */
static void jsonc_where(const char *start, const char *at, int *line, int *col)
{
	int l = 1, c = 1;
	for (const char *p = start; p < at; p++) {
		if (*p == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

__attribute__((format(printf, 3, 4))) static int jsonc_fail(struct scan *sc, const char *at, const char *fmt, ...)
{
	if (sc->e != NULL) {
		sc->e->kind = JSONC_OTHER;
		jsonc_where(sc->start, at, &sc->e->line, &sc->e->col);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(sc->e->text, sizeof(sc->e->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Name the kind of the error just filled; returns rc (-1). */
static int jsonc_set_kind(struct scan *sc, enum jsonc_kind kind, int rc)
{
	if (sc->e != NULL)
		sc->e->kind = kind;
	return rc;
}

/* The character at p as a message shows it: 'x', a whole UTF-8 sequence, or U+00NN for a control. */
static const char *jsonc_char(const char *p, const char *end, char out[16])
{
	unsigned char c = (unsigned char)*p;
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, 16, "U+%04X", c);
	} else if (c < 0x80) {
		snprintf(out, 16, "'%c'", c);
	} else {
		size_t n = 1;
		while (n < 4 && p + n < end && ((unsigned char)p[n] & 0xC0) == 0x80)
			n++;
		snprintf(out, 16, "'%.*s'", (int)n, p);
	}
	return out;
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Could a value (or an unquoted key someone meant as one) start here? */
static int starts_value(char c)
{
	return c == '"' || c == '\'' || c == '{' || c == '[' || c == '-' || is_word(c);
}

/* Skip whitespace and, when allowed, comments; an unterminated block comment is named where it opens. */
static int jsonc_skip_ws(struct scan *sc)
{
	for (;;) {
		while (sc->s < sc->end && (*sc->s == ' ' || *sc->s == '\t' || *sc->s == '\n' || *sc->s == '\r'))
			sc->s++;
		if (sc->s + 1 >= sc->end || sc->s[0] != '/' || (sc->s[1] != '/' && sc->s[1] != '*'))
			return 0;
		if (!(sc->flags & JSONC_COMMENTS))
			return jsonc_set_kind(
				sc, JSONC_COMMENT,
				jsonc_fail(sc, sc->s, "a comment: this file is plain JSON, without comments"));
		if (sc->s[1] == '/') {
			while (sc->s < sc->end && *sc->s != '\n')
				sc->s++;
			continue;
		}
		const char *open = sc->s;
		sc->s += 2;
		while (sc->s + 1 < sc->end && !(sc->s[0] == '*' && sc->s[1] == '/'))
			sc->s++;
		if (sc->s + 1 >= sc->end)
			return jsonc_set_kind(
				sc, JSONC_UNTERMINATED_COMMENT,
				jsonc_fail(sc, open, "unterminated comment: this /* is never closed by */"));
		sc->s += 2;
	}
}

static int jsonc_string(struct scan *sc)
{
	const char *open = sc->s++;
	char ch[16];
	while (sc->s < sc->end) {
		unsigned char c = (unsigned char)*sc->s;
		if (c == '"') {
			sc->s++;
			return 0;
		}
		if (c == '\n' || c == '\r')
			return jsonc_fail(sc, open,
					  "unterminated string: this \" is not closed before the end of the line");
		if (c < 0x20)
			return jsonc_fail(sc, sc->s, "%s in a string: write it as an escape (\\t, \\u00%02X)",
					  jsonc_char(sc->s, sc->end, ch), c);
		if (c != '\\') {
			sc->s++;
			continue;
		}
		const char *bs = sc->s++;
		if (sc->s >= sc->end)
			break;
		if (*sc->s == 'u') {
			for (int i = 1; i <= 4; i++) {
				char h = sc->s + i < sc->end ? sc->s[i] : '\0';
				if (!is_digit(h) && !(h >= 'a' && h <= 'f') && !(h >= 'A' && h <= 'F'))
					return jsonc_fail(sc, bs, "bad escape: \\u takes four hexadecimal digits");
			}
			sc->s += 5;
		} else if (*sc->s != '\0' && strchr("\"\\/bfnrt", *sc->s) != NULL) {
			sc->s++;
		} else {
			return jsonc_fail(
				sc, bs,
				"bad escape \\%s in a string (JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)",
				jsonc_char(sc->s, sc->end, ch));
		}
	}
	return jsonc_fail(sc, open, "unterminated string: this \" is never closed");
}

static int jsonc_number(struct scan *sc)
{
	const char *p = sc->s, *e = sc->end;
	if (*p == '-')
		p++;
	if (p >= e || !is_digit(*p))
		return jsonc_fail(sc, sc->s, "bad number: a digit expected after '-'");
	if (*p == '0' && p + 1 < e && is_digit(p[1]))
		return jsonc_fail(sc, sc->s, "bad number: JSON numbers have no leading zero");
	while (p < e && is_digit(*p))
		p++;
	if (p < e && *p == '.') {
		if (++p >= e || !is_digit(*p))
			return jsonc_fail(sc, sc->s, "bad number: digits expected after '.'");
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !is_digit(*p))
			return jsonc_fail(sc, sc->s, "bad number: digits expected in the exponent");
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && is_word(*p))
		return jsonc_fail(sc, sc->s, "bad number: '%c' after its digits", *p);
	sc->s = p;
	return 0;
}

/* true, false, null; any other word is named. */
static int jsonc_literal(struct scan *sc)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t n = 0;
	while (sc->s + n < sc->end && is_word(sc->s[n]))
		n++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == strlen(words[i]) && memcmp(sc->s, words[i], n) == 0) {
			sc->s += n;
			return 0;
		}
	if (n > 0)
		return jsonc_fail(sc, sc->s, "'%.*s' is not a JSON value (a string needs double quotes)",
				  (int)(n > 40 ? 40 : n), sc->s);
	char ch[16];
	return jsonc_fail(sc, sc->s, "a value expected, not %s", jsonc_char(sc->s, sc->end, ch));
}

static int jsonc_value(struct scan *sc);

/* After a member or an element: at its end, something that starts another one. */
static int jsonc_missing_comma(struct scan *sc, const char *after, const char *next, const char *what)
{
	int line, col;
	jsonc_where(sc->start, next, &line, &col);
	return jsonc_set_kind(sc, JSONC_MISSING_COMMA,
			      jsonc_fail(sc, after, "missing comma: another %s follows at %d:%d", what, line, col));
}

static int jsonc_object(struct scan *sc)
{
	const char *open = sc->s++;
	char ch[16];
	if (++sc->depth > JSONC_MAX_DEPTH)
		return jsonc_fail(sc, open, "nested more than %d levels deep", JSONC_MAX_DEPTH);
	if (jsonc_skip_ws(sc) < 0)
		return -1;
	if (sc->s < sc->end && *sc->s == '}') {
		sc->s++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		if (sc->s >= sc->end)
			return jsonc_fail(sc, open, "unterminated object: this { is never closed");
		if (*sc->s == '\'')
			return jsonc_fail(sc, sc->s, "a member name in single quotes: JSON wants double quotes");
		if (*sc->s != '"') {
			size_t n = 0;
			while (sc->s + n < sc->end && is_word(sc->s[n]))
				n++;
			if (n > 0)
				return jsonc_fail(sc, sc->s, "a member name without quotes: write \"%.*s\"",
						  (int)(n > 40 ? 40 : n), sc->s);
			return jsonc_fail(sc, sc->s, "a member name (a double-quoted string) expected, not %s",
					  jsonc_char(sc->s, sc->end, ch));
		}
		if (jsonc_string(sc) < 0 || jsonc_skip_ws(sc) < 0)
			return -1;
		if (sc->s >= sc->end)
			return jsonc_fail(sc, open, "unterminated object: this { is never closed");
		if (*sc->s != ':')
			return jsonc_fail(sc, sc->s, "':' expected after the member name, not %s",
					  jsonc_char(sc->s, sc->end, ch));
		sc->s++;
		if (jsonc_value(sc) < 0)
			return -1;
		const char *after = sc->s;
		if (jsonc_skip_ws(sc) < 0)
			return -1;
		if (sc->s >= sc->end)
			return jsonc_fail(sc, open, "unterminated object: this { is never closed");
		if (*sc->s == '}') {
			sc->s++;
			sc->depth--;
			return 0;
		}
		if (*sc->s != ',') {
			if (starts_value(*sc->s))
				return jsonc_missing_comma(sc, after, sc->s, "member");
			return jsonc_fail(sc, sc->s, "',' or '}' expected after a member, not %s",
					  jsonc_char(sc->s, sc->end, ch));
		}
		const char *comma = sc->s++;
		if (jsonc_skip_ws(sc) < 0)
			return -1;
		if (sc->s < sc->end && *sc->s == '}')
			return jsonc_set_kind(
				sc, JSONC_TRAILING_COMMA,
				jsonc_fail(sc, comma, "trailing comma: nothing may follow the last member before }"));
	}
}

static int jsonc_array(struct scan *sc)
{
	const char *open = sc->s++;
	char ch[16];
	if (++sc->depth > JSONC_MAX_DEPTH)
		return jsonc_fail(sc, open, "nested more than %d levels deep", JSONC_MAX_DEPTH);
	if (jsonc_skip_ws(sc) < 0)
		return -1;
	if (sc->s < sc->end && *sc->s == ']') {
		sc->s++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		if (jsonc_value(sc) < 0)
			return -1;
		const char *after = sc->s;
		if (jsonc_skip_ws(sc) < 0)
			return -1;
		if (sc->s >= sc->end)
			return jsonc_fail(sc, open, "unterminated array: this [ is never closed");
		if (*sc->s == ']') {
			sc->s++;
			sc->depth--;
			return 0;
		}
		if (*sc->s != ',') {
			if (starts_value(*sc->s))
				return jsonc_missing_comma(sc, after, sc->s, "element");
			return jsonc_fail(sc, sc->s, "',' or ']' expected after an element, not %s",
					  jsonc_char(sc->s, sc->end, ch));
		}
		const char *comma = sc->s++;
		if (jsonc_skip_ws(sc) < 0)
			return -1;
		if (sc->s < sc->end && *sc->s == ']')
			return jsonc_set_kind(
				sc, JSONC_TRAILING_COMMA,
				jsonc_fail(sc, comma, "trailing comma: nothing may follow the last element before ]"));
	}
}

static int jsonc_value(struct scan *sc)
{
	if (jsonc_skip_ws(sc) < 0)
		return -1;
	if (sc->s >= sc->end)
		return jsonc_fail(sc, sc->s, "a value expected, but the file ends");
	switch (*sc->s) {
	case '{':
		return jsonc_object(sc);
	case '[':
		return jsonc_array(sc);
	case '"':
		return jsonc_string(sc);
	case '\'':
		return jsonc_fail(sc, sc->s, "a string in single quotes: JSON wants double quotes");
	default:
		if (*sc->s == '-' || is_digit(*sc->s))
			return jsonc_number(sc);
		return jsonc_literal(sc);
	}
}

int jsonc_check(const char *text, size_t len, int flags, struct jsonc_error *e)
{
	struct scan sc = {.start = text, .s = text, .end = text + len, .flags = flags, .e = e};
	char ch[16];
	if (jsonc_skip_ws(&sc) < 0)
		return -1;
	if (sc.s >= sc.end)
		return jsonc_fail(&sc, sc.s, "empty: a JSON value expected");
	if (jsonc_value(&sc) < 0 || jsonc_skip_ws(&sc) < 0)
		return -1;
	if (sc.s < sc.end)
		return jsonc_fail(&sc, sc.s, "%s after the end of the JSON value", jsonc_char(sc.s, sc.end, ch));
	return 0;
}

void jsonc_strip_comments(char *t, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (t[i] == '"') {
			/* a JSON string: skip to its closing quote (or the end of the line), honouring escapes */
			i++;
			while (i < len && t[i] != '"' && t[i] != '\n') {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				i++;
			}
			if (i < len && t[i] == '"')
				i++;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			while (i < len && t[i] != '\n')
				t[i++] = ' ';
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			t[i] = t[i + 1] = ' ';
			i += 2;
			while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
				if (t[i] != '\n' && t[i] != '\r')
					t[i] = ' ';
				i++;
			}
			if (i < len) { /* the closing star-slash; an unclosed comment runs to the end */
				t[i] = t[i + 1] = ' ';
				i += 2;
			}
		} else {
			i++;
		}
	}
}

/* Is the string token [p, q) (quotes included) the key? */
static int jsonc_key_is(const char *p, const char *q, const char *key)
{
	size_t n = (size_t)(q - p) - 2, klen = strlen(key);
	if (memchr(p, '\\', (size_t)(q - p)) == NULL)
		return n == klen && memcmp(p + 1, key, n) == 0;
	json_t *k = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	int eq = json_is_string(k) && json_string_length(k) == klen && memcmp(json_string_value(k), key, klen) == 0;
	json_decref(k);
	return eq;
}

int jsonc_locate(const char *text, size_t len, const char *const *path, size_t depth, struct jsonc_pos *pos)
{
	/* the text was checked: the scanner only skips here (comments allowed, errors go nowhere) */
	struct scan sc = {.start = text, .s = text, .end = text + len, .flags = JSONC_COMMENTS};
	const char *key_at = NULL, *value_at = NULL;
	for (size_t d = 0; d < depth; d++) {
		if (jsonc_skip_ws(&sc) < 0 || sc.s >= sc.end || *sc.s != '{')
			return 0;
		sc.s++;
		int found = 0;
		while (!found) {
			if (jsonc_skip_ws(&sc) < 0 || sc.s >= sc.end || *sc.s != '"')
				return 0;
			const char *k = sc.s;
			if (jsonc_string(&sc) < 0)
				return 0;
			int match = jsonc_key_is(k, sc.s, path[d]);
			if (jsonc_skip_ws(&sc) < 0 || sc.s >= sc.end || *sc.s != ':')
				return 0;
			sc.s++;
			if (jsonc_skip_ws(&sc) < 0)
				return 0;
			if (match) {
				key_at = k;
				value_at = sc.s;
				found = 1;
				break;
			}
			if (jsonc_value(&sc) < 0 || jsonc_skip_ws(&sc) < 0 || sc.s >= sc.end || *sc.s != ',')
				return 0;
			sc.s++;
		}
	}
	if (key_at == NULL)
		return 0;
	jsonc_where(text, key_at, &pos->key_line, &pos->key_col);
	jsonc_where(text, value_at, &pos->line, &pos->col);
	return 1;
}
