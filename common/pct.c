#include "common/pct.h"

#include <stdlib.h>

static int pct_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *pct_decode(const char *s, size_t len, int flags)
{
	char *out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			int a = i + 2 < len ? pct_hexval((unsigned char)s[i + 1]) : -1;
			int b = i + 2 < len ? pct_hexval((unsigned char)s[i + 2]) : -1;
			if (a < 0 || b < 0 || ((flags & PCT_REJECT_NUL) && a == 0 && b == 0)) {
				free(out);
				return NULL;
			}
			out[j++] = (char)(a * 16 + b);
			i += 2;
		} else if (s[i] == '+' && (flags & PCT_PLUS_IS_SPACE)) {
			out[j++] = ' ';
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}
