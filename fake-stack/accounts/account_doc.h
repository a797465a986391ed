/*
 * An io.cozy.accounts document as it comes out of cozy-stack's Go struct
 * (model/account/accounts.go account.Account): the refresh route reads the doc
 * into that struct and saves the struct, so unknown fields are dropped, keys
 * come out in struct order, maps with sorted keys, times in RFC 3339 with
 * nanoseconds, omitempty fields left out. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_ACCOUNT_DOC_H
#define FAKE_STACK_ACCOUNT_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/*
 * json.Unmarshal into account.Account then json.Marshal: a new doc, or NULL
 * with Go's decoding error text in err (the stack answers 500 with it).
 */
json_t *account_doc_roundtrip(const json_t *doc, char *err);

/* Normalise an RFC 3339 time as Go's time.Time round-trips it ("…:05.100+00:00" → "…:05.1Z"); -1 if Go would refuse it.
 */
int account_doc_time_normalize(const char *in, char *out, size_t outlen);

/* ts (wall clock) in the local zone, formatted as Go's RFC3339Nano ("2026-07-02T15:04:05.123456789+02:00"). */
void account_doc_time_format(const struct timespec *ts, char *out, size_t outlen);

#endif
