/*
 * Recording: each request goes to the vendor through upstream.c; its answer
 * is streamed to the konnector and, at the same time, kept in a HAR entry
 * (bodies over BODY_MEM_MAX in the spool). A konnector slower than the
 * vendor pauses the download instead of filling memory.
 */
#include "vendor-proxy/proxy_int.h"

#include "common/err.h"
#include "common/isotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void record_on_head(void *arg, int status, const char *reason, const struct http1_headers *h, int decoded)
{
	struct exchange *x = arg;
	struct har_entry *e = x->entry;
	x->t_head = loop_now_ms();
	e->status = status;
	e->status_text = strdup(reason);
	/* The HAR keeps what the konnector got: no hop-by-hop header, decoded bodies without their encoding. */
	for (size_t i = 0; i < h->n; i++)
		if (!http1_is_hop_by_hop(h->v[i].name, h))
			http1_headers_add(&e->resp_headers, h->v[i].name, h->v[i].value);
	long long n = -1;
	const char *cl = http1_headers_get(h, "Content-Length");
	if (cl != NULL && !decoded)
		n = atoll(cl);
	answer_head(x, status, reason, h, n);
}

static int record_on_body(void *arg, const char *data, size_t n)
{
	struct exchange *x = arg;
	if (!x->c->closed && conn_pending(x->c) > OUT_HIGH) {
		x->paused = 1;
		return 1;
	}
	char err[ERR_MAX];
	if (body_append(&x->entry->resp_body, x->c->p->spool, data, n, err) < 0 && x->entry->error == NULL)
		x->entry->error = strdup(err); /* the konnector still gets its answer; the HAR will not have it */
	answer_body(x, data, n);
	return 0;
}

static void record_on_done(void *arg, const char *error)
{
	struct exchange *x = arg;
	struct har_entry *e = x->entry;
	struct conn *c = x->c;
	long long now = loop_now_ms();
	x->call = NULL;
	if (x->t_head == 0)
		x->t_head = now;
	e->wait_ms = x->t_head - x->t0;
	e->receive_ms = now - x->t_head;
	if (error == NULL && e->error == NULL) {
		e->complete = 1;
		answer_end(x);
		tally_exchange(c->p, PROXY_RECORDED, x, NULL);
		conn_exchange_done(c);
		return;
	}
	const char *why = error != NULL ? error : e->error;
	if (x->status == 0) {
		/* No answer at all: the konnector gets a 502 saying why, and so does a replay. */
		free(e->error);
		e->error = strdup(why);
		e->complete = 1;
		struct buf msg = {0};
		buf_printf(&msg, "konnector-harness: %s %s: the vendor could not be reached: %s\n", x->method, x->url,
			   why);
		struct http1_headers h = {0};
		http1_headers_add(&h, "Content-Type", "text/plain; charset=utf-8");
		answer_head(x, 502, NULL, &h, (long long)msg.len);
		answer_body(x, msg.data, msg.len);
		http1_headers_free(&h);
		buf_free(&msg);
		tally_exchange(c->p, PROXY_FAILED, x, why);
		conn_exchange_done(c);
		return;
	}
	/* Cut in the middle of the answer: the konnector sees the connection close, as it would. */
	tally_exchange(c->p, PROXY_FAILED, x, why);
	conn_close(c);
}

static void record_start(struct exchange *x)
{
	struct conn *c = x->c;
	struct proxy *p = c->p;
	char err[ERR_MAX];
	struct har_entry *e = har_log_add(&p->log);
	if (e == NULL) {
		conn_send_error(c, 500, "konnector-harness: out of memory");
		return;
	}
	x->entry = e;
	isotime_now(ISOTIME_MILLIS, e->started, sizeof(e->started), NULL);
	e->method = strdup(x->method);
	e->url = strdup(x->url);
	for (size_t i = 0; i < c->req.headers.n; i++)
		if (!http1_is_hop_by_hop(c->req.headers.v[i].name, &c->req.headers))
			http1_headers_add(&e->req_headers, c->req.headers.v[i].name, c->req.headers.v[i].value);
	body_append(&e->req_body, NULL, c->req_body.data, c->req_body.len, err);
	static const struct upstream_hooks hooks = {record_on_head, record_on_body, record_on_done};
	x->call = upstream_request(p->up, x->method, x->url, &c->req.headers, c->req_body.data, c->req_body.len, &hooks,
				   x, err);
	if (x->call == NULL)
		record_on_done(x, err);
}

static void record_drained(struct exchange *x)
{
	if (x->paused && x->call != NULL) {
		x->paused = 0;
		upstream_resume(x->call);
	}
}

static void record_abort(struct exchange *x)
{
	if (x->call != NULL)
		upstream_cancel(x->call);
	x->call = NULL;
}

const struct exchange_ops record_ops = {record_start, record_drained, record_abort};
