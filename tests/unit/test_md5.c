/* common/md5.c: RFC 1321 appendix A.5 test suite, streaming, base64. */
#include "common/md5.h"

#include <criterion/criterion.h>
#include <string.h>

Test(md5, rfc1321_vectors)
{
	static const char *const cases[][2] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
		{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		 "57edf4a22be3c955ac49da2e2107b67a"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[33];
		md5_hex(cases[i][0], strlen(cases[i][0]), hex);
		cr_assert_str_eq(hex, cases[i][1], "md5(\"%s\")", cases[i][0]);
	}
}

Test(md5, streaming_in_odd_chunks_equals_one_shot)
{
	static char data[10000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 31 + 7);
	unsigned char a[16], b[16];
	struct md5 m;
	md5_init(&m);
	md5_update(&m, data, sizeof(data));
	md5_final(&m, a);
	md5_init(&m);
	for (size_t off = 0, step = 1; off < sizeof(data); off += step, step = step % 97 + 13)
		md5_update(&m, data + off, off + step > sizeof(data) ? sizeof(data) - off : step);
	md5_final(&m, b);
	cr_assert_eq(memcmp(a, b, 16), 0);
}

Test(md5, base64_round_trip_and_stack_rules)
{
	unsigned char d[16], back[16];
	struct md5 m;
	md5_init(&m);
	md5_update(&m, "abc", 3);
	md5_final(&m, d);
	char b64[25];
	md5_to_base64(d, b64);
	cr_assert_str_eq(b64, "kAFQmDzST7DWlj99KOF/cg==");
	cr_assert_eq(md5_from_base64(b64, back), 0);
	cr_assert_eq(memcmp(d, back, 16), 0);
	cr_assert_eq(md5_from_base64("kAFQmDzST7DWlj99KOF/cg", back), -1); /* Go StdEncoding needs padding */
	cr_assert_eq(md5_from_base64("short", back), -1);
	cr_assert_eq(md5_from_base64("kAFQmDzST7DWlj99KOF/c!==", back), -1);
	cr_assert_eq(md5_from_base64("kAFQmDzST7DWlj99KOF/cg==AAAA", back), -1);
}
