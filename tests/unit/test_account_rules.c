/*
 * fake-stack/data/account_rules.c, and io.cozy.accounts through /data as the
 * stack serves it (stack: web/data/accounts.go, model/account/credentials.go):
 * the password sealed on write, shown only to the konnector's own token.
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "fake-stack/data/account_rules.h"
#include "fake-stack/stack.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

Test(account_rules, seal_and_open_round_trip)
{
	json_t *doc = json_pack("{s:s,s:{s:s,s:s,s:s,s:s},s:{s:{s:s}}}", "_id", "a", "auth", "login", "homer",
				"password", "doh", "secret", "s1", "zip", "75001", "data", "auth", "code", "1234");
	cr_assert_eq(account_rules_encrypt(doc), 1);
	json_t *auth = json_object_get(doc, "auth");
	cr_assert_null(json_object_get(auth, "password"));
	cr_assert_null(json_object_get(auth, "secret"));
	cr_assert_str_eq(json_string_value(json_object_get(auth, "login")), "homer");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "zip")), "75001");
	const char *c = json_string_value(json_object_get(auth, "credentials_encrypted"));
	cr_assert_not_null(c);
	cr_assert(strncmp(c, ACCOUNT_RULES_PREFIX, strlen(ACCOUNT_RULES_PREFIX)) == 0, "%s", c);
	cr_assert_null(strstr(c, "doh"));
	cr_assert_not_null(json_object_get(auth, "secret_encrypted"));
	cr_assert_not_null(json_object_get(json_object_get(json_object_get(doc, "data"), "auth"), "code_encrypted"));
	/* nothing left to seal: a second pass changes nothing (the stack saves again only when it sealed) */
	cr_assert_eq(account_rules_encrypt(doc), 0);

	int foreign = 0;
	cr_assert_eq(account_rules_decrypt(doc, &foreign), 1);
	cr_assert_eq(foreign, 0);
	auth = json_object_get(doc, "auth");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "password")), "doh");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "login")), "homer");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "secret")), "s1");
	cr_assert_null(json_object_get(auth, "credentials_encrypted"));
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(json_object_get(doc, "data"), "auth"), "code")),
		"1234");
	json_decref(doc);
}

/* A real stack's box cannot be opened here: it fails as it would without the key, and says so. */
Test(account_rules, foreign_cipher_fails_as_without_the_key)
{
	json_t *doc = json_pack("{s:{s:s,s:s,s:s}}", "auth", "login", "bart", "credentials_encrypted",
				"bmFjbAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "answer_encrypted", "bmFjbA==");
	int foreign = 0;
	cr_assert_eq(account_rules_decrypt(doc, &foreign), 0);
	cr_assert_eq(foreign, 1);
	json_t *auth = json_object_get(doc, "auth");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "password")), "");
	cr_assert(json_is_null(json_object_get(auth, "answer")));
	json_decref(doc);
}

/* stack: a password that is not a string is sealed as "", and an older *_encrypted value stays. */
Test(account_rules, odd_values)
{
	json_t *doc = json_pack("{s:{s:n,s:s}}", "auth", "password", "token_encrypted", "old");
	cr_assert_eq(account_rules_encrypt(doc), 1);
	json_t *auth = json_object_get(doc, "auth");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "token_encrypted")), "old");
	int foreign = 0;
	account_rules_decrypt(doc, &foreign);
	auth = json_object_get(doc, "auth");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "password")), "");
	cr_assert_str_eq(json_string_value(json_object_get(auth, "login")), "");
	json_decref(doc);
	/* no auth object: nothing */
	doc = json_pack("{s:s}", "auth", "x");
	cr_assert_eq(account_rules_encrypt(doc), 0);
	cr_assert_eq(account_rules_decrypt(doc, NULL), 0);
	json_decref(doc);
}

Test(account_rules, compute_name)
{
	json_t *doc = json_pack("{s:{s:s,s:s}}", "auth", "login", "homer", "email", "h@x");
	account_rules_compute_name(doc);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "name")), "homer");
	json_object_set_new(doc, "identifier", json_string("email"));
	account_rules_compute_name(doc);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "name")), "h@x");
	/* an identifier naming nothing leaves the name alone */
	json_object_set_new(doc, "identifier", json_string("nope"));
	json_object_del(doc, "name");
	account_rules_compute_name(doc);
	cr_assert_null(json_object_get(doc, "name"));
	json_decref(doc);
}

Test(account_rules, metadata_shape)
{
	json_t *m = account_rules_metadata("home", "2026-01-02T03:04:05Z");
	char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(text, "{\"doctypeVersion\":\"\",\"metadataVersion\":1,\"createdAt\":\"2026-01-02T03:04:05Z\","
			       "\"createdByApp\":\"home\",\"updatedAt\":\"2026-01-02T03:04:05Z\",\"updatedByApps\":"
			       "[{\"slug\":\"home\",\"date\":\"2026-01-02T03:04:05Z\"}]}");
	free(text);
	json_decref(m);
}

/* ---- through HTTP ---- */

static char dir[] = "/tmp/kh-acr-XXXXXX";
static struct loop *loop;
static struct stack *st;
static const char *ktok, *atok;

static void setup(void)
{
	char err[ERR_MAX], p[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/data", dir);
	cr_assert_eq(mkdir_p(p, err), 0, "%s", err);
	snprintf(p, sizeof(p), "%s/data/io.cozy.accounts.json", dir);
	const char *fx =
		"[{\"_id\":\"plain\",\"account_type\":\"k\",\"auth\":{\"login\":\"bart\",\"password\":\"eat\"}}]";
	cr_assert_eq(atomic_write(p, fx, strlen(fx), err), 0, "%s", err);
	loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	struct stack_options o = {.fixtures_dir = dir, .perm_mode = STACK_PERM_ENFORCE};
	st = stack_start(loop, &o, err);
	cr_assert_not_null(st, "%s", err);
	json_t *perms = json_pack("{s:{s:s}}", "accounts", "type", "io.cozy.accounts");
	cr_assert_eq(stack_add_konnector(st, "k", perms, err), 0, "%s", err);
	json_decref(perms);
	ktok = stack_mint_konnector_token(st, "k", err);
	atok = stack_mint_app_token(st, "home", err);
	cr_assert(ktok && atok);
}

static void teardown(void)
{
	stack_stop(st);
	loop_free(loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(accounts_data, .init = setup, .fini = teardown);

/* One request on the stack's loop; returns the status, *body the answer's body (JSON, new ref, or NULL). */
static int req(const char *method, const char *path, const char *tok, const char *body, json_t **out)
{
	char err[ERR_MAX];
	unsigned port = 0;
	cr_assert_eq(sscanf(stack_domain(st), "127.0.0.1:%u", &port), 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	char rq[4096];
	int n = snprintf(rq, sizeof(rq),
			 "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 method, path, stack_domain(st), tok, body ? strlen(body) : 0, body ? body : "");
	cr_assert_eq(write(fd, rq, (size_t)n), n);
	static char resp[65536];
	size_t got = 0;
	long long deadline = loop_now_ms() + 10000;
	for (;;) {
		ssize_t r = recv(fd, resp + got, sizeof(resp) - 1 - got, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "%s", strerror(errno));
		cr_assert_lt(loop_now_ms(), deadline, "no answer from the stack");
		cr_assert_eq(loop_run_once(loop, 50, err), 0, "%s", err);
	}
	close(fd);
	resp[got] = '\0';
	int status = 0;
	cr_assert_eq(sscanf(resp, "HTTP/1.1 %d", &status), 1, "%s", resp);
	const char *b = strstr(resp, "\r\n\r\n");
	if (out != NULL)
		*out = b ? json_loads(b + 4, JSON_DECODE_ANY, NULL) : NULL;
	return status;
}

static const char *auth_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(json_object_get(doc, "auth"), key));
}

Test(accounts_data, post_seals_names_and_answers_sealed)
{
	json_t *ans = NULL;
	cr_assert_eq(
		req("POST", "/data/io.cozy.accounts/", atok,
		    "{\"account_type\":\"k\",\"identifier\":\"email\",\"auth\":{\"login\":\"homer\",\"email\":\"h@x\","
		    "\"password\":\"doh\"}}",
		    &ans),
		201);
	json_t *data = json_object_get(ans, "data");
	cr_assert_null(json_object_get(json_object_get(data, "auth"), "password"), "the POST answer is sealed");
	cr_assert_not_null(auth_str(data, "credentials_encrypted"));
	cr_assert_str_eq(json_string_value(json_object_get(data, "name")), "h@x");
	json_t *cm = json_object_get(data, "cozyMetadata");
	cr_assert_str_eq(json_string_value(json_object_get(cm, "doctypeVersion")), "");
	cr_assert_str_eq(json_string_value(json_object_get(cm, "createdByApp")), "home");
	cr_assert_null(json_object_get(json_array_get(json_object_get(cm, "updatedByApps"), 0), "instance"));
	char path[256];
	snprintf(path, sizeof(path), "/data/io.cozy.accounts/%s", json_string_value(json_object_get(ans, "id")));
	json_decref(ans);

	/* the konnector's token gets the password, an app only with include=credentials */
	json_t *doc = NULL;
	cr_assert_eq(req("GET", path, ktok, NULL, &doc), 200);
	cr_assert_str_eq(auth_str(doc, "password"), "doh");
	json_decref(doc);
	cr_assert_eq(req("GET", path, atok, NULL, &doc), 200);
	cr_assert_null(auth_str(doc, "password"));
	json_decref(doc);
	char inc[300];
	snprintf(inc, sizeof(inc), "%s?include=credentials", path);
	cr_assert_eq(req("GET", inc, atok, NULL, &doc), 200);
	cr_assert_str_eq(auth_str(doc, "password"), "doh");
	json_decref(doc);

	/* _find, _all_docs and _normal_docs never show it, even to the konnector */
	cr_assert_eq(req("POST", "/data/io.cozy.accounts/_find", ktok, "{\"selector\":{\"account_type\":\"k\"}}", &doc),
		     200);
	char *text = json_dumps(doc, JSON_COMPACT);
	cr_assert_null(strstr(text, "\"password\":\"doh\""), "%s", text);
	free(text);
	json_decref(doc);
	cr_assert_eq(req("GET", "/data/io.cozy.accounts/_all_docs?include_docs=true", ktok, NULL, &doc), 200);
	text = json_dumps(doc, JSON_COMPACT);
	cr_assert_null(strstr(text, "\"doh\""), "%s", text);
	free(text);
	json_decref(doc);
	cr_assert_eq(req("GET", "/data/io.cozy.accounts/_normal_docs", ktok, NULL, &doc), 200);
	text = json_dumps(doc, JSON_COMPACT);
	cr_assert_null(strstr(text, "\"doh\""), "%s", text);
	free(text);
	json_decref(doc);
}

/* stack: getAccount saves a clear account again, sealed, before answering. */
Test(accounts_data, get_of_a_clear_account_reseals_it)
{
	json_t *before = stack_doc_get(st, "io.cozy.accounts", "plain");
	cr_assert_str_eq(auth_str(before, "password"), "eat");
	json_t *doc = NULL;
	cr_assert_eq(req("GET", "/data/io.cozy.accounts/plain", ktok, NULL, &doc), 200);
	cr_assert_str_eq(auth_str(doc, "password"), "eat");
	cr_assert_str_neq(json_string_value(json_object_get(doc, "_rev")),
			  json_string_value(json_object_get(before, "_rev")));
	json_decref(doc);
	json_t *after = stack_doc_get(st, "io.cozy.accounts", "plain");
	cr_assert_null(auth_str(after, "password"));
	cr_assert_not_null(auth_str(after, "credentials_encrypted"));
	json_decref(after);
	json_decref(before);
}

/* stack: updateAccount seals and answers the konnector in clear; a fixed-id create (createNamedDoc) seals nothing. */
Test(accounts_data, put_update_seals_fixed_id_create_does_not)
{
	json_t *doc = NULL;
	cr_assert_eq(req("GET", "/data/io.cozy.accounts/plain", ktok, NULL, &doc), 200);
	json_object_set_new(json_object_get(doc, "auth"), "password", json_string("new"));
	char *body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	json_t *ans = NULL;
	cr_assert_eq(req("PUT", "/data/io.cozy.accounts/plain", ktok, body, &ans), 200);
	free(body);
	cr_assert_str_eq(auth_str(json_object_get(ans, "data"), "password"), "new");
	json_decref(ans);
	json_t *stored = stack_doc_get(st, "io.cozy.accounts", "plain");
	cr_assert_null(auth_str(stored, "password"));
	json_decref(stored);

	cr_assert_eq(req("PUT", "/data/io.cozy.accounts/fixed", atok, "{\"auth\":{\"login\":\"l\",\"password\":\"p\"}}",
			 &ans),
		     200);
	json_decref(ans);
	stored = stack_doc_get(st, "io.cozy.accounts", "fixed");
	cr_assert_str_eq(auth_str(stored, "password"), "p");
	cr_assert_null(json_object_get(stored, "cozyMetadata"));
	json_decref(stored);
}

/* The harness's own account goes through the same rules (stack.h stack_account_save). */
Test(accounts_data, account_save_as_home)
{
	char err[ERR_MAX] = "";
	json_t *doc = json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "_id", "acc", "account_type", "k", "identifier", "login",
				"auth", "login", "marge", "password", "blue");
	json_t *stored = stack_account_save(st, doc, "home", err);
	cr_assert_not_null(stored, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(stored, "name")), "marge");
	cr_assert_null(auth_str(stored, "password"));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(stored, "cozyMetadata"), "createdByApp")),
			 "home");
	/* an update keeps the name and the cozyMetadata */
	json_object_set(doc, "_rev", json_object_get(stored, "_rev"));
	json_object_set_new(json_object_get(doc, "auth"), "login", json_string("other"));
	json_object_set(doc, "cozyMetadata", json_object_get(stored, "cozyMetadata"));
	json_object_set(doc, "name", json_object_get(stored, "name"));
	json_t *again = stack_account_save(st, doc, "home", err);
	cr_assert_not_null(again, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(again, "name")), "marge");
	json_decref(again);
	json_decref(stored);
	json_decref(doc);
}
