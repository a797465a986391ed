/*
 * The konnector worker's preparation of a job (stack: worker/exec/konnector.go
 * PrepareWorkDir): ensureFolderToSave and ensurePermissions, and the account
 * written as an app writes it through /data (web/data/accounts.go), for the
 * harness's runs and serve's jobs (stack.h).
 */
#include "common/buf.h"
#include "common/err.h"
#include "common/isotime.h"
#include "fake-stack/accounts/account_doc.h"
#include "fake-stack/data/account_rules.h"
#include "fake-stack/data/store.h"
#include "fake-stack/files/vfs.h"
#include "fake-stack/http/perm.h"
#include "fake-stack/stack_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNTS "io.cozy.accounts"
#define KONNECTORS "io.cozy.konnectors"
/* stack: pkg/consts/doctype.go SourceAccountIdentifier */
#define SOURCE_ACCOUNT_IDENTIFIER "io.cozy.accounts.sourceAccountIdentifier"

static const char *str_or(const char *s)
{
	return s != NULL ? s : "";
}

json_t *stack_account_save(struct stack *st, const json_t *doc, const char *app_slug, char *err)
{
	json_t *d = json_deep_copy(doc);
	if (d == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	json_object_del(d, "_type");
	const char *id = json_string_value(json_object_get(d, "_id"));
	int update = json_object_get(d, "_rev") != NULL;
	char now[40];
	isotime_now(ISOTIME_NANOS, now, sizeof(now), NULL);
	/* stack: createAccount seals, computes the name, sets cozyMetadata; updateAccount seals, and adds
	 * cozyMetadata only when absent */
	account_rules_encrypt(d);
	if (!update)
		account_rules_compute_name(d);
	if (!update || json_object_get(d, "cozyMetadata") == NULL)
		json_object_set_new(d, "cozyMetadata", account_rules_metadata(app_slug, now));
	json_t *out = NULL;
	enum store_status s = update ? store_update(st->store, ACCOUNTS, id ? id : "", d, &out, err)
				     : store_create(st->store, ACCOUNTS, d, &out, err);
	json_decref(d);
	if (s != STORE_OK) {
		if (err[0] == '\0')
			err_set(err, "%s",
				s == STORE_CONFLICT ? "Document update conflict." : "cannot save the account");
		return NULL;
	}
	return out;
}

int stack_ensure_konnector_permissions(struct stack *st, const char *slug, char *err)
{
	char value[512];
	snprintf(value, sizeof(value), KONNECTORS "/%s", slug);
	if (perm_registry_ensure_files_ref_rule(st->perms, slug, value) < 0)
		return err_set(err, "no permission doc for %s", slug);
	return 0;
}

/*
 * stack: worker/exec/konnector.go computeFolderPath:
 * /<"Tree Administrative" translated>/<name title-cased>/<account name, or id>.
 * Title-casing is ASCII here, and only en and fr are known.
 */
static char *folder_path(const char *locale, const char *konnector_name, const json_t *account)
{
	const char *admin = (locale != NULL && strncmp(locale, "fr", 2) == 0) ? "Administratif" : "Administrative";
	struct buf title = {0};
	int word_start = 1;
	for (const char *p = konnector_name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		/* cases.Title: upper-case the first letter of each word, lower-case the rest */
		char out = (char)ch;
		if (ch < 0x80 && isalpha(ch))
			out = (char)(word_start ? toupper(ch) : tolower(ch));
		buf_append(&title, &out, 1);
		word_start = ch < 0x80 && !isalnum(ch) && ch != '\'';
	}
	const char *name = json_string_value(json_object_get(account, "name"));
	struct buf acc = {0};
	static const char bad[] = "&/\\#,+()$@~%.'\":*?<>{}";
	for (const char *p = name ? name : ""; *p; p++) {
		char ch = strchr(bad, *p) != NULL ? '_' : *p;
		buf_append(&acc, &ch, 1);
	}
	if (acc.len == 0)
		buf_puts(&acc, json_string_value(json_object_get(account, "_id")));
	char *path = NULL;
	if (asprintf(&path, "/%s/%s/%s", admin, title.data ? title.data : "", acc.data ? acc.data : "") < 0)
		path = NULL;
	buf_free(&title);
	buf_free(&acc);
	return path;
}

/* stack: strings.HasPrefix(dir.Fullpath, vfs.TrashDirName); a file's DirDoc has no Fullpath, so never. */
static int trashed_dir(const json_t *doc)
{
	const char *type = json_string_value(json_object_get(doc, "type"));
	const char *path = json_string_value(json_object_get(doc, "path"));
	return type != NULL && strcmp(type, "directory") == 0 && path != NULL &&
	       strncmp(path, VFS_TRASH_PATH, strlen(VFS_TRASH_PATH)) == 0;
}

/* stack: worker/exec/konnector.go hasCompatibleSourceAccountIdentifier */
static int compatible_identifier(const json_t *doc, const char *identifier)
{
	if (identifier == NULL || identifier[0] == '\0')
		return 1;
	size_t i, nb = 0;
	json_t *r;
	json_array_foreach (json_object_get(doc, "referenced_by"), i, r) {
		if (strcmp(str_or(json_string_value(json_object_get(r, "type"))), SOURCE_ACCOUNT_IDENTIFIER) != 0)
			continue;
		if (strcmp(str_or(json_string_value(json_object_get(r, "id"))), identifier) == 0)
			return 1;
		nb++;
	}
	return nb == 0;
}

/*
 * Step 2: the one folder the konnector references (files count too: the
 * stack reads every row of the referenced-by view into a DirDoc). malloc'd id or NULL.
 */
static char *referenced_folder(struct stack *st, const char *slug, const char *identifier)
{
	char ref[512];
	snprintf(ref, sizeof(ref), KONNECTORS "/%s", slug);
	json_t *docs = vfs_referenced_by(st->vfs, KONNECTORS, ref, NULL);
	size_t i, count = 0;
	const char *found = NULL;
	json_t *d;
	json_array_foreach (docs, i, d) {
		if (trashed_dir(d) || !compatible_identifier(d, identifier))
			continue;
		count++;
		found = json_string_value(json_object_get(d, "_id"));
	}
	char *id = count == 1 && found != NULL ? strdup(found) : NULL;
	json_decref(docs);
	return id;
}

/*
 * Step 5's references and cozyMetadata on a folder that had none (stack:
 * vfs.NewCozyMetadata, or createdOn set on an existing one; createdByApp,
 * an updatedByApps entry {slug, date: updatedAt, instance}, sourceAccount).
 */
static int mark_folder(struct stack *st, const json_t *dir, const char *slug, const char *account_id,
		       const char *identifier, char *err)
{
	char ref[512], now[40];
	snprintf(ref, sizeof(ref), KONNECTORS "/%s", slug);
	json_t *refs = json_pack("[{s:s,s:s}]", "type", KONNECTORS, "id", ref);
	if (identifier != NULL && identifier[0] != '\0')
		json_array_append_new(refs,
				      json_pack("{s:s,s:s}", "type", SOURCE_ACCOUNT_IDENTIFIER, "id", identifier));
	const json_t *old = json_object_get(dir, "cozyMetadata");
	json_t *cm;
	if (json_is_object(old)) {
		cm = json_deep_copy(old);
		json_object_set_new(cm, "createdOn", json_string(st->url));
	} else {
		isotime_now(ISOTIME_NANOS, now, sizeof(now), NULL);
		cm = json_pack("{s:s,s:i,s:s,s:s,s:s}", "doctypeVersion", "1", "metadataVersion", 1, "createdAt", now,
			       "updatedAt", now, "createdOn", st->url);
	}
	json_object_set_new(cm, "createdByApp", json_string(slug));
	/* stack: FilesCozyMetadata.UpdatedByApp: one entry per slug+instance, the new one last */
	json_t *apps = json_object_get(cm, "updatedByApps"), *kept = json_array();
	size_t i;
	json_t *e;
	json_array_foreach (apps, i, e) {
		const char *s = json_string_value(json_object_get(e, "slug"));
		const char *in = json_string_value(json_object_get(e, "instance"));
		if (!(s != NULL && strcmp(s, slug) == 0 && in != NULL && strcmp(in, st->url) == 0))
			json_array_append(kept, e);
	}
	const char *date = json_string_value(json_object_get(cm, "updatedAt"));
	json_array_append_new(kept,
			      json_pack("{s:s,s:s,s:s}", "slug", slug, "date", date ? date : "", "instance", st->url));
	json_object_set_new(cm, "updatedByApps", kept);
	json_object_set_new(cm, "sourceAccount", json_string(account_id));
	char verr[ERR_MAX] = "";
	enum vfs_status s = vfs_set_refs_and_metadata(st->vfs, json_string_value(json_object_get(dir, "_id")), refs, cm,
						      NULL, verr);
	json_decref(refs);
	json_decref(cm);
	return s == VFS_OK ? 0 : err_set(err, "%s", verr);
}

/* The keys of a that b lacks, at the top and in auth: what the Go struct dropped. */
static void dropped_keys(const json_t *a, const json_t *b, struct buf *out)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)a, k, v) {
		if (json_object_get(b, k) == NULL && !json_is_null(v))
			buf_printf(out, "%s%s", out->len ? ", " : "", k);
	}
	json_object_foreach (json_object_get(a, "auth"), k, v) {
		if (json_object_get(json_object_get(b, "auth"), k) == NULL && !json_is_null(v))
			buf_printf(out, "%sauth.%s", out->len ? ", " : "", k);
	}
}

/*
 * Step 6: defaultFolderPath set when empty, the account saved again through
 * the stack's Go struct (account.Account): unknown fields are dropped.
 */
static void save_default_folder(struct stack *st, json_t *account, const char *path, json_t *notes)
{
	char err[ERR_MAX] = "";
	json_t *go = account_doc_roundtrip(account, err);
	if (go == NULL) {
		char w[ERR_MAX + 128];
		snprintf(w, sizeof(w), "the account does not fit the stack's struct (%s): defaultFolderPath not saved",
			 err);
		json_array_append_new(notes, json_string(w));
		return;
	}
	json_object_set_new(go, "defaultFolderPath", json_string(path));
	struct buf lost = {0};
	dropped_keys(account, go, &lost);
	const char *id = json_string_value(json_object_get(account, "_id"));
	if (store_update(st->store, ACCOUNTS, id ? id : "", go, NULL, err) != STORE_OK) {
		char w[ERR_MAX + 64];
		snprintf(w, sizeof(w), "saving defaultFolderPath on the account: %s", err);
		json_array_append_new(notes, json_string(w));
	} else if (lost.len > 0) {
		char w[1024];
		snprintf(w, sizeof(w),
			 "ensureFolderToSave saved the account through the stack's Go struct to set defaultFolderPath, "
			 "which drops what the struct does not know: %.800s (worker/exec/konnector.go, "
			 "model/account/accounts.go)",
			 lost.data);
		json_array_append_new(notes, json_string(w));
	}
	buf_free(&lost);
	json_decref(go);
}

int stack_ensure_folder_to_save(struct stack *st, const char *slug, const char *konnector_name, const char *account_id,
				const char *folder_to_save, char **dir_id, json_t *notes, char *err)
{
	*dir_id = NULL;
	if (folder_to_save == NULL || folder_to_save[0] == '\0')
		return 0;
	if (st->vfs == NULL)
		return err_set(err, "the file tree is not started");
	/* 1. the folder with that id exists, out of the trash */
	const json_t *d = vfs_get(st->vfs, folder_to_save);
	const char *type = json_string_value(json_object_get(d, "type"));
	if (type != NULL && strcmp(type, "directory") == 0 && !trashed_dir(d)) {
		*dir_id = strdup(folder_to_save);
		return 0;
	}
	json_t *account = account_id ? store_fetch(st->store, ACCOUNTS, account_id, NULL) : NULL;
	const char *identifier =
		json_string_value(json_object_get(json_object_get(account, "cozyMetadata"), "sourceAccountIdentifier"));
	/* 2. the one folder the konnector references */
	*dir_id = referenced_folder(st, slug, identifier);
	if (*dir_id != NULL || account == NULL) {
		/* 3. no account: no folder to create */
		json_decref(account);
		return 0;
	}
	/* 4. a path for the folder */
	const char *path = json_string_value(json_object_get(account, "defaultFolderPath"));
	char *computed = NULL;
	if (path == NULL || path[0] == '\0')
		path = json_string_value(json_object_get(account, "folderPath"));
	if (path == NULL || path[0] == '\0')
		path = computed = folder_path(st->locale, konnector_name, account);
	if (path == NULL) {
		json_decref(account);
		return err_set(err, "out of memory");
	}
	/* 5. mkdir -p, else the existing directory at that path */
	const json_t *dir = NULL;
	char verr[ERR_MAX] = "";
	if (vfs_mkdir_p(st->vfs, path, NULL, &dir, verr) != VFS_OK) {
		dir = vfs_get_by_path(st->vfs, path);
		if (dir == NULL || strcmp(str_or(json_string_value(json_object_get(dir, "type"))), "directory") != 0) {
			/* stack: the job fails with the error ("Can't create the default folder" in the log) */
			err_set(err, "Can't create the default folder %s: %s", path, verr);
			free(computed);
			json_decref(account);
			return -1;
		}
	}
	*dir_id = strdup(json_string_value(json_object_get(dir, "_id")));
	if (json_array_size(json_object_get(dir, "referenced_by")) == 0 &&
	    mark_folder(st, dir, slug, account_id, identifier, verr) < 0) {
		char w[ERR_MAX + 64];
		snprintf(w, sizeof(w), "referencing folder_to_save: %s", verr);
		json_array_append_new(notes, json_string(w));
	}
	/* 6. the account knows the folder path */
	const char *dfp = json_string_value(json_object_get(account, "defaultFolderPath"));
	if (dfp == NULL || dfp[0] == '\0')
		save_default_folder(st, account, path, notes);
	free(computed);
	json_decref(account);
	return 0;
}
