/* The refresh algorithm (see account_refresh.h). */
#include "fake-stack/accounts/account_refresh.h"

#include "fake-stack/accounts/account_doc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct account_refresh {
	json_t *account;
	struct oauth_call *call;
	account_refresh_cb cb;
	void *arg;
};

void account_refresh_result_clear(struct account_refresh_result *res)
{
	json_decref(res->account);
	res->account = NULL;
}

/* A non-empty string member, or NULL. */
static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A string field of the account type, "" when absent (or no type). */
static const char *type_field(const json_t *type, const char *key)
{
	const char *s = type != NULL ? json_string_value(json_object_get(type, key)) : NULL;
	return s != NULL ? s : "";
}

json_t *account_refresh_apply(const json_t *account, const struct oauth_tokens *t, char *err)
{
	json_t *acc = json_deep_copy(account);
	json_t *oauth = json_object_get(acc, "oauth");
	if (t->access_token != NULL)
		json_object_set_new(oauth, "access_token", json_string(t->access_token));
	if (t->expires_in != 0) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		now.tv_sec += (time_t)t->expires_in;
		char buf[64];
		account_doc_time_format(&now, buf, sizeof(buf));
		json_object_set_new(oauth, "expires_at", json_string(buf));
	}
	if (t->refresh_token != NULL)
		json_object_set_new(oauth, "refresh_token", json_string(t->refresh_token));
	/* Encode again so that keys added here fall into the struct's order. */
	json_t *out = account_doc_roundtrip(acc, err);
	json_decref(acc);
	return out;
}

/* Turn a provider's answer into a result. */
static void conclude(const json_t *account, const struct oauth_response *answer, struct account_refresh_result *res)
{
	struct oauth_tokens t;
	memset(res, 0, sizeof(*res));
	switch (oauth_client_refresh_outcome(answer, &t, res->detail)) {
	case OAUTH_OK:
		res->account = account_refresh_apply(account, &t, res->detail);
		res->status = res->account != NULL ? REFRESH_OK : REFRESH_FAILED;
		break;
	case OAUTH_INVALID_TOKEN:
		res->status = REFRESH_INVALID_TOKEN;
		break;
	case OAUTH_FAILED:
		res->status = REFRESH_FAILED;
		break;
	}
	oauth_client_tokens_free(&t);
}

static void on_answer(const struct oauth_response *answer, void *arg)
{
	struct account_refresh *r = arg;
	struct account_refresh_result res;
	r->call = NULL;
	conclude(r->account, answer, &res);
	account_refresh_cb cb = r->cb;
	void *cb_arg = r->arg;
	json_decref(r->account);
	free(r);
	cb(&res, cb_arg);
}

/* Answer from refresh/<type>.json. */
static void canned(const json_t *account, int status, const json_t *body, struct account_refresh_result *now)
{
	char *text = json_is_string(body) ? strdup(json_string_value(body))
					  : json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	struct oauth_response answer = {status, text, strlen(text), NULL};
	conclude(account, &answer, now);
	free(text);
}

struct account_refresh *account_refresh_start(const json_t *account, const struct account_types *types,
					      struct oauth_client *client, account_refresh_cb cb, void *arg,
					      struct account_refresh_result *now)
{
	memset(now, 0, sizeof(*now));
	const char *type_id = json_string_value(json_object_get(account, "account_type"));
	int canned_status = 0;
	const json_t *canned_body = account_types_canned_refresh(types, type_id, &canned_status);
	/* stack: model/account/type.go TypeInfo */
	if (type_id == NULL || type_id[0] == '\0') {
		now->status = REFRESH_FAILED;
		err_set(now->detail, "no account type id provided");
		return NULL;
	}
	const json_t *type = account_types_find(types, type_id);
	if (type == NULL && canned_body == NULL) {
		now->status = REFRESH_TYPE_NOT_FOUND;
		return NULL;
	}
	/* stack: RefreshAccount */
	const json_t *oauth = json_object_get(account, "oauth");
	if (!json_is_object(oauth)) {
		now->status = REFRESH_FAILED;
		err_set(now->detail, "this account can not be refreshed");
		return NULL;
	}
	if (str(oauth, "refresh_token") == NULL) {
		/* No HTTP call: the konnector gets the client credentials and refreshes by itself. */
		json_t *acc = json_deep_copy(account);
		json_t *o = json_object_get(acc, "oauth");
		json_object_set_new(o, "client_id", json_string(type_field(type, "client_id")));
		json_object_set_new(o, "client_secret", json_string(type_field(type, "client_secret")));
		now->account = account_doc_roundtrip(acc, now->detail);
		json_decref(acc);
		now->status = now->account != NULL ? REFRESH_OK : REFRESH_FAILED;
		return NULL;
	}
	const char *endpoint = type ? str(type, "token_endpoint") : NULL;
	if (endpoint == NULL && canned_body != NULL) {
		canned(account, canned_status, canned_body, now);
		return NULL;
	}
	struct account_refresh *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		now->status = REFRESH_FAILED;
		err_set(now->detail, "out of memory");
		return NULL;
	}
	r->account = json_deep_copy(account);
	r->cb = cb;
	r->arg = arg;
	const char *params[] = {"grant_type", "refresh_token", "refresh_token", str(oauth, "refresh_token"), NULL};
	struct oauth_token_request req = {
		.purpose = OAUTH_REFRESH,
		.token_endpoint = endpoint != NULL ? endpoint : "",
		.token_mode = type ? json_string_value(json_object_get(type, "token_mode")) : NULL,
		.client_id = type ? json_string_value(json_object_get(type, "client_id")) : NULL,
		.client_secret = type ? json_string_value(json_object_get(type, "client_secret")) : NULL,
		.params = params,
	};
	r->call = oauth_client_request(client, &req, on_answer, r, now->detail);
	if (r->call == NULL) {
		json_decref(r->account);
		free(r);
		now->status = REFRESH_FAILED;
		return NULL;
	}
	return r;
}

void account_refresh_cancel(struct account_refresh *r)
{
	if (r == NULL)
		return;
	oauth_client_cancel(r->call);
	json_decref(r->account);
	free(r);
}
