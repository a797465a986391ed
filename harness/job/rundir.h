/*
 * The run directory: DIR/.harness/runs/<n>/ (n counting up from 1, `latest`
 * pointing at the newest) or the --out folder, with stdout.log, stderr.log,
 * events.jsonl streamed during the run and env, report.json… at its end.
 */
#ifndef HARNESS_RUNDIR_H
#define HARNESS_RUNDIR_H

#include <stddef.h>
#include <stdio.h>

struct rundir {
	char *path;   /* malloc'd */
	int n;        /* run number; 0 for an --out folder */
	FILE *out;    /* stdout.log */
	FILE *err;    /* stderr.log */
	FILE *events; /* events.jsonl */
};

/*
 * With out NULL: create base/<n> with the next free n and point base/latest
 * at it; else create out (mkdir -p). Then open the three streams.
 */
int rundir_create(const char *base, const char *out, struct rundir *rd, char *err);
/*
 * Keep the newest keep numbered run directories of base, removing the older
 * ones, except the one base/latest points at and protect (a path, may be
 * NULL: the run directory --state reads). 0, or -1 with err (the first one
 * that could not be removed; the others are still tried).
 */
int rundir_prune(const char *base, int keep, const char *protect, char *err);
/* Write (atomically) one file of the run directory. */
int rundir_write(const struct rundir *rd, const char *name, const void *data, size_t len, char *err);
/* The environment as a text file, one VAR=value a line, secrets redacted. */
int rundir_write_env(const struct rundir *rd, char *const *envp, char *err);
/* That text (malloc'd): COZY_CREDENTIALS, secret-looking keys of JSON values and of --env names redacted. */
char *rundir_redact_env(char *const *envp);
/* Flush and close the streams, free the path. */
void rundir_close(struct rundir *rd);

#endif
