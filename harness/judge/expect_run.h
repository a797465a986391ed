/*
 * expect.json after a `run`: gather the run's outcome (state/ and
 * events.jsonl of the run directory, the stack's journal, the verdict) and
 * check the scenario's expectations (harness/judge/expect.h). Reads files only.
 */
#ifndef HARNESS_EXPECT_RUN_H
#define HARNESS_EXPECT_RUN_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/*
 * If fixtures_dir/expect.json exists, check it against the run in run_dir
 * (state/ and events.jsonl already written). state/error: the verdict;
 * lint_rules: the rule ids of the lint findings, NULL when lint did not run.
 * *results gets the results array (new ref; NULL when there is no
 * expect.json) and *failed how many failed. -1 with err on a bad expect.json
 * (file:line:column or the key path) or an unreadable run directory.
 */
int expect_run_check(const char *fixtures_dir, const char *run_dir, const json_t *journal, const char *state,
		     const char *error, const json_t *lint_rules, json_t **results, size_t *failed, char *err);

/* Load the outcome parts from a run directory: {"<doctype>":[docs]}, [{path,size,mime}], [{type,message}]. */
int expect_run_load(const char *run_dir, json_t **documents, json_t **files, json_t **events, char *err);

/* Does fixtures_dir/expect.json state a verdict (so an errored run may pass)? */
int expect_run_has_verdict(const char *fixtures_dir);

/* The results as text lines: "  PASS name" / "  FAIL name: message". */
void expect_run_print(const json_t *results, FILE *f);

#endif
