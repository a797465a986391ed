/* konnector-harness run: not built yet (issue 5). */
#include "harness/cli.h"

int cli_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("run", 5);
}
