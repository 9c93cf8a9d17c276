/* Fuzz target: the GraphML reader (docs/graph.md). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_graph *g = NULL;
    int rc = bm_graph_read_graphml(&g, ctx, (const char *)data, size, "fuzz.graphml", NULL);
    fuzz_check(ctx, rc);
    if (!rc)
        bm_graph_free(g);
    bm_ctx_free(ctx);
    return 0;
}
