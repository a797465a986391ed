/* harness/watch/changeset.c: a burst of events reduced to the paths that changed. */
#include "common/err.h"
#include "harness/watch/changeset.h"

#include <criterion/criterion.h>
#include <string.h>

static void note(struct changeset *cs, const char *path, enum change_kind k, int open, int fixture)
{
	char err[ERR_MAX];
	cr_assert_eq(changeset_note(cs, path, k, open, fixture, err), 0, "%s", err);
}

Test(changeset, vim_save_leaves_only_the_file)
{
	struct changeset cs = {0};
	note(&cs, "4913", CHANGE_CREATED, 1, 0);
	note(&cs, "4913", CHANGE_WRITTEN, 0, 0);
	note(&cs, "4913", CHANGE_REMOVED, 0, 0);
	note(&cs, "index.js", CHANGE_REMOVED, 0, 0); /* moved to index.js~ */
	note(&cs, "index.js~", CHANGE_CREATED, 0, 0);
	note(&cs, "index.js", CHANGE_CREATED, 1, 0);
	cr_expect_eq(changeset_open_count(&cs), 1);
	note(&cs, "index.js", CHANGE_WRITTEN, 0, 0);
	cr_expect_eq(changeset_open_count(&cs), 0);
	note(&cs, "index.js~", CHANGE_REMOVED, 0, 0);
	size_t n;
	int fixture;
	char **paths = changeset_take(&cs, &n, &fixture);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(paths[0], "index.js");
	cr_expect_null(paths[1]);
	cr_expect_eq(fixture, 0);
	changeset_paths_free(paths);
	cr_expect_eq(cs.n, 0);
	changeset_clear(&cs);
}

Test(changeset, deleting_an_existing_file_is_a_change)
{
	struct changeset cs = {0};
	note(&cs, "b.js", CHANGE_REMOVED, 0, 0);
	note(&cs, "a.json", CHANGE_WRITTEN, 0, 1);
	note(&cs, "a.json", CHANGE_WRITTEN, 0, 1);
	size_t n;
	int fixture;
	char **paths = changeset_take(&cs, &n, &fixture);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(paths[0], "a.json");
	cr_expect_str_eq(paths[1], "b.js");
	cr_expect_eq(fixture, 1);
	changeset_paths_free(paths);
	changeset_clear(&cs);
}

Test(changeset, a_burst_of_temp_files_only_is_empty)
{
	struct changeset cs = {0};
	note(&cs, "sedX1", CHANGE_CREATED, 1, 1);
	note(&cs, "sedX1", CHANGE_REMOVED, 0, 1);
	size_t n = 99;
	int fixture = 1;
	char **paths = changeset_take(&cs, &n, &fixture);
	cr_assert_not_null(paths);
	cr_expect_eq(n, 0);
	cr_expect_eq(fixture, 0, "a vanished fixture temp file changes nothing");
	changeset_paths_free(paths);
	changeset_clear(&cs);
}
