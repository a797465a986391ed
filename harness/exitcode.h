/* The one table of exit statuses (printed by --help, used by every subcommand). */
#ifndef HARNESS_EXITCODE_H
#define HARNESS_EXITCODE_H

enum exitcode {
	EXIT_DONE = 0,         /* the konnector succeeded as the stack would judge it */
	EXIT_ERRORED = 1,      /* the konnector failed as the stack would judge it (or lint found errors) */
	EXIT_LINT = 2,         /* it succeeded, but lint found errors */
	EXIT_USAGE = 64,       /* bad command line */
	EXIT_DATAERR = 65,     /* bad input data: manifest, dev config, fixture, event log */
	EXIT_UNAVAILABLE = 69, /* a feature or a dependency is not available */
	EXIT_SOFTWARE = 70,    /* internal error */
};

struct exitcode_row {
	int code;
	const char *meaning;
};

extern const struct exitcode_row exitcode_table[];
extern const unsigned exitcode_table_len;

#endif
