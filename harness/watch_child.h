/*
 * The OS side of restarting a konnector for `watch` (entr keeps this apart too):
 * a child in its own process group, stopped with SIGTERM to the whole group
 * and SIGKILL after a timeout, reaped from SIGCHLD with WNOHANG only. The
 * harness becomes a child subreaper so grandchildren orphaned by the konnector
 * come back to it, are killed with their group and reaped: nothing of an old
 * run is left behind (a port still taken, a stale browser).
 *
 * Interim: `run`'s runner (issue 5) will start konnectors with the stack's
 * environment; until it is merged, watch starts a shell command with this.
 */
#ifndef HARNESS_WATCH_CHILD_H
#define HARNESS_WATCH_CHILD_H

#include "common/loop.h"

#include <sys/types.h>

struct watch_child;

/* The child ended: status as from waitpid(2); stopped says watch_child_stop was called. */
typedef void (*watch_child_end_cb)(struct watch_child *c, int status, int stopped, void *arg);

/* Become a subreaper (once, before starting children); 0/-1. */
int watch_child_become_reaper(char *err);
/* sh -c cmd in dir, stdin from /dev/null, in a new process group; the loop's signals must be watched already. */
struct watch_child *watch_child_start(struct loop *loop, const char *cmd, const char *dir, watch_child_end_cb cb,
                                      void *arg, char *err);
/* SIGTERM to the group now, SIGKILL after timeout_ms (at once when called again). */
void watch_child_stop(struct watch_child *c, long long timeout_ms);
/* Call on SIGCHLD: reaps every exited child (WNOHANG), reports the end of c if it is one of them. c may be NULL. */
void watch_child_reap(struct watch_child *c);
pid_t watch_child_pid(const struct watch_child *c);
/* Free after its end was reported (or to abandon it: its group is SIGKILLed). */
void watch_child_free(struct watch_child *c);

#endif
