/* harness/job/manifest.c */
#include "common/err.h"
#include "harness/job/manifest.h"

#include <criterion/criterion.h>
#include <string.h>

Test(manifest, reads_fields_defaults_and_folder)
{
	const char *t = "{\"slug\":\"hello\",\"name\":\"Hello\",\"fields\":{\"login\":{},\"password\":{\"type\":\"password\"},"
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
	const char *a = "{\"slug\":\"a\",\"folders\":[{\"defaultDir\":\"$administrative\"}],\"language\":\"node\",\"on_delete_account\":\"x.js\"}";
	cr_assert_eq(manifest_parse(a, strlen(a), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 1);
	cr_assert_str_eq(m.on_delete_account, "x.js");
	cr_assert_str_eq(m.name, "a");
	manifest_free(&m);
	const char *b = "{\"slug\":\"b\",\"folders\":[],\"parameters\":{\"k\":1}}";
	cr_assert_eq(manifest_parse(b, strlen(b), "m", &m, err), 0);
	cr_assert_eq(m.wants_folder, 0);
	cr_assert_not_null(m.parameters);
	manifest_free(&m);
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
