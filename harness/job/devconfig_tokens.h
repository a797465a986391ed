/*
 * --save-tokens and `oauth`: put new OAuth tokens into konnector-dev-config.json
 * by editing its text, so that comments (// and / * * /), key order, spacing
 * and every other byte survive; only the token string values change.
 */
#ifndef HARNESS_DEVCONFIG_TOKENS_H
#define HARNESS_DEVCONFIG_TOKENS_H

#include <stddef.h>

/*
 * Rewrite text so that fields.access_token and fields.refresh_token hold the
 * given values (NULL: leave that key alone). Every occurrence of the key in the
 * top-level "fields" object has its value replaced; a missing key is added
 * after the last member (matching its indentation); a missing "fields" object
 * is added at the top level. Returns the new text (malloc'd, NUL-terminated,
 * length in *out_len), or NULL with "line:column: what" in err.
 */
char *devconfig_tokens_rewrite(const char *text, size_t len, const char *access_token, const char *refresh_token,
			       size_t *out_len, char *err);

/* Read path, rewrite it as above, and replace it with atomic_write (temp file, fsync, rename). */
int devconfig_tokens_save(const char *path, const char *access_token, const char *refresh_token, char *err);

/* "abcd…wxyz (40 chars)": a token shown without revealing it; "" stays "(empty)". Writes into out. */
const char *devconfig_tokens_mask(const char *token, char *out, size_t outlen);

#endif
