/*
 * Inside the vendor proxy: the proxy, its client connections (conn.c: the
 * konnector's side, HTTP/1.1 and TLS), and one exchange at a time per
 * connection, answered by record.c (the vendor through upstream.c) or
 * replay.c (the HAR).
 */
#ifndef VENDOR_PROXY_PROXY_INT_H
#define VENDOR_PROXY_PROXY_INT_H

#include "common/buf.h"
#include "common/loop.h"
#include "vendor-proxy/body.h"
#include "vendor-proxy/ca.h"
#include "vendor-proxy/har.h"
#include "vendor-proxy/http1.h"
#include "vendor-proxy/match.h"
#include "vendor-proxy/proxy.h"
#include "vendor-proxy/redact.h"
#include "vendor-proxy/upstream.h"

#include <jansson.h>
#include <openssl/ssl.h>

/* Pause the source of an answer once this much waits for the konnector, go on under the low mark. */
#define OUT_HIGH (1024 * 1024)
#define OUT_LOW (256 * 1024)
/* A request body the proxy keeps in memory to forward or match. */
#define REQ_BODY_MAX (32 * 1024 * 1024)

struct conn;

/* One request and its answer. */
struct exchange {
	struct conn *c;
	char *method, *url; /* url absolute */
	const char *mime;   /* the request's Content-Type (borrowed from the request) */
	long long t0;       /* loop_now_ms at dispatch */
	int status;
	long long bytes;
	int head_only; /* HEAD, 1xx, 204, 304: no body goes out */
	int chunked;   /* the answer goes out chunked */
	/* record */
	struct upstream_call *call;
	struct har_entry *entry;
	int paused;
	long long t_head;
	/* replay */
	const struct har_record *rec;
	struct har_text_reader rd;
	int reading;
	long long left;
	int repeated;
};

enum conn_state {
	C_HEAD,      /* reading a request head */
	C_SNIFF,     /* CONNECT answered: TLS or plain HTTP inside the tunnel? */
	C_HANDSHAKE, /* TLS handshake as the vendor */
	C_BODY,      /* reading a request body */
	C_ANSWER,    /* the exchange is answering */
	C_CLOSING,   /* flush what is left, then close */
};

struct conn {
	struct proxy *p;
	struct conn *next;
	int fd;
	SSL *ssl;
	enum conn_state state;
	char *origin; /* inside a tunnel: "https://host[:port]" */
	char host[256];
	int port;
	struct buf in, out;
	size_t out_off; /* out's bytes before this are sent */
	struct http1_request req;
	int have_req;
	struct http1_body bodyd;
	struct buf req_body;
	int keep_alive;
	struct exchange *x;
	int x_done;       /* the exchange queued its whole answer */
	uint32_t hs_want; /* the TLS handshake waits for EPOLLIN or EPOLLOUT */
	uint32_t events;
	int closed; /* off the loop; freed by a timer, outside the callbacks that may hold it */
};

struct proxy {
	struct loop *loop;
	enum proxy_mode mode;
	int listen_fd;
	char url[64];
	struct ca *ca;
	struct redact *redact;
	char *har_path;
	struct conn *conns;
	long long reap_timer;
	/* record */
	struct upstream *up;
	struct spool *spool;
	struct har_log log;
	/* replay */
	struct har_file har;
	struct match_table *match;
	/* what happened */
	size_t n_exchanges, n_recorded, n_replayed;
	json_t *failed, *unrecorded;
	proxy_exchange_cb cb;
	void *cb_arg;
	const struct exchange_ops *ops;
};

/* conn.c */
/* Take a new client socket. */
void conn_accept(struct proxy *p, int fd);
/* Close: off the loop now, freed (its exchange aborted) from a timer, outside every callback. */
void conn_close(struct conn *c);
/* Free at once (proxy_stop), aborting its exchange. */
void conn_free(struct conn *c);
/* Queue answer bytes and try to send them. -1 when the connection is gone. */
int conn_send(struct conn *c, const void *data, size_t n);
/* An answer of our own to a request that cannot be read (400, 413…), then close. */
void conn_send_error(struct conn *c, int status, const char *text);
/* The exchange has queued its whole answer: go on with the next request once sent. */
void conn_exchange_done(struct conn *c);
/* Bytes queued and not sent yet. */
size_t conn_pending(const struct conn *c);

/* How a mode answers (record.c, replay.c); conn.c calls through the proxy's table. */
struct exchange_ops {
	/* Start answering x (c->req and c->req_body are the request). */
	void (*start)(struct exchange *x);
	/* The konnector took the queued bytes (under OUT_LOW now): go on. */
	void (*drained)(struct exchange *x);
	/* The connection closes under the exchange: stop, free what is the mode's own. */
	void (*abort)(struct exchange *x);
};
extern const struct exchange_ops record_ops, replay_ops;

/* answer.c: the head of an answer (status line, headers minus hop-by-hop and framing ones, then
 * Content-Length n, or chunked when n < 0; head_only answers keep their own Content-Length). */
int answer_head(struct exchange *x, int status, const char *reason, const struct http1_headers *h, long long n);
/* A piece of the answer's body (chunk-framed when chunked). */
int answer_body(struct exchange *x, const char *data, size_t n);
/* The end of the answer's body. */
int answer_end(struct exchange *x);

/* tally.c: one exchange ended: count it, keep failures, tell the hook. */
void tally_exchange(struct proxy *p, enum proxy_outcome o, const struct exchange *x, const char *error);

#endif
