/*
 * The /jobs routes (stack: web/jobs/jobs.go Register): triggers, their
 * launch, state and jobs, webhooks, queues and jobs. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JOBS_ROUTE_JOBS_H
#define FAKE_STACK_JOBS_ROUTE_JOBS_H

#include "fake-stack/http/http.h"

struct jobs;

/* Answer one /jobs/… request from j; 0, or -1 on an internal error (→ 500). */
int route_jobs_serve(struct jobs *j, struct request *req);

#endif
