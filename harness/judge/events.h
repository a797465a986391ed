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
	char *type; /* malloc'd, NUL-terminated, "" when absent or null; may hold NULs (\u0000) */
	size_t type_len;
	char *message;           /* malloc'd, decoded UTF-8 cut to its first EVENT_MESSAGE_MAX bytes as the
				    stack keeps it; "" when absent or null; may hold NULs */
	size_t message_len;      /* bytes in message (<= EVENT_MESSAGE_MAX) */
	size_t message_full_len; /* decoded length before the cut */
	int no_retry;
	int has_message; /* the key was present and a string */
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

#endif
