/* MD5 written from the RFC 1321 description (no library at hand exports one). */
#include "common/md5.h"
#include "common/b64.h"
#include <stdlib.h>

#include <string.h>

/* Per-round shift amounts and the sine-derived constants T[i] = floor(2^32 * |sin(i+1)|). */
static const unsigned char md5_shift[64] = {
	7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
	14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
	4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21,
};
static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

void md5_init(struct md5 *m)
{
	m->state[0] = 0x67452301;
	m->state[1] = 0xefcdab89;
	m->state[2] = 0x98badcfe;
	m->state[3] = 0x10325476;
	m->bytes = 0;
	m->fill = 0;
}

/* One 64-byte block through the four rounds. */
static void md5_block(uint32_t st[4], const unsigned char *p)
{
	uint32_t x[16];
	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 | (uint32_t)p[i * 4 + 2] << 16 |
		       (uint32_t)p[i * 4 + 3] << 24;
	uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		uint32_t t = a + f + md5_k[i] + x[g];
		a = d;
		d = c;
		c = b;
		b = b + ((t << md5_shift[i]) | (t >> (32 - md5_shift[i])));
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
}

void md5_update(struct md5 *m, const void *data, size_t len)
{
	const unsigned char *p = data;
	m->bytes += len;
	if (m->fill > 0) {
		size_t take = 64 - m->fill < len ? 64 - m->fill : len;
		memcpy(m->block + m->fill, p, take);
		m->fill += take;
		p += take;
		len -= take;
		if (m->fill < 64)
			return;
		md5_block(m->state, m->block);
		m->fill = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		md5_block(m->state, p);
	memcpy(m->block, p, len);
	m->fill = len;
}

void md5_final(struct md5 *m, unsigned char digest[16])
{
	uint64_t bits = m->bytes * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (m->fill < 56 ? 56 : 120) - m->fill;
	unsigned char lenb[8];
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (8 * i));
	md5_update(m, pad, padlen);
	md5_update(m, lenb, 8);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			digest[i * 4 + j] = (unsigned char)(m->state[i] >> (8 * j));
}

void md5_hex(const void *data, size_t len, char out[33])
{
	struct md5 m;
	unsigned char d[16];
	md5_init(&m);
	md5_update(&m, data, len);
	md5_final(&m, d);
	for (int i = 0; i < 16; i++)
		out[i * 2] = "0123456789abcdef"[d[i] >> 4], out[i * 2 + 1] = "0123456789abcdef"[d[i] & 15];
	out[32] = '\0';
}

void md5_to_base64(const unsigned char d[16], char out[25])
{
	struct buf b = {0};
	char tmp[25] = "";
	if (b64_encode(&b, d, 16, B64_STD) == 0 && b.len == 24)
		memcpy(tmp, b.data, 24);
	buf_free(&b);
	memcpy(out, tmp, 25);
}

/* stack: model/vfs/vfs.go parseMD5Hash wants std base64 decoding to 16 bytes; Go's StdEncoding needs
 * the padding, so 24 chars ending "==" is the only valid form. */
int md5_from_base64(const char *s, unsigned char digest[16])
{
	size_t n = 0;
	char *d = strlen(s) == 24 ? b64_decode(s, 24, &n) : NULL;
	int ok = d != NULL && n == 16;
	if (ok)
		memcpy(digest, d, 16);
	free(d);
	return ok ? 0 : -1;
}
