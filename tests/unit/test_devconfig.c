/* harness/job/devconfig.c */
#include "common/err.h"
#include "harness/job/devconfig.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(devconfig, strips_comments_but_not_strings)
{
	char t[] = "{ // a comment\n \"u\": \"http://x//y /* no */\", /* block\n over lines */ \"e\": \"a\\\"//b\" }";
	size_t len = strlen(t);
	devconfig_strip_comments(t, len);
	cr_assert_eq(strlen(t), len);
	cr_assert(strstr(t, "a comment") == NULL);
	cr_assert(strstr(t, "block") == NULL);
	cr_assert(strstr(t, "\"http://x//y /* no */\"") != NULL);
	cr_assert(strstr(t, "\"a\\\"//b\"") != NULL);
	/* the newline inside the block comment survives: line numbers stay right */
	int lines = 0;
	for (char *p = t; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 2);
}

Test(devconfig, parse_and_account_split)
{
	const char *t = "{\n// creds\n\"COZY_URL\": \"http://ignored\",\n\"fields\": {\"login\": \"bob\", \"password\": \"pw\","
			" \"access_token\": \"tok\", \"expires_at\": 12},\n\"COZY_PARAMETERS\": {\"p\": 1}\n}";
	struct devconfig dc;
	char err[ERR_MAX];
	cr_assert_eq(devconfig_parse(t, strlen(t), "c", &dc, err), 0, "%s", err);
	cr_assert_not_null(dc.cozy_parameters);
	cr_assert_null(dc.cozy_fields);
	json_t *acc = devconfig_account(&dc, "hello", "abc");
	cr_assert_str_eq(json_string_value(json_object_get(acc, "account_type")), "hello");
	cr_assert_str_eq(json_string_value(json_object_get(acc, "_id")), "abc");
	json_t *auth = json_object_get(acc, "auth"), *oauth = json_object_get(acc, "oauth");
	cr_assert_eq(json_object_size(auth), 2);
	cr_assert_str_eq(json_string_value(json_object_get(oauth, "access_token")), "tok");
	cr_assert_eq(json_integer_value(json_object_get(oauth, "expires_at")), 12);
	json_decref(acc);
	devconfig_free(&dc);
}

Test(devconfig, errors_have_line_and_column_after_comments)
{
	const char *t = "{\n  /* c */ \"fields\": {\n    \"login\": \"x\"\n    \"password\": 1\n  }\n}";
	struct devconfig dc;
	char err[ERR_MAX];
	cr_assert_eq(devconfig_parse(t, strlen(t), "k.json", &dc, err), -1);
	cr_assert(strncmp(err, "k.json:4:", 9) == 0, "%s", err);
	const char *bad = "{\"fields\": []}";
	cr_assert_eq(devconfig_parse(bad, strlen(bad), "k.json", &dc, err), -1);
	cr_assert(strstr(err, "\"fields\" must be a JSON object") != NULL, "%s", err);
	cr_assert_eq(devconfig_load("/nonexistent/k.json", &dc, err), DEVCONFIG_MISSING);
}

Test(devconfig, template_lists_manifest_fields)
{
	const char *mt = "{\"slug\":\"s\",\"fields\":{\"login\":{},\"password\":{},\"advanced_fields\":{}}}";
	struct manifest m;
	char err[ERR_MAX];
	cr_assert_eq(manifest_parse(mt, strlen(mt), "m", &m, err), 0);
	char *t = devconfig_template(&m);
	struct devconfig dc;
	cr_assert_eq(devconfig_parse(t, strlen(t), "t", &dc, err), 0, "%s", err);
	cr_assert_eq(json_object_size(dc.fields), 2);
	cr_assert_not_null(json_object_get(dc.fields, "password"));
	devconfig_free(&dc);
	free(t);
	manifest_free(&m);
}
