/* The export macro: what leaves libbm.so.
 *
 * Every function of the public API is declared with BM_API in front.  The
 * library is built with -fvisibility=hidden and a linker version script
 * (libbm/libbm.map), so BM_API is the only way out of libbm.so: whatever is
 * not marked stays inside, and libbm.a is linked into one object whose
 * non-BM_API symbols are made local, so they cannot clash with a program's
 * own names either.  `make test` compares `nm -D` of libbm.so against the
 * functions these headers declare (tests/symbols_check.sh).
 *
 * Names: the public API is bm_* (functions, types) and BM_* (macros, enum
 * values).  Internal functions shared between the library's files are
 * declared in private headers, never here, and carry a private prefix:
 * bmi_ (for example bmi_sim_cycle), or bm_ for the older helpers of
 * libbm/src/internal.h; everything else is static.
 */
#ifndef BM_EXPORT_H
#define BM_EXPORT_H

#if defined(__GNUC__)
#define BM_API __attribute__((visibility("default")))
#else
#define BM_API
#endif

#endif
