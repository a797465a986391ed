/*
 * HTTP/1.1 as a forward proxy reads it from a konnector (RFC 9112): a request
 * head (absolute-form for plain HTTP, authority-form for CONNECT, origin-form
 * inside a tunnel), its body framing (Content-Length or chunked), and header
 * lists shared with the HAR model. Pure functions over buffers, no I/O.
 */
#ifndef VENDOR_PROXY_HTTP1_H
#define VENDOR_PROXY_HTTP1_H

#include "common/buf.h"

#include <stddef.h>
#include <sys/types.h>

/* A request head longer than this is refused (431). */
#define HTTP1_HEAD_MAX (64 * 1024)

struct http1_header {
	char *name;
	char *value;
};

/* An ordered header list; names keep their case, lookups ignore it. */
struct http1_headers {
	struct http1_header *v;
	size_t n, cap;
};

int http1_headers_add(struct http1_headers *h, const char *name, const char *value);
int http1_headers_addn(struct http1_headers *h, const char *name, size_t nlen, const char *value, size_t vlen);
/* The first value of name, or NULL. */
const char *http1_headers_get(const struct http1_headers *h, const char *name);
/* Remove every header called name. */
void http1_headers_del(struct http1_headers *h, const char *name);
void http1_headers_free(struct http1_headers *h);
/* Does a comma-separated header (Connection, Transfer-Encoding) list token, ignoring case? */
int http1_header_has_token(const char *value, const char *token);
/* Hop-by-hop headers a proxy never forwards (RFC 9110 7.6.1), plus the ones Connection names. */
int http1_is_hop_by_hop(const char *name, const struct http1_headers *h);

struct http1_request {
	char *method;
	char *target; /* as sent: "http://h/p", "host:443" (CONNECT) or "/p" */
	int minor;    /* HTTP/1.<minor> */
	struct http1_headers headers;
	int chunked;              /* Transfer-Encoding ends in chunked */
	long long content_length; /* -1 when absent */
};

/*
 * Parse a request head from buf[0..len). Returns the head's length (> 0)
 * when complete, 0 when more bytes are needed, -1 when malformed (err says
 * why; *status is the answer to give: 400, 431 or 501).
 */
ssize_t http1_parse_request(const char *buf, size_t len, struct http1_request *req, int *status, char *err);
void http1_request_free(struct http1_request *req);
/* Should the connection stay open after this request's answer? */
int http1_keep_alive(const struct http1_request *req);

/* A request body decoder: Content-Length bytes or chunked, the decoded bytes appended to out. */
struct http1_body {
	int chunked;
	long long remaining; /* bytes left (length mode, or of the current chunk) */
	int state;
	int done;
	char line[128]; /* a chunk-size or trailer line being read */
	size_t line_len;
};
void http1_body_init(struct http1_body *b, const struct http1_request *req);
/* Consume input; returns how many bytes were used (the rest belongs to the next request), -1 when malformed. */
ssize_t http1_body_feed(struct http1_body *b, const char *in, size_t len, struct buf *out, char *err);

/* Split "host:port" (or "[v6]:port") into host (without brackets) and port; -1 when malformed. */
int http1_split_authority(const char *authority, char *host, size_t hostlen, int *port, int default_port);
/* The reason phrase of a status code ("OK", "Bad Gateway"…), "" when unknown. */
const char *http1_reason(int status);

#endif
