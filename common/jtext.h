/*
 * Reading JSON text without building a tree: the store looks members up in
 * the documents it keeps as text, the journal finds secrets to blank in
 * bodies that may be cut short. Nothing here validates: a scanner only
 * refuses to run past the end.
 */
#ifndef COMMON_JTEXT_H
#define COMMON_JTEXT_H

#include <stddef.h>

/* p at an opening quote: the byte after the closing one, or NULL when the string is cut short. */
const char *jtext_skip_string(const char *p, const char *end);
/* The end of the JSON value starting at p (leading whitespace skipped), or NULL when it is cut short. */
const char *jtext_skip(const char *p, const char *end);

/*
 * The top-level member key of the JSON object text [obj, end): 1 with its
 * value's span in val and vlen, 0 when absent, -1 when obj is not an object.
 */
int jtext_member(const char *obj, const char *end, const char *key, const char **val, size_t *vlen);

/* Element pos of the JSON array text [arr, end): 1 with its span, 0 when the array is shorter, -1 when arr is not an
 * array. */
int jtext_index(const char *arr, const char *end, size_t pos, const char **val, size_t *vlen);

#endif
