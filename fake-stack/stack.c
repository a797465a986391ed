/*
 * The fake stack: its route table handed to the HTTP server (http/server.c),
 * tokens and permissions, and the stack.h API over the store.
 */
#include "fake-stack/stack.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "fake-stack/accounts/route_accounts.h"
#include "fake-stack/data/route_data.h"
#include "fake-stack/data/store.h"
#include "fake-stack/files/route_files.h"
#include "fake-stack/http/http.h"
#include "fake-stack/http/journal.h"
#include "fake-stack/http/perm.h"
#include "fake-stack/http/server.h"
#include "fake-stack/http/token.h"
#include "fake-stack/realtime/hub.h"
#include "fake-stack/stack_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* stack: web/routing.go mounts /data (CouchDB-style errors), /files, /accounts and /jobs (JSON:API errors). */
static const struct server_route routes[] = {
	{"data", FAMILY_DATA, NULL, route_data_handle},
	{"files", FAMILY_JSONAPI, route_files_begin, route_files_handle},
	{"accounts", FAMILY_JSONAPI, NULL, route_accounts_handle},
	{"jobs", FAMILY_JSONAPI, NULL, route_jobs_handle},
};

/* ---- fixtures ---- */

/* Documents from the state dir or the fixtures (account types: stack_accounts.c). */
static int load_data(struct stack *st, char *err)
{
	const char *base = st->state_dir != NULL ? st->state_dir : st->fixtures_dir;
	if (base == NULL)
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/data", base);
	if (fs_is_dir(path) && store_load_dir(st->store, path, err) < 0)
		return -1;
	store_reset_changes(st->store);
	return 0;
}

/* Serve the routes on bind_addr:port; the URL and domain follow the port chosen. */
static int stack_listen(struct stack *st, unsigned short port, char *err)
{
	struct server_config cfg = {
		.loop = st->loop,
		.bind_addr = st->bind_addr,
		.port = port,
		.st = st,
		.tokens = st->tokens,
		.journal = st->journal,
		.body_limit = STACK_BODY_LIMIT,
		.routes = routes,
		.nroutes = sizeof(routes) / sizeof(routes[0]),
	};
	st->server = server_start(&cfg, err);
	if (st->server == NULL)
		return -1;
	snprintf(st->domain, sizeof(st->domain), "%s:%u", st->bind_addr, server_port(st->server));
	snprintf(st->url, sizeof(st->url), "http://%s/", st->domain);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct stack *stack_start(struct loop *loop, const struct stack_options *opt, char *err)
{
	struct stack *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	st->loop = loop;
	st->fixtures_dir = dup_or_null(opt->fixtures_dir);
	st->state_dir = dup_or_null(opt->state_dir);
	st->files_dir = dup_or_null(opt->files_dir);
	st->bind_addr = strdup(opt->bind_addr != NULL ? opt->bind_addr : "127.0.0.1");
	st->locale = strdup(opt->locale != NULL ? opt->locale : "en");
	st->perm_mode = opt->perm_mode;
	st->disk_quota = opt->disk_quota;
	st->store = store_new();
	st->tokens = tokens_new();
	st->perms = perm_registry_new();
	st->journal = journal_new();
	st->hub = hub_new();
	if (st->store == NULL || st->tokens == NULL || st->perms == NULL || st->journal == NULL || st->hub == NULL ||
	    st->bind_addr == NULL || st->locale == NULL) {
		err_set(err, "out of memory");
		stack_stop(st);
		return NULL;
	}
	if (load_data(st, err) < 0 || stack_listen(st, opt->port, err) < 0 || stack_files_start(st, err) < 0 ||
	    stack_accounts_start(st, err) < 0 || stack_jobs_start(st, err) < 0) {
		stack_stop(st);
		return NULL;
	}
	return st;
}

void stack_stop(struct stack *st)
{
	if (st == NULL)
		return;
	server_stop(st->server);
	stack_jobs_stop(st);
	stack_files_stop(st);
	stack_accounts_stop(st);
	store_free(st->store);
	tokens_free(st->tokens);
	perm_registry_free(st->perms);
	journal_free(st->journal);
	hub_free(st->hub);
	free(st->fixtures_dir);
	free(st->state_dir);
	free(st->files_dir);
	free(st->bind_addr);
	free(st->locale);
	free(st);
}

const char *stack_url(const struct stack *st)
{
	return st->url;
}

const char *stack_domain(const struct stack *st)
{
	return st->domain;
}

int stack_has_konnector(const struct stack *st, const char *slug)
{
	int found;
	perm_registry_find(st->perms, slug, &found);
	return found;
}

int stack_add_konnector(struct stack *st, const char *slug, const json_t *permissions, char *err)
{
	struct perm_set *set = perm_parse(permissions, err);
	if (set == NULL)
		return -1;
	return perm_registry_set(st->perms, slug, set, err);
}

const char *stack_mint_konnector_token(struct stack *st, const char *slug, char *err)
{
	return tokens_mint(st->tokens, TOKEN_KONNECTOR, st->domain, slug, (long long)time(NULL), err);
}

const char *stack_mint_app_token(struct stack *st, const char *slug, char *err)
{
	return tokens_mint(st->tokens, TOKEN_APP, st->domain, slug, (long long)time(NULL), err);
}

/* ---- documents for the runner ---- */

json_t *stack_doc_get(struct stack *st, const char *doctype, const char *id)
{
	return store_fetch(st->store, doctype, id, NULL);
}

json_t *stack_doc_put(struct stack *st, const char *doctype, const json_t *doc, char *err)
{
	json_t *out = NULL;
	const char *id = json_string_value(json_object_get(doc, "_id"));
	enum store_status s;
	if (json_object_get(doc, "_rev") != NULL && id != NULL)
		s = store_update(st->store, doctype, id, doc, &out, err);
	else
		s = store_create(st->store, doctype, doc, &out, err);
	if (s == STORE_OK)
		return out;
	json_decref(out);
	return NULL;
}

int stack_doc_delete(struct stack *st, const char *doctype, const char *id, char *err)
{
	const char *rev = store_rev(st->store, doctype, id, NULL);
	if (rev == NULL)
		return err_set(err, "%s/%s: missing", doctype, id);
	return store_delete(st->store, doctype, id, rev, NULL, err) == STORE_OK ? 0 : -1;
}

/* ---- journal, state, changes, reset ---- */

const json_t *stack_journal(const struct stack *st)
{
	return journal_entries(st->journal);
}

int stack_write_journal(const struct stack *st, const char *path, char *err)
{
	return journal_write(st->journal, path, err);
}

int stack_write_state(const struct stack *st, const char *dir, char *err)
{
	char path[4096];
	if (mkdir_p(dir, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/data", dir);
	if (mkdir_p(path, err) < 0 || store_write_dir(st->store, path, err) < 0)
		return -1;
	return stack_files_write_state(st, dir, err);
}

void stack_on_forbidden(struct stack *st, stack_forbidden_cb cb, void *arg)
{
	st->on_forbidden = cb;
	st->on_forbidden_arg = arg;
}

json_t *stack_changes(const struct stack *st)
{
	json_t *c = store_changes(st->store);
	json_t *files = stack_files_changes(st);
	if (c != NULL && files != NULL)
		json_object_set(c, "io.cozy.files", files);
	json_decref(files);
	return c;
}

int stack_reset(struct stack *st, char *err)
{
	struct store *fresh = store_new();
	if (fresh == NULL)
		return err_set(err, "out of memory");
	struct store *old = st->store;
	st->store = fresh;
	if (load_data(st, err) < 0) {
		store_free(fresh);
		st->store = old;
		return -1;
	}
	store_free(old);
	stack_jobs_reset(st);
	journal_clear(st->journal);
	if (stack_files_reset(st, err) < 0)
		return -1;
	return stack_accounts_reset(st, err);
}
