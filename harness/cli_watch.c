/* konnector-harness watch: not built yet (issue 7). */
#include "harness/cli.h"

int cli_watch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_not_built("watch", 7);
}
