/*
 * The request journal: entries kept as their compact JSON lines (a jansson
 * tree per entry cost ~2 KB: a served benchmark grew to 200 MB), parsed back
 * only when journal_entries is asked for them.
 */
#include "fake-stack/http/journal.h"
#include "common/isotime.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A ring of the last entries (JOURNAL_MAX_ENTRIES, JOURNAL_MAX_BYTES): O(1) per request, no pause when the oldest go.
 */
struct journal {
	char **ring; /* compact JSON lines, no newline */
	size_t head, count;
	size_t bytes; /* of the lines in the ring */
	size_t dropped;
	json_t *view; /* the array journal_entries hands out, rebuilt after a change */
};

struct journal *journal_new(void)
{
	struct journal *j = calloc(1, sizeof(*j));
	if (j != NULL && (j->ring = calloc(JOURNAL_MAX_ENTRIES, sizeof(*j->ring))) == NULL) {
		free(j);
		return NULL;
	}
	return j;
}

static const char *ring_at(const struct journal *j, size_t i)
{
	return j->ring[(j->head + i) % JOURNAL_MAX_ENTRIES];
}

/* Forget the oldest entry. */
static void ring_drop(struct journal *j)
{
	j->bytes -= strlen(j->ring[j->head]);
	free(j->ring[j->head]);
	j->ring[j->head] = NULL;
	j->head = (j->head + 1) % JOURNAL_MAX_ENTRIES;
	j->count--;
	j->dropped++;
}

void journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	journal_clear(j);
	free(j->ring);
	free(j);
}

void journal_time_now(char out[32])
{
	isotime_now(ISOTIME_MILLIS, out, 32, NULL);
}

/* Length of the longest prefix of s (at most max bytes) that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* The first JOURNAL_BODY_MAX bytes (UTF-8 boundary) as a JSON string, NULL when not UTF-8. */
static json_t *journal_body_cut(const char *data, size_t len)
{
	return json_stringn(data, utf8_cut(data, len, JOURNAL_BODY_MAX));
}

/* Members whose values never reach the journal (refresh answers and account docs carry them). */
static const char *const secret_keys[] = {"access_token", "refresh_token", "client_secret",
					  "password",     "secret",        "id_token"};

/* Index just past the JSON string opening at s[i] == '"' (len when it is cut short). */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	const char *e = jtext_skip_string(s + i, s + len);
	return e != NULL ? (size_t)(e - s) : len;
}

/* Index just past the JSON value starting at s[i] (len when it is cut short, i when there is none). */
static size_t skip_value(const char *s, size_t len, size_t i)
{
	if (i >= len || s[i] == ',' || s[i] == '}' || s[i] == ']')
		return i;
	const char *e = jtext_skip(s + i, s + len);
	return e != NULL ? (size_t)(e - s) : len;
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* Is the string token s[a..b) (quotes excluded, no escapes) one of the secret names? */
static int is_secret_key(const char *s, size_t a, size_t b)
{
	for (size_t k = 0; k < sizeof(secret_keys) / sizeof(secret_keys[0]); k++)
		if (strlen(secret_keys[k]) == b - a && memcmp(s + a, secret_keys[k], b - a) == 0)
			return 1;
	return 0;
}

int journal_redact(const char *data, size_t len, char **out_data, size_t *out_len)
{
	int redacted = 0;
	static const char mask[] = "\"<redacted>\"";
	struct buf out = {0};
	size_t copied = 0; /* data[0..copied) is in out already */
	size_t i = 0;
	while (i < len) {
		if (data[i] != '"') {
			i++;
			continue;
		}
		size_t end = skip_string(data, len, i);
		size_t colon = skip_space(data, len, end);
		if (colon >= len || data[colon] != ':' || end - i < 2 || !is_secret_key(data, i + 1, end - 1)) {
			i = end;
			continue;
		}
		size_t v = skip_space(data, len, colon + 1);
		size_t vend = skip_value(data, len, v);
		/* null and "" say something useful (no token) and hide nothing. */
		int empty = (vend - v == 4 && memcmp(data + v, "null", 4) == 0) ||
			    (vend - v == 2 && memcmp(data + v, "\"\"", 2) == 0) || vend == v;
		if (!empty) {
			if (buf_append(&out, data + copied, v - copied) < 0 ||
			    buf_append(&out, mask, sizeof(mask) - 1) < 0) {
				buf_free(&out);
				return -1;
			}
			copied = vend;
			redacted = 1;
		}
		i = vend > end ? vend : end;
	}
	if (!redacted)
		return 0;
	if (buf_append(&out, data + copied, len - copied) < 0) {
		buf_free(&out);
		return -1;
	}
	*out_len = out.len;
	*out_data = buf_steal(&out);
	return 1;
}

json_t *journal_body(const char *data, size_t len)
{
	if (data == NULL || len == 0)
		return json_string("");
	char *red = NULL;
	size_t rlen = 0;
	int rc = journal_redact(data, len, &red, &rlen);
	if (rc < 0)
		return json_string("<body withheld: out of memory>");
	json_t *s = rc > 0 ? journal_body_cut(red, rlen) : journal_body_cut(data, len);
	free(red);
	if (s != NULL)
		return s;
	char note[64];
	snprintf(note, sizeof(note), "<%zu bytes, binary>", len);
	return json_string(note);
}

int journal_add(struct journal *j, const struct journal_entry *e)
{
	json_t *o = json_object();
	if (o == NULL)
		return -1;
	json_object_set_new(o, "time", json_string(e->time ? e->time : ""));
	json_object_set_new(o, "method", json_string(e->method ? e->method : ""));
	json_t *path = json_string(e->path ? e->path : "");
	json_object_set_new(o, "path", path ? path : json_string("<not UTF-8>"));
	json_object_set_new(o, "query", e->query ? json_deep_copy(e->query) : json_object());
	json_object_set_new(o, "status", json_integer(e->status));
	json_object_set_new(o, "duration_ms", json_integer(e->duration_ms));
	json_object_set_new(o, "auth", json_string(e->auth ? e->auth : "none"));
	json_object_set_new(o, "request_body", journal_body(e->request_body, e->request_body_len));
	json_object_set_new(o, "response_body", journal_body(e->response_body, e->response_body_len));
	if (e->forbidden != NULL)
		json_object_set_new(o, "forbidden", json_string(e->forbidden));
	if (e->differs != NULL)
		json_object_set_new(o, "differs", json_string(e->differs));
	char *line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (line == NULL)
		return -1;
	size_t n = strlen(line);
	while (j->count > 0 && (j->count == JOURNAL_MAX_ENTRIES || j->bytes + n > JOURNAL_MAX_BYTES))
		ring_drop(j);
	j->ring[(j->head + j->count) % JOURNAL_MAX_ENTRIES] = line;
	j->count++;
	j->bytes += n;
	json_decref(j->view);
	j->view = NULL;
	return 0;
}

const json_t *journal_entries(const struct journal *j)
{
	struct journal *mj = (struct journal *)j; /* the view is a cache */
	if (mj->view == NULL) {
		mj->view = json_array();
		for (size_t i = 0; mj->view != NULL && i < j->count; i++)
			json_array_append_new(mj->view, json_loads(ring_at(j, i), 0, NULL));
	}
	return mj->view;
}

void journal_clear(struct journal *j)
{
	while (j->count > 0)
		ring_drop(j);
	j->head = j->count = j->bytes = 0;
	j->dropped = 0;
	json_decref(j->view);
	j->view = NULL;
}

int journal_write(const struct journal *j, const char *path, char *err)
{
	struct buf b = {0};
	size_t i;
	for (i = 0; i < j->count; i++) {
		if (buf_puts(&b, ring_at(j, i)) < 0 || buf_append(&b, "\n", 1) < 0) {
			buf_free(&b);
			return err_set(err, "out of memory");
		}
	}
	int rc = atomic_write(path, b.data ? b.data : "", b.len, err);
	buf_free(&b);
	return rc;
}
