/* Textual edit of konnector-dev-config.json's token fields (see devconfig_tokens.h). */
#include "harness/job/devconfig_tokens.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tolerant JSON-with-comments scanner over the original text. */
struct scan {
	const char *s;
	size_t len, pos;
	char *err;
};

/* A member of an object: key span (with quotes) and value span. */
struct member {
	size_t key_start, key_end, val_start, val_end;
};

/* One object's span and its members (only the top level and "fields" are recorded). */
struct object {
	size_t open, close; /* offsets of '{' and '}' */
	struct member *m;
	size_t n;
};

/* An edit: replace [start,end) with text. */
struct edit {
	size_t start, end;
	char *text;
};

static int scan_fail(struct scan *sc, const char *what)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < sc->pos && i < sc->len; i++) {
		if (sc->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return err_set(sc->err, "%d:%d: %s", line, col, what);
}

/* Skip whitespace, // comments and / * * / comments. */
static int skip_space(struct scan *sc)
{
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			sc->pos++;
		} else if (c == '/' && sc->pos + 1 < sc->len && sc->s[sc->pos + 1] == '/') {
			while (sc->pos < sc->len && sc->s[sc->pos] != '\n')
				sc->pos++;
		} else if (c == '/' && sc->pos + 1 < sc->len && sc->s[sc->pos + 1] == '*') {
			const char *end = memmem(sc->s + sc->pos + 2, sc->len - sc->pos - 2, "*/", 2);
			if (end == NULL)
				return scan_fail(sc, "unterminated /* comment");
			sc->pos = (size_t)(end - sc->s) + 2;
		} else {
			break;
		}
	}
	return 0;
}

/* A string starting at pos ('"'); pos ends after the closing quote. */
static int scan_string(struct scan *sc)
{
	sc->pos++;
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos++];
		if (c == '\\')
			sc->pos++;
		else if (c == '"')
			return 0;
		else if (c == '\n')
			break;
	}
	return scan_fail(sc, "unterminated string");
}

static int scan_value(struct scan *sc, struct object *record, int depth);

/* An object at pos ('{'); members recorded into rec when not NULL. */
static int scan_object(struct scan *sc, struct object *rec, int depth)
{
	if (rec != NULL)
		rec->open = sc->pos;
	sc->pos++;
	for (;;) {
		if (skip_space(sc) < 0)
			return -1;
		if (sc->pos >= sc->len)
			return scan_fail(sc, "unterminated object");
		if (sc->s[sc->pos] == '}')
			break;
		if (sc->s[sc->pos] != '"')
			return scan_fail(sc, "expected a \"key\"");
		struct member m;
		m.key_start = sc->pos;
		if (scan_string(sc) < 0)
			return -1;
		m.key_end = sc->pos;
		if (skip_space(sc) < 0)
			return -1;
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
			return scan_fail(sc, "expected ':'");
		sc->pos++;
		if (skip_space(sc) < 0)
			return -1;
		m.val_start = sc->pos;
		if (scan_value(sc, NULL, depth + 1) < 0)
			return -1;
		m.val_end = sc->pos;
		if (rec != NULL) {
			struct member *more = realloc(rec->m, (rec->n + 1) * sizeof(*more));
			if (more == NULL)
				return err_set(sc->err, "out of memory");
			rec->m = more;
			rec->m[rec->n++] = m;
		}
		if (skip_space(sc) < 0)
			return -1;
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (skip_space(sc) < 0)
			return -1;
		if (sc->pos >= sc->len || sc->s[sc->pos] != '}')
			return scan_fail(sc, "expected ',' or '}'");
		break;
	}
	if (rec != NULL)
		rec->close = sc->pos;
	sc->pos++;
	return 0;
}

/* Any JSON value at pos. */
static int scan_value(struct scan *sc, struct object *record, int depth)
{
	if (depth > 200)
		return scan_fail(sc, "nested too deeply");
	if (sc->pos >= sc->len)
		return scan_fail(sc, "expected a value");
	char c = sc->s[sc->pos];
	if (c == '{')
		return scan_object(sc, record, depth);
	if (c == '"')
		return scan_string(sc);
	if (c == '[') {
		sc->pos++;
		for (;;) {
			if (skip_space(sc) < 0)
				return -1;
			if (sc->pos < sc->len && sc->s[sc->pos] == ']')
				break;
			if (scan_value(sc, NULL, depth + 1) < 0 || skip_space(sc) < 0)
				return -1;
			if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
				sc->pos++;
				continue;
			}
			if (sc->pos >= sc->len || sc->s[sc->pos] != ']')
				return scan_fail(sc, "expected ',' or ']'");
			break;
		}
		sc->pos++;
		return 0;
	}
	size_t start = sc->pos;
	while (sc->pos < sc->len &&
	       strchr("+-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", sc->s[sc->pos]) != NULL)
		sc->pos++;
	if (sc->pos == start)
		return scan_fail(sc, "expected a value");
	return 0;
}

/* Does the member's key (with quotes) equal name? */
static int key_is(const char *s, const struct member *m, const char *name)
{
	size_t l = m->key_end - m->key_start - 2;
	return l == strlen(name) && memcmp(s + m->key_start + 1, name, l) == 0;
}

/* A JSON string literal for v. */
static char *json_quote(const char *v)
{
	struct buf b = {0};
	buf_puts(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(&b, "\\u%04x", *p);
		else
			buf_append(&b, p, 1);
	}
	buf_puts(&b, "\"");
	return buf_steal(&b);
}

/* The text to insert after the last member of obj (or after '{' when empty) to add members (already "\"k\": v"
 * strings). */
static char *insertion(const char *s, const struct object *obj, const char *const *members, size_t n, size_t *at)
{
	struct buf b = {0};
	if (obj->n == 0) {
		*at = obj->open + 1;
		for (size_t i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", members[i]);
		return buf_steal(&b);
	}
	const struct member *last = &obj->m[obj->n - 1];
	*at = last->val_end;
	/* Multi-line when the first key is on a later line than '{': copy the last key's indentation. */
	const struct member *first = &obj->m[0];
	int multiline = memchr(s + obj->open, '\n', first->key_start - obj->open) != NULL;
	size_t ls = last->key_start;
	while (ls > 0 && s[ls - 1] != '\n')
		ls--;
	int only_space = 1;
	for (size_t i = ls; i < last->key_start; i++)
		if (s[i] != ' ' && s[i] != '\t')
			only_space = 0;
	for (size_t i = 0; i < n; i++) {
		if (multiline && only_space) {
			buf_puts(&b, ",\n");
			buf_append(&b, s + ls, last->key_start - ls);
		} else {
			buf_puts(&b, ", ");
		}
		buf_puts(&b, members[i]);
	}
	return buf_steal(&b);
}

static int edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

char *devconfig_tokens_rewrite(const char *text, size_t len, const char *access_token, const char *refresh_token,
			       size_t *out_len, char *err)
{
	struct scan sc = {text, len, 0, err};
	struct object top = {0}, fields = {0};
	struct edit edits[64];
	size_t nedits = 0;
	char *out = NULL;
	if (skip_space(&sc) < 0)
		goto done;
	if (sc.pos >= len || text[sc.pos] != '{') {
		scan_fail(&sc, "konnector-dev-config.json must hold a JSON object");
		goto done;
	}
	if (scan_object(&sc, &top, 0) < 0 || skip_space(&sc) < 0)
		goto done;
	if (sc.pos != len) {
		scan_fail(&sc, "unexpected text after the object");
		goto done;
	}
	const struct member *fm = NULL;
	for (size_t i = 0; i < top.n; i++)
		if (key_is(text, &top.m[i], "fields"))
			fm = &top.m[i];
	const char *names[2] = {"access_token", "refresh_token"};
	const char *values[2] = {access_token, refresh_token};
	char *adds[2];
	size_t nadds = 0;
	if (fm != NULL && text[fm->val_start] != '{') {
		sc.pos = fm->val_start;
		scan_fail(&sc, "\"fields\" must be an object");
		goto done;
	}
	if (fm != NULL) {
		struct scan fs = {text, len, fm->val_start, err};
		if (scan_object(&fs, &fields, 0) < 0)
			goto done;
	}
	for (int k = 0; k < 2; k++) {
		if (values[k] == NULL)
			continue;
		int found = 0;
		for (size_t i = 0; i < fields.n && nedits < 60; i++) {
			if (!key_is(text, &fields.m[i], names[k]))
				continue;
			edits[nedits++] =
				(struct edit){fields.m[i].val_start, fields.m[i].val_end, json_quote(values[k])};
			found = 1;
		}
		if (!found) {
			char *q = json_quote(values[k]);
			struct buf b = {0};
			buf_printf(&b, "\"%s\": %s", names[k], q);
			free(q);
			adds[nadds++] = buf_steal(&b);
		}
	}
	if (nadds > 0) {
		size_t at;
		char *ins;
		if (fm != NULL) {
			ins = insertion(text, &fields, (const char *const *)adds, nadds, &at);
		} else {
			struct buf b = {0};
			buf_puts(&b, "\"fields\": {");
			for (size_t i = 0; i < nadds; i++)
				buf_printf(&b, "%s%s", i ? ", " : "", adds[i]);
			buf_puts(&b, "}");
			char *one = buf_steal(&b);
			ins = insertion(text, &top, (const char *const *)&one, 1, &at);
			free(one);
		}
		edits[nedits++] = (struct edit){at, at, ins};
		for (size_t i = 0; i < nadds; i++)
			free(adds[i]);
	}
	qsort(edits, nedits, sizeof(edits[0]), edit_cmp);
	struct buf b = {0};
	size_t pos = 0;
	for (size_t i = 0; i < nedits; i++) {
		buf_append(&b, text + pos, edits[i].start - pos);
		buf_puts(&b, edits[i].text);
		pos = edits[i].end;
	}
	buf_append(&b, text + pos, len - pos);
	*out_len = b.len;
	out = b.data != NULL ? buf_steal(&b) : strdup("");
done:
	for (size_t i = 0; i < nedits; i++)
		free(edits[i].text);
	free(top.m);
	free(fields.m);
	return out;
}

int devconfig_tokens_save(const char *path, const char *access_token, const char *refresh_token, char *err)
{
	size_t len, out_len;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return -1;
	char msg[ERR_MAX];
	char *out = devconfig_tokens_rewrite(text, len, access_token, refresh_token, &out_len, msg);
	free(text);
	if (out == NULL)
		return err_set(err, "%s:%s", path, msg);
	int rc = atomic_write(path, out, out_len, err);
	free(out);
	return rc;
}

const char *devconfig_tokens_mask(const char *token, char *out, size_t outlen)
{
	size_t l = token != NULL ? strlen(token) : 0;
	if (l == 0)
		snprintf(out, outlen, "(empty)");
	else if (l < 16)
		snprintf(out, outlen, "**** (%zu chars)", l);
	else
		snprintf(out, outlen, "****%s (%zu chars)", token + l - 4, l);
	return out;
}
