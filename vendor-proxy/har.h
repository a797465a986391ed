/*
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format
 * browsers, Polly.JS and WireMock read: the recorder's entries and their
 * streaming writer, and the replayer's reading of a file. Bodies never have
 * to fit in memory on either side: the writer streams them from the spool
 * (text JSON-escaped, anything else base64), the reader keeps long strings
 * as ranges of the file and decodes them as they are served.
 */
#ifndef VENDOR_PROXY_HAR_H
#define VENDOR_PROXY_HAR_H

#include "vendor-proxy/body.h"
#include "vendor-proxy/http1.h"
#include "vendor-proxy/redact.h"

#include <stddef.h>
#include <sys/types.h>

/* One exchange as the recorder saw it (raw: secrets are hidden when written). */
struct har_entry {
	char started[40]; /* startedDateTime, ISO-8601 UTC */
	long long wait_ms, receive_ms;
	char *method, *url;
	struct http1_headers req_headers;
	struct body req_body;
	int status; /* 0: no answer (error says why) */
	char *status_text;
	struct http1_headers resp_headers; /* as the konnector got them */
	struct body resp_body;
	char *error;
	int complete; /* only complete entries are written */
};

struct har_log {
	struct har_entry **v;
	size_t n, cap;
};

/* A new entry at the end (in the order requests arrived), or NULL. */
struct har_entry *har_log_add(struct har_log *log);
void har_log_free(struct har_log *log);
/* Is this Content-Type text the HAR may keep as text (when the bytes are UTF-8)? */
int har_mime_is_text(const char *mime);

/* Write the whole HAR to fd (complete entries only), secrets hidden with r (may be NULL). */
int har_write(const struct har_log *log, const struct redact *r, const char *creator_version, int fd, char *err);

/* A body in a HAR file: decoded in memory, or a range of the file (a JSON string's raw content). */
struct har_text {
	char *mem; /* decoded bytes (NUL-terminated) when small */
	size_t len;
	int in_file; /* else: [start, end) of the file, JSON-escaped, maybe base64 */
	off_t start, end;
	int escaped; /* the range holds a backslash escape */
	int base64;
};

/* One recorded exchange as the replayer reads it. */
struct har_record {
	char *method, *url;
	char *req_mime; /* postData.mimeType, NULL when none */
	char *req_body; /* postData.text decoded (NUL-terminated), NULL when none */
	size_t req_body_len;
	int status;
	char *status_text;
	struct http1_headers resp_headers;
	struct har_text content;
	char *error; /* _error of an exchange that got no answer */
};

struct har_file {
	char *path;
	int fd; /* kept open: long bodies are read from it while served */
	struct har_record *v;
	size_t n;
};

/* Read a HAR: err has path:line:column for bad JSON, or names the entry that is not HAR. */
int har_read(const char *path, struct har_file *out, char *err);
void har_file_free(struct har_file *f);

/* Decoding a har_text as it is served. */
struct har_text_reader {
	int fd;
	const struct har_text *t;
	off_t pos;    /* next raw byte of the file range */
	size_t taken; /* in memory: bytes handed out */
	int esc;      /* JSON unescaping: 0, 1 after a backslash, 2.. inside \uXXXX */
	unsigned hex, high;
	unsigned char b64[4]; /* sextets of the base64 group being read */
	int nb64, b64_end;
	struct buf out; /* decoded bytes not handed out yet */
};
void har_text_reader_init(struct har_text_reader *r, int fd, const struct har_text *t);
/* Up to cap decoded bytes; 0 at the end, -1 when the file is unreadable or the text is malformed. */
ssize_t har_text_read(struct har_text_reader *r, char *dst, size_t cap, char *err);
void har_text_reader_free(struct har_text_reader *r);
/* The decoded size of a text (reads a file range through once). -1 on error. */
long long har_text_size(int fd, const struct har_text *t, char *err);

#endif
