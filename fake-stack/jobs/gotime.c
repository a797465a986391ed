/* Go's duration and RFC 3339 parsers (stack: the Go runtime's time package, as model/job uses it). */
#include "fake-stack/jobs/gotime.h"

#include <stdint.h>
#include <string.h>

/* Go's unitMap: the units a duration may use, in nanoseconds. */
static const struct {
	const char *name;
	uint64_t ns;
} units[] = {
	{"ns", 1ULL},           {"us", 1000ULL},      {"\xc2\xb5s", 1000ULL}, /* U+00B5 micro sign */
	{"\xce\xbcs", 1000ULL},                                               /* U+03BC Greek small letter mu */
	{"ms", 1000000ULL},     {"s", 1000000000ULL}, {"m", 60ULL * 1000000000ULL}, {"h", 3600ULL * 1000000000ULL},
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Go quotes the text in its errors with strconv.Quote; printable ASCII is enough for us. */
static int invalid(char *err, const char *orig)
{
	return err_set(err, "time: invalid duration \"%s\"", orig);
}

/* Go's leadingInt: the leading digits; -1 on overflow. */
static int leading_int(const char **s, uint64_t *x)
{
	*x = 0;
	while (is_digit(**s)) {
		if (*x > (1ULL << 63) / 10)
			return -1;
		*x = *x * 10 + (uint64_t)(**s - '0');
		if (*x > 1ULL << 63)
			return -1;
		(*s)++;
	}
	return 0;
}

/* Go's leadingFraction: the digits after '.', stopping the accumulation before it overflows. */
static void leading_fraction(const char **s, uint64_t *x, double *scale)
{
	int overflow = 0;
	*x = 0;
	*scale = 1;
	while (is_digit(**s)) {
		if (!overflow) {
			if (*x > ((1ULL << 63) - 1) / 10) {
				overflow = 1;
			} else {
				uint64_t y = *x * 10 + (uint64_t)(**s - '0');
				if (y > 1ULL << 63)
					overflow = 1;
				else {
					*x = y;
					*scale *= 10;
				}
			}
		}
		(*s)++;
	}
}

int gotime_parse_duration(const char *orig, long long *ns, char *err)
{
	const char *s = orig;
	uint64_t d = 0;
	int neg = 0;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return invalid(err, orig);
	while (*s != '\0') {
		uint64_t v, f = 0;
		double scale = 1;
		if (!(*s == '.' || is_digit(*s)))
			return invalid(err, orig);
		const char *before = s;
		if (leading_int(&s, &v) < 0)
			return invalid(err, orig);
		int pre = s != before, post = 0;
		if (*s == '.') {
			s++;
			before = s;
			leading_fraction(&s, &f, &scale);
			post = s != before;
		}
		if (!pre && !post)
			return invalid(err, orig);
		size_t i = 0;
		while (s[i] != '\0' && s[i] != '.' && !is_digit(s[i]))
			i++;
		if (i == 0)
			return err_set(err, "time: missing unit in duration \"%s\"", orig);
		uint64_t unit = 0;
		for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == i && memcmp(units[k].name, s, i) == 0)
				unit = units[k].ns;
		if (unit == 0)
			return err_set(err, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)i, s, orig);
		s += i;
		if (v > (1ULL << 63) / unit)
			return invalid(err, orig);
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > 1ULL << 63)
				return invalid(err, orig);
		}
		d += v;
		if (d > 1ULL << 63)
			return invalid(err, orig);
	}
	if (neg) {
		*ns = d == 1ULL << 63 ? INT64_MIN : -(long long)d;
		return 0;
	}
	if (d > (1ULL << 63) - 1)
		return invalid(err, orig);
	*ns = (long long)d;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && leap(year) ? 29 : days[month - 1];
}

/* Digits s[0..n) as a number in [min, max], else -1. */
static int num_in(const char *s, size_t n, int min, int max)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	return x < min || x > max ? -1 : x;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int gotime_parse_rfc3339(const char *s, struct timespec *out, char *err)
{
	size_t len = strlen(s);
	/* Go's parseRFC3339: fixed-width fields, each in its range, the day within its month. */
	if (len < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		goto bad;
	int year = num_in(s, 4, 0, 9999), month = num_in(s + 5, 2, 1, 12);
	if (year < 0 || month < 0)
		goto bad;
	int day = num_in(s + 8, 2, 1, days_in(month, year)), hour = num_in(s + 11, 2, 0, 23),
	    min = num_in(s + 14, 2, 0, 59), sec = num_in(s + 17, 2, 0, 59);
	if (day < 0 || hour < 0 || min < 0 || sec < 0)
		goto bad;
	const char *p = s + 19;
	long nsec = 0;
	if (p[0] == '.' && is_digit(p[1])) {
		/* parseNanoseconds: nine digits count, more are dropped */
		size_t n = 1;
		long scale = 100000000;
		while (is_digit(p[n])) {
			if (n <= 9) {
				nsec += (p[n] - '0') * scale;
				scale /= 10;
			}
			n++;
		}
		p += n;
	}
	long long offset = 0;
	if (!(p[0] == 'Z' && p[1] == '\0')) {
		if (strlen(p) != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':')
			goto bad;
		int hh = num_in(p + 1, 2, 0, 23), mm = num_in(p + 4, 2, 0, 59);
		if (hh < 0 || mm < 0)
			goto bad;
		offset = (hh * 60LL + mm) * 60 * (p[0] == '-' ? -1 : 1);
	}
	out->tv_sec = (time_t)(days_from_civil(year, month, day) * 86400 + hour * 3600LL + min * 60LL + sec - offset);
	out->tv_nsec = nsec;
	return 0;
bad:
	return err_set(err, "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot parse", s);
}

struct timespec gotime_add(struct timespec t, long long ns)
{
	long long sec = ns / GOTIME_SECOND, rem = ns % GOTIME_SECOND;
	t.tv_sec += (time_t)sec;
	t.tv_nsec += (long)rem;
	if (t.tv_nsec >= GOTIME_SECOND) {
		t.tv_nsec -= GOTIME_SECOND;
		t.tv_sec++;
	} else if (t.tv_nsec < 0) {
		t.tv_nsec += GOTIME_SECOND;
		t.tv_sec--;
	}
	return t;
}

int gotime_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return a.tv_nsec < b.tv_nsec ? -1 : a.tv_nsec > b.tv_nsec;
}

long long gotime_sub(struct timespec b, struct timespec a)
{
	long long ds = (long long)b.tv_sec - (long long)a.tv_sec;
	if (ds > (1LL << 62) / GOTIME_SECOND)
		return 1LL << 62;
	if (ds < -(1LL << 62) / GOTIME_SECOND)
		return -(1LL << 62);
	return ds * GOTIME_SECOND + (b.tv_nsec - a.tv_nsec);
}
