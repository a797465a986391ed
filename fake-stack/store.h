/*
 * The document store: CouchDB databases by doctype, held in jansson. Internal
 * to fake-stack/ (the harness reaches it only through stack.h).
 */
#ifndef FAKE_STACK_STORE_H
#define FAKE_STACK_STORE_H

#include <jansson.h>
#include <stddef.h>

struct store;

/* Outcomes, mapped by the routes to the stack's status codes and bodies. */
enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,  /* 404 not_found, reason "missing" */
	STORE_DELETED,    /* 404 not_found, reason "deleted" */
	STORE_NO_DB,      /* 404 not_found, "Database does not exist." (reason wrong_doctype on GET doc) */
	STORE_CONFLICT,   /* 409 conflict, "Document update conflict." */
	STORE_BAD_ID,     /* 400 bad_id / defined_id and friends: err says which */
	STORE_ERROR,      /* 500, err says why */
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

/* The live doc (borrowed; with _id and _rev, without _type), or NULL with *status saying why. */
const json_t *store_get(const struct store *st, const char *doctype, const char *id, enum store_status *status);
/* The doc as it was at revision rev, live or deleted (only the latest revision of each doc is kept, plus deleted tombstones' last body). */
const json_t *store_get_rev(const struct store *st, const char *doctype, const char *id, const char *rev);

/*
 * Create: doc without _rev. When it has no _id one is generated (32 lowercase hex).
 * Sets _id and a new _rev "1-<32 hex>"; *out gets the stored doc (borrowed).
 * An existing live id → STORE_CONFLICT.
 */
enum store_status store_create(struct store *st, const char *doctype, const json_t *doc, const json_t **out, char *err);
/* Update: doc's _rev must be the current one (else STORE_CONFLICT); bumps N in "N-<hex>". */
enum store_status store_update(struct store *st, const char *doctype, const char *id, const json_t *doc, const json_t **out,
			       char *err);
/* Delete with the current rev; *tombstone_rev gets the deleted revision (borrowed until the next write). */
enum store_status store_delete(struct store *st, const char *doctype, const char *id, const char *rev,
			       const char **tombstone_rev, char *err);

/*
 * Every live doc of a doctype in _all_docs order (by _id, byte order as CouchDB's
 * raw collation), design docs included, as a borrowed array valid until the
 * next write to that doctype (kept sorted across writes: no rebuild per call).
 * NULL and *n = 0 when the database does not exist. Feed it to mango_find.
 */
json_t *const *store_docs(const struct store *st, const char *doctype, size_t *n);
/* The same as a JSON array. New ref (the docs are shared, not copied: do not modify them). */
json_t *store_all_docs(const struct store *st, const char *doctype);
/* Live and deleted doc counts (db info doc_count / doc_del_count); -1 when the database does not exist. */
int store_db_counts(const struct store *st, const char *doctype, size_t *live, size_t *deleted);
/* Names of every existing database. New ref (array of strings). */
json_t *store_doctypes(const struct store *st);

/*
 * Record a Mango index definition (body of POST _index). *result is
 * "created" or "exists" (same fields and partial filter as an earlier one);
 * *id is "_design/<ddoc>", *name the index name (borrowed).
 */
enum store_status store_index_put(struct store *st, const char *doctype, const json_t *body, const char **result,
				  const char **id, const char **name, char *err);
/* Is there an index whose ddoc id or name equals use_index ("_design/x", "x", or ["x","name"])? */
int store_index_exists(const struct store *st, const char *doctype, const json_t *use_index);
/* Design documents as _design_docs lists them: {"total_rows":n,"offset":0,"rows":[…]} new ref. */
json_t *store_design_docs(const struct store *st, const char *doctype);

/* Counts of writes since the last store_reset_changes: {"<doctype>":{"created":n,"updated":n,"deleted":n}}. New ref. */
json_t *store_changes(const struct store *st);
void store_reset_changes(struct store *st);

#endif
