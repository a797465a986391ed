/*
 * libFuzzer target for event_parse: never crash, never read past len (the
 * input is copied to an exact-size heap buffer so ASan sees any over-read),
 * and agree with jansson on "valid JSON or not" except for the documented
 * differences (bad UTF-8, lone surrogates, number range, depth; see
 * tests/unit/test_events.c). Also drives the line scanner.
 */
#include "harness/judge/events.h"
#include "harness/judge/linescan.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void on_line(void *arg, const char *line, size_t len, unsigned long lineno)
{
	(void)arg;
	(void)lineno;
	struct event ev;
	if (event_parse(line, len, &ev, NULL, 0, NULL) == EVENT_OK)
		event_clear(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);
	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	struct event ev;
	char why[64];
	size_t col;
	enum event_status st = event_parse(line, size, &ev, why, sizeof(why), &col);
	if (st == EVENT_OK) {
		if (ev.message_len > EVENT_MESSAGE_MAX)
			abort();
		event_clear(&ev);
	} else if (col == 0 || col > size + 1) {
		abort();
	}
	/* jansson's buffer reader can stop at a raw NUL ("null" + NUL loads): Go refuses it, no oracle there */
	if (memchr(line, '\n', size) == NULL && memchr(line, '\0', size) == NULL) {
		json_error_t je;
		json_t *j = json_loadb(line, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (j == NULL && st != EVENT_NOT_JSON && strstr(je.text, "UTF-8") == NULL &&
		    strstr(je.text, "unable to decode byte") == NULL && strstr(je.text, "surrogate") == NULL &&
		    strstr(je.text, "Unicode") == NULL && strstr(je.text, "too big") == NULL &&
		    strstr(je.text, "overflow") == NULL && strstr(je.text, "depth") == NULL)
			abort(); /* we accept what jansson refuses for no documented reason */
		if (j != NULL && st == EVENT_NOT_JSON)
			abort(); /* we refuse valid JSON */
		json_decref(j);
	}
	struct linescan_hooks h = {on_line, NULL, NULL};
	struct linescan *s = linescan_new(&h);
	if (s) {
		linescan_feed(s, line, size);
		linescan_finish(s);
		linescan_free(s);
	}
	free(line);
	return 0;
}
