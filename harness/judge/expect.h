/*
 * fixtures/<scenario>/expect.json: what CI checks after a run. Pure: given the
 * expectations and the run's outcome, one result per expectation. Kinds:
 *   "verdict":   "done" | "errored" | {"state": "errored", "error": "<prefix>"}
 *   "documents": {"<doctype>": {"count"|"at_least"|"at_most": N, "match": [subset…]}}
 *   "files":     [{"path": "<glob>", "size": N, "mime": "…"}]
 *   "requests":  [{"method", "path": "<glob>", "status": N, "count"|"at_least"|"at_most": N}]
 *                (no count given: at least once)
 *   "events":    {"contain": [{"type", "message": "<substring>"}], "not_contain": […]}
 *   "lint":      {"must_not_fire": ["<rule id>" | "*"]}
 *   "vendor":    {"all_used": true} (a replay answered with every exchange of vendor.har)
 *   "description": free text
 * Globs are fnmatch(3) patterns where `*` also crosses `/`.
 */
#ifndef HARNESS_EXPECT_H
#define HARNESS_EXPECT_H

#include <jansson.h>
#include <stddef.h>

struct expect_outcome {
	const char *state;        /* "done" or "errored" */
	const char *error;        /* the job's error when errored; NULL otherwise */
	const json_t *documents;  /* {"<doctype>": [doc…]} after the run (may be NULL: none) */
	const json_t *files;      /* [{"path", "size" (number or numeric string), "mime"}] (may be NULL) */
	const json_t *journal;    /* stack_journal(): [{"method", "path", "status", …}] (may be NULL) */
	const json_t *events;     /* parsed stdout events: [{"type", "message"}] (may be NULL) */
	const json_t *lint_rules; /* rule id of each lint finding: ["rule-id"…]; NULL: lint did not run (lint
				     expectations pass, saying so) */
	const json_t *vendor; /* the vendor proxy's report (vendor-proxy/proxy.h proxy_report); NULL: no proxy ran */
};

struct expect_result {
	char *name; /* e.g. "requests POST /accounts/<type>/<id>/refresh count 1" */
	int passed;
	char *expected; /* short human text */
	char *actual;
	char *message; /* "" when passed; else what went wrong, with expected and actual */
};

struct expect_results {
	struct expect_result *r;
	size_t n;
	size_t failed;
};

/* Read and validate an expect.json; errors carry file:line:column or the key path. New ref or NULL. */
json_t *expect_load(const char *path, char *err);
/* Check the structure of expectations (unknown keys, wrong types); file names them in err. */
int expect_validate(const json_t *expect, const char *file, char *err);
/* Evaluate every expectation against out; res is filled (free with expect_results_clear). */
int expect_check(const json_t *expect, const struct expect_outcome *out, struct expect_results *res, char *err);
/* [{"name","passed","expected","actual","message"}…] (new ref). */
json_t *expect_results_json(const struct expect_results *res);
void expect_results_clear(struct expect_results *res);

#endif
