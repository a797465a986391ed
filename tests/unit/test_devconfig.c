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
	const char *t =
		"{\n// creds\n\"COZY_URL\": \"http://ignored\",\n\"fields\": {\"login\": \"bob\", \"password\": \"pw\","
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
	/* the comma is missing at the end of line 3, not where the next member starts */
	cr_assert(strncmp(err, "k.json:3:17: missing comma", 26) == 0, "%s", err);
	const char *bad = "{\"fields\": []}";
	cr_assert_eq(devconfig_parse(bad, strlen(bad), "k.json", &dc, err), -1);
	cr_assert(strstr(err, "k.json:1:12: \"fields\" must be a JSON object") != NULL, "%s", err);
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

Test(devconfig, trailing_comma_is_named_with_what_the_dev_tools_do)
{
	const char *t = "{\n  \"fields\": {\n    \"login\": \"x\",\n  }\n}";
	struct devconfig dc;
	char err[ERR_MAX];
	cr_assert_eq(devconfig_parse(t, strlen(t), "k.json", &dc, err), -1);
	cr_assert(strncmp(err, "k.json:3:17: trailing comma", 27) == 0, "%s", err);
	cr_assert(strstr(err, "JSON.parse") != NULL, "%s", err);
}

Test(devconfig, unterminated_comment_is_named_where_it_opens)
{
	const char *t = "{\n  \"fields\": {} /* the end\n}\n";
	struct devconfig dc;
	char err[ERR_MAX];
	cr_assert_eq(devconfig_parse(t, strlen(t), "k.json", &dc, err), -1);
	cr_assert(strncmp(err, "k.json:2:16: unterminated comment", 33) == 0, "%s", err);
}

Test(devconfig, unknown_keys_and_undeclared_fields_are_warnings)
{
	const char *mt = "{\"slug\":\"s\",\"fields\":{\"login\":{},\"password\":{},"
			 "\"advanced_fields\":{\"folderPath\":{}}}}";
	const char *t = "{\n  \"fields\": {\"login\": \"a\", \"pasword\": \"b\", \"folderPath\": \"/x\",\n"
			"    \"access_token\": \"t\"},\n  \"feilds\": {}\n}";
	struct manifest m;
	struct devconfig dc;
	char err[ERR_MAX];
	cr_assert_eq(manifest_parse(mt, strlen(mt), "m", &m, err), 0, "%s", err);
	cr_assert_eq(devconfig_parse(t, strlen(t), "k.json", &dc, err), 0, "%s", err);
	json_t *w = json_array();
	devconfig_check_keys(&dc, &m, "k.json", w);
	cr_assert_eq(json_array_size(w), 2, "%s", json_dumps(w, 0));
	cr_assert(strstr(json_string_value(json_array_get(w, 0)), "k.json:4:3: unknown key \"feilds\"") != NULL, "%s",
		  json_string_value(json_array_get(w, 0)));
	const char *typo = json_string_value(json_array_get(w, 1));
	cr_assert(
		strstr(typo, "k.json:2:28: fields.pasword is not a field of the manifest (a typo for \"password\"?)") !=
			NULL,
		"%s", typo);
	json_decref(w);
	devconfig_free(&dc);
	manifest_free(&m);
}
