/* What server.c, http.c and reply.c share about a request beyond struct request. Internal. */
#ifndef FAKE_STACK_HTTP_PRIVATE_H
#define FAKE_STACK_HTTP_PRIVATE_H

#include "common/buf.h"
#include "fake-stack/http/http.h"

#include <stddef.h>

struct server_route;
struct mhd_loop;

struct http_private {
	struct request req;
	struct http_private *next, *prev; /* the server's live list */
	const struct server_route *route; /* chosen by server.c, NULL when none */
	struct mhd_loop *ml;              /* the server's, to run MHD again on resume */
	long long start_ms;
	char time_iso[40];
	int began;      /* begin hook done */
	int handled;    /* handler ran */
	int suspended;  /* parked by http_suspend */
	int queued;     /* answer handed to MHD */
	int too_large;  /* buffered body over the limit */
	int discarding; /* answered before the body ended: drop the rest */

	/* The answer. */
	int answered;
	unsigned status;
	char *content_type;
	struct buf resp;
	int resp_fd; /* -1 unless reply_fd */
	size_t resp_fd_size;
	struct kv *hdrs;
	size_t nhdrs;

	/* Journal notes. */
	char *forbidden;
	char *differs; /* where the answer differs from the real stack's, and why (http_note_differs) */

	/* The Accept header, which picks the shape of echo errors (reply.c); NULL when absent. */
	const char *accept;

	/* Headers when there is no MHD connection (unit tests). */
	struct kv *test_hdrs;
	size_t ntest_hdrs;
};

/* Parse method and raw URI into a new request (path split/decoded, query pairs). NULL on out of memory. */
struct request *http_request_new(struct stack *st, const char *method, const char *uri);
void http_request_free(struct request *req);
/* For tests: add a request header. */
int http_request_add_header(struct request *req, const char *name, const char *value);

static inline struct http_private *http_priv(const struct request *req)
{
	return req->priv;
}

#endif
