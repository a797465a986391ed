/*
 * One job prepared as cozy-stack prepares it before it starts a konnector:
 * the fixtures and dev config chosen at open, then for each run the account
 * (soft-deleted for --account-deleted), folder_to_save, COZY_* environment
 * and the command; see session_prep.h and session_internal.h.
 */
#include "harness/job/session_prep.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/loop.h"
#include "harness/exitcode.h"
#include "harness/job/jobenv.h"
#include "harness/job/preload.h"
#include "harness/job/session_internal.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int is_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* A scenario folder holds data/, files/, account_types/ or refresh/ directly. */
int session_prep_is_scenario(const char *dir)
{
	static const char *const parts[] = {"data", "files", "account_types", "refresh"};
	char p[PATH_MAX + 32];
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, parts[i]);
		if (fs_is_dir(p))
			return 1;
	}
	return 0;
}

/* The fixtures folder to load, as serve picks it; see session_prep.h. */
int session_prep_pick_fixtures(const struct run_options *o, char **out, char *err)
{
	*out = NULL;
	if (o->fixtures != NULL) {
		if (!fs_is_dir(o->fixtures)) {
			return err_set(err, "fixtures %s is not a directory", o->fixtures);
		}
		*out = strdup(o->fixtures);
		return 0;
	}
	char base[PATH_MAX], p[PATH_MAX + 256];
	snprintf(base, sizeof(base), "%s/fixtures", o->dir);
	if (o->scenario != NULL) {
		snprintf(p, sizeof(p), "%s/%s", base, o->scenario);
		if (!fs_is_dir(p)) {
			return err_set(err, "no scenario %s", p);
		}
		*out = strdup(p);
		return 0;
	}
	if (!fs_is_dir(base))
		return 0;
	if (session_prep_is_scenario(base)) {
		*out = strdup(base);
		return 0;
	}
	snprintf(p, sizeof(p), "%s/default", base);
	if (fs_is_dir(p)) {
		*out = strdup(p);
		return 0;
	}
	DIR *d = opendir(base);
	struct dirent *de;
	int count = 0;
	char only[PATH_MAX + 256] = "";
	while (d != NULL && (de = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", base, de->d_name);
		if (de->d_name[0] != '.' && fs_is_dir(p)) {
			count++;
			snprintf(only, sizeof(only), "%s", p);
		}
	}
	if (d != NULL)
		closedir(d);
	if (count > 1) {
		return err_set(err, "%s holds several scenarios: choose one with --scenario NAME", base);
	}
	if (count == 1)
		*out = strdup(only);
	return 0;
}

int session_prep_scenario_config(const struct run_options *o, const char *fixtures, char *out, size_t len)
{
	if (o->config == NULL && fixtures != NULL) {
		snprintf(out, len, "%s/konnector-dev-config.json", fixtures);
		if (is_file(out))
			return 1;
	}
	run_options_config_path(o, out, len);
	return 0;
}

/* 32 random hex digits, like a CouchDB uuid. */
static void session_prep_random_id(char out[33])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		long long t = loop_now_ms() ^ (long long)getpid();
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(t >> (i % 8 * 8)) ^ (unsigned char)(i * 37);
	}
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* A stable account id for slug (so --state finds the same account): two FNV-1a hashes in hex. */
void session_prep_account_id(const char *slug, char out[33])
{
	unsigned long long h1 = 1469598103934665603ULL, h2 = 7809847782465536322ULL;
	for (const unsigned char *p = (const unsigned char *)slug; *p; p++) {
		h1 = (h1 ^ *p) * 1099511628211ULL;
		h2 = (h2 ^ *p) * 1099511628211ULL;
	}
	snprintf(out, 33, "%016llx%016llx", h1, h2);
}

/* The app whose token Home's account form writes the account with. */
#define SESSION_PREP_HOME_SLUG "home"

/*
 * The account from the dev config as Home creates it (cozy-harvest
 * helpers/accounts.js build: auth, account_type, identifier, state null)
 * through POST /data/io.cozy.accounts/, so the stack seals the password and
 * computes the name (stack.h stack_account_save). A second run from --state
 * updates it: what the konnector stored stays, the credentials are the dev
 * config's. Returns the stored doc (new ref).
 */
static json_t *session_prep_put_account(struct stack *st, const struct devconfig *dc, const struct manifest *m,
					const char *id, char *err)
{
	json_t *doc = devconfig_account(dc, m->slug, id);
	json_t *old = stack_doc_get(st, "io.cozy.accounts", id);
	if (old != NULL) {
		json_t *merged = json_deep_copy(old);
		json_object_set(merged, "auth", json_object_get(doc, "auth"));
		if (json_object_get(doc, "oauth") != NULL)
			json_object_set(merged, "oauth", json_object_get(doc, "oauth"));
		json_object_set(merged, "account_type", json_object_get(doc, "account_type"));
		json_decref(doc);
		doc = merged;
		json_decref(old);
	} else {
		json_object_set_new(doc, "identifier", m->identifier ? json_string(m->identifier) : json_null());
		json_object_set_new(doc, "state", json_null());
	}
	json_t *stored = stack_account_save(st, doc, SESSION_PREP_HOME_SLUG, err);
	json_decref(doc);
	return stored;
}

/*
 * The job message's folder_to_save before the worker sees it: the dev
 * config's COZY_FIELDS value, else "yes" when a trigger carries one (the
 * stack's, or Home's for a legacy manifest). NULL: none.
 */
static const char *session_prep_message_folder(struct session *s, struct session_run *r)
{
	const json_t *v = json_object_get(r->extra_fields, "folder_to_save");
	if (json_is_string(v))
		return json_string_value(v);
	if (v != NULL) {
		/* stack: the message does not decode into KonnectorMessage; we drop the value and say so */
		json_array_append_new(
			r->warnings,
			json_string("COZY_FIELDS.folder_to_save in the dev config is not a string: the stack "
				    "could not read such a job message (json: cannot unmarshal into Go struct "
				    "field KonnectorMessage.folder_to_save of type string); it is left out"));
		json_object_del(r->extra_fields, "folder_to_save");
	}
	if (s->m.wants_folder)
		return "yes";
	if (s->m.home_wants_folder) {
		json_array_append_new(
			r->warnings,
			json_string(
				"the manifest asks for a folder only through the legacy "
				"fields.advancedFields.folderPath: "
				"Home's triggers carry a folder_to_save (this run has one, as Home's would), but the "
				"triggers the stack builds itself (model/app/konnector.go BuildTrigger) carry none; "
				"declare "
				"\"folders\": [{\"defaultDir\": \"$administrative/$konnector/$account\"}] so every "
				"trigger has one"));
		return "yes";
	}
	return NULL;
}

/*
 * The worker's preparation (stack: worker/exec/konnector.go PrepareWorkDir):
 * ensureFolderToSave on the message's folder_to_save, then ensurePermissions.
 * A failure is the job's error, as in the stack (r->start_error: nothing starts).
 */
static void session_prep_worker(struct session *s, struct session_run *r, const char *msg_folder,
				const char *account_id)
{
	char err[ERR_MAX] = "";
	if (msg_folder != NULL) {
		if (stack_ensure_folder_to_save(s->stack, s->m.slug, s->m.name, account_id, msg_folder, &r->folder,
						r->warnings, err) < 0) {
			r->start_error = strdup(err);
			return;
		}
		/* the message's folder_to_save is the folder's id now, not the dev config's text */
		json_object_del(r->extra_fields, "folder_to_save");
	}
	if (stack_ensure_konnector_permissions(s->stack, s->m.slug, err) < 0)
		r->start_error = strdup(err);
	json_t *fresh = account_id ? stack_doc_get(s->stack, "io.cozy.accounts", account_id) : NULL;
	if (fresh != NULL) {
		json_decref(r->account);
		r->account = fresh;
	}
}

/* The node entry of DIR (malloc'd, relative to DIR) or NULL. */
static char *session_prep_node_entry(const char *dir, const char *entry)
{
	char p[PATH_MAX * 2];
	if (entry != NULL)
		return strdup(entry);
	snprintf(p, sizeof(p), "%s/package.json", dir);
	json_t *pkg = json_load_file(p, 0, NULL);
	const char *main_ = json_string_value(json_object_get(pkg, "main"));
	if (main_ != NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, main_);
		if (is_file(p)) {
			char *e = strdup(main_);
			json_decref(pkg);
			return e;
		}
	}
	json_decref(pkg);
	static const char *const cands[] = {"index.js", "build/index.js", "src/index.js"};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, cands[i]);
		if (is_file(p))
			return strdup(cands[i]);
	}
	return NULL;
}

/* stack: worker/exec/konnector.go cleans on_delete_account as path.Join("/", x): no way out of DIR */
static char *session_prep_clean_rel(const char *p)
{
	char *parts[256];
	size_t n = 0;
	char *copy = strdup(p);
	for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		if (n < sizeof(parts) / sizeof(parts[0]))
			parts[n++] = tok;
	}
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
	if (b.data == NULL)
		buf_puts(&b, ".");
	free(copy);
	return buf_steal(&b);
}

/* Read a --payload file into COZY_PAYLOAD (malloc'd) and maybe write @cozy_payload.json; NULL + err on failure. */
static char *session_prep_payload(const struct run_options *o, int *wrote_file, char *err)
{
	*wrote_file = 0;
	if (o->payload == NULL)
		return strdup("");
	size_t len;
	char *body = file_read_all(o->payload, &len, err);
	if (body == NULL)
		return NULL;
	int big;
	char *value = jobenv_payload(body, len, &big);
	free(body);
	if (value != NULL && big) {
		/* stack: worker/exec/common.go preparePayload writes it in the work dir (the cwd) */
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/" JOBENV_PAYLOAD_FILE, o->dir);
		if (atomic_write(p, value, strlen(value), err) < 0) {
			free(value);
			return NULL;
		}
		free(value);
		*wrote_file = 1;
		return strdup("@" JOBENV_PAYLOAD_FILE);
	}
	return value;
}

/*
 * A job's message and account (serve): the account is the app's, as it is;
 * folder_to_save is ensured as the stack ensures it, and only then is the
 * message re-encoded (stack: worker/exec/konnector.go ensureFolderToSave,
 * updateFolderToSave).
 */
static int session_prep_job_fields(struct session *s, struct session_run *r, char *err)
{
	json_t *msg = json_loads(r->job_message, 0, NULL);
	const char *folder = json_string_value(json_object_get(msg, "folder_to_save"));
	const char *account = r->job_account[0] != '\0' ? r->job_account : NULL;
	/* stack: PrepareWorkDir reads the account only for a job that is not account_deleted */
	int deleted = json_is_true(json_object_get(msg, "account_deleted"));
	char perr[ERR_MAX] = "";
	if (folder != NULL && folder[0] != '\0') {
		char *dir = NULL;
		if (stack_ensure_folder_to_save(s->stack, s->m.slug, s->m.name, deleted ? NULL : account, folder, &dir,
						r->warnings, perr) < 0) {
			r->start_error = strdup(perr);
		} else if (dir != NULL && strcmp(dir, folder) != 0) {
			json_object_set_new(msg, "folder_to_save", json_string(dir));
			r->fields = jobenv_go_json(msg);
			if (stack_triggers_set_folder(s->stack, r->job_account, s->m.slug, dir, err) < 0)
				json_array_append_new(r->warnings, json_string(err));
		}
		r->folder = dir;
	}
	if (r->start_error == NULL && stack_ensure_konnector_permissions(s->stack, s->m.slug, perr) < 0)
		r->start_error = strdup(perr);
	if (account != NULL)
		r->account = stack_doc_get(s->stack, "io.cozy.accounts", account);
	json_decref(msg);
	if (r->fields == NULL)
		r->fields = strdup(r->job_message);
	return r->fields != NULL ? EXIT_DONE : (err_set(err, "out of memory"), EXIT_SOFTWARE);
}

/* COZY_PAYLOAD from a job's webhook body, written to DIR/cozy_payload.json when big (as --payload is). */
static char *session_prep_job_payload(struct session *s, struct session_run *r, char *err)
{
	if (r->job_payload == NULL)
		return strdup("");
	int big;
	char *value = jobenv_payload(r->job_payload, r->job_payload_len, &big);
	if (value == NULL || !big)
		return value;
	/* stack: worker/exec/common.go preparePayload writes it in the work dir (the cwd) */
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/" JOBENV_PAYLOAD_FILE, s->o->dir);
	int rc = atomic_write(p, value, strlen(value), err);
	free(value);
	if (rc < 0)
		return NULL;
	r->payload_file = 1;
	return strdup("@" JOBENV_PAYLOAD_FILE);
}

/* The account, as Home creates it from the login form (auth) or an OAuth dance (oauth); COZY_FIELDS. */
static int session_prep_account(struct session *s, struct session_run *r, int *manual, const char **trig, char *err)
{
	const struct run_options *o = s->o;
	char account_id[33];
	session_prep_account_id(s->m.slug, account_id);
	r->account = session_prep_put_account(s->stack, &s->dc, &s->m, account_id, err);
	if (r->account == NULL) {
		char why[ERR_MAX];
		snprintf(why, sizeof(why), "%s", err);
		err_set(err, "creating the account: %s", why);
		return EXIT_SOFTWARE;
	}
	r->extra_fields = s->dc.cozy_fields ? json_deep_copy(s->dc.cozy_fields) : json_object();
	if (o->fields_in_env)
		json_object_update(r->extra_fields, s->dc.fields);
	if (o->account_deleted) {
		/* stack: model/account/accounts.go delete hook: copy to soft_deleted with soft_deleted_rev, delete,
		 * then push {"account","account_rev","konnector","account_deleted":true}, manual, no trigger */
		const char *rev = json_string_value(json_object_get(r->account, "_rev"));
		json_t *soft = json_deep_copy(r->account);
		json_object_del(soft, "_rev");
		json_object_set_new(soft, "soft_deleted_rev", json_string(rev ? rev : ""));
		json_t *stored = stack_doc_put(s->stack, "io.cozy.accounts.soft_deleted", soft, err);
		json_decref(soft);
		if (stored == NULL || stack_doc_delete(s->stack, "io.cozy.accounts", account_id, err) < 0) {
			json_decref(stored);
			char why[ERR_MAX];
			snprintf(why, sizeof(why), "%s", err);
			err_set(err, "soft-deleting the account: %s", why);
			return EXIT_SOFTWARE;
		}
		json_decref(stored);
		json_object_set_new(r->extra_fields, "account_rev", json_string(rev ? rev : ""));
		json_object_set_new(r->extra_fields, "account_deleted", json_true());
		*manual = 1;
		*trig = NULL;
		/* stack: PushAccountDeletedJob's message has no folder_to_save, and the job no account */
		session_prep_worker(s, r, NULL, NULL);
	} else {
		/* stack: BuildTrigger puts folder_to_save "yes", ensureFolderToSave turns it into the dir id */
		session_prep_worker(s, r, session_prep_message_folder(s, r), account_id);
	}
	r->fields = jobenv_fields(s->m.slug, account_id, r->folder, r->extra_fields);
	return EXIT_DONE;
}

/* The COZY_* environment of the job (r->env), written to the run directory redacted. */
static int session_prep_env(struct session *s, struct session_run *r, char *err)
{
	const struct run_options *o = s->o;
	int manual = o->manual;
	char trigger_id[33];
	session_prep_random_id(trigger_id);
	const char *trig = o->no_trigger ? NULL : (o->trigger_id ? o->trigger_id : trigger_id);
	long long time_limit_s = o->timeout_s;
	int rc;
	if (r->has_job) {
		/* serve: the job's own values (session_run_job) */
		manual = r->job_manual;
		trig = r->job_trigger;
		time_limit_s = (r->job_timeout_ms + 999) / 1000;
		rc = session_prep_job_fields(s, r, err);
	} else {
		session_prep_random_id(r->job_id);
		rc = session_prep_account(s, r, &manual, &trig, err);
	}
	if (rc != EXIT_DONE)
		return rc;
	/* stack: worker/exec/konnector.go PrepareCmdEnv: exactly one account type by slug with a secret grant */
	const json_t *secret = NULL;
	if (!stack_account_type_secret(s->stack, s->m.slug, &secret))
		secret = NULL;
	r->params = jobenv_parameters(s->m.parameters, s->dc.cozy_parameters, secret);
	r->payload = r->has_job ? session_prep_job_payload(s, r, err) : session_prep_payload(o, &r->payload_file, err);
	if (r->payload == NULL) {
		char why[ERR_MAX];
		snprintf(why, sizeof(why), "%s", err);
		err_set(err, "--payload: %s", why);
		return EXIT_USAGE;
	}
	const char *token = stack_mint_konnector_token(s->stack, s->m.slug, err);
	if (token == NULL)
		return EXIT_SOFTWARE;
	o->extra_env[o->n_extra] = NULL;
	/* the vendor proxy's variables (not the stack's: docs/VENDOR.md), before --env's */
	if ((rc = session_vendor_start(s, r, err)) != EXIT_DONE)
		return rc;
	char **extra = session_vendor_env(r, o->extra_env);
	if (extra == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	r->manual_used = manual;
	if (trig != NULL && (r->trigger_used = strdup(trig)) == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	struct job job = {.url = stack_url(s->stack),
			  .credentials = token,
			  .fields = r->fields,
			  .parameters = r->params,
			  .payload = r->payload,
			  .language = s->m.language,
			  .locale = o->locale,
			  .time_limit_s = time_limit_s,
			  .job_id = r->job_id,
			  .manual = manual,
			  .trigger_id = trig,
			  .path = getenv("PATH"),
			  .inherit = o->inherit_env ? environ : NULL,
			  .extra = extra};
	r->env = jobenv_build(&job, err);
	free(extra);
	if (r->env == NULL)
		return EXIT_USAGE;
	char werr[ERR_MAX];
	if (rundir_write_env(&r->rd, r->env, werr) < 0)
		json_array_append_new(r->warnings, json_string(werr));
	return EXIT_DONE;
}

/* The command: --cmd, or node <entry> (the on_delete_account file for an account_deleted run). */
static int session_prep_argv(struct session *s, struct session_run *r, char *argv[8], char *err)
{
	const struct run_options *o = s->o;
	int account_deleted = o->account_deleted;
	if (r->has_job) {
		json_t *msg = json_loads(r->job_message, 0, NULL);
		account_deleted = json_is_true(json_object_get(msg, "account_deleted"));
		json_decref(msg);
	}
	if (account_deleted && s->m.on_delete_account == NULL) {
		/* stack: PrepareWorkDir returns ErrAbort: the job is done without running anything */
		r->skip_run = 1;
		json_array_append_new(r->warnings,
				      json_string("the manifest has no on_delete_account: the stack runs nothing "
						  "and the job is done (ErrAbort)"));
		return EXIT_DONE;
	}
	if (o->cmd != NULL) {
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = (char *)o->cmd;
		return EXIT_DONE;
	}
	if (strcmp(s->m.language, "node") != 0) {
		err_set(err, "language \"%s\": give the command with --cmd", s->m.language);
		return EXIT_UNAVAILABLE;
	}
	r->entry = account_deleted ? session_prep_clean_rel(s->m.on_delete_account)
				   : session_prep_node_entry(o->dir, o->entry);
	if (r->entry == NULL) {
		err_set(err,
			"no entry in %s: none of package.json main, index.js, build/index.js, src/index.js exists; "
			"use --entry FILE or --cmd CMD",
			o->dir);
		return EXIT_DATAERR;
	}
	int a = 0;
	argv[a++] = "node";
	if (!o->no_preload) {
		char *text = preload_text(s->m.root);
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/preload.js", r->rd.path);
		if (text == NULL || rundir_write(&r->rd, "preload.js", text, strlen(text), err) < 0) {
			free(text);
			return EXIT_SOFTWARE;
		}
		free(text);
		r->preload_path = realpath(path, NULL);
		if (r->preload_path == NULL)
			r->preload_path = strdup(path);
		argv[a++] = "-r";
		argv[a++] = r->preload_path;
	}
	argv[a++] = r->entry;
	return EXIT_DONE;
}

/* The run's env and command, as the stack prepares the job; see session_internal.h. */
int session_prep_job(struct session *s, struct session_run *r, char *argv[8], char *err)
{
	int rc = session_prep_env(s, r, err);
	return rc != EXIT_DONE ? rc : session_prep_argv(s, r, argv, err);
}
