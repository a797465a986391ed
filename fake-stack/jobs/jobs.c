/*
 * Jobs: pushed (PushJob, the konnector BeforeHook), queued, handed to the
 * worker one execution at a time, retried, acknowledged (stack:
 * model/job/mem_broker.go, worker.go, broker.go; worker/exec/konnector.go).
 */
#include "fake-stack/jobs/jobs_int.h"

#include "common/isotime.h"
#include "common/konnerr.h"
#include "fake-stack/data/store.h"
#include "fake-stack/jobs/gotime.h"
#include "fake-stack/jobs/jobs_api.h"
#include "fake-stack/realtime/hub.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* stack: model/job/worker.go defaultRetryDelay */
#define RETRY_DELAY_MS 60

/* stack: the worker types registered by worker/… (WorkerConfig.Reserved: the stack's own). */
static const struct {
	const char *type;
	int reserved;
} workers[] = {
	{"konnector", 0},
	{"service", 0},
	{"sendmail", 0},
	{"log", 0},
	{"push", 0},
	{"unzip", 0},
	{"zip", 0},
	{"export", 0},
	{"import", 0},
	{"antivirus", 0},
	{"migrations", 1},
	{"notes-save", 1},
	{"clean-clients", 1},
	{"rag-index", 1},
	{"rag-query", 1},
	{"share-group", 1},
	{"share-track", 1},
	{"share-autoaccept", 1},
	{"share-replicate", 1},
	{"share-upload", 1},
	{"share-update", 1},
	{"sms", 1},
	{"thumbnail", 1},
	{"thumbnailck", 1},
	{"trash-files", 1},
	{"clean-old-trashed", 1},
};

static void dispatch_soon(struct jobs *j);

int jobs_worker_known(const char *worker, int *reserved)
{
	for (size_t i = 0; i < sizeof(workers) / sizeof(workers[0]); i++)
		if (strcmp(workers[i].type, worker) == 0) {
			if (reserved != NULL)
				*reserved = workers[i].reserved;
			return 1;
		}
	return 0;
}

struct jobs *jobs_new(struct loop *loop, struct store *store, struct hub *hub, const char *domain, const char *base_url)
{
	struct jobs *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	j->loop = loop;
	j->store = store;
	j->hub = hub;
	j->domain = strdup(domain ? domain : "");
	j->base_url = strdup(base_url ? base_url : "");
	if (j->domain == NULL || j->base_url == NULL) {
		jobs_free(j);
		return NULL;
	}
	return j;
}

void jobs_free(struct jobs *j)
{
	if (j == NULL)
		return;
	jobs_sched_clear(j);
	jobs_live_clear(j);
	if (j->dispatch_timer)
		loop_del_timer(j->loop, j->dispatch_timer);
	free(j->worker_type);
	free(j->domain);
	free(j->base_url);
	free(j);
}

void jobs_reset(struct jobs *j, struct store *store)
{
	jobs_sched_clear(j);
	jobs_live_clear(j);
	j->store = store;
	jobs_load(j);
}

void jobs_set_worker(struct jobs *j, const char *worker, jobs_worker_fn fn, void *arg)
{
	free(j->worker_type);
	j->worker_type = fn != NULL && worker != NULL ? strdup(worker) : NULL;
	j->worker = j->worker_type != NULL ? fn : NULL;
	j->worker_arg = arg;
	/* jobs queued before there was a worker start now */
	if (j->worker != NULL)
		dispatch_soon(j);
}

void jobs_on_schedule(struct jobs *j, jobs_schedule_fn fn, void *arg)
{
	j->on_schedule = fn;
	j->on_schedule_arg = arg;
}

const char *jobs_base_url(const struct jobs *j)
{
	return j->base_url;
}

void jobs_set_fire_now(struct jobs *j, int on)
{
	j->fire_now = on;
}

void jobs_publish(struct jobs *j, int verb, const char *doctype, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "_id"));
	if (j->hub != NULL)
		hub_publish(j->hub, (enum hub_verb)verb, doctype, id ? id : "", doc);
}

static char *dup0(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct jobs_req *jobs_req_dup(const struct jobs_req *r)
{
	struct jobs_req *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->worker = dup0(r->worker);
	c->trigger_id = dup0(r->trigger_id);
	c->message = r->message ? json_deep_copy(r->message) : NULL;
	c->options = r->options ? json_deep_copy(r->options) : NULL;
	if (r->has_payload) {
		char *p = malloc(r->payload_len + 1);
		if (p != NULL) {
			memcpy(p, r->payload, r->payload_len);
			p[r->payload_len] = '\0';
		}
		c->payload = p;
		c->payload_len = p ? r->payload_len : 0;
		c->has_payload = 1;
	}
	c->manual = r->manual;
	return c;
}

void jobs_req_free(struct jobs_req *r)
{
	if (r == NULL)
		return;
	free((char *)r->worker);
	free((char *)r->trigger_id);
	json_decref((json_t *)r->message);
	json_decref((json_t *)r->options);
	free((void *)r->payload);
	free(r);
}

static void live_free(struct jobs *j, struct live_job *lj)
{
	if (lj->retry_timer)
		loop_del_timer(j->loop, lj->retry_timer);
	free(lj->id), free(lj->worker), free(lj->slug), free(lj->account), free(lj->trigger_id), free(lj->message);
	free(lj->payload);
	free(lj);
}

void jobs_live_clear(struct jobs *j)
{
	while (j->live != NULL) {
		struct live_job *lj = j->live;
		j->live = lj->link;
		live_free(j, lj);
	}
}

static struct live_job *live_find(struct jobs *j, const char *id)
{
	for (struct live_job *lj = j->live; lj != NULL; lj = lj->link)
		if (strcmp(lj->id, id) == 0)
			return lj;
	return NULL;
}

static void live_unlink(struct jobs *j, struct live_job *lj)
{
	for (struct live_job **p = &j->live; *p != NULL; p = &(*p)->link)
		if (*p == lj) {
			*p = lj->link;
			return;
		}
}

/* Read-modify-write of a job document; the stored doc (new ref) or NULL when it is gone. */
static json_t *job_update(struct jobs *j, const char *id, const char *state, const char *time_key, const char *error)
{
	json_t *doc = store_fetch(j->store, JOBS, id, NULL);
	if (doc == NULL)
		return NULL;
	char now[48];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	jobs_time(&ts, now);
	json_object_set_new(doc, "state", json_string(state));
	json_object_set_new(doc, time_key, json_string(now));
	if (strcmp(state, "done") == 0 || strcmp(state, "errored") == 0) {
		/* stack: broker.go Ack/Nack clear the event and the payload */
		json_object_set_new(doc, "event", json_null());
		json_object_del(doc, "payload");
	}
	if (error != NULL) {
		/* keep the Go struct's order: error comes after finished_at */
		json_object_del(doc, "error");
		json_object_set_new(doc, "error", json_string(error));
	}
	json_t *out = NULL;
	char err[ERR_MAX];
	if (store_update(j->store, JOBS, id, doc, &out, err) != STORE_OK) {
		json_decref(doc);
		json_decref(out);
		return NULL;
	}
	json_decref(doc);
	jobs_publish(j, HUB_UPDATED, JOBS, out);
	return out;
}

/* stack: model/job/worker.go runTask: Ack (done) or Nack (errored); a BadTriggerError deletes the trigger. */
static void job_finish(struct jobs *j, struct live_job *lj, const char *error, int bad_trigger)
{
	json_decref(job_update(j, lj->id, error ? "errored" : "done", "finished_at", error));
	if (bad_trigger && lj->trigger_id != NULL) {
		char err[ERR_MAX];
		jobs_trigger_delete(j, lj->trigger_id, err);
	}
	live_unlink(j, lj);
	live_free(j, lj);
	dispatch_soon(j);
}

/* Hand one execution to the worker. */
static void exec_start(struct jobs *j, struct live_job *lj)
{
	lj->exec_no++;
	lj->in_exec = 1;
	struct jobs_exec x = {.id = lj->id,
			      .worker = lj->worker,
			      .slug = lj->slug ? lj->slug : "",
			      .account = lj->account ? lj->account : "",
			      .trigger_id = lj->trigger_id,
			      .message = lj->message,
			      .payload = lj->has_payload ? lj->payload : NULL,
			      .payload_len = lj->payload_len,
			      .manual = lj->manual,
			      .exec_no = lj->exec_no,
			      .timeout_ms = lj->timeout_ms};
	/* the worker may answer at once (jobs_exec_done): lj is not touched after this call */
	j->worker(j->worker_arg, &x);
}

/* The retry's delay is over: the next execution (the job stays running in between). */
static void on_retry(struct loop *loop, void *arg)
{
	(void)loop;
	struct live_job *lj = arg;
	lj->retry_timer = 0;
	if (lj->j->worker != NULL && !lj->in_exec)
		exec_start(lj->j, lj);
}

/* The one-at-a-time rule: another job of this konnector is running. */
static int slug_busy(const struct jobs *j, const struct live_job *me)
{
	for (const struct live_job *lj = j->live; lj != NULL; lj = lj->link)
		if (lj != me && lj->running && strcmp(lj->worker, me->worker) == 0 &&
		    strcmp(lj->slug ? lj->slug : "", me->slug ? me->slug : "") == 0)
			return 1;
	return 0;
}

/* Start what may start: the oldest queued job of each konnector that has none running. */
static void on_dispatch(struct loop *loop, void *arg)
{
	(void)loop;
	struct jobs *j = arg;
	j->dispatch_timer = 0;
	if (j->worker == NULL)
		return;
	for (struct live_job *lj = j->live; lj != NULL; lj = lj->link) {
		if (lj->running || strcmp(lj->worker, j->worker_type) != 0 || slug_busy(j, lj))
			continue;
		/* stack: worker.go runTask → AckConsumed: running, started_at */
		lj->running = 1;
		json_decref(job_update(j, lj->id, "running", "started_at", NULL));
		exec_start(j, lj);
		/* the list may have changed under the callback: start again from the top next turn */
		dispatch_soon(j);
		return;
	}
}

static void dispatch_soon(struct jobs *j)
{
	if (j->dispatch_timer == 0)
		j->dispatch_timer = loop_add_timer(j->loop, 0, on_dispatch, j);
}

int jobs_exec_done(struct jobs *j, const char *id, const char *error, int retry, int bad_trigger, char *err)
{
	struct live_job *lj = live_find(j, id);
	if (lj == NULL || !lj->in_exec)
		return err_set(err, "job %s has no execution in flight", id);
	lj->in_exec = 0;
	/* stack: worker.go task.run: a success ends it; a BadTriggerError, the ErrorHook or MaxExecCount stop retries
	 */
	if (error == NULL || bad_trigger || !retry || lj->exec_no >= lj->max_exec) {
		job_finish(j, lj, error, bad_trigger);
		return 0;
	}
	long long delay = (long long)RETRY_DELAY_MS << (lj->exec_no - 1);
	long long fuzz = delay / 10;
	unsigned r = 0;
	if (fuzz > 0 && getrandom(&r, sizeof(r), 0) == (ssize_t)sizeof(r))
		delay += (long long)(r % (unsigned)(2 * fuzz)) - fuzz;
	lj->retry_timer = loop_add_timer(j->loop, delay, on_retry, lj);
	return 0;
}

/* stack: worker/exec/konnector.go beforeHookKonnector (no maintenance here): skip a trigger's automatic job
 * while its last one failed with LOGIN_FAILED… or USER_ACTION_NEEDED… (but exactly …CGU_FORM). */
static int konnector_skips(struct jobs *j, const struct jobs_req *r)
{
	if (json_is_true(json_object_get(r->message, "bi_webhook")))
		return 0;
	if (r->manual || r->trigger_id == NULL || r->trigger_id[0] == '\0')
		return 0;
	json_t *state = jobs_trigger_state_of(j, r->trigger_id);
	const char *status = json_string_value(json_object_get(state, "status"));
	const char *last = json_string_value(json_object_get(state, "last_error"));
	int skip = 0;
	if (status != NULL && strcmp(status, "errored") == 0 && last != NULL)
		skip = konnerr_skips_runs(last, strlen(last));
	json_decref(state);
	return skip;
}

/* stack: worker.go defaultedConf: job options may only lower MaxExecCount and Timeout. */
static void live_limits(struct live_job *lj, const json_t *options)
{
	lj->max_exec = JOBS_KONNECTOR_MAX_EXEC;
	lj->timeout_ms = JOBS_KONNECTOR_TIMEOUT_MS;
	json_int_t m = json_integer_value(json_object_get(options, "max_exec_count"));
	json_int_t t = json_integer_value(json_object_get(options, "timeout"));
	if (m != 0 && m < lj->max_exec)
		lj->max_exec = (int)(m < 1 ? 1 : m);
	if (t > 0 && t / 1000000 < lj->timeout_ms)
		lj->timeout_ms = t / 1000000 > 0 ? t / 1000000 : 1;
}

static enum jobs_status enqueue(struct jobs *j, const struct jobs_req *r, const json_t *stored, char *err)
{
	struct live_job *lj = calloc(1, sizeof(*lj));
	if (lj == NULL) {
		err_set(err, "out of memory");
		return JOBS_ERROR;
	}
	lj->j = j;
	lj->id = strdup(json_string_value(json_object_get(stored, "_id")));
	lj->worker = strdup(r->worker);
	lj->slug = dup0(json_string_value(json_object_get(r->message, "konnector")));
	lj->account = dup0(json_string_value(json_object_get(r->message, "account")));
	lj->trigger_id = r->trigger_id && r->trigger_id[0] ? strdup(r->trigger_id) : NULL;
	lj->message = jobs_message_text(r->message);
	lj->manual = r->manual;
	if (r->has_payload) {
		lj->payload = malloc(r->payload_len + 1);
		if (lj->payload != NULL) {
			memcpy(lj->payload, r->payload, r->payload_len);
			lj->payload[r->payload_len] = '\0';
			lj->payload_len = r->payload_len;
			lj->has_payload = 1;
		}
	}
	live_limits(lj, r->options);
	struct live_job **p = &j->live;
	while (*p != NULL)
		p = &(*p)->link;
	*p = lj;
	dispatch_soon(j);
	return JOBS_OK;
}

enum jobs_status jobs_push(struct jobs *j, const struct jobs_req *r, json_t **job, char *err)
{
	*job = NULL;
	int client = strcmp(r->worker, "client") == 0;
	if (!client && !jobs_worker_known(r->worker, NULL)) {
		err_set(err, "jobs: could not find worker");
		return JOBS_UNKNOWN_WORKER;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	json_t *doc = jobs_job_doc(j->domain, r->worker, r->trigger_id, r->message, r->payload, r->payload_len,
				   r->has_payload, r->manual, r->options, &now);
	if (doc == NULL) {
		err_set(err, "out of memory");
		return JOBS_ERROR;
	}
	if (strcmp(r->worker, "konnector") == 0 && konnector_skips(j, r)) {
		/* stack: mem_broker.go PushJob: a skipped job is returned, never created */
		*job = doc;
		return JOBS_OK;
	}
	json_t *stored = NULL;
	if (store_create(j->store, JOBS, doc, &stored, err) != STORE_OK) {
		json_decref(doc);
		json_decref(stored);
		return JOBS_ERROR;
	}
	json_decref(doc);
	jobs_publish(j, HUB_CREATED, JOBS, stored);
	/* stack: client jobs are not enqueued */
	if (!client && enqueue(j, r, stored, err) != JOBS_OK) {
		json_decref(stored);
		return JOBS_ERROR;
	}
	*job = stored;
	return JOBS_OK;
}

json_t *jobs_get(struct jobs *j, const char *id)
{
	return store_fetch(j->store, JOBS, id, NULL);
}

json_t *jobs_queue(struct jobs *j, const char *worker)
{
	json_t *all = store_all_docs(j->store, JOBS), *out = json_array();
	size_t i;
	json_t *d;
	json_array_foreach (all, i, d) {
		const char *w = json_string_value(json_object_get(d, "worker"));
		const char *s = json_string_value(json_object_get(d, "state"));
		if (w != NULL && s != NULL && strcmp(w, worker) == 0 &&
		    (strcmp(s, "queued") == 0 || strcmp(s, "running") == 0))
			json_array_append(out, d);
	}
	json_decref(all);
	return out;
}

enum jobs_status jobs_client_finish(struct jobs *j, const char *id, int done, const char *error, json_t **out,
				    char *err)
{
	*out = store_fetch(j->store, JOBS, id, NULL);
	if (*out == NULL) {
		err_set(err, "jobs: not found");
		return JOBS_NOT_FOUND;
	}
	json_decref(*out);
	*out = job_update(j, id, done ? "done" : "errored", "finished_at", done ? NULL : (error ? error : ""));
	if (*out == NULL) {
		err_set(err, "could not update job %s", id);
		return JOBS_ERROR;
	}
	return JOBS_OK;
}
