/*
 * The stack's stdout line splitter: cozy-stack reads a konnector's stdout
 * with a bounded bufio.Scanner and hands each line it delivers to ScanOutput
 * (stack: worker/exec/common.go); a line it never delivers is never judged.
 */
#ifndef HARNESS_LINESCAN_H
#define HARNESS_LINESCAN_H

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

#endif
