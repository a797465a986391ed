/*
 * konnector-harness serve: the fake stack for an app or a konnector started
 * by hand; the konnector jobs the app creates (triggers, launches, webhooks,
 * schedules) run DIR's konnector as `run` does, one at a time, with the live
 * display, the lint and a run directory per execution. The same konnector
 * is prepared for a start by hand as `run` prepares its job, and its
 * environment printed (cli_serve_konnector.c).
 * Slightly over 600 lines: the options, the stack's start and the jobs' hand-off
 * are one command's flow.
 */
#include "harness/cli/cli_serve.h"
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/loop.h"
#include "fake-stack/stack.h"
#include "harness/cli/cli.h"
#include "harness/cli/cli_live.h"
#include "harness/exitcode.h"
#include "harness/job/manifest.h"
#include "harness/job/run_options.h"
#include "harness/job/rundir.h"
#include "harness/job/session.h"
#include "harness/judge/run_lint.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct serve_opts {
	const char *dir;
	const char *fixtures;
	const char *scenario;
	const char *out;
	const char *bind;
	unsigned short port;
	enum stack_perm_mode perm;
	long long disk_quota;
	int fire_now;
	enum serve_env_format env_format;
	int env_format_given; /* --env-format: a konnector's environment is asked for */
};

/* The konnector jobs of serve: a session over serve's stack, one execution at a time. */
struct serve_jobs {
	struct loop *loop;
	struct stack *st;
	struct run_options ro;
	int has_ro;
	struct session *s;    /* NULL: no manifest, jobs stay queued */
	struct cli_live live; /* live.lint: the current execution's lint, NULL with --no-lint */
	const char *run_dir;  /* serve's run directory: executions go to its jobs/ */
	char job_id[80];      /* the execution in flight */
	int stopping;         /* a signal came during an execution: stop after its end */
};

static void serve_usage(FILE *f)
{
	fprintf(f, "Usage: konnector-harness serve [DIR] [OPTIONS]\n\n"
		   "Run only the fake cozy-stack over DIR's fixtures until SIGINT/SIGTERM, then write\n"
		   "the final state and the request journal to the run directory.\n\n"
		   "  DIR                    konnector folder (manifest.konnector, fixtures/); default .\n"
		   "  --fixtures DIR         scenario folder to load (default DIR/fixtures[/<scenario>])\n"
		   "  --scenario NAME        scenario under DIR/fixtures/ (default: \"default\" or the only one)\n"
		   "  --port N               port to listen on (default 0: any free port)\n"
		   "  --bind ADDR            address to bind (default 127.0.0.1)\n"
		   "  --permissions MODE     warn (default), enforce or off\n"
		   "  --disk-quota BYTES     refuse uploads past this total file size (413), as a full Cozy\n"
		   "                         does; default 0: no quota\n"
		   "  --out RUNDIR           run directory (default DIR/.harness/runs/<n>/)\n"
		   "  --fire-now             scheduled triggers (@cron, @every, @at, @in…) fire as soon as they exist\n"
		   "  --env-format env|sh    the variables as NAME=value lines (env, default) or as shell\n"
		   "                         export lines to eval (sh); needs DIR's manifest\n"
		   "  -h, --help             this help\n\n"
		   "With a manifest.konnector in DIR, serve prepares its konnector's job exactly as `run` does\n"
		   "(the account from the dev config, folder_to_save, a job id and a trigger id) and prints every\n"
		   "COZY_* variable of it, then COZY_APP_TOKEN (whole access, for an app); the same variables go to\n"
		   "RUNDIR/cozy-env.sh, and stderr shows the command line that starts the konnector with them.\n"
		   "Without a manifest it serves the fixtures only: COZY_URL, COZY_CREDENTIALS (a token for the\n"
		   "folder's name, without permissions) and COZY_APP_TOKEN.\n"
		   "In warn mode each request the real stack would refuse is shown once per verb and doctype.\n\n"
		   "An app drives the konnector as Home does: POST /data/io.cozy.accounts/, POST /jobs/triggers,\n"
		   "POST /jobs/triggers/:id/launch, then GET /jobs/:id until the job is done or errored. Each job\n"
		   "runs DIR's konnector as `run` does (the job's message, account, payload, COZY_JOB_ID and\n"
		   "COZY_TRIGGER_ID), one at a time, retried once as the stack retries; each execution writes a run\n"
		   "directory under RUNDIR/jobs/. serve prints when each trigger fires next.\n\n"
		   "Examples:\n"
		   "  konnector-harness serve .\n"
		   "  konnector-harness serve . --env-format sh > cozy.env   # then: . ./cozy.env && node index.js\n"
		   "  konnector-harness serve . --permissions enforce --port 8080\n");
}

static int parse_args(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = {
		{"fixtures", required_argument, NULL, 'f'},
		{"scenario", required_argument, NULL, 's'},
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'b'},
		{"permissions", required_argument, NULL, 'P'},
		{"out", required_argument, NULL, 'o'},
		{"disk-quota", required_argument, NULL, 'Q'},
		{"fire-now", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"env-format", required_argument, NULL, 'E'},
		{NULL, 0, NULL, 0},
	};
	static const struct {
		const char *name;
		enum stack_perm_mode mode;
	} modes[] = {{"warn", STACK_PERM_WARN}, {"enforce", STACK_PERM_ENFORCE}, {"off", STACK_PERM_OFF}};
	memset(o, 0, sizeof(*o));
	o->dir = ".";
	o->bind = "127.0.0.1";
	o->perm = STACK_PERM_WARN;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->fixtures = optarg;
			break;
		case 's':
			o->scenario = optarg;
			break;
		case 'p': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 0 || n > 65535) {
				return cli_usage_error("serve", "--port wants 0..65535, not '%s'", optarg);
			}
			o->port = (unsigned short)n;
			break;
		}
		case 'b':
			o->bind = optarg;
			break;
		case 'P': {
			size_t i, n = sizeof(modes) / sizeof(modes[0]);
			for (i = 0; i < n; i++)
				if (strcmp(modes[i].name, optarg) == 0)
					break;
			if (i == n) {
				return cli_usage_error("serve", "--permissions is warn, enforce or off, not '%s'",
						       optarg);
			}
			o->perm = modes[i].mode;
			break;
		}
		case 'o':
			o->out = optarg;
			break;
		case 'F':
			o->fire_now = 1;
			break;
		case 'E':
			if (strcmp(optarg, "env") != 0 && strcmp(optarg, "sh") != 0)
				return cli_usage_error("serve", "--env-format is env or sh, not '%s'", optarg);
			o->env_format = strcmp(optarg, "sh") == 0 ? SERVE_ENV_SH : SERVE_ENV_PLAIN;
			o->env_format_given = 1;
			break;
		case 'Q': {
			char *end;
			errno = 0;
			long long n = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || n < 0 || errno != 0) {
				return cli_usage_error("serve", "--disk-quota wants a number of bytes, not '%s'",
						       optarg);
			}
			o->disk_quota = n;
			break;
		}
		case 'h':
			serve_usage(stdout);
			return EXIT_DONE;
		default:
			return cli_usage_error("serve", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->dir = argv[optind++];
	if (optind < argc) {
		return cli_usage_error("serve", "one DIR only ('%s' is extra)", argv[optind]);
	}
	if (!fs_is_dir(o->dir)) {
		return cli_usage_error("serve", "%s is not a directory", o->dir);
	}
	return -1;
}

/* A scenario folder holds data/, files/ or account_types/ directly. */
static int is_scenario(const char *dir)
{
	static const char *const parts[] = {"data", "files", "account_types", "refresh"};
	char p[PATH_MAX + 32];
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, parts[i]);
		if (fs_is_dir(p))
			return 1;
	}
	return 0;
}

/* Which fixtures folder to load (malloc'd into *out, NULL for none); an exit code on error, else -1. */
static int pick_fixtures(const struct serve_opts *o, char **out)
{
	*out = NULL;
	if (o->fixtures != NULL) {
		if (!fs_is_dir(o->fixtures)) {
			return cli_usage_error("serve", "fixtures %s is not a directory", o->fixtures);
		}
		*out = strdup(o->fixtures);
		return -1;
	}
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s/fixtures", o->dir);
	if (!fs_is_dir(base)) {
		if (o->scenario != NULL) {
			return cli_usage_error("serve", "no %s folder for --scenario %s", base, o->scenario);
		}
		return -1;
	}
	char p[PATH_MAX + 256];
	if (o->scenario != NULL) {
		snprintf(p, sizeof(p), "%s/%s", base, o->scenario);
		if (!fs_is_dir(p)) {
			return cli_usage_error("serve", "no scenario %s", p);
		}
		*out = strdup(p);
		return -1;
	}
	if (is_scenario(base)) {
		*out = strdup(base);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/default", base);
	if (fs_is_dir(p)) {
		*out = strdup(p);
		return -1;
	}
	/* The single scenario, if there is exactly one. */
	DIR *d = opendir(base);
	struct dirent *de;
	int count = 0;
	char only[PATH_MAX + 256] = "";
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", base, de->d_name);
		if (fs_is_dir(p)) {
			count++;
			snprintf(only, sizeof(only), "%s", p);
		}
	}
	if (d != NULL)
		closedir(d);
	if (count == 1) {
		*out = strdup(only);
		return -1;
	}
	if (count > 1) {
		return cli_usage_error("serve", "%s holds several scenarios: choose one with --scenario NAME", base);
	}
	return -1;
}

/* manifest.konnector (optional): *slug and *perms (new refs / malloc'd), *has 1 when there is one. An exit code on
 * error, else -1. */
static int read_manifest(const char *dir, char **slug, json_t **perms, int *has)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/manifest.konnector", dir);
	*perms = NULL;
	*slug = NULL;
	*has = access(p, F_OK) == 0;
	if (!*has) {
		char real[PATH_MAX];
		const char *base = realpath(dir, real) ? strrchr(real, '/') + 1 : "konnector";
		*slug = strdup(base[0] ? base : "konnector");
		return -1;
	}
	struct manifest m;
	char err[ERR_MAX];
	if (manifest_load(p, &m, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		return EXIT_DATAERR;
	}
	*slug = strdup(m.slug);
	*perms = json_incref(m.permissions);
	manifest_free(&m);
	return -1;
}

/* The next run directory, DIR/.harness/runs/<n+1> (not created yet). */
static int pick_run_dir(const char *dir, char *out, size_t len, char *err)
{
	char runs[PATH_MAX / 2];
	snprintf(runs, sizeof(runs), "%s/.harness/runs", dir);
	if (mkdir_p(runs, err) < 0)
		return -1;
	long max = 0;
	DIR *d = opendir(runs);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *end;
		long n = strtol(de->d_name, &end, 10);
		if (*end == '\0' && end != de->d_name && n > max)
			max = n;
	}
	if (d != NULL)
		closedir(d);
	snprintf(out, len, "%s/%ld", runs, max + 1);
	return 0;
}

/* Create the run directory; under .harness/runs/ point latest at it (only once the stack is up). */
static int commit_run_dir(const char *run, int is_default, char *err)
{
	if (mkdir_p(run, err) < 0)
		return -1;
	if (!is_default)
		return 0;
	const char *slash = strrchr(run, '/');
	char link[PATH_MAX + 16], tmp[PATH_MAX + 32];
	snprintf(link, sizeof(link), "%.*s/latest", (int)(slash - run), run);
	snprintf(tmp, sizeof(tmp), "%.*s/.latest.%d", (int)(slash - run), run, (int)getpid());
	unlink(tmp);
	if (symlink(slash + 1, tmp) < 0 || rename(tmp, link) < 0)
		return err_set(err, "%s: %s", link, strerror(errno));
	return 0;
}

static void on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	struct serve_jobs *sj = arg;
	if (si->ssi_signo == SIGCHLD) {
		session_on_sigchld(sj->s);
		return;
	}
	if (si->ssi_signo != SIGINT && si->ssi_signo != SIGTERM)
		return;
	/* a konnector running: kill its group as a cancelled job, write its run directory, then stop */
	if (sj->s != NULL && session_running(sj->s)) {
		sj->stopping = 1;
		session_run_stop(sj->s, 0);
	} else {
		loop_stop(loop);
	}
}

/* ---- the konnector jobs ---- */

/* The execution is over: show it as run does, and tell the stack (done, errored, or once more). */
static void serve_on_end(void *arg, const struct session_end *e)
{
	struct serve_jobs *sj = arg;
	char err[ERR_MAX];
	if (e->start_error != NULL)
		printf("could not start the konnector: %s\n", e->start_error);
	cli_live_verdict(&sj->live, e->report, sj->stopping ? SIGTERM : 0, stdout);
	if (sj->live.lint != NULL) {
		printf("\nlint (files of the run directory):\n");
		run_lint_write_text(sj->live.lint, stdout);
		run_lint_free(sj->live.lint);
		sj->live.lint = NULL;
	}
	fflush(stdout);
	const struct verdict *v = e->verdict;
	if (stack_job_done(sj->st, sj->job_id, v->done ? NULL : (v->error ? v->error : ""), v->retry && !sj->stopping,
			   err) < 0)
		fprintf(stderr, "konnector-harness serve: %s\n", err);
	sj->job_id[0] = '\0';
	if (sj->stopping)
		loop_stop(sj->loop);
}

/* The stack hands over one execution of a konnector job: run it as `run` would. */
static void serve_on_job(struct stack *st, const struct stack_job *job, void *arg)
{
	struct serve_jobs *sj = arg;
	char err[ERR_MAX] = "", dir[PATH_MAX + 128];
	/* one directory per execution: <id>, then <id>-2 for the stack's retry */
	if (job->exec_no > 1)
		snprintf(dir, sizeof(dir), "%s/jobs/%s-%d", sj->run_dir, job->id, job->exec_no);
	else
		snprintf(dir, sizeof(dir), "%s/jobs/%s", sj->run_dir, job->id);
	printf("\n== job %s%s%s%s, execution %d\n", job->id, job->trigger_id ? " of trigger " : "",
	       job->trigger_id ? job->trigger_id : "", job->manual ? " (manual)" : "", job->exec_no);
	fflush(stdout);
	snprintf(sj->job_id, sizeof(sj->job_id), "%s", job->id);
	sj->live.lint = sj->ro.no_lint ? NULL : run_lint_new(session_devconfig(sj->s)->fields, sj->ro.strict);
	struct session_job sjob = {.id = job->id,
				   .trigger_id = job->trigger_id,
				   .message = job->message,
				   .account = job->account,
				   .payload = job->payload,
				   .payload_len = job->payload_len,
				   .manual = job->manual,
				   .timeout_ms = job->timeout_ms,
				   .run_dir = dir};
	struct session_hooks hooks = cli_live_hooks(&sj->live, sj->s, serve_on_end, sj);
	if (session_run_job(sj->s, &sjob, &hooks, err) != 0) {
		/* the job could not even be prepared: its error, as a start failure is */
		fprintf(stderr, "konnector-harness serve: job %s: %s\n", job->id, err);
		run_lint_free(sj->live.lint);
		sj->live.lint = NULL;
		sj->job_id[0] = '\0';
		char e2[ERR_MAX];
		stack_job_done(st, job->id, err, 1, e2);
	}
}

/* When a trigger fires next (stderr, with the other news of serve). */
static void serve_on_schedule(struct stack *st, const char *trigger_id, const char *type, const char *arguments,
			      const char *next, int gone, void *arg)
{
	(void)arg;
	char what[1024];
	snprintf(what, sizeof(what), "%s%s%s", type, arguments[0] ? " " : "", arguments);
	if (gone)
		fprintf(stderr, "trigger %s (%s): deleted\n", trigger_id, what);
	else if (next != NULL)
		fprintf(stderr, "trigger %s (%s): next run %s\n", trigger_id, what, next);
	else if (strcmp(type, "@webhook") == 0)
		fprintf(stderr, "trigger %s (%s): runs on POST %sjobs/webhooks/%s\n", trigger_id, what, stack_url(st),
			trigger_id);
	else
		fprintf(stderr, "trigger %s (%s): no run scheduled\n", trigger_id, what);
}

/*
 * A session over the stack for DIR's konnector (the scenario's own dev config
 * first, as run picks it), used by the jobs and by the start by hand. Without
 * a manifest jobs stay queued; a konnector that cannot be read is an exit
 * status, as for run. EXIT_DONE otherwise.
 */
static int serve_jobs_start(struct serve_jobs *sj, const struct serve_opts *o, const char *fixtures)
{
	char err[ERR_MAX], mpath[PATH_MAX + 32];
	char *argv[] = {"serve", (char *)o->dir, NULL};
	snprintf(mpath, sizeof(mpath), "%s/manifest.konnector", o->dir);
	stack_on_schedule(sj->st, serve_on_schedule, sj);
	if (access(mpath, F_OK) != 0) {
		fprintf(stderr, "no manifest.konnector in %s: konnector jobs stay queued\n", o->dir);
		return EXIT_DONE;
	}
	if (run_options_parse(2, argv, &sj->ro, err) != RUN_OPTIONS_OK) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		return EXIT_USAGE;
	}
	sj->has_ro = 1;
	sj->ro.fixtures = fixtures;
	cli_live_init(&sj->live, &sj->ro);
	int rc = session_attach(sj->loop, &sj->ro, sj->st, &sj->s, err);
	if (rc != EXIT_DONE) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		session_free(sj->s);
		sj->s = NULL;
		return rc;
	}
	stack_on_job(sj->st, serve_on_job, sj);
	return EXIT_DONE;
}

int cli_serve(int argc, char **argv)
{
	struct serve_opts o;
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	char *fixtures = NULL, *slug = NULL;
	json_t *perms = NULL, *forbidden_seen = json_object();
	struct serve_jobs sj = {0};
	struct serve_konnector k = {0};
	int has_manifest = 0;
	struct loop *loop = NULL;
	struct stack *st = NULL;
	char err[ERR_MAX] = "";
	char run[PATH_MAX] = "";
	if ((rc = pick_fixtures(&o, &fixtures)) >= 0 || (rc = read_manifest(o.dir, &slug, &perms, &has_manifest)) >= 0)
		goto out;
	if (!has_manifest && o.env_format_given) {
		/* as `run` says it: a konnector's environment needs a konnector */
		fprintf(stderr,
			"konnector-harness serve: %s/manifest.konnector: no such file; --env-format prints the "
			"environment of DIR's konnector\n",
			o.dir);
		rc = EXIT_DATAERR;
		goto out;
	}
	if (o.out != NULL) {
		snprintf(run, sizeof(run), "%s", o.out);
	} else if (pick_run_dir(o.dir, run, sizeof(run), err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	char files_dir[PATH_MAX + 16];
	snprintf(files_dir, sizeof(files_dir), "%s/files", run);
	if ((loop = loop_new(err)) == NULL || loop_watch_signals(loop, on_signal, &sj, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	struct stack_options so = {.fixtures_dir = fixtures,
				   .files_dir = files_dir,
				   .bind_addr = o.bind,
				   .port = o.port,
				   .perm_mode = o.perm,
				   .disk_quota = o.disk_quota};
	if ((st = stack_start(loop, &so, err)) == NULL) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = strncmp(err, "address in use", 14) == 0 ? EXIT_UNAVAILABLE : EXIT_DATAERR;
		goto out;
	}
	const char *ktok, *atok;
	if (commit_run_dir(run, o.out == NULL, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	char runs[PATH_MAX];
	snprintf(runs, sizeof(runs), "%s/.harness/runs", o.dir);
	if (o.out == NULL && rundir_prune(runs, RUN_OPTIONS_DEFAULT_KEEP_RUNS, NULL, err) < 0)
		fprintf(stderr, "konnector-harness serve: warning: %s\n", err);
	if (stack_add_konnector(st, slug, perms, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s/manifest.konnector: %s\n", o.dir, err);
		rc = EXIT_DATAERR;
		goto out;
	}
	if ((ktok = stack_mint_konnector_token(st, slug, err)) == NULL ||
	    (atok = stack_mint_app_token(st, "harness", err)) == NULL) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	sj.loop = loop;
	sj.st = st;
	sj.run_dir = run;
	if ((rc = serve_jobs_start(&sj, &o, fixtures)) != EXIT_DONE)
		goto out;
	/* the konnector started by hand: its job prepared on the same session as the jobs' */
	if (sj.s != NULL && (rc = serve_konnector_prepare(&k, sj.s, o.dir, run)) != EXIT_DONE)
		goto out;
	if (sj.s != NULL)
		serve_konnector_print_env(&k, o.env_format, atok);
	else
		serve_print_tokens(o.env_format, stack_url(st), ktok, atok);
	if (o.perm == STACK_PERM_WARN)
		stack_on_forbidden(st, serve_show_forbidden, forbidden_seen);
	if (o.fire_now)
		stack_jobs_fire_now(st, 1);
	fprintf(stderr, "serving %s for konnector %s (permissions %s); run directory %s; Ctrl-C to stop\n",
		fixtures ? fixtures : "no fixtures", slug,
		o.perm == STACK_PERM_WARN      ? "warn"
		: o.perm == STACK_PERM_ENFORCE ? "enforce"
					       : "off",
		run);
	if (sj.s != NULL)
		serve_konnector_print_start(&k);
	else
		fprintf(stderr,
			"no manifest.konnector in %s: serving the fixtures only, no konnector is prepared "
			"(COZY_CREDENTIALS is a token for slug %s, without permissions)\n",
			o.dir, slug);
	if (loop_run(loop, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	char state[PATH_MAX + 16], journal[PATH_MAX + 32];
	snprintf(state, sizeof(state), "%s/state", run);
	snprintf(journal, sizeof(journal), "%s/journal.jsonl", run);
	if (stack_write_state(st, state, err) < 0 || stack_write_journal(st, journal, err) < 0) {
		fprintf(stderr, "konnector-harness serve: %s\n", err);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	fprintf(stderr, "state written to %s, journal to %s\n", state, journal);
	rc = EXIT_DONE;
out:
	if (st != NULL)
		stack_on_job(st, NULL, NULL);
	serve_konnector_free(&k);
	session_free(sj.s);
	run_lint_free(sj.live.lint);
	if (sj.has_ro)
		run_options_free(&sj.ro);
	stack_stop(st);
	loop_free(loop);
	json_decref(perms);
	json_decref(forbidden_seen);
	free(slug);
	free(fixtures);
	return rc;
}
