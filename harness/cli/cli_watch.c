/*
 * konnector-harness watch [DIR]: run the konnector as `run` does, and again on
 * every change of its files, fixtures, dev config or manifest. One
 * loop: the watcher's inotify fd, the fake stack (kept across runs), the
 * konnector's pipes and SIGCHLD through the signalfd, and the terminal's keys.
 * Over 600 lines on purpose: watch's keys, reruns and status line share one
 * state machine, read at once here.
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "harness/cli/cli.h"
#include "harness/cli/cli_live.h"
#include "harness/exitcode.h"
#include "harness/job/reaper.h"
#include "harness/job/run_options.h"
#include "harness/job/session.h"
#include "harness/judge/expect_sink.h"
#include "harness/judge/run_lint.h"
#include "harness/judge/scenario_check.h"
#include "harness/watch/watch.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PROG "konnector-harness watch"
#define WATCH_MAX_IGNORES 64

enum on_busy { ON_BUSY_RESTART, ON_BUSY_QUEUE };

static const struct {
	const char *name;
	enum on_busy value;
} on_busy_table[] = {
	{"restart", ON_BUSY_RESTART},
	{"queue", ON_BUSY_QUEUE},
};

struct watch_cli {
	struct run_options o;
	struct loop *loop;
	struct watch *w;
	struct session *s;
	struct cli_live live; /* live.lint: the current run's; NULL with --no-lint */
	const char *ignores[WATCH_MAX_IGNORES + 4];
	size_t nignores;
	char *out_ignore; /* "/<--out relative to DIR>/" when it is inside DIR */
	long long debounce_ms, stop_timeout_ms;
	enum on_busy on_busy;
	int keep_state, clear, postpone;
	int run_no;
	char reason[256];         /* what started the current run */
	char pending_reason[256]; /* what asks for the next one */
	int pending, pending_fixtures;
	int stopping; /* the current run was asked to stop */
	int quitting; /* 1 after q or a signal; 2 after a second one: SIGKILL at once */
	int tty;
	struct termios saved_tio;
	json_t *warned; /* the dev config warnings shown last: shown again only when they change */
};

static void watch_usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [DIR] [OPTIONS]\n\n"
		"Run the konnector in DIR (default .) as `run` does, against a fake stack kept running,\n"
		"and again on every change of its files, fixtures, dev config or manifest.\n"
		"On a terminal, Enter reruns now and q quits; Ctrl-C stops the run and exits 0.\n\n"
		"Watch options:\n"
		"  --debounce MS        quiet window before a burst of changes starts a run (default 50)\n"
		"  --on-busy restart|queue\n"
		"                       a change during a run stops it (restart, default) or runs once more after it\n"
		"  --stop-timeout SEC   on restart, SIGTERM to the konnector's process group, SIGKILL after SEC\n"
		"                       (default 2; the real stack only SIGKILLs, at the time limit)\n"
		"  --ignore GLOB        ignore more paths (gitignore syntax; repeatable)\n"
		"  --keep-state         each run sees what the previous one saved (a fixture change still reloads)\n"
		"  --clear              clear the screen before each run\n"
		"  --postpone           wait for the first change before the first run\n\n"
		"Options shared with run:\n%s\n"
		"Each run starts with a line saying what changed and ends with one status line.\n"
		"Always ignored: node_modules/, .git/, .harness/, data/, *.swp, *.swx, *~, 4913, .#*,\n"
		"and what .gitignore files say. Exit status: 0 after q or Ctrl-C, 64 usage, 65 bad manifest,\n"
		"dev config, fixtures or expect.json at start, 69 unavailable (inotify), 70 internal error.\n\n"
		"Examples:\n"
		"  konnector-harness watch .\n"
		"  konnector-harness watch . --keep-state --level info\n"
		"  konnector-harness watch . --scenario login-failed --on-busy queue\n",
		run_options_help);
}

enum {
	OPT_DEBOUNCE = RUN_OPTIONS_EXTRA_BASE,
	OPT_ON_BUSY,
	OPT_STOP_TIMEOUT,
	OPT_IGNORE,
	OPT_KEEP,
	OPT_CLEAR,
	OPT_POSTPONE
};

static const struct option watch_longopts[] = {
	{"debounce", required_argument, NULL, OPT_DEBOUNCE},
	{"on-busy", required_argument, NULL, OPT_ON_BUSY},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"ignore", required_argument, NULL, OPT_IGNORE},
	{"keep-state", no_argument, NULL, OPT_KEEP},
	{"clear", no_argument, NULL, OPT_CLEAR},
	{"postpone", no_argument, NULL, OPT_POSTPONE},
	{NULL, 0, NULL, 0},
};

static int watch_parse_ms(const char *s, double scale, long long *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || v < 0 || v * scale > 24.0 * 3600 * 1000)
		return -1;
	*out = (long long)(v * scale + 0.5);
	return 0;
}

/* One of watch's own options (run_options_extra's handler). */
static int watch_option(void *arg, int val, const char *optarg, char *err)
{
	struct watch_cli *cli = arg;
	size_t i, n = sizeof(on_busy_table) / sizeof(on_busy_table[0]);
	switch (val) {
	case OPT_DEBOUNCE:
		if (watch_parse_ms(optarg, 1, &cli->debounce_ms) < 0)
			return err_set(err, "bad value '%s' for --debounce (milliseconds)", optarg);
		return 0;
	case OPT_STOP_TIMEOUT:
		if (watch_parse_ms(optarg, 1000, &cli->stop_timeout_ms) < 0)
			return err_set(err, "bad value '%s' for --stop-timeout (seconds)", optarg);
		return 0;
	case OPT_ON_BUSY:
		for (i = 0; i < n; i++)
			if (strcmp(optarg, on_busy_table[i].name) == 0)
				break;
		if (i == n)
			return err_set(err, "bad value '%s' for --on-busy (restart or queue)", optarg);
		cli->on_busy = on_busy_table[i].value;
		return 0;
	case OPT_IGNORE:
		if (cli->nignores == WATCH_MAX_IGNORES)
			return err_set(err, "at most %d --ignore", WATCH_MAX_IGNORES);
		cli->ignores[cli->nignores++] = optarg;
		return 0;
	case OPT_KEEP:
		cli->keep_state = 1;
		return 0;
	case OPT_CLEAR:
		cli->clear = 1;
		return 0;
	case OPT_POSTPONE:
		cli->postpone = 1;
		return 0;
	}
	return err_set(err, "unknown option");
}

/* "index.js", "index.js +2 more" */
static void watch_describe(const struct watch_change *ch, char *out, size_t len)
{
	if (ch->overflow || ch->npaths == 0) {
		snprintf(out, len, "many changes (events lost)");
		return;
	}
	const char *first = ch->paths[0];
	for (size_t i = 0; i < ch->npaths; i++) /* a source file says more than a new directory */
		if (strchr(ch->paths[i], '.') != NULL) {
			first = ch->paths[i];
			break;
		}
	if (ch->npaths > 1)
		snprintf(out, len, "%s +%zu more", first, ch->npaths - 1);
	else
		snprintf(out, len, "%s", first);
}

/* ---- one run ---- */

/* Where the status line goes: stdout, unless stdout carries one JSON report per run. */
static FILE *watch_status_out(const struct watch_cli *cli)
{
	return cli->o.json ? stderr : stdout;
}

/* Documents (every doctype but io.cozy.files) and files created or updated, from stack_changes. */
static void watch_count_saved(const json_t *changes, long long *docs, long long *files)
{
	*docs = *files = 0;
	const char *dt;
	json_t *c;
	json_object_foreach ((json_t *)changes, dt, c) {
		long long n = (long long)(json_integer_value(json_object_get(c, "created")) +
					  json_integer_value(json_object_get(c, "updated")));
		if (strcmp(dt, "io.cozy.files") == 0)
			*files += n;
		else
			*docs += n;
	}
}

/* The one-line status between runs. */
static void watch_print_status(struct watch_cli *cli, const struct session_end *e)
{
	char verdict[512];
	const json_t *proc = json_object_get(e->report, "process");
	if (e->interrupted) {
		const char *end = json_string_value(json_object_get(proc, "end"));
		int sig = (int)json_integer_value(json_object_get(proc, "signal"));
		if (end != NULL && strcmp(end, "signaled") == 0 && sigabbrev_np(sig) != NULL)
			snprintf(verdict, sizeof(verdict), "stopped by %s", sigabbrev_np(sig));
		else
			snprintf(verdict, sizeof(verdict), "stopped (%s)", e->verdict->done ? "done" : "errored");
		if (cli->pending && !cli->quitting)
			snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict), " (restarting)");
	} else if (e->verdict->done) {
		snprintf(verdict, sizeof(verdict), "done");
	} else {
		snprintf(verdict, sizeof(verdict), "errored: %.400s", e->verdict->error ? e->verdict->error : "?");
	}
	long long docs, files, ms = e->duration_ms;
	watch_count_saved(e->changes, &docs, &files);
	char lint[224] = "";
	if (cli->live.lint != NULL)
		snprintf(lint, sizeof(lint), " · lint %zu finding%s%s", run_lint_findings(cli->live.lint),
			 run_lint_findings(cli->live.lint) == 1 ? "" : "s",
			 run_lint_failures(cli->live.lint) ? (cli->o.strict ? " (failing)" : " (errors)") : "");
	/* --save-tokens: the last save of this run, masked */
	const json_t *saved = json_object_get(e->report, "saved_tokens");
	const json_t *last = json_array_get(saved, json_array_size(saved) ? json_array_size(saved) - 1 : 0);
	const char *at = json_string_value(json_object_get(last, "access_token"));
	if (last != NULL)
		snprintf(lint + strlen(lint), sizeof(lint) - strlen(lint), " · tokens saved (access_token %.20s)",
			 at ? at : "unchanged");
	const json_t *results = scenario_check_results(e->report);
	if (results != NULL) {
		size_t i, passed = 0;
		const json_t *r;
		json_array_foreach (results, i, r)
			passed += json_is_true(json_object_get(r, "passed"));
		snprintf(lint + strlen(lint), sizeof(lint) - strlen(lint), " · expectations %zu/%zu passed", passed,
			 json_array_size(results));
	}
	FILE *f = watch_status_out(cli);
	fprintf(f, "%s[watch] run %d · %s · %s · %lld.%02lld s · %lld document%s, %lld file%s saved%s · %s%s\n",
		cli_live_c(&cli->live, C_BOLD), cli->run_no, cli->reason, verdict, ms / 1000, (ms % 1000) / 10, docs,
		docs == 1 ? "" : "s", files, files == 1 ? "" : "s", lint, e->run_dir, cli_live_c(&cli->live, C_RESET));
	/* the findings after the verdict, as `konnector-harness lint` prints them */
	if (cli->live.lint != NULL && run_lint_findings(cli->live.lint) > 0)
		run_lint_write_text(cli->live.lint, f);
	if (results != NULL && json_array_size(results) > 0)
		scenario_check_print(results, f);
	fflush(f);
}

static void watch_start_run(struct watch_cli *cli, const char *reason, int fixtures_changed);

/* The dev config's warnings (unknown keys, undeclared fields), when they differ from the ones shown last. */
static void watch_show_warnings(struct watch_cli *cli)
{
	const json_t *now = session_config_warnings(cli->s);
	if (now == NULL || (cli->warned != NULL && json_equal(cli->warned, now)))
		return;
	size_t i;
	const json_t *w;
	json_array_foreach (now, i, w)
		fprintf(stderr, PROG ": warning: %s\n", json_string_value(w));
	json_decref(cli->warned);
	cli->warned = json_deep_copy(now);
}

static void watch_on_end(void *arg, const struct session_end *e)
{
	struct watch_cli *cli = arg;
	cli->stopping = 0;
	if (e->start_error != NULL)
		fprintf(stderr, PROG ": could not start the konnector: %s\n", e->start_error);
	if (cli->o.json) {
		char *text = json_dumps(e->report, JSON_COMPACT);
		printf("%s\n", text ? text : "{}");
		free(text);
		fflush(stdout);
	}
	watch_print_status(cli, e);
	run_lint_free(cli->live.lint);
	cli->live.lint = NULL;
	if (cli->quitting) {
		loop_stop(cli->loop);
		return;
	}
	if (cli->pending) {
		char reason[256];
		snprintf(reason, sizeof(reason), "%s", cli->pending_reason);
		watch_start_run(cli, reason, cli->pending_fixtures);
	}
}

/* A run that could not even start (bad fixtures, dev config, no entry): say so, wait for the next change. */
static void watch_not_run(struct watch_cli *cli, const char *err)
{
	FILE *f = watch_status_out(cli);
	fprintf(f, "[watch] run %d · %s · not run: %s\n", cli->run_no, cli->reason, err);
	fflush(f);
}

static void watch_start_run(struct watch_cli *cli, const char *reason, int fixtures_changed)
{
	char err[ERR_MAX];
	if (cli->clear)
		fputs("\033[H\033[2J", stdout);
	cli->run_no++;
	snprintf(cli->reason, sizeof(cli->reason), "%s", reason);
	cli->pending = cli->pending_fixtures = 0;
	cli->pending_reason[0] = '\0';
	/* what starts it, before its events: the status line only comes at its end */
	FILE *f = watch_status_out(cli);
	int plain = strcmp(reason, "start") == 0 || strcmp(reason, "Enter") == 0 ||
		    strncmp(reason, "many changes", 12) == 0;
	fprintf(f, "%s[watch] starting run %d · %s%s%s\n", cli_live_c(&cli->live, C_BOLD), cli->run_no,
		strcmp(reason, "start") == 0   ? "first run"
		: strcmp(reason, "Enter") == 0 ? "Enter pressed"
					       : reason,
		plain ? "" : " changed", cli_live_c(&cli->live, C_RESET));
	fflush(f);
	fflush(stdout);
	/* a fixture change reloads the state; otherwise every run but the first starts from the fixtures
	 * again, unless --keep-state lets it see what the previous one saved */
	if ((fixtures_changed || (cli->run_no > 1 && !cli->keep_state)) && session_reset(cli->s, err) < 0) {
		watch_not_run(cli, err);
		return;
	}
	int rc = session_reload(cli->s, err);
	if (rc == SESSION_NO_DEVCONFIG) {
		char msg[ERR_MAX + 64];
		snprintf(msg, sizeof(msg), "%s is missing", session_devconfig_path(cli->s));
		watch_not_run(cli, msg);
		return;
	}
	if (rc != EXIT_DONE || scenario_check_preflight(session_fixtures_dir(cli->s), err) < 0) {
		watch_not_run(cli, err);
		return;
	}
	watch_show_warnings(cli);
	run_lint_free(cli->live.lint);
	cli->live.lint = NULL;
	if (!cli->o.no_lint &&
	    (cli->live.lint = run_lint_new(session_devconfig(cli->s)->fields, cli->o.strict)) == NULL) {
		watch_not_run(cli, "out of memory");
		return;
	}
	/* lint and the scenario's expect.json as run has them (the exit status means nothing here) */
	struct session_hooks hooks = cli_live_hooks(&cli->live, cli->s, watch_on_end, cli);
	if (session_run_start(cli->s, &hooks, err) != 0) {
		run_lint_free(cli->live.lint);
		cli->live.lint = NULL;
		watch_not_run(cli, err);
	}
}

/* A change (or Enter): run now, or stop the current run first (restart), or run once more after it (queue). */
static void watch_request_run(struct watch_cli *cli, const char *reason, int fixtures_changed)
{
	if (cli->quitting)
		return;
	if (!session_running(cli->s)) {
		watch_start_run(cli, reason, fixtures_changed);
		return;
	}
	snprintf(cli->pending_reason, sizeof(cli->pending_reason), "%s", reason);
	cli->pending = 1;
	cli->pending_fixtures |= fixtures_changed;
	if (cli->on_busy == ON_BUSY_RESTART && !cli->stopping) {
		cli->stopping = 1;
		session_run_stop(cli->s, cli->stop_timeout_ms);
	}
}

/*
 * The change is only our own --save-tokens write of the dev config (the file
 * and atomic_write's temp file next to it): no reason to rerun, or a konnector
 * that refreshes on every run would run forever.
 */
static int watch_only_own_save(struct watch_cli *cli, const struct watch_change *ch)
{
	if (ch->overflow || ch->npaths == 0 || !session_devconfig_is_own_write(cli->s))
		return 0;
	const char *dc = session_devconfig_path(cli->s);
	const char *base = strrchr(dc, '/') ? strrchr(dc, '/') + 1 : dc;
	size_t n = strlen(base);
	for (size_t i = 0; i < ch->npaths; i++) {
		const char *p = strrchr(ch->paths[i], '/') ? strrchr(ch->paths[i], '/') + 1 : ch->paths[i];
		if (strncmp(p, base, n) != 0 || (p[n] != '\0' && strncmp(p + n, ".tmp-", 5) != 0))
			return 0;
	}
	return 1;
}

static void watch_on_change(struct watch *w, const struct watch_change *ch, void *arg)
{
	(void)w;
	struct watch_cli *cli = arg;
	if (watch_only_own_save(cli, ch))
		return;
	char reason[256];
	watch_describe(ch, reason, sizeof(reason));
	watch_request_run(cli, reason, ch->fixtures_changed || ch->overflow);
}

static void watch_on_warning(struct watch *w, const char *msg, void *arg)
{
	(void)w;
	(void)arg;
	fprintf(stderr, PROG ": %s\n", msg);
}

/* q or a signal: stop the run (SIGTERM, SIGKILL after --stop-timeout; a second time at once), then leave. */
static void watch_quit(struct watch_cli *cli)
{
	cli->quitting++;
	if (!session_running(cli->s)) {
		loop_stop(cli->loop);
		return;
	}
	if (!cli->stopping || cli->quitting > 1) {
		cli->stopping = 1;
		session_run_stop(cli->s, cli->quitting > 1 ? 0 : cli->stop_timeout_ms);
	}
}

static void watch_on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	(void)loop;
	struct watch_cli *cli = arg;
	if (si->ssi_signo == SIGCHLD) {
		session_on_sigchld(cli->s);
		reaper_reap_orphans(session_child_pid(cli->s));
	} else {
		watch_quit(cli);
	}
}

static void watch_on_key(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)events;
	struct watch_cli *cli = arg;
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0) {
		loop_del_fd(loop, fd);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == 'q') {
			watch_quit(cli);
			return;
		}
		if (buf[i] == '\n' || buf[i] == '\r') {
			watch_request_run(cli, "Enter", 0);
			return;
		}
	}
}

/* Keys without waiting for a line and without echo; restored by watch_tty_restore. */
static void watch_tty_raw(struct watch_cli *cli)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &cli->saved_tio) < 0)
		return;
	struct termios t = cli->saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		cli->tty = 1;
}

static void watch_tty_restore(struct watch_cli *cli)
{
	if (cli->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &cli->saved_tio);
	cli->tty = 0;
}

/* --out inside DIR would rerun on every run's own writes: ignore it ("/<rel>/"). */
static int watch_ignore_out(struct watch_cli *cli, char *err)
{
	if (cli->o.out == NULL)
		return 0;
	if (mkdir_p(cli->o.out, err) < 0)
		return -1;
	char *dir = realpath(cli->o.dir, NULL), *out = realpath(cli->o.out, NULL);
	size_t n = dir ? strlen(dir) : 0;
	if (dir != NULL && out != NULL && strncmp(out, dir, n) == 0 && out[n] == '/' &&
	    asprintf(&cli->out_ignore, "%s/", out + n) >= 0)
		cli->ignores[cli->nignores++] = cli->out_ignore;
	free(dir);
	free(out);
	return 0;
}

/* Open the session, watch, and (unless --postpone) run; serve the loop until q or a signal. */
static int watch_serve(struct watch_cli *cli)
{
	char err[ERR_MAX];
	/* a shell starts background jobs with SIGINT ignored; an ignored signal never reaches the signalfd */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (loop_watch_signals(cli->loop, watch_on_signal, cli, err) < 0 || reaper_become(err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_SOFTWARE;
	}
	int rc = session_open(cli->loop, &cli->o, 1, &cli->s, err);
	if (rc == SESSION_NO_DEVCONFIG)
		return cli_live_missing_config(PROG, &cli->o, session_manifest(cli->s), session_devconfig_path(cli->s));
	if (rc == EXIT_DONE && scenario_check_preflight(session_fixtures_dir(cli->s), err) < 0)
		rc = EXIT_DATAERR;
	if (rc != EXIT_DONE) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc;
	}
	/* the stack's work dir file (a big payload) comes and goes with each run */
	cli->ignores[cli->nignores++] = "/cozy_payload.json";
	/* a recording rewrites the scenario's vendor.har (through a temporary file) at the end of each run */
	cli->ignores[cli->nignores++] = "vendor.har.tmp-*";
	if (cli->o.record)
		cli->ignores[cli->nignores++] = "vendor.har";
	if (watch_ignore_out(cli, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_SOFTWARE;
	}
	char manifest[PATH_MAX + 32];
	snprintf(manifest, sizeof(manifest), "%s/manifest.konnector", cli->o.dir);
	const char *const files[] = {session_devconfig_path(cli->s), manifest};
	struct watch_options wo = {
		.dir = cli->o.dir,
		.fixtures_dir = session_fixtures_dir(cli->s),
		.files = files,
		.nfiles = sizeof(files) / sizeof(files[0]),
		.ignores = cli->ignores,
		.nignores = cli->nignores,
		.debounce_ms = cli->debounce_ms,
		.on_change = watch_on_change,
		.on_warning = watch_on_warning,
		.arg = cli,
	};
	cli->w = watch_start(cli->loop, &wo, err);
	if (cli->w == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_UNAVAILABLE;
	}
	watch_tty_raw(cli);
	if (cli->tty && loop_add_fd(cli->loop, STDIN_FILENO, EPOLLIN, watch_on_key, cli, err) < 0) {
		watch_tty_restore(cli);
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_SOFTWARE;
	}
	FILE *f = watch_status_out(cli);
	fprintf(f, "[watch] watching %s (%zu directories), fake stack at %s%s\n", cli->o.dir, watch_dir_count(cli->w),
		session_url(cli->s), cli->tty ? "; Enter reruns, q quits" : "");
	fflush(f);
	if (!cli->postpone)
		watch_start_run(cli, "start", 0);
	rc = loop_run(cli->loop, err);
	watch_tty_restore(cli);
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_SOFTWARE;
	}
	return EXIT_DONE;
}

int cli_watch(int argc, char **argv)
{
	struct watch_cli cli = {.debounce_ms = 50, .stop_timeout_ms = 2000, .on_busy = ON_BUSY_RESTART};
	char err[ERR_MAX];
	struct run_options_extra extra = {watch_longopts, watch_option, &cli};
	int rc = EXIT_USAGE;
	switch (run_options_parse_ext(argc, argv, &cli.o, &extra, err)) {
	case RUN_OPTIONS_OK:
		rc = -1;
		/* one scenario, judged on the terminal: the CI shapes are run's */
		if (cli.o.all_scenarios)
			rc = cli_usage_error("watch",
					     "--all-scenarios is for `konnector-harness run`; watch follows one "
					     "scenario (--scenario NAME)");
		else if (cli.o.like_stack)
			rc = cli_usage_error("watch", "--like-stack is for `konnector-harness run`; watch runs each "
						      "change once");
		else if (expect_sink_wants(cli.o.format))
			rc = cli_usage_error("watch",
					     "--format junit|github|tap is for `konnector-harness run`; watch shows "
					     "text or json");
		break;
	case RUN_OPTIONS_HELP:
		watch_usage(stdout);
		rc = EXIT_DONE;
		break;
	case RUN_OPTIONS_UNKNOWN:
	case RUN_OPTIONS_USAGE:
		rc = cli_usage_error("watch", "%s", err);
		break;
	default:
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_SOFTWARE;
		break;
	}
	if (rc >= 0) {
		run_options_free(&cli.o);
		return rc;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cli_live_init(&cli.live, &cli.o);
	cli.loop = loop_new(err);
	if (cli.loop == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		run_options_free(&cli.o);
		return EXIT_SOFTWARE;
	}
	rc = watch_serve(&cli);
	watch_stop(cli.w);
	session_free(cli.s); /* a run still going (a failure): its group is killed */
	run_lint_free(cli.live.lint);
	reaper_reap_orphans(0);
	loop_free(cli.loop);
	free(cli.out_ignore);
	json_decref(cli.warned);
	run_options_free(&cli.o);
	return rc;
}
