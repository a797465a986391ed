/*
 * The /accounts route family and the stack's account-type state (fixtures,
 * token client, refresh hook). stack.c calls these; internal to fake-stack/.
 */
#ifndef FAKE_STACK_ROUTE_ACCOUNTS_H
#define FAKE_STACK_ROUTE_ACCOUNTS_H

#include "fake-stack/http/http.h"
#include "fake-stack/stack.h"

#include <jansson.h>

/* In stack_start, after st->loop and st->fixtures_dir are set: account_types/, refresh/, the OAuth client. */
int stack_accounts_start(struct stack *st, char *err);
/* In stack_stop: cancels refreshes in flight. */
void stack_accounts_stop(struct stack *st);
/* In stack_reset: load account_types/ and refresh/ again. */
int stack_accounts_reset(struct stack *st, char *err);
/* What stack_account_types() returns: the account type docs (borrowed array). */
const json_t *stack_accounts_types(const struct stack *st);

/* POST /accounts/:accountType/:accountID/refresh; anything else under /accounts is 404/405. */
int route_accounts_handle(struct stack *st, struct request *req);

#endif
