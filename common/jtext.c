/* Scanning JSON text: skip a string or a value, find a top-level member. */
#include "common/jtext.h"

#include <jansson.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

const char *jtext_skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

const char *jtext_skip(const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return jtext_skip_string(p, end);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		while (p < end) {
			char c = *p;
			if (c == '"') {
				p = jtext_skip_string(p, end);
				if (p == NULL)
					return NULL;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return NULL;
	}
	const char *start = p;
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	return p > start ? p : NULL;
}

/* Is the raw string token body [s, s+n) (escapes kept) the key? */
static int key_equal(const char *s, size_t n, const char *key, size_t klen)
{
	if (memchr(s, '\\', n) == NULL)
		return n == klen && memcmp(s, key, n) == 0;
	json_t *k = json_loadb(s - 1, n + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	int eq = json_is_string(k) && json_string_length(k) == klen && memcmp(json_string_value(k), key, klen) == 0;
	json_decref(k);
	return eq;
}

int jtext_member(const char *p, const char *end, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return 0;
	for (;;) {
		if (p >= end || *p != '"')
			return -1;
		const char *kend = jtext_skip_string(p, end);
		if (kend == NULL)
			return -1;
		int eq = key_equal(p + 1, (size_t)(kend - p - 2), key, klen);
		p = skip_ws(kend, end);
		if (p >= end || *p != ':')
			return -1;
		p = skip_ws(p + 1, end);
		const char *vend = jtext_skip(p, end);
		if (vend == NULL)
			return -1;
		if (eq) {
			*val = p;
			*vlen = (size_t)(vend - p);
			return 1;
		}
		p = skip_ws(vend, end);
		if (p < end && *p == '}')
			return 0;
		if (p >= end || *p != ',')
			return -1;
		p = skip_ws(p + 1, end);
	}
}

int jtext_index(const char *p, const char *end, size_t pos, const char **val, size_t *vlen)
{
	p = skip_ws(p, end);
	if (p >= end || *p != '[')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return 0;
	for (size_t i = 0;; i++) {
		const char *vend = jtext_skip(p, end);
		if (vend == NULL)
			return -1;
		if (i == pos) {
			*val = p;
			*vlen = (size_t)(vend - p);
			return 1;
		}
		p = skip_ws(vend, end);
		if (p < end && *p == ']')
			return 0;
		if (p >= end || *p != ',')
			return -1;
		p = skip_ws(p + 1, end);
	}
}
