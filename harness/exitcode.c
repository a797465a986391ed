/* The exit-status table shown by --help. */
#include "harness/exitcode.h"

const struct exitcode_row exitcode_table[] = {
	{EXIT_DONE, "success: the konnector ended as the stack would mark the job done"},
	{EXIT_ERRORED, "the konnector failed as the stack would judge it (lint: error findings)"},
	{EXIT_LINT, "the konnector succeeded but lint found errors"},
	{EXIT_USAGE, "usage error on the command line"},
	{EXIT_DATAERR, "bad input data (manifest, dev config, fixture, event log)"},
	{EXIT_UNAVAILABLE, "unavailable (feature not built yet, missing dependency)"},
	{EXIT_SOFTWARE, "internal error"},
};
const unsigned exitcode_table_len = sizeof(exitcode_table) / sizeof(exitcode_table[0]);
