/* harness/cli/template.c: {{placeholder}} substitution and template trees. */
#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/cli/template.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct template_var V[] = {{"name", "Demo"}, {"slug", "demo"}, {"harness_version", "1.2.3"}};
static const struct template_vars VARS = {V, 3};

static char *render(const char *text, char *err)
{
	size_t len = 0;
	return template_render(text, strlen(text), "t.txt", &VARS, &len, err);
}

Test(template, render_substitutes_known_placeholders)
{
	char err[ERR_MAX] = "";
	char *out = render("{\"slug\": \"{{slug}}\", \"name\": \"{{ name }}\"}\nv{{harness_version}}", err);
	cr_assert_not_null(out, "%s", err);
	cr_assert_str_eq(out, "{\"slug\": \"demo\", \"name\": \"Demo\"}\nv1.2.3");
	free(out);
}

Test(template, render_keeps_github_expressions)
{
	char err[ERR_MAX] = "";
	char *out = render("run: echo ${{ matrix.scenario }} {{slug}} ${{github.ref}}", err);
	cr_assert_not_null(out, "%s", err);
	cr_assert_str_eq(out, "run: echo ${{ matrix.scenario }} demo ${{github.ref}}");
	free(out);
}

Test(template, render_empty_text)
{
	char err[ERR_MAX] = "";
	size_t len = 7;
	char *out = template_render("", 0, "e", &VARS, &len, err);
	cr_assert_not_null(out);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(template, render_unknown_placeholder_names_file_and_line)
{
	char err[ERR_MAX] = "";
	char *out = render("line one\nline two\n  {{slgu}} here\n", err);
	cr_assert_null(out);
	cr_assert_str_eq(err, "t.txt:3: unknown placeholder {{slgu}}");
}

Test(template, render_malformed_placeholder_is_an_error)
{
	char err[ERR_MAX] = "";
	cr_assert_null(render("a\n{{ not closed", err));
	cr_assert(strstr(err, "t.txt:2: malformed placeholder") == err, "%s", err);
	cr_assert_null(render("{{}}", err));
	cr_assert_null(render("{{a.b}}", err));
}

/* Write path (creating parents) with text. */
static void put(const char *path, const char *text)
{
	char err[ERR_MAX];
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	cr_assert_eq(mkdir_p(dir, err), 0, "%s", err);
	free(dir);
	cr_assert_eq(atomic_write(path, text, strlen(text), err), 0, "%s", err);
}

static char *slurp(const char *path)
{
	char err[ERR_MAX];
	size_t len;
	return file_read_all(path, &len, err);
}

Test(template, plan_overlays_renders_paths_and_never_overwrites)
{
	char root[] = "/tmp/kh-template-XXXXXX";
	cr_assert_not_null(mkdtemp(root));
	char base[256], over[256], dst[256], p[512];
	snprintf(base, sizeof(base), "%s/base", root);
	snprintf(over, sizeof(over), "%s/oauth", root);
	snprintf(dst, sizeof(dst), "%s/out", root);
	snprintf(p, sizeof(p), "%s/a.txt", base);
	put(p, "base {{slug}}\n");
	snprintf(p, sizeof(p), "%s/sub/b.txt", base);
	put(p, "b\n");
	snprintf(p, sizeof(p), "%s/a.txt", over);
	put(p, "oauth {{name}}\n");
	snprintf(p, sizeof(p), "%s/refresh/{{slug}}.json", over);
	put(p, "{}\n");

	char err[ERR_MAX] = "";
	const char *srcs[] = {base, over};
	struct template_plan plan;
	cr_assert_eq(template_plan_build(srcs, 2, dst, &VARS, &plan, err), 0, "%s", err);
	cr_assert_eq(plan.n, 3);
	cr_assert_str_eq(plan.files[0].rel, "a.txt");
	cr_assert_str_eq(plan.files[0].data, "oauth Demo\n");
	cr_assert_str_eq(plan.files[1].rel, "refresh/demo.json");
	cr_assert_str_eq(plan.files[2].rel, "sub/b.txt");
	cr_assert_eq(template_plan_conflicts(&plan), 0);
	cr_assert_eq(template_plan_write(&plan, dst, 0, err), 0, "%s", err);
	template_plan_clear(&plan);

	snprintf(p, sizeof(p), "%s/a.txt", dst);
	char *got = slurp(p);
	cr_assert_str_eq(got, "oauth Demo\n");
	free(got);

	/* The user edits a file; a second plan sees it, and writing without force keeps it. */
	put(p, "mine\n");
	cr_assert_eq(template_plan_build(srcs, 1, dst, &VARS, &plan, err), 0, "%s", err);
	cr_assert_eq(template_plan_conflicts(&plan), 2);
	cr_assert_eq(template_plan_write(&plan, dst, 0, err), 0, "%s", err);
	got = slurp(p);
	cr_assert_str_eq(got, "mine\n");
	free(got);
	cr_assert_eq(template_plan_write(&plan, dst, 1, err), 0, "%s", err);
	got = slurp(p);
	cr_assert_str_eq(got, "base demo\n");
	free(got);
	template_plan_clear(&plan);

	/* An unknown placeholder anywhere fails the whole plan with file:line. */
	snprintf(p, sizeof(p), "%s/sub/c.txt", base);
	put(p, "ok\n{{nope}}\n");
	cr_assert_eq(template_plan_build(srcs, 1, dst, &VARS, &plan, err), -1);
	cr_assert(strstr(err, "sub/c.txt:2: unknown placeholder {{nope}}") != NULL, "%s", err);
	cr_assert_eq(plan.n, 0);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

Test(template, plan_missing_source_is_an_error)
{
	char err[ERR_MAX] = "";
	const char *srcs[] = {"/nonexistent/kh-templates"};
	struct template_plan plan;
	cr_assert_eq(template_plan_build(srcs, 1, "/tmp", &VARS, &plan, err), -1);
	cr_assert(strstr(err, "/nonexistent/kh-templates") != NULL, "%s", err);
}

/* The shipped templates render with the variables cli_init gives, base and oauth. */
Test(template, shipped_templates_render)
{
	char err[ERR_MAX] = "";
	const char *srcs[] = {"templates/base", "templates/oauth"};
	struct template_plan plan;
	cr_assert_eq(template_plan_build(srcs, 2, "/nonexistent-dst", &VARS, &plan, err), 0, "%s", err);
	int saw_refresh = 0;
	for (size_t i = 0; i < plan.n; i++) {
		saw_refresh |= strcmp(plan.files[i].rel, "fixtures/default/refresh/demo.json") == 0;
		cr_assert_null(strstr(plan.files[i].data, "{{slug}}"), "%s", plan.files[i].rel);
	}
	cr_assert(saw_refresh);
	template_plan_clear(&plan);
}
