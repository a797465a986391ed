/*
 * A libmicrohttpd daemon in external epoll mode served from our loop: its
 * epoll fd watched, its timeout the longest the loop may sleep. The one copy
 * of this glue, for the fake stack's server and the OAuth redirect listener.
 * Internal to fake-stack/.
 */
#ifndef FAKE_STACK_HTTP_MHD_LOOP_H
#define FAKE_STACK_HTTP_MHD_LOOP_H

#include "common/loop.h"

struct MHD_Daemon;
struct mhd_loop;

/* Serve d (started with MHD_USE_EPOLL, no thread) from loop. NULL with err. */
struct mhd_loop *mhd_loop_attach(struct loop *loop, struct MHD_Daemon *d, char *err);
/* Run the daemon on the next turn of the loop: a resumed connection only moves in MHD_run. */
void mhd_loop_kick(struct mhd_loop *ml);
/* Stop serving d from the loop (a pending kick is cancelled); d itself is left running. NULL is fine. */
void mhd_loop_detach(struct mhd_loop *ml);

#endif
