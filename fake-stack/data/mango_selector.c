/*
 * Checking and normalizing a selector as CouchDB does
 * (src/mango/src/mango_selector.erl normalize: norm_ops, norm_fields,
 * norm_negations): operators and their arguments checked, implicit $and and
 * $eq made explicit, nested objects turned into dotted paths, $not and $nor
 * pushed down to the terminal conditions.
 */
#include "fake-stack/data/mango_int.h"

#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

/* {k: v} (v stolen). */
static json_t *pair(const char *k, json_t *v)
{
	json_t *o = json_object();
	json_object_set_new(o, k, v);
	return o;
}

static int is_op(const char *k, const char *op)
{
	return strcmp(k, op) == 0;
}

/* ---- the terminal operators' arguments (mango_selector norm_ops) ---- */

static int arg_any(const json_t *a)
{
	(void)a;
	return 1;
}

static int arg_array(const json_t *a)
{
	return json_is_array(a);
}

static int arg_boolean(const json_t *a)
{
	return json_is_boolean(a);
}

static int arg_string(const json_t *a)
{
	return json_is_string(a);
}

/* [Divisor, Remainder], integers; a zero divisor would crash CouchDB's rem, so it is refused up front. */
static int arg_mod(const json_t *a)
{
	return json_is_array(a) && json_array_size(a) == 2 && json_is_integer(json_array_get(a, 0)) &&
	       json_is_integer(json_array_get(a, 1)) && json_integer_value(json_array_get(a, 0)) != 0;
}

/* A pattern that compiles as mango_match will compile it. */
static int arg_regex(const json_t *a)
{
	regex_t rx;
	if (!json_is_string(a) || mango_regex_compile(&rx, json_string_value(a)) != 0)
		return 0;
	regfree(&rx);
	return 1;
}

static int arg_size(const json_t *a)
{
	return json_is_integer(a) && json_integer_value(a) >= 0;
}

static const struct {
	const char *op;
	int (*arg_ok)(const json_t *arg);
} terminals[] = {
	{"$lt", arg_any},    {"$lte", arg_any},        {"$eq", arg_any},      {"$ne", arg_any},
	{"$gte", arg_any},   {"$gt", arg_any},         {"$in", arg_array},    {"$nin", arg_array},
	{"$all", arg_array}, {"$exists", arg_boolean}, {"$type", arg_string}, {"$beginsWith", arg_string},
	{"$mod", arg_mod},   {"$regex", arg_regex},    {"$size", arg_size},
};

/* CouchDB's operators a fake cannot run ($text needs a text index, a CouchDB plugin). */
static const char *const unsupported[] = {"$where", "$geoWithin", "$geoIntersects", "$near", "$nearSphere", "$text"};

/* ---- norm_ops: operators checked, implicit ones made explicit ---- */

static json_t *norm_ops(const json_t *sel, struct mango_error *e, char *err);

/* norm_ops over every element of an array argument. */
static json_t *norm_ops_list(const char *op, const json_t *args, struct mango_error *e, char *err)
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *n = norm_ops(json_array_get(args, i), e, err);
		if (n == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, n);
	}
	return pair(op, out);
}

static json_t *bad_arg(const char *op, const json_t *arg, struct mango_error *e, char *err)
{
	char fmt[64];
	snprintf(fmt, sizeof(fmt), "Bad argument for operator %s: %%T", op);
	mango_error_set(e, 400, "bad_arg", err, fmt, arg);
	return NULL;
}

/* An object of several members is the $and of each one alone. */
static json_t *norm_implicit_and(const json_t *sel, struct mango_error *e, char *err)
{
	json_t *args = json_array();
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)sel, k, v) {
		json_t *one = pair(k, json_incref(v));
		json_t *n = norm_ops(one, e, err);
		json_decref(one);
		if (n == NULL) {
			json_decref(args);
			return NULL;
		}
		json_array_append_new(args, n);
	}
	return pair("$and", args);
}

/* {op: arg}: combinators normalized inside, terminals checked, unknown operators refused. */
static json_t *norm_operator(const json_t *sel, const char *k, const json_t *arg, struct mango_error *e, char *err)
{
	if (is_op(k, "$and") || is_op(k, "$or") || is_op(k, "$nor")) {
		if (!json_is_array(arg))
			return bad_arg(k, arg, e, err);
		return norm_ops_list(k, arg, e, err);
	}
	if (is_op(k, "$not") || is_op(k, "$elemMatch") || is_op(k, "$allMatch")) {
		if (!json_is_object(arg))
			return bad_arg(k, arg, e, err);
		json_t *n = norm_ops(arg, e, err);
		return n != NULL ? pair(k, n) : NULL;
	}
	for (size_t i = 0; i < sizeof(terminals) / sizeof(*terminals); i++)
		if (is_op(k, terminals[i].op))
			return terminals[i].arg_ok(arg) ? json_deep_copy(sel) : bad_arg(k, arg, e, err);
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++) {
		if (is_op(k, unsupported[i])) {
			char fmt[64];
			snprintf(fmt, sizeof(fmt), "Unsupported operator: %s", k);
			mango_error_set(e, 400, "not_supported", err, fmt, NULL);
			return NULL;
		}
	}
	mango_error_set(e, 400, "invalid_operator", err, "Invalid operator: ", NULL);
	size_t n = strlen(err);
	snprintf(err + n, ERR_MAX - n, "%s", k);
	return NULL;
}

/* Validate operators and make implicit ones explicit. */
static json_t *norm_ops(const json_t *sel, struct mango_error *e, char *err)
{
	if (json_is_object(sel) && json_object_size(sel) >= 2)
		return norm_implicit_and(sel, e, err);
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL) /* a bare value (or {}): equality */
		return pair("$eq", json_deep_copy(sel));
	if (k[0] == '$')
		return norm_operator(sel, k, arg, e, err);
	json_t *n = norm_ops(arg, e, err);
	return n != NULL ? pair(k, n) : NULL;
}

/* ---- norm_fields: field names pushed down to the terminal operators ---- */

static json_t *norm_fields(const json_t *sel, const char *path, struct mango_error *e, char *err);

/* norm_fields over every element of an array argument. */
static json_t *norm_fields_list(const char *op, const json_t *args, const char *path, struct mango_error *e, char *err)
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *n = norm_fields(json_array_get(args, i), path, e, err);
		if (n == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, n);
	}
	return pair(op, out);
}

/* Push field names down to the terminal operators: {a:{b:{$gt:1}}} → {"a.b":{$gt:1}}. */
static json_t *norm_fields(const json_t *sel, const char *path, struct mango_error *e, char *err)
{
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL) {
		if (json_is_object(sel) && json_object_size(sel) == 0)
			return pair(path, json_object());
		mango_error_set(e, 400, "bad_field", err, "Invalid field normalization on selector: %T", sel);
		return NULL;
	}
	if (is_op(k, "$and") || is_op(k, "$or") || is_op(k, "$nor"))
		return norm_fields_list(k, arg, path, e, err);
	if (is_op(k, "$not")) {
		json_t *n = norm_fields(arg, path, e, err);
		return n != NULL ? pair(k, n) : NULL;
	}
	if (is_op(k, "$elemMatch") || is_op(k, "$allMatch")) {
		json_t *n = norm_fields(arg, "", e, err);
		return n != NULL ? pair(path, pair(k, n)) : NULL;
	}
	if (k[0] == '$')
		return pair(path, json_deep_copy(sel));
	struct buf p = {0};
	if (path[0] != '\0')
		buf_printf(&p, "%s.", path);
	buf_puts(&p, k);
	json_t *n = norm_fields(arg, p.data, e, err);
	buf_free(&p);
	return n;
}

/* ---- norm_negations: $not and $nor pushed down to the terminal conditions ---- */

static json_t *norm_negations(const json_t *sel);

/* {op: [f(arg) for each arg]} */
static json_t *map_list(const char *op, const json_t *args, json_t *(*f)(const json_t *))
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(args); i++)
		json_array_append_new(out, f(json_array_get(args, i)));
	return pair(op, out);
}

/* Negate a (normalized) condition: De Morgan, flipped comparisons, $exists inverted. */
static json_t *negate(const json_t *sel)
{
	static const char *const flips[][2] = {{"$lt", "$gte"}, {"$lte", "$gt"}, {"$eq", "$ne"},  {"$ne", "$eq"},
					       {"$gte", "$lt"}, {"$gt", "$lte"}, {"$in", "$nin"}, {"$nin", "$in"}};
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL)
		return json_deep_copy(sel);
	if (is_op(k, "$not"))
		return norm_negations(arg);
	if (is_op(k, "$nor"))
		return map_list("$or", arg, norm_negations);
	if (is_op(k, "$and"))
		return map_list("$or", arg, negate);
	if (is_op(k, "$or"))
		return map_list("$and", arg, negate);
	for (size_t i = 0; i < sizeof(flips) / sizeof(*flips); i++)
		if (is_op(k, flips[i][0]))
			return pair(flips[i][1], json_deep_copy(arg));
	if (is_op(k, "$exists"))
		return pair("$exists", json_boolean(!json_is_true(arg)));
	if (k[0] == '$')
		return pair("$not", json_deep_copy(sel));
	return pair(k, negate(arg));
}

/* Move $not and $nor down to the terminals. */
static json_t *norm_negations(const json_t *sel)
{
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL)
		return json_deep_copy(sel);
	if (is_op(k, "$not"))
		return negate(arg);
	if (is_op(k, "$nor"))
		return map_list("$and", arg, negate);
	if (is_op(k, "$and") || is_op(k, "$or"))
		return map_list(k, arg, norm_negations);
	if (is_op(k, "$elemMatch") || is_op(k, "$allMatch"))
		return pair(k, norm_negations(arg));
	return json_deep_copy(sel);
}

/* ---- the three passes ---- */

json_t *mango_selector_normalize(const json_t *selector, struct mango_error *e, char *err)
{
	if (!json_is_object(selector)) {
		mango_error_set(e, 400, "invalid_selector_json", err, "Selector must be a JSON object, not: %T",
				selector);
		return NULL;
	}
	if (json_object_size(selector) == 0)
		return json_object();
	json_t *ops = norm_ops(selector, e, err);
	if (ops == NULL)
		return NULL;
	json_t *fields = norm_fields(ops, "", e, err);
	json_decref(ops);
	if (fields == NULL)
		return NULL;
	json_t *norm = norm_negations(fields);
	json_decref(fields);
	if (json_object_get(norm, "") != NULL) {
		json_decref(norm);
		mango_error_set(e, 400, "invalid_selector", err, "One or more conditions is missing a field name.",
				NULL);
		return NULL;
	}
	return norm;
}

int mango_selector_check(const json_t *selector, char *err)
{
	json_t *n = mango_selector_normalize(selector, NULL, err);
	if (n == NULL)
		return -1;
	json_decref(n);
	return 0;
}
