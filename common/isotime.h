#ifndef COMMON_ISOTIME_H
#define COMMON_ISOTIME_H
/* RFC 3339 timestamps in UTC, as the stack (Go's time.Time) and our logs write them. */
#include <stddef.h>
#include <time.h>

enum isotime_prec {
	ISOTIME_SECONDS, /* 2026-01-02T03:04:05Z */
	ISOTIME_MILLIS,  /* 2026-01-02T03:04:05.006Z: the journal and events.jsonl */
	ISOTIME_NANOS,   /* Go's RFC3339Nano: fraction with trailing zeros dropped, none when zero */
};

/* Format ts into out (at least 40 bytes is always enough); returns the length written. */
size_t isotime_format(const struct timespec *ts, enum isotime_prec prec, char *out, size_t outlen);
/* The wall clock now, formatted; *ts_out (when not NULL) receives the time read. */
size_t isotime_now(enum isotime_prec prec, char *out, size_t outlen, struct timespec *ts_out);

#endif
