/* konnector-harness lint: not built yet (issue 6). */
#include "harness/cli.h"

int cli_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("lint", 6);
}
