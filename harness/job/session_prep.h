/*
 * The job prepared as cozy-stack prepares it (session_prep.c): what the rest
 * of the harness asks of it, the fixtures choice and the account's id. The
 * preparation of a run itself is session_prep_job (session_internal.h).
 */
#ifndef HARNESS_SESSION_PREP_H
#define HARNESS_SESSION_PREP_H

#include "harness/job/run_options.h"

#include <stddef.h>

/* The fixtures folder to load, as serve picks it (malloc'd into *out, NULL for none); 0, or -1 with err (a usage
 * error). */
int session_prep_pick_fixtures(const struct run_options *o, char **out, char *err);
/* A scenario folder holds data/, files/, account_types/ or refresh/ directly. */
int session_prep_is_scenario(const char *dir);
/*
 * The dev config's path into out: the scenario's own
 * fixtures/konnector-dev-config.json when there is one and no --config
 * (returns 1), else run_options_config_path's (returns 0).
 */
int session_prep_scenario_config(const struct run_options *o, const char *fixtures, char *out, size_t len);
/* A stable account id for slug (so --state and --keep-state find the same account). */
void session_prep_account_id(const char *slug, char out[33]);

#endif
