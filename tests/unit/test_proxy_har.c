/*
 * vendor-proxy/har_write.c and har_read.c: a log written then read back:
 * text and binary bodies, short ones in memory and long ones (spooled,
 * then served from file ranges), JSON escapes, secrets hidden; bad files.
 */
#include "common/err.h"
#include "vendor-proxy/har.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/kh-har-test-XXXXXX";

static void setup(void)
{
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

TestSuite(proxy_har, .init = setup, .fini = teardown);

static struct har_entry *entry(struct har_log *log, struct spool *sp, const char *method, const char *url,
			       const char *ctype, const void *body, size_t len)
{
	char err[ERR_MAX];
	struct har_entry *e = har_log_add(log);
	cr_assert_not_null(e);
	snprintf(e->started, sizeof(e->started), "2024-01-01T00:00:00.000Z");
	e->method = strdup(method);
	e->url = strdup(url);
	http1_headers_add(&e->req_headers, "Host", "vendor.example");
	e->status = 200;
	e->status_text = strdup("OK");
	http1_headers_add(&e->resp_headers, "Content-Type", ctype);
	/* In uneven pieces, as the network gives them. */
	for (size_t off = 0; off < len;) {
		size_t n = len - off < 7777 ? len - off : 7777;
		cr_assert_eq(body_append(&e->resp_body, sp, (const char *)body + off, n, err), 0, "%s", err);
		off += n;
	}
	e->complete = 1;
	return e;
}

/* Read a record's body back through the streaming reader, in small reads. */
static char *read_body(const struct har_file *f, const struct har_record *r, size_t *len)
{
	char err[ERR_MAX];
	long long size = har_text_size(f->fd, &r->content, err);
	cr_assert_geq(size, 0, "%s", err);
	struct har_text_reader rd;
	har_text_reader_init(&rd, f->fd, &r->content);
	struct buf b = {0};
	char chunk[1000];
	ssize_t n;
	while ((n = har_text_read(&rd, chunk, sizeof(chunk), err)) > 0)
		buf_append(&b, chunk, (size_t)n);
	cr_assert_geq(n, 0, "%s", err);
	har_text_reader_free(&rd);
	*len = b.len;
	cr_assert_eq((long long)b.len, size, "har_text_size says %lld, %zu read", size, b.len);
	buf_append(&b, "", 0);
	return buf_steal(&b);
}

Test(proxy_har, round_trip_of_text_binary_short_and_long)
{
	char err[ERR_MAX];
	struct spool *sp = spool_new(NULL, err);
	cr_assert_not_null(sp, "%s", err);
	struct har_log log = {0};
	/* Text with everything JSON escapes, and a secret. */
	const char *html = "<p class=\"x\">caf\xc3\xa9\ttab\\slash\nline \x01 homer@example.com</p>";
	entry(&log, sp, "GET", "https://vendor.example/page?user=homer%40example.com", "text/html; charset=utf-8", html,
	      strlen(html));
	/* A long binary body (over the spool threshold and the reader's inline size). */
	size_t big = 700000;
	unsigned char *pdf = malloc(big);
	for (size_t i = 0; i < big; i++)
		pdf[i] = (unsigned char)((i * 31 + 7) % 256);
	entry(&log, sp, "GET", "https://vendor.example/bill.pdf", "application/pdf", pdf, big);
	/* A long text body with escapes all along (the slow path of the reader). */
	struct buf longtext = {0};
	for (int i = 0; i < 20000; i++)
		buf_printf(&longtext, "line %d \"quoted\" \xe2\x82\xac\n", i);
	entry(&log, sp, "GET", "https://vendor.example/list.json", "application/json", longtext.data, longtext.len);
	/* An incomplete one is left out. */
	struct har_entry *cut = entry(&log, sp, "GET", "https://vendor.example/cut", "text/plain", "x", 1);
	cut->complete = 0;
	/* A text type with bytes that are not UTF-8: base64 after all. */
	entry(&log, sp, "GET", "https://vendor.example/latin1", "text/plain", "caf\xe9", 4);

	struct redact_secret s[] = {{"login", "homer@example.com"}};
	struct redact *r = redact_new(s, 1);
	int fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_eq(har_write(&log, r, "9.9", fd, err), 0, "%s", err);
	close(fd);

	size_t n;
	FILE *fp = fopen(path, "r");
	char *text = malloc(8 << 20);
	n = fread(text, 1, 8 << 20, fp);
	fclose(fp);
	text[n] = '\0';
	cr_assert_null(strstr(text, "homer"), "a secret reached the HAR");
	cr_assert_not_null(strstr(text, "?user={{kh:login}}"));
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	cr_assert_not_null(root, "the HAR is not JSON: %s at %d:%d", je.text, je.line, je.column);
	json_decref(root);
	free(text);

	struct har_file f;
	cr_assert_eq(har_read(path, &f, err), 0, "%s", err);
	cr_assert_eq(f.n, 4);
	cr_assert_str_eq(f.v[0].url, "https://vendor.example/page?user={{kh:login}}");
	cr_assert_eq(f.v[0].status, 200);
	cr_assert_str_eq(http1_headers_get(&f.v[0].resp_headers, "content-type"), "text/html; charset=utf-8");
	char *b = read_body(&f, &f.v[0], &n);
	cr_assert_str_eq(b, "<p class=\"x\">caf\xc3\xa9\ttab\\slash\nline \x01 {{kh:login}}</p>");
	free(b);
	cr_assert(f.v[1].content.in_file, "a long body stays in the file");
	cr_assert(f.v[1].content.base64);
	b = read_body(&f, &f.v[1], &n);
	cr_assert_eq(n, big);
	cr_assert_eq(memcmp(b, pdf, big), 0);
	free(b);
	cr_assert(f.v[2].content.in_file);
	cr_assert_not(f.v[2].content.base64);
	b = read_body(&f, &f.v[2], &n);
	cr_assert_eq(n, longtext.len);
	cr_assert_eq(memcmp(b, longtext.data, n), 0);
	free(b);
	cr_assert(f.v[3].content.base64);
	b = read_body(&f, &f.v[3], &n);
	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(b, "caf\xe9", 4), 0);
	free(b);
	har_file_free(&f);
	buf_free(&longtext);
	free(pdf);
	redact_free(r);
	har_log_free(&log);
	spool_free(sp);
}

static void write_file(const char *text)
{
	FILE *fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
}

Test(proxy_har, bad_files_say_where)
{
	char err[ERR_MAX];
	struct har_file f;
	write_file("{\"log\": {\n  \"entries\": [,]}}");
	cr_assert_eq(har_read(path, &f, err), -1);
	cr_assert_not_null(strstr(err, ":2:"), "%s", err);
	write_file("{\"log\": {}}");
	cr_assert_eq(har_read(path, &f, err), -1);
	cr_assert_not_null(strstr(err, "no log.entries"), "%s", err);
	write_file("{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\"}, \"response\": {\"status\": 200}}]}}");
	cr_assert_eq(har_read(path, &f, err), -1);
	cr_assert_not_null(strstr(err, "entries[0]"), "%s", err);
	cr_assert_eq(har_read("/nonexistent/x.har", &f, err), -1);
}

Test(proxy_har, foreign_har_with_post_data_and_no_text)
{
	char err[ERR_MAX];
	struct har_file f;
	write_file("{\"log\": {\"version\": \"1.2\", \"entries\": [{\"request\": {\"method\": \"POST\", \"url\": "
		   "\"https://v/x\", \"postData\": {\"mimeType\": \"application/json\", \"text\": \"{\\\"a\\\":1}\"}}, "
		   "\"response\": {\"status\": 204, \"content\": {\"size\": 0, \"mimeType\": \"\"}}}]}}");
	cr_assert_eq(har_read(path, &f, err), 0, "%s", err);
	cr_assert_str_eq(f.v[0].req_body, "{\"a\":1}");
	cr_assert_str_eq(f.v[0].req_mime, "application/json");
	cr_assert_eq(f.v[0].content.len, 0);
	har_file_free(&f);
}
