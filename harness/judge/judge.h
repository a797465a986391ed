/*
 * The stack's reading of one execution as it goes: the events it acts on
 * (counts by type, the last `error` and `critical` messages, no_retry), then
 * the verdict from them and the process end (stack: worker/exec/konnector.go
 * ScanOutput records, Error() decides).
 */
#ifndef HARNESS_JUDGE_H
#define HARNESS_JUDGE_H

#include "harness/judge/events.h"
#include "harness/judge/verdict.h"

#include <stddef.h>

struct judge {
	char *last_error; /* last `error` message (cut to 4000 bytes), NULL if none */
	size_t last_error_len;
	char *last_critical; /* last `critical` message, NULL if none */
	size_t last_critical_len;
	int critical_no_retry; /* some critical line had no_retry: true (ctx.SetNoRetry is never undone) */
	int scan_stopped;      /* a line was over the scanner limit: later events are not seen */
	size_t count_debug, count_info, count_warning, count_error, count_critical, count_other;
};

void judge_init(struct judge *j);
/* Account for one decoded event (call only for EVENT_OK lines); ignored once the scan stopped. */
void judge_event(struct judge *j, const struct event *ev);
/* The scanner stopped on a too-long line: no later event reaches the stack. */
void judge_line_too_long(struct judge *j);
/* Decide; fills v (free with verdict_clear). */
void judge_finish(const struct judge *j, enum process_end end, int code, struct verdict *v);
void judge_clear(struct judge *j);

#endif
