/*
 * Message bodies while recording: kept in memory up to BODY_MEM_MAX, then in
 * a spool (one unlinked temporary file shared by every body of a recording,
 * each body a list of extents in it), so a 50 MB PDF never sits in memory.
 * Tracks whether the bytes are valid UTF-8 (the HAR keeps text as text,
 * anything else as base64).
 */
#ifndef VENDOR_PROXY_BODY_H
#define VENDOR_PROXY_BODY_H

#include "common/buf.h"

#include <stddef.h>
#include <sys/types.h>

#define BODY_MEM_MAX (256 * 1024)

struct spool;
/* An unlinked temporary file in dir (NULL: $TMPDIR or /tmp). */
struct spool *spool_new(const char *dir, char *err);
void spool_free(struct spool *sp);

struct body_extent {
	off_t off;
	size_t len;
};

struct body {
	struct buf mem;          /* the bytes while they fit */
	struct body_extent *ext; /* or their places in the spool */
	size_t n_ext, cap_ext;
	struct spool *spool; /* borrowed, set once spooled */
	size_t len;
	unsigned char utf8_need, utf8_lo, utf8_hi; /* continuation bytes to come, the next one's range */
	int utf8_bad;
};

/* Append bytes (to the spool sp once over BODY_MEM_MAX; sp NULL: memory only). */
int body_append(struct body *b, struct spool *sp, const void *data, size_t n, char *err);
/* Are all the bytes so far valid UTF-8, ending on a whole character? */
int body_is_utf8(const struct body *b);
/* The bytes when they are in memory (NUL-terminated), else NULL. */
const char *body_mem(const struct body *b);
void body_free(struct body *b);

/* Reading a body back in order. */
struct body_reader {
	const struct body *b;
	size_t pos;
	size_t ext, in_ext; /* spooled: the extent being read and the offset in it */
};
/* Up to cap bytes; 0 at the end, -1 on a read error. */
ssize_t body_read(struct body_reader *r, void *out, size_t cap, char *err);

#endif
