/* perm: manifest rules and the stack's matching. */
#include "fake-stack/http/perm.h"

#include <criterion/criterion.h>

static struct perm_set *parse(const char *txt)
{
	json_t *j = json_loads(txt, 0, NULL);
	char err[512];
	struct perm_set *s = perm_parse(j, err);
	json_decref(j);
	return s;
}

Test(perm, verbs_types_values)
{
	struct perm_set *s = parse("{\"b\":{\"type\":\"io.cozy.bills\",\"verbs\":[\"GET\",\"POST\"]},"
				   "\"w\":{\"type\":\"io.cozy.bank.*\"},"
				   "\"one\":{\"type\":\"io.cozy.contacts\",\"values\":[\"c1\"]},"
				   "\"sel\":{\"type\":\"io.cozy.files\",\"selector\":\"dir_id\",\"values\":[\"d1\"]}}");
	cr_assert_not_null(s);
	cr_assert(perm_allows(s, PERM_GET, "io.cozy.bills", "x", NULL, 0));
	cr_assert(perm_allows(s, PERM_GET, "io.cozy.bills", NULL, NULL, 1));
	cr_assert_not(perm_allows(s, PERM_DELETE, "io.cozy.bills", "x", NULL, 0));
	cr_assert(perm_allows(s, PERM_DELETE, "io.cozy.bank.operations", "x", NULL, 0));
	cr_assert(perm_allows(s, PERM_DELETE, "io.cozy.bank", "x", NULL, 0));
	cr_assert_not(perm_allows(s, PERM_GET, "io.cozy.banking", "x", NULL, 0));
	cr_assert(perm_allows(s, PERM_PUT, "io.cozy.contacts", "c1", NULL, 0));
	cr_assert_not(perm_allows(s, PERM_PUT, "io.cozy.contacts", "c2", NULL, 0));
	cr_assert_not(perm_allows(s, PERM_GET, "io.cozy.contacts", NULL, NULL, 1));
	json_t *doc = json_pack("{s:s}", "dir_id", "d1");
	cr_assert(perm_allows(s, PERM_GET, "io.cozy.files", "f", doc, 0));
	json_object_set_new(doc, "dir_id", json_string("d2"));
	cr_assert_not(perm_allows(s, PERM_GET, "io.cozy.files", "f", doc, 0));
	json_decref(doc);
	perm_set_free(s);
}

Test(perm, all_verbs_and_errors)
{
	struct perm_set *s = parse("{\"a\":{\"type\":\"io.cozy.x\",\"verbs\":[\"ALL\"]}}");
	cr_assert(perm_allows(s, PERM_PATCH, "io.cozy.x", "i", NULL, 0));
	perm_set_free(s);
	cr_assert_null(parse("{\"a\":{\"verbs\":[\"GET\"]}}"));
	cr_assert_null(parse("{\"a\":{\"type\":\"io.cozy.x\",\"verbs\":[\"FETCH\"]}}"));
	cr_assert_null(parse("[]"));
	struct perm_set *empty = perm_parse(NULL, NULL);
	cr_assert_not(perm_allows(empty, PERM_GET, "io.cozy.x", "i", NULL, 0));
	perm_set_free(empty);
}

Test(perm, doctype_gate)
{
	char buf[256];
	cr_assert_null(perm_doctype_gate("io.cozy.accounts", 1, buf, sizeof(buf)));
	cr_assert_null(perm_doctype_gate("io.cozy.files", 0, buf, sizeof(buf)));
	cr_assert_str_eq(perm_doctype_gate("io.cozy.files", 1, buf, sizeof(buf)),
			 "reserved doctype io.cozy.files unwritable");
	cr_assert_str_eq(perm_doctype_gate("io.cozy.permissions", 0, buf, sizeof(buf)),
			 "reserved doctype io.cozy.permissions unreadable");
	cr_assert_str_eq(perm_doctype_gate("Io.cozy", 0, buf, sizeof(buf)), "Io.cozy is not a valid doctype name");
	cr_assert_not_null(perm_doctype_gate("io..cozy", 0, buf, sizeof(buf)));
	cr_assert_not_null(perm_doctype_gate(".io", 0, buf, sizeof(buf)));
	cr_assert_eq(perm_verb("HEAD"), PERM_GET);
	cr_assert_eq(perm_verb("BREW"), 0);
}
