/*
 * The watcher of `konnector-harness watch`: inotify(7) on directories only
 * (a watch on a file dies with the file's first rename-save), DIR recursively
 * with the directories created later, the fixtures folder, and the directories
 * of single files named explicitly (dev config, manifest). A burst of events
 * becomes one callback after a quiet window. IN_MODIFY is never asked for: a
 * file counts when it is closed after writing, created, moved or deleted.
 *
 * Ignored: node_modules/, .git/, the run directory, DIR/data/ (the output of
 * konnector-libs' standalone mode), editor droppings (*.swp, *.swx, *~, 4913,
 * .#*), the caller's GLOBs (gitignore syntax) and the .gitignore files found
 * in DIR. Fixtures are exempt from the .gitignore and default directory
 * ignores; explicitly named files are never ignored.
 */
#ifndef HARNESS_WATCH_H
#define HARNESS_WATCH_H

#include "common/loop.h"

#include <stddef.h>
#include <stdint.h>

struct watch;

struct watch_change {
	char **paths; /* sorted, deduplicated, relative to DIR (or as given when outside it); NULL-terminated */
	size_t npaths;
	int fixtures_changed; /* one of them is under the fixtures folder */
	int overflow;         /* the kernel queue overflowed: events were lost, assume anything changed */
};

typedef void (*watch_change_cb)(struct watch *w, const struct watch_change *change, void *arg);
/* Something the user should know that does not stop watching (a new directory that could not be watched). */
typedef void (*watch_warn_cb)(struct watch *w, const char *msg, void *arg);

struct watch_options {
	const char *dir;          /* DIR, watched recursively */
	const char *fixtures_dir; /* watched recursively, inside DIR or not; NULL for none */
	const char *const *files; /* single files always watched (through their directory) */
	size_t nfiles;
	const char *run_dir;        /* ignored; NULL: DIR/.harness */
	const char *const *ignores; /* --ignore GLOBs, gitignore syntax, relative to DIR */
	size_t nignores;
	long long debounce_ms; /* quiet window after the last event; 0: fire after the current read */
	watch_change_cb on_change;
	watch_warn_cb on_warning; /* NULL: warnings dropped */
	void *arg;
	/* Tests only: replaces inotify_add_watch(2) (to simulate ENOSPC); NULL for the real one. */
	int (*add_watch)(int fd, const char *path, uint32_t mask);
};

/* Walk and watch; fails (ENOSPC with the sysctl to raise the limit) without leaving anything behind. */
struct watch *watch_start(struct loop *loop, const struct watch_options *opt, char *err);
void watch_stop(struct watch *w);

/* Directories currently watched. */
size_t watch_dir_count(const struct watch *w);

/* The message for ENOSPC from inotify_add_watch on path, with the sysctl command. */
void watch_enospc_message(char *err, const char *path);

#endif
