/*
 * The stack's decision for one execution (stack: worker/exec/konnector.go
 * ScanOutput records the last `error` and the last `critical` message and the
 * no-retry flag; Error() prefers critical, then error, then the process error;
 * model/job/worker.go task.run retries once unless ErrorHook refuses).
 */
#include "harness/judge/judge.h"

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
