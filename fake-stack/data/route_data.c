/*
 * /data: the document API (stack: web/data/data.go, web/data/accounts.go; our notes: docs/STACK.md).
 * Over 600 lines on purpose: one handler per route of web/data/data.go, in its order, so the
 * two read side by side; the store and Mango do the work.
 */
#include "fake-stack/data/route_data.h"
#include "common/err.h"
#include "common/isotime.h"
#include "fake-stack/data/account_rules.h"
#include "fake-stack/data/mango.h"
#include "fake-stack/data/store.h"
#include "fake-stack/files/route_files.h"
#include "fake-stack/http/http.h"
#include "fake-stack/http/reply.h"
#include "fake-stack/stack_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNTS "io.cozy.accounts"
#define SOFT_DELETED "io.cozy.accounts.soft_deleted"

/* A store outcome as the stack's CouchDB-style answer. */
static int reply_store(struct request *req, enum store_status s, const char *err)
{
	switch (s) {
	case STORE_NOT_FOUND:
		return reply_couch_error(req, 404, "not_found", "missing");
	case STORE_DELETED:
		return reply_couch_error(req, 404, "not_found", "deleted");
	case STORE_NO_DB:
		return reply_couch_error(req, 404, "not_found", "Database does not exist.");
	case STORE_CONFLICT:
		return reply_couch_error(req, 409, "conflict", "Document update conflict.");
	case STORE_BAD_ID:
		return reply_couch_error(req, 400, "bad_id", err);
	default:
		return reply_internal_error(req, err && err[0] ? err : "internal error");
	}
}

/* A copy of a request doc without "_type", which clients echo back (cozy-client-js sends it on PUT). */
static json_t *strip_type(const json_t *doc)
{
	json_t *c = json_copy((json_t *)doc);
	if (c != NULL)
		json_object_del(c, "_type");
	return c;
}

/* The doc id as the stack reads it: url.QueryUnescape of the raw segment ('+' is a space). */
static char *doc_id_from_path(const struct request *req, size_t index)
{
	const char *p = req->path;
	for (size_t i = 0; i <= index && p != NULL; i++) {
		p = strchr(p, '/');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return strdup(http_seg(req, index) ? http_seg(req, index) : "");
	size_t n = strcspn(p, "/");
	char *id = http_unescape(p, n, 1);
	return id != NULL ? id : strndup(p, n);
}

/* stack: web/data/accounts.go CozyMetadataFromClaims: cozyMetadata from the token's slug. New ref. */
static json_t *account_metadata(const struct request *req)
{
	char now[40];
	isotime_now(ISOTIME_NANOS, now, sizeof(now), NULL);
	return account_rules_metadata(req->slug, now);
}

/*
 * stack: web/data/accounts.go getAccount / updateAccount: credentials are
 * decrypted for a konnector token, and for an app token that asks
 * include=credentials; nobody else sees them.
 */
static void account_reveal(struct request *req, json_t *doc, int get)
{
	const char *include = http_query(req, "include");
	if (req->auth != AUTH_KONNECTOR &&
	    !(get && req->auth == AUTH_APP && include != NULL && strcmp(include, "credentials") == 0))
		return;
	int foreign = 0;
	account_rules_decrypt(doc, &foreign);
	if (foreign)
		http_note_differs(req,
				  "the account holds credentials sealed by a real stack's vault key (\"nacl\"), which "
				  "the harness cannot open: they come back empty; with the stack's key the "
				  "konnector would get them in clear");
}

/* GET /data/:doctype/:id */
static int data_get(struct stack *st, struct request *req, const char *doctype, const char *id)
{
	enum store_status s;
	json_t *doc = NULL;
	const char *rev = http_query(req, "rev");
	int accounts = strcmp(doctype, ACCOUNTS) == 0;
	if (accounts && rev != NULL && rev[0] != '\0') {
		/* stack: web/data/accounts.go getAccount: ?rev= looks in soft_deleted first, then the revision. */
		json_t *soft = store_fetch(st->store, SOFT_DELETED, id, NULL);
		const char *srev = json_string_value(json_object_get(soft, "soft_deleted_rev"));
		if (soft != NULL && srev != NULL && strcmp(srev, rev) == 0) {
			doc = soft;
		} else {
			json_decref(soft);
			doc = store_fetch_rev(st->store, doctype, id, rev);
		}
		s = doc != NULL ? STORE_OK : STORE_NOT_FOUND;
	} else {
		doc = store_fetch(st->store, doctype, id, &s);
	}
	if (doc == NULL) {
		/* Accounts are fetched before any permission check: 404 even without a token. */
		if (!accounts && http_allow(req, "GET", doctype, id, NULL, 0) < 0)
			return 0;
		/* stack: getDoc rewrites the reason to wrong_doctype when the database is absent. */
		if (s == STORE_NO_DB)
			return reply_couch_error(req, 404, "not_found", "wrong_doctype");
		return reply_store(req, s, NULL);
	}
	if (http_allow(req, "GET", doctype, id, doc, 0) < 0) {
		json_decref(doc);
		return 0;
	}
	if (accounts && account_rules_encrypt(doc)) {
		/* stack: getAccount saves an account with clear secrets again, sealed (a new _rev) */
		char err[ERR_MAX] = "";
		json_t *saved = NULL;
		s = store_update(st->store, doctype, id, doc, &saved, err);
		json_decref(doc);
		if (s != STORE_OK)
			return reply_store(req, s, err);
		doc = saved;
	}
	if (accounts)
		account_reveal(req, doc, 1);
	json_object_set_new(doc, "_type", json_string(doctype));
	return reply_json(req, 200, doc);
}

/* POST /data/:doctype/ */
static int data_create(struct stack *st, struct request *req, const char *doctype)
{
	json_t *body;
	if (http_body_json(req, &body) < 0)
		return 0;
	if (!json_is_object(body)) {
		json_decref(body);
		return reply_jsonapi_error(req, 400, "json: cannot unmarshal into Go value of type couchdb.JSONDoc",
					   NULL, NULL);
	}
	int rc = 0;
	if (http_allow(req, "POST", doctype, NULL, body, 0) < 0)
		goto out;
	if (json_object_get(body, "_id") != NULL) {
		/* stack: createDoc refuses a body with an _id. */
		rc = reply_couch_error(req, 400, "defined_id", "document _id should be empty");
		goto out;
	}
	json_t *doc = strip_type(body);
	if (strcmp(doctype, ACCOUNTS) == 0) {
		/* stack: createAccount seals the secrets, computes the name and always sets cozyMetadata from the
		 * token; the answer shows the sealed form, even to a konnector */
		account_rules_encrypt(doc);
		account_rules_compute_name(doc);
		json_object_set_new(doc, "cozyMetadata", account_metadata(req));
	}
	json_t *out = NULL;
	char err[ERR_MAX] = "";
	enum store_status s = store_create(st->store, doctype, doc, &out, err);
	json_decref(doc);
	rc = s == STORE_OK ? reply_json(req, 201, reply_doc_written(doctype, out)) : reply_store(req, s, err);
	json_decref(out);
out:
	json_decref(body);
	return rc;
}

/* PUT /data/:doctype/:id: create with a fixed id (200) or update (stack: UpdateDoc). */
static int data_put(struct stack *st, struct request *req, const char *doctype, const char *id)
{
	json_t *body;
	if (http_body_json(req, &body) < 0)
		return 0;
	int rc = 0;
	json_t *doc = NULL, *out = NULL, *old = NULL;
	if (!json_is_object(body)) {
		rc = reply_jsonapi_error(req, 400, "json: cannot unmarshal into Go value of type couchdb.JSONDoc", NULL,
					 NULL);
		goto out;
	}
	const json_t *bid = json_object_get(body, "_id"), *brev = json_object_get(body, "_rev");
	if ((bid == NULL) != (brev == NULL)) {
		rc = reply_jsonapi_error(req, 400,
					 "You must either provide an _id and _rev in document (update) or neither "
					 "(create with fixed id).",
					 NULL, NULL);
		goto out;
	}
	if (bid != NULL && (!json_is_string(bid) || strcmp(json_string_value(bid), id) != 0)) {
		rc = reply_jsonapi_error(req, 400, "document _id doesnt match url", NULL, NULL);
		goto out;
	}
	doc = strip_type(body);
	json_object_set_new(doc, "_id", json_string(id));
	char err[ERR_MAX] = "";
	enum store_status s;
	if (bid == NULL) {
		if (http_allow(req, "POST", doctype, id, doc, 0) < 0)
			goto out;
		s = store_create(st->store, doctype, doc, &out, err);
	} else {
		/* The stack GETs the doc first: updating a missing doc is 404, not 409. */
		enum store_status gs;
		old = store_fetch(st->store, doctype, id, &gs);
		if (old == NULL) {
			if (http_allow(req, "PUT", doctype, id, NULL, 0) < 0)
				goto out;
			rc = reply_store(req, gs, NULL);
			goto out;
		}
		if (http_allow(req, "PUT", doctype, id, old, 0) < 0 || http_allow(req, "PUT", doctype, id, doc, 0) < 0)
			goto out;
		if (strcmp(doctype, ACCOUNTS) == 0) {
			/* stack: updateAccount seals the secrets; cozyMetadata only when absent (a fixed-id create
			 * goes through createNamedDoc, which does neither) */
			account_rules_encrypt(doc);
			if (json_object_get(doc, "cozyMetadata") == NULL)
				json_object_set_new(doc, "cozyMetadata", account_metadata(req));
		}
		s = store_update(st->store, doctype, id, doc, &out, err);
		if (s == STORE_OK && strcmp(doctype, ACCOUNTS) == 0)
			account_reveal(req, out, 0);
	}
	rc = s == STORE_OK ? reply_json(req, 200, reply_doc_written(doctype, out)) : reply_store(req, s, err);
out:
	json_decref(out);
	json_decref(old);
	json_decref(doc);
	json_decref(body);
	return rc;
}

/* stack: model/account/accounts.go delete hook: the old doc is kept in soft_deleted with soft_deleted_rev. */
static void account_soft_delete(struct stack *st, const json_t *old)
{
	if (json_is_true(json_object_get(old, "manual_cleaning")))
		return;
	json_t *copy = json_deep_copy(old);
	const char *id = json_string_value(json_object_get(old, "_id"));
	json_object_set(copy, "soft_deleted_rev", json_object_get(old, "_rev"));
	json_object_del(copy, "_rev");
	char err[ERR_MAX];
	const char *prev = store_rev(st->store, SOFT_DELETED, id, NULL);
	if (prev != NULL)
		store_delete(st->store, SOFT_DELETED, id, prev, NULL, err);
	store_create(st->store, SOFT_DELETED, copy, NULL, err);
	json_decref(copy);
}

/* DELETE /data/:doctype/:id (stack: DeleteDoc). */
static int data_delete(struct stack *st, struct request *req, const char *doctype, const char *id)
{
	const char *ifmatch = http_header(req, "If-Match");
	const char *qrev = http_query(req, "rev");
	if (ifmatch != NULL && ifmatch[0] == '\0')
		ifmatch = NULL;
	if (qrev != NULL && qrev[0] == '\0')
		qrev = NULL;
	if (ifmatch != NULL && qrev != NULL && strcmp(ifmatch, qrev) != 0)
		return reply_jsonapi_error(req, 400, "If-Match Header and rev query parameters mismatch", NULL, NULL);
	const char *rev = ifmatch != NULL ? ifmatch : qrev;
	if (rev == NULL)
		return reply_jsonapi_error(req, 400, "delete without revision", NULL, NULL);
	enum store_status s;
	json_t *keep = store_fetch(st->store, doctype, id, &s);
	if (keep == NULL) {
		if (http_allow(req, "DELETE", doctype, id, NULL, 0) < 0)
			return 0;
		return reply_store(req, s, NULL);
	}
	if (http_allow(req, "DELETE", doctype, id, keep, 0) < 0) {
		json_decref(keep);
		return 0;
	}
	const char *trev = NULL;
	char err[ERR_MAX] = "";
	s = store_delete(st->store, doctype, id, rev, &trev, err);
	if (s != STORE_OK) {
		json_decref(keep);
		return reply_store(req, s, err);
	}
	json_t *ans = json_pack("{s:b,s:s,s:s,s:s,s:b}", "ok", 1, "id", id, "rev", trev, "type", doctype, "deleted", 1);
	if (strcmp(doctype, ACCOUNTS) == 0)
		account_soft_delete(st, keep);
	json_decref(keep);
	return reply_json(req, 200, ans);
}

/* GET /data/:doctype/ → CouchDB database info. */
static int data_db_info(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	size_t live, deleted;
	if (store_db_counts(st->store, doctype, &live, &deleted) < 0)
		return reply_couch_error(req, 404, "not_found", "Database does not exist.");
	char name[512];
	snprintf(name, sizeof(name), "%s/%s", st->domain, doctype);
	for (char *c = name; *c; c++)
		if (*c == '.' || *c == ':')
			*c = '-';
	return reply_json(req, 200,
			  json_pack("{s:s,s:I,s:I,s:s,s:{s:I,s:I,s:I},s:s,s:s,s:b,s:{}}", "db_name", name, "doc_count",
				    (json_int_t)live, "doc_del_count", (json_int_t)deleted, "update_seq", "0", "sizes",
				    "file", (json_int_t)0, "external", (json_int_t)0, "active", (json_int_t)0,
				    "purge_seq", "0", "instance_start_time", "0", "compact_running", 0, "props"));
}

/* POST /data/:doctype/_find (stack: findDocuments). */
static int data_find(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	json_t *body;
	if (http_body_json(req, &body) < 0)
		return 0;
	int rc;
	if (!json_is_object(body)) {
		rc = reply_couch_error(req, 400, "bad_request", "Request body must be a JSON object");
		goto out;
	}
	if (!store_db_exists(st->store, doctype)) {
		rc = reply_couch_error(req, 404, "not_found", "Database does not exist.");
		goto out;
	}
	const json_t *use_index = json_object_get(body, "use_index");
	if (use_index != NULL && !store_index_exists(st->store, doctype, use_index)) {
		/* CouchDB warns "No matching index found"; stack: pkg/couchdb/couchdb.go unoptimalError turns it into
		 * 400. */
		rc = reply_couch_error(req, 400, "no_index", "no matching index found, create an index");
		goto out;
	}
	struct mango_docs docs;
	store_mango_docs(st->store, doctype, &docs);
	struct mango_result res = {0};
	char err[ERR_MAX] = "";
	if (mango_find(body, &docs, NULL, &res, err) < 0) {
		rc = reply_couch_error(req, res.error.status ? (unsigned)res.error.status : 400,
				       res.error.error ? res.error.error : "bad_request", err);
		mango_find_clear(&res);
		goto out;
	}
	json_t *ans = json_pack("{s:O,s:I,s:b,s:s}", "docs", res.docs, "limit", (json_int_t)res.limit, "next", res.next,
				"bookmark", res.bookmark ? res.bookmark : "");
	mango_find_clear(&res);
	rc = reply_json(req, 200, ans);
out:
	json_decref(body);
	return rc;
}

/* POST /data/:doctype/_index (stack: defineIndex). */
static int data_index(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	json_t *body;
	if (http_body_json(req, &body) < 0)
		return 0;
	const char *result = NULL;
	char *id = NULL, *name = NULL;
	char err[ERR_MAX] = "";
	enum store_status s = store_index_put(st->store, doctype, body, &result, &id, &name, err);
	int rc;
	if (s == STORE_OK)
		rc = reply_json(req, 200, json_pack("{s:s,s:s,s:s}", "result", result, "id", id, "name", name));
	else if (s == STORE_BAD_ID || s == STORE_ERROR)
		rc = reply_couch_error(req, 400, "bad_request", err);
	else
		rc = reply_store(req, s, err);
	free(id);
	free(name);
	json_decref(body);
	return rc;
}

/* A query flag "true". */
static int query_true(const struct request *req, const char *key)
{
	const char *v = http_query(req, key);
	return v != NULL && strcmp(v, "true") == 0;
}

static long query_long(const struct request *req, const char *key, long dflt)
{
	const char *v = http_query(req, key);
	if (v == NULL || v[0] == '\0')
		return dflt;
	char *end;
	long n = strtol(v, &end, 10);
	return *end == '\0' && n >= 0 ? n : dflt;
}

/* Keep only the listed fields (comma separated, dotted) of a doc, plus _id and _rev (stack: Fields= on _all_docs). */
static json_t *doc_fields(const json_t *doc, const char *fields)
{
	json_t *o = json_pack("{s:O,s:O}", "_id", json_object_get(doc, "_id"), "_rev", json_object_get(doc, "_rev"));
	char *copy = strdup(fields);
	for (char *save = NULL, *f = strtok_r(copy, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save)) {
		const json_t *v = mango_path_value(doc, f);
		if (v != NULL)
			json_object_set(o, f, (json_t *)v);
	}
	free(copy);
	return o;
}

/* One _all_docs row for the live doc at position i. */
static json_t *all_docs_row(const struct store *store, const char *doctype, size_t i, int include_docs,
			    const char *fields)
{
	const char *id = store_id_at(store, doctype, i);
	json_t *row =
		json_pack("{s:s,s:s,s:{s:s}}", "id", id, "key", id, "value", "rev", store_rev_at(store, doctype, i));
	if (include_docs) {
		json_t *doc = store_fetch_at(store, doctype, i);
		json_object_set_new(row, "doc", fields ? doc_fields(doc, fields) : json_incref(doc));
		json_decref(doc);
	}
	return row;
}

/* GET|POST /data/:doctype/_all_docs: CouchDB's _all_docs, raw (stack: a reverse proxy without Fields/DesignDocs). */
static int data_all_docs(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	json_t *keys = NULL;
	if (strcmp(req->method, "POST") == 0 && req->body.len > 0) {
		json_t *body;
		if (http_body_json(req, &body) < 0)
			return 0;
		keys = json_incref(json_object_get(body, "keys"));
		json_decref(body);
	} else if (http_query(req, "keys") != NULL) {
		keys = json_loads(http_query(req, "keys"), JSON_DECODE_ANY, NULL);
	}
	if (!store_db_exists(st->store, doctype)) {
		json_decref(keys);
		/* Raw CouchDB error through the proxy: no "ok"/"status" keys. */
		return reply_json(req, 404,
				  json_pack("{s:s,s:s}", "error", "not_found", "reason", "Database does not exist."));
	}
	int include_docs = query_true(req, "include_docs");
	const char *fields = http_query(req, "Fields");
	int no_design = http_query(req, "DesignDocs") != NULL && strcmp(http_query(req, "DesignDocs"), "false") == 0;
	long skip = query_long(req, "skip", 0), limit = query_long(req, "limit", -1);
	int descending = query_true(req, "descending");
	size_t n = store_count(st->store, doctype);
	json_t *rows = json_array();
	if (json_is_array(keys)) {
		size_t i;
		json_t *k;
		json_array_foreach (keys, i, k) {
			const char *id = json_string_value(k);
			enum store_status s;
			const char *rev = id ? store_rev(st->store, doctype, id, &s) : NULL;
			if (rev != NULL) {
				json_t *row = json_pack("{s:s,s:s,s:{s:s}}", "id", id, "key", id, "value", "rev", rev);
				if (include_docs) {
					json_t *doc = store_fetch(st->store, doctype, id, NULL);
					json_object_set_new(row, "doc",
							    fields ? doc_fields(doc, fields) : json_incref(doc));
					json_decref(doc);
				}
				json_array_append_new(rows, row);
			} else if (id != NULL && s == STORE_DELETED) {
				json_t *row = json_pack("{s:s,s:s,s:{s:s,s:b}}", "id", id, "key", id, "value", "rev",
							"", "deleted", 1);
				if (include_docs)
					json_object_set_new(row, "doc", json_null());
				json_array_append_new(rows, row);
			} else {
				json_array_append_new(rows, json_pack("{s:O,s:s}", "key", k, "error", "not_found"));
			}
		}
	} else {
		long seen = 0;
		for (size_t j = 0; j < n; j++) {
			size_t at = descending ? n - 1 - j : j;
			const char *id = store_id_at(st->store, doctype, at);
			if (no_design && strncmp(id, "_design/", 8) == 0)
				continue;
			if (seen++ < skip)
				continue;
			if (limit >= 0 && (long)json_array_size(rows) >= limit)
				break;
			json_array_append_new(rows, all_docs_row(st->store, doctype, at, include_docs, fields));
		}
	}
	json_decref(keys);
	return reply_json(
		req, 200,
		json_pack("{s:I,s:I,s:o}", "total_rows", (json_int_t)n, "offset", (json_int_t)skip, "rows", rows));
}

/* GET /data/:doctype/_normal_docs (stack: pkg/couchdb/couchdb.go NormalDocs). */
static int data_normal_docs(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	if (!store_db_exists(st->store, doctype))
		return reply_couch_error(req, 404, "not_found", "Database does not exist.");
	long skip = query_long(req, "skip", 0), limit = query_long(req, "limit", 100);
	if (limit == 0 || limit > 1000)
		limit = 100;
	const char *bookmark = http_query(req, "bookmark");
	if (bookmark != NULL && bookmark[0] != '\0')
		skip = strtol(bookmark, NULL, 10);
	size_t n = store_count(st->store, doctype);
	json_t *rows = json_array();
	long seen = 0, total = 0;
	for (size_t j = 0; j < n; j++) {
		const char *id = store_id_at(st->store, doctype, j);
		if (strncmp(id, "_design/", 8) == 0)
			continue;
		total++;
		if (seen++ < skip || (long)json_array_size(rows) >= limit)
			continue;
		json_array_append_new(rows, store_fetch_at(st->store, doctype, j));
	}
	long got = (long)json_array_size(rows);
	char bm[32] = "";
	if (got >= limit)
		snprintf(bm, sizeof(bm), "%ld", skip + got);
	/* stack: total_rows is skip+len when the page is short, else a real count. */
	long total_rows = got < limit ? skip + got : total;
	return reply_json(
		req, 200,
		json_pack("{s:I,s:o,s:s}", "total_rows", (json_int_t)total_rows, "rows", rows, "bookmark", bm));
}

/* POST /data/:doctype/_bulk_docs: each doc created, updated or deleted; CouchDB's array of results, 201. */
static int data_bulk_docs(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "POST", doctype, NULL, NULL, 1) < 0)
		return 0;
	json_t *body;
	if (http_body_json(req, &body) < 0)
		return 0;
	const json_t *docs = json_object_get(body, "docs");
	if (!json_is_array(docs)) {
		json_decref(body);
		return reply_couch_error(req, 400, "bad_request", "POST body must include `docs` parameter.");
	}
	store_db_ensure(st->store, doctype);
	json_t *results = json_array();
	size_t i;
	json_t *d;
	json_array_foreach (docs, i, d) {
		const char *id = json_string_value(json_object_get(d, "_id"));
		const char *rev = json_string_value(json_object_get(d, "_rev"));
		json_t *out = NULL;
		const char *trev = NULL;
		char err[ERR_MAX] = "";
		enum store_status s;
		json_t *doc = strip_type(d);
		if (!json_is_object(d)) {
			s = STORE_ERROR;
			snprintf(err, sizeof(err), "Document must be a JSON object");
		} else if (json_is_true(json_object_get(d, "_deleted")) && id != NULL) {
			s = store_delete(st->store, doctype, id, rev, &trev, err);
		} else if (rev != NULL && id != NULL) {
			s = store_update(st->store, doctype, id, doc, &out, err);
			/* CouchDB answers conflict for a missing doc given with a _rev. */
			if (s == STORE_NOT_FOUND || s == STORE_DELETED)
				s = STORE_CONFLICT;
		} else {
			s = store_create(st->store, doctype, doc, &out, err);
		}
		json_decref(doc);
		if (s == STORE_OK) {
			const char *nid = out ? json_string_value(json_object_get(out, "_id")) : id;
			const char *nrev = out ? json_string_value(json_object_get(out, "_rev")) : trev;
			json_array_append_new(results, json_pack("{s:b,s:s,s:s}", "ok", 1, "id", nid, "rev", nrev));
			json_decref(out);
		} else {
			const char *e = s == STORE_CONFLICT ? "conflict"
					: s == STORE_BAD_ID ? "illegal_docid"
							    : "bad_request";
			const char *why = s == STORE_CONFLICT ? "Document update conflict." : err;
			json_array_append_new(
				results, json_pack("{s:s,s:s,s:s}", "id", id ? id : "", "error", e, "reason", why));
		}
	}
	json_decref(body);
	return reply_json(req, 201, results);
}

/* GET /data/:doctype/_design_docs */
static int data_design_docs(struct stack *st, struct request *req, const char *doctype)
{
	if (http_allow(req, "GET", doctype, NULL, NULL, 1) < 0)
		return 0;
	if (!store_db_exists(st->store, doctype))
		return reply_json(req, 404,
				  json_pack("{s:s,s:s}", "error", "not_found", "reason", "Database does not exist."));
	return reply_json(req, 200, store_index_design_docs(st->store, doctype));
}

/* /data/:doctype/_something */
static int data_special(struct stack *st, struct request *req, const char *doctype, const char *what)
{
	const char *m = req->method;
	int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0, post = strcmp(m, "POST") == 0;
	if (strcmp(what, "_find") == 0 && post)
		return data_find(st, req, doctype);
	if (strcmp(what, "_index") == 0 && post)
		return data_index(st, req, doctype);
	if (strcmp(what, "_all_docs") == 0 && (get || post))
		return data_all_docs(st, req, doctype);
	if (strcmp(what, "_normal_docs") == 0 && get)
		return data_normal_docs(st, req, doctype);
	if (strcmp(what, "_bulk_docs") == 0 && post)
		return data_bulk_docs(st, req, doctype);
	if (strcmp(what, "_design_docs") == 0 && get)
		return data_design_docs(st, req, doctype);
	if (strcmp(what, "_find") == 0 || strcmp(what, "_index") == 0 || strcmp(what, "_all_docs") == 0 ||
	    strcmp(what, "_normal_docs") == 0 || strcmp(what, "_bulk_docs") == 0 || strcmp(what, "_design_docs") == 0)
		return reply_echo_error(req, 405, "Method Not Allowed");
	/* stack: pkg/couchdb/couchdb.go validateDocID: other ids starting with '_' are refused. */
	char reason[600];
	snprintf(reason, sizeof(reason), "Unsuported couchdb operation %s", what);
	return reply_couch_error(req, 400, "bad_id", reason);
}

int route_data_handle(struct stack *st, struct request *req)
{
	const char *m = req->method;
	const char *doctype = http_seg(req, 1);
	if (doctype == NULL || (doctype[0] == '\0' && req->nseg == 2)) {
		/* GET /data/ */
		if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
			return reply_json(req, 200, json_pack("{s:s}", "message", "welcome to a cozy API"));
		return reply_echo_error(req, 405, "Method Not Allowed");
	}
	if (req->nseg == 2 || (req->nseg == 3 && http_seg(req, 2)[0] == '\0')) {
		if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
			return data_db_info(st, req, doctype);
		if (strcmp(m, "POST") == 0)
			return data_create(st, req, doctype);
		if (strcmp(m, "DELETE") == 0) {
			if (http_allow(req, "DELETE", doctype, NULL, NULL, 1) < 0)
				return 0;
			enum store_status s = store_db_delete(st->store, doctype);
			if (s != STORE_OK)
				return reply_store(req, s, NULL);
			return reply_json(req, 200, json_pack("{s:b,s:b}", "ok", 1, "deleted", 1));
		}
		return reply_echo_error(req, 405, "Method Not Allowed");
	}
	if (req->nseg >= 5 && strcmp(http_seg(req, 3), "relationships") == 0 &&
	    strcmp(http_seg(req, 4), "references") == 0)
		return route_files_references_handle(st, req);
	if (req->nseg != 3)
		return reply_echo_error(req, 404, "Not Found");
	char *id = doc_id_from_path(req, 2);
	if (id == NULL)
		return -1;
	int rc;
	if (id[0] == '_')
		rc = data_special(st, req, doctype, id);
	else if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		rc = data_get(st, req, doctype, id);
	else if (strcmp(m, "PUT") == 0)
		rc = data_put(st, req, doctype, id);
	else if (strcmp(m, "DELETE") == 0)
		rc = data_delete(st, req, doctype, id);
	else
		rc = reply_echo_error(req, 405, "Method Not Allowed");
	free(id);
	return rc;
}
