/* The stack's rules around a job's error (see verdict.h). */
#include "harness/judge/verdict.h"
#include "common/konnerr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* go: syscall zerrors_linux signal names, as ProcessState.String() prints them after "signal: ". */
static const char *const signal_names[] = {
	[1] = "hangup",
	[2] = "interrupt",
	[3] = "quit",
	[4] = "illegal instruction",
	[5] = "trace/breakpoint trap",
	[6] = "aborted",
	[7] = "bus error",
	[8] = "floating point exception",
	[9] = "killed",
	[10] = "user defined signal 1",
	[11] = "segmentation fault",
	[12] = "user defined signal 2",
	[13] = "broken pipe",
	[14] = "alarm clock",
	[15] = "terminated",
	[16] = "stack fault",
	[17] = "child exited",
	[18] = "continued",
	[19] = "stopped (signal)",
	[20] = "stopped",
	[21] = "stopped (tty input)",
	[22] = "stopped (tty output)",
	[23] = "urgent I/O condition",
	[24] = "CPU time limit exceeded",
	[25] = "file size limit exceeded",
	[26] = "virtual timer expired",
	[27] = "profiling timer expired",
	[28] = "window changed",
	[29] = "I/O possible",
	[30] = "power failure",
	[31] = "bad system call",
};

void verdict_end_string(enum process_end end, int code, char *out, size_t out_len)
{
	switch (end) {
	case END_EXITED:
		/* go: os.ProcessState.String */
		if (code == 0)
			snprintf(out, out_len, "%s", "");
		else
			snprintf(out, out_len, "exit status %d", code);
		return;
	case END_SIGNALED:
		if (code > 0 && (size_t)code < sizeof(signal_names) / sizeof(signal_names[0]) && signal_names[code])
			snprintf(out, out_len, "signal: %s", signal_names[code]);
		else
			snprintf(out, out_len, "signal: signal %d", code); /* go: syscall.Signal.String fallback */
		return;
	case END_TIMEOUT:
		/* stack: common.go: err = ctx.Err() → context.DeadlineExceeded */
		snprintf(out, out_len, "%s", "context deadline exceeded");
		return;
	case END_UNKNOWN:
		snprintf(out, out_len, "%s", "");
		return;
	}
}

int verdict_error_blocks_retry(const char *err, size_t len)
{
	return konnerr_blocks_retry(err, len);
}

int verdict_error_skips_runs(const char *err, size_t len)
{
	return konnerr_skips_runs(err, len);
}

void verdict_clear(struct verdict *v)
{
	free(v->error);
	memset(v, 0, sizeof(*v));
}
