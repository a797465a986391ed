/* The options of run and watch; see run_options.h. */
#include "harness/job/run_options.h"

#include "common/err.h"
#include "common/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char run_options_help[] =
	"  --cmd CMD            command line to run (through sh -c) instead of node <entry>\n"
	"  --entry FILE         node entry (default: package.json main, index.js, build/index.js, src/index.js)\n"
	"  --no-preload         do not preload the manifest for unbuilt konnectors (node -r)\n"
	"  --config FILE        dev config (default DIR/konnector-dev-config.json)\n"
	"  --write-config       create a dev config template naming the manifest's fields, when missing\n"
	"  --fixtures DIR       fixtures scenario (default DIR/fixtures[/default or the only scenario])\n"
	"  --scenario NAME      scenario under DIR/fixtures/; its expect.json is checked after the run and its\n"
	"                       konnector-dev-config.json, when present, replaces DIR's (unless --config)\n"
	"  --state RUNDIR       start from an earlier run's state/ instead of the fixtures\n"
	"  --out RUNDIR         run directory (default DIR/.harness/runs/<n>/, `latest` points at it)\n"
	"  --timeout SECONDS    time limit, default 300 (COZY_TIME_LIMIT is this + 5); SIGKILL to the group\n"
	"  --payload FILE       webhook payload (COZY_PAYLOAD; over 100000 bytes: @cozy_payload.json)\n"
	"  --locale LOCALE      COZY_LOCALE (default en)\n"
	"  --manual / --auto    COZY_JOB_MANUAL_EXECUTION true (default) / false; run --auto is skipped, as the stack\n"
	"                       skips it, when the previous run ended with LOGIN_FAILED or USER_ACTION_NEEDED\n"
	"  --trigger-id ID      COZY_TRIGGER_ID (default: a generated id, as a launch from a trigger)\n"
	"  --no-trigger         no COZY_TRIGGER_ID (a job pushed without a trigger)\n"
	"  --account-deleted    soft-delete the account and run the manifest's on_delete_account\n"
	"  --fields-in-env      also merge the dev-config fields into COZY_FIELDS (NOT what the stack does:\n"
	"                       the stack gives credentials only through the account document)\n"
	"  --env KEY=VAL        add a variable (repeatable); the stack passes only COZY_* (and we add PATH)\n"
	"  --inherit-env        pass the harness's whole environment too (NODE_ENV changes cozy-logger!)\n"
	"  --raw                show stdout and stderr as they come, not pretty-printed\n"
	"  --no-color           no colours (also when NO_COLOR is set, or not on a terminal)\n"
	"  --format text|json   the verdict as text (default) or one JSON object on stdout\n"
	"  --level LEVEL        debug (default), info or warning: the live display leaves out events below it\n"
	"                       (the run directory keeps them all)\n"
	"  --keep-runs N        keep the newest N run directories under DIR/.harness/runs/ (default 20; never\n"
	"                       the one `latest` points at, nor --state's)\n"
	"  --no-lint            do not apply the lint rules (konnector-harness lint) to the run\n"
	"  --strict             lint warnings fail the run too (exit 2 when the job is done)\n"
	"  --save-tokens        after a refresh of the dev config's account (POST /accounts/…/refresh), write the\n"
	"                       new access_token/refresh_token into the dev config (comments and order kept)\n"
	"  --record             go to the real vendor through a local proxy and record every exchange into the\n"
	"                       scenario's vendor.har (secrets hidden; docs/VENDOR.md)\n"
	"  --replay             answer the vendor's requests from the scenario's vendor.har, no network (the\n"
	"                       default when the scenario has one); --no-replay: go to the vendor, no proxy\n"
	"  --vendor-ca FILE     (--record) trust only this PEM file for the vendor's certificate\n"
	"  --vendor-connect-to HOST:PORT:HOST2:PORT2  (--record) reach HOST:PORT at HOST2:PORT2 (repeatable)\n"
	"  -h, --help           this help\n";

const char run_options_help_run[] =
	"  --all-scenarios      every scenario under DIR/fixtures/ in turn, in name order, then one total line\n"
	"  --like-stack         when the stack would retry the job (an error that is not LOGIN_FAILED or\n"
	"                       USER_ACTION_NEEDED, no no_retry), run it once more as it does: the same job,\n"
	"                       account and state, in RUNDIR/retry; the second verdict is the job's\n"
	"  --format junit|github|tap  the expectations of expect.json (without one: \"the verdict must be\n"
	"                       done\") as CI test cases on stdout; the verdict and the live events go to stderr\n";

enum {
	O_CMD = 256,
	O_ENTRY,
	O_NOPRE,
	O_CONFIG,
	O_WRITE,
	O_FIX,
	O_SCEN,
	O_STATE,
	O_OUT,
	O_TIMEOUT,
	O_PAYLOAD,
	O_LOCALE,
	O_MANUAL,
	O_AUTO,
	O_TRIG,
	O_NOTRIG,
	O_DEL,
	O_FIE,
	O_ENV,
	O_INH,
	O_RAW,
	O_NOCOL,
	O_FMT,
	O_NOLINT,
	O_STRICT,
	O_SAVETOK,
	O_ALL,
	O_LEVEL,
	O_KEEPRUNS,
	O_RECORD,
	O_REPLAY,
	O_NOREPLAY,
	O_VCA,
	O_VCONN,
	O_LIKESTACK,
	O_LAST_ = O_LIKESTACK /* the range run_options_one takes */
};

static const struct option run_longopts[] = {
	{"cmd", required_argument, NULL, O_CMD},
	{"entry", required_argument, NULL, O_ENTRY},
	{"no-preload", no_argument, NULL, O_NOPRE},
	{"config", required_argument, NULL, O_CONFIG},
	{"write-config", no_argument, NULL, O_WRITE},
	{"fixtures", required_argument, NULL, O_FIX},
	{"scenario", required_argument, NULL, O_SCEN},
	{"state", required_argument, NULL, O_STATE},
	{"out", required_argument, NULL, O_OUT},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"payload", required_argument, NULL, O_PAYLOAD},
	{"locale", required_argument, NULL, O_LOCALE},
	{"manual", no_argument, NULL, O_MANUAL},
	{"auto", no_argument, NULL, O_AUTO},
	{"trigger-id", required_argument, NULL, O_TRIG},
	{"no-trigger", no_argument, NULL, O_NOTRIG},
	{"account-deleted", no_argument, NULL, O_DEL},
	{"fields-in-env", no_argument, NULL, O_FIE},
	{"env", required_argument, NULL, O_ENV},
	{"inherit-env", no_argument, NULL, O_INH},
	{"raw", no_argument, NULL, O_RAW},
	{"no-color", no_argument, NULL, O_NOCOL},
	{"format", required_argument, NULL, O_FMT},
	{"help", no_argument, NULL, 'h'},
	{"no-lint", no_argument, NULL, O_NOLINT},
	{"strict", no_argument, NULL, O_STRICT},
	{"save-tokens", no_argument, NULL, O_SAVETOK},
	{"all-scenarios", no_argument, NULL, O_ALL},
	{"like-stack", no_argument, NULL, O_LIKESTACK},
	{"level", required_argument, NULL, O_LEVEL},
	{"keep-runs", required_argument, NULL, O_KEEPRUNS},
	{"record", no_argument, NULL, O_RECORD},
	{"replay", no_argument, NULL, O_REPLAY},
	{"no-replay", no_argument, NULL, O_NOREPLAY},
	{"vendor-ca", required_argument, NULL, O_VCA},
	{"vendor-connect-to", required_argument, NULL, O_VCONN},
};
#define RUN_NLONGOPTS (sizeof(run_longopts) / sizeof(run_longopts[0]))

/* run's table followed by extra's, {NULL}-terminated (malloc'd). */
static struct option *run_options_table(const struct run_options_extra *extra)
{
	size_t n = 0;
	while (extra != NULL && extra->longopts[n].name != NULL)
		n++;
	struct option *t = calloc(RUN_NLONGOPTS + n + 1, sizeof(*t));
	if (t == NULL)
		return NULL;
	memcpy(t, run_longopts, sizeof(run_longopts));
	if (n > 0)
		memcpy(t + RUN_NLONGOPTS, extra->longopts, n * sizeof(*t));
	return t;
}

/* One of run's options; 0, or -1 with err. */
static int run_options_one(struct run_options *o, int c, char *err)
{
	switch (c) {
	case O_CMD:
		o->cmd = optarg;
		break;
	case O_ENTRY:
		o->entry = optarg;
		break;
	case O_NOPRE:
		o->no_preload = 1;
		break;
	case O_CONFIG:
		o->config = optarg;
		break;
	case O_WRITE:
		o->write_config = 1;
		break;
	case O_FIX:
		o->fixtures = optarg;
		break;
	case O_SCEN:
		o->scenario = optarg;
		break;
	case O_STATE:
		o->state = optarg;
		break;
	case O_OUT:
		o->out = optarg;
		break;
	case O_TIMEOUT: {
		char *end;
		long long v = strtoll(optarg, &end, 10);
		if (*end != '\0' || v < 1 || v > 86400 * 7)
			return err_set(err, "--timeout wants whole seconds (1..604800), not '%s'", optarg);
		o->timeout_s = v;
		break;
	}
	case O_PAYLOAD:
		o->payload = optarg;
		break;
	case O_LOCALE:
		o->locale = optarg;
		break;
	case O_MANUAL:
		o->manual = 1;
		break;
	case O_AUTO:
		o->manual = 0;
		break;
	case O_TRIG:
		o->trigger_id = optarg;
		break;
	case O_NOTRIG:
		o->no_trigger = 1;
		break;
	case O_DEL:
		o->account_deleted = 1;
		break;
	case O_FIE:
		o->fields_in_env = 1;
		break;
	case O_ENV:
		if (strchr(optarg, '=') == NULL || optarg[0] == '=')
			return err_set(err, "--env wants KEY=VALUE, not '%s'", optarg);
		o->extra_env[o->n_extra++] = optarg;
		break;
	case O_INH:
		o->inherit_env = 1;
		break;
	case O_RAW:
		o->raw = 1;
		break;
	case O_NOCOL:
		o->no_color = 1;
		break;
	case O_NOLINT:
		o->no_lint = 1;
		break;
	case O_STRICT:
		o->strict = 1;
		break;
	case O_SAVETOK:
		o->save_tokens = 1;
		break;
	case O_ALL:
		o->all_scenarios = 1;
		break;
	case O_LIKESTACK:
		o->like_stack = 1;
		break;
	case O_LEVEL:
		if (strcmp(optarg, "debug") == 0)
			o->level = RUN_LEVEL_DEBUG;
		else if (strcmp(optarg, "info") == 0)
			o->level = RUN_LEVEL_INFO;
		else if (strcmp(optarg, "warning") == 0)
			o->level = RUN_LEVEL_WARNING;
		else
			return err_set(err, "--level is debug, info or warning, not '%s'", optarg);
		break;
	case O_KEEPRUNS: {
		char *end;
		long v = strtol(optarg, &end, 10);
		if (*end != '\0' || end == optarg || v < 1 || v > 100000)
			return err_set(err, "--keep-runs wants a number of run directories (1..100000), not '%s'",
				       optarg);
		o->keep_runs = (int)v;
		break;
	}
	case O_RECORD:
		o->record = 1;
		break;
	case O_REPLAY:
		o->replay = 1;
		break;
	case O_NOREPLAY:
		o->no_replay = 1;
		break;
	case O_VCA:
		o->vendor_ca = optarg;
		break;
	case O_VCONN: {
		/* curl's CONNECT_TO syntax: HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT */
		int colons = 0;
		for (const char *p = optarg; *p; p++)
			colons += *p == ':';
		if (colons != 3)
			return err_set(err, "--vendor-connect-to wants HOST:PORT:HOST2:PORT2, not '%s'", optarg);
		o->vendor_connect_to[o->n_connect_to++] = optarg;
		break;
	}
	case O_FMT:
		if (report_format_parse(optarg, &o->format) < 0)
			return err_set(err, "--format is text, json, junit, github or tap, not '%s'", optarg);
		o->json = o->format == REPORT_JSON;
		break;
	}
	return 0;
}

enum run_options_status run_options_parse_ext(int argc, char **argv, struct run_options *o,
					      const struct run_options_extra *extra, char *err)
{
	memset(o, 0, sizeof(*o));
	o->dir = ".";
	o->timeout_s = RUN_OPTIONS_DEFAULT_TIMEOUT_S;
	o->manual = 1;
	o->keep_runs = RUN_OPTIONS_DEFAULT_KEEP_RUNS;
	o->extra_env = calloc((size_t)argc + 1, sizeof(char *));
	o->vendor_connect_to = calloc((size_t)argc + 1, sizeof(char *));
	struct option *table = run_options_table(extra);
	if (o->extra_env == NULL || o->vendor_connect_to == NULL || table == NULL) {
		free(table);
		err_set(err, "out of memory");
		return RUN_OPTIONS_NOMEM;
	}
	enum run_options_status st = RUN_OPTIONS_OK;
	optind = 1;
	opterr = 0;
	int c;
	while (st == RUN_OPTIONS_OK && (c = getopt_long(argc, argv, "h", table, NULL)) != -1) {
		if (c == 'h')
			st = RUN_OPTIONS_HELP;
		else if (c >= RUN_OPTIONS_EXTRA_BASE && extra != NULL) {
			if (extra->handle(extra->arg, c, optarg, err) < 0)
				st = RUN_OPTIONS_USAGE;
		} else if (c >= O_CMD && c <= O_LAST_) {
			if (run_options_one(o, c, err) < 0)
				st = RUN_OPTIONS_USAGE;
		} else {
			err_set(err, "unknown or incomplete option '%s'", argv[optind - 1]);
			st = RUN_OPTIONS_UNKNOWN;
		}
	}
	free(table);
	if (st == RUN_OPTIONS_OK && o->record + o->replay + o->no_replay > 1) {
		err_set(err, "--record, --replay and --no-replay: one at most");
		st = RUN_OPTIONS_USAGE;
	}
	if (st == RUN_OPTIONS_OK && !o->record && (o->vendor_ca != NULL || o->n_connect_to > 0)) {
		err_set(err, "--vendor-ca and --vendor-connect-to are for --record (a replay reaches no vendor)");
		st = RUN_OPTIONS_USAGE;
	}
	if (st != RUN_OPTIONS_OK)
		return st;
	if (optind < argc)
		o->dir = argv[optind++];
	if (optind < argc) {
		err_set(err, "one DIR only ('%s' is extra)", argv[optind]);
		return RUN_OPTIONS_USAGE;
	}
	if (!fs_is_dir(o->dir)) {
		err_set(err, "%s is not a directory", o->dir);
		return RUN_OPTIONS_USAGE;
	}
	return RUN_OPTIONS_OK;
}

enum run_options_status run_options_parse(int argc, char **argv, struct run_options *o, char *err)
{
	return run_options_parse_ext(argc, argv, o, NULL, err);
}

void run_options_free(struct run_options *o)
{
	free(o->extra_env);
	free(o->vendor_connect_to);
	o->extra_env = NULL;
	o->vendor_connect_to = NULL;
	o->n_extra = 0;
	o->n_connect_to = 0;
}

void run_options_config_path(const struct run_options *o, char *out, size_t len)
{
	if (o->config != NULL)
		snprintf(out, len, "%s", o->config);
	else
		snprintf(out, len, "%s/konnector-dev-config.json", o->dir);
}
