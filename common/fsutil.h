/* Small questions to the file system that several callers ask the same way. */
#ifndef COMMON_FSUTIL_H
#define COMMON_FSUTIL_H

/* 1 when path names a directory (symlinks followed), else 0 (missing, not a directory, unreadable). */
int fs_is_dir(const char *path);
/* rm -r path (symlinks removed, never followed); 0, or -1 with err naming what could not go. */
int fs_remove_tree(const char *path, char *err);

#endif
