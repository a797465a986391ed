/*
 * One konnector DIR against the fake stack, one run at a time; see session.h.
 * Here: the session's life (open, reload, reset), a run's start and stop and
 * its streams (each stdout line judged and captured as it comes). The job is
 * prepared in session_prep.c, the end is session_end.c's, --save-tokens
 * session_tokens.c's.
 */
#include "harness/job/session.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/isotime.h"
#include "common/konnerr.h"
#include "harness/exitcode.h"
#include "harness/job/session_internal.h"
#include "harness/job/session_prep.h"
#include "harness/judge/capture.h"
#include "harness/judge/linescan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Manifest and dev config into m and dc; EXIT_DONE, SESSION_NO_DEVCONFIG or EXIT_DATAERR. */
static int session_load_config(struct session *s, struct manifest *m, struct devconfig *dc, char *err)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/manifest.konnector", s->o->dir);
	if (manifest_load(path, m, err) < 0)
		return EXIT_DATAERR;
	enum devconfig_status ds = devconfig_load(s->devconfig_path, dc, err);
	if (ds == DEVCONFIG_MISSING)
		return SESSION_NO_DEVCONFIG;
	if (ds == DEVCONFIG_BAD)
		return EXIT_DATAERR;
	json_t *w = json_array();
	devconfig_check_keys(dc, m, s->devconfig_path, w);
	json_decref(s->config_warnings);
	s->config_warnings = w;
	return EXIT_DONE;
}

/*
 * stack: worker/exec/konnector.go beforeHookKonnector: an automatic job of a
 * trigger whose last job errored with LOGIN_FAILED… or USER_ACTION_NEEDED…
 * (not exactly …CGU_FORM) is not run. The trigger's last job is the previous
 * run in DIR/.harness/runs (read before this run's directory repoints
 * `latest`); a manual run, or one without a trigger, always goes.
 */
static void session_check_skip(struct session *s)
{
	const struct run_options *o = s->o;
	if (o->manual || o->no_trigger || o->account_deleted || o->out != NULL)
		return;
	char path[PATH_MAX + 64], err[ERR_MAX];
	snprintf(path, sizeof(path), "%s/.harness/runs/latest/report.json", o->dir);
	size_t len;
	char *text = file_read_all(path, &len, err);
	json_t *rep = text ? json_loadb(text, len, 0, NULL) : NULL;
	free(text);
	const char *state = json_string_value(json_object_get(rep, "state"));
	const json_t *e = json_object_get(rep, "error");
	if (state != NULL && (strcmp(state, "errored") == 0 || strcmp(state, "skipped") == 0) && json_is_string(e) &&
	    konnerr_skips_runs(json_string_value(e), json_string_length(e))) {
		s->skip_error = strdup(json_string_value(e));
		const char *prev = json_string_value(json_object_get(rep, "run_dir"));
		s->skip_prev = strdup(prev ? prev : path);
	}
	json_decref(rep);
}

int session_open(struct loop *loop, const struct run_options *o, int watching, struct session **out, char *err)
{
	struct session *s = calloc(1, sizeof(*s));
	*out = s;
	if (s == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	s->loop = loop;
	s->o = o;
	s->watching = watching;
	/* the scenario first: it may bring its own dev config */
	if (session_prep_pick_fixtures(o, &s->fixtures, err) < 0)
		return EXIT_USAGE;
	int own = session_prep_scenario_config(o, s->fixtures, s->devconfig_path, sizeof(s->devconfig_path));
	if (own && o->save_tokens) {
		err_set(err, "--save-tokens would write into %s, and fixtures are never written: give a --config",
			s->devconfig_path);
		return EXIT_USAGE;
	}
	int rc = session_load_config(s, &s->m, &s->dc, err);
	if (rc != EXIT_DONE)
		return rc;
	char path[PATH_MAX + 32];
	if (o->state != NULL) {
		snprintf(path, sizeof(path), "%s/state", o->state);
		if (!fs_is_dir(path)) {
			err_set(err, "--state %s: no state/ folder there (is it a run directory?)", o->state);
			return EXIT_USAGE;
		}
		/* Resolve now: --state .harness/runs/latest must mean the run before this one,
		 * and creating this run's directory below repoints `latest` at it. */
		s->state_dir = realpath(path, NULL);
		if (s->state_dir == NULL) {
			err_set(err, "--state %s: %s", o->state, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (!watching)
		session_check_skip(s);
	if (watching) {
		/* the live file tree outlives each run; every run directory gets its state/ snapshot */
		snprintf(path, sizeof(path), "%s/.harness/files", o->dir);
	} else {
		snprintf(path, sizeof(path), "%s/.harness/runs", o->dir);
		if (rundir_create(path, o->out, &s->first_rd, err) < 0)
			return EXIT_SOFTWARE;
		s->has_first_rd = 1;
		snprintf(path, sizeof(path), "%s/files", s->first_rd.path);
	}
	s->files_dir = strdup(path);
	struct stack_options so = {.fixtures_dir = s->fixtures,
				   .state_dir = s->state_dir,
				   .files_dir = s->files_dir,
				   .perm_mode = STACK_PERM_WARN,
				   .locale = o->locale};
	s->stack = stack_start(loop, &so, err);
	if (s->stack == NULL)
		return EXIT_DATAERR;
	if (stack_add_konnector(s->stack, s->m.slug, s->m.permissions, err) < 0)
		return EXIT_SOFTWARE;
	if (o->save_tokens)
		stack_on_refresh(s->stack, session_tokens_on_refresh, s);
	return EXIT_DONE;
}

int session_attach(struct loop *loop, const struct run_options *o, struct stack *st, struct session **out, char *err)
{
	struct session *s = calloc(1, sizeof(*s));
	*out = s;
	if (s == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	s->loop = loop;
	s->o = o;
	s->stack = st;
	s->borrowed_stack = 1;
	/* the scenario's own dev config first, as session_open picks it (its expect.json is run's, not the jobs') */
	session_prep_scenario_config(o, o->fixtures, s->devconfig_path, sizeof(s->devconfig_path));
	int rc = session_load_config(s, &s->m, &s->dc, err);
	/* the jobs bring their accounts: no dev config is fine (session_devconfig(s)->root is NULL then) */
	return rc == SESSION_NO_DEVCONFIG ? EXIT_DONE : rc;
}

const struct manifest *session_manifest(const struct session *s)
{
	return &s->m;
}

const char *session_fixtures_dir(const struct session *s)
{
	return s->fixtures;
}

const char *session_devconfig_path(const struct session *s)
{
	return s->devconfig_path;
}

const struct devconfig *session_devconfig(const struct session *s)
{
	return &s->dc;
}

int session_devconfig_is_own_write(const struct session *s)
{
	if (s->own_write == NULL)
		return 0;
	char err[ERR_MAX];
	size_t len = 0;
	char *text = file_read_all(s->devconfig_path, &len, err);
	int same = text != NULL && len == s->own_write_len && memcmp(text, s->own_write, len) == 0;
	free(text);
	return same;
}

const json_t *session_config_warnings(const struct session *s)
{
	return s->config_warnings;
}

const char *session_url(const struct session *s)
{
	return s->stack != NULL ? stack_url(s->stack) : NULL;
}

int session_reload(struct session *s, char *err)
{
	struct manifest m = {0};
	struct devconfig dc = {0};
	int rc = session_load_config(s, &m, &dc, err);
	if (rc == EXIT_DONE && stack_add_konnector(s->stack, m.slug, m.permissions, err) < 0)
		rc = EXIT_DATAERR;
	if (rc != EXIT_DONE) {
		manifest_free(&m);
		devconfig_free(&dc);
		return rc;
	}
	manifest_free(&s->m);
	devconfig_free(&s->dc);
	s->m = m;
	s->dc = dc;
	return EXIT_DONE;
}

int session_reset(struct session *s, char *err)
{
	if (s->run != NULL)
		return err_set(err, "a run is in progress");
	return stack_reset(s->stack, err);
}

int session_running(const struct session *s)
{
	return s->run != NULL;
}

/* ---- the run's streams ---- */

/* The wall clock in Unix milliseconds, and as ISO-8601 UTC with milliseconds. */
static long long wall_now(char iso[32])
{
	struct timespec ts;
	isotime_now(ISOTIME_MILLIS, iso, 32, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One capture record (capture.h) into events.jsonl. */
static void session_capture(struct session_run *r, long long ms, size_t lineno, const char *raw, size_t len,
			    int too_long)
{
	struct buf b = {0};
	if (capture_format(&b, ms, (unsigned long)lineno, raw, len, too_long) == 0)
		fwrite(b.data, 1, b.len, r->rd.events);
	buf_free(&b);
}

/* One stdout line: judge it, record it in events.jsonl, hand it to the hook. */
static void session_on_line(void *arg, const char *line, size_t len, size_t lineno, int cr)
{
	struct session_run *r = arg;
	struct event ev;
	char why[128] = "";
	size_t col = 0;
	enum event_status st = event_parse(line, len, &ev, why, sizeof(why), &col);
	char now[32];
	long long ms = wall_now(now);
	session_capture(r, ms, lineno, line, len + (cr ? 1 : 0), 0); /* the raw line keeps its '\r' */
	if (st == EVENT_OK)
		judge_event(&r->judge, &ev);
	else if (st == EVENT_NOT_JSON)
		r->not_json++;
	else
		r->bad_shape++;
	if (r->hooks.line != NULL) {
		struct session_line l = {.lineno = lineno,
					 .text = line,
					 .len = len,
					 .time = now,
					 .status = st,
					 .event = st == EVENT_OK ? &ev : NULL,
					 .why = why,
					 .col = col};
		r->hooks.line(r->hooks.arg, &l);
	}
	if (st == EVENT_OK)
		event_clear(&ev);
}

static void session_on_too_long(void *arg, const char *head, size_t len, size_t lineno)
{
	struct session_run *r = arg;
	char w[256], now[32];
	session_capture(r, wall_now(now), lineno, head, len, 1);
	judge_line_too_long(&r->judge);
	snprintf(w, sizeof(w),
		 "stdout line %zu is longer than %d bytes: the stack stops reading stdout there "
		 "(bufio.Scanner: token too long); nothing after it counts",
		 lineno, LINESCAN_LINE_MAX - 1);
	json_array_append_new(r->warnings, json_string(w));
	if (r->hooks.too_long != NULL)
		r->hooks.too_long(r->hooks.arg, lineno, w);
}

static void session_on_out(void *arg, const char *data, size_t len)
{
	struct session_run *r = arg;
	fwrite(data, 1, len, r->rd.out);
}

static void session_on_err(void *arg, const char *data, size_t len)
{
	struct session_run *r = arg;
	fwrite(data, 1, len, r->rd.err);
	if (r->hooks.err != NULL)
		r->hooks.err(r->hooks.arg, data, len);
}

static void session_on_done(void *arg, enum process_end end, int code)
{
	struct session_run *r = arg;
	r->end = end;
	r->code = code;
	r->ended_ms = loop_now_ms();
	session_end_schedule(r);
}

/* ---- start and stop ---- */

void session_on_sigchld(struct session *s)
{
	if (s != NULL && s->run != NULL)
		runner_on_sigchld(s->run->runner);
}

pid_t session_child_pid(const struct session *s)
{
	if (s == NULL || s->run == NULL || s->run->runner == NULL || runner_finished(s->run->runner))
		return 0;
	return runner_pid(s->run->runner);
}

void session_run_stop(struct session *s, long long timeout_ms)
{
	if (s == NULL || s->run == NULL || s->run->runner == NULL || runner_finished(s->run->runner))
		return;
	s->run->interrupted = 1;
	if (timeout_ms <= 0)
		runner_stop(s->run->runner);
	else
		runner_terminate(s->run->runner, timeout_ms);
}

/* Copy what the run needs of a job (serve). */
static int session_take_job(struct session_run *r, const struct session_job *job)
{
	r->has_job = 1;
	snprintf(r->job_id, sizeof(r->job_id), "%s", job->id);
	r->job_manual = job->manual;
	r->job_timeout_ms = job->timeout_ms;
	r->job_trigger = job->trigger_id ? strdup(job->trigger_id) : NULL;
	r->job_message = strdup(job->message ? job->message : "null");
	r->job_account = strdup(job->account ? job->account : "");
	r->job_run_dir = job->run_dir ? strdup(job->run_dir) : NULL;
	if (job->payload != NULL && (r->job_payload = malloc(job->payload_len + 1)) != NULL) {
		memcpy(r->job_payload, job->payload, job->payload_len);
		r->job_payload[job->payload_len] = '\0';
		r->job_payload_len = job->payload_len;
	}
	return r->job_message != NULL && r->job_account != NULL ? 0 : -1;
}

static int session_run_begin(struct session *s, const struct session_job *job, const struct session_hooks *hooks,
			     char *err);

int session_run_start(struct session *s, const struct session_hooks *hooks, char *err)
{
	return session_run_begin(s, NULL, hooks, err);
}

int session_run_job(struct session *s, const struct session_job *job, const struct session_hooks *hooks, char *err)
{
	return session_run_begin(s, job, hooks, err);
}

int session_run_retry(struct session *s, const struct session_hooks *hooks, char *err)
{
	const struct session_last_job *l = &s->last;
	if (!l->valid) {
		err_set(err, "no job to retry");
		return EXIT_SOFTWARE;
	}
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s/retry", l->run_dir);
	struct session_job job = {.id = l->id,
				  .trigger_id = l->trigger,
				  .message = l->fields,
				  .account = l->account,
				  .manual = l->manual,
				  .timeout_ms = l->timeout_ms,
				  .run_dir = dir};
	char *payload = NULL;
	if (s->o->payload != NULL && (payload = file_read_all(s->o->payload, &job.payload_len, err)) == NULL)
		return EXIT_USAGE;
	job.payload = payload;
	int rc = session_run_begin(s, &job, hooks, err);
	free(payload);
	if (rc == 0 && s->run != NULL)
		s->run->execution = 2;
	return rc;
}

/* A run of the dev config's job (job NULL) or of a job the stack handed over. */
static int session_run_begin(struct session *s, const struct session_job *job, const struct session_hooks *hooks,
			     char *err)
{
	if (s->run != NULL) {
		err_set(err, "a run is in progress");
		return EXIT_SOFTWARE;
	}
	struct session_run *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	r->s = s;
	r->hooks = *hooks;
	r->warnings = json_array();
	json_array_extend(r->warnings, s->config_warnings);
	r->saved_tokens = json_array();
	judge_init(&r->judge);
	int rc;
	if (job != NULL && session_take_job(r, job) < 0) {
		err_set(err, "out of memory");
		rc = EXIT_SOFTWARE;
		goto fail;
	}
	if (s->has_first_rd) {
		r->rd = s->first_rd;
		s->has_first_rd = 0;
	} else {
		char base[PATH_MAX + 32];
		snprintf(base, sizeof(base), "%s/.harness/runs", s->o->dir);
		if (rundir_create(base, r->job_run_dir ? r->job_run_dir : s->o->out, &r->rd, err) < 0) {
			rc = EXIT_SOFTWARE;
			goto fail;
		}
	}
	if (s->o->out == NULL) {
		/* the newest --keep-runs stay, and the one --state reads from */
		char base[PATH_MAX + 32], perr[ERR_MAX], *state_run = NULL;
		snprintf(base, sizeof(base), "%s/.harness/runs", s->o->dir);
		if (s->state_dir != NULL && (state_run = strdup(s->state_dir)) != NULL &&
		    strrchr(state_run, '/') != NULL)
			*strrchr(state_run, '/') = '\0';
		if (rundir_prune(base, s->o->keep_runs, state_run, perr) < 0)
			json_array_append_new(r->warnings, json_string(perr));
		free(state_run);
	}
	char *argv[8] = {0};
	if (s->skip_error != NULL) {
		/* the stack logs "Konnector ignore: <error>" and creates no job */
		char w[ERR_MAX + 600];
		snprintf(w, sizeof(w),
			 "Konnector ignore: %.512s (the stack skips this automatic run: the trigger's last job, %s, "
			 "errored "
			 "with LOGIN_FAILED or USER_ACTION_NEEDED, worker/exec/konnector.go beforeHookKonnector; a "
			 "manual run "
			 "(--manual) goes ahead)",
			 s->skip_error, s->skip_prev);
		json_array_append_new(r->warnings, json_string(w));
		r->skipped = 1;
		r->skip_run = 1;
		snprintf(r->job_id, sizeof(r->job_id), "%s", "");
	} else if ((rc = session_prep_job(s, r, argv, err)) != EXIT_DONE) {
		goto fail;
	}
	r->before = stack_changes(s->stack);
	r->journal_base = json_array_size(stack_journal(s->stack));
	r->started_ms = loop_now_ms();
	s->run = r;
	if (!r->skip_run && r->start_error == NULL) {
		struct runner_spec spec = {.argv = argv,
					   .envp = r->env,
					   .cwd = s->o->dir,
					   .timeout_ms = r->has_job ? r->job_timeout_ms : s->o->timeout_s * 1000,
					   .child_sigmask = loop_saved_sigmask(s->loop)};
		struct runner_hooks rh = {session_on_line, session_on_too_long, session_on_out,
					  session_on_err,  session_on_done,     r};
		char serr[ERR_MAX];
		r->runner = runner_start(s->loop, &spec, &rh, serr);
		if (r->runner == NULL)
			r->start_error = strdup(serr); /* stack: a start failure is the job's error */
	}
	if (r->runner == NULL)
		session_end_schedule(r);
	return 0;
fail:
	session_end_free(r);
	return rc;
}

void session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_end_free(s->run);
	s->run = NULL;
	session_tokens_save(s); /* a refresh whose timer did not fire yet */
	if (s->has_first_rd)
		rundir_close(&s->first_rd);
	if (!s->borrowed_stack)
		stack_stop(s->stack);
	manifest_free(&s->m);
	devconfig_free(&s->dc);
	free(s->fixtures), free(s->state_dir), free(s->files_dir);
	free(s->own_write);
	json_decref(s->config_warnings);
	free(s->skip_error), free(s->skip_prev);
	session_end_forget(&s->last);
	free(s);
}
