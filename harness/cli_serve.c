/* konnector-harness serve: not built yet (issue 3). */
#include "harness/cli.h"

int cli_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("serve", 3);
}
