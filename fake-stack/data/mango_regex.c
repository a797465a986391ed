/*
 * $regex: CouchDB runs PCRE (Erlang re, src/mango/src/mango_selector.erl
 * match $regex); we use POSIX extended regexes as an approximation, with \d,
 * \D and a leading (?i) translated. Patterns using other PCRE-only syntax
 * (lazy quantifiers, lookarounds) are refused as a bad argument where CouchDB
 * would accept them.
 */
#include "fake-stack/data/mango_int.h"

#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

/* Translate the PCRE bits we support into POSIX ERE; *icase set by a leading (?i). */
static char *regex_to_ere(const char *re, int *icase)
{
	struct buf b = {0};
	*icase = 0;
	if (strncmp(re, "(?i)", 4) == 0) {
		*icase = 1;
		re += 4;
	}
	int in_class = 0;
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			if (!in_class && (p[1] == 'd' || p[1] == 'D')) {
				buf_puts(&b, p[1] == 'd' ? "[0-9]" : "[^0-9]");
			} else {
				buf_append(&b, p, 2);
			}
			p++;
			continue;
		}
		if (*p == '[')
			in_class = 1;
		else if (*p == ']')
			in_class = 0;
		buf_append(&b, p, 1);
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_steal(&b);
}

int mango_regex_compile(regex_t *rx, const char *pattern)
{
	int icase;
	char *ere = regex_to_ere(pattern, &icase);
	int rc = regcomp(rx, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	free(ere);
	return rc;
}
