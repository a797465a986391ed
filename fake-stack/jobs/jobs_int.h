/* What jobs.c (jobs and their executions) and jobs_sched.c (triggers and their timers) share. Internal. */
#ifndef FAKE_STACK_JOBS_INT_H
#define FAKE_STACK_JOBS_INT_H

#include "fake-stack/jobs/jobs.h"
#include "fake-stack/jobs/trigger.h"

#define TRIGGERS "io.cozy.triggers"
#define JOBS "io.cozy.jobs"

/* A scheduled trigger (stack: one entry of memScheduler.ts). */
struct sched {
	struct jobs *j;
	char *id;
	struct trigger_sched ts;
	long long timer;      /* the next fire's loop timer, 0 when none */
	struct timespec next; /* when it fires next (timer set) */
	long long debounce_ns;
	long long debounce_timer;
	struct jobs_req *pending; /* the combined request while debounced (owned copy) */
	struct sched *link;
};

/* A job whose execution is ahead or under way (stack: queued in memQueue, then in a task). */
struct live_job {
	struct jobs *j;
	char *id, *worker, *slug, *account, *trigger_id, *message;
	char *payload;
	size_t payload_len;
	int has_payload, manual;
	int running; /* AckConsumed done */
	int exec_no; /* executions started */
	int in_exec; /* the worker has it now */
	int max_exec;
	long long timeout_ms;
	long long retry_timer;
	struct live_job *link; /* FIFO, in push order */
};

struct jobs {
	struct loop *loop;
	struct store *store;
	struct hub *hub;
	char *domain, *base_url;
	struct sched *scheds;
	struct live_job *live;
	long long dispatch_timer;
	char *worker_type;
	jobs_worker_fn worker;
	void *worker_arg;
	jobs_schedule_fn on_schedule;
	void *on_schedule_arg;
	int fire_now;
};

/* jobs.c: publish a change of doc on the hub. */
void jobs_publish(struct jobs *j, int verb, const char *doctype, const json_t *doc);
/* jobs.c: a copy of r (strings and payload duplicated); jobs_req_free frees it. */
struct jobs_req *jobs_req_dup(const struct jobs_req *r);
void jobs_req_free(struct jobs_req *r);
/* jobs.c: forget the live jobs (reset, free). */
void jobs_live_clear(struct jobs *j);
/* jobs_sched.c: unschedule every trigger. */
void jobs_sched_clear(struct jobs *j);
/* jobs_sched.c: the scheduled trigger id, or NULL. */
struct sched *jobs_sched_find(struct jobs *j, const char *id);

#endif
