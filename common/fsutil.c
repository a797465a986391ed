/* Small questions to the file system (see fsutil.h). */
#include "common/fsutil.h"

#include "common/err.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* nftw's callback: the first failure, kept for the caller's err. */
static char fs_remove_failed[ERR_MAX];

static int fs_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) {
		snprintf(fs_remove_failed, sizeof(fs_remove_failed), "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int fs_remove_tree(const char *path, char *err)
{
	fs_remove_failed[0] = '\0';
	/* depth first (children before their folder), physical (a symlink is removed, not followed) */
	if (nftw(path, fs_remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
		if (fs_remove_failed[0] == '\0')
			snprintf(fs_remove_failed, sizeof(fs_remove_failed), "%s: %s", path, strerror(errno));
		return err_set(err, "%s", fs_remove_failed);
	}
	return 0;
}
