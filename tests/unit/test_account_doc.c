/* fake-stack/accounts/account_doc.c: the account doc as the stack's Go struct round-trips it. */
#include "common/err.h"
#include "fake-stack/accounts/account_doc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Round-trip src and compare the compact, ordered dump with want (or the error with want_err). */
static void check(const char *src, const char *want, const char *want_err)
{
	char err[ERR_MAX] = "";
	json_t *doc = json_loads(src, 0, NULL);
	cr_assert_not_null(doc, "%s", src);
	json_t *out = account_doc_roundtrip(doc, err);
	json_decref(doc);
	if (want_err != NULL) {
		cr_assert_null(out);
		cr_assert_str_eq(err, want_err);
		return;
	}
	cr_assert_not_null(out, "%s", err);
	char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(s, want);
	free(s);
	json_decref(out);
}

Test(account_doc, unknown_fields_are_dropped_and_order_is_the_structs)
{
	check("{\"label\":\"x\",\"oauth\":{\"refresh_token\":\"R\",\"extra\":1,\"access_token\":\"A\"},"
	      "\"auth\":{\"secret\":\"s\",\"login\":\"l\",\"password\":\"p\"},\"_rev\":\"1-a\",\"_id\":\"a1\","
	      "\"account_type\":\"google\",\"status\":\"ok\",\"data\":{\"z\":1,\"a\":{\"y\":2.0,\"b\":[1.5]}}}",
	      "{\"_id\":\"a1\",\"_rev\":\"1-a\",\"account_type\":\"google\",\"name\":\"\","
	      "\"auth\":{\"login\":\"l\",\"password\":\"p\"},"
	      "\"oauth\":{\"access_token\":\"A\",\"expires_at\":\"0001-01-01T00:00:00Z\",\"refresh_token\":\"R\"},"
	      "\"data\":{\"a\":{\"b\":[1.5],\"y\":2},\"z\":1}}",
	      NULL);
}

Test(account_doc, omitempty_and_nulls)
{
	check("{\"account_type\":\"t\",\"name\":null,\"data\":{},\"state\":\"\",\"oauth\":null,\"auth\":{},"
	      "\"mutedErrors\":[],\"manual_cleaning\":false,\"relationships\":null}",
	      "{\"account_type\":\"t\",\"name\":\"\",\"auth\":{}}", NULL);
	check("{\"oauth\":{\"expires_at\":\"2026-07-02T15:04:05.120000+00:00\",\"query\":{\"a\":[\"1\"]}}}",
	      "{\"account_type\":\"\",\"name\":\"\",\"oauth\":{\"expires_at\":\"2026-07-02T15:04:05.12Z\","
	      "\"query\":{\"a\":[\"1\"]}}}",
	      NULL);
}

Test(account_doc, keys_match_case_insensitively)
{
	check("{\"Account_Type\":\"a\",\"account_type\":\"b\",\"NAME\":\"n\"}",
	      "{\"account_type\":\"b\",\"name\":\"n\"}", NULL);
}

Test(account_doc, cozy_metadata_round_trips_through_its_struct)
{
	check("{\"cozyMetadata\":{\"createdAt\":\"2020-01-01T00:00:00Z\",\"other\":1,\"updatedByApps\":"
	      "[{\"slug\":\"k\",\"date\":\"2020-01-01T00:00:00+02:00\",\"x\":1}]}}",
	      "{\"cozyMetadata\":{\"doctypeVersion\":\"\",\"metadataVersion\":0,\"createdAt\":\"2020-01-01T00:00:00Z\","
	      "\"updatedAt\":\"0001-01-01T00:00:00Z\",\"updatedByApps\":[{\"slug\":\"k\",\"date\":\"2020-01-01T00:00:"
	      "00+02:00\"}]},"
	      "\"account_type\":\"\",\"name\":\"\"}",
	      NULL);
}

Test(account_doc, type_errors_read_like_go)
{
	check("{\"auth\":{\"login\":42}}", NULL,
	      "json: cannot unmarshal number into Go struct field Account.auth.login of type string");
	check("{\"data\":[1]}", NULL,
	      "json: cannot unmarshal array into Go struct field Account.data of type map[string]interface {}");
	check("{\"oauth\":\"x\"}", NULL,
	      "json: cannot unmarshal string into Go struct field Account.oauth of type account.OauthInfo");
	check("{\"oauth\":{\"expires_at\":3}}", NULL, "Time.UnmarshalJSON: input is not a JSON string");
	check("{\"oauth\":{\"expires_at\":\"tomorrow\"}}", NULL,
	      "parsing time \"\\\"tomorrow\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse");
	check("{\"cozyMetadata\":{\"metadataVersion\":1.5}}", NULL,
	      "json: cannot unmarshal number 1.5 into Go struct field Account.cozyMetadata.metadataVersion of type "
	      "int");
}

Test(account_doc, time_normalize_and_format)
{
	char out[64];
	cr_assert_eq(account_doc_time_normalize("2026-07-02T15:04:05Z", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-07-02T15:04:05Z");
	cr_assert_eq(account_doc_time_normalize("2026-07-02T15:04:05.000-07:30", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-07-02T15:04:05-07:30");
	cr_assert_eq(account_doc_time_normalize("2026-07-02T15:04:05.1234567891Z", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-07-02T15:04:05.123456789Z");
	cr_assert_eq(account_doc_time_normalize("2026-07-02 15:04:05Z", out, sizeof(out)), -1);
	cr_assert_eq(account_doc_time_normalize("2026-13-02T15:04:05Z", out, sizeof(out)), -1);
	cr_assert_eq(account_doc_time_normalize("2026-07-02T15:04:05", out, sizeof(out)), -1);
	setenv("TZ", "UTC", 1);
	tzset();
	struct timespec ts = {1782831845, 123450000};
	account_doc_time_format(&ts, out, sizeof(out));
	cr_assert_str_eq(out, "2026-06-30T15:04:05.12345Z");
	setenv("TZ", "UTC-2", 1); /* POSIX: two hours east */
	tzset();
	ts.tv_nsec = 0;
	account_doc_time_format(&ts, out, sizeof(out));
	cr_assert_str_eq(out, "2026-06-30T17:04:05+02:00");
}
