/*
 * CouchDB's error reasons for Mango (src/mango/src/mango_error.erl), which
 * quote the offending JSON as Erlang's io_lib ~w prints jiffy's EJSON.
 */
#include "fake-stack/data/mango_int.h"

#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int mango_error_set(struct mango_error *e, int status, const char *name, char *err, const char *fmt, const json_t *v)
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
