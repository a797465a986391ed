/* common/fsutil.c: fs_is_dir answers for directories only, symlinks followed. */
#include "common/fsutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

Test(fsutil, is_dir)
{
	char dir[] = "/tmp/kh-fsutil-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char file[64], link[64], dangling[64], missing[64];
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	snprintf(dangling, sizeof(dangling), "%s/d", dir);
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(symlink(dir, link), 0);
	cr_assert_eq(symlink(missing, dangling), 0);

	cr_assert_eq(fs_is_dir(dir), 1);
	cr_assert_eq(fs_is_dir(link), 1, "a symlink to a directory counts");
	cr_assert_eq(fs_is_dir(file), 0);
	cr_assert_eq(fs_is_dir(missing), 0);
	cr_assert_eq(fs_is_dir(dangling), 0);

	unlink(file);
	unlink(link);
	unlink(dangling);
	rmdir(dir);
}
