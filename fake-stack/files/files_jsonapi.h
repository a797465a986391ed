/* JSON:API shapes of io.cozy.files docs, as web/files/paginated.go renders them. Internal to fake-stack/. */
#ifndef FAKE_STACK_FILES_JSONAPI_H
#define FAKE_STACK_FILES_JSONAPI_H

#include "fake-stack/files/vfs.h"

#include <jansson.h>

/* The resource object of a file or dir doc: {type,id,attributes,meta:{rev},links,relationships}. with_path: files get
 * "path" (as _find gives it). New ref. */
json_t *files_jsonapi_object(const json_t *doc, int with_path);
/*
 * GET /files/:id or /files/metadata of a directory: the object with contents
 * (meta.count, data), parent, not_synchronized_on, and included children;
 * skip/limit page the children (stack: 30 per page), *next set when more remain.
 * A whole document {data, included[, links]}. New ref.
 */
json_t *files_jsonapi_dir_document(const struct vfs *v, const json_t *dir, size_t skip, size_t limit);
/* {"data": object} for one file or dir (no children). New ref. */
json_t *files_jsonapi_document(const json_t *doc);

#endif
