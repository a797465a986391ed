/* Fixture folders in (data/<doctype>/<id>.json, data/<doctype>.json) and the final state out. */
#include "fake-stack/data/store_int.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/pct.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Percent-decode a file name (without .json) into a malloc'd id; NULL on a bad escape. */
static char *id_from_filename(const char *name, size_t len)
{
	return pct_decode(name, len, PCT_REJECT_NUL);
}

/* The file name for an id: '%' and '/' (and control bytes, and a leading '.') percent-encoded. */
static void id_to_filename(struct buf *b, const char *id)
{
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (*p == '%' || *p == '/' || *p < 0x20 || *p == 0x7f || (p == (const unsigned char *)id && *p == '.'))
			buf_printf(b, "%%%02X", *p);
		else
			buf_append(b, p, 1);
	}
}

/* Add one fixture doc (borrowed); id_hint is the file-name id or NULL. */
static int load_doc(struct store *st, struct db *db, const json_t *doc, const char *id_hint, const char *path,
		    size_t index, char *err)
{
	char where[64] = "";
	if (index != (size_t)-1)
		snprintf(where, sizeof(where), " (element %zu)", index);
	if (!json_is_object(doc))
		return err_set(err, "%s%s: a document must be a JSON object", path, where);
	json_t *jid = json_object_get(doc, "_id");
	char genid[33];
	const char *id;
	if (jid != NULL) {
		if (!json_is_string(jid))
			return err_set(err, "%s%s: _id must be a string", path, where);
		id = json_string_value(jid);
	} else if (id_hint != NULL) {
		id = id_hint;
		json_t *probe = json_string(id); /* jansson takes only UTF-8: an id no reader could get back */
		if (probe == NULL)
			return err_set(err, "%s: the file name decodes to an _id that is not UTF-8", path);
		json_decref(probe);
	} else {
		store_hex32(st, genid);
		id = genid;
	}
	char idmsg[ERR_MAX];
	if (store_id_check(id, idmsg) < 0)
		return err_set(err,
			       "%s%s: invalid _id \"%s\": ids starting with _ are reserved (only _design/… is allowed)",
			       path, where, id);
	if (store_db_lookup(db, id) >= 0)
		return err_set(err, "%s%s: duplicate _id \"%s\" in %s", path, where, id, db->name);
	/* A fixture's own revision is kept when well-formed, else the doc starts at generation 1. */
	const char *rev = json_string_value(json_object_get(doc, "_rev"));
	char newrev[64];
	if (!store_rev_valid(rev)) {
		store_rev_make(st, 1, newrev);
		rev = newrev;
	}
	struct rec r;
	if (store_rec_make(&r, id, rev, doc) < 0)
		return err_set(err, "%s: out of memory", path);
	if (store_db_add(db, &r, 1) < 0) {
		free(r.mem);
		return err_set(err, "%s: out of memory", path);
	}
	return 0;
}

/* Parse a JSON file; a syntax error reads "path:line:column: what". */
static json_t *load_json(const char *path, char *err)
{
	/* Read then parse from memory: jansson's file reader goes through getc, 2x slower. */
	size_t len = 0;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return NULL;
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);
	free(text);
	if (v == NULL) {
		if (je.line > 0)
			err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		else
			err_set(err, "%s: %s", path, je.text);
	}
	return v;
}

static int has_json_ext(const char *name, size_t *stem)
{
	size_t n = strlen(name);
	if (n <= 5 || strcmp(name + n - 5, ".json") != 0)
		return 0;
	*stem = n - 5;
	return 1;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Parse text whole: -1 with "path:line:column: what" in err when it is not JSON, else 0 and whether it is an array. */
static int syntax_check(const char *path, const char *text, size_t len, int *is_array, char *err)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (v == NULL) {
		if (je.line > 0)
			return err_set(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return err_set(err, "%s: %s", path, je.text);
	}
	*is_array = json_is_array(v);
	json_decref(v);
	return 0;
}

/* Why text is not a valid array of docs, from a whole-file parse. */
static int array_file_error(const char *path, const char *text, size_t len, const char *doctype, char *err)
{
	int is_array = 0;
	if (syntax_check(path, text, len, &is_array, err) < 0)
		return -1;
	if (!is_array)
		return err_set(err, "%s: expected an array of documents for doctype %s", path, doctype);
	return err_set(err, "%s: cannot read the array of documents", path);
}

/*
 * data/<doctype>.json: an array of documents, parsed one element at a time
 * so that a big fixture never exists as one tree (its memory would stay
 * fragmented under the store's texts). Any syntax error is reported by a
 * whole-file parse, with jansson's line and column.
 */
static int load_array_file(struct store *st, const char *path, const char *doctype, char *err)
{
	size_t len = 0;
	char *text = file_read_all(path, &len, err);
	if (text == NULL)
		return -1;
	const char *p = skip_space(text, text + len), *end = text + len;
	int rc = 0;
	struct db *db = NULL;
	if (p >= end || *p != '[') {
		rc = array_file_error(path, text, len, doctype, err);
		goto out;
	}
	if ((db = store_db_open(st, doctype)) == NULL) {
		rc = err_set(err, "out of memory");
		goto out;
	}
	p = skip_space(p + 1, end);
	if (p < end && *p == ']') {
		p++;
	} else {
		for (size_t i = 0;; i++) {
			json_error_t je;
			json_t *doc = json_loadb(p, (size_t)(end - p), JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
			if (doc == NULL) {
				rc = array_file_error(path, text, len, doctype, err);
				goto out;
			}
			rc = load_doc(st, db, doc, NULL, path, i, err);
			json_decref(doc);
			if (rc < 0) {
				/* a syntax error further on is the first thing to fix, as a whole-file parse says */
				char serr[ERR_MAX];
				int is_array;
				if (syntax_check(path, text, len, &is_array, serr) < 0)
					snprintf(err, ERR_MAX, "%s", serr);
				goto out;
			}
			p = skip_space(p + je.position, end);
			if (p < end && *p == ',') {
				p = skip_space(p + 1, end);
				continue;
			}
			if (p < end && *p == ']') {
				p++;
				break;
			}
			rc = array_file_error(path, text, len, doctype, err);
			goto out;
		}
	}
	if (skip_space(p, end) != end)
		rc = array_file_error(path, text, len, doctype, err);
out:
	free(text);
	return rc;
}

/* data/<doctype>/<id>.json: one document per file. */
static int load_doc_dir(struct store *st, const char *dir, const char *doctype, char *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return err_set(err, "%s: %s", dir, strerror(errno));
	struct db *db = store_db_open(st, doctype);
	if (db == NULL) {
		closedir(d);
		return err_set(err, "out of memory");
	}
	struct buf path = {0};
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t stem = 0;
		if (de->d_name[0] == '.' || !has_json_ext(de->d_name, &stem))
			continue; /* hidden files, editor backups, READMEs */
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		char *id = id_from_filename(de->d_name, stem);
		if (id == NULL) {
			rc = err_set(err, "%s: bad percent-escape in the file name", path.data);
			break;
		}
		json_t *doc = load_json(path.data, err);
		if (doc == NULL)
			rc = -1;
		else if (json_is_array(doc))
			rc = err_set(err,
				     "%s: expected one document (a JSON object), found an array; "
				     "arrays of documents go in data/%s.json",
				     path.data, doctype);
		else
			rc = load_doc(st, db, doc, id, path.data, (size_t)-1, err);
		json_decref(doc);
		free(id);
	}
	closedir(d);
	buf_free(&path);
	return rc;
}

int store_load_dir(struct store *st, const char *data_dir, char *err)
{
	DIR *d = opendir(data_dir);
	if (d == NULL)
		return err_set(err, "%s: %s", data_dir, strerror(errno));
	struct buf path = {0};
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", data_dir, de->d_name);
		struct stat sb;
		if (stat(path.data, &sb) < 0) {
			rc = err_set(err, "%s: %s", path.data, strerror(errno));
			break;
		}
		size_t stem = 0;
		char name[256];
		if (S_ISDIR(sb.st_mode)) {
			snprintf(name, sizeof(name), "%s", de->d_name);
		} else if (S_ISREG(sb.st_mode) && has_json_ext(de->d_name, &stem) && stem < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)stem, de->d_name);
		} else {
			continue;
		}
		if (!store_doctype_valid(name)) {
			rc = err_set(
				err,
				"%s: \"%s\" is not a valid doctype name (lowercase letters, digits, '.' and '_' only; "
				"no dot at either end, no \"..\")",
				path.data, name);
			break;
		}
		rc = S_ISDIR(sb.st_mode) ? load_doc_dir(st, path.data, name, err)
					 : load_array_file(st, path.data, name, err);
	}
	closedir(d);
	buf_free(&path);
	return rc;
}

/* Write one doc as JSON to path (plain write: a fresh run directory, not the user's fixtures). */
static int write_doc(const char *path, const json_t *doc, char *err)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return err_set(err, "%s: %s", path, strerror(errno));
	int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (fputc('\n', f) == EOF)
		rc = -1;
	if (fclose(f) != 0 || rc != 0)
		return err_set(err, "%s: cannot write: %s", path, strerror(errno));
	return 0;
}

int store_write_dir(const struct store *st, const char *dir, char *err)
{
	struct buf path = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < st->ndbs; i++) {
		const struct db *db = st->dbs[i];
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, db->name);
		if (mkdir_p(path.data, err) < 0) {
			rc = -1;
			break;
		}
		size_t base = path.len;
		for (size_t slot = 0; rc == 0 && slot < db->nslots; slot++) {
			const struct rec *r = &db->recs[slot];
			if (r->mem == NULL)
				continue;
			path.len = base;
			path.data[base] = '\0';
			buf_puts(&path, "/");
			id_to_filename(&path, store_rec_id(r));
			buf_puts(&path, ".json");
			json_t *doc = store_rec_tree(r);
			rc = doc != NULL ? write_doc(path.data, doc, err)
					 : err_set(err, "%s: out of memory", path.data);
			json_decref(doc);
		}
	}
	buf_free(&path);
	return rc;
}
