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
 * (a '\r' included) number at most LINESCAN_LINE_MAX - 1 = 65535; the same bound
 * holds for a final unterminated line (a pipe read never returns data and EOF
 * together). 65536 bytes or more: the scan stops for good.
 */
#define LINESCAN_LINE_MAX 65536

/*
 * The line splitter of the stack (bufio.Scanner + ScanLines, see
 * LINESCAN_LINE_MAX): feed it stdout bytes as they come, it calls line() for each
 * line it would deliver (the '\n' and one trailing '\r' dropped), and
 * too_long() once when the scan stops; after that nothing more is delivered.
 * The struct holds its 64 KiB buffer: allocate it with linescan_new.
 */
struct linescan;
struct linescan_hooks {
	void (*line)(void *arg, const char *line, size_t len, unsigned long lineno);
	/* head: the first LINESCAN_LINE_MAX bytes of the long line */
	void (*too_long)(void *arg, const char *head, size_t len, unsigned long lineno);
	void *arg;
};
struct linescan *linescan_new(const struct linescan_hooks *hooks);
void linescan_feed(struct linescan *s, const char *data, size_t len);
/* End of stdout: a final unterminated line is still delivered. */
void linescan_finish(struct linescan *s);
/* 1 once too_long() was called: the stack reads no more stdout. */
int linescan_stopped(const struct linescan *s);
void linescan_free(struct linescan *s);

#endif
