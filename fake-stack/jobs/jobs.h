/*
 * The job system of the fake stack: triggers (io.cozy.triggers) scheduled on
 * the loop, jobs (io.cozy.jobs) pushed, queued, handed to a worker and
 * acknowledged as the stack does it (stack: model/job/mem_scheduler.go,
 * mem_broker.go, worker.go, broker.go; worker/exec/konnector.go's hooks).
 * Documents live in the store and every change is published on the hub.
 * The worker that runs konnector jobs is the harness's (stack.h
 * stack_on_job). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_JOBS_H
#define FAKE_STACK_JOBS_JOBS_H

#include "common/err.h"
#include "common/loop.h"

#include <jansson.h>
#include <stddef.h>
#include <time.h>

struct store;
struct hub;
struct jobs;

/* stack: worker/exec/common.go: the konnector worker's MaxExecCount and Timeout */
#define JOBS_KONNECTOR_MAX_EXEC 2
#define JOBS_KONNECTOR_TIMEOUT_MS (300LL * 1000)

/* One execution of a job, handed to the worker. Everything is borrowed for the call. */
struct jobs_exec {
	const char *id;         /* the io.cozy.jobs id */
	const char *worker;     /* "konnector" */
	const char *slug;       /* message.konnector ("" when absent) */
	const char *account;    /* message.account ("" when absent) */
	const char *trigger_id; /* NULL without a trigger */
	const char *message;    /* the message as the worker reads it (COZY_FIELDS) */
	const char *payload;    /* the webhook body, NULL when none */
	size_t payload_len;
	int manual;
	int exec_no;          /* 1, then 2 for the retry */
	long long timeout_ms; /* 300 s unless the job options lower it */
};
typedef void (*jobs_worker_fn)(void *arg, const struct jobs_exec *x);
/* A trigger was (re)scheduled: next is when it fires next (NULL: never by itself), or it was removed (gone). */
typedef void (*jobs_schedule_fn)(void *arg, const char *trigger_id, const char *type, const char *arguments,
				 const struct timespec *next, int gone);

enum jobs_status {
	JOBS_OK,
	JOBS_BAD_REQUEST,     /* 400, err says why */
	JOBS_UNKNOWN_TYPE,    /* 422 Type "Unknown trigger type" */
	JOBS_MALFORMED,       /* 400 echo "Trigger unparsable" */
	JOBS_BAD_DEBOUNCE,    /* 422 debounce: Go's error */
	JOBS_NOT_CRON,        /* 422 Type "Invalid type for trigger (@cron expected)" */
	JOBS_NOT_WEBHOOK,     /* 422 Type "Not a webhook" */
	JOBS_UNKNOWN_WORKER,  /* 404 */
	JOBS_RESERVED_WORKER, /* 403 */
	JOBS_NOT_FOUND,       /* 404 "Trigger with specified ID does not exist" / "jobs: not found" */
	JOBS_ERROR,           /* 500, err says why */
};

struct jobs *jobs_new(struct loop *loop, struct store *store, struct hub *hub, const char *domain,
		      const char *base_url);
/* Cancel every timer; jobs in flight are forgotten (their documents stay as they are). NULL is fine. */
void jobs_free(struct jobs *j);
/* Schedule the triggers of the store (at start); those the stack could not start are skipped, as it logs them. */
void jobs_load(struct jobs *j);
/* The store was replaced (stack_reset): forget triggers and jobs in flight, schedule from the new one. */
void jobs_reset(struct jobs *j, struct store *store);
/* Who runs jobs of this worker type (one worker type: "konnector"). NULL fn: nobody, they stay queued. */
void jobs_set_worker(struct jobs *j, const char *worker, jobs_worker_fn fn, void *arg);
void jobs_on_schedule(struct jobs *j, jobs_schedule_fn fn, void *arg);
/* Call the schedule hook for every scheduled trigger (a hook set after the start hears of them too). */
void jobs_replay_schedule(struct jobs *j);
/* stack: worker/exec/konnector.go updateFolderToSave: folder_to_save in every trigger of account + konnector. */
int jobs_triggers_set_folder(struct jobs *j, const char *account, const char *slug, const char *dir_id, char *err);
/* Time-based triggers fire as soon as they are scheduled, then follow their schedule (serve --fire-now). */
void jobs_set_fire_now(struct jobs *j, int on);
/* Fire every time-based trigger once, now (as if its time had come); returns how many. */
int jobs_fire_all(struct jobs *j);

/* The instance's URL ("http://127.0.0.1:PORT/"), for webhook links. */
const char *jobs_base_url(const struct jobs *j);
/* Is worker a worker type of the stack? *reserved: clients may not push to it. */
int jobs_worker_known(const char *worker, int *reserved);

struct jobs_trigger_req {
	const char *type, *arguments, *worker, *debounce; /* NULL → "" */
	const json_t *message;                            /* NULL → null */
	const json_t *options;                            /* {max_exec_count, timeout (ns)} or NULL */
	const char *created_by;                           /* the token's subject, NULL for none */
};
/* NewTrigger: check type, arguments and debounce and build the document (no _id yet, new ref). */
enum jobs_status jobs_trigger_build(struct jobs *j, const struct jobs_trigger_req *r, json_t **doc, char *err);
/* AddTrigger: store the document and schedule it; *stored (new ref) has _id and _rev. */
enum jobs_status jobs_trigger_add(struct jobs *j, const json_t *doc, json_t **stored, char *err);
/* A scheduled trigger's document (new ref), NULL when there is none. */
json_t *jobs_trigger_get(struct jobs *j, const char *id);
/* Every scheduled trigger's document, in id order (new ref). */
json_t *jobs_trigger_list(struct jobs *j);
enum jobs_status jobs_trigger_delete(struct jobs *j, const char *id, char *err);
/* PATCH: arguments (a @cron's only) and/or message (replaced); *out the trigger (new ref). */
enum jobs_status jobs_trigger_patch(struct jobs *j, const char *id, const char *arguments, const json_t *message,
				    json_t **out, char *err);
/* The trigger's jobs, newest first, at most limit (<= 0 or > 50: 50). New ref. */
json_t *jobs_trigger_jobs(struct jobs *j, const char *id, int limit);
/* GetTriggerState. New ref. */
json_t *jobs_trigger_state_of(struct jobs *j, const char *id);

struct jobs_req {
	const char *worker;
	const char *trigger_id; /* NULL: none */
	const json_t *message;  /* NULL → null */
	const void *payload;    /* the webhook body */
	size_t payload_len;
	int has_payload;
	int manual;
	const json_t *options; /* NULL: none */
};
/*
 * PushJob: *job is the stored job (new ref) in state queued, or, when the
 * konnector worker's BeforeHook skips it, the job never stored (no _id).
 * The job is handed to its worker later, from the loop.
 */
enum jobs_status jobs_push(struct jobs *j, const struct jobs_req *r, json_t **job, char *err);
/* POST /jobs/triggers/:id/launch: a manual job of the trigger. */
enum jobs_status jobs_launch(struct jobs *j, const char *trigger_id, json_t **job, char *err);
/* POST /jobs/webhooks/:id: fire the webhook with this body (debounced as the trigger says). */
enum jobs_status jobs_webhook(struct jobs *j, const char *trigger_id, const void *body, size_t len, int manual,
			      char *err);
/* A job's document (new ref), NULL when there is none. */
json_t *jobs_get(struct jobs *j, const char *id);
/* The queued and running jobs of a worker type (new ref). */
json_t *jobs_queue(struct jobs *j, const char *worker);
/* PATCH /jobs/:id of a client job: state "done" or "errored" (with error). */
enum jobs_status jobs_client_finish(struct jobs *j, const char *id, int done, const char *error, json_t **out,
				    char *err);

/*
 * The worker's word on one execution of job id: error NULL for success;
 * retry: another execution is allowed (the worker's ErrorHook and no_retry);
 * bad_trigger: the stack's BadTriggerError (no retry; the trigger is deleted).
 * -1 with err when no such execution is in flight.
 */
int jobs_exec_done(struct jobs *j, const char *id, const char *error, int retry, int bad_trigger, char *err);

#endif
