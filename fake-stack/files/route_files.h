/* The /files routes and the references routes (route_files.c), for the stack's route table. Internal to fake-stack/. */
#ifndef FAKE_STACK_ROUTE_FILES_H
#define FAKE_STACK_ROUTE_FILES_H

#include "fake-stack/http/http.h"

/* /files/…: begin switches uploads to streaming; handle answers the rest. */
int route_files_begin(struct stack *st, struct request *req);
int route_files_handle(struct stack *st, struct request *req);
/* /data/:doctype/:id/relationships/references (GET/POST/DELETE), reached through route_data.c. */
int route_files_references_handle(struct stack *st, struct request *req);

#endif
