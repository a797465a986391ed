/* Matching live requests against recorded ones (see match.h). */
#include "vendor-proxy/match.h"

#include "common/buf.h"
#include "common/pct.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct match_table {
	const struct har_file *har;
	char **url_keys; /* per record, NULL when its URL is not http(s) */
	unsigned *uses;
};

/* Every byte but unreserved ones as %XX: one spelling per decoded string. */
static void canon_encode(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf_append(b, &c, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* One field, decoded then re-encoded canonically; a bad escape is kept as written. */
static void canon_part(struct buf *b, const char *s, size_t n)
{
	char *d = pct_decode(s, n, PCT_PLUS_IS_SPACE);
	if (d != NULL) {
		canon_encode(b, d, strlen(d));
		free(d);
	} else {
		buf_append(b, s, n);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *match_form_key(const char *s, size_t len)
{
	char **pairs = NULL;
	size_t n = 0, cap = 0;
	const char *end = s + len, *p = s;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p) {
			const char *eq = memchr(p, '=', (size_t)(amp - p));
			struct buf b = {0};
			canon_part(&b, p, (size_t)((eq ? eq : amp) - p));
			buf_puts(&b, "=");
			if (eq != NULL)
				canon_part(&b, eq + 1, (size_t)(amp - eq - 1));
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				char **np = realloc(pairs, cap * sizeof(*np));
				if (np == NULL) {
					buf_free(&b);
					break;
				}
				pairs = np;
			}
			pairs[n++] = buf_steal(&b);
		}
		p = amp + (amp < end);
	}
	if (n > 1)
		qsort(pairs, n, sizeof(*pairs), cmp_str);
	struct buf out = {0};
	buf_puts(&out, "");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&out, "&");
		buf_puts(&out, pairs[i] ? pairs[i] : "");
		free(pairs[i]);
	}
	free(pairs);
	return buf_steal(&out);
}

char *match_url_key(const char *url)
{
	size_t sl = strcspn(url, ":");
	if (url[sl] != ':' || url[sl + 1] != '/' || url[sl + 2] != '/')
		return NULL;
	int https;
	if (sl == 4 && strncasecmp(url, "http", 4) == 0)
		https = 0;
	else if (sl == 5 && strncasecmp(url, "https", 5) == 0)
		https = 1;
	else
		return NULL;
	const char *auth = url + sl + 3;
	size_t al = strcspn(auth, "/?#");
	if (al == 0)
		return NULL;
	const char *rest = auth + al;
	/* Host case does not count, nor the default port. */
	struct buf b = {0};
	buf_puts(&b, https ? "https://" : "http://");
	const char *colon = NULL;
	for (size_t i = al; i > 0; i--) {
		if (auth[i - 1] == ':') {
			colon = auth + i - 1;
			break;
		}
		if (!isdigit((unsigned char)auth[i - 1]))
			break;
	}
	size_t hl = colon ? (size_t)(colon - auth) : al;
	for (size_t i = 0; i < hl; i++) {
		char c = (char)tolower((unsigned char)auth[i]);
		buf_append(&b, &c, 1);
	}
	if (colon != NULL) {
		const char *port = colon + 1;
		size_t pl = al - hl - 1;
		int dflt = (https && pl == 3 && strncmp(port, "443", 3) == 0) ||
			   (!https && pl == 2 && strncmp(port, "80", 2) == 0);
		if (!dflt && pl > 0) {
			buf_puts(&b, ":");
			buf_append(&b, port, pl);
		}
	}
	size_t pathl = strcspn(rest, "?#");
	if (pathl == 0)
		buf_puts(&b, "/");
	else
		buf_append(&b, rest, pathl);
	if (rest[pathl] == '?') {
		const char *q = rest + pathl + 1;
		char *k = match_form_key(q, strcspn(q, "#"));
		if (k != NULL && k[0] != '\0') {
			buf_puts(&b, "?");
			buf_puts(&b, k);
		}
		free(k);
	}
	return buf_steal(&b);
}

/* The media type of a Content-Type without parameters, compared without case. */
static int mime_is(const char *mime, const char *type)
{
	if (mime == NULL)
		return 0;
	size_t n = strcspn(mime, "; \t");
	return strlen(type) == n && strncasecmp(mime, type, n) == 0;
}

static int mime_is_json(const char *mime)
{
	if (mime == NULL)
		return 0;
	size_t n = strcspn(mime, "; \t");
	return (n >= 5 && strncasecmp(mime + n - 5, "/json", 5) == 0) ||
	       (n >= 5 && strncasecmp(mime + n - 5, "+json", 5) == 0);
}

int match_body_equal(const char *mime, const char *a, size_t alen, const char *b, size_t blen)
{
	if (mime != NULL && strncasecmp(mime, "multipart/", 10) == 0)
		return 1;
	if (mime_is(mime, "application/x-www-form-urlencoded")) {
		char *ka = match_form_key(a, alen), *kb = match_form_key(b, blen);
		int eq = ka != NULL && kb != NULL && strcmp(ka, kb) == 0;
		free(ka);
		free(kb);
		return eq;
	}
	if (mime_is_json(mime) && alen > 0 && blen > 0) {
		json_t *ja = json_loadb(a, alen, JSON_DECODE_ANY, NULL),
		       *jb = json_loadb(b, blen, JSON_DECODE_ANY, NULL);
		if (ja != NULL && jb != NULL) {
			int eq = json_equal(ja, jb);
			json_decref(ja);
			json_decref(jb);
			return eq;
		}
		json_decref(ja);
		json_decref(jb);
	}
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

struct match_table *match_table_new(const struct har_file *har)
{
	struct match_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->har = har;
	t->url_keys = calloc(har->n + 1, sizeof(*t->url_keys));
	t->uses = calloc(har->n + 1, sizeof(*t->uses));
	if (t->url_keys == NULL || t->uses == NULL) {
		match_table_free(t);
		return NULL;
	}
	for (size_t i = 0; i < har->n; i++)
		t->url_keys[i] = match_url_key(har->v[i].url);
	return t;
}

void match_table_free(struct match_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; t->url_keys != NULL && i < t->har->n; i++)
		free(t->url_keys[i]);
	free(t->url_keys);
	free(t->uses);
	free(t);
}

long match_find(struct match_table *t, const struct redact *r, const struct match_request *req, int *repeated)
{
	*repeated = 0;
	struct buf url = {0}, body = {0};
	buf_puts(&url, "");
	buf_puts(&body, "");
	redact_text(r, req->url, strlen(req->url), &url);
	if (req->body_len > 0)
		redact_text(r, req->body, req->body_len, &body);
	char *key = match_url_key(url.data);
	long first_free = -1, last = -1;
	for (size_t i = 0; key != NULL && i < t->har->n && first_free < 0; i++) {
		const struct har_record *rec = &t->har->v[i];
		if (t->url_keys[i] == NULL || strcmp(rec->method, req->method) != 0 || strcmp(t->url_keys[i], key) != 0)
			continue;
		const char *mime = req->mime != NULL ? req->mime : rec->req_mime;
		if (!match_body_equal(mime, rec->req_body ? rec->req_body : "", rec->req_body ? rec->req_body_len : 0,
				      body.data, body.len))
			continue;
		last = (long)i;
		if (t->uses[i] == 0)
			first_free = (long)i;
	}
	free(key);
	buf_free(&url);
	buf_free(&body);
	long pick = first_free >= 0 ? first_free : last;
	if (pick >= 0) {
		*repeated = first_free < 0;
		t->uses[pick]++;
	}
	return pick;
}

unsigned match_uses(const struct match_table *t, size_t i)
{
	return i < t->har->n ? t->uses[i] : 0;
}
