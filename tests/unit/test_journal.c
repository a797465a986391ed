/* journal: entries, body cutting, JSON lines. */
#include "common/atomic_file.h"
#include "fake-stack/journal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(journal, body_cut_at_4k_on_utf8_boundary)
{
	char big[5000];
	memset(big, 'a', sizeof(big));
	big[4095] = '\xc3'; /* é split across the 4 KiB limit */
	big[4096] = '\xa9';
	json_t *b = journal_body(big, sizeof(big));
	cr_assert_eq(json_string_length(b), 4095);
	json_decref(b);
	b = journal_body("\xff\xfe", 2);
	cr_assert_str_eq(json_string_value(b), "<2 bytes, binary>");
	json_decref(b);
}

Test(journal, add_and_write_lines)
{
	struct journal *j = journal_new();
	json_t *q = json_pack("{s:s}", "include_docs", "true");
	struct journal_entry e = {.time = "t", .method = "GET", .path = "/data/x/y", .query = q, .status = 200,
				  .auth = "konnector:tpl", .request_body = "", .response_body = "{}", .response_body_len = 2};
	cr_assert_eq(journal_add(j, &e), 0);
	e.forbidden = "Forbidden";
	e.status = 201;
	cr_assert_eq(journal_add(j, &e), 0);
	cr_assert_eq(json_array_size(journal_entries(j)), 2);
	cr_assert_null(json_object_get(json_array_get(journal_entries(j), 0), "forbidden"));
	char path[] = "/tmp/kh-journal-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	char err[512];
	cr_assert_eq(journal_write(j, path, err), 0);
	size_t len;
	char *txt = file_read_all(path, &len, err);
	cr_assert_not_null(txt);
	cr_assert(strstr(txt, "\"query\":{\"include_docs\":\"true\"}") != NULL);
	cr_assert(strstr(txt, "\"forbidden\":\"Forbidden\"}\n") != NULL);
	int lines = 0;
	for (char *c = txt; *c; c++)
		lines += *c == '\n';
	cr_assert_eq(lines, 2);
	free(txt);
	unlink(path);
	journal_clear(j);
	cr_assert_eq(json_array_size(journal_entries(j)), 0);
	json_decref(q);
	journal_free(j);
}
