/*
 * Tokens the fake stack mints, shaped like the stack's JWTs (stack:
 * model/instance/instance.go BuildKonnectorToken, pkg/crypto/jwt.go):
 * base64url header {"alg":"HS512","typ":"JWT"}, payload
 * {"aud":["konn"],"iss":"<domain>","iat":<s>,"sub":"<slug>"}, signature. The
 * signature is 64 random bytes: nobody but us checks it, and we look tokens up
 * in our table (token → kind, slug). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_TOKEN_H
#define FAKE_STACK_TOKEN_H

#include <stddef.h>

enum token_kind {
	TOKEN_KONNECTOR, /* aud konn */
	TOKEN_APP,       /* aud app */
};

struct tokens;

struct tokens *tokens_new(void);
void tokens_free(struct tokens *t);
/* Mint a token for slug issued by domain at iat (unix seconds); owned by t. NULL with err. */
const char *tokens_mint(struct tokens *t, enum token_kind kind, const char *domain, const char *slug, long long iat,
			char *err);
/* 0 with *kind and *slug (borrowed) when t minted token, else -1. */
int tokens_lookup(const struct tokens *t, const char *token, enum token_kind *kind, const char **slug);

/*
 * The token of a request as the stack finds it (web/middlewares/permissions.go
 * GetRequestToken): "Bearer <t>", else the password of "Basic <b64 user:pass>",
 * else the bearer_token query value. malloc'd, or NULL when there is none.
 */
char *token_from_request(const char *authorization, const char *bearer_token_query);

/* base64url without padding (RFC 4648 §5) into a malloc'd string. */
char *token_b64url(const void *data, size_t len);

#endif
