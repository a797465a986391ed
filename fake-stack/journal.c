/* The request journal: entries in a jansson array, written as JSON lines. */
#include "fake-stack/journal.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct journal {
	json_t *entries;
	size_t dropped;
};

struct journal *journal_new(void)
{
	struct journal *j = calloc(1, sizeof(*j));
	if (j != NULL && (j->entries = json_array()) == NULL) {
		free(j);
		return NULL;
	}
	return j;
}

void journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	json_decref(j->entries);
	free(j);
}

void journal_time_now(char out[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
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

json_t *journal_body(const char *data, size_t len)
{
	if (data == NULL || len == 0)
		return json_string("");
	size_t n = utf8_cut(data, len, JOURNAL_BODY_MAX);
	json_t *s = json_stringn(data, n);
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
	size_t n = json_array_size(j->entries);
	if (n >= JOURNAL_MAX_ENTRIES) {
		/* Drop the older half at once: amortised O(1), where removing one at a time would move the whole array. */
		json_t *keep = json_array();
		for (size_t i = n / 2; keep != NULL && i < n; i++)
			json_array_append(keep, json_array_get(j->entries, i));
		if (keep != NULL) {
			json_decref(j->entries);
			j->entries = keep;
			j->dropped += n / 2;
		}
	}
	return json_array_append_new(j->entries, o);
}

const json_t *journal_entries(const struct journal *j)
{
	return j->entries;
}

void journal_clear(struct journal *j)
{
	json_array_clear(j->entries);
	j->dropped = 0;
}

int journal_write(const struct journal *j, const char *path, char *err)
{
	struct buf b = {0};
	size_t i;
	json_t *e;
	json_array_foreach(j->entries, i, e)
	{
		char *line = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line == NULL || buf_puts(&b, line) < 0 || buf_append(&b, "\n", 1) < 0) {
			free(line);
			buf_free(&b);
			return err_set(err, "out of memory");
		}
		free(line);
	}
	int rc = atomic_write(path, b.data ? b.data : "", b.len, err);
	buf_free(&b);
	return rc;
}
