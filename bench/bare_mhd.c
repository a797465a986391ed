/* The ceiling for bench/data-bench: libmicrohttpd on one epoll thread answering one fixed document, nothing else. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char doc[] =
	"{\"_id\":\"d000001\",\"_rev\":\"1-0123456789abcdef0123456789abcdef\",\"_type\":\"io.cozy.bench\","
	"\"name\":\"doc 1\",\"amount\":1,\"vendor\":\"v1\",\"category\":\"c1\",\"date\":\"2024-01-01\"}\n";

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)data, (void)size, (void)state;
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(doc) - 1, (void *)doc, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned short port = argc > 1 ? (unsigned short)atoi(argv[1]) : 8099;
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, port, NULL, NULL, answer, NULL,
						MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bare_mhd: cannot listen on %u\n", port);
		return 1;
	}
	printf("listening on %u\n", port);
	fflush(stdout);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
