/*
 * cozy-konnector-libs read the manifest from __WEBPACK_PROVIDED_MANIFEST__,
 * which webpack's DefinePlugin replaces in a build; unbuilt, with NODE_ENV
 * unset (as under the stack), the slug is undefined (cozy-konnector-libs src/libs/manifest.js).
 * Defining the global first reproduces the built behaviour; a built bundle
 * never reads the global, so the preload is harmless there.
 */
#include "harness/job/preload.h"

#include <stdio.h>
#include <stdlib.h>

char *preload_text(const json_t *manifest)
{
	char *json = json_dumps(manifest, JSON_COMPACT | JSON_ENCODE_ANY);
	if (json == NULL)
		return NULL;
	char *text = NULL;
	int n = asprintf(&text,
			 "// Written by konnector-harness run: the manifest a webpack build would have baked in.\n"
			 "if (typeof global.__WEBPACK_PROVIDED_MANIFEST__ === 'undefined') {\n"
			 "  global.__WEBPACK_PROVIDED_MANIFEST__ = %s;\n"
			 "}\n",
			 json);
	free(json);
	return n < 0 ? NULL : text;
}
