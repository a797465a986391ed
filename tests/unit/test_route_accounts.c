/* fake-stack/accounts/route_accounts.c through stack.h: the refresh hook (--save-tokens), the COZY_PARAMETERS secret,
 * the types. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
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

static char dir[] = "/tmp/kh-ra-XXXXXX";
static struct loop *loop;
static struct stack *st;

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(atomic_write(p, text, strlen(text), NULL), 0);
}

static void setup(void)
{
	char err[ERR_MAX], p[128];
	cr_assert_not_null(mkdtemp(dir));
	static const char *const sub[] = {"account_types", "refresh", "data"};
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		cr_assert_eq(mkdir_p(p, err), 0, "%s", err);
	}
	put("account_types/svc.json", "{\"slug\":\"svc\",\"grant_mode\":\"secret\",\"secret\":\"s3cr3t\"}");
	put("account_types/twin1.json", "{\"slug\":\"twin\",\"grant_mode\":\"secret\",\"secret\":\"a\"}");
	put("account_types/twin2.json", "{\"slug\":\"twin\",\"grant_mode\":\"secret\",\"secret\":\"b\"}");
	put("account_types/plain.json", "{\"slug\":\"plain\",\"grant_mode\":\"authorization_code\",\"secret\":\"x\"}");
	put("refresh/svc.json", "{\"access_token\":\"AT-new\",\"refresh_token\":\"RT-new\",\"expires_in\":60}");
	put("refresh/gone.json", "{\"error\":\"invalid_grant\"}");
	put("data/io.cozy.accounts.json",
	    "[{\"_id\":\"a1\",\"account_type\":\"svc\",\"oauth\":{\"refresh_token\":\"R\"}},"
	    "{\"_id\":\"a2\",\"account_type\":\"gone\",\"oauth\":{\"refresh_token\":\"R\"}}]");
	loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	struct stack_options o = {.fixtures_dir = dir, .perm_mode = STACK_PERM_ENFORCE};
	st = stack_start(loop, &o, err);
	cr_assert_not_null(st, "%s", err);
	cr_assert_eq(stack_add_konnector(st, "svc", NULL, err), 0, "%s", err);
}

static void teardown(void)
{
	stack_stop(st);
	loop_free(loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* POST path with an app token on the stack's loop; returns the HTTP status (the loop runs until the answer). */
static int post(const char *path)
{
	char err[ERR_MAX];
	const char *tok = stack_mint_app_token(st, "test", err);
	cr_assert_not_null(tok, "%s", err);
	unsigned port = 0;
	cr_assert_eq(sscanf(stack_domain(st), "127.0.0.1:%u", &port), 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The kernel completes the handshake from the listen backlog: no need for the loop yet. */
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	char req[2048];
	int n = snprintf(req, sizeof(req),
			 "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n",
			 path, stack_domain(st), tok);
	cr_assert_eq(write(fd, req, (size_t)n), n);
	char resp[8192];
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
	return status;
}

struct seen {
	int calls;
	char id[64], access[64], refresh[64];
	struct stack *st;
};

static void on_refresh(struct stack *s, const char *account_id, const char *access_token, const char *refresh_token,
		       void *arg)
{
	struct seen *seen = arg;
	seen->calls++;
	seen->st = s;
	snprintf(seen->id, sizeof(seen->id), "%s", account_id);
	snprintf(seen->access, sizeof(seen->access), "%s", access_token ? access_token : "(null)");
	snprintf(seen->refresh, sizeof(seen->refresh), "%s", refresh_token ? refresh_token : "(null)");
}

TestSuite(route_accounts, .init = setup, .fini = teardown);

Test(route_accounts, refresh_hook_gets_the_saved_tokens_and_survives_reset)
{
	struct seen seen = {0};
	stack_on_refresh(st, on_refresh, &seen);
	cr_assert_eq(post("/accounts/any/a1/refresh"), 200);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.st, st);
	cr_assert_str_eq(seen.id, "a1");
	cr_assert_str_eq(seen.access, "AT-new");
	cr_assert_str_eq(seen.refresh, "RT-new");
	/* Saved before the hook runs: the doc already holds the tokens. */
	json_t *doc = stack_doc_get(st, "io.cozy.accounts", "a1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "oauth"), "access_token")), "AT-new");
	json_decref(doc);

	/* A failed refresh (401) and a missing account (404) do not call it. */
	cr_assert_eq(post("/accounts/any/a2/refresh"), 401);
	cr_assert_eq(post("/accounts/any/nope/refresh"), 404);
	cr_assert_eq(seen.calls, 1);

	char err[ERR_MAX];
	cr_assert_eq(stack_reset(st, err), 0, "%s", err);
	cr_assert_eq(post("/accounts/any/a1/refresh"), 200);
	cr_assert_eq(seen.calls, 2, "the hook survives stack_reset");

	stack_on_refresh(st, NULL, NULL);
	cr_assert_eq(post("/accounts/any/a1/refresh"), 200);
	cr_assert_eq(seen.calls, 2, "a NULL callback removes the hook");
}

Test(route_accounts, secret_only_from_exactly_one_secret_grant)
{
	const json_t *secret = NULL;
	cr_assert_eq(stack_account_type_secret(st, "svc", &secret), 1);
	cr_assert_str_eq(json_string_value(secret), "s3cr3t");
	/* Two types with the slug: none applies (FindAccountTypesBySlug must find exactly one). */
	cr_assert_eq(stack_account_type_secret(st, "twin", &secret), 0);
	/* A grant mode without +secret. */
	cr_assert_eq(stack_account_type_secret(st, "plain", &secret), 0);
	cr_assert_eq(stack_account_type_secret(st, "nobody", &secret), 0);
}

Test(route_accounts, account_types_are_the_fixtures)
{
	const json_t *types = stack_account_types(st);
	cr_assert_eq(json_array_size(types), 4);
	int found = 0;
	for (size_t i = 0; i < json_array_size(types); i++)
		found += strcmp(json_string_value(json_object_get(json_array_get(types, i), "_id")), "svc") == 0;
	cr_assert_eq(found, 1, "the file name gives the _id");
}
