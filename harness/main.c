/* konnector-harness: subcommand dispatch, --help and --version. */
#include "harness/cli/cli.h"
#include "harness/exitcode.h"

#include <stdio.h>
#include <string.h>

/* The version has one source, the Makefile's VERSION. */
#ifndef HARNESS_VERSION
#error "HARNESS_VERSION is set by the Makefile (VERSION)"
#endif

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"run", cli_run, "run [DIR]", "run the konnector in DIR once against the fake stack and print the verdict"},
	{"watch", cli_watch, "watch [DIR]", "the same, again on every change of its files or fixtures"},
	{"serve", cli_serve, "serve [DIR]", "only the fake stack, for an app or a konnector started by hand"},
	{"lint", cli_lint, "lint [FILE...]", "judge captured stdout event lines as the stack would (CI)"},
	{"oauth", cli_oauth, "oauth [DIR]", "get a real access token by hand-driven OAuth into the dev config"},
	{"init", cli_init, "init DIR", "create a new konnector from the templates"},
};

static void usage(FILE *out)
{
	fprintf(out, "konnector-harness %s: a local cozy-stack for developing and testing Cozy konnectors\n\n",
		HARNESS_VERSION);
	fprintf(out, "Usage: konnector-harness COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-16s %s\n", subcommands[i].usage, subcommands[i].summary);
	fprintf(out, "\n  konnector-harness COMMAND --help   the options of one command\n"
		     "  konnector-harness --version        the version\n");
	fprintf(out, "\nExit status:\n");
	for (unsigned i = 0; i < exitcode_table_len; i++)
		fprintf(out, "  %3d  %s\n", exitcode_table[i].code, exitcode_table[i].meaning);
	fprintf(out, "\nExamples:\n"
		     "  konnector-harness init my-konnector      a working konnector to start from\n"
		     "  konnector-harness run my-konnector       run it once against the fake stack\n"
		     "  konnector-harness watch my-konnector     run it again on every save\n");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(NULL, "which command? run, watch, serve, lint, oauth or init");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("konnector-harness %s\n", HARNESS_VERSION);
		return EXIT_DONE;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	return cli_usage_error(NULL, "unknown command '%s' (run, watch, serve, lint, oauth or init)", argv[1]);
}
