/* The document-change hub (see hub.h): a list of listeners called in order. */
#include "fake-stack/realtime/hub.h"

#include <stdlib.h>

struct slot {
	hub_listener_fn fn; /* NULL once removed */
	void *arg;
	int id;
};

struct hub {
	struct slot *v;
	size_t n, cap;
	int next_id;
	int depth; /* publications in progress (a listener may publish) */
	int holes; /* removed slots not yet compacted */
};

struct hub *hub_new(void)
{
	return calloc(1, sizeof(struct hub));
}

void hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	free(h->v);
	free(h);
}

int hub_listen(struct hub *h, hub_listener_fn fn, void *arg)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct slot *v = realloc(h->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	/* Ids only grow (wrapping back to 0 after INT_MAX listeners is not a case we meet). */
	int id = h->next_id++;
	h->v[h->n++] = (struct slot){.fn = fn, .arg = arg, .id = id};
	return id;
}

/* Drop removed slots; only between publications, so indexes held by a loop stay valid. */
static void hub_compact(struct hub *h)
{
	size_t j = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].fn != NULL)
			h->v[j++] = h->v[i];
	h->n = j;
	h->holes = 0;
}

void hub_unlisten(struct hub *h, int id)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].fn != NULL && h->v[i].id == id) {
			h->v[i].fn = NULL;
			h->holes++;
			break;
		}
	}
	if (h->depth == 0 && h->holes > 0)
		hub_compact(h);
}

void hub_publish(struct hub *h, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc)
{
	if (h == NULL)
		return;
	h->depth++;
	/* Listeners added by a listener wait for the next publication (stack: a subscription starts after it is made).
	 */
	size_t n = h->n;
	for (size_t i = 0; i < n; i++) {
		struct slot s = h->v[i]; /* h->v may move if a listener adds one */
		if (s.fn != NULL)
			s.fn(s.arg, verb, doctype, id, doc);
	}
	h->depth--;
	if (h->depth == 0 && h->holes > 0)
		hub_compact(h);
}

const char *hub_verb_name(enum hub_verb verb)
{
	switch (verb) {
	case HUB_CREATED:
		return "CREATED";
	case HUB_UPDATED:
		return "UPDATED";
	case HUB_DELETED:
		return "DELETED";
	}
	return "UPDATED";
}
