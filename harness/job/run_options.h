/*
 * The options of `konnector-harness run`, shared with `watch` (which takes
 * every one of them): one struct, one parser, one help text.
 */
#ifndef HARNESS_RUN_OPTIONS_H
#define HARNESS_RUN_OPTIONS_H

#include "harness/judge/report.h"

#include <getopt.h>
#include <stddef.h>

/* stack: worker/exec/common.go defaultTimeout */
#define RUN_OPTIONS_DEFAULT_TIMEOUT_S 300
/* Run directories kept under DIR/.harness/runs/ (--keep-runs). */
#define RUN_OPTIONS_DEFAULT_KEEP_RUNS 20
/* A caller's own long options use values from here up. */
#define RUN_OPTIONS_EXTRA_BASE 512

/* --level: the least event level the live display shows. */
enum run_level { RUN_LEVEL_DEBUG, RUN_LEVEL_INFO, RUN_LEVEL_WARNING };

struct run_options {
	const char *dir;        /* DIR, default "." */
	const char *cmd;        /* --cmd, through sh -c; NULL: node <entry> */
	const char *entry;      /* --entry */
	const char *fixtures;   /* --fixtures */
	const char *scenario;   /* --scenario */
	const char *out;        /* --out */
	const char *state;      /* --state */
	const char *payload;    /* --payload */
	const char *locale;     /* --locale; NULL: en */
	const char *config;     /* --config; NULL: DIR/konnector-dev-config.json */
	const char *trigger_id; /* --trigger-id */
	long long timeout_s;    /* --timeout */
	int manual;             /* --manual (default) / --auto */
	int no_trigger, inherit_env, fields_in_env, account_deleted, raw, json, write_config, no_color, no_preload;
	enum report_format format; /* --format; json is format == REPORT_JSON */
	int all_scenarios;         /* --all-scenarios (run only) */
	int like_stack;            /* --like-stack (run only): the stack's retry of an errored job */
	int no_lint;               /* --no-lint */
	int strict;                /* --strict: lint warnings fail too */
	int save_tokens;           /* --save-tokens: refreshed tokens of the dev config's account go back into it */
	enum run_level level;      /* --level: what the live display shows (the run directory keeps all) */
	int keep_runs;             /* --keep-runs: numbered run directories kept (default 20) */
	char **extra_env;          /* --env KEY=VAL, NULL-terminated (never NULL after a parse) */
	size_t n_extra;
	int record;    /* --record: the vendor through the proxy, every exchange into the scenario's vendor.har */
	int replay;    /* --replay: answer from vendor.har (the default when there is one), a usage error without */
	int no_replay; /* --no-replay: no proxy at all */
	const char *vendor_ca;    /* --vendor-ca FILE (record) */
	char **vendor_connect_to; /* --vendor-connect-to, NULL-terminated (never NULL after a parse) */
	size_t n_connect_to;
};

enum run_options_status {
	RUN_OPTIONS_OK,
	RUN_OPTIONS_HELP,    /* -h/--help: print the usage, exit 0 */
	RUN_OPTIONS_USAGE,   /* a bad value or a bad DIR: err says why */
	RUN_OPTIONS_UNKNOWN, /* an unknown or incomplete option: err says which; show the usage too */
	RUN_OPTIONS_NOMEM,
};

/* A caller's own options, parsed in the same pass (watch's --debounce…). */
struct run_options_extra {
	const struct option *longopts; /* {NULL} terminated; every val >= RUN_OPTIONS_EXTRA_BASE */
	/* One of them was seen (optarg NULL for a flag); 0, or -1 with err for a usage error. */
	int (*handle)(void *arg, int val, const char *optarg, char *err);
	void *arg;
};

/* Parse argv (argv[0] is the subcommand) into o; free with run_options_free whatever the status. */
enum run_options_status run_options_parse(int argc, char **argv, struct run_options *o, char *err);
/* The same, with extra's options accepted too (extra may be NULL). */
enum run_options_status run_options_parse_ext(int argc, char **argv, struct run_options *o,
					      const struct run_options_extra *extra, char *err);
void run_options_free(struct run_options *o);
/* The dev config's path (o->config or DIR/konnector-dev-config.json) into out. */
void run_options_config_path(const struct run_options *o, char *out, size_t len);

/* The --help lines of the shared options (one per option, two-space indent, ends with a newline). */
extern const char run_options_help[];
/* The same for the options only `run` takes (--all-scenarios, the CI formats). */
extern const char run_options_help_run[];

#endif
