/*
 * Cron schedules as the stack parses them (stack: model/job/trigger_cron.go,
 * robfig/cron/v3 with SecondOptional|Minute|Hour|Dom|Month|Dow|Descriptor):
 * five or six fields (seconds first when six), names (jan…dec, sun…sat),
 * ranges, steps, '*' and '?', and the descriptors @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly and "@every <duration>".
 * Times are the local time of the harness. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_CRON_H
#define FAKE_STACK_JOBS_CRON_H

#include "common/err.h"

#include <stdint.h>
#include <time.h>

struct cron_sched {
	int every;                                      /* "@every": a constant delay */
	long long delay_ns;                             /* its delay (whole seconds, at least one) */
	int utc;                                        /* CRON_TZ=UTC / TZ=UTC */
	uint64_t second, minute, hour, dom, month, dow; /* bit sets; bit 63 is robfig's starBit */
};

/* Parse spec; -1 with robfig's error text in err. */
int cron_parse(const char *spec, struct cron_sched *out, char *err);
/* The first activation strictly after t (robfig Schedule.Next); {0,0} when none within five years. */
struct timespec cron_next(const struct cron_sched *s, struct timespec t);

#endif
