/* konnector-harness init: not built yet (issue 9). */
#include "harness/cli.h"

int cli_init(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("init", 9);
}
