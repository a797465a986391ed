/*
 * CouchDB view collation (docs: ddocs/views/collation.rst; couch_ejson_compare):
 * null < false < true < numbers < strings < arrays < objects; arrays element
 * by element, shorter first; objects member by member (key, then value), in
 * member order, smaller first.
 *
 * Strings: CouchDB uses ICU's Unicode Collation Algorithm. This is a
 * documented approximation in three levels, like UCA's:
 *   1. primary: control characters are ignored; then space and ASCII
 *      punctuation/symbols in the order the CouchDB docs list them
 *      (` ^ _ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % + < = > | ~ $), then
 *      digits, then letters without regard to case (a A b B …); Latin-1
 *      accented letters weigh as their base letter; every other code point
 *      comes after that, by code point;
 *   2. secondary: unaccented before accented;
 *   3. tertiary: lowercase before uppercase, position by position;
 * and finally raw bytes, so that distinct strings never compare equal.
 * This gets the docs' examples right ("a" < "A" < "aa" < "b" < "B" < "ba",
 * abc < Abc < ABC < abc1 < AbcZZZZZ) and ISO dates in date order.
 */
#include "fake-stack/data/collate.h"

#include <stdint.h>
#include <string.h>

/* The docs' symbol order for ASCII (space first). */
static const char symbols[] = " `^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$";

enum { W_DIGIT = 100, W_LETTER = 200, W_OTHER = 1000 };

struct weight {
	uint32_t p; /* 0 = ignorable */
	uint8_t s, t;
};

/* Base letter and accent class of U+00C0..U+00FF (0 = not a letter we fold). */
static const char latin1_base[64 + 1] = "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

static struct weight weigh(uint32_t c)
{
	struct weight w = {0, 0, 0};
	if (c < 0x80) {
		if (c >= 'a' && c <= 'z') {
			w.p = W_LETTER + (c - 'a');
		} else if (c >= 'A' && c <= 'Z') {
			w.p = W_LETTER + (c - 'A');
			w.t = 1;
		} else if (c >= '0' && c <= '9') {
			w.p = W_DIGIT + (c - '0');
		} else if (c >= 0x20 && c != 0x7f) {
			const char *at = strchr(symbols, (int)c);
			w.p = at != NULL ? 1 + (uint32_t)(at - symbols) : 90;
		}
		return w; /* control characters stay ignorable */
	}
	if (c >= 0xc0 && c <= 0xff && latin1_base[c - 0xc0] != '*' && latin1_base[c - 0xc0] != '/') {
		char b = latin1_base[c - 0xc0];
		w = weigh((unsigned char)b);
		w.s = (uint8_t)(1 + (c & 7)); /* some accent: after the bare letter */
		if (c == 0xdf || c == 0xde || c == 0xfe)
			w.s = 9; /* ß, Þ, þ: folded, but distinct */
		return w;
	}
	w.p = W_OTHER + c;
	return w;
}

/* Decode one UTF-8 code point at *p (an invalid byte counts as itself). */
static uint32_t next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = *s;
	int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	*p = s + 1;
	if (n == 0 || end - s <= n)
		return c;
	uint32_t cp = c & (0x3fu >> n);
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return c;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return cp;
}

/* ASCII weights, computed once (a strchr per character is too slow for sorting 100k docs). */
static struct weight ascii_w[128];
static int ascii_ready;

static void ascii_init(void)
{
	for (uint32_t c = 0; c < 128; c++)
		ascii_w[c] = weigh(c);
	ascii_ready = 1;
}

static inline struct weight weigh_at(const unsigned char **p, const unsigned char *end)
{
	if (**p < 0x80)
		return ascii_w[*(*p)++];
	return weigh(next_cp(p, end));
}

/* Compare one level: level 0 primary, 1 secondary, 2 tertiary (ignorables skipped). */
static int cmp_level(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, int level)
{
	const unsigned char *ae = a + alen, *be = b + blen;
	for (;;) {
		struct weight wa = {0, 0, 0}, wb = {0, 0, 0};
		while (a < ae && wa.p == 0)
			wa = weigh_at(&a, ae);
		while (b < be && wb.p == 0)
			wb = weigh_at(&b, be);
		if (wa.p == 0 || wb.p == 0)
			return (wa.p != 0) - (wb.p != 0);
		uint32_t x = level == 0 ? wa.p : level == 1 ? wa.s : wa.t;
		uint32_t y = level == 0 ? wb.p : level == 1 ? wb.s : wb.t;
		if (x != y)
			return x < y ? -1 : 1;
	}
}

static int all_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int collate_strings(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	if (!ascii_ready)
		ascii_init();
	const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
	int c = cmp_level(ua, alen, ub, blen, 0);
	/* ASCII has no secondary weights: skip that level */
	if (c == 0 && !(all_ascii(a, alen) && all_ascii(b, blen)))
		c = cmp_level(ua, alen, ub, blen, 1);
	if (c == 0)
		c = cmp_level(ua, alen, ub, blen, 2);
	if (c != 0)
		return c;
	size_t n = alen < blen ? alen : blen;
	c = memcmp(a, b, n);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

static int type_rank(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return 0;
	case JSON_FALSE:
		return 1;
	case JSON_TRUE:
		return 2;
	case JSON_INTEGER:
	case JSON_REAL:
		return 3;
	case JSON_STRING:
		return 4;
	case JSON_ARRAY:
		return 5;
	default:
		return 6;
	}
}

int collate_json(const json_t *a, const json_t *b)
{
	int ra = type_rank(a), rb = type_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	switch (ra) {
	case 3: {
		if (json_is_integer(a) && json_is_integer(b)) {
			json_int_t x = json_integer_value(a), y = json_integer_value(b);
			return (x > y) - (x < y);
		}
		double x = json_number_value(a), y = json_number_value(b);
		return (x > y) - (x < y);
	}
	case 4:
		return collate_strings(json_string_value(a), json_string_length(a), json_string_value(b),
				       json_string_length(b));
	case 5: {
		size_t na = json_array_size(a), nb = json_array_size(b);
		for (size_t i = 0; i < na && i < nb; i++) {
			int c = collate_json(json_array_get(a, i), json_array_get(b, i));
			if (c != 0)
				return c;
		}
		return (na > nb) - (na < nb);
	}
	case 6: {
		void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
		while (ia != NULL && ib != NULL) {
			const char *ka = json_object_iter_key(ia), *kb = json_object_iter_key(ib);
			int c = collate_strings(ka, strlen(ka), kb, strlen(kb));
			if (c == 0)
				c = collate_json(json_object_iter_value(ia), json_object_iter_value(ib));
			if (c != 0)
				return c;
			ia = json_object_iter_next((json_t *)a, ia);
			ib = json_object_iter_next((json_t *)b, ib);
		}
		return (ia != NULL) - (ib != NULL);
	}
	default:
		return 0; /* null, false, true: equal to themselves */
	}
}
