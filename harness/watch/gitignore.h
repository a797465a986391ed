/*
 * A subset of gitignore(5) patterns, for the watcher: blank and `#` lines,
 * `!` negation, trailing `/` (directories only), a `/` anywhere but the end
 * anchoring the pattern to its file's directory, `*`, `?`, `[...]` and `**`
 * segments. The last matching pattern wins, deeper files after shallower ones,
 * and nothing inside an ignored directory can be re-included (as in git).
 */
#ifndef HARNESS_GITIGNORE_H
#define HARNESS_GITIGNORE_H

#include <stddef.h>

struct gitignore;

struct gitignore *gitignore_new(void);
void gitignore_free(struct gitignore *gi);

/* Add the patterns of text (a .gitignore's content) read in directory base ("" for the top). */
int gitignore_add_text(struct gitignore *gi, const char *base, const char *text, size_t len, char *err);
/* Add one pattern (an --ignore GLOB, with the same syntax) relative to base. */
int gitignore_add_pattern(struct gitignore *gi, const char *base, const char *pattern, char *err);
/* Forget every pattern that came from directory base (before re-reading its .gitignore). */
void gitignore_drop_base(struct gitignore *gi, const char *base);
size_t gitignore_count(const struct gitignore *gi);

/* 1 when path (relative to the top, '/'-separated, no leading "./") or one of its parent directories is ignored. */
int gitignore_ignored(const struct gitignore *gi, const char *path, int is_dir);

#endif
