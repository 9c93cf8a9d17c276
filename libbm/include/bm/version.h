/* Library version. */
#ifndef BM_VERSION_H
#define BM_VERSION_H

#include "bm/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BM_VERSION_MAJOR 0
#define BM_VERSION_MINOR 1
#define BM_VERSION_PATCH 0

/* The version of the library actually linked, "MAJOR.MINOR.PATCH". */
BM_API const char *bm_version(void);

#ifdef __cplusplus
}
#endif
#endif
