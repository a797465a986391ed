/* Percent-decoding, for URLs (path segments, query values) and for ids kept in file names. */
#ifndef COMMON_PCT_H
#define COMMON_PCT_H

#include <stddef.h>

#define PCT_PLUS_IS_SPACE 1 /* '+' decodes to ' ' (query strings; the stack's QueryUnescape) */
#define PCT_REJECT_NUL 2    /* "%00" is an error rather than a NUL byte */

/* Decode len bytes of s into a malloc'd NUL-terminated string; NULL on a bad escape or no memory. */
char *pct_decode(const char *s, size_t len, int flags);

#endif
