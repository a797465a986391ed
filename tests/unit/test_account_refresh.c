/* fake-stack/accounts/account_refresh.c: the refresh algorithm without HTTP (canned answers, no refresh token, missing
 * type). */
#include "common/atomic_file.h"
#include "common/err.h"
#include "fake-stack/accounts/account_refresh.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct account_types *types;
static char dir[] = "/tmp/kh-ar-XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(atomic_write(p, text, strlen(text), NULL), 0);
}

static void setup(void)
{
	char err[ERR_MAX], p[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/account_types", dir);
	mkdir_p(p, NULL);
	snprintf(p, sizeof(p), "%s/refresh", dir);
	mkdir_p(p, NULL);
	put("account_types/svc.json",
	    "{\"client_id\":\"CID\",\"client_secret\":\"CSEC\",\"grant_mode\":\"authorization_code\"}");
	put("refresh/svc.json", "{\"access_token\":\"NEW\",\"expires_in\":3600,\"refresh_token\":\"R2\"}");
	put("refresh/revoked.json", "{\"error\":\"invalid_grant\"}");
	put("refresh/down.json", "{\"status\":502,\"body\":\"<html>\"}");
	put("refresh/weird.json", "{\"error\":\"slow_down\",\"status\":200,\"body\":{\"error\":\"slow_down\"}}");
	types = account_types_load(dir, err);
	cr_assert_not_null(types, "%s", err);
}

static void teardown(void)
{
	account_types_free(types);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void never(struct account_refresh_result *res, void *arg)
{
	(void)res;
	(void)arg;
	cr_assert_fail("no callback for an answer known at once");
}

/* Run one refresh that must conclude at once. */
static void refresh_now(const char *account, struct account_refresh_result *res)
{
	json_t *acc = json_loads(account, 0, NULL);
	cr_assert_not_null(acc);
	cr_assert_null(account_refresh_start(acc, types, NULL, never, NULL, res));
	json_decref(acc);
}

TestSuite(account_refresh, .init = setup, .fini = teardown);

Test(account_refresh, canned_success_updates_oauth_only_where_given)
{
	struct account_refresh_result res;
	refresh_now("{\"_id\":\"a1\",\"_rev\":\"1-x\",\"account_type\":\"svc\",\"label\":\"dropped\","
		    "\"oauth\":{\"refresh_token\":\"R1\",\"access_token\":\"OLD\",\"token_type\":\"Bearer\"}}",
		    &res);
	cr_assert_eq(res.status, REFRESH_OK, "%s", res.detail);
	json_t *o = json_object_get(res.account, "oauth");
	cr_assert_str_eq(json_string_value(json_object_get(o, "access_token")), "NEW");
	cr_assert_str_eq(json_string_value(json_object_get(o, "refresh_token")), "R2");
	cr_assert_str_eq(json_string_value(json_object_get(o, "token_type")), "Bearer");
	const char *exp = json_string_value(json_object_get(o, "expires_at"));
	cr_assert(exp != NULL && strncmp(exp, "0001", 4) != 0, "expires_at is set");
	cr_assert_null(json_object_get(res.account, "label"));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert(strstr(s, "{\"access_token\":\"NEW\",\"token_type\":\"Bearer\",\"expires_at\":") == s, "%s", s);
	free(s);
	account_refresh_result_clear(&res);
}

Test(account_refresh, no_refresh_token_hands_out_the_client_credentials)
{
	struct account_refresh_result res;
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"svc\",\"oauth\":{\"access_token\":\"A\"}}", &res);
	cr_assert_eq(res.status, REFRESH_OK);
	json_t *o = json_object_get(res.account, "oauth");
	cr_assert_str_eq(json_string_value(json_object_get(o, "client_id")), "CID");
	cr_assert_str_eq(json_string_value(json_object_get(o, "client_secret")), "CSEC");
	cr_assert_str_eq(json_string_value(json_object_get(o, "access_token")), "A");
	account_refresh_result_clear(&res);
}

Test(account_refresh, errors_in_the_stacks_order)
{
	struct account_refresh_result res;
	refresh_now("{\"_id\":\"a1\",\"oauth\":{\"refresh_token\":\"R\"}}", &res);
	cr_assert_eq(res.status, REFRESH_FAILED);
	cr_assert_str_eq(res.detail, "no account type id provided");
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"nope\",\"oauth\":{\"refresh_token\":\"R\"}}", &res);
	cr_assert_eq(res.status, REFRESH_TYPE_NOT_FOUND);
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"svc\"}", &res);
	cr_assert_eq(res.status, REFRESH_FAILED);
	cr_assert_str_eq(res.detail, "this account can not be refreshed");
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"revoked\",\"oauth\":{\"refresh_token\":\"R\"}}", &res);
	cr_assert_eq(res.status, REFRESH_INVALID_TOKEN);
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"down\",\"oauth\":{\"refresh_token\":\"R\"}}", &res);
	cr_assert_eq(res.status, REFRESH_FAILED);
	cr_assert_str_eq(res.detail, "oauth service responded with status 502");
	refresh_now("{\"_id\":\"a1\",\"account_type\":\"weird\",\"oauth\":{\"refresh_token\":\"R\"}}", &res);
	cr_assert_eq(res.status, REFRESH_FAILED);
	cr_assert_str_eq(res.detail, "OauthError(slow_down) ");
}
