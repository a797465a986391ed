/* serve's konnector started by hand, and the console side of warn mode; see cli_serve.h. */
#include "harness/cli/cli_serve.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "harness/exitcode.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "konnector-harness serve"

/* s in single quotes for sh: ' becomes '\'' */
static void serve_sh_quote(struct buf *b, const char *s)
{
	buf_puts(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, s, 1);
	}
	buf_puts(b, "'");
}

/* A word of a command line: as it is when sh reads it so, else quoted. */
static void serve_sh_word(struct buf *b, const char *s)
{
	if (s[0] != '\0' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-=:,@%+") == strlen(s))
		buf_puts(b, s);
	else
		serve_sh_quote(b, s);
}

/* One NAME=value as fmt writes it. */
static void serve_env_line(struct buf *b, enum serve_env_format fmt, const char *name, size_t nlen, const char *value)
{
	if (fmt == SERVE_ENV_SH) {
		buf_printf(b, "export %.*s=", (int)nlen, name);
		serve_sh_quote(b, value);
		buf_puts(b, "\n");
	} else {
		buf_printf(b, "%.*s=%s\n", (int)nlen, name, value);
	}
}

/* The COZY_* variables of env (PATH and the rest left out), in fmt. */
static void serve_env_text(struct buf *b, char *const *env, enum serve_env_format fmt)
{
	for (char *const *p = env; p != NULL && *p != NULL; p++) {
		const char *eq = strchr(*p, '=');
		if (eq != NULL && strncmp(*p, "COZY_", 5) == 0)
			serve_env_line(b, fmt, *p, (size_t)(eq - *p), eq + 1);
	}
}

int serve_konnector_prepare(struct serve_konnector *k, struct session *s, const char *dir, const char *run_dir)
{
	char err[ERR_MAX];
	int rc;
	k->s = s;
	if (session_devconfig(s)->root == NULL)
		fprintf(stderr,
			PROG ": warning: %s is missing: the account gets no credentials "
			     "(konnector-harness init --config %s writes one from the manifest's fields)\n",
			session_devconfig_path(s), dir);
	rc = session_hand_prepare(s, run_dir, &k->hand, err);
	if (rc != EXIT_DONE) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc;
	}
	struct buf b = {0};
	buf_puts(&b, "# The environment of the konnector job konnector-harness serve prepared; valid while it runs.\n");
	serve_env_text(&b, session_hand_env(k->hand), SERVE_ENV_SH);
	if (b.data == NULL || asprintf(&k->env_file, "%s/cozy-env.sh", run_dir) < 0) {
		buf_free(&b);
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_SOFTWARE;
	}
	rc = atomic_write(k->env_file, b.data, b.len, err);
	buf_free(&b);
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_SOFTWARE;
	}
	return EXIT_DONE;
}

void serve_konnector_print_env(const struct serve_konnector *k, enum serve_env_format fmt, const char *app_token)
{
	struct buf b = {0};
	serve_env_text(&b, session_hand_env(k->hand), fmt);
	serve_env_line(&b, fmt, "COZY_APP_TOKEN", 14, app_token);
	if (b.data != NULL)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	fflush(stdout);
}

void serve_print_tokens(enum serve_env_format fmt, const char *url, const char *ktok, const char *atok)
{
	struct buf b = {0};
	serve_env_line(&b, fmt, "COZY_URL", 8, url);
	serve_env_line(&b, fmt, "COZY_CREDENTIALS", 16, ktok);
	serve_env_line(&b, fmt, "COZY_APP_TOKEN", 14, atok);
	if (b.data != NULL)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	fflush(stdout);
}

void serve_konnector_print_start(const struct serve_konnector *k)
{
	size_t i;
	const json_t *w;
	json_array_foreach (session_hand_warnings(k->hand), i, w)
		fprintf(stderr, PROG ": warning: %s\n", json_string_value(w));
	/* absolute paths: the line works from any directory */
	char *cwd = realpath(session_hand_cwd(k->hand), NULL), *env = realpath(k->env_file, NULL);
	struct buf b = {0};
	buf_puts(&b, "cd ");
	serve_sh_word(&b, cwd != NULL ? cwd : session_hand_cwd(k->hand));
	buf_puts(&b, " && . ");
	serve_sh_word(&b, env != NULL ? env : k->env_file);
	buf_puts(&b, " &&");
	const char *why_none = NULL;
	char *const *argv = session_hand_argv(k->hand, &why_none);
	for (char *const *a = argv; a != NULL && *a != NULL; a++) {
		buf_puts(&b, " ");
		serve_sh_word(&b, *a);
	}
	if (argv == NULL) {
		fprintf(stderr, PROG ": warning: %s\n", why_none);
		buf_puts(&b, " <the konnector's command>");
	}
	fprintf(stderr,
		"konnector %s prepared as `run` prepares it (account, folder_to_save, job and trigger ids); "
		"start it by hand with:\n  %s\n",
		session_manifest(k->s)->slug, b.data != NULL ? b.data : "");
	buf_free(&b);
	free(cwd);
	free(env);
}

void serve_konnector_free(struct serve_konnector *k)
{
	session_hand_free(k->hand);
	free(k->env_file);
	memset(k, 0, sizeof(*k));
}

void serve_show_forbidden(struct stack *st, const char *verb, const char *doctype, const char *why, void *arg)
{
	(void)st;
	json_t *seen = arg;
	char key[512];
	snprintf(key, sizeof(key), "%s %s", verb, doctype);
	if (json_object_get(seen, key) != NULL)
		return;
	json_object_set_new(seen, key, json_true());
	fprintf(stderr,
		PROG ": warning: %s on %s: the real stack would refuse it (%s); let through in warn mode, every such "
		     "request is in the journal\n",
		verb, doctype, why);
}
