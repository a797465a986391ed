/* The one place jsmn is included: every user gets the same static, strict build. */
#ifndef COMMON_JSMN_WRAP_H
#define COMMON_JSMN_WRAP_H

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#endif
