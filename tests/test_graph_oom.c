/* Allocation failures in the graph readers, the lowering and the evaluator:
 * the n-th allocation of the context's allocator fails, for every n until
 * the work succeeds.  Nothing may crash, and under `make sanitize` nothing
 * may leak. */
#include "graph_helpers.h"
#include "failing_alloc.h"

static char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = malloc(1 << 20);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* kind: 0 text, 1 GraphML, 2 network. Returns 0 once everything worked. */
static int attempt(int kind, const char *data, size_t len, long countdown)
{
    failing f = {countdown, 0};
    bm_allocator a = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, &a))
        return -1;
    bm_graph *g = NULL;
    bm_network *net = NULL;
    int rc;
    if (kind == 0) {
        rc = bm_graph_read_text(&g, ctx, data, len, "oom", NULL);
    } else if (kind == 1) {
        rc = bm_graph_read_graphml(&g, ctx, data, len, "oom", NULL);
    } else {
        rc = bm_network_read(&net, ctx, data, len, "oom", NULL);
        if (!rc)
            rc = bm_network_to_graph(&g, net);
    }
    if (rc) {
        cr_assert_null(g, "no graph on failure");
        /* Recording "out of memory" may itself fail; other failures must
         * be described. */
        cr_assert(rc == BM_ENOMEM || bm_ctx_error_count(ctx) > 0,
                  "countdown %ld: error %d without a message", countdown, rc);
    } else {
        int64_t in[64] = {0}, out[16];
        rc = bm_graph_eval(g, in, out);
    }
    if (!rc && kind == 2) {
        const char *csv = "# x0, x1, label\n1,2,1\n2,-1,0\n";
        bm_vectors *v = (bm_vectors *)1;
        rc = bm_vectors_read(&v, g, csv, strlen(csv), "oom.csv", 1);
        if (rc)
            cr_assert_null(v);
        bm_vectors_free(v);
    }
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
    return rc;
}

static void exhaust(int kind, const char *path)
{
    size_t len;
    char *data = load(path, &len);
    long n = 0;
    while (attempt(kind, data, len, n) != 0) {
        n++;
        cr_assert_lt(n, 100000, "%s never succeeds", path);
    }
    cr_expect_gt(n, 5, "%s: the allocations were exercised", path);
    free(data);
}

Test(graph_oom, text)
{
    exhaust(0, "examples/graph/expr.bmg");
}

Test(graph_oom, graphml)
{
    exhaust(1, "examples/graph/expr.graphml");
}

Test(graph_oom, network)
{
    exhaust(2, "tests/data/graph/tiny.xml");
}
