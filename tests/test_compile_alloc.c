/* The compiler and its report under allocation failure: every allocation
 * of bm_compile and bm_compile_report_new is made to fail in turn, with
 * every strategy; each failure must come back as BM_ENOMEM, leave *out
 * NULL and leak nothing (ASan checks leaks in `make sanitize`). */
#include "compile_helpers.h"

static void every_allocation_may_fail(const char *text)
{
    failing f = {-1, 0};
    bm_allocator alloc = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &alloc), 0);
    bm_graph *g;
    cr_assert_eq(bm_graph_read_text(&g, ctx, text, strlen(text), "a.bmg", NULL), 0);
    for (size_t p = 0; p < N_PLACEMENTS; p++) {
        bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
        opt.strategy = every_placement[p].strategy;
        if (every_placement[p].cores)
            opt.cores = every_placement[p].cores;
        compile_survives_every_failure(g, &f, &opt, placement_name(every_placement[p]));
    }
    f.countdown = -1;
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile_alloc, every_allocation_may_fail)
{
    every_allocation_may_fail("input x, y, unused\n"
                              "t = 0.5 * x + y - x * y\n"
                              "output z = max(relu(t - 1.25), -x)\n"
                              "output k = argmax(x, y, t)\n"
                              "output c = 3\n"
                              "output e = y\n");
}
