/*
 * The session's rooms share this header (nothing outside harness/job/session*.c
 * includes it): what one session and one run hold, and the calls between
 * session.c (open, reload, runs and their streams), session_prep.c (the job
 * prepared as the stack prepares it), session_tokens.c (--save-tokens),
 * session_vendor.c (the vendor proxy of a run), session_end.c (the end of a
 * run: verdict, run directory, report) and session_hand.c (a job prepared for
 * a konnector started by hand). session.c calls session_prep.c,
 * session_tokens.c and session_end.c, session_end.c calls session_tokens.c and
 * session_vendor.c, session_prep.c calls session_vendor.c, session_tokens.c
 * calls session_prep.c and session_hand.c calls session_prep.c and
 * session_end.c; none calls back.
 */
#ifndef HARNESS_SESSION_INTERNAL_H
#define HARNESS_SESSION_INTERNAL_H

#include "fake-stack/stack.h"
#include "harness/job/devconfig.h"
#include "harness/job/manifest.h"
#include "harness/job/run_options.h"
#include "harness/job/rundir.h"
#include "harness/job/runner.h"
#include "harness/job/session.h"
#include "harness/judge/judge.h"

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

/* Everything one run holds. */
struct session_run {
	struct session *s;
	struct session_hooks hooks;
	struct runner *runner;
	struct rundir rd;
	struct judge judge;
	enum process_end end;
	int code;
	int interrupted;
	int skip_run;      /* account_deleted without on_delete_account: nothing to start */
	int skipped;       /* run --auto after a skip-worthy error: the stack does not even create the job */
	char *start_error; /* the command could not be started, or the job's preparation failed (stack: PrepareWorkDir's
			    * error is the job's): set before the start, nothing starts */
	long long started_ms, ended_ms, finish_timer;
	size_t not_json, bad_shape, journal_base;
	json_t *warnings, *before, *account, *extra_fields;
	json_t *saved_tokens; /* --save-tokens: what this run's refreshes wrote into the dev config */
	char job_id[65];
	char *fields, *params, *payload, *entry, *folder, *preload_path;
	/* a job the stack handed over (serve): its own values, copied (session.c session_take_job) */
	int has_job, job_manual;
	char *job_trigger, *job_message, *job_account, *job_payload, *job_run_dir;
	size_t job_payload_len;
	long long job_timeout_ms;
	char **env;
	int payload_file;
	struct proxy *proxy; /* the vendor proxy of this run (session_vendor.c), NULL when none */
	char **proxy_env;    /* its variables for the konnector */
	char *vendor_har;    /* the scenario's vendor.har it reads or writes */
	json_t *vendor;      /* its report once the run ended (borrowed from the run's report) */
	char *trigger_used;  /* COZY_TRIGGER_ID as given, NULL for none (a retry keeps it) */
	int manual_used;     /* COZY_JOB_MANUAL_EXECUTION as given */
	int execution;       /* 2 for the stack's retry (session_run_retry), else 0 */
};

/* The job of the last run that ended, as session_run_retry runs it again. */
struct session_last_job {
	int valid;
	char *id, *trigger, *fields, *account, *run_dir;
	int manual;
	long long timeout_ms;
};

struct session {
	struct loop *loop;
	const struct run_options *o;
	int watching;
	struct manifest m;
	struct devconfig dc;
	char devconfig_path[PATH_MAX];
	char *fixtures, *state_dir, *files_dir;
	struct stack *stack;
	int borrowed_stack;     /* session_attach: the stack is the caller's */
	struct rundir first_rd; /* not watching: created with the stack, used by the first run */
	int has_first_rd;
	struct session_run *run;
	/* --save-tokens: a refresh seen in the HTTP handler, saved from a 0 ms timer */
	long long save_timer;
	int save_due;
	char *save_access, *save_refresh;
	json_t *config_warnings;      /* devconfig_check_keys' warnings about the dev config last loaded */
	struct session_last_job last; /* session_end.c keeps it, session_run_retry reads it */
	/* run --auto: the previous run's error makes the stack skip this one (stack: beforeHookKonnector) */
	char *skip_error, *skip_prev;
	char *own_write; /* the dev config's text after our last save */
	size_t own_write_len;
};

/*
 * session_prep.c: the job of run r as cozy-stack prepares it (account,
 * folder_to_save, COZY_* environment into r->env, the command into argv).
 * EXIT_DONE, or an exit status with err.
 */
int session_prep_job(struct session *s, struct session_run *r, char *argv[8], char *err);

/* session_tokens.c: stack_on_refresh's callback for --save-tokens (called inside the HTTP handler). */
void session_tokens_on_refresh(struct stack *st, const char *account_id, const char *access_token,
			       const char *refresh_token, void *arg);
/* session_tokens.c: write a refresh seen since the last save into the dev config now (nothing when none). */
void session_tokens_save(struct session *s);

/*
 * session_vendor.c: the run's vendor proxy (docs/VENDOR.md): --record, a
 * scenario's vendor.har replayed, or none (--no-replay, or no HAR). Started
 * with the dev config's secrets; r->proxy_env gets its variables. EXIT_DONE,
 * or an exit status with err (--replay without a HAR, a HAR that does not
 * read, no CA).
 */
int session_vendor_start(struct session *s, struct session_run *r, char *err);
/* session_vendor.c: the job's extra variables, the proxy's then --env's (they win): a NULL-terminated malloc'd
 * array of borrowed strings, or NULL when out of memory. */
char **session_vendor_env(const struct session_run *r, char *const *extra);
/* session_vendor.c: the run ended: save the recording, the proxy's report into report "vendor" (and r->vendor),
 * problems into the report's warnings; the proxy stops. */
void session_vendor_finish(struct session_run *r, json_t *report);
/* session_vendor.c: stop the proxy (if still running) and free what the run holds of it. */
void session_vendor_free(struct session_run *r);

/* session_end.c: end run r from a 0 ms timer (never from inside the runner's own callback). */
void session_end_schedule(struct session_run *r);
/* session_end.c: free everything run r holds (an ended run, or one that never started). */
void session_end_free(struct session_run *r);
/* Free what session_end kept of the last job. */
void session_end_forget(struct session_last_job *l);

#endif
