/* robfig/cron/v3's parser and SpecSchedule.Next, as the stack's @cron and @every triggers use them; see cron.h. */
#include "fake-stack/jobs/cron.h"

#include "fake-stack/jobs/gotime.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STAR_BIT (1ULL << 63)

struct bounds {
	int min, max;
	const char *const *names; /* names[i] is the value min+i… (NULL: none) */
	int names_base;
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
					  "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

/* robfig: seconds, minutes, hours, dom, months, dow (0 = sunday, 7 is refused). */
static const struct bounds field_bounds[6] = {
	{0, 59, NULL, 0}, {0, 59, NULL, 0},        {0, 23, NULL, 0},
	{1, 31, NULL, 0}, {1, 12, month_names, 1}, {0, 6, dow_names, 0},
};

/* robfig mustParseInt: strconv.Atoi, then no negative numbers. */
static int parse_int(const char *s, size_t n, int *out, char *err)
{
	char buf[32];
	if (n == 0 || n >= sizeof(buf))
		return err_set(err, "failed to parse int from %.*s: strconv.Atoi: parsing \"%.*s\": invalid syntax",
			       (int)n, s, (int)n, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	const char *p = buf;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0')
		return err_set(err, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax", buf,
			       buf);
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return err_set(err, "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax",
				       buf, buf);
	long v = strtol(buf, NULL, 10);
	if (v < 0)
		return err_set(err, "negative number (%ld) not allowed: %s", v, buf);
	*out = v > INT_MAX ? INT_MAX : (int)v;
	return 0;
}

/* robfig parseIntOrName: a name of the field (any case), else a number. */
static int parse_int_or_name(const char *s, size_t n, const struct bounds *b, int *out, char *err)
{
	if (b->names != NULL)
		for (int i = 0; b->names[i] != NULL; i++)
			if (strlen(b->names[i]) == n && strncasecmp(b->names[i], s, n) == 0) {
				*out = b->names_base + i;
				return 0;
			}
	return parse_int(s, n, out, err);
}

static uint64_t bits(int min, int max, int step)
{
	uint64_t v = 0;
	for (int i = min; i <= max; i += step)
		v |= 1ULL << i;
	return v;
}

/* robfig getRange: "*", "?", "a", "a-b", each with an optional "/step". */
static int get_range(const char *expr, size_t n, const struct bounds *b, uint64_t *out, char *err)
{
	const char *slash = memchr(expr, '/', n);
	size_t rn = slash ? (size_t)(slash - expr) : n;
	if (slash && memchr(slash + 1, '/', n - rn - 1))
		return err_set(err, "too many slashes: %.*s", (int)n, expr);
	const char *dash = memchr(expr, '-', rn);
	size_t ln = dash ? (size_t)(dash - expr) : rn;
	int start, end, step = 1, single = dash == NULL;
	uint64_t extra = 0;
	if (ln == 1 && (expr[0] == '*' || expr[0] == '?')) {
		/* robfig looks no further than the star: "*-5" is "*" */
		start = b->min;
		end = b->max;
		extra = STAR_BIT;
	} else {
		if (dash && memchr(dash + 1, '-', rn - ln - 1))
			return err_set(err, "too many hyphens: %.*s", (int)n, expr);
		if (parse_int_or_name(expr, ln, b, &start, err) < 0)
			return -1;
		end = start;
		if (dash && parse_int_or_name(dash + 1, rn - ln - 1, b, &end, err) < 0)
			return -1;
	}
	if (slash) {
		if (parse_int(slash + 1, n - rn - 1, &step, err) < 0)
			return -1;
		/* "N/step" means N through the end of the range */
		if (single)
			end = b->max;
		if (step > 1)
			extra = 0;
	}
	if (start < b->min)
		return err_set(err, "beginning of range (%d) below minimum (%d): %.*s", start, b->min, (int)n, expr);
	if (end > b->max)
		return err_set(err, "end of range (%d) above maximum (%d): %.*s", end, b->max, (int)n, expr);
	if (start > end)
		return err_set(err, "beginning of range (%d) beyond end of range (%d): %.*s", start, end, (int)n, expr);
	if (step == 0)
		return err_set(err, "step of range should be a positive number: %.*s", (int)n, expr);
	*out = bits(start, end, step) | extra;
	return 0;
}

/* robfig getField: comma-separated ranges. */
static int get_field(const char *f, size_t n, const struct bounds *b, uint64_t *out, char *err)
{
	*out = 0;
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && f[j] != ',')
			j++;
		uint64_t r = 0;
		if (get_range(f + i, j - i, b, &r, err) < 0)
			return -1;
		*out |= r;
		i = j + 1;
	}
	return 0;
}

static void every(struct cron_sched *s, long long d)
{
	/* robfig Every: at least a second, whole seconds */
	if (d < GOTIME_SECOND)
		d = GOTIME_SECOND;
	s->every = 1;
	s->delay_ns = d - d % GOTIME_SECOND;
}

/* robfig parseDescriptor. */
static int parse_descriptor(const char *d, struct cron_sched *s, char *err)
{
	uint64_t all_dom = bits(1, 31, 1) | STAR_BIT, all_month = bits(1, 12, 1) | STAR_BIT,
		 all_dow = bits(0, 6, 1) | STAR_BIT;
	s->second = 1;
	s->minute = 1;
	s->hour = 1;
	s->dom = all_dom;
	s->month = all_month;
	s->dow = all_dow;
	if (strcmp(d, "@yearly") == 0 || strcmp(d, "@annually") == 0) {
		s->dom = 1ULL << 1;
		s->month = 1ULL << 1;
	} else if (strcmp(d, "@monthly") == 0) {
		s->dom = 1ULL << 1;
	} else if (strcmp(d, "@weekly") == 0) {
		s->dow = 1;
	} else if (strcmp(d, "@daily") == 0 || strcmp(d, "@midnight") == 0) {
	} else if (strcmp(d, "@hourly") == 0) {
		s->hour = bits(0, 23, 1) | STAR_BIT;
	} else if (strncmp(d, "@every ", 7) == 0) {
		long long ns;
		char derr[ERR_MAX];
		if (gotime_parse_duration(d + 7, &ns, derr) < 0)
			return err_set(err, "failed to parse duration %s: %s", d, derr);
		every(s, ns);
	} else {
		return err_set(err, "unrecognized descriptor: %s", d);
	}
	return 0;
}

int cron_parse(const char *spec, struct cron_sched *out, char *err)
{
	memset(out, 0, sizeof(*out));
	if (spec[0] == '\0')
		return err_set(err, "empty spec string");
	/* robfig: an optional TZ=/CRON_TZ= prefix; we know UTC and Local only */
	if (strncmp(spec, "TZ=", 3) == 0 || strncmp(spec, "CRON_TZ=", 8) == 0) {
		const char *zone = strchr(spec, '=') + 1;
		const char *sp = strchr(zone, ' ');
		size_t zn = sp ? (size_t)(sp - zone) : strlen(zone);
		if (zn == 3 && strncmp(zone, "UTC", 3) == 0)
			out->utc = 1;
		else if (!(zn == 5 && strncmp(zone, "Local", 5) == 0))
			return err_set(err, "provided bad location %.*s: the harness knows UTC and Local only", (int)zn,
				       zone);
		spec = sp ? sp + 1 : zone + zn;
		while (*spec == ' ')
			spec++;
	}
	if (spec[0] == '@')
		return parse_descriptor(spec, out, err);
	/* strings.Fields: split on white space */
	const char *f[7];
	size_t fl[7], n = 0;
	for (const char *p = spec; *p;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *q = p;
		while (*q && !isspace((unsigned char)*q))
			q++;
		if (n < 7) {
			f[n] = p;
			fl[n] = (size_t)(q - p);
		}
		n++;
		p = q;
	}
	if (n < 5 || n > 6)
		return err_set(err, "expected 5 to 6 fields, found %zu: %s", n, spec);
	const char *fields[6];
	size_t lens[6];
	size_t k = 0;
	if (n == 5) {
		fields[k] = "0"; /* SecondOptional: five fields start at the minute */
		lens[k++] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		fields[k] = f[i];
		lens[k++] = fl[i];
	}
	uint64_t *dst[6] = {&out->second, &out->minute, &out->hour, &out->dom, &out->month, &out->dow};
	for (int i = 0; i < 6; i++)
		if (get_field(fields[i], lens[i], &field_bounds[i], dst[i], err) < 0)
			return -1;
	return 0;
}

/* ---- Next ---- */

static void to_tm(const struct cron_sched *s, time_t t, struct tm *tm)
{
	if (s->utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

static time_t from_tm(const struct cron_sched *s, struct tm *tm)
{
	tm->tm_isdst = -1;
	return s->utc ? timegm(tm) : mktime(tm);
}

/* robfig dayMatches: with a '*' in either day field both must match, else either. */
static int day_matches(const struct cron_sched *s, const struct tm *tm)
{
	int dom = (1ULL << tm->tm_mday & s->dom) != 0, dow = (1ULL << tm->tm_wday & s->dow) != 0;
	if ((s->dom & STAR_BIT) || (s->dow & STAR_BIT))
		return dom && dow;
	return dom || dow;
}

struct timespec cron_next(const struct cron_sched *s, struct timespec now)
{
	struct timespec none = {0, 0};
	if (s->every) {
		/* robfig ConstantDelaySchedule.Next: t + delay, rounded down to the second */
		struct timespec t = gotime_add(now, s->delay_ns);
		t.tv_nsec = 0;
		return t;
	}
	/* start at the next whole second */
	time_t t = now.tv_sec + 1;
	struct tm tm;
	to_tm(s, t, &tm);
	int added = 0, year_limit = tm.tm_year + 5;
wrap:
	if (tm.tm_year > year_limit)
		return none;
	while (!(1ULL << (tm.tm_mon + 1) & s->month)) {
		if (!added) {
			added = 1;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		}
		tm.tm_mon++;
		t = from_tm(s, &tm);
		to_tm(s, t, &tm);
		if (tm.tm_mon == 0)
			goto wrap;
	}
	while (!day_matches(s, &tm)) {
		if (!added) {
			added = 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		}
		tm.tm_mday++;
		t = from_tm(s, &tm);
		to_tm(s, t, &tm);
		if (tm.tm_mday == 1)
			goto wrap;
	}
	while (!(1ULL << tm.tm_hour & s->hour)) {
		if (!added) {
			added = 1;
			tm.tm_min = tm.tm_sec = 0;
		}
		tm.tm_hour++;
		t = from_tm(s, &tm);
		to_tm(s, t, &tm);
		if (tm.tm_hour == 0)
			goto wrap;
	}
	while (!(1ULL << tm.tm_min & s->minute)) {
		if (!added) {
			added = 1;
			tm.tm_sec = 0;
		}
		tm.tm_min++;
		t = from_tm(s, &tm);
		to_tm(s, t, &tm);
		if (tm.tm_min == 0)
			goto wrap;
	}
	while (!(1ULL << tm.tm_sec & s->second)) {
		added = 1;
		tm.tm_sec++;
		t = from_tm(s, &tm);
		to_tm(s, t, &tm);
		if (tm.tm_sec == 0)
			goto wrap;
	}
	struct timespec out = {from_tm(s, &tm), 0};
	return out;
}
