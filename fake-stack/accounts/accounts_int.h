/* The stack's account state, shared by stack_accounts.c (the seam) and route_accounts.c (the route). Internal. */
#ifndef FAKE_STACK_ACCOUNTS_INT_H
#define FAKE_STACK_ACCOUNTS_INT_H

#include "fake-stack/stack.h"

struct account_types;
struct oauth_client;
struct accounts_pending;

struct accounts {
	struct account_types *types; /* account_types/ and refresh/ of the fixtures */
	struct oauth_client *oauth;  /* the token client of the refreshes */
	stack_refresh_cb on_refresh; /* stack_on_refresh's hook */
	void *on_refresh_arg;
	struct accounts_pending *pending; /* refreshes in flight (route_accounts.c) */
};

#endif
