/*
 * The permission of a konnector or app on one file or directory, as the
 * stack decides it for /files (stack: model/vfs/permissions.go Allows): a
 * rule on the file itself, its parent or the root, on an ancestor directory
 * by id, on the file's attributes, or on an ancestor's attributes (its
 * referenced_by, tags…) walking up the tree. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_FILES_PERM_H
#define FAKE_STACK_FILES_PERM_H

#include "fake-stack/files/vfs.h"

#include <jansson.h>

struct perm_set;

/*
 * Does set allow verb (a PERM_* bit) on fd? fd is a file doc as the vfs
 * holds it, or one not created yet ("_id" absent; "type", "name", "dir_id",
 * and "tags", "mime", "class" when known). 1 or 0.
 */
int files_perm_allows(const struct perm_set *set, const struct vfs *v, unsigned verb, const json_t *fd);

/* A doc describing a file or directory about to be created in dir_id, for files_perm_allows. New ref. */
json_t *files_perm_new_doc(const char *type, const char *name, const char *dir_id, const json_t *tags,
			   const char *content_type);

#endif
