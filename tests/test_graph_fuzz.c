/* Bad input never crashes a graph reader: seeded random mutations of the
 * example and test files (run under ASan/UBSan by `make sanitize`).  Every
 * failure must come with at least one error diagnostic. */
#include "graph_helpers.h"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

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

/* Bytes that matter to the parsers. */
static const char interesting[] = "<>/=\"'(),-+*#.0123456789eE \n\txyrelumaxinputconst&;:";

static void mutate(char *buf, size_t *len, size_t cap, uint64_t *s)
{
    unsigned edits = 1 + (unsigned)(rng_next(s) % 4);
    for (unsigned e = 0; e < edits && *len; e++) {
        size_t at = (size_t)(rng_next(s) % *len);
        switch (rng_next(s) % 4) {
        case 0: /* replace */
            buf[at] = interesting[rng_next(s) % (sizeof interesting - 1)];
            break;
        case 1: /* delete a run */ {
            size_t n = 1 + (size_t)(rng_next(s) % 8);
            if (at + n > *len)
                n = *len - at;
            memmove(buf + at, buf + at + n, *len - at - n);
            *len -= n;
            break;
        }
        case 2: /* duplicate a run */ {
            size_t n = 1 + (size_t)(rng_next(s) % 16);
            if (at + n > *len)
                n = *len - at;
            if (*len + n < cap) {
                memmove(buf + at + n, buf + at, *len - at);
                *len += n;
            }
            break;
        }
        default: /* truncate */
            *len = at;
            break;
        }
    }
    buf[*len] = '\0';
}

static void fuzz_file(const char *path, int kind, uint64_t seed, int rounds)
{
    size_t len0;
    char *orig = load(path, &len0);
    size_t cap = len0 * 2 + 64;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    uint64_t s = seed;
    for (int round = 0; round < rounds; round++) {
        memcpy(buf, orig, len0 + 1);
        size_t len = len0;
        mutate(buf, &len, cap, &s);
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = NULL;
        bm_network *net = NULL;
        int rc;
        if (kind == 0)
            rc = bm_graph_read_text(&g, ctx, buf, len, "fuzz.bmg", NULL);
        else if (kind == 1)
            rc = bm_graph_read_graphml(&g, ctx, buf, len, "fuzz.graphml", NULL);
        else
            rc = bm_network_read(&net, ctx, buf, len, "fuzz.xml", NULL);
        if (rc)
            cr_assert_gt(bm_ctx_error_count(ctx), 0, "%s round %d: error %d without a message",
                         path, round, rc);
        if (net) {
            rc = bm_network_to_graph(&g, net);
            cr_assert(rc == 0 || bm_ctx_error_count(ctx) > 0);
        }
        if (g) {
            int64_t in[128] = {0}, out[64];
            if (bm_graph_input_count(g) <= 128 && bm_graph_output_count(g) <= 64)
                cr_assert_eq(bm_graph_eval(g, in, out), 0);
        }
        bm_graph_free(g);
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
    free(buf);
    free(orig);
}

Test(graph_fuzz, mutated_text_graphs)
{
    fuzz_file("examples/graph/expr.bmg", 0, 11, 400);
    fuzz_file("tests/data/graph/bad_paren.bmg", 0, 12, 100);
}

Test(graph_fuzz, mutated_graphml)
{
    fuzz_file("examples/graph/expr.graphml", 1, 21, 300);
    fuzz_file("tests/data/graph/yed_style.graphml", 1, 22, 200);
    fuzz_file("tests/data/graph/networkx.graphml", 1, 23, 200);
}

Test(graph_fuzz, mutated_networks)
{
    fuzz_file("tests/data/graph/tiny.xml", 2, 31, 400);
    fuzz_file("examples/networks/iris.xml", 2, 32, 100);
}
