/*
 * The stack's stdout line splitter (bufio.Scanner with its 64 KiB buffer);
 * see linescan.h.
 */
#include "harness/judge/linescan.h"

#include <stdlib.h>
#include <string.h>

struct event_scanner {
	struct event_scanner_hooks hooks;
	unsigned long lineno;
	int stopped;
	size_t len; /* bytes of a partial line held in buf */
	char buf[EVENT_LINE_MAX];
};

struct event_scanner *event_scanner_new(const struct event_scanner_hooks *hooks)
{
	struct event_scanner *s = malloc(sizeof(*s));
	if (s == NULL)
		return NULL;
	s->hooks = *hooks;
	s->lineno = 0;
	s->stopped = 0;
	s->len = 0;
	return s;
}

/* Deliver one complete line (raw: without '\n', '\r' still there). */
static void scanner_deliver(struct event_scanner *s, const char *line, size_t len)
{
	s->lineno++;
	/* go: bufio.ScanLines dropCR */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (s->hooks.line)
		s->hooks.line(s->hooks.arg, line, len, s->lineno);
}

static void scanner_stop(struct event_scanner *s, const char *head, size_t len)
{
	s->lineno++;
	s->stopped = 1;
	if (s->hooks.too_long)
		s->hooks.too_long(s->hooks.arg, head, len, s->lineno);
	s->len = 0;
}

void event_scanner_feed(struct event_scanner *s, const char *data, size_t len)
{
	while (len > 0 && !s->stopped) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		if (s->len == 0 && nl != NULL && take < EVENT_LINE_MAX) {
			scanner_deliver(s, data, take); /* whole line in the caller's data: no copy */
		} else {
			if (s->len + take >= EVENT_LINE_MAX) {
				/* go: the 64 KiB buffer is full without a newline → ErrTooLong */
				size_t room = EVENT_LINE_MAX - s->len;
				memcpy(s->buf + s->len, data, room);
				scanner_stop(s, s->buf, EVENT_LINE_MAX);
				return;
			}
			memcpy(s->buf + s->len, data, take);
			s->len += take;
			if (nl == NULL)
				return;
			scanner_deliver(s, s->buf, s->len);
			s->len = 0;
		}
		data += take + 1;
		len -= take + 1;
	}
}

void event_scanner_finish(struct event_scanner *s)
{
	if (s->stopped || s->len == 0)
		return;
	size_t n = s->len;
	s->len = 0;
	scanner_deliver(s, s->buf, n);
}

int event_scanner_stopped(const struct event_scanner *s)
{
	return s->stopped;
}

void event_scanner_free(struct event_scanner *s)
{
	free(s);
}
