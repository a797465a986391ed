#include "common/atomic_file.h"

#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write all of data to fd, retrying short writes and EINTR. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_begin(struct atomic_file *f, const char *path, char *err)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->path = strdup(path);
	if (f->path == NULL || asprintf(&f->tmp, "%s.tmp-XXXXXX", path) < 0) {
		free(f->path);
		f->tmp = f->path = NULL;
		return err_set(err, "%s: out of memory", path);
	}
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0) {
		err_set(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
		free(f->tmp);
		free(f->path);
		f->tmp = f->path = NULL;
		return -1;
	}
	struct stat st;
	mode_t mode = 0644;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	if (fchmod(f->fd, mode) < 0) {
		err_set(err, "%s: cannot write: %s", f->tmp, strerror(errno));
		atomic_abort(f);
		return -1;
	}
	return 0;
}

void atomic_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp != NULL)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
	f->fd = -1;
}

int atomic_commit(struct atomic_file *f, char *err)
{
	if (fsync(f->fd) < 0) {
		err_set(err, "%s: cannot write: %s", f->tmp, strerror(errno));
		atomic_abort(f);
		return -1;
	}
	int rc = close(f->fd);
	f->fd = -1;
	if (rc < 0 || rename(f->tmp, f->path) < 0) {
		err_set(err, "%s: cannot replace: %s", f->path, strerror(errno));
		atomic_abort(f);
		return -1;
	}
	/* The rename is only durable once the directory itself is synced. */
	char *dircopy = strdup(f->path);
	if (dircopy != NULL) {
		int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dircopy);
	}
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
	return 0;
}

int atomic_write(const char *path, const void *data, size_t len, char *err)
{
	struct atomic_file f;
	if (atomic_begin(&f, path, err) < 0)
		return -1;
	if (write_all(f.fd, data, len) < 0) {
		err_set(err, "%s: cannot write: %s", f.tmp, strerror(errno));
		atomic_abort(&f);
		return -1;
	}
	return atomic_commit(&f, err);
}

int mkdir_p(const char *path, char *err)
{
	char *p = strdup(path);
	if (p == NULL)
		return err_set(err, "out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			err_set(err, "%s: cannot create directory: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		err_set(err, "%s: cannot create directory: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

char *file_read_all(const char *path, size_t *len, char *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *data = malloc(cap);
	while (data != NULL) {
		size_t got = fread(data + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
		if (n + 1 == cap) {
			char *bigger = realloc(data, cap * 2);
			if (bigger == NULL) {
				free(data);
				data = NULL;
				break;
			}
			data = bigger;
			cap *= 2;
		}
	}
	if (data == NULL) {
		err_set(err, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	if (ferror(f)) {
		err_set(err, "%s: read error: %s", path, strerror(errno));
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	data[n] = '\0';
	if (len != NULL)
		*len = n;
	return data;
}
