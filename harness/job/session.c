/*
 * One konnector DIR against the fake stack, one run at a time; see session.h.
 * The job is prepared as cozy-stack prepares it (stack.md §1): account,
 * folder_to_save, COZY_* environment, then the runner; the end is judged as
 * the stack judges it.
 */
#include "common/isotime.h"
#include "harness/job/session.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "fake-stack/stack.h"
#include "harness/job/devconfig.h"
#include "harness/job/devconfig_tokens.h"
#include "harness/exitcode.h"
#include "harness/job/jobenv.h"
#include "harness/job/preload.h"
#include "harness/job/rundir.h"
#include "harness/job/runner.h"
#include "harness/job/session_prep.h"
#include "harness/judge/capture.h"
#include "harness/judge/linescan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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
	int skip_run; /* account_deleted without on_delete_account: nothing to start */
	char *start_error;
	long long started_ms, ended_ms, finish_timer;
	size_t not_json, bad_shape, journal_base;
	json_t *warnings, *before, *account, *extra_fields;
	json_t *saved_tokens; /* --save-tokens: what this run's refreshes wrote into the dev config */
	char job_id[33];
	char *fields, *params, *payload, *entry, *folder, *preload_path;
	char **env;
	int payload_file;
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
	struct rundir first_rd; /* not watching: created with the stack, used by the first run */
	int has_first_rd;
	struct session_run *run;
	/* --save-tokens: a refresh seen in the HTTP handler, saved from a 0 ms timer */
	long long save_timer;
	int save_due;
	char *save_access, *save_refresh;
	char *own_write; /* the dev config's text after our last save */
	size_t own_write_len;
};

static void session_on_refresh(struct stack *st, const char *account_id, const char *access_token,
			       const char *refresh_token, void *arg);

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
	return EXIT_DONE;
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
	/* the scenario first: it may bring its own dev config (issue 9) */
	if (prep_pick_fixtures(o, &s->fixtures, err) < 0)
		return EXIT_USAGE;
	int own = prep_scenario_config(o, s->fixtures, s->devconfig_path, sizeof(s->devconfig_path));
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
		if (!prep_is_dir(path)) {
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
	struct stack_options so = {.fixtures_dir = s->fixtures, .state_dir = s->state_dir, .files_dir = s->files_dir,
				   .perm_mode = STACK_PERM_WARN, .locale = o->locale};
	s->stack = stack_start(loop, &so, err);
	if (s->stack == NULL)
		return EXIT_DATAERR;
	if (stack_add_konnector(s->stack, s->m.slug, s->m.permissions, err) < 0)
		return EXIT_SOFTWARE;
	if (o->save_tokens)
		stack_on_refresh(s->stack, session_on_refresh, s);
	return EXIT_DONE;
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

/* Write the refreshed tokens into the dev config now; the outcome goes to the run's report (or is dropped between runs). */
static void session_save_tokens(struct session *s)
{
	if (!s->save_due)
		return;
	s->save_due = 0;
	if (s->save_timer)
		loop_del_timer(s->loop, s->save_timer);
	s->save_timer = 0;
	char err[ERR_MAX];
	json_t *note = NULL;
	if (devconfig_save_tokens(s->devconfig_path, s->save_access, s->save_refresh, err) < 0) {
		char msg[ERR_MAX + 64];
		snprintf(msg, sizeof(msg), "--save-tokens: %s", err);
		note = json_string(msg);
	} else {
		char a[128], r[128];
		note = json_object();
		json_object_set_new(note, "file", json_string(s->devconfig_path));
		if (s->save_access != NULL)
			json_object_set_new(note, "access_token", json_string(devconfig_mask_token(s->save_access, a, sizeof(a))));
		if (s->save_refresh != NULL)
			json_object_set_new(note, "refresh_token",
					    json_string(devconfig_mask_token(s->save_refresh, r, sizeof(r))));
		free(s->own_write);
		s->own_write = file_read_all(s->devconfig_path, &s->own_write_len, err);
	}
	if (s->run != NULL)
		json_array_append(json_is_string(note) ? s->run->warnings : s->run->saved_tokens, note);
	json_decref(note);
	free(s->save_access), free(s->save_refresh);
	s->save_access = s->save_refresh = NULL;
}

static void session_save_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct session *s = arg;
	s->save_timer = 0;
	session_save_tokens(s);
}

/* stack_on_refresh: the account made from the dev config got new tokens (called inside the HTTP handler). */
static void session_on_refresh(struct stack *st, const char *account_id, const char *access_token,
			       const char *refresh_token, void *arg)
{
	(void)st;
	struct session *s = arg;
	char mine[33];
	prep_account_id(s->m.slug, mine);
	if (strcmp(account_id, mine) != 0 || (access_token == NULL && refresh_token == NULL))
		return; /* a fixture account: nothing of the dev config */
	free(s->save_access), free(s->save_refresh);
	s->save_access = access_token ? strdup(access_token) : NULL;
	s->save_refresh = refresh_token ? strdup(refresh_token) : NULL;
	s->save_due = 1;
	/* never write files from inside the HTTP handler: from the loop, right after it */
	if (s->save_timer == 0)
		s->save_timer = loop_add_timer(s->loop, 0, session_save_timer, s);
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

/* One capture record (events.h) into events.jsonl. */
static void session_capture(struct session_run *r, long long ms, size_t lineno, const char *raw, size_t len,
			    int too_long)
{
	struct buf b = {0};
	if (event_capture_format(&b, ms, (unsigned long)lineno, raw, len, too_long) == 0)
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
		struct session_line l = {.lineno = lineno, .text = line, .len = len, .time = now, .status = st,
					 .event = st == EVENT_OK ? &ev : NULL, .why = why, .col = col};
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
		 lineno, EVENT_LINE_MAX - 1);
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

static void session_finish(struct loop *loop, void *arg);

/* The end is handled from a timer, never from inside the runner's own callback (it is freed there). */
static void session_schedule_finish(struct session_run *r)
{
	if (r->ended_ms == 0)
		r->ended_ms = loop_now_ms();
	if (r->finish_timer == 0)
		r->finish_timer = loop_add_timer(r->s->loop, 0, session_finish, r);
}

static void session_on_done(void *arg, enum process_end end, int code)
{
	struct session_run *r = arg;
	r->end = end;
	r->code = code;
	r->ended_ms = loop_now_ms();
	session_schedule_finish(r);
}

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

/* ---- start ---- */

static void session_run_free(struct session_run *r)
{
	if (r == NULL)
		return;
	if (r->finish_timer)
		loop_del_timer(r->s->loop, r->finish_timer);
	if (r->payload_file) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/" JOBENV_PAYLOAD_FILE, r->s->o->dir);
		unlink(path); /* the stack's work dir, payload file included, is removed after the run */
	}
	runner_free(r->runner);
	if (r->rd.path != NULL)
		rundir_close(&r->rd);
	judge_clear(&r->judge);
	json_decref(r->warnings);
	json_decref(r->before);
	json_decref(r->account);
	json_decref(r->extra_fields);
	json_decref(r->saved_tokens);
	jobenv_free(r->env);
	free(r->fields), free(r->params), free(r->payload), free(r->entry), free(r->folder), free(r->preload_path);
	free(r->start_error);
	free(r);
}

/* The account, as Home creates it from the login form (auth) or an OAuth dance (oauth); COZY_FIELDS. */
static int session_prepare_account(struct session *s, struct session_run *r, int *manual, const char **trig,
				   char *err)
{
	const struct run_options *o = s->o;
	char account_id[33];
	prep_account_id(s->m.slug, account_id);
	r->account = prep_put_account(s->stack, &s->dc, s->m.slug, account_id, err);
	if (r->account == NULL) {
		char why[ERR_MAX];
		snprintf(why, sizeof(why), "%s", err);
		err_set(err, "creating the account: %s", why);
		return EXIT_SOFTWARE;
	}
	r->extra_fields = s->dc.cozy_fields ? json_deep_copy(s->dc.cozy_fields) : json_object();
	if (o->fields_in_env)
		json_object_update(r->extra_fields, s->dc.fields);
	if (o->account_deleted) {
		/* stack: model/account/accounts.go delete hook: copy to soft_deleted with soft_deleted_rev, delete,
		 * then push {"account","account_rev","konnector","account_deleted":true}, manual, no trigger */
		const char *rev = json_string_value(json_object_get(r->account, "_rev"));
		json_t *soft = json_deep_copy(r->account);
		json_object_del(soft, "_rev");
		json_object_set_new(soft, "soft_deleted_rev", json_string(rev ? rev : ""));
		json_t *stored = stack_doc_put(s->stack, "io.cozy.accounts.soft_deleted", soft, err);
		json_decref(soft);
		if (stored == NULL || stack_doc_delete(s->stack, "io.cozy.accounts", account_id, err) < 0) {
			json_decref(stored);
			char why[ERR_MAX];
			snprintf(why, sizeof(why), "%s", err);
			err_set(err, "soft-deleting the account: %s", why);
			return EXIT_SOFTWARE;
		}
		json_decref(stored);
		json_object_set_new(r->extra_fields, "account_rev", json_string(rev ? rev : ""));
		json_object_set_new(r->extra_fields, "account_deleted", json_true());
		*manual = 1;
		*trig = NULL;
	} else if (s->m.wants_folder) {
		/* stack: BuildTrigger puts folder_to_save "yes", ensureFolderToSave turns it into the dir id */
		r->folder = prep_folder_to_save(s->stack, &s->m, o->locale, &r->account, r->warnings);
	}
	r->fields = jobenv_fields(s->m.slug, account_id, r->folder, r->extra_fields);
	return EXIT_DONE;
}

/* The COZY_* environment of the job (r->env), written to the run directory redacted. */
static int session_prepare_env(struct session *s, struct session_run *r, char *err)
{
	const struct run_options *o = s->o;
	int manual = o->manual;
	char trigger_id[33];
	prep_random_id(r->job_id);
	prep_random_id(trigger_id);
	const char *trig = o->no_trigger ? NULL : (o->trigger_id ? o->trigger_id : trigger_id);
	int rc = session_prepare_account(s, r, &manual, &trig, err);
	if (rc != EXIT_DONE)
		return rc;
	/* stack: worker/exec/konnector.go PrepareCmdEnv: exactly one account type by slug with a secret grant */
	const json_t *secret = NULL;
	if (!stack_account_type_secret(s->stack, s->m.slug, &secret))
		secret = NULL;
	r->params = jobenv_parameters(s->m.parameters, s->dc.cozy_parameters, secret);
	r->payload = prep_payload(o, &r->payload_file, err);
	if (r->payload == NULL) {
		char why[ERR_MAX];
		snprintf(why, sizeof(why), "%s", err);
		err_set(err, "--payload: %s", why);
		return EXIT_USAGE;
	}
	const char *token = stack_mint_konnector_token(s->stack, s->m.slug, err);
	if (token == NULL)
		return EXIT_SOFTWARE;
	o->extra_env[o->n_extra] = NULL;
	struct job job = {.url = stack_url(s->stack), .credentials = token, .fields = r->fields,
			  .parameters = r->params, .payload = r->payload, .language = s->m.language,
			  .locale = o->locale, .time_limit_s = o->timeout_s, .job_id = r->job_id, .manual = manual,
			  .trigger_id = trig, .path = getenv("PATH"), .inherit = o->inherit_env ? environ : NULL,
			  .extra = o->extra_env};
	r->env = jobenv_build(&job, err);
	if (r->env == NULL)
		return EXIT_USAGE;
	char werr[ERR_MAX];
	if (rundir_write_env(&r->rd, r->env, werr) < 0)
		json_array_append_new(r->warnings, json_string(werr));
	return EXIT_DONE;
}

/* The command: --cmd, or node <entry> (the on_delete_account file for an account_deleted run). */
static int session_prepare_argv(struct session *s, struct session_run *r, char *argv[8], char *err)
{
	const struct run_options *o = s->o;
	if (o->account_deleted && s->m.on_delete_account == NULL) {
		/* stack: PrepareWorkDir returns ErrAbort: the job is done without running anything */
		r->skip_run = 1;
		json_array_append_new(r->warnings, json_string("the manifest has no on_delete_account: the stack runs nothing "
							       "and the job is done (ErrAbort)"));
		return EXIT_DONE;
	}
	if (o->cmd != NULL) {
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = (char *)o->cmd;
		return EXIT_DONE;
	}
	if (strcmp(s->m.language, "node") != 0) {
		err_set(err, "language \"%s\": give the command with --cmd", s->m.language);
		return EXIT_UNAVAILABLE;
	}
	r->entry = o->account_deleted ? prep_clean_rel(s->m.on_delete_account) : prep_node_entry(o->dir, o->entry);
	if (r->entry == NULL) {
		err_set(err, "no entry in %s: none of package.json main, index.js, build/index.js, src/index.js exists; "
			     "use --entry FILE or --cmd CMD", o->dir);
		return EXIT_DATAERR;
	}
	int a = 0;
	argv[a++] = "node";
	if (!o->no_preload) {
		char *text = preload_text(s->m.root);
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/preload.js", r->rd.path);
		if (text == NULL || rundir_write(&r->rd, "preload.js", text, strlen(text), err) < 0) {
			free(text);
			return EXIT_SOFTWARE;
		}
		free(text);
		r->preload_path = realpath(path, NULL);
		if (r->preload_path == NULL)
			r->preload_path = strdup(path);
		argv[a++] = "-r";
		argv[a++] = r->preload_path;
	}
	argv[a++] = r->entry;
	return EXIT_DONE;
}

int session_run_start(struct session *s, const struct session_hooks *hooks, char *err)
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
	r->saved_tokens = json_array();
	judge_init(&r->judge);
	int rc;
	if (s->has_first_rd) {
		r->rd = s->first_rd;
		s->has_first_rd = 0;
	} else {
		char base[PATH_MAX + 32];
		snprintf(base, sizeof(base), "%s/.harness/runs", s->o->dir);
		if (rundir_create(base, s->o->out, &r->rd, err) < 0) {
			rc = EXIT_SOFTWARE;
			goto fail;
		}
	}
	char *argv[8] = {0};
	if ((rc = session_prepare_env(s, r, err)) != EXIT_DONE || (rc = session_prepare_argv(s, r, argv, err)) != EXIT_DONE)
		goto fail;
	r->before = stack_changes(s->stack);
	r->journal_base = json_array_size(stack_journal(s->stack));
	r->started_ms = loop_now_ms();
	s->run = r;
	if (!r->skip_run) {
		struct runner_spec spec = {.argv = argv, .envp = r->env, .cwd = s->o->dir,
					   .timeout_ms = s->o->timeout_s * 1000,
					   .child_sigmask = loop_saved_sigmask(s->loop)};
		struct runner_hooks rh = {session_on_line, session_on_too_long, session_on_out, session_on_err,
					  session_on_done, r};
		char serr[ERR_MAX];
		r->runner = runner_start(s->loop, &spec, &rh, serr);
		if (r->runner == NULL)
			r->start_error = strdup(serr); /* stack: a start failure is the job's error */
	}
	if (r->runner == NULL)
		session_schedule_finish(r);
	return 0;
fail:
	session_run_free(r);
	return rc;
}

/* ---- the end ---- */

static const char *end_name(enum process_end e)
{
	return e == END_EXITED ? "exited" : e == END_SIGNALED ? "signaled" : "timeout";
}

/* The report (report.json and --format json). */
static json_t *session_report(struct session_run *r, const struct verdict *v, json_t *changes)
{
	json_t *rep = json_object();
	json_object_set_new(rep, "slug", json_string(r->s->m.slug));
	json_object_set_new(rep, "job_id", json_string(r->job_id));
	json_object_set_new(rep, "state", json_string(v->done ? "done" : "errored"));
	json_object_set_new(rep, "error", v->error ? json_string(v->error) : json_null());
	json_object_set_new(rep, "duration_ms", json_integer(r->ended_ms - r->started_ms));
	json_t *proc = json_object();
	if (r->start_error != NULL || r->skip_run) {
		json_object_set_new(proc, "end", json_string("not_started"));
	} else {
		json_object_set_new(proc, "end", json_string(end_name(r->end)));
		json_object_set_new(proc, r->end == END_SIGNALED ? "signal" : "code", json_integer(r->code));
	}
	json_object_set_new(rep, "process", proc);
	json_t *ev = json_object();
	json_object_set_new(ev, "debug", json_integer((json_int_t)r->judge.count_debug));
	json_object_set_new(ev, "info", json_integer((json_int_t)r->judge.count_info));
	json_object_set_new(ev, "warning", json_integer((json_int_t)r->judge.count_warning));
	json_object_set_new(ev, "error", json_integer((json_int_t)r->judge.count_error));
	json_object_set_new(ev, "critical", json_integer((json_int_t)r->judge.count_critical));
	json_object_set_new(ev, "other", json_integer((json_int_t)r->judge.count_other));
	json_object_set_new(ev, "not_json", json_integer((json_int_t)r->not_json));
	json_object_set_new(ev, "bad_shape", json_integer((json_int_t)r->bad_shape));
	json_object_set_new(rep, "events", ev);
	json_object_set(rep, "changes", changes);
	json_t *next = json_object();
	json_object_set_new(next, "retry", json_boolean(!v->done && v->retry));
	json_object_set_new(next, "skip_automatic_runs", json_boolean(!v->done && v->skips_next_runs));
	json_object_set_new(rep, "next", next);
	json_object_set_new(rep, "interrupted", json_boolean(r->interrupted != 0));
	json_object_set(rep, "warnings", r->warnings);
	if (r->s->o->save_tokens)
		json_object_set(rep, "saved_tokens", r->saved_tokens);
	json_object_set_new(rep, "run_dir", json_string(r->rd.path));
	return rep;
}

/* This run's requests: the journal since the run started (new ref; the stack's keeps earlier runs with --keep-state). */
static json_t *session_journal_slice(const struct session_run *r)
{
	const json_t *all = stack_journal(r->s->stack);
	json_t *out = json_array();
	for (size_t i = r->journal_base; i < json_array_size(all); i++)
		json_array_append(out, json_array_get(all, i));
	return out;
}

/* One compact JSON object per line, as stack_write_journal writes it. */
static int session_write_journal(const struct session_run *r, const json_t *journal, char *err)
{
	struct buf b = {0};
	size_t i;
	json_t *e;
	json_array_foreach(journal, i, e)
	{
		char *line = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line != NULL)
			buf_printf(&b, "%s\n", line);
		free(line);
	}
	int rc = rundir_write(&r->rd, "journal.jsonl", b.data ? b.data : "", b.len, err);
	buf_free(&b);
	return rc;
}

/* The verdict of the run, as the stack decides it. */
static void session_judge(struct session_run *r, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (r->skip_run) {
		v->done = 1;
	} else if (r->start_error != NULL) {
		v->error = strdup(r->start_error);
		v->retry = 1;
	} else {
		judge_finish(&r->judge, r->end, r->code, v);
		if (r->interrupted && r->end == END_SIGNALED && v->error != NULL && strncmp(v->error, "signal: ", 8) == 0) {
			/* stack: a cancelled job context gives ctx.Err() */
			free(v->error);
			v->error = strdup("context canceled");
		}
	}
}

static void session_finish(struct loop *loop, void *arg)
{
	(void)loop;
	struct session_run *r = arg;
	struct session *s = r->s;
	char err[ERR_MAX], path[PATH_MAX + 32];
	r->finish_timer = 0;
	session_save_tokens(s); /* a refresh just before the end still lands in this run's report */
	struct verdict v;
	session_judge(r, &v);
	json_t *after = stack_changes(s->stack);
	json_t *changes = prep_changes_diff(r->before, after);
	json_decref(after);
	json_t *journal = session_journal_slice(r);
	json_t *report = session_report(r, &v, changes);
	struct session_end e = {.run_no = r->rd.n, .run_dir = r->rd.path, .verdict = &v, .judge = &r->judge,
				.start_error = r->start_error, .report = report, .changes = changes, .journal = journal,
				.duration_ms = r->ended_ms - r->started_ms, .interrupted = r->interrupted,
				.started = r->start_error == NULL && !r->skip_run, .end = r->end, .code = r->code,
				.exit_status = v.done ? EXIT_DONE : EXIT_ERRORED};
	fflush(r->rd.out);
	fflush(r->rd.err);
	fflush(r->rd.events);
	int jrc = r->journal_base == 0 ? (snprintf(path, sizeof(path), "%s/journal.jsonl", r->rd.path),
					  stack_write_journal(s->stack, path, err))
				       : session_write_journal(r, journal, err);
	if (jrc < 0)
		json_array_append_new(r->warnings, json_string(err));
	snprintf(path, sizeof(path), "%s/state", r->rd.path);
	if (stack_write_state(s->stack, path, err) < 0)
		json_array_append_new(r->warnings, json_string(err));
	/* lint's rules and expect.json run from this hook (see session.h); they may read the files above */
	if (r->hooks.check != NULL)
		r->hooks.check(r->hooks.arg, &e);
	char *text = json_dumps(report, JSON_INDENT(2));
	if (text != NULL) {
		size_t n = strlen(text);
		text[n] = '\n';
		if (rundir_write(&r->rd, "report.json", text, n + 1, err) < 0)
			json_array_append_new(r->warnings, json_string(err));
		free(text);
	}
	/* detach first: the end hook may start the next run */
	s->run = NULL;
	runner_free(r->runner);
	r->runner = NULL;
	if (r->hooks.end != NULL)
		r->hooks.end(r->hooks.arg, &e);
	verdict_clear(&v);
	json_decref(changes);
	json_decref(journal);
	json_decref(report);
	session_run_free(r);
}

void session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_run_free(s->run);
	s->run = NULL;
	session_save_tokens(s); /* a refresh whose timer did not fire yet */
	if (s->has_first_rd)
		rundir_close(&s->first_rd);
	stack_stop(s->stack);
	manifest_free(&s->m);
	devconfig_free(&s->dc);
	free(s->fixtures), free(s->state_dir), free(s->files_dir);
	free(s->own_write);
	free(s);
}
