/* The stack's rules on a konnector job's error; see konnerr.h. */
#include "common/konnerr.h"

#include <string.h>

static int has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

int konnerr_blocks_retry(const char *err, size_t len)
{
	return err != NULL &&
	       (has_prefix(err, len, KONNERR_LOGIN_FAILED) || has_prefix(err, len, KONNERR_USER_ACTION_NEEDED));
}

int konnerr_skips_runs(const char *err, size_t len)
{
	if (err == NULL)
		return 0;
	if (has_prefix(err, len, KONNERR_LOGIN_FAILED))
		return 1;
	return has_prefix(err, len, KONNERR_USER_ACTION_NEEDED) &&
	       !(len == strlen(KONNERR_USER_ACTION_NEEDED_CGU) &&
		 memcmp(err, KONNERR_USER_ACTION_NEEDED_CGU, len) == 0);
}
