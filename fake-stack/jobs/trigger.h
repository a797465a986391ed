/*
 * Trigger types and their arguments as the stack checks them when a trigger
 * is created (stack: model/job/scheduler.go fromTriggerInfos, trigger_at.go,
 * trigger_cron.go, periodic_parser.go, trigger_webhook.go, trigger_event.go,
 * trigger_client.go), and when each one fires. Pure: no stack, no loop.
 * Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_TRIGGER_H
#define FAKE_STACK_JOBS_TRIGGER_H

#include "common/err.h"
#include "fake-stack/jobs/cron.h"

#include <time.h>

enum trigger_kind {
	TRIGGER_AT,      /* @at, @in: once */
	TRIGGER_CRON,    /* @cron, @every, @hourly, @daily, @weekly, @monthly */
	TRIGGER_EVENT,   /* @event: never fires here (no realtime events to the scheduler yet) */
	TRIGGER_WEBHOOK, /* @webhook: fires on POST /jobs/webhooks/:id */
	TRIGGER_CLIENT,  /* @client: never scheduled, its jobs are the client's */
};

enum trigger_status {
	TRIGGER_OK,
	TRIGGER_UNKNOWN_TYPE, /* stack: ErrUnknownTrigger "Unknown trigger type" → 422 */
	TRIGGER_MALFORMED,    /* stack: ErrMalformedTrigger "Trigger unparsable" → 400 */
};

struct trigger_sched {
	enum trigger_kind kind;
	struct cron_sched cron; /* TRIGGER_CRON */
	struct timespec at;     /* TRIGGER_AT: when */
	char crontab[64];       /* @hourly…@monthly: the crontab picked for this trigger */
};

/*
 * Check type and arguments. now: the creation (or load) time, from which @in
 * counts. seed: what the stack seeds the random time of @hourly…@monthly with
 * ("<domain>/<worker>/<message>"). err says why it is malformed (our words:
 * the stack only answers "Trigger unparsable").
 */
enum trigger_status trigger_parse(const char *type, const char *arguments, const char *seed, struct timespec now,
				  struct trigger_sched *out, char *err);

/*
 * The first time the trigger fires after it is scheduled at now, into *when;
 * 0 when it never fires by itself (webhook, event, client, an @at more than
 * 24 hours in the past). An @at in the last 24 hours fires at once (*when = now).
 */
int trigger_first(const struct trigger_sched *s, struct timespec now, struct timespec *when);
/* The next time after a fire planned at prev (cron kinds only; 0: none). */
int trigger_after(const struct trigger_sched *s, struct timespec prev, struct timespec *when);

#endif
