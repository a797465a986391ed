/* libmicrohttpd in external epoll mode on the harness loop (see mhd_loop.h). */
#include "fake-stack/http/mhd_loop.h"

#include "common/err.h"

#include <microhttpd.h>
#include <stdlib.h>

struct mhd_loop {
	struct loop *loop;
	struct MHD_Daemon *d;
	int epfd;
	long long kick; /* id of the pending kick timer, 0 when none */
};

static void on_fd(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	MHD_run(((struct mhd_loop *)arg)->d);
}

static void on_kick(struct loop *loop, void *arg)
{
	struct mhd_loop *ml = arg;
	(void)loop;
	ml->kick = 0;
	MHD_run(ml->d);
}

/* The loop asks how long it may sleep: as long as MHD's own timeout. */
static long long on_prepare(struct loop *loop, void *arg)
{
	struct mhd_loop *ml = arg;
	(void)loop;
	MHD_UNSIGNED_LONG_LONG t;
	if (MHD_get_timeout(ml->d, &t) != MHD_YES)
		return -1;
	/* MHD keeps connections with data still to process in its own list: a 0 timeout means "run me now". */
	if (t == 0)
		MHD_run(ml->d);
	if (MHD_get_timeout(ml->d, &t) != MHD_YES)
		return -1;
	return (long long)t;
}

struct mhd_loop *mhd_loop_attach(struct loop *loop, struct MHD_Daemon *d, char *err)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		err_set(err, "libmicrohttpd has no epoll fd");
		return NULL;
	}
	struct mhd_loop *ml = calloc(1, sizeof(*ml));
	if (ml == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	ml->loop = loop;
	ml->d = d;
	ml->epfd = info->epoll_fd;
	if (loop_add_fd(loop, ml->epfd, EPOLLIN, on_fd, ml, err) < 0) {
		free(ml);
		return NULL;
	}
	if (loop_add_prepare(loop, on_prepare, ml, err) < 0) {
		loop_del_fd(loop, ml->epfd);
		free(ml);
		return NULL;
	}
	return ml;
}

void mhd_loop_kick(struct mhd_loop *ml)
{
	/* One pending kick is enough: a single MHD_run moves every resumed connection. */
	if (ml->kick > 0)
		return;
	long long id = loop_add_timer(ml->loop, 0, on_kick, ml);
	ml->kick = id > 0 ? id : 0;
}

void mhd_loop_detach(struct mhd_loop *ml)
{
	if (ml == NULL)
		return;
	if (ml->kick > 0)
		loop_del_timer(ml->loop, ml->kick);
	loop_del_prepare(ml->loop, on_prepare, ml);
	loop_del_fd(ml->loop, ml->epfd);
	free(ml);
}
