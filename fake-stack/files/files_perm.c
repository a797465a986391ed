/* Permissions on the file tree, walking up it as the stack does (see files_perm.h). */
#include "fake-stack/files/files_perm.h"

#include "common/buf.h"
#include "fake-stack/files/mime.h"
#include "fake-stack/http/perm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILES "io.cozy.files"

static int is_dir(const json_t *d)
{
	const char *t = json_string_value(json_object_get(d, "type"));
	return t != NULL && strcmp(t, "directory") == 0;
}

static const char *str(const json_t *d, const char *key)
{
	return json_string_value(json_object_get(d, key));
}

/* stack: VFS.DirByID: a live directory doc, NULL for anything else. */
static const json_t *dir_by_id(const struct vfs *v, const char *id)
{
	const json_t *d = id != NULL && id[0] != '\0' ? vfs_get(v, id) : NULL;
	return d != NULL && is_dir(d) ? d : NULL;
}

/* stack: FileDoc.Fetch / DirDoc.Fetch: the values of fd's field (new array of strings). */
static json_t *fetch(const json_t *fd, const char *field)
{
	json_t *out = json_array();
	int dir = is_dir(fd);
	if (strcmp(field, "type") == 0 || strcmp(field, "name") == 0 ||
	    (!dir && (strcmp(field, "mime") == 0 || strcmp(field, "class") == 0))) {
		const char *v = str(fd, field);
		json_array_append_new(out, json_string(v ? v : ""));
	} else if (strcmp(field, "tags") == 0) {
		size_t i;
		json_t *t;
		json_array_foreach (json_object_get(fd, "tags"), i, t)
			if (json_is_string(t))
				json_array_append(out, t);
	} else if (strcmp(field, "referenced_by") == 0) {
		size_t i;
		json_t *r;
		json_array_foreach (json_object_get(fd, "referenced_by"), i, r) {
			const char *type = str(r, "type"), *id = str(r, "id");
			if (id == NULL)
				continue;
			json_array_append_new(out, json_string(id));
			/* a file gives "doctype/docid" too; a directory only the id */
			if (!dir && type != NULL) {
				char both[1024];
				snprintf(both, sizeof(both), "%s/%s", type, id);
				json_array_append_new(out, json_string(both));
			}
		}
	}
	return out;
}

static int contains(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach (arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* stack: Rule.ValuesMatch: one of the rule's values among fd's values of its selector. */
static int values_match(const struct perm_rule *r, const json_t *fd)
{
	json_t *cands = fetch(fd, r->selector ? r->selector : "");
	int ok = 0;
	for (size_t i = 0; i < r->nvalues && !ok; i++)
		ok = contains(cands, r->values[i]);
	json_decref(cands);
	return ok;
}

/* stack: Fetcher.Path: a directory's own path, a file's parent path joined with its name. malloc'd or NULL. */
static char *path_of(const struct vfs *v, const json_t *fd)
{
	if (is_dir(fd) && str(fd, "path") != NULL)
		return strdup(str(fd, "path"));
	const json_t *parent = dir_by_id(v, str(fd, "dir_id"));
	if (parent == NULL)
		return NULL;
	const char *pp = str(parent, "path"), *name = str(fd, "name");
	char *p = NULL;
	if (asprintf(&p, "%s/%s", strcmp(pp ? pp : "/", "/") == 0 ? "" : pp, name ? name : "") < 0)
		return NULL;
	return p;
}

/* stack: model/vfs/permissions.go pathFromID: "" for the root, the trash's path, a directory's; NULL otherwise. */
static char *path_from_id(const struct vfs *v, const char *id)
{
	if (strcmp(id, VFS_ROOT_ID) == 0)
		return strdup("");
	if (strcmp(id, VFS_TRASH_ID) == 0)
		return strdup(VFS_TRASH_PATH);
	const json_t *d = dir_by_id(v, id);
	return d != NULL && str(d, "path") != NULL ? strdup(str(d, "path")) : NULL;
}

/* A rule naming an ancestor directory by id: is fd below it? */
static int below_allowed_ids(const struct vfs *v, const json_t *fd, const char *const *ids, size_t n)
{
	if (n == 0)
		return 0;
	char *self = path_of(v, fd);
	if (self == NULL)
		return 0; /* stack: the error ends the check, refused */
	int ok = 0;
	for (size_t i = 0; i < n && !ok; i++) {
		char *allowed = path_from_id(v, ids[i]);
		if (allowed != NULL) {
			size_t len = strlen(allowed);
			ok = strncmp(self, allowed, len) == 0 && self[len] == '/';
		}
		free(allowed);
	}
	free(self);
	return ok;
}

/*
 * The walk up the ancestors with the rules on attributes, as the stack writes
 * it: each rule is tried on the current ancestor and the walk moves one level
 * up after each rule, so with two rules they take turns; reaching past the
 * root in the middle fails (DirByID of the root's empty parent).
 */
static int ancestors_match(const struct vfs *v, const json_t *fd, const struct perm_rule *const *rules, size_t n)
{
	if (n == 0)
		return 0;
	const json_t *cur = dir_by_id(v, str(fd, "dir_id"));
	if (cur == NULL)
		return 0;
	while (strcmp(str(cur, "_id"), VFS_ROOT_ID) != 0) {
		for (size_t i = 0; i < n; i++) {
			if (values_match(rules[i], cur))
				return 1;
			cur = dir_by_id(v, str(cur, "dir_id"));
			if (cur == NULL)
				return 0;
		}
	}
	return 0;
}

int files_perm_allows(const struct perm_set *set, const struct vfs *v, unsigned verb, const json_t *fd)
{
	size_t n = perm_set_size(set), nids = 0, nother = 0;
	const char **ids = NULL;
	const struct perm_rule **other = calloc(n + 1, sizeof(*other));
	const char *self_id = str(fd, "_id"), *parent_id = str(fd, "dir_id");
	int ok = 0;
	for (size_t i = 0; i < n && !ok && other != NULL; i++) {
		const struct perm_rule *r = perm_set_rule(set, i);
		if (!perm_type_matches(r->type, FILES) || (r->verbs != 0 && (r->verbs & verb) == 0))
			continue;
		/* the whole doctype */
		if (r->nvalues == 0) {
			ok = 1;
			break;
		}
		/* by id: the file itself, its parent or the root; other ids may be ancestors */
		if (r->selector == NULL) {
			for (size_t j = 0; j < r->nvalues && !ok; j++) {
				const char *x = r->values[j];
				if ((self_id && strcmp(x, self_id) == 0) || (parent_id && strcmp(x, parent_id) == 0) ||
				    strcmp(x, VFS_ROOT_ID) == 0) {
					ok = 1;
				} else {
					const char **grown = realloc(ids, (nids + 1) * sizeof(*ids));
					if (grown == NULL)
						break;
					ids = grown;
					ids[nids++] = x;
				}
			}
			if (ok)
				break;
		}
		/* by attributes of the file itself */
		if (r->selector != NULL && values_match(r, fd)) {
			ok = 1;
			break;
		}
		/* rules that may hold for an ancestor */
		if (r->selector == NULL || (strcmp(r->selector, "mime") != 0 && strcmp(r->selector, "class") != 0))
			other[nother++] = r;
	}
	if (!ok && other != NULL)
		ok = below_allowed_ids(v, fd, ids, nids) || ancestors_match(v, fd, other, nother);
	free(ids);
	free(other);
	return ok;
}

json_t *files_perm_new_doc(const char *type, const char *name, const char *dir_id, const json_t *tags,
			   const char *content_type)
{
	json_t *d = json_pack("{s:s,s:s,s:s}", "type", type, "name", name ? name : "", "dir_id",
			      dir_id ? dir_id : VFS_ROOT_ID);
	if (json_is_array(tags))
		json_object_set(d, "tags", (json_t *)tags);
	if (strcmp(type, "file") == 0) {
		char mime[256], class[256];
		mime_and_class(content_type, name ? name : "", mime, class, sizeof(class));
		json_object_set_new(d, "mime", json_string(mime));
		json_object_set_new(d, "class", json_string(class));
	}
	return d;
}
