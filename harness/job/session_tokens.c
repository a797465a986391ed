/*
 * --save-tokens: a refresh of the account made from the dev config is written
 * back into the dev config, from the loop, and noted in the run's report.
 */
#include "harness/job/session_internal.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/job/devconfig_tokens.h"
#include "harness/job/session_prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the refreshed tokens into the dev config now; the outcome goes to the run's report (or is dropped between
 * runs). */
void session_tokens_save(struct session *s)
{
	if (!s->save_due)
		return;
	s->save_due = 0;
	if (s->save_timer)
		loop_del_timer(s->loop, s->save_timer);
	s->save_timer = 0;
	char err[ERR_MAX];
	json_t *note = NULL;
	if (devconfig_tokens_save(s->devconfig_path, s->save_access, s->save_refresh, err) < 0) {
		char msg[ERR_MAX + 64];
		snprintf(msg, sizeof(msg), "--save-tokens: %s", err);
		note = json_string(msg);
	} else {
		char a[128], r[128];
		note = json_object();
		json_object_set_new(note, "file", json_string(s->devconfig_path));
		if (s->save_access != NULL)
			json_object_set_new(note, "access_token",
					    json_string(devconfig_tokens_mask(s->save_access, a, sizeof(a))));
		if (s->save_refresh != NULL)
			json_object_set_new(note, "refresh_token",
					    json_string(devconfig_tokens_mask(s->save_refresh, r, sizeof(r))));
		free(s->own_write);
		s->own_write = file_read_all(s->devconfig_path, &s->own_write_len, err);
	}
	if (s->run != NULL)
		json_array_append(json_is_string(note) ? s->run->warnings : s->run->saved_tokens, note);
	json_decref(note);
	free(s->save_access), free(s->save_refresh);
	s->save_access = s->save_refresh = NULL;
}

static void session_tokens_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct session *s = arg;
	s->save_timer = 0;
	session_tokens_save(s);
}

/* stack_on_refresh: the account made from the dev config got new tokens (called inside the HTTP handler). */
void session_tokens_on_refresh(struct stack *st, const char *account_id, const char *access_token,
			       const char *refresh_token, void *arg)
{
	(void)st;
	struct session *s = arg;
	char mine[33];
	session_prep_account_id(s->m.slug, mine);
	if (strcmp(account_id, mine) != 0 || (access_token == NULL && refresh_token == NULL))
		return; /* a fixture account: nothing of the dev config */
	free(s->save_access), free(s->save_refresh);
	s->save_access = access_token ? strdup(access_token) : NULL;
	s->save_refresh = refresh_token ? strdup(refresh_token) : NULL;
	s->save_due = 1;
	/* never write files from inside the HTTP handler: from the loop, right after it */
	if (s->save_timer == 0)
		s->save_timer = loop_add_timer(s->loop, 0, session_tokens_timer, s);
}
