/* watch-bench's konnector: appends CLOCK_MONOTONIC in ns (the clock of node's process.hrtime)
 * to the file named by argv[1], first thing, in one write. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	char line[32];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (argc != 2)
		return 64;
	int n = snprintf(line, sizeof line, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return 1;
	return close(fd) == 0 ? 0 : 1;
}
