/* common/konnerr.c: the stack's retry and skip rules on a job's error (worker/exec/konnector.go). */
#include "common/konnerr.h"

#include <criterion/criterion.h>
#include <string.h>

static int blocks(const char *e)
{
	return konnerr_blocks_retry(e, strlen(e));
}

static int skips(const char *e)
{
	return konnerr_skips_runs(e, strlen(e));
}

Test(konnerr, retry_and_skip)
{
	cr_assert(blocks("LOGIN_FAILED") && skips("LOGIN_FAILED"));
	cr_assert(blocks("LOGIN_FAILED.NEEDS_SECRET") && skips("LOGIN_FAILED.NEEDS_SECRET"));
	cr_assert(blocks("USER_ACTION_NEEDED.TWOFA") && skips("USER_ACTION_NEEDED.TWOFA"));
	/* exactly CGU_FORM: no retry, but later runs go */
	cr_assert(blocks("USER_ACTION_NEEDED.CGU_FORM") && !skips("USER_ACTION_NEEDED.CGU_FORM"));
	cr_assert(skips("USER_ACTION_NEEDED.CGU_FORM.MORE"));
	cr_assert(!blocks("VENDOR_DOWN") && !skips("VENDOR_DOWN"));
	cr_assert(!blocks("login_failed") && !skips(" LOGIN_FAILED"));
	cr_assert(!konnerr_blocks_retry(NULL, 0) && !konnerr_skips_runs(NULL, 0));
	/* a NUL inside the error: the length counts, so this is not exactly CGU_FORM */
	cr_assert(konnerr_skips_runs("USER_ACTION_NEEDED.CGU_FORM\0x", 29));
}
