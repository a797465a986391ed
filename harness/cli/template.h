/*
 * Template files for `init`: plain files (and path names) with {{name}}
 * placeholders. `${{` is left alone (GitHub Actions expressions); any other
 * `{{` must be a known placeholder, else an error names file and line.
 */
#ifndef HARNESS_TEMPLATE_H
#define HARNESS_TEMPLATE_H

#include <stddef.h>

struct template_var {
	const char *name;
	const char *value;
};

struct template_vars {
	const struct template_var *v;
	size_t n;
};

/*
 * Render text (len bytes). file names the source in errors
 * ("file:line: unknown placeholder {{x}}"). Returns a malloc'd NUL-terminated
 * string (*out_len its length), or NULL with err filled.
 */
char *template_render(const char *text, size_t len, const char *file, const struct template_vars *vars, size_t *out_len,
		      char *err);

/* One file a template tree would write. */
struct template_file {
	char *rel;  /* rendered path relative to the destination */
	char *data; /* rendered content */
	size_t len;
	int exists; /* the destination already has this file */
};

struct template_plan {
	struct template_file *files;
	size_t n;
};

/*
 * Render every regular file under each of src_dirs (later dirs override
 * earlier ones on the same rendered path; files sorted by path) for dst_dir.
 * Nothing is written. Missing src dirs are an error.
 */
int template_plan_build(const char *const *src_dirs, size_t n_src, const char *dst_dir,
			const struct template_vars *vars, struct template_plan *plan, char *err);
/* How many planned files already exist in the destination. */
size_t template_plan_conflicts(const struct template_plan *plan);
/* Write the plan into dst_dir (directories created, each file atomically). Existing files are replaced only with force.
 */
int template_plan_write(const struct template_plan *plan, const char *dst_dir, int force, char *err);
void template_plan_clear(struct template_plan *plan);

#endif
