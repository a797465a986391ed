/* Request heads and bodies as RFC 9112 frames them (see http1.h). */
#include "vendor-proxy/http1.h"

#include "common/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int http1_headers_addn(struct http1_headers *h, const char *name, size_t nlen, const char *value, size_t vlen)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct http1_header *v = realloc(h->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	char *n = strndup(name, nlen), *val = strndup(value, vlen);
	if (n == NULL || val == NULL) {
		free(n);
		free(val);
		return -1;
	}
	h->v[h->n].name = n;
	h->v[h->n].value = val;
	h->n++;
	return 0;
}

int http1_headers_add(struct http1_headers *h, const char *name, const char *value)
{
	return http1_headers_addn(h, name, strlen(name), value, strlen(value));
}

const char *http1_headers_get(const struct http1_headers *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

void http1_headers_del(struct http1_headers *h, const char *name)
{
	size_t j = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) == 0) {
			free(h->v[i].name);
			free(h->v[i].value);
		} else {
			h->v[j++] = h->v[i];
		}
	}
	h->n = j;
}

void http1_headers_free(struct http1_headers *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

int http1_header_has_token(const char *value, const char *token)
{
	size_t tl = strlen(token);
	const char *p = value;
	while (p != NULL && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = p;
		while (*end && *end != ',')
			end++;
		const char *last = end;
		while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
			last--;
		if ((size_t)(last - p) == tl && strncasecmp(p, token, tl) == 0)
			return 1;
		p = end;
	}
	return 0;
}

int http1_is_hop_by_hop(const char *name, const struct http1_headers *h)
{
	static const char *const hop[] = {"Connection",
					  "Keep-Alive",
					  "Proxy-Connection",
					  "Proxy-Authenticate",
					  "Proxy-Authorization",
					  "TE",
					  "Trailer",
					  "Transfer-Encoding",
					  "Upgrade"};
	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (strcasecmp(name, hop[i]) == 0)
			return 1;
	const char *conn = h != NULL ? http1_headers_get(h, "Connection") : NULL;
	return conn != NULL && http1_header_has_token(conn, name);
}

/* RFC 9110 5.6.2: tchar. */
static int is_tchar(unsigned char c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Parse a Content-Length value (digits only, as RFC 9110 8.6 has it); -1 when malformed. */
static long long parse_length(const char *v)
{
	if (*v == '\0')
		return -1;
	long long n = 0;
	for (; *v; v++) {
		if (!isdigit((unsigned char)*v) || n > (1LL << 50))
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n;
}

/* Set the body framing from the headers (RFC 9112 6.3); -1 with *status when it cannot be read. */
static int request_framing(struct http1_request *req, int *status, char *err)
{
	req->content_length = -1;
	const char *te = http1_headers_get(&req->headers, "Transfer-Encoding");
	if (te != NULL) {
		/* Only "chunked" (maybe after identity) is understood; anything else cannot be framed. */
		const char *last = strrchr(te, ',');
		last = last ? last + 1 : te;
		while (*last == ' ' || *last == '\t')
			last++;
		if (strncasecmp(last, "chunked", 7) != 0 || (last[7] != '\0' && last[7] != ' ')) {
			*status = 501;
			return err_set(err, "Transfer-Encoding %s is not supported", te);
		}
		req->chunked = 1;
		return 0;
	}
	const char *cl = NULL;
	for (size_t i = 0; i < req->headers.n; i++) {
		if (strcasecmp(req->headers.v[i].name, "Content-Length") != 0)
			continue;
		if (cl != NULL && strcmp(cl, req->headers.v[i].value) != 0) {
			*status = 400;
			return err_set(err, "two different Content-Length headers");
		}
		cl = req->headers.v[i].value;
	}
	if (cl != NULL && (req->content_length = parse_length(cl)) < 0) {
		*status = 400;
		return err_set(err, "bad Content-Length: %s", cl);
	}
	return 0;
}

/* Parse the request line "METHOD SP target SP HTTP/1.x". */
static int parse_request_line(const char *p, size_t n, struct http1_request *req, char *err)
{
	const char *sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p)
		return err_set(err, "malformed request line");
	for (const char *c = p; c < sp1; c++)
		if (!is_tchar((unsigned char)*c))
			return err_set(err, "malformed method");
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', n - (size_t)(t - p));
	if (sp2 == NULL || sp2 == t)
		return err_set(err, "malformed request line");
	const char *v = sp2 + 1;
	size_t vl = n - (size_t)(v - p);
	if (vl != 8 || strncmp(v, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)v[7]))
		return err_set(err, "not an HTTP/1.x request");
	for (const char *c = t; c < sp2; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return err_set(err, "malformed request target");
	req->method = strndup(p, (size_t)(sp1 - p));
	req->target = strndup(t, (size_t)(sp2 - t));
	req->minor = v[7] - '0';
	if (req->method == NULL || req->target == NULL)
		return err_set(err, "out of memory");
	return 0;
}

/* Parse one "Name: value" field line (no obs-fold: RFC 9112 5.2 lets a server refuse it). */
static int parse_field(const char *p, size_t n, struct http1_request *req, char *err)
{
	const char *colon = memchr(p, ':', n);
	if (colon == NULL || colon == p)
		return err_set(err, "malformed header line");
	for (const char *c = p; c < colon; c++)
		if (!is_tchar((unsigned char)*c))
			return err_set(err, "malformed header name");
	const char *v = colon + 1, *end = p + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *c = v; c < end; c++)
		if (*c == '\0' || *c == '\r' || *c == '\n')
			return err_set(err, "malformed header value");
	if (http1_headers_addn(&req->headers, p, (size_t)(colon - p), v, (size_t)(end - v)) < 0)
		return err_set(err, "out of memory");
	return 0;
}

ssize_t http1_parse_request(const char *buf, size_t len, struct http1_request *req, int *status, char *err)
{
	memset(req, 0, sizeof(*req));
	*status = 400;
	/* RFC 9112 2.2: ignore empty lines before the request line. */
	size_t start = 0;
	while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
		start += 2;
	const char *end = NULL;
	for (size_t i = start; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			end = buf + i;
			break;
		}
	if (end == NULL) {
		if (len >= HTTP1_HEAD_MAX) {
			*status = 431;
			return err_set(err, "request head over %d bytes", HTTP1_HEAD_MAX);
		}
		return 0;
	}
	if ((size_t)(end - buf) + 4 > HTTP1_HEAD_MAX) {
		*status = 431;
		return err_set(err, "request head over %d bytes", HTTP1_HEAD_MAX);
	}
	const char *p = buf + start;
	int first = 1;
	while (p <= end) {
		const char *eol = p;
		while (eol < end && !(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		size_t n = (size_t)(eol - p);
		if (memchr(p, '\n', n) != NULL || memchr(p, '\r', n) != NULL) {
			http1_request_free(req);
			return err_set(err, "bare CR or LF in the request head");
		}
		int rc = first ? parse_request_line(p, n, req, err) : parse_field(p, n, req, err);
		if (rc < 0) {
			http1_request_free(req);
			return -1;
		}
		first = 0;
		p = eol + 2;
	}
	if (request_framing(req, status, err) < 0) {
		http1_request_free(req);
		return -1;
	}
	return end - buf + 4;
}

void http1_request_free(struct http1_request *req)
{
	free(req->method);
	free(req->target);
	http1_headers_free(&req->headers);
	memset(req, 0, sizeof(*req));
}

int http1_keep_alive(const struct http1_request *req)
{
	const char *c = http1_headers_get(&req->headers, "Connection");
	const char *pc = http1_headers_get(&req->headers, "Proxy-Connection");
	if ((c && http1_header_has_token(c, "close")) || (pc && http1_header_has_token(pc, "close")))
		return 0;
	if (req->minor == 0)
		return (c && http1_header_has_token(c, "keep-alive")) ||
		       (pc && http1_header_has_token(pc, "keep-alive"));
	return 1;
}

enum { B_LENGTH, B_SIZE, B_DATA, B_DATA_CRLF, B_TRAILER };

void http1_body_init(struct http1_body *b, const struct http1_request *req)
{
	memset(b, 0, sizeof(*b));
	b->chunked = req->chunked;
	if (b->chunked) {
		b->state = B_SIZE;
	} else {
		b->state = B_LENGTH;
		b->remaining = req->content_length > 0 ? req->content_length : 0;
		b->done = b->remaining == 0;
	}
}

/* Take one line (up to LF) into b->line; 1 when complete, 0 when more is needed, -1 when too long. */
static int take_line(struct http1_body *b, const char *in, size_t len, size_t *used)
{
	size_t i = 0;
	while (i < len && in[i] != '\n') {
		if (b->line_len + 1 >= sizeof(b->line))
			return -1;
		b->line[b->line_len++] = in[i++];
	}
	*used = i;
	if (i == len)
		return 0;
	*used = i + 1;
	if (b->line_len > 0 && b->line[b->line_len - 1] == '\r')
		b->line_len--;
	b->line[b->line_len] = '\0';
	return 1;
}

/* A chunk-size line: hex digits, then maybe ";ext". */
static long long chunk_size(const char *line)
{
	long long n = 0;
	const char *p = line;
	if (!isxdigit((unsigned char)*p))
		return -1;
	for (; isxdigit((unsigned char)*p); p++) {
		if (n > (1LL << 50))
			return -1;
		n = n * 16 + (isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == ';' ? n : -1;
}

ssize_t http1_body_feed(struct http1_body *b, const char *in, size_t len, struct buf *out, char *err)
{
	size_t pos = 0;
	while (!b->done && pos < len) {
		size_t used = 0;
		int rc;
		switch (b->state) {
		case B_LENGTH:
		case B_DATA: {
			size_t n = len - pos;
			if ((long long)n > b->remaining)
				n = (size_t)b->remaining;
			if (buf_append(out, in + pos, n) < 0)
				return err_set(err, "out of memory");
			pos += n;
			b->remaining -= (long long)n;
			if (b->remaining == 0) {
				if (b->state == B_LENGTH)
					b->done = 1;
				else
					b->state = B_DATA_CRLF;
			}
			break;
		}
		case B_SIZE:
		case B_DATA_CRLF:
		case B_TRAILER:
			rc = take_line(b, in + pos, len - pos, &used);
			pos += used;
			if (rc < 0)
				return err_set(err, "chunked body: line too long");
			if (rc == 0)
				break;
			b->line_len = 0;
			if (b->state == B_DATA_CRLF) {
				if (b->line[0] != '\0')
					return err_set(err, "chunked body: no CRLF after a chunk");
				b->state = B_SIZE;
			} else if (b->state == B_SIZE) {
				long long n = chunk_size(b->line);
				if (n < 0)
					return err_set(err, "chunked body: bad chunk size");
				b->remaining = n;
				b->state = n == 0 ? B_TRAILER : B_DATA;
			} else if (b->line[0] == '\0') {
				b->done = 1; /* trailers are dropped: a proxy may (RFC 9112 7.1.2) */
			}
			break;
		}
	}
	return (ssize_t)pos;
}

int http1_split_authority(const char *authority, char *host, size_t hostlen, int *port, int default_port)
{
	const char *h = authority, *hend, *colon;
	if (*h == '[') {
		hend = strchr(h, ']');
		if (hend == NULL)
			return -1;
		h++;
		colon = hend[1] == ':' ? hend + 1 : NULL;
		if (hend[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strrchr(h, ':');
		hend = colon ? colon : h + strlen(h);
		if (colon != NULL && memchr(h, ':', (size_t)(colon - h)) != NULL)
			return -1; /* a bare IPv6 address needs brackets */
	}
	size_t n = (size_t)(hend - h);
	if (n == 0 || n >= hostlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h[i] <= ' ' || strchr("/?#@", h[i]) != NULL)
			return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = default_port;
	if (colon != NULL) {
		const char *p = colon + 1;
		long v = 0;
		if (*p == '\0')
			return -1;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p) || (v = v * 10 + (*p - '0')) > 65535)
				return -1;
		}
		if (v == 0)
			return -1;
		*port = (int)v;
	}
	return 0;
}

const char *http1_reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} reasons[] = {
		{100, "Continue"},
		{101, "Switching Protocols"},
		{200, "OK"},
		{201, "Created"},
		{202, "Accepted"},
		{204, "No Content"},
		{206, "Partial Content"},
		{301, "Moved Permanently"},
		{302, "Found"},
		{303, "See Other"},
		{304, "Not Modified"},
		{307, "Temporary Redirect"},
		{308, "Permanent Redirect"},
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{409, "Conflict"},
		{410, "Gone"},
		{413, "Content Too Large"},
		{429, "Too Many Requests"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{502, "Bad Gateway"},
		{503, "Service Unavailable"},
		{504, "Gateway Timeout"},
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "";
}
