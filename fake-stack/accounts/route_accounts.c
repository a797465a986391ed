/*
 * /accounts: POST /accounts/:accountType/:accountID/refresh (stack:
 * web/accounts/oauth.go refresh). The request is parked while the token
 * call is in flight (http_suspend / http_resume).
 */
#include "fake-stack/accounts/route_accounts.h"

#include "common/err.h"
#include "fake-stack/accounts/account_doc.h"
#include "fake-stack/accounts/account_refresh.h"
#include "fake-stack/accounts/account_types.h"
#include "fake-stack/accounts/accounts_int.h"
#include "fake-stack/accounts/oauth_client.h"
#include "fake-stack/data/store.h"
#include "fake-stack/http/http.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/stack_int.h"

#include <stdlib.h>
#include <string.h>

#define ACCOUNTS "io.cozy.accounts"

/* A refresh in flight for one parked request. */
struct accounts_pending {
	struct stack *st;
	struct request *req;
	struct account_refresh *refresh;
	char *id;
	struct accounts_pending *next; /* the stack's list of refreshes in flight */
};

/* Take p off the list of refreshes in flight. */
static void pending_unlink(struct accounts *a, struct accounts_pending *p)
{
	for (struct accounts_pending **q = &a->pending; *q != NULL; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
}

void route_accounts_abandon(struct accounts *a)
{
	/* Parked requests may outlive the stack's accounts: leave them nothing to cancel. */
	for (struct accounts_pending *p = a->pending; p != NULL; p = p->next) {
		account_refresh_cancel(p->refresh);
		p->refresh = NULL;
		p->st = NULL;
	}
}

/* The 200 JSON:API document: attributes are the struct without _id/_rev (pkg/jsonapi/data.go MarshalObject). */
static json_t *refreshed_doc(const json_t *saved)
{
	const char *id = json_string_value(json_object_get(saved, "_id"));
	const char *rev = json_string_value(json_object_get(saved, "_rev"));
	json_t *attrs = json_deep_copy(saved);
	json_object_del(attrs, "_id");
	json_object_del(attrs, "_rev");
	char self[1024];
	snprintf(self, sizeof(self), "/data/" ACCOUNTS "/%s", id);
	json_t *meta = json_object();
	if (rev != NULL && rev[0] != '\0')
		json_object_set_new(meta, "rev", json_string(rev));
	return json_pack("{s:{s:s,s:s,s:o,s:o,s:{s:s}}}", "data", "type", ACCOUNTS, "id", id, "attributes", attrs,
			 "meta", meta, "links", "self", self);
}

/* Answer a concluded refresh: save and 200, or the stack's error. */
static void answer(struct stack *st, struct request *req, const char *id, struct account_refresh_result *res)
{
	switch (res->status) {
	case REFRESH_TYPE_NOT_FOUND:
		reply_couch_error(req, 404, "not_found", "missing");
		return;
	case REFRESH_INVALID_TOKEN:
		/* stack: web/accounts/oauth.go mapRefreshError */
		reply_jsonapi(req, 401,
			      json_pack("{s:[{s:s,s:s,s:s,s:s,s:{}}]}", "errors", "status", "401", "title",
					"Unauthorized", "code", "oauth_refresh_invalid_token", "detail",
					"OAuth refresh token is invalid or expired; reconnect account.", "source"));
		return;
	case REFRESH_FAILED:
		reply_internal_error(req, res->detail);
		return;
	case REFRESH_OK:
		break;
	}
	json_t *saved = NULL;
	char err[ERR_MAX];
	enum store_status ss = store_update(st->store, ACCOUNTS, id, res->account, &saved, err);
	if (ss == STORE_CONFLICT || ss == STORE_NOT_FOUND || ss == STORE_DELETED) {
		reply_couch_error(req, 409, "conflict", "Document update conflict.");
		return;
	}
	if (ss != STORE_OK) {
		reply_internal_error(req, err);
		return;
	}
	reply_jsonapi(req, 200, refreshed_doc(saved));
	struct accounts *a = st->accounts;
	if (a->on_refresh != NULL) {
		const json_t *o = json_object_get(saved, "oauth");
		a->on_refresh(st, id, json_string_value(json_object_get(o, "access_token")),
			      json_string_value(json_object_get(o, "refresh_token")), a->on_refresh_arg);
	}
	json_decref(saved);
}

static void on_refreshed(struct account_refresh_result *res, void *arg)
{
	struct accounts_pending *p = arg;
	struct stack *st = p->st;
	p->refresh = NULL;
	pending_unlink(p->st->accounts, p);
	p->st = NULL;
	answer(st, p->req, p->id, res);
	account_refresh_result_clear(res);
	http_resume(p->req);
}

/* The request ended (answered or client gone): drop a refresh still in flight. */
static void on_request_free(struct request *req)
{
	struct accounts_pending *p = req->handler_data;
	if (p == NULL)
		return;
	if (p->st != NULL)
		pending_unlink(p->st->accounts, p);
	account_refresh_cancel(p->refresh);
	free(p->id);
	free(p);
	req->handler_data = NULL;
}

/* POST /accounts/:accountType/:accountID/refresh */
static int refresh(struct stack *st, struct request *req, const char *id)
{
	/* 1. the doc, read into the Go struct, before any permission check */
	enum store_status ss;
	json_t *doc = store_fetch(st->store, ACCOUNTS, id, &ss);
	if (doc == NULL) {
		if (ss == STORE_NO_DB)
			return reply_couch_error(req, 404, "not_found", "Database does not exist.");
		return reply_couch_error(req, 404, "not_found", ss == STORE_DELETED ? "deleted" : "missing");
	}
	char err[ERR_MAX];
	json_t *acc = account_doc_roundtrip(doc, err);
	if (acc == NULL) {
		json_decref(doc);
		return reply_internal_error(req, err);
	}
	/* 2. permission GET on the account */
	int allowed = http_allow(req, "GET", ACCOUNTS, id, doc, 0);
	json_decref(doc);
	if (allowed < 0) {
		json_decref(acc);
		return 0;
	}
	/* 3-4. account type and RefreshAccount (the URL's :accountType is ignored) */
	struct accounts_pending *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		json_decref(acc);
		return -1;
	}
	p->st = st;
	p->req = req;
	p->id = strdup(id);
	struct account_refresh_result now;
	p->refresh = account_refresh_start(acc, st->accounts->types, st->accounts->oauth, on_refreshed, p, &now);
	json_decref(acc);
	if (p->refresh == NULL) {
		answer(st, req, id, &now);
		account_refresh_result_clear(&now);
		free(p->id);
		free(p);
		return 0;
	}
	p->next = st->accounts->pending;
	st->accounts->pending = p;
	req->handler_data = p;
	req->on_free = on_request_free;
	http_suspend(req);
	return 0;
}

int route_accounts_handle(struct stack *st, struct request *req)
{
	req->family = FAMILY_JSONAPI;
	if (req->nseg == 4 && strcmp(req->seg[3], "refresh") == 0) {
		if (strcmp(req->method, "POST") != 0)
			return reply_echo_error(req, 405, "Method Not Allowed");
		return refresh(st, req, req->seg[2]);
	}
	/* The OAuth start/redirect/manage pages need a browser and a cozy session: not faked. */
	return reply_echo_error(req, 404, "Not Found");
}
