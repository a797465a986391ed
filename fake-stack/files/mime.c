/*
 * Extension → mime type, following the npm package mime-types 2.1.35 (mime-db
 * 1.52.0), which cozy-konnector-libs uses to validate what it downloads: when two
 * types claim an extension it keeps the better source (iana > none > apache >
 * nginx), and on a tie the application/ one. Only common types are listed.
 */
#include "fake-stack/files/mime.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct mime_ext {
	const char *ext;
	const char *mime;
};

/* Sorted by extension (binary search). */
static const struct mime_ext mime_table[] = {
	{"7z", "application/x-7z-compressed"},
	{"aac", "audio/x-aac"},
	{"avi", "video/x-msvideo"},
	{"bmp", "image/bmp"},
	{"bz2", "application/x-bzip2"},
	{"c", "text/x-c"},
	{"css", "text/css"},
	{"csv", "text/csv"},
	{"doc", "application/msword"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"eml", "message/rfc822"},
	{"epub", "application/epub+zip"},
	{"gif", "image/gif"},
	{"gz", "application/gzip"},
	{"heic", "image/heic"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"ico", "image/vnd.microsoft.icon"},
	{"ics", "text/calendar"},
	{"jpe", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"jpg", "image/jpeg"},
	{"js", "application/javascript"},
	{"json", "application/json"},
	{"key", "application/vnd.apple.keynote"},
	{"m4a", "audio/mp4"},
	{"md", "text/markdown"},
	{"mkv", "video/x-matroska"},
	{"mov", "video/quicktime"},
	{"mp3", "audio/mpeg"},
	{"mp4", "video/mp4"},
	{"mpeg", "video/mpeg"},
	{"numbers", "application/vnd.apple.numbers"},
	{"odg", "application/vnd.oasis.opendocument.graphics"},
	{"odp", "application/vnd.oasis.opendocument.presentation"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"oga", "audio/ogg"},
	{"ogg", "audio/ogg"},
	{"ogv", "video/ogg"},
	{"pages", "application/vnd.apple.pages"},
	{"pdf", "application/pdf"},
	{"png", "image/png"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"rar", "application/vnd.rar"},
	{"rtf", "application/rtf"},
	{"svg", "image/svg+xml"},
	{"tar", "application/x-tar"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"txt", "text/plain"},
	{"vcf", "text/x-vcard"},
	{"wav", "audio/wave"},
	{"webm", "video/webm"},
	{"webp", "image/webp"},
	{"xhtml", "application/xhtml+xml"},
	{"xls", "application/vnd.ms-excel"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"xml", "application/xml"},
	{"zip", "application/zip"},
};

#define MIME_DEFAULT "application/octet-stream"

const char *mime_from_name(const char *name)
{
	/* mime-types uses node's path.extname: after the last dot of the last segment, none for ".pdf" or "a." */
	const char *base = name ? strrchr(name, '/') : NULL;
	base = base ? base + 1 : name;
	const char *dot = base ? strrchr(base, '.') : NULL;
	if (dot == NULL || dot == base || dot[1] == '\0')
		return MIME_DEFAULT;
	const char *ext = dot + 1;
	size_t lo = 0, hi = sizeof(mime_table) / sizeof(mime_table[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcasecmp(ext, mime_table[mid].ext);
		if (c == 0)
			return mime_table[mid].mime;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return MIME_DEFAULT;
}

/* Is m one of the NULL-terminated list? */
static int mime_in(const char *m, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(m, *list) == 0)
			return 1;
	return 0;
}

/* stack: model/vfs/vfs.go ExtractMimeAndClass (the class switch). */
const char *mime_class(const char *mime, char *buf, unsigned size)
{
	static const char *const binary[] = {"application/x-apple-diskimage", "application/x-msdownload", NULL};
	static const char *const code[] = {"text/html",      "text/css",           "text/xml",
					   "application/js", "text/x-c",           "text/x-go",
					   "text/x-python",  "application/x-ruby", NULL};
	static const char *const slide[] = {"application/vnd.ms-powerpoint", "application/x-iwork-keynote-sffkey",
					    "application/vnd.oasis.opendocument.graphics",
					    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
					    NULL};
	static const char *const sheet[] = {"application/vnd.ms-excel", "application/x-iwork-numbers-sffnumbers",
					    "application/vnd.oasis.opendocument.spreadsheet",
					    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL};
	static const char *const text[] = {
		"application/msword", "application/x-iwork-pages-sffpages", "application/vnd.oasis.opendocument.text",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", NULL};
	static const char *const zip[] = {"application/x-7z-compressed",
					  "application/x-rar-compressed",
					  "application/zip",
					  "application/gzip",
					  "application/x-tar",
					  NULL};
	const char *cls = NULL;
	if (strcmp(mime, MIME_DEFAULT) == 0)
		cls = "files";
	else if (mime_in(mime, binary))
		cls = "binary";
	else if (mime_in(mime, code))
		cls = "code";
	else if (strcmp(mime, "application/pdf") == 0)
		cls = "pdf";
	else if (mime_in(mime, slide))
		cls = "slide";
	else if (mime_in(mime, sheet))
		cls = "spreadsheet";
	else if (mime_in(mime, text))
		cls = "text";
	else if (mime_in(mime, zip))
		cls = "zip";
	if (cls != NULL) {
		snprintf(buf, size, "%s", cls);
	} else {
		const char *slash = strchr(mime, '/');
		size_t n = slash ? (size_t)(slash - mime) : strlen(mime);
		snprintf(buf, size, "%.*s", (int)n, mime);
	}
	return buf;
}

/* stack: web/files/files.go FileDocFromReq: empty or octet-stream Content-Type → guessed from the name. */
void mime_and_class(const char *content_type, const char *name, char *mime, char *class, unsigned size)
{
	char ct[256] = "";
	if (content_type != NULL) {
		const char *semi = strchr(content_type, ';');
		size_t n = semi ? (size_t)(semi - content_type) : strlen(content_type);
		while (n > 0 && (content_type[0] == ' ' || content_type[0] == '\t')) {
			content_type++;
			n--;
		}
		while (n > 0 && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
			n--;
		if (n >= sizeof(ct))
			n = sizeof(ct) - 1;
		memcpy(ct, content_type, n);
		ct[n] = '\0';
	}
	if (ct[0] == '\0' || strcmp(ct, MIME_DEFAULT) == 0)
		snprintf(mime, size, "%s", mime_from_name(name));
	else
		snprintf(mime, size, "%s", ct);
	mime_class(mime, class, size);
}
