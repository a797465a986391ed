/*
 * Permissions from a manifest's `permissions` object, matched as the stack
 * does (stack: model/permission/match.go,
 * rule.go, verbs.go, doctype.go). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_PERM_H
#define FAKE_STACK_PERM_H

#include <jansson.h>

enum perm_verb {
	PERM_GET = 1,
	PERM_POST = 2,
	PERM_PUT = 4,
	PERM_PATCH = 8,
	PERM_DELETE = 16,
};

/* One rule (stack: model/permission/rule.go Rule). */
struct perm_rule {
	char *type;
	unsigned verbs; /* 0: all */
	char *selector; /* NULL: by id */
	char **values;
	size_t nvalues;
};

struct perm_set;
/* The rules of a set, for matchers of their own (the vfs's walk up the tree). */
size_t perm_set_size(const struct perm_set *s);
const struct perm_rule *perm_set_rule(const struct perm_set *s, size_t i);
/* stack: model/permission/match.go MatchType: equal, or "prefix.*" covering prefix and prefix.anything. */
int perm_type_matches(const char *rule_type, const char *doctype);

/* Parse {"<name>":{"type","verbs"?,"selector"?,"values"?,"description"?},…}; NULL permissions → empty set. NULL with
 * err. */
struct perm_set *perm_parse(const json_t *permissions, char *err);
void perm_set_free(struct perm_set *s);
/* "GET" → PERM_GET…; HEAD counts as GET; 0 for an unknown verb. */
unsigned perm_verb(const char *name);

/*
 * Does the set allow verb on doctype? whole_type: only rules without values
 * (_find, _all_docs…). Else with id (may be NULL) and doc (may be NULL): a rule
 * without values, or without selector and id in values, or with selector and
 * one of doc's values for that field in values.
 */
int perm_allows(const struct perm_set *s, unsigned verb, const char *doctype, const char *id, const json_t *doc,
		int whole_type);

/*
 * The stack's doctype gates before any rule (model/permission/doctype.go):
 * NULL when fine, else the 403 message ("reserved doctype X unreadable",
 * "… unwritable", "X is not a valid doctype name") in buf.
 */
const char *perm_doctype_gate(const char *doctype, int write, char *buf, size_t len);

/* The sets of the declared konnectors, by slug (stack_add_konnector fills it). */
struct perm_registry;
struct perm_registry *perm_registry_new(void);
void perm_registry_free(struct perm_registry *r);
/* Declare slug with set (taken, freed on failure), replacing an earlier declaration. -1 with err. */
int perm_registry_set(struct perm_registry *r, const char *slug, struct perm_set *set, char *err);
/*
 * stack: worker/exec/konnector.go ensurePermissions: unless one of slug's
 * rules on io.cozy.files with selector referenced_by lists value already, add
 * {type io.cozy.files, selector referenced_by, values [value]} (all verbs).
 * 1 when added, 0 when it was there, -1 when slug was never declared (or out of memory).
 */
int perm_registry_ensure_files_ref_rule(struct perm_registry *r, const char *slug, const char *value);
/* slug's set, with *found 0 when slug was never declared. */
const struct perm_set *perm_registry_find(const struct perm_registry *r, const char *slug, int *found);

#endif
