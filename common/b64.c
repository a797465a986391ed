/* Base64 in one place: md5sums, captured raw lines, JWT parts, Basic credentials. */
#include "common/b64.h"

#include <stdlib.h>
#include <string.h>

static const char std_tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_encode(struct buf *out, const void *data, size_t n, enum b64_alphabet a)
{
	const unsigned char *s = data;
	const char *tbl = a == B64_URL ? url_tbl : std_tbl;
	for (size_t i = 0; i < n; i += 3) {
		size_t left = n - i;
		unsigned v = (unsigned)s[i] << 16;
		if (left > 1)
			v |= (unsigned)s[i + 1] << 8;
		if (left > 2)
			v |= s[i + 2];
		char q[4] = {tbl[v >> 18 & 63], tbl[v >> 12 & 63], left > 1 ? tbl[v >> 6 & 63] : '=',
			     left > 2 ? tbl[v & 63] : '='};
		size_t w = 4;
		if (a == B64_URL)
			w = left > 2 ? 4 : left + 1;
		if (buf_append(out, q, w) < 0)
			return -1;
	}
	return 0;
}

/* Value of one character in either alphabet (url says which), or -1. */
static int b64_value(char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

char *b64_decode(const char *s, size_t n, size_t *out_len)
{
	if (n % 4 != 0)
		return NULL;
	char *o = malloc(n / 4 * 3 + 1);
	size_t w = 0;
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 4) {
		int last = i + 4 == n;
		int pad3 = s[i + 3] == '=', pad2 = s[i + 2] == '=';
		int a = b64_value(s[i], 0), b = b64_value(s[i + 1], 0);
		int c = pad2 ? 0 : b64_value(s[i + 2], 0), d = pad3 ? 0 : b64_value(s[i + 3], 0);
		if (a < 0 || b < 0 || c < 0 || d < 0 || ((pad2 || pad3) && !last) || (pad2 && !pad3)) {
			free(o);
			return NULL;
		}
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		o[w++] = (char)(v >> 16);
		if (!pad2)
			o[w++] = (char)(v >> 8);
		if (!pad3)
			o[w++] = (char)v;
	}
	o[w] = '\0';
	*out_len = w;
	return o;
}

char *b64_decode_lenient(const char *s, size_t *out_len)
{
	size_t len = strlen(s);
	char *out = malloc(len / 4 * 3 + 4);
	if (out == NULL)
		return NULL;
	unsigned acc = 0;
	int bits = 0;
	size_t j = 0;
	for (size_t i = 0; i < len && s[i] != '='; i++) {
		int v = b64_value(s[i], 0);
		if (v < 0)
			v = b64_value(s[i], 1);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[j++] = (char)(acc >> bits & 0xff);
		}
	}
	out[j] = '\0';
	if (out_len)
		*out_len = j;
	return out;
}
