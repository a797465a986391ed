/* common/buf.c and common/atomic_file.c */
#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(buf, append_printf_consume)
{
	struct buf b = {0};
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(buf_printf(&b, "%d,", i % 10), 0);
	cr_assert_eq(b.len, 2000);
	cr_assert_eq(strncmp(b.data, "0,1,2,", 6), 0);
	buf_consume(&b, 1998);
	cr_assert_str_eq(b.data, "9,");
	buf_consume(&b, 10);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.data, "");
	buf_free(&b);
	char *s = buf_steal(&b);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(atomic_file, replaces_content_and_keeps_mode)
{
	char err[ERR_MAX];
	char dir[] = "/tmp/kh-atomic-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/a/b/c.json", dir);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	cr_assert_eq(mkdir_p(sub, err), 0, "%s", err);
	cr_assert_eq(atomic_write(path, "one", 3, err), 0, "%s", err);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(atomic_write(path, "second", 6, err), 0, "%s", err);
	size_t len;
	char *data = file_read_all(path, &len, err);
	cr_assert_not_null(data, "%s", err);
	cr_assert_eq(len, 6);
	cr_assert_str_eq(data, "second");
	free(data);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_null(file_read_all("/nonexistent/x", NULL, err));
	cr_assert(strstr(err, "/nonexistent/x") != NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(atomic_file, failure_leaves_the_old_file)
{
	char err[ERR_MAX];
	/* A directory we cannot write into: the temp file cannot be made. */
	cr_assert_eq(atomic_write("/proc/kh-not-writable", "x", 1, err), -1);
	cr_assert(strstr(err, "/proc/kh-not-writable") != NULL, "%s", err);
}
