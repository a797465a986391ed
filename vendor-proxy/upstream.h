/*
 * Requests to the real vendor while recording: libcurl's multi interface on
 * the harness loop (no thread, no blocking call), HTTP/1.1, no redirect
 * followed (the konnector follows them through the proxy itself), the
 * answer decoded (gzip, br…) and streamed back through callbacks, with
 * pause and resume so a slow konnector holds the vendor back instead of
 * the proxy buffering a whole PDF.
 */
#ifndef VENDOR_PROXY_UPSTREAM_H
#define VENDOR_PROXY_UPSTREAM_H

#include "common/loop.h"
#include "vendor-proxy/http1.h"

#include <stddef.h>

struct upstream_options {
	const char *ca_file;           /* trust only these CAs for the vendor (NULL: the system's) */
	const char *const *connect_to; /* curl CONNECT_TO entries "HOST:PORT:HOST2:PORT2", NULL-terminated, or NULL */
	long timeout_ms;               /* a whole exchange; <= 0: none */
};

struct upstream;
struct upstream_call;

struct upstream_hooks {
	/* The answer's head (once, before any body): status, reason, headers (decoded answers lose Content-Encoding).
	 */
	void (*head)(void *arg, int status, const char *reason, const struct http1_headers *h, int decoded);
	/* Some body bytes; return 1 to pause (the same bytes come again after upstream_resume), else 0. */
	int (*body)(void *arg, const char *data, size_t n);
	/* The end: error NULL when the whole answer came. The call is freed after this returns. */
	void (*done)(void *arg, const char *error);
};

struct upstream *upstream_new(struct loop *loop, const struct upstream_options *o, char *err);
/* Abort every call (their done hooks are not called) and free. NULL is fine. */
void upstream_free(struct upstream *u);

/* Start a request (headers as given, minus hop-by-hop ones; body copied). hooks run later, from the loop. */
struct upstream_call *upstream_request(struct upstream *u, const char *method, const char *url,
				       const struct http1_headers *headers, const char *body, size_t body_len,
				       const struct upstream_hooks *hooks, void *arg, char *err);
/* Let a paused call go on. */
void upstream_resume(struct upstream_call *c);
/* Abort a call; its hooks will not run again. */
void upstream_cancel(struct upstream_call *c);

#endif
