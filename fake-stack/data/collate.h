/*
 * CouchDB view collation (the order of view keys and of Mango comparisons),
 * an approximation of ICU's for strings: see collate.c. Internal to
 * fake-stack/data/.
 */
#ifndef FAKE_STACK_COLLATE_H
#define FAKE_STACK_COLLATE_H

#include <jansson.h>
#include <stddef.h>

/* null < false < true < numbers < strings < arrays < objects; <0, 0, >0. */
int collate_json(const json_t *a, const json_t *b);
/* The string part of it (a UCA approximation in three levels, then raw bytes). */
int collate_strings(const char *a, size_t alen, const char *b, size_t blen);

#endif
