/*
 * The konnector's side of the proxy: one non-blocking connection per client
 * socket on the loop, HTTP/1.1 requests read one at a time (pipelined ones
 * wait in the buffer), CONNECT tunnels answered and then terminated with
 * TLS as the vendor's host, answers queued and sent as the socket takes them.
 */
#include "vendor-proxy/proxy_int.h"

#include "common/err.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)

/* The exchange is over and its answer queued (c->x->... stays until the queue is sent). */
#define X_DONE(c) ((c)->x != NULL && (c)->x_done)

static void conn_process(struct conn *c);
static void conn_update(struct conn *c);

/* Free closed connections, outside every callback that may still hold them. */
static void conn_reap(struct loop *loop, void *arg)
{
	(void)loop;
	struct proxy *p = arg;
	p->reap_timer = 0;
	struct conn **pp = &p->conns;
	while (*pp != NULL) {
		struct conn *c = *pp;
		if (!c->closed) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		conn_free(c);
	}
}

void conn_free(struct conn *c)
{
	if (c->x != NULL) {
		c->p->ops->abort(c->x);
		free(c->x->method);
		free(c->x->url);
		free(c->x);
	}
	if (!c->closed)
		loop_del_fd(c->p->loop, c->fd);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	close(c->fd);
	http1_request_free(&c->req);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->req_body);
	free(c->origin);
	free(c);
}

void conn_close(struct conn *c)
{
	if (c->closed)
		return;
	c->closed = 1;
	loop_del_fd(c->p->loop, c->fd);
	if (c->p->reap_timer == 0)
		c->p->reap_timer = loop_add_timer(c->p->loop, 0, conn_reap, c->p);
}

size_t conn_pending(const struct conn *c)
{
	return c->out.len - c->out_off;
}

/* Send what is queued until the socket is full; -1 (and closed) on an error. */
static int conn_flush(struct conn *c)
{
	while (c->out_off < c->out.len) {
		size_t n = c->out.len - c->out_off;
		if (n > READ_CHUNK)
			n = READ_CHUNK;
		ssize_t w;
		if (c->ssl != NULL) {
			ERR_clear_error();
			int r = SSL_write(c->ssl, c->out.data + c->out_off, (int)n);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				conn_close(c);
				return -1;
			}
			w = r;
		} else {
			w = write(c->fd, c->out.data + c->out_off, n);
			if (w < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				conn_close(c);
				return -1;
			}
		}
		c->out_off += (size_t)w;
	}
	if (c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
	} else if (c->out_off > c->out.len / 2 && c->out_off > READ_CHUNK) {
		buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
	return 0;
}

int conn_send(struct conn *c, const void *data, size_t n)
{
	if (c->closed)
		return -1;
	if (buf_append(&c->out, data, n) < 0) {
		conn_close(c);
		return -1;
	}
	/* Small pieces (a head, then a short body) wait for the next loop turn and go out as one write
	 * (one TLS record); a big answer is sent as it comes. */
	if (conn_pending(c) >= READ_CHUNK && conn_flush(c) < 0)
		return -1;
	conn_update(c);
	return 0;
}

void conn_send_error(struct conn *c, int status, const char *text)
{
	struct buf b = {0};
	buf_printf(&b,
		   "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
		   "Connection: close\r\n\r\n%s\n",
		   status, http1_reason(status), strlen(text) + 1, text);
	c->state = C_CLOSING;
	if (b.data != NULL)
		conn_send(c, b.data, b.len);
	buf_free(&b);
	if (!c->closed)
		conn_update(c);
}

void conn_exchange_done(struct conn *c)
{
	c->x_done = 1;
	if (!c->closed)
		conn_update(c);
}

/* The answer is sent: forget the exchange and read the next request (or close). */
static void conn_next(struct conn *c)
{
	free(c->x->method);
	free(c->x->url);
	free(c->x);
	c->x = NULL;
	c->x_done = 0;
	http1_request_free(&c->req);
	buf_reset(&c->req_body);
	if (!c->keep_alive) {
		conn_close(c);
		return;
	}
	c->state = C_HEAD;
	conn_process(c);
}

/* The epoll interest for the state: read while a request comes in, write while something is queued. */
static void conn_update(struct conn *c)
{
	if (c->closed)
		return;
	uint32_t ev = 0;
	switch (c->state) {
	case C_HEAD:
	case C_BODY:
	case C_SNIFF:
		ev |= EPOLLIN;
		break;
	case C_HANDSHAKE:
		ev |= c->hs_want;
		break;
	default:
		break;
	}
	if (conn_pending(c) > 0 || X_DONE(c))
		ev |= EPOLLOUT;
	if (ev != c->events) {
		c->events = ev;
		loop_mod_fd(c->p->loop, c->fd, ev, NULL);
	}
}

/* Read what the socket has; 1 when the peer closed (or failed), else 0. */
static int conn_read(struct conn *c)
{
	char tmp[READ_CHUNK];
	/* Bounded: a head fits in HTTP1_HEAD_MAX, a body goes to the decoder as it comes. */
	while (c->in.len < HTTP1_HEAD_MAX + READ_CHUNK) {
		ssize_t n;
		if (c->ssl != NULL) {
			ERR_clear_error();
			int r = SSL_read(c->ssl, tmp, sizeof(tmp));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return 0;
				return 1;
			}
			n = r;
		} else {
			n = read(c->fd, tmp, sizeof(tmp));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n <= 0)
				return 1;
		}
		if (buf_append(&c->in, tmp, (size_t)n) < 0)
			return 1;
		if (c->state == C_BODY)
			return 0; /* let the decoder take it before reading more */
	}
	return 0;
}

/* "https://host[:port]" for a tunnel to host:port. */
static char *origin_of(const char *scheme, const char *host, int port)
{
	struct buf b = {0};
	int v6 = strchr(host, ':') != NULL;
	buf_printf(&b, "%s://%s%s%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "");
	if (port != (strcmp(scheme, "https") == 0 ? 443 : 80))
		buf_printf(&b, ":%d", port);
	return buf_steal(&b);
}

/* CONNECT host:port: say yes, then see what comes through the tunnel. */
static void conn_connect(struct conn *c)
{
	if (c->origin != NULL) {
		conn_send_error(c, 400, "konnector-harness: CONNECT inside a tunnel");
		return;
	}
	if (http1_split_authority(c->req.target, c->host, sizeof(c->host), &c->port, -1) < 0 || c->port < 0) {
		conn_send_error(c, 400, "konnector-harness: CONNECT needs host:port");
		return;
	}
	http1_request_free(&c->req);
	static const char ok[] = "HTTP/1.1 200 Connection Established\r\n\r\n";
	c->state = C_SNIFF;
	conn_send(c, ok, sizeof(ok) - 1);
}

/* First byte in the tunnel: 0x16 starts a TLS handshake; anything else is plain HTTP. */
static void conn_sniff(struct conn *c)
{
	if (conn_pending(c) > 0)
		return;
	unsigned char b;
	ssize_t n = recv(c->fd, &b, 1, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	if (b != 0x16) {
		c->origin = origin_of("http", c->host, c->port);
		c->state = C_HEAD;
		return;
	}
	char err[ERR_MAX];
	SSL_CTX *ctx = ca_server_ctx(c->p->ca, c->host, err);
	if (ctx == NULL || (c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_close(c);
		return;
	}
	SSL_set_accept_state(c->ssl);
	c->origin = origin_of("https", c->host, c->port);
	c->state = C_HANDSHAKE;
	c->hs_want = EPOLLIN;
}

/* Go on with the TLS handshake; a konnector refusing our certificate is worth saying. */
static void conn_handshake(struct conn *c)
{
	ERR_clear_error();
	int r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		c->state = C_HEAD;
		return;
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		c->hs_want = EPOLLIN;
		return;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->hs_want = EPOLLOUT;
		return;
	}
	char why[256] = "the connection closed";
	unsigned long le = ERR_peek_error();
	if (le != 0)
		ERR_error_string_n(le, why, sizeof(why));
	ERR_clear_error();
	struct buf msg = {0};
	buf_printf(&msg,
		   "TLS handshake with the konnector failed (%s): does its HTTP client trust NODE_EXTRA_CA_CERTS "
		   "(the harness CA)?",
		   why);
	struct exchange x = {.c = c, .method = "CONNECT", .url = c->origin, .t0 = loop_now_ms()};
	tally_exchange(c->p, PROXY_FAILED, &x, msg.data ? msg.data : why);
	buf_free(&msg);
	conn_close(c);
}

/* The absolute URL of the request: inside a tunnel, its origin and the path; else the absolute-form target. */
static char *request_url(struct conn *c)
{
	const char *t = c->req.target;
	if (strncasecmp(t, "http://", 7) == 0 || strncasecmp(t, "https://", 8) == 0)
		return strdup(t);
	if (c->origin != NULL && t[0] == '/') {
		struct buf b = {0};
		buf_printf(&b, "%s%s", c->origin, t);
		return buf_steal(&b);
	}
	return NULL;
}

/* A whole request is in: hand it to the mode. */
static void conn_dispatch(struct conn *c)
{
	struct exchange *x = calloc(1, sizeof(*x));
	if (x == NULL) {
		conn_send_error(c, 500, "konnector-harness: out of memory");
		return;
	}
	x->c = c;
	x->method = strdup(c->req.method);
	x->url = request_url(c);
	x->mime = http1_headers_get(&c->req.headers, "Content-Type");
	x->t0 = loop_now_ms();
	c->x = x;
	c->x_done = 0;
	c->state = C_ANSWER;
	c->p->ops->start(x);
}

static void conn_process(struct conn *c)
{
	char err[ERR_MAX];
	while (!c->closed) {
		if (c->state == C_HEAD) {
			if (c->in.len == 0)
				return;
			int status;
			ssize_t n = http1_parse_request(c->in.data, c->in.len, &c->req, &status, err);
			if (n == 0)
				return;
			if (n < 0) {
				struct buf m = {0};
				buf_printf(&m, "konnector-harness: %s", err);
				conn_send_error(c, status, m.data ? m.data : err);
				buf_free(&m);
				return;
			}
			buf_consume(&c->in, (size_t)n);
			if (strcasecmp(c->req.method, "CONNECT") == 0) {
				conn_connect(c);
				return;
			}
			char *url = request_url(c);
			if (url == NULL) {
				conn_send_error(c, 400,
						"konnector-harness: this is the vendor proxy; requests to it need an "
						"absolute URL (HTTP_PROXY) or a CONNECT tunnel (HTTPS_PROXY)");
				return;
			}
			free(url);
			c->keep_alive = http1_keep_alive(&c->req);
			const char *expect = http1_headers_get(&c->req.headers, "Expect");
			if (expect != NULL && strcasecmp(expect, "100-continue") == 0) {
				static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
				conn_send(c, cont, sizeof(cont) - 1);
			}
			http1_body_init(&c->bodyd, &c->req);
			buf_reset(&c->req_body);
			c->state = C_BODY;
		}
		if (c->state == C_BODY) {
			ssize_t n = http1_body_feed(&c->bodyd, c->in.data, c->in.len, &c->req_body, err);
			if (n < 0) {
				conn_send_error(c, 400, err);
				return;
			}
			buf_consume(&c->in, (size_t)n);
			if (c->req_body.len > REQ_BODY_MAX) {
				conn_send_error(c, 413, "konnector-harness: a request body over 32 MiB");
				return;
			}
			if (!c->bodyd.done)
				return;
			conn_dispatch(c);
		}
		return;
	}
}

static void conn_on_event(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	struct conn *c = arg;
	if (c->state == C_SNIFF && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		conn_sniff(c);
	if (!c->closed && c->state == C_HANDSHAKE)
		conn_handshake(c);
	if (!c->closed && (events & EPOLLOUT)) {
		if (conn_flush(c) == 0) {
			/* An error answer closes, even in the middle of an exchange. */
			if (c->state == C_CLOSING) {
				if (conn_pending(c) == 0)
					conn_close(c);
			} else if (X_DONE(c) && conn_pending(c) == 0) {
				conn_next(c);
			} else if (c->x != NULL && !c->x_done && conn_pending(c) < OUT_LOW) {
				c->p->ops->drained(c->x);
			}
		}
	}
	if (!c->closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->state == C_HEAD || c->state == C_BODY)) {
		int eof = conn_read(c);
		conn_process(c);
		if (eof && !c->closed && (c->state == C_HEAD || c->state == C_BODY))
			conn_close(c);
	}
	/* TLS may hold decrypted bytes epoll knows nothing of: take them while they make progress. */
	while (!c->closed && c->ssl != NULL && (c->state == C_HEAD || c->state == C_BODY) && SSL_pending(c->ssl) > 0) {
		size_t before = c->in.len;
		enum conn_state st = c->state;
		conn_read(c);
		conn_process(c);
		if (c->in.len == before && c->state == st)
			break;
	}
	conn_update(c);
}

void conn_accept(struct proxy *p, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	/* Answers are written whole: no reason to wait for the konnector's ACK (Nagle) before the next one. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->p = p;
	c->fd = fd;
	c->state = C_HEAD;
	c->events = EPOLLIN;
	if (loop_add_fd(p->loop, fd, EPOLLIN, conn_on_event, c, NULL) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = p->conns;
	p->conns = c;
}
