/* journal: entries, body cutting, JSON lines. */
#include "common/atomic_file.h"
#include "fake-stack/http/journal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(journal, body_cut_at_4k_on_utf8_boundary)
{
	char big[5000];
	memset(big, 'a', sizeof(big));
	big[4095] = '\xc3'; /* é split across the 4 KiB limit */
	big[4096] = '\xa9';
	json_t *b = journal_body(big, sizeof(big));
	cr_assert_eq(json_string_length(b), 4095);
	json_decref(b);
	b = journal_body("\xff\xfe", 2);
	cr_assert_str_eq(json_string_value(b), "<2 bytes, binary>");
	json_decref(b);
}

Test(journal, add_and_write_lines)
{
	struct journal *j = journal_new();
	json_t *q = json_pack("{s:s}", "include_docs", "true");
	struct journal_entry e = {.time = "t",
				  .method = "GET",
				  .path = "/data/x/y",
				  .query = q,
				  .status = 200,
				  .auth = "konnector:tpl",
				  .request_body = "",
				  .response_body = "{}",
				  .response_body_len = 2};
	cr_assert_eq(journal_add(j, &e), 0);
	e.forbidden = "Forbidden";
	e.status = 201;
	cr_assert_eq(journal_add(j, &e), 0);
	cr_assert_eq(json_array_size(journal_entries(j)), 2);
	cr_assert_null(json_object_get(json_array_get(journal_entries(j), 0), "forbidden"));
	char path[] = "/tmp/kh-journal-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	char err[512];
	cr_assert_eq(journal_write(j, path, err), 0);
	size_t len;
	char *txt = file_read_all(path, &len, err);
	cr_assert_not_null(txt);
	cr_assert(strstr(txt, "\"query\":{\"include_docs\":\"true\"}") != NULL);
	cr_assert(strstr(txt, "\"forbidden\":\"Forbidden\"}\n") != NULL);
	int lines = 0;
	for (char *c = txt; *c; c++)
		lines += *c == '\n';
	cr_assert_eq(lines, 2);
	free(txt);
	unlink(path);
	journal_clear(j);
	cr_assert_eq(json_array_size(journal_entries(j)), 0);
	json_decref(q);
	journal_free(j);
}

/* Run journal_redact over text; the blanked copy (malloc'd) or NULL when nothing was blanked. */
static char *redact(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	int rc = journal_redact(text, strlen(text), &out, &len);
	cr_assert_geq(rc, 0);
	if (rc == 0)
		return NULL;
	cr_assert_eq(strlen(out), len);
	return out;
}

Test(journal, redact_blanks_secret_members_at_any_depth)
{
	/* A refresh answer, as route_accounts sends it. */
	char *r = redact(
		"{\"data\":{\"attributes\":{\"account_type\":\"g\",\"oauth\":{\"access_token\":\"AT-1\","
		"\"expires_at\":\"x\",\"refresh_token\":\"RT-1\",\"client_secret\":\"S\",\"id_token\":\"I\"}}}}");
	cr_assert_str_eq(r,
			 "{\"data\":{\"attributes\":{\"account_type\":\"g\",\"oauth\":{\"access_token\":\"<redacted>\","
			 "\"expires_at\":\"x\",\"refresh_token\":\"<redacted>\",\"client_secret\":\"<redacted>\","
			 "\"id_token\":\"<redacted>\"}}}}");
	free(r);
	/* Spacing kept, escaped quotes inside the value, a secret that is an object, arrays. */
	r = redact("[ {\"auth\" : {\"login\": \"me\", \"password\" :\t\"p\\\"w\\\\\"}},\n {\"secret\": {\"k\": [1, "
		   "\"}\"]}, "
		   "\"n\": 1} ]");
	cr_assert_str_eq(r, "[ {\"auth\" : {\"login\": \"me\", \"password\" :\t\"<redacted>\"}},\n {\"secret\": "
			    "\"<redacted>\", \"n\": 1} ]");
	free(r);
	/* Numbers are values too. */
	r = redact("{\"secret\":42,\"x\":\"password\"}");
	cr_assert_str_eq(r, "{\"secret\":\"<redacted>\",\"x\":\"password\"}");
	free(r);
}

Test(journal, redact_leaves_the_rest_alone)
{
	/* The name as a value, a longer key, null and "" (nothing to hide): untouched. */
	cr_assert_null(redact("{\"name\":\"password\",\"access_tokens\":\"x\",\"my_secret\":\"y\"}"));
	cr_assert_null(redact("{\"oauth\":{\"access_token\":\"\",\"refresh_token\":null}}"));
	cr_assert_null(redact("not json at all"));
	cr_assert_null(redact(""));
	/* Cut short in the middle of the secret: blanked up to the end. */
	char *r = redact("{\"a\":1,\"refresh_token\":\"RT-ver");
	cr_assert_str_eq(r, "{\"a\":1,\"refresh_token\":\"<redacted>\"");
	free(r);
}

Test(journal, entries_never_hold_secrets)
{
	struct journal *j = journal_new();
	/* A secret past the 4 KiB cut must go before the cut, and one straddling it too. */
	char req[6000];
	memset(req, ' ', sizeof(req));
	memcpy(req, "{\"x\":1,", 7);
	const char *tail = "\"password\":\"hunter2hunter2\"}";
	memcpy(req + 4075, tail, strlen(tail));
	size_t req_len = 4075 + strlen(tail);
	const char *resp = "{\"oauth\":{\"access_token\":\"AT-SECRET\",\"refresh_token\":\"RT-SECRET\"}}";
	struct journal_entry e = {.time = "t",
				  .method = "POST",
				  .path = "/accounts/g/a1/refresh",
				  .status = 200,
				  .request_body = req,
				  .request_body_len = req_len,
				  .response_body = resp,
				  .response_body_len = strlen(resp)};
	cr_assert_eq(journal_add(j, &e), 0);
	char *dump = json_dumps(journal_entries(j), JSON_COMPACT);
	cr_assert_null(strstr(dump, "hunter2"));
	cr_assert_null(strstr(dump, "AT-SECRET"));
	cr_assert_null(strstr(dump, "RT-SECRET"));
	cr_assert_not_null(strstr(dump, "\\\"access_token\\\":\\\"<redacted>\\\""));
	free(dump);
	journal_free(j);
}
