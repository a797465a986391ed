/*
 * The request journal (stack.h stack_journal): one JSON object per request,
 * bodies cut at 4 KiB, never an Authorization header. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JOURNAL_H
#define FAKE_STACK_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#define JOURNAL_BODY_MAX 4096
/* Past this many entries, or bytes of their JSON lines, the oldest are dropped (a benchmark must not grow memory
 * without end). */
#define JOURNAL_MAX_ENTRIES 100000
#define JOURNAL_MAX_BYTES (32u << 20)

struct journal;

struct journal_entry {
	const char *time; /* ISO-8601 UTC with milliseconds */
	const char *method;
	const char *path;
	const json_t *query; /* object, borrowed; NULL: {} */
	unsigned status;
	long long duration_ms;
	const char *auth; /* "konnector:<slug>", "app:<slug>", "none", "invalid" */
	const char *request_body;
	size_t request_body_len;
	const char *response_body;
	size_t response_body_len;
	const char *forbidden; /* NULL unless the real stack would answer 403 */
	const char *differs;   /* NULL unless the answer cannot be the real stack's (http_note_differs) */
};

struct journal *journal_new(void);
void journal_free(struct journal *j);
/* Append an entry (copied). */
int journal_add(struct journal *j, const struct journal_entry *e);
/* The entries as an array (borrowed). */
const json_t *journal_entries(const struct journal *j);
void journal_clear(struct journal *j);
/* Write one compact JSON object per line, atomically. */
int journal_write(const struct journal *j, const char *path, char *err);
/*
 * A body for the journal: secrets blanked (journal_redact), then cut at
 * JOURNAL_BODY_MAX on a UTF-8 boundary; "<N bytes, binary>" when not UTF-8. New ref.
 */
json_t *journal_body(const char *data, size_t len);
/*
 * Blank the values of the members named access_token, refresh_token,
 * client_secret, password, secret and id_token, at any depth of a JSON text,
 * as "<redacted>" (null and "" are left as they are). Textual: the rest of the
 * text is kept byte for byte, and a text cut short or not quite JSON is still
 * scanned. 0 when there is nothing to blank; 1 with a malloc'd blanked copy in
 * *out_data (*out_len bytes); -1 out of memory.
 */
int journal_redact(const char *data, size_t len, char **out_data, size_t *out_len);
/* Now as "2026-07-02T10:11:12.345Z". */
void journal_time_now(char out[32]);

#endif
