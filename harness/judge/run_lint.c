/* Lint over a live run; see run_lint.h. */
#include "harness/judge/run_lint.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/judge/lint.h"
#include "harness/judge/report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names findings carry: the run directory's own files, so file:line leads to the text. */
#define RUN_LINT_STDOUT "stdout.log"
#define RUN_LINT_STDERR "stderr.log"
#define RUN_LINT_JOURNAL "journal.jsonl"

struct run_lint {
	struct lint *lint;
	struct verdict verdict;
	int strict, finished;
};

struct run_lint *run_lint_new(const json_t *fields, int strict)
{
	struct run_lint *rl = calloc(1, sizeof(*rl));
	struct lint_secret *secrets = NULL;
	size_t n = 0;
	if (rl == NULL || lint_secrets_from_fields(fields, &secrets, &n) < 0) {
		free(rl);
		return NULL;
	}
	struct lint_options lo = {.file = RUN_LINT_STDOUT,
				  .stderr_file = RUN_LINT_STDERR,
				  .journal_file = RUN_LINT_JOURNAL,
				  .secrets = secrets,
				  .n_secrets = n};
	rl->lint = lint_new(&lo); /* copies the secrets */
	free(secrets);
	if (rl->lint == NULL) {
		free(rl);
		return NULL;
	}
	rl->strict = strict;
	return rl;
}

void run_lint_free(struct run_lint *rl)
{
	if (rl == NULL)
		return;
	lint_free(rl->lint);
	verdict_clear(&rl->verdict);
	free(rl);
}

void run_lint_line(struct run_lint *rl, const struct session_line *l)
{
	lint_stdout_line(rl->lint, l->text, l->len, (unsigned long)l->lineno);
}

void run_lint_too_long(struct run_lint *rl, size_t lineno)
{
	lint_stdout_too_long(rl->lint, (unsigned long)lineno);
}

void run_lint_stderr(struct run_lint *rl, const char *data, size_t len)
{
	lint_stderr(rl->lint, data, len);
}

/* A report of this one run in the given format (malloc'd text), or NULL. */
static char *run_lint_format(const struct run_lint *rl, enum report_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return NULL;
	struct report_item item = {RUN_LINT_STDOUT, rl->lint, &rl->verdict};
	int rc = report_write(f, fmt, &item, 1, rl->strict);
	if (fclose(f) != 0 || rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Note a problem in the report's warnings. */
static void run_lint_warn(struct session_end *e, const char *what, const char *why)
{
	char msg[ERR_MAX + 128];
	snprintf(msg, sizeof(msg), "lint: %s: %s", what, why);
	json_array_append_new(json_object_get(e->report, "warnings"), json_string(msg));
}

void run_lint_check(struct run_lint *rl, struct session_end *e)
{
	if (rl->finished)
		return;
	rl->finished = 1;
	lint_journal(rl->lint, e->journal);
	if (e->vendor != NULL)
		lint_vendor(rl->lint, e->vendor);
	if (e->manifest != NULL && !e->manifest->wants_folder && e->manifest->home_wants_folder)
		lint_folder_home_only(rl->lint, "manifest.konnector");
	/* a command that never started: only its (absent) events can be judged */
	enum process_end end = e->started ? e->end : END_UNKNOWN;
	lint_finish(rl->lint, end, e->code, e->duration_ms, &rl->verdict);

	char *json_text = run_lint_format(rl, REPORT_JSON);
	json_t *j = json_text ? json_loads(json_text, 0, NULL) : NULL;
	free(json_text);
	if (j != NULL) {
		json_object_set_new(j, "strict", json_boolean(rl->strict));
		json_object_set_new(e->report, "lint", j);
	} else {
		run_lint_warn(e, "report", "out of memory");
	}
	char *text = run_lint_format(rl, REPORT_TEXT);
	char path[PATH_MAX], err[ERR_MAX];
	snprintf(path, sizeof(path), "%s/" RUN_LINT_FILE, e->run_dir);
	if (text == NULL)
		run_lint_warn(e, RUN_LINT_FILE, "out of memory");
	else if (atomic_write(path, text, strlen(text), err) < 0)
		run_lint_warn(e, RUN_LINT_FILE, err);
	free(text);
	/* 2 when the job is done but lint found errors; an errored job stays 1 */
	if (e->exit_status == EXIT_DONE && run_lint_failures(rl) > 0)
		e->exit_status = EXIT_LINT;
}

size_t run_lint_failures(const struct run_lint *rl)
{
	return lint_count(rl->lint, rl->strict ? SEV_WARNING : SEV_ERROR);
}

size_t run_lint_findings(const struct run_lint *rl)
{
	return lint_count(rl->lint, SEV_INFO);
}

json_t *run_lint_rule_ids(const struct run_lint *rl)
{
	json_t *ids = json_array();
	size_t n = 0;
	const struct finding *f = lint_findings(rl->lint, &n);
	for (size_t i = 0; ids != NULL && i < n; i++)
		json_array_append_new(ids, json_string(f[i].rule));
	return ids;
}

int run_lint_write_text(const struct run_lint *rl, FILE *f)
{
	struct report_item item = {RUN_LINT_STDOUT, rl->lint, &rl->verdict};
	return report_write(f, REPORT_TEXT, &item, 1, rl->strict);
}
