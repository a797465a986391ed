/*
 * Triggers: built and checked (NewTrigger), stored and scheduled on the
 * loop (memScheduler AddTrigger/schedule), fired by their timers, by a
 * webhook or by a launch, debounced (combineRequests), patched and deleted
 * (stack: model/job/scheduler.go, mem_scheduler.go, trigger_*.go;
 * web/jobs/jobs.go).
 */
#include "fake-stack/jobs/jobs_int.h"

#include "fake-stack/data/store.h"
#include "fake-stack/jobs/gotime.h"
#include "fake-stack/jobs/jobs_api.h"
#include "fake-stack/realtime/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL ? s : "";
}

static struct timespec now_rt(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

struct sched *jobs_sched_find(struct jobs *j, const char *id)
{
	for (struct sched *s = j->scheds; s != NULL; s = s->link)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

static void sched_free(struct jobs *j, struct sched *s)
{
	if (s->timer)
		loop_del_timer(j->loop, s->timer);
	if (s->debounce_timer)
		loop_del_timer(j->loop, s->debounce_timer);
	jobs_req_free(s->pending);
	free(s->id);
	free(s);
}

void jobs_sched_clear(struct jobs *j)
{
	while (j->scheds != NULL) {
		struct sched *s = j->scheds;
		j->scheds = s->link;
		sched_free(j, s);
	}
}

/* Tell the CLI when the trigger fires next (serve prints it). */
static void notify(struct jobs *j, struct sched *s, const json_t *doc, int gone)
{
	if (j->on_schedule != NULL)
		j->on_schedule(j->on_schedule_arg, s->id, str(doc, "type"), str(doc, "arguments"),
			       s->timer ? &s->next : NULL, gone);
}

static void on_fire(struct loop *loop, void *arg);

/* Set the timer for s->next. */
static void arm(struct jobs *j, struct sched *s, struct timespec when)
{
	long long ms = gotime_sub(when, now_rt()) / 1000000;
	if (ms < 0)
		ms = 0;
	s->next = when;
	s->timer = loop_add_timer(j->loop, ms, on_fire, s);
}

/* stack: the seed of a periodic trigger's random time: "<domain>/<worker>/<message>". */
static void seed_of(const json_t *doc, char *out, size_t len)
{
	char *msg = jobs_message_text(json_object_get(doc, "message"));
	snprintf(out, len, "%s/%s/%s", str(doc, "domain"), str(doc, "worker"), msg ? msg : "");
	free(msg);
}

/* Schedule a stored trigger doc; -1 when the stack could not start it. */
static int sched_add(struct jobs *j, const json_t *doc)
{
	struct sched *s = calloc(1, sizeof(*s));
	char seed[2048], err[ERR_MAX];
	if (s == NULL || (s->id = strdup(str(doc, "_id"))) == NULL) {
		free(s);
		return -1;
	}
	s->j = j;
	seed_of(doc, seed, sizeof(seed));
	struct timespec now = now_rt(), when;
	if (trigger_parse(str(doc, "type"), str(doc, "arguments"), seed, now, &s->ts, err) != TRIGGER_OK ||
	    (str(doc, "debounce")[0] != '\0' &&
	     gotime_parse_duration(str(doc, "debounce"), &s->debounce_ns, err) < 0)) {
		free(s->id);
		free(s);
		return -1;
	}
	s->link = j->scheds;
	j->scheds = s;
	if (trigger_first(&s->ts, now, &when))
		arm(j, s, j->fire_now ? now : when);
	notify(j, s, doc, 0);
	return 0;
}

void jobs_load(struct jobs *j)
{
	json_t *all = store_all_docs(j->store, TRIGGERS);
	size_t i;
	json_t *d;
	json_array_foreach (all, i, d) {
		/* stack: mem_scheduler.go StartScheduler drops the legacy thumbnail triggers and logs the broken ones
		 */
		if (strcmp(str(d, "_id"), "") == 0 || strncmp(str(d, "_id"), "_design/", 8) == 0 ||
		    strcmp(str(d, "worker"), "thumbnail") == 0)
			continue;
		sched_add(j, d);
	}
	json_decref(all);
}

/* stack: TriggerInfos.JobRequest: worker, trigger id, message, options. */
static void job_request(const json_t *doc, struct jobs_req *r)
{
	memset(r, 0, sizeof(*r));
	r->worker = str(doc, "worker");
	r->trigger_id = str(doc, "_id");
	r->message = json_object_get(doc, "message");
	r->options = json_object_get(doc, "options");
}

static void push_quiet(struct jobs *j, const struct jobs_req *r)
{
	json_t *job = NULL;
	char err[ERR_MAX];
	/* stack: memScheduler.pushJob only logs a failure */
	jobs_push(j, r, &job, err);
	json_decref(job);
}

static void on_debounced(struct loop *loop, void *arg)
{
	(void)loop;
	struct sched *s = arg;
	struct jobs_req *r = s->pending;
	s->debounce_timer = 0;
	s->pending = NULL;
	if (r != NULL)
		push_quiet(s->j, r);
	jobs_req_free(r);
}

/* stack: mem_scheduler.go combineRequests, "append" mode (webhooks): {"payloads":[p1,p2,…]} by string surgery. */
static void append_payload(struct jobs_req *into, const struct jobs_req *more)
{
	const char *was = into->has_payload ? into->payload : "";
	size_t wl = into->has_payload ? into->payload_len : 0;
	const char *add = more ? (more->has_payload ? more->payload : "") : NULL;
	size_t al = more && more->has_payload ? more->payload_len : 0;
	size_t cap = wl + al + 32;
	char *p = malloc(cap);
	if (p == NULL)
		return;
	size_t n;
	if (add == NULL) {
		n = (size_t)snprintf(p, cap, "{\"payloads\":[%.*s]}", (int)wl, was);
	} else {
		size_t cut = wl >= 2 ? wl - 2 : 0; /* drop the final "]}" */
		memcpy(p, was, cut);
		p[cut] = ',';
		memcpy(p + cut + 1, add, al);
		memcpy(p + cut + 1 + al, "]}", 3);
		n = cut + 1 + al + 2;
	}
	free((void *)into->payload);
	into->payload = p;
	into->payload_len = n;
	into->has_payload = 1;
}

/* A request from the trigger: pushed now, or gathered while its debounce runs (stack: memScheduler.schedule). */
static void fire(struct jobs *j, struct sched *s, const struct jobs_req *r)
{
	if (s->debounce_ns <= 0) {
		push_quiet(j, r);
		return;
	}
	int webhook = s->ts.kind == TRIGGER_WEBHOOK;
	if (s->pending == NULL) {
		s->pending = jobs_req_dup(r);
		if (s->pending != NULL && webhook)
			append_payload(s->pending, NULL);
		s->debounce_timer = loop_add_timer(j->loop, s->debounce_ns / 1000000, on_debounced, s);
	} else if (webhook) {
		append_payload(s->pending, r);
	}
	/* other kinds keep the first request (keepOriginalRequest) */
}

/* The trigger's own time came: fire, then plan the next one from the planned time. */
static void on_fire(struct loop *loop, void *arg)
{
	(void)loop;
	struct sched *s = arg;
	struct jobs *j = s->j;
	s->timer = 0;
	json_t *doc = store_fetch(j->store, TRIGGERS, s->id, NULL);
	if (doc == NULL)
		return; /* deleted behind our back (warn mode /data): nothing to fire */
	struct jobs_req r;
	job_request(doc, &r);
	fire(j, s, &r);
	struct timespec next;
	if (trigger_after(&s->ts, s->next, &next))
		arm(j, s, next);
	notify(j, s, doc, 0);
	json_decref(doc);
}

int jobs_fire_all(struct jobs *j)
{
	int n = 0;
	for (struct sched *s = j->scheds; s != NULL; s = s->link) {
		if (!s->timer)
			continue;
		json_t *doc = store_fetch(j->store, TRIGGERS, s->id, NULL);
		if (doc == NULL)
			continue;
		struct jobs_req r;
		job_request(doc, &r);
		fire(j, s, &r);
		if (s->ts.kind == TRIGGER_AT) {
			/* an @at fires once: now was its time */
			loop_del_timer(j->loop, s->timer);
			s->timer = 0;
			notify(j, s, doc, 0);
		}
		json_decref(doc);
		n++;
	}
	return n;
}

enum jobs_status jobs_trigger_build(struct jobs *j, const struct jobs_trigger_req *r, json_t **doc, char *err)
{
	*doc = NULL;
	const char *type = r->type ? r->type : "", *args = r->arguments ? r->arguments : "";
	const char *debounce = r->debounce ? r->debounce : "";
	long long d;
	/* stack: web/jobs/jobs.go newTrigger checks the debounce first */
	if (debounce[0] != '\0' && gotime_parse_duration(debounce, &d, err) < 0)
		return JOBS_BAD_DEBOUNCE;
	/* stack: @client triggers force their worker */
	const char *worker = strcmp(type, "@client") == 0 ? "client" : (r->worker ? r->worker : "");
	char now_s[48];
	struct timespec now = now_rt();
	jobs_time(&now, now_s);
	json_t *md = json_object();
	json_object_set_new(md, "doctypeVersion", json_string("1"));
	json_object_set_new(md, "metadataVersion", json_integer(1));
	json_object_set_new(md, "createdAt", json_string(now_s));
	if (r->created_by != NULL && r->created_by[0] != '\0')
		json_object_set_new(md, "createdByApp", json_string(r->created_by));
	json_object_set_new(md, "updatedAt", json_string(now_s));
	/* the Go struct's order (TriggerInfos) */
	json_t *t = json_object();
	json_object_set_new(t, "domain", json_string(j->domain));
	json_object_set_new(t, "type", json_string(type));
	json_object_set_new(t, "worker", json_string(worker));
	json_object_set_new(t, "arguments", json_string(args));
	json_object_set_new(t, "debounce", json_string(debounce));
	json_object_set_new(t, "options", r->options ? json_deep_copy(r->options) : json_null());
	json_object_set_new(t, "message", r->message ? json_deep_copy(r->message) : json_null());
	json_object_set_new(t, "cozyMetadata", md);
	char seed[2048];
	seed_of(t, seed, sizeof(seed));
	struct trigger_sched ts;
	switch (trigger_parse(type, args, seed, now, &ts, err)) {
	case TRIGGER_UNKNOWN_TYPE:
		json_decref(t);
		return JOBS_UNKNOWN_TYPE;
	case TRIGGER_MALFORMED:
		json_decref(t);
		return JOBS_MALFORMED;
	default:
		break;
	}
	*doc = t;
	return JOBS_OK;
}

enum jobs_status jobs_trigger_add(struct jobs *j, const json_t *doc, json_t **stored, char *err)
{
	*stored = NULL;
	if (store_create(j->store, TRIGGERS, doc, stored, err) != STORE_OK) {
		json_decref(*stored);
		*stored = NULL;
		return JOBS_ERROR;
	}
	jobs_publish(j, HUB_CREATED, TRIGGERS, *stored);
	if (sched_add(j, *stored) < 0) {
		err_set(err, "the trigger could not be scheduled");
		return JOBS_ERROR;
	}
	return JOBS_OK;
}

json_t *jobs_trigger_get(struct jobs *j, const char *id)
{
	if (jobs_sched_find(j, id) == NULL)
		return NULL;
	return store_fetch(j->store, TRIGGERS, id, NULL);
}

json_t *jobs_trigger_list(struct jobs *j)
{
	json_t *all = store_all_docs(j->store, TRIGGERS), *out = json_array();
	size_t i;
	json_t *d;
	json_array_foreach (all, i, d) {
		if (jobs_sched_find(j, str(d, "_id")) != NULL)
			json_array_append(out, d);
	}
	json_decref(all);
	return out;
}

enum jobs_status jobs_trigger_delete(struct jobs *j, const char *id, char *err)
{
	struct sched *s = jobs_sched_find(j, id);
	if (s == NULL) {
		err_set(err, "Trigger with specified ID does not exist");
		return JOBS_NOT_FOUND;
	}
	for (struct sched **p = &j->scheds; *p != NULL; p = &(*p)->link)
		if (*p == s) {
			*p = s->link;
			break;
		}
	json_t *doc = store_fetch(j->store, TRIGGERS, id, NULL);
	if (s->timer) {
		loop_del_timer(j->loop, s->timer);
		s->timer = 0;
	}
	notify(j, s, doc, 1);
	sched_free(j, s);
	if (doc == NULL)
		return JOBS_OK;
	const char *rev = str(doc, "_rev");
	if (store_delete(j->store, TRIGGERS, id, rev, NULL, err) != STORE_OK) {
		json_decref(doc);
		return JOBS_ERROR;
	}
	jobs_publish(j, HUB_DELETED, TRIGGERS, doc);
	json_decref(doc);
	return JOBS_OK;
}

enum jobs_status jobs_trigger_patch(struct jobs *j, const char *id, const char *arguments, const json_t *message,
				    json_t **out, char *err)
{
	*out = NULL;
	struct sched *s = jobs_sched_find(j, id);
	json_t *doc = s ? store_fetch(j->store, TRIGGERS, id, NULL) : NULL;
	if (doc == NULL) {
		err_set(err, "Trigger with specified ID does not exist");
		return JOBS_NOT_FOUND;
	}
	struct trigger_sched ts;
	if (arguments != NULL) {
		/* stack: memScheduler.UpdateCron: @cron only, parsed again */
		if (strcmp(str(doc, "type"), "@cron") != 0) {
			json_decref(doc);
			err_set(err, "Invalid type for trigger (@cron expected)");
			return JOBS_NOT_CRON;
		}
		if (trigger_parse("@cron", arguments, NULL, now_rt(), &ts, err) != TRIGGER_OK) {
			json_decref(doc);
			return JOBS_MALFORMED;
		}
	}
	if (message != NULL)
		json_object_set(doc, "message", (json_t *)message);
	if (arguments != NULL)
		json_object_set_new(doc, "arguments", json_string(arguments));
	json_t *stored = NULL;
	if (store_update(j->store, TRIGGERS, id, doc, &stored, err) != STORE_OK) {
		json_decref(doc);
		json_decref(stored);
		return JOBS_ERROR;
	}
	json_decref(doc);
	jobs_publish(j, HUB_UPDATED, TRIGGERS, stored);
	if (arguments != NULL) {
		s->ts = ts;
		if (s->timer)
			loop_del_timer(j->loop, s->timer);
		s->timer = 0;
		struct timespec when, now = now_rt();
		if (trigger_first(&s->ts, now, &when))
			arm(j, s, when);
		notify(j, s, stored, 0);
	}
	*out = stored;
	return JOBS_OK;
}

/* The job's queued_at, for the newest-first order. */
static struct timespec queued_at(const json_t *job)
{
	struct timespec t = {0, 0};
	gotime_parse_rfc3339(str(job, "queued_at"), &t, NULL);
	return t;
}

static int newest_first(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return -gotime_cmp(queued_at(x), queued_at(y));
}

json_t *jobs_trigger_jobs(struct jobs *j, const char *id, int limit)
{
	/* stack: scheduler.go GetJobs: by trigger_id, queued_at descending, 50 at most */
	if (limit <= 0 || limit > 50)
		limit = 50;
	json_t *all = store_all_docs(j->store, JOBS);
	size_t n = json_array_size(all), k = 0;
	json_t **v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < n; i++) {
		json_t *d = json_array_get(all, i);
		if (strcmp(str(d, "trigger_id"), id) == 0)
			v[k++] = d;
	}
	json_t *out = json_array();
	if (v != NULL) {
		qsort(v, k, sizeof(*v), newest_first);
		for (size_t i = 0; i < k && i < (size_t)limit; i++)
			json_array_append(out, v[i]);
	}
	free(v);
	json_decref(all);
	return out;
}

json_t *jobs_trigger_state_of(struct jobs *j, const char *id)
{
	json_t *js = jobs_trigger_jobs(j, id, 50);
	json_t *st = jobs_trigger_state(id, js);
	json_decref(js);
	return st;
}

enum jobs_status jobs_launch(struct jobs *j, const char *trigger_id, json_t **job, char *err)
{
	*job = NULL;
	json_t *doc = jobs_trigger_get(j, trigger_id);
	if (doc == NULL) {
		err_set(err, "Trigger with specified ID does not exist");
		return JOBS_NOT_FOUND;
	}
	struct jobs_req r;
	job_request(doc, &r);
	r.manual = 1;
	enum jobs_status st = jobs_push(j, &r, job, err);
	if (st == JOBS_OK && strcmp(r.worker, "client") == 0 && json_object_get(*job, "_id") != NULL) {
		/* stack: launchTrigger acks a client job at once: it is running */
		json_t *doc2 = store_fetch(j->store, JOBS, str(*job, "_id"), NULL);
		if (doc2 != NULL) {
			char now[48];
			struct timespec ts = now_rt();
			jobs_time(&ts, now);
			json_object_set_new(doc2, "state", json_string("running"));
			json_object_set_new(doc2, "started_at", json_string(now));
			json_t *stored = NULL;
			if (store_update(j->store, JOBS, str(doc2, "_id"), doc2, &stored, err) == STORE_OK) {
				jobs_publish(j, HUB_UPDATED, JOBS, stored);
				json_decref(*job);
				*job = stored;
			} else {
				json_decref(stored);
			}
			json_decref(doc2);
		}
	}
	json_decref(doc);
	return st;
}

enum jobs_status jobs_webhook(struct jobs *j, const char *trigger_id, const void *body, size_t len, int manual,
			      char *err)
{
	struct sched *s = jobs_sched_find(j, trigger_id);
	json_t *doc = s ? store_fetch(j->store, TRIGGERS, trigger_id, NULL) : NULL;
	if (doc == NULL) {
		err_set(err, "Trigger with specified ID does not exist");
		return JOBS_NOT_FOUND;
	}
	if (s->ts.kind != TRIGGER_WEBHOOK) {
		json_decref(doc);
		err_set(err, "Not a webhook");
		return JOBS_NOT_WEBHOOK;
	}
	/* stack: WebhookTrigger.Fire: the trigger's request with the raw body as payload */
	struct jobs_req r;
	job_request(doc, &r);
	r.payload = body;
	r.payload_len = len;
	r.has_payload = 1;
	r.manual = manual;
	fire(j, s, &r);
	json_decref(doc);
	return JOBS_OK;
}

void jobs_replay_schedule(struct jobs *j)
{
	for (struct sched *s = j->scheds; s != NULL; s = s->link) {
		json_t *doc = store_fetch(j->store, TRIGGERS, s->id, NULL);
		if (doc != NULL)
			notify(j, s, doc, 0);
		json_decref(doc);
	}
}

/* A copy of o with its keys sorted, as Go marshals a map. */
static json_t *sorted(const json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return v;
}

int jobs_triggers_set_folder(struct jobs *j, const char *account, const char *slug, const char *dir_id, char *err)
{
	json_t *all = store_all_docs(j->store, TRIGGERS);
	size_t i;
	json_t *d;
	int rc = 0;
	json_array_foreach (all, i, d) {
		json_t *msg = json_object_get(d, "message");
		if (!json_is_object(msg) || strcmp(str(msg, "account"), account) != 0 ||
		    strcmp(str(msg, "konnector"), slug) != 0)
			continue;
		json_object_set_new(msg, "folder_to_save", json_string(dir_id));
		json_object_set_new(d, "message", sorted(msg));
		json_t *stored = NULL;
		if (store_update(j->store, TRIGGERS, str(d, "_id"), d, &stored, err) != STORE_OK)
			rc = -1;
		else
			jobs_publish(j, HUB_UPDATED, TRIGGERS, stored);
		json_decref(stored);
	}
	json_decref(all);
	return rc;
}
