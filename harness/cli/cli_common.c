/* What every cli_*.c shares. */
#include "harness/cli/cli.h"
#include "harness/exitcode.h"

#include <stdio.h>

int cli_not_built(const char *name, int issue)
{
	fprintf(stderr, "konnector-harness %s: not built yet (issue %d); see konnector-harness --help\n", name, issue);
	return EXIT_UNAVAILABLE;
}
