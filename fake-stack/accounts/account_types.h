/*
 * io.cozy.account_types fixtures (account_types/<id>.json) and canned
 * refresh answers (refresh/<account_type>.json). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_ACCOUNT_TYPES_H
#define FAKE_STACK_ACCOUNT_TYPES_H

#include <jansson.h>

struct account_types;

/*
 * Load fixtures_dir/account_types/ and fixtures_dir/refresh/ (both optional;
 * fixtures_dir may be NULL). Each account type file holds one object; the file
 * name (without .json) is its _id when it has none. Fields are checked against
 * the stack's AccountType struct; a malformed file fails with
 * "file:line:column: what" in err.
 */
struct account_types *account_types_load(const char *fixtures_dir, char *err);
void account_types_free(struct account_types *at);

/* Every account type doc, in file name order (borrowed JSON array). */
const json_t *account_types_all(const struct account_types *at);

/* TypeInfo: the doc whose _id is "<context>/<id>" (context "" here), else "<id>"; NULL if none. Borrowed. */
const json_t *account_types_find(const struct account_types *at, const char *id);

/*
 * The canned provider answer for an account type, from refresh/<type>.json:
 * *status gets the provider's HTTP status and the return value its body
 * (borrowed; a JSON string is a raw non-JSON body). NULL when there is none.
 *   {"status":N,"body":…}  → that status and body
 *   {"error":…,…}          → status 400, the object as body
 *   any other object       → status 200, the object as body (a token response)
 */
const json_t *account_types_canned_refresh(const struct account_types *at, const char *account_type, int *status);

/*
 * The COZY_PARAMETERS secret (stack worker/exec/konnector.go, model/account/type.go
 * FindAccountTypesBySlug + HasSecretGrant): among the account types whose slug
 * is slug (context filtering as filterByContext), exactly one must remain and
 * its grant_mode must carry a secret. Returns 1 and *secret (borrowed; json
 * null when the doc has no secret), or 0 when no secret applies.
 */
int account_types_secret(const struct account_types *at, const char *slug, const json_t **secret);

/* Does this grant_mode carry a secret (secret, bi_webauth+secret, bi_webview+secret, authorization_code+secret)? */
int account_types_has_secret_grant(const char *grant_mode);

/*
 * Check one account type document against the Go struct (string fields,
 * extras an object of strings, skip_* booleans; null is fine anywhere).
 * text (may be NULL) is the file's source, used to report line:column.
 */
int account_types_check(const json_t *doc, const char *file, const char *text, char *err);

#endif
