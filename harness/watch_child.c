/* A konnector child in its own process group: start, stop with escalation, reap without blocking. */
#include "harness/watch_child.h"

#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct watch_child {
	struct loop *loop;
	pid_t pid; /* also the process group id; 0 once reaped */
	watch_child_end_cb cb;
	void *arg;
	long long kill_timer;
	int stopped;
};

int watch_child_become_reaper(char *err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_set(err, "prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	return 0;
}

/* In the forked child: own group, default signals, the mask from before the loop, then exec. */
static void watch_child_exec(struct loop *loop, const char *cmd, const char *dir)
{
	setpgid(0, 0);
	static const int sigs[] = {SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGQUIT, SIGHUP};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, loop_saved_sigmask(loop), NULL);
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	if (dir != NULL && chdir(dir) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

struct watch_child *watch_child_start(struct loop *loop, const char *cmd, const char *dir, watch_child_end_cb cb,
                                      void *arg, char *err)
{
	struct watch_child *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err_set(err, "fork: %s", strerror(errno));
		free(c);
		return NULL;
	}
	if (pid == 0)
		watch_child_exec(loop, cmd, dir);
	setpgid(pid, pid); /* both sides, so a stop right away already reaches the group */
	c->loop = loop;
	c->pid = pid;
	c->cb = cb;
	c->arg = arg;
	return c;
}

static void watch_child_on_kill_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct watch_child *c = arg;
	c->kill_timer = 0;
	if (c->pid > 0)
		kill(-c->pid, SIGKILL);
}

void watch_child_stop(struct watch_child *c, long long timeout_ms)
{
	if (c == NULL || c->pid <= 0)
		return;
	if (c->stopped) {
		watch_child_on_kill_timer(c->loop, c);
		return;
	}
	c->stopped = 1;
	kill(-c->pid, SIGTERM);
	kill(-c->pid, SIGCONT); /* a stopped (^Z'd) konnector must see the TERM */
	c->kill_timer = loop_add_timer(c->loop, timeout_ms, watch_child_on_kill_timer, c);
}

void watch_child_reap(struct watch_child *c)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (c == NULL || pid != c->pid)
			continue; /* an orphaned grandchild, reparented to us */
		c->pid = 0;
		/* what the konnector left running in its group goes with it */
		kill(-pid, SIGKILL);
		if (c->kill_timer > 0)
			loop_del_timer(c->loop, c->kill_timer);
		c->kill_timer = 0;
		c->cb(c, status, c->stopped, c->arg); /* may free c */
		c = NULL;
	}
}

pid_t watch_child_pid(const struct watch_child *c)
{
	return c ? c->pid : 0;
}

void watch_child_free(struct watch_child *c)
{
	if (c == NULL)
		return;
	if (c->pid > 0)
		kill(-c->pid, SIGKILL);
	if (c->kill_timer > 0)
		loop_del_timer(c->loop, c->kill_timer);
	free(c);
}
