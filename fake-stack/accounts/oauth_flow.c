/*
 * The authorization-code flow pieces of stack.h for `konnector-harness oauth`
 * (model/account/type.go): the start URL, the code exchange, and the loopback
 * listener that catches the provider's redirect (libmicrohttpd on our loop).
 */
#include "common/buf.h"
#include "common/err.h"
#include "fake-stack/accounts/account_types.h"
#include "fake-stack/accounts/oauth_client.h"
#include "fake-stack/http/mhd_loop.h"
#include "fake-stack/stack.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct stack_oauth_exchange {
	struct oauth_client *client;
	struct oauth_call *call;
	stack_oauth_cb cb;
	void *arg;
};

int stack_account_type_check(const json_t *account_type, const char *file, const char *text, char *err)
{
	return account_types_check(account_type, file, text, err);
}

static const char *field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL ? s : "";
}

/* stack: MakeOauthStartURL for authorization_code grants: scope (when set), redirect_uri (unless skipped),
 * response_type, client_id, state, extras; encoded sorted. */
char *stack_oauth_start_url(const json_t *at, const char *redirect_uri, const char *state, const char *scope, char *err)
{
	const char *grant = field(at, "grant_mode");
	if (strcmp(grant, "authorization_code") != 0 && strcmp(grant, "authorization_code+secret") != 0) {
		err_set(err,
			"grant_mode is \"%s\": only authorization_code and authorization_code+secret use this flow",
			grant);
		return NULL;
	}
	const char *endpoint = field(at, "auth_endpoint");
	if (endpoint[0] == '\0') {
		err_set(err, "the account type has no auth_endpoint");
		return NULL;
	}
	const json_t *extras = json_object_get(at, "extras");
	size_t n = 0, cap = 2 * (5 + json_object_size(extras)) + 1;
	const char **pairs = calloc(cap, sizeof(char *));
	if (scope != NULL && scope[0] != '\0') {
		pairs[n++] = "scope";
		pairs[n++] = scope;
	}
	if (!json_is_true(json_object_get(at, "skip_redirect_uri_on_authorize"))) {
		pairs[n++] = "redirect_uri";
		pairs[n++] = redirect_uri;
	}
	pairs[n++] = "response_type";
	pairs[n++] = "code";
	pairs[n++] = "client_id";
	pairs[n++] = field(at, "client_id");
	pairs[n++] = "state";
	pairs[n++] = state;
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)extras, k, v) {
		pairs[n++] = k;
		pairs[n++] = json_string_value(v);
	}
	pairs[n] = NULL;
	char *q = oauth_client_form_encode(pairs);
	free(pairs);
	struct buf b = {0};
	buf_printf(&b, "%s%s%s", endpoint, strchr(endpoint, '?') ? "&" : "?", q);
	free(q);
	return buf_steal(&b);
}

static void on_answer(const struct oauth_response *res, void *arg)
{
	struct stack_oauth_exchange *x = arg;
	x->call = NULL;
	struct oauth_tokens t;
	char detail[ERR_MAX];
	if (oauth_client_code_outcome(res, &t, detail) == OAUTH_OK) {
		struct stack_oauth_tokens out = {t.access_token, t.refresh_token, t.token_type, t.expires_in};
		x->cb(&out, NULL, x->arg);
		oauth_client_tokens_free(&t);
	} else {
		x->cb(NULL, detail, x->arg);
	}
}

struct stack_oauth_exchange *stack_oauth_exchange_code(struct loop *loop, const json_t *at, const char *code,
						       const char *state, const char *redirect_uri, stack_oauth_cb cb,
						       void *arg, char *err)
{
	struct stack_oauth_exchange *x = calloc(1, sizeof(*x));
	if (x == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	x->cb = cb;
	x->arg = arg;
	x->client = oauth_client_new(loop, 0, err);
	if (x->client == NULL) {
		free(x);
		return NULL;
	}
	/* stack: RequestAccessToken: state unless skip_state_on_token; client creds added by oauth_client unless basic.
	 */
	const char *params[] = {"grant_type",
				"authorization_code",
				"code",
				code,
				"redirect_uri",
				redirect_uri,
				json_is_true(json_object_get(at, "skip_state_on_token")) ? NULL : "state",
				state,
				NULL};
	struct oauth_token_request req = {OAUTH_CODE_EXCHANGE,    field(at, "token_endpoint"), field(at, "token_mode"),
					  field(at, "client_id"), field(at, "client_secret"),  params};
	x->call = oauth_client_request(x->client, &req, on_answer, x, err);
	if (x->call == NULL) {
		oauth_client_free(x->client);
		free(x);
		return NULL;
	}
	return x;
}

void stack_oauth_exchange_free(struct stack_oauth_exchange *x)
{
	if (x == NULL)
		return;
	oauth_client_free(x->client); /* aborts a call in flight without its callback */
	free(x);
}

/* ---- the redirect listener ---- */

struct stack_oauth_listener {
	struct MHD_Daemon *mhd;
	struct mhd_loop *ml;
	char *path;
	unsigned short port;
	stack_oauth_redirect_cb cb;
	void *arg;
};

/* Answer the browser with a short text page. */
static enum MHD_Result page(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The provider's redirect: ?code=…&state=… or ?error=…, for the caller to judge; anything else is 404. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	struct stack_oauth_listener *l = cls;
	if (strcmp(method, "GET") != 0 || strcmp(url, l->path) != 0)
		return page(conn, 404, "not found\n");
	struct stack_oauth_redirect r = {
		.code = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "code"),
		.state = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "state"),
		.error = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "error"),
		.error_description = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "error_description"),
	};
	const char *text = "";
	unsigned status = l->cb(&r, &text, l->arg);
	return page(conn, status, text);
}

struct stack_oauth_listener *stack_oauth_listen(struct loop *loop, unsigned short port, const char *path,
						stack_oauth_redirect_cb cb, void *arg, char *err)
{
	struct stack_oauth_listener *l = calloc(1, sizeof(*l));
	if (l == NULL || (l->path = strdup(path)) == NULL) {
		free(l);
		err_set(err, "out of memory");
		return NULL;
	}
	l->cb = cb;
	l->arg = arg;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->mhd = MHD_start_daemon(MHD_USE_EPOLL, port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&sa, MHD_OPTION_END);
	if (l->mhd == NULL) {
		err_set(err, "cannot listen on 127.0.0.1:%u (in use?)", port);
		stack_oauth_listener_free(l);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_BIND_PORT);
	l->port = di != NULL ? di->port : port;
	l->ml = mhd_loop_attach(loop, l->mhd, err);
	if (l->ml == NULL) {
		stack_oauth_listener_free(l);
		return NULL;
	}
	return l;
}

unsigned short stack_oauth_listener_port(const struct stack_oauth_listener *l)
{
	return l->port;
}

void stack_oauth_listener_free(struct stack_oauth_listener *l)
{
	if (l == NULL)
		return;
	mhd_loop_detach(l->ml);
	if (l->mhd != NULL)
		MHD_stop_daemon(l->mhd);
	free(l->path);
	free(l);
}
