/* reply: the three error families and written-doc bodies. */
#include "fake-stack/http/http_int.h"
#include "fake-stack/http/reply.h"

#include <criterion/criterion.h>
#include <string.h>

static struct request *mk(enum err_family f, const char *accept)
{
	struct request *req = http_request_new(NULL, "GET", "/x");
	req->family = f;
	if (accept != NULL)
		http_request_add_header(req, "Accept", accept);
	return req;
}

#define BODY(r) ((r)->priv->resp.data)

Test(reply, couch_error_data_and_jsonapi)
{
	struct request *req = mk(FAMILY_DATA, NULL);
	reply_couch_error(req, 404, "not_found", "missing");
	cr_assert_str_eq(BODY(req),
			 "{\"ok\":false,\"status\":\"404\",\"error\":\"not_found\",\"reason\":\"missing\"}\n");
	cr_assert_str_eq(req->priv->content_type, "application/json");
	http_request_free(req);
	req = mk(FAMILY_JSONAPI, NULL);
	reply_couch_error(req, 404, "not_found", "missing");
	cr_assert_str_eq(
		BODY(req),
		"{\"errors\":[{\"status\":\"404\",\"title\":\"not_found\",\"detail\":\"missing\",\"source\":{}}]}\n");
	cr_assert_str_eq(req->priv->content_type, "application/vnd.api+json");
	http_request_free(req);
}

Test(reply, jsonapi_error_both_families)
{
	struct request *req = mk(FAMILY_DATA, NULL);
	reply_jsonapi_error(req, 400, "delete without revision", NULL, NULL);
	cr_assert_str_eq(BODY(req), "{\"error\":\"Bad Request(400): delete without revision\"}\n");
	http_request_free(req);
	req = mk(FAMILY_JSONAPI, NULL);
	reply_jsonapi_error(req, 422, "Invalid document type", "pointer", "/data/attributes/type");
	cr_assert_str_eq(BODY(req),
			 "{\"errors\":[{\"status\":\"422\",\"title\":\"Unprocessable Entity\",\"detail\":"
			 "\"Invalid document type\",\"source\":{\"pointer\":\"/data/attributes/type\"}}]}\n");
	http_request_free(req);
}

Test(reply, echo_error_by_family_and_accept)
{
	struct request *req = mk(FAMILY_DATA, NULL);
	reply_echo_error(req, 401, "No token in request");
	cr_assert_str_eq(BODY(req), "{\"error\":\"code=401, message=No token in request\"}\n");
	http_request_free(req);
	req = mk(FAMILY_JSONAPI, "application/json");
	reply_echo_error(req, 403, "Forbidden");
	cr_assert_str_eq(BODY(req), "{\"error\":\"Forbidden\"}\n");
	http_request_free(req);
	/* application/vnd.api+json does not contain application/json: plain text. */
	req = mk(FAMILY_JSONAPI, "application/vnd.api+json");
	reply_echo_error(req, 403, "Forbidden");
	cr_assert_str_eq(BODY(req), "Forbidden");
	cr_assert(strncmp(req->priv->content_type, "text/plain", 10) == 0);
	http_request_free(req);
	req = mk(FAMILY_JSONAPI, "text/html,*/*");
	reply_echo_error(req, 404, "Not Found");
	cr_assert(strstr(BODY(req), "<html>") != NULL);
	http_request_free(req);
}

Test(reply, internal_error_and_doc_written)
{
	struct request *req = mk(FAMILY_JSONAPI, NULL);
	reply_internal_error(req, "boom");
	cr_assert_eq(req->priv->status, 500);
	cr_assert(strstr(BODY(req), "\"title\":\"Unqualified error\",\"detail\":\"boom\"") != NULL);
	http_request_free(req);
	json_t *doc = json_pack("{s:s,s:s,s:i}", "_id", "a", "_rev", "1-x", "n", 1);
	json_t *w = reply_doc_written("io.cozy.t", doc);
	char *s = json_dumps(w, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(s, "{\"ok\":true,\"id\":\"a\",\"rev\":\"1-x\",\"type\":\"io.cozy.t\",\"data\":{\"_id\":\"a\","
			    "\"_rev\":\"1-x\",\"n\":1,\"_type\":\"io.cozy.t\"}}");
	free(s);
	json_decref(w);
	json_decref(doc);
}
