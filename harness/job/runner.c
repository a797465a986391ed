/*
 * The konnector's process; see runner.h. Its fork, exec, process group, pipes
 * and kills live here; reaper.c reaps what escapes the group, and `oauth`
 * forks xdg-open on its own (cli_oauth.c).
 */
#include "harness/job/runner.h"

#include "common/buf.h"
#include "common/err.h"
#include "harness/judge/linescan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* After a kill, give the pipes this long to reach EOF before abandoning them (an escaped grandchild). */
#define RUNNER_DRAIN_MS 2000

struct runner {
	struct loop *loop;
	struct runner_hooks hooks;
	pid_t pid;
	int out_fd, err_fd; /* -1 once closed */
	int out_watched;    /* stdout still read (0 after EOF or a too-long line) */
	struct buf line;    /* the stdout line being assembled */
	size_t lineno;
	long long timer, drain_timer, term_timer;
	int reaped, status;
	int timed_out, stopped, terminating, finished;
};

/* Where argv0 is, as Go's exec.LookPath finds it in the harness's PATH; malloc'd or NULL. */
static char *runner_lookpath(const char *argv0)
{
	if (strchr(argv0, '/') != NULL)
		return strdup(argv0);
	const char *path = getenv("PATH");
	if (path == NULL)
		return NULL;
	const char *p = path;
	while (1) {
		size_t n = strcspn(p, ":");
		char *cand = NULL;
		if (asprintf(&cand, "%.*s/%s", (int)n, n ? p : ".", argv0) < 0)
			return NULL;
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* Go prints errno texts in lower case ("no such file or directory"). */
static void lower_first(char *s)
{
	if (s[0] >= 'A' && s[0] <= 'Z')
		s[0] = (char)(s[0] - 'A' + 'a');
}

static void runner_check_done(struct runner *r);

static void runner_close_out(struct runner *r)
{
	if (r->out_fd < 0)
		return;
	if (r->out_watched)
		loop_del_fd(r->loop, r->out_fd);
	r->out_watched = 0;
	close(r->out_fd);
	r->out_fd = -1;
}

static void runner_close_err(struct runner *r)
{
	if (r->err_fd < 0)
		return;
	loop_del_fd(r->loop, r->err_fd);
	close(r->err_fd);
	r->err_fd = -1;
}

/* Hand complete lines to the hook; the scanner's limit stops reading altogether. */
static void runner_split(struct runner *r, int eof)
{
	size_t start = 0, long_len;
	const char *head;
	if (r->line.data == NULL)
		return;
	while (r->out_watched) {
		char *nl = memchr(r->line.data + start, '\n', r->line.len - start);
		if (nl == NULL)
			break;
		size_t len = (size_t)(nl - (r->line.data + start));
		/* stack: bufio.Scanner with a 64 KiB buffer: a token plus its newline must fit */
		if (len + 1 > LINESCAN_LINE_MAX) {
			head = r->line.data + start;
			long_len = len;
			goto too_long;
		}
		r->lineno++;
		size_t l = len;
		int cr = l > 0 && r->line.data[start + l - 1] == '\r';
		if (cr)
			l--;
		if (r->hooks.line)
			r->hooks.line(r->hooks.arg, r->line.data + start, l, r->lineno, cr);
		start += len + 1;
	}
	buf_consume(&r->line, start);
	if (r->line.len >= LINESCAN_LINE_MAX) {
		head = r->line.data;
		long_len = r->line.len;
		goto too_long;
	}
	if (eof && r->line.len > 0) { /* a final unterminated line is still scanned */
		r->lineno++;
		size_t l = r->line.len;
		int cr = r->line.data[l - 1] == '\r';
		if (cr)
			l--;
		if (r->hooks.line)
			r->hooks.line(r->hooks.arg, r->line.data, l, r->lineno, cr);
		buf_reset(&r->line);
	}
	return;
too_long:
	r->lineno++;
	if (r->hooks.too_long)
		r->hooks.too_long(r->hooks.arg, head, long_len, r->lineno);
	buf_reset(&r->line);
	/* Keep the pipe open but unread, like the stack: a konnector that keeps writing blocks. */
	loop_del_fd(r->loop, r->out_fd);
	r->out_watched = 0;
}

static void runner_on_out(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)events;
	struct runner *r = arg;
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		runner_split(r, 1);
		runner_close_out(r);
		runner_check_done(r);
		return;
	}
	if (r->hooks.out)
		r->hooks.out(r->hooks.arg, chunk, (size_t)n);
	buf_append(&r->line, chunk, (size_t)n);
	runner_split(r, 0);
	/* a too-long line may come after the child was reaped: then nothing else ends the run */
	runner_check_done(r);
}

static void runner_on_err(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)events;
	struct runner *r = arg;
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		runner_close_err(r);
		runner_check_done(r);
		return;
	}
	if (r->hooks.err)
		r->hooks.err(r->hooks.arg, chunk, (size_t)n);
}

/* Pipes still open long after the kill: a process outside the group holds them. */
static void runner_on_drain(struct loop *loop, void *arg)
{
	(void)loop;
	struct runner *r = arg;
	r->drain_timer = 0;
	runner_close_out(r);
	runner_close_err(r);
	runner_check_done(r);
}

static void runner_kill_group(struct runner *r)
{
	/* stack: worker/exec/cmd_unix.go KillCmd: SIGKILL to -pid, no SIGTERM, no grace */
	if (r->pid > 0)
		kill(-r->pid, SIGKILL);
	if (r->drain_timer == 0 && !r->finished)
		r->drain_timer = loop_add_timer(r->loop, RUNNER_DRAIN_MS, runner_on_drain, r);
}

static void runner_on_timeout(struct loop *loop, void *arg)
{
	(void)loop;
	struct runner *r = arg;
	r->timer = 0;
	if (r->finished)
		return;
	r->timed_out = 1;
	runner_kill_group(r);
}

void runner_stop(struct runner *r)
{
	if (r == NULL || r->finished)
		return;
	r->stopped = 1;
	runner_kill_group(r);
}

static void runner_on_term_timeout(struct loop *loop, void *arg)
{
	(void)loop;
	struct runner *r = arg;
	r->term_timer = 0;
	if (!r->finished)
		runner_kill_group(r);
}

void runner_terminate(struct runner *r, long long timeout_ms)
{
	if (r == NULL || r->finished)
		return;
	r->stopped = 1;
	if (r->terminating || timeout_ms <= 0) {
		if (r->term_timer) {
			loop_del_timer(r->loop, r->term_timer);
			r->term_timer = 0;
		}
		runner_kill_group(r);
		return;
	}
	r->terminating = 1;
	if (!r->reaped) {
		kill(-r->pid, SIGTERM);
		kill(-r->pid, SIGCONT); /* a stopped (^Z'd) konnector must see the TERM */
	}
	/* the leader may be reaped while its group (or a grandchild holding the pipes) lives on: the timer still fires
	 */
	r->term_timer = loop_add_timer(r->loop, timeout_ms, runner_on_term_timeout, r);
}

void runner_on_sigchld(struct runner *r)
{
	if (r == NULL || r->reaped)
		return;
	int st;
	pid_t got;
	do
		got = waitpid(r->pid, &st, WNOHANG);
	while (got < 0 && errno == EINTR);
	if (got != r->pid)
		return;
	r->reaped = 1;
	r->status = st;
	/* stack: with StdoutPipe, Wait closes stdout once the process is gone; when the scanner stopped
	 * early nothing reads it any more, so an abandoned stdout does not keep the run alive */
	if (!r->out_watched)
		runner_close_out(r);
	runner_check_done(r);
}

static void runner_check_done(struct runner *r)
{
	if (r->finished || !r->reaped || r->out_watched || r->err_fd >= 0)
		return;
	runner_close_out(r);
	r->finished = 1;
	if (r->timer) {
		loop_del_timer(r->loop, r->timer);
		r->timer = 0;
	}
	if (r->drain_timer) {
		loop_del_timer(r->loop, r->drain_timer);
		r->drain_timer = 0;
	}
	if (r->term_timer) {
		loop_del_timer(r->loop, r->term_timer);
		r->term_timer = 0;
	}
	/* Not the stack's: leave no grandchild behind once the run is over. */
	kill(-r->pid, SIGKILL);
	enum process_end end;
	int code;
	if (r->timed_out) {
		end = END_TIMEOUT;
		code = 0;
	} else if (WIFEXITED(r->status)) {
		end = END_EXITED;
		code = WEXITSTATUS(r->status);
	} else {
		end = END_SIGNALED;
		code = WIFSIGNALED(r->status) ? WTERMSIG(r->status) : SIGKILL;
	}
	if (r->hooks.done)
		r->hooks.done(r->hooks.arg, end, code);
}

/* In the child: report (stage, errno) through the cloexec pipe and leave. */
static void child_fail(int fd, int stage)
{
	int msg[2] = {stage, errno};
	ssize_t w = write(fd, msg, sizeof(msg));
	(void)w;
	_exit(127);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child_exec(const char *path, const struct runner_spec *spec, int out_w, int err_w, int report)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigset_t empty;
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, spec->child_sigmask ? spec->child_sigmask : &empty, NULL);
	int in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		child_fail(report, 1);
	if (in > 2)
		close(in);
	/* stack: Go's exec.Cmd gives the child only stdin, stdout and stderr (every fd Go opens
	 * is close-on-exec); so mark everything else of ours (run-directory logs, sockets,
	 * inotify…) close-on-exec here. The report pipe is already, and must stay open until exec. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 4096; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (spec->cwd != NULL && chdir(spec->cwd) < 0)
		child_fail(report, 2);
	execve(path, spec->argv, spec->envp);
	child_fail(report, 3);
}

struct runner *runner_start(struct loop *loop, const struct runner_spec *spec, const struct runner_hooks *hooks,
			    char *err)
{
	if (spec->argv == NULL || spec->argv[0] == NULL) {
		err_set(err, "no command to run");
		return NULL;
	}
	char *path = runner_lookpath(spec->argv[0]);
	if (path == NULL) {
		err_set(err, "exec: \"%s\": executable file not found in $PATH", spec->argv[0]);
		return NULL;
	}
	int out[2], errp[2], rep[2];
	if (pipe2(out, O_CLOEXEC) < 0) {
		err_set(err, "pipe: %s", strerror(errno));
		free(path);
		return NULL;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err_set(err, "pipe: %s", strerror(errno));
		close(out[0]), close(out[1]);
		free(path);
		return NULL;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		err_set(err, "pipe: %s", strerror(errno));
		close(out[0]), close(out[1]), close(errp[0]), close(errp[1]);
		free(path);
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err_set(err, "fork/exec %s: %s", path, strerror(errno));
		close(out[0]), close(out[1]), close(errp[0]), close(errp[1]), close(rep[0]), close(rep[1]);
		free(path);
		return NULL;
	}
	if (pid == 0) {
		close(rep[0]);
		child_exec(path, spec, out[1], errp[1], rep[1]);
	}
	setpgid(pid, pid); /* also in the parent, so a kill right after fork already hits the group */
	close(out[1]);
	close(errp[1]);
	close(rep[1]);
	int msg[2];
	ssize_t n;
	do
		n = read(rep[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	close(rep[0]);
	if (n == (ssize_t)sizeof(msg)) {
		/* the child could not exec: it has exited already, so this wait does not block for long */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		char why[256];
		snprintf(why, sizeof(why), "%s", strerror(msg[1]));
		lower_first(why);
		if (msg[0] == 2)
			err_set(err, "chdir %s: %s", spec->cwd, why);
		else
			err_set(err, "fork/exec %s: %s", path, why);
		close(out[0]), close(errp[0]);
		free(path);
		return NULL;
	}
	free(path);
	struct runner *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(out[0]), close(errp[0]);
		err_set(err, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->hooks = *hooks;
	r->pid = pid;
	r->out_fd = out[0];
	r->err_fd = errp[0];
	fcntl(r->out_fd, F_SETFL, fcntl(r->out_fd, F_GETFL) | O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, fcntl(r->err_fd, F_GETFL) | O_NONBLOCK);
	if (loop_add_fd(loop, r->out_fd, EPOLLIN, runner_on_out, r, err) < 0 ||
	    loop_add_fd(loop, r->err_fd, EPOLLIN, runner_on_err, r, err) < 0) {
		r->out_watched = 1;
		runner_free(r);
		return NULL;
	}
	r->out_watched = 1;
	if (spec->timeout_ms > 0)
		r->timer = loop_add_timer(loop, spec->timeout_ms, runner_on_timeout, r);
	/* the child may have ended before the signalfd was watched: check once now */
	runner_on_sigchld(r);
	return r;
}

pid_t runner_pid(const struct runner *r)
{
	return r->pid;
}

int runner_finished(const struct runner *r)
{
	return r->finished;
}

void runner_free(struct runner *r)
{
	if (r == NULL)
		return;
	if (r->timer)
		loop_del_timer(r->loop, r->timer);
	if (r->drain_timer)
		loop_del_timer(r->loop, r->drain_timer);
	if (r->term_timer)
		loop_del_timer(r->loop, r->term_timer);
	if (!r->finished && r->pid > 0) {
		kill(-r->pid, SIGKILL);
		if (!r->reaped)
			while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	runner_close_out(r);
	runner_close_err(r);
	buf_free(&r->line);
	free(r);
}
