/* Shared between vfs.c, vfs_upload.c and vfs_state.c; nothing else includes it. */
#ifndef FAKE_STACK_VFS_INTERNAL_H
#define FAKE_STACK_VFS_INTERNAL_H

#include "fake-stack/files/vfs.h"

struct vfs {
	char *dir;       /* files_dir, where "/" lives on disk */
	json_t *docs;    /* _id -> doc */
	json_t *by_path; /* cozy path -> _id */
	json_t *secrets; /* MetadataID -> metadata object */
	long long quota; /* 0: none */
	long long used;  /* sum of file sizes */
	long long created, updated, deleted;
	int remove_on_free; /* a temp tree made by vfs_new_temp */
};

/* 32 lowercase hex random chars, like CouchDB's uuids. */
void vfs_gen_id(char out[33]);
/* Set "_rev" to the next "N-<hex>" (1 when absent). */
void vfs_bump_rev(json_t *doc);
/* Store doc under its _id and path (steals the reference). */
void vfs_put_doc(struct vfs *v, json_t *doc);
/* Disk path of a Cozy path (malloc'd) or NULL with err. */
char *vfs_disk_path(const struct vfs *v, const char *cozy_path, char *err);
/* The dir doc for dir_id (NULL: root) when it is a live directory outside the trash, else NULL. */
const json_t *vfs_live_dir(const struct vfs *v, const char *dir_id);
/*
 * Name, parent and conflict checks of a new child name of dir_id, as a file or
 * a directory gets them before anything is written: VFS_BAD_NAME,
 * VFS_PARENT_MISSING or VFS_EXISTS with err; VFS_OK with the parent's doc and
 * the child's Cozy path (malloc'd) when asked for.
 */
enum vfs_status vfs_check_new_child(const struct vfs *v, const char *dir_id, const char *name, const json_t **parent,
				    char **path, char *err);
/* Size of a file doc (its "size" string) as a number. */
long long vfs_doc_size(const json_t *doc);
/* rm -rf of a disk path (no symlink followed). */
int vfs_rm_rf(const char *path, char *err);

#endif
