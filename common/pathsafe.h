/*
 * Path safety for the Cozy file tree kept on disk: a Cozy name or path can
 * never name anything outside the files dir (no "..", no "/" inside a name,
 * no NUL/CR/LF, no absolute path smuggled in, no symlink followed).
 */
#ifndef COMMON_PATHSAFE_H
#define COMMON_PATHSAFE_H

/* Longest name the disk accepts (NAME_MAX); longer Cozy names are refused. */
#define PATHSAFE_NAME_MAX 255

/* Is name a valid Cozy file or directory name? 0, or -1 with the reason in err. */
int pathsafe_check_name(const char *name, char *err);
/* Is path an absolute Cozy path ("/" or "/a/b", no empty, "." or ".." segment, each a valid name)? */
int pathsafe_check_path(const char *path, char *err);
/* base + cozy_path (checked first) as a malloc'd disk path, or NULL with err. */
char *pathsafe_join(const char *base, const char *cozy_path, char *err);
/* Parent of an absolute Cozy path into a malloc'd string ("/a/b" -> "/a", "/a" -> "/"). */
char *pathsafe_parent(const char *cozy_path);
/* Last segment of an absolute Cozy path (points into cozy_path). */
const char *pathsafe_base(const char *cozy_path);
/* parent + "/" + name as a malloc'd Cozy path (no double slash under root). */
char *pathsafe_child(const char *parent, const char *name);
/* Is child equal to dir or below it ("/a/b" is below "/a", "/ab" is not)? */
int pathsafe_is_under(const char *child, const char *dir);

#endif
