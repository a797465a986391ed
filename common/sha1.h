/* SHA-1 (FIPS 180-4), for CouchDB-like generated index names. */
#ifndef COMMON_SHA1_H
#define COMMON_SHA1_H

#include <stddef.h>

/* 40 lowercase hex digits and a NUL into out[41]. */
void sha1_hex(const void *data, size_t len, char *out);

#endif
