/* Orphaned grandchildren of the konnector, reaped here; see reaper.h. */
#include "harness/job/reaper.h"

#include "common/err.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

int reaper_become(char *err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_set(err, "prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	return 0;
}

void reaper_reap_orphans(pid_t keep)
{
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		/* peek first (WNOWAIT) so the konnector's status stays for the runner's waitpid */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (si.si_pid == 0 || si.si_pid == keep)
			return;
		while (waitpid(si.si_pid, NULL, WNOHANG) < 0 && errno == EINTR)
			;
	}
}
