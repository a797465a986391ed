/* common/pathsafe.c: nothing escapes the files dir. */
#include "common/err.h"
#include "common/pathsafe.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(pathsafe, names)
{
	char err[ERR_MAX];
	cr_assert_eq(pathsafe_check_name("bill 2024.pdf", err), 0);
	cr_assert_eq(pathsafe_check_name("..hidden", err), 0);
	cr_assert_eq(pathsafe_check_name("é café", err), 0);
	const char *bad[] = {"", ".", "..", "a/b", "/", "a\rb", "a\nb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pathsafe_check_name(bad[i], err), -1, "%s accepted", bad[i]);
	cr_assert_eq(pathsafe_check_name(NULL, err), -1);
	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[299] = '\0';
	cr_assert_eq(pathsafe_check_name(longname, err), -1);
}

Test(pathsafe, paths)
{
	char err[ERR_MAX];
	cr_assert_eq(pathsafe_check_path("/", err), 0);
	cr_assert_eq(pathsafe_check_path("/Administrative/Bills", err), 0);
	const char *bad[] = {"", "relative", "/a/../b", "/..", "/a//b", "/a/", "/a/.", "//", "/a\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pathsafe_check_path(bad[i], err), -1, "%s accepted", bad[i]);
}

Test(pathsafe, join_parent_child_under)
{
	char err[ERR_MAX];
	char *p = pathsafe_join("/tmp/files/", "/a/b.pdf", err);
	cr_assert_str_eq(p, "/tmp/files/a/b.pdf");
	free(p);
	p = pathsafe_join("/tmp/files", "/", err);
	cr_assert_str_eq(p, "/tmp/files");
	free(p);
	cr_assert_null(pathsafe_join("/tmp/files", "/../etc/passwd", err));
	cr_assert_null(pathsafe_join("/tmp/files", "etc", err));
	p = pathsafe_parent("/a/b");
	cr_assert_str_eq(p, "/a");
	free(p);
	p = pathsafe_parent("/a");
	cr_assert_str_eq(p, "/");
	free(p);
	cr_assert_str_eq(pathsafe_base("/a/b c"), "b c");
	p = pathsafe_child("/", "x");
	cr_assert_str_eq(p, "/x");
	free(p);
	p = pathsafe_child("/a", "x");
	cr_assert_str_eq(p, "/a/x");
	free(p);
	cr_assert(pathsafe_is_under("/a/b", "/a"));
	cr_assert(pathsafe_is_under("/a", "/a"));
	cr_assert_not(pathsafe_is_under("/ab", "/a"));
	cr_assert(pathsafe_is_under("/x", "/"));
}
