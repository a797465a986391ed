/* The epoll loop; in the spirit of redis's ae.c, small and single-threaded. */
#include "common/loop.h"

#include "common/err.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
	loop_fd_cb cb;
	void *arg;
	uint32_t events;
	uint32_t gen; /* bumped on every add/del so stale epoll events are dropped */
	int active;
};

struct loop_timer {
	long long id;
	long long when;
	loop_timer_cb cb;
	void *arg;
};

struct loop_prepare {
	loop_prepare_cb cb;
	void *arg;
};

struct loop {
	int epfd;
	struct loop_fd *fds; /* indexed by fd */
	int nfds;
	struct loop_timer *timers;
	size_t ntimers, cap_timers;
	long long next_timer_id;
	struct loop_prepare *prepares;
	size_t nprepares;
	int sigfd;
	loop_signal_cb sig_cb;
	void *sig_arg;
	sigset_t saved_mask;
	int stop;
};

long long loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(char *err)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	if (loop == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		err_set(err, "epoll_create1: %s", strerror(errno));
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	loop->next_timer_id = 1;
	sigprocmask(SIG_SETMASK, NULL, &loop->saved_mask);
	return loop;
}

void loop_free(struct loop *loop)
{
	if (loop == NULL)
		return;
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_SETMASK, &loop->saved_mask, NULL);
	}
	close(loop->epfd);
	free(loop->fds);
	free(loop->timers);
	free(loop->prepares);
	free(loop);
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg, char *err)
{
	if (fd < 0)
		return err_set(err, "loop: bad fd %d", fd);
	if (fd >= loop->nfds) {
		int n = loop->nfds ? loop->nfds : 64;
		while (n <= fd)
			n *= 2;
		struct loop_fd *p = realloc(loop->fds, (size_t)n * sizeof(*p));
		if (p == NULL)
			return err_set(err, "out of memory");
		memset(p + loop->nfds, 0, (size_t)(n - loop->nfds) * sizeof(*p));
		loop->fds = p;
		loop->nfds = n;
	}
	struct loop_fd *slot = &loop->fds[fd];
	if (slot->active)
		return err_set(err, "loop: fd %d is already watched", fd);
	slot->gen++;
	struct epoll_event ev = {.events = events};
	ev.data.u64 = (uint64_t)(uint32_t)fd | ((uint64_t)slot->gen << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return err_set(err, "epoll_ctl(ADD, %d): %s", fd, strerror(errno));
	slot->cb = cb;
	slot->arg = arg;
	slot->events = events;
	slot->active = 1;
	return 0;
}

int loop_mod_fd(struct loop *loop, int fd, uint32_t events, char *err)
{
	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].active)
		return err_set(err, "loop: fd %d is not watched", fd);
	struct loop_fd *slot = &loop->fds[fd];
	struct epoll_event ev = {.events = events};
	ev.data.u64 = (uint64_t)(uint32_t)fd | ((uint64_t)slot->gen << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return err_set(err, "epoll_ctl(MOD, %d): %s", fd, strerror(errno));
	slot->events = events;
	return 0;
}

void loop_del_fd(struct loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->nfds || !loop->fds[fd].active)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].active = 0;
	loop->fds[fd].gen++;
}

long long loop_add_timer(struct loop *loop, long long ms, loop_timer_cb cb, void *arg)
{
	if (loop->ntimers == loop->cap_timers) {
		size_t cap = loop->cap_timers ? loop->cap_timers * 2 : 16;
		struct loop_timer *p = realloc(loop->timers, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		loop->timers = p;
		loop->cap_timers = cap;
	}
	struct loop_timer *t = &loop->timers[loop->ntimers++];
	t->id = loop->next_timer_id++;
	t->when = loop_now_ms() + (ms < 0 ? 0 : ms);
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void loop_del_timer(struct loop *loop, long long id)
{
	for (size_t i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i].id == id) {
			loop->timers[i] = loop->timers[--loop->ntimers];
			return;
		}
	}
}

/* Fire due timers, earliest first; a callback may add or delete timers. */
static void loop_fire_timers(struct loop *loop)
{
	for (;;) {
		long long now = loop_now_ms();
		size_t best = loop->ntimers;
		for (size_t i = 0; i < loop->ntimers; i++)
			if (loop->timers[i].when <= now &&
			    (best == loop->ntimers || loop->timers[i].when < loop->timers[best].when))
				best = i;
		if (best == loop->ntimers)
			return;
		struct loop_timer t = loop->timers[best];
		loop->timers[best] = loop->timers[--loop->ntimers];
		t.cb(loop, t.arg);
	}
}

static void loop_on_signalfd(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	struct signalfd_siginfo si;
	for (;;) {
		ssize_t n = read(fd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si))
			return;
		if (loop->sig_cb != NULL)
			loop->sig_cb(loop, &si, loop->sig_arg);
	}
}

int loop_watch_signals(struct loop *loop, loop_signal_cb cb, void *arg, char *err)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	loop->sig_cb = cb;
	loop->sig_arg = arg;
	if (loop->sigfd >= 0)
		return 0;
	if (sigprocmask(SIG_BLOCK, &mask, &loop->saved_mask) < 0)
		return err_set(err, "sigprocmask: %s", strerror(errno));
	loop->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sigfd < 0) {
		err_set(err, "signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &loop->saved_mask, NULL);
		return -1;
	}
	return loop_add_fd(loop, loop->sigfd, EPOLLIN, loop_on_signalfd, NULL, err);
}

const sigset_t *loop_saved_sigmask(const struct loop *loop)
{
	return &loop->saved_mask;
}

int loop_add_prepare(struct loop *loop, loop_prepare_cb cb, void *arg, char *err)
{
	struct loop_prepare *p = realloc(loop->prepares, (loop->nprepares + 1) * sizeof(*p));
	if (p == NULL)
		return err_set(err, "out of memory");
	loop->prepares = p;
	p[loop->nprepares].cb = cb;
	p[loop->nprepares].arg = arg;
	loop->nprepares++;
	return 0;
}

void loop_del_prepare(struct loop *loop, loop_prepare_cb cb, void *arg)
{
	for (size_t i = 0; i < loop->nprepares; i++) {
		if (loop->prepares[i].cb == cb && loop->prepares[i].arg == arg) {
			memmove(&loop->prepares[i], &loop->prepares[i + 1],
				(loop->nprepares - i - 1) * sizeof(*loop->prepares));
			loop->nprepares--;
			return;
		}
	}
}

/* How long epoll_wait may sleep: the nearest timer, prepare hooks, and max_ms. */
static int loop_wait_ms(struct loop *loop, long long max_ms)
{
	long long wait = max_ms;
	long long now = loop_now_ms();
	for (size_t i = 0; i < loop->ntimers; i++) {
		long long d = loop->timers[i].when - now;
		if (d < 0)
			d = 0;
		if (wait < 0 || d < wait)
			wait = d;
	}
	for (size_t i = 0; i < loop->nprepares; i++) {
		long long d = loop->prepares[i].cb(loop, loop->prepares[i].arg);
		if (d >= 0 && (wait < 0 || d < wait))
			wait = d;
	}
	if (wait > 60 * 60 * 1000)
		wait = 60 * 60 * 1000;
	return (int)wait;
}

int loop_run_once(struct loop *loop, long long max_ms, char *err)
{
	struct epoll_event evs[64];
	int n = epoll_wait(loop->epfd, evs, 64, loop_wait_ms(loop, max_ms));
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return err_set(err, "epoll_wait: %s", strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
		if (fd >= loop->nfds || !loop->fds[fd].active || loop->fds[fd].gen != gen)
			continue; /* deleted by an earlier callback of this round */
		loop->fds[fd].cb(loop, fd, evs[i].events, loop->fds[fd].arg);
	}
	loop_fire_timers(loop);
	return 0;
}

int loop_run(struct loop *loop, char *err)
{
	loop->stop = 0;
	while (!loop->stop)
		if (loop_run_once(loop, -1, err) < 0)
			return -1;
	return 0;
}

void loop_stop(struct loop *loop)
{
	loop->stop = 1;
}

int loop_stopped(const struct loop *loop)
{
	return loop->stop;
}
