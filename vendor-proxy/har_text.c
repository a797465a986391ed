/*
 * Serving a body kept in a HAR file: the raw JSON string of a byte range is
 * JSON-unescaped and, for base64 content, decoded, as the konnector takes
 * it. Runs without a backslash (nearly all of a base64 PDF) go through in
 * bulk.
 */
#include "vendor-proxy/har.h"

#include "common/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)

void har_text_reader_init(struct har_text_reader *r, int fd, const struct har_text *t)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->t = t;
	r->pos = t->start;
}

void har_text_reader_free(struct har_text_reader *r)
{
	buf_free(&r->out);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Base64 values of both alphabets (RFC 4648 4 and 5); -1 elsewhere, -2 for white space. */
static signed char b64_table[256];

static void b64_table_init(void)
{
	if (b64_table['A'] != 0)
		return;
	memset(b64_table, -1, sizeof(b64_table));
	for (int i = 0; i < 26; i++) {
		b64_table['A' + i] = (signed char)i;
		b64_table['a' + i] = (signed char)(26 + i);
	}
	for (int i = 0; i < 10; i++)
		b64_table['0' + i] = (signed char)(52 + i);
	b64_table['+'] = b64_table['-'] = 62;
	b64_table['/'] = b64_table['_'] = 63;
	b64_table[' '] = b64_table['\n'] = b64_table['\r'] = b64_table['\t'] = -2;
}

/* Decode the group held in r->b64 (r->nb64 sextets): 4 give 3 bytes, 3 give 2, 2 give 1. */
static int b64_group(struct har_text_reader *r, unsigned char *out, size_t *o)
{
	int n = r->nb64;
	r->nb64 = 0;
	if (n == 1)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 6 | (i < n ? r->b64[i] : 0u);
	unsigned char bytes[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
	for (int i = 0; i < n - 1; i++)
		out[(*o)++] = bytes[i];
	return 0;
}

/* Unescaped text bytes: straight to the output, or through the base64 decoder. */
static int emit(struct har_text_reader *r, const char *p, size_t n)
{
	if (!r->t->base64)
		return buf_append(&r->out, p, n);
	unsigned char tmp[3 * 1024];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '=') {
			/* Padding ends the data: decode the partial group once. */
			if (!r->b64_end && r->nb64 > 0 && b64_group(r, tmp, &o) < 0)
				return -1;
			r->b64_end = 1;
			continue;
		}
		int v = b64_table[c];
		if (v == -2)
			continue;
		if (v < 0 || r->b64_end)
			return -1;
		r->b64[r->nb64++] = (unsigned char)v;
		if (r->nb64 == 4)
			b64_group(r, tmp, &o);
		if (o > sizeof(tmp) - 3) {
			if (buf_append(&r->out, tmp, o) < 0)
				return -1;
			o = 0;
		}
	}
	return o > 0 ? buf_append(&r->out, tmp, o) : 0;
}

/* A code point as UTF-8 (a lone surrogate becomes U+FFFD, as JSON.parse-then-write would). */
static int emit_code_point(struct har_text_reader *r, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return emit(r, u, n);
}

/* One character after a backslash, or inside \uXXXX (r->esc counts 2..5 for the four digits). */
static int unescape_one(struct har_text_reader *r, char c)
{
	if (r->esc == 1) {
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		if (c == 'u') {
			r->esc = 2;
			r->hex = 0;
			return 0;
		}
		const char *k = c != '\0' ? strchr(from, c) : NULL;
		if (k == NULL)
			return -1;
		r->esc = 0;
		return emit(r, &to[k - from], 1);
	}
	int v = hexval(c);
	if (v < 0)
		return -1;
	r->hex = r->hex * 16 + (unsigned)v;
	if (++r->esc < 6)
		return 0;
	r->esc = 0;
	unsigned cp = r->hex;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		r->high = cp; /* wait for the low half */
		return 0;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF && r->high != 0)
		cp = 0x10000 + ((r->high - 0xD800) << 10) + (cp - 0xDC00);
	r->high = 0;
	return emit_code_point(r, cp);
}

/* JSON-unescape raw bytes: runs between backslashes in bulk. */
static int unescape(struct har_text_reader *r, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (r->esc != 0) {
			if (unescape_one(r, p[i]) < 0)
				return -1;
			i++;
			continue;
		}
		const char *bs = memchr(p + i, '\\', n - i);
		size_t end = bs ? (size_t)(bs - p) : n;
		if (end > i && emit(r, p + i, end - i) < 0)
			return -1;
		i = end;
		if (bs != NULL) {
			r->esc = 1;
			i++;
		}
	}
	return 0;
}

ssize_t har_text_read(struct har_text_reader *r, char *dst, size_t cap, char *err)
{
	const struct har_text *t = r->t;
	if (!t->in_file) {
		size_t n = t->len - r->taken < cap ? t->len - r->taken : cap;
		memcpy(dst, t->mem + r->taken, n);
		r->taken += n;
		return (ssize_t)n;
	}
	b64_table_init();
	char raw[READ_CHUNK];
	while (r->out.len == 0 && r->pos < t->end) {
		size_t want = (size_t)(t->end - r->pos) < sizeof(raw) ? (size_t)(t->end - r->pos) : sizeof(raw);
		ssize_t n = pread(r->fd, raw, want, r->pos);
		if (n <= 0)
			return err_set(err, "HAR body: %s", n < 0 ? strerror(errno) : "the file got shorter");
		r->pos += n;
		if (unescape(r, raw, (size_t)n) < 0)
			return err_set(err, "HAR body near byte %jd: malformed %s", (intmax_t)r->pos,
				       t->base64 ? "base64" : "JSON string");
	}
	if (r->pos >= t->end && r->out.len == 0) {
		if (r->esc != 0)
			return err_set(err, "HAR body: the text ends in the middle of an escape");
		if (t->base64 && r->nb64 > 0 && !r->b64_end) {
			/* Unpadded base64 ends with a partial group. */
			unsigned char tmp[3];
			size_t o = 0;
			if (b64_group(r, tmp, &o) < 0)
				return err_set(err, "HAR body: base64 ends with a lone character");
			buf_append(&r->out, tmp, o);
		}
	}
	size_t n = r->out.len < cap ? r->out.len : cap;
	memcpy(dst, r->out.data, n);
	buf_consume(&r->out, n);
	return (ssize_t)n;
}

long long har_text_size(int fd, const struct har_text *t, char *err)
{
	if (!t->in_file)
		return (long long)t->len;
	long long raw = (long long)(t->end - t->start);
	if (!t->escaped && !t->base64)
		return raw;
	if (!t->escaped && raw % 4 == 0 && raw >= 4) {
		/* Base64 as this writer writes it (no white space): its size is in its length and padding. */
		char tail[2];
		if (pread(fd, tail, 2, t->end - 2) == 2)
			return raw / 4 * 3 - (tail[1] == '=') - (tail[0] == '=');
	}
	/* Anything else: decode it once through. */
	struct har_text_reader r;
	har_text_reader_init(&r, fd, t);
	char chunk[READ_CHUNK];
	long long total = 0;
	ssize_t n;
	while ((n = har_text_read(&r, chunk, sizeof(chunk), err)) > 0)
		total += n;
	har_text_reader_free(&r);
	return n < 0 ? -1 : total;
}
