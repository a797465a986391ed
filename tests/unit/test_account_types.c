/* fake-stack/accounts/account_types.c: fixtures, TypeInfo lookup, canned answers, the COZY_PARAMETERS secret. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "fake-stack/accounts/account_types.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpl[64];

/* A fresh fixtures dir with account_types/ and refresh/. */
static const char *fixtures(void)
{
	strcpy(tmpl, "/tmp/kh-at-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpl));
	char p[256];
	snprintf(p, sizeof(p), "%s/account_types", tmpl);
	cr_assert_eq(mkdir_p(p, NULL), 0);
	snprintf(p, sizeof(p), "%s/refresh", tmpl);
	cr_assert_eq(mkdir_p(p, NULL), 0);
	return tmpl;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(atomic_write(p, text, strlen(text), NULL), 0);
}

static void cleanup(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(account_types, id_from_file_name_and_context_lookup)
{
	char err[ERR_MAX];
	const char *dir = fixtures();
	put(dir, "account_types/google.json",
	    "{\"grant_mode\":\"authorization_code\",\"token_endpoint\":\"http://x\"}");
	put(dir, "account_types/other.json", "{\"_id\":\"/dropbox\",\"slug\":\"dropbox\"}");
	put(dir, "account_types/plain-dropbox.json", "{\"_id\":\"dropbox\",\"slug\":\"dropbox\"}");
	struct account_types *at = account_types_load(dir, err);
	cr_assert_not_null(at, "%s", err);
	const json_t *g = account_types_find(at, "google");
	cr_assert_not_null(g);
	cr_assert_str_eq(json_string_value(json_object_get(g, "_id")), "google");
	const json_t *d = account_types_find(at, "dropbox");
	cr_assert_str_eq(json_string_value(json_object_get(d, "_id")), "/dropbox", "context doc comes first");
	cr_assert_null(account_types_find(at, "nope"));
	cr_assert_null(account_types_find(at, ""));
	cr_assert_eq(json_array_size(account_types_all(at)), 3);
	account_types_free(at);
	cleanup(dir);
}

Test(account_types, syntax_error_has_file_line_column)
{
	char err[ERR_MAX];
	const char *dir = fixtures();
	put(dir, "account_types/bad.json", "{\n  \"slug\": \"x\",\n  oops\n}");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "account_types/bad.json:3:") != NULL, "%s", err);
	cleanup(dir);
}

Test(account_types, wrong_field_type_points_at_the_value)
{
	char err[ERR_MAX];
	const char *dir = fixtures();
	put(dir, "account_types/bad.json", "{\n  \"slug\": \"x\",\n  \"client_id\": 42\n}");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "bad.json:3:16: client_id must be a string") != NULL, "%s", err);
	put(dir, "account_types/bad.json", "{\"extras\": {\"a\": 1}}");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "extras must be an object of strings") != NULL, "%s", err);
	put(dir, "account_types/bad.json", "{\"skip_state_on_token\": \"yes\"}");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "skip_state_on_token") != NULL, "%s", err);
	put(dir, "account_types/bad.json", "[1]");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "must be a JSON object") != NULL, "%s", err);
	cleanup(dir);
}

Test(account_types, missing_dirs_are_fine)
{
	char err[ERR_MAX];
	struct account_types *at = account_types_load("/nonexistent-kh", err);
	cr_assert_not_null(at, "%s", err);
	cr_assert_eq(json_array_size(account_types_all(at)), 0);
	account_types_free(at);
	at = account_types_load(NULL, err);
	cr_assert_not_null(at, "%s", err);
	account_types_free(at);
}

Test(account_types, canned_refresh_shapes)
{
	char err[ERR_MAX];
	const char *dir = fixtures();
	put(dir, "refresh/ok.json", "{\"access_token\":\"A\",\"expires_in\":3600}");
	put(dir, "refresh/revoked.json", "{\"error\":\"invalid_grant\"}");
	put(dir, "refresh/down.json", "{\"status\":503,\"body\":\"<html>down</html>\"}");
	struct account_types *at = account_types_load(dir, err);
	cr_assert_not_null(at, "%s", err);
	int status = 0;
	const json_t *b = account_types_canned_refresh(at, "ok", &status);
	cr_assert_eq(status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(b, "access_token")), "A");
	b = account_types_canned_refresh(at, "revoked", &status);
	cr_assert_eq(status, 400);
	b = account_types_canned_refresh(at, "down", &status);
	cr_assert_eq(status, 503);
	cr_assert_str_eq(json_string_value(b), "<html>down</html>");
	cr_assert_null(account_types_canned_refresh(at, "none", &status));
	account_types_free(at);
	put(dir, "refresh/bad.json", "{\"status\":\"x\",\"body\":1}");
	cr_assert_null(account_types_load(dir, err));
	cr_assert(strstr(err, "bad.json:1:11: status") != NULL, "%s", err);
	cleanup(dir);
}

Test(account_types, secret_needs_exactly_one_type_with_a_secret_grant)
{
	char err[ERR_MAX];
	const char *dir = fixtures();
	put(dir, "account_types/a.json", "{\"slug\":\"konn-a\",\"grant_mode\":\"secret\",\"secret\":\"s3cr3t\"}");
	put(dir, "account_types/b.json",
	    "{\"slug\":\"konn-b\",\"grant_mode\":\"authorization_code\",\"secret\":\"x\"}");
	put(dir, "account_types/c1.json", "{\"slug\":\"konn-c\",\"grant_mode\":\"secret\",\"secret\":\"1\"}");
	put(dir, "account_types/c2.json", "{\"slug\":\"konn-c\",\"grant_mode\":\"secret\",\"secret\":\"2\"}");
	put(dir, "account_types/d.json", "{\"slug\":\"konn-d\",\"grant_mode\":\"bi_webview+secret\"}");
	put(dir, "account_types/e.json",
	    "{\"_id\":\"ctx/e\",\"slug\":\"konn-e\",\"grant_mode\":\"secret\",\"secret\":1}");
	put(dir, "account_types/f.json", "{\"slug\":\"konn-f\",\"grant_mode\":\"secret\",\"secret\":{\"k\":[1]}}");
	put(dir, "account_types/f2.json",
	    "{\"_id\":\"/f\",\"slug\":\"konn-f\",\"grant_mode\":\"secret\",\"secret\":\"ctx\"}");
	struct account_types *at = account_types_load(dir, err);
	cr_assert_not_null(at, "%s", err);
	const json_t *s = NULL;
	cr_assert_eq(account_types_secret(at, "konn-a", &s), 1);
	cr_assert_str_eq(json_string_value(s), "s3cr3t");
	cr_assert_eq(account_types_secret(at, "konn-b", &s), 0, "grant mode without secret");
	cr_assert_eq(account_types_secret(at, "konn-c", &s), 0, "two matches");
	cr_assert_eq(account_types_secret(at, "konn-d", &s), 1);
	cr_assert(json_is_null(s), "no secret field gives null");
	cr_assert_eq(account_types_secret(at, "konn-e", &s), 0, "another context's doc");
	cr_assert_eq(account_types_secret(at, "konn-f", &s), 1, "the context doc overloads the global one");
	cr_assert_str_eq(json_string_value(s), "ctx");
	cr_assert_eq(account_types_secret(at, "nobody", &s), 0);
	cr_assert_eq(account_types_has_secret_grant("authorization_code+secret"), 1);
	cr_assert_eq(account_types_has_secret_grant("bi_webauth+secret"), 1);
	cr_assert_eq(account_types_has_secret_grant("bi_webauth"), 0);
	cr_assert_eq(account_types_has_secret_grant(NULL), 0);
	account_types_free(at);
	cleanup(dir);
}
