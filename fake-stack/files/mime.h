/* File mime type and Cozy class: from the upload's Content-Type, else from the name's extension. */
#ifndef FAKE_STACK_MIME_H
#define FAKE_STACK_MIME_H

/* The mime type for a file name's extension, as the npm mime-types lookup() gives it; "application/octet-stream" when
 * unknown. */
const char *mime_from_name(const char *name);
/*
 * The stored mime and class of a file: content_type (parameters after ';' dropped)
 * unless it is NULL, empty or application/octet-stream, then the extension's.
 * mime and class get at most size bytes each.
 */
void mime_and_class(const char *content_type, const char *name, char *mime, char *class, unsigned size);
/* The Cozy class of a mime type (stack: model/vfs/vfs.go ExtractMimeAndClass). */
const char *mime_class(const char *mime, char *buf, unsigned size);

#endif
