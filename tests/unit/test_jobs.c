/* fake-stack/jobs: the JSON:API shapes of jobs and triggers, the trigger state, and the job system on a loop. */
#include <criterion/criterion.h>

#include "common/loop.h"
#include "fake-stack/data/store.h"
#include "fake-stack/jobs/jobs.h"
#include "fake-stack/jobs/jobs_api.h"
#include "fake-stack/realtime/hub.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	cr_assert_not_null(v, "%s: %s", text, je.text);
	return v;
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

Test(jobs_api, a_new_job_as_the_stack_shapes_it)
{
	json_t *msg = parse("{\"konnector\":\"k\",\"account\":\"a\"}");
	struct timespec q = {1767323045, 120000000};
	json_t *doc = jobs_job_doc("127.0.0.1:1", "konnector", "T", msg, NULL, 0, 0, 1, NULL, &q);
	char *text = dump(doc);
	cr_assert_str_eq(text,
			 "{\"domain\":\"127.0.0.1:1\",\"worker\":\"konnector\",\"trigger_id\":\"T\","
			 "\"message\":{\"konnector\":\"k\",\"account\":\"a\"},\"event\":null,\"manual_execution\":true,"
			 "\"state\":\"queued\",\"queued_at\":\"2026-01-02T03:04:05.12Z\","
			 "\"started_at\":\"0001-01-01T00:00:00Z\",\"finished_at\":\"0001-01-01T00:00:00Z\"}");
	free(text);
	/* as stored: _id and _rev first */
	json_t *stored = json_pack("{s:s,s:s}", "_id", "J", "_rev", "1-x");
	json_object_update(stored, doc);
	json_t *api = jobs_api_data(jobs_api_job(stored));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(api, "data"), "type")), "io.cozy.jobs");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(api, "data"), "id")), "J");
	json_t *attrs = json_object_get(json_object_get(api, "data"), "attributes");
	cr_assert_str_eq(json_string_value(json_object_get(attrs, "_id")), "J", "the stack keeps _id in attributes");
	cr_assert_str_eq(json_string_value(json_object_get(attrs, "_rev")), "1-x");
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(json_object_get(api, "data"), "meta"), "rev")),
		"1-x");
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(json_object_get(api, "data"), "links"), "self")),
		"/jobs/konnector/J", "links.self names the worker");
	json_decref(api);
	json_decref(stored);
	json_decref(doc);
	json_decref(msg);
}

Test(jobs_api, a_webhook_payload_is_base64_and_options_kept)
{
	struct timespec q = {0, 0};
	json_t *opts = parse("{\"max_exec_count\":1,\"timeout\":60000000000}");
	json_t *doc = jobs_job_doc("d", "konnector", NULL, NULL, "{\"a\":1}", 7, 1, 0, opts, &q);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "payload")), "eyJhIjoxfQ==");
	cr_assert(json_is_null(json_object_get(doc, "message")));
	cr_assert_null(json_object_get(doc, "trigger_id"), "no trigger: no key");
	cr_assert_null(json_object_get(doc, "manual_execution"), "omitempty");
	cr_assert(json_equal(json_object_get(doc, "options"), opts));
	cr_assert_str_eq(json_string_value(json_object_get(doc, "queued_at")), "1970-01-01T00:00:00Z");
	json_decref(doc);
	json_decref(opts);
}

Test(jobs_api, a_trigger_object_with_its_state_and_webhook_link)
{
	json_t *t =
		parse("{\"_id\":\"T\",\"_rev\":\"1-a\",\"domain\":\"d\",\"type\":\"@webhook\",\"worker\":\"konnector\","
		      "\"arguments\":\"\",\"debounce\":\"\",\"options\":null,\"message\":{\"konnector\":\"k\"},"
		      "\"cozyMetadata\":{\"doctypeVersion\":\"1\"}}");
	json_t *state = parse("{\"trigger_id\":\"T\",\"status\":\"done\"}");
	json_t *o = jobs_api_trigger(t, state, "http://127.0.0.1:9/");
	cr_assert_str_eq(json_string_value(json_object_get(o, "type")), "io.cozy.triggers");
	cr_assert_eq(json_object_size(json_object_get(o, "meta")), 0, "meta is {}");
	json_t *links = json_object_get(o, "links");
	cr_assert_str_eq(json_string_value(json_object_get(links, "self")), "/jobs/triggers/T");
	cr_assert_str_eq(json_string_value(json_object_get(links, "webhook")), "http://127.0.0.1:9/jobs/webhooks/T");
	char *attrs = dump(json_object_get(o, "attributes"));
	cr_assert(strstr(attrs, "\"message\":{\"konnector\":\"k\"},\"current_state\":{\"trigger_id\":\"T\",\"status\":"
				"\"done\"},\"cozyMetadata\"") != NULL,
		  "current_state before cozyMetadata: %s", attrs);
	free(attrs);
	json_decref(o);
	json_object_set_new(t, "type", json_string("@cron"));
	o = jobs_api_trigger(t, NULL, "http://127.0.0.1:9/");
	cr_assert_null(json_object_get(json_object_get(o, "links"), "webhook"), "only webhooks have the link");
	cr_assert_null(json_object_get(json_object_get(o, "attributes"), "current_state"));
	json_decref(o);
	json_decref(state);
	json_decref(t);
}

Test(jobs_api, list_has_a_count)
{
	json_t *l = jobs_api_list(parse("[{},{}]"));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(l, "meta"), "count")), 2);
	json_decref(l);
}

Test(jobs_api, trigger_state_from_its_jobs)
{
	json_t *empty = json_array();
	json_t *none = jobs_trigger_state("T", empty);
	json_decref(empty);
	char *text = dump(none);
	cr_assert_str_eq(text, "{\"trigger_id\":\"T\",\"status\":\"done\"}");
	free(text);
	json_decref(none);
	/* newest first: a running manual job, an errored one, a done one */
	json_t *js = parse("[{\"_id\":\"j3\",\"state\":\"running\",\"manual_execution\":true,\"started_at\":\"t3\"},"
			   "{\"_id\":\"j2\",\"state\":\"errored\",\"error\":\"LOGIN_FAILED\",\"started_at\":\"t2\"},"
			   "{\"_id\":\"j1\",\"state\":\"done\",\"started_at\":\"t1\"}]");
	json_t *s = jobs_trigger_state("T", js);
	text = dump(s);
	cr_assert_str_eq(text,
			 "{\"trigger_id\":\"T\",\"status\":\"running\",\"last_success\":\"t1\","
			 "\"last_successful_job_id\":\"j1\",\"last_execution\":\"t3\",\"last_executed_job_id\":\"j3\","
			 "\"last_failure\":\"t2\",\"last_failed_job_id\":\"j2\",\"last_error\":\"LOGIN_FAILED\","
			 "\"last_manual_execution\":\"t3\",\"last_manual_job_id\":\"j3\"}");
	free(text);
	json_decref(s);
	json_decref(js);
}

Test(jobs_api, the_message_as_go_writes_it)
{
	json_t *m = parse("{\"konnector\":\"k\",\"account\":\"a<b>&c\",\"n\":[1,true]}");
	char *t = jobs_message_text(m);
	cr_assert_str_eq(t, "{\"konnector\":\"k\",\"account\":\"a\\u003cb\\u003e\\u0026c\",\"n\":[1,true]}");
	free(t);
	json_decref(m);
	t = jobs_message_text(NULL);
	cr_assert_str_eq(t, "null");
	free(t);
}

/* ---- the job system on a loop ---- */

struct rec {
	int execs;
	char ids[8][64];
	int exec_no[8];
	char message[8][256];
	char payload[8][256];
	int events;
	int created_jobs, updated_jobs;
};

static void on_exec(void *arg, const struct jobs_exec *x)
{
	struct rec *r = arg;
	if (r->execs < 8) {
		snprintf(r->ids[r->execs], 64, "%s", x->id);
		r->exec_no[r->execs] = x->exec_no;
		snprintf(r->message[r->execs], 256, "%s", x->message);
		snprintf(r->payload[r->execs], 256, "%.*s", (int)x->payload_len, x->payload ? x->payload : "");
	}
	r->execs++;
}

static void on_hub(void *arg, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc)
{
	struct rec *r = arg;
	(void)id;
	(void)doc;
	r->events++;
	if (strcmp(doctype, "io.cozy.jobs") == 0)
		r->created_jobs += verb == HUB_CREATED, r->updated_jobs += verb == HUB_UPDATED;
}

static struct loop *loop;
static struct store *store;
static struct hub *hub;
static struct jobs *js;
static struct rec rec;

static void setup(void)
{
	char err[ERR_MAX];
	loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	store = store_new();
	hub = hub_new();
	memset(&rec, 0, sizeof(rec));
	hub_listen(hub, on_hub, &rec);
	js = jobs_new(loop, store, hub, "127.0.0.1:1", "http://127.0.0.1:1/");
	jobs_set_worker(js, "konnector", on_exec, &rec);
}

static void teardown(void)
{
	jobs_free(js);
	hub_free(hub);
	store_free(store);
	loop_free(loop);
}

/* Turn the loop until cond holds (bounded). */
#define RUN_UNTIL(cond)                                                                                                \
	do {                                                                                                           \
		char e_[ERR_MAX];                                                                                      \
		for (int i_ = 0; i_ < 200 && !(cond); i_++)                                                            \
			loop_run_once(loop, 20, e_);                                                                   \
		cr_assert(cond, "timed out waiting for " #cond);                                                       \
	} while (0)

static json_t *add_trigger(const char *type, const char *args, const char *debounce)
{
	json_t *msg = parse("{\"konnector\":\"k\",\"account\":\"a\"}");
	struct jobs_trigger_req r = {.type = type,
				     .arguments = args,
				     .worker = "konnector",
				     .debounce = debounce,
				     .message = msg,
				     .created_by = "app"};
	json_t *doc = NULL, *stored = NULL;
	char err[ERR_MAX] = "";
	cr_assert_eq(jobs_trigger_build(js, &r, &doc, err), JOBS_OK, "%s", err);
	cr_assert_eq(jobs_trigger_add(js, doc, &stored, err), JOBS_OK, "%s", err);
	json_decref(doc);
	json_decref(msg);
	return stored;
}

static const char *state_of(const char *id)
{
	static char out[32];
	json_t *d = jobs_get(js, id);
	snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(d, "state")));
	json_decref(d);
	return out;
}

Test(jobs, build_refuses_as_the_stack_does, .init = setup, .fini = teardown)
{
	json_t *doc = NULL;
	char err[ERR_MAX];
	struct jobs_trigger_req r = {.type = "@cron", .arguments = "0 0 0 1 1 *", .worker = "konnector"};
	r.type = "@sometimes";
	cr_assert_eq(jobs_trigger_build(js, &r, &doc, err), JOBS_UNKNOWN_TYPE);
	r.type = "@cron";
	r.arguments = "61 * * * * *";
	cr_assert_eq(jobs_trigger_build(js, &r, &doc, err), JOBS_MALFORMED);
	r.arguments = "0 0 0 1 1 *";
	r.debounce = "5 minutes";
	cr_assert_eq(jobs_trigger_build(js, &r, &doc, err), JOBS_BAD_DEBOUNCE);
	cr_assert_str_eq(err, "time: unknown unit \" minutes\" in duration \"5 minutes\"");
	cr_assert_null(doc);
}

Test(jobs, launch_queues_then_runs_then_done, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@cron", "0 0 0 1 1 *", NULL);
	const char *tid = json_string_value(json_object_get(t, "_id"));
	json_t *got = jobs_trigger_get(js, tid);
	cr_assert_not_null(got);
	json_decref(got);
	json_t *job = NULL;
	char err[ERR_MAX];
	cr_assert_eq(jobs_launch(js, tid, &job, err), JOBS_OK, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(job, "state")), "queued", "not run inside the launch");
	cr_assert(json_is_true(json_object_get(job, "manual_execution")));
	cr_assert_str_eq(json_string_value(json_object_get(job, "trigger_id")), tid);
	cr_assert_eq(rec.execs, 0, "the worker is called from the loop, later");
	const char *jid = json_string_value(json_object_get(job, "_id"));
	RUN_UNTIL(rec.execs == 1);
	cr_assert_str_eq(rec.ids[0], jid);
	cr_assert_str_eq(rec.message[0], "{\"konnector\":\"k\",\"account\":\"a\"}");
	cr_assert_str_eq(state_of(jid), "running");
	json_t *d = jobs_get(js, jid);
	cr_assert_str_neq(json_string_value(json_object_get(d, "started_at")), JOBS_ZERO_TIME);
	json_decref(d);
	cr_assert_eq(jobs_exec_done(js, jid, NULL, 1, 0, err), 0, "%s", err);
	cr_assert_str_eq(state_of(jid), "done");
	cr_assert_eq(jobs_exec_done(js, jid, NULL, 1, 0, err), -1, "no second end");
	json_t *st = jobs_trigger_state_of(js, tid);
	cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done");
	cr_assert_str_eq(json_string_value(json_object_get(st, "last_manual_job_id")), jid);
	json_decref(st);
	cr_assert_eq(rec.created_jobs, 1);
	cr_assert_eq(rec.updated_jobs, 2, "running, then done");
	json_decref(job);
	json_decref(t);
}

Test(jobs, retried_once_unless_the_worker_says_no, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@webhook", "", NULL);
	const char *tid = json_string_value(json_object_get(t, "_id"));
	json_t *a = NULL, *b = NULL;
	char err[ERR_MAX];
	cr_assert_eq(jobs_launch(js, tid, &a, err), JOBS_OK);
	cr_assert_eq(jobs_launch(js, tid, &b, err), JOBS_OK);
	const char *ja = json_string_value(json_object_get(a, "_id")),
		   *jb = json_string_value(json_object_get(b, "_id"));
	RUN_UNTIL(rec.execs == 1);
	/* one job at a time per konnector: b waits */
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 5, err);
	cr_assert_eq(rec.execs, 1);
	cr_assert_str_eq(state_of(jb), "queued");
	cr_assert_eq(jobs_exec_done(js, ja, "exit status 1", 1, 0, err), 0);
	RUN_UNTIL(rec.execs == 2);
	cr_assert_str_eq(rec.ids[1], ja, "the retry comes first");
	cr_assert_eq(rec.exec_no[1], 2);
	cr_assert_str_eq(state_of(ja), "running", "running during the retry");
	cr_assert_eq(jobs_exec_done(js, ja, "exit status 1", 1, 0, err), 0);
	cr_assert_str_eq(state_of(ja), "errored", "two executions at most");
	json_t *d = jobs_get(js, ja);
	cr_assert_str_eq(json_string_value(json_object_get(d, "error")), "exit status 1");
	json_decref(d);
	RUN_UNTIL(rec.execs == 3);
	cr_assert_str_eq(rec.ids[2], jb);
	cr_assert_eq(jobs_exec_done(js, jb, "LOGIN_FAILED", 0, 0, err), 0);
	cr_assert_str_eq(state_of(jb), "errored", "no retry when the worker says no");
	json_decref(a);
	json_decref(b);
	json_decref(t);
}

Test(jobs, automatic_runs_skipped_after_login_failed, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@webhook", "", NULL);
	const char *tid = json_string_value(json_object_get(t, "_id"));
	json_t *a = NULL;
	char err[ERR_MAX];
	cr_assert_eq(jobs_launch(js, tid, &a, err), JOBS_OK);
	RUN_UNTIL(rec.execs == 1);
	cr_assert_eq(jobs_exec_done(js, json_string_value(json_object_get(a, "_id")), "LOGIN_FAILED", 0, 0, err), 0);
	/* a webhook call without Manual=true is an automatic run: BeforeHook skips it, no job */
	cr_assert_eq(jobs_webhook(js, tid, "{}", 2, 0, err), JOBS_OK);
	json_t *jl = jobs_trigger_jobs(js, tid, 0);
	cr_assert_eq(json_array_size(jl), 1);
	json_decref(jl);
	/* a manual one runs */
	cr_assert_eq(jobs_webhook(js, tid, "{\"x\":1}", 7, 1, err), JOBS_OK);
	jl = jobs_trigger_jobs(js, tid, 0);
	cr_assert_eq(json_array_size(jl), 2);
	json_decref(jl);
	RUN_UNTIL(rec.execs == 2);
	cr_assert_str_eq(rec.payload[1], "{\"x\":1}");
	json_decref(a);
	json_decref(t);
}

Test(jobs, webhook_debounce_gathers_payloads, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@webhook", "", "50ms");
	const char *tid = json_string_value(json_object_get(t, "_id"));
	char err[ERR_MAX];
	cr_assert_eq(jobs_webhook(js, tid, "{\"a\":1}", 7, 0, err), JOBS_OK);
	cr_assert_eq(jobs_webhook(js, tid, "{\"b\":2}", 7, 0, err), JOBS_OK);
	json_t *jl = jobs_trigger_jobs(js, tid, 0);
	cr_assert_eq(json_array_size(jl), 0, "nothing before the debounce ends");
	json_decref(jl);
	RUN_UNTIL(rec.execs == 1);
	cr_assert_str_eq(rec.payload[0], "{\"payloads\":[{\"a\":1},{\"b\":2}]}");
	json_decref(t);
}

Test(jobs, a_trigger_fires_by_itself, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@in", "10ms", NULL);
	RUN_UNTIL(rec.execs == 1);
	cr_assert_eq(rec.exec_no[0], 1);
	json_t *d = jobs_get(js, rec.ids[0]);
	cr_assert_null(json_object_get(d, "manual_execution"), "a scheduled job is not manual");
	json_decref(d);
	json_decref(t);
}

Test(jobs, fire_all_and_delete, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@cron", "0 0 0 1 1 *", NULL);
	const char *tid = json_string_value(json_object_get(t, "_id"));
	cr_assert_eq(jobs_fire_all(js), 1);
	RUN_UNTIL(rec.execs == 1);
	char err[ERR_MAX];
	cr_assert_eq(jobs_trigger_delete(js, tid, err), JOBS_OK);
	cr_assert_null(jobs_trigger_get(js, tid));
	cr_assert_eq(jobs_trigger_delete(js, tid, err), JOBS_NOT_FOUND);
	cr_assert_eq(jobs_fire_all(js), 0);
	json_decref(t);
}

Test(jobs, a_bad_trigger_error_deletes_the_trigger, .init = setup, .fini = teardown)
{
	json_t *t = add_trigger("@webhook", "", NULL);
	const char *tid = json_string_value(json_object_get(t, "_id"));
	json_t *a = NULL;
	char err[ERR_MAX];
	cr_assert_eq(jobs_launch(js, tid, &a, err), JOBS_OK);
	RUN_UNTIL(rec.execs == 1);
	cr_assert_eq(jobs_exec_done(js, json_string_value(json_object_get(a, "_id")), "CouchDB(not_found): missing", 1,
				    1, err),
		     0);
	cr_assert_str_eq(state_of(json_string_value(json_object_get(a, "_id"))), "errored");
	cr_assert_null(jobs_trigger_get(js, tid));
	json_decref(a);
	json_decref(t);
}

Test(jobs, push_to_unknown_worker, .init = setup, .fini = teardown)
{
	struct jobs_req r = {.worker = "nope"};
	json_t *job = NULL;
	char err[ERR_MAX];
	cr_assert_eq(jobs_push(js, &r, &job, err), JOBS_UNKNOWN_WORKER);
	int reserved = 0;
	cr_assert(jobs_worker_known("thumbnail", &reserved) && reserved);
	cr_assert(jobs_worker_known("konnector", &reserved) && !reserved);
}

Test(jobs, triggers_of_the_store_are_scheduled_at_load, .init = setup, .fini = teardown)
{
	json_t *doc = parse("{\"_id\":\"fx\",\"type\":\"@webhook\",\"worker\":\"konnector\",\"arguments\":\"\","
			    "\"message\":{\"konnector\":\"k\"}}");
	json_t *bad = parse("{\"_id\":\"bad\",\"type\":\"@cron\",\"worker\":\"konnector\",\"arguments\":\"nope\"}");
	char err[ERR_MAX];
	cr_assert_eq(store_create(store, "io.cozy.triggers", doc, NULL, err), STORE_OK);
	cr_assert_eq(store_create(store, "io.cozy.triggers", bad, NULL, err), STORE_OK);
	jobs_load(js);
	json_t *l = jobs_trigger_list(js);
	cr_assert_eq(json_array_size(l), 1, "the broken one is not started");
	json_decref(l);
	cr_assert_eq(jobs_webhook(js, "fx", "", 0, 1, err), JOBS_OK);
	cr_assert_eq(jobs_webhook(js, "bad", "", 0, 1, err), JOBS_NOT_FOUND);
	json_decref(doc);
	json_decref(bad);
}
