/* Error buffers: modules fill a caller's char err[ERR_MAX] and return -1. */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#include <stdarg.h>
#include <stdio.h>

#define ERR_MAX 512

/* Fill err (if not NULL) with a printf-style message; always returns -1. */
__attribute__((format(printf, 2, 3))) static inline int err_set(char *err, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, ERR_MAX, fmt, ap);
		va_end(ap);
	}
	return -1;
}

#endif
