/* vendor-proxy/redact.c: placeholders for every encoding of a secret, header values, streams, restoring. */
#include "vendor-proxy/redact.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct redact *make(void)
{
	struct redact_secret s[] = {{"login", "homer@example.com"}, {"password", "p@ss w\"rd+&"}, {"pin", "12"}};
	struct redact *r = redact_new(s, 3);
	cr_assert_not_null(r);
	return r;
}

static char *hide(const struct redact *r, const char *text)
{
	struct buf b = {0};
	buf_puts(&b, "");
	cr_assert_eq(redact_text(r, text, strlen(text), &b), 0);
	return buf_steal(&b);
}

Test(proxy_redact, every_encoding_becomes_the_same_placeholder)
{
	struct redact *r = make();
	const char *cases[][2] = {
		{"raw p@ss w\"rd+& end", "raw {{kh:password}} end"},
		{"uri=p%40ss%20w%22rd%2B%26", "uri={{kh:password}}"},                        /* encodeURIComponent */
		{"form=p%40ss+w%22rd%2B%26", "form={{kh:password}}"},                        /* URLSearchParams */
		{"{\"password\":\"p@ss w\\\"rd+&\"}", "{\"password\":\"{{kh:password}}\"}"}, /* JSON.stringify */
		{"login=homer%40example.com", "login={{kh:login}}"},
		{"pin=12", "pin=12"}, /* too short to hide */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = hide(r, cases[i][0]);
		cr_assert_str_eq(got, cases[i][1]);
		free(got);
	}
	redact_free(r);
}

Test(proxy_redact, restore_gives_the_current_values)
{
	struct redact *r = make();
	const char *t = "hi {{kh:login}}, {{kh:redacted}} stays";
	struct buf b = {0};
	redact_restore(r, t, strlen(t), &b);
	cr_assert_str_eq(b.data, "hi homer@example.com, {{kh:redacted}} stays");
	buf_free(&b);
	redact_free(r);
}

Test(proxy_redact, credentials_and_cookies_in_headers)
{
	struct redact *r = make();
	char *v = redact_header(r, "Authorization", "Basic aG9tZXI6ZG9o");
	cr_assert_str_eq(v, "Basic {{kh:redacted}}");
	free(v);
	v = redact_header(r, "cookie", "a=1; sid=XYZ");
	cr_assert_str_eq(v, "a={{kh:redacted}}; sid={{kh:redacted}}");
	free(v);
	v = redact_header(r, "Set-Cookie", "sid=XYZ; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
	cr_assert_str_eq(v, "sid={{kh:redacted}}; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
	free(v);
	v = redact_header(r, "Location", "/home?user=homer%40example.com");
	cr_assert_str_eq(v, "/home?user={{kh:login}}");
	free(v);
	redact_free(r);
}

Test(proxy_redact, a_stream_finds_secrets_across_chunks)
{
	struct redact *r = make();
	const char *text = "xx homer@example.com yy homer@example.com";
	for (size_t step = 1; step <= strlen(text); step++) {
		struct redact_stream s;
		struct buf out = {0};
		buf_puts(&out, "");
		redact_stream_init(&s, r);
		for (size_t i = 0; i < strlen(text); i += step) {
			size_t n = strlen(text) - i < step ? strlen(text) - i : step;
			cr_assert_eq(redact_stream_feed(&s, text + i, n, &out), 0);
		}
		cr_assert_eq(redact_stream_finish(&s, &out), 0);
		cr_assert_str_eq(out.data, "xx {{kh:login}} yy {{kh:login}}", "step %zu", step);
		buf_free(&out);
	}
	redact_free(r);
}

Test(proxy_redact, no_secrets_copies)
{
	struct redact *r = redact_new(NULL, 0);
	char *got = hide(r, "nothing to hide");
	cr_assert_str_eq(got, "nothing to hide");
	free(got);
	redact_free(r);
}
