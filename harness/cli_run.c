/*
 * konnector-harness run: start the konnector in DIR once as cozy-stack does
 * (stack.md §1), against the fake stack, show its events live, judge it and
 * write the run directory.
 */
#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/loop.h"
#include "fake-stack/stack.h"
#include "harness/cli.h"
#include "harness/devconfig.h"
#include "harness/events.h"
#include "harness/exitcode.h"
#include "harness/expect_report.h"
#include "harness/expect_run.h"
#include "harness/jobenv.h"
#include "harness/manifest.h"
#include "harness/preload.h"
#include "harness/rundir.h"
#include "harness/runner.h"
#include "harness/verdict.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "konnector-harness run"
/* stack: worker/exec/common.go defaultTimeout */
#define DEFAULT_TIMEOUT_S 300

struct run_opts {
	const char *dir, *cmd, *entry, *fixtures, *scenario, *out, *state, *payload, *locale, *config, *trigger_id;
	long long timeout_s;
	int manual, no_trigger, inherit_env, fields_in_env, account_deleted, raw, json, write_config, no_color, no_preload;
	int all_scenarios;        /* --all-scenarios (issue 9) */
	enum report_format fmt;   /* --format; junit/github/tap write expectation test cases to sink */
	struct expect_sink sink;
	char **extra_env; /* --env, NULL-terminated */
	size_t n_extra;
};

/* Everything one run holds; passed to the loop callbacks. */
struct run {
	struct run_opts *o;
	struct loop *loop;
	struct stack *stack;
	struct runner *runner;
	struct rundir rd;
	struct judge judge;
	FILE *live; /* where the live display goes */
	int color;
	int interrupted;
	int finished;
	enum process_end end;
	int code;
	long long started_ms, ended_ms;
	size_t not_json, bad_shape;
	long too_long_line; /* 0: none */
	json_t *warnings;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [DIR] [OPTIONS]\n\n"
		"Start the konnector in DIR (default .) exactly as cozy-stack starts it, against the fake stack,\n"
		"show its events live, judge the result as the stack does and write the run directory.\n\n"
		"  --cmd CMD            command line to run (through sh -c) instead of node <entry>\n"
		"  --entry FILE         node entry (default: package.json main, index.js, build/index.js, src/index.js)\n"
		"  --no-preload         do not preload the manifest for unbuilt konnectors (node -r)\n"
		"  --config FILE        dev config (default DIR/konnector-dev-config.json)\n"
		"  --write-config       create a dev config template naming the manifest's fields, when missing\n"
		"  --fixtures DIR       fixtures scenario (default DIR/fixtures[/default or the only scenario])\n"
		"  --scenario NAME      scenario under DIR/fixtures/; its expect.json is checked after the run and\n"
		"                       its konnector-dev-config.json, when present, replaces DIR's\n"
		"  --all-scenarios      run every scenario under DIR/fixtures/ in turn (exit 1 if any fails)\n"
		"  --state RUNDIR       start from an earlier run's state/ instead of the fixtures\n"
		"  --out RUNDIR         run directory (default DIR/.harness/runs/<n>/, `latest` points at it)\n"
		"  --timeout SECONDS    time limit, default 300 (COZY_TIME_LIMIT is this + 5); SIGKILL to the group\n"
		"  --payload FILE       webhook payload (COZY_PAYLOAD; over 100000 bytes: @cozy_payload.json)\n"
		"  --locale LOCALE      COZY_LOCALE (default en)\n"
		"  --manual / --auto    COZY_JOB_MANUAL_EXECUTION true (default) / false\n"
		"  --trigger-id ID      COZY_TRIGGER_ID (default: a generated id, as a launch from a trigger)\n"
		"  --no-trigger         no COZY_TRIGGER_ID (a job pushed without a trigger)\n"
		"  --account-deleted    soft-delete the account and run the manifest's on_delete_account (§1.9)\n"
		"  --fields-in-env      also merge the dev-config fields into COZY_FIELDS (NOT what the stack does:\n"
		"                       the stack gives credentials only through the account document)\n"
		"  --env KEY=VAL        add a variable (repeatable); the stack passes only COZY_* (and we add PATH)\n"
		"  --inherit-env        pass the harness's whole environment too (NODE_ENV changes cozy-logger!)\n"
		"  --raw                show stdout and stderr as they come, not pretty-printed\n"
		"  --no-color           no colours (also when NO_COLOR is set, or not on a terminal)\n"
		"  --format text|json   the verdict as text (default) or one JSON object on stdout\n"
		"  --format junit|github|tap  the scenario's expectations (or the verdict) as CI test cases on\n"
		"                       stdout; the verdict and the live events go to stderr\n"
		"  -h, --help           this help\n\n"
		"Exit status: 0 done, 1 errored (as the stack would judge it), 64 usage, 65 bad manifest,\n"
		"dev config or fixtures, 69 unavailable, 70 internal error.\n");
}

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Parse argv into o; returns -1 to go on, else an exit status. */
static int run_parse_args(int argc, char **argv, struct run_opts *o)
{
	enum { O_CMD = 256, O_ENTRY, O_NOPRE, O_CONFIG, O_WRITE, O_FIX, O_SCEN, O_STATE, O_OUT, O_TIMEOUT, O_PAYLOAD,
	       O_LOCALE, O_MANUAL, O_AUTO, O_TRIG, O_NOTRIG, O_DEL, O_FIE, O_ENV, O_INH, O_RAW, O_NOCOL, O_FMT, O_ALL };
	static const struct option longopts[] = {
		{"cmd", required_argument, NULL, O_CMD},         {"entry", required_argument, NULL, O_ENTRY},
		{"no-preload", no_argument, NULL, O_NOPRE},      {"config", required_argument, NULL, O_CONFIG},
		{"write-config", no_argument, NULL, O_WRITE},    {"fixtures", required_argument, NULL, O_FIX},
		{"scenario", required_argument, NULL, O_SCEN},   {"state", required_argument, NULL, O_STATE},
		{"out", required_argument, NULL, O_OUT},         {"timeout", required_argument, NULL, O_TIMEOUT},
		{"payload", required_argument, NULL, O_PAYLOAD}, {"locale", required_argument, NULL, O_LOCALE},
		{"manual", no_argument, NULL, O_MANUAL},         {"auto", no_argument, NULL, O_AUTO},
		{"trigger-id", required_argument, NULL, O_TRIG}, {"no-trigger", no_argument, NULL, O_NOTRIG},
		{"account-deleted", no_argument, NULL, O_DEL},   {"fields-in-env", no_argument, NULL, O_FIE},
		{"env", required_argument, NULL, O_ENV},         {"inherit-env", no_argument, NULL, O_INH},
		{"raw", no_argument, NULL, O_RAW},               {"no-color", no_argument, NULL, O_NOCOL},
		{"format", required_argument, NULL, O_FMT},      {"help", no_argument, NULL, 'h'},
		{"all-scenarios", no_argument, NULL, O_ALL},
		{NULL, 0, NULL, 0},
	};
	o->dir = ".";
	o->timeout_s = DEFAULT_TIMEOUT_S;
	o->manual = 1;
	o->extra_env = calloc((size_t)argc + 1, sizeof(char *));
	if (o->extra_env == NULL)
		return EXIT_SOFTWARE;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_CMD: o->cmd = optarg; break;
		case O_ENTRY: o->entry = optarg; break;
		case O_NOPRE: o->no_preload = 1; break;
		case O_CONFIG: o->config = optarg; break;
		case O_WRITE: o->write_config = 1; break;
		case O_FIX: o->fixtures = optarg; break;
		case O_SCEN: o->scenario = optarg; break;
		case O_ALL: o->all_scenarios = 1; break;
		case O_STATE: o->state = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_TIMEOUT: {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 86400 * 7) {
				fprintf(stderr, PROG ": --timeout wants whole seconds (1..604800), not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->timeout_s = v;
			break;
		}
		case O_PAYLOAD: o->payload = optarg; break;
		case O_LOCALE: o->locale = optarg; break;
		case O_MANUAL: o->manual = 1; break;
		case O_AUTO: o->manual = 0; break;
		case O_TRIG: o->trigger_id = optarg; break;
		case O_NOTRIG: o->no_trigger = 1; break;
		case O_DEL: o->account_deleted = 1; break;
		case O_FIE: o->fields_in_env = 1; break;
		case O_ENV:
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				fprintf(stderr, PROG ": --env wants KEY=VALUE, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->extra_env[o->n_extra++] = optarg;
			break;
		case O_INH: o->inherit_env = 1; break;
		case O_RAW: o->raw = 1; break;
		case O_NOCOL: o->no_color = 1; break;
		case O_FMT:
			if (report_format_parse(optarg, &o->fmt) < 0) {
				fprintf(stderr, PROG ": --format is text, json, junit, github or tap, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->json = o->fmt == REPORT_JSON;
			o->sink.fmt = o->fmt;
			break;
		case 'h': run_usage(stdout); return EXIT_DONE;
		default:
			fprintf(stderr, PROG ": unknown or incomplete option '%s'\n\n", argv[optind - 1]);
			run_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, PROG ": one DIR only ('%s' is extra)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!is_dir(o->dir)) {
		fprintf(stderr, PROG ": %s is not a directory\n", o->dir);
		return EXIT_USAGE;
	}
	return -1;
}

/* A scenario folder holds data/, files/, account_types/ or refresh/ directly. */
static int is_scenario(const char *dir)
{
	static const char *const parts[] = {"data", "files", "account_types", "refresh"};
	char p[PATH_MAX + 32];
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, parts[i]);
		if (is_dir(p))
			return 1;
	}
	return 0;
}

/* The fixtures folder to load, as serve picks it (malloc'd into *out, NULL for none); an exit status or -1. */
static int run_pick_fixtures(const struct run_opts *o, char **out)
{
	*out = NULL;
	if (o->fixtures != NULL) {
		if (!is_dir(o->fixtures)) {
			fprintf(stderr, PROG ": fixtures %s is not a directory\n", o->fixtures);
			return EXIT_USAGE;
		}
		*out = strdup(o->fixtures);
		return -1;
	}
	char base[PATH_MAX], p[PATH_MAX + 256];
	snprintf(base, sizeof(base), "%s/fixtures", o->dir);
	if (o->scenario != NULL) {
		snprintf(p, sizeof(p), "%s/%s", base, o->scenario);
		if (!is_dir(p)) {
			fprintf(stderr, PROG ": no scenario %s\n", p);
			return EXIT_USAGE;
		}
		*out = strdup(p);
		return -1;
	}
	if (!is_dir(base))
		return -1;
	if (is_scenario(base)) {
		*out = strdup(base);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/default", base);
	if (is_dir(p)) {
		*out = strdup(p);
		return -1;
	}
	DIR *d = opendir(base);
	struct dirent *de;
	int count = 0;
	char only[PATH_MAX + 256] = "";
	while (d != NULL && (de = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", base, de->d_name);
		if (de->d_name[0] != '.' && is_dir(p)) {
			count++;
			snprintf(only, sizeof(only), "%s", p);
		}
	}
	if (d != NULL)
		closedir(d);
	if (count > 1) {
		fprintf(stderr, PROG ": %s holds several scenarios: choose one with --scenario NAME\n", base);
		return EXIT_USAGE;
	}
	if (count == 1)
		*out = strdup(only);
	return -1;
}

/* 32 random hex digits, like a CouchDB uuid. */
static void run_random_id(char out[33])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		long long t = loop_now_ms() ^ (long long)getpid();
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 37);
	}
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* A stable account id for slug (so --state finds the same account): two FNV-1a hashes in hex. */
static void run_account_id(const char *slug, char out[33])
{
	unsigned long long h1 = 1469598103934665603ULL, h2 = 7809847782465536322ULL;
	for (const unsigned char *p = (const unsigned char *)slug; *p; p++) {
		h1 = (h1 ^ *p) * 1099511628211ULL;
		h2 = (h2 ^ *p) * 1099511628211ULL;
	}
	snprintf(out, 33, "%016llx%016llx", h1, h2);
}

/* Create or update the account doc from the dev config; returns the stored doc (new ref). */
static json_t *run_put_account(struct run *r, const struct devconfig *dc, const char *slug, const char *id, char *err)
{
	json_t *doc = devconfig_account(dc, slug, id);
	json_t *old = stack_doc_get(r->stack, "io.cozy.accounts", id);
	if (old != NULL) {
		/* a second run from --state: keep what the konnector stored, refresh the credentials */
		json_t *merged = json_deep_copy(old);
		json_object_set(merged, "auth", json_object_get(doc, "auth"));
		if (json_object_get(doc, "oauth") != NULL)
			json_object_set(merged, "oauth", json_object_get(doc, "oauth"));
		json_object_set(merged, "account_type", json_object_get(doc, "account_type"));
		json_decref(doc);
		doc = merged;
		json_decref(old);
	}
	json_t *stored = stack_doc_put(r->stack, "io.cozy.accounts", doc, err);
	json_decref(doc);
	return stored;
}

/* stack: worker/exec/konnector.go computeFolderPath: /<Administrative>/<Title name>/<account name or id> */
static char *run_folder_path(const struct manifest *m, const json_t *account, const char *locale)
{
	const char *admin = (locale != NULL && strncmp(locale, "fr", 2) == 0) ? "Administratif" : "Administrative";
	struct buf title = {0};
	int word_start = 1;
	for (const char *p = m->name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		/* cases.Title: upper-case the first letter of each word, lower-case the rest (ASCII here) */
		char out = (char)ch;
		if (ch < 0x80 && isalpha(ch))
			out = (char)(word_start ? toupper(ch) : tolower(ch));
		buf_append(&title, &out, 1);
		word_start = ch < 0x80 && !isalnum(ch) && ch != '\'';
	}
	const char *name = json_string_value(json_object_get(account, "name"));
	struct buf acc = {0};
	static const char bad[] = "&/\\#,+()$@~%.'\":*?<>{}";
	for (const char *p = name ? name : ""; *p; p++) {
		char ch = strchr(bad, *p) != NULL ? '_' : *p;
		buf_append(&acc, &ch, 1);
	}
	if (acc.len == 0)
		buf_puts(&acc, json_string_value(json_object_get(account, "_id")));
	char *path = NULL;
	if (asprintf(&path, "/%s/%s/%s", admin, title.data ? title.data : "", acc.data) < 0)
		path = NULL;
	buf_free(&title);
	buf_free(&acc);
	return path;
}

/* ensureFolderToSave for a trigger built with folder_to_save "yes"; returns the dir id (malloc'd) or NULL with a warning. */
static char *run_folder_to_save(struct run *r, const struct manifest *m, json_t **account)
{
	char err[ERR_MAX];
	const char *path = json_string_value(json_object_get(*account, "defaultFolderPath"));
	char *computed = NULL;
	if (path == NULL || path[0] == '\0')
		path = json_string_value(json_object_get(*account, "folderPath"));
	if (path == NULL || path[0] == '\0')
		path = computed = run_folder_path(m, *account, r->o->locale);
	json_t *dir = stack_mkdir_p(r->stack, path, err);
	if (dir == NULL) {
		char w[ERR_MAX + 128];
		snprintf(w, sizeof(w), "could not create folder_to_save %s: %s", path, err);
		json_array_append_new(r->warnings, json_string(w));
		free(computed);
		return NULL;
	}
	char *id = strdup(json_string_value(json_object_get(dir, "_id")));
	json_t *refs = json_object_get(dir, "referenced_by");
	if (json_array_size(refs) == 0) {
		char ref[512];
		snprintf(ref, sizeof(ref), "io.cozy.konnectors/%s", m->slug);
		if (stack_add_reference(r->stack, id, "io.cozy.konnectors", ref, err) < 0) {
			char w[ERR_MAX + 64];
			snprintf(w, sizeof(w), "could not reference folder_to_save: %s", err);
			json_array_append_new(r->warnings, json_string(w));
		}
	}
	json_decref(dir);
	const char *dfp = json_string_value(json_object_get(*account, "defaultFolderPath"));
	if (dfp == NULL || dfp[0] == '\0') {
		json_t *upd = json_deep_copy(*account);
		json_object_set_new(upd, "defaultFolderPath", json_string(path));
		json_t *stored = stack_doc_put(r->stack, "io.cozy.accounts", upd, err);
		json_decref(upd);
		if (stored != NULL) {
			json_decref(*account);
			*account = stored;
		}
	}
	free(computed);
	return id;
}

/* The node entry of DIR (malloc'd, relative to DIR) or NULL. */
static char *run_node_entry(const struct run_opts *o)
{
	char p[PATH_MAX * 2];
	if (o->entry != NULL)
		return strdup(o->entry);
	snprintf(p, sizeof(p), "%s/package.json", o->dir);
	json_t *pkg = json_load_file(p, 0, NULL);
	const char *main_ = json_string_value(json_object_get(pkg, "main"));
	if (main_ != NULL) {
		snprintf(p, sizeof(p), "%s/%s", o->dir, main_);
		if (is_file(p)) {
			char *e = strdup(main_);
			json_decref(pkg);
			return e;
		}
	}
	json_decref(pkg);
	static const char *const cands[] = {"index.js", "build/index.js", "src/index.js"};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", o->dir, cands[i]);
		if (is_file(p))
			return strdup(cands[i]);
	}
	return NULL;
}

/* stack: worker/exec/konnector.go cleans on_delete_account as path.Join("/", x): no way out of DIR */
static char *run_clean_rel(const char *p)
{
	char *parts[256];
	size_t n = 0;
	char *copy = strdup(p);
	for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		if (n < sizeof(parts) / sizeof(parts[0]))
			parts[n++] = tok;
	}
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
	if (b.data == NULL)
		buf_puts(&b, ".");
	free(copy);
	return buf_steal(&b);
}

/* ---- live display ---- */

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_BRED "\033[1;31m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_GREEN "\033[32m"
#define C_BOLD "\033[1m"

static const char *run_c(const struct run *r, const char *code)
{
	return r->color ? code : "";
}

/* Colour of an event type. */
static const char *type_color(const char *t)
{
	if (strcmp(t, "critical") == 0)
		return C_BRED;
	if (strcmp(t, "error") == 0)
		return C_RED;
	if (strcmp(t, "warning") == 0 || strcmp(t, "warn") == 0)
		return C_YELLOW;
	if (strcmp(t, "info") == 0)
		return C_CYAN;
	if (strcmp(t, "ok") == 0)
		return C_GREEN;
	return C_DIM;
}

/* ISO-8601 UTC time with milliseconds, now. */
static void iso_now(char out[32])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Print bytes with control characters made visible. */
static void put_visible(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

/* One stdout line: judge it, record it, show it. */
static void run_on_line(void *arg, const char *line, size_t len, size_t lineno)
{
	struct run *r = arg;
	struct event ev;
	char why[128] = "";
	size_t col = 0;
	enum event_status st = event_parse(line, len, &ev, why, sizeof(why), &col);
	char now[32];
	iso_now(now);
	if (st == EVENT_OK) {
		judge_event(&r->judge, &ev);
		json_t *rec = json_object();
		json_object_set_new(rec, "line", json_integer((json_int_t)lineno));
		json_object_set_new(rec, "time", json_string(now));
		json_object_set_new(rec, "type", json_string(ev.type));
		json_object_set_new(rec, "message", json_stringn(ev.message, ev.message_len));
		json_object_set_new(rec, "no_retry", json_boolean(ev.no_retry));
		char *s = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (s != NULL)
			fprintf(r->rd.events, "%s\n", s);
		free(s);
		json_decref(rec);
	} else if (st == EVENT_NOT_JSON) {
		r->not_json++;
	} else {
		r->bad_shape++;
	}
	if (r->o->raw) {
		fwrite(line, 1, len, r->live);
		fputc('\n', r->live);
		if (st == EVENT_OK)
			event_clear(&ev);
		return;
	}
	if (st == EVENT_OK) {
		const char *t = ev.type[0] ? ev.type : "(none)";
		fprintf(r->live, "%s%-8s%s ", run_c(r, type_color(ev.type)), t, run_c(r, C_RESET));
		put_visible(r->live, ev.message, ev.message_len);
		if (ev.no_retry)
			fprintf(r->live, " %s[no_retry]%s", run_c(r, C_BOLD), run_c(r, C_RESET));
		fputc('\n', r->live);
		event_clear(&ev);
	} else {
		fprintf(r->live, "%s%-8s ", run_c(r, C_DIM), st == EVENT_NOT_JSON ? "not-json" : "ignored");
		put_visible(r->live, line, len > 300 ? 300 : len);
		fprintf(r->live, "%s  (%s; the stack ignores this line)%s\n", len > 300 ? "…" : "", why, run_c(r, C_RESET));
	}
	fflush(r->live);
}

static void run_on_too_long(void *arg, size_t lineno)
{
	struct run *r = arg;
	r->too_long_line = (long)lineno;
	char w[256];
	snprintf(w, sizeof(w),
		 "stdout line %zu is longer than %d bytes: the stack stops reading stdout there "
		 "(bufio.Scanner: token too long); nothing after it counts",
		 lineno, EVENT_LINE_MAX - 1);
	json_array_append_new(r->warnings, json_string(w));
	fprintf(r->live, "%s%-8s %s%s\n", run_c(r, C_YELLOW), "harness", w, run_c(r, C_RESET));
	fflush(r->live);
}

static void run_on_out(void *arg, const char *data, size_t len)
{
	struct run *r = arg;
	fwrite(data, 1, len, r->rd.out);
}

static void run_on_err(void *arg, const char *data, size_t len)
{
	struct run *r = arg;
	fwrite(data, 1, len, r->rd.err);
	if (r->o->raw) {
		fwrite(data, 1, len, stderr);
		return;
	}
	/* stderr is never parsed by the stack (§1.6): shown dimmed, as it comes */
	fprintf(stderr, "%s", run_c(r, C_DIM));
	fwrite(data, 1, len, stderr);
	fprintf(stderr, "%s", run_c(r, C_RESET));
	fflush(stderr);
}

static void run_on_done(void *arg, enum process_end end, int code)
{
	struct run *r = arg;
	r->finished = 1;
	r->end = end;
	r->code = code;
	r->ended_ms = loop_now_ms();
	loop_stop(r->loop);
}

static void run_on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	(void)loop;
	struct run *r = arg;
	if (si->ssi_signo == SIGCHLD) {
		runner_on_sigchld(r->runner);
		return;
	}
	/* Ctrl-C / SIGTERM: stop the konnector's group like a cancelled job, then write everything */
	r->interrupted = (int)si->ssi_signo;
	if (r->runner != NULL)
		runner_stop(r->runner);
	else
		loop_stop(r->loop);
}

/* ---- verdict ---- */

/* after − before, per doctype and counter, keeping only doctypes that changed. */
static json_t *run_changes_diff(const json_t *before, const json_t *after)
{
	json_t *out = json_object();
	const char *dt;
	json_t *counts;
	json_object_foreach((json_t *)after, dt, counts)
	{
		json_t *b = json_object_get(before, dt), *d = json_object();
		const char *k;
		json_t *v;
		int any = 0;
		json_object_foreach(counts, k, v)
		{
			json_int_t n = json_integer_value(v) - json_integer_value(json_object_get(b, k));
			json_object_set_new(d, k, json_integer(n));
			any |= n != 0;
		}
		if (any)
			json_object_set_new(out, dt, d);
		else
			json_decref(d);
	}
	return out;
}

static const char *end_name(enum process_end e)
{
	return e == END_EXITED ? "exited" : e == END_SIGNALED ? "signaled" : "timeout";
}

/* The report (report.json and --format json). */
static json_t *run_report(struct run *r, const struct manifest *m, const struct verdict *v, const char *start_error,
			  json_t *changes, const char *job_id)
{
	json_t *rep = json_object();
	json_object_set_new(rep, "slug", json_string(m->slug));
	json_object_set_new(rep, "job_id", json_string(job_id));
	json_object_set_new(rep, "state", json_string(v->done ? "done" : "errored"));
	json_object_set_new(rep, "error", v->error ? json_string(v->error) : json_null());
	json_object_set_new(rep, "duration_ms", json_integer(r->ended_ms - r->started_ms));
	json_t *proc = json_object();
	if (start_error != NULL) {
		json_object_set_new(proc, "end", json_string("not_started"));
	} else {
		json_object_set_new(proc, "end", json_string(end_name(r->end)));
		json_object_set_new(proc, r->end == END_SIGNALED ? "signal" : "code", json_integer(r->code));
	}
	json_object_set_new(rep, "process", proc);
	json_t *ev = json_object();
	json_object_set_new(ev, "debug", json_integer((json_int_t)r->judge.count_debug));
	json_object_set_new(ev, "info", json_integer((json_int_t)r->judge.count_info));
	json_object_set_new(ev, "warning", json_integer((json_int_t)r->judge.count_warning));
	json_object_set_new(ev, "error", json_integer((json_int_t)r->judge.count_error));
	json_object_set_new(ev, "critical", json_integer((json_int_t)r->judge.count_critical));
	json_object_set_new(ev, "other", json_integer((json_int_t)r->judge.count_other));
	json_object_set_new(ev, "not_json", json_integer((json_int_t)r->not_json));
	json_object_set_new(ev, "bad_shape", json_integer((json_int_t)r->bad_shape));
	json_object_set_new(rep, "events", ev);
	json_object_set(rep, "changes", changes);
	json_t *next = json_object();
	json_object_set_new(next, "retry", json_boolean(!v->done && v->retry));
	json_object_set_new(next, "skip_automatic_runs", json_boolean(!v->done && v->skips_next_runs));
	json_object_set_new(rep, "next", next);
	json_object_set_new(rep, "interrupted", json_boolean(r->interrupted != 0));
	json_object_set(rep, "warnings", r->warnings);
	json_object_set_new(rep, "run_dir", json_string(r->rd.path));
	return rep;
}

/* The short text verdict. */
static void run_print_verdict(struct run *r, const json_t *rep, FILE *f)
{
	const char *state = json_string_value(json_object_get(rep, "state"));
	int done = strcmp(state, "done") == 0;
	const char *slug = json_string_value(json_object_get(rep, "slug"));
	long long ms = (long long)json_integer_value(json_object_get(rep, "duration_ms"));
	fprintf(f, "\n%s%s%s %s in %lld.%03lld s%s\n", run_c(r, C_BOLD), slug, run_c(r, done ? C_GREEN : C_RED),
		done ? "done" : "errored", ms / 1000, ms % 1000, run_c(r, C_RESET));
	if (!done)
		fprintf(f, "  error    %s%s%s   (the job's error as the stack stores it)\n", run_c(r, C_RED),
			json_string_value(json_object_get(rep, "error")), run_c(r, C_RESET));
	json_t *proc = json_object_get(rep, "process");
	const char *end = json_string_value(json_object_get(proc, "end"));
	if (strcmp(end, "exited") == 0)
		fprintf(f, "  process  exit status %lld\n", (long long)json_integer_value(json_object_get(proc, "code")));
	else if (strcmp(end, "signaled") == 0)
		fprintf(f, "  process  killed by signal %lld\n", (long long)json_integer_value(json_object_get(proc, "signal")));
	else if (strcmp(end, "timeout") == 0)
		fprintf(f, "  process  killed at the time limit (SIGKILL to its process group)\n");
	else
		fprintf(f, "  process  could not be started\n");
	if (r->interrupted)
		fprintf(f, "  note     interrupted (%s): the konnector's process group was killed\n", strsignal(r->interrupted));
	json_t *ev = json_object_get(rep, "events");
	fprintf(f, "  events  ");
	const char *k;
	json_t *v;
	int any = 0;
	json_object_foreach(ev, k, v)
	{
		if (json_integer_value(v) == 0)
			continue;
		fprintf(f, "%s %lld %s", any ? "," : "", (long long)json_integer_value(v),
			strcmp(k, "not_json") == 0 ? "not JSON (ignored)" : strcmp(k, "bad_shape") == 0 ? "bad shape (ignored)" : k);
		any = 1;
	}
	fprintf(f, "%s\n", any ? "" : " none");
	json_t *ch = json_object_get(rep, "changes");
	if (json_object_size(ch) == 0)
		fprintf(f, "  data     nothing created, updated or deleted\n");
	json_object_foreach(ch, k, v)
	{
		fprintf(f, "  data     %s: %lld created, %lld updated, %lld deleted\n", k,
			(long long)json_integer_value(json_object_get(v, "created")),
			(long long)json_integer_value(json_object_get(v, "updated")),
			(long long)json_integer_value(json_object_get(v, "deleted")));
	}
	json_t *next = json_object_get(rep, "next");
	if (done)
		fprintf(f, "  next     nothing: the job is done\n");
	else {
		int retry = json_is_true(json_object_get(next, "retry"));
		int skip = json_is_true(json_object_get(next, "skip_automatic_runs"));
		fprintf(f, "  next     %s; %s\n",
			retry ? "the stack would run it once more within the same job" : "no retry",
			skip ? "later automatic runs of the trigger are skipped until a manual run"
			     : "later automatic runs go ahead");
	}
	size_t i;
	json_array_foreach(json_object_get(rep, "warnings"), i, v)
	{
		fprintf(f, "  %swarning%s  %s\n", run_c(r, C_YELLOW), run_c(r, C_RESET), json_string_value(v));
	}
	fprintf(f, "  run dir  %s\n", json_string_value(json_object_get(rep, "run_dir")));
}

/* ---- the run ---- */

/* The dev config is missing: name the fields, offer (or with --write-config, write) a template. */
static int run_missing_config(const struct run_opts *o, const struct manifest *m, const char *path)
{
	char *tmpl = devconfig_template(m);
	if (tmpl == NULL)
		return EXIT_SOFTWARE;
	json_t *names = manifest_field_names(m);
	struct buf list = {0};
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) buf_printf(&list, "%s%s", i ? ", " : "", json_string_value(n));
	json_decref(names);
	int rc;
	if (o->write_config) {
		char err[ERR_MAX];
		if (atomic_write(path, tmpl, strlen(tmpl), err) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			rc = EXIT_SOFTWARE;
		} else {
			printf("wrote %s with the fields the manifest asks for (%s):\n%s\nfill them in, then run again.\n",
			       path, list.data ? list.data : "none", tmpl);
			rc = EXIT_DONE;
		}
	} else {
		fprintf(stderr,
			PROG ": %s is missing.\n"
			"The manifest asks for these account fields: %s.\n"
			"Create it with the credentials to use (comments allowed), for example:\n\n%s\n"
			"or run again with --write-config to write this template.\n",
			path, list.data ? list.data : "none", tmpl);
		rc = EXIT_DATAERR;
	}
	buf_free(&list);
	free(tmpl);
	return rc;
}

/* Read a --payload file into COZY_PAYLOAD (malloc'd) and maybe write @cozy_payload.json; NULL + err on failure. */
static char *run_payload(const struct run_opts *o, int *wrote_file, char *err)
{
	*wrote_file = 0;
	if (o->payload == NULL)
		return strdup("");
	size_t len;
	char *body = file_read_all(o->payload, &len, err);
	if (body == NULL)
		return NULL;
	int big;
	char *value = jobenv_payload(body, len, &big);
	free(body);
	if (value != NULL && big) {
		/* stack: worker/exec/common.go preparePayload writes it in the work dir (the cwd) */
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/" JOBENV_PAYLOAD_FILE, o->dir);
		if (atomic_write(p, value, strlen(value), err) < 0) {
			free(value);
			return NULL;
		}
		free(value);
		*wrote_file = 1;
		return strdup("@" JOBENV_PAYLOAD_FILE);
	}
	return value;
}

extern char **environ;

/* Everything after the options are parsed; returns the exit status. */
static int run_main(struct run_opts *o)
{
	char err[ERR_MAX], path[PATH_MAX * 2];
	int rc = EXIT_SOFTWARE;
	struct manifest m = {0};
	struct devconfig dc = {0};
	struct run r = {0};
	char *fixtures = NULL, *fields = NULL, *params = NULL, *payload = NULL, *entry = NULL, *folder = NULL;
	char *preload = NULL, *start_error = NULL;
	char **env = NULL;
	json_t *account = NULL, *before = NULL, *changes = NULL, *report = NULL, *extra_fields = NULL;
	int payload_file = 0;
	r.o = o;
	r.warnings = json_array();
	judge_init(&r.judge);

	snprintf(path, sizeof(path), "%s/manifest.konnector", o->dir);
	if (manifest_load(path, &m, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_DATAERR;
		goto out;
	}
	int pick = run_pick_fixtures(o, &fixtures);
	if (pick >= 0) {
		rc = pick;
		goto out;
	}
	/* issue 9: a scenario may carry its own dev config (e.g. a refused password) */
	if (o->config == NULL && fixtures != NULL)
		snprintf(path, sizeof(path), "%s/konnector-dev-config.json", fixtures);
	if (o->config != NULL)
		snprintf(path, sizeof(path), "%s", o->config);
	else if (fixtures == NULL || !is_file(path))
		snprintf(path, sizeof(path), "%s/konnector-dev-config.json", o->dir);
	enum devconfig_status ds = devconfig_load(path, &dc, err);
	if (ds == DEVCONFIG_MISSING) {
		rc = run_missing_config(o, &m, path);
		goto out;
	}
	if (ds == DEVCONFIG_BAD) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_DATAERR;
		goto out;
	}
	if (o->write_config)
		fprintf(stderr, PROG ": %s exists already; --write-config never overwrites it\n", path);

	/* the live display follows stdout unless stdout carries the JSON verdict */
	r.live = o->json || expect_sink_wants(o->fmt) ? stderr : stdout;
	const char *nc = getenv("NO_COLOR");
	r.color = !o->raw && !o->no_color && !(nc != NULL && nc[0] != '\0') && isatty(fileno(r.live));

	snprintf(path, sizeof(path), "%s/.harness/runs", o->dir);
	if (rundir_create(path, o->out, &r.rd, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	r.loop = loop_new(err);
	if (r.loop == NULL || loop_watch_signals(r.loop, run_on_signal, &r, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	char files_dir[PATH_MAX], state_dir[PATH_MAX];
	snprintf(files_dir, sizeof(files_dir), "%s/files", r.rd.path);
	if (o->state != NULL)
		snprintf(state_dir, sizeof(state_dir), "%s/state", o->state);
	if (o->state != NULL && !is_dir(state_dir)) {
		fprintf(stderr, PROG ": --state %s: no state/ folder there (is it a run directory?)\n", o->state);
		rc = EXIT_USAGE;
		goto out;
	}
	struct stack_options so = {.fixtures_dir = fixtures, .state_dir = o->state ? state_dir : NULL,
				   .files_dir = files_dir, .perm_mode = STACK_PERM_WARN, .locale = o->locale};
	r.stack = stack_start(r.loop, &so, err);
	if (r.stack == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_DATAERR;
		goto out;
	}
	if (stack_add_konnector(r.stack, m.slug, m.permissions, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}

	/* The account, as Home creates it from the login form (auth) or an OAuth dance (oauth). */
	char account_id[33], job_id[33], trigger_id[33];
	run_account_id(m.slug, account_id);
	run_random_id(job_id);
	run_random_id(trigger_id);
	account = run_put_account(&r, &dc, m.slug, account_id, err);
	if (account == NULL) {
		fprintf(stderr, PROG ": creating the account: %s\n", err);
		goto out;
	}
	extra_fields = dc.cozy_fields ? json_deep_copy(dc.cozy_fields) : json_object();
	if (o->fields_in_env)
		json_object_update(extra_fields, dc.fields);
	int manual = o->manual;
	const char *trig = o->no_trigger ? NULL : (o->trigger_id ? o->trigger_id : trigger_id);
	if (o->account_deleted) {
		/* stack: model/account/accounts.go delete hook: copy to soft_deleted with soft_deleted_rev, delete,
		 * then push {"account","account_rev","konnector","account_deleted":true}, manual, no trigger */
		const char *rev = json_string_value(json_object_get(account, "_rev"));
		json_t *soft = json_deep_copy(account);
		json_object_del(soft, "_rev");
		json_object_set_new(soft, "soft_deleted_rev", json_string(rev ? rev : ""));
		json_t *stored = stack_doc_put(r.stack, "io.cozy.accounts.soft_deleted", soft, err);
		json_decref(soft);
		if (stored == NULL || stack_doc_delete(r.stack, "io.cozy.accounts", account_id, err) < 0) {
			json_decref(stored);
			fprintf(stderr, PROG ": soft-deleting the account: %s\n", err);
			goto out;
		}
		json_decref(stored);
		json_object_set_new(extra_fields, "account_rev", json_string(rev ? rev : ""));
		json_object_set_new(extra_fields, "account_deleted", json_true());
		manual = 1;
		trig = NULL;
	} else if (m.wants_folder) {
		/* stack: BuildTrigger puts folder_to_save "yes", ensureFolderToSave turns it into the dir id */
		folder = run_folder_to_save(&r, &m, &account);
	}
	fields = jobenv_fields(m.slug, account_id, folder, extra_fields);
	const json_t *secret = jobenv_account_type_secret(stack_account_types(r.stack), m.slug);
	params = jobenv_parameters(m.parameters, dc.cozy_parameters, secret);
	payload = run_payload(o, &payload_file, err);
	if (payload == NULL) {
		fprintf(stderr, PROG ": --payload: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	const char *token = stack_mint_konnector_token(r.stack, m.slug, err);
	if (token == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	o->extra_env[o->n_extra] = NULL;
	struct job job = {.url = stack_url(r.stack), .credentials = token, .fields = fields, .parameters = params,
			  .payload = payload, .language = m.language, .locale = o->locale, .time_limit_s = o->timeout_s,
			  .job_id = job_id, .manual = manual, .trigger_id = trig, .path = getenv("PATH"),
			  .inherit = o->inherit_env ? environ : NULL, .extra = o->extra_env};
	env = jobenv_build(&job, err);
	if (env == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (rundir_write_env(&r.rd, env, err) < 0)
		fprintf(stderr, PROG ": %s\n", err);

	/* The command: --cmd, or node <entry> (the on_delete_account file for an account_deleted run). */
	char *argv[8] = {0};
	int skip_run = 0;
	if (o->account_deleted && m.on_delete_account == NULL) {
		/* stack: PrepareWorkDir returns ErrAbort: the job is done without running anything */
		skip_run = 1;
		json_array_append_new(r.warnings, json_string("the manifest has no on_delete_account: the stack runs nothing "
							       "and the job is done (ErrAbort)"));
	} else if (o->account_deleted && o->cmd == NULL)
		entry = run_clean_rel(m.on_delete_account);
	else if (o->cmd == NULL)
		entry = run_node_entry(o);
	if (o->cmd != NULL) {
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = (char *)o->cmd;
	} else if (!skip_run) {
		if (strcmp(m.language, "node") != 0) {
			fprintf(stderr, PROG ": language \"%s\": give the command with --cmd\n", m.language);
			rc = EXIT_UNAVAILABLE;
			goto out;
		}
		if (entry == NULL) {
			fprintf(stderr, PROG ": no entry in %s: none of package.json main, index.js, build/index.js, "
					"src/index.js exists; use --entry FILE or --cmd CMD\n", o->dir);
			rc = EXIT_DATAERR;
			goto out;
		}
		int a = 0;
		argv[a++] = "node";
		if (!o->no_preload) {
			preload = preload_text(m.root);
			snprintf(path, sizeof(path), "%s/preload.js", r.rd.path);
			if (preload == NULL || rundir_write(&r.rd, "preload.js", preload, strlen(preload), err) < 0) {
				fprintf(stderr, PROG ": %s\n", err);
				goto out;
			}
			char *abs = realpath(path, NULL);
			argv[a++] = "-r";
			argv[a++] = abs ? abs : strdup(path);
		}
		argv[a++] = entry;
	}

	before = stack_changes(r.stack);
	r.started_ms = loop_now_ms();
	if (!skip_run) {
		struct runner_spec spec = {.argv = argv, .envp = env, .cwd = o->dir, .timeout_ms = o->timeout_s * 1000,
					   .child_sigmask = loop_saved_sigmask(r.loop)};
		struct runner_hooks hooks = {run_on_line, run_on_too_long, run_on_out, run_on_err, run_on_done, &r};
		r.runner = runner_start(r.loop, &spec, &hooks, err);
		if (r.runner == NULL)
			start_error = strdup(err); /* stack: a start failure is the job's error */
		else if (loop_run(r.loop, err) < 0)
			fprintf(stderr, PROG ": %s\n", err);
	}
	if (argv[1] != NULL && strcmp(argv[1], "-r") == 0)
		free(argv[2]);
	if (r.ended_ms == 0)
		r.ended_ms = loop_now_ms();

	struct verdict v = {0};
	if (skip_run) {
		v.done = 1;
	} else if (start_error != NULL) {
		v.error = strdup(start_error);
		v.retry = 1;
	} else {
		judge_finish(&r.judge, r.end, r.code, &v);
		if (r.interrupted && v.error != NULL && strcmp(v.error, "signal: killed") == 0) {
			/* stack: a cancelled job context gives ctx.Err() */
			free(v.error);
			v.error = strdup("context canceled");
		}
	}
	json_t *after = stack_changes(r.stack);
	changes = run_changes_diff(before, after);
	json_decref(after);
	report = run_report(&r, &m, &v, start_error, changes, job_id);
	/* TODO(lint): apply harness/lint.h rules to the live run once branch lint lands (exit 2). */
	fflush(r.rd.out);
	fflush(r.rd.err);
	fflush(r.rd.events);
	snprintf(path, sizeof(path), "%s/journal.jsonl", r.rd.path);
	if (stack_write_journal(r.stack, path, err) < 0)
		fprintf(stderr, PROG ": %s\n", err);
	snprintf(path, sizeof(path), "%s/state", r.rd.path);
	if (stack_write_state(r.stack, path, err) < 0)
		fprintf(stderr, PROG ": %s\n", err);
	/* issue 9: the scenario's expect.json, checked against what the run left */
	json_t *expectations = NULL;
	size_t expect_failed = 0;
	if (expect_run_check(fixtures, r.rd.path, stack_journal(r.stack), v.done ? "done" : "errored", v.error, NULL,
			     &expectations, &expect_failed, err) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		expectations = json_pack("[{s:s, s:b, s:s, s:s, s:s}]", "name", "expect.json", "passed", 0, "expected",
					 "a valid expect.json", "actual", err, "message", err);
		expect_failed = 1;
	}
	if (expectations != NULL)
		json_object_set_new(report, "expectations", expectations);
	if (o->scenario != NULL)
		json_object_set_new(report, "scenario", json_string(o->scenario));
	char *rep_text = json_dumps(report, JSON_INDENT(2));
	if (rep_text != NULL) {
		size_t n = strlen(rep_text);
		rep_text[n] = '\n';
		if (rundir_write(&r.rd, "report.json", rep_text, n + 1, err) < 0)
			fprintf(stderr, PROG ": %s\n", err);
		rep_text[n] = '\0';
	}
	if (start_error != NULL)
		fprintf(stderr, PROG ": could not start the konnector: %s\n", start_error);
	if (o->json)
		printf("%s\n", rep_text ? rep_text : "{}");
	else
		run_print_verdict(&r, report, expect_sink_wants(o->fmt) ? stderr : stdout);
	if (expect_sink_wants(o->fmt)) {
		snprintf(path, sizeof(path), "%s/expect.json", fixtures ? fixtures : o->dir);
		expect_sink_scenario(&o->sink, stdout, o->scenario, strncmp(path, "./", 2) == 0 ? path + 2 : path,
				     v.done ? "done" : "errored", v.error, expectations);
	} else if (!o->json && expectations != NULL) {
		expect_run_print(expectations, stdout);
	}
	free(rep_text);
	/* issue 9: with an expect.json its expectations decide; an errored run passes only when a verdict was expected */
	if (expectations != NULL)
		rc = expect_failed == 0 && (v.done || expect_run_has_verdict(fixtures)) ? EXIT_DONE : EXIT_ERRORED;
	else
		rc = v.done ? EXIT_DONE : EXIT_ERRORED;
	verdict_clear(&v);
out:
	if (payload_file) {
		snprintf(path, sizeof(path), "%s/" JOBENV_PAYLOAD_FILE, o->dir);
		unlink(path); /* the stack's work dir, payload file included, is removed after the run */
	}
	runner_free(r.runner);
	stack_stop(r.stack);
	loop_free(r.loop);
	if (r.rd.path != NULL)
		rundir_close(&r.rd);
	judge_clear(&r.judge);
	json_decref(r.warnings);
	json_decref(account);
	json_decref(before);
	json_decref(changes);
	json_decref(report);
	json_decref(extra_fields);
	jobenv_free(env);
	free(fixtures), free(fields), free(params), free(payload), free(entry), free(folder), free(preload);
	free(start_error);
	devconfig_free(&dc);
	manifest_free(&m);
	return rc;
}

/* issue 9: --all-scenarios runs each DIR/fixtures/<name>/ in name order; 1 if any run fails, else the worst status. */
static int run_all_scenarios(struct run_opts *o)
{
	char base[PATH_MAX], p[PATH_MAX + 256];
	snprintf(base, sizeof(base), "%s/fixtures", o->dir);
	if (o->scenario != NULL || o->fixtures != NULL || o->out != NULL || o->state != NULL) {
		fprintf(stderr, PROG ": --all-scenarios cannot be combined with --scenario, --fixtures, --out or --state\n");
		return EXIT_USAGE;
	}
	struct dirent **names = NULL;
	int n = scandir(base, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, PROG ": --all-scenarios: %s: %s\n", base, strerror(errno));
		return EXIT_USAGE;
	}
	int rc = EXIT_DONE, ran = 0;
	if (expect_sink_wants(o->fmt))
		expect_sink_begin(&o->sink, stdout);
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", base, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && is_dir(p) && !is_scenario(base)) {
			if (!o->json && !expect_sink_wants(o->fmt))
				printf("%s== scenario %s\n", ran ? "\n" : "", names[i]->d_name);
			fflush(stdout);
			o->scenario = names[i]->d_name;
			int one = run_main(o);
			o->scenario = NULL;
			ran++;
			if (one == EXIT_ERRORED || rc == EXIT_ERRORED)
				rc = EXIT_ERRORED;
			else if (one > rc)
				rc = one;
		}
		free(names[i]);
	}
	free(names);
	if (expect_sink_wants(o->fmt))
		expect_sink_end(&o->sink, stdout);
	if (ran == 0) {
		fprintf(stderr, PROG ": --all-scenarios: no scenario folder under %s\n", base);
		return EXIT_USAGE;
	}
	return rc;
}

int cli_run(int argc, char **argv)
{
	struct run_opts o = {0};
	int rc = run_parse_args(argc, argv, &o);
	if (rc < 0 && o.all_scenarios) {
		rc = run_all_scenarios(&o);
	} else if (rc < 0) {
		if (expect_sink_wants(o.fmt))
			expect_sink_begin(&o.sink, stdout);
		rc = run_main(&o);
		if (expect_sink_wants(o.fmt))
			expect_sink_end(&o.sink, stdout);
	}
	free(o.extra_env);
	return rc;
}
