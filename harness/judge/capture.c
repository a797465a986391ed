/* events.jsonl, the run directory's capture of stdout; see capture.h. */
#include "harness/judge/capture.h"

#include "common/b64.h"
#include "common/buf.h"
#include "common/err.h"
#include "harness/judge/events.h"
#include "harness/judge/linescan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* True when s[0..n) is valid UTF-8 without NUL bytes (jansson strings cannot hold NUL). */
static int capture_plain(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '\0')
			return 0;
		int l = event_utf8_len((const unsigned char *)s + i, n - i);
		if (l == 0)
			return 0;
		i += (size_t)l;
	}
	return 1;
}

int capture_format(struct buf *out, long long time_ms, unsigned long lineno, const char *raw, size_t len, int too_long)
{
	time_t sec = (time_t)(time_ms / 1000);
	struct tm tm;
	char ts[40];
	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (buf_printf(out, "{\"time\":\"%s.%03lldZ\",\"line\":%lu,", ts, time_ms % 1000, lineno) < 0)
		return -1;
	if (too_long && buf_printf(out, "\"too_long\":true,\"length\":%zu,", len) < 0)
		return -1;
	if (too_long && len > LINESCAN_LINE_MAX)
		len = LINESCAN_LINE_MAX;
	if (capture_plain(raw, len)) {
		json_t *js = json_stringn(raw, len);
		char *enc = js ? json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		json_decref(js);
		if (enc == NULL)
			return -1;
		int rc = buf_printf(out, "\"raw\":%s}\n", enc);
		free(enc);
		return rc;
	}
	if (buf_puts(out, "\"raw_base64\":\"") < 0 || b64_encode(out, raw, len, B64_STD) < 0)
		return -1;
	return buf_puts(out, "\"}\n");
}

int capture_parse(const char *rec, size_t len, unsigned long *lineno, char **raw, size_t *raw_len, int *too_long,
		  char *err)
{
	json_error_t je;
	json_t *o = json_loadb(rec, len, 0, &je);
	if (o == NULL)
		return err_set(err, "column %d: %s", je.column, je.text);
	json_t *l = json_object_get(o, "line"), *r = json_object_get(o, "raw"), *b = json_object_get(o, "raw_base64");
	int rc = -1;
	if (!json_is_object(o) || !json_is_integer(l) || json_integer_value(l) < 0 ||
	    (!json_is_string(r) && !json_is_string(b))) {
		err_set(err, "not an %s record: an object with \"line\" and \"raw\" (or \"raw_base64\") expected",
			CAPTURE_FILE);
		goto out;
	}
	*lineno = (unsigned long)json_integer_value(l);
	*too_long = json_is_true(json_object_get(o, "too_long"));
	if (json_is_string(r)) {
		*raw_len = json_string_length(r);
		*raw = malloc(*raw_len + 1);
		if (*raw == NULL) {
			err_set(err, "out of memory");
			goto out;
		}
		memcpy(*raw, json_string_value(r), *raw_len + 1);
	} else {
		*raw = b64_decode(json_string_value(b), json_string_length(b), raw_len);
		if (*raw == NULL) {
			err_set(err, "bad raw_base64");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}
