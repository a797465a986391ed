/* vendor-proxy/http1.c: request heads in the three target forms, body framing, refusals. */
#include "common/err.h"
#include "vendor-proxy/http1.h"

#include <criterion/criterion.h>
#include <string.h>

static ssize_t parse(const char *text, struct http1_request *r, int *status, char *err)
{
	return http1_parse_request(text, strlen(text), r, status, err);
}

Test(proxy_http1, absolute_form_with_headers)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	const char *t = "GET http://vendor.example/a?b=1 HTTP/1.1\r\nHost: vendor.example\r\nX-A:  one  \r\n"
			"Proxy-Connection: keep-alive\r\n\r\nrest";
	ssize_t n = parse(t, &r, &st, err);
	cr_assert_eq(n, (ssize_t)strlen(t) - 4, "%s", err);
	cr_assert_str_eq(r.method, "GET");
	cr_assert_str_eq(r.target, "http://vendor.example/a?b=1");
	cr_assert_eq(r.minor, 1);
	cr_assert_str_eq(http1_headers_get(&r.headers, "x-a"), "one");
	cr_assert_eq(r.content_length, -1);
	cr_assert(http1_keep_alive(&r));
	cr_assert(http1_is_hop_by_hop("Proxy-Connection", &r.headers));
	cr_assert_not(http1_is_hop_by_hop("X-A", &r.headers));
	http1_request_free(&r);
}

Test(proxy_http1, incomplete_head_needs_more)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r, &st, err), 0);
}

Test(proxy_http1, connect_and_authority)
{
	struct http1_request r;
	int st, port;
	char err[ERR_MAX], host[64];
	cr_assert_gt(parse("CONNECT vendor.example:443 HTTP/1.1\r\nHost: vendor.example:443\r\n\r\n", &r, &st, err), 0);
	cr_assert_str_eq(r.method, "CONNECT");
	cr_assert_eq(http1_split_authority(r.target, host, sizeof(host), &port, -1), 0);
	cr_assert_str_eq(host, "vendor.example");
	cr_assert_eq(port, 443);
	http1_request_free(&r);
	cr_assert_eq(http1_split_authority("[::1]:8443", host, sizeof(host), &port, -1), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(port, 8443);
	cr_assert_eq(http1_split_authority("a:0", host, sizeof(host), &port, -1), -1);
	cr_assert_eq(http1_split_authority("a:70000", host, sizeof(host), &port, -1), -1);
	cr_assert_eq(http1_split_authority("::1:80", host, sizeof(host), &port, -1), -1);
	cr_assert_eq(http1_split_authority("a/b:80", host, sizeof(host), &port, -1), -1);
}

Test(proxy_http1, refusals_say_which_status)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	cr_assert_eq(parse("GET / HTTP/2.0\r\n\r\n", &r, &st, err), -1);
	cr_assert_eq(st, 400);
	cr_assert_eq(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &r, &st, err), -1);
	cr_assert_eq(parse("GET / HTTP/1.1\r\n folded\r\n\r\n", &r, &st, err), -1);
	cr_assert_eq(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &r, &st, err), -1);
	cr_assert_eq(st, 400);
	cr_assert_eq(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &r, &st, err), -1);
	cr_assert_eq(st, 501);
	char big[HTTP1_HEAD_MAX + 10];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	cr_assert_eq(parse(big, &r, &st, err), -1);
	cr_assert_eq(st, 431);
}

Test(proxy_http1, keep_alive_rules)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	parse("GET / HTTP/1.0\r\n\r\n", &r, &st, err);
	cr_assert_not(http1_keep_alive(&r));
	http1_request_free(&r);
	parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r, &st, err);
	cr_assert(http1_keep_alive(&r));
	http1_request_free(&r);
	parse("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", &r, &st, err);
	cr_assert_not(http1_keep_alive(&r));
	http1_request_free(&r);
}

/* Feed a body in pieces of size step and return the decoded bytes. */
static char *decode(const char *head, const char *body, size_t step, ssize_t *used_total)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	cr_assert_gt(parse(head, &r, &st, err), 0, "%s", err);
	struct http1_body b;
	http1_body_init(&b, &r);
	struct buf out = {0};
	buf_puts(&out, "");
	size_t len = strlen(body), pos = 0;
	while (!b.done && pos < len) {
		size_t n = len - pos < step ? len - pos : step;
		ssize_t u = http1_body_feed(&b, body + pos, n, &out, err);
		cr_assert_geq(u, 0, "%s", err);
		pos += (size_t)u;
		if ((size_t)u < n)
			break;
	}
	*used_total = (ssize_t)pos;
	http1_request_free(&r);
	return buf_steal(&out);
}

Test(proxy_http1, chunked_body_in_any_pieces)
{
	const char *head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	const char *body = "5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nTrailer: x\r\n\r\nGET /next";
	for (size_t step = 1; step < 12; step++) {
		ssize_t used;
		char *d = decode(head, body, step, &used);
		cr_assert_str_eq(d, "hello, world!!!");
		cr_assert_eq(used, (ssize_t)strlen(body) - 9, "the next request stays unread (step %zu)", step);
		free(d);
	}
}

Test(proxy_http1, content_length_body_stops_at_its_length)
{
	ssize_t used;
	char *d = decode("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n", "abcdef", 2, &used);
	cr_assert_str_eq(d, "abc");
	cr_assert_eq(used, 3);
	free(d);
}

Test(proxy_http1, bad_chunk_size_is_an_error)
{
	struct http1_request r;
	int st;
	char err[ERR_MAX];
	parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r, &st, err);
	struct http1_body b;
	http1_body_init(&b, &r);
	struct buf out = {0};
	cr_assert_eq(http1_body_feed(&b, "zz\r\n", 4, &out, err), -1);
	buf_free(&out);
	http1_request_free(&r);
}
