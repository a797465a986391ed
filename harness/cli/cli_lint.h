/*
 * What `lint` finds by itself when it is not told (cli_lint_defaults.c): the
 * process end recorded in the report.json beside a run directory's
 * events.jsonl, and the dev config whose fields are the secrets.
 */
#ifndef HARNESS_CLI_LINT_H
#define HARNESS_CLI_LINT_H

#include "harness/judge/verdict.h"

#include <stddef.h>

/*
 * events_path is a run directory's events.jsonl with a report.json beside it:
 * 1 with how the konnector ended (*end, *code) and *duration_ms (-1 when
 * unknown); 0 when there is no readable report.json there.
 */
int cli_lint_defaults_end(const char *events_path, enum process_end *end, int *code, long long *duration_ms);
/*
 * The dev config to take the secrets from when --fields is not given: the
 * one a run directory's report.json names (or DIR/konnector-dev-config.json
 * of the konnector the run directory belongs to), for the first input that
 * is a run directory's events.jsonl; else ./konnector-dev-config.json.
 * malloc'd, or NULL when there is none.
 */
char *cli_lint_defaults_fields(char *const *files, size_t n);

#endif
