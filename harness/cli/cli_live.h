/*
 * What `run` and `watch` show on the terminal: the konnector's events as
 * they come, its stderr dimmed, the verdict, and the missing dev config's
 * template. Part of the CLI layer (it prints).
 */
#ifndef HARNESS_CLI_LIVE_H
#define HARNESS_CLI_LIVE_H

#include "harness/job/manifest.h"
#include "harness/job/run_options.h"
#include "harness/job/session.h"

#include <jansson.h>
#include <stdio.h>

struct cli_live {
	FILE *out; /* stdout, or stderr when stdout carries the JSON verdict or CI test cases */
	int color;
	int raw;
};

void cli_live_init(struct cli_live *lv, const struct run_options *o);
/* ANSI code when colours are on, else "". */
const char *cli_live_c(const struct cli_live *lv, const char *code);
void cli_live_line(struct cli_live *lv, const struct session_line *l);
void cli_live_too_long(struct cli_live *lv, const char *warning);
void cli_live_stderr(struct cli_live *lv, const char *data, size_t len);
/* The text verdict of a report; interrupted_signo names the signal that stopped the run (0: none). */
void cli_live_verdict(const struct cli_live *lv, const json_t *report, int interrupted_signo, FILE *f);
/* The dev config is missing: name the fields, offer (or with --write-config, write) a template; an exit status. */
int cli_live_missing_config(const char *prog, const struct run_options *o, const struct manifest *m, const char *path);

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_BRED "\033[1;31m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_GREEN "\033[32m"
#define C_BOLD "\033[1m"

#endif
