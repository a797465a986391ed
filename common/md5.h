/* MD5 (RFC 1321), incremental, for upload checksums (Cozy md5sum / Content-MD5). */
#ifndef COMMON_MD5_H
#define COMMON_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t state[4];
	uint64_t bytes; /* total length so far */
	unsigned char block[64];
	size_t fill; /* bytes waiting in block */
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *data, size_t len);
void md5_final(struct md5 *m, unsigned char digest[16]);
/* One-shot helpers: the digest as 32 lowercase hex chars, or as base64 (24 chars, padded). */
void md5_hex(const void *data, size_t len, char out[33]);
void md5_to_base64(const unsigned char digest[16], char out[25]);
/* Decode a Content-MD5 value as the stack does (22 to 24 base64 chars giving 16 bytes); 0 or -1. */
int md5_from_base64(const char *s, unsigned char digest[16]);

#endif
