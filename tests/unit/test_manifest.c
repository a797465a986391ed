/* harness/job/manifest.c */
#include "common/err.h"
#include "harness/job/manifest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(manifest, reads_fields_defaults_and_folder)
{
	const char *t =
		"{\"slug\":\"hello\",\"name\":\"Hello\",\"fields\":{\"login\":{},\"password\":{\"type\":\"password\"},"
		"\"advanced_fields\":{\"folderPath\":{}}},\"permissions\":{\"a\":{\"type\":\"io.cozy.accounts\"}}}";
	struct manifest m;
	char err[ERR_MAX];
	cr_assert_eq(manifest_parse(t, strlen(t), "m", &m, err), 0, "%s", err);
	cr_assert_str_eq(m.slug, "hello");
	cr_assert_str_eq(m.language, "node");
	cr_assert_null(m.on_delete_account);
	cr_assert_null(m.parameters);
	cr_assert_eq(m.wants_folder, 1);
	json_t *names = manifest_field_names(&m);
	cr_assert_eq(json_array_size(names), 2);
	cr_assert_str_eq(json_string_value(json_array_get(names, 1)), "password");
	json_decref(names);
	manifest_free(&m);
}

Test(manifest, folders_and_no_folder)
{
	struct manifest m;
	char err[ERR_MAX];
	const char *a = "{\"slug\":\"a\",\"folders\":[{\"defaultDir\":\"$administrative\"}],\"language\":\"node\",\"on_"
			"delete_account\":\"x.js\"}";
	cr_assert_eq(manifest_parse(a, strlen(a), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 1);
	cr_assert_str_eq(m.on_delete_account, "x.js");
	cr_assert_str_eq(m.name, "a");
	manifest_free(&m);
	/* stack: hasFolderPath asks only that `folders` be an array: an empty one still gets a folder */
	const char *b = "{\"slug\":\"b\",\"folders\":[],\"parameters\":{\"k\":1}}";
	cr_assert_eq(manifest_parse(b, strlen(b), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 1);
	cr_assert_not_null(m.parameters);
	manifest_free(&m);
	const char *c = "{\"slug\":\"c\",\"fields\":{\"advanced_fields\":{\"folderPath\":null}}}";
	cr_assert_eq(manifest_parse(c, strlen(c), "m", &m, err), 0, "%s", err);
	cr_assert_eq(m.wants_folder, 0, "a null folderPath is nil");
	cr_assert_eq(m.home_wants_folder, 0);
	manifest_free(&m);
	const char *d = "{\"slug\":\"d\"}";
	cr_assert_eq(manifest_parse(d, strlen(d), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 0);
	cr_assert_eq(m.home_wants_folder, 0);
	manifest_free(&m);
}

/* Only the legacy camelCase advancedFields.folderPath: Home gives a folder, the stack's triggers do not. */
Test(manifest, legacy_folder_path_is_home_only)
{
	struct manifest m;
	char err[ERR_MAX];
	const char *a = "{\"slug\":\"a\",\"fields\":{\"advancedFields\":{\"folderPath\":{\"advanced\":true}}}}";
	cr_assert_eq(manifest_parse(a, strlen(a), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 0);
	cr_assert_eq(m.home_wants_folder, 1);
	manifest_free(&m);
	const char *b = "{\"slug\":\"b\",\"fields\":{\"advanced_fields\":{\"folderPath\":{}}}}";
	cr_assert_eq(manifest_parse(b, strlen(b), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 1);
	cr_assert_eq(m.home_wants_folder, 0);
	manifest_free(&m);
}

/* The account's identifier as Home names it (cozy-client models/manifest.js getIdentifier). */
Test(manifest, identifier_as_home_names_it)
{
	static const struct {
		const char *fields, *want;
	} cases[] = {
		{"{\"login\":{},\"password\":{\"type\":\"password\"}}", "login"},
		{"{\"email\":{},\"num\":{\"role\":\"identifier\"}}", "num"},
		{"{\"birth\":{},\"email\":{},\"password\":{}}", "email"},
		{"{\"secret\":{\"type\":\"password\"},\"customer\":{}}", "customer"},
		{"{\"advancedFields\":{\"folderPath\":{}},\"pin\":{}}", "pin"},
		{"{\"pw\":{\"type\":\"password\"}}", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "{\"slug\":\"s\",\"fields\":%s}", cases[i].fields);
		struct manifest m;
		char err[ERR_MAX];
		cr_assert_eq(manifest_parse(text, strlen(text), "m", &m, err), 0, "%s", err);
		if (cases[i].want == NULL)
			cr_assert_null(m.identifier, "%s", cases[i].fields);
		else
			cr_assert_str_eq(m.identifier ? m.identifier : "(null)", cases[i].want, "%s", cases[i].fields);
		manifest_free(&m);
	}
}

Test(manifest, errors_name_file_line_column)
{
	struct manifest m;
	char err[ERR_MAX];
	const char *t = "{\n  \"slug\": \"x\",\n  oops\n}";
	cr_assert_eq(manifest_parse(t, strlen(t), "dir/manifest.konnector", &m, err), -1);
	cr_assert(strncmp(err, "dir/manifest.konnector:3:", 25) == 0, "%s", err);
	const char *noslug = "{\"name\":\"x\"}";
	cr_assert_eq(manifest_parse(noslug, strlen(noslug), "m", &m, err), -1);
	cr_assert(strstr(err, "slug") != NULL);
	cr_assert_eq(manifest_parse("[]", 2, "m", &m, err), -1);
	cr_assert_eq(manifest_load("/nonexistent/manifest.konnector", &m, err), -1);
	cr_assert(strstr(err, "/nonexistent/manifest.konnector") != NULL);
}
