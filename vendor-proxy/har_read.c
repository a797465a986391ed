/*
 * The HAR reader (see har.h). The file is read once in chunks into a
 * skeleton: the JSON text with every string longer than INLINE_MAX replaced
 * by a marker naming its byte range, so jansson only ever holds the small
 * parts and a 50 MB PDF stays on disk until it is served.
 */
#include "vendor-proxy/har.h"

#include "common/b64.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INLINE_MAX (64 * 1024)
#define READ_CHUNK (64 * 1024)
#define RANGE_MARK "\x01kh-range:"

/* The skeleton builder's state across chunks. */
struct skel {
	struct buf out;
	int in_string, esc, elided, escaped;
	off_t str_start;
	struct buf str; /* the current string's content while short */
};

/* Feed one chunk read at file offset base. */
static int skel_feed(struct skel *k, const char *p, size_t n, off_t base)
{
	size_t i = 0;
	while (i < n) {
		if (!k->in_string) {
			/* Copy up to and including the next quote. */
			const char *q = memchr(p + i, '"', n - i);
			size_t end = q ? (size_t)(q - p) + 1 : n;
			if (buf_append(&k->out, p + i, end - i) < 0)
				return -1;
			if (q != NULL) {
				k->in_string = 1;
				k->esc = k->elided = k->escaped = 0;
				k->str_start = base + (off_t)end;
				buf_reset(&k->str);
			}
			i = end;
			continue;
		}
		/* Inside a string: find its closing quote, minding escapes. */
		size_t j = i;
		for (; j < n; j++) {
			if (k->esc) {
				k->esc = 0;
			} else if (p[j] == '\\') {
				k->esc = 1;
				k->escaped = 1;
			} else if (p[j] == '"') {
				break;
			}
		}
		if (!k->elided && buf_append(&k->str, p + i, j - i) < 0)
			return -1;
		if (!k->elided && k->str.len > INLINE_MAX) {
			k->elided = 1;
			buf_free(&k->str);
		}
		if (j == n) {
			i = n;
			continue;
		}
		/* The closing quote at j. */
		if (k->elided) {
			if (buf_printf(&k->out, "\\u0001kh-range:%jd:%jd:%d\"", (intmax_t)k->str_start,
				       (intmax_t)(base + (off_t)j), k->escaped) < 0)
				return -1;
		} else if (buf_append(&k->out, k->str.data ? k->str.data : "", k->str.len) < 0 ||
			   buf_append(&k->out, "\"", 1) < 0) {
			return -1;
		}
		k->in_string = 0;
		i = j + 1;
	}
	return 0;
}

/* A string member, NULL when absent or not a string. */
static const char *str_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static char *dup_of(const json_t *o, const char *k)
{
	const char *s = str_of(o, k);
	return s != NULL ? strdup(s) : NULL;
}

/* A string value that may be a range marker, into a har_text. */
static int text_from(const json_t *s, int base64, struct har_text *t)
{
	memset(t, 0, sizeof(*t));
	t->base64 = base64;
	const char *v = json_string_value(s);
	size_t n = json_string_length(s);
	if (v == NULL) {
		t->mem = strdup("");
		return t->mem ? 0 : -1;
	}
	intmax_t a, b;
	int esc;
	if (n > strlen(RANGE_MARK) && memcmp(v, RANGE_MARK, strlen(RANGE_MARK)) == 0 &&
	    sscanf(v + strlen(RANGE_MARK), "%jd:%jd:%d", &a, &b, &esc) == 3) {
		t->in_file = 1;
		t->start = (off_t)a;
		t->end = (off_t)b;
		t->escaped = esc;
		return 0;
	}
	if (base64) {
		t->mem = b64_decode_lenient(v, &t->len);
		return t->mem != NULL ? 0 : -1;
	}
	t->mem = malloc(n + 1);
	if (t->mem == NULL)
		return -1;
	memcpy(t->mem, v, n);
	t->mem[n] = '\0';
	t->len = n;
	return 0;
}

/* A whole text in memory (request bodies are matched, so they are always loaded). */
static char *text_load(int fd, const struct har_text *t, size_t *len, char *err)
{
	if (!t->in_file) {
		*len = t->len;
		char *c = malloc(t->len + 1);
		if (c != NULL) {
			memcpy(c, t->mem, t->len);
			c[t->len] = '\0';
		}
		return c;
	}
	struct har_text_reader r;
	har_text_reader_init(&r, fd, t);
	struct buf b = {0};
	char chunk[READ_CHUNK];
	ssize_t n;
	while ((n = har_text_read(&r, chunk, sizeof(chunk), err)) > 0)
		buf_append(&b, chunk, (size_t)n);
	har_text_reader_free(&r);
	if (n < 0) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, "", 0);
	*len = b.len;
	return buf_steal(&b);
}

static void record_free(struct har_record *r)
{
	free(r->method);
	free(r->url);
	free(r->req_mime);
	free(r->req_body);
	free(r->status_text);
	http1_headers_free(&r->resp_headers);
	free(r->content.mem);
	free(r->error);
}

/* One entry into a record; -1 with err naming the member that is missing. */
static int record_from(int fd, const json_t *e, size_t idx, struct har_record *r, const char *path, char *err)
{
	const json_t *req = json_object_get(e, "request"), *res = json_object_get(e, "response");
	if (!json_is_object(req) || !json_is_object(res))
		return err_set(err, "%s: entries[%zu]: no request or response object", path, idx);
	if (str_of(req, "method") == NULL || str_of(req, "url") == NULL)
		return err_set(err, "%s: entries[%zu]: request.method and request.url must be strings", path, idx);
	if (!json_is_integer(json_object_get(res, "status")))
		return err_set(err, "%s: entries[%zu]: response.status must be a number", path, idx);
	r->method = dup_of(req, "method");
	r->url = dup_of(req, "url");
	r->status = (int)json_integer_value(json_object_get(res, "status"));
	r->status_text = dup_of(res, "statusText");
	r->error = dup_of(res, "_error");
	const json_t *pd = json_object_get(req, "postData");
	if (json_is_object(pd)) {
		r->req_mime = dup_of(pd, "mimeType");
		struct har_text t;
		const char *enc = str_of(pd, "_encoding");
		if (text_from(json_object_get(pd, "text"), enc != NULL && strcmp(enc, "base64") == 0, &t) < 0)
			return err_set(err, "%s: entries[%zu]: request.postData.text is not valid base64", path, idx);
		r->req_body = text_load(fd, &t, &r->req_body_len, err);
		free(t.mem);
		if (r->req_body == NULL)
			return -1;
	}
	const json_t *hs = json_object_get(res, "headers");
	size_t i;
	const json_t *h;
	json_array_foreach (hs, i, h) {
		if (str_of(h, "name") != NULL && str_of(h, "value") != NULL)
			http1_headers_add(&r->resp_headers, str_of(h, "name"), str_of(h, "value"));
	}
	const json_t *content = json_object_get(res, "content");
	const char *enc = str_of(content, "encoding");
	if (text_from(json_object_get(content, "text"), enc != NULL && strcmp(enc, "base64") == 0, &r->content) < 0)
		return err_set(err, "%s: entries[%zu]: response.content.text is not valid base64", path, idx);
	return 0;
}

/* Read the file into a skeleton; -1 with err. */
static int skel_read(int fd, const char *path, struct skel *k, char *err)
{
	char *chunk = malloc(READ_CHUNK);
	if (chunk == NULL)
		return err_set(err, "out of memory");
	off_t base = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(err, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (skel_feed(k, chunk, (size_t)n, base) < 0) {
			rc = err_set(err, "out of memory");
			break;
		}
		base += n;
	}
	free(chunk);
	return rc;
}

int har_read(const char *path, struct har_file *out, char *err)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, "%s: %s", path, strerror(errno));
	struct skel k = {0};
	if (skel_read(fd, path, &k, err) < 0) {
		buf_free(&k.out);
		buf_free(&k.str);
		close(fd);
		return -1;
	}
	buf_free(&k.str);
	json_error_t je;
	json_t *root = json_loadb(k.out.data ? k.out.data : "", k.out.len, JSON_ALLOW_NUL, &je);
	buf_free(&k.out);
	if (root == NULL) {
		close(fd);
		return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	const json_t *entries = json_object_get(json_object_get(root, "log"), "entries");
	if (!json_is_array(entries)) {
		json_decref(root);
		close(fd);
		return err_set(err, "%s: not a HAR file (no log.entries array)", path);
	}
	out->fd = fd;
	out->path = strdup(path);
	out->v = calloc(json_array_size(entries) + 1, sizeof(*out->v));
	if (out->path == NULL || out->v == NULL) {
		json_decref(root);
		har_file_free(out);
		return err_set(err, "out of memory");
	}
	size_t i;
	const json_t *e;
	json_array_foreach (entries, i, e) {
		out->n = i + 1;
		if (record_from(fd, e, i, &out->v[i], path, err) < 0) {
			json_decref(root);
			har_file_free(out);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

void har_file_free(struct har_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		record_free(&f->v[i]);
	free(f->v);
	free(f->path);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
