/* The Go struct round-trip of an account document (see account_doc.h). */
#include "fake-stack/accounts/account_doc.h"

#include "common/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind {
	K_STRING,
	K_INT,
	K_BOOL,
	K_TIME,
	K_MAP_ANY,        /* map[string]interface{} */
	K_STRUCT_PTR,     /* *struct */
	K_SLICE_MAP_ANY,  /* []map[string]interface{} */
	K_SLICE_STRUCT,   /* []*struct */
	K_URL_VALUES_PTR, /* *url.Values: map[string][]string */
};

struct gotype;

struct field {
	const char *name;
	enum kind kind;
	int omitempty;
	const struct gotype *sub; /* K_STRUCT_PTR, K_SLICE_STRUCT */
};

struct gotype {
	const char *go_name; /* for error texts: "account.BasicInfo" */
	const struct field *fields;
	size_t n;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* stack: pkg/metadata/metadata.go UpdatedByAppEntry */
static const struct field updated_by_fields[] = {
	{"slug", K_STRING, 0, NULL},
	{"date", K_TIME, 0, NULL},
	{"version", K_STRING, 1, NULL},
	{"instance", K_STRING, 1, NULL},
};
static const struct gotype updated_by_type = {"metadata.UpdatedByAppEntry", updated_by_fields, N(updated_by_fields)};

/* stack: pkg/metadata/metadata.go CozyMetadata */
static const struct field metadata_fields[] = {
	{"doctypeVersion", K_STRING, 0, NULL}, {"metadataVersion", K_INT, 0, NULL},
	{"favorite", K_BOOL, 1, NULL},         {"createdAt", K_TIME, 0, NULL},
	{"createdByApp", K_STRING, 1, NULL},   {"createdByAppVersion", K_STRING, 1, NULL},
	{"updatedAt", K_TIME, 0, NULL},        {"updatedByApps", K_SLICE_STRUCT, 1, &updated_by_type},
	{"sourceAccount", K_STRING, 1, NULL},  {"sourceAccountIdentifier", K_STRING, 1, NULL},
};
static const struct gotype metadata_type = {"metadata.CozyMetadata", metadata_fields, N(metadata_fields)};

/* stack: model/account/accounts.go BasicInfo */
static const struct field basic_fields[] = {
	{"login", K_STRING, 1, NULL},
	{"email", K_STRING, 1, NULL},
	{"identifier", K_STRING, 1, NULL},
	{"new_identifier", K_STRING, 1, NULL},
	{"accountName", K_STRING, 1, NULL},
	{"password", K_STRING, 1, NULL},
	{"credentials_encrypted", K_STRING, 1, NULL},
	{"token", K_STRING, 1, NULL},
};
static const struct gotype basic_type = {"account.BasicInfo", basic_fields, N(basic_fields)};

/* stack: model/account/accounts.go OauthInfo (expires_at has omitempty, which a struct ignores) */
static const struct field oauth_fields[] = {
	{"access_token", K_STRING, 1, NULL},  {"token_type", K_STRING, 1, NULL}, {"expires_at", K_TIME, 0, NULL},
	{"refresh_token", K_STRING, 1, NULL}, {"client_id", K_STRING, 1, NULL},  {"client_secret", K_STRING, 1, NULL},
	{"query", K_URL_VALUES_PTR, 1, NULL},
};
static const struct gotype oauth_type = {"account.OauthInfo", oauth_fields, N(oauth_fields)};

/* stack: model/account/accounts.go Account */
static const struct field account_fields[] = {
	{"_id", K_STRING, 1, NULL},
	{"_rev", K_STRING, 1, NULL},
	{"relationships", K_MAP_ANY, 1, NULL},
	{"cozyMetadata", K_STRUCT_PTR, 1, &metadata_type},
	{"account_type", K_STRING, 0, NULL},
	{"name", K_STRING, 0, NULL},
	{"folderPath", K_STRING, 1, NULL},
	{"defaultFolderPath", K_STRING, 1, NULL},
	{"identifier", K_STRING, 1, NULL},
	{"auth", K_STRUCT_PTR, 1, &basic_type},
	{"oauth", K_STRUCT_PTR, 1, &oauth_type},
	{"oauth_callback_results", K_MAP_ANY, 1, NULL},
	{"data", K_MAP_ANY, 1, NULL},
	{"state", K_STRING, 1, NULL},
	{"twoFACode", K_STRING, 1, NULL},
	{"mutedErrors", K_SLICE_MAP_ANY, 1, NULL},
	{"token", K_STRING, 1, NULL},
	{"user_id", K_STRING, 1, NULL},
	{"manual_cleaning", K_BOOL, 1, NULL},
};
static const struct gotype account_type = {"account.Account", account_fields, N(account_fields)};

/* The JSON kind word Go puts in an UnmarshalTypeError. */
static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "number";
	}
}

static int type_error(char *err, const json_t *v, const char *path, const char *gotype)
{
	return err_set(err, "json: cannot unmarshal %s into Go struct field Account.%s of type %s", json_kind(v), path,
		       gotype);
}

/* An interface{} value as Go re-encodes it: object keys sorted, integral floats as integers. */
static json_t *any_normalize(const json_t *v)
{
	if (json_is_object(v)) {
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n + 1) * sizeof(*keys));
		const char *k;
		json_t *x;
		json_object_foreach ((json_t *)v, k, x)
			keys[i++] = k;
		for (size_t a = 1; a < n; a++)
			for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
				const char *t = keys[b];
				keys[b] = keys[b - 1];
				keys[b - 1] = t;
			}
		json_t *out = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(out, keys[i], any_normalize(json_object_get(v, keys[i])));
		free(keys);
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *x;
		json_array_foreach (v, i, x)
			json_array_append_new(out, any_normalize(x));
		return out;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == (double)(long long)d && d > -9007199254740992.0 && d < 9007199254740992.0)
			return json_integer((json_int_t)d);
	}
	return json_deep_copy(v);
}

static int decode_struct(const json_t *v, const struct gotype *t, const char *path, json_t **out, char *err);

/* Decode one field value; *out gets the normalised value, or NULL for Go's zero/nil. Returns -1 on a type error. */
static int decode_field(const json_t *v, const struct field *f, const char *path, json_t **out, char *err)
{
	switch (f->kind) {
	case K_STRING:
		if (!json_is_string(v))
			return type_error(err, v, path, "string");
		*out = json_deep_copy(v);
		return 0;
	case K_INT:
		if (json_is_real(v))
			return err_set(err,
				       "json: cannot unmarshal number %g into Go struct field Account.%s of type int",
				       json_real_value(v), path);
		if (!json_is_integer(v))
			return type_error(err, v, path, "int");
		*out = json_deep_copy(v);
		return 0;
	case K_BOOL:
		if (!json_is_boolean(v))
			return type_error(err, v, path, "bool");
		*out = json_deep_copy(v);
		return 0;
	case K_TIME: {
		char buf[64];
		if (!json_is_string(v))
			return err_set(err, "Time.UnmarshalJSON: input is not a JSON string");
		if (account_doc_time_normalize(json_string_value(v), buf, sizeof(buf)) < 0)
			return err_set(
				err,
				"parsing time \"\\\"%s\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse",
				json_string_value(v));
		*out = json_string(buf);
		return 0;
	}
	case K_MAP_ANY:
		if (!json_is_object(v))
			return type_error(err, v, path, "map[string]interface {}");
		*out = any_normalize(v);
		return 0;
	case K_STRUCT_PTR:
		if (!json_is_object(v))
			return type_error(err, v, path, f->sub->go_name);
		return decode_struct(v, f->sub, path, out, err);
	case K_SLICE_MAP_ANY:
	case K_SLICE_STRUCT: {
		if (!json_is_array(v))
			return type_error(err, v, path,
					  f->kind == K_SLICE_MAP_ANY ? "[]map[string]interface {}"
								     : "[]*metadata.UpdatedByAppEntry");
		json_t *arr = json_array();
		size_t i;
		json_t *x;
		json_array_foreach (v, i, x) {
			json_t *el = NULL;
			if (json_is_null(x)) {
				el = json_null();
			} else if (!json_is_object(x)) {
				json_decref(arr);
				return type_error(err, x, path,
						  f->kind == K_SLICE_MAP_ANY ? "map[string]interface {}"
									     : f->sub->go_name);
			} else if (f->kind == K_SLICE_MAP_ANY) {
				el = any_normalize(x);
			} else if (decode_struct(x, f->sub, path, &el, err) < 0) {
				json_decref(arr);
				return -1;
			}
			json_array_append_new(arr, el);
		}
		*out = arr;
		return 0;
	}
	case K_URL_VALUES_PTR: {
		if (!json_is_object(v))
			return type_error(err, v, path, "url.Values");
		const char *k;
		json_t *x;
		json_object_foreach ((json_t *)v, k, x) {
			if (json_is_null(x))
				continue;
			if (!json_is_array(x))
				return type_error(err, x, path, "[]string");
			size_t i;
			json_t *s;
			json_array_foreach (x, i, s)
				if (!json_is_string(s))
					return type_error(err, s, path, "string");
		}
		*out = any_normalize(v);
		return 0;
	}
	}
	return err_set(err, "unknown field kind");
}

/* Is a present value empty in omitempty's sense? */
static int is_empty(const json_t *v, enum kind k)
{
	switch (k) {
	case K_STRING:
		return json_string_length(v) == 0;
	case K_INT:
		return json_integer_value(v) == 0;
	case K_BOOL:
		return json_is_false(v);
	case K_MAP_ANY:
		return json_object_size(v) == 0;
	case K_SLICE_MAP_ANY:
	case K_SLICE_STRUCT:
		return json_array_size(v) == 0;
	default:
		return 0; /* non-nil pointers and times are never empty */
	}
}

/* The zero value Go encodes for a field without omitempty. */
static json_t *zero_of(enum kind k)
{
	switch (k) {
	case K_STRING:
		return json_string("");
	case K_INT:
		return json_integer(0);
	case K_BOOL:
		return json_false();
	case K_TIME:
		return json_string("0001-01-01T00:00:00Z");
	default:
		return json_null();
	}
}

/* Decode v into the struct t and encode it again (fields in struct order). */
static int decode_struct(const json_t *v, const struct gotype *t, const char *path, json_t **out, char *err)
{
	json_t **vals = calloc(t->n, sizeof(*vals));
	const char *k;
	json_t *x;
	int rc = 0;
	json_object_foreach ((json_t *)v, k, x) {
		/* Go: exact name first, else a case-insensitive match; later keys overwrite earlier ones. */
		size_t fi = t->n;
		for (size_t i = 0; i < t->n && fi == t->n; i++)
			if (strcmp(k, t->fields[i].name) == 0)
				fi = i;
		for (size_t i = 0; i < t->n && fi == t->n; i++)
			if (strcasecmp(k, t->fields[i].name) == 0)
				fi = i;
		if (fi == t->n)
			continue; /* unknown to the struct: dropped */
		const struct field *f = &t->fields[fi];
		if (json_is_null(x)) {
			/* null sets pointers, maps and slices to nil; a no-op for the rest */
			if (f->kind >= K_MAP_ANY) {
				json_decref(vals[fi]);
				vals[fi] = NULL;
			}
			continue;
		}
		char sub[256];
		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", f->name);
		json_t *nv = NULL;
		if (decode_field(x, f, sub, &nv, err) < 0) {
			rc = -1;
			break;
		}
		json_decref(vals[fi]);
		vals[fi] = nv;
	}
	json_t *o = rc == 0 ? json_object() : NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (o != NULL) {
			const struct field *f = &t->fields[i];
			if (vals[i] == NULL) {
				if (!f->omitempty || f->kind == K_TIME)
					json_object_set_new(o, f->name, zero_of(f->kind));
			} else if (!(f->omitempty && is_empty(vals[i], f->kind))) {
				json_object_set(o, f->name, vals[i]);
			}
		}
		json_decref(vals[i]);
	}
	free(vals);
	*out = o;
	return rc;
}

json_t *account_doc_roundtrip(const json_t *doc, char *err)
{
	if (!json_is_object(doc)) {
		err_set(err, "json: cannot unmarshal %s into Go value of type account.Account", json_kind(doc));
		return NULL;
	}
	json_t *out = NULL;
	if (decode_struct(doc, &account_type, "", &out, err) < 0)
		return NULL;
	return out;
}

/* n digits at s, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int account_doc_time_normalize(const char *in, char *out, size_t outlen)
{
	/* stack: Go time.Time UnmarshalJSON (strict RFC 3339) and MarshalJSON (RFC3339Nano). */
	if (strlen(in) < 20 || digits(in, 4) < 0 || in[4] != '-' || digits(in + 5, 2) < 1 || digits(in + 5, 2) > 12 ||
	    in[7] != '-' || digits(in + 8, 2) < 1 || digits(in + 8, 2) > 31 || in[10] != 'T' ||
	    digits(in + 11, 2) < 0 || digits(in + 11, 2) > 23 || in[13] != ':' || digits(in + 14, 2) < 0 ||
	    digits(in + 14, 2) > 59 || in[16] != ':' || digits(in + 17, 2) < 0 || digits(in + 17, 2) > 59)
		return -1;
	const char *p = in + 19;
	char frac[16] = "";
	if (*p == '.') {
		p++;
		size_t n = 0;
		while (isdigit((unsigned char)p[n]))
			n++;
		if (n == 0)
			return -1;
		size_t keep = n > 9 ? 9 : n;
		memcpy(frac, p, keep);
		frac[keep] = '\0';
		while (keep > 0 && frac[keep - 1] == '0')
			frac[--keep] = '\0';
		p += n;
	}
	char zone[8];
	if (strcmp(p, "Z") == 0) {
		strcpy(zone, "Z");
	} else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && digits(p + 1, 2) >= 0 && digits(p + 1, 2) < 24 &&
		   p[3] == ':' && digits(p + 4, 2) >= 0 && digits(p + 4, 2) < 60) {
		if (digits(p + 1, 2) == 0 && digits(p + 4, 2) == 0)
			strcpy(zone, "Z");
		else
			memcpy(zone, p, 7);
	} else {
		return -1;
	}
	snprintf(out, outlen, "%.19s%s%s%s", in, frac[0] ? "." : "", frac, zone);
	return 0;
}

void account_doc_time_format(const struct timespec *ts, char *out, size_t outlen)
{
	struct tm tm;
	localtime_r(&ts->tv_sec, &tm);
	char date[32], frac[16] = "", zone[48];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (ts->tv_nsec != 0) {
		snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
		size_t l = strlen(frac);
		while (frac[l - 1] == '0')
			frac[--l] = '\0';
	}
	long off = tm.tm_gmtoff;
	if (off == 0)
		strcpy(zone, "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
			 labs(off) % 3600 / 60);
	snprintf(out, outlen, "%s%s%s", date, frac, zone);
}
