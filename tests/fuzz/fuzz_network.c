/* Fuzz target: the network XML reader (docs/network.md) and its lowering to
 * a graph. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_network *net = NULL;
    int rc = bm_network_read(&net, ctx, (const char *)data, size, "fuzz.xml", NULL);
    fuzz_check(ctx, rc);
    if (!rc) {
        bm_graph *g = NULL;
        if (bm_network_to_graph(&g, net) == 0)
            bm_graph_free(g);
        bm_network_free(net);
    }
    bm_ctx_free(ctx);
    return 0;
}
