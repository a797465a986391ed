/*
 * /jobs: the handlers of web/jobs/jobs.go over the job system (jobs.h).
 * Each handler follows the stack's order of checks: find, bind, validate,
 * allow (middlewares.Allow with the trigger's or job's "worker" field), act.
 */
#include "fake-stack/jobs/route_jobs.h"

#include "common/err.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/jobs/jobs.h"
#include "fake-stack/jobs/jobs_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRIGGERS "io.cozy.triggers"
#define JOBS "io.cozy.jobs"

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL ? s : "";
}

/* A JSON:API error with the stack's own title (pkg/jsonapi/errors.go). */
static int api_error(struct request *req, unsigned status, const char *title, const char *detail, const char *pointer)
{
	json_t *source = json_object();
	if (pointer != NULL)
		json_object_set_new(source, "pointer", json_string(pointer));
	char code[8];
	snprintf(code, sizeof(code), "%u", status);
	return reply_jsonapi(req, status,
			     json_pack("{s:[{s:s,s:s,s:s,s:o}]}", "errors", "status", code, "title", title, "detail",
				       detail, "source", source));
}

/* stack: web/jobs/jobs.go wrapJobsError and the echo errors the handlers return. */
static int answer_status(struct request *req, enum jobs_status st, const char *err)
{
	switch (st) {
	case JOBS_BAD_REQUEST:
		return api_error(req, 400, "Bad Request", err, NULL);
	case JOBS_UNKNOWN_TYPE:
		return api_error(req, 422, "Invalid Attribute", "Unknown trigger type", "/data/attributes/Type");
	case JOBS_MALFORMED:
		/* stack: model/job/errors.go ErrMalformedTrigger is an echo error */
		return reply_echo_error(req, 400, "Trigger unparsable");
	case JOBS_BAD_DEBOUNCE:
		return api_error(req, 422, "Invalid Attribute", err, "/data/attributes/debounce");
	case JOBS_NOT_CRON:
		return api_error(req, 422, "Invalid Attribute", "Invalid type for trigger (@cron expected)",
				 "/data/attributes/Type");
	case JOBS_NOT_WEBHOOK:
		return api_error(req, 422, "Invalid Attribute", "Not a webhook", "/data/attributes/Type");
	case JOBS_UNKNOWN_WORKER:
		return api_error(req, 404, "Not Found", "jobs: could not find worker", NULL);
	case JOBS_RESERVED_WORKER:
		return reply_echo_error(req, 403, "Forbidden");
	case JOBS_NOT_FOUND:
		return api_error(req, 404, "Not Found",
				 err && err[0] ? err : "Trigger with specified ID does not exist", NULL);
	default:
		return reply_internal_error(req, err && err[0] ? err : "internal error");
	}
}

/* stack: pkg/jsonapi Bind: {"data":{"attributes":{…}}}; no data → 400. *attrs borrowed from *body. */
static int bind(struct request *req, json_t **body, json_t **attrs)
{
	*attrs = NULL;
	if (http_body_json(req, body) < 0)
		return -1;
	json_t *data = json_object_get(*body, "data");
	if (!json_is_object(*body) || data == NULL || json_is_null(data)) {
		json_decref(*body);
		*body = NULL;
		return api_error(req, 400, "Bad Request", "JSON input is malformed or is missing mandatory fields",
				 NULL),
		       -1;
	}
	json_t *a = json_object_get(data, "attributes");
	*attrs = json_is_object(a) ? a : NULL;
	return 0;
}

/* A string attribute (absent or null: ""), or -1 after a 400 as Go's decoder would refuse another type. */
static int attr_string(struct request *req, const json_t *attrs, const char *key, const char **out)
{
	const json_t *v = json_object_get(attrs, key);
	*out = "";
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		char why[256];
		snprintf(why, sizeof(why), "json: cannot unmarshal %s into Go struct field .%s of type string",
			 json_is_number(v)    ? "number"
			 : json_is_boolean(v) ? "bool"
			 : json_is_array(v)   ? "array"
					      : "object",
			 key);
		return api_error(req, 400, "Bad Request", why, NULL), -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* stack: job.JobOptions {max_exec_count, timeout}; unit: the timeout's multiplier to nanoseconds. New ref or NULL. */
static json_t *options_of(const json_t *attrs, long long unit)
{
	const json_t *o = json_object_get(attrs, "options");
	if (!json_is_object(o))
		return NULL;
	json_int_t m = json_integer_value(json_object_get(o, "max_exec_count"));
	json_int_t t = json_integer_value(json_object_get(o, "timeout"));
	return json_pack("{s:I,s:I}", "max_exec_count", m, "timeout", t * unit);
}

/* The fields middlewares.Allow fetches from a trigger or a job: "worker" (and a job's "state"). */
static json_t *fields_of(const json_t *doc)
{
	json_t *f = json_pack("{s:s}", "worker", str(doc, "worker"));
	if (json_object_get(doc, "state") != NULL)
		json_object_set_new(f, "state", json_string(str(doc, "state")));
	return f;
}

/*
 * middlewares.Allow on a trigger; own: a konnector token may act on a konnector
 * trigger whose message names it (jobs.go allowKonnectorForItsOwnTrigger).
 */
static int allow_trigger(struct request *req, const char *verb, const json_t *trigger, int own)
{
	json_t *f = fields_of(trigger);
	const char *id = str(trigger, "_id");
	int its_own = own && req->auth == AUTH_KONNECTOR && req->slug != NULL &&
		      strcmp(str(trigger, "worker"), "konnector") == 0 &&
		      strcmp(str(json_object_get(trigger, "message"), "konnector"), req->slug) == 0;
	int rc = its_own && !http_permits(req, verb, TRIGGERS, id, f, 0)
			 ? 0
			 : http_allow_rules(req, verb, TRIGGERS, id, f, 0);
	json_decref(f);
	return rc;
}

/* stack: checkReservedWorker, for tokens that are not the CLI's (all of ours). */
static int check_worker(struct request *req, const char *worker)
{
	int reserved = 0;
	if (!jobs_worker_known(worker, &reserved))
		return reply_echo_error(req, 404, "Not Found"), -1;
	if (reserved)
		return reply_echo_error(req, 403, "Forbidden"), -1;
	return 0;
}

static int created_trigger(struct jobs *j, struct request *req, json_t *stored)
{
	return reply_jsonapi(req, 201, jobs_api_data(jobs_api_trigger(stored, NULL, jobs_base_url(j))));
}

/* POST /jobs/triggers (jobs.go newTrigger). */
static int new_trigger(struct jobs *j, struct request *req)
{
	json_t *body, *attrs;
	if (bind(req, &body, &attrs) < 0)
		return 0;
	struct jobs_trigger_req r = {0};
	if (attr_string(req, attrs, "type", &r.type) < 0 || attr_string(req, attrs, "arguments", &r.arguments) < 0 ||
	    attr_string(req, attrs, "worker", &r.worker) < 0 || attr_string(req, attrs, "debounce", &r.debounce) < 0) {
		json_decref(body);
		return 0;
	}
	/* stack: message, or the deprecated worker_arguments when message is empty */
	r.message = json_object_get(attrs, "message");
	if (r.message == NULL)
		r.message = json_object_get(attrs, "worker_arguments");
	json_t *opts = options_of(attrs, 1);
	r.options = opts;
	r.created_by = (req->auth == AUTH_KONNECTOR || req->auth == AUTH_APP) ? req->slug : NULL;
	char err[ERR_MAX] = "";
	json_t *doc = NULL, *stored = NULL;
	enum jobs_status st = jobs_trigger_build(j, &r, &doc, err);
	if (st != JOBS_OK)
		answer_status(req, st, err);
	else if (allow_trigger(req, "POST", doc, 0) == 0 && check_worker(req, r.worker) == 0) {
		st = jobs_trigger_add(j, doc, &stored, err);
		if (st != JOBS_OK)
			answer_status(req, st, err);
		else
			created_trigger(j, req, stored);
	}
	json_decref(stored);
	json_decref(doc);
	json_decref(opts);
	json_decref(body);
	return 0;
}

/* Does the comma-separated list (NULL or "": anything) hold v? */
static int in_list(const char *list, const char *v)
{
	if (list == NULL || list[0] == '\0')
		return 1;
	size_t n = strlen(v);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && strncmp(p, v, n) == 0)
			return 1;
		p += l + (c != NULL);
	}
	return 0;
}

/* GET /jobs/triggers?Worker=&Type= (jobs.go getAllTriggers): every trigger with its current_state. */
static int all_triggers(struct jobs *j, struct request *req)
{
	const char *workers = http_query(req, "Worker"), *types = http_query(req, "Type");
	if (!http_permits(req, "GET", TRIGGERS, NULL, NULL, 1)) {
		/* stack: without whole-type access, exactly one worker and a rule on its "worker" field */
		if (workers == NULL || workers[0] == '\0' || strchr(workers, ',') != NULL) {
			if (http_allow_rules(req, "GET", TRIGGERS, NULL, NULL, 1) < 0)
				return 0;
		} else {
			json_t *f = json_pack("{s:s}", "worker", workers);
			int rc = http_allow_rules(req, "GET", TRIGGERS, NULL, f, 0);
			json_decref(f);
			if (rc < 0)
				return 0;
		}
	}
	json_t *all = jobs_trigger_list(j), *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach (all, i, t) {
		if (!in_list(workers, str(t, "worker")) || !in_list(types, str(t, "type")))
			continue;
		json_t *state = jobs_trigger_state_of(j, str(t, "_id"));
		json_array_append_new(out, jobs_api_trigger(t, state, jobs_base_url(j)));
		json_decref(state);
	}
	json_decref(all);
	return reply_jsonapi(req, 200, jobs_api_list(out));
}

/* GET, PATCH, DELETE /jobs/triggers/:id, GET …/state, GET …/jobs, POST …/launch. */
static int one_trigger(struct jobs *j, struct request *req, const char *id, const char *sub)
{
	const char *m = req->method;
	char err[ERR_MAX] = "";
	int limit = 0;
	if (sub != NULL && strcmp(sub, "jobs") == 0 && strcmp(m, "GET") == 0) {
		/* stack: getTriggerJobs parses Limit before it looks for the trigger */
		const char *l = http_query(req, "Limit");
		if (l != NULL && l[0] != '\0') {
			char *end;
			errno = 0;
			long v = strtol(l, &end, 10);
			if (*end != '\0' || errno != 0) {
				snprintf(err, sizeof(err), "strconv.Atoi: parsing \"%s\": invalid syntax", l);
				return reply_echo_error(req, 400, err);
			}
			limit = (int)v;
		}
	}
	json_t *t = jobs_trigger_get(j, id);
	if (t == NULL)
		return answer_status(req, JOBS_NOT_FOUND, NULL);
	int rc = 0;
	if (sub == NULL && strcmp(m, "GET") == 0) {
		if (allow_trigger(req, "GET", t, 1) == 0) {
			json_t *state = jobs_trigger_state_of(j, id);
			rc = reply_jsonapi(req, 200, jobs_api_data(jobs_api_trigger(t, state, jobs_base_url(j))));
			json_decref(state);
		}
	} else if (sub == NULL && strcmp(m, "DELETE") == 0) {
		if (allow_trigger(req, "DELETE", t, 1) == 0) {
			enum jobs_status st = jobs_trigger_delete(j, id, err);
			rc = st == JOBS_OK ? reply_empty(req, 204) : answer_status(req, st, err);
		}
	} else if (sub == NULL && strcmp(m, "PATCH") == 0) {
		json_t *body, *attrs;
		const char *args;
		if (allow_trigger(req, "PATCH", t, 1) == 0 && bind(req, &body, &attrs) == 0) {
			const json_t *msg = json_object_get(attrs, "message");
			if (attr_string(req, attrs, "arguments", &args) < 0) {
			} else if (args[0] == '\0' && (msg == NULL || json_is_null(msg))) {
				rc = api_error(req, 400, "Bad Request", "Only arguments and message can be patched",
					       NULL);
			} else {
				json_t *out = NULL;
				enum jobs_status st = jobs_trigger_patch(j, id, args[0] ? args : NULL,
									 json_is_null(msg) ? NULL : msg, &out, err);
				rc = st == JOBS_OK ? reply_jsonapi(req, 200,
								   jobs_api_data(jobs_api_trigger(out, NULL,
												  jobs_base_url(j))))
						   : answer_status(req, st, err);
				json_decref(out);
			}
			json_decref(body);
		}
	} else if (sub != NULL && strcmp(sub, "state") == 0 && strcmp(m, "GET") == 0) {
		if (allow_trigger(req, "GET", t, 1) == 0) {
			json_t *state = jobs_trigger_state_of(j, id);
			rc = reply_jsonapi(req, 200, jobs_api_data(jobs_api_state(id, state)));
			json_decref(state);
		}
	} else if (sub != NULL && strcmp(sub, "jobs") == 0 && strcmp(m, "GET") == 0) {
		if (allow_trigger(req, "GET", t, 0) == 0) {
			json_t *js = jobs_trigger_jobs(j, id, limit), *out = json_array();
			size_t i;
			json_t *d;
			json_array_foreach (js, i, d)
				json_array_append_new(out, jobs_api_job(d));
			json_decref(js);
			rc = reply_jsonapi(req, 200, jobs_api_list(out));
		}
	} else if (sub != NULL && strcmp(sub, "launch") == 0 && strcmp(m, "POST") == 0) {
		if (allow_trigger(req, "POST", t, 0) == 0) {
			json_t *job = NULL;
			enum jobs_status st = jobs_launch(j, id, &job, err);
			/* a job the BeforeHook skipped has no id: still 201 (stack: launchTrigger) */
			rc = st == JOBS_OK ? reply_jsonapi(req, 201, jobs_api_data(jobs_api_job(job)))
					   : answer_status(req, st, err);
			json_decref(job);
		}
	} else {
		rc = reply_echo_error(req, 405, "Method Not Allowed");
	}
	json_decref(t);
	return rc;
}

/* POST /jobs/webhooks/:id (jobs.go fireWebhook): no token needed; 204 at once, the job follows. */
static int webhook(struct jobs *j, struct request *req, const char *id)
{
	char err[ERR_MAX] = "";
	const char *manual = http_query(req, "Manual");
	enum jobs_status st = jobs_webhook(j, id, req->body.data ? req->body.data : "", req->body.len,
					   manual != NULL && strcmp(manual, "true") == 0, err);
	return st == JOBS_OK ? reply_empty(req, 204) : answer_status(req, st, err);
}

/* GET and POST /jobs/queue/:worker (jobs.go getQueue, pushJob). */
static int queue(struct jobs *j, struct request *req, const char *worker)
{
	json_t *f = json_pack("{s:s}", "worker", worker);
	int rc = 0;
	if (strcmp(req->method, "GET") == 0) {
		if (http_allow_rules(req, "GET", JOBS, worker, f, 0) == 0) {
			json_t *js = jobs_queue(j, worker), *out = json_array();
			size_t i;
			json_t *d;
			json_array_foreach (js, i, d)
				json_array_append_new(out, jobs_api_job(d));
			json_decref(js);
			rc = reply_jsonapi(req, 200, jobs_api_list(out));
		}
	} else if (strcmp(req->method, "POST") == 0) {
		json_t *body, *attrs;
		if (bind(req, &body, &attrs) == 0) {
			/* options.timeout is in seconds here (pushJob), nanoseconds in the job */
			json_t *opts = options_of(attrs, 1000000000LL);
			if (http_allow_rules(req, "POST", JOBS, NULL, f, 0) < 0) {
			} else if (json_is_true(json_object_get(attrs, "forward_logs"))) {
				rc = reply_echo_error(req, 403, "Forbidden"); /* CLI tokens only */
			} else if (check_worker(req, worker) == 0) {
				struct jobs_req r = {.worker = worker,
						     .message = json_object_get(attrs, "arguments"),
						     .manual = json_is_true(json_object_get(attrs, "manual")),
						     .options = opts};
				char err[ERR_MAX] = "";
				json_t *job = NULL;
				enum jobs_status st = jobs_push(j, &r, &job, err);
				rc = st == JOBS_OK ? reply_jsonapi(req, 202, jobs_api_data(jobs_api_job(job)))
						   : answer_status(req, st, err);
				json_decref(job);
			}
			json_decref(opts);
			json_decref(body);
		}
	} else {
		rc = reply_echo_error(req, 405, "Method Not Allowed");
	}
	json_decref(f);
	return rc;
}

/* GET and PATCH /jobs/:job-id (jobs.go getJob, patchJob). */
static int one_job(struct jobs *j, struct request *req, const char *id)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "PATCH") != 0)
		return reply_echo_error(req, 405, "Method Not Allowed");
	json_t *job = jobs_get(j, id);
	if (job == NULL) {
		/* stack: getJob returns job.Get's plain error, unwrapped: 500 */
		if (http_require_auth(req) < 0)
			return 0;
		return reply_internal_error(req, "jobs: not found");
	}
	json_t *f = fields_of(job);
	int rc = 0;
	if (http_allow_rules(req, req->method, JOBS, id, f, 0) < 0) {
	} else if (strcmp(req->method, "GET") == 0) {
		rc = reply_jsonapi(req, 200, jobs_api_data(jobs_api_job(job)));
	} else if (strcmp(str(job, "worker"), "client") != 0) {
		rc = reply_echo_error(req, 403, "Forbidden");
	} else {
		json_t *body, *attrs;
		if (bind(req, &body, &attrs) == 0) {
			const char *state = str(attrs, "state"), *error = str(attrs, "error");
			if (strcmp(state, "done") != 0 && strcmp(state, "errored") != 0) {
				rc = api_error(req, 422, "Invalid Attribute", "State must be done or errored",
					       "/data/attributes/State");
			} else {
				char err[ERR_MAX] = "";
				json_t *out = NULL;
				enum jobs_status st = jobs_client_finish(j, id, state[0] == 'd', error, &out, err);
				rc = st == JOBS_OK ? reply_jsonapi(req, 200, jobs_api_data(jobs_api_job(out)))
						   : answer_status(req, st, err);
				json_decref(out);
			}
			json_decref(body);
		}
	}
	json_decref(f);
	json_decref(job);
	return rc;
}

int route_jobs_serve(struct jobs *j, struct request *req)
{
	const char *a = http_seg(req, 1), *b = http_seg(req, 2), *c = http_seg(req, 3), *d = http_seg(req, 4);
	const char *m = req->method;
	if (a == NULL || d != NULL)
		return reply_echo_error(req, 404, "Not Found");
	if (strcmp(a, "triggers") == 0) {
		if (b == NULL) {
			if (strcmp(m, "POST") == 0)
				return new_trigger(j, req);
			if (strcmp(m, "GET") == 0)
				return all_triggers(j, req);
			return reply_echo_error(req, 405, "Method Not Allowed");
		}
		if (c != NULL && strcmp(c, "state") != 0 && strcmp(c, "jobs") != 0 && strcmp(c, "launch") != 0)
			return reply_echo_error(req, 404, "Not Found");
		return one_trigger(j, req, b, c);
	}
	if (strcmp(a, "webhooks") == 0 && b != NULL && c == NULL) {
		if (strcmp(m, "POST") != 0)
			return reply_echo_error(req, 405, "Method Not Allowed");
		return webhook(j, req, b);
	}
	if (strcmp(a, "queue") == 0 && b != NULL && c == NULL)
		return queue(j, req, b);
	if (b == NULL)
		return one_job(j, req, a);
	return reply_echo_error(req, 404, "Not Found");
}
