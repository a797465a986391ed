/*
 * Replaying: each request is matched against the HAR (match.c) and
 * answered from it, long bodies decoded from the file as the konnector
 * takes them. No request ever leaves the machine; one that was not
 * recorded gets a 502 naming it and the HAR.
 */
#include "vendor-proxy/proxy_int.h"

#include "common/err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PUMP_CHUNK (64 * 1024)

/* An answer of our own with a text body. */
static void replay_text(struct exchange *x, int status, const char *text)
{
	struct http1_headers h = {0};
	http1_headers_add(&h, "Content-Type", "text/plain; charset=utf-8");
	answer_head(x, status, NULL, &h, (long long)strlen(text));
	answer_body(x, text, strlen(text));
	http1_headers_free(&h);
}

/* The end of an answer: count it and let the connection go on. */
static void replay_finish(struct exchange *x)
{
	if (x->reading) {
		har_text_reader_free(&x->rd);
		x->reading = 0;
	}
	answer_end(x);
	tally_exchange(x->c->p, x->repeated ? PROXY_REPEATED : PROXY_REPLAYED, x, NULL);
	conn_exchange_done(x->c);
}

/* Send decoded body bytes from the HAR file while the konnector keeps up. */
static void replay_pump(struct exchange *x)
{
	char *chunk = malloc(PUMP_CHUNK);
	char err[ERR_MAX];
	while (chunk != NULL && x->left > 0 && !x->c->closed && conn_pending(x->c) < OUT_HIGH) {
		size_t want = x->left < PUMP_CHUNK ? (size_t)x->left : PUMP_CHUNK;
		ssize_t n = har_text_read(&x->rd, chunk, want, err);
		if (n <= 0) {
			/* The HAR promised more than it holds: close, as a cut download would. */
			tally_exchange(x->c->p, PROXY_FAILED, x, n < 0 ? err : "the HAR body is shorter than its size");
			conn_close(x->c);
			free(chunk);
			return;
		}
		x->left -= n;
		answer_body(x, chunk, (size_t)n);
	}
	free(chunk);
	if (x->left == 0 && !x->c->closed)
		replay_finish(x);
}

/* The recorded headers as they go out: placeholders back to the current values, no stale framing
 * (a HEAD, 204 or 304 answer keeps its Content-Length: it has no body to measure). */
static void replay_headers(const struct proxy *p, const struct exchange *x, const struct har_record *rec,
			   struct http1_headers *h)
{
	int head_only = strcmp(x->method, "HEAD") == 0 || rec->status < 200 || rec->status == 204 || rec->status == 304;
	for (size_t i = 0; i < rec->resp_headers.n; i++) {
		const char *name = rec->resp_headers.v[i].name;
		/* The HAR holds the decoded body: its encoding and length no longer apply. */
		if (strcasecmp(name, "Content-Encoding") == 0 || strcasecmp(name, "Content-Length") == 0 ||
		    strcasecmp(name, "Transfer-Encoding") == 0)
			continue;
		struct buf v = {0};
		const char *val = rec->resp_headers.v[i].value;
		buf_puts(&v, "");
		redact_restore(p->redact, val, strlen(val), &v);
		http1_headers_add(h, name, v.data);
		buf_free(&v);
	}
	if (head_only) {
		const char *cl = http1_headers_get(&rec->resp_headers, "Content-Length");
		if (cl != NULL)
			http1_headers_add(h, "Content-Length", cl);
	}
}

static void replay_start(struct exchange *x)
{
	struct conn *c = x->c;
	struct proxy *p = c->p;
	char err[ERR_MAX];
	struct match_request mr = {x->method, x->url, x->mime, c->req_body.data ? c->req_body.data : "",
				   c->req_body.len};
	long i = match_find(p->match, p->redact, &mr, &x->repeated);
	if (i < 0) {
		struct buf url = {0}, msg = {0};
		buf_puts(&url, "");
		redact_text(p->redact, x->url, strlen(x->url), &url);
		buf_printf(&msg,
			   "konnector-harness: no recorded answer for %s %s in %s (record it again with --record, "
			   "or go live with --no-replay)\n",
			   x->method, url.data, p->har_path);
		replay_text(x, 502, msg.data);
		buf_free(&url);
		buf_free(&msg);
		tally_exchange(p, PROXY_UNRECORDED, x, NULL);
		conn_exchange_done(c);
		return;
	}
	const struct har_record *rec = &p->har.v[i];
	x->rec = rec;
	if (rec->status <= 0) {
		struct buf msg = {0};
		buf_printf(&msg, "konnector-harness: %s %s: the vendor could not be reached when recorded: %s\n",
			   x->method, x->url, rec->error ? rec->error : "no answer");
		replay_text(x, 502, msg.data);
		buf_free(&msg);
		tally_exchange(p, x->repeated ? PROXY_REPEATED : PROXY_REPLAYED, x, NULL);
		conn_exchange_done(c);
		return;
	}
	struct http1_headers h = {0};
	replay_headers(p, x, rec, &h);
	if (!rec->content.in_file) {
		/* Short bodies: a text body gets the current secret values back where the vendor echoed them. */
		struct buf body = {0};
		buf_puts(&body, "");
		if (rec->content.base64)
			buf_append(&body, rec->content.mem, rec->content.len);
		else
			redact_restore(p->redact, rec->content.mem, rec->content.len, &body);
		answer_head(x, rec->status, rec->status_text, &h, (long long)body.len);
		answer_body(x, body.data, body.len);
		buf_free(&body);
		http1_headers_free(&h);
		replay_finish(x);
		return;
	}
	long long size = har_text_size(p->har.fd, &rec->content, err);
	if (size < 0) {
		http1_headers_free(&h);
		tally_exchange(p, PROXY_FAILED, x, err);
		conn_send_error(c, 502, err);
		return;
	}
	answer_head(x, rec->status, rec->status_text, &h, size);
	http1_headers_free(&h);
	if (x->head_only) {
		replay_finish(x);
		return;
	}
	har_text_reader_init(&x->rd, p->har.fd, &rec->content);
	x->reading = 1;
	x->left = size;
	replay_pump(x);
}

static void replay_drained(struct exchange *x)
{
	if (x->reading)
		replay_pump(x);
}

static void replay_abort(struct exchange *x)
{
	if (x->reading)
		har_text_reader_free(&x->rd);
	x->reading = 0;
}

const struct exchange_ops replay_ops = {replay_start, replay_drained, replay_abort};
