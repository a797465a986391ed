/*
 * The stack's stdout line splitter (bufio.Scanner with its 64 KiB buffer);
 * see linescan.h.
 */
#include "harness/judge/linescan.h"

#include <stdlib.h>
#include <string.h>

struct linescan {
	struct linescan_hooks hooks;
	unsigned long lineno;
	int stopped;
	size_t len; /* bytes of a partial line held in buf */
	char buf[LINESCAN_LINE_MAX];
};

struct linescan *linescan_new(const struct linescan_hooks *hooks)
{
	struct linescan *s = malloc(sizeof(*s));
	if (s == NULL)
		return NULL;
	s->hooks = *hooks;
	s->lineno = 0;
	s->stopped = 0;
	s->len = 0;
	return s;
}

/* Deliver one complete line (raw: without '\n', '\r' still there). */
static void linescan_deliver(struct linescan *s, const char *line, size_t len)
{
	s->lineno++;
	/* go: bufio.ScanLines dropCR */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (s->hooks.line)
		s->hooks.line(s->hooks.arg, line, len, s->lineno);
}

static void linescan_stop(struct linescan *s, const char *head, size_t len)
{
	s->lineno++;
	s->stopped = 1;
	if (s->hooks.too_long)
		s->hooks.too_long(s->hooks.arg, head, len, s->lineno);
	s->len = 0;
}

void linescan_feed(struct linescan *s, const char *data, size_t len)
{
	while (len > 0 && !s->stopped) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		if (s->len == 0 && nl != NULL && take < LINESCAN_LINE_MAX) {
			linescan_deliver(s, data, take); /* whole line in the caller's data: no copy */
		} else {
			if (s->len + take >= LINESCAN_LINE_MAX) {
				/* go: the 64 KiB buffer is full without a newline → ErrTooLong */
				size_t room = LINESCAN_LINE_MAX - s->len;
				memcpy(s->buf + s->len, data, room);
				linescan_stop(s, s->buf, LINESCAN_LINE_MAX);
				return;
			}
			memcpy(s->buf + s->len, data, take);
			s->len += take;
			if (nl == NULL)
				return;
			linescan_deliver(s, s->buf, s->len);
			s->len = 0;
		}
		data += take + 1;
		len -= take + 1;
	}
}

void linescan_finish(struct linescan *s)
{
	if (s->stopped || s->len == 0)
		return;
	size_t n = s->len;
	s->len = 0;
	linescan_deliver(s, s->buf, n);
}

int linescan_stopped(const struct linescan *s)
{
	return s->stopped;
}

void linescan_free(struct linescan *s)
{
	free(s);
}
