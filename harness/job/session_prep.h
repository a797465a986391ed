/*
 * The pieces of one job's preparation as cozy-stack does them before it
 * starts a konnector (fixtures choice, account, folder_to_save, entry,
 * payload); used by session.c.
 */
#ifndef HARNESS_SESSION_PREP_H
#define HARNESS_SESSION_PREP_H

#include "fake-stack/stack.h"
#include "harness/job/devconfig.h"
#include "harness/job/manifest.h"
#include "harness/job/run_options.h"

#include <jansson.h>

int prep_is_dir(const char *p);
/* The fixtures folder to load, as serve picks it (malloc'd into *out, NULL for none); 0, or -1 with err (a usage error). */
int prep_pick_fixtures(const struct run_options *o, char **out, char *err);
/* A scenario folder holds data/, files/, account_types/ or refresh/ directly. */
int prep_is_scenario(const char *dir);
/*
 * The dev config's path into out: the scenario's own
 * fixtures/konnector-dev-config.json when there is one and no --config
 * (returns 1), else run_options_config_path's (returns 0).
 */
int prep_scenario_config(const struct run_options *o, const char *fixtures, char *out, size_t len);
/* 32 random hex digits, like a CouchDB uuid. */
void prep_random_id(char out[33]);
/* A stable account id for slug (so --state and --keep-state find the same account). */
void prep_account_id(const char *slug, char out[33]);
/* Create or update the account doc from the dev config; returns the stored doc (new ref). */
json_t *prep_put_account(struct stack *st, const struct devconfig *dc, const char *slug, const char *id, char *err);
/* ensureFolderToSave; returns the dir id (malloc'd) or NULL with a warning appended to warnings. */
char *prep_folder_to_save(struct stack *st, const struct manifest *m, const char *locale, json_t **account,
			  json_t *warnings);
/* The node entry of dir (malloc'd, relative to dir): entry when given, else package.json main, index.js… or NULL. */
char *prep_node_entry(const char *dir, const char *entry);
/* on_delete_account cleaned as path.Join("/", x) does, relative (malloc'd). */
char *prep_clean_rel(const char *p);
/* COZY_PAYLOAD from --payload (malloc'd; "" without one), maybe written to DIR/cozy_payload.json; NULL + err. */
char *prep_payload(const struct run_options *o, int *wrote_file, char *err);
/* after − before, per doctype and counter, keeping only doctypes that changed (new ref). */
json_t *prep_changes_diff(const json_t *before, const json_t *after);

#endif
