/* Fuzz target: the CSV test-vector reader (docs/network.md), with and
 * without labels, for a fixed two-input graph. */
#include <string.h>

#include "fuzz.h"

static const char graph[] = "input x, y\noutput z = x * y + 1.5\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_graph *g = NULL;
    int rc = bm_graph_read_text(&g, ctx, graph, strlen(graph), "g.bmg", NULL);
    if (rc && bm_ctx_error_count(ctx) > 0)
        __builtin_trap(); /* the fixed graph must read: else nothing is tested */
    if (!rc) {
        for (int labels = 0; labels < 2; labels++) {
            bm_vectors *v = NULL;
            rc = bm_vectors_read(&v, g, (const char *)data, size, "fuzz.csv", labels);
            fuzz_check(ctx, rc);
            bm_vectors_free(v);
        }
        bm_graph_free(g);
    }
    bm_ctx_free(ctx);
    return 0;
}
