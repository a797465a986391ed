/*
 * The fake stack's HTTP server: libmicrohttpd in external epoll mode on the
 * harness loop (mhd_loop.h) and the life of each request as http.h tells it
 * (parse, auth, route, body, answer, journal). It knows no route itself: the
 * stack hands it its table. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_HTTP_SERVER_H
#define FAKE_STACK_HTTP_SERVER_H

#include "common/loop.h"
#include "fake-stack/http/http.h"

#include <stddef.h>

struct server;
struct tokens;
struct journal;

/* A route group, chosen by the first path segment. */
struct server_route {
	const char *first;      /* first path segment */
	enum err_family family; /* the error bodies it answers in */
	route_fn begin;         /* may be NULL */
	route_fn handle;
};

struct server_config {
	struct loop *loop;
	const char *bind_addr;             /* an IPv4 address */
	unsigned short port;               /* 0: any free port */
	struct stack *st;                  /* req->st of every request, handed to the routes */
	struct tokens *tokens;             /* who is calling (borrowed) */
	struct journal *journal;           /* every request is added to it (borrowed) */
	size_t body_limit;                 /* a buffered body over it is answered 413 */
	const struct server_route *routes; /* borrowed, like the rest */
	size_t nroutes;
};

/* Listen and serve from the loop. NULL with err ("address in use: …" when the port is taken). */
struct server *server_start(const struct server_config *cfg, char *err);
/* The port listened on (the chosen one when cfg->port was 0). */
unsigned short server_port(const struct server *s);
/* Answer parked requests 503, close every connection, free. NULL is fine. */
void server_stop(struct server *s);

#endif
