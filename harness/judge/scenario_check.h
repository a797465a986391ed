/*
 * A scenario's expect.json checked after a run of `run` or `watch`: the run's
 * outcome gathered (state/ and events.jsonl of the run directory, the stack's
 * journal, the verdict) and checked against the expectations
 * (harness/judge/expect.h). Reads files only. scenario_check_end is the session's check hook part: after lint, the
 * results go into the report ("expectations", and "scenario" when one was
 * chosen) and decide the exit status. Nothing here prints but
 * scenario_check_print, to the FILE it is given.
 */
#ifndef HARNESS_SCENARIO_CHECK_H
#define HARNESS_SCENARIO_CHECK_H

#include "harness/job/session.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/*
 * If fixtures_dir/expect.json exists, check it against the run in run_dir
 * (state/ and events.jsonl already written). state/error: the verdict;
 * lint_rules: the rule ids of the lint findings, NULL when lint did not run;
 * vendor: the vendor proxy's report, NULL when none ran.
 * *results gets the results array (new ref; NULL when there is no
 * expect.json) and *failed how many failed. -1 with err on a bad expect.json
 * (file:line:column or the key path) or an unreadable run directory.
 */
int scenario_check_rundir(const char *fixtures_dir, const char *run_dir, const json_t *journal, const char *state,
			  const char *error, const json_t *lint_rules, const json_t *vendor, json_t **results,
			  size_t *failed, char *err);

/* Load the outcome parts from a run directory: {"<doctype>":[docs]}, [{path,size,mime}], [{type,message}]. */
int scenario_check_load(const char *run_dir, json_t **documents, json_t **files, json_t **events, char *err);

/*
 * Before a run: 0 when fixtures_dir (may be NULL) has no expect.json or a
 * valid one, else -1 with err naming file:line:column or the key path.
 */
int scenario_check_preflight(const char *fixtures_dir, char *err);

/* Does fixtures_dir/expect.json state a verdict (so an errored run may pass)? */
int scenario_check_has_verdict(const char *fixtures_dir);

/* The results as text lines: "  PASS name" / "  FAIL name: message". */
void scenario_check_print(const json_t *results, FILE *f);

/*
 * fixtures: the session's fixtures folder (NULL: none, nothing to check);
 * scenario: its name for the report (NULL: none named); lint_rules: the rule
 * id of each lint finding (run_lint_rule_ids), NULL when lint did not run.
 * With an expect.json, e->exit_status becomes EXIT_DONE when every
 * expectation holds and the job is done, or errored with the file stating a
 * verdict; else EXIT_ERRORED. A bad expect.json is one failed expectation
 * naming file:line:column. Without one, nothing changes.
 */
void scenario_check_end(const char *fixtures, const char *scenario, const json_t *lint_rules, struct session_end *e);

/* The report's results (borrowed), NULL when the run had no expect.json. */
const json_t *scenario_check_results(const json_t *report);

#endif
