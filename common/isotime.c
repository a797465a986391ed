/* One formatter for every ISO timestamp we write (the journal, documents' dates, events.jsonl). */
#include "common/isotime.h"

#include <stdio.h>
#include <string.h>

size_t isotime_format(const struct timespec *ts, enum isotime_prec prec, char *out, size_t outlen)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	size_t n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n == 0)
		return 0;
	char frac[16] = "";
	if (prec == ISOTIME_MILLIS) {
		snprintf(frac, sizeof(frac), ".%03ld", ts->tv_nsec / 1000000);
	} else if (prec == ISOTIME_NANOS && ts->tv_nsec != 0) {
		snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
		size_t l = strlen(frac);
		while (frac[l - 1] == '0')
			frac[--l] = '\0';
	}
	int w = snprintf(out + n, outlen - n, "%sZ", frac);
	return w < 0 || (size_t)w >= outlen - n ? strlen(out) : n + (size_t)w;
}

size_t isotime_now(enum isotime_prec prec, char *out, size_t outlen, struct timespec *ts_out)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts_out)
		*ts_out = ts;
	return isotime_format(&ts, prec, out, outlen);
}
