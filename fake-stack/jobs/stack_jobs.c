/*
 * The jobs seam of the fake stack: the job system on the stack's loop, store
 * and hub, and the harness's worker behind stack_on_job after the checks the
 * stack's konnector worker makes before it starts anything (stack:
 * worker/exec/konnector.go PrepareWorkDir's BadTriggerErrors).
 */
#include "common/err.h"
#include "common/isotime.h"
#include "fake-stack/data/store.h"
#include "fake-stack/files/vfs.h"
#include "fake-stack/jobs/jobs.h"
#include "fake-stack/jobs/route_jobs.h"
#include "fake-stack/stack.h"
#include "fake-stack/stack_int.h"

#include <stdlib.h>
#include <string.h>

int stack_jobs_start(struct stack *st, char *err)
{
	st->jobs = jobs_new(st->loop, st->store, st->hub, st->domain, st->url);
	if (st->jobs == NULL)
		return err_set(err, "out of memory");
	jobs_load(st->jobs);
	return 0;
}

void stack_jobs_stop(struct stack *st)
{
	jobs_free(st->jobs);
	st->jobs = NULL;
}

void stack_jobs_reset(struct stack *st)
{
	if (st->jobs != NULL)
		jobs_reset(st->jobs, st->store);
}

int route_jobs_handle(struct stack *st, struct request *req)
{
	return route_jobs_serve(st->jobs, req);
}

/*
 * stack: PrepareWorkDir: a konnector that is not installed, or an account
 * that is not there (unless the job cleans a deleted account), is a
 * BadTriggerError: no retry, the trigger is deleted. NULL when fine.
 */
static const char *bad_trigger(struct stack *st, const struct jobs_exec *x)
{
	if (!stack_has_konnector(st, x->slug))
		return "Application is not installed"; /* model/app/errors.go ErrNotFound */
	if (x->account[0] == '\0')
		return NULL;
	json_t *msg = json_loads(x->message, 0, NULL);
	int deleted_run = json_is_true(json_object_get(msg, "account_deleted"));
	json_decref(msg);
	if (deleted_run)
		return NULL;
	enum store_status status = STORE_OK;
	json_t *acc = store_fetch(st->store, "io.cozy.accounts", x->account, &status);
	json_decref(acc);
	if (acc != NULL)
		return NULL;
	/* pkg/couchdb/errors.go: "CouchDB(<error>): <reason>" */
	return status == STORE_DELETED ? "CouchDB(not_found): deleted" : "CouchDB(not_found): missing";
}

/* The job system hands over one execution of a konnector job. */
static void on_exec(void *arg, const struct jobs_exec *x)
{
	struct stack *st = arg;
	char err[ERR_MAX];
	const char *bad = bad_trigger(st, x);
	if (bad != NULL || st->job_cb == NULL) {
		jobs_exec_done(st->jobs, x->id, bad ? bad : "no worker", 0, bad != NULL, err);
		return;
	}
	struct stack_job job = {.id = x->id,
				.slug = x->slug,
				.account = x->account,
				.trigger_id = x->trigger_id,
				.message = x->message,
				.payload = x->payload,
				.payload_len = x->payload_len,
				.manual = x->manual,
				.exec_no = x->exec_no,
				.timeout_ms = x->timeout_ms};
	st->job_cb(st, &job, st->job_arg);
}

void stack_on_job(struct stack *st, stack_job_cb cb, void *arg)
{
	st->job_cb = cb;
	st->job_arg = arg;
	jobs_set_worker(st->jobs, "konnector", cb != NULL ? on_exec : NULL, st);
}

int stack_job_done(struct stack *st, const char *job_id, const char *error, int retry, char *err)
{
	return jobs_exec_done(st->jobs, job_id, error, retry, 0, err);
}

static void on_schedule(void *arg, const char *trigger_id, const char *type, const char *arguments,
			const struct timespec *next, int gone)
{
	struct stack *st = arg;
	char iso[48];
	if (next != NULL)
		isotime_format(next, ISOTIME_SECONDS, iso, sizeof(iso));
	if (st->schedule_cb != NULL)
		st->schedule_cb(st, trigger_id, type, arguments, next ? iso : NULL, gone, st->schedule_arg);
}

void stack_on_schedule(struct stack *st, stack_schedule_cb cb, void *arg)
{
	st->schedule_cb = cb;
	st->schedule_arg = arg;
	jobs_on_schedule(st->jobs, cb != NULL ? on_schedule : NULL, st);
	if (cb != NULL)
		jobs_replay_schedule(st->jobs);
}

void stack_jobs_fire_now(struct stack *st, int on)
{
	jobs_set_fire_now(st->jobs, on);
	if (on)
		jobs_fire_all(st->jobs);
}

int stack_triggers_set_folder(struct stack *st, const char *account, const char *slug, const char *dir_id, char *err)
{
	return jobs_triggers_set_folder(st->jobs, account, slug, dir_id, err);
}

int stack_folder_usable(struct stack *st, const char *dir_id)
{
	const json_t *d = st->vfs != NULL ? vfs_get(st->vfs, dir_id) : NULL;
	const char *type = json_string_value(json_object_get(d, "type"));
	return d != NULL && type != NULL && strcmp(type, "directory") == 0 && !vfs_in_trash(d);
}
