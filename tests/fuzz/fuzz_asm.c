/* Fuzz target: the assembler (docs/asm.md). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_machine *m = NULL;
    int rc = bm_asm_memory(&m, ctx, (const char *)data, size, "fuzz.s", NULL);
    fuzz_check(ctx, rc);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return 0;
}
