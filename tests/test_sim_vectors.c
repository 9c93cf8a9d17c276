/* bm_sim_run_vectors, the C form of `bmc compile --test`: the iris test
 * vectors through machines compiled from iris.xml give, vector by vector,
 * what the reference evaluator gives; a running sum shows the order and
 * the sign extension; machines that cannot give one value per vector are
 * refused with the reason. */
#include "sim_helpers.h"

static const char halting[] =
    "<machine format=\"1\" name=\"h\">\n"
    "<input name=\"a\" width=\"8\"/><output name=\"y\" width=\"8\"/>\n"
    "<core name=\"c\" width=\"8\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
    "<opcodes>addi in out halt</opcodes><program>"
    "<i>in r0, i0</i><i>addi r0, 1</i><i>out o0, r0</i><i>halt</i></program></core>\n"
    "<bond from=\"a\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>\n"
    "</machine>\n";

static void iris_through(bm_map_strategy strategy, unsigned fold)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris.xml", NULL), 0);
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = strategy;
    if (fold)
        opt.fold = fold;
    bm_machine *m;
    cr_assert_eq(bm_compile(&m, g, &opt), 0, "%s", simt_diags(ctx));
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read_file(&v, g, "examples/networks/iris-test.csv", 1), 0);
    size_t n = bm_vectors_count(v);
    unsigned ni = bm_graph_input_count(g), no = bm_graph_output_count(g);
    cr_assert_eq(bm_machine_input_count(m), ni);
    int64_t *in = calloc(n * ni, sizeof *in), *out = calloc(n * no, sizeof *out);
    cr_assert(in && out);
    for (size_t i = 0; i < n; i++)
        memcpy(in + i * ni, bm_vectors_inputs(v, i), ni * sizeof *in);
    cr_assert_eq(bm_sim_run_vectors(out, m, in, n, 0), 0, "%s", simt_diags(ctx));
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t want[8];
        cr_assert_eq(bm_graph_eval(g, bm_vectors_inputs(v, i), want), 0);
        for (unsigned k = 0; k < no; k++)
            cr_expect_eq(out[i * no + k], want[k], "vector %zu output %u", i + 1, k);
        right += out[i * no] == bm_vectors_label(v, i);
    }
    cr_expect_eq(right, 48); /* bmc compile --test's accuracy on iris */
    free(in);
    free(out);
    bm_vectors_free(v);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(sim_vectors, iris_test_vectors_give_the_evaluator_outputs)
{
    iris_through(BM_MAP_NODE, 0);
    iris_through(BM_MAP_FOLD, 4);
}

/* acc8 answers each value with the running sum, an 8-bit word read signed:
 * 100 + 100 is -56. */
Test(sim_vectors, values_in_order_and_signed)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    const int64_t in[] = {100, 100, -56, 111};
    int64_t out[4];
    cr_assert_eq(bm_sim_run_vectors(out, m, in, 4, 0), 0, "%s", simt_diags(ctx));
    cr_expect_eq(out[0], 100);
    cr_expect_eq(out[1], -56);
    cr_expect_eq(out[2], -112);
    cr_expect_eq(out[3], -1);
    /* no vectors: nothing to do */
    cr_expect_eq(bm_sim_run_vectors(NULL, m, NULL, 0, 0), 0);
    /* a value that does not fit the 8-bit input */
    const int64_t big[] = {1, 256};
    cr_expect_eq(bm_sim_run_vectors(out, m, big, 2, 0), BM_ERANGE);
    cr_expect_gt(bm_ctx_error_count(ctx), 0);
    bm_ctx_clear_diags(ctx);
    /* the cycle limit stops the run before the 4th value */
    cr_expect_eq(bm_sim_run_vectors(out, m, in, 4, 12), BM_EINVALID);
    cr_expect_str_eq(simt_diags(ctx), "examples/acc8.xml:4:1: error: machine 'acc8' stopped "
                                      "(cycles) after 12 cycles with 3 of 4 vectors out\n");
    bm_ctx_clear_diags(ctx);
    cr_expect_eq(bm_sim_run_vectors(NULL, m, in, 4, 0), BM_EINVAL);
    cr_expect_gt(bm_ctx_error_count(ctx), 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A machine that halts after one value cannot stream two vectors. */
Test(sim_vectors, a_machine_that_stops_early_is_refused)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = simt_xml(ctx, halting);
    const int64_t in[] = {1, 2};
    int64_t out[2];
    cr_expect_eq(bm_sim_run_vectors(out, m, in, 2, 0), BM_EINVALID);
    const char *d = simt_diags(ctx);
    cr_expect(strstr(d, "error: machine 'h' stopped (halted) after ") != NULL, "%s", d);
    cr_expect(strstr(d, "with 1 of 2 vectors out") != NULL, "%s", d);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
