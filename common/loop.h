/*
 * The single event loop (docs/ARCHITECTURE.md "One thread, one loop"): epoll over fds,
 * millisecond timers, a signalfd for SIGCHLD/SIGINT/SIGTERM, and prepare hooks
 * that can shorten the wait (libmicrohttpd's MHD_get_timeout, curl's timer).
 */
#ifndef COMMON_LOOP_H
#define COMMON_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

struct loop;

typedef void (*loop_fd_cb)(struct loop *loop, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(struct loop *loop, void *arg);
typedef void (*loop_signal_cb)(struct loop *loop, const struct signalfd_siginfo *si, void *arg);
/* Returns the longest the loop may sleep, in ms, or -1 for no limit. */
typedef long long (*loop_prepare_cb)(struct loop *loop, void *arg);

struct loop *loop_new(char *err);
/* Closes the epoll and signal fds and restores the signal mask; not user fds. */
void loop_free(struct loop *loop);

/* Watch fd for events (EPOLLIN, EPOLLOUT…; level-triggered). */
int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg, char *err);
int loop_mod_fd(struct loop *loop, int fd, uint32_t events, char *err);
/* Stop watching fd; safe from inside any callback, even for the fd being served. */
void loop_del_fd(struct loop *loop, int fd);

/* One-shot timer after ms milliseconds; returns an id > 0, or -1. */
long long loop_add_timer(struct loop *loop, long long ms, loop_timer_cb cb, void *arg);
/* Cancel a pending timer; unknown or fired ids are ignored. */
void loop_del_timer(struct loop *loop, long long id);

/* Block SIGCHLD, SIGINT and SIGTERM and deliver them to cb through a signalfd. */
int loop_watch_signals(struct loop *loop, loop_signal_cb cb, void *arg, char *err);
/* The signal mask the process had before loop_watch_signals (for children to restore). */
const sigset_t *loop_saved_sigmask(const struct loop *loop);

int loop_add_prepare(struct loop *loop, loop_prepare_cb cb, void *arg, char *err);
void loop_del_prepare(struct loop *loop, loop_prepare_cb cb, void *arg);

/* Run until loop_stop; returns 0, or -1 with err on an epoll failure. */
int loop_run(struct loop *loop, char *err);
/* One wait (at most max_ms, -1 for none) and its dispatch; for tests and nested waits. */
int loop_run_once(struct loop *loop, long long max_ms, char *err);
void loop_stop(struct loop *loop);
int loop_stopped(const struct loop *loop);

/* Monotonic clock in milliseconds. */
long long loop_now_ms(void);

#endif
