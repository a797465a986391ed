/*
 * events.jsonl, the harness's own capture of stdout in a run directory: one
 * JSON object per stdout line, in order:
 *   {"time":"2026-11-23T07:09:49.635Z","line":N,"raw":"<the line as read>"}
 * `raw` is the line without its '\n' (a '\r' kept). When the line is not valid
 * UTF-8 it is given as "raw_base64" instead, so no byte is lost. A line over
 * the scanner limit is written once as
 *   {"time":…,"line":N,"too_long":true,"length":<bytes seen>,"raw":"<first 65536 bytes>"}
 * and nothing follows it (the stack stops reading there).
 */
#ifndef HARNESS_CAPTURE_H
#define HARNESS_CAPTURE_H

#include <stddef.h>

#define CAPTURE_FILE "events.jsonl"

struct buf;
/* Append one capture record (with its '\n') to out. time_ms: Unix time in milliseconds. */
int capture_format(struct buf *out, long long time_ms, unsigned long lineno, const char *raw, size_t len, int too_long);
/*
 * Read one capture record: *raw gets a malloc'd copy of the original line.
 * Returns 0, or -1 with err filled when the record is not a capture record.
 */
int capture_parse(const char *rec, size_t len, unsigned long *lineno, char **raw, size_t *raw_len, int *too_long,
		  char *err);

#endif
