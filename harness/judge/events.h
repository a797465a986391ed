/*
 * One konnector stdout line → one event, exactly when cozy-stack's Go
 * encoding/json would decode it into its struct {type, message string;
 * no_retry bool} (stack: worker/exec/konnector.go ScanOutput). jsmn tokenizes;
 * the checks jsmn leaves out are here.
 *
 * What Go does, and so what event_parse does (go: src/encoding/json/scanner.go,
 * decode.go, fold.go):
 *  - syntax is strict JSON: exact literals and number grammar, no trailing or
 *    missing commas, no raw bytes < 0x20 inside strings, only \" \\ \/ \b \f
 *    \n \r \t \uXXXX escapes, whitespace = space, tab, CR, LF; nesting deeper
 *    than 10000 is an error ("exceeded max depth");
 *  - invalid UTF-8 inside strings is NOT an error: it is replaced by U+FFFD,
 *    one per bad byte (decode.go unquoteBytes, "Coerce to well-formed UTF-8");
 *    a lone \uD800-style surrogate escape becomes U+FFFD too;
 *  - the root may be an object or `null` (null leaves the struct empty); any
 *    other root (array, string, number, bool) is an UnmarshalTypeError;
 *  - keys match the field names case-insensitively with Unicode simple
 *    folding (`TYPE`, `Message`, `meſſage` with U+017F all match); duplicate
 *    keys: each one is applied in order, so the last wins;
 *  - `null` for a field leaves its previous value; any other wrong type
 *    (number message, string no_retry, object type…) fails the whole line;
 *  - unknown keys are ignored whatever their value.
 */
#ifndef HARNESS_EVENTS_H
#define HARNESS_EVENTS_H

#include <stddef.h>

/*
 * stack: worker/exec/common.go scans stdout with bufio.Scanner,
 * Buffer(make([]byte, 16*1024), 64*1024) (go: src/bufio/scan.go). The buffer
 * grows 16→32→64 KiB and the scan stops with ErrTooLong when it is full
 * without a '\n'. So: a line is delivered when the bytes before its '\n'
 * (a '\r' included) number at most EVENT_LINE_MAX - 1 = 65535; the same bound
 * holds for a final unterminated line (a pipe read never returns data and EOF
 * together). 65536 bytes or more: the scan stops for good.
 */
#define EVENT_LINE_MAX 65536
/* stack: messages are cut to their first 4000 bytes, worker/exec/konnector.go */
#define EVENT_MESSAGE_MAX 4000
/* go: src/encoding/json/scanner.go maxNestingDepth */
#define EVENT_MAX_DEPTH 10000

enum event_status {
	EVENT_OK,        /* decoded: the stack publishes it and acts on its type */
	EVENT_NOT_JSON,  /* not valid JSON: ignored by the stack */
	EVENT_BAD_SHAPE, /* valid JSON the struct cannot take (array root, number message…): ignored */
};

struct event {
	char *type;        /* malloc'd, NUL-terminated, "" when absent or null; may hold NULs (\u0000) */
	size_t type_len;
	char *message;     /* malloc'd, decoded UTF-8 cut to its first EVENT_MESSAGE_MAX bytes as the
			      stack keeps it; "" when absent or null; may hold NULs */
	size_t message_len;      /* bytes in message (<= EVENT_MESSAGE_MAX) */
	size_t message_full_len; /* decoded length before the cut */
	int no_retry;
	int has_message;   /* the key was present and a string */
};

/*
 * Parse one line (without its '\n'; a trailing '\r' is the caller's to drop, as
 * bufio.ScanLines does). Never reads past len. On EVENT_OK fills ev (free with
 * event_clear). Else ev is left empty (event_clear is harmless) and why (if
 * not NULL) gets a short reason, *col (if not NULL) the 1-based byte column.
 */
enum event_status event_parse(const char *line, size_t len, struct event *ev, char *why, size_t why_len, size_t *col);
void event_clear(struct event *ev);

/* True when the event's type is exactly t (type may hold NULs). */
int event_type_is(const struct event *ev, const char *t);

/*
 * Go's utf8 rules: length of the valid UTF-8 sequence at s (1..4), or 0 when
 * the byte at s starts no valid sequence (overlong, surrogate, > U+10FFFF, cut).
 */
int event_utf8_len(const unsigned char *s, size_t n);

/*
 * The line splitter of the stack (bufio.Scanner + ScanLines, see
 * EVENT_LINE_MAX): feed it stdout bytes as they come, it calls line() for each
 * line it would deliver (the '\n' and one trailing '\r' dropped), and
 * too_long() once when the scan stops; after that nothing more is delivered.
 * The struct holds its 64 KiB buffer: allocate it with event_scanner_new.
 */
struct event_scanner;
struct event_scanner_hooks {
	void (*line)(void *arg, const char *line, size_t len, unsigned long lineno);
	/* head: the first EVENT_LINE_MAX bytes of the long line */
	void (*too_long)(void *arg, const char *head, size_t len, unsigned long lineno);
	void *arg;
};
struct event_scanner *event_scanner_new(const struct event_scanner_hooks *hooks);
void event_scanner_feed(struct event_scanner *s, const char *data, size_t len);
/* End of stdout: a final unterminated line is still delivered. */
void event_scanner_finish(struct event_scanner *s);
/* 1 once too_long() was called: the stack reads no more stdout. */
int event_scanner_stopped(const struct event_scanner *s);
void event_scanner_free(struct event_scanner *s);

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
#define EVENTS_CAPTURE_NAME "events.jsonl"

struct buf;
/* Append one capture record (with its '\n') to out. time_ms: Unix time in milliseconds. */
int event_capture_format(struct buf *out, long long time_ms, unsigned long lineno, const char *raw, size_t len,
			 int too_long);
/*
 * Read one capture record: *raw gets a malloc'd copy of the original line.
 * Returns 0, or -1 with err filled when the record is not a capture record.
 */
int event_capture_parse(const char *rec, size_t len, unsigned long *lineno, char **raw, size_t *raw_len,
			int *too_long, char *err);

#endif
