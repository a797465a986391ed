/*
 * The stack's decision for one execution (stack: worker/exec/konnector.go
 * ScanOutput records the last `error` and the last `critical` message and the
 * no-retry flag; Error() prefers critical, then error, then the process error;
 * model/job/worker.go task.run retries once unless ErrorHook refuses).
 */
#include "harness/judge/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void judge_init(struct judge *j)
{
	memset(j, 0, sizeof(*j));
}

/* Replace *dst with a copy of the event's (already cut) message. */
static void keep_message(char **dst, size_t *dst_len, const struct event *ev)
{
	char *m = malloc(ev->message_len + 1);
	if (m == NULL)
		return; /* out of memory: keep the previous one */
	memcpy(m, ev->message, ev->message_len);
	m[ev->message_len] = '\0';
	free(*dst);
	*dst = m;
	*dst_len = ev->message_len;
}

void judge_event(struct judge *j, const struct event *ev)
{
	if (j->scan_stopped)
		return;
	/* stack: konnector.go ScanOutput switch on msg.Type (exact, case-sensitive) */
	if (event_type_is(ev, "debug") || event_type_is(ev, "info")) {
		if (ev->type[0] == 'd')
			j->count_debug++;
		else
			j->count_info++;
	} else if (event_type_is(ev, "warning") || event_type_is(ev, "warn")) {
		j->count_warning++;
	} else if (event_type_is(ev, "error")) {
		j->count_error++;
		keep_message(&j->last_error, &j->last_error_len, ev);
	} else if (event_type_is(ev, "critical")) {
		j->count_critical++;
		keep_message(&j->last_critical, &j->last_critical_len, ev);
		if (ev->no_retry)
			j->critical_no_retry = 1;
	} else {
		j->count_other++;
	}
}

void judge_line_too_long(struct judge *j)
{
	j->scan_stopped = 1;
}

/* go: syscall zerrors_linux signal names, as ProcessState.String() prints them after "signal: ". */
static const char *const signal_names[] = {
	[1] = "hangup",
	[2] = "interrupt",
	[3] = "quit",
	[4] = "illegal instruction",
	[5] = "trace/breakpoint trap",
	[6] = "aborted",
	[7] = "bus error",
	[8] = "floating point exception",
	[9] = "killed",
	[10] = "user defined signal 1",
	[11] = "segmentation fault",
	[12] = "user defined signal 2",
	[13] = "broken pipe",
	[14] = "alarm clock",
	[15] = "terminated",
	[16] = "stack fault",
	[17] = "child exited",
	[18] = "continued",
	[19] = "stopped (signal)",
	[20] = "stopped",
	[21] = "stopped (tty input)",
	[22] = "stopped (tty output)",
	[23] = "urgent I/O condition",
	[24] = "CPU time limit exceeded",
	[25] = "file size limit exceeded",
	[26] = "virtual timer expired",
	[27] = "profiling timer expired",
	[28] = "window changed",
	[29] = "I/O possible",
	[30] = "power failure",
	[31] = "bad system call",
};

void verdict_end_string(enum process_end end, int code, char *out, size_t out_len)
{
	switch (end) {
	case END_EXITED:
		/* go: os.ProcessState.String */
		if (code == 0)
			snprintf(out, out_len, "%s", "");
		else
			snprintf(out, out_len, "exit status %d", code);
		return;
	case END_SIGNALED:
		if (code > 0 && (size_t)code < sizeof(signal_names) / sizeof(signal_names[0]) && signal_names[code])
			snprintf(out, out_len, "signal: %s", signal_names[code]);
		else
			snprintf(out, out_len, "signal: signal %d", code); /* go: syscall.Signal.String fallback */
		return;
	case END_TIMEOUT:
		/* stack: common.go: err = ctx.Err() → context.DeadlineExceeded */
		snprintf(out, out_len, "%s", "context deadline exceeded");
		return;
	case END_UNKNOWN:
		snprintf(out, out_len, "%s", "");
		return;
	}
}

static int has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

int verdict_error_blocks_retry(const char *err, size_t len)
{
	return has_prefix(err, len, KONN_ERR_LOGIN_FAILED) || has_prefix(err, len, KONN_ERR_USER_ACTION_NEEDED);
}

int verdict_error_skips_runs(const char *err, size_t len)
{
	if (has_prefix(err, len, KONN_ERR_LOGIN_FAILED))
		return 1;
	return has_prefix(err, len, KONN_ERR_USER_ACTION_NEEDED) &&
	       !(len == strlen(KONN_ERR_USER_ACTION_NEEDED_CGU) &&
		 memcmp(err, KONN_ERR_USER_ACTION_NEEDED_CGU, len) == 0);
}

/*
 * go: encoding/json Marshal (the job doc saved to CouchDB) writes invalid UTF-8
 * as U+FFFD, one per bad byte; a 4000-byte cut in the middle of a character
 * ends up that way in the stored `error`.
 */
static char *stored_string(const char *s, size_t n, size_t *out_len)
{
	char *o = malloc(n * 3 + 1);
	size_t w = 0;
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		int l = event_utf8_len((const unsigned char *)s + i, n - i);
		if (l == 0) {
			memcpy(o + w, "\xEF\xBF\xBD", 3);
			w += 3;
			i++;
		} else {
			memcpy(o + w, s + i, (size_t)l);
			w += (size_t)l;
			i += (size_t)l;
		}
	}
	o[w] = '\0';
	*out_len = w;
	return o;
}

void judge_finish(const struct judge *j, enum process_end end, int code, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->from_events_only = end == END_UNKNOWN;
	char buf[64];
	const char *e = NULL;
	size_t elen = 0;
	/* stack: konnector.go Error(): critical, else last error, else the process error */
	if (j->last_critical != NULL) {
		e = j->last_critical;
		elen = j->last_critical_len;
	} else if (j->last_error != NULL) {
		e = j->last_error;
		elen = j->last_error_len;
	} else {
		verdict_end_string(end, code, buf, sizeof(buf));
		if (buf[0] != '\0') {
			e = buf;
			elen = strlen(buf);
		}
	}
	if (e == NULL) {
		v->done = 1;
		return;
	}
	v->error = stored_string(e, elen, &v->error_len);
	if (v->error == NULL) { /* out of memory: the job still errored */
		v->error = strdup("");
	}
	/* stack: model/job/worker.go: one retry unless no_retry or ErrorHook refuses */
	v->retry = !(j->last_critical != NULL && j->critical_no_retry) && !verdict_error_blocks_retry(e, elen);
	v->skips_next_runs = verdict_error_skips_runs(e, elen);
}

void judge_clear(struct judge *j)
{
	free(j->last_error);
	free(j->last_critical);
	memset(j, 0, sizeof(*j));
}

void verdict_clear(struct verdict *v)
{
	free(v->error);
	memset(v, 0, sizeof(*v));
}
