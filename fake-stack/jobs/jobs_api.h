/*
 * The shapes of jobs and triggers: the io.cozy.jobs and io.cozy.triggers
 * documents as the stack stores them (stack: model/job/broker.go Job,
 * model/job/scheduler.go TriggerInfos and TriggerState), their JSON:API
 * objects (web/jobs/jobs.go apiJob, apiTrigger, apiTriggerState;
 * pkg/jsonapi/data.go MarshalObject) and the trigger state computed from its
 * jobs (scheduler.go GetTriggerState). Pure: no store, no loop. Internal to
 * fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_API_H
#define FAKE_STACK_JOBS_API_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* Go's zero time.Time as encoding/json writes it: a job's started_at and finished_at until they are set. */
#define JOBS_ZERO_TIME "0001-01-01T00:00:00Z"

/* A time as Go marshals a time.Time (RFC 3339 with nanoseconds, trailing zeros dropped; UTC here). */
void jobs_time(const struct timespec *ts, char out[48]);

/*
 * A job document before it is created (no _id yet), in the Go struct's key
 * order: domain, worker, trigger_id?, message, event (null), payload? (base64),
 * manual_execution?, options?, state "queued", queued_at, started_at,
 * finished_at (zero times). message NULL → null. New ref.
 */
json_t *jobs_job_doc(const char *domain, const char *worker, const char *trigger_id, const json_t *message,
		     const void *payload, size_t payload_len, int has_payload, int manual, const json_t *options,
		     const struct timespec *queued_at);

/* {type:"io.cozy.jobs", id, attributes: the whole doc (_id and _rev included), meta:{rev},
 * links:{self:/jobs/<worker>/<id>}}. New ref. */
json_t *jobs_api_job(const json_t *job);
/*
 * {type:"io.cozy.triggers", id, attributes: the doc (+ current_state before
 * cozyMetadata when state is not NULL), meta:{}, links:{self, webhook (for
 * @webhook, on base_url)}}. New ref.
 */
json_t *jobs_api_trigger(const json_t *trigger, const json_t *state, const char *base_url);
/* {type:"io.cozy.triggers.state", id, attributes: state, meta:{}, links:{self:/jobs/triggers/<id>/state}}. New ref. */
json_t *jobs_api_state(const char *trigger_id, const json_t *state);
/* {data: object}: steals object. */
json_t *jobs_api_data(json_t *object);
/* {data:[…], meta:{count}}: steals objects (an array). */
json_t *jobs_api_list(json_t *objects);

/*
 * The trigger's current_state from its jobs, newest first (at most 50 count,
 * as the stack reads them): status (done when none), last_execution and
 * last_executed_job_id, last_manual_*, last_failure/last_failed_job_id/
 * last_error, last_success/last_successful_job_id; times are the jobs'
 * started_at. New ref.
 */
json_t *jobs_trigger_state(const char *trigger_id, const json_t *jobs_newest_first);

/*
 * The message as the worker gets it (COZY_FIELDS): compact JSON in its own key
 * order, with <, >, &, U+2028 and U+2029 escaped as Go's json.Marshal of a
 * json.RawMessage writes them. "null" for NULL. malloc'd.
 */
char *jobs_message_text(const json_t *message);

#endif
