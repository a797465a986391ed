/* The realtime hub: a list of listeners; see hub.h. */
#include "fake-stack/realtime/hub.h"

#include <stdlib.h>

struct hub_listener {
	hub_listener_fn fn; /* NULL once unlistened */
	void *arg;
};

struct hub {
	struct hub_listener *v;
	size_t n, cap;
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
		struct hub_listener *v = realloc(h->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n] = (struct hub_listener){fn, arg};
	return (int)h->n++;
}

void hub_unlisten(struct hub *h, int id)
{
	/* Slots are never reused: an id stays unique, and a listener may unlisten during a publish. */
	if (h != NULL && id >= 0 && (size_t)id < h->n)
		h->v[id].fn = NULL;
}

void hub_publish(struct hub *h, enum hub_verb verb, const char *doctype, const char *id, const json_t *doc)
{
	if (h == NULL)
		return;
	/* h->n may grow while we call: new listeners hear from the next publish on. */
	size_t n = h->n;
	for (size_t i = 0; i < n; i++)
		if (h->v[i].fn != NULL)
			h->v[i].fn(h->v[i].arg, verb, doctype, id, doc);
}
