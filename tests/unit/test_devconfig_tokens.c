/* harness/job/devconfig_tokens.c: token values replaced in a commented config, every other byte kept. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/job/devconfig_tokens.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rewrite src and compare with want. */
static void check(const char *src, const char *at, const char *rt, const char *want)
{
	char err[ERR_MAX];
	size_t n;
	char *out = devconfig_tokens_rewrite(src, strlen(src), at, rt, &n, err);
	cr_assert_not_null(out, "%s", err);
	cr_assert_eq(n, strlen(out));
	cr_assert_str_eq(out, want);
	free(out);
}

Test(devconfig_tokens, replaces_values_and_keeps_comments_and_order)
{
	const char *src = "// dev config\n"
			  "{\n"
			  "  /* the stack */ \"COZY_URL\": \"http://cozy.localhost:8080\", // trailing\n"
			  "  \"fields\": {\n"
			  "    \"refresh_token\": \"OLD-R\", /* keep me */\n"
			  "    \"login\": \"a\\\"b\",\n"
			  "    // the token\n"
			  "    \"access_token\"  :   \"OLD-A\"\n"
			  "  },\n"
			  "  \"nested\": {\"fields\": {\"access_token\": \"untouched\"}}\n"
			  "}\n";
	const char *want = "// dev config\n"
			   "{\n"
			   "  /* the stack */ \"COZY_URL\": \"http://cozy.localhost:8080\", // trailing\n"
			   "  \"fields\": {\n"
			   "    \"refresh_token\": \"NEW-R\", /* keep me */\n"
			   "    \"login\": \"a\\\"b\",\n"
			   "    // the token\n"
			   "    \"access_token\"  :   \"NEW\\\"A\"\n"
			   "  },\n"
			   "  \"nested\": {\"fields\": {\"access_token\": \"untouched\"}}\n"
			   "}\n";
	check(src, "NEW\"A", "NEW-R", want);
}

Test(devconfig_tokens, null_leaves_a_key_alone)
{
	check("{\"fields\":{\"access_token\":\"a\",\"refresh_token\":\"r\"}}", "A", NULL,
	      "{\"fields\":{\"access_token\":\"A\",\"refresh_token\":\"r\"}}");
}

Test(devconfig_tokens, adds_missing_keys_with_the_indentation)
{
	check("{\n\t\"fields\": {\n\t\t\"login\": \"x\" // who\n\t}\n}\n", "A", "R",
	      "{\n\t\"fields\": {\n\t\t\"login\": \"x\",\n\t\t\"access_token\": \"A\",\n\t\t\"refresh_token\": \"R\" "
	      "// who\n\t}\n}\n");
	check("{\"fields\": {\"login\": \"x\"}}", "A", NULL,
	      "{\"fields\": {\"login\": \"x\", \"access_token\": \"A\"}}");
	check("{\"fields\": {}}", "A", "R", "{\"fields\": {\"access_token\": \"A\", \"refresh_token\": \"R\"}}");
	check("{\n  \"COZY_URL\": \"u\"\n}", "A", NULL,
	      "{\n  \"COZY_URL\": \"u\",\n  \"fields\": {\"access_token\": \"A\"}\n}");
	check("{}", NULL, "R", "{\"fields\": {\"refresh_token\": \"R\"}}");
}

Test(devconfig_tokens, non_string_value_is_replaced_and_control_chars_escaped)
{
	check("{\"fields\":{\"access_token\":null}}", "a\nb", NULL, "{\"fields\":{\"access_token\":\"a\\u000ab\"}}");
}

Test(devconfig_tokens, malformed_config_reports_line_and_column)
{
	char err[ERR_MAX];
	size_t n;
	const char *bad[] = {"{\n  \"fields\": {\n    \"a\" 1\n  }\n}",
			     "[1]",
			     "{\"fields\": 3}",
			     "{ /* open",
			     "{\"a\":1} x",
			     "{\"a\": \"unterminated}"};
	const char *want[] = {"3:9:", "1:1:", "1:12:", "unterminated", "1:9:", "unterminated string"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_null(devconfig_tokens_rewrite(bad[i], strlen(bad[i]), "A", "R", &n, err), "%s", bad[i]);
		cr_assert(strstr(err, want[i]) != NULL, "case %zu: %s", i, err);
	}
}

Test(devconfig_tokens, save_is_atomic_and_keeps_the_mode)
{
	char dir[] = "/tmp/kh-dct-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/konnector-dev-config.json", dir);
	const char *src = "{\n  // c\n  \"fields\": {\"access_token\": \"x\"}\n}\n";
	cr_assert_eq(atomic_write(path, src, strlen(src), NULL), 0);
	cr_assert_eq(chmod(path, 0600), 0);
	char err[ERR_MAX];
	cr_assert_eq(devconfig_tokens_save(path, "NEW", "R2", err), 0, "%s", err);
	size_t n;
	char *got = file_read_all(path, &n, err);
	cr_assert_str_eq(got, "{\n  // c\n  \"fields\": {\"access_token\": \"NEW\", \"refresh_token\": \"R2\"}\n}\n");
	free(got);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(devconfig_tokens_save("/nonexistent/x.json", "a", "b", err), -1);
	const char *bad = "{oops}";
	cr_assert_eq(atomic_write(path, bad, strlen(bad), NULL), 0);
	cr_assert_eq(devconfig_tokens_save(path, "a", "b", err), -1);
	cr_assert(strstr(err, "konnector-dev-config.json:1:2:") != NULL, "%s", err);
	got = file_read_all(path, &n, err);
	cr_assert_str_eq(got, bad, "a failed save leaves the file alone");
	free(got);
	unlink(path);
	rmdir(dir);
}

Test(devconfig_tokens, mask_never_shows_the_whole_token)
{
	char out[64];
	cr_assert_str_eq(devconfig_tokens_mask("0123456789abcdefWXYZ", out, sizeof(out)), "****WXYZ (20 chars)");
	cr_assert_str_eq(devconfig_tokens_mask("short", out, sizeof(out)), "**** (5 chars)");
	cr_assert_str_eq(devconfig_tokens_mask("", out, sizeof(out)), "(empty)");
	cr_assert_str_eq(devconfig_tokens_mask(NULL, out, sizeof(out)), "(empty)");
}
