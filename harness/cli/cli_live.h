/*
 * What `run` and `watch` share of a live run: the session hooks that show the
 * konnector's events as they come and its stderr dimmed while feeding lint,
 * then check lint and the scenario's expect.json at the end; the verdict; the
 * missing dev config's template. Part of the CLI layer (it prints).
 */
#ifndef HARNESS_CLI_LIVE_H
#define HARNESS_CLI_LIVE_H

#include "harness/job/manifest.h"
#include "harness/job/run_options.h"
#include "harness/job/session.h"

#include <jansson.h>
#include <stdio.h>

struct run_lint;

struct cli_live {
	FILE *out; /* stdout, or stderr when stdout carries the JSON verdict or CI test cases */
	int color;
	int raw;
	enum run_level level; /* --level: events below it are left out of the display */
	/* the run on show (cli_live_hooks) */
	struct run_lint *lint; /* the caller's, for the current run; NULL with --no-lint */
	const struct session *s;
	const char *scenario; /* --scenario, named in the report */
	void (*end)(void *arg, const struct session_end *e);
	void *end_arg;
};

void cli_live_init(struct cli_live *lv, const struct run_options *o);
/* ANSI code when colours are on, else "". */
const char *cli_live_c(const struct cli_live *lv, const char *code);
/*
 * The hooks of one run of s: each stdout line, a too-long line and stderr are
 * shown and fed to lv->lint; the check hook ends lint (lint.txt, "lint") then
 * checks the scenario's expect.json ("expectations", the exit status); the
 * end goes on to end(end_arg, e).
 */
struct session_hooks cli_live_hooks(struct cli_live *lv, const struct session *s,
				    void (*end)(void *arg, const struct session_end *e), void *end_arg);
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
