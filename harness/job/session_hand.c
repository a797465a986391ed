/*
 * A job prepared for a konnector started by hand (serve): the same
 * preparation as a run (session_prep.c), into the caller's run directory,
 * with nothing started; see session.h.
 */
#include "harness/job/session.h"

#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/job/session_internal.h"

#include <stdlib.h>
#include <string.h>

struct session_hand {
	struct session_run *r;
	char *argv[8];
	char *no_command; /* why there is no command (no node entry…), NULL when there is one */
};

int session_hand_prepare(struct session *s, const char *run_dir, struct session_hand **out, char *err)
{
	*out = NULL;
	struct session_hand *h = calloc(1, sizeof(*h));
	struct session_run *r = h != NULL ? calloc(1, sizeof(*r)) : NULL;
	if (r == NULL) {
		free(h);
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	h->r = r;
	r->s = s;
	r->warnings = json_array();
	json_array_extend(r->warnings, s->config_warnings);
	r->saved_tokens = json_array();
	judge_init(&r->judge);
	/* only its path: no stream is written before a konnector is started by hand */
	r->rd.path = strdup(run_dir);
	int rc = r->rd.path != NULL ? session_prep_job(s, r, h->argv, err)
				    : (err_set(err, "out of memory"), EXIT_SOFTWARE);
	if (rc != EXIT_DONE && r->env != NULL) {
		/* the environment is ready, only the command is not (no entry yet): still worth serving */
		memset(h->argv, 0, sizeof(h->argv));
		h->no_command = strdup(err);
		rc = h->no_command != NULL ? EXIT_DONE : EXIT_SOFTWARE;
	}
	if (rc != EXIT_DONE) {
		session_hand_free(h);
		return rc;
	}
	*out = h;
	return EXIT_DONE;
}

char *const *session_hand_env(const struct session_hand *h)
{
	return h->r->env;
}

char *const *session_hand_argv(const struct session_hand *h, const char **why_none)
{
	*why_none = h->no_command;
	return h->no_command != NULL ? NULL : h->argv;
}

const char *session_hand_cwd(const struct session_hand *h)
{
	return h->r->s->o->dir;
}

const json_t *session_hand_warnings(const struct session_hand *h)
{
	return h->r->warnings;
}

void session_hand_free(struct session_hand *h)
{
	if (h == NULL)
		return;
	session_end_free(h->r);
	free(h->no_command);
	free(h);
}
