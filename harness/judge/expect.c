/*
 * expect.json: validation, then one result per expectation against a run's
 * outcome. Over 600 lines on purpose: each kind's validation and evaluation
 * sit in the same file so the two stay in step when a kind changes.
 */
#include "harness/judge/expect.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonc.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation ---- */

/* Is every key of obj one of the NULL-terminated list? Else err names where. */
static int keys_known(const json_t *obj, const char *file, const char *where, const char *const *known, char *err)
{
	const char *key;
	json_t *v;
	json_object_foreach ((json_t *)obj, key, v) {
		int ok = 0;
		for (size_t i = 0; known[i] != NULL; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok) {
			struct buf list = {0};
			for (size_t i = 0; known[i] != NULL; i++)
				buf_printf(&list, "%s%s", i ? ", " : "", known[i]);
			err_set(err, "%s: %s: unknown key \"%s\" (expected one of: %s)", file, where, key,
				list.data ? list.data : "");
			buf_free(&list);
			return -1;
		}
	}
	return 0;
}

/* The optional count bounds of a documents/requests entry: non-negative integers, at most one of count and
 * at_least/at_most. */
static int check_bounds(const json_t *obj, const char *file, const char *where, char *err)
{
	static const char *const names[] = {"count", "at_least", "at_most"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const json_t *v = json_object_get(obj, names[i]);
		if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0))
			return err_set(err, "%s: %s.%s: expected a non-negative integer", file, where, names[i]);
	}
	if (json_object_get(obj, "count") && (json_object_get(obj, "at_least") || json_object_get(obj, "at_most")))
		return err_set(err, "%s: %s: \"count\" cannot be combined with \"at_least\"/\"at_most\"", file, where);
	return 0;
}

static int check_string(const json_t *obj, const char *key, int required, const char *file, const char *where,
			char *err)
{
	const json_t *v = json_object_get(obj, key);
	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v))
		return err_set(err, "%s: %s.%s: expected a string", file, where, key);
	return 0;
}

static int validate_verdict(const json_t *v, const char *file, char *err)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (strcmp(s, "done") != 0 && strcmp(s, "errored") != 0)
			return err_set(err, "%s: verdict: expected \"done\" or \"errored\", got \"%s\"", file, s);
		return 0;
	}
	if (!json_is_object(v))
		return err_set(err, "%s: verdict: expected \"done\", \"errored\" or {\"state\", \"error\"}", file);
	static const char *const known[] = {"state", "error", NULL};
	if (keys_known(v, file, "verdict", known, err) < 0 || check_string(v, "state", 1, file, "verdict", err) < 0 ||
	    check_string(v, "error", 0, file, "verdict", err) < 0)
		return -1;
	const char *state = json_string_value(json_object_get(v, "state"));
	if (strcmp(state, "done") != 0 && strcmp(state, "errored") != 0)
		return err_set(err, "%s: verdict.state: expected \"done\" or \"errored\", got \"%s\"", file, state);
	if (strcmp(state, "done") == 0 && json_object_get(v, "error"))
		return err_set(err, "%s: verdict: a \"done\" job has no error", file);
	return 0;
}

static int validate_documents(const json_t *v, const char *file, char *err)
{
	if (!json_is_object(v))
		return err_set(err, "%s: documents: expected an object of doctypes", file);
	const char *doctype;
	json_t *spec;
	json_object_foreach ((json_t *)v, doctype, spec) {
		char where[256];
		snprintf(where, sizeof(where), "documents.%s", doctype);
		static const char *const known[] = {"count", "at_least", "at_most", "match", NULL};
		if (!json_is_object(spec))
			return err_set(err, "%s: %s: expected an object", file, where);
		if (keys_known(spec, file, where, known, err) < 0 || check_bounds(spec, file, where, err) < 0)
			return -1;
		const json_t *match = json_object_get(spec, "match");
		if (match != NULL) {
			if (!json_is_array(match))
				return err_set(err, "%s: %s.match: expected an array of objects", file, where);
			for (size_t i = 0; i < json_array_size(match); i++)
				if (!json_is_object(json_array_get(match, i)))
					return err_set(err, "%s: %s.match[%zu]: expected an object", file, where, i);
		}
	}
	return 0;
}

static int validate_files(const json_t *v, const char *file, char *err)
{
	if (!json_is_array(v))
		return err_set(err, "%s: files: expected an array", file);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *f = json_array_get(v, i);
		char where[64];
		snprintf(where, sizeof(where), "files[%zu]", i);
		static const char *const known[] = {"path", "size", "mime", NULL};
		if (!json_is_object(f))
			return err_set(err, "%s: %s: expected an object", file, where);
		if (keys_known(f, file, where, known, err) < 0 || check_string(f, "path", 1, file, where, err) < 0 ||
		    check_string(f, "mime", 0, file, where, err) < 0)
			return -1;
		const json_t *size = json_object_get(f, "size");
		if (size != NULL && (!json_is_integer(size) || json_integer_value(size) < 0))
			return err_set(err, "%s: %s.size: expected a non-negative integer", file, where);
	}
	return 0;
}

static int validate_requests(const json_t *v, const char *file, char *err)
{
	if (!json_is_array(v))
		return err_set(err, "%s: requests: expected an array", file);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *r = json_array_get(v, i);
		char where[64];
		snprintf(where, sizeof(where), "requests[%zu]", i);
		static const char *const known[] = {"method", "path", "status", "count", "at_least", "at_most", NULL};
		if (!json_is_object(r))
			return err_set(err, "%s: %s: expected an object", file, where);
		if (keys_known(r, file, where, known, err) < 0 || check_string(r, "path", 1, file, where, err) < 0 ||
		    check_string(r, "method", 0, file, where, err) < 0 || check_bounds(r, file, where, err) < 0)
			return -1;
		const json_t *status = json_object_get(r, "status");
		if (status != NULL && !json_is_integer(status))
			return err_set(err, "%s: %s.status: expected an integer", file, where);
	}
	return 0;
}

static int validate_events(const json_t *v, const char *file, char *err)
{
	static const char *const known[] = {"contain", "not_contain", NULL};
	if (!json_is_object(v))
		return err_set(err, "%s: events: expected {\"contain\": [...], \"not_contain\": [...]}", file);
	if (keys_known(v, file, "events", known, err) < 0)
		return -1;
	for (size_t k = 0; known[k] != NULL; k++) {
		const json_t *list = json_object_get(v, known[k]);
		if (list == NULL)
			continue;
		if (!json_is_array(list))
			return err_set(err, "%s: events.%s: expected an array", file, known[k]);
		for (size_t i = 0; i < json_array_size(list); i++) {
			const json_t *e = json_array_get(list, i);
			char where[64];
			snprintf(where, sizeof(where), "events.%s[%zu]", known[k], i);
			static const char *const ekeys[] = {"type", "message", NULL};
			if (!json_is_object(e))
				return err_set(err, "%s: %s: expected an object", file, where);
			if (keys_known(e, file, where, ekeys, err) < 0 ||
			    check_string(e, "type", 0, file, where, err) < 0 ||
			    check_string(e, "message", 0, file, where, err) < 0)
				return -1;
			if (json_object_size(e) == 0)
				return err_set(err, "%s: %s: give a \"type\", a \"message\" or both", file, where);
		}
	}
	return 0;
}

static int validate_lint(const json_t *v, const char *file, char *err)
{
	static const char *const known[] = {"must_not_fire", NULL};
	if (!json_is_object(v))
		return err_set(err, "%s: lint: expected {\"must_not_fire\": [rule ids]}", file);
	if (keys_known(v, file, "lint", known, err) < 0)
		return -1;
	const json_t *list = json_object_get(v, "must_not_fire");
	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return err_set(err, "%s: lint.must_not_fire: expected an array of rule ids", file);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!json_is_string(json_array_get(list, i)))
			return err_set(err, "%s: lint.must_not_fire[%zu]: expected a rule id", file, i);
	return 0;
}

static int validate_vendor(const json_t *v, const char *file, char *err)
{
	static const char *const known[] = {"all_used", NULL};
	if (!json_is_object(v))
		return err_set(err, "%s: vendor: expected {\"all_used\": true}", file);
	if (keys_known(v, file, "vendor", known, err) < 0)
		return -1;
	const json_t *a = json_object_get(v, "all_used");
	if (a != NULL && !json_is_boolean(a))
		return err_set(err, "%s: vendor.all_used: expected true or false", file);
	return 0;
}

int expect_validate(const json_t *expect, const char *file, char *err)
{
	if (file == NULL)
		file = "expect.json";
	if (!json_is_object(expect))
		return err_set(err, "%s: expected a JSON object", file);
	static const char *const known[] = {"description", "verdict", "documents", "files", "requests",
					    "events",      "lint",    "vendor",    NULL};
	if (keys_known(expect, file, "top level", known, err) < 0)
		return -1;
	const json_t *v;
	if ((v = json_object_get(expect, "description")) && !json_is_string(v))
		return err_set(err, "%s: description: expected a string", file);
	if ((v = json_object_get(expect, "verdict")) && validate_verdict(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "documents")) && validate_documents(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "files")) && validate_files(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "requests")) && validate_requests(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "events")) && validate_events(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "lint")) && validate_lint(v, file, err) < 0)
		return -1;
	if ((v = json_object_get(expect, "vendor")) && validate_vendor(v, file, err) < 0)
		return -1;
	return 0;
}

json_t *expect_load(const char *path, char *err)
{
	size_t len;
	char ferr[ERR_MAX];
	char *text = file_read_all(path, &len, ferr);
	if (text == NULL) {
		err_set(err, "%s", ferr);
		return NULL;
	}
	struct jsonc_error ce;
	json_error_t je;
	json_t *j = NULL;
	if (jsonc_check(text, len, 0, &ce) < 0)
		err_set(err, "%s:%d:%d: %s", path, ce.line, ce.col, ce.text);
	else if ((j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	free(text);
	if (j == NULL)
		return NULL;
	if (expect_validate(j, path, err) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- evaluation ---- */

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

__attribute__((format(printf, 2, 3))) static char *format(char **dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*dst = vformat(fmt, ap);
	va_end(ap);
	return *dst;
}

/* Append one result; takes name, expected, actual (malloc'd); message built from them when failed. */
static int add_result(struct expect_results *res, char *name, int passed, char *expected, char *actual,
		      const char *extra)
{
	struct expect_result *r = realloc(res->r, (res->n + 1) * sizeof(*r));
	if (r == NULL || name == NULL || expected == NULL || actual == NULL) {
		res->r = r ? r : res->r;
		free(name);
		free(expected);
		free(actual);
		return -1;
	}
	res->r = r;
	char *message = NULL;
	if (passed)
		message = strdup("");
	else if (asprintf(&message, "expected %s, got %s%s%s", expected, actual, extra ? "; " : "",
			  extra ? extra : "") < 0)
		message = NULL;
	if (message == NULL) {
		free(name);
		free(expected);
		free(actual);
		return -1;
	}
	res->r[res->n++] = (struct expect_result){name, passed, expected, actual, message};
	res->failed += !passed;
	return 0;
}

static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : strdup("?");
}

static int numbers_equal(const json_t *a, const json_t *b)
{
	return json_is_number(a) && json_is_number(b) && json_number_value(a) == json_number_value(b);
}

/*
 * Does actual contain expected? Objects: every expected key present and
 * matching; arrays: same length, matching in order; numbers compare by value;
 * anything else must be equal. On a mismatch, why (if not NULL) gets the path.
 */
static int subset_match(const json_t *expected, const json_t *actual, struct buf *why, const char *path)
{
	if (json_is_object(expected)) {
		if (!json_is_object(actual)) {
			buf_printf(why, "%s: not an object", path[0] ? path : "document");
			return 0;
		}
		const char *key;
		json_t *v;
		json_object_foreach ((json_t *)expected, key, v) {
			char *sub = NULL;
			if (asprintf(&sub, "%s%s%s", path, path[0] ? "." : "", key) < 0)
				return 0;
			const json_t *got = json_object_get(actual, key);
			int ok;
			if (got == NULL) {
				buf_printf(why, "%s: missing", sub);
				ok = 0;
			} else {
				ok = subset_match(v, got, why, sub);
			}
			free(sub);
			if (!ok)
				return 0;
		}
		return 1;
	}
	if (json_is_array(expected)) {
		if (!json_is_array(actual) || json_array_size(actual) != json_array_size(expected)) {
			buf_printf(why, "%s: not an array of %zu", path, json_array_size(expected));
			return 0;
		}
		for (size_t i = 0; i < json_array_size(expected); i++) {
			char *sub = NULL;
			if (asprintf(&sub, "%s[%zu]", path, i) < 0)
				return 0;
			int ok = subset_match(json_array_get(expected, i), json_array_get(actual, i), why, sub);
			free(sub);
			if (!ok)
				return 0;
		}
		return 1;
	}
	if (numbers_equal(expected, actual) || json_equal((json_t *)expected, (json_t *)actual))
		return 1;
	char *e = dump(expected), *a = dump(actual);
	buf_printf(why, "%s: expected %s, got %s", path, e, a);
	free(e);
	free(a);
	return 0;
}

/* One count bound against n; returns 1 when it holds. */
static int bound_holds(const char *kind, json_int_t want, size_t n)
{
	if (strcmp(kind, "count") == 0)
		return (json_int_t)n == want;
	if (strcmp(kind, "at_least") == 0)
		return (json_int_t)n >= want;
	return (json_int_t)n <= want;
}

static const char *bound_text(const char *kind)
{
	return strcmp(kind, "count") == 0 ? "==" : strcmp(kind, "at_least") == 0 ? ">=" : "<=";
}

static int check_verdict(const json_t *v, const struct expect_outcome *out, struct expect_results *res)
{
	const char *state = json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "state"));
	const char *prefix = json_is_object(v) ? json_string_value(json_object_get(v, "error")) : NULL;
	const char *got_state = out->state ? out->state : "unknown";
	int passed = strcmp(state, got_state) == 0;
	if (passed && prefix != NULL)
		passed = out->error != NULL && strncmp(out->error, prefix, strlen(prefix)) == 0;
	char *expected = NULL, *actual = NULL, *name = strdup("verdict");
	if (prefix != NULL)
		format(&expected, "%s with an error starting with \"%s\"", state, prefix);
	else
		expected = strdup(state);
	if (out->error != NULL)
		format(&actual, "%s with error \"%s\"", got_state, out->error);
	else
		actual = strdup(got_state);
	return add_result(res, name, passed, expected, actual, NULL);
}

static int is_design_doc(const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "_id"));
	return id != NULL && strncmp(id, "_design/", 8) == 0;
}

static int check_documents(const json_t *spec_all, const struct expect_outcome *out, struct expect_results *res)
{
	const char *doctype;
	json_t *spec;
	json_object_foreach ((json_t *)spec_all, doctype, spec) {
		const json_t *docs = json_object_get(out->documents, doctype);
		size_t n = 0;
		for (size_t i = 0; i < json_array_size(docs); i++)
			n += !is_design_doc(json_array_get(docs, i));
		static const char *const kinds[] = {"count", "at_least", "at_most"};
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			const json_t *want = json_object_get(spec, kinds[k]);
			if (want == NULL)
				continue;
			json_int_t w = json_integer_value(want);
			char *name = NULL, *expected = NULL, *actual = NULL;
			format(&name, "documents %s %s %" JSON_INTEGER_FORMAT, doctype, kinds[k], w);
			format(&expected, "%s %" JSON_INTEGER_FORMAT " %s documents", bound_text(kinds[k]), w, doctype);
			format(&actual, "%zu", n);
			if (add_result(res, name, bound_holds(kinds[k], w, n), expected, actual, NULL) < 0)
				return -1;
		}
		const json_t *match = json_object_get(spec, "match");
		for (size_t m = 0; m < json_array_size(match); m++) {
			const json_t *want = json_array_get(match, m);
			int found = 0;
			struct buf why = {0};
			for (size_t i = 0; i < json_array_size(docs) && !found; i++) {
				const json_t *doc = json_array_get(docs, i);
				if (is_design_doc(doc))
					continue;
				struct buf one = {0};
				found = subset_match(want, doc, &one, "");
				if (!found && why.data == NULL)
					buf_printf(&why, "first document: %s", one.data ? one.data : "differs");
				buf_free(&one);
			}
			char *name = NULL, *expected = dump(want), *actual = NULL;
			format(&name, "documents %s match[%zu]", doctype, m);
			if (found)
				actual = strdup("a matching document");
			else
				format(&actual, "none of %zu %s documents matches", n, doctype);
			int rc = add_result(res, name, found, expected, actual, why.data);
			buf_free(&why);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* A file's size as a number: the stack's JSON:API gives it as a string. -1 when unknown. */
static long long file_size(const json_t *f)
{
	const json_t *s = json_object_get(f, "size");
	if (json_is_integer(s))
		return json_integer_value(s);
	if (json_is_string(s)) {
		char *end = NULL;
		long long v = strtoll(json_string_value(s), &end, 10);
		if (end != json_string_value(s) && *end == '\0')
			return v;
	}
	return -1;
}

static int check_files(const json_t *specs, const struct expect_outcome *out, struct expect_results *res)
{
	for (size_t k = 0; k < json_array_size(specs); k++) {
		const json_t *spec = json_array_get(specs, k);
		const char *pattern = json_string_value(json_object_get(spec, "path"));
		const json_t *size = json_object_get(spec, "size");
		const char *mime = json_string_value(json_object_get(spec, "mime"));
		struct buf exp = {0}, act = {0};
		buf_printf(&exp, "a file %s", pattern);
		if (size != NULL)
			buf_printf(&exp, " of %" JSON_INTEGER_FORMAT " bytes", json_integer_value(size));
		if (mime != NULL)
			buf_printf(&exp, " with mime %s", mime);
		int passed = 0;
		size_t matched = 0;
		for (size_t i = 0; i < json_array_size(out->files); i++) {
			const json_t *f = json_array_get(out->files, i);
			const char *path = json_string_value(json_object_get(f, "path"));
			if (path == NULL || fnmatch(pattern, path, 0) != 0)
				continue;
			const char *got_mime = json_string_value(json_object_get(f, "mime"));
			long long got_size = file_size(f);
			int ok = (size == NULL || got_size == json_integer_value(size)) &&
				 (mime == NULL || (got_mime != NULL && strcmp(mime, got_mime) == 0));
			passed |= ok;
			if (matched++ < 5)
				buf_printf(&act, "%s%s (%lld bytes, %s)", matched > 1 ? ", " : "", path, got_size,
					   got_mime ? got_mime : "no mime");
		}
		if (matched == 0) {
			buf_printf(&act, "no file matches (%zu files", json_array_size(out->files));
			for (size_t i = 0; i < json_array_size(out->files) && i < 5; i++)
				buf_printf(&act, "%s%s", i ? ", " : ": ",
					   json_string_value(json_object_get(json_array_get(out->files, i), "path"))
						   ?: "?");
			buf_puts(&act, ")");
		}
		char *name = NULL;
		format(&name, "files %s", pattern);
		if (add_result(res, name, passed, buf_steal(&exp), buf_steal(&act), NULL) < 0)
			return -1;
	}
	return 0;
}

static int check_requests(const json_t *specs, const struct expect_outcome *out, struct expect_results *res)
{
	for (size_t k = 0; k < json_array_size(specs); k++) {
		const json_t *spec = json_array_get(specs, k);
		const char *method = json_string_value(json_object_get(spec, "method"));
		const char *pattern = json_string_value(json_object_get(spec, "path"));
		const json_t *status = json_object_get(spec, "status");
		size_t n = 0;
		struct buf seen = {0};
		for (size_t i = 0; i < json_array_size(out->journal); i++) {
			const json_t *r = json_array_get(out->journal, i);
			const char *m = json_string_value(json_object_get(r, "method"));
			const char *p = json_string_value(json_object_get(r, "path"));
			if (m == NULL || p == NULL || (method != NULL && strcasecmp(method, m) != 0) ||
			    fnmatch(pattern, p, 0) != 0)
				continue;
			json_int_t st = json_integer_value(json_object_get(r, "status"));
			if (status != NULL && st != json_integer_value(status)) {
				buf_printf(&seen, "%s%s %s answered %" JSON_INTEGER_FORMAT, seen.len ? ", " : "", m, p,
					   st);
				continue;
			}
			n++;
		}
		const char *kind = "at_least";
		json_int_t want = 1;
		static const char *const kinds[] = {"count", "at_least", "at_most"};
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			if (json_object_get(spec, kinds[i]) == NULL)
				continue;
			kind = kinds[i];
			want = json_integer_value(json_object_get(spec, kinds[i]));
			/* at_least and at_most together: one result per bound. */
			struct buf what = {0};
			buf_printf(&what, "%s %s", method ? method : "*", pattern);
			if (status != NULL)
				buf_printf(&what, " (status %" JSON_INTEGER_FORMAT ")", json_integer_value(status));
			char *name = NULL, *expected = NULL, *actual = NULL;
			format(&name, "requests %s %s %" JSON_INTEGER_FORMAT, what.data, kind, want);
			format(&expected, "%s %s %" JSON_INTEGER_FORMAT " time(s)", what.data, bound_text(kind), want);
			format(&actual, "%zu time(s)", n);
			buf_free(&what);
			if (add_result(res, name, bound_holds(kind, want, n), expected, actual, seen.data) < 0) {
				buf_free(&seen);
				return -1;
			}
			kind = NULL;
		}
		if (kind != NULL) {
			char *name = NULL, *expected = NULL, *actual = NULL;
			format(&name, "requests %s %s", method ? method : "*", pattern);
			format(&expected, "%s %s at least once", method ? method : "*", pattern);
			format(&actual, "%zu time(s)", n);
			if (add_result(res, name, n >= 1, expected, actual, seen.data) < 0) {
				buf_free(&seen);
				return -1;
			}
		}
		buf_free(&seen);
	}
	return 0;
}

/* Does one event match {type, message substring}? */
static int event_matches(const json_t *want, const json_t *ev)
{
	const char *type = json_string_value(json_object_get(want, "type"));
	const char *msg = json_string_value(json_object_get(want, "message"));
	const char *got_type = json_string_value(json_object_get(ev, "type"));
	const char *got_msg = json_string_value(json_object_get(ev, "message"));
	if (type != NULL && (got_type == NULL || strcmp(type, got_type) != 0))
		return 0;
	if (msg != NULL && (got_msg == NULL || strstr(got_msg, msg) == NULL))
		return 0;
	return 1;
}

static int check_events(const json_t *spec, const struct expect_outcome *out, struct expect_results *res)
{
	static const char *const lists[] = {"contain", "not_contain"};
	for (size_t l = 0; l < 2; l++) {
		const json_t *list = json_object_get(spec, lists[l]);
		int negate = l == 1;
		for (size_t k = 0; k < json_array_size(list); k++) {
			const json_t *want = json_array_get(list, k);
			const char *type = json_string_value(json_object_get(want, "type"));
			const char *msg = json_string_value(json_object_get(want, "message"));
			size_t n = 0;
			const json_t *first = NULL;
			for (size_t i = 0; i < json_array_size(out->events); i++) {
				const json_t *ev = json_array_get(out->events, i);
				if (event_matches(want, ev)) {
					first = first ? first : ev;
					n++;
				}
			}
			struct buf what = {0};
			buf_printf(&what, "event (%s%s%s%s%s%s)", type ? "type " : "", type ? type : "",
				   type && msg ? ", " : "", msg ? "message containing \"" : "", msg ? msg : "",
				   msg ? "\"" : "");
			char *name = NULL, *expected = NULL, *actual = NULL;
			format(&name, "events %s %s", lists[l], what.data);
			format(&expected, negate ? "no %s" : "an %s", what.data);
			buf_free(&what);
			if (n == 0) {
				format(&actual, "none among %zu events", json_array_size(out->events));
			} else {
				char *ev = dump(first);
				format(&actual, "%zu matching event(s), first: %s", n, ev);
				free(ev);
			}
			if (add_result(res, name, negate ? n == 0 : n > 0, expected, actual, NULL) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_lint(const json_t *spec, const struct expect_outcome *out, struct expect_results *res)
{
	const json_t *list = json_object_get(spec, "must_not_fire");
	for (size_t k = 0; k < json_array_size(list); k++) {
		const char *rule = json_string_value(json_array_get(list, k));
		int any = strcmp(rule, "*") == 0;
		size_t n = 0;
		struct buf fired = {0};
		for (size_t i = 0; i < json_array_size(out->lint_rules); i++) {
			const char *got = json_string_value(json_array_get(out->lint_rules, i));
			if (got == NULL || (!any && strcmp(got, rule) != 0))
				continue;
			if (n++ < 5)
				buf_printf(&fired, "%s%s", n > 1 ? ", " : "", got);
		}
		char *name = NULL, *expected = NULL, *actual = NULL;
		format(&name, "lint %s does not fire", any ? "no rule" : rule);
		format(&expected, any ? "no lint finding" : "no %s finding", rule);
		if (out->lint_rules == NULL)
			actual = strdup("none: lint did not run");
		else if (n == 0)
			actual = strdup("none");
		else
			format(&actual, "%zu finding(s): %s", n, fired.data);
		buf_free(&fired);
		if (add_result(res, name, n == 0, expected, actual, NULL) < 0)
			return -1;
	}
	return 0;
}

/* vendor.all_used: a replay, and every recorded exchange of the HAR answered at least once. */
static int check_vendor(const json_t *spec, const struct expect_outcome *out, struct expect_results *res)
{
	if (!json_is_true(json_object_get(spec, "all_used")))
		return 0;
	const char *mode = json_string_value(json_object_get(out->vendor, "mode"));
	const json_t *unused = json_object_get(out->vendor, "unused");
	char *actual = NULL;
	int passed = 0;
	if (mode == NULL) {
		actual = strdup("no vendor.har was replayed (none in the scenario, or --no-replay)");
	} else if (strcmp(mode, "record") == 0) {
		actual = strdup("a recording: every exchange was live");
		passed = 1;
	} else if (json_array_size(unused) == 0) {
		format(&actual, "all %" JSON_INTEGER_FORMAT " used",
		       json_integer_value(json_object_get(out->vendor, "recorded_entries")));
		passed = 1;
	} else {
		struct buf b = {0};
		size_t i;
		json_t *u;
		buf_printf(&b, "%zu never asked for:", json_array_size(unused));
		json_array_foreach (unused, i, u) {
			if (i == 5) {
				buf_puts(&b, " …");
				break;
			}
			buf_printf(&b, "%s %s %s", i ? "," : "", json_string_value(json_object_get(u, "method")),
				   json_string_value(json_object_get(u, "url")));
		}
		actual = buf_steal(&b);
	}
	return add_result(res, strdup("vendor all recorded exchanges used"), passed,
			  strdup("every exchange of vendor.har replayed"), actual, NULL);
}

int expect_check(const json_t *expect, const struct expect_outcome *out, struct expect_results *res, char *err)
{
	memset(res, 0, sizeof(*res));
	if (expect_validate(expect, NULL, err) < 0)
		return -1;
	const json_t *v;
	int rc = 0;
	if (rc == 0 && (v = json_object_get(expect, "verdict")))
		rc = check_verdict(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "documents")))
		rc = check_documents(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "files")))
		rc = check_files(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "requests")))
		rc = check_requests(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "events")))
		rc = check_events(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "lint")))
		rc = check_lint(v, out, res);
	if (rc == 0 && (v = json_object_get(expect, "vendor")))
		rc = check_vendor(v, out, res);
	if (rc < 0) {
		expect_results_clear(res);
		return err_set(err, "out of memory");
	}
	return 0;
}

json_t *expect_results_json(const struct expect_results *res)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < res->n; i++) {
		const struct expect_result *r = &res->r[i];
		json_array_append_new(arr,
				      json_pack("{s:s, s:b, s:s, s:s, s:s}", "name", r->name, "passed", r->passed,
						"expected", r->expected, "actual", r->actual, "message", r->message));
	}
	return arr;
}

void expect_results_clear(struct expect_results *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->r[i].name);
		free(res->r[i].expected);
		free(res->r[i].actual);
		free(res->r[i].message);
	}
	free(res->r);
	memset(res, 0, sizeof(*res));
}
