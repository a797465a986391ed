/* Framing an answer to the konnector: status line, headers, Content-Length or chunked (RFC 9112 6). */
#include "vendor-proxy/proxy_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int answer_head(struct exchange *x, int status, const char *reason, const struct http1_headers *h, long long n)
{
	struct conn *c = x->c;
	struct buf b = {0};
	x->status = status;
	/* RFC 9110 6.4.1: these answers have no content whatever their headers say. */
	x->head_only = strcmp(x->method, "HEAD") == 0 || status < 200 || status == 204 || status == 304;
	buf_printf(&b, "HTTP/1.1 %d %s\r\n", status, reason != NULL && reason[0] ? reason : http1_reason(status));
	for (size_t i = 0; h != NULL && i < h->n; i++) {
		const char *name = h->v[i].name;
		if (http1_is_hop_by_hop(name, h))
			continue;
		if (!x->head_only && strcasecmp(name, "Content-Length") == 0)
			continue;
		buf_printf(&b, "%s: %s\r\n", name, h->v[i].value);
	}
	if (!x->head_only) {
		if (n >= 0) {
			buf_printf(&b, "Content-Length: %lld\r\n", n);
		} else if (c->req.minor >= 1) {
			buf_puts(&b, "Transfer-Encoding: chunked\r\n");
			x->chunked = 1;
		} else {
			c->keep_alive = 0; /* HTTP/1.0 has no chunks: the close ends the body */
		}
	}
	if (!c->keep_alive)
		buf_puts(&b, "Connection: close\r\n");
	buf_puts(&b, "\r\n");
	int rc = b.data != NULL ? conn_send(c, b.data, b.len) : -1;
	buf_free(&b);
	return rc;
}

int answer_body(struct exchange *x, const char *data, size_t n)
{
	if (x->head_only || n == 0)
		return 0;
	x->bytes += (long long)n;
	if (!x->chunked)
		return conn_send(x->c, data, n);
	char size[24];
	int sl = snprintf(size, sizeof(size), "%zx\r\n", n);
	if (conn_send(x->c, size, (size_t)sl) < 0 || conn_send(x->c, data, n) < 0)
		return -1;
	return conn_send(x->c, "\r\n", 2);
}

int answer_end(struct exchange *x)
{
	if (x->head_only || !x->chunked)
		return 0;
	return conn_send(x->c, "0\r\n\r\n", 5);
}
