/*
 * The paths one burst of file events touched, deduplicated, for the watcher's
 * quiet window. A path that appeared and vanished within the burst (vim's
 * `4913` probe, its `file~` backup, sed's temp file) is no change at all and is
 * dropped; a file created but not yet closed holds the window open.
 */
#ifndef HARNESS_CHANGESET_H
#define HARNESS_CHANGESET_H

#include <stddef.h>

enum change_kind {
	CHANGE_CREATED, /* IN_CREATE, IN_MOVED_TO */
	CHANGE_WRITTEN, /* IN_CLOSE_WRITE */
	CHANGE_REMOVED, /* IN_DELETE, IN_MOVED_FROM */
};

struct changeset_entry {
	char *path;
	enum change_kind first, last;
	int open;    /* created as a regular file and not closed after writing yet */
	int fixture; /* under the fixtures folder */
};

struct changeset {
	struct changeset_entry *v;
	size_t n, cap;
};

/* Record one event on path; open marks a regular file just created (awaiting IN_CLOSE_WRITE). */
int changeset_note(struct changeset *cs, const char *path, enum change_kind kind, int open, int fixture, char *err);
/* Files created and still being written. */
size_t changeset_open_count(const struct changeset *cs);
/*
 * The paths that really changed, sorted, as a malloc'd NULL-terminated array
 * of malloc'd strings (free with changeset_paths_free); *n their count and
 * *fixture whether one is a fixture. Empties cs. NULL only when out of memory.
 */
char **changeset_take(struct changeset *cs, size_t *n, int *fixture);
void changeset_paths_free(char **paths);
void changeset_clear(struct changeset *cs);

#endif
