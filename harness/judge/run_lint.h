/*
 * Lint inside `run` and `watch`: the rules of lint.h fed from a
 * session's hooks as the run goes (stdout lines, a too-long line, stderr),
 * then at its end the run's journal and how the process ended. The findings
 * name the run directory's files (stdout.log, stderr.log, journal.jsonl) and
 * their line numbers; they go into the report ("lint", the shape of
 * `konnector-harness lint --format json`), into lint.txt in the run directory,
 * and into the exit status (EXIT_LINT when the job is done but lint fails).
 * Nothing here prints to the terminal; run_lint_write_text takes a FILE.
 */
#ifndef HARNESS_RUN_LINT_H
#define HARNESS_RUN_LINT_H

#include "harness/job/session.h"

#include <jansson.h>
#include <stdio.h>

#define RUN_LINT_FILE "lint.txt"

struct run_lint;

/* fields: the dev config's fields (their values are secrets); strict: warnings fail too. NULL when out of memory. */
struct run_lint *run_lint_new(const json_t *fields, int strict);
void run_lint_free(struct run_lint *rl);

/* The session hooks' parts. */
void run_lint_line(struct run_lint *rl, const struct session_line *l);
void run_lint_too_long(struct run_lint *rl, size_t lineno);
void run_lint_stderr(struct run_lint *rl, const char *data, size_t len);
/*
 * The check hook's part: the journal and the end, then the findings into
 * e->report ("lint") and e->run_dir/lint.txt, and e->exit_status EXIT_LINT
 * when the job is done but lint fails. Once per run. A file that cannot be
 * written becomes a report warning.
 */
void run_lint_check(struct run_lint *rl, struct session_end *e);
/* Findings that fail the run (errors, or warnings too with strict); valid after run_lint_check. */
size_t run_lint_failures(const struct run_lint *rl);
/* All findings, whatever their severity. */
size_t run_lint_findings(const struct run_lint *rl);
/* The rule id of every finding, whatever its severity (["rule-id"…], new ref; expect.json's "lint"). */
json_t *run_lint_rule_ids(const struct run_lint *rl);
/* The findings and the lint's verdict as `konnector-harness lint` prints them. 0, or -1 on a write error. */
int run_lint_write_text(const struct run_lint *rl, FILE *f);

#endif
