/*
 * The stack's rules on a konnector job's error, in one place for the judge
 * (harness/judge/verdict.c) and the fake stack's job system (stack:
 * worker/exec/konnector.go jobHookErrorCheckerKonnector, beforeHookKonnector).
 */
#ifndef COMMON_KONNERR_H
#define COMMON_KONNERR_H

#include <stddef.h>

/* stack: worker/exec/konnector.go konnErrorLoginFailed & co. */
#define KONNERR_LOGIN_FAILED "LOGIN_FAILED"
#define KONNERR_USER_ACTION_NEEDED "USER_ACTION_NEEDED"
#define KONNERR_USER_ACTION_NEEDED_CGU "USER_ACTION_NEEDED.CGU_FORM"

/* jobHookErrorCheckerKonnector: no second execution after an error starting with LOGIN_FAILED or USER_ACTION_NEEDED. */
int konnerr_blocks_retry(const char *err, size_t len);
/* beforeHookKonnector: later automatic runs are skipped after LOGIN_FAILED…, or USER_ACTION_NEEDED… but exactly
 * …CGU_FORM. */
int konnerr_skips_runs(const char *err, size_t len);

#endif
