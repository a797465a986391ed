/* The `node -r` preload that gives an unbuilt konnector the manifest its webpack build would bake in. */
#ifndef HARNESS_PRELOAD_H
#define HARNESS_PRELOAD_H

#include <jansson.h>

/* The JS text (malloc'd) defining global.__WEBPACK_PROVIDED_MANIFEST__ as manifest. */
char *preload_text(const json_t *manifest);

#endif
