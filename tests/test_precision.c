/* Per-layer types (network format 2, docs/numbers.md "Per-layer types"):
 * a reference written here from the rules, independent of the lowering,
 * against bm_graph_eval on seeded random typed networks (counting that
 * accumulators and results do wrap and results do saturate); compiled
 * machines of every strategy against bm_graph_eval; a network worked by
 * hand; format 1 written byte for byte as before; format 2 written
 * canonically; bad types with their messages. */
#include <inttypes.h>

#include "compile_helpers.h"
#include "random_graphs.h"

/* ---- the rules, on integers --------------------------------------------------------- */

typedef struct overflow_counts {
    unsigned long acc_wraps, result_wraps, saturations, vectors;
} overflow_counts;

/* v's low `bits` bits, sign-extended. */
static __int128 wrap_bits(__int128 v, unsigned bits)
{
    unsigned __int128 m = ((unsigned __int128)1 << bits) - 1, u = (unsigned __int128)v & m;
    return u >> (bits - 1) ? (__int128)u - ((__int128)1 << bits) : (__int128)u;
}

/* floor(v / 2^s), or v * 2^-s when s < 0. */
static __int128 floor_shift(__int128 v, int s)
{
    if (s <= 0)
        return v * ((__int128)1 << -s);
    __int128 d = (__int128)1 << s;
    return v >= 0 ? v / d : -((-v + d - 1) / d);
}

/* The network on raw inputs (fixed<*, F>), by the rules of numbers.md;
 * 0, or -1 when it has a layer the reference does not know (sigmoid,
 * tanh: their tables are checked by the untyped suites). */
static int reference(const bm_network *net, const int64_t *inputs, int64_t *outputs,
                     overflow_counts *c)
{
    bm_fixed_type t = bm_network_type(net);
    unsigned width = bm_network_input_count(net);
    __int128 x[64], y[64];
    for (unsigned i = 0; i < width; i++)
        x[i] = inputs[i];
    unsigned fa = t.frac;
    for (unsigned l = 0; l < bm_network_layer_count(net); l++) {
        bm_layer_types lt;
        bm_network_layer_types(net, l, &lt);
        bm_activation act = bm_network_layer_activation(net, l);
        if (act == BM_ACT_SIGMOID || act == BM_ACT_TANH)
            return -1;
        unsigned n = bm_network_layer_neurons(net, l);
        cr_assert_leq(n, 64);
        const int64_t *w = bm_network_layer_weights(net, l), *b = bm_network_layer_biases(net, l);
        int s = (int)fa + (int)lt.weight.frac - (int)lt.accum.frac;
        for (unsigned j = 0; j < n; j++) {
            __int128 acc = b[j];
            for (unsigned i = 0; i < width; i++)
                acc += floor_shift(x[i] * w[(size_t)j * width + i], s);
            __int128 a = wrap_bits(acc, lt.accum.total);
            c->acc_wraps += a != acc;
            __int128 v = floor_shift(a, (int)lt.accum.frac - (int)lt.result.frac);
            __int128 lo = bm_fixed_min(lt.result), hi = bm_fixed_max(lt.result);
            if (v < lo || v > hi) {
                if (lt.overflow == BM_OVERFLOW_SATURATE) {
                    v = v < lo ? lo : hi;
                    c->saturations++;
                } else {
                    v = wrap_bits(v, lt.result.total);
                    c->result_wraps++;
                }
            }
            int64_t max;
            if (act == BM_ACT_RELU) {
                v = v > 0 ? v : 0;
                if (bm_network_layer_relu_max(net, l, &max) && v > max)
                    v = max;
            } else if (act == BM_ACT_LEAKY_RELU) {
                __int128 p = floor_shift(v * bm_network_layer_alpha(net, l), (int)lt.result.frac);
                v = v > p ? v : p;
            }
            y[j] = v;
        }
        for (unsigned j = 0; j < n; j++)
            x[j] = y[j];
        width = n;
        fa = lt.result.frac;
    }
    if (bm_network_has_argmax(net)) {
        unsigned best = 0;
        for (unsigned j = 1; j < width; j++)
            if (x[j] > x[best])
                best = j;
        outputs[0] = best;
    } else {
        for (unsigned j = 0; j < width; j++)
            outputs[j] = (int64_t)x[j];
    }
    c->vectors++;
    return 0;
}

#define VECTORS 16

/* VECTORS random raw input vectors of g (the graph's type), from seed. */
static int64_t *random_inputs(const bm_graph *g, uint64_t seed)
{
    unsigned n = bm_graph_input_count(g);
    int64_t *in = calloc((size_t)VECTORS * n + 1, sizeof *in);
    cr_assert_not_null(in);
    uint64_t s = seed * 7919 + 1;
    bm_fixed_type t = bm_graph_type(g);
    for (size_t k = 0; k < (size_t)VECTORS * n; k++) {
        /* every other vector a few bits narrower than the word */
        bm_fixed_type nt = {k / n % 2 ? t.total : t.total - (unsigned)(test_rng_next(&s) % 3), 0};
        in[k] = test_random_raw(&s, nt);
    }
    return in;
}

/* Compares the reference with bm_graph_eval on the vectors; 1 when the
 * network was checked, 0 when the reference does not know it. */
static int agree(const bm_network *net, const bm_graph *g, const int64_t *in,
                 overflow_counts *c, uint64_t seed)
{
    unsigned n_in = bm_graph_input_count(g), n_out = bm_graph_output_count(g);
    int64_t got[64], want[64];
    for (unsigned k = 0; k < VECTORS; k++) {
        if (reference(net, in + (size_t)k * n_in, want, c))
            return 0;
        cr_assert_eq(bm_graph_eval(g, in + (size_t)k * n_in, got), 0);
        for (unsigned o = 0; o < n_out; o++)
            cr_assert_eq(got[o], want[o], "seed %" PRIu64 " vector %u output %u: %" PRId64
                         " from the evaluator, %" PRId64 " by the rules", seed, k, o, got[o],
                         want[o]);
    }
    return 1;
}

Test(precision, the_evaluator_follows_the_rules_on_random_typed_networks)
{
    overflow_counts c = {0};
    unsigned checked = 0, widest = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_network *net;
        bm_graph *g = random_typed_network(ctx, seed, 1, &net);
        if (bm_graph_type(g).total > widest)
            widest = bm_graph_type(g).total;
        int64_t *in = random_inputs(g, seed);
        checked += (unsigned)agree(net, g, in, &c, seed);
        free(in);
        bm_graph_free(g);
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
    /* the rules are exercised, not only checked where nothing overflows */
    cr_expect_geq(checked, 200);
    cr_expect_gt(widest, 32, "machine words up to %u bits only", widest);
    cr_expect_gt(c.acc_wraps, 100);
    cr_expect_gt(c.result_wraps, 100);
    cr_expect_gt(c.saturations, 100);
}

/* Untyped networks keep their graphs: format 1 gives no conversion. */
Test(precision, an_untyped_network_has_no_shifts_and_the_networks_word)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network_with(ctx, seed, 1);
        for (unsigned i = 0; i < bm_graph_node_count(g); i++)
            cr_assert(bm_graph_node_op(g, i) != BM_OP_SHL && bm_graph_node_op(g, i) != BM_OP_SAR,
                      "seed %" PRIu64, seed);
        cr_assert_leq(bm_graph_type(g).total, 32);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* ---- compiled machines ------------------------------------------------------------ */

Test(precision, every_strategy_computes_the_evaluator_outputs, .timeout = 600)
{
    static const placement some[] = {
        {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},  {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0},
        {BM_MAP_CORES, 3, 0, BM_MUL_COMB, 0}, {BM_MAP_FOLD, 0, 1, BM_MUL_PIPE, 0},
        {BM_MAP_FOLD, 0, 3, BM_MUL_SERIAL, 0}, {BM_MAP_FOLD, 0, 0, BM_MUL_COMB, 2},
        {BM_MAP_FOLD, 0, 0, BM_MUL_PIPE, 5},
    };
    overflow_counts c = {0};
    for (uint64_t seed = 1; seed <= 35; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_network *net;
        bm_graph *g = random_typed_network(ctx, seed, 1, &net);
        int64_t *in = random_inputs(g, seed);
        agree(net, g, in, &c, seed); /* the same vectors saturate and wrap */
        char what[64];
        snprintf(what, sizeof what, "typed network %" PRIu64, seed);
        for (size_t p = 0; p < sizeof some / sizeof some[0]; p++)
            if (p == seed % 7 || p == (seed + 3) % 7 || seed <= 3)
                check_compiled(g, some[p], in, VECTORS, VECTORS, seed, what);
        free(in);
        bm_graph_free(g);
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
    cr_expect_gt(c.saturations, 10);
    cr_expect_gt(c.result_wraps, 10);
    cr_expect_gt(c.acc_wraps, 10);
}

/* ---- a network worked by hand ------------------------------------------------------ */

/* tests/data/graph/typed.xml: layer 1 (fixed<8,3> weights, fixed<20,8>
 * accumulator, saturating fixed<8,4> relu); layer 2 (the network's
 * fixed<16,6> weights and accumulator, wrapping fixed<12,2> result). */
Test(precision, a_network_worked_by_hand)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "tests/data/graph/typed.xml", NULL), 0);
    /* word: layer 2's weights, 16 bits scaled by 2^6 (s = 4 + 10 - 10) */
    cr_expect_eq(bm_graph_type(g).total, 22);
    cr_expect_eq(bm_graph_type(g).frac, 10);
    int64_t out[2];
    /* x = (1.5, -2): layer 1 relu(2.5 + 0.5, -2.125, -1.5) = (3, 0, 0);
     * y0 = 2*3 = 6 wraps in fixed<12,2> to 6 - 8 = -2 */
    int64_t a[2] = {1536, -2048};
    cr_assert_eq(bm_graph_eval(g, a, out), 0);
    cr_expect_eq(out[0], -2 * 1024);
    cr_expect_eq(out[1], 1152); /* -1*3 + 1.5*0 + 0.125 = -2.875 wraps to 1.125 */
    /* x = (3, 3): layer 1 (2, 2, 18 saturated to 7.9375);
     * y0 = 4 - 2 + 23.8125 = 25.8125 wraps to 1.8125 (and with 18 wrapped
     * to 2 instead, 8 would wrap to 0) */
    int64_t b[2] = {3072, 3072};
    cr_assert_eq(bm_graph_eval(g, b, out), 0);
    cr_expect_eq(out[0], 1856);
    cr_expect_eq(out[1], 1152); /* -2 + 3 + 0.125 */
    /* x = (-0.0625, 0.03125): 1 * -0.0625 = -0.0625 and -0.5 * 0.03125 =
     * -0.015625, floored to fixed<20,8>'s 2^-12 exactly; + 0.5 = 0.421875,
     * floored to fixed<8,4>: 0.375 */
    int64_t f[2] = {-64, 32};
    cr_assert_eq(bm_graph_eval(g, f, out), 0);
    cr_expect_eq(out[0], 768); /* 2 * 0.375 */
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- writing ------------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = malloc(1 << 20);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static char *written(bm_ctx *ctx, const char *data, size_t len, const char *name)
{
    bm_network *net;
    int rc = bm_network_read(&net, ctx, data, len, name, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    char *text;
    cr_assert_eq(bm_network_write_memory(net, &text, NULL), 0);
    bm_network_free(net);
    return text;
}

/* The golds are what the writer gave before format 2 existed (commit
 * e146ed1), for the same files. */
Test(precision, format_1_is_written_as_before)
{
    static const char *const files[][2] = {
        {"examples/networks/iris.xml", "tests/data/network_v1/iris.xml"},
        {"tests/data/graph/tiny.xml", "tests/data/network_v1/tiny.xml"},
    };
    for (size_t k = 0; k < 2; k++) {
        bm_ctx *ctx = graph_ctx();
        size_t len, glen;
        char *src = slurp(files[k][0], &len), *gold = slurp(files[k][1], &glen);
        char *a = written(ctx, src, len, files[k][0]);
        cr_expect_str_eq(a, gold, "%s", files[k][0]);
        char *b = written(ctx, gold, glen, files[k][1]);
        cr_expect_str_eq(b, gold, "%s read back", files[k][1]);
        bm_xml_buffer_free(ctx, a);
        bm_xml_buffer_free(ctx, b);
        free(src);
        free(gold);
        bm_ctx_free(ctx);
    }
}

Test(precision, format_2_is_written_canonically)
{
    bm_ctx *ctx = graph_ctx();
    size_t len;
    char *src = slurp("examples/networks/iris-typed.xml", &len);
    char *a = written(ctx, src, len, "iris-typed.xml");
    char *b = written(ctx, a, strlen(a), "a.xml");
    cr_expect_str_eq(a, b);
    cr_expect_not_null(strstr(a, "<network format=\"2\""));
    cr_expect_not_null(strstr(a, "<result_t total=\"10\" frac=\"6\" overflow=\"saturate\"/>"));
    bm_xml_buffer_free(ctx, a);
    bm_xml_buffer_free(ctx, b);
    free(src);
    /* random typed networks too, and their types survive */
    for (uint64_t seed = 1; seed <= 40; seed++) {
        uint64_t s;
        bm_fixed_type t;
        char *xml = random_network_xml_typed(seed, 13, 4, 6, 1, 1, &t, &s, &len);
        a = written(ctx, xml, len, "r.xml");
        b = written(ctx, a, strlen(a), "a.xml");
        cr_expect_str_eq(a, b, "seed %" PRIu64, seed);
        bm_network *n1, *n2;
        cr_assert_eq(bm_network_read(&n1, ctx, xml, len, "r.xml", NULL), 0);
        cr_assert_eq(bm_network_read(&n2, ctx, a, strlen(a), "a.xml", NULL), 0);
        for (unsigned l = 0; l < bm_network_layer_count(n1); l++) {
            bm_layer_types t1, t2;
            cr_expect_eq(bm_network_layer_types(n1, l, &t1), bm_network_layer_types(n2, l, &t2));
            cr_expect_eq(memcmp(&t1, &t2, sizeof t1), 0, "seed %" PRIu64 " layer %u", seed, l);
        }
        bm_network_free(n1);
        bm_network_free(n2);
        bm_xml_buffer_free(ctx, a);
        bm_xml_buffer_free(ctx, b);
        free(xml);
    }
    bm_ctx_free(ctx);
}

/* ---- the example and the rest of the API ------------------------------------------- */

Test(precision, the_typed_iris_classifies_like_the_untyped_one)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris-typed.xml", NULL), 0);
    cr_expect_eq(bm_graph_type(g).total, 18);
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read_file(&v, g, "examples/networks/iris-all.csv", 1), 0);
    unsigned right = 0;
    int64_t out[1];
    for (size_t k = 0; k < bm_vectors_count(v); k++) {
        cr_assert_eq(bm_graph_eval(g, bm_vectors_inputs(v, k), out), 0);
        right += out[0] == bm_vectors_label(v, k);
    }
    cr_expect_eq(right, 146); /* as iris.xml in fixed<16,6>: docs/network.md */
    placement node = {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0};
    int64_t *in = calloc(bm_vectors_count(v) * 4, sizeof *in);
    cr_assert_not_null(in);
    for (size_t k = 0; k < bm_vectors_count(v); k++)
        memcpy(in + k * 4, bm_vectors_inputs(v, k), 4 * sizeof *in);
    check_compiled(g, node, in, bm_vectors_count(v), (unsigned)bm_vectors_count(v), 1, "iris-typed");
    free(in);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(precision, set_type_refuses_a_typed_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net;
    cr_assert_eq(bm_network_read_file(&net, ctx, "examples/networks/iris-typed.xml", NULL), 0);
    bm_layer_types t;
    cr_expect_eq(bm_network_layer_types(net, 0, &t), 1);
    cr_expect_eq(t.weight.total, 8);
    cr_expect_eq(t.weight.frac, 6);
    cr_expect_eq(t.overflow, BM_OVERFLOW_SATURATE);
    cr_expect_eq(bm_network_layer_types(net, 9, &t), 0);
    cr_expect_eq(t.accum.total, 16);
    bm_fixed_type f = {20, 12};
    cr_expect_eq(bm_network_set_type(net, f), BM_EINVAL);
    expect_graph_diags(ctx, "examples/networks/iris-typed.xml:4:1: error: network 'iris_typed' "
                            "has per-layer types: it cannot be given one type for everything\n");
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(precision, shifts_in_the_graph_api)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_fixed_type t = {8, 2};
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    bm_loc loc = {NULL, 0, 0};
    unsigned x, l, r;
    cr_assert_eq(bm_graph_add_input(g, &x, "x", loc), 0);
    cr_assert_eq(bm_graph_add_shift(g, &l, BM_OP_SHL, x, 3, loc), 0);
    cr_assert_eq(bm_graph_add_shift(g, &r, BM_OP_SAR, x, 2, loc), 0);
    cr_expect_eq(bm_graph_add_shift(g, NULL, BM_OP_SAR, x, 8, loc), BM_EINVAL);
    cr_expect_eq(bm_graph_add_shift(g, NULL, BM_OP_ADD, x, 1, loc), BM_EINVAL);
    cr_assert_eq(bm_graph_add_output(g, NULL, "l", l, loc), 0);
    cr_assert_eq(bm_graph_add_output(g, NULL, "r", r, loc), 0);
    cr_assert_eq(bm_graph_finish(g, NULL), 0);
    int64_t in[1] = {-19}, out[2], values[8];
    unsigned char wrapped[8];
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[0], -152 + 256);  /* -19 * 8 = -152 wraps in 8 bits */
    cr_expect_eq(out[1], -5);          /* floor(-19 / 4) */
    cr_expect_eq(bm_graph_eval_wraps(g, in, values, wrapped), 1);
    in[0] = 15;                        /* 120 fits */
    cr_expect_eq(bm_graph_eval_wraps(g, in, values, wrapped), 0);
    cr_expect_eq(bm_graph_node_value(g, bm_graph_node_operand(g, bm_graph_output(g, 0), 0)), 3);
    cr_expect_str_eq(bm_op_name(BM_OP_SAR), "sar");
    char *dot;
    size_t len;
    cr_assert_eq(bm_graph_dot(&dot, &len, g), 0);
    cr_expect_not_null(strstr(dot, "label=\"shl 3\""), "%s", dot);
    cr_expect_not_null(strstr(dot, "label=\"sar 2\""), "%s", dot);
    bm_dot_free(ctx, dot);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* bmc eval's wrap warnings name a per-layer type's width; a graph profile,
 * which reads every value in one type, refuses the graph (a network
 * profile reads it: tests/test_profile_typed.c). */
Test(precision, wrap_warnings_and_the_profile)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "tests/data/graph/typed.xml", NULL), 0);
    const char *csv = "30,30\n";
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read(&v, g, csv, strlen(csv), "v.csv", 0), 0);
    uint64_t wrapped = 0;
    cr_expect_eq(bm_graph_warn_wraps(g, v, 10, &wrapped), 0);
    cr_expect_eq(wrapped, 3);
    expect_graph_diags(
        ctx, "v.csv:1:1: warning: vector 1: layer 1 neuron 2: a value wrapped to its 20-bit "
             "per-layer type (raw 737280 became -311296)\n"
             "v.csv:1:1: warning: vector 1: layer 2 neuron 0: a value wrapped to its 12-bit "
             "per-layer type (raw 8128 became -64)\n"
             "v.csv:1:1: warning: vector 1: layer 2 neuron 1: a value wrapped to its 12-bit "
             "per-layer type (raw 4192 became 96)\n"
             "v.csv: warning: 3 values wrapped in 1 of 1 vectors (3 shown)\n");
    bm_ctx_clear_diags(ctx);
    bm_profile *p = (bm_profile *)1;
    cr_expect_eq(bm_graph_profile(&p, g, v), BM_EINVAL);
    cr_expect_null(p);
    expect_graph_diags(ctx, "tests/data/graph/typed.xml:4:1: error: the graph has per-layer "
                            "types (its values are in several scales): a graph profile reads "
                            "every value in one type; profile the network (bm_network_profile) "
                            "instead\n");
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}
