/*
 * Calls to a real OAuth token endpoint, shaped as cozy-stack's
 * model/account/type.go shapes them (token_mode basic / get / form), made with
 * libcurl's multi interface on the harness loop: never blocking, bounded in
 * time. Also the stack's reading of the provider's answer. Used by the refresh
 * route and by `konnector-harness oauth`.
 */
#ifndef FAKE_STACK_OAUTH_CLIENT_H
#define FAKE_STACK_OAUTH_CLIENT_H

#include "common/loop.h"

#include <jansson.h>
#include <stddef.h>

/* The stack's accountsClient timeout (model/account/type.go): 15 s. */
#define OAUTH_DEFAULT_TIMEOUT_MS 15000

struct oauth_client;
struct oauth_call;

/* timeout_ms <= 0: OAUTH_DEFAULT_TIMEOUT_MS. Every call is bounded by it, form mode included. */
struct oauth_client *oauth_client_new(struct loop *loop, long timeout_ms, char *err);
/* Abort calls in flight (their callbacks are not called) and free. NULL is fine. Not from inside a callback. */
void oauth_client_free(struct oauth_client *c);

enum oauth_purpose {
	OAUTH_REFRESH,       /* RefreshAccount: form mode is http.PostForm (no Accept header) */
	OAUTH_CODE_EXCHANGE, /* RequestAccessToken: POST modes both send Accept: application/json */
};

struct oauth_token_request {
	enum oauth_purpose purpose;
	const char *token_endpoint;
	const char *token_mode; /* "basic", "get", anything else (NULL, "", "form", …): a form POST */
	const char *client_id, *client_secret;
	/* NULL-terminated name, value pairs (grant_type, refresh_token / code, redirect_uri, state…).
	 * client_id and client_secret are added unless basic; the whole set is sorted by name
	 * and encoded like Go's url.Values.Encode. */
	const char *const *params;
};

struct oauth_response {
	long status;      /* the provider's HTTP status; 0 when there was no answer */
	const char *body; /* the provider's body (NUL-terminated), "" when none */
	size_t body_len;
	const char *error; /* status 0: the failure as the stack's Go client words it ("Post \"…\": …") */
};

typedef void (*oauth_done_cb)(const struct oauth_response *res, void *arg);

/* Start one token request; cb runs once, later, from the loop (never from inside this call). */
struct oauth_call *oauth_client_request(struct oauth_client *c, const struct oauth_token_request *req, oauth_done_cb cb,
					void *arg, char *err);
/* Abort a call in flight; its callback will not run. */
void oauth_client_cancel(struct oauth_call *call);

/* Go's url.Values.Encode of the NULL-terminated pairs (sorted by name, QueryEscape). malloc'd. */
char *oauth_client_form_encode(const char *const *pairs);

/* What a token endpoint answered, decoded like the stack's tokenEndpointResponse. */
struct oauth_tokens {
	char *access_token;  /* NULL when absent or empty */
	char *refresh_token; /* NULL when absent or empty */
	char *token_type;    /* NULL when absent or empty */
	long long expires_in;
	json_t *extras; /* code exchange only: the other fields of the answer (oauth_callback_results), or NULL */
};
void oauth_client_tokens_free(struct oauth_tokens *t);

enum oauth_outcome {
	OAUTH_OK,
	OAUTH_INVALID_TOKEN, /* 401 oauth_refresh_invalid_token (refresh only) */
	OAUTH_FAILED,        /* 500 Unqualified error; detail says why, in the stack's words */
};

/*
 * RefreshAccount's reading of the answer (model/account/type.go): non-200 with
 * error invalid_grant/invalid_token → OAUTH_INVALID_TOKEN; other non-200 →
 * "oauth service responded with status N"; 200 non-JSON → the decode error;
 * 200 with error → "OauthError(e) desc"; else OAUTH_OK with the tokens.
 */
enum oauth_outcome oauth_client_refresh_outcome(const struct oauth_response *res, struct oauth_tokens *t, char *detail);

/*
 * RequestAccessToken's reading (code exchange): non-200 → "oauth services
 * responded with non-200 res: <body>"; error → "OauthError(e) desc"; the
 * access_token falls back to id_token; none → "server responded without access token".
 */
enum oauth_outcome oauth_client_code_outcome(const struct oauth_response *res, struct oauth_tokens *t, char *detail);

#endif
