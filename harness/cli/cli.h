/* Subcommand entry points: each gets argv after the subcommand name's position (argv[0] is the subcommand). */
#ifndef HARNESS_CLI_H
#define HARNESS_CLI_H

int cli_run(int argc, char **argv);
int cli_watch(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_oauth(int argc, char **argv);
int cli_init(int argc, char **argv);

/*
 * A usage error, said the same way by every command: one line
 * "konnector-harness CMD: message", then where the help is ("see
 * `konnector-harness CMD --help`"), on stderr. cmd NULL: the top level.
 * Returns EXIT_USAGE.
 */
__attribute__((format(printf, 2, 3))) int cli_usage_error(const char *cmd, const char *fmt, ...);

#endif
