/* fake-stack/jobs: Go's duration and RFC 3339 parsers, robfig's cron, the trigger types and their firing times. */
#include <criterion/criterion.h>

#include "fake-stack/jobs/cron.h"
#include "fake-stack/jobs/gotime.h"
#include "fake-stack/jobs/trigger.h"

#include <stdlib.h>
#include <string.h>

static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* "2026-01-02T03:04:05Z" → seconds, through our own RFC 3339 parser. */
static time_t at(const char *iso)
{
	struct timespec ts;
	char err[ERR_MAX];
	cr_assert_eq(gotime_parse_rfc3339(iso, &ts, err), 0, "%s: %s", iso, err);
	return ts.tv_sec;
}

static long long dur(const char *s)
{
	long long ns = -42;
	char err[ERR_MAX] = "";
	cr_assert_eq(gotime_parse_duration(s, &ns, err), 0, "%s: %s", s, err);
	return ns;
}

Test(gotime, durations_as_go_parses_them)
{
	cr_assert_eq(dur("0"), 0);
	cr_assert_eq(dur("1s"), GOTIME_SECOND);
	cr_assert_eq(dur("1h30m"), 5400 * GOTIME_SECOND);
	cr_assert_eq(dur("1.5h"), 5400 * GOTIME_SECOND);
	cr_assert_eq(dur("-2m"), -120 * GOTIME_SECOND);
	cr_assert_eq(dur("+3ms"), 3000000);
	cr_assert_eq(dur("300ms"), 300000000);
	cr_assert_eq(dur("1us"), 1000);
	cr_assert_eq(dur("1\xc2\xb5s"), 1000);
	cr_assert_eq(dur("1\xce\xbcs"), 1000);
	cr_assert_eq(dur("7ns"), 7);
	cr_assert_eq(dur(".5s"), GOTIME_SECOND / 2);
	cr_assert_eq(dur("2562047h"), 2562047LL * 3600 * GOTIME_SECOND);
}

Test(gotime, bad_durations_with_go_s_words)
{
	static const char *const bad[] = {"", "1", "-", "h", "1d", "1hm", ".s", "1.2.3s", " 1s", "1s ", "9999999999h"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long ns;
		char err[ERR_MAX] = "";
		cr_assert_eq(gotime_parse_duration(bad[i], &ns, err), -1, "'%s' was accepted", bad[i]);
		cr_assert(strncmp(err, "time: ", 6) == 0, "'%s': %s", bad[i], err);
	}
	char err[ERR_MAX];
	long long ns;
	gotime_parse_duration("1", &ns, err);
	cr_assert_str_eq(err, "time: missing unit in duration \"1\"");
	gotime_parse_duration("1d", &ns, err);
	cr_assert_str_eq(err, "time: unknown unit \"d\" in duration \"1d\"");
	gotime_parse_duration("x", &ns, err);
	cr_assert_str_eq(err, "time: invalid duration \"x\"");
}

Test(gotime, rfc3339)
{
	cr_assert_eq(at("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(at("2026-01-02T03:04:05Z"), 1767323045);
	cr_assert_eq(at("2026-01-02T05:04:05+02:00"), 1767323045);
	cr_assert_eq(at("2026-01-01T23:04:05-04:00"), 1767323045);
	cr_assert_eq(at("2024-02-29T00:00:00Z"), 1709164800);
	struct timespec ts;
	char err[ERR_MAX];
	cr_assert_eq(gotime_parse_rfc3339("2026-01-02T03:04:05.123456789123Z", &ts, err), 0);
	cr_assert_eq(ts.tv_nsec, 123456789);
	cr_assert_eq(gotime_parse_rfc3339("2026-01-02T03:04:05.5Z", &ts, err), 0);
	cr_assert_eq(ts.tv_nsec, 500000000);
	static const char *const bad[] = {"",
					  "2026-01-02",
					  "2026-01-02 03:04:05Z",
					  "2026-01-02T03:04:05",
					  "2026-13-02T03:04:05Z",
					  "2025-02-29T03:04:05Z",
					  "2026-01-02T24:04:05Z",
					  "2026-01-02T03:60:05Z",
					  "2026-01-02T03:04:05+2:00",
					  "2026-01-02T03:04:05z",
					  "2026-01-02t03:04:05Z",
					  "tomorrow"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(gotime_parse_rfc3339(bad[i], &ts, err), -1, "'%s' was accepted", bad[i]);
}

/* cron_next from a UTC date, as a UTC date. */
static void next_is(const char *spec, const char *from, const char *want)
{
	struct cron_sched s;
	char err[ERR_MAX] = "";
	cr_assert_eq(cron_parse(spec, &s, err), 0, "%s: %s", spec, err);
	struct timespec t = {at(from), 0};
	struct timespec n = cron_next(&s, t);
	cr_assert_eq(n.tv_sec, at(want), "%s after %s", spec, from);
}

Test(cron, six_fields_start_with_seconds, .init = utc)
{
	next_is("0 0 0 1 1 *", "2026-03-04T05:06:07Z", "2027-01-01T00:00:00Z");
	next_is("*/10 * * * * *", "2026-03-04T05:06:07Z", "2026-03-04T05:06:10Z");
	next_is("30 * * * * *", "2026-03-04T05:06:30Z", "2026-03-04T05:07:30Z");
	next_is("0 30 9 * * mon-fri", "2026-03-07T10:00:00Z", "2026-03-09T09:30:00Z"); /* a saturday → monday */
	next_is("0 0 12 * jan,jul ?", "2026-03-04T05:06:07Z", "2026-07-01T12:00:00Z");
	next_is("0 0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z");
}

Test(cron, five_fields_start_with_minutes, .init = utc)
{
	next_is("*/15 * * * *", "2026-03-04T05:06:07Z", "2026-03-04T05:15:00Z");
	next_is("0 0 * * 0", "2026-03-04T05:06:07Z", "2026-03-08T00:00:00Z");
}

Test(cron, dom_or_dow_when_both_are_restricted, .init = utc)
{
	/* the 15th, or any monday: robfig's dayMatches */
	next_is("0 0 0 15 * 1", "2026-03-04T05:06:07Z", "2026-03-09T00:00:00Z");
	/* with a star in one of them both must match */
	next_is("0 0 0 15 * *", "2026-03-04T05:06:07Z", "2026-03-15T00:00:00Z");
}

Test(cron, descriptors, .init = utc)
{
	next_is("@hourly", "2026-03-04T05:06:07Z", "2026-03-04T06:00:00Z");
	next_is("@daily", "2026-03-04T05:06:07Z", "2026-03-05T00:00:00Z");
	next_is("@weekly", "2026-03-04T05:06:07Z", "2026-03-08T00:00:00Z");
	next_is("@monthly", "2026-03-04T05:06:07Z", "2026-04-01T00:00:00Z");
	next_is("@yearly", "2026-03-04T05:06:07Z", "2027-01-01T00:00:00Z");
	next_is("@every 90s", "2026-03-04T05:06:07Z", "2026-03-04T05:07:37Z");
	next_is("@every 10ms", "2026-03-04T05:06:07Z", "2026-03-04T05:06:08Z"); /* at least a second */
	next_is("CRON_TZ=UTC 0 0 0 1 1 *", "2026-03-04T05:06:07Z", "2027-01-01T00:00:00Z");
}

Test(cron, bad_specs)
{
	static const char *const bad[] = {"",
					  "* * * *",
					  "* * * * * * *",
					  "60 * * * * *",
					  "* 60 * * * *",
					  "* * 24 * * *",
					  "* * * 0 * *",
					  "* * * 32 * *",
					  "* * * * 13 *",
					  "* * * * * 7",
					  "5-2 * * * * *",
					  "*/0 * * * * *",
					  "a * * * * *",
					  "1-2-3 * * * * *",
					  "*/2/3 * * * * *",
					  "-1 * * * * *",
					  "@often",
					  "@every 1d",
					  "@every",
					  "TZ=Mars/Olympus * * * * *"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cron_sched s;
		char err[ERR_MAX] = "";
		cr_assert_eq(cron_parse(bad[i], &s, err), -1, "'%s' was accepted", bad[i]);
		cr_assert_neq(err[0], '\0', "'%s' has no error text", bad[i]);
	}
	struct cron_sched s;
	char err[ERR_MAX];
	cron_parse("* * * *", &s, err);
	cr_assert_str_eq(err, "expected 5 to 6 fields, found 4: * * * *");
	cron_parse("", &s, err);
	cr_assert_str_eq(err, "empty spec string");
}

Test(cron, stars_and_names_as_robfig_reads_them, .init = utc)
{
	struct cron_sched s;
	char err[ERR_MAX];
	cr_assert_eq(cron_parse("*-5 * * * * *", &s, err), 0, "%s", err); /* robfig reads no further than the star */
	cr_assert_eq(cron_parse("0 0 0 * JAN-mar SUN", &s, err), 0, "%s", err);
	next_is("0 0 0 * JAN-mar SUN", "2026-03-30T00:00:00Z", "2027-01-03T00:00:00Z");
}

static struct timespec ts_at(const char *iso)
{
	struct timespec t = {at(iso), 0};
	return t;
}

Test(trigger, types_and_their_arguments, .init = utc)
{
	static const struct {
		const char *type, *args;
		enum trigger_status want;
		enum trigger_kind kind;
	} cases[] = {
		{"@cron", "0 0 0 1 1 *", TRIGGER_OK, TRIGGER_CRON},
		{"@cron", "*/5 * * * *", TRIGGER_OK, TRIGGER_CRON},
		{"@cron", "0 0 0 1 1", TRIGGER_MALFORMED,
		 TRIGGER_CRON}, /* five fields: minute hour dom(0!) month dow */
		{"@cron", "", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@cron", "every day", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@every", "1h", TRIGGER_OK, TRIGGER_CRON},
		{"@every", "1 hour", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@every", "", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@at", "2026-01-02T03:04:05Z", TRIGGER_OK, TRIGGER_AT},
		{"@at", "2026-01-02", TRIGGER_MALFORMED, TRIGGER_AT},
		{"@in", "10m", TRIGGER_OK, TRIGGER_AT},
		{"@in", "10", TRIGGER_MALFORMED, TRIGGER_AT},
		{"@webhook", "", TRIGGER_OK, TRIGGER_WEBHOOK},
		{"@webhook", "anything", TRIGGER_OK, TRIGGER_WEBHOOK},
		{"@event", "io.cozy.files:CREATED", TRIGGER_OK, TRIGGER_EVENT},
		{"@client", "", TRIGGER_OK, TRIGGER_CLIENT},
		{"@weekly", "", TRIGGER_OK, TRIGGER_CRON},
		{"@weekly", "on monday between 8am and 6pm", TRIGGER_OK, TRIGGER_CRON},
		{"@weekly", "on the 3", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@monthly", "on the 1-5 after 10pm", TRIGGER_OK, TRIGGER_CRON},
		{"@monthly", "on monday", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@daily", "between 6pm and 6am", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@daily", "before 13am", TRIGGER_MALFORMED, TRIGGER_CRON},
		{"@hourly", "", TRIGGER_OK, TRIGGER_CRON},
		{"@yearly", "", TRIGGER_UNKNOWN_TYPE, TRIGGER_AT},
		{"cron", "* * * * *", TRIGGER_UNKNOWN_TYPE, TRIGGER_AT},
		{"", "", TRIGGER_UNKNOWN_TYPE, TRIGGER_AT},
	};
	struct timespec now = ts_at("2026-03-04T05:06:07Z");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct trigger_sched s;
		char err[ERR_MAX] = "";
		enum trigger_status got = trigger_parse(cases[i].type, cases[i].args, "seed", now, &s, err);
		cr_assert_eq(got, cases[i].want, "%s '%s': %d (%s)", cases[i].type, cases[i].args, got, err);
		if (got == TRIGGER_OK)
			cr_assert_eq(s.kind, cases[i].kind, "%s '%s'", cases[i].type, cases[i].args);
		else
			cr_assert_neq(err[0], '\0');
	}
}

Test(trigger, when_each_kind_fires, .init = utc)
{
	struct timespec now = ts_at("2026-03-04T05:06:07Z"), when;
	struct trigger_sched s;
	char err[ERR_MAX];
	trigger_parse("@in", "90s", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 1);
	cr_assert_eq(when.tv_sec, at("2026-03-04T05:07:37Z"));
	cr_assert_eq(trigger_after(&s, when, &when), 0, "an @in fires once");

	trigger_parse("@at", "2026-03-04T04:00:00Z", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 1, "an hour ago: at once");
	cr_assert_eq(when.tv_sec, now.tv_sec);
	trigger_parse("@at", "2026-03-02T04:00:00Z", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 0, "two days ago: never");

	trigger_parse("@every", "1h", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 1);
	cr_assert_eq(when.tv_sec, at("2026-03-04T06:06:07Z"));
	cr_assert_eq(trigger_after(&s, when, &when), 1);
	cr_assert_eq(when.tv_sec, at("2026-03-04T07:06:07Z"), "from the planned time, not from the fire");

	trigger_parse("@cron", "0 0 0 1 1 *", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 1);
	cr_assert_eq(when.tv_sec, at("2027-01-01T00:00:00Z"));

	trigger_parse("@webhook", "", NULL, now, &s, err);
	cr_assert_eq(trigger_first(&s, now, &when), 0);
}

Test(trigger, periodic_picks_a_stable_time_within_the_spec, .init = utc)
{
	struct timespec now = ts_at("2026-03-04T05:06:07Z"), when;
	struct trigger_sched a, b;
	char err[ERR_MAX];
	cr_assert_eq(trigger_parse("@weekly", "on monday between 8am and 10am", "d/konnector/m", now, &a, err),
		     TRIGGER_OK);
	cr_assert_eq(trigger_parse("@weekly", "on monday between 8am and 10am", "d/konnector/m", now, &b, err),
		     TRIGGER_OK);
	cr_assert_str_eq(a.crontab, b.crontab);
	cr_assert_eq(trigger_first(&a, now, &when), 1);
	struct tm tm;
	gmtime_r(&when.tv_sec, &tm);
	cr_assert_eq(tm.tm_wday, 1, "%s", a.crontab);
	cr_assert(tm.tm_hour >= 8 && tm.tm_hour < 10, "%s", a.crontab);
}
