/* The files seam of the stack (stack_int.h): the vfs's life with the stack, and the runner's helpers (stack.h). */
#include "common/err.h"
#include "fake-stack/files/vfs.h"
#include "fake-stack/stack_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Load the initial tree: the state dir's files.json when there is one, else the fixtures' files/. */
static int stack_files_load(struct stack *st, char *err)
{
	char *p = NULL;
	struct stat sb;
	if (st->state_dir) {
		if (asprintf(&p, "%s/files.json", st->state_dir) < 0)
			return err_set(err, "out of memory");
		int has = stat(p, &sb) == 0;
		free(p);
		if (has)
			return vfs_load_state(st->vfs, st->state_dir, err);
	}
	if (st->fixtures_dir == NULL)
		return 0;
	if (asprintf(&p, "%s/files", st->fixtures_dir) < 0)
		return err_set(err, "out of memory");
	int rc = vfs_load_fixtures(st->vfs, p, err);
	free(p);
	return rc;
}

int stack_files_start(struct stack *st, char *err)
{
	st->vfs = st->files_dir ? vfs_new(st->files_dir, err) : vfs_new_temp(err);
	if (st->vfs == NULL)
		return -1;
	vfs_set_quota(st->vfs, st->disk_quota);
	if (stack_files_load(st, err) < 0) {
		vfs_free(st->vfs);
		st->vfs = NULL;
		return -1;
	}
	return 0;
}

void stack_files_stop(struct stack *st)
{
	vfs_free(st->vfs);
	st->vfs = NULL;
}

int stack_files_reset(struct stack *st, char *err)
{
	if (vfs_clear(st->vfs, err) < 0)
		return -1;
	return stack_files_load(st, err);
}

int stack_files_write_state(const struct stack *st, const char *dir, char *err)
{
	return st->vfs ? vfs_write_state(st->vfs, dir, err) : 0;
}

json_t *stack_files_changes(const struct stack *st)
{
	if (st->vfs == NULL)
		return NULL;
	json_t *c = vfs_changes(st->vfs);
	if (json_integer_value(json_object_get(c, "created")) == 0 &&
	    json_integer_value(json_object_get(c, "updated")) == 0 &&
	    json_integer_value(json_object_get(c, "deleted")) == 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

json_t *stack_mkdir_p(struct stack *st, const char *cozy_path, char *err)
{
	const json_t *out = NULL;
	if (st->vfs == NULL) {
		err_set(err, "the file tree is not started");
		return NULL;
	}
	char verr[ERR_MAX] = "";
	if (vfs_mkdir_p(st->vfs, cozy_path, NULL, &out, verr) != VFS_OK) {
		err_set(err, "mkdir -p %s: %s", cozy_path, verr);
		return NULL;
	}
	return json_deep_copy(out);
}

int stack_add_reference(struct stack *st, const char *file_id, const char *type, const char *id, char *err)
{
	if (st->vfs == NULL)
		return err_set(err, "the file tree is not started");
	json_t *refs = json_pack("[{s:s, s:s}]", "type", type, "id", id);
	char verr[ERR_MAX] = "";
	enum vfs_status s = vfs_add_refs(st->vfs, file_id, refs, NULL, verr);
	json_decref(refs);
	return s == VFS_OK ? 0 : err_set(err, "reference on %s: %s", file_id, verr);
}
