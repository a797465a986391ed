/*
 * The realtime hub: who wants to hear of document changes (the /realtime
 * websocket) listens here; who changes documents (jobs, triggers…) publishes
 * here (stack: pkg/realtime/realtime.go Hub.Publish). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_REALTIME_HUB_H
#define FAKE_STACK_REALTIME_HUB_H

#include <jansson.h>

enum hub_verb { HUB_CREATED, HUB_UPDATED, HUB_DELETED };

struct hub;

/* doc is borrowed for the call. */
typedef void (*hub_listener_fn)(void *arg, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc);

struct hub *hub_new(void);
void hub_free(struct hub *h);
/* Returns a listener id >= 0, or -1 (out of memory). */
int hub_listen(struct hub *h, hub_listener_fn fn, void *arg);
/* Unknown ids are ignored; safe from inside a listener. */
void hub_unlisten(struct hub *h, int id);
/* Call every listener, in the order they listened. */
void hub_publish(struct hub *h, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc);

#endif
