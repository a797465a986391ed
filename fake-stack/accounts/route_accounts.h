/*
 * The /accounts route family (the stack's route table in stack.c), and what
 * the seam (stack_accounts.c) asks of it. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_ROUTE_ACCOUNTS_H
#define FAKE_STACK_ROUTE_ACCOUNTS_H

#include "fake-stack/http/http.h"
#include "fake-stack/stack.h"

#include <jansson.h>

struct accounts;

/* POST /accounts/:accountType/:accountID/refresh; anything else under /accounts is 404/405. */
int route_accounts_handle(struct stack *st, struct request *req);
/* The accounts are going away: cancel the refreshes in flight and cut them off the stack (their requests may outlive
 * it). */
void route_accounts_abandon(struct accounts *a);

#endif
