/*
 * Reading compact JSON text without building a tree: the store keeps each
 * document as its JSON text and looks members up in place (mango columns,
 * revisions). Internal to fake-stack/.
 */
#ifndef FAKE_STACK_JTEXT_H
#define FAKE_STACK_JTEXT_H

#include <stddef.h>

/* The end of the JSON value starting at p (leading whitespace skipped), or NULL when it is cut short. */
const char *jtext_skip(const char *p, const char *end);

/*
 * The top-level member key of the JSON object text [obj, end): 1 with its
 * value's span in val and vlen, 0 when absent, -1 when obj is not an object.
 */
int jtext_member(const char *obj, const char *end, const char *key, const char **val, size_t *vlen);

#endif
