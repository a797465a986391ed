/* konnector-harness oauth: not built yet (issue 8). */
#include "harness/cli.h"

int cli_oauth(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("oauth", 8);
}
