/* common/isotime.c: the three precisions, Go's RFC3339Nano trimming included. */
#include <criterion/criterion.h>

#include "common/isotime.h"

Test(isotime, precisions)
{
	struct timespec ts = {.tv_sec = 1767322800, .tv_nsec = 120000000}; /* 2026-01-02T03:00:00.12Z */
	char out[40];
	isotime_format(&ts, ISOTIME_SECONDS, out, sizeof(out));
	cr_assert_str_eq(out, "2026-01-02T03:00:00Z");
	isotime_format(&ts, ISOTIME_MILLIS, out, sizeof(out));
	cr_assert_str_eq(out, "2026-01-02T03:00:00.120Z");
	cr_assert_eq(isotime_format(&ts, ISOTIME_NANOS, out, sizeof(out)), strlen("2026-01-02T03:00:00.12Z"));
	cr_assert_str_eq(out, "2026-01-02T03:00:00.12Z");
	ts.tv_nsec = 0;
	isotime_format(&ts, ISOTIME_NANOS, out, sizeof(out));
	cr_assert_str_eq(out, "2026-01-02T03:00:00Z");
	ts.tv_nsec = 1;
	isotime_format(&ts, ISOTIME_NANOS, out, sizeof(out));
	cr_assert_str_eq(out, "2026-01-02T03:00:00.000000001Z");
}
