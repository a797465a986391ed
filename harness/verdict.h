/*
 * How cozy-stack decides the result of one konnector execution from its
 * events and its end (stack: worker/exec/konnector.go Error(), spec §1.7–1.8).
 */
#ifndef HARNESS_VERDICT_H
#define HARNESS_VERDICT_H

#include "harness/events.h"

#include <stddef.h>

enum process_end {
	END_EXITED,   /* code holds the exit status */
	END_SIGNALED, /* code holds the signal number */
	END_TIMEOUT,  /* killed by the harness at the time limit */
};

struct judge {
	char *last_error;    /* last `error` message, NULL if none */
	char *last_critical; /* last `critical` message, NULL if none */
	int critical_no_retry;
	size_t count_debug, count_info, count_warning, count_error, count_critical, count_other;
};

struct verdict {
	int done;            /* 1: job done; 0: job errored */
	char *error;         /* the job's `error` field as the stack stores it; NULL when done */
	int retry;           /* 1: the stack would run it once more within the same job */
	int skips_next_runs; /* later automatic runs of the trigger are skipped */
};

void judge_init(struct judge *j);
/* Account for one decoded event (call only for EVENT_OK lines). */
void judge_event(struct judge *j, const struct event *ev);
/* Decide; fills v (free with verdict_clear). */
void judge_finish(const struct judge *j, enum process_end end, int code, struct verdict *v);
void judge_clear(struct judge *j);
void verdict_clear(struct verdict *v);

#endif
