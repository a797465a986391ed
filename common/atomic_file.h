/* Writing user files safely: temp file in the same directory, fsync, rename. */
#ifndef COMMON_ATOMIC_FILE_H
#define COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replace path with data atomically; keeps the old file's mode when it exists. */
int atomic_write(const char *path, const void *data, size_t len, char *err);

/* The same for a file written in pieces (too big for memory): write to fd, then commit or abort. */
struct atomic_file {
	char *path, *tmp;
	int fd;
};
/* Create the temporary file next to path (with the old file's mode, else 0644). */
int atomic_begin(struct atomic_file *f, const char *path, char *err);
/* fsync, rename over path, fsync the directory. The temporary file is gone either way. */
int atomic_commit(struct atomic_file *f, char *err);
/* Drop the temporary file. */
void atomic_abort(struct atomic_file *f);
/* mkdir -p with mode 0755. */
int mkdir_p(const char *path, char *err);
/* Read a whole file into a NUL-terminated malloc'd buffer. */
char *file_read_all(const char *path, size_t *len, char *err);

#endif
