/*
 * konnector-harness lint [--format F] [--strict] [--fields FILE] [--exit-code N|--timed-out|--signal N]
 *                        [--duration SECONDS] [--stderr FILE] [--journal FILE] [--capture] [FILE…|-]
 * Judge captured konnector stdout as the stack would, with the lint rules.
 */
#include "harness/cli/cli_lint.h"
#include "harness/cli/cli.h"
#include "harness/exitcode.h"
#include "harness/judge/capture.h"
#include "harness/judge/events.h"
#include "harness/judge/linescan.h"
#include "harness/judge/lint.h"
#include "harness/judge/report.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/jsonc.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: konnector-harness lint [OPTIONS] [FILE...|-]\n"
		   "Judge captured konnector stdout (one event per line) as cozy-stack would.\n"
		   "FILE is raw stdout, or a run directory's events.jsonl; none or - reads stdin.\n\n"
		   "  --format text|json|junit|github|tap   output format (default text)\n"
		   "  --strict              warnings fail too\n"
		   "  --fields FILE         konnector-dev-config.json (or a JSON object of fields):\n"
		   "                        their values must not appear in stdout/stderr (default: the dev\n"
		   "                        config of the run directory read, else ./konnector-dev-config.json)\n"
		   "  --exit-code N         the konnector exited with N\n"
		   "  --timed-out           the konnector was killed at the time limit\n"
		   "  --signal N            the konnector was killed by signal N\n"
		   "  --duration SECONDS    how long the run took (token-expired)\n"
		   "  --stderr FILE         the captured stderr of the same run\n"
		   "  --journal FILE        the fake stack's journal of the same run (a JSON array, or a run\n"
		   "                        directory's journal.jsonl)\n"
		   "  --capture             read FILE as events.jsonl whatever its name\n"
		   "Without --exit-code/--timed-out/--signal, a run directory's events.jsonl is judged with the\n"
		   "end its report.json records; anything else on the events alone.\n\n"
		   "Exit status: 0 no error finding (no warning with --strict), 1 otherwise,\n"
		   "64 usage error, 65 unreadable or invalid input.\n\n"
		   "Examples:\n"
		   "  konnector-harness lint .harness/runs/latest/events.jsonl\n"
		   "  konnector-harness lint stdout.log --fields konnector-dev-config.json --exit-code 1\n"
		   "  konnector-harness lint --format github --strict stdout.log\n");
}

struct secrets {
	struct lint_secret *v;
	size_t n;
};

/* Load --fields: a dev config with "fields", or a plain object of fields. */
static json_t *load_fields(const char *path, struct secrets *s)
{
	char err[ERR_MAX];
	char *data = NULL;
	size_t len = 0;
	if ((data = file_read_all(path, &len, err)) == NULL) {
		fprintf(stderr, "konnector-harness lint: %s: %s\n", path, err);
		return NULL;
	}
	struct jsonc_error ce;
	if (jsonc_check(data, len, JSONC_COMMENTS, &ce) < 0) {
		fprintf(stderr, "konnector-harness lint: %s:%d:%d: %s\n", path, ce.line, ce.col, ce.text);
		free(data);
		return NULL;
	}
	jsonc_strip_comments(data, len);
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je);
	free(data);
	if (root == NULL) {
		fprintf(stderr, "konnector-harness lint: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		fprintf(stderr, "konnector-harness lint: %s:1:1: a JSON object (a dev config or its fields) expected\n",
			path);
		json_decref(root);
		return NULL;
	}
	json_t *fields = json_object_get(root, "fields");
	if (lint_secrets_from_fields(json_is_object(fields) ? fields : root, &s->v, &s->n) < 0) {
		fprintf(stderr, "konnector-harness lint: out of memory\n");
		json_decref(root);
		return NULL;
	}
	return root;
}

struct opts {
	enum report_format format;
	int strict, capture;
	enum process_end end;
	int code;
	long long duration_ms;
	const char *stderr_path, *journal_path;
	const struct secrets *secrets;
};

static void on_line(void *arg, const char *line, size_t len, unsigned long lineno)
{
	lint_stdout_line(arg, line, len, lineno);
}

static void on_too_long(void *arg, const char *head, size_t len, unsigned long lineno)
{
	(void)head;
	(void)len;
	lint_stdout_too_long(arg, lineno);
}

/* Raw stdout through the stack's own line splitter. */
static int lint_raw(struct lint *l, FILE *in, const char *name)
{
	struct linescan_hooks h = {on_line, on_too_long, l};
	struct linescan *s = linescan_new(&h);
	size_t cap = 1 << 20;
	char *chunk = malloc(cap);
	int rc = 0;
	if (s == NULL || chunk == NULL) {
		fprintf(stderr, "konnector-harness lint: out of memory\n");
		rc = -1;
		goto out;
	}
	size_t n;
	while ((n = fread(chunk, 1, cap, in)) > 0 && !linescan_stopped(s))
		linescan_feed(s, chunk, n);
	if (ferror(in)) {
		fprintf(stderr, "konnector-harness lint: %s: %s\n", name, strerror(errno));
		rc = -1;
	}
	linescan_finish(s);
out:
	linescan_free(s);
	free(chunk);
	return rc;
}

/* A run directory's events.jsonl: one capture record per line. */
static int lint_capture(struct lint *l, FILE *in, const char *name)
{
	char *rec = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned long recno = 0;
	int rc = 0;
	while ((got = getline(&rec, &cap, in)) > 0) {
		recno++;
		size_t n = (size_t)got;
		while (n > 0 && (rec[n - 1] == '\n' || rec[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		unsigned long lineno;
		char *raw;
		size_t raw_len;
		int too_long;
		char err[ERR_MAX];
		if (capture_parse(rec, n, &lineno, &raw, &raw_len, &too_long, err) < 0) {
			fprintf(stderr, "konnector-harness lint: %s:%lu: %s\n", name, recno, err);
			rc = -1;
			break;
		}
		if (too_long) {
			lint_stdout_too_long(l, lineno);
		} else {
			if (raw_len > 0 && raw[raw_len - 1] == '\r') /* go: bufio.ScanLines dropCR */
				raw_len--;
			lint_stdout_line(l, raw, raw_len, lineno);
		}
		free(raw);
	}
	free(rec);
	return rc;
}

/* Has path this suffix? */
static int ends_with(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	return n >= k && strcmp(path + n - k, suffix) == 0;
}

/*
 * The journal: a JSON array (stack_journal's shape), or a run directory's
 * journal.jsonl (one entry a line, so findings name its lines). NULL after
 * saying why.
 */
static json_t *load_journal(const char *path)
{
	json_error_t je;
	if (!ends_with(path, ".jsonl")) {
		json_t *j = json_load_file(path, 0, &je);
		if (j == NULL || !json_is_array(j)) {
			fprintf(stderr, "konnector-harness lint: %s:%d:%d: %s\n", path, j ? 1 : je.line,
				j ? 1 : je.column, j ? "a JSON array (the journal) expected" : je.text);
			json_decref(j);
			return NULL;
		}
		return j;
	}
	FILE *in = fopen(path, "rb");
	if (in == NULL) {
		fprintf(stderr, "konnector-harness lint: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	json_t *arr = json_array();
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int lineno = 0;
	while ((got = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)got)
			continue; /* a blank line holds no entry */
		json_t *e = json_loadb(line, (size_t)got, JSON_DISABLE_EOF_CHECK, &je);
		if (!json_is_object(e)) {
			fprintf(stderr, "konnector-harness lint: %s:%d:%d: %s\n", path, lineno, e ? 1 : je.column,
				e ? "a JSON object (a journal entry) expected" : je.text);
			json_decref(e);
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, e);
	}
	free(line);
	fclose(in);
	return arr;
}

/* Stderr and journal of the same run, when given. */
static int lint_extras(struct lint *l, const struct opts *o)
{
	char err[ERR_MAX];
	if (o->stderr_path) {
		char *data;
		size_t len;
		if ((data = file_read_all(o->stderr_path, &len, err)) == NULL) {
			fprintf(stderr, "konnector-harness lint: %s: %s\n", o->stderr_path, err);
			return -1;
		}
		lint_stderr(l, data, len);
		free(data);
	}
	if (o->journal_path) {
		json_t *j = load_journal(o->journal_path);
		if (j == NULL)
			return -1;
		lint_journal(l, j);
		json_decref(j);
	}
	return 0;
}

static int is_capture_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return strcmp(b, CAPTURE_FILE) == 0;
}

/* Lint one input into l; -1 when it could not be read. */
static int lint_one(struct lint *l, const char *path, const struct opts *o)
{
	int std = strcmp(path, "-") == 0;
	FILE *in = std ? stdin : fopen(path, "rb");
	if (in == NULL) {
		fprintf(stderr, "konnector-harness lint: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = (o->capture || is_capture_name(path)) ? lint_capture(l, in, path) : lint_raw(l, in, path);
	if (!std)
		fclose(in);
	return rc;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 255 * 256)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_lint(int argc, char **argv)
{
	struct opts o = {.format = REPORT_TEXT, .end = END_UNKNOWN, .duration_ms = -1};
	const char *fields_path = NULL;
	enum {
		O_FORMAT = 256,
		O_STRICT,
		O_FIELDS,
		O_EXIT,
		O_TIMEOUT,
		O_SIGNAL,
		O_DURATION,
		O_STDERR,
		O_JOURNAL,
		O_CAPTURE
	};
	static const struct option longopts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"strict", no_argument, NULL, O_STRICT},
		{"fields", required_argument, NULL, O_FIELDS},
		{"exit-code", required_argument, NULL, O_EXIT},
		{"timed-out", no_argument, NULL, O_TIMEOUT},
		{"timeout", no_argument, NULL, O_TIMEOUT},
		{"signal", required_argument, NULL, O_SIGNAL},
		{"duration", required_argument, NULL, O_DURATION},
		{"stderr", required_argument, NULL, O_STDERR},
		{"journal", required_argument, NULL, O_JOURNAL},
		{"capture", no_argument, NULL, O_CAPTURE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, code, ends = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (report_format_parse(optarg, &o.format) < 0) {
				return cli_usage_error("lint", "--format is text, json, junit, github or tap, not '%s'",
						       optarg);
			}
			break;
		case O_STRICT:
			o.strict = 1;
			break;
		case O_FIELDS:
			fields_path = optarg;
			break;
		case O_EXIT:
		case O_SIGNAL:
			if (parse_int(optarg, &code) < 0 || (c == O_EXIT && code > 255) ||
			    (c == O_SIGNAL && code == 0)) {
				return cli_usage_error("lint", "--%s wants a number, not '%s'",
						       c == O_EXIT ? "exit-code" : "signal", optarg);
			}
			o.end = c == O_EXIT ? END_EXITED : END_SIGNALED;
			o.code = code;
			ends++;
			break;
		case O_TIMEOUT:
			o.end = END_TIMEOUT;
			ends++;
			break;
		case O_DURATION: {
			char *end;
			double d = strtod(optarg, &end);
			if (end == optarg || *end || d < 0) {
				return cli_usage_error("lint", "--duration wants seconds, not '%s'", optarg);
			}
			o.duration_ms = (long long)(d * 1000);
			break;
		}
		case O_STDERR:
			o.stderr_path = optarg;
			break;
		case O_JOURNAL:
			o.journal_path = optarg;
			break;
		case O_CAPTURE:
			o.capture = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_DONE;
		default:
			return cli_usage_error("lint", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (ends > 1) {
		return cli_usage_error("lint", "give only one of --exit-code, --timed-out, --signal");
	}
	static char *const stdin_only[] = {"-"};
	char *const *files = optind < argc ? argv + optind : stdin_only;
	size_t nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	/* secrets by default: the run directory's dev config, or the one where we stand */
	char *found_fields = fields_path == NULL ? cli_lint_defaults_fields(files, nfiles) : NULL;
	/* said with the text report only: the other formats are read by tools */
	if (fields_path == NULL && found_fields == NULL && o.format == REPORT_TEXT)
		printf("info: secret-leak not checked: no --fields FILE, and no konnector-dev-config.json here nor "
		       "beside the run directory\n");
	struct secrets sec = {0};
	json_t *fields_doc = NULL;
	const char *secrets_file = fields_path != NULL ? fields_path : found_fields;
	if (secrets_file != NULL && (fields_doc = load_fields(secrets_file, &sec)) == NULL) {
		free(found_fields);
		return EXIT_DATAERR;
	}
	o.secrets = &sec;
	struct lint **lints = calloc(nfiles, sizeof(*lints));
	struct verdict *verdicts = calloc(nfiles, sizeof(*verdicts));
	struct report_item *items = calloc(nfiles, sizeof(*items));
	int rc = EXIT_DONE;
	if (lints == NULL || verdicts == NULL || items == NULL) {
		rc = EXIT_SOFTWARE;
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "stdin" : files[i];
		struct lint_options lo = {.file = name,
					  .secrets = sec.v,
					  .n_secrets = sec.n,
					  .stderr_file = o.stderr_path,
					  .journal_file = o.journal_path};
		lints[i] = lint_new(&lo);
		if (lints[i] == NULL) {
			rc = EXIT_SOFTWARE;
			goto out;
		}
		if (lint_one(lints[i], files[i], &o) < 0 || (i == 0 && lint_extras(lints[i], &o) < 0)) {
			rc = EXIT_DATAERR;
			goto out;
		}
		/* a run directory's events.jsonl: its report.json knows how the konnector ended */
		enum process_end end = o.end;
		int code = o.code;
		long long duration_ms = o.duration_ms, d = -1;
		if (ends == 0 && cli_lint_defaults_end(files[i], &end, &code, &d) && duration_ms < 0)
			duration_ms = d;
		lint_finish(lints[i], end, code, duration_ms, &verdicts[i]);
		items[i] = (struct report_item){name, lints[i], &verdicts[i]};
	}
	if (report_write(stdout, o.format, items, nfiles, o.strict) < 0) {
		fprintf(stderr, "konnector-harness lint: cannot write the report: %s\n", strerror(errno));
		rc = EXIT_SOFTWARE;
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++)
		if (lint_count(lints[i], o.strict ? SEV_WARNING : SEV_ERROR) > 0)
			rc = EXIT_ERRORED;
out:
	for (size_t i = 0; lints && i < nfiles; i++) {
		lint_free(lints[i]);
		verdict_clear(&verdicts[i]);
	}
	free(lints);
	free(verdicts);
	free(items);
	free(sec.v);
	json_decref(fields_doc);
	free(found_fields);
	return rc;
}
