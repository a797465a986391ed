/*
 * JSON written by hand (manifest.konnector, konnector-dev-config.json): a
 * grammar check that names the mistake where it is — a trailing comma, a
 * missing comma, an unterminated comment or string — instead of where a
 * parser gave up, and the position of a member, for messages about its key
 * or value. Comments (// and block) are part of the grammar only with
 * JSONC_COMMENTS. Positions are 1-based lines and columns, a column counting
 * characters (UTF-8 sequences), as editors show them.
 */
#ifndef COMMON_JSONC_H
#define COMMON_JSONC_H

#include <stddef.h>

#define JSONC_COMMENTS 1 /* // and block comments allowed */

/* Mistakes a caller may want to say more about (what the official tools accept, say). */
enum jsonc_kind { JSONC_OTHER, JSONC_TRAILING_COMMA, JSONC_MISSING_COMMA, JSONC_UNTERMINATED_COMMENT, JSONC_COMMENT };

struct jsonc_error {
	int line, col;
	enum jsonc_kind kind;
	char text[240]; /* what is wrong there, e.g. "trailing comma: nothing may follow the last member before }" */
};

/* 0 when text is one JSON value (with flags' extensions), else -1 with e filled. */
int jsonc_check(const char *text, size_t len, int flags, struct jsonc_error *e);

/* Replace comments by spaces, newlines kept (so lines and columns stay right); strings untouched. */
void jsonc_strip_comments(char *text, size_t len);

/* Where a member is: its key and its value. */
struct jsonc_pos {
	int key_line, key_col;
	int line, col; /* the value */
};

/*
 * The member at path (object keys from the root, depth of them) in a text
 * jsonc_check accepted: 1 with *pos filled, 0 when there is no such member.
 */
int jsonc_locate(const char *text, size_t len, const char *const *path, size_t depth, struct jsonc_pos *pos);

#endif
