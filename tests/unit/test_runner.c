/* harness/job/runner.c: real children on a real loop. */
#include "common/buf.h"
#include "common/err.h"
#include "common/loop.h"
#include "harness/job/runner.h"
#include "harness/judge/linescan.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
	struct buf lines, out, err;
	size_t too_long_at, too_long_len;
	int too_long_head;
	int done;
	enum process_end end;
	int code;
	struct runner *r;
	long long terminate_ms; /* > 0: runner_terminate on the line "ready" */
};

static void on_line(void *arg, const char *line, size_t len, size_t lineno, int cr)
{
	struct seen *s = arg;
	buf_printf(&s->lines, "%zu:%.*s%s|", lineno, (int)len, line, cr ? "\\r" : "");
	if (s->terminate_ms > 0 && len == 5 && memcmp(line, "ready", 5) == 0)
		runner_terminate(s->r, s->terminate_ms);
}
static void on_too_long(void *arg, const char *head, size_t len, size_t lineno)
{
	struct seen *s = arg;
	s->too_long_at = lineno;
	s->too_long_len = len;
	s->too_long_head = (unsigned char)head[0];
}
static void on_out(void *arg, const char *d, size_t n)
{
	buf_append(&((struct seen *)arg)->out, d, n);
}
static void on_err(void *arg, const char *d, size_t n)
{
	buf_append(&((struct seen *)arg)->err, d, n);
}
static void on_done(void *arg, enum process_end end, int code)
{
	struct seen *s = arg;
	s->done = 1;
	s->end = end;
	s->code = code;
}
static void on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	(void)loop;
	if (si->ssi_signo == SIGCHLD)
		runner_on_sigchld(((struct seen *)arg)->r);
}

/* Run sh -c script to its end (bounded at 20 s); returns what was seen. */
static void run_script_term(const char *script, long long timeout_ms, long long terminate_ms, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->terminate_ms = terminate_ms;
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	cr_assert_not_null(loop);
	cr_assert_eq(loop_watch_signals(loop, on_signal, s, err), 0, "%s", err);
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	char *envp[] = {"PATH=/usr/bin:/bin", NULL};
	struct runner_spec spec = {
		.argv = argv, .envp = envp, .timeout_ms = timeout_ms, .child_sigmask = loop_saved_sigmask(loop)};
	struct runner_hooks hooks = {on_line, on_too_long, on_out, on_err, on_done, s};
	s->r = runner_start(loop, &spec, &hooks, err);
	cr_assert_not_null(s->r, "%s", err);
	long long until = loop_now_ms() + 20000;
	while (!s->done && loop_now_ms() < until)
		cr_assert_eq(loop_run_once(loop, 200, err), 0);
	cr_assert(s->done, "the child did not finish");
	runner_free(s->r);
	loop_free(loop);
	buf_puts(&s->lines, "");
}

static void run_script(const char *script, long long timeout_ms, struct seen *s)
{
	run_script_term(script, timeout_ms, 0, s);
}

static void seen_free(struct seen *s)
{
	buf_free(&s->lines), buf_free(&s->out), buf_free(&s->err);
}

Test(runner, lines_cr_final_unterminated_and_exit_status)
{
	struct seen s;
	run_script("echo a; printf 'b\\r\\n\\n'; echo oops >&2; printf c; exit 3", 0, &s);
	cr_assert_str_eq(s.lines.data, "1:a|2:b\\r|3:|4:c|");
	cr_assert_eq(s.end, END_EXITED);
	cr_assert_eq(s.code, 3);
	cr_assert_eq(s.err.len, 5);
	cr_assert_eq(s.out.len, 7);
	seen_free(&s);
}

Test(runner, env_is_exactly_given)
{
	struct seen s;
	run_script("env | grep -v ^PWD= | sort", 0, &s);
	cr_assert_str_eq(s.lines.data, "1:PATH=/usr/bin:/bin|", "%s", s.lines.data);
	seen_free(&s);
}

Test(runner, child_gets_only_stdin_stdout_stderr)
{
	/* An fd of ours without close-on-exec (as a careless fopen would leave it) must not leak. */
	int leaked = open("/dev/null", O_RDONLY);
	cr_assert_gt(leaked, 2);
	struct seen s;
	/* Ask about that very fd: listing all of them would race with the shell's own pipes. */
	char script[128];
	snprintf(script, sizeof(script), "if [ -e /proc/$$/fd/%d ]; then echo leaked; else echo clean; fi", leaked);
	run_script(script, 0, &s);
	close(leaked);
	cr_assert_str_eq(s.lines.data, "1:clean|", "%s", s.lines.data);
	seen_free(&s);
}

Test(runner, signal_end)
{
	struct seen s;
	run_script("kill -TERM $$", 0, &s);
	cr_assert_eq(s.end, END_SIGNALED);
	cr_assert_eq(s.code, SIGTERM);
	seen_free(&s);
}

Test(runner, timeout_kills_the_group_including_grandchildren)
{
	struct seen s;
	/* processes that block forever; the grandchild keeps stderr open: only a group kill ends the run */
	run_script("tail -f /dev/null & echo started; exec tail -f /dev/null", 300, &s);
	cr_assert_eq(s.end, END_TIMEOUT);
	cr_assert_str_eq(s.lines.data, "1:started|");
	seen_free(&s);
}

Test(runner, line_of_64k_stops_reading)
{
	struct seen s;
	/* 65535 bytes + newline fit; 65536 bytes do not */
	run_script("head -c 65535 /dev/zero | tr '\\0' x; echo; echo ok; head -c 65536 /dev/zero | tr '\\0' y; echo; "
		   "echo lost",
		   0, &s);
	cr_assert_eq(s.too_long_at, 3);
	cr_assert_geq(s.too_long_len, LINESCAN_LINE_MAX);
	cr_assert_eq(s.too_long_head, 'y');
	cr_assert(strncmp(s.lines.data, "1:xxx", 5) == 0);
	cr_assert(strstr(s.lines.data, "|2:ok|") != NULL);
	cr_assert(strstr(s.lines.data, "lost") == NULL);
	cr_assert_eq(s.end, END_EXITED);
	seen_free(&s);
}

Test(runner, start_failures_read_like_go)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	char *argv[] = {"no-such-command-kh", NULL};
	char *envp[] = {NULL};
	struct runner_spec spec = {.argv = argv, .envp = envp};
	struct runner_hooks hooks = {0};
	cr_assert_null(runner_start(loop, &spec, &hooks, err));
	cr_assert_str_eq(err, "exec: \"no-such-command-kh\": executable file not found in $PATH");
	char *argv2[] = {"/nonexistent/bin/x", NULL};
	spec.argv = argv2;
	cr_assert_null(runner_start(loop, &spec, &hooks, err));
	cr_assert_str_eq(err, "fork/exec /nonexistent/bin/x: no such file or directory");
	char *argv3[] = {"/bin/true", NULL};
	spec.argv = argv3;
	spec.cwd = "/nonexistent-dir";
	cr_assert_null(runner_start(loop, &spec, &hooks, err));
	cr_assert_str_eq(err, "chdir /nonexistent-dir: no such file or directory");
	loop_free(loop);
}

Test(runner, terminate_sends_term_to_the_group)
{
	struct seen s;
	run_script_term("echo ready; exec tail -f /dev/null", 0, 10000, &s);
	cr_assert_eq(s.end, END_SIGNALED);
	cr_assert_eq(s.code, SIGTERM);
	seen_free(&s);
}

Test(runner, terminate_escalates_to_kill_when_term_is_ignored)
{
	struct seen s;
	/* the leader and a grandchild both ignore TERM (an ignored signal stays ignored across
	 * fork and exec); the grandchild holds stdout open */
	run_script_term("trap '' TERM; tail -f /dev/null & echo ready; exec tail -f /dev/null", 0, 200, &s);
	cr_assert_eq(s.end, END_SIGNALED);
	cr_assert_eq(s.code, SIGKILL);
	seen_free(&s);
}
