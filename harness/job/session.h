/*
 * A session: the fake stack, the manifest and the dev config of one konnector
 * DIR, kept on one loop across runs (`run` makes one run, `watch` many). One
 * run at a time: session_run_start creates the run directory, (re)creates
 * the account, builds the job's environment as cozy-stack does and starts the
 * runner; at the end it judges, writes the run directory and calls back.
 *
 * The caller owns the loop and its signalfd (loop_watch_signals before
 * session_open) and forwards SIGCHLD to session_on_sigchld. Nothing here
 * prints: what to show goes through the hooks.
 */
#ifndef HARNESS_SESSION_H
#define HARNESS_SESSION_H

#include "common/loop.h"
#include "fake-stack/stack.h"
#include "harness/job/devconfig.h"
#include "harness/job/manifest.h"
#include "harness/job/run_options.h"
#include "harness/judge/events.h"
#include "harness/judge/judge.h"
#include "vendor-proxy/proxy.h"

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* session_open's status when the dev config is missing (session_manifest is loaded, err names the path). */
#define SESSION_NO_DEVCONFIG (-1)

struct session;

/* One stdout line as the stack reads it. */
struct session_line {
	size_t lineno;    /* from 1 */
	const char *text; /* without '\n' (and a trailing '\r') */
	size_t len;
	const char *time;         /* ISO-8601 UTC, when it was read */
	enum event_status status; /* EVENT_OK: event is the decoded event, already judged */
	const struct event *event;
	const char *why; /* otherwise why the stack ignores it, at byte column col */
	size_t col;
};

/* The end of one run. */
struct session_end {
	int run_no; /* the run directory's number (0 for --out) */
	const char *run_dir;
	const struct verdict *verdict;
	const struct judge *judge; /* the events' counts */
	const char *start_error;   /* the command could not be started (it is the job's error) */
	json_t *report;            /* report.json as it will be written; the check hook may add members */
	const json_t *changes;     /* this run's writes: {"<doctype>":{"created","updated","deleted"}} */
	const json_t *journal;     /* this run's requests to the stack (stack.h stack_journal's shape) */
	long long duration_ms;
	int started; /* the konnector was started: end and code hold how it ended */
	enum process_end end;
	int code;                        /* exit status (END_EXITED) or signal number (END_SIGNALED) */
	int interrupted;                 /* session_run_stop was called */
	int exit_status;                 /* EXIT_DONE or EXIT_ERRORED; the check hook may change it (EXIT_LINT) */
	const json_t *vendor;            /* the vendor proxy's report (proxy.h proxy_report), NULL when none ran */
	const struct manifest *manifest; /* the konnector's, as this run read it */
};

struct session_hooks {
	/* Each stdout line, as it comes (live display; lint's per-line rules hook in here). */
	void (*line)(void *arg, const struct session_line *l);
	/* Line lineno reached the 64 KiB scanner limit: nothing after it counts. warning says so. */
	void (*too_long)(void *arg, size_t lineno, const char *warning);
	/* Bytes from the konnector's stderr (never parsed by the stack). */
	void (*err)(void *arg, const char *data, size_t len);
	/* One exchange through the vendor proxy (--record, or a replay), as it ends. May be NULL. */
	void (*vendor)(void *arg, const struct proxy_exchange *x);
	/*
	 * After the verdict, once the run directory's stdout.log, stderr.log,
	 * events.jsonl, journal.jsonl and state/ are written, before report.json:
	 * the place for checks over the whole run (lint rules over events +
	 * journal + exit, the scenario's expect.json over state/ and the events;
	 * results into e->report and e->exit_status). May be NULL.
	 */
	void (*check)(void *arg, struct session_end *e);
	/* The run directory is written. The run is over: the hook may start the next one. */
	void (*end)(void *arg, const struct session_end *e);
	void *arg;
};

/*
 * Pick the fixtures, load the manifest and dev config of o->dir (a
 * scenario's own konnector-dev-config.json replaces DIR's unless --config
 * is given; --save-tokens refuses it, fixtures are never written), start the
 * fake stack (loaded from them, or from --state) and declare the konnector.
 * watching: the stack's file tree lives in DIR/.harness/files across runs;
 * otherwise in the (first) run directory's files/, created here, as `run` has it.
 * *out is set whenever memory allows (free it with session_free, also on
 * failure). Returns EXIT_DONE, SESSION_NO_DEVCONFIG, or an exit status with err.
 */
int session_open(struct loop *loop, const struct run_options *o, int watching, struct session **out, char *err);
/*
 * A session over a stack someone else started and keeps (serve): the
 * manifest of o->dir is needed, and the dev config (o->fixtures' own, else
 * o->config or DIR's) is loaded when there is one: it is optional (the jobs
 * bring their accounts; session_devconfig(s)->root is NULL without one).
 * session_free leaves the stack alone. Same statuses as session_open, but
 * never SESSION_NO_DEVCONFIG.
 */
int session_attach(struct loop *loop, const struct run_options *o, struct stack *st, struct session **out, char *err);
void session_free(struct session *s);

const struct manifest *session_manifest(const struct session *s);
/* The fixtures folder in use, NULL for none. */
const char *session_fixtures_dir(const struct session *s);
/* The dev config's path. */
const char *session_devconfig_path(const struct session *s);
/* The dev config as last loaded (its fields are lint's secrets). */
const struct devconfig *session_devconfig(const struct session *s);
/* Warnings about the dev config last loaded (unknown keys, fields the manifest lacks): strings "file:line:col: …".
 * Borrowed. */
const json_t *session_config_warnings(const struct session *s);
/*
 * 1 when the dev config file holds exactly what --save-tokens last wrote
 * into it (watch: a change that is only our own save is no reason to rerun).
 */
int session_devconfig_is_own_write(const struct session *s);
/* The fake stack's URL. */
const char *session_url(const struct session *s);

/*
 * Read the manifest and the dev config again (watch, after a change); the old
 * ones stay on failure. Returns EXIT_DONE, SESSION_NO_DEVCONFIG or an exit status.
 */
int session_reload(struct session *s, char *err);
/* Forget what the konnector wrote: the stack's state from the fixtures (or --state) again. Not during a run. */
int session_reset(struct session *s, char *err);

/*
 * Start a run. Returns 0 once it is under way (hooks->end follows, even when
 * the command cannot be started: that is the job's error), else an exit
 * status with err and no callback (bad payload, no node entry…).
 */
int session_run_start(struct session *s, const struct session_hooks *hooks, char *err);
/*
 * A job the stack handed to its worker (serve): run it with the job's own
 * values instead of the dev config's account and a random job id. Borrowed
 * for the call.
 */
struct session_job {
	const char *id;         /* COZY_JOB_ID is konnector/0/<id> */
	const char *trigger_id; /* NULL: no COZY_TRIGGER_ID */
	const char *message;    /* COZY_FIELDS (folder_to_save may be rewritten as the stack does) */
	const char *account;    /* the message's account, used as it is ("" for none) */
	const char *payload;    /* the webhook body (COZY_PAYLOAD), NULL for none */
	size_t payload_len;
	int manual;
	long long timeout_ms;
	const char *run_dir; /* where this execution's run directory goes */
};
/* session_run_start for a job; the same contract. */
int session_run_job(struct session *s, const struct session_job *job, const struct session_hooks *hooks, char *err);
/*
 * The stack's retry of the job that just ended (run --like-stack): the same
 * job id, trigger, message and account (not created again), the state as the
 * first execution left it, in <its run directory>/retry. Called from the end
 * hook; the same contract as session_run_start.
 */
int session_run_retry(struct session *s, const struct session_hooks *hooks, char *err);
/*
 * A konnector started by hand (serve): the job prepared exactly as
 * session_run_start prepares it — the account from the dev config,
 * folder_to_save, a job id and a trigger id, the COZY_* environment and the
 * command (node -r RUN_DIR/preload.js <entry>, in o->dir) — with run_dir
 * (existing) as its run directory (env and preload.js go there), and nothing
 * started. Returns EXIT_DONE with *out (also when only the command could not
 * be made), or an exit status with err.
 */
struct session_hand;
int session_hand_prepare(struct session *s, const char *run_dir, struct session_hand **out, char *err);
/* The job's environment (the COZY_* variables, then PATH), NULL-terminated. */
char *const *session_hand_env(const struct session_hand *h);
/*
 * The command, NULL-terminated, to run in session_hand_cwd; NULL when none
 * could be made (no node entry yet…), *why_none then says why.
 */
char *const *session_hand_argv(const struct session_hand *h, const char **why_none);
const char *session_hand_cwd(const struct session_hand *h);
/* What the preparation warns about (the dev config's keys, folder_to_save), as strings. Borrowed. */
const json_t *session_hand_warnings(const struct session_hand *h);
void session_hand_free(struct session_hand *h);

/* A run was started and has not ended yet. */
int session_running(const struct session *s);
/*
 * Stop the run: timeout_ms 0 SIGKILLs the process group now (run's Ctrl-C,
 * as the stack cancels a job); otherwise SIGTERM now and SIGKILL after
 * timeout_ms (watch's restart). A second call kills at once. The end follows.
 */
void session_run_stop(struct session *s, long long timeout_ms);
/* Forward every SIGCHLD here. */
void session_on_sigchld(struct session *s);
/* The konnector's pid while it runs and is not reaped yet, else 0. */
pid_t session_child_pid(const struct session *s);

#endif
