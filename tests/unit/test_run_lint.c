/* harness/judge/run_lint.c: lint fed from a session's hooks; lint_secrets_from_fields. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/judge/lint.h"
#include "harness/judge/run_lint.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A session_end for a run that exited with code, its report and journal (freed by end_free). */
static struct session_end end_make(char *dir, int code, json_t *journal)
{
	cr_assert_not_null(mkdtemp(dir));
	json_t *rep = json_object();
	json_object_set_new(rep, "warnings", json_array());
	return (struct session_end){.run_dir = dir,
				    .report = rep,
				    .journal = journal,
				    .started = 1,
				    .end = END_EXITED,
				    .code = code,
				    .duration_ms = 10,
				    .exit_status = code ? EXIT_ERRORED : EXIT_DONE};
}

static void feed(struct run_lint *rl, const char *text, size_t lineno)
{
	struct session_line l = {.lineno = lineno, .text = text, .len = strlen(text)};
	run_lint_line(rl, &l);
}

Test(run_lint, secret_on_stderr_of_a_done_job_is_exit_lint)
{
	json_t *fields = json_pack("{s:s,s:s,s:{s:s}}", "login", "alice", "folderPath", "/Administrative", "nested",
				   "token", "tok-secret");
	struct run_lint *rl = run_lint_new(fields, 0);
	cr_assert_not_null(rl);
	feed(rl, "{\"type\":\"info\",\"message\":\"saving to /Administrative\"}", 1);
	run_lint_stderr(rl, "using tok-", 10);
	run_lint_stderr(rl, "secret\n", 7);
	char dir[] = "/tmp/run-lint-XXXXXX";
	json_t *journal = json_pack("[{s:s,s:s},{s:s,s:s,s:s}]", "method", "GET", "path", "/data/a", "method", "GET",
				    "path", "/data/io.cozy.bills/x", "forbidden", "no permission on io.cozy.bills");
	struct session_end e = end_make(dir, 0, journal);
	run_lint_check(rl, &e);
	cr_assert_eq(e.exit_status, EXIT_LINT);
	cr_assert_eq(run_lint_failures(rl), 1);
	json_t *lint = json_object_get(e.report, "lint");
	cr_assert_eq(json_integer_value(json_object_get(lint, "errors")), 1);
	cr_assert_eq(json_integer_value(json_object_get(lint, "warnings")), 1);
	char path[64], err[ERR_MAX];
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, dir);
	size_t len;
	char *text = file_read_all(path, &len, err);
	cr_assert_not_null(text, "%s", err);
	cr_assert(strstr(text, "stderr.log:1: error secret-leak: the value of the dev-config field \"token\"") != NULL,
		  "%s", text);
	cr_assert(strstr(text, "journal.jsonl:2: warning permission-missing") != NULL, "%s", text);
	cr_assert(strstr(text, "folderPath") == NULL, "a folder path is no secret: %s", text);
	free(text);
	unlink(path);
	rmdir(dir);
	run_lint_free(rl);
	json_decref(e.report);
	json_decref(journal);
	json_decref(fields);
}

Test(run_lint, errored_stays_errored_and_strict_counts_warnings)
{
	json_t *fields = json_object();
	struct run_lint *rl = run_lint_new(fields, 1);
	feed(rl, "not json", 1);
	char dir[] = "/tmp/run-lint-XXXXXX";
	json_t *journal = json_array();
	struct session_end e = end_make(dir, 0, journal);
	run_lint_check(rl, &e);
	cr_assert_eq(e.exit_status, EXIT_LINT, "strict: a warning fails a done job");
	run_lint_free(rl);
	json_decref(e.report);
	char path[64];
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, dir);
	unlink(path);
	rmdir(dir);

	rl = run_lint_new(fields, 1);
	feed(rl, "not json", 1);
	char dir2[] = "/tmp/run-lint-XXXXXX";
	e = end_make(dir2, 3, journal);
	run_lint_check(rl, &e);
	cr_assert_eq(e.exit_status, EXIT_ERRORED, "an errored job stays 1");
	run_lint_free(rl);
	json_decref(e.report);
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, dir2);
	unlink(path);
	rmdir(dir2);
	json_decref(journal);
	json_decref(fields);
}

Test(run_lint, secrets_from_fields)
{
	json_t *f = json_pack("{s:s,s:i,s:[s,s],s:s}", "password", "pw1234", "n", 3, "codes", "aaaa", "bbbb",
			      "timezone", "Europe/Paris");
	struct lint_secret *s;
	size_t n;
	cr_assert_eq(lint_secrets_from_fields(f, &s, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(s[0].name, "password");
	cr_assert_str_eq(s[2].name, "codes");
	cr_assert_str_eq(s[2].value, "bbbb");
	free(s);
	json_decref(f);
}

/* A manifest with only the legacy advancedFields.folderPath: folder-home-only, naming Home and the stack both. */
Test(run_lint, folder_home_only_from_the_manifest)
{
	json_t *fields = json_object();
	struct manifest m = {0};
	char err[ERR_MAX];
	const char *t = "{\"slug\":\"s\",\"fields\":{\"advancedFields\":{\"folderPath\":{}}}}";
	cr_assert_eq(manifest_parse(t, strlen(t), "manifest.konnector", &m, err), 0, "%s", err);
	struct run_lint *rl = run_lint_new(fields, 0);
	char dir[] = "/tmp/run-lint-XXXXXX";
	json_t *journal = json_array();
	struct session_end e = end_make(dir, 0, journal);
	e.manifest = &m;
	run_lint_check(rl, &e);
	char path[64];
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, dir);
	size_t len;
	char *text = file_read_all(path, &len, err);
	cr_assert_not_null(text, "%s", err);
	cr_assert(strstr(text, "manifest.konnector: warning folder-home-only") != NULL, "%s", text);
	cr_assert(strstr(text, "Home") != NULL && strstr(text, "BuildTrigger") != NULL, "%s", text);
	free(text);
	unlink(path);
	rmdir(dir);
	run_lint_free(rl);
	json_decref(e.report);
	/* the stack's own way to ask: no finding */
	manifest_free(&m);
	t = "{\"slug\":\"s\",\"folders\":[]}";
	cr_assert_eq(manifest_parse(t, strlen(t), "manifest.konnector", &m, err), 0, "%s", err);
	rl = run_lint_new(fields, 0);
	char dir2[] = "/tmp/run-lint-XXXXXX";
	e = end_make(dir2, 0, journal);
	e.manifest = &m;
	run_lint_check(rl, &e);
	cr_assert_eq(run_lint_findings(rl), 0);
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, dir2);
	unlink(path);
	rmdir(dir2);
	run_lint_free(rl);
	json_decref(e.report);
	manifest_free(&m);
	json_decref(journal);
	json_decref(fields);
}
