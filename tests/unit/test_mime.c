/* fake-stack/files/mime.c: mime-types lookups and the stack's classes. */
#include "fake-stack/files/mime.h"

#include <criterion/criterion.h>

Test(mime, from_name_like_mime_types)
{
	cr_assert_str_eq(mime_from_name("bill.pdf"), "application/pdf");
	cr_assert_str_eq(mime_from_name("photo.JPG"), "image/jpeg");
	cr_assert_str_eq(mime_from_name("a.b/c.jpeg"), "image/jpeg");
	cr_assert_str_eq(mime_from_name("data.xml"), "application/xml");
	cr_assert_str_eq(mime_from_name("noext"), "application/octet-stream");
	cr_assert_str_eq(mime_from_name(".pdf"), "application/octet-stream"); /* node path.extname(".pdf") is "" */
	cr_assert_str_eq(mime_from_name("file."), "application/octet-stream");
	cr_assert_str_eq(mime_from_name("x.unknownext"), "application/octet-stream");
	cr_assert_str_eq(mime_from_name("card.vcf"), "text/x-vcard");
}

Test(mime, content_type_wins_unless_empty_or_octet_stream)
{
	char m[256], c[256];
	mime_and_class("image/png; charset=binary", "x.pdf", m, c, sizeof(m));
	cr_assert_str_eq(m, "image/png");
	cr_assert_str_eq(c, "image");
	mime_and_class("application/octet-stream", "x.pdf", m, c, sizeof(m));
	cr_assert_str_eq(m, "application/pdf");
	cr_assert_str_eq(c, "pdf");
	mime_and_class("", "x.docx", m, c, sizeof(m));
	cr_assert_str_eq(c, "text");
	mime_and_class(NULL, "x.bin", m, c, sizeof(m));
	cr_assert_str_eq(m, "application/octet-stream");
	cr_assert_str_eq(c, "files");
}

Test(mime, classes_from_the_stack)
{
	char c[64];
	cr_assert_str_eq(mime_class("text/html", c, sizeof(c)), "code");
	cr_assert_str_eq(mime_class("application/zip", c, sizeof(c)), "zip");
	cr_assert_str_eq(mime_class("application/vnd.ms-excel", c, sizeof(c)), "spreadsheet");
	cr_assert_str_eq(mime_class("application/vnd.ms-powerpoint", c, sizeof(c)), "slide");
	cr_assert_str_eq(mime_class("application/x-msdownload", c, sizeof(c)), "binary");
	cr_assert_str_eq(mime_class("text/plain", c, sizeof(c)), "text");
	cr_assert_str_eq(mime_class("audio/mpeg", c, sizeof(c)), "audio");
	cr_assert_str_eq(mime_class("weird", c, sizeof(c)), "weird");
}
