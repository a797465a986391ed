/* token: JWT-shaped tokens, the table, and where a request carries its token. */
#include "fake-stack/http/token.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(token, minted_token_has_stack_claims)
{
	struct tokens *t = tokens_new();
	char err[512];
	const char *tok = tokens_mint(t, TOKEN_KONNECTOR, "127.0.0.1:8080", "tpl", 1700000000, err);
	cr_assert_not_null(tok);
	/* header {"alg":"HS512","typ":"JWT"} */
	cr_assert(strncmp(tok, "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.", 37) == 0);
	const char *claims = "{\"aud\":[\"konn\"],\"iss\":\"127.0.0.1:8080\",\"iat\":1700000000,\"sub\":\"tpl\"}";
	char *payload = token_b64url(claims, strlen(claims));
	cr_assert(strncmp(tok + 37, payload, strlen(payload)) == 0, "payload differs: %s", tok);
	free(payload);
	enum token_kind kind;
	const char *slug;
	cr_assert_eq(tokens_lookup(t, tok, &kind, &slug), 0);
	cr_assert_eq(kind, TOKEN_KONNECTOR);
	cr_assert_str_eq(slug, "tpl");
	cr_assert_eq(tokens_lookup(t, "forged", &kind, &slug), -1);
	const char *app = tokens_mint(t, TOKEN_APP, "d", "harness", 1, err);
	cr_assert_eq(tokens_lookup(t, app, &kind, &slug), 0);
	cr_assert_eq(kind, TOKEN_APP);
	cr_assert_str_neq(app, tok);
	tokens_free(t);
}

Test(token, b64url)
{
	char *s = token_b64url("\xfb\xff", 2);
	cr_assert_str_eq(s, "-_8");
	free(s);
}

Test(token, from_request)
{
	char *t = token_from_request("Bearer abc", NULL);
	cr_assert_str_eq(t, "abc");
	free(t);
	t = token_from_request("Basic dXNlcjpzZWNyZXQ=", NULL); /* user:secret */
	cr_assert_str_eq(t, "secret");
	free(t);
	t = token_from_request(NULL, "q");
	cr_assert_str_eq(t, "q");
	free(t);
	t = token_from_request("", "");
	cr_assert_null(t);
}
