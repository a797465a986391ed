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

static json_t *pair(const char *k, json_t *v /* stolen */)
{
	json_t *o = json_object();
	json_object_set_new(o, k, v);
	return o;
}

/* Does a $regex argument compile (as mango_match will compile it)? */
static int regex_compiles(const char *re)
{
	regex_t rx;
	if (mango_regex_compile(&rx, re) != 0)
		return 0;
	regfree(&rx);
	return 1;
}

static int is_op(const char *k, const char *op)
{
	return strcmp(k, op) == 0;
}

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

/* Validate operators and make implicit ones explicit. */
static json_t *norm_ops(const json_t *sel, struct mango_error *e, char *err)
{
	if (json_is_object(sel) && json_object_size(sel) >= 2) {
		/* implicit $and */
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
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL) /* a bare value (or {}): equality */
		return pair("$eq", json_deep_copy(sel));
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
	if (is_op(k, "$in") || is_op(k, "$nin") || is_op(k, "$all")) {
		if (!json_is_array(arg))
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$exists")) {
		if (!json_is_boolean(arg))
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$type") || is_op(k, "$beginsWith")) {
		if (!json_is_string(arg))
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$mod")) {
		/* a zero divisor would crash CouchDB's rem; refuse it up front */
		if (!json_is_array(arg) || json_array_size(arg) != 2 || !json_is_integer(json_array_get(arg, 0)) ||
		    !json_is_integer(json_array_get(arg, 1)) || json_integer_value(json_array_get(arg, 0)) == 0)
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$regex")) {
		if (!json_is_string(arg) || !regex_compiles(json_string_value(arg)))
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$size")) {
		if (!json_is_integer(arg) || json_integer_value(arg) < 0)
			return bad_arg(k, arg, e, err);
		return json_deep_copy(sel);
	}
	if (is_op(k, "$lt") || is_op(k, "$lte") || is_op(k, "$eq") || is_op(k, "$ne") || is_op(k, "$gte") ||
	    is_op(k, "$gt"))
		return json_deep_copy(sel);
	if (is_op(k, "$where") || is_op(k, "$geoWithin") || is_op(k, "$geoIntersects") || is_op(k, "$near") ||
	    is_op(k, "$nearSphere") || is_op(k, "$text")) {
		/* $text needs a text index (a CouchDB plugin), which a fake cannot have */
		char fmt[64];
		snprintf(fmt, sizeof(fmt), "Unsupported operator: %s", k);
		mango_error_set(e, 400, "not_supported", err, fmt, NULL);
		return NULL;
	}
	if (k[0] == '$') {
		mango_error_set(e, 400, "invalid_operator", err, "Invalid operator: ", NULL);
		size_t n = strlen(err);
		snprintf(err + n, ERR_MAX - n, "%s", k);
		return NULL;
	}
	json_t *n = norm_ops(arg, e, err);
	return n != NULL ? pair(k, n) : NULL;
}

static json_t *norm_fields(const json_t *sel, const char *path, struct mango_error *e, char *err);

static json_t *norm_fields_list(const char *op, const json_t *args, const char *path, struct mango_error *e,
				char *err)
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

static json_t *norm_negations(const json_t *sel);

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
	static const char *const flips[][2] = {{"$lt", "$gte"}, {"$lte", "$gt"}, {"$eq", "$ne"},
					       {"$ne", "$eq"},  {"$gte", "$lt"}, {"$gt", "$lte"},
					       {"$in", "$nin"}, {"$nin", "$in"}};
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

json_t *mango_normalize(const json_t *selector, struct mango_error *e, char *err)
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

int mango_check(const json_t *selector, char *err)
{
	json_t *n = mango_normalize(selector, NULL, err);
	if (n == NULL)
		return -1;
	json_decref(n);
	return 0;
}
