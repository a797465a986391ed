/*
 * The konnector process, started and killed as cozy-stack does (stack:
 * worker/exec/common.go worker, worker/exec/cmd_unix.go): own process group,
 * stdin /dev/null, stdout split in lines with the 64 KiB scanner limit, stderr
 * captured, SIGKILL to the whole group at the time limit. Everything on the
 * loop: the caller forwards SIGCHLD from its signalfd to runner_on_sigchld.
 */
#ifndef HARNESS_RUNNER_H
#define HARNESS_RUNNER_H

#include "common/loop.h"
#include "harness/judge/verdict.h"

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct runner_spec {
	char *const *argv;             /* argv[0] without a slash is looked up in the harness's PATH */
	char *const *envp;             /* the whole environment of the child */
	const char *cwd;               /* NULL: the harness's */
	long long timeout_ms;          /* 0: no time limit */
	const sigset_t *child_sigmask; /* restored in the child before exec (loop_saved_sigmask); NULL: empty */
};

struct runner_hooks {
	/*
	 * One stdout line, its '\n' and a trailing '\r' dropped (bufio.ScanLines); lineno from 1.
	 * cr: a '\r' was dropped (line[len] is that '\r'), so the raw line is len + 1 bytes.
	 */
	void (*line)(void *arg, const char *line, size_t len, size_t lineno, int cr);
	/*
	 * Line lineno reached LINESCAN_LINE_MAX without a newline: the stack stops reading stdout here.
	 * head: its first len bytes as read so far (len >= LINESCAN_LINE_MAX).
	 */
	void (*too_long)(void *arg, const char *head, size_t len, size_t lineno);
	/* Bytes as read from stdout (for stdout.log), then from stderr. */
	void (*out)(void *arg, const char *data, size_t len);
	void (*err)(void *arg, const char *data, size_t len);
	/* Once: the child was reaped and its pipes are closed (or abandoned). */
	void (*done)(void *arg, enum process_end end, int code);
	void *arg;
};

struct runner;

/*
 * Fork and exec. A command that cannot be started fails here with err as Go
 * words it (`exec: "x": executable file not found in $PATH`, `fork/exec …: …`).
 */
struct runner *runner_start(struct loop *loop, const struct runner_spec *spec, const struct runner_hooks *hooks,
			    char *err);
/* Reap the child if it has ended (call on every SIGCHLD). */
void runner_on_sigchld(struct runner *r);
/* SIGKILL the whole process group now (run's Ctrl-C); done still follows. */
void runner_stop(struct runner *r);
/*
 * SIGTERM (and SIGCONT) to the whole process group now, SIGKILL to it after
 * timeout_ms if the child is not reaped by then; a second call, or timeout_ms
 * 0, kills at once. Not the stack's (it only SIGKILLs, at the time limit):
 * watch's own restart policy, so a konnector may close what it holds.
 */
void runner_terminate(struct runner *r, long long timeout_ms);
pid_t runner_pid(const struct runner *r);
int runner_finished(const struct runner *r);
/* Stop watching, kill what is left of the group, free. NULL is fine. */
void runner_free(struct runner *r);

#endif
