/*
 * The result of one konnector execution as cozy-stack stores it, and the
 * stack's rules around the job's error: the string Go gives a process end,
 * which errors refuse the retry and which skip later automatic runs (stack:
 * worker/exec/konnector.go Error(), jobHookErrorCheckerKonnector,
 * beforeHookKonnector). judge.h decides it from the events.
 */
#ifndef HARNESS_VERDICT_H
#define HARNESS_VERDICT_H

#include "common/konnerr.h"

#include <stddef.h>

enum process_end {
	END_EXITED,   /* code holds the exit status */
	END_SIGNALED, /* code holds the signal number */
	END_TIMEOUT,  /* killed by the harness at the time limit */
	END_UNKNOWN,  /* no end known (lint of a captured stdout alone): judged on the events only */
};

/* stack: worker/exec/konnector.go konnErrorLoginFailed & co. (the rules: common/konnerr.h) */
#define KONN_ERR_LOGIN_FAILED KONNERR_LOGIN_FAILED
#define KONN_ERR_USER_ACTION_NEEDED KONNERR_USER_ACTION_NEEDED
#define KONN_ERR_USER_ACTION_NEEDED_CGU KONNERR_USER_ACTION_NEEDED_CGU

struct verdict {
	int done;             /* 1: job done; 0: job errored */
	char *error;          /* the job's `error` field as the stack stores it; NULL when done */
	size_t error_len;     /* error may hold NULs (\u0000 in a message) */
	int retry;            /* 1: the stack would run it once more within the same job */
	int skips_next_runs;  /* later automatic runs of the trigger are skipped */
	int from_events_only; /* END_UNKNOWN: no process end was known, only the events were judged */
};

void verdict_clear(struct verdict *v);

/* The error string Go gives a process end: "exit status 2", "signal: killed", "context deadline exceeded"; "" for exit
 * 0. */
void verdict_end_string(enum process_end end, int code, char *out, size_t out_len);
/* stack: jobHookErrorCheckerKonnector: no retry for errors starting with LOGIN_FAILED or USER_ACTION_NEEDED. */
int verdict_error_blocks_retry(const char *err, size_t len);
/* stack: beforeHookKonnector: later automatic runs are skipped (LOGIN_FAILED…, USER_ACTION_NEEDED… but exact CGU_FORM).
 */
int verdict_error_skips_runs(const char *err, size_t len);

#endif
