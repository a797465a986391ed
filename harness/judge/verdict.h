/*
 * How cozy-stack decides the result of one konnector execution from its
 * events and its end (stack: worker/exec/konnector.go ScanOutput, Error(),
 * jobHookErrorCheckerKonnector, beforeHookKonnector; docs/STACK.md).
 */
#ifndef HARNESS_VERDICT_H
#define HARNESS_VERDICT_H

#include "harness/judge/events.h"

#include <stddef.h>

enum process_end {
	END_EXITED,   /* code holds the exit status */
	END_SIGNALED, /* code holds the signal number */
	END_TIMEOUT,  /* killed by the harness at the time limit */
	END_UNKNOWN,  /* no end known (lint of a captured stdout alone): judged on the events only */
};

/* stack: worker/exec/konnector.go konnErrorLoginFailed & co. */
#define KONN_ERR_LOGIN_FAILED "LOGIN_FAILED"
#define KONN_ERR_USER_ACTION_NEEDED "USER_ACTION_NEEDED"
#define KONN_ERR_USER_ACTION_NEEDED_CGU "USER_ACTION_NEEDED.CGU_FORM"

struct judge {
	char *last_error;    /* last `error` message (cut to 4000 bytes), NULL if none */
	size_t last_error_len;
	char *last_critical; /* last `critical` message, NULL if none */
	size_t last_critical_len;
	int critical_no_retry; /* some critical line had no_retry: true (ctx.SetNoRetry is never undone) */
	int scan_stopped;      /* a line was over the scanner limit: later events are not seen */
	size_t count_debug, count_info, count_warning, count_error, count_critical, count_other;
};

struct verdict {
	int done;            /* 1: job done; 0: job errored */
	char *error;         /* the job's `error` field as the stack stores it; NULL when done */
	size_t error_len;    /* error may hold NULs (\u0000 in a message) */
	int retry;           /* 1: the stack would run it once more within the same job */
	int skips_next_runs; /* later automatic runs of the trigger are skipped */
	int from_events_only;/* END_UNKNOWN: no process end was known, only the events were judged */
};

void judge_init(struct judge *j);
/* Account for one decoded event (call only for EVENT_OK lines); ignored once the scan stopped. */
void judge_event(struct judge *j, const struct event *ev);
/* The scanner stopped on a too-long line: no later event reaches the stack. */
void judge_line_too_long(struct judge *j);
/* Decide; fills v (free with verdict_clear). */
void judge_finish(const struct judge *j, enum process_end end, int code, struct verdict *v);
void judge_clear(struct judge *j);
void verdict_clear(struct verdict *v);

/* The error string Go gives a process end: "exit status 2", "signal: killed", "context deadline exceeded"; "" for exit 0. */
void verdict_end_string(enum process_end end, int code, char *out, size_t out_len);
/* stack: jobHookErrorCheckerKonnector: no retry for errors starting with LOGIN_FAILED or USER_ACTION_NEEDED. */
int verdict_error_blocks_retry(const char *err, size_t len);
/* stack: beforeHookKonnector: later automatic runs are skipped (LOGIN_FAILED…, USER_ACTION_NEEDED… but exact CGU_FORM). */
int verdict_error_skips_runs(const char *err, size_t len);

#endif
