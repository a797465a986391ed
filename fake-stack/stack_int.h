/*
 * The fake stack's insides, shared by stack.c and the route_*.c files.
 * Internal to fake-stack/ (the harness sees only stack.h).
 */
#ifndef FAKE_STACK_STACK_INT_H
#define FAKE_STACK_STACK_INT_H

#include "common/loop.h"
#include "fake-stack/stack.h"

#include <jansson.h>
#include <stddef.h>

struct MHD_Daemon;
struct store;
struct tokens;
struct perms;
struct journal;
struct vfs;
struct http_private;
struct accounts;

/* Default limit of a buffered request body (CouchDB's max_document_size is 8 MB). */
#define STACK_BODY_LIMIT (8u * 1024 * 1024)

struct stack {
	struct loop *loop;
	struct MHD_Daemon *mhd;
	int mhd_epfd;
	char url[96];    /* "http://127.0.0.1:PORT/" */
	char domain[80]; /* "127.0.0.1:PORT" */

	/* Options, copied. */
	char *fixtures_dir;
	char *state_dir;
	char *files_dir;
	char *bind_addr;
	char *locale;
	enum stack_perm_mode perm_mode;
	unsigned short port_wanted;
	size_t body_limit; /* buffered request bodies; over it → 413 */

	struct store *store;
	struct tokens *tokens;
	struct perms *perms;
	struct journal *journal;
	struct accounts *accounts; /* account types, token client, refresh hook (route_accounts.c) */

	struct vfs *vfs; /* owned by the files API (stack_files_*), NULL until then */

	struct http_private *live; /* requests in flight (stack.c) */
};

/*
 * The files seam: stack_files.c defines these (and stack_mkdir_p,
 * stack_add_reference); route_files.c the route_files_* and
 * route_references_handle routes.
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

#endif
