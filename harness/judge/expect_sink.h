/*
 * Expectation results (harness/judge/expect.h) as CI test cases, one scenario after
 * another, in the machine formats of harness/judge/report.h: junit (a testsuite
 * per scenario), github (an ::error annotation per failed expectation), tap.
 * A scenario without expect.json gives one case: the verdict must be done.
 */
#ifndef HARNESS_EXPECT_SINK_H
#define HARNESS_EXPECT_SINK_H

#include "harness/judge/report.h"

#include <jansson.h>
#include <stdio.h>

struct expect_sink {
	enum report_format fmt; /* REPORT_JUNIT, REPORT_GITHUB or REPORT_TAP */
	size_t cases;           /* test cases written so far (TAP numbers) */
	size_t failed;
	size_t annotations; /* github ::error lines written (capped at REPORT_GITHUB_MAX) */
};

/* Does this format go through the sink (junit, github, tap)? */
int expect_sink_wants(enum report_format fmt);
/* Start the document (junit: <testsuites>; tap: its version line). */
void expect_sink_begin(struct expect_sink *s, FILE *f);
/*
 * One scenario's cases. file: the expect.json path (annotations point at it);
 * state/error: the verdict; results: scenario_check_rundir's array, or NULL when
 * the scenario has no expect.json.
 */
void expect_sink_scenario(struct expect_sink *s, FILE *f, const char *scenario, const char *file, const char *state,
			  const char *error, const json_t *results);
/* End the document (junit: </testsuites>; tap: the plan; github: the summary). */
void expect_sink_end(struct expect_sink *s, FILE *f);

#endif
