/* Profiling and wrap detection (bm/profile.h, bm_graph_eval_wraps): exact
 * ranges on a hand-made network whose values are worked out below, the
 * boundaries where the fixed-point rule wraps, retyping a network, and the
 * bmc commands (bmc profile, the warnings of bmc eval and bmc compile
 * --test). */
#include <unistd.h>

#include "bmc_runner.h"
#include "graph_helpers.h"

#define WRAP_NET "tests/data/profile/wrap.xml"
#define WRAP_CSV "tests/data/profile/wrap.csv"

/* tests/data/profile/wrap.xml in fixed<8,4> (-8 .. 7.9375, raw = value * 16):
 *   n0 = relu(2 x0 + 1.5 x1 + 1), n1 = relu(-x0 + 0.5 x1), y = 3 n0 + n1 + 0.25
 * Exactly, on the four vectors of wrap.csv:
 *   (1,1):       products 2 1.5 -1 0.5, sums 3.5 4.5 -0.5, n 4.5 0,
 *                products 13.5 0, sums 13.5 13.75
 *   (3,2):       6 3 -3 1, sums 9 10 -2, n 10 0, 30 0, sums 30 30.25
 *   (-2,7.5):    -4 11.25 2 3.75, sums 7.25 8.25 5.75, n 8.25 5.75,
 *                24.75 5.75, sums 30.5 30.75
 *   (0.5,-0.25): 1 -0.375 -0.5 -0.125, sums 0.625 1.625 -0.625, n 1.625 0,
 *                4.875 0, sums 4.875 5.125
 * In fixed<8,4> the first vector's 3 * 4.5 wraps; the second's 6 + 3; the
 * third's 1.5 * 7.5, then -4 + (-4.75) and 7.25 + 1: 5 values in 3 vectors. */

static bm_graph *wrap_graph(bm_ctx *ctx)
{
    bm_graph *g = NULL;
    int rc = bm_graph_read_file(&g, ctx, WRAP_NET, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    return g;
}

static bm_vectors *wrap_vectors(const bm_graph *g)
{
    bm_vectors *v = NULL;
    cr_assert_eq(bm_vectors_read_file(&v, g, WRAP_CSV, 0), 0);
    cr_assert_eq(bm_vectors_count(v), 4);
    return v;
}

/* raw of a decimal in fixed<*,4> */
#define R(x) ((int64_t)((x) * 16))

static void expect_exact(const bm_value_range *r, double lo, double hi, uint64_t wrapped,
                         unsigned int_bits, const char *what)
{
    cr_expect_eq(r->exact_min, R(lo), "%s: exact min %lld", what, (long long)r->exact_min);
    cr_expect_eq(r->exact_max, R(hi), "%s: exact max %lld", what, (long long)r->exact_max);
    cr_expect_eq(r->wrapped, wrapped, "%s: wrapped %llu", what, (unsigned long long)r->wrapped);
    cr_expect_eq(r->int_bits, int_bits, "%s: int bits %u", what, r->int_bits);
    /* every decimal here is exact in fixed<8,4>, products included: the
     * float model computes the same numbers */
    cr_expect_eq(r->float_min, lo, "%s: float min %g", what, r->float_min);
    cr_expect_eq(r->float_max, hi, "%s: float max %g", what, r->float_max);
}

Test(profile, exact_ranges_of_a_hand_made_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = wrap_graph(ctx);
    bm_vectors *v = wrap_vectors(g);
    bm_profile *p = NULL;
    cr_assert_eq(bm_graph_profile(&p, g, v), 0);
    cr_expect_eq(bm_profile_vector_count(p), 4);
    cr_assert_eq(bm_profile_layer_count(p), 2);
    bm_value_range r;
    cr_assert_eq(bm_profile_inputs(p, &r), 0);
    cr_expect_eq(r.count, 8);
    cr_expect_eq(r.min, R(-2));
    cr_expect_eq(r.max, R(7.5));
    expect_exact(&r, -2, 7.5, 0, 4, "inputs");

    bm_profile_layer(p, 0, BM_PROFILE_PRODUCTS, &r);
    cr_expect_eq(r.count, 16);
    expect_exact(&r, -4, 11.25, 1, 5, "layer 1 products");
    /* as fixed<8,4> computes them: 11.25 wrapped to -4.75 */
    cr_expect_eq(r.min, R(-4.75));
    cr_expect_eq(r.max, R(6));
    bm_profile_layer(p, 0, BM_PROFILE_SUMS, &r);
    cr_expect_eq(r.count, 12); /* n1 has no bias: raw 0 is left out */
    expect_exact(&r, -2, 10, 3, 5, "layer 1 sums");
    cr_expect_eq(r.min, R(-7.75));
    cr_expect_eq(r.max, R(7.25));
    bm_profile_layer(p, 0, BM_PROFILE_OUTPUTS, &r);
    cr_expect_eq(r.count, 8);
    expect_exact(&r, 0, 10, 0, 5, "layer 1 outputs");
    cr_expect_eq(r.max, R(5.75)); /* n0 wrapped negative where it was large: relu made 0 */
    bm_profile_layer(p, 0, BM_PROFILE_CONSTS, &r);
    expect_exact(&r, -1, 2, 0, 3, "layer 1 consts");

    bm_profile_layer(p, 1, BM_PROFILE_PRODUCTS, &r);
    expect_exact(&r, 0, 30, 1, 6, "layer 2 products");
    bm_profile_layer(p, 1, BM_PROFILE_SUMS, &r);
    expect_exact(&r, 4.875, 30.75, 0, 6, "layer 2 sums");
    bm_profile_layer(p, 1, BM_PROFILE_OUTPUTS, &r);
    expect_exact(&r, 5.125, 30.75, 0, 6, "layer 2 outputs");
    cr_expect_eq(r.min, R(-2.25));
    cr_expect_eq(r.max, R(6));

    cr_assert_eq(bm_profile_all(p, &r), 0);
    cr_expect_eq(r.wrapped, 5);
    bm_fixed_type t;
    cr_assert_eq(bm_profile_suggest_type(p, &t), 0);
    /* 30.75 is raw 492 with 4 fraction bits: 10 bits, 6 of them integer */
    cr_expect_eq(t.total, 10);
    cr_expect_eq(t.frac, 4);

    cr_expect_eq(bm_profile_layer(p, 2, BM_PROFILE_ALL, &r), BM_EINVAL);
    cr_expect_eq(bm_profile_node(p, bm_graph_node_count(g), &r), BM_EINVAL);
    bm_profile_free(p);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(profile, the_suggested_type_wraps_nothing_and_keeps_the_exact_values)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = NULL;
    cr_assert_eq(bm_network_read_model_file(&net, ctx, WRAP_NET, NULL), 0);
    bm_fixed_type t = {10, 4};
    cr_assert_eq(bm_network_set_type(net, t), 0);
    bm_graph *g = NULL;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    bm_vectors *v = wrap_vectors(g);
    const int64_t want[4] = {R(13.75), R(30.25), R(30.75), R(5.125)};
    for (size_t i = 0; i < 4; i++) {
        int64_t values[64];
        unsigned char wrapped[64];
        cr_assert_leq(bm_graph_node_count(g), 64);
        cr_expect_eq(bm_graph_eval_wraps(g, bm_vectors_inputs(v, i), values, wrapped), 0);
        cr_expect_eq(values[bm_graph_output(g, 0)], want[i], "vector %zu", i + 1);
    }
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* One operation on raw operands in fixed<8,4>: its result and whether the
 * evaluator says it wrapped. */
static int wraps(const char *expr, int64_t a, int64_t b, int64_t *result)
{
    char text[256];
    snprintf(text, sizeof text, "type fixed<8,4>\ninput a, b\noutput r = %s\n", expr);
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, text);
    int64_t in[2] = {a, b}, values[16];
    unsigned char w[16];
    cr_assert_leq(bm_graph_node_count(g), 16);
    int n = bm_graph_eval_wraps(g, in, values, w);
    cr_assert_geq(n, 0);
    *result = values[bm_graph_output(g, 0)];
    /* the evaluator's result is unchanged by the detection */
    int64_t plain[1];
    cr_assert_eq(bm_graph_eval(g, in, plain), 0);
    cr_expect_eq(plain[0], *result);
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return n;
}

Test(profile, wraps_are_detected_exactly_where_the_rule_wraps)
{
    int64_t r;
    /* fixed<8,4>: raw -128 .. 127 */
    cr_expect_eq(wraps("a + b", 127, 0, &r), 0);
    cr_expect_eq(wraps("a + b", 127, 1, &r), 1);
    cr_expect_eq(r, -128);
    cr_expect_eq(wraps("a + b", -128, -1, &r), 1);
    cr_expect_eq(wraps("a + b", -100, -28, &r), 0);
    cr_expect_eq(wraps("a - b", -128, 0, &r), 0);
    cr_expect_eq(wraps("a - b", -128, 1, &r), 1);
    cr_expect_eq(wraps("a - b", 0, -128, &r), 1);
    cr_expect_eq(wraps("a - b", -1, -128, &r), 0);
    /* -(-8) is 8: the most negative value is its own negation, a wrap */
    cr_expect_eq(wraps("-a + b", -127, 0, &r), 0);
    cr_expect_eq(wraps("-a + b", -128, 0, &r), 1);
    /* a product is floored before the wrap: 85 * 24 / 16 = 127.5 -> 127
     * fits (rounding to nearest would not), -2040 / 16 -> -128 fits,
     * -2064 / 16 = -129 does not */
    cr_expect_eq(wraps("a * b", 85, 24, &r), 0);
    cr_expect_eq(r, 127);
    cr_expect_eq(wraps("a * b", -85, 24, &r), 0);
    cr_expect_eq(r, -128);
    cr_expect_eq(wraps("a * b", -86, 24, &r), 1);
    cr_expect_eq(r, bm_fixed_mul(-86, 24, (bm_fixed_type){8, 4}));
    cr_expect_eq(wraps("a * b", -128, -16, &r), 1); /* -8 * -1 */
    cr_expect_eq(wraps("a * b", -128, 16, &r), 0);  /* -8 * 1 */
    /* relu, min, max and argmax never wrap */
    cr_expect_eq(wraps("max(a, b)", -128, 127, &r), 0);
    cr_expect_eq(wraps("max(relu(a), b)", -128, -128, &r), 0);
}

Test(profile, wrap_warnings_name_vector_layer_neuron_and_operation)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = wrap_graph(ctx);
    bm_vectors *v = wrap_vectors(g);
    uint64_t wrapped = 0;
    cr_assert_eq(bm_graph_warn_wraps(g, v, 2, &wrapped), 0);
    cr_expect_eq(wrapped, 5);
    expect_graph_diags(ctx, WRAP_CSV ":2:1: warning: vector 1: layer 2 neuron 0: mul wrapped to "
                            "-2.5 (the exact 13.5 does not fit fixed<8,4>)\n" WRAP_CSV
                            ":3:1: warning: vector 2: layer 1 neuron 0: add wrapped to -7 (the "
                            "exact 9 does not fit fixed<8,4>)\n" WRAP_CSV
                            ": warning: 5 values wrapped in 3 of 4 vectors (2 shown)\n");
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(profile, nothing_wraps_nothing_is_said)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    opt.type = (bm_fixed_type){10, 4};
    opt.force_type = 1;
    bm_graph *g = NULL;
    cr_assert_eq(bm_graph_read_file(&g, ctx, WRAP_NET, &opt), 0);
    bm_vectors *v = wrap_vectors(g);
    uint64_t wrapped = 1;
    cr_assert_eq(bm_graph_warn_wraps(g, v, 0, &wrapped), 0);
    cr_expect_eq(wrapped, 0);
    expect_graph_diags(ctx, "");
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(profile, set_type_converts_by_the_constant_rule_or_leaves_the_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = NULL;
    cr_assert_eq(bm_network_read_file(&net, ctx, WRAP_NET, NULL), 0);
    /* 2 does not fit fixed<6,2> (-2 .. 1.9375): an error, nothing changed */
    cr_expect_eq(bm_network_set_type(net, (bm_fixed_type){6, 4}), BM_ERANGE);
    expect_graph_diags(ctx, WRAP_NET ":6:3: error: layer 1: weight 2 does not fit fixed<6,2>\n");
    cr_expect_eq(bm_network_type(net).total, 8);
    cr_expect_eq(bm_network_layer_weights(net, 0)[1], R(1.5));
    /* int<8>: 1.5 and 0.25 round to nearest, ties to even */
    cr_assert_eq(bm_network_set_type(net, (bm_fixed_type){8, 0}), 0);
    const int64_t *w = bm_network_layer_weights(net, 0), *b = bm_network_layer_biases(net, 1);
    cr_expect_eq(w[0], 2);
    cr_expect_eq(w[1], 2);
    cr_expect_eq(w[2], -1);
    cr_expect_eq(w[3], 0); /* 0.5 -> 0 (even) */
    cr_expect_eq(b[0], 0);
    /* and back, more fraction bits: exact */
    cr_assert_eq(bm_network_set_type(net, (bm_fixed_type){16, 10}), 0);
    cr_expect_eq(bm_network_layer_weights(net, 0)[0], 2 << 10);
    cr_expect_eq(bm_network_set_type(net, (bm_fixed_type){1, 0}), BM_EINVAL);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(profile, read_model_file_wants_a_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = NULL;
    cr_expect_eq(bm_network_read_model_file(&net, ctx, "examples/graph/expr.bmg", NULL),
                 BM_EPARSE);
    cr_expect_null(net);
    expect_graph_diags(ctx, "examples/graph/expr.bmg: error: not a network: expected a network "
                            "XML (root <network>) or an ONNX model\n");
    bm_ctx_free(ctx);
}

/* ---- bmc ---------------------------------------------------------------- */

static void scratch_done(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/.stdout", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/.stderr", dir);
    unlink(path);
    cr_expect_eq(rmdir(dir), 0, "%s holds more than bmc_run's files", dir);
}

static char *scratch_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bm_test_profile_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

Test(bmc_profile, prints_the_ranges_and_suggests_a_type)
{
    char *dir = scratch_dir();
    bmc_result r = bmc_run(dir, "profile", WRAP_NET, "--vectors", WRAP_CSV, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.err, "");
    cr_expect(strstr(r.out, "profile of " WRAP_NET " over 4 vectors in fixed<8,4>\n") == r.out,
              "%s", r.out);
    cr_expect(strstr(r.out, "\nlayer 1 sums                     -2           10          -7.75"
                            "           7.25             -2             10    5        3\n"),
              "%s", r.out);
    cr_expect(strstr(r.out, "\nwrapped: 5 of 96 values\n"
                            "suggested type: fixed<10,6> (4 fraction bits kept, 6 integer bits)\n"),
              "%s", r.out);
    bmc_result_free(&r);

    /* --Werror-overflow: the same report, exit 1 */
    r = bmc_run(dir, "profile", WRAP_NET, "--vectors", WRAP_CSV, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err,
                     "bmc profile: error: 5 values wrapped in fixed<8,4> (--Werror-overflow)\n");
    bmc_result_free(&r);

    /* -o: the network in the suggested type, which then wraps nothing */
    char out[128];
    snprintf(out, sizeof out, "%s/wide.xml", dir);
    r = bmc_run(dir, "profile", WRAP_NET, "--vectors", WRAP_CSV, "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    char *text = slurp(out, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "total=\"10\" frac=\"4\""), "%s", text);
    free(text);
    r = bmc_run(dir, "eval", out, "--vectors", WRAP_CSV, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "1: y0=13.75 (raw 220)\n2: y0=30.25 (raw 484)\n"
                            "3: y0=30.75 (raw 492)\n4: y0=5.125 (raw 82)\n");
    cr_expect_str_eq(r.err, "");
    bmc_result_free(&r);
    unlink(out);

    /* -o needs a network: a text graph is refused and nothing is written */
    r = bmc_run(dir, "profile", "examples/graph/expr.bmg", "--vectors",
                "tests/data/graph/expr.csv", "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "not a network"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1);
    bmc_result_free(&r);

    /* a graph without layers is profiled node by node */
    r = bmc_run(dir, "profile", "examples/graph/expr.bmg", "--vectors",
                "tests/data/graph/expr.csv", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\nt (add) "), "%s", r.out);
    cr_expect(strstr(r.out, "\nsuggested type: fixed<13,3>"), "%s", r.out);
    bmc_result_free(&r);

    r = bmc_run(dir, "profile", WRAP_NET, NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    scratch_done(dir);
}

Test(bmc_profile, eval_and_compile_warn_about_wraps)
{
    char *dir = scratch_dir();
    const char *first = WRAP_CSV ":2:1: warning: vector 1: layer 2 neuron 0: mul wrapped to -2.5 "
                                 "(the exact 13.5 does not fit fixed<8,4>)\n";
    const char *total = WRAP_CSV ": warning: 5 values wrapped in 3 of 4 vectors (5 shown)\n";
    bmc_result r = bmc_run(dir, "eval", WRAP_NET, "--vectors", WRAP_CSV, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, first) == r.err, "%s", r.err);
    cr_expect(strstr(r.err, total), "%s", r.err);
    /* the results are the evaluator's, wrapped */
    cr_expect_str_eq(r.out, "1: y0=-2.25 (raw -36)\n2: y0=0.25 (raw 4)\n3: y0=6 (raw 96)\n"
                            "4: y0=5.125 (raw 82)\n");
    bmc_result_free(&r);
    r = bmc_run(dir, "eval", WRAP_NET, "--in", "x0=3,x1=2", "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "y0=0.25 (raw 4)\n");
    cr_expect_str_eq(r.err, "--in:1:1: warning: vector 1: layer 1 neuron 0: add wrapped to -7 "
                            "(the exact 9 does not fit fixed<8,4>)\n"
                            "--in: warning: 1 value wrapped in 1 of 1 vectors (1 shown)\n"
                            "bmc eval: error: 1 value wrapped (--Werror-overflow)\n");
    bmc_result_free(&r);

    char out[128];
    snprintf(out, sizeof out, "%s/m.xml", dir);
    r = bmc_run(dir, "compile", WRAP_NET, "--test", WRAP_CSV, "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, first) == r.err, "%s", r.err);
    cr_expect(strstr(r.err, total), "%s", r.err);
    cr_expect_eq(access(out, F_OK), 0);
    unlink(out);
    bmc_result_free(&r);
    r = bmc_run(dir, "compile", WRAP_NET, "--test", WRAP_CSV, "-o", out, "--Werror-overflow",
                NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "bmc compile: error: 5 values wrapped (--Werror-overflow)\n"), "%s",
              r.err);
    cr_expect_eq(access(out, F_OK), -1, "nothing is written");
    bmc_result_free(&r);
    /* without --test there is nothing to check: a usage error */
    r = bmc_run(dir, "compile", WRAP_NET, "-o", out, "--Werror-overflow", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--Werror-overflow need --test FILE.csv"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1, "nothing is written");
    bmc_result_free(&r);
    scratch_done(dir);
}
