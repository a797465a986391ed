/*
 * expect.json inside `run` and `watch`: the check hook's part.
 * After lint, the scenario's fixtures/<scenario>/expect.json is checked
 * against what the run left (the run directory's state/ and events.jsonl,
 * the run's journal, the verdict). The results go into the report
 * ("expectations", and "scenario" when one was chosen) and decide the exit
 * status. Nothing here prints.
 */
#ifndef HARNESS_RUN_EXPECT_H
#define HARNESS_RUN_EXPECT_H

#include "harness/job/session.h"

#include <jansson.h>

/*
 * fixtures: the session's fixtures folder (NULL: none, nothing to check);
 * scenario: its name for the report (NULL: none named); lint_rules: the rule
 * id of each lint finding (run_lint_rule_ids), NULL when lint did not run.
 * With an expect.json, e->exit_status becomes EXIT_DONE when every
 * expectation holds and the job is done, or errored with the file stating a
 * verdict; else EXIT_ERRORED. A bad expect.json is one failed expectation
 * naming file:line:column. Without one, nothing changes.
 */
void run_expect_check(const char *fixtures, const char *scenario, const json_t *lint_rules, struct session_end *e);

/* The report's results (borrowed), NULL when the run had no expect.json. */
const json_t *run_expect_results(const json_t *report);

#endif
