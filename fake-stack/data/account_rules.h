/*
 * What the stack does to an io.cozy.accounts document on its way through
 * /data (stack: web/data/accounts.go, model/account/credentials.go,
 * model/account/accounts.go ComputeName): secrets encrypted on write,
 * decrypted only for the konnector's own token, the name computed at
 * creation, cozyMetadata from the token. Internal to fake-stack/.
 *
 * The stack seals secrets with NaCl box and its vault key; we have no such
 * key, so ours are an encoding of our own, clearly marked as not the stack's
 * cipher: ACCOUNT_RULES_PREFIX then base64 of what the stack would seal
 * (the login's length on 4 bytes big-endian, the login, the password; or
 * the JSON of a value). Reversible by anyone: it only keeps the password out
 * of plain sight, as the stack keeps it out of _find answers.
 */
#ifndef FAKE_STACK_ACCOUNT_RULES_H
#define FAKE_STACK_ACCOUNT_RULES_H

#include <jansson.h>

#define ACCOUNT_RULES_PREFIX "kh-not-the-stack-cipher:"

/*
 * stack: model/account/credentials.go encryptMap: in doc.auth (and
 * doc.data.auth), `password` becomes `credentials_encrypted` (sealed with the
 * login), and `secret`, `dob`, `code`, `answer`, `access_token`,
 * `refresh_token`, `appSecret` and `session` become `<key>_encrypted`.
 * Returns 1 when something was encrypted (the stack then saves the doc again
 * on a GET), 0 otherwise.
 */
int account_rules_encrypt(json_t *doc);

/*
 * stack: model/account/credentials.go decryptMap: every string
 * `<key>_encrypted` of doc.auth (and doc.data.auth) back to `<key>`,
 * `credentials_encrypted` to `login` and `password`. A value that is not ours
 * (a real stack's "nacl" box in a fixture) fails as it fails in a stack
 * without that key: login and password "", other keys null; *foreign is then
 * set. Returns 1 when something was decrypted.
 */
int account_rules_decrypt(json_t *doc, int *foreign);

/* stack: model/account/accounts.go ComputeName: name = auth[identifier], or auth.login without an identifier. */
void account_rules_compute_name(json_t *doc);

/*
 * stack: web/data/accounts.go CozyMetadataFromClaims (pkg/metadata New): the
 * cozyMetadata of an account written through /data, in the struct's key
 * order: doctypeVersion "" (never set there), metadataVersion 1, createdAt,
 * createdByApp (the token's slug; left out when none), updatedAt and
 * updatedByApps [{slug, date}]. now: RFC 3339. New ref.
 */
json_t *account_rules_metadata(const char *slug, const char *now);

#endif
