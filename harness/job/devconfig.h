/*
 * konnector-dev-config.json, as cozy-jobs-cli reads it (libs:
 * packages/cozy-jobs-cli/src/init-konnector-config.js):
 * `fields` (the account's auth), `COZY_FIELDS` and `COZY_PARAMETERS` objects,
 * `COZY_URL` ignored; `//` and block comments allowed (strip-json-comments).
 */
#ifndef HARNESS_DEVCONFIG_H
#define HARNESS_DEVCONFIG_H

#include "harness/job/manifest.h"

#include <jansson.h>
#include <stddef.h>

enum devconfig_status {
	DEVCONFIG_OK,
	DEVCONFIG_MISSING, /* no such file: err names it */
	DEVCONFIG_BAD,     /* unreadable or malformed: err has file:line:column */
};

struct devconfig {
	json_t *root; /* owned */
	char *text;   /* the file as written (owned), for positions */
	size_t len;
	json_t *fields;          /* borrowed object, never NULL after a load */
	json_t *cozy_fields;     /* borrowed object or NULL */
	json_t *cozy_parameters; /* borrowed object or NULL */
};

/* Replace comments by spaces (newlines kept, so line:column stay right); strings untouched. */
void devconfig_strip_comments(char *text, size_t len);
int devconfig_parse(const char *text, size_t len, const char *path, struct devconfig *dc, char *err);
enum devconfig_status devconfig_load(const char *path, struct devconfig *dc, char *err);
void devconfig_free(struct devconfig *dc);
/*
 * Keys that look like mistakes, as "path:line:col: …" strings appended to
 * warnings: a `fields` key the manifest does not declare (a typo such as
 * "pasword"; OAuth token keys are always fine), a top-level key that
 * cozy-jobs-cli does not read. Nothing when the manifest has no `fields`.
 */
void devconfig_check_keys(const struct devconfig *dc, const struct manifest *m, const char *path, json_t *warnings);

/*
 * The io.cozy.accounts document the harness creates (new ref): OAuth keys of
 * `fields` go to `oauth`, the rest to `auth`, account_type = slug.
 */
json_t *devconfig_account(const struct devconfig *dc, const char *slug, const char *id);
/* 1 when key is one of the OAuth keys that go to the account's `oauth`. */
int devconfig_is_oauth_key(const char *key);
/* A template naming the manifest's fields (malloc'd, plain JSON so every tool reads it). */
char *devconfig_template(const struct manifest *m);

#endif
