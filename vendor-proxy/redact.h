/*
 * Secrets out of the HAR: every form of a dev-config value a request can
 * carry (raw, percent-encoded as encodeURIComponent and URLSearchParams
 * write it, JSON-escaped) becomes the placeholder {{kh:<field>}}, the same
 * wherever it appears; Authorization, Cookie and Set-Cookie values become
 * {{kh:redacted}}. Replay redacts what the konnector sends now the same way,
 * so a recording matches whatever the current values are, and can put the
 * current values back where the vendor echoed them.
 */
#ifndef VENDOR_PROXY_REDACT_H
#define VENDOR_PROXY_REDACT_H

#include "common/buf.h"

#include <stddef.h>

/* Values shorter than this are not secrets worth hiding (and would hit everywhere). */
#define REDACT_MIN 4
#define REDACT_HEADER_PLACEHOLDER "{{kh:redacted}}"

struct redact_secret {
	const char *name;
	const char *value;
};

struct redact;

/* n secrets (copied); short or empty values are skipped. NULL when out of memory. */
struct redact *redact_new(const struct redact_secret *secrets, size_t n);
void redact_free(struct redact *r);

/* Append text with every secret form replaced by its placeholder. */
int redact_text(const struct redact *r, const char *text, size_t len, struct buf *out);
/* Append text with every placeholder replaced by the current raw value. */
int redact_restore(const struct redact *r, const char *text, size_t len, struct buf *out);
/*
 * A header value as the HAR keeps it (malloc'd): credentials and cookie values
 * become REDACT_HEADER_PLACEHOLDER, other values go through redact_text.
 */
char *redact_header(const struct redact *r, const char *name, const char *value);

/* Redaction over a stream cut in arbitrary chunks: a match across two chunks is still found. */
struct redact_stream {
	const struct redact *r;
	struct buf pending;
};
void redact_stream_init(struct redact_stream *s, const struct redact *r);
/* Feed a chunk; what is certain to be final is appended to out (a tail that may start a match is held). */
int redact_stream_feed(struct redact_stream *s, const char *data, size_t len, struct buf *out);
/* End of stream: append the held tail. Frees the stream's memory. */
int redact_stream_finish(struct redact_stream *s, struct buf *out);

#endif
