/*
 * The fake stack's one publish/subscribe hub for document changes, like the
 * stack's realtime hub (pkg/realtime/realtime.go, mem_realtime.go): every
 * write to a document publishes CREATED, UPDATED or DELETED with the doc as
 * stored; listeners (the /realtime websockets, the jobs' triggers) are called
 * in order, synchronously, on the loop. Internal to fake-stack/.
 */
#ifndef FAKE_STACK_REALTIME_HUB_H
#define FAKE_STACK_REALTIME_HUB_H

#include <jansson.h>

/* stack: pkg/realtime/realtime.go EventCreate, EventUpdate, EventDelete. */
enum hub_verb { HUB_CREATED, HUB_UPDATED, HUB_DELETED };

struct hub;

/* doc is borrowed for the call: copy or serialise what must outlive it. */
typedef void (*hub_listener_fn)(void *arg, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc);

struct hub *hub_new(void);
void hub_free(struct hub *h);
/* Add a listener; returns its id (>= 0), or -1 when out of memory. */
int hub_listen(struct hub *h, hub_listener_fn fn, void *arg);
/* Remove a listener; safe from inside a listener (even itself); unknown ids are ignored. */
void hub_unlisten(struct hub *h, int id);
/* Call every listener present when the publication starts and still there when its turn comes. NULL h is fine. */
void hub_publish(struct hub *h, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc);

/* "CREATED", "UPDATED", "DELETED": the event names of the websocket frames. */
const char *hub_verb_name(enum hub_verb verb);

#endif
