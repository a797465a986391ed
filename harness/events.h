/*
 * One konnector stdout line → one event, exactly when cozy-stack's Go
 * encoding/json would decode it into its struct {type, message string;
 * no_retry bool} (stack: worker/exec/konnector.go ScanOutput). jsmn tokenizes;
 * the checks jsmn leaves out are here.
 */
#ifndef HARNESS_EVENTS_H
#define HARNESS_EVENTS_H

#include <stddef.h>

/* stack: bufio.Scanner max token size, worker/exec/common.go (64 KiB incl. the newline) */
#define EVENT_LINE_MAX 65536
/* stack: messages are cut to their first 4000 bytes, worker/exec/konnector.go */
#define EVENT_MESSAGE_MAX 4000

enum event_status {
	EVENT_OK,        /* decoded: the stack publishes it and acts on its type */
	EVENT_NOT_JSON,  /* not valid JSON: ignored by the stack */
	EVENT_BAD_SHAPE, /* valid JSON the struct cannot take (array root, number message…): ignored */
};

struct event {
	char *type;        /* malloc'd, "" when absent or null */
	char *message;     /* malloc'd, decoded UTF-8, "" when absent or null; may hold NULs */
	size_t message_len;
	int no_retry;
	int has_message;   /* the key was present and a string */
};

/*
 * Parse one line (without its '\n'; a trailing '\r' is the caller's to drop, as
 * bufio.ScanLines does). On EVENT_OK fills ev (free with event_clear). Else
 * fills why with a short reason and *col with the 1-based byte column.
 */
enum event_status event_parse(const char *line, size_t len, struct event *ev, char *why, size_t why_len, size_t *col);
void event_clear(struct event *ev);

#endif
