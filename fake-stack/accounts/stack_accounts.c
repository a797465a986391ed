/* The accounts seam of the stack (stack_int.h): the account state's life with the stack, and its stack.h getters. */
#include "common/err.h"
#include "fake-stack/accounts/account_types.h"
#include "fake-stack/accounts/accounts_int.h"
#include "fake-stack/accounts/oauth_client.h"
#include "fake-stack/accounts/route_accounts.h"
#include "fake-stack/stack_int.h"

#include <stdlib.h>

/* The account types and the token client, from the fixtures; the timeout from KONNECTOR_HARNESS_OAUTH_TIMEOUT_MS. */
int stack_accounts_start(struct stack *st, char *err)
{
	struct accounts *a = st->accounts;
	if (a == NULL && (a = st->accounts = calloc(1, sizeof(*a))) == NULL)
		return err_set(err, "out of memory");
	a->types = account_types_load(st->fixtures_dir, err);
	if (a->types == NULL)
		return -1;
	if (a->oauth == NULL) {
		const char *t = getenv("KONNECTOR_HARNESS_OAUTH_TIMEOUT_MS");
		a->oauth = oauth_client_new(st->loop, t != NULL ? atol(t) : 0, err);
		if (a->oauth == NULL)
			return -1;
	}
	return 0;
}

void stack_accounts_stop(struct stack *st)
{
	struct accounts *a = st->accounts;
	if (a == NULL)
		return;
	route_accounts_abandon(a);
	account_types_free(a->types);
	oauth_client_free(a->oauth);
	free(a);
	st->accounts = NULL;
}

/* Load the fixtures again (watch); the refresh hook stays. */
int stack_accounts_reset(struct stack *st, char *err)
{
	struct accounts *a = st->accounts;
	struct account_types *fresh = account_types_load(st->fixtures_dir, err);
	if (fresh == NULL)
		return -1;
	account_types_free(a->types);
	a->types = fresh;
	return 0;
}

const json_t *stack_account_types(const struct stack *st)
{
	return account_types_all(st->accounts->types);
}

void stack_on_refresh(struct stack *st, stack_refresh_cb cb, void *arg)
{
	st->accounts->on_refresh = cb;
	st->accounts->on_refresh_arg = arg;
}

int stack_account_type_secret(const struct stack *st, const char *slug, const json_t **secret)
{
	return account_types_secret(st->accounts->types, slug, secret);
}
