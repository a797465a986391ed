/*
 * The end of a run: the verdict as the stack decides it, the run directory's
 * journal.jsonl, state/ and report.json, the check hook then the end hook.
 */
#include "harness/job/session_internal.h"

#include "common/buf.h"
#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/job/jobenv.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Forget the job session_end_remember kept. */
void session_end_forget(struct session_last_job *l)
{
	free(l->id), free(l->trigger), free(l->fields), free(l->account), free(l->run_dir);
	memset(l, 0, sizeof(*l));
}

/* Keep what the stack's retry of this job needs (session_run_retry): the same job, message and account. */
static void session_end_remember(struct session_run *r)
{
	struct session_last_job *l = &r->s->last;
	session_end_forget(l);
	if (r->skip_run || r->fields == NULL)
		return;
	const char *account = r->has_job ? r->job_account : json_string_value(json_object_get(r->account, "_id"));
	l->id = strdup(r->job_id);
	l->trigger = r->trigger_used ? strdup(r->trigger_used) : NULL;
	l->fields = strdup(r->fields);
	l->account = strdup(account && !r->s->o->account_deleted ? account : "");
	l->run_dir = strdup(r->rd.path);
	l->manual = r->manual_used;
	l->timeout_ms = r->has_job ? r->job_timeout_ms : r->s->o->timeout_s * 1000;
	l->valid = l->id && l->fields && l->account && l->run_dir && (l->trigger || !r->trigger_used);
}

void session_end_free(struct session_run *r)
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
	session_vendor_free(r);
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
	free(r->start_error), free(r->trigger_used);
	free(r->job_trigger), free(r->job_message), free(r->job_account), free(r->job_payload), free(r->job_run_dir);
	free(r);
}

static const char *end_name(enum process_end e)
{
	return e == END_EXITED ? "exited" : e == END_SIGNALED ? "signaled" : "timeout";
}

/* after − before, per doctype and counter, keeping only doctypes that changed. */
static json_t *session_changes_diff(const json_t *before, const json_t *after)
{
	json_t *out = json_object();
	const char *dt;
	json_t *counts;
	json_object_foreach ((json_t *)after, dt, counts) {
		json_t *b = json_object_get(before, dt), *d = json_object();
		const char *k;
		json_t *v;
		int any = 0;
		json_object_foreach (counts, k, v) {
			json_int_t n = json_integer_value(v) - json_integer_value(json_object_get(b, k));
			json_object_set_new(d, k, json_integer(n));
			any |= n != 0;
		}
		if (any)
			json_object_set_new(out, dt, d);
		else
			json_decref(d);
	}
	return out;
}

/* The report (report.json and --format json). */
static json_t *session_report(struct session_run *r, const struct verdict *v, json_t *changes)
{
	json_t *rep = json_object();
	json_object_set_new(rep, "slug", json_string(r->s->m.slug));
	json_object_set_new(rep, "job_id", json_string(r->job_id));
	if (r->execution > 0)
		json_object_set_new(rep, "execution", json_integer(r->execution));
	json_object_set_new(rep, "state", json_string(r->skipped ? "skipped" : v->done ? "done" : "errored"));
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
	/* the secrets of the run: `lint` of this run directory reads them from here */
	char *dc = realpath(r->s->devconfig_path, NULL);
	json_object_set_new(rep, "dev_config", dc != NULL ? json_string(dc) : json_null());
	free(dc);
	return rep;
}

/* This run's requests: the journal since the run started (new ref; the stack's keeps earlier runs with --keep-state).
 */
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
	json_array_foreach (journal, i, e) {
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
	if (r->skipped) {
		/* no job: the trigger stays errored with the last job's error */
		v->error = strdup(r->s->skip_error);
		v->error_len = strlen(v->error);
		v->skips_next_runs = 1;
	} else if (r->start_error != NULL) {
		v->error = strdup(r->start_error);
		v->retry = 1;
	} else if (r->skip_run) {
		v->done = 1;
	} else {
		judge_finish(&r->judge, r->end, r->code, v);
		if (r->interrupted && r->end == END_SIGNALED && v->error != NULL &&
		    strncmp(v->error, "signal: ", 8) == 0) {
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
	session_tokens_save(s); /* a refresh just before the end still lands in this run's report */
	struct verdict v;
	session_judge(r, &v);
	json_t *after = stack_changes(s->stack);
	json_t *changes = session_changes_diff(r->before, after);
	json_decref(after);
	json_t *journal = session_journal_slice(r);
	json_t *report = session_report(r, &v, changes);
	struct session_end e = {.run_no = r->rd.n,
				.run_dir = r->rd.path,
				.verdict = &v,
				.judge = &r->judge,
				.start_error = r->start_error,
				.report = report,
				.changes = changes,
				.journal = journal,
				.duration_ms = r->ended_ms - r->started_ms,
				.interrupted = r->interrupted,
				.started = r->start_error == NULL && !r->skip_run,
				.end = r->end,
				.code = r->code,
				.exit_status = v.done ? EXIT_DONE : EXIT_ERRORED,
				.manifest = &s->m};
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
	/* the vendor proxy's part: the recording saved, its report in (lint and expect.json read it) */
	session_vendor_finish(r, report);
	e.vendor = r->vendor;
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
	session_end_remember(r);
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
	session_end_free(r);
}

/* The end is handled from a timer, never from inside the runner's own callback (it is freed there). */
void session_end_schedule(struct session_run *r)
{
	if (r->ended_ms == 0)
		r->ended_ms = loop_now_ms();
	if (r->finish_timer == 0)
		r->finish_timer = loop_add_timer(r->s->loop, 0, session_finish, r);
}
