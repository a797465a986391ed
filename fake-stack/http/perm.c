/* Permission rules from a manifest and their matching (see perm.h). */
#include "fake-stack/http/perm.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct perm_set {
	struct perm_rule *rules;
	size_t n;
};

unsigned perm_verb(const char *name)
{
	static const struct {
		const char *name;
		unsigned verb;
	} verbs[] = {{"GET", PERM_GET}, {"HEAD", PERM_GET},    {"POST", PERM_POST},
		     {"PUT", PERM_PUT}, {"PATCH", PERM_PATCH}, {"DELETE", PERM_DELETE}};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return verbs[i].verb;
	return 0;
}

void perm_set_free(struct perm_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->rules[i].type);
		free(s->rules[i].selector);
		for (size_t j = 0; j < s->rules[i].nvalues; j++)
			free(s->rules[i].values[j]);
		free(s->rules[i].values);
	}
	free(s->rules);
	free(s);
}

/* One rule; -1 with err naming the permission. */
static int rule_parse(struct perm_rule *r, const char *name, const json_t *o, char *err)
{
	if (!json_is_object(o))
		return err_set(err, "permission \"%s\": not an object", name);
	const char *type = json_string_value(json_object_get(o, "type"));
	if (type == NULL || type[0] == '\0')
		return err_set(err, "permission \"%s\": \"type\" must be a doctype string", name);
	r->type = strdup(type);
	const json_t *verbs = json_object_get(o, "verbs");
	if (verbs != NULL && !json_is_array(verbs))
		return err_set(err, "permission \"%s\": \"verbs\" must be an array", name);
	size_t i;
	const json_t *v;
	json_array_foreach (verbs, i, v) {
		const char *vs = json_string_value(v);
		if (vs != NULL && strcmp(vs, "ALL") == 0) {
			r->verbs = 0;
			break;
		}
		unsigned bit = vs ? perm_verb(vs) : 0;
		if (bit == 0 || strcmp(vs, "HEAD") == 0)
			return err_set(err, "permission \"%s\": unknown verb %s", name, vs ? vs : "(not a string)");
		r->verbs |= bit;
	}
	const char *sel = json_string_value(json_object_get(o, "selector"));
	if (sel != NULL && sel[0] != '\0')
		r->selector = strdup(sel);
	const json_t *values = json_object_get(o, "values");
	if (values != NULL && !json_is_array(values))
		return err_set(err, "permission \"%s\": \"values\" must be an array", name);
	r->values = calloc(json_array_size(values) + 1, sizeof(char *));
	if (r->values == NULL)
		return err_set(err, "out of memory");
	json_array_foreach (values, i, v) {
		if (!json_is_string(v))
			return err_set(err, "permission \"%s\": values must be strings", name);
		r->values[r->nvalues++] = strdup(json_string_value(v));
	}
	return 0;
}

struct perm_set *perm_parse(const json_t *permissions, char *err)
{
	struct perm_set *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (permissions == NULL || json_is_null(permissions))
		return s;
	if (!json_is_object(permissions)) {
		err_set(err, "\"permissions\" must be an object");
		perm_set_free(s);
		return NULL;
	}
	s->rules = calloc(json_object_size(permissions) + 1, sizeof(struct perm_rule));
	if (s->rules == NULL) {
		perm_set_free(s);
		err_set(err, "out of memory");
		return NULL;
	}
	const char *name;
	const json_t *o;
	json_object_foreach ((json_t *)permissions, name, o) {
		int rc = rule_parse(&s->rules[s->n], name, o, err);
		s->n++;
		if (rc < 0) {
			perm_set_free(s);
			return NULL;
		}
	}
	return s;
}

size_t perm_set_size(const struct perm_set *s)
{
	return s ? s->n : 0;
}

const struct perm_rule *perm_set_rule(const struct perm_set *s, size_t i)
{
	return s && i < s->n ? &s->rules[i] : NULL;
}

/* stack: model/permission/match.go MatchType: equal, or "prefix.*" covering prefix and prefix.anything. */
int perm_type_matches(const char *rule_type, const char *doctype)
{
	if (strcmp(rule_type, doctype) == 0)
		return 1;
	size_t n = strlen(rule_type);
	if (n < 2 || strcmp(rule_type + n - 2, ".*") != 0)
		return 0;
	n -= 2;
	return strncmp(rule_type, doctype, n) == 0 && (doctype[n] == '\0' || doctype[n] == '.');
}

static int values_contain(const struct perm_rule *r, const char *s)
{
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i], s) == 0)
			return 1;
	return 0;
}

/* The doc's values at a dotted field, as strings (stack: couchdb.JSONDoc Fetch); any of them in values? */
static int values_match(const struct perm_rule *r, const json_t *doc)
{
	const json_t *v = doc;
	const char *p = r->selector;
	char key[256];
	while (v != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(key))
			return 0;
		memcpy(key, p, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	if (v == NULL)
		return 0;
	if (json_is_string(v))
		return values_contain(r, json_string_value(v));
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		json_array_foreach (v, i, e) {
			if (json_is_string(e) && values_contain(r, json_string_value(e)))
				return 1;
			/* referenced_by style entries {type,id}: the stack fetches "type/id". */
			const char *t = json_string_value(json_object_get(e, "type"));
			const char *id = json_string_value(json_object_get(e, "id"));
			if (t != NULL && id != NULL) {
				char both[512];
				snprintf(both, sizeof(both), "%s/%s", t, id);
				if (values_contain(r, both))
					return 1;
			}
		}
		return 0;
	}
	if (json_is_number(v) || json_is_boolean(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		int ok = s && values_contain(r, s);
		free(s);
		return ok;
	}
	return 0;
}

int perm_allows(const struct perm_set *s, unsigned verb, const char *doctype, const char *id, const json_t *doc,
		int whole_type)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct perm_rule *r = &s->rules[i];
		if (r->verbs != 0 && (r->verbs & verb) == 0)
			continue;
		if (!perm_type_matches(r->type, doctype))
			continue;
		if (r->nvalues == 0)
			return 1;
		if (whole_type)
			continue;
		if (r->selector == NULL) {
			if (id != NULL && values_contain(r, id))
				return 1;
		} else if (doc != NULL && values_match(r, doc)) {
			return 1;
		}
	}
	return 0;
}

/*
 * stack: model/permission/doctype.go blockList: 0 = neither readable nor writable, 1 = read-only.
 * io.cozy.accounts.soft_deleted, io.cozy.account_types, io.cozy.jobs.events and io.cozy.triggers.state are
 * refused too, as in the stack our permission rules were written from (today's blockList only has
 * io.cozy.triggers.state, read-only).
 */
static const struct {
	const char *doctype;
	int readable;
} reserved[] = {
	{"io.cozy.instances", 0},       {"io.cozy.sessions", 0},
	{"io.cozy.permissions", 0},     {"io.cozy.intents", 0},
	{"io.cozy.oauth.clients", 0},   {"io.cozy.oauth.access_codes", 0},
	{"io.cozy.files.archives", 0},  {"io.cozy.sharings", 0},
	{"io.cozy.shared", 0},          {"io.cozy.accounts.soft_deleted", 0},
	{"io.cozy.account_types", 0},   {"io.cozy.jobs.events", 0},
	{"io.cozy.triggers.state", 0},  {"io.cozy.jobs", 1},
	{"io.cozy.triggers", 1},        {"io.cozy.apps", 1},
	{"io.cozy.konnectors", 1},      {"io.cozy.files", 1},
	{"io.cozy.files.versions", 1},  {"io.cozy.notifications", 1},
	{"io.cozy.remote.requests", 1}, {"io.cozy.sessions.logins", 1},
	{"io.cozy.notes.steps", 1},
};

/* stack: CheckDoctypeName: lowercase letters, digits, '.', '_'; no dot at either end, no "..". */
static int doctype_valid(const char *d)
{
	size_t n = strlen(d);
	if (n == 0 || d[0] == '.' || d[n - 1] == '.' || strstr(d, "..") != NULL)
		return 0;
	for (const char *c = d; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_'))
			return 0;
	return 1;
}

const char *perm_doctype_gate(const char *doctype, int write, char *buf, size_t len)
{
	if (!doctype_valid(doctype)) {
		snprintf(buf, len, "%s is not a valid doctype name", doctype);
		return buf;
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (strcmp(reserved[i].doctype, doctype) != 0)
			continue;
		if (write || !reserved[i].readable) {
			snprintf(buf, len, "reserved doctype %s %s", doctype, write ? "unwritable" : "unreadable");
			return buf;
		}
	}
	return NULL;
}

/* ---- the registry: the declared konnectors' sets ---- */

struct perm_registry {
	struct perm_registry_entry {
		char *slug;
		struct perm_set *set;
	} * v;
	size_t n;
};

struct perm_registry *perm_registry_new(void)
{
	return calloc(1, sizeof(struct perm_registry));
}

void perm_registry_free(struct perm_registry *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].slug);
		perm_set_free(r->v[i].set);
	}
	free(r->v);
	free(r);
}

int perm_registry_ensure_files_ref_rule(struct perm_registry *r, const char *slug, const char *value)
{
	struct perm_set *s = NULL;
	for (size_t i = 0; i < r->n && s == NULL; i++)
		if (strcmp(r->v[i].slug, slug) == 0)
			s = r->v[i].set;
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct perm_rule *x = &s->rules[i];
		if (strcmp(x->type, "io.cozy.files") == 0 && x->selector != NULL &&
		    strcmp(x->selector, "referenced_by") == 0 && values_contain(x, value))
			return 0;
	}
	struct perm_rule *rules = realloc(s->rules, (s->n + 1) * sizeof(*rules));
	if (rules == NULL)
		return -1;
	s->rules = rules;
	struct perm_rule *n = &rules[s->n];
	memset(n, 0, sizeof(*n));
	n->type = strdup("io.cozy.files");
	n->selector = strdup("referenced_by");
	n->values = calloc(2, sizeof(char *));
	if (n->type == NULL || n->selector == NULL || n->values == NULL || (n->values[0] = strdup(value)) == NULL) {
		free(n->type), free(n->selector), free(n->values);
		return -1;
	}
	n->nvalues = 1;
	s->n++;
	return 1;
}

const struct perm_set *perm_registry_find(const struct perm_registry *r, const char *slug, int *found)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].slug, slug) == 0) {
			*found = 1;
			return r->v[i].set;
		}
	*found = 0;
	return NULL;
}

int perm_registry_set(struct perm_registry *r, const char *slug, struct perm_set *set, char *err)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].slug, slug) == 0) {
			perm_set_free(r->v[i].set);
			r->v[i].set = set;
			return 0;
		}
	}
	struct perm_registry_entry *v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (v == NULL) {
		perm_set_free(set);
		return err_set(err, "out of memory");
	}
	r->v = v;
	v[r->n].slug = strdup(slug);
	v[r->n].set = set;
	r->n++;
	return 0;
}
