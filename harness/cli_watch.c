/*
 * konnector-harness watch [DIR]: run the konnector again on every change of its
 * files, fixtures, dev config or manifest (issue 7). One loop: the watcher's
 * inotify fd, the child's SIGCHLD through the signalfd, the terminal's keys,
 * and timers for the quiet window and the SIGKILL escalation.
 *
 * Interim until `run` (issue 5) is merged: the konnector is started as a shell
 * command (--cmd, default "node index.js") in DIR without the fake stack, and
 * the status line reports its exit instead of the stack's verdict.
 */
#include "common/err.h"
#include "common/loop.h"
#include "harness/cli.h"
#include "harness/exitcode.h"
#include "harness/watch.h"
#include "harness/watch_child.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

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
	struct loop *loop;
	struct watch *w;
	struct watch_child *child;
	const char *dir;
	const char *cmd;
	const char *fixtures;
	const char *ignores[WATCH_MAX_IGNORES];
	size_t nignores;
	long long debounce_ms;
	long long stop_timeout_ms;
	enum on_busy on_busy;
	int keep_state, clear, postpone;
	int run_no;
	long long run_started;
	char reason[256];         /* what started the current run */
	char pending_reason[256]; /* what asks for the next one; "" when none */
	int quitting;             /* 1 after q or a signal; 2 after a second one: SIGKILL at once */
	int stopping;             /* the current run was asked to stop */
	int tty;
	struct termios saved_tio;
};

static void watch_usage(FILE *out)
{
	fprintf(out,
	        "Usage: konnector-harness watch [OPTIONS] [DIR]\n\n"
	        "Run the konnector in DIR (default .) and again on every change of its files,\n"
	        "fixtures, dev config or manifest. On a terminal, Enter reruns now and q quits.\n\n"
	        "  --cmd CMD            the command that starts the konnector (default: node index.js)\n"
	        "  --fixtures DIR       the fixtures folder, watched too (a change there reloads the state)\n"
	        "  --debounce MS        quiet window before a burst of changes starts a run (default 50)\n"
	        "  --on-busy restart|queue\n"
	        "                       a change during a run stops it (restart, default) or runs once more after it\n"
	        "  --stop-timeout SEC   SIGTERM to the konnector's process group, SIGKILL after SEC (default 2)\n"
	        "  --ignore GLOB        ignore more paths (gitignore syntax; repeatable)\n"
	        "  --keep-state         each run sees what the previous one saved\n"
	        "  --clear              clear the screen before each run\n"
	        "  --postpone           wait for the first change before the first run\n"
	        "\nAlways ignored: node_modules/, .git/, .harness/, data/, *.swp, *.swx, *~, 4913, .#*,\n"
	        "and what .gitignore files say.\n");
}

/* "index.js", "index.js +2 more", "fixtures: …" */
static void watch_describe(const struct watch_change *ch, char *out, size_t len)
{
	if (ch->overflow) {
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

static void watch_on_child_end(struct watch_child *c, int status, int stopped, void *arg);

static void watch_start_run(struct watch_cli *cli, const char *reason)
{
	char err[ERR_MAX];
	if (cli->clear)
		fputs("\033[H\033[2J", stdout);
	cli->run_no++;
	snprintf(cli->reason, sizeof(cli->reason), "%s", reason);
	cli->pending_reason[0] = '\0';
	cli->run_started = loop_now_ms();
	fflush(stdout);
	fflush(stderr);
	cli->child = watch_child_start(cli->loop, cli->cmd, cli->dir, watch_on_child_end, cli, err);
	if (cli->child == NULL)
		fprintf(stderr, "konnector-harness watch: run %d: %s\n", cli->run_no, err);
}

/* The one-line status between runs. */
static void watch_print_status(struct watch_cli *cli, int status, int stopped)
{
	char end[64];
	if (WIFEXITED(status))
		snprintf(end, sizeof(end), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(end, sizeof(end), "%s by %s", stopped ? "stopped" : "killed",
		         sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(end, sizeof(end), "ended");
	long long ms = loop_now_ms() - cli->run_started;
	/* documents and files saved come from the fake stack once run (issue 5) is merged */
	printf("[watch] run %d · %s · %s%s · %lld.%02lld s · documents: -, files: -\n", cli->run_no, cli->reason, end,
	       stopped && !cli->quitting ? " (restarting)" : "", ms / 1000, (ms % 1000) / 10);
	fflush(stdout);
}

static void watch_on_child_end(struct watch_child *c, int status, int stopped, void *arg)
{
	struct watch_cli *cli = arg;
	watch_child_free(c);
	cli->child = NULL;
	cli->stopping = 0;
	watch_print_status(cli, status, stopped);
	if (cli->quitting) {
		loop_stop(cli->loop);
		return;
	}
	if (cli->pending_reason[0] != '\0')
		watch_start_run(cli, cli->pending_reason);
}

/* A change (or Enter): run now, or stop the current run first, or queue it. */
static void watch_request_run(struct watch_cli *cli, const char *reason)
{
	if (cli->quitting)
		return;
	if (cli->child == NULL) {
		watch_start_run(cli, reason);
		return;
	}
	snprintf(cli->pending_reason, sizeof(cli->pending_reason), "%s", reason);
	if (cli->on_busy == ON_BUSY_RESTART && !cli->stopping) {
		cli->stopping = 1;
		watch_child_stop(cli->child, cli->stop_timeout_ms);
	}
}

static void watch_on_change(struct watch *w, const struct watch_change *ch, void *arg)
{
	(void)w;
	struct watch_cli *cli = arg;
	char reason[256];
	watch_describe(ch, reason, sizeof(reason));
	/* TODO(issue 5): fixtures_changed → stack_reset; else start from the fixtures unless --keep-state */
	watch_request_run(cli, reason);
}

static void watch_on_warning(struct watch *w, const char *msg, void *arg)
{
	(void)w;
	(void)arg;
	fprintf(stderr, "konnector-harness watch: %s\n", msg);
}

static void watch_quit(struct watch_cli *cli)
{
	cli->quitting++;
	if (cli->child != NULL && (!cli->stopping || cli->quitting > 1)) {
		cli->stopping = 1;
		watch_child_stop(cli->child, cli->stop_timeout_ms); /* a second call: SIGKILL at once */
	} else if (cli->child == NULL)
		loop_stop(cli->loop);
}

static void watch_on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	(void)loop;
	struct watch_cli *cli = arg;
	if (si->ssi_signo == SIGCHLD)
		watch_child_reap(cli->child);
	else
		watch_quit(cli);
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
			watch_request_run(cli, "Enter");
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

static int watch_parse_ms(const char *s, double scale, long long *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || v < 0 || v * scale > 24.0 * 3600 * 1000)
		return -1;
	*out = (long long)(v * scale + 0.5);
	return 0;
}

enum {
	OPT_CMD = 256,
	OPT_FIXTURES,
	OPT_DEBOUNCE,
	OPT_ON_BUSY,
	OPT_STOP_TIMEOUT,
	OPT_IGNORE,
	OPT_KEEP,
	OPT_CLEAR,
	OPT_POSTPONE
};

/* Fill cli from argv; returns -1 after printing why (usage error), 1 for --help, 0 to go on. */
static int watch_parse(struct watch_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"cmd", required_argument, NULL, OPT_CMD},
	    {"fixtures", required_argument, NULL, OPT_FIXTURES},
	    {"debounce", required_argument, NULL, OPT_DEBOUNCE},
	    {"on-busy", required_argument, NULL, OPT_ON_BUSY},
	    {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	    {"ignore", required_argument, NULL, OPT_IGNORE},
	    {"keep-state", no_argument, NULL, OPT_KEEP},
	    {"clear", no_argument, NULL, OPT_CLEAR},
	    {"postpone", no_argument, NULL, OPT_POSTPONE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		size_t i;
		switch (c) {
		case OPT_CMD:
			cli->cmd = optarg;
			break;
		case OPT_FIXTURES:
			cli->fixtures = optarg;
			break;
		case OPT_DEBOUNCE:
			if (watch_parse_ms(optarg, 1, &cli->debounce_ms) < 0)
				goto bad;
			break;
		case OPT_STOP_TIMEOUT:
			if (watch_parse_ms(optarg, 1000, &cli->stop_timeout_ms) < 0)
				goto bad;
			break;
		case OPT_ON_BUSY:
			for (i = 0; i < sizeof(on_busy_table) / sizeof(on_busy_table[0]); i++)
				if (strcmp(optarg, on_busy_table[i].name) == 0)
					break;
			if (i == sizeof(on_busy_table) / sizeof(on_busy_table[0]))
				goto bad;
			cli->on_busy = on_busy_table[i].value;
			break;
		case OPT_IGNORE:
			if (cli->nignores == WATCH_MAX_IGNORES) {
				fprintf(stderr, "konnector-harness watch: at most %d --ignore\n", WATCH_MAX_IGNORES);
				return -1;
			}
			cli->ignores[cli->nignores++] = optarg;
			break;
		case OPT_KEEP:
			cli->keep_state = 1;
			break;
		case OPT_CLEAR:
			cli->clear = 1;
			break;
		case OPT_POSTPONE:
			cli->postpone = 1;
			break;
		case 'h':
			watch_usage(stdout);
			return 1;
		default:
			watch_usage(stderr);
			return -1;
		}
		continue;
	bad:
		fprintf(stderr, "konnector-harness watch: bad value '%s' for --%s\n", optarg,
		        c == OPT_ON_BUSY    ? "on-busy (restart or queue)"
		        : c == OPT_DEBOUNCE ? "debounce (milliseconds)"
		                            : "stop-timeout (seconds)");
		return -1;
	}
	if (optind < argc)
		cli->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "konnector-harness watch: one DIR only\n");
		return -1;
	}
	return 0;
}

/* Start watching and (unless --postpone) the first run, then serve the loop until q or a signal. */
static int watch_serve(struct watch_cli *cli)
{
	char err[ERR_MAX];
	char cfg[4096], manifest[4096];
	snprintf(cfg, sizeof(cfg), "%s/konnector-dev-config.json", cli->dir);
	snprintf(manifest, sizeof(manifest), "%s/manifest.konnector", cli->dir);
	const char *const files[] = {cfg, manifest};
	struct watch_options o = {
	    .dir = cli->dir,
	    .fixtures_dir = cli->fixtures,
	    .files = files,
	    .nfiles = sizeof(files) / sizeof(files[0]),
	    .ignores = cli->ignores,
	    .nignores = cli->nignores,
	    .debounce_ms = cli->debounce_ms,
	    .on_change = watch_on_change,
	    .on_warning = watch_on_warning,
	    .arg = cli,
	};
	/* a shell starts background jobs with SIGINT ignored; an ignored signal never reaches the signalfd */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (loop_watch_signals(cli->loop, watch_on_signal, cli, err) < 0 || watch_child_become_reaper(err) < 0)
		goto fail;
	cli->w = watch_start(cli->loop, &o, err);
	if (cli->w == NULL)
		goto fail;
	watch_tty_raw(cli);
	if (cli->tty && loop_add_fd(cli->loop, STDIN_FILENO, EPOLLIN, watch_on_key, cli, err) < 0)
		goto fail;
	printf("[watch] watching %s (%zu directories)%s\n", cli->dir, watch_dir_count(cli->w),
	       cli->tty ? "; Enter reruns, q quits" : "");
	fflush(stdout);
	if (!cli->postpone)
		watch_start_run(cli, "start");
	int rc = loop_run(cli->loop, err);
	watch_tty_restore(cli);
	if (rc < 0)
		goto fail;
	/* TODO(issue 5): write the current run's directory */
	return EXIT_DONE;
fail:
	watch_tty_restore(cli);
	fprintf(stderr, "konnector-harness watch: %s\n", err);
	return EXIT_UNAVAILABLE;
}

int cli_watch(int argc, char **argv)
{
	struct watch_cli cli = {
	    .dir = ".",
	    .cmd = "node index.js",
	    .debounce_ms = 50,
	    .stop_timeout_ms = 2000,
	    .on_busy = ON_BUSY_RESTART,
	};
	int rc = watch_parse(&cli, argc, argv);
	if (rc != 0)
		return rc > 0 ? EXIT_DONE : EXIT_USAGE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	char err[ERR_MAX];
	cli.loop = loop_new(err);
	if (cli.loop == NULL) {
		fprintf(stderr, "konnector-harness watch: %s\n", err);
		return EXIT_SOFTWARE;
	}
	rc = watch_serve(&cli);
	if (cli.child != NULL) { /* a failure with a run going: leave nothing behind */
		watch_child_free(cli.child);
		watch_child_reap(NULL);
	}
	watch_stop(cli.w);
	loop_free(cli.loop);
	return rc;
}
