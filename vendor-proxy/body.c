/* Bodies in memory or in a shared spool file (see body.h). */
#include "vendor-proxy/body.h"

#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct spool {
	int fd;
	off_t end;
};

struct spool *spool_new(const char *dir, char *err)
{
	if (dir == NULL)
		dir = getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
	struct spool *sp = calloc(1, sizeof(*sp));
	struct buf path = {0};
	if (sp == NULL || buf_printf(&path, "%s/kh-vendor-spool-XXXXXX", dir) < 0) {
		free(sp);
		buf_free(&path);
		err_set(err, "out of memory");
		return NULL;
	}
	sp->fd = mkostemp(path.data, O_CLOEXEC);
	if (sp->fd < 0) {
		err_set(err, "%s: cannot create the body spool: %s", dir, strerror(errno));
		free(sp);
		buf_free(&path);
		return NULL;
	}
	/* Unlinked at once: nothing to clean up, whatever way the harness ends. */
	unlink(path.data);
	buf_free(&path);
	return sp;
}

void spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	close(sp->fd);
	free(sp);
}

/* Write data at the spool's end; its offset into *off. */
static int spool_write(struct spool *sp, const void *data, size_t n, off_t *off, char *err)
{
	*off = sp->end;
	const char *p = data;
	size_t left = n;
	while (left > 0) {
		ssize_t w = pwrite(sp->fd, p, left, sp->end);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, "body spool: %s", strerror(errno));
		}
		p += w;
		left -= (size_t)w;
		sp->end += w;
	}
	return 0;
}

static int body_add_extent(struct body *b, off_t off, size_t n, char *err)
{
	if (b->n_ext > 0 && b->ext[b->n_ext - 1].off + (off_t)b->ext[b->n_ext - 1].len == off) {
		b->ext[b->n_ext - 1].len += n;
		return 0;
	}
	if (b->n_ext == b->cap_ext) {
		size_t cap = b->cap_ext ? b->cap_ext * 2 : 8;
		struct body_extent *e = realloc(b->ext, cap * sizeof(*e));
		if (e == NULL)
			return err_set(err, "out of memory");
		b->ext = e;
		b->cap_ext = cap;
	}
	b->ext[b->n_ext++] = (struct body_extent){off, n};
	return 0;
}

/* RFC 3629's table: after a lead byte, how many continuation bytes come and the first one's range. */
static void utf8_feed(struct body *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n && !b->utf8_bad; i++) {
		unsigned char c = p[i];
		if (b->utf8_need > 0) {
			if (c < b->utf8_lo || c > b->utf8_hi) {
				b->utf8_bad = 1;
				return;
			}
			b->utf8_need--;
			b->utf8_lo = 0x80;
			b->utf8_hi = 0xBF;
			continue;
		}
		b->utf8_lo = 0x80;
		b->utf8_hi = 0xBF;
		if (c < 0x80)
			continue;
		if (c >= 0xC2 && c <= 0xDF)
			b->utf8_need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			b->utf8_need = 2;
			if (c == 0xE0)
				b->utf8_lo = 0xA0;
			if (c == 0xED)
				b->utf8_hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			b->utf8_need = 3;
			if (c == 0xF0)
				b->utf8_lo = 0x90;
			if (c == 0xF4)
				b->utf8_hi = 0x8F;
		} else {
			b->utf8_bad = 1;
		}
	}
}

int body_append(struct body *b, struct spool *sp, const void *data, size_t n, char *err)
{
	if (n == 0)
		return 0;
	utf8_feed(b, data, n);
	if (b->spool == NULL && (sp == NULL || b->len + n <= BODY_MEM_MAX)) {
		if (buf_append(&b->mem, data, n) < 0)
			return err_set(err, "out of memory");
		b->len += n;
		return 0;
	}
	if (b->spool == NULL) {
		/* Over the limit: what was in memory goes first. */
		b->spool = sp;
		off_t off;
		if (b->mem.len > 0) {
			if (spool_write(sp, b->mem.data, b->mem.len, &off, err) < 0 ||
			    body_add_extent(b, off, b->mem.len, err) < 0)
				return -1;
		}
		buf_free(&b->mem);
	}
	off_t off;
	if (spool_write(b->spool, data, n, &off, err) < 0 || body_add_extent(b, off, n, err) < 0)
		return -1;
	b->len += n;
	return 0;
}

int body_is_utf8(const struct body *b)
{
	return !b->utf8_bad && b->utf8_need == 0;
}

const char *body_mem(const struct body *b)
{
	if (b->spool != NULL)
		return NULL;
	return b->mem.data != NULL ? b->mem.data : "";
}

void body_free(struct body *b)
{
	buf_free(&b->mem);
	free(b->ext);
	memset(b, 0, sizeof(*b));
}

ssize_t body_read(struct body_reader *r, void *out, size_t cap, char *err)
{
	const struct body *b = r->b;
	if (r->pos >= b->len || cap == 0)
		return 0;
	if (b->spool == NULL) {
		size_t n = b->len - r->pos < cap ? b->len - r->pos : cap;
		memcpy(out, b->mem.data + r->pos, n);
		r->pos += n;
		return (ssize_t)n;
	}
	/* Extents are read in order: the reader remembers where it is. */
	while (r->ext < b->n_ext && r->in_ext >= b->ext[r->ext].len) {
		r->ext++;
		r->in_ext = 0;
	}
	if (r->ext >= b->n_ext)
		return 0;
	const struct body_extent *e = &b->ext[r->ext];
	size_t n = e->len - r->in_ext < cap ? e->len - r->in_ext : cap;
	ssize_t got = pread(b->spool->fd, out, n, e->off + (off_t)r->in_ext);
	if (got <= 0)
		return err_set(err, "body spool: %s", got < 0 ? strerror(errno) : "short read");
	r->pos += (size_t)got;
	r->in_ext += (size_t)got;
	return got;
}
