/* common/loop.c: fds, timers, prepare hooks, signals. */
#include "common/err.h"
#include "common/loop.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_readable(struct loop *loop, int fd, uint32_t events, void *arg)
{
	int *count = arg;
	char c;
	cr_assert(events & EPOLLIN);
	cr_assert_eq(read(fd, &c, 1), 1);
	(*count)++;
	loop_stop(loop);
}

Test(loop, fd_callback_fires_on_data)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	int count = 0;
	cr_assert_eq(loop_add_fd(loop, p[0], EPOLLIN, on_readable, &count, err), 0, "%s", err);
	cr_assert_eq(write(p[1], "x", 1), 1);
	cr_assert_eq(loop_run(loop, err), 0, "%s", err);
	cr_assert_eq(count, 1);
	loop_free(loop);
	close(p[0]);
	close(p[1]);
}

Test(loop, adding_a_watched_fd_twice_fails)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	int count = 0;
	cr_assert_eq(loop_add_fd(loop, p[0], EPOLLIN, on_readable, &count, err), 0);
	cr_assert_eq(loop_add_fd(loop, p[0], EPOLLIN, on_readable, &count, err), -1);
	cr_assert(strstr(err, "already watched") != NULL, "%s", err);
	loop_free(loop);
	close(p[0]);
	close(p[1]);
}

struct order {
	int seen[4];
	int n;
};

static void record(struct loop *loop, void *arg)
{
	struct order *o = arg;
	o->seen[o->n++] = 99;
	(void)loop;
}

static void mark1(struct loop *loop, void *arg)
{
	struct order *o = arg;
	o->seen[o->n++] = 1;
	(void)loop;
}

static void mark2(struct loop *loop, void *arg)
{
	struct order *o = arg;
	o->seen[o->n++] = 2;
	loop_stop(loop);
}

Test(loop, timers_fire_in_deadline_order)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	struct order o = {{0}, 0};
	long long start = loop_now_ms();
	cr_assert_gt(loop_add_timer(loop, 30, mark2, &o), 0);
	cr_assert_gt(loop_add_timer(loop, 5, mark1, &o), 0);
	cr_assert_eq(loop_run(loop, err), 0);
	cr_assert_eq(o.n, 2);
	cr_assert_eq(o.seen[0], 1);
	cr_assert_eq(o.seen[1], 2);
	cr_assert_geq(loop_now_ms() - start, 30);
	loop_free(loop);
}

Test(loop, deleted_timer_never_fires)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	struct order o = {{0}, 0};
	long long id = loop_add_timer(loop, 1, record, &o);
	loop_del_timer(loop, id);
	cr_assert_gt(loop_add_timer(loop, 10, mark2, &o), 0);
	cr_assert_eq(loop_run(loop, err), 0);
	cr_assert_eq(o.n, 1);
	cr_assert_eq(o.seen[0], 2);
	loop_free(loop);
}

static long long prepare_zero(struct loop *loop, void *arg)
{
	(void)loop;
	int *calls = arg;
	(*calls)++;
	return 0;
}

Test(loop, prepare_hook_bounds_the_wait)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	int calls = 0;
	cr_assert_eq(loop_add_prepare(loop, prepare_zero, &calls, err), 0);
	/* Without the hook this would block forever: no fds, no timers. */
	cr_assert_eq(loop_run_once(loop, -1, err), 0);
	cr_assert_eq(calls, 1);
	loop_del_prepare(loop, prepare_zero, &calls);
	cr_assert_eq(loop_run_once(loop, 0, err), 0);
	cr_assert_eq(calls, 1);
	loop_free(loop);
}

struct two_pipes {
	int a[2], b[2];
	int served;
};

/* Deletes the other pipe's fd: its pending event in the same round must be dropped. */
static void delete_other(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)events;
	struct two_pipes *t = arg;
	char c;
	cr_assert_eq(read(fd, &c, 1), 1);
	t->served++;
	loop_del_fd(loop, fd == t->a[0] ? t->b[0] : t->a[0]);
	loop_del_fd(loop, fd);
}

Test(loop, fd_deleted_during_dispatch_is_not_served)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	struct two_pipes t = {.served = 0};
	cr_assert_eq(pipe(t.a), 0);
	cr_assert_eq(pipe(t.b), 0);
	cr_assert_eq(loop_add_fd(loop, t.a[0], EPOLLIN, delete_other, &t, err), 0);
	cr_assert_eq(loop_add_fd(loop, t.b[0], EPOLLIN, delete_other, &t, err), 0);
	cr_assert_eq(write(t.a[1], "x", 1), 1);
	cr_assert_eq(write(t.b[1], "y", 1), 1);
	cr_assert_eq(loop_run_once(loop, 1000, err), 0);
	cr_assert_eq(t.served, 1);
	loop_free(loop);
}

struct sigstate {
	int chld, term;
	pid_t pid;
	int status;
};

static void on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	struct sigstate *s = arg;
	if (si->ssi_signo == SIGCHLD) {
		/* Reap from one place, never blocking (tmux's way). */
		pid_t p;
		int status;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p == s->pid) {
				s->chld++;
				s->status = status;
			}
		}
	} else if (si->ssi_signo == SIGTERM) {
		s->term++;
	}
	if (s->chld && s->term)
		loop_stop(loop);
}

Test(loop, signals_arrive_through_signalfd)
{
	char err[ERR_MAX];
	struct loop *loop = loop_new(err);
	struct sigstate s = {0};
	cr_assert_eq(loop_watch_signals(loop, on_signal, &s, err), 0, "%s", err);
	s.pid = fork();
	cr_assert_geq(s.pid, 0);
	if (s.pid == 0)
		_exit(7);
	kill(getpid(), SIGTERM);
	long long deadline = loop_now_ms() + 5000;
	while (!loop_stopped(loop) && loop_now_ms() < deadline)
		cr_assert_eq(loop_run_once(loop, 100, err), 0);
	cr_assert_eq(s.chld, 1);
	cr_assert_eq(s.term, 1);
	cr_assert(WIFEXITED(s.status));
	cr_assert_eq(WEXITSTATUS(s.status), 7);
	loop_free(loop);
	/* The mask is restored: SIGTERM is deliverable again. */
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	cr_assert_eq(sigismember(&now, SIGTERM), 0);
}
