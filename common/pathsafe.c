/* Cozy names and paths checked before they touch the disk. */
#include "common/pathsafe.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* stack: model/vfs/vfs.go checkFileName rejects empty names and ForbiddenFilenameChars; "." and ".." too (web/files).
 */
int pathsafe_check_name(const char *name, char *err)
{
	if (name == NULL || name[0] == '\0')
		return err_set(err, "name is empty");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_set(err, "name \"%s\" is not allowed", name);
	if (strpbrk(name, "/\r\n") != NULL)
		return err_set(err, "name contains a forbidden character (/, CR or LF)");
	if (strlen(name) > PATHSAFE_NAME_MAX)
		return err_set(err, "name is longer than %d bytes", PATHSAFE_NAME_MAX);
	return 0;
}

int pathsafe_check_path(const char *path, char *err)
{
	if (path == NULL || path[0] != '/')
		return err_set(err, "path must be absolute");
	if (strcmp(path, "/") == 0)
		return 0;
	const char *p = path + 1;
	char seg[PATHSAFE_NAME_MAX + 2];
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > PATHSAFE_NAME_MAX)
			return err_set(err, "path segment longer than %d bytes", PATHSAFE_NAME_MAX);
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (pathsafe_check_name(seg, err) < 0)
			return -1;
		if (slash == NULL)
			return 0;
		p = slash + 1;
	}
}

char *pathsafe_join(const char *base, const char *cozy_path, char *err)
{
	if (pathsafe_check_path(cozy_path, err) < 0)
		return NULL;
	size_t bl = strlen(base), pl = strlen(cozy_path);
	while (bl > 1 && base[bl - 1] == '/')
		bl--;
	char *out = malloc(bl + pl + 1);
	if (out == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	memcpy(out, base, bl);
	if (strcmp(cozy_path, "/") == 0)
		out[bl] = '\0';
	else
		memcpy(out + bl, cozy_path, pl + 1);
	return out;
}

char *pathsafe_parent(const char *cozy_path)
{
	const char *slash = strrchr(cozy_path, '/');
	if (slash == NULL || slash == cozy_path)
		return strdup("/");
	return strndup(cozy_path, (size_t)(slash - cozy_path));
}

const char *pathsafe_base(const char *cozy_path)
{
	const char *slash = strrchr(cozy_path, '/');
	return slash ? slash + 1 : cozy_path;
}

char *pathsafe_child(const char *parent, const char *name)
{
	size_t pl = strlen(parent), nl = strlen(name);
	int root = strcmp(parent, "/") == 0;
	char *out = malloc(pl + nl + 2);
	if (out == NULL)
		return NULL;
	if (root) {
		out[0] = '/';
		memcpy(out + 1, name, nl + 1);
	} else {
		memcpy(out, parent, pl);
		out[pl] = '/';
		memcpy(out + pl + 1, name, nl + 1);
	}
	return out;
}

int pathsafe_is_under(const char *child, const char *dir)
{
	if (strcmp(dir, "/") == 0)
		return child[0] == '/';
	size_t n = strlen(dir);
	return strncmp(child, dir, n) == 0 && (child[n] == '\0' || child[n] == '/');
}
