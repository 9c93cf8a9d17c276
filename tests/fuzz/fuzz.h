/* Shared by the fuzz targets (tests/fuzz/README.md): each defines
 * LLVMFuzzerTestOneInput over one parser, on a fresh context, and frees
 * everything it made, so libFuzzer's leak check and ASan see every fault. */
#ifndef BM_FUZZ_H
#define BM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "bm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A context or, when even that fails, nothing to test. */
static inline bm_ctx *fuzz_ctx(void)
{
    bm_ctx *ctx = NULL;
    if (bm_ctx_new(&ctx, NULL))
        return NULL;
    return ctx;
}

/* A parser must report every failure as a diagnostic: a failure with no
 * error on the context is a bug, made loud here. */
static inline void fuzz_check(const bm_ctx *ctx, int rc)
{
    if (rc && bm_ctx_error_count(ctx) == 0 && rc != BM_ENOMEM)
        __builtin_trap();
}

#endif
