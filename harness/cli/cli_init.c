/*
 * konnector-harness init: a new konnector from templates/ (base, plus the
 * oauth overlay with --oauth), or with --config only konnector-dev-config.json
 * from an existing manifest's fields.
 */
#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "harness/cli/cli.h"
#include "harness/cli/template.h"
#include "harness/exitcode.h"
#include "harness/job/manifest.h"

#include <ctype.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The version has one source, the Makefile's VERSION. */
#ifndef HARNESS_VERSION
#error "HARNESS_VERSION is set by the Makefile (VERSION)"
#endif

static void init_usage(FILE *out)
{
	fprintf(out, "Usage: konnector-harness init DIR [--oauth] [--name NAME] [--slug SLUG] [--force]\n"
		     "       konnector-harness init --config [DIR] [--force]\n\n"
		     "Creates a working konnector in DIR: manifest.konnector, package.json (cozy-konnector-libs\n"
		     "5.13.0), src/index.js (BaseKonnector, requestFactory, saveBills) with a demo vendor so it\n"
		     "runs offline, konnector-dev-config.json, fixtures/default and fixtures/login-failed with\n"
		     "expect.json, .gitignore and a GitHub Actions workflow running every scenario.\n\n"
		     "  --oauth        an OAuth konnector: calls the stack's refresh route when the vendor\n"
		     "                 answers 401; adds account_types/ and refresh/ fixtures\n"
		     "  --name NAME    display name (default: DIR's name, capitalised)\n"
		     "  --slug SLUG    konnector slug, [a-z0-9_-] (default: DIR's name, lowercased)\n"
		     "  --force        overwrite existing files (never done without it: nothing is written\n"
		     "                 and the exit status is 64 when a file exists)\n"
		     "  --config       only write DIR/konnector-dev-config.json (default DIR: .) from the\n"
		     "                 manifest's fields, as empty strings with a comment each\n"
		     "  -h, --help     this help\n\n"
		     "Examples:\n"
		     "  konnector-harness init my-konnector\n"
		     "  konnector-harness init my-oauth-konnector --oauth --name \"My Bank\"\n"
		     "  konnector-harness init --config .\n");
}

/* A template root holds base/manifest.konnector. */
static int templates_ok(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	return snprintf(path, sizeof(path), "%s/base/manifest.konnector", dir) < (int)sizeof(path) &&
	       stat(path, &st) == 0;
}

/* out = prefix + suffix when it fits and is a template root. */
static int templates_try(char *out, size_t outlen, const char *prefix, const char *suffix)
{
	int n = snprintf(out, outlen, "%s%s", prefix, suffix);
	return n > 0 && (size_t)n < outlen && templates_ok(out);
}

/* <bindir>/templates, <bindir>/../share/konnector-harness/templates, then a source tree above bindir. */
static int templates_find(char *out, size_t outlen, char *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return err_set(err, "cannot find the konnector-harness binary (/proc/self/exe)");
	exe[n] = '\0';
	const char *bindir = dirname(exe);
	/* The source tree: the ASan build lives in build/asan/ under it. */
	static const char *const suffixes[] = {"/templates", "/../share/konnector-harness/templates", "/../templates",
					       "/../../templates", "/../../../templates"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (templates_try(out, outlen, bindir, suffixes[i]))
			return 0;
	return err_set(err,
		       "no templates found next to %s (looked in templates/, ../share/konnector-harness/templates/ "
		       "and the source tree)",
		       bindir);
}

static int slug_ok(const char *s)
{
	if (s[0] == '\0' || strlen(s) > 64 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return 0;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* The name goes into JSON strings and JS comments: printable, no quote, backslash or braces pair. */
static int name_ok(const char *s)
{
	if (s[0] == '\0' || strlen(s) > 64 || strstr(s, "{{") != NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || *p == '`')
			return 0;
	return 1;
}

/* Default slug and name from DIR's last component. */
static void defaults_from_dir(const char *dir, char *slug, size_t slug_len, char *name, size_t name_len)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", dir);
	size_t len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	char resolved[PATH_MAX];
	const char *base = basename(copy);
	if ((strcmp(base, ".") == 0 || strcmp(base, "..") == 0) && realpath(copy, resolved) != NULL)
		base = basename(resolved);
	size_t j = 0;
	for (const char *p = base; *p && j + 1 < slug_len; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);
		if (islower(c) || isdigit(c) || ((c == '-' || c == '_') && j > 0))
			slug[j++] = (char)c;
	}
	slug[j] = '\0';
	snprintf(name, name_len, "%s", slug);
	if (name[0])
		name[0] = (char)toupper((unsigned char)name[0]);
}

/* Is path an executable regular file? */
static int init_is_exe(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* The first konnector-harness on PATH into out; 0 when there is none. */
static int init_path_lookup(char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy = strdup(path != NULL ? path : "");
	int found = 0;
	for (char *save = NULL, *d = strtok_r(copy, ":", &save); copy != NULL && d != NULL && !found;
	     d = strtok_r(NULL, ":", &save)) {
		int n = snprintf(out, len, "%s/konnector-harness", d[0] ? d : ".");
		found = n > 0 && (size_t)n < len && init_is_exe(out);
	}
	free(copy);
	return found;
}

/*
 * The command that runs this very binary from wherever the user stands:
 * "konnector-harness" when that name on PATH is this binary, else its
 * absolute path (a fresh clone is not on PATH; another install may be).
 * *on_path: 0 none on PATH, 1 this one, 2 another one (its path in other).
 */
static void init_self_command(char *out, size_t len, int *on_path, char *other, size_t olen)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	*on_path = 0;
	if (init_path_lookup(other, olen)) {
		struct stat a, b;
		*on_path = stat(other, &a) == 0 && stat(exe, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
				   ? 1
				   : 2;
	}
	if (*on_path == 1 || exe[0] == '\0') {
		snprintf(out, len, "konnector-harness");
		return;
	}
	/* quoted for the shell when it needs it */
	if (strspn(exe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+@%:,") == strlen(exe))
		snprintf(out, len, "%s", exe);
	else
		snprintf(out, len, "'%s'", exe);
}

/* After "Next:": what to do so that npm start / npm test (which call konnector-harness by name) work too. */
static void init_path_note(int on_path, const char *self, const char *other)
{
	if (on_path == 1)
		return;
	if (on_path == 2) {
		printf("\nnote: konnector-harness on your PATH is %s, not this one (%s); npm start and npm test\n"
		       "run that one.\n",
		       other, self);
		return;
	}
	char exe[PATH_MAX], mk[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	const char *dir = dirname(exe);
	snprintf(mk, sizeof(mk), "%s/Makefile", dir);
	printf("\nkonnector-harness is not on your PATH: the lines above use its full path, but npm start and\n"
	       "npm test (package.json) call it by name. Put it on PATH, without root:\n");
	if (access(mk, R_OK) == 0)
		printf("  make -C %s install PREFIX=$HOME/.local\n  export PATH=\"$HOME/.local/bin:$PATH\"   "
		       "# in ~/.profile too\n",
		       dir);
	else
		printf("  export PATH=\"%s:$PATH\"   # in ~/.profile too\n", dir);
}

static int init_konnector(const char *dir, int oauth, const char *name_opt, const char *slug_opt, int force)
{
	char err[ERR_MAX] = "";
	char slug[65], name[65];
	defaults_from_dir(dir, slug, sizeof(slug), name, sizeof(name));
	if (slug_opt != NULL)
		snprintf(slug, sizeof(slug), "%s", slug_opt);
	if (name_opt != NULL)
		snprintf(name, sizeof(name), "%s", name_opt);
	if (!slug_ok(slug_opt ? slug_opt : slug)) {
		return cli_usage_error("init",
				       "%s slug '%s': use 1-64 characters among a-z, 0-9, - and _ (starting with a "
				       "letter or digit)%s",
				       slug_opt ? "bad" : "cannot derive a", slug_opt ? slug_opt : slug,
				       slug_opt ? "" : "; give --slug");
	}
	if (!name_ok(name_opt ? name_opt : name)) {
		return cli_usage_error("init", "bad name '%s': 1-64 printable characters, without \", \\, ` or {{",
				       name_opt ? name_opt : name);
	}
	char root[PATH_MAX], base[PATH_MAX + 8], over[PATH_MAX + 8];
	if (templates_find(root, sizeof(root), err) < 0) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		return EXIT_UNAVAILABLE;
	}
	snprintf(base, sizeof(base), "%s/base", root);
	snprintf(over, sizeof(over), "%s/oauth", root);
	const char *srcs[] = {base, over};
	const struct template_var v[] = {{"name", name}, {"slug", slug}, {"harness_version", HARNESS_VERSION}};
	const struct template_vars vars = {v, sizeof(v) / sizeof(v[0])};
	struct template_plan plan;
	if (template_plan_build(srcs, oauth ? 2 : 1, dir, &vars, &plan, err) < 0) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		return EXIT_SOFTWARE;
	}
	if (template_plan_conflicts(&plan) > 0 && !force) {
		fprintf(stderr,
			"konnector-harness init: these files already exist in %s; nothing was written "
			"(--force overwrites them):\n",
			dir);
		for (size_t i = 0; i < plan.n; i++)
			if (plan.files[i].exists)
				fprintf(stderr, "  %s\n", plan.files[i].rel);
		template_plan_clear(&plan);
		return EXIT_USAGE;
	}
	if (mkdir_p(dir, err) < 0 || template_plan_write(&plan, dir, force, err) < 0) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		template_plan_clear(&plan);
		return EXIT_SOFTWARE;
	}
	printf("Created the %skonnector '%s' (slug %s) in %s:\n", oauth ? "OAuth " : "", name, slug, dir);
	for (size_t i = 0; i < plan.n; i++)
		printf("  %s%s\n", plan.files[i].rel, plan.files[i].exists ? " (overwritten)" : "");
	char self[PATH_MAX + 8], other[PATH_MAX];
	int on_path;
	init_self_command(self, sizeof(self), &on_path, other, sizeof(other));
	printf("\nNext:\n  cd %s\n  npm install --legacy-peer-deps\n  %s run\n  %s run --all-scenarios\n", dir, self,
	       self);
	init_path_note(on_path, self, other);
	template_plan_clear(&plan);
	return EXIT_DONE;
}

/* A comment text on one line: control characters become spaces. */
static void comment_text(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_append(b, (unsigned char)*s < 0x20 ? " " : s, 1);
}

/* konnector-dev-config.json text for a manifest's fields: empty strings, a // comment each. */
static char *devconfig_from_manifest(const json_t *manifest, const char *path, char *err)
{
	const json_t *fields = json_object_get(manifest, "fields");
	if (fields != NULL && !json_is_object(fields)) {
		err_set(err, "%s: \"fields\" is not an object", path);
		return NULL;
	}
	const char *slug = json_string_value(json_object_get(manifest, "slug"));
	struct buf b = {0};
	buf_puts(&b, "{\n  // konnector-harness run creates the io.cozy.accounts document from \"fields\"\n");
	buf_puts(&b, "  // (account.auth; OAuth keys such as access_token go to account.oauth), as the\n");
	buf_printf(&b, "  // stack would for %s. Fill in the values; keep real secrets out of git.\n",
		   slug ? slug : "this konnector");
	if (json_object_get(manifest, "oauth") != NULL)
		buf_puts(&b, "  // OAuth konnector: add \"access_token\" and \"refresh_token\" (konnector-harness "
			     "oauth gets them).\n");
	buf_puts(&b, "  \"fields\": {");
	size_t i = 0, n = fields ? json_object_size(fields) : 0;
	const char *key;
	json_t *f;
	json_object_foreach ((json_t *)fields, key, f) {
		const char *type = json_string_value(json_object_get(f, "type"));
		const json_t *label = json_object_get(f, "label");
		const json_t *req = json_object_get(f, "required");
		buf_puts(&b, "\n    // ");
		comment_text(&b, key);
		buf_puts(&b, ": ");
		comment_text(&b, type ? type : "text");
		if (json_is_true(req))
			buf_puts(&b, ", required");
		else if (json_is_false(req))
			buf_puts(&b, ", optional");
		if (json_is_string(label)) {
			buf_puts(&b, ", label ");
			comment_text(&b, json_string_value(label));
		}
		json_t *jkey = json_string(key);
		char *qkey = jkey ? json_dumps(jkey, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		json_decref(jkey);
		buf_printf(&b, "\n    %s: \"\"%s", qkey ? qkey : "\"?\"", ++i < n ? "," : "");
		free(qkey);
	}
	buf_puts(&b, n ? "\n  }\n}\n" : "}\n}\n");
	if (b.data == NULL)
		err_set(err, "out of memory");
	return buf_steal(&b);
}

static int init_config(const char *dir, int force)
{
	char err[ERR_MAX] = "";
	char mpath[PATH_MAX], cpath[PATH_MAX];
	snprintf(mpath, sizeof(mpath), "%s/manifest.konnector", dir);
	snprintf(cpath, sizeof(cpath), "%s/konnector-dev-config.json", dir);
	struct manifest m;
	if (manifest_load(mpath, &m, err) < 0) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		return access(mpath, F_OK) == 0 ? EXIT_DATAERR : EXIT_USAGE;
	}
	json_t *manifest = json_incref(m.root);
	manifest_free(&m);
	struct stat st;
	if (stat(cpath, &st) == 0 && !force) {
		fprintf(stderr,
			"konnector-harness init: %s already exists; nothing was written (--force overwrites it)\n",
			cpath);
		json_decref(manifest);
		return EXIT_USAGE;
	}
	char *text = devconfig_from_manifest(manifest, mpath, err);
	json_decref(manifest);
	if (text == NULL) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		return EXIT_DATAERR;
	}
	int rc = atomic_write(cpath, text, strlen(text), err);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "konnector-harness init: %s\n", err);
		return EXIT_SOFTWARE;
	}
	printf("Wrote %s from the manifest's fields; fill in the values.\n", cpath);
	return EXIT_DONE;
}

int cli_init(int argc, char **argv)
{
	const char *dir = NULL, *name = NULL, *slug = NULL;
	int oauth = 0, force = 0, config = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			init_usage(stdout);
			return EXIT_DONE;
		} else if (strcmp(a, "--oauth") == 0) {
			oauth = 1;
		} else if (strcmp(a, "--force") == 0) {
			force = 1;
		} else if (strcmp(a, "--config") == 0) {
			config = 1;
		} else if (strcmp(a, "--name") == 0 || strcmp(a, "--slug") == 0) {
			if (i + 1 >= argc) {
				return cli_usage_error("init", "%s needs a value", a);
			}
			*(a[2] == 'n' ? &name : &slug) = argv[++i];
		} else if (strncmp(a, "--name=", 7) == 0) {
			name = a + 7;
		} else if (strncmp(a, "--slug=", 7) == 0) {
			slug = a + 7;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("init", "unknown option '%s'", a);
		} else if (dir == NULL) {
			dir = a;
		} else {
			return cli_usage_error("init", "one DIR only ('%s' and '%s')", dir, a);
		}
	}
	if (config) {
		if (oauth || name || slug) {
			return cli_usage_error("init", "--config takes only [DIR] and --force");
		}
		return init_config(dir ? dir : ".", force);
	}
	if (dir == NULL) {
		return cli_usage_error("init", "which DIR? (init DIR creates the konnector there)");
	}
	return init_konnector(dir, oauth, name, slug, force);
}
