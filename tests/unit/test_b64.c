/* common/b64.c: RFC 4648 section 10 vectors in both alphabets, strict and lenient decoding. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"

static char *enc(const char *s, enum b64_alphabet a)
{
	struct buf b = {0};
	cr_assert_eq(b64_encode(&b, s, strlen(s), a), 0);
	buf_append(&b, "", 0);
	return buf_steal(&b);
}

Test(b64, rfc4648_vectors)
{
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	const char *url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *s = enc(in[i], B64_STD), *u = enc(in[i], B64_URL);
		cr_assert_str_eq(s, std[i]);
		cr_assert_str_eq(u, url[i]);
		size_t n = 0;
		char *d = b64_decode(s, strlen(s), &n);
		cr_assert_not_null(d);
		cr_assert_eq(n, strlen(in[i]));
		cr_assert_eq(memcmp(d, in[i], n), 0);
		free(d);
		d = b64_decode_lenient(u, &n);
		cr_assert_str_eq(d, in[i]);
		free(d);
		free(s);
		free(u);
	}
}

Test(b64, strict_refuses_what_go_std_refuses)
{
	size_t n;
	cr_assert_null(b64_decode("Zg", 2, &n));       /* no padding */
	cr_assert_null(b64_decode("Zg==Zg==", 8, &n)); /* padding in the middle */
	cr_assert_null(b64_decode("Z=g=", 4, &n));
	cr_assert_null(b64_decode("Zm-v", 4, &n)); /* URL alphabet */
	cr_assert_null(b64_decode_lenient("Zm9v!", &n));
}

Test(b64, binary_round_trip)
{
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	struct buf b = {0};
	cr_assert_eq(b64_encode(&b, all, sizeof(all), B64_STD), 0);
	size_t n = 0;
	char *d = b64_decode(b.data, b.len, &n);
	cr_assert_eq(n, 256);
	cr_assert_eq(memcmp(d, all, 256), 0);
	free(d);
	buf_free(&b);
}
