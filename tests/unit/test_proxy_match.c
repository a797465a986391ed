/* vendor-proxy/match.c: URL keys, body equality by type, repeated requests in order, secrets by placeholder. */
#include "vendor-proxy/match.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void key_is(const char *url, const char *want)
{
	char *k = match_url_key(url);
	if (want == NULL) {
		cr_assert_null(k, "%s", url);
		return;
	}
	cr_assert_not_null(k, "%s", url);
	cr_assert_str_eq(k, want);
	free(k);
}

Test(proxy_match, url_keys)
{
	key_is("HTTPS://Vendor.Example:443/a?b=2&a=1#frag", "https://vendor.example/a?a=1&b=2");
	key_is("http://vendor.example:80", "http://vendor.example/");
	key_is("http://127.0.0.1:8080/x?q=a+b", "http://127.0.0.1:8080/x?q=a%20b");
	key_is("https://v/x?q=a%20b&q=A", "https://v/x?q=A&q=a%20b");
	key_is("https://v/x?", "https://v/x");
	key_is("https://[::1]:8443/x", "https://[::1]:8443/x");
	key_is("ftp://v/x", NULL);
	key_is("/relative", NULL);
}

Test(proxy_match, bodies_by_type)
{
	const char *form = "application/x-www-form-urlencoded";
	cr_assert(match_body_equal(form, "a=1&b=x+y", 9, "b=x%20y&a=1", 11));
	cr_assert_not(match_body_equal(form, "a=1", 3, "a=2", 3));
	cr_assert(match_body_equal("application/json; charset=utf-8", "{\"a\":1,\"b\":[1]}", 15,
				   "{ \"b\": [1], \"a\": 1 }", 20));
	cr_assert_not(match_body_equal("application/json", "{\"a\":1}", 7, "{\"a\":2}", 7));
	cr_assert(match_body_equal("multipart/form-data; boundary=x", "--x", 3, "--y", 3));
	cr_assert(match_body_equal("text/plain", "same", 4, "same", 4));
	cr_assert_not(match_body_equal("text/plain", "same", 4, "Same", 4));
	cr_assert(match_body_equal(NULL, "", 0, "", 0));
}

static struct har_record rec(const char *method, const char *url, const char *mime, const char *body)
{
	struct har_record r = {0};
	r.method = (char *)method;
	r.url = (char *)url;
	r.req_mime = (char *)mime;
	r.req_body = (char *)body;
	r.req_body_len = body ? strlen(body) : 0;
	return r;
}

Test(proxy_match, repeated_requests_in_recorded_order_then_the_last_again)
{
	struct har_record v[] = {
		rec("GET", "https://v/count", NULL, NULL),
		rec("GET", "https://v/other", NULL, NULL),
		rec("GET", "https://v/count", NULL, NULL),
		rec("POST", "https://v/count", NULL, NULL),
	};
	struct har_file f = {.v = v, .n = 4, .fd = -1};
	struct match_table *t = match_table_new(&f);
	struct match_request q = {"GET", "https://v/count", NULL, "", 0};
	int rep;
	cr_assert_eq(match_find(t, NULL, &q, &rep), 0);
	cr_assert_not(rep);
	cr_assert_eq(match_find(t, NULL, &q, &rep), 2);
	cr_assert_not(rep);
	cr_assert_eq(match_find(t, NULL, &q, &rep), 2);
	cr_assert(rep, "past the recorded ones: the last again, said so");
	struct match_request post = {"POST", "https://V:443/count", NULL, "", 0};
	cr_assert_eq(match_find(t, NULL, &post, &rep), 3);
	struct match_request del = {"DELETE", "https://v/count", NULL, "", 0};
	cr_assert_eq(match_find(t, NULL, &del, &rep), -1);
	cr_assert_eq(match_uses(t, 1), 0);
	cr_assert_eq(match_uses(t, 2), 2);
	match_table_free(t);
}

Test(proxy_match, secrets_match_by_placeholder)
{
	const char *form = "application/x-www-form-urlencoded";
	struct har_record v[] = {
		rec("POST", "https://v/login?user={{kh:login}}", form, "login={{kh:login}}&password={{kh:password}}"),
	};
	struct har_file f = {.v = v, .n = 1, .fd = -1};
	struct match_table *t = match_table_new(&f);
	struct redact_secret s[] = {{"login", "bart@example.com"}, {"password", "eat my shorts"}};
	struct redact *r = redact_new(s, 2);
	const char *body = "password=eat+my+shorts&login=bart%40example.com";
	struct match_request q = {"POST", "https://v/login?user=bart%40example.com", form, body, strlen(body)};
	int rep;
	cr_assert_eq(match_find(t, r, &q, &rep), 0, "today's values match the recorded placeholders");
	const char *wrong = "password=nope&login=bart%40example.com";
	struct match_request w = {"POST", "https://v/login?user=bart%40example.com", form, wrong, strlen(wrong)};
	cr_assert_eq(match_find(t, r, &w, &rep), -1, "another password is another request");
	redact_free(r);
	match_table_free(t);
}
