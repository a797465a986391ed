/*
 * The files seam, stubbed: the /files API (issue 4) deletes this file and
 * defines these functions in its own route_files.c / stack_files.c.
 * Until then /files and /data/:doctype/:id/relationships/references answer the
 * stack's 404 and the runner helpers say the files API is not built.
 */
#include "common/err.h"
#include "fake-stack/http.h"
#include "fake-stack/reply.h"
#include "fake-stack/stack_int.h"

int stack_files_start(struct stack *st, char *err)
{
	(void)st;
	(void)err;
	return 0;
}

void stack_files_stop(struct stack *st)
{
	(void)st;
}

int stack_files_reset(struct stack *st, char *err)
{
	(void)st;
	(void)err;
	return 0;
}

int stack_files_write_state(const struct stack *st, const char *dir, char *err)
{
	(void)st;
	(void)dir;
	(void)err;
	return 0;
}

json_t *stack_files_changes(const struct stack *st)
{
	(void)st;
	return NULL;
}

json_t *stack_mkdir_p(struct stack *st, const char *cozy_path, char *err)
{
	(void)st;
	(void)cozy_path;
	err_set(err, "files API not built yet");
	return NULL;
}

int stack_add_reference(struct stack *st, const char *file_id, const char *type, const char *id, char *err)
{
	(void)st;
	(void)file_id;
	(void)type;
	(void)id;
	return err_set(err, "files API not built yet");
}

int route_files_begin(struct stack *st, struct request *req)
{
	(void)st;
	(void)req;
	return 0;
}

/* echo's 404 for an unknown route, in the JSON:API family (Accept-dependent). */
int route_files_handle(struct stack *st, struct request *req)
{
	(void)st;
	return reply_echo_error(req, 404, "Not Found");
}

int route_references_handle(struct stack *st, struct request *req)
{
	(void)st;
	return reply_echo_error(req, 404, "Not Found");
}
