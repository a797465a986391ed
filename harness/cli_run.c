/*
 * konnector-harness run: start the konnector in DIR once as cozy-stack does
 * (stack.md §1), against the fake stack, show its events live, judge it and
 * write the run directory. A thin CLI over session.h.
 */
#include "common/err.h"
#include "common/loop.h"
#include "harness/cli.h"
#include "harness/cli_live.h"
#include "harness/exitcode.h"
#include "harness/run_lint.h"
#include "harness/run_options.h"
#include "harness/session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "konnector-harness run"

struct run_cli {
	const struct run_options *o;
	struct loop *loop;
	struct session *s;
	struct cli_live live;
	struct run_lint *lint; /* NULL with --no-lint */
	int interrupted; /* the signal that stopped the run */
	int rc;
};

static void run_usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [DIR] [OPTIONS]\n\n"
		   "Start the konnector in DIR (default .) exactly as cozy-stack starts it, against the fake stack,\n"
		   "show its events live, judge the result as the stack does and write the run directory.\n\n"
		   "%s\n"
		   "The lint rules of `konnector-harness lint` apply to the run (stdout, stderr, the journal of its\n"
		   "requests, its end); the dev config's fields are the secrets. Findings follow the verdict and go to\n"
		   "report.json (\"lint\") and lint.txt in the run directory.\n\n"
		   "Exit status: 0 done, 1 errored (as the stack would judge it), 2 done but lint found errors\n"
		   "(warnings too with --strict), 64 usage, 65 bad manifest, dev config or fixtures,\n"
		   "69 unavailable, 70 internal error.\n",
		run_options_help);
}

static void run_on_line(void *arg, const struct session_line *l)
{
	struct run_cli *c = arg;
	cli_live_line(&c->live, l);
	if (c->lint != NULL)
		run_lint_line(c->lint, l);
}

static void run_on_too_long(void *arg, size_t lineno, const char *warning)
{
	struct run_cli *c = arg;
	cli_live_too_long(&c->live, warning);
	if (c->lint != NULL)
		run_lint_too_long(c->lint, lineno);
}

static void run_on_err(void *arg, const char *data, size_t len)
{
	struct run_cli *c = arg;
	cli_live_stderr(&c->live, data, len);
	if (c->lint != NULL)
		run_lint_stderr(c->lint, data, len);
}

static void run_on_check(void *arg, struct session_end *e)
{
	struct run_cli *c = arg;
	if (c->lint != NULL)
		run_lint_check(c->lint, e);
}

static void run_on_end(void *arg, const struct session_end *e)
{
	struct run_cli *c = arg;
	if (e->start_error != NULL)
		fprintf(stderr, PROG ": could not start the konnector: %s\n", e->start_error);
	if (c->o->json) {
		char *text = json_dumps(e->report, JSON_INDENT(2));
		printf("%s\n", text ? text : "{}");
		free(text);
	} else {
		cli_live_verdict(&c->live, e->report, c->interrupted, stdout);
		if (c->lint != NULL) {
			printf("\nlint (files of the run directory):\n");
			run_lint_write_text(c->lint, stdout);
		}
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

/* Everything after the options are parsed; returns the exit status. */
static int run_main(const struct run_options *o)
{
	char err[ERR_MAX];
	struct run_cli c = {.o = o, .rc = EXIT_SOFTWARE};
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
		goto out;
	}
	if (rc != EXIT_DONE) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	if (o->write_config)
		fprintf(stderr, PROG ": %s exists already; --write-config never overwrites it\n",
			session_devconfig_path(c.s));
	if (!o->no_lint && (c.lint = run_lint_new(session_devconfig(c.s)->fields, o->strict)) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}
	struct session_hooks hooks = {.line = run_on_line, .too_long = run_on_too_long, .err = run_on_err,
				      .check = run_on_check, .end = run_on_end, .arg = &c};
	rc = session_run_start(c.s, &hooks, err);
	if (rc != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	if (loop_run(c.loop, err) < 0)
		fprintf(stderr, PROG ": %s\n", err);
	rc = c.rc;
out:
	session_free(c.s);
	run_lint_free(c.lint);
	loop_free(c.loop);
	return rc;
}

int cli_run(int argc, char **argv)
{
	struct run_options o;
	char err[ERR_MAX];
	int rc;
	switch (run_options_parse(argc, argv, &o, err)) {
	case RUN_OPTIONS_OK: rc = run_main(&o); break;
	case RUN_OPTIONS_HELP: run_usage(stdout); rc = EXIT_DONE; break;
	case RUN_OPTIONS_UNKNOWN:
		fprintf(stderr, PROG ": %s\n\n", err);
		run_usage(stderr);
		rc = EXIT_USAGE;
		break;
	case RUN_OPTIONS_USAGE: fprintf(stderr, PROG ": %s\n", err); rc = EXIT_USAGE; break;
	default: fprintf(stderr, PROG ": %s\n", err); rc = EXIT_SOFTWARE; break;
	}
	run_options_free(&o);
	return rc;
}
