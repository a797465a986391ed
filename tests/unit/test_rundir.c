/* harness/job/rundir.c */
#include "common/err.h"
#include "harness/job/rundir.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(rundir, numbers_and_latest)
{
	char tmpl[] = "/tmp/kh-rundir-XXXXXX";
	cr_assert_not_null(mkdtemp(tmpl));
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s/.harness/runs", tmpl);
	char err[ERR_MAX];
	struct rundir rd;
	cr_assert_eq(rundir_create(base, NULL, &rd, err), 0, "%s", err);
	cr_assert_eq(rd.n, 1);
	fputs("hello\n", rd.out);
	rundir_close(&rd);
	cr_assert_eq(rundir_create(base, NULL, &rd, err), 0, "%s", err);
	cr_assert_eq(rd.n, 2);
	cr_assert_eq(rundir_write(&rd, "report.json", "{}", 2, err), 0);
	char link[PATH_MAX + 16], target[64] = {0};
	snprintf(link, sizeof(link), "%s/latest", base);
	cr_assert_gt(readlink(link, target, sizeof(target) - 1), 0);
	cr_assert_str_eq(target, "2");
	rundir_close(&rd);
	char out[PATH_MAX + 64];
	snprintf(out, sizeof(out), "%s/custom/deep", tmpl);
	cr_assert_eq(rundir_create(base, out, &rd, err), 0, "%s", err);
	cr_assert_eq(rd.n, 0);
	rundir_close(&rd);
	struct stat st;
	snprintf(out, sizeof(out), "%s/custom/deep/events.jsonl", tmpl);
	cr_assert_eq(stat(out, &st), 0);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	cr_assert_eq(system(cmd), 0);
}

Test(rundir, env_redaction)
{
	char *env[] = {"COZY_CREDENTIALS=eyJhbGc.secret.sig",
		       "COZY_PARAMETERS={\"secret\":\"s3\",\"n\":1}",
		       "COZY_FIELDS={\"konnector\":\"k\",\"password\":\"pw\"}",
		       "MY_API_TOKEN=abc",
		       "PATH=/bin",
		       NULL};
	char *t = rundir_redact_env(env);
	cr_assert(strstr(t, "eyJhbGc") == NULL);
	cr_assert(strstr(t, "s3") == NULL);
	cr_assert(strstr(t, "pw") == NULL);
	cr_assert(strstr(t, "abc") == NULL);
	cr_assert(strstr(t, "\"n\":1") != NULL);
	cr_assert(strstr(t, "\"konnector\":\"k\"") != NULL);
	cr_assert(strstr(t, "PATH=/bin\n") != NULL);
	free(t);
}

/* Does base/name exist? */
static int exists(const char *base, const char *name)
{
	char p[PATH_MAX + 64];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/%s", base, name);
	return lstat(p, &sb) == 0;
}

Test(rundir, prune_keeps_the_newest_latest_and_protected)
{
	char tmpl[] = "/tmp/kh-rundir-XXXXXX";
	cr_assert_not_null(mkdtemp(tmpl));
	char base[PATH_MAX], p[PATH_MAX + 32], err[ERR_MAX];
	snprintf(base, sizeof(base), "%s/runs", tmpl);
	cr_assert_eq(mkdir(base, 0700), 0);
	for (int i = 1; i <= 6; i++) {
		snprintf(p, sizeof(p), "%s/%d", base, i);
		cr_assert_eq(mkdir(p, 0700), 0);
		/* a file tree inside, and a symlink out that must not be followed */
		snprintf(p, sizeof(p), "%s/%d/files", base, i);
		cr_assert_eq(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s/%d/files/escape", base, i);
		cr_assert_eq(symlink(tmpl, p), 0);
	}
	/* latest points at an old one (a run that is still the latest), --state reads another */
	snprintf(p, sizeof(p), "%s/latest", base);
	cr_assert_eq(symlink("2", p), 0);
	snprintf(p, sizeof(p), "%s/3", base);
	cr_assert_eq(rundir_prune(base, 2, p, err), 0, "%s", err);
	cr_assert(exists(base, "6") && exists(base, "5"), "the newest two go");
	cr_assert(exists(base, "2"), "latest's target was pruned");
	cr_assert(exists(base, "3"), "the --state run directory was pruned");
	cr_assert(!exists(base, "1") && !exists(base, "4"), "old run directories stay");
	cr_assert(exists(base, "latest"));
	cr_assert(exists(tmpl, "runs"), "a symlink inside was followed");
	/* nothing to do under the limit */
	cr_assert_eq(rundir_prune(base, 20, NULL, err), 0);
	cr_assert(exists(base, "5"));
}
