/*
 * Go's time parsing as the stack's triggers use it: time.ParseDuration (@in,
 * @every, debounce) and time.Parse(time.RFC3339, …) (@at). Internal to
 * fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_GOTIME_H
#define FAKE_STACK_JOBS_GOTIME_H

#include "common/err.h"

#include <time.h>

#define GOTIME_SECOND 1000000000LL

/* Go's time.ParseDuration: *ns, or -1 with Go's error text in err ("time: invalid duration \"x\""). */
int gotime_parse_duration(const char *s, long long *ns, char *err);
/* Go's RFC 3339 parser (the strict form: 2006-01-02T15:04:05[.frac](Z|±hh:mm)); -1 with err. */
int gotime_parse_rfc3339(const char *s, struct timespec *out, char *err);
/* now + ns, normalised. */
struct timespec gotime_add(struct timespec t, long long ns);
/* a < b: -1, equal 0, a > b: 1. */
int gotime_cmp(struct timespec a, struct timespec b);
/* b - a in ns (saturating to ±2^62). */
long long gotime_sub(struct timespec b, struct timespec a);

#endif
