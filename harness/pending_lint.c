/*
 * TEMPORARY (branch run): weak stand-ins for harness/events.c and
 * harness/verdict.c until branch lint lands them; the real, strong
 * definitions replace these at link time. Delete this file after merging lint.
 */
#include "harness/events.h"
#include "harness/verdict.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string member: 1 and *out (borrowed) when a string, 0 when absent or null, -1 otherwise. */
static int pending_str(json_t *obj, const char *key, const char **out, size_t *len)
{
	json_t *v = json_object_get(obj, key);
	*out = "";
	*len = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

__attribute__((weak)) enum event_status event_parse(const char *line, size_t len, struct event *ev, char *why,
						    size_t why_len, size_t *col)
{
	memset(ev, 0, sizeof(*ev));
	json_error_t je;
	json_t *root = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (root == NULL) {
		snprintf(why, why_len, "%s", je.text);
		*col = (size_t)(je.position > 0 ? je.position : 1);
		return EVENT_NOT_JSON;
	}
	const char *type = "", *msg = "";
	size_t tlen = 0, mlen = 0;
	int has_msg = 0;
	json_t *nr = NULL;
	if (json_is_object(root)) {
		nr = json_object_get(root, "no_retry");
		if (pending_str(root, "type", &type, &tlen) < 0 || (has_msg = pending_str(root, "message", &msg, &mlen)) < 0 ||
		    (nr != NULL && !json_is_boolean(nr) && !json_is_null(nr))) {
			json_decref(root);
			snprintf(why, why_len, "a field has the wrong JSON type");
			*col = 1;
			return EVENT_BAD_SHAPE;
		}
	} else if (!json_is_null(root)) {
		json_decref(root);
		snprintf(why, why_len, "not a JSON object");
		*col = 1;
		return EVENT_BAD_SHAPE;
	}
	ev->type = strndup(type, tlen);
	ev->message = malloc(mlen + 1);
	memcpy(ev->message, msg, mlen);
	ev->message[mlen] = '\0';
	ev->message_len = mlen;
	ev->has_message = has_msg == 1;
	ev->no_retry = json_is_true(nr);
	json_decref(root);
	return EVENT_OK;
}

__attribute__((weak)) void event_clear(struct event *ev)
{
	free(ev->type);
	free(ev->message);
	memset(ev, 0, sizeof(*ev));
}

__attribute__((weak)) void judge_init(struct judge *j)
{
	memset(j, 0, sizeof(*j));
}

/* The message as the stack keeps it: its first 4000 bytes. */
static char *pending_cut(const struct event *ev)
{
	size_t n = ev->message_len > EVENT_MESSAGE_MAX ? EVENT_MESSAGE_MAX : ev->message_len;
	return strndup(ev->message, n);
}

__attribute__((weak)) void judge_event(struct judge *j, const struct event *ev)
{
	const char *t = ev->type;
	if (strcmp(t, "debug") == 0)
		j->count_debug++;
	else if (strcmp(t, "info") == 0)
		j->count_info++;
	else if (strcmp(t, "warning") == 0 || strcmp(t, "warn") == 0)
		j->count_warning++;
	else if (strcmp(t, "error") == 0) {
		j->count_error++;
		free(j->last_error);
		j->last_error = pending_cut(ev);
	} else if (strcmp(t, "critical") == 0) {
		j->count_critical++;
		free(j->last_critical);
		j->last_critical = pending_cut(ev);
		if (ev->no_retry)
			j->critical_no_retry = 1;
	} else
		j->count_other++;
}

__attribute__((weak)) void judge_finish(const struct judge *j, enum process_end end, int code, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	char buf[64];
	if (j->last_critical != NULL)
		v->error = strdup(j->last_critical);
	else if (j->last_error != NULL)
		v->error = strdup(j->last_error);
	else if (end == END_TIMEOUT)
		v->error = strdup("context deadline exceeded");
	else if (end == END_SIGNALED) {
		snprintf(buf, sizeof(buf), "signal: %s", code == 9 ? "killed" : strsignal(code));
		v->error = strdup(buf);
	} else if (code != 0) {
		snprintf(buf, sizeof(buf), "exit status %d", code);
		v->error = strdup(buf);
	}
	v->done = v->error == NULL;
	if (!v->done) {
		int login = strncmp(v->error, "LOGIN_FAILED", 12) == 0;
		int uan = strncmp(v->error, "USER_ACTION_NEEDED", 18) == 0;
		v->retry = !(login || uan || (j->last_critical != NULL && j->critical_no_retry));
		v->skips_next_runs = login || (uan && strcmp(v->error, "USER_ACTION_NEEDED.CGU_FORM") != 0);
	}
}

__attribute__((weak)) void judge_clear(struct judge *j)
{
	free(j->last_error);
	free(j->last_critical);
	memset(j, 0, sizeof(*j));
}

__attribute__((weak)) void verdict_clear(struct verdict *v)
{
	free(v->error);
	memset(v, 0, sizeof(*v));
}
