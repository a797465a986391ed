/*
 * The document store: CouchDB databases by doctype. Each document is kept as
 * its compact JSON text and handed out as a fresh jansson tree; _find reads
 * per-member value columns built on demand. Internal to fake-stack/ (the
 * harness reaches it only through stack.h).
 */
#ifndef FAKE_STACK_STORE_H
#define FAKE_STACK_STORE_H

#include "fake-stack/data/mango.h"

#include <jansson.h>
#include <stddef.h>

struct store;

/* Outcomes, mapped by the routes to the stack's status codes and bodies. */
enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND, /* 404 not_found, reason "missing" */
	STORE_DELETED,   /* 404 not_found, reason "deleted" */
	STORE_NO_DB,     /* 404 not_found, "Database does not exist." (reason wrong_doctype on GET doc) */
	STORE_CONFLICT,  /* 409 conflict, "Document update conflict." */
	STORE_BAD_ID,    /* 400 bad_id / defined_id and friends: err says which */
	STORE_ERROR,     /* 500, err says why */
};

struct store *store_new(void);
void store_free(struct store *st);

/*
 * Load a data/ folder: data/<doctype>/<id>.json (one doc; the file name is the
 * _id when the doc has none) or data/<doctype>.json (an array of docs).
 * A malformed file fails with "file:line:column: what" in err.
 */
int store_load_dir(struct store *st, const char *data_dir, char *err);
/* Write every live document as dir/<doctype>/<id>.json (ids percent-encoded for '/'). */
int store_write_dir(const struct store *st, const char *dir, char *err);

/* Is doctype a valid name (stack: lowercase letters, digits, '.', '_'; no dot at either end, no "..")? */
int store_doctype_valid(const char *doctype);

/* Does the doctype's database exist (created by a fixture or a first write)? */
int store_db_exists(const struct store *st, const char *doctype);
/* Create the database if missing (PUT/POST/_index do so implicitly). */
void store_db_ensure(struct store *st, const char *doctype);
/* Delete a whole database. */
enum store_status store_db_delete(struct store *st, const char *doctype);

/* The live doc as a new tree (_id and _rev first, no _type), or NULL with *status saying why. */
json_t *store_fetch(const struct store *st, const char *doctype, const char *id, enum store_status *status);
/* The live doc's revision (borrowed until the next write), or NULL with *status saying why. */
const char *store_rev(const struct store *st, const char *doctype, const char *id, enum store_status *status);
/* The doc as it was at revision rev, live or deleted, as a new tree (only the latest revision of each doc is kept, plus
 * deleted tombstones' last body). */
json_t *store_fetch_rev(const struct store *st, const char *doctype, const char *id, const char *rev);

/*
 * Create: doc without _rev. When it has no _id one is generated (32 lowercase hex).
 * Sets _id and a new _rev "1-<32 hex>"; *out (may be NULL) gets the stored doc as a new tree.
 * An existing live id → STORE_CONFLICT.
 */
enum store_status store_create(struct store *st, const char *doctype, const json_t *doc, json_t **out, char *err);
/* Update: doc's _rev must be the current one (else STORE_CONFLICT); bumps N in "N-<hex>". *out as for create. */
enum store_status store_update(struct store *st, const char *doctype, const char *id, const json_t *doc, json_t **out,
			       char *err);
/* Delete with the current rev; *tombstone_rev gets the deleted revision (borrowed until the next write). */
enum store_status store_delete(struct store *st, const char *doctype, const char *id, const char *rev,
			       const char **tombstone_rev, char *err);

/*
 * The live docs of a doctype in _all_docs order (by _id, byte order as
 * CouchDB's raw collation), design docs included: how many (0 when the
 * database does not exist), and the i-th one's id, revision (borrowed until
 * the next write to that doctype) or whole doc (a new tree).
 */
size_t store_count(const struct store *st, const char *doctype);
const char *store_id_at(const struct store *st, const char *doctype, size_t i);
const char *store_rev_at(const struct store *st, const char *doctype, size_t i);
json_t *store_fetch_at(const struct store *st, const char *doctype, size_t i);
/* Every live doc as a JSON array of new trees (tests, small doctypes). New ref. */
json_t *store_all_docs(const struct store *st, const char *doctype);
/*
 * The live docs as mango_find reads them, valid until the next write to the
 * doctype: member values come from per-member columns, built on first use and
 * kept in step with writes. -1 when the database does not exist.
 */
int store_mango_docs(const struct store *st, const char *doctype, struct mango_docs *docs);
/* Live and deleted doc counts (db info doc_count / doc_del_count); -1 when the database does not exist. */
int store_db_counts(const struct store *st, const char *doctype, size_t *live, size_t *deleted);
/* Names of every existing database. New ref (array of strings). */
json_t *store_doctypes(const struct store *st);

/*
 * Record a Mango index definition (body of POST _index). *result is
 * "created" or "exists" (same fields and partial filter as an earlier one);
 * *id is "_design/<ddoc>", *name the index name (both malloc'd on success).
 */
enum store_status store_index_put(struct store *st, const char *doctype, const json_t *body, const char **result,
				  char **id, char **name, char *err);
/* Is there an index whose ddoc id or name equals use_index ("_design/x", "x", or ["x","name"])? */
int store_index_exists(const struct store *st, const char *doctype, const json_t *use_index);
/* Design documents as _design_docs lists them: {"total_rows":n,"offset":0,"rows":[…]} new ref. */
json_t *store_index_design_docs(const struct store *st, const char *doctype);

/*
 * Counts of writes since the last store_reset_changes:
 * {"<doctype>":{"created":n,"updated":n,"deleted":n[,"indexes":n]}}; design
 * documents (_design/…, the Mango indexes) are not documents there: their
 * writes are "indexes" only. New ref.
 */
json_t *store_changes(const struct store *st);
void store_reset_changes(struct store *st);

#endif
