/* Job and trigger documents, their JSON:API objects, the trigger state; see jobs_api.h. */
#include "fake-stack/jobs/jobs_api.h"

#include "common/b64.h"
#include "common/buf.h"
#include "common/isotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jobs_time(const struct timespec *ts, char out[48])
{
	isotime_format(ts, ISOTIME_NANOS, out, 48);
}

json_t *jobs_job_doc(const char *domain, const char *worker, const char *trigger_id, const json_t *message,
		     const void *payload, size_t payload_len, int has_payload, int manual, const json_t *options,
		     const struct timespec *queued_at)
{
	char q[48];
	jobs_time(queued_at, q);
	json_t *d = json_object();
	json_object_set_new(d, "domain", json_string(domain));
	json_object_set_new(d, "worker", json_string(worker));
	if (trigger_id != NULL && trigger_id[0] != '\0')
		json_object_set_new(d, "trigger_id", json_string(trigger_id));
	json_object_set_new(d, "message", message ? json_deep_copy(message) : json_null());
	json_object_set_new(d, "event", json_null());
	if (has_payload && payload_len > 0) {
		/* stack: Job.Payload is a []byte without a marshaller: base64 in the document */
		struct buf b = {0};
		b64_encode(&b, payload, payload_len, B64_STD);
		json_object_set_new(d, "payload", json_stringn(b.data ? b.data : "", b.len));
		buf_free(&b);
	}
	if (manual)
		json_object_set_new(d, "manual_execution", json_true());
	if (options != NULL && !json_is_null(options))
		json_object_set_new(d, "options", json_deep_copy(options));
	json_object_set_new(d, "state", json_string("queued"));
	json_object_set_new(d, "queued_at", json_string(q));
	json_object_set_new(d, "started_at", json_string(JOBS_ZERO_TIME));
	json_object_set_new(d, "finished_at", json_string(JOBS_ZERO_TIME));
	return d;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL ? s : "";
}

/* pkg/jsonapi/data.go MarshalObject: type, id, attributes, meta (rev when there is one), links. */
static json_t *object(const char *type, const char *id, json_t *attributes, const char *rev, json_t *links)
{
	json_t *meta = json_object();
	if (rev != NULL && rev[0] != '\0')
		json_object_set_new(meta, "rev", json_string(rev));
	return json_pack("{s:s,s:s,s:o,s:o,s:o}", "type", type, "id", id, "attributes", attributes, "meta", meta,
			 "links", links);
}

json_t *jobs_api_job(const json_t *job)
{
	char self[600];
	/* stack: web/jobs/jobs.go apiJob.Links: /jobs/<worker>/<id> */
	snprintf(self, sizeof(self), "/jobs/%s/%s", str(job, "worker"), str(job, "_id"));
	return object("io.cozy.jobs", str(job, "_id"), json_deep_copy(job), str(job, "_rev"),
		      json_pack("{s:s}", "self", self));
}

json_t *jobs_api_trigger(const json_t *trigger, const json_t *state, const char *base_url)
{
	const char *id = str(trigger, "_id");
	json_t *attrs = json_object();
	const char *k;
	json_t *v;
	/* scheduler.go TriggerInfos: current_state comes right before cozyMetadata */
	json_object_foreach ((json_t *)trigger, k, v) {
		if (strcmp(k, "current_state") == 0)
			continue;
		if (strcmp(k, "cozyMetadata") == 0 && state != NULL)
			json_object_set(attrs, "current_state", (json_t *)state);
		json_object_set(attrs, k, v);
	}
	if (state != NULL && json_object_get(attrs, "current_state") == NULL)
		json_object_set(attrs, "current_state", (json_t *)state);
	char self[600], hook[1024];
	snprintf(self, sizeof(self), "/jobs/triggers/%s", id);
	json_t *links = json_pack("{s:s}", "self", self);
	if (strcmp(str(trigger, "type"), "@webhook") == 0) {
		/* stack: apiTrigger.Links: the instance's absolute URL of the webhook */
		const char *b = base_url ? base_url : "";
		size_t bl = strlen(b);
		snprintf(hook, sizeof(hook), "%.*s/jobs/webhooks/%s", (int)(bl && b[bl - 1] == '/' ? bl - 1 : bl), b,
			 id);
		json_object_set_new(links, "webhook", json_string(hook));
	}
	/* apiTrigger.Rev() is "": meta stays {} */
	return object("io.cozy.triggers", id, attrs, NULL, links);
}

json_t *jobs_api_state(const char *trigger_id, const json_t *state)
{
	char self[600];
	snprintf(self, sizeof(self), "/jobs/triggers/%s/state", trigger_id);
	return object("io.cozy.triggers.state", trigger_id, json_deep_copy(state), NULL,
		      json_pack("{s:s}", "self", self));
}

json_t *jobs_api_data(json_t *object)
{
	return json_pack("{s:o}", "data", object);
}

json_t *jobs_api_list(json_t *objects)
{
	size_t n = json_array_size(objects);
	return json_pack("{s:o,s:{s:I}}", "data", objects, "meta", "count", (json_int_t)n);
}

json_t *jobs_trigger_state(const char *trigger_id, const json_t *jobs)
{
	/* scheduler.go GetTriggerState: from the oldest to the newest, each job overwrites what it is */
	const char *status = "done";
	const json_t *exec = NULL, *manual = NULL, *failed = NULL, *success = NULL;
	for (size_t i = json_array_size(jobs); i-- > 0;) {
		const json_t *j = json_array_get(jobs, i);
		const char *st = str(j, "state");
		status = st;
		exec = j;
		if (json_is_true(json_object_get(j, "manual_execution")))
			manual = j;
		if (strcmp(st, "errored") == 0)
			failed = j;
		else if (strcmp(st, "done") == 0)
			success = j;
	}
	/* the Go struct's order: trigger_id, status, last_success…, last_execution…, last_failure…, last_manual… */
	json_t *s = json_object();
	json_object_set_new(s, "trigger_id", json_string(trigger_id));
	json_object_set_new(s, "status", json_string(status));
	if (success != NULL) {
		json_object_set_new(s, "last_success", json_string(str(success, "started_at")));
		json_object_set_new(s, "last_successful_job_id", json_string(str(success, "_id")));
	}
	if (exec != NULL) {
		json_object_set_new(s, "last_execution", json_string(str(exec, "started_at")));
		json_object_set_new(s, "last_executed_job_id", json_string(str(exec, "_id")));
	}
	if (failed != NULL) {
		json_object_set_new(s, "last_failure", json_string(str(failed, "started_at")));
		json_object_set_new(s, "last_failed_job_id", json_string(str(failed, "_id")));
		if (str(failed, "error")[0] != '\0')
			json_object_set_new(s, "last_error", json_string(str(failed, "error")));
	}
	if (manual != NULL) {
		json_object_set_new(s, "last_manual_execution", json_string(str(manual, "started_at")));
		json_object_set_new(s, "last_manual_job_id", json_string(str(manual, "_id")));
	}
	return s;
}

char *jobs_message_text(const json_t *message)
{
	if (message == NULL)
		return strdup("null");
	char *raw = json_dumps(message, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (raw == NULL)
		return NULL;
	/* these bytes only ever appear inside strings: escaping them everywhere is what Go's encoder does */
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		if (*p == '<')
			buf_puts(&b, "\\u003c");
		else if (*p == '>')
			buf_puts(&b, "\\u003e");
		else if (*p == '&')
			buf_puts(&b, "\\u0026");
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			buf_puts(&b, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
			p += 2;
		} else
			buf_append(&b, p, 1);
	}
	free(raw);
	return buf_steal(&b);
}
