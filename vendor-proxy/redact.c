/* Placeholders for secrets, one per dev-config field (see redact.h). */
#include "vendor-proxy/redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One replacement: from -> to. */
struct subst {
	char *from;
	size_t from_len;
	char *to; /* borrowed from the secret (placeholder or value) */
	size_t to_len;
};

struct secret {
	char *value;
	char *placeholder;
};

struct redact {
	struct secret *secrets;
	size_t n_secrets;
	struct subst *hide, *show; /* longest `from` first */
	size_t n_hide, n_show;
	size_t max_hide; /* the longest hide->from */
};

/* How the value is percent-encoded: which bytes are kept, and what a space becomes. */
enum pct_style {
	PCT_URI_COMPONENT, /* JavaScript encodeURIComponent: A-Za-z0-9 -_.!~*'() kept */
	PCT_URI_PLUS,      /* the same with '+' for a space (jQuery.param, form posts by hand) */
	PCT_RFC3986,       /* qs.stringify (request's `form:`): A-Za-z0-9 -._~ kept */
	PCT_FORM,          /* URLSearchParams: A-Za-z0-9 *-._ kept, '+' for a space */
};

static int pct_keeps(unsigned char c, enum pct_style st)
{
	if (isalnum(c))
		return 1;
	switch (st) {
	case PCT_URI_COMPONENT:
	case PCT_URI_PLUS:
		return strchr("-_.!~*'()", c) != NULL;
	case PCT_RFC3986:
		return strchr("-._~", c) != NULL;
	case PCT_FORM:
		return strchr("*-._", c) != NULL;
	}
	return 0;
}

static char *pct_encode(const char *v, enum pct_style st)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p && pct_keeps(*p, st))
			buf_append(&b, p, 1);
		else if (*p == ' ' && (st == PCT_URI_PLUS || st == PCT_FORM))
			buf_puts(&b, "+");
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_steal(&b);
}

/* The value inside a JSON string as JSON.stringify writes it. */
static char *json_escape(const char *v)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(&b, "\\n");
		else if (*p == '\r')
			buf_puts(&b, "\\r");
		else if (*p == '\t')
			buf_puts(&b, "\\t");
		else if (*p == '\b')
			buf_puts(&b, "\\b");
		else if (*p == '\f')
			buf_puts(&b, "\\f");
		else if (*p < 0x20)
			buf_printf(&b, "\\u%04x", *p);
		else
			buf_append(&b, p, 1);
	}
	return buf_steal(&b);
}

/* Add from -> to unless an equal `from` is there already (from is taken). */
static int subst_add(struct subst **list, size_t *n, char *from, char *to)
{
	if (from == NULL)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].from, from) == 0) {
			free(from);
			return 0;
		}
	struct subst *l = realloc(*list, (*n + 1) * sizeof(*l));
	if (l == NULL) {
		free(from);
		return -1;
	}
	*list = l;
	l[*n] = (struct subst){from, strlen(from), to, strlen(to)};
	(*n)++;
	return 0;
}

static int subst_longest_first(const void *a, const void *b)
{
	const struct subst *x = a, *y = b;
	return x->from_len < y->from_len ? 1 : x->from_len > y->from_len ? -1 : strcmp(x->from, y->from);
}

void redact_free(struct redact *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_secrets; i++) {
		free(r->secrets[i].value);
		free(r->secrets[i].placeholder);
	}
	for (size_t i = 0; i < r->n_hide; i++)
		free(r->hide[i].from);
	for (size_t i = 0; i < r->n_show; i++)
		free(r->show[i].from);
	free(r->secrets);
	free(r->hide);
	free(r->show);
	free(r);
}

struct redact *redact_new(const struct redact_secret *secrets, size_t n)
{
	struct redact *r = calloc(1, sizeof(*r));
	if (r == NULL || (n > 0 && (r->secrets = calloc(n, sizeof(*r->secrets))) == NULL)) {
		free(r);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = secrets[i].value;
		if (v == NULL || strlen(v) < REDACT_MIN)
			continue;
		struct secret *s = &r->secrets[r->n_secrets];
		s->value = strdup(v);
		struct buf ph = {0};
		buf_printf(&ph, "{{kh:%s}}",
			   secrets[i].name != NULL && secrets[i].name[0] ? secrets[i].name : "secret");
		s->placeholder = buf_steal(&ph);
		if (s->value == NULL || s->placeholder == NULL) {
			free(s->value);
			free(s->placeholder);
			redact_free(r);
			return NULL;
		}
		r->n_secrets++;
		char *forms[] = {strdup(v),
				 pct_encode(v, PCT_URI_COMPONENT),
				 pct_encode(v, PCT_URI_PLUS),
				 pct_encode(v, PCT_RFC3986),
				 pct_encode(v, PCT_FORM),
				 json_escape(v)};
		int bad = 0;
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
			if (subst_add(&r->hide, &r->n_hide, forms[f], s->placeholder) < 0)
				bad = 1;
		if (bad || subst_add(&r->show, &r->n_show, strdup(s->placeholder), s->value) < 0) {
			redact_free(r);
			return NULL;
		}
	}
	if (r->n_hide > 1)
		qsort(r->hide, r->n_hide, sizeof(*r->hide), subst_longest_first);
	if (r->n_show > 1)
		qsort(r->show, r->n_show, sizeof(*r->show), subst_longest_first);
	for (size_t i = 0; i < r->n_hide; i++)
		if (r->hide[i].from_len > r->max_hide)
			r->max_hide = r->hide[i].from_len;
	return r;
}

/*
 * Replace from left to right, the longest form winning at each place, so a
 * placeholder just written is never looked at again. Stops where a match
 * could still start beyond len unless final; *used says how far it got.
 */
static int subst_scan(const struct subst *list, size_t n, const char *text, size_t len, int final, struct buf *out,
		      size_t *used)
{
	size_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (list[i].from_len > max)
			max = list[i].from_len;
	size_t pos = 0, copied = 0;
	while (pos < len) {
		if (!final && len - pos < max)
			break;
		const struct subst *hit = NULL;
		for (size_t i = 0; i < n && hit == NULL; i++)
			if (list[i].from_len <= len - pos && text[pos] == list[i].from[0] &&
			    memcmp(text + pos, list[i].from, list[i].from_len) == 0)
				hit = &list[i];
		if (hit == NULL) {
			pos++;
			continue;
		}
		if (buf_append(out, text + copied, pos - copied) < 0 || buf_append(out, hit->to, hit->to_len) < 0)
			return -1;
		pos += hit->from_len;
		copied = pos;
	}
	if (buf_append(out, text + copied, pos - copied) < 0)
		return -1;
	*used = pos;
	return 0;
}

int redact_text(const struct redact *r, const char *text, size_t len, struct buf *out)
{
	size_t used;
	if (r == NULL || r->n_hide == 0)
		return buf_append(out, text, len);
	return subst_scan(r->hide, r->n_hide, text, len, 1, out, &used);
}

int redact_restore(const struct redact *r, const char *text, size_t len, struct buf *out)
{
	size_t used;
	if (r == NULL || r->n_show == 0)
		return buf_append(out, text, len);
	return subst_scan(r->show, r->n_show, text, len, 1, out, &used);
}

/* "name=value; name2=value2" with the values replaced: all of them (Cookie) or the first (Set-Cookie). */
static void redact_cookie_pairs(const char *v, struct buf *out, int only_first)
{
	for (int i = 0; *v; i++) {
		const char *end = strchr(v, ';');
		if (end == NULL)
			end = v + strlen(v);
		const char *eq = memchr(v, '=', (size_t)(end - v));
		if (eq != NULL && (!only_first || i == 0)) {
			buf_append(out, v, (size_t)(eq - v) + 1);
			buf_puts(out, REDACT_HEADER_PLACEHOLDER);
		} else {
			buf_append(out, v, (size_t)(end - v));
		}
		v = end;
		if (*v == ';') {
			buf_puts(out, ";");
			v++;
		}
	}
}

char *redact_header(const struct redact *r, const char *name, const char *value)
{
	struct buf b = {0};
	buf_puts(&b, "");
	if (strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Proxy-Authorization") == 0) {
		/* Keep the scheme ("Basic", "Bearer"): it says how the konnector logs in. */
		const char *sp = strchr(value, ' ');
		if (sp != NULL)
			buf_append(&b, value, (size_t)(sp - value) + 1);
		buf_puts(&b, REDACT_HEADER_PLACEHOLDER);
	} else if (strcasecmp(name, "Cookie") == 0) {
		redact_cookie_pairs(value, &b, 0);
	} else if (strcasecmp(name, "Set-Cookie") == 0) {
		/* Only the cookie's own value: its attributes (Path, Expires…) are no secret. */
		redact_cookie_pairs(value, &b, 1);
	} else {
		redact_text(r, value, strlen(value), &b);
	}
	return buf_steal(&b);
}

void redact_stream_init(struct redact_stream *s, const struct redact *r)
{
	s->r = r;
	memset(&s->pending, 0, sizeof(s->pending));
}

int redact_stream_feed(struct redact_stream *s, const char *data, size_t len, struct buf *out)
{
	if (s->r == NULL || s->r->n_hide == 0)
		return buf_append(out, data, len);
	if (buf_append(&s->pending, data, len) < 0)
		return -1;
	size_t used = 0;
	if (subst_scan(s->r->hide, s->r->n_hide, s->pending.data, s->pending.len, 0, out, &used) < 0)
		return -1;
	buf_consume(&s->pending, used);
	return 0;
}

int redact_stream_finish(struct redact_stream *s, struct buf *out)
{
	int rc = 0;
	if (s->pending.len > 0)
		rc = redact_text(s->r, s->pending.data, s->pending.len, out);
	buf_free(&s->pending);
	return rc;
}
