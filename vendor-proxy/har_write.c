/* The HAR writer: entries as indented JSON, long bodies streamed from the spool (see har.h). */
#include "vendor-proxy/har.h"

#include "common/b64.h"
#include "common/err.h"
#include "common/pct.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CHUNK (48 * 1024) /* a multiple of 3: base64 of each chunk joins with the next */

struct har_entry *har_log_add(struct har_log *log)
{
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 32;
		struct har_entry **v = realloc(log->v, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		log->v = v;
		log->cap = cap;
	}
	struct har_entry *e = calloc(1, sizeof(*e));
	if (e != NULL)
		log->v[log->n++] = e;
	return e;
}

void har_log_free(struct har_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		struct har_entry *e = log->v[i];
		free(e->method);
		free(e->url);
		http1_headers_free(&e->req_headers);
		body_free(&e->req_body);
		free(e->status_text);
		http1_headers_free(&e->resp_headers);
		body_free(&e->resp_body);
		free(e->error);
		free(e);
	}
	free(log->v);
	memset(log, 0, sizeof(*log));
}

int har_mime_is_text(const char *mime)
{
	if (mime == NULL)
		return 0;
	size_t n = strcspn(mime, ";");
	while (n > 0 && (mime[n - 1] == ' ' || mime[n - 1] == '\t'))
		n--;
	if (n >= 5 && strncasecmp(mime, "text/", 5) == 0)
		return 1;
	static const char *const suffixes[] = {
		"/json", "+json", "/xml", "+xml", "/javascript", "/ecmascript", "/x-www-form-urlencoded", "/graphql"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n >= sl && strncasecmp(mime + n - sl, suffixes[i], sl) == 0)
			return 1;
	}
	return 0;
}

/* The writer: a buffer flushed to fd, the first failure kept. */
struct hw {
	int fd;
	struct buf out;
	char *err;
	int failed;
	const struct redact *redact;
};

static int hw_flush(struct hw *w, int all)
{
	if (w->failed)
		return -1;
	if (!all && w->out.len < CHUNK)
		return 0;
	size_t off = 0;
	while (off < w->out.len) {
		ssize_t n = write(w->fd, w->out.data + off, w->out.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->failed = 1;
			return err_set(w->err, "cannot write the HAR: %s", strerror(errno));
		}
		off += (size_t)n;
	}
	buf_reset(&w->out);
	return 0;
}

static int hw_put(struct hw *w, const char *s, size_t n)
{
	if (w->failed)
		return -1;
	if (buf_append(&w->out, s, n) < 0) {
		w->failed = 1;
		return err_set(w->err, "out of memory");
	}
	return hw_flush(w, 0);
}

/* Append a JSON string's content (no quotes) for valid UTF-8 text. */
static void json_escape_into(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			buf_printf(b, "\\u%04x", c);
		}
	}
	buf_append(b, s + start, n - start);
}

/* Stream a body's content into the HAR: redacted and JSON-escaped text, or base64. */
static int hw_body(struct hw *w, const struct body *b, int base64, const struct redact *r)
{
	struct body_reader rd = {.b = b};
	struct redact_stream rs;
	struct buf plain = {0}, esc = {0};
	char *chunk = malloc(CHUNK);
	if (chunk == NULL)
		return err_set(w->err, "out of memory");
	redact_stream_init(&rs, r);
	int rc = 0;
	for (;;) {
		ssize_t n = body_read(&rd, chunk, CHUNK, w->err);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		buf_reset(&esc);
		if (base64) {
			rc = b64_encode(&esc, chunk, (size_t)n, B64_STD);
		} else {
			buf_reset(&plain);
			rc = redact_stream_feed(&rs, chunk, (size_t)n, &plain);
			if (plain.len > 0)
				json_escape_into(&esc, plain.data, plain.len);
		}
		if (rc < 0 || (esc.len > 0 && hw_put(w, esc.data, esc.len) < 0)) {
			rc = -1;
			break;
		}
	}
	if (!base64) {
		buf_reset(&plain);
		buf_reset(&esc);
		if (redact_stream_finish(&rs, &plain) < 0)
			rc = -1;
		if (rc == 0 && plain.len > 0) {
			json_escape_into(&esc, plain.data, plain.len);
			rc = hw_put(w, esc.data, esc.len);
		}
	} else {
		redact_stream_finish(&rs, &plain);
	}
	free(chunk);
	buf_free(&plain);
	buf_free(&esc);
	return rc;
}

static json_t *str_redacted(const struct redact *r, const char *s)
{
	struct buf b = {0};
	buf_puts(&b, "");
	redact_text(r, s, strlen(s), &b);
	json_t *j = json_stringn(b.data, b.len);
	buf_free(&b);
	return j != NULL ? j : json_string("");
}

/* HAR headers: [{"name","value"}], values as redact_header leaves them. */
static json_t *headers_json(const struct http1_headers *h, const struct redact *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < h->n; i++) {
		char *v = redact_header(r, h->v[i].name, h->v[i].value);
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", h->v[i].name, "value", v ? v : ""));
		free(v);
	}
	return a;
}

/* HAR cookies: the Cookie pairs (request) or each Set-Cookie's first pair (response), values hidden. */
static json_t *cookies_json(const struct http1_headers *h, int response)
{
	json_t *a = json_array();
	for (size_t i = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, response ? "Set-Cookie" : "Cookie") != 0)
			continue;
		const char *p = h->v[i].value;
		while (*p) {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, ";");
			const char *eq = memchr(p, '=', n);
			if (eq != NULL && eq > p) {
				json_t *name = json_stringn(p, (size_t)(eq - p));
				if (name != NULL)
					json_array_append_new(a, json_pack("{s:o, s:s}", "name", name, "value",
									   REDACT_HEADER_PLACEHOLDER));
			}
			if (response)
				break;
			p += n;
			if (*p == ';')
				p++;
		}
	}
	return a;
}

/* HAR queryString of an (already redacted) URL: its pairs, decoded. */
static json_t *query_json(const char *url)
{
	json_t *a = json_array();
	const char *q = strchr(url, '?');
	if (q == NULL)
		return a;
	q++;
	size_t qlen = strcspn(q, "#");
	const char *end = q + qlen;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		const char *eq = memchr(q, '=', (size_t)(amp - q));
		const char *vend = amp;
		if (amp > q) {
			char *name = pct_decode(q, (size_t)((eq ? eq : amp) - q), PCT_PLUS_IS_SPACE);
			char *value = eq ? pct_decode(eq + 1, (size_t)(vend - eq - 1), PCT_PLUS_IS_SPACE) : strdup("");
			/* A bad escape is kept as written. */
			json_t *jn = name ? json_string(name) : json_stringn(q, (size_t)((eq ? eq : amp) - q));
			json_t *jv = value ? json_string(value) : json_stringn(eq + 1, (size_t)(vend - eq - 1));
			if (jn == NULL)
				jn = json_string("");
			if (jv == NULL)
				jv = json_string("");
			json_array_append_new(a, json_pack("{s:o, s:o}", "name", jn, "value", jv));
			free(name);
			free(value);
		}
		q = amp + (amp < end);
	}
	return a;
}

/* A body's place in the entry: the JSON string standing for it is replaced by the streamed text. */
struct slot {
	json_t *stand_in; /* borrowed from the entry */
	const struct body *b;
	int base64;
};

/* A body's stand-in string, remembered by identity. */
static json_t *slot_set(struct slot *s, const struct body *b, int base64)
{
	s->b = b;
	s->base64 = base64;
	s->stand_in = json_string("");
	return s->stand_in;
}

/* The entry as JSON, bodies as stand-ins (slots[0] request, slots[1] response). */
static json_t *entry_json(const struct har_entry *e, const struct redact *r, struct slot *slots)
{
	json_t *req = json_object();
	json_object_set_new(req, "method", json_string(e->method));
	json_t *url = str_redacted(r, e->url);
	json_object_set_new(req, "url", url);
	json_object_set_new(req, "httpVersion", json_string("HTTP/1.1"));
	json_object_set_new(req, "cookies", cookies_json(&e->req_headers, 0));
	json_object_set_new(req, "headers", headers_json(&e->req_headers, r));
	json_object_set_new(req, "queryString", query_json(json_string_value(url)));
	if (e->req_body.len > 0) {
		const char *ct = http1_headers_get(&e->req_headers, "Content-Type");
		json_t *pd = json_object();
		int b64 = !body_is_utf8(&e->req_body);
		json_object_set_new(pd, "mimeType", json_string(ct ? ct : ""));
		json_object_set_new(pd, "text", slot_set(&slots[0], &e->req_body, b64));
		if (b64)
			json_object_set_new(pd, "_encoding", json_string("base64"));
		json_object_set_new(req, "postData", pd);
	}
	json_object_set_new(req, "headersSize", json_integer(-1));
	json_object_set_new(req, "bodySize", json_integer((json_int_t)e->req_body.len));

	json_t *res = json_object();
	json_object_set_new(res, "status", json_integer(e->status));
	json_object_set_new(res, "statusText", json_string(e->status_text ? e->status_text : ""));
	json_object_set_new(res, "httpVersion", json_string("HTTP/1.1"));
	json_object_set_new(res, "cookies", cookies_json(&e->resp_headers, 1));
	json_object_set_new(res, "headers", headers_json(&e->resp_headers, r));
	const char *ct = http1_headers_get(&e->resp_headers, "Content-Type");
	json_t *content = json_object();
	int b64 = e->resp_body.len > 0 && !(body_is_utf8(&e->resp_body) && har_mime_is_text(ct));
	json_object_set_new(content, "size", json_integer((json_int_t)e->resp_body.len));
	json_object_set_new(content, "mimeType", json_string(ct ? ct : ""));
	if (b64)
		json_object_set_new(content, "encoding", json_string("base64"));
	json_object_set_new(content, "text", slot_set(&slots[1], &e->resp_body, b64));
	json_object_set_new(res, "content", content);
	const char *loc = http1_headers_get(&e->resp_headers, "Location");
	json_object_set_new(res, "redirectURL", loc ? str_redacted(r, loc) : json_string(""));
	json_object_set_new(res, "headersSize", json_integer(-1));
	json_object_set_new(res, "bodySize", json_integer(-1));
	if (e->error != NULL)
		json_object_set_new(res, "_error", str_redacted(r, e->error));

	json_t *timings = json_pack("{s:i, s:I, s:I}", "send", 0, "wait", (json_int_t)e->wait_ms, "receive",
				    (json_int_t)e->receive_ms);
	return json_pack("{s:s, s:I, s:o, s:o, s:{}, s:o}", "startedDateTime", e->started, "time",
			 (json_int_t)(e->wait_ms + e->receive_ms), "request", req, "response", res, "cache", "timings",
			 timings);
}

static void hw_indent(struct hw *w, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2;
	hw_put(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

static void hw_scalar(struct hw *w, const json_t *v)
{
	char *t = json_dumps(v, JSON_ENCODE_ANY);
	if (t == NULL) {
		w->failed = 1;
		err_set(w->err, "out of memory");
		return;
	}
	hw_put(w, t, strlen(t));
	free(t);
}

/* A small object of scalars (a header, a cookie, timings) goes on one line. */
static int one_line(const json_t *o, const struct slot *slots)
{
	const char *k;
	const json_t *v;
	if (json_object_size(o) > 4)
		return 0;
	json_object_foreach ((json_t *)o, k, v) {
		if (json_is_object(v) || json_is_array(v) || v == slots[0].stand_in || v == slots[1].stand_in)
			return 0;
	}
	return 1;
}

/* Write v indented at depth, streaming bodies where their stand-ins are. */
static int hw_value(struct hw *w, const json_t *v, int depth, const struct slot *slots)
{
	for (int s = 0; s < 2; s++)
		if (slots[s].stand_in != NULL && v == slots[s].stand_in) {
			hw_put(w, "\"", 1);
			if (hw_body(w, slots[s].b, slots[s].base64, w->redact) < 0)
				return -1;
			return hw_put(w, "\"", 1);
		}
	if (json_is_object(v)) {
		const char *k;
		const json_t *m;
		if (json_object_size(v) == 0)
			return hw_put(w, "{}", 2);
		int flat = one_line(v, slots);
		int first = 1;
		hw_put(w, "{", 1);
		json_object_foreach ((json_t *)v, k, m) {
			if (!first)
				hw_put(w, flat ? ", " : ",", flat ? 2u : 1u);
			first = 0;
			if (!flat) {
				hw_put(w, "\n", 1);
				hw_indent(w, depth + 1);
			}
			json_t *key = json_string(k);
			hw_scalar(w, key);
			json_decref(key);
			hw_put(w, ": ", 2);
			if (hw_value(w, m, depth + 1, slots) < 0)
				return -1;
		}
		if (!flat) {
			hw_put(w, "\n", 1);
			hw_indent(w, depth);
		}
		return hw_put(w, "}", 1);
	}
	if (json_is_array(v)) {
		size_t i;
		const json_t *m;
		if (json_array_size(v) == 0)
			return hw_put(w, "[]", 2);
		hw_put(w, "[", 1);
		json_array_foreach (v, i, m) {
			hw_put(w, i > 0 ? ",\n" : "\n", i > 0 ? 2u : 1u);
			hw_indent(w, depth + 1);
			if (hw_value(w, m, depth + 1, slots) < 0)
				return -1;
		}
		hw_put(w, "\n", 1);
		hw_indent(w, depth);
		return hw_put(w, "]", 1);
	}
	hw_scalar(w, v);
	return w->failed ? -1 : 0;
}

int har_write(const struct har_log *log, const struct redact *r, const char *creator_version, int fd, char *err)
{
	struct hw w = {.fd = fd, .err = err, .redact = r};
	json_t *creator = json_pack("{s:s, s:s}", "name", "konnector-harness", "version",
				    creator_version ? creator_version : "0");
	struct slot none[2] = {{0}, {0}};
	const char *head = "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": ";
	hw_put(&w, head, strlen(head));
	hw_value(&w, creator, 2, none);
	json_decref(creator);
	const char *entries = ",\n    \"entries\": [";
	hw_put(&w, entries, strlen(entries));
	int first = 1;
	for (size_t i = 0; i < log->n && !w.failed; i++) {
		if (!log->v[i]->complete)
			continue;
		hw_put(&w, first ? "\n" : ",\n", first ? 1u : 2u);
		first = 0;
		struct slot slots[2] = {{0}, {0}};
		json_t *e = entry_json(log->v[i], r, slots);
		if (e == NULL) {
			err_set(err, "out of memory");
			w.failed = 1;
			break;
		}
		hw_indent(&w, 3);
		if (hw_value(&w, e, 3, slots) < 0)
			w.failed = 1;
		json_decref(e);
	}
	const char *tail = first ? "]\n  }\n}\n" : "\n    ]\n  }\n}\n";
	hw_put(&w, tail, strlen(tail));
	int rc = hw_flush(&w, 1);
	buf_free(&w.out);
	return w.failed ? -1 : rc;
}
