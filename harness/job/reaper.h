/*
 * watch's subreaper: the konnector's grandchildren that its group kill
 * orphans are reparented to the harness instead of init, so their zombies are
 * reaped here, from SIGCHLD, and "no process of the old run is left" holds
 * at once (an unreaped zombie still answers kill -0, still shows in ps).
 */
#ifndef HARNESS_REAPER_H
#define HARNESS_REAPER_H

#include <sys/types.h>

/* PR_SET_CHILD_SUBREAPER for this process; 0/-1 with err. */
int reaper_become(char *err);
/*
 * On SIGCHLD, after the runner had its turn: reap every exited child but
 * keep (the konnector, which the runner reaps; when it shows up here it ended
 * after the runner looked, and its own SIGCHLD is pending). Never blocks.
 */
void reaper_reap_orphans(pid_t keep);

#endif
