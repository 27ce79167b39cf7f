#ifndef CNGHTTP2_SHIM_H
#define CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

// NGHTTP2_VERSION_NUM is a macro; the server checks it against the runtime library.
static inline int CNGHTTP2_header_version_num(void) { return NGHTTP2_VERSION_NUM; }

#endif
