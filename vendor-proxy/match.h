/*
 * Which recorded exchange answers a live request: the same method, the same
 * URL (scheme and host case, default ports and the order of query
 * parameters do not count) and, for forms and JSON, the same body (form
 * fields in any order, JSON by value; other bodies byte for byte, multipart
 * not compared: its boundary changes every time). Secrets in the live
 * request are hidden first, as the recording has them. Identical requests
 * get the identical recorded ones in recorded order; once those are used
 * up, the last one answers again.
 */
#ifndef VENDOR_PROXY_MATCH_H
#define VENDOR_PROXY_MATCH_H

#include "vendor-proxy/har.h"
#include "vendor-proxy/redact.h"

#include <stddef.h>

/* The URL as matching sees it (malloc'd), NULL when it is not an absolute http(s) URL. */
char *match_url_key(const char *url);
/* "a=1&b=2" form (or query) fields in one canonical order and encoding (malloc'd). */
char *match_form_key(const char *s, size_t len);
/* Do two bodies of this Content-Type (NULL: none) count as the same request? */
int match_body_equal(const char *mime, const char *a, size_t alen, const char *b, size_t blen);

struct match_table;
/* Index a HAR's records (borrowed; they must outlive the table). NULL when out of memory. */
struct match_table *match_table_new(const struct har_file *har);
void match_table_free(struct match_table *t);

struct match_request {
	const char *method, *url;
	const char *mime; /* the request's Content-Type, NULL when none */
	const char *body;
	size_t body_len;
};
/*
 * The record answering req (secrets hidden with r first), or -1. *repeated
 * is set when every identical record was used already and the last one
 * answers again.
 */
long match_find(struct match_table *t, const struct redact *r, const struct match_request *req, int *repeated);
/* How often record i answered. */
unsigned match_uses(const struct match_table *t, size_t i);

#endif
