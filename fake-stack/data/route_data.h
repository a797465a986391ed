/* The /data routes (route_data.c), for the stack's route table. Internal to fake-stack/. */
#ifndef FAKE_STACK_ROUTE_DATA_H
#define FAKE_STACK_ROUTE_DATA_H

#include "fake-stack/http/http.h"

/* /data/…: the document API, CouchDB-style errors. */
int route_data_handle(struct stack *st, struct request *req);

#endif
