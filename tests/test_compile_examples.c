/* Every example graph and network under examples/ compiled with every
 * strategy: streamed through the simulated machine, the outputs are
 * bm_graph_eval's, bit for bit (the networks on all their test vectors,
 * streamed back to back). */
#include <dirent.h>

#include "compile_helpers.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Compiles the file with every placement; vectors from csv (at most
 * max_vectors of them) or 8 random ones. */
static void check_file(const char *path, const char *csv, size_t max_vectors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    int rc = bm_graph_read_file(&g, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not load:\n%s", path, d);
    free(d);
    bm_ctx_clear_diags(ctx);
    bm_vectors *v = NULL;
    int64_t *inputs = NULL;
    size_t n = 0;
    unsigned ni = bm_graph_input_count(g);
    if (csv) {
        cr_assert_eq(bm_vectors_read_file(&v, g, csv, 1), 0, "%s does not load", csv);
        n = bm_vectors_count(v);
        if (n > max_vectors)
            n = max_vectors;
        inputs = malloc(n * ni * sizeof *inputs);
        cr_assert_not_null(inputs);
        for (size_t k = 0; k < n; k++)
            memcpy(inputs + k * ni, bm_vectors_inputs(v, k), ni * sizeof *inputs);
    }
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], inputs, n, n ? (unsigned)(n < 2 ? 2 : n) : 8, 5,
                       path);
    free(inputs);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile_examples, every_graph_every_strategy)
{
    DIR *dir = opendir("examples/graph");
    cr_assert_not_null(dir, "examples/graph is missing (run from the repository root)");
    unsigned files = 0;
    struct dirent *e;
    char path[512];
    while ((e = readdir(dir))) {
        if (!ends_with(e->d_name, ".bmg") && !ends_with(e->d_name, ".graphml"))
            continue;
        snprintf(path, sizeof path, "examples/graph/%s", e->d_name);
        check_file(path, NULL, 0);
        files++;
    }
    closedir(dir);
    cr_expect_geq(files, 2);
}

Test(compile_examples, every_network_every_strategy_on_its_test_vectors)
{
    DIR *dir = opendir("examples/networks");
    cr_assert_not_null(dir, "examples/networks is missing (run from the repository root)");
    unsigned files = 0;
    struct dirent *e;
    char path[512], csv[600];
    while ((e = readdir(dir))) {
        if (!ends_with(e->d_name, ".xml"))
            continue;
        snprintf(path, sizeof path, "examples/networks/%s", e->d_name);
        snprintf(csv, sizeof csv, "examples/networks/%.*s-test.csv",
                 (int)(strlen(e->d_name) - 4), e->d_name);
        FILE *f = fopen(csv, "r");
        if (f)
            fclose(f);
        check_file(path, f ? csv : NULL, 100000);
        files++;
    }
    closedir(dir);
    cr_expect_geq(files, 2);
}
