/* Trigger types, arguments and firing times; see trigger.h. */
#include "fake-stack/jobs/trigger.h"

#include "fake-stack/jobs/gotime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* stack: model/job/trigger_at.go maxPastTriggerTime */
#define AT_MAX_PAST_NS (24LL * 3600 * GOTIME_SECOND)

enum periodic_kind { MONTHLY, WEEKLY, DAILY, HOURLY };

struct periodic {
	int dom[32], ndom; /* acceptable days of month */
	int dow[16], ndow; /* acceptable days of week, 0 = sunday */
	int after, before; /* hours: after in 0..23, before in 1..24 */
};

/* strconv.Atoi over a whole word (sign allowed), -1 when it is not a number. */
static int atoi_word(const char *s, size_t n, int *out)
{
	char buf[24];
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	long v = strtol(buf, &end, 10);
	if (*end != '\0' || buf[0] == ' ' || v < -1000000 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* stack: periodic_parser.go parseHour: "8am", "12pm"… */
static int parse_hour(const char *w, size_t n, int *out, char *err)
{
	int h;
	if (n < 3 || (strncmp(w + n - 2, "am", 2) != 0 && strncmp(w + n - 2, "pm", 2) != 0) ||
	    atoi_word(w, n - 2, &h) < 0 || h <= 0 || h > 12)
		return err_set(err, "invalid hour %.*s", (int)n, w);
	int pm = w[n - 2] == 'p';
	*out = h == 12 ? (pm ? 12 : 0) : h + (pm ? 12 : 0);
	return 0;
}

static int parse_dow(const char *w, size_t n, int *out)
{
	static const char *const names[][2] = {{"sun", "sunday"},    {"mon", "monday"},   {"tue", "tuesday"},
					       {"wed", "wednesday"}, {"thu", "thursday"}, {"fri", "friday"},
					       {"sat", "saturday"}};
	for (int i = 0; i < 7; i++)
		for (int k = 0; k < 2; k++)
			if (strlen(names[i][k]) == n && strncmp(names[i][k], w, n) == 0) {
				*out = i;
				return 0;
			}
	return -1;
}

/* stack: periodic_parser.go parseDaysOfWeek: "mon", "mon-fri", "weekday", "weekend", comma lists. */
static int parse_days_of_week(const char *f, size_t n, struct periodic *p, char *err)
{
	p->ndow = 0;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && f[j] != ',')
			j++;
		const char *part = f + i;
		size_t pn = j - i;
		const char *dash = memchr(part, '-', pn);
		int from, to;
		if (dash != NULL) {
			if (parse_dow(part, (size_t)(dash - part), &from) < 0 ||
			    parse_dow(dash + 1, pn - (size_t)(dash - part) - 1, &to) < 0)
				return err_set(err, "cannot parse %.*s as days", (int)pn, part);
			if (from == to)
				return err_set(err, "invalid range");
			if (from > to)
				to += 7;
			for (int d = from; d <= to && p->ndow < 16; d++)
				p->dow[p->ndow++] = d % 7;
		} else if (pn == 7 && strncmp(part, "weekday", 7) == 0) {
			for (int d = 1; d <= 5 && p->ndow < 16; d++)
				p->dow[p->ndow++] = d;
		} else if (pn == 7 && strncmp(part, "weekend", 7) == 0) {
			if (p->ndow < 15) {
				p->dow[p->ndow++] = 0;
				p->dow[p->ndow++] = 6;
			}
		} else if (parse_dow(part, pn, &from) < 0) {
			return err_set(err, "cannot parse \"%.*s\" as a day", (int)pn, part);
		} else if (p->ndow < 16) {
			p->dow[p->ndow++] = from;
		}
		i = j + 1;
	}
	return 0;
}

/* stack: periodic_parser.go parseDaysOfMonth: "1", "1-5", comma lists. */
static int parse_days_of_month(const char *f, size_t n, struct periodic *p, char *err)
{
	p->ndom = 0;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && f[j] != ',')
			j++;
		const char *part = f + i;
		size_t pn = j - i;
		const char *dash = memchr(part, '-', pn);
		int from, to;
		size_t fn = dash ? (size_t)(dash - part) : pn;
		if (atoi_word(part, fn, &from) < 0 || from <= 0 || from > 31)
			return err_set(err, "invalid day %.*s", (int)pn, part);
		to = from;
		if (dash != NULL) {
			if (atoi_word(dash + 1, pn - fn - 1, &to) < 0 || to <= 0 || to > 31)
				return err_set(err, "invalid day %.*s", (int)pn, part);
			if (from >= to)
				return err_set(err, "invalid range");
		}
		for (int d = from; d <= to && p->ndom < 32; d++)
			p->dom[p->ndom++] = d;
		i = j + 1;
	}
	return 0;
}

/* The next white-space separated word of *s, or 0 at the end. */
static size_t next_word(const char **s, const char **w)
{
	while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r' || **s == '\v' || **s == '\f')
		(*s)++;
	*w = *s;
	while (**s && !(**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r' || **s == '\v' || **s == '\f'))
		(*s)++;
	return (size_t)(*s - *w);
}

/* stack: periodic_parser.go Parse: "on monday between 8am and 6pm", "on the 1-5", "after 10pm"… */
static int periodic_parse(enum periodic_kind kind, const char *args, struct periodic *p, char *err)
{
	p->ndom = 28;
	for (int i = 0; i < 28; i++)
		p->dom[i] = i + 1;
	p->ndow = 7;
	for (int i = 0; i < 7; i++)
		p->dow[i] = i;
	p->after = 0;
	p->before = 24;
	const char *s = args, *w;
	size_t n;
	while ((n = next_word(&s, &w)) > 0) {
		const char *w2;
		size_t n2;
		if (n == 2 && strncmp(w, "on", 2) == 0) {
			if ((n2 = next_word(&s, &w2)) == 0)
				return err_set(err, "expecting a day after 'on' keyword");
			if (n2 == 3 && strncmp(w2, "the", 3) == 0) {
				if (kind != MONTHLY)
					return err_set(err, "day if month is only available for monthly");
				if ((n2 = next_word(&s, &w2)) == 0)
					return err_set(err, "expecting a day after 'on the' keywords");
				if (parse_days_of_month(w2, n2, p, err) < 0)
					return -1;
			} else {
				if (kind != WEEKLY)
					return err_set(err, "day of week is only available for weekly");
				if (parse_days_of_week(w2, n2, p, err) < 0)
					return -1;
			}
		} else if ((n == 6 && strncmp(w, "before", 6) == 0) || (n == 3 && strncmp(w, "and", 3) == 0) ||
			   (n == 5 && strncmp(w, "after", 5) == 0) || (n == 7 && strncmp(w, "between", 7) == 0)) {
			int upper = w[0] == 'b' && w[1] == 'e' && w[2] == 'f' ? 1 : w[0] == 'a' && w[1] == 'n';
			int h = 0;
			if ((n2 = next_word(&s, &w2)) == 0)
				return err_set(err, "expecting an hour after '%.*s' keyword", (int)n, w);
			if (parse_hour(w2, n2, &h, err) < 0)
				return -1;
			if (upper)
				p->before = h == 0 ? 24 : h;
			else
				p->after = h;
		} else {
			return err_set(err, "invalid field \"%.*s\"", (int)n, w);
		}
	}
	if (p->after >= p->before)
		return err_set(err, "invalid hours range");
	return 0;
}

/* CRC-64/ISO, the stack's seed hash (hash/crc64 with crc64.ISO). */
static uint64_t crc64_iso(const char *s)
{
	uint64_t crc = ~0ULL;
	for (; *s; s++) {
		crc ^= (unsigned char)*s;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xD800000000000000ULL : crc >> 1;
	}
	return ~crc;
}

/* splitmix64: our stand-in for Go's math/rand seeded with the crc (so the pick differs from the stack's). */
static int rnd_intn(uint64_t *state, int n)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return n > 0 ? (int)(z % (uint64_t)n) : 0;
}

/* stack: periodic_parser.go ToRandomCrontab: a stable random time within the spec. */
static void periodic_crontab(enum periodic_kind kind, const struct periodic *p, const char *seed, char *out, size_t len)
{
	uint64_t st = crc64_iso(seed);
	int second = rnd_intn(&st, 60), minute = rnd_intn(&st, 60);
	int hour = p->after + rnd_intn(&st, p->before - p->after);
	if (kind == MONTHLY)
		snprintf(out, len, "%d %d %d %d * *", second, minute, hour, p->dom[rnd_intn(&st, p->ndom)]);
	else if (kind == WEEKLY)
		snprintf(out, len, "%d %d %d * * %d", second, minute, hour, p->dow[rnd_intn(&st, p->ndow)]);
	else if (kind == HOURLY)
		snprintf(out, len, "%d %d * * * *", second, minute);
	else
		snprintf(out, len, "%d %d %d * * *", second, minute, hour);
}

enum trigger_status trigger_parse(const char *type, const char *arguments, const char *seed, struct timespec now,
				  struct trigger_sched *out, char *err)
{
	static const struct {
		const char *type;
		enum periodic_kind kind;
	} periodic[] = {{"@monthly", MONTHLY}, {"@weekly", WEEKLY}, {"@daily", DAILY}, {"@hourly", HOURLY}};
	memset(out, 0, sizeof(*out));
	if (strcmp(type, "@at") == 0) {
		out->kind = TRIGGER_AT;
		return gotime_parse_rfc3339(arguments, &out->at, err) < 0 ? TRIGGER_MALFORMED : TRIGGER_OK;
	}
	if (strcmp(type, "@in") == 0) {
		long long d;
		out->kind = TRIGGER_AT;
		if (gotime_parse_duration(arguments, &d, err) < 0)
			return TRIGGER_MALFORMED;
		out->at = gotime_add(now, d);
		return TRIGGER_OK;
	}
	if (strcmp(type, "@cron") == 0 || strcmp(type, "@every") == 0) {
		char spec[1024];
		/* stack: NewEveryTrigger parses "@every " + arguments with the cron parser */
		snprintf(spec, sizeof(spec), "%s%s", type[1] == 'e' ? "@every " : "", arguments);
		out->kind = TRIGGER_CRON;
		return cron_parse(spec, &out->cron, err) < 0 ? TRIGGER_MALFORMED : TRIGGER_OK;
	}
	for (size_t i = 0; i < sizeof(periodic) / sizeof(periodic[0]); i++) {
		if (strcmp(type, periodic[i].type) != 0)
			continue;
		struct periodic p;
		memset(&p, 0, sizeof(p));
		out->kind = TRIGGER_CRON;
		if (periodic_parse(periodic[i].kind, arguments, &p, err) < 0)
			return TRIGGER_MALFORMED;
		periodic_crontab(periodic[i].kind, &p, seed ? seed : "", out->crontab, sizeof(out->crontab));
		return cron_parse(out->crontab, &out->cron, err) < 0 ? TRIGGER_MALFORMED : TRIGGER_OK;
	}
	if (strcmp(type, "@event") == 0) {
		out->kind = TRIGGER_EVENT;
		return TRIGGER_OK;
	}
	if (strcmp(type, "@webhook") == 0) {
		out->kind = TRIGGER_WEBHOOK;
		return TRIGGER_OK;
	}
	if (strcmp(type, "@client") == 0) {
		out->kind = TRIGGER_CLIENT;
		return TRIGGER_OK;
	}
	err_set(err, "Unknown trigger type");
	return TRIGGER_UNKNOWN_TYPE;
}

int trigger_first(const struct trigger_sched *s, struct timespec now, struct timespec *when)
{
	if (s->kind == TRIGGER_AT) {
		/* stack: trigger_at.go Schedule: in the future → then; in the last 24 h → now; older → never */
		long long d = gotime_sub(s->at, now);
		if (d >= 0) {
			*when = s->at;
			return 1;
		}
		if (d > -AT_MAX_PAST_NS) {
			*when = now;
			return 1;
		}
		return 0;
	}
	if (s->kind == TRIGGER_CRON)
		return trigger_after(s, now, when);
	return 0;
}

int trigger_after(const struct trigger_sched *s, struct timespec prev, struct timespec *when)
{
	if (s->kind != TRIGGER_CRON)
		return 0;
	/* stack: trigger_cron.go Schedule: next = sched.Next(next), from the previous planned time */
	struct timespec t = cron_next(&s->cron, prev);
	if (t.tv_sec == 0 && t.tv_nsec == 0)
		return 0;
	*when = t;
	return 1;
}
