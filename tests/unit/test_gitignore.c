/* harness/watch/gitignore.c: the gitignore(5) subset the watcher honours. */
#include "common/err.h"
#include "harness/watch/gitignore.h"

#include <criterion/criterion.h>
#include <string.h>

static struct gitignore *gi_from(const char *text)
{
	char err[ERR_MAX];
	struct gitignore *gi = gitignore_new();
	cr_assert_not_null(gi);
	cr_assert_eq(gitignore_add_text(gi, "", text, strlen(text), err), 0, "%s", err);
	return gi;
}

struct gi_case {
	const char *path;
	int is_dir;
	int ignored;
};

static void gi_check(const struct gitignore *gi, const struct gi_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(gitignore_ignored(gi, cases[i].path, cases[i].is_dir), cases[i].ignored,
		             "%s (dir %d): want %d", cases[i].path, cases[i].is_dir, cases[i].ignored);
}

Test(gitignore, comments_blank_lines_and_crlf_are_skipped)
{
	struct gitignore *gi = gi_from("# a comment\n\n   \r\n*.log\r\n\\#literal\n");
	cr_expect_eq(gitignore_count(gi), 2);
	static const struct gi_case cases[] = {
	    {"x.log", 0, 1},
	    {"# a comment", 0, 0},
	    {"#literal", 0, 1},
	    {"x.logs", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, unanchored_pattern_matches_a_name_at_any_depth)
{
	struct gitignore *gi = gi_from("secret.txt\n*.tmp\nb?d\n");
	static const struct gi_case cases[] = {
	    {"secret.txt", 0, 1}, {"a/b/secret.txt", 0, 1}, {"a/x.tmp", 0, 1}, {"bad", 0, 1},
	    {"baad", 0, 0},       {"secret.txt.bak", 0, 0}, {"a/ok.js", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, trailing_slash_matches_directories_and_their_content)
{
	struct gitignore *gi = gi_from("build/\n");
	static const struct gi_case cases[] = {
	    {"build", 1, 1}, {"build", 0, 0}, {"build/x.js", 0, 1}, {"src/build/y", 0, 1}, {"buildx/y", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, leading_or_inner_slash_anchors)
{
	struct gitignore *gi = gi_from("/data/\ndoc/*.md\n");
	static const struct gi_case cases[] = {
	    {"data", 1, 1},     {"data/a.json", 0, 1},  {"fixtures/s/data", 1, 0}, {"fixtures/s/data/a.json", 0, 0},
	    {"doc/a.md", 0, 1}, {"doc/sub/a.md", 0, 0}, {"x/doc/a.md", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, double_star_segments)
{
	struct gitignore *gi = gi_from("**/logs\nout/**\na/**/z.js\n");
	static const struct gi_case cases[] = {
	    {"logs", 1, 1},   {"x/y/logs", 0, 1},   {"out/a", 0, 1},    {"out/a/b", 0, 1}, {"out", 1, 0},
	    {"a/z.js", 0, 1}, {"a/b/c/z.js", 0, 1}, {"b/a/z.js", 0, 0}, {"a/z.jsx", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, negation_reincludes_unless_a_parent_is_excluded)
{
	struct gitignore *gi = gi_from("*.json\n!keep.json\nvendor/\n!vendor/x.json\n");
	static const struct gi_case cases[] = {
	    {"a.json", 0, 1},
	    {"keep.json", 0, 0},
	    {"sub/keep.json", 0, 0},
	    {"vendor/x.json", 0, 1},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}

Test(gitignore, nested_file_applies_below_its_directory_and_wins)
{
	char err[ERR_MAX];
	struct gitignore *gi = gi_from("*.gen.js\n");
	const char *sub = "!*.gen.js\nlocal.txt\n";
	cr_assert_eq(gitignore_add_text(gi, "pkg", sub, strlen(sub), err), 0);
	static const struct gi_case cases[] = {
	    {"a.gen.js", 0, 1},  {"pkg/a.gen.js", 0, 0},   {"pkg/local.txt", 0, 1},
	    {"local.txt", 0, 0}, {"pkgx/local.txt", 0, 0},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_drop_base(gi, "pkg");
	cr_expect_eq(gitignore_ignored(gi, "pkg/a.gen.js", 0), 1);
	cr_expect_eq(gitignore_ignored(gi, "pkg/local.txt", 0), 0);
	gitignore_free(gi);
}

Test(gitignore, escaped_bang_and_trailing_space)
{
	struct gitignore *gi = gi_from("\\!important\nspaced   \n");
	static const struct gi_case cases[] = {
	    {"!important", 0, 1},
	    {"important", 0, 0},
	    {"spaced", 0, 1},
	};
	gi_check(gi, cases, sizeof(cases) / sizeof(cases[0]));
	gitignore_free(gi);
}
