/*
 * harness/watch/watch.c driven through the loop on a temp dir, saving files the way
 * editors and tools do. "Exactly one callback" is checked with a sentinel: a
 * later change must arrive alone in the very next callback, which it could
 * not if the burst had left anything behind.
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "harness/watch/watch.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

struct rec {
	int calls;
	char last[8192]; /* the last callback's paths, comma-separated */
	int fixture;
	int overflow;
	int warnings;
};

static char tmp[256];
static struct loop *loop;
static struct watch *w;
static struct rec rec;

static void on_change(struct watch *wt, const struct watch_change *ch, void *arg)
{
	(void)wt;
	struct rec *r = arg;
	r->calls++;
	r->last[0] = '\0';
	for (size_t i = 0; i < ch->npaths; i++) {
		if (i > 0)
			strcat(r->last, ",");
		strncat(r->last, ch->paths[i], sizeof(r->last) - strlen(r->last) - 2);
	}
	cr_assert_null(ch->paths[ch->npaths]);
	r->fixture = ch->fixtures_changed;
	r->overflow = ch->overflow;
}

static void on_warning(struct watch *wt, const char *msg, void *arg)
{
	(void)wt;
	(void)msg;
	((struct rec *)arg)->warnings++;
}

static char *at(const char *rel)
{
	static char bufs[4][512];
	static int k;
	char *b = bufs[k++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s/%s", tmp, rel);
	return b;
}

/* write(2) and close: one IN_CLOSE_WRITE (and IN_CREATE when new). */
static void put(const char *rel, const char *text)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "open %s: %s", rel, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(close(fd), 0);
}

static void mkd(const char *rel)
{
	cr_assert_eq(mkdir(at(rel), 0755), 0, "mkdir %s: %s", rel, strerror(errno));
}

/* Pump the loop until `calls` callbacks arrived, at most 5 s (a bound, not a delay). */
static void pump_until(int calls)
{
	char err[ERR_MAX];
	long long deadline = loop_now_ms() + 5000;
	while (rec.calls < calls && loop_now_ms() < deadline)
		cr_assert_eq(loop_run_once(loop, 100, err), 0, "%s", err);
	cr_assert_eq(rec.calls, calls, "waited for callback %d, got %d (last: %s)", calls, rec.calls, rec.last);
}

/* A fresh change must come alone in the next callback: nothing else was pending. */
static void expect_nothing_pending(void)
{
	int before = rec.calls;
	put("sentinel.txt", "s");
	pump_until(before + 1);
	cr_expect_str_eq(rec.last, "sentinel.txt", "something besides the sentinel was reported");
}

static void start_with(const char *fixtures, const char *const *files, size_t nfiles, const char *const *ignores,
		       size_t nignores, long long debounce)
{
	char err[ERR_MAX];
	struct watch_options o = {
		.dir = tmp,
		.fixtures_dir = fixtures,
		.files = files,
		.nfiles = nfiles,
		.ignores = ignores,
		.nignores = nignores,
		.debounce_ms = debounce,
		.on_change = on_change,
		.on_warning = on_warning,
		.arg = &rec,
	};
	w = watch_start(loop, &o, err);
	cr_assert_not_null(w, "%s", err);
}

static void setup(void)
{
	char err[ERR_MAX];
	snprintf(tmp, sizeof(tmp), "%s/kh-watch-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	cr_assert_not_null(mkdtemp(tmp));
	loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	memset(&rec, 0, sizeof(rec));
	w = NULL;
	put("index.js", "v1\n");
}

static void teardown(void)
{
	watch_stop(w);
	loop_free(loop);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(watch, .init = setup, .fini = teardown);

Test(watch, save_in_place_is_one_change)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	put("index.js", "v2\n");
	pump_until(1);
	cr_expect_str_eq(rec.last, "index.js");
	cr_expect_eq(rec.fixture, 0);
	expect_nothing_pending();
}

Test(watch, vim_rename_save_is_one_change_of_the_file)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	/* vim: probe the directory with 4913, back up by rename, write anew, drop the backup */
	put("4913", "");
	cr_assert_eq(unlink(at("4913")), 0);
	cr_assert_eq(rename(at("index.js"), at("index.js~")), 0);
	put("index.js", "v2\n");
	cr_assert_eq(unlink(at("index.js~")), 0);
	pump_until(1);
	cr_expect_str_eq(rec.last, "index.js");
	expect_nothing_pending();
}

Test(watch, sed_in_place_rename_over_is_one_change)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	put("sedAb12Cd", "v2\n");
	cr_assert_eq(rename(at("sedAb12Cd"), at("index.js")), 0);
	pump_until(1);
	cr_expect_str_eq(rec.last, "index.js");
	expect_nothing_pending();
}

Test(watch, burst_of_30_files_is_one_callback)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	for (int i = 0; i < 30; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%02d.js", i);
		put(name, "x");
	}
	pump_until(1);
	cr_expect_eq(strlen(rec.last), 30 * 7 - 1, "30 paths: %s", rec.last);
	cr_expect(strncmp(rec.last, "f00.js,f01.js", 13) == 0, "%s", rec.last);
	expect_nothing_pending();
}

Test(watch, new_subdirectory_and_its_files_are_seen)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	size_t before = watch_dir_count(w);
	mkd("lib");
	mkd("lib/deep");
	put("lib/deep/a.js", "a"); /* likely written before the watch on lib/deep exists */
	pump_until(1);
	cr_expect_str_eq(rec.last, "lib,lib/deep,lib/deep/a.js");
	cr_expect_eq(watch_dir_count(w), before + 2);
	put("lib/deep/b.js", "b");
	pump_until(2);
	cr_expect_str_eq(rec.last, "lib/deep/b.js");
}

Test(watch, moved_directory_is_followed_under_its_new_name)
{
	mkd("lib");
	put("lib/a.js", "a");
	start_with(NULL, NULL, 0, NULL, 0, 50);
	cr_assert_eq(rename(at("lib"), at("src")), 0);
	pump_until(1);
	cr_expect_str_eq(rec.last, "lib,src,src/a.js");
	put("src/b.js", "b");
	pump_until(2);
	cr_expect_str_eq(rec.last, "src/b.js");
}

Test(watch, default_ignores_give_no_callback)
{
	mkd("node_modules");
	mkd("node_modules/dep");
	mkd(".git");
	mkd("data");
	start_with(NULL, NULL, 0, NULL, 0, 50);
	size_t dirs = watch_dir_count(w);
	cr_expect_eq(dirs, 1, "only DIR itself is watched, not the ignored folders");
	put("node_modules/dep/index.js", "x");
	put("node_modules/x.js", "x");
	put(".git/HEAD", "ref");
	put("data/importedData.json", "{}");
	mkd(".harness");
	mkd(".harness/runs");
	put(".harness/runs/x.json", "{}");
	put(".index.js.swp", "x");
	put(".index.js.swx", "x");
	put("index.js~", "x");
	put(".#index.js", "x");
	mkd("lib");
	mkd("lib/node_modules");
	put("lib/node_modules/y.js", "y");
	pump_until(1);
	cr_expect_str_eq(rec.last, "lib", "only the new lib/ counts");
	cr_expect_eq(watch_dir_count(w), dirs + 1, "lib/node_modules is not watched");
	expect_nothing_pending();
}

Test(watch, ignore_globs_give_no_callback)
{
	static const char *const ignores[] = {"*.log", "/tmp/", "docs/**/*.md"};
	mkd("docs");
	start_with(NULL, NULL, 0, ignores, sizeof(ignores) / sizeof(ignores[0]), 50);
	put("debug.log", "x");
	mkd("tmp");
	put("tmp/x.js", "x");
	mkd("docs/a");
	put("docs/a/readme.md", "x");
	pump_until(1);
	cr_expect_str_eq(rec.last, "docs/a", "only the new docs/a counts");
	expect_nothing_pending();
}

Test(watch, gitignored_files_give_no_callback)
{
	put(".gitignore", "secret.txt\nbuild/\n*.tmp\n!keep.tmp\n");
	mkd("build");
	start_with(NULL, NULL, 0, NULL, 0, 50);
	put("secret.txt", "x");
	put("build/out.js", "x");
	put("a.tmp", "x");
	expect_nothing_pending();
	put("keep.tmp", "x");
	pump_until(2);
	cr_expect_str_eq(rec.last, "keep.tmp");
}

Test(watch, gitignore_edits_apply_at_once)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	put(".gitignore", "gen.js\n");
	pump_until(1);
	cr_expect_str_eq(rec.last, ".gitignore");
	put("gen.js", "x");
	expect_nothing_pending();
}

Test(watch, fixtures_inside_dir_are_flagged_and_exempt_from_gitignore)
{
	put(".gitignore", "fixtures/\n");
	mkd("fixtures");
	mkd("fixtures/s1");
	mkd("fixtures/s1/data");
	mkd("fixtures/s1/data/io.cozy.bills");
	start_with(at("fixtures/s1"), NULL, 0, NULL, 0, 50);
	put("fixtures/s1/data/io.cozy.bills/b1.json", "{}");
	pump_until(1);
	cr_expect_str_eq(rec.last, "fixtures/s1/data/io.cozy.bills/b1.json");
	cr_expect_eq(rec.fixture, 1);
	put("index.js", "v2");
	pump_until(2);
	cr_expect_eq(rec.fixture, 0);
}

Test(watch, fixtures_outside_dir_are_watched_too)
{
	char out[300], file[400];
	snprintf(out, sizeof(out), "%s-fixtures", tmp);
	cr_assert_eq(mkdir(out, 0755), 0);
	start_with(out, NULL, 0, NULL, 0, 50);
	snprintf(file, sizeof(file), "%s/account.json", out);
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs("{}", f);
	fclose(f);
	pump_until(1);
	char want[400];
	snprintf(want, sizeof(want), "%s/account.json", out);
	cr_expect_str_eq(rec.last, want);
	cr_expect_eq(rec.fixture, 1);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
	cr_expect_eq(system(cmd), 0);
}

Test(watch, explicit_files_count_even_when_ignored)
{
	put(".gitignore", "konnector-dev-config.json\n");
	put("konnector-dev-config.json", "{}");
	mkd(".harness");
	put(".harness/manifest.konnector", "{}");
	static const char *files[2];
	files[0] = at("konnector-dev-config.json");
	files[1] = at(".harness/manifest.konnector");
	const char *const fl[] = {files[0], files[1]};
	start_with(NULL, fl, 2, NULL, 0, 50);
	put("konnector-dev-config.json", "{\"fields\":{}}");
	pump_until(1);
	cr_expect_str_eq(rec.last, "konnector-dev-config.json");
	put(".harness/manifest.konnector", "{\"slug\":\"x\"}");
	put(".harness/other", "x");
	pump_until(2);
	cr_expect_str_eq(rec.last, ".harness/manifest.konnector");
	expect_nothing_pending();
}

Test(watch, debounce_zero_still_reports)
{
	start_with(NULL, NULL, 0, NULL, 0, 0);
	put("index.js", "v2\n");
	pump_until(1);
	cr_expect_str_eq(rec.last, "index.js");
}

Test(watch, a_file_still_being_written_holds_the_window)
{
	start_with(NULL, NULL, 0, NULL, 0, 20);
	int fd = open(at("big.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "part", 4), 4);
	put("other.js", "x");
	/* several quiet windows pass while big.bin is open: no callback may fire yet */
	char err[ERR_MAX];
	for (long long end = loop_now_ms() + 150; loop_now_ms() < end;)
		loop_run_once(loop, 20, err);
	cr_expect_eq(rec.calls, 0, "fired with big.bin still open: %s", rec.last);
	cr_assert_eq(close(fd), 0);
	pump_until(1);
	cr_expect_str_eq(rec.last, "big.bin,other.js");
}

Test(watch, deleted_file_is_a_change)
{
	start_with(NULL, NULL, 0, NULL, 0, 50);
	cr_assert_eq(unlink(at("index.js")), 0);
	pump_until(1);
	cr_expect_str_eq(rec.last, "index.js");
}

static int fake_add_watch_enospc(int fd, const char *path, uint32_t mask)
{
	(void)fd;
	(void)path;
	(void)mask;
	errno = ENOSPC;
	return -1;
}

Test(watch, enospc_says_how_to_raise_the_limit)
{
	char err[ERR_MAX] = "";
	struct watch_options o = {
		.dir = tmp, .debounce_ms = 50, .on_change = on_change, .arg = &rec, .add_watch = fake_add_watch_enospc};
	cr_assert_null(watch_start(loop, &o, err));
	cr_expect(strstr(err, "sudo sysctl fs.inotify.max_user_watches=") != NULL, "%s", err);
	cr_expect(strstr(err, tmp) != NULL, "%s", err);
}

Test(watch, missing_dir_is_an_error)
{
	char err[ERR_MAX] = "";
	struct watch_options o = {.dir = at("nope"), .on_change = on_change, .arg = &rec};
	cr_assert_null(watch_start(loop, &o, err));
	cr_expect(strstr(err, "not a directory") != NULL, "%s", err);
}
