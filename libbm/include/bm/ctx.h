/* The libbm context: diagnostics and the allocator.
 *
 * Every libbm call that can fail takes a bm_ctx, or an object made on one.
 * Failures are returned as a negative BM_E* code and described by
 * diagnostics recorded on the context (severity, file, line, column,
 * message).  The library never prints them; the caller iterates and prints
 * them, for example with bm_diag_format(), or takes the last error as one
 * string with bm_ctx_errmsg().  docs/api.md states the rules below at length;
 * tests/test_api.c checks them.
 *
 * Errors: a call that fails with a context at hand (its own argument, or
 * the context of the object it was given) records at least one error
 * diagnostic.  Only a NULL handle or out-parameter, where there is no
 * context to record on, fails with BM_EINVAL and nothing recorded.
 * Functions that look a name up (bm_isa_lookup, bm_machine_find_input, ...)
 * return BM_ENOTFOUND, never -1 (which is BM_ENOMEM), and record nothing:
 * not finding a name is an answer, not a failure.  Diagnostics accumulate
 * until bm_ctx_clear_diags(); clear them between calls to see only the
 * newest.
 *
 * Lifetimes: every object made on a context (machine, graph, network,
 * simulator, co-simulation, report, vectors, generated text) must be freed
 * before the context; bm_ctx_free() frees the context only, and an object
 * used after it is a use after free.  A core belongs to its machine, a
 * simulator reads its machine, which must outlive it unchanged.  Every
 * *_free function accepts NULL and does nothing.
 *
 * Threads: libbm keeps no global mutable state.  A context and the objects
 * made on it belong to one thread at a time; two threads may work at once
 * on two contexts.  Read-only tables (bm_isa_get, bm_device_get, ...) may be
 * read from any thread.  libxml2 is initialised once, by the first
 * bm_ctx_new(), so programs need not call xmlInitParser().
 */
#ifndef BM_CTX_H
#define BM_CTX_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes: 0 is success, failures are negative. */
enum {
    BM_OK = 0,
    BM_ENOMEM = -1,     /* an allocation failed */
    BM_EINVAL = -2,     /* a bad argument from the caller (a bug in the caller) */
    BM_EIO = -3,        /* a file could not be read or written */
    BM_EPARSE = -4,     /* malformed input: details are on the context */
    BM_EINVALID = -5,   /* well-formed input that breaks a rule: details on the context */
    BM_ERANGE = -6,     /* a value does not fit where it must go */
    BM_ENOTFOUND = -7,  /* a name or index that does not exist */
    BM_EEXISTS = -8,    /* a name that is already taken */
    BM_ETOOL = -9       /* an external tool (Verilator, a C++ compiler) failed */
};

/* A short English description of a BM_E* code. */
BM_API const char *bm_strerror(int code);

typedef enum bm_severity {
    BM_SEV_NOTE = 0,
    BM_SEV_WARNING = 1,
    BM_SEV_ERROR = 2
} bm_severity;

/* A position in an input file.  file may be NULL when the object did not come
 * from a file; line and column count from 1, and 0 means "unknown". */
typedef struct bm_loc {
    const char *file;
    unsigned line;
    unsigned column;
} bm_loc;

typedef struct bm_diag {
    bm_severity severity;
    bm_loc loc;
    const char *message;
} bm_diag;

/* Allocator hook.  All of libbm's own allocations go through it; libxml2 and
 * GMP keep their own allocators. */
typedef struct bm_allocator {
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void (*free_fn)(void *user, void *ptr);
    void *user;
} bm_allocator;

typedef struct bm_ctx bm_ctx;

/* Creates a context (*out, freed with bm_ctx_free).  allocator may be NULL
 * for the C library's allocator; when given, it is copied.  BM_EINVAL for a
 * NULL out or an allocator with a NULL function, BM_ENOMEM. */
BM_API int bm_ctx_new(bm_ctx **out, const bm_allocator *allocator);
/* Frees the context and its diagnostics; every object made on it must have
 * been freed before.  NULL is allowed. */
BM_API void bm_ctx_free(bm_ctx *ctx);

/* Frees a buffer a libbm function returned through a `char **` or array
 * out-parameter (XML, DOT, assembler and SVG text, co-simulation
 * transfers) for an object made on ctx: the one way to free any of them.
 * The older per-kind functions (bm_xml_buffer_free, bm_dot_free,
 * bm_disasm_free, bm_sim_text_free, bm_cosim_transfers_free) do the same
 * and stay.  NULL buf does nothing. */
BM_API void bm_buffer_free(bm_ctx *ctx, void *buf);

/* How many diagnostics (of every severity) the context holds. */
BM_API size_t bm_ctx_diag_count(const bm_ctx *ctx);
/* The i-th diagnostic, in the order they were recorded; NULL past the end.
 * Owned by the context, valid until bm_ctx_clear_diags() or bm_ctx_free(). */
BM_API const bm_diag *bm_ctx_diag(const bm_ctx *ctx, size_t i);
/* How many of the diagnostics are errors / warnings. */
BM_API size_t bm_ctx_error_count(const bm_ctx *ctx);
BM_API size_t bm_ctx_warning_count(const bm_ctx *ctx);
/* Forgets every diagnostic (counts go back to 0); interned strings stay. */
BM_API void bm_ctx_clear_diags(bm_ctx *ctx);
/* The newest error diagnostic as one line, "file:line:col: error: message"
 * (unknown parts left out), or "" when the context holds no error.  The
 * text belongs to the context and stays valid until the next call of
 * bm_ctx_errmsg, bm_ctx_clear_diags or bm_ctx_free.  For bindings that
 * turn a failed call into one exception message. */
BM_API const char *bm_ctx_errmsg(bm_ctx *ctx);

#define BM_ERROR_LIMIT_DEFAULT 100
/* Errors kept on a context (BM_ERROR_LIMIT_DEFAULT): past this many, errors
 * are still counted (so bm_ctx_error_count stays exact) but not kept, and one
 * note at the end says "... and N more errors not shown".  0 keeps every
 * error. */
BM_API void bm_ctx_set_error_limit(bm_ctx *ctx, size_t errors);

#define BM_INPUT_LIMIT_DEFAULT ((size_t)256 << 20)
/* The largest input file the readers accept, in bytes
 * (BM_INPUT_LIMIT_DEFAULT): a longer one (or an endless one, like /dev/zero)
 * is refused with "input larger than N bytes" after reading N + 1 bytes.  0
 * means no limit.  Set it, and read it back. */
BM_API void bm_ctx_set_input_limit(bm_ctx *ctx, size_t bytes);
BM_API size_t bm_ctx_input_limit(const bm_ctx *ctx);

/* Formats "file:line:col: error: message" (parts that are unknown are left
 * out) into buf like snprintf: returns the length the full text needs. */
BM_API int bm_diag_format(char *buf, size_t size, const bm_diag *diag);

/* Keeps a copy of a string for the life of the context (used for file names
 * in bm_loc).  Returns NULL when out of memory. */
BM_API const char *bm_ctx_intern(bm_ctx *ctx, const char *s);

#ifdef __cplusplus
}
#endif
#endif
