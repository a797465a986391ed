/* common/pct.c */
#include "common/pct.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect_decoded(const char *in, int flags, const char *want, size_t want_len)
{
	char *out = pct_decode(in, strlen(in), flags);
	cr_assert_not_null(out, "%s", in);
	cr_assert_eq(memcmp(out, want, want_len + 1), 0, "%s -> %s", in, out);
	free(out);
}

Test(pct, decodes_escapes_in_any_case)
{
	expect_decoded("io.cozy.konnectors%2Fslug", 0, "io.cozy.konnectors/slug", 23);
	expect_decoded("homer%40example.com", 0, "homer@example.com", 17);
	expect_decoded("%2f%2F", 0, "//", 2);
	expect_decoded("", 0, "", 0);
}

Test(pct, plus_is_space_only_when_asked)
{
	expect_decoded("a+b", PCT_PLUS_IS_SPACE, "a b", 3);
	expect_decoded("a+b", 0, "a+b", 3);
	expect_decoded("a%2Bb", PCT_PLUS_IS_SPACE, "a+b", 3);
}

Test(pct, bad_escapes_fail)
{
	const char *bad[] = {"%", "%4", "abc%", "%zz", "%4g", "a%%20"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(pct_decode(bad[i], strlen(bad[i]), 0), "%s", bad[i]);
}

Test(pct, nul_is_rejected_only_when_asked)
{
	cr_assert_null(pct_decode("a%00b", 5, PCT_REJECT_NUL));
	char *out = pct_decode("a%00b", 5, 0);
	cr_assert_not_null(out);
	cr_assert_eq(memcmp(out, "a\0b", 4), 0);
	free(out);
}
