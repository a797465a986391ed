/*
 * The fake stack's insides, shared by stack.c, the seams (stack_files.c,
 * stack_accounts.c), the route_*.c files and http.c's permission gates.
 * Internal to fake-stack/ (the harness sees only stack.h).
 */
#ifndef FAKE_STACK_STACK_INT_H
#define FAKE_STACK_STACK_INT_H

#include "common/loop.h"
#include "fake-stack/stack.h"

#include <jansson.h>
#include <stddef.h>

struct server;
struct store;
struct tokens;
struct perm_registry;
struct journal;
struct vfs;
struct accounts;
struct jobs;
struct hub;
struct request;

/* Default limit of a buffered request body (CouchDB's max_document_size is 8 MB). */
#define STACK_BODY_LIMIT (8u * 1024 * 1024)

struct stack {
	struct loop *loop;
	struct server *server; /* the HTTP side (http/server.c) */
	char url[96];          /* "http://127.0.0.1:PORT/" */
	char domain[80];       /* "127.0.0.1:PORT" */

	/* Options, copied. */
	char *fixtures_dir;
	char *state_dir;
	char *files_dir;
	char *bind_addr;
	char *locale;
	enum stack_perm_mode perm_mode;
	long long disk_quota;

	struct store *store;
	struct tokens *tokens;
	struct perm_registry *perms; /* the declared konnectors' permissions */
	struct journal *journal;
	struct accounts *accounts; /* account types, token client, refresh hook (stack_accounts.c) */

	struct vfs *vfs; /* owned by the files API (stack_files_*), NULL until then */

	struct hub *hub;     /* document changes for /realtime and the jobs (realtime/hub.h) */
	struct jobs *jobs;   /* triggers and jobs (jobs/stack_jobs.c) */
	stack_job_cb job_cb; /* the harness's worker of konnector jobs (stack_on_job) */
	void *job_arg;
	stack_schedule_cb schedule_cb; /* stack_on_schedule */
	void *schedule_arg;

	stack_forbidden_cb on_forbidden; /* stack_on_forbidden's hook, NULL when none */
	void *on_forbidden_arg;
};

/*
 * The files seam: stack_files.c defines these (and stack_mkdir_p,
 * stack_add_reference); route_files.c the /files and references routes
 * (files/route_files.h).
 */
/* After the store is loaded: set up st->vfs from st->files_dir and the fixtures' files/ (or st->state_dir). */
int stack_files_start(struct stack *st, char *err);
void stack_files_stop(struct stack *st);
/* Forget every file and load the fixtures' files/ again. */
int stack_files_reset(struct stack *st, char *err);
/* Write the file tree and dir/files.json. */
int stack_files_write_state(const struct stack *st, const char *dir, char *err);
/* {"created":n,"updated":n,"deleted":n} for io.cozy.files, or NULL when nothing. New ref. */
json_t *stack_files_changes(const struct stack *st);

/*
 * The accounts seam: stack_accounts.c defines these (and stack_account_types,
 * stack_on_refresh, stack_account_type_secret); route_accounts.c the /accounts route.
 */
/* After st->loop and st->fixtures_dir are set: account_types/, refresh/, the OAuth client. */
int stack_accounts_start(struct stack *st, char *err);
/* Cancels refreshes in flight. */
void stack_accounts_stop(struct stack *st);
/* Load account_types/ and refresh/ again; the refresh hook stays. */
int stack_accounts_reset(struct stack *st, char *err);

/*
 * The jobs seam: jobs/stack_jobs.c defines these (and stack_on_job,
 * stack_job_done, stack_on_schedule, stack_jobs_fire_now,
 * stack_folder_usable, stack_triggers_set_folder); jobs/route_jobs.c the
 * /jobs routes.
 */
/* After the store is loaded: the job system, its triggers scheduled. */
int stack_jobs_start(struct stack *st, char *err);
void stack_jobs_stop(struct stack *st);
/* The store was replaced: forget triggers and jobs in flight, schedule the new store's. */
void stack_jobs_reset(struct stack *st);
/* Is slug a declared konnector (stack_add_konnector)? stack.c. */
int stack_has_konnector(const struct stack *st, const char *slug);
/* /jobs/…: jobs/route_jobs.c over st->jobs. */
int route_jobs_handle(struct stack *st, struct request *req);

#endif
