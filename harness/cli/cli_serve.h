/*
 * What `serve` adds around the fake stack (cli_serve_konnector.c): DIR's
 * konnector prepared as `run` prepares its job, the COZY_* environment
 * printed for a konnector started by hand (plain KEY=value lines, or shell
 * `export` lines to eval), and the requests warn mode lets through shown on
 * the console. Part of the CLI layer (it prints).
 */
#ifndef HARNESS_CLI_SERVE_H
#define HARNESS_CLI_SERVE_H

#include "fake-stack/stack.h"
#include "harness/job/session.h"

#include <jansson.h>

enum serve_env_format { SERVE_ENV_PLAIN, SERVE_ENV_SH };

struct serve_konnector {
	const struct session *s; /* serve's session over its stack, the jobs' too (borrowed) */
	struct session_hand *hand;
	char *env_file; /* RUN_DIR/cozy-env.sh */
};

/*
 * Prepare the konnector of s (attached to serve's stack; dir is its folder)
 * as `run` would, into run_dir. Says what is wrong on stderr; returns
 * EXIT_DONE or an exit status.
 */
int serve_konnector_prepare(struct serve_konnector *k, struct session *s, const char *dir, const char *run_dir);
/* The job's COZY_* variables then COZY_APP_TOKEN on stdout, in fmt. */
void serve_konnector_print_env(const struct serve_konnector *k, enum serve_env_format fmt, const char *app_token);
/* On stderr: the warnings of the preparation and a command line that starts the konnector with its environment. */
void serve_konnector_print_start(const struct serve_konnector *k);
void serve_konnector_free(struct serve_konnector *k);

/* COZY_URL, COZY_CREDENTIALS and COZY_APP_TOKEN in fmt: what serve prints when it serves fixtures only. */
void serve_print_tokens(enum serve_env_format fmt, const char *url, const char *ktok, const char *atok);

/* stack_on_forbidden's hook for serve: one line on stderr per verb and doctype (arg: a json_t object, the ones shown).
 */
void serve_show_forbidden(struct stack *st, const char *verb, const char *doctype, const char *why, void *arg);

#endif
