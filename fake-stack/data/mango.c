/*
 * Mango (CouchDB _find): selector normalization and matching with CouchDB's
 * semantics (src/mango/src/mango_selector.erl), request validation and error
 * reasons (mango_opts.erl, mango_sort.erl, mango_error.erl), field paths
 * (mango_doc.erl get_field), projection (mango_fields.erl).
 *
 * $regex: CouchDB uses PCRE (Erlang re); we use POSIX extended regexes as an
 * approximation, with \d, \D and a leading (?i) translated. Patterns using
 * other PCRE-only syntax (lazy quantifiers, lookarounds) are refused as a bad
 * argument where CouchDB would accept them.
 */
#include "fake-stack/data/mango.h"

#include "common/buf.h"
#include "common/err.h"

#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors, with Erlang's ~w rendering of the offending JSON ---- */

/* Append v as Erlang's io_lib ~w prints jiffy's EJSON ({[{<<"k">>,V}]}, <<"s">>, [..]). */
static void fmt_term(struct buf *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		buf_puts(b, "{[");
		const char *k;
		json_t *x;
		int first = 1;
		json_object_foreach ((json_t *)v, k, x) {
			buf_puts(b, first ? "{<<\"" : ",{<<\"");
			buf_puts(b, k);
			buf_puts(b, "\">>,");
			fmt_term(b, x);
			buf_puts(b, "}");
			first = 0;
		}
		buf_puts(b, "]}");
		break;
	}
	case JSON_ARRAY: {
		buf_puts(b, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				buf_puts(b, ",");
			fmt_term(b, json_array_get(v, i));
		}
		buf_puts(b, "]");
		break;
	}
	case JSON_STRING:
		buf_printf(b, "<<\"%s\">>", json_string_value(v));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL: {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
		/* shortest form that reads back, as Erlang prints floats */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec, json_real_value(v));
			if (strtod(tmp, NULL) == json_real_value(v))
				break;
		}
		buf_puts(b, tmp);
		if (strpbrk(tmp, ".e") == NULL)
			buf_puts(b, ".0");
		break;
	}
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	default:
		buf_puts(b, "null");
	}
}

/* Fill e and err: fmt's single "%T" is replaced by the ~w rendering of v. */
static int fail(struct mango_error *e, int status, const char *name, char *err, const char *fmt, const json_t *v)
{
	if (e != NULL) {
		e->status = status;
		e->error = name;
	}
	struct buf b = {0};
	const char *t = strstr(fmt, "%T");
	if (t == NULL) {
		buf_puts(&b, fmt);
	} else {
		buf_append(&b, fmt, (size_t)(t - fmt));
		if (v != NULL)
			fmt_term(&b, v);
		else
			buf_puts(&b, "undefined");
		buf_puts(&b, t + 2);
	}
	err_set(err, "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
	return -1;
}

/* ---- normalization (mango_selector normalize: norm_ops, norm_fields, norm_negations) ---- */

static const char *only_key(const json_t *o, json_t **val)
{
	if (!json_is_object(o) || json_object_size(o) != 1)
		return NULL;
	void *it = json_object_iter((json_t *)o);
	*val = json_object_iter_value(it);
	return json_object_iter_key(it);
}

static json_t *pair(const char *k, json_t *v /* stolen */)
{
	json_t *o = json_object();
	json_object_set_new(o, k, v);
	return o;
}

/* Translate the PCRE bits we support into POSIX ERE; *icase set by a leading (?i). */
static char *regex_to_ere(const char *re, int *icase)
{
	struct buf b = {0};
	*icase = 0;
	if (strncmp(re, "(?i)", 4) == 0) {
		*icase = 1;
		re += 4;
	}
	int in_class = 0;
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			if (!in_class && (p[1] == 'd' || p[1] == 'D')) {
				buf_puts(&b, p[1] == 'd' ? "[0-9]" : "[^0-9]");
			} else {
				buf_append(&b, p, 2);
			}
			p++;
			continue;
		}
		if (*p == '[')
			in_class = 1;
		else if (*p == ']')
			in_class = 0;
		buf_append(&b, p, 1);
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_steal(&b);
}

static int regex_compiles(const char *re)
{
	int icase;
	char *ere = regex_to_ere(re, &icase);
	regex_t rx;
	int rc = regcomp(&rx, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	free(ere);
	if (rc == 0)
		regfree(&rx);
	return rc == 0;
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
	fail(e, 400, "bad_arg", err, fmt, arg);
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
	const char *k = only_key(sel, &arg);
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
		fail(e, 400, "not_supported", err, fmt, NULL);
		return NULL;
	}
	if (k[0] == '$') {
		fail(e, 400, "invalid_operator", err, "Invalid operator: ", NULL);
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
	const char *k = only_key(sel, &arg);
	if (k == NULL) {
		if (json_is_object(sel) && json_object_size(sel) == 0)
			return pair(path, json_object());
		fail(e, 400, "bad_field", err, "Invalid field normalization on selector: %T", sel);
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
	const char *k = only_key(sel, &arg);
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
	const char *k = only_key(sel, &arg);
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
		fail(e, 400, "invalid_selector_json", err, "Selector must be a JSON object, not: %T", selector);
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
		fail(e, 400, "invalid_selector", err, "One or more conditions is missing a field name.", NULL);
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

/* ---- paths ---- */


/* mango_util parse_field: split on '.', "\." is a literal dot. */
static int path_parse(const char *s, struct mango_path *p)
{
	p->segs = NULL;
	p->n = 0;
	if (*s == '\0')
		return 0;
	struct buf seg = {0};
	for (;; s++) {
		if (*s == '\\' && s[1] == '.') {
			buf_append(&seg, ".", 1);
			s++;
			continue;
		}
		if (*s == '.' || *s == '\0') {
			char **more = realloc(p->segs, (p->n + 1) * sizeof(*more));
			if (more == NULL) {
				buf_free(&seg);
				return -1;
			}
			p->segs = more;
			if (seg.data == NULL)
				buf_puts(&seg, "");
			p->segs[p->n++] = buf_steal(&seg);
			if (*s == '\0')
				break;
			continue;
		}
		buf_append(&seg, s, 1);
	}
	return 0;
}

void mango_path_free(struct mango_path *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->segs[i]);
	free(p->segs);
	p->segs = NULL;
	p->n = 0;
}

int mango_path_equal(const struct mango_path *a, const struct mango_path *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->segs[i], b->segs[i]) != 0)
			return 0;
	return 1;
}

int mango_path_copy(struct mango_path *dst, const struct mango_path *src)
{
	dst->n = 0;
	dst->segs = calloc(src->n + 1, sizeof(*dst->segs));
	if (dst->segs == NULL)
		return -1;
	for (; dst->n < src->n; dst->n++)
		if ((dst->segs[dst->n] = strdup(src->segs[dst->n])) == NULL) {
			mango_path_free(dst);
			return -1;
		}
	return 0;
}

enum lookup { FOUND = MANGO_FOUND, NOT_FOUND = MANGO_MISSING, BAD_PATH = MANGO_BAD_PATH };

/* mango_doc get_field: objects by key, arrays by a decimal index, anything else is a bad path. */
static enum lookup path_get(const json_t *v, const struct mango_path *p, const json_t **out)
{
	for (size_t i = 0; i < p->n; i++) {
		if (json_is_object(v)) {
			v = json_object_get(v, p->segs[i]);
			if (v == NULL)
				return NOT_FOUND;
		} else if (json_is_array(v)) {
			char *end;
			const char *s = p->segs[i];
			if (*s == '\0' || (*s == '-' && s[1] == '\0'))
				return BAD_PATH;
			long pos = strtol(s, &end, 10);
			if (*end != '\0' || pos < 0 || (size_t)pos >= json_array_size(v))
				return BAD_PATH;
			v = json_array_get(v, (size_t)pos);
		} else {
			return BAD_PATH;
		}
	}
	*out = v;
	return FOUND;
}

enum mango_lookup mango_path_get(const json_t *doc, const struct mango_path *p, const json_t **out)
{
	return (enum mango_lookup)path_get(doc, p, out);
}

const json_t *mango_get_path(const json_t *doc, const char *path)
{
	struct mango_path p;
	if (path_parse(path, &p) < 0)
		return NULL;
	const json_t *v = NULL;
	enum lookup r = path_get(doc, &p, &v);
	mango_path_free(&p);
	return r == FOUND ? v : NULL;
}

/* ---- compiled matcher ---- */

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

struct node {
	enum op op;
	struct node **kids;
	size_t nkids;
	struct mango_path path;   /* OP_FIELD */
	size_t slot;        /* OP_FIELD at the top level: its member's key number in the _find's key set */
	int raw;            /* OP_FIELD on _id: raw (byte) comparison, as mango_json cmp_raw */
	int exists_false;   /* OP_FIELD whose condition is exactly {$exists:false} */
	const json_t *arg;  /* borrowed from the normalized selector */
	regex_t re;
	int has_re;
};

static void node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
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
	{"$and", OP_AND},     {"$or", OP_OR},		{"$not", OP_NOT},	    {"$lt", OP_LT},
	{"$lte", OP_LTE},     {"$eq", OP_EQ},		{"$ne", OP_NE},		    {"$gte", OP_GTE},
	{"$gt", OP_GT},	      {"$in", OP_IN},		{"$nin", OP_NIN},	    {"$exists", OP_EXISTS},
	{"$type", OP_TYPE},   {"$mod", OP_MOD},		{"$regex", OP_REGEX},	    {"$size", OP_SIZE},
	{"$all", OP_ALL},     {"$elemMatch", OP_ELEMMATCH}, {"$allMatch", OP_ALLMATCH}, {"$beginsWith", OP_BEGINS},
};

/* The field paths a _find reads at the top level of its docs (mango_docs want/field key numbers). */
struct keyset {
	struct mango_path *paths;
	size_t n;
};

/* The key number of a path (copied when new); -1 when out of memory. */
static long keyset_add(struct keyset *ks, const struct mango_path *p)
{
	for (size_t i = 0; i < ks->n; i++)
		if (mango_path_equal(&ks->paths[i], p))
			return (long)i;
	struct mango_path *more = realloc(ks->paths, (ks->n + 1) * sizeof(*more));
	if (more == NULL)
		return -1;
	ks->paths = more;
	if (mango_path_copy(&ks->paths[ks->n], p) < 0)
		return -1;
	return (long)ks->n++;
}

static void keyset_free(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		mango_path_free(&ks->paths[i]);
	free(ks->paths);
}

static struct node *compile(const json_t *sel, struct keyset *ks);

static int add_kid(struct node *n, struct node *kid)
{
	if (kid == NULL)
		return -1;
	struct node **more = realloc(n->kids, (n->nkids + 1) * sizeof(*more));
	if (more == NULL) {
		node_free(kid);
		return -1;
	}
	n->kids = more;
	n->kids[n->nkids++] = kid;
	return 0;
}

/*
 * Turn a normalized selector into a node tree (regexes compiled once). ks
 * (NULL below a field) collects the top-level members the fields read.
 */
static struct node *compile(const json_t *sel, struct keyset *ks)
{
	struct node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	json_t *arg = NULL;
	const char *k = only_key(sel, &arg);
	if (k == NULL) {
		n->op = OP_TRUE; /* the empty selector */
		return n;
	}
	n->arg = arg;
	if (k[0] != '$') {
		n->op = OP_FIELD;
		n->raw = strcmp(k, "_id") == 0;
		json_t *ea = NULL;
		const char *ek = only_key(arg, &ea);
		n->exists_false = ek != NULL && is_op(ek, "$exists") && json_is_false(ea);
		if (path_parse(k, &n->path) < 0 || add_kid(n, compile(arg, NULL)) < 0) {
			node_free(n);
			return NULL;
		}
		long slot = ks != NULL && n->path.n > 0 ? keyset_add(ks, &n->path) : 0;
		if (slot < 0) {
			node_free(n);
			return NULL;
		}
		n->slot = (size_t)slot;
		return n;
	}
	n->op = OP_TRUE;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(*op_names); i++)
		if (is_op(k, op_names[i].name))
			n->op = op_names[i].op;
	int rc = 0;
	if (n->op == OP_AND || n->op == OP_OR) {
		for (size_t i = 0; rc == 0 && i < json_array_size(arg); i++)
			rc = add_kid(n, compile(json_array_get(arg, i), ks));
	} else if (n->op == OP_NOT) {
		rc = add_kid(n, compile(arg, ks));
	} else if (n->op == OP_ELEMMATCH || n->op == OP_ALLMATCH) {
		rc = add_kid(n, compile(arg, NULL));
	} else if (n->op == OP_REGEX) {
		int icase;
		char *ere = regex_to_ere(json_string_value(arg), &icase);
		n->has_re = regcomp(&n->re, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0)) == 0;
		free(ere);
	}
	if (rc < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

static int cmp_values(const json_t *a, const json_t *b, int raw)
{
	/* mango_json cmp_raw (for _id): Erlang term order; for strings, byte order */
	if (raw && json_is_string(a) && json_is_string(b)) {
		int c = strcmp(json_string_value(a), json_string_value(b));
		return (c > 0) - (c < 0);
	}
	return mango_collate(a, b);
}

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

static int any_equal(const json_t *args, const json_t *v, int raw)
{
	for (size_t i = 0; i < json_array_size(args); i++)
		if (cmp_values(v, json_array_get(args, i), raw) == 0)
			return 1;
	return 0;
}

/* A doc of a mango_docs being matched: members come from its columns, the whole doc only when needed. */
struct row {
	const struct mango_docs *docs;
	size_t i;
	json_t *whole; /* loaded on demand, freed by the caller */
};

static const json_t *row_whole(struct row *r)
{
	if (r->whole == NULL)
		r->whole = r->docs->doc(r->docs->ctx, r->i);
	return r->whole;
}

/* The value at a path of a row's doc (key number slot in the _find's key set), "" being the doc itself. */
static enum lookup row_get(struct row *r, const struct mango_path *p, size_t slot, const json_t **out)
{
	if (p->n == 0) {
		*out = row_whole(r);
		return *out != NULL ? FOUND : NOT_FOUND;
	}
	return (enum lookup)r->docs->field(r->docs->ctx, r->i, slot, out);
}

/* mango_selector match/3 on a value v, or on a row's doc when row is not NULL. */
static int match(const struct node *n, const json_t *v, int raw, struct row *row)
{
	if (row != NULL && n->op != OP_TRUE && n->op != OP_AND && n->op != OP_OR && n->op != OP_NOT &&
	    n->op != OP_FIELD) {
		/* an operator on the doc itself: only the whole doc will do */
		v = row_whole(row);
		row = NULL;
		if (v == NULL)
			return 0;
	}
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
	case OP_FIELD: {
		if (n->path.n == 0 && row == NULL) /* "" inside $elemMatch/$allMatch: the element itself */
			return match(n->kids[0], v, raw, NULL);
		const json_t *sub = NULL;
		enum lookup r = row != NULL ? row_get(row, &n->path, n->slot, &sub) : path_get(v, &n->path, &sub);
		if (r == NOT_FOUND)
			return n->exists_false;
		if (r == BAD_PATH)
			return 0;
		return match(n->kids[0], sub, n->raw, NULL);
	}
	case OP_LT:
		return cmp_values(v, n->arg, raw) < 0;
	case OP_LTE:
		return cmp_values(v, n->arg, raw) <= 0;
	case OP_EQ:
		return cmp_values(v, n->arg, raw) == 0;
	case OP_NE:
		return cmp_values(v, n->arg, raw) != 0;
	case OP_GTE:
		return cmp_values(v, n->arg, raw) >= 0;
	case OP_GT:
		return cmp_values(v, n->arg, raw) > 0;
	case OP_IN:
		if (json_is_array(v)) {
			for (size_t i = 0; i < json_array_size(v); i++)
				if (any_equal(n->arg, json_array_get(v, i), raw))
					return 1;
			return 0;
		}
		return any_equal(n->arg, v, raw);
	case OP_NIN:
		if (json_is_array(v)) {
			for (size_t i = 0; i < json_array_size(v); i++)
				if (any_equal(n->arg, json_array_get(v, i), raw))
					return 0;
			return 1;
		}
		return !any_equal(n->arg, v, raw);
	case OP_EXISTS:
		return json_is_true(n->arg); /* the value is there */
	case OP_TYPE:
		return strcmp(type_name(v), json_string_value(n->arg)) == 0;
	case OP_MOD: {
		if (!json_is_integer(v))
			return 0;
		json_int_t d = json_integer_value(json_array_get(n->arg, 0));
		json_int_t r = json_integer_value(json_array_get(n->arg, 1));
		if (d == -1)
			return r == 0;
		return json_integer_value(v) % d == r; /* C % truncates like Erlang rem */
	}
	case OP_REGEX:
		return json_is_string(v) && n->has_re && regexec(&n->re, json_string_value(v), 0, NULL, 0) == 0;
	case OP_BEGINS:
		return json_is_string(v) &&
		       strncmp(json_string_value(v), json_string_value(n->arg), json_string_length(n->arg)) == 0;
	case OP_SIZE:
		return json_is_array(v) && (json_int_t)json_array_size(v) == json_integer_value(n->arg);
	case OP_ALL: {
		/* every argument is an element (exact equality, as lists:member), or [A] with A == value */
		if (!json_is_array(v))
			return 0;
		int has_all = 1;
		for (size_t i = 0; has_all && i < json_array_size(n->arg); i++) {
			int found = 0;
			for (size_t j = 0; !found && j < json_array_size(v); j++)
				found = json_equal(json_array_get(n->arg, i), json_array_get(v, j));
			has_all = found;
		}
		if (has_all)
			return 1;
		return json_array_size(n->arg) == 1 && json_is_array(json_array_get(n->arg, 0)) &&
		       json_equal(json_array_get(n->arg, 0), v);
	}
	case OP_ELEMMATCH:
		if (!json_is_array(v))
			return 0;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (match(n->kids[0], json_array_get(v, i), 0, NULL))
				return 1;
		return 0;
	case OP_ALLMATCH:
		if (!json_is_array(v) || json_array_size(v) == 0)
			return 0;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!match(n->kids[0], json_array_get(v, i), 0, NULL))
				return 0;
		return 1;
	}
	return 0;
}

int mango_match_normalized(const json_t *normalized, const json_t *doc)
{
	struct node *n = compile(normalized, NULL);
	int ok = n != NULL && match(n, doc, 0, NULL);
	node_free(n);
	return ok;
}

int mango_match(const json_t *selector, const json_t *doc)
{
	char err[ERR_MAX];
	json_t *norm = mango_normalize(selector, NULL, err);
	if (norm == NULL)
		return 0;
	int ok = mango_match_normalized(norm, doc);
	json_decref(norm);
	return ok;
}

/* ---- _find ---- */

struct sort_spec {
	struct mango_path *paths;
	int *raw;
	size_t *slot; /* each path's first member as a key number (sort_slots) */
	size_t n;
	int desc;
};

static void sort_spec_free(struct sort_spec *s)
{
	for (size_t i = 0; i < s->n; i++)
		mango_path_free(&s->paths[i]);
	free(s->paths);
	free(s->raw);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* Give each sort path's first member a key number; -1 when out of memory. */
static int sort_slots(struct sort_spec *s, struct keyset *ks)
{
	s->slot = calloc(s->n + 1, sizeof(*s->slot));
	if (s->slot == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		long k = s->paths[i].n > 0 ? keyset_add(ks, &s->paths[i]) : 0;
		if (k < 0)
			return -1;
		s->slot[i] = (size_t)k;
	}
	return 0;
}

/* mango_sort new: "field" or {"field":"asc|desc"}, one direction for all. */
static int sort_parse(const json_t *sort, struct sort_spec *s, struct mango_error *e, char *err)
{
	memset(s, 0, sizeof(*s));
	if (sort == NULL)
		return 0;
	if (!json_is_array(sort))
		return fail(e, 400, "invalid_sort_json", err, "Sort must be an array of sort specs, not: %T", sort);
	size_t n = json_array_size(sort);
	s->paths = calloc(n + 1, sizeof(*s->paths));
	s->raw = calloc(n + 1, sizeof(*s->raw));
	if (s->paths == NULL || s->raw == NULL)
		return fail(e, 500, "unknown_error", err, "out of memory", NULL);
	int dir = -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(sort, i);
		const char *name = NULL;
		int desc = 0;
		json_t *d = NULL;
		if (json_is_string(f) && json_string_length(f) > 0) {
			name = json_string_value(f);
		} else if ((name = only_key(f, &d)) != NULL) {
			if (!json_is_string(d) ||
			    (strcmp(json_string_value(d), "asc") != 0 && strcmp(json_string_value(d), "desc") != 0)) {
				sort_spec_free(s);
				return fail(e, 400, "invalid_sort_dir", err, "Invalid sort direction: %T", d);
			}
			desc = strcmp(json_string_value(d), "desc") == 0;
		} else {
			sort_spec_free(s);
			return fail(e, 400, "invalid_sort_field", err, "Invalid sort field: %T", f);
		}
		if (dir != -1 && dir != desc) {
			sort_spec_free(s);
			return fail(e, 400, "unsupported_mixed_sort", err,
				    "Sorts currently only support a single direction for all fields.", NULL);
		}
		dir = desc;
		path_parse(name, &s->paths[s->n]);
		s->raw[s->n] = strcmp(name, "_id") == 0;
		s->n++;
	}
	s->desc = dir == 1;
	return 0;
}

/* A matched doc with its sort keys. */
struct hit {
	size_t i; /* in the mango_docs */
	const json_t **keys;
	const char *id;
	json_t *whole; /* the doc, kept when a sort key lies in it (a sort on "") */
};

static int hit_cmp(const void *a, const void *b, void *ctx)
{
	const struct hit *x = a, *y = b;
	const struct sort_spec *s = ctx;
	int c = 0;
	for (size_t i = 0; c == 0 && i < s->n; i++)
		c = cmp_values(x->keys[i], y->keys[i], s->raw[i]);
	if (c == 0)
		c = strcmp(x->id, y->id); /* view rows with equal keys come by doc id */
	return s->desc ? -c : c;
}

/* Sift hits[i] down in a max-heap of n hits. */
static void heap_down(struct hit *h, size_t n, size_t i, struct sort_spec *s)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && hit_cmp(&h[l], &h[m], s) > 0)
			m = l;
		if (r < n && hit_cmp(&h[r], &h[m], s) > 0)
			m = r;
		if (m == i)
			return;
		struct hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/*
 * Put the first k hits in order at the front (the rest is left unordered):
 * a bounded heap when k is small, as a page of 100 out of 100k docs is the
 * common case, else a full sort.
 */
static void sort_top(struct hit *h, size_t n, size_t k, struct sort_spec *s)
{
	if (k == 0)
		return;
	if (k >= n / 4) {
		qsort_r(h, n, sizeof(*h), hit_cmp, s);
		return;
	}
	for (size_t i = k / 2 + 1; i-- > 0;)
		heap_down(h, k, i, s);
	for (size_t i = k; i < n; i++) {
		if (hit_cmp(&h[i], &h[0], s) < 0) {
			h[0] = h[i];
			heap_down(h, k, 0, s);
		}
	}
	qsort_r(h, k, sizeof(*h), hit_cmp, s);
}

/* mango_fields extract: only the listed paths, nested objects rebuilt. */
static json_t *project(const json_t *doc, const json_t *fields)
{
	json_t *out = json_object();
	for (size_t i = 0; i < json_array_size(fields); i++) {
		struct mango_path p;
		if (path_parse(json_string_value(json_array_get(fields, i)), &p) < 0)
			continue;
		const json_t *v = NULL;
		if (p.n > 0 && path_get(doc, &p, &v) == FOUND) {
			json_t *at = out;
			for (size_t j = 0; j + 1 < p.n; j++) {
				json_t *next = json_object_get(at, p.segs[j]);
				if (!json_is_object(next)) {
					next = json_object();
					json_object_set_new(at, p.segs[j], next);
				}
				at = next;
			}
			json_object_set(at, p.segs[p.n - 1], (json_t *)v);
		}
		mango_path_free(&p);
	}
	return out;
}

/* Our bookmark: "kh1-" + hex of the number of matching rows already consumed. */
static char *bookmark_make(size_t pos)
{
	char *s = NULL;
	if (asprintf(&s, "kh1-%zx", pos) < 0)
		return NULL;
	return s;
}

static int bookmark_read(const json_t *b, size_t *pos, struct mango_error *e, char *err)
{
	*pos = 0;
	if (b == NULL || json_is_null(b))
		return 0;
	const char *s = json_string_value(b);
	if (s != NULL && (s[0] == '\0' || strcmp(s, "nil") == 0))
		return 0;
	char *end = NULL;
	if (s != NULL && strncmp(s, "kh1-", 4) == 0 && s[4] != '\0') {
		unsigned long long v = strtoull(s + 4, &end, 16);
		if (*end == '\0') {
			*pos = (size_t)v;
			return 0;
		}
	}
	/* mango_error: "Invalid bookmark value: ~s" with the JSON encoding */
	char *js = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
	fail(e, 400, "invalid_bookmark", err, "Invalid bookmark value: ", NULL);
	size_t n = strlen(err);
	snprintf(err + n, ERR_MAX - n, "%s", js != NULL ? js : "?");
	free(js);
	return -1;
}

/* A non-negative integer option (limit, skip); -1 with CouchDB's message. */
static int non_neg(const json_t *v, size_t *out, struct mango_error *e, char *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return fail(e, 400, "invalid_non_neg_integer", err, "%T is not an integer greater than or equal to zero", v);
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* mango_opts validate_find: known keys and their types; anything else is invalid_key. */
static int check_request(const json_t *req, struct mango_error *e, char *err)
{
	static const char *const booleans[] = {"conflicts", "update", "stable", "execution_stats"};
	static const char *const known[] = {"selector", "use_index", "bookmark", "limit", "skip", "sort", "fields",
					    "partition", "r", "conflicts", "stale", "update", "stable",
					    "execution_stats"};
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)req, k, v) {
		int ok = 0;
		for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
			ok |= strcmp(k, known[i]) == 0;
		for (size_t i = 0; i < sizeof(booleans) / sizeof(*booleans); i++)
			if (strcmp(k, booleans[i]) == 0 && !json_is_boolean(v))
				return fail(e, 400, "invalid_boolean", err, "Invalid boolean value: %T", v);
		if (!ok) {
			fail(e, 400, "invalid_key", err, "Invalid key ", NULL);
			size_t n = strlen(err);
			snprintf(err + n, ERR_MAX - n, "%s for this request.", k);
			return -1;
		}
	}
	const json_t *ui = json_object_get(req, "use_index");
	if (ui != NULL && !json_is_null(ui) && !json_is_string(ui) &&
	    !(json_is_array(ui) && json_array_size(ui) <= 2 &&
	      (json_array_size(ui) == 0 || json_is_string(json_array_get(ui, 0))) &&
	      (json_array_size(ui) < 2 || json_is_string(json_array_get(ui, 1)))))
		return fail(e, 400, "invalid_index_name", err, "Invalid index name: %T", ui);
	const json_t *fields = json_object_get(req, "fields");
	if (fields != NULL) {
		if (!json_is_array(fields))
			return fail(e, 400, "invalid_fields", err, "Fields must be an array of strings, not: %T", fields);
		for (size_t i = 0; i < json_array_size(fields); i++)
			if (!json_is_string(json_array_get(fields, i)))
				return fail(e, 400, "invalid_field", err, "Invalid JSON for field spec: %T",
					    json_array_get(fields, i));
	}
	return 0;
}

int mango_find(const json_t *request, const struct mango_docs *docs, const struct mango_index *index,
	       struct mango_result *res, char *err)
{
	memset(res, 0, sizeof(*res));
	struct mango_error *e = &res->error;
	if (!json_is_object(request))
		return fail(e, 400, "bad_request", err, "Request body must be a JSON object", NULL);
	if (check_request(request, e, err) < 0)
		return -1;
	const json_t *selector = json_object_get(request, "selector");
	if (selector == NULL)
		return fail(e, 400, "missing_required_key", err, "Missing required key: selector", NULL);
	/* stack: web/data/data.go findDocuments forces limit to 100 when absent or over 1000 */
	const json_t *jl = json_object_get(request, "limit");
	size_t limit = 100, skip = 0, start = 0;
	if (json_is_number(jl) && json_number_value(jl) <= 1000 && non_neg(jl, &limit, e, err) < 0)
		return -1;
	const json_t *js = json_object_get(request, "skip");
	if (js != NULL && non_neg(js, &skip, e, err) < 0)
		return -1;
	if (bookmark_read(json_object_get(request, "bookmark"), &start, e, err) < 0)
		return -1;
	struct sort_spec sort;
	if (sort_parse(json_object_get(request, "sort"), &sort, e, err) < 0)
		return -1;
	json_t *norm = mango_normalize(selector, e, err);
	if (norm == NULL) {
		sort_spec_free(&sort);
		return -1;
	}
	/* The index order: explicit sort, else the index's fields, else _id. */
	struct sort_spec *order = &sort;
	struct sort_spec idx = {0};
	struct node *partial = NULL;
	json_t *pnorm = NULL;
	struct keyset ks = {0};
	int oom = 0;
	if (index != NULL && index->fields != NULL) {
		if (sort.n == 0 && sort_parse(index->fields, &idx, NULL, err) == 0)
			order = &idx;
		if (index->partial_filter != NULL && json_object_size(index->partial_filter) > 0 &&
		    (pnorm = mango_normalize(index->partial_filter, NULL, err)) != NULL)
			oom |= (partial = compile(pnorm, &ks)) == NULL;
	}
	/* A json index only holds docs having every indexed field (sort fields included). */
	struct sort_spec need = {0};
	if (index != NULL && index->fields != NULL)
		sort_parse(index->fields, &need, NULL, err);

	struct node *root = compile(norm, &ks);
	oom |= root == NULL || sort_slots(order, &ks) < 0 || sort_slots(&need, &ks) < 0;
	size_t n = docs->n;
	struct hit *hits = malloc((n + 1) * sizeof(*hits));
	const json_t **keys = malloc((n * (order->n + 1) + 1) * sizeof(*keys));
	oom |= hits == NULL || keys == NULL || docs->want(docs->ctx, ks.paths, ks.n) < 0;
	size_t nh = 0;
	int order_whole = 0; /* a sort path "" makes the whole doc a sort key */
	for (size_t j = 0; j < order->n; j++)
		order_whole |= order->paths[j].n == 0;
	for (size_t i = 0; !oom && i < n; i++) {
		const char *id = docs->id(docs->ctx, i);
		if (id == NULL || (id[0] == '_' && strncmp(id, "_design/", 8) == 0))
			continue; /* design docs are not in Mango results */
		struct row row = {docs, i, NULL};
		/* the selector first: most docs fail it */
		int ok = match(root, NULL, 0, &row) && (partial == NULL || match(partial, NULL, 0, &row));
		const json_t *v;
		for (size_t j = 0; ok && j < need.n; j++)
			ok = row_get(&row, &need.paths[j], need.slot[j], &v) == FOUND;
		const json_t **k = keys + nh * (order->n + 1);
		for (size_t j = 0; ok && j < order->n; j++)
			ok = row_get(&row, &order->paths[j], order->slot[j], &k[j]) == FOUND;
		if (ok && order_whole) {
			hits[nh++] = (struct hit){i, k, id, row.whole};
			continue;
		}
		json_decref(row.whole); /* the sort keys come from the columns */
		if (ok)
			hits[nh++] = (struct hit){i, k, id, NULL};
	}
	size_t from = start + skip;
	if (!oom && order->n > 0)
		sort_top(hits, nh, from + limit, order);

	res->total = nh;
	res->limit = limit;
	res->docs = json_array();
	const json_t *fields = json_object_get(request, "fields");
	for (size_t i = from; !oom && i < nh && i - from < limit; i++) {
		json_t *doc = docs->doc(docs->ctx, hits[i].i);
		if (doc == NULL) {
			oom = 1;
			break;
		}
		json_array_append_new(res->docs, json_array_size(fields) > 0 ? project(doc, fields) : json_incref(doc));
		json_decref(doc);
	}
	size_t got = json_array_size(res->docs);
	res->next = got >= limit;
	res->bookmark = got > 0 ? bookmark_make(from + got) : strdup("");
	oom |= res->docs == NULL || res->bookmark == NULL;
	node_free(root);
	node_free(partial);
	json_decref(pnorm);
	json_decref(norm);
	for (size_t i = 0; hits != NULL && i < nh; i++)
		json_decref(hits[i].whole);
	free(hits);
	free(keys);
	keyset_free(&ks);
	sort_spec_free(&sort);
	sort_spec_free(&idx);
	sort_spec_free(&need);
	if (oom) {
		mango_result_clear(res);
		return fail(e, 500, "unknown_error", err, "out of memory", NULL);
	}
	return 0;
}

static const char *array_id(void *ctx, size_t i)
{
	const struct mango_array *a = ctx;
	return json_string_value(json_object_get(a->docs[i], "_id"));
}

static int array_want(void *ctx, const struct mango_path *paths, size_t npaths)
{
	struct mango_array *a = ctx;
	(void)npaths;
	a->paths = paths;
	return 0;
}

static enum mango_lookup array_field(void *ctx, size_t i, size_t k, const json_t **out)
{
	const struct mango_array *a = ctx;
	return mango_path_get(a->docs[i], &a->paths[k], out);
}

static json_t *array_doc(void *ctx, size_t i)
{
	const struct mango_array *a = ctx;
	return json_incref(a->docs[i]);
}

void mango_docs_array(struct mango_docs *docs, struct mango_array *arr, json_t *const *trees, size_t n)
{
	arr->docs = trees;
	arr->paths = NULL;
	*docs = (struct mango_docs){n, arr, array_id, array_want, array_field, array_doc};
}

void mango_result_clear(struct mango_result *res)
{
	json_decref(res->docs);
	free(res->bookmark);
	res->docs = NULL;
	res->bookmark = NULL;
}
