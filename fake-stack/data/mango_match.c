/*
 * Matching docs against a normalized selector as CouchDB does
 * (src/mango/src/mango_selector.erl match/3), values compared with view
 * collation (collate.c) except _id, compared raw (mango_json.erl cmp_raw). A
 * selector is compiled once per _find into a tree of nodes; a doc is either a
 * tree or a row of a mango_docs, whose members come from its columns.
 */
#include "fake-stack/data/mango_int.h"

#include "common/err.h"
#include "fake-stack/data/collate.h"

#include <stdlib.h>
#include <string.h>

enum op {
	OP_TRUE,
	OP_AND,
	OP_OR,
	OP_NOT,
	OP_FIELD,
	OP_LT,
	OP_LTE,
	OP_EQ,
	OP_NE,
	OP_GTE,
	OP_GT,
	OP_IN,
	OP_NIN,
	OP_EXISTS,
	OP_TYPE,
	OP_MOD,
	OP_REGEX,
	OP_SIZE,
	OP_ALL,
	OP_ELEMMATCH,
	OP_ALLMATCH,
	OP_BEGINS,
};

struct mango_node {
	enum op op;
	struct mango_node **kids;
	size_t nkids;
	struct mango_path path; /* OP_FIELD */
	size_t slot;            /* OP_FIELD at the top level: its member's key number in the _find's key set */
	int raw;                /* OP_FIELD on _id: raw (byte) comparison, as mango_json cmp_raw */
	int exists_false;       /* OP_FIELD whose condition is exactly {$exists:false} */
	const json_t *arg;      /* borrowed from the normalized selector */
	regex_t re;
	int has_re;
};

void mango_match_free(struct mango_node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		mango_match_free(n->kids[i]);
	free(n->kids);
	mango_path_free(&n->path);
	if (n->has_re)
		regfree(&n->re);
	free(n);
}

static const struct {
	const char *name;
	enum op op;
} op_names[] = {
	{"$and", OP_AND},
	{"$or", OP_OR},
	{"$not", OP_NOT},
	{"$lt", OP_LT},
	{"$lte", OP_LTE},
	{"$eq", OP_EQ},
	{"$ne", OP_NE},
	{"$gte", OP_GTE},
	{"$gt", OP_GT},
	{"$in", OP_IN},
	{"$nin", OP_NIN},
	{"$exists", OP_EXISTS},
	{"$type", OP_TYPE},
	{"$mod", OP_MOD},
	{"$regex", OP_REGEX},
	{"$size", OP_SIZE},
	{"$all", OP_ALL},
	{"$elemMatch", OP_ELEMMATCH},
	{"$allMatch", OP_ALLMATCH},
	{"$beginsWith", OP_BEGINS},
};

static int add_kid(struct mango_node *n, struct mango_node *kid)
{
	if (kid == NULL)
		return -1;
	struct mango_node **more = realloc(n->kids, (n->nkids + 1) * sizeof(*more));
	if (more == NULL) {
		mango_match_free(kid);
		return -1;
	}
	n->kids = more;
	n->kids[n->nkids++] = kid;
	return 0;
}

/* {field: condition}: the path parsed, its top-level member numbered in ks (may be NULL); -1 when out of memory. */
static int compile_field(struct mango_node *n, const char *field, const json_t *cond, struct mango_path_set *ks)
{
	n->op = OP_FIELD;
	n->raw = strcmp(field, "_id") == 0;
	json_t *ea = NULL;
	const char *ek = mango_only_key(cond, &ea);
	n->exists_false = ek != NULL && strcmp(ek, "$exists") == 0 && json_is_false(ea);
	if (mango_path_parse(field, &n->path) < 0 || add_kid(n, mango_match_compile(cond, NULL)) < 0)
		return -1;
	long slot = ks != NULL && n->path.n > 0 ? mango_path_set_add(ks, &n->path) : 0;
	if (slot < 0)
		return -1;
	n->slot = (size_t)slot;
	return 0;
}

/*
 * Turn a normalized selector into a node tree (regexes compiled once). ks
 * (NULL below a field) collects the top-level members the fields read.
 */
struct mango_node *mango_match_compile(const json_t *sel, struct mango_path_set *ks)
{
	struct mango_node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	json_t *arg = NULL;
	const char *k = mango_only_key(sel, &arg);
	if (k == NULL) {
		n->op = OP_TRUE; /* the empty selector */
		return n;
	}
	n->arg = arg;
	if (k[0] != '$') {
		if (compile_field(n, k, arg, ks) < 0) {
			mango_match_free(n);
			return NULL;
		}
		return n;
	}
	n->op = OP_TRUE;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(*op_names); i++)
		if (strcmp(k, op_names[i].name) == 0)
			n->op = op_names[i].op;
	int rc = 0;
	if (n->op == OP_AND || n->op == OP_OR) {
		for (size_t i = 0; rc == 0 && i < json_array_size(arg); i++)
			rc = add_kid(n, mango_match_compile(json_array_get(arg, i), ks));
	} else if (n->op == OP_NOT) {
		rc = add_kid(n, mango_match_compile(arg, ks));
	} else if (n->op == OP_ELEMMATCH || n->op == OP_ALLMATCH) {
		rc = add_kid(n, mango_match_compile(arg, NULL));
	} else if (n->op == OP_REGEX) {
		n->has_re = mango_regex_compile(&n->re, json_string_value(arg)) == 0;
	}
	if (rc < 0) {
		mango_match_free(n);
		return NULL;
	}
	return n;
}

int mango_match_cmp(const json_t *a, const json_t *b, int raw)
{
	/* mango_json cmp_raw (for _id): Erlang term order; for strings, byte order */
	if (raw && json_is_string(a) && json_is_string(b)) {
		int c = strcmp(json_string_value(a), json_string_value(b));
		return (c > 0) - (c < 0);
	}
	return collate_json(a, b);
}

/* The $type name of a value (mango_selector match $type). */
static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return "null";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	default:
		return "object";
	}
}

/* Is v equal to one of args (compared as $eq compares)? */
static int any_equal(const json_t *args, const json_t *v, int raw)
{
	for (size_t i = 0; i < json_array_size(args); i++)
		if (mango_match_cmp(v, json_array_get(args, i), raw) == 0)
			return 1;
	return 0;
}

static int match(const struct mango_node *n, const json_t *v, int raw, struct mango_row *row);

/* $in: the value, or one of its elements when it is an array, equals an argument ($nin is the negation). */
static int match_in(const json_t *args, const json_t *v, int raw)
{
	if (!json_is_array(v))
		return any_equal(args, v, raw);
	for (size_t i = 0; i < json_array_size(v); i++)
		if (any_equal(args, json_array_get(v, i), raw))
			return 1;
	return 0;
}

/* $all: every argument is an element (exact equality, as lists:member), or [A] with A == value. */
static int match_all(const json_t *args, const json_t *v)
{
	if (!json_is_array(v))
		return 0;
	int has_all = 1;
	for (size_t i = 0; has_all && i < json_array_size(args); i++) {
		int found = 0;
		for (size_t j = 0; !found && j < json_array_size(v); j++)
			found = json_equal(json_array_get(args, i), json_array_get(v, j));
		has_all = found;
	}
	if (has_all)
		return 1;
	return json_array_size(args) == 1 && json_is_array(json_array_get(args, 0)) &&
	       json_equal(json_array_get(args, 0), v);
}

/* $mod [D, R]: an integer whose remainder by D is R. */
static int match_mod(const json_t *args, const json_t *v)
{
	if (!json_is_integer(v))
		return 0;
	json_int_t d = json_integer_value(json_array_get(args, 0));
	json_int_t r = json_integer_value(json_array_get(args, 1));
	if (d == -1)
		return r == 0;
	return json_integer_value(v) % d == r; /* C % truncates like Erlang rem */
}

/* $elemMatch (some element matches) and $allMatch (a non-empty array whose every element matches). */
static int match_elements(const struct mango_node *n, const json_t *v)
{
	if (!json_is_array(v))
		return 0;
	int every = n->op == OP_ALLMATCH;
	if (every && json_array_size(v) == 0)
		return 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		int ok = match(n->kids[0], json_array_get(v, i), 0, NULL);
		if (ok && !every)
			return 1;
		if (!ok && every)
			return 0;
	}
	return every;
}

/* A comparison operator's verdict on v compared with its argument. */
static int match_compare(const struct mango_node *n, const json_t *v, int raw)
{
	int c = mango_match_cmp(v, n->arg, raw);
	switch (n->op) {
	case OP_LT:
		return c < 0;
	case OP_LTE:
		return c <= 0;
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_GTE:
		return c >= 0;
	default: /* OP_GT */
		return c > 0;
	}
}

/* A terminal operator on a value (raw: compare as _id). */
static int match_operator(const struct mango_node *n, const json_t *v, int raw)
{
	switch (n->op) {
	case OP_LT:
	case OP_LTE:
	case OP_EQ:
	case OP_NE:
	case OP_GTE:
	case OP_GT:
		return match_compare(n, v, raw);
	case OP_IN:
		return match_in(n->arg, v, raw);
	case OP_NIN:
		return !match_in(n->arg, v, raw);
	case OP_EXISTS:
		return json_is_true(n->arg); /* the value is there */
	case OP_TYPE:
		return strcmp(type_name(v), json_string_value(n->arg)) == 0;
	case OP_MOD:
		return match_mod(n->arg, v);
	case OP_REGEX:
		return json_is_string(v) && n->has_re && regexec(&n->re, json_string_value(v), 0, NULL, 0) == 0;
	case OP_BEGINS:
		return json_is_string(v) &&
		       strncmp(json_string_value(v), json_string_value(n->arg), json_string_length(n->arg)) == 0;
	case OP_SIZE:
		return json_is_array(v) && (json_int_t)json_array_size(v) == json_integer_value(n->arg);
	case OP_ALL:
		return match_all(n->arg, v);
	case OP_ELEMMATCH:
	case OP_ALLMATCH:
		return match_elements(n, v);
	default:
		return 0;
	}
}

/* A field condition: the value at its path (from the row's columns, or in v), missing and bad paths apart. */
static int match_field(const struct mango_node *n, const json_t *v, int raw, struct mango_row *row)
{
	if (n->path.n == 0 && row == NULL) /* "" inside $elemMatch/$allMatch: the element itself */
		return match(n->kids[0], v, raw, NULL);
	const json_t *sub = NULL;
	enum mango_lookup r =
		row != NULL ? mango_docs_field(row, &n->path, n->slot, &sub) : mango_path_get(v, &n->path, &sub);
	if (r == MANGO_MISSING)
		return n->exists_false;
	if (r == MANGO_BAD_PATH)
		return 0;
	return match(n->kids[0], sub, n->raw, NULL);
}

/* mango_selector match/3 on a value v, or on a row's doc when row is not NULL. */
static int match(const struct mango_node *n, const json_t *v, int raw, struct mango_row *row)
{
	switch (n->op) {
	case OP_TRUE:
		return 1;
	case OP_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!match(n->kids[i], v, raw, row))
				return 0;
		return 1;
	case OP_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (match(n->kids[i], v, raw, row))
				return 1;
		return 0;
	case OP_NOT:
		return !match(n->kids[0], v, raw, row);
	case OP_FIELD:
		return match_field(n, v, raw, row);
	default:
		if (row != NULL && (v = mango_docs_whole(row)) == NULL)
			return 0; /* an operator on the doc itself: only the whole doc will do */
		return match_operator(n, v, raw);
	}
}

int mango_match_row(const struct mango_node *n, struct mango_row *row)
{
	return match(n, NULL, 0, row);
}

int mango_match_normalized(const json_t *normalized, const json_t *doc)
{
	struct mango_node *n = mango_match_compile(normalized, NULL);
	int ok = n != NULL && match(n, doc, 0, NULL);
	mango_match_free(n);
	return ok;
}

int mango_match(const json_t *selector, const json_t *doc)
{
	char err[ERR_MAX];
	json_t *norm = mango_selector_normalize(selector, NULL, err);
	if (norm == NULL)
		return 0;
	int ok = mango_match_normalized(norm, doc);
	json_decref(norm);
	return ok;
}
