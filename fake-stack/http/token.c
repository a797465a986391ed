/* Minting and looking up job and app tokens (JWT-shaped, see token.h). */
#include "fake-stack/http/token.h"
#include "common/b64.h"

#include "common/err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

struct token_entry {
	char *token;
	char *slug;
	enum token_kind kind;
};

struct tokens {
	struct token_entry *v;
	size_t n, cap;
};

struct tokens *tokens_new(void)
{
	return calloc(1, sizeof(struct tokens));
}

void tokens_free(struct tokens *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].token);
		free(t->v[i].slug);
	}
	free(t->v);
	free(t);
}

char *token_b64url(const void *data, size_t len)
{
	struct buf b = {0};
	if (b64_encode(&b, data, len, B64_URL) < 0 || buf_append(&b, "", 0) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

const char *tokens_mint(struct tokens *t, enum token_kind kind, const char *domain, const char *slug, long long iat,
			char *err)
{
	const char *aud = kind == TOKEN_KONNECTOR ? "konn" : "app";
	/* stack: model/instance/instance.go BuildKonnectorToken + pkg/crypto/jwt.go: HS512, claims aud/iss/iat/sub. */
	json_t *claims =
		json_pack("{s:[s],s:s,s:I,s:s}", "aud", aud, "iss", domain, "iat", (json_int_t)iat, "sub", slug);
	char *payload = claims ? json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(claims);
	static const char header[] = "{\"alg\":\"HS512\",\"typ\":\"JWT\"}";
	unsigned char sig[64];
	/* A per-token random signature keeps tokens unguessable; getrandom never blocks once the pool is ready. */
	if (getrandom(sig, sizeof(sig), 0) != (ssize_t)sizeof(sig)) {
		for (size_t i = 0; i < sizeof(sig); i++)
			sig[i] = (unsigned char)random();
	}
	char *h = token_b64url(header, sizeof(header) - 1);
	char *p = payload ? token_b64url(payload, strlen(payload)) : NULL;
	char *s = token_b64url(sig, sizeof(sig));
	char *tok = NULL;
	if (h && p && s && asprintf(&tok, "%s.%s.%s", h, p, s) < 0)
		tok = NULL;
	free(payload);
	free(h);
	free(p);
	free(s);
	if (tok == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct token_entry *v = realloc(t->v, cap * sizeof(*v));
		if (v == NULL) {
			free(tok);
			err_set(err, "out of memory");
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].token = tok;
	t->v[t->n].slug = strdup(slug);
	t->v[t->n].kind = kind;
	t->n++;
	return tok;
}

int tokens_lookup(const struct tokens *t, const char *token, enum token_kind *kind, const char **slug)
{
	if (token == NULL)
		return -1;
	/* Newest first: the current job's token is the likeliest. */
	for (size_t i = t->n; i-- > 0;) {
		if (strcmp(t->v[i].token, token) == 0) {
			*kind = t->v[i].kind;
			*slug = t->v[i].slug;
			return 0;
		}
	}
	return -1;
}

char *token_from_request(const char *authorization, const char *bearer_token_query)
{
	/* stack: web/middlewares/permissions.go GetRequestToken: Bearer, then Basic's password, then ?bearer_token=. */
	if (authorization != NULL && authorization[0] != '\0') {
		if (strncmp(authorization, "Bearer ", 7) == 0)
			return strdup(authorization + 7);
		if (strncasecmp(authorization, "Basic ", 6) == 0) {
			char *dec = b64_decode_lenient(authorization + 6, NULL);
			char *colon = dec ? strchr(dec, ':') : NULL;
			char *pass = colon ? strdup(colon + 1) : NULL;
			free(dec);
			if (pass != NULL)
				return pass;
		}
	}
	if (bearer_token_query != NULL && bearer_token_query[0] != '\0')
		return strdup(bearer_token_query);
	return NULL;
}
