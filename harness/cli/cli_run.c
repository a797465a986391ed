/*
 * konnector-harness run: start the konnector in DIR once as cozy-stack does
 * (stack: worker/exec/konnector.go, worker/exec/common.go), against the fake
 * stack, show its events live, judge it and write the run directory. A thin
 * CLI over session.h.
 */
#include "common/err.h"
#include "common/fsutil.h"
#include "common/loop.h"
#include "harness/cli/cli.h"
#include "harness/cli/cli_live.h"
#include "harness/exitcode.h"
#include "harness/job/run_options.h"
#include "harness/job/session.h"
#include "harness/job/session_prep.h"
#include "harness/judge/expect_sink.h"
#include "harness/judge/run_lint.h"
#include "harness/judge/scenario_check.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "konnector-harness run"

/* What outlives one scenario's run: --all-scenarios and the CI formats gather here. */
struct run_all {
	struct expect_sink sink; /* --format junit|github|tap */
	int sink_on;
	json_t *reports; /* --all-scenarios --format json: one array of the reports; else NULL */
	int interrupted; /* a signal stopped a run: no more scenarios */
};

struct run_cli {
	const struct run_options *o;
	struct run_all *all;
	struct loop *loop;
	struct session *s;
	struct cli_live live; /* live.lint: NULL with --no-lint */
	struct session_hooks hooks;
	int interrupted; /* the signal that stopped the run */
	int retried;     /* --like-stack: the retry is under way or done */
	int rc;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [DIR] [OPTIONS]\n\n"
		"Start the konnector in DIR (default .) exactly as cozy-stack starts it, against the fake stack,\n"
		"show its events live, judge the result as the stack does and write the run directory.\n\n"
		"%s%s\n"
		"The lint rules of `konnector-harness lint` apply to the run (stdout, stderr, the journal of its\n"
		"requests, its end); the dev config's fields are the secrets. Findings follow the verdict and go to\n"
		"report.json (\"lint\") and lint.txt in the run directory.\n\n"
		"A scenario's fixtures/<scenario>/expect.json (verdict, documents, files, requests, events, lint)\n"
		"is checked before the run (a malformed one exits 65) and after it: PASS/FAIL lines after the\n"
		"verdict, \"expectations\" in report.json. --all-scenarios runs every fixtures/<scenario>/ in name\n"
		"order (one JSON array with --format json, one junit/tap document, GitHub annotations with\n"
		"--format github; in text, a last line \"scenarios: N passed, M failed\").\n\n"
		"Exit status: 0 done, 1 errored (as the stack would judge it), 2 done but lint found errors\n"
		"(warnings too with --strict), 64 usage, 65 bad manifest, dev config, fixtures or expect.json,\n"
		"69 unavailable, 70 internal error. With an expect.json its expectations decide instead: 0 when\n"
		"they all hold and the job is done (or errored, when the file expects that verdict), else 1.\n"
		"--all-scenarios: 1 when any scenario gives 1, else the highest status.\n\n"
		"Examples:\n"
		"  konnector-harness run .\n"
		"  konnector-harness run . --scenario login-failed --level info\n"
		"  konnector-harness run . --all-scenarios --format github\n",
		run_options_help, run_options_help_run);
}

/* fixtures/…/expect.json as CI tools name files: relative to where we run, without "./". */
static void run_expect_file(const struct run_cli *c, char *out, size_t len)
{
	const char *fx = session_fixtures_dir(c->s);
	snprintf(out, len, "%s/expect.json", fx != NULL ? fx : c->o->dir);
	if (strncmp(out, "./", 2) == 0)
		memmove(out, out + 2, strlen(out + 2) + 1);
}

/* The scenario's test cases for the CI formats. */
static void run_sink_scenario(struct run_cli *c, const json_t *report)
{
	char file[PATH_MAX + 32];
	run_expect_file(c, file, sizeof(file));
	expect_sink_scenario(&c->all->sink, stdout, c->o->scenario, file,
			     json_string_value(json_object_get(report, "state")),
			     json_string_value(json_object_get(report, "error")), scenario_check_results(report));
}

/*
 * --like-stack: the stack's worker runs an errored job once more when its
 * error allows it (model/job/worker.go); the first execution's verdict is
 * shown, its run directory kept, and the retry's verdict is the job's.
 * Returns 1 when the retry is under way.
 */
static int run_retry(struct run_cli *c, const struct session_end *e)
{
	if (!c->o->like_stack || c->retried || c->interrupted || e->interrupted || e->verdict->done ||
	    !e->verdict->retry)
		return 0;
	c->retried = 1;
	char err[ERR_MAX];
	FILE *f = c->all->sink_on || c->o->json ? stderr : stdout;
	if (!c->o->json && c->all->reports == NULL)
		cli_live_verdict(&c->live, e->report, 0, f);
	run_lint_free(c->live.lint);
	c->live.lint = c->o->no_lint ? NULL : run_lint_new(session_devconfig(c->s)->fields, c->o->strict);
	if (!c->o->no_lint && c->live.lint == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 0;
	}
	fprintf(f, "\n--like-stack: the stack runs this job once more (model/job/worker.go): same job, account and "
		   "state\n\n");
	fflush(f);
	if (session_run_retry(c->s, &c->hooks, err) == 0)
		return 1;
	fprintf(stderr, PROG ": the retry could not start: %s\n", err);
	return 0;
}

static void run_on_end(void *arg, const struct session_end *e)
{
	struct run_cli *c = arg;
	if (run_retry(c, e))
		return;
	if (e->start_error != NULL)
		fprintf(stderr, PROG ": could not start the konnector: %s\n", e->start_error);
	const json_t *results = scenario_check_results(e->report);
	if (c->all->reports != NULL) {
		json_array_append(c->all->reports, e->report);
	} else if (c->o->json) {
		char *text = json_dumps(e->report, JSON_INDENT(2));
		printf("%s\n", text ? text : "{}");
		free(text);
	} else {
		/* with the CI formats stdout carries the test cases: the human part goes to stderr */
		FILE *f = c->all->sink_on ? stderr : stdout;
		cli_live_verdict(&c->live, e->report, c->interrupted, f);
		if (c->live.lint != NULL) {
			fprintf(f, "\nlint (files of the run directory):\n");
			run_lint_write_text(c->live.lint, f);
		}
		if (results != NULL) {
			char file[PATH_MAX + 32];
			run_expect_file(c, file, sizeof(file));
			fprintf(f, "\nexpectations (%s):\n", file);
			scenario_check_print(results, f);
		}
		fflush(f);
		if (c->all->sink_on)
			run_sink_scenario(c, e->report);
	}
	c->rc = e->exit_status;
	loop_stop(c->loop);
}

static void run_on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	struct run_cli *c = arg;
	if (si->ssi_signo == SIGCHLD) {
		session_on_sigchld(c->s);
		return;
	}
	/* Ctrl-C / SIGTERM: stop the konnector's group like a cancelled job (SIGKILL), then write everything */
	c->interrupted = (int)si->ssi_signo;
	if (session_running(c->s))
		session_run_stop(c->s, 0);
	else
		loop_stop(loop);
}

/* A scenario that could not run is one failed case in the CI formats. */
static void run_sink_not_run(struct run_cli *c, const char *why)
{
	if (!c->all->sink_on)
		return;
	json_t *cases = json_pack("[{s:s, s:b, s:s, s:s, s:s}]", "name", "run", "passed", 0, "expected",
				  "the scenario runs", "actual", why, "message", why);
	expect_sink_scenario(&c->all->sink, stdout, c->o->scenario, NULL, "errored", why, cases);
	json_decref(cases);
}

/* One session, one run (one scenario); returns the exit status. */
static int run_main(const struct run_options *o, struct run_all *all)
{
	char err[ERR_MAX];
	struct run_cli c = {.o = o, .all = all, .rc = EXIT_SOFTWARE};
	cli_live_init(&c.live, o);
	c.loop = loop_new(err);
	if (c.loop == NULL || loop_watch_signals(c.loop, run_on_signal, &c, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		loop_free(c.loop);
		return EXIT_SOFTWARE;
	}
	int rc = session_open(c.loop, o, 0, &c.s, err);
	if (rc == SESSION_NO_DEVCONFIG) {
		rc = cli_live_missing_config(PROG, o, session_manifest(c.s), session_devconfig_path(c.s));
		snprintf(err, sizeof(err), "%s is missing", session_devconfig_path(c.s));
		run_sink_not_run(&c, err);
		goto out;
	}
	/* a malformed expect.json is found now, not after the konnector ran */
	if (rc == EXIT_DONE && scenario_check_preflight(session_fixtures_dir(c.s), err) < 0)
		rc = EXIT_DATAERR;
	if (rc != EXIT_DONE) {
		fprintf(stderr, PROG ": %s\n", err);
		run_sink_not_run(&c, err);
		goto out;
	}
	if (o->write_config)
		fprintf(stderr, PROG ": %s exists already; --write-config never overwrites it\n",
			session_devconfig_path(c.s));
	size_t wi;
	const json_t *w;
	json_array_foreach (session_config_warnings(c.s), wi, w)
		fprintf(stderr, PROG ": warning: %s\n", json_string_value(w));
	if (!o->no_lint && (c.live.lint = run_lint_new(session_devconfig(c.s)->fields, o->strict)) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	c.hooks = cli_live_hooks(&c.live, c.s, run_on_end, &c);
	rc = session_run_start(c.s, &c.hooks, err);
	if (rc != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		run_sink_not_run(&c, err);
		goto out;
	}
	if (loop_run(c.loop, err) < 0)
		fprintf(stderr, PROG ": %s\n", err);
	rc = c.rc;
	if (c.interrupted)
		all->interrupted = c.interrupted;
out:
	session_free(c.s);
	run_lint_free(c.live.lint);
	loop_free(c.loop);
	return rc;
}

/* --all-scenarios: a session per DIR/fixtures/<name>/ in name order; 1 if any gives 1, else the highest status. */
static int run_all_scenarios(const struct run_options *o, struct run_all *all)
{
	char base[PATH_MAX], p[PATH_MAX + 256];
	snprintf(base, sizeof(base), "%s/fixtures", o->dir);
	if (o->scenario != NULL || o->fixtures != NULL || o->out != NULL || o->state != NULL) {
		return cli_usage_error(
			"run", "--all-scenarios cannot be combined with --scenario, --fixtures, --out or --state");
	}
	if (session_prep_is_scenario(base)) {
		return cli_usage_error(
			"run", "--all-scenarios: %s is itself one scenario (data/, files/… directly in it)", base);
	}
	struct dirent **names = NULL;
	int n = scandir(base, &names, NULL, alphasort);
	if (n < 0) {
		return cli_usage_error("run", "--all-scenarios: %s: %s", base, strerror(errno));
	}
	int rc = EXIT_DONE, ran = 0, passed = 0, skipped = 0;
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", base, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && fs_is_dir(p) && all->interrupted)
			skipped++;
		else if (names[i]->d_name[0] != '.' && fs_is_dir(p)) {
			if (!o->json && !all->sink_on)
				printf("%s== scenario %s\n", ran ? "\n" : "", names[i]->d_name);
			else if (all->sink_on)
				fprintf(stderr, "%s== scenario %s\n", ran ? "\n" : "", names[i]->d_name);
			fflush(stdout);
			struct run_options one = *o; /* the session keeps a pointer to it while it lives */
			one.scenario = names[i]->d_name;
			int st = run_main(&one, all);
			ran++;
			passed += st == EXIT_DONE;
			if (st == EXIT_ERRORED || rc == EXIT_ERRORED)
				rc = EXIT_ERRORED;
			else if (st > rc)
				rc = st;
		}
		free(names[i]);
	}
	free(names);
	if (ran == 0) {
		return cli_usage_error("run", "--all-scenarios: no scenario folder under %s", base);
	}
	/* one total line after the scenarios' verdicts (text; with a CI format, with the human part on stderr) */
	if (!o->json) {
		FILE *f = all->sink_on ? stderr : stdout;
		fprintf(f, "\nscenarios: %d passed, %d failed", passed, ran - passed);
		if (skipped > 0)
			fprintf(f, ", %d not run (interrupted)", skipped);
		fprintf(f, "\n");
		fflush(f);
	}
	return rc;
}

/* run or run --all-scenarios, with the CI document (junit/tap/github) or the JSON array around them. */
static int run_top(const struct run_options *o)
{
	struct run_all all = {.sink = {.fmt = o->format}, .sink_on = expect_sink_wants(o->format)};
	if (o->all_scenarios && o->json && (all.reports = json_array()) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_SOFTWARE;
	}
	if (all.sink_on)
		expect_sink_begin(&all.sink, stdout);
	int rc = o->all_scenarios ? run_all_scenarios(o, &all) : run_main(o, &all);
	if (all.sink_on)
		expect_sink_end(&all.sink, stdout);
	if (all.reports != NULL) {
		char *text = json_dumps(all.reports, JSON_INDENT(2));
		printf("%s\n", text ? text : "[]");
		free(text);
		json_decref(all.reports);
	}
	return rc;
}

int cli_run(int argc, char **argv)
{
	struct run_options o;
	char err[ERR_MAX];
	int rc;
	switch (run_options_parse(argc, argv, &o, err)) {
	case RUN_OPTIONS_OK:
		rc = run_top(&o);
		break;
	case RUN_OPTIONS_HELP:
		run_usage(stdout);
		rc = EXIT_DONE;
		break;
	case RUN_OPTIONS_UNKNOWN:
	case RUN_OPTIONS_USAGE:
		rc = cli_usage_error("run", "%s", err);
		break;
	default:
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_SOFTWARE;
		break;
	}
	run_options_free(&o);
	return rc;
}
