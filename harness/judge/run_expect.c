/* expect.json checked at the end of a run; see run_expect.h. */
#include "harness/judge/run_expect.h"

#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/judge/expect_run.h"

#include <stddef.h>

void run_expect_check(const char *fixtures, const char *scenario, const json_t *lint_rules, struct session_end *e)
{
	char err[ERR_MAX] = "";
	json_t *results = NULL;
	size_t failed = 0;
	int done = e->verdict->done;
	if (scenario != NULL)
		json_object_set_new(e->report, "scenario", json_string(scenario));
	if (expect_run_check(fixtures, e->run_dir, e->journal, done ? "done" : "errored", e->verdict->error, lint_rules,
	                     &results, &failed, err) < 0) {
		/* a bad expect.json fails the scenario, as one expectation saying why */
		results = json_pack("[{s:s, s:b, s:s, s:s, s:s}]", "name", "expect.json", "passed", 0, "expected",
		                    "a valid expect.json", "actual", err, "message", err);
		failed = 1;
	}
	if (results == NULL)
		return;
	json_object_set_new(e->report, "expectations", results);
	/* the expectations decide; an errored job passes only when the file expects a verdict */
	e->exit_status = failed == 0 && (done || expect_run_has_verdict(fixtures)) ? EXIT_DONE : EXIT_ERRORED;
}

const json_t *run_expect_results(const json_t *report)
{
	return json_object_get(report, "expectations");
}
