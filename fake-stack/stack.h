/*
 * The fake cozy-stack, as a library with this one header (docs/ARCHITECTURE.md): start it
 * on the harness loop with a fixtures folder, get its URL, mint job tokens, ask
 * for the journal and the state, stop it. Nothing outside fake-stack/ includes
 * any other fake-stack header.
 */
#ifndef FAKE_STACK_STACK_H
#define FAKE_STACK_STACK_H

#include "common/loop.h"

#include <jansson.h>
#include <stddef.h>

struct stack;

enum stack_perm_mode {
	STACK_PERM_WARN,    /* serve, but journal that the real stack would answer 403 */
	STACK_PERM_ENFORCE, /* answer 403 like the real stack */
	STACK_PERM_OFF,     /* no permission checks at all */
};

struct stack_options {
	const char *fixtures_dir; /* scenario folder: data/, files/, account_types/, refresh/; NULL for none */
	const char *state_dir;    /* a run directory's state/ to start from instead of fixtures_dir; NULL */
	const char *files_dir; /* where the Cozy file tree is kept on disk (run directory files/); NULL: a temp dir */
	const char *bind_addr; /* NULL: "127.0.0.1" */
	unsigned short port;   /* 0: any free port */
	enum stack_perm_mode perm_mode;
	const char *locale;   /* NULL: "en" */
	long long disk_quota; /* bytes the file tree may hold, uploads past it are 413; 0: no quota */
};

/* Load the fixtures (a malformed one fails with file:line:column in err) and listen. */
struct stack *stack_start(struct loop *loop, const struct stack_options *opt, char *err);
/* Stop listening, close connections, free everything. NULL is fine. */
void stack_stop(struct stack *st);

/* "http://127.0.0.1:PORT/" (trailing slash, as COZY_URL has it). */
const char *stack_url(const struct stack *st);
/* "127.0.0.1:PORT": the instance domain, the issuer of tokens. */
const char *stack_domain(const struct stack *st);

/* Declare an installed konnector and its manifest `permissions` object (may be NULL). */
int stack_add_konnector(struct stack *st, const char *slug, const json_t *permissions, char *err);
/* Mint a konnector token for one job (JWT shaped like the stack's: aud konn, iss domain, sub slug, iat now). Owned by
 * the stack. */
const char *stack_mint_konnector_token(struct stack *st, const char *slug, char *err);
/* Mint an app token with whole access, for `serve` and apps started by hand. Owned by the stack. */
const char *stack_mint_app_token(struct stack *st, const char *slug, char *err);

/* Documents, for the runner (account creation, soft delete). New references; NULL when absent. */
json_t *stack_doc_get(struct stack *st, const char *doctype, const char *id);
/* Create (no _rev) or update (matching _rev) a document with an _id; returns the stored doc (new ref). */
json_t *stack_doc_put(struct stack *st, const char *doctype, const json_t *doc, char *err);
int stack_doc_delete(struct stack *st, const char *doctype, const char *id, char *err);
/* The io.cozy.account_types documents from the fixtures (a JSON array, borrowed). */
const json_t *stack_account_types(const struct stack *st);

/*
 * After each successful POST /accounts/:type/:id/refresh, once the account is
 * saved: the new tokens (borrowed for the call; NULL when the account has
 * none). For --save-tokens. One hook; NULL cb removes it. Survives stack_reset.
 */
typedef void (*stack_refresh_cb)(struct stack *st, const char *account_id, const char *access_token,
				 const char *refresh_token, void *arg);
void stack_on_refresh(struct stack *st, stack_refresh_cb cb, void *arg);
/*
 * In warn mode, a request the real stack would refuse (403, or 404 for a
 * konnector without permissions) as it is let through: its verb ("GET",
 * "POST"…), doctype and why, borrowed for the call, inside the HTTP handler.
 * The journal has it too ("forbidden"). One hook; NULL cb removes it.
 */
typedef void (*stack_forbidden_cb)(struct stack *st, const char *verb, const char *doctype, const char *why, void *arg);
void stack_on_forbidden(struct stack *st, stack_forbidden_cb cb, void *arg);
/*
 * The COZY_PARAMETERS secret (stack: worker/exec/konnector.go): 1 and *secret (borrowed; JSON
 * null when the doc has none) when exactly one fixture account type has this
 * slug and a secret grant mode; else 0. The runner adds it as "secret".
 */
int stack_account_type_secret(const struct stack *st, const char *slug, const json_t **secret);

/*
 * The stack's authorization-code flow pieces, for `konnector-harness oauth`
 * (model/account/type.go MakeOauthStartURL and RequestAccessToken), usable
 * without a running stack.
 */
/* Check an account type document against the stack's struct; text (may be NULL) gives line:column. */
int stack_account_type_check(const json_t *account_type, const char *file, const char *text, char *err);
/* The provider's authorization URL for an authorization_code(+secret) account type. malloc'd, or NULL with err. */
char *stack_oauth_start_url(const json_t *account_type, const char *redirect_uri, const char *state, const char *scope,
			    char *err);
struct stack_oauth_tokens {
	const char *access_token, *refresh_token, *token_type; /* refresh_token/token_type may be NULL */
	long long expires_in;
};
/* tokens is NULL on failure, error then says why in the stack's words. */
typedef void (*stack_oauth_cb)(const struct stack_oauth_tokens *tokens, const char *error, void *arg);
struct stack_oauth_exchange;
/* Exchange code at the account type's token_endpoint (its token_mode) on loop; cb runs once, later. */
struct stack_oauth_exchange *stack_oauth_exchange_code(struct loop *loop, const json_t *account_type, const char *code,
						       const char *state, const char *redirect_uri, stack_oauth_cb cb,
						       void *arg, char *err);
/* Free (and abort when still in flight: cb will not run). NULL is fine. */
void stack_oauth_exchange_free(struct stack_oauth_exchange *x);

/*
 * The loopback listener that catches the provider's redirect, on
 * 127.0.0.1:port (0: any free port) and served from loop: a GET on path calls
 * cb with what the query carried; anything else is answered 404.
 */
struct stack_oauth_redirect {
	const char *code, *state, *error, *error_description; /* each NULL when absent */
};
/* The status of the page the browser gets; its plain text in *page (copied as soon as cb returns). */
typedef unsigned (*stack_oauth_redirect_cb)(const struct stack_oauth_redirect *r, const char **page, void *arg);
struct stack_oauth_listener;
/* NULL with err ("cannot listen on 127.0.0.1:N (in use?)"). */
struct stack_oauth_listener *stack_oauth_listen(struct loop *loop, unsigned short port, const char *path,
						stack_oauth_redirect_cb cb, void *arg, char *err);
/* The port listened on (the chosen one when port was 0). */
unsigned short stack_oauth_listener_port(const struct stack_oauth_listener *l);
/* Stop listening. NULL is fine. */
void stack_oauth_listener_free(struct stack_oauth_listener *l);

/*
 * An io.cozy.accounts document written as an app (app_slug) writes it through
 * /data (stack: web/data/accounts.go): without _rev a creation (secrets
 * sealed, name computed, cozyMetadata from the app), with _rev an update
 * (secrets sealed, cozyMetadata only when absent). doc has an _id (our runs
 * keep a stable one). Returns the stored doc (sealed form; new ref) or NULL with err.
 */
json_t *stack_account_save(struct stack *st, const json_t *doc, const char *app_slug, char *err);
/*
 * The konnector worker's preparation of a job (stack: worker/exec/konnector.go
 * PrepareWorkDir), in the stack's order: stack_ensure_folder_to_save, then
 * stack_ensure_konnector_permissions.
 *
 * ensureFolderToSave: folder_to_save is the job message's value (NULL or ""
 * does nothing; "yes" is what the stack's triggers carry); account_id NULL
 * when the job has no account. *dir_id gets the folder the job is given
 * (malloc'd; NULL when none): the message's own when it is a live directory,
 * else the one folder the konnector references, else (with an account)
 * defaultFolderPath, folderPath or /Administrative/<Name>/<account name>
 * created, referenced and marked, the account's defaultFolderPath saved
 * through the stack's struct. What is worth telling is appended to notes (an
 * array of strings). -1 with err: the stack's job would fail with it.
 */
int stack_ensure_folder_to_save(struct stack *st, const char *slug, const char *konnector_name, const char *account_id,
				const char *folder_to_save, char **dir_id, json_t *notes, char *err);
/* ensurePermissions: the konnector gets {io.cozy.files, selector referenced_by, io.cozy.konnectors/<slug>} when it
 * lacks it. */
int stack_ensure_konnector_permissions(struct stack *st, const char *slug, char *err);

/* mkdir -p a Cozy path; returns the directory's file doc (new ref) with "_id" and "path". */
json_t *stack_mkdir_p(struct stack *st, const char *cozy_path, char *err);
/* Add {type, id} to the referenced_by of the file or directory file_id. */
int stack_add_reference(struct stack *st, const char *file_id, const char *type, const char *id, char *err);

/*
 * The request journal: a JSON array, one object per request, in order:
 * {"time":ISO-8601,"method","path","query":{…},"status":N,"duration_ms":N,
 *  "auth":"konnector:<slug>"|"app:<slug>"|"none"|"invalid",
 *  "request_body":"…cut at 4 KiB…","response_body":"…",
 *  "forbidden":"<why the real stack would answer 403>" (only then),
 *  "differs":"<what we could not emulate, and what the stack does>" (only then)}
 * Authorization headers never appear in it. Borrowed.
 */
const json_t *stack_journal(const struct stack *st);
int stack_write_journal(const struct stack *st, const char *path, char *err);
/* Write every document (dir/data/<doctype>/<id>.json) and the file tree (dir/files/…, metadata in dir/files.json). */
int stack_write_state(const struct stack *st, const char *dir, char *err);
/* What was written since start: {"<doctype>":{"created":n,"updated":n,"deleted":n},…}; files under "io.cozy.files". New
 * ref. */
json_t *stack_changes(const struct stack *st);
/* Forget every document, file and journal entry and load the fixtures again (watch). Tokens stay valid. */
int stack_reset(struct stack *st, char *err);

/*
 * Jobs and triggers (fake-stack/jobs/). The worker of konnector jobs is the
 * harness's: the stack hands it each execution of a konnector job, from the
 * loop (never inside the HTTP request that created the job), one job at a
 * time per konnector, and the worker reports its end with stack_job_done.
 * Jobs for a konnector that was not declared (stack_add_konnector) or whose
 * account is missing never reach it: they error as the stack's
 * BadTriggerError does. Without a worker, jobs stay queued.
 */
struct stack_job {
	const char *id;         /* the io.cozy.jobs id (COZY_JOB_ID is konnector/0/<id>) */
	const char *slug;       /* the message's konnector */
	const char *account;    /* the message's account ("" when none) */
	const char *trigger_id; /* NULL without a trigger */
	const char *message;    /* the message as COZY_FIELDS carries it */
	const char *payload;    /* the webhook body, NULL when none */
	size_t payload_len;
	int manual;
	int exec_no;          /* 1, then 2 for the stack's retry */
	long long timeout_ms; /* 300 s unless the job's options lower it */
};
/* Everything in job is borrowed for the call. */
typedef void (*stack_job_cb)(struct stack *st, const struct stack_job *job, void *arg);
void stack_on_job(struct stack *st, stack_job_cb cb, void *arg);
/*
 * One execution of job_id ended: error NULL when it succeeded; retry: the
 * worker allows another execution (the verdict's retry: not after
 * LOGIN_FAILED, USER_ACTION_NEEDED or a no_retry critical). The stack runs
 * the second execution itself, or marks the job done or errored.
 */
int stack_job_done(struct stack *st, const char *job_id, const char *error, int retry, char *err);
/*
 * When a trigger fires next, as ISO-8601 UTC (NULL: it never fires by
 * itself); gone: it was deleted. Called for the triggers already scheduled
 * when the hook is set, then at every change. NULL cb removes it.
 */
typedef void (*stack_schedule_cb)(struct stack *st, const char *trigger_id, const char *type, const char *arguments,
				  const char *next, int gone, void *arg);
void stack_on_schedule(struct stack *st, stack_schedule_cb cb, void *arg);
/* Time-based triggers fire as soon as they are scheduled (those already scheduled: now). */
void stack_jobs_fire_now(struct stack *st, int on);
/* stack: worker/exec/konnector.go ensureFolderToSave step 1: a directory with this id exists, out of the trash. */
int stack_folder_usable(struct stack *st, const char *dir_id);
/* stack: worker/exec/konnector.go updateFolderToSave: folder_to_save in every trigger of this account and konnector. */
int stack_triggers_set_folder(struct stack *st, const char *account, const char *slug, const char *dir_id, char *err);

#endif
