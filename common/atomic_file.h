/* Writing user files safely: temp file in the same directory, fsync, rename. */
#ifndef COMMON_ATOMIC_FILE_H
#define COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replace path with data atomically; keeps the old file's mode when it exists. */
int atomic_write(const char *path, const void *data, size_t len, char *err);
/* mkdir -p with mode 0755. */
int mkdir_p(const char *path, char *err);
/* Read a whole file into a NUL-terminated malloc'd buffer. */
char *file_read_all(const char *path, size_t *len, char *err);

#endif
