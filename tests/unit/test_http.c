/* http: raw URI → decoded segments and query pairs. */
#include "fake-stack/http/http.h"
#include "fake-stack/http/http_int.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(http, segments_decoded_after_split)
{
	struct request *req = http_request_new(
		NULL, "GET", "/data/io.cozy.konnectors/io.cozy.konnectors%2Ftpl/relationships/references");
	cr_assert_not_null(req);
	cr_assert_eq(req->nseg, 5);
	cr_assert_str_eq(http_seg(req, 2), "io.cozy.konnectors/tpl");
	cr_assert_str_eq(http_seg(req, 4), "references");
	cr_assert_null(http_seg(req, 5));
	cr_assert_eq(req->trailing_slash, 0);
	http_request_free(req);
}

Test(http, trailing_slash_and_root)
{
	struct request *req = http_request_new(NULL, "POST", "/data/io.cozy.bills/");
	cr_assert_eq(req->nseg, 2);
	cr_assert_eq(req->trailing_slash, 1);
	http_request_free(req);
	req = http_request_new(NULL, "GET", "/");
	cr_assert_eq(req->nseg, 0);
	http_request_free(req);
}

Test(http, query_pairs_with_empty_values)
{
	struct request *req =
		http_request_new(NULL, "POST", "/files/d?Name=a+b%20c.pdf&MetadataID=&Size=&Path=%2FA%2FB&flag");
	cr_assert_str_eq(http_query(req, "Name"), "a b c.pdf");
	cr_assert_str_eq(http_query(req, "MetadataID"), "");
	cr_assert_str_eq(http_query(req, "Size"), "");
	cr_assert_str_eq(http_query(req, "Path"), "/A/B");
	cr_assert_str_eq(http_query(req, "flag"), "");
	cr_assert_null(http_query(req, "nope"));
	cr_assert_str_eq(req->raw_query, "Name=a+b%20c.pdf&MetadataID=&Size=&Path=%2FA%2FB&flag");
	http_request_free(req);
}

Test(http, bad_escape_kept_raw)
{
	struct request *req = http_request_new(NULL, "GET", "/data/x/a%zzb%2");
	cr_assert_str_eq(http_seg(req, 2), "a%zzb%2");
	http_request_free(req);
	cr_assert_null(http_unescape("%4", 2, 0));
	char *s = http_unescape("a+b%41", 6, 0);
	cr_assert_str_eq(s, "a+bA");
	free(s);
}

Test(http, headers_case_insensitive_and_empty)
{
	struct request *req = http_request_new(NULL, "GET", "/data/");
	http_request_add_header(req, "Date", "");
	http_request_add_header(req, "content-type", "application/json");
	cr_assert_str_eq(http_header(req, "date"), "");
	cr_assert_str_eq(http_header(req, "Content-Type"), "application/json");
	cr_assert_null(http_header(req, "Accept"));
	http_request_free(req);
}

Test(http, body_json_errors_in_family)
{
	struct request *req = http_request_new(NULL, "POST", "/data/io.cozy.bills/");
	req->family = FAMILY_DATA;
	buf_puts(&req->body, "{bad");
	json_t *j = NULL;
	cr_assert_eq(http_body_json(req, &j), -1);
	cr_assert_eq(req->priv->status, 400);
	cr_assert(strstr(req->priv->resp.data, "{\"error\":\"Bad Request(400): ") == req->priv->resp.data);
	http_request_free(req);
}
