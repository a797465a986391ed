#ifndef COMMON_B64_H
#define COMMON_B64_H
/* Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe one without. */
#include <stddef.h>

#include "common/buf.h"

enum b64_alphabet { B64_STD, B64_URL };

/* Append the encoding of data to out (STD pads with '=', URL does not); -1 when out cannot grow. */
int b64_encode(struct buf *out, const void *data, size_t n, enum b64_alphabet a);
/* Strict standard base64 (length a multiple of 4, '=' only at the end) into a malloc'd, NUL-terminated
 * buffer of *out_len bytes; NULL when malformed. */
char *b64_decode(const char *s, size_t n, size_t *out_len);
/* Either alphabet, padding optional, stops at the first '='; NULL on any other character. */
char *b64_decode_lenient(const char *s, size_t *out_len);

#endif
