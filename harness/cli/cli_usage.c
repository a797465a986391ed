/* One way to say a usage error, for every command; see cli.h. */
#include "harness/cli/cli.h"
#include "harness/exitcode.h"

#include <stdarg.h>
#include <stdio.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "konnector-harness%s%s: ", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee `konnector-harness%s%s --help`\n", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	return EXIT_USAGE;
}
