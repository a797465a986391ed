/*
 * The refresh algorithm of POST /accounts/:type/:id/refresh, apart from HTTP
 * (stack: web/accounts/oauth.go refresh, model/account/type.go
 * TypeInfo and RefreshAccount). route_accounts.c does the HTTP, the store and
 * the permission check around it. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_ACCOUNT_REFRESH_H
#define FAKE_STACK_ACCOUNT_REFRESH_H

#include "common/err.h"
#include "fake-stack/accounts/account_types.h"
#include "fake-stack/accounts/oauth_client.h"

#include <jansson.h>

enum account_refresh_status {
	REFRESH_OK,             /* 200: save res->account and answer it */
	REFRESH_TYPE_NOT_FOUND, /* 404 CouchDB not_found / missing (no such account type) */
	REFRESH_INVALID_TOKEN,  /* 401 oauth_refresh_invalid_token */
	REFRESH_FAILED,         /* 500 Unqualified error, res->detail */
};

struct account_refresh_result {
	enum account_refresh_status status;
	json_t *account; /* REFRESH_OK: the account to save, as the Go struct encodes it (owned; _id/_rev as read) */
	char detail[ERR_MAX];
};

typedef void (*account_refresh_cb)(struct account_refresh_result *res, void *arg);

struct account_refresh;

/*
 * Refresh account (a doc already through account_doc_roundtrip). Where the
 * provider's answer comes from: the account type's token_endpoint (a real call
 * through client), else refresh/<account_type>.json, else the call to an empty
 * endpoint fails as the stack's does. Returns NULL when the result is known at
 * once (*now filled, cb not called), else a handle: cb runs later, once.
 */
struct account_refresh *account_refresh_start(const json_t *account, const struct account_types *types,
					      struct oauth_client *client, account_refresh_cb cb, void *arg,
					      struct account_refresh_result *now);
/* Abort a pending refresh; its callback will not run. */
void account_refresh_cancel(struct account_refresh *r);
/* Free what a result holds. */
void account_refresh_result_clear(struct account_refresh_result *res);

/*
 * Apply a provider's answer to the account the way RefreshAccount does
 * (access_token and refresh_token only when non-empty, expires_at = now +
 * expires_in when non-zero). For tests and canned answers. New doc or NULL.
 */
json_t *account_refresh_apply(const json_t *account, const struct oauth_tokens *t, char *err);

#endif
