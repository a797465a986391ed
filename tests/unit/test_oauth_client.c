/* fake-stack/accounts/oauth_client.c: the three token_mode request shapes against a local node server, timeouts, the
 * stack's reading of answers. */
#include "common/err.h"
#include "common/loop.h"
#include "fake-stack/accounts/oauth_client.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A provider that answers by path: /echo 200 with what it saw, /invalid 400 invalid_grant, /down 500 text, /slow never.
 */
static const char *provider_js =
	"const http=require('http');"
	"const s=http.createServer((q,r)=>{let b='';q.on('data',d=>b+=d);q.on('end',()=>{"
	" const p=q.url.split('?')[0];"
	" if(p==='/slow')return;"
	" if(p==='/invalid'){r.writeHead(400,{'content-type':'application/json'});return "
	"r.end('{\"error\":\"invalid_grant\"}');}"
	" if(p==='/down'){r.writeHead(500);return r.end('<html>oops</html>');}"
	" r.writeHead(200,{'content-type':'application/json'});"
	" r.end(JSON.stringify({access_token:'NEW',expires_in:3600,token_type:'Bearer',scope:'s',"
	"  seen:{method:q.method,url:q.url,headers:q.headers,body:b}}));"
	"});});"
	"s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);});";

static pid_t provider_pid;
static int provider_port;

static void provider_start(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	provider_pid = fork();
	cr_assert_geq(provider_pid, 0);
	if (provider_pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execlp("node", "node", "-e", provider_js, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	cr_assert_eq(fscanf(f, "%d", &provider_port), 1, "the node provider did not start");
	fclose(f);
}

static void provider_stop(void)
{
	if (provider_pid > 0) {
		kill(provider_pid, SIGTERM);
		waitpid(provider_pid, NULL, 0);
	}
}

struct result {
	int done;
	long status;
	char *body;
	char *error;
};

static void on_done(const struct oauth_response *res, void *arg)
{
	struct result *r = arg;
	r->done = 1;
	r->status = res->status;
	r->body = strdup(res->body);
	r->error = res->error ? strdup(res->error) : NULL;
}

/* Make one request on a fresh loop and wait (bounded) for its answer. */
static void request(const char *path, const char *mode, enum oauth_purpose purpose, long timeout_ms, struct result *r)
{
	char err[ERR_MAX], url[128];
	if (path[0] == '/')
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", provider_port, path);
	else
		snprintf(url, sizeof(url), "%s", path);
	struct loop *loop = loop_new(err);
	struct oauth_client *c = oauth_client_new(loop, timeout_ms, err);
	cr_assert_not_null(c, "%s", err);
	const char *params[] = {"grant_type", "refresh_token", "refresh_token", "R 1/&", NULL};
	struct oauth_token_request req = {purpose, url, mode, "cid", "c:sec", params};
	memset(r, 0, sizeof(*r));
	cr_assert_not_null(oauth_client_request(c, &req, on_done, r, err), "%s", err);
	cr_assert_eq(r->done, 0, "the callback never runs inside the request call");
	long long deadline = loop_now_ms() + 10000;
	while (!r->done && loop_now_ms() < deadline)
		cr_assert_eq(loop_run_once(loop, 100, err), 0, "%s", err);
	cr_assert(r->done, "no answer");
	oauth_client_free(c);
	loop_free(loop);
}

static json_t *seen(const struct result *r)
{
	json_t *doc = json_loads(r->body, 0, NULL);
	cr_assert_not_null(doc, "%s", r->body);
	return doc;
}

static void result_free(struct result *r)
{
	free(r->body);
	free(r->error);
}

TestSuite(oauth_client, .init = provider_start, .fini = provider_stop);

Test(oauth_client, form_mode_posts_all_four_params_sorted)
{
	struct result r;
	request("/echo", "", OAUTH_REFRESH, 0, &r);
	cr_assert_eq(r.status, 200);
	json_t *doc = seen(&r);
	json_t *s = json_object_get(doc, "seen");
	cr_assert_str_eq(json_string_value(json_object_get(s, "method")), "POST");
	cr_assert_str_eq(json_string_value(json_object_get(s, "body")),
			 "client_id=cid&client_secret=c%3Asec&grant_type=refresh_token&refresh_token=R+1%2F%26");
	json_t *h = json_object_get(s, "headers");
	cr_assert_str_eq(json_string_value(json_object_get(h, "content-type")), "application/x-www-form-urlencoded");
	cr_assert_null(json_object_get(h, "accept"), "http.PostForm sends no Accept");
	cr_assert_null(json_object_get(h, "authorization"));
	json_decref(doc);
	result_free(&r);
}

Test(oauth_client, code_exchange_form_mode_sends_accept_json)
{
	struct result r;
	request("/echo", "form", OAUTH_CODE_EXCHANGE, 0, &r);
	json_t *doc = seen(&r);
	json_t *h = json_object_get(json_object_get(doc, "seen"), "headers");
	cr_assert_str_eq(json_string_value(json_object_get(h, "accept")), "application/json");
	json_decref(doc);
	result_free(&r);
}

Test(oauth_client, basic_mode_sends_credentials_in_the_header_only)
{
	struct result r;
	request("/echo", "basic", OAUTH_REFRESH, 0, &r);
	json_t *doc = seen(&r);
	json_t *s = json_object_get(doc, "seen");
	cr_assert_str_eq(json_string_value(json_object_get(s, "body")),
			 "grant_type=refresh_token&refresh_token=R+1%2F%26");
	json_t *h = json_object_get(s, "headers");
	cr_assert_str_eq(json_string_value(json_object_get(h, "authorization")), "Basic Y2lkOmM6c2Vj"); /* cid:c:sec */
	cr_assert_str_eq(json_string_value(json_object_get(h, "accept")), "application/json");
	cr_assert_str_eq(json_string_value(json_object_get(h, "content-type")), "application/x-www-form-urlencoded");
	json_decref(doc);
	result_free(&r);
}

Test(oauth_client, get_mode_puts_params_in_the_query)
{
	struct result r;
	request("/echo", "get", OAUTH_REFRESH, 0, &r);
	json_t *doc = seen(&r);
	json_t *s = json_object_get(doc, "seen");
	cr_assert_str_eq(json_string_value(json_object_get(s, "method")), "GET");
	cr_assert_str_eq(json_string_value(json_object_get(s, "url")),
			 "/echo?client_id=cid&client_secret=c%3Asec&grant_type=refresh_token&refresh_token=R+1%2F%26");
	json_t *h = json_object_get(s, "headers");
	cr_assert_null(json_object_get(h, "accept"));
	cr_assert_null(json_object_get(h, "content-type"));
	json_decref(doc);
	result_free(&r);
}

Test(oauth_client, slow_provider_times_out_in_the_go_words)
{
	struct result r;
	request("/slow", "basic", OAUTH_REFRESH, 200, &r);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(r.error);
	cr_assert(strstr(r.error, "Post \"http://127.0.0.1:") != NULL, "%s", r.error);
	cr_assert(strstr(r.error, "Client.Timeout exceeded") != NULL, "%s", r.error);
	result_free(&r);
}

Test(oauth_client, get_mode_error_text_hides_the_secret)
{
	struct result r;
	request("/slow", "get", OAUTH_REFRESH, 200, &r);
	cr_assert(strstr(r.error, "Get \"") == r.error, "%s", r.error);
	cr_assert_null(strstr(r.error, "sec"), "%s", r.error);
	result_free(&r);
}

Test(oauth_client, refused_connection_and_bad_scheme)
{
	struct result r;
	request("http://127.0.0.1:1/token", "", OAUTH_REFRESH, 0, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.error, "connection refused") != NULL, "%s", r.error);
	result_free(&r);
	request("", "", OAUTH_REFRESH, 0, &r);
	cr_assert_str_eq(r.error, "Post \"\": unsupported protocol scheme \"\"");
	result_free(&r);
	request("FTP://x/y", "", OAUTH_REFRESH, 0, &r);
	cr_assert_str_eq(r.error, "Post \"FTP://x/y\": unsupported protocol scheme \"ftp\"");
	result_free(&r);
}

Test(oauth_client, cancel_means_no_callback)
{
	char err[ERR_MAX], url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", provider_port);
	struct loop *loop = loop_new(err);
	struct oauth_client *c = oauth_client_new(loop, 0, err);
	const char *params[] = {NULL};
	struct oauth_token_request req = {OAUTH_REFRESH, url, "", "a", "b", params};
	struct result r = {0};
	struct oauth_call *call = oauth_client_request(c, &req, on_done, &r, err);
	for (int i = 0; i < 3; i++)
		loop_run_once(loop, 20, err);
	oauth_client_cancel(call);
	struct oauth_token_request bad = {OAUTH_REFRESH, "", "", "a", "b", params};
	oauth_client_cancel(oauth_client_request(c, &bad, on_done, &r, err));
	/* And one left in flight for oauth_client_free to abort. */
	oauth_client_request(c, &req, on_done, &r, err);
	for (int i = 0; i < 3; i++)
		loop_run_once(loop, 20, err);
	cr_assert_eq(r.done, 0);
	oauth_client_free(c);
	loop_free(loop);
}

/* The reading of answers, without I/O. */
static enum oauth_outcome refresh_of(long status, const char *body, struct oauth_tokens *t, char *detail)
{
	struct oauth_response res = {status, body, strlen(body), NULL};
	return oauth_client_refresh_outcome(&res, t, detail);
}

Test(oauth_client, refresh_outcomes_follow_the_stack)
{
	struct oauth_tokens t;
	char d[ERR_MAX];
	cr_assert_eq(refresh_of(200, "{\"access_token\":\"A\",\"expires_in\":60,\"Refresh_Token\":\"R\"}", &t, d),
		     OAUTH_OK);
	cr_assert_str_eq(t.access_token, "A");
	cr_assert_str_eq(t.refresh_token, "R", "Go matches keys case-insensitively");
	cr_assert_eq(t.expires_in, 60);
	oauth_client_tokens_free(&t);
	cr_assert_eq(refresh_of(200, "{\"access_token\":\"\",\"id_token\":\"I\"}", &t, d), OAUTH_OK);
	cr_assert_null(t.access_token, "no id_token fallback on refresh");
	oauth_client_tokens_free(&t);
	cr_assert_eq(refresh_of(400, "{\"error\":\"invalid_grant\"}", &t, d), OAUTH_INVALID_TOKEN);
	cr_assert_eq(refresh_of(401, "{\"error\":\"invalid_token\"}", &t, d), OAUTH_INVALID_TOKEN);
	cr_assert_eq(refresh_of(400, "{\"error\":\"invalid_request\"}", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "oauth service responded with status 400");
	cr_assert_eq(refresh_of(503, "<html>", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "oauth service responded with status 503");
	cr_assert_eq(refresh_of(400, "{\"error\":\"invalid_grant\",\"expires_in\":\"x\"}", &t, d), OAUTH_FAILED,
		     "a body Go cannot decode is not classified");
	cr_assert_eq(refresh_of(200, "<html>", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "invalid character '<' looking for beginning of value");
	cr_assert_eq(refresh_of(200, "", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "unexpected end of JSON input");
	cr_assert_eq(refresh_of(200, "{\"error\":\"slow_down\",\"error_description\":\"wait\"}", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "OauthError(slow_down) wait");
	cr_assert_eq(refresh_of(200, "{\"expires_in\":\"3600\"}", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(
		d, "json: cannot unmarshal string into Go struct field tokenEndpointResponse.expires_in of type int");
	cr_assert_eq(refresh_of(200, "[]", &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "json: cannot unmarshal array into Go value of type account.tokenEndpointResponse");
	cr_assert_eq(refresh_of(200, "null", &t, d), OAUTH_OK);
	cr_assert_null(t.access_token);
	oauth_client_tokens_free(&t);
}

Test(oauth_client, code_outcomes_follow_the_stack)
{
	struct oauth_tokens t;
	char d[ERR_MAX];
	struct oauth_response res = {200, "{\"id_token\":\"I\",\"scope\":\"a b\",\"expires_in\":10}", 0, NULL};
	res.body_len = strlen(res.body);
	cr_assert_eq(oauth_client_code_outcome(&res, &t, d), OAUTH_OK);
	cr_assert_str_eq(t.access_token, "I", "id_token stands in for access_token");
	cr_assert_str_eq(json_string_value(json_object_get(t.extras, "scope")), "a b");
	cr_assert_not_null(json_object_get(t.extras, "id_token"));
	cr_assert_null(json_object_get(t.extras, "expires_in"));
	oauth_client_tokens_free(&t);
	res.body = "{\"token_type\":\"Bearer\"}";
	res.body_len = strlen(res.body);
	cr_assert_eq(oauth_client_code_outcome(&res, &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "server responded without access token");
	res.status = 400;
	res.body = "{\"error\":\"invalid_grant\"}";
	res.body_len = strlen(res.body);
	cr_assert_eq(oauth_client_code_outcome(&res, &t, d), OAUTH_FAILED);
	cr_assert_str_eq(d, "oauth services responded with non-200 res: {\"error\":\"invalid_grant\"}");
}

Test(oauth_client, form_encode_is_go_url_values_encode)
{
	const char *pairs[] = {"b", "x y", "a", "é~*", "c", NULL, NULL};
	char *s = oauth_client_form_encode(pairs);
	cr_assert_str_eq(s, "a=%C3%A9~%2A&b=x+y&c=");
	free(s);
}
