/* Dense networks: the reader, the lowering to the graph IR (which must
 * compute exactly what a direct dense-layer evaluation computes), and the
 * accuracy of the committed example networks. */
#include "graph_helpers.h"

static bm_network *read_network(bm_ctx *ctx, const char *path)
{
    bm_network *net = NULL;
    int rc = bm_network_read_file(&net, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s: %s", path, d);
    free(d);
    return net;
}

/* docs/numbers.md's sigmoid and tanh as written there: base, then
 * (slope, bound) pairs; y = base + sum slope * min(max(v, -bound), bound),
 * each product floor-rounded, the sum wrapped. */
static const char *const sigmoid_text[] = {"0.5", "0.125", "1", "0.09375", "2.375", "0.03125", "5"};
static const char *const tanh_text[] = {"0", "0.5", "0.5", "0.375", "1.1875", "0.125", "2.5"};

static int64_t constant_of(const char *text, bm_fixed_type t)
{
    int64_t raw;
    cr_assert_eq(bm_fixed_parse(NULL, text, t, (bm_loc){"test", 0, 0}, &raw), 0, "%s", text);
    return raw;
}

static int64_t piecewise(int64_t v, const char *const *f, bm_fixed_type t)
{
    int64_t y = constant_of(f[0], t);
    for (int k = 0; k < 3; k++) {
        int64_t bound = constant_of(f[2 + 2 * k], t), c = v;
        if (c < -bound)
            c = -bound;
        if (c > bound)
            c = bound;
        y = bm_fixed_add(y, bm_fixed_mul(c, constant_of(f[1 + 2 * k], t), t), t);
    }
    return y;
}

/* The direct definition: layer after layer, each neuron
 * act(sum_i w[j,i]*x[i] + b[j]) with the fixed.h rules, summing from 0 in
 * input order; a leaky relu as alpha * v for v < 0, a clipped relu as
 * min(relu(v), max), sigmoid and tanh as piecewise() computes them.  Writes the last layer's values. */
static void dense_eval(const bm_network *net, const int64_t *x, int64_t *last)
{
    bm_fixed_type t = bm_network_type(net);
    int64_t bufa[256], bufb[256], *in = bufa, *out = bufb;
    cr_assert_leq(bm_network_input_count(net), 256);
    memcpy(in, x, bm_network_input_count(net) * sizeof *x);
    for (unsigned l = 0; l < bm_network_layer_count(net); l++) {
        unsigned n_in = bm_network_layer_inputs(net, l), n_out = bm_network_layer_neurons(net, l);
        const int64_t *w = bm_network_layer_weights(net, l), *b = bm_network_layer_biases(net, l);
        cr_assert_leq(n_out, 256);
        for (unsigned j = 0; j < n_out; j++) {
            int64_t acc = 0;
            for (unsigned i = 0; i < n_in; i++)
                acc = bm_fixed_add(acc, bm_fixed_mul(in[i], w[(size_t)j * n_in + i], t), t);
            acc = bm_fixed_add(acc, b[j], t);
            int64_t max;
            if (bm_network_layer_activation(net, l) == BM_ACT_RELU && acc < 0)
                acc = 0;
            if (bm_network_layer_relu_max(net, l, &max) && acc > max)
                acc = max;
            if (bm_network_layer_activation(net, l) == BM_ACT_LEAKY_RELU && acc < 0)
                acc = bm_fixed_mul(acc, bm_network_layer_alpha(net, l), t);
            if (bm_network_layer_activation(net, l) == BM_ACT_SIGMOID)
                acc = piecewise(acc, sigmoid_text, t);
            if (bm_network_layer_activation(net, l) == BM_ACT_TANH)
                acc = piecewise(acc, tanh_text, t);
            out[j] = acc;
        }
        int64_t *tmp = in;
        in = out;
        out = tmp;
    }
    memcpy(last, in, bm_network_layer_neurons(net, bm_network_layer_count(net) - 1) * sizeof *last);
}

/* The values the lowered graph gives the last layer: the argmax operands,
 * or the outputs without argmax. */
static void graph_last_layer(const bm_graph *g, const int64_t *x, int64_t *last, long *cls)
{
    int64_t *values = malloc(bm_graph_node_count(g) * sizeof *values);
    cr_assert_not_null(values);
    cr_assert_eq(bm_graph_eval_nodes(g, x, values), 0);
    unsigned out0 = bm_graph_output(g, 0);
    unsigned src = bm_graph_node_operand(g, out0, 0);
    if (bm_graph_node_op(g, src) == BM_OP_ARGMAX) {
        for (unsigned k = 0; k < bm_graph_node_operand_count(g, src); k++)
            last[k] = values[bm_graph_node_operand(g, src, k)];
        *cls = (long)values[out0];
    } else {
        for (unsigned k = 0; k < bm_graph_output_count(g); k++)
            last[k] = values[bm_graph_output(g, k)];
        *cls = -1;
    }
    free(values);
}

static long first_max(const int64_t *v, unsigned n)
{
    unsigned best = 0;
    for (unsigned k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return (long)best;
}

static void expect_lowering_matches(const bm_network *net, const bm_graph *g, const int64_t *x)
{
    int64_t want[256], got[256];
    long cls;
    unsigned n = bm_network_layer_neurons(net, bm_network_layer_count(net) - 1);
    dense_eval(net, x, want);
    graph_last_layer(g, x, got, &cls);
    for (unsigned k = 0; k < n; k++)
        cr_assert_eq(got[k], want[k], "%s: output %u: graph %lld, dense %lld",
                     bm_network_name(net), k, (long long)got[k], (long long)want[k]);
    if (bm_network_has_argmax(net))
        cr_assert_eq(cls, first_max(want, n));
}

/* ---- the hand-made network --------------------------------------------------------- */

Test(graph_network, tiny_reads_as_written)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_network(ctx, "tests/data/graph/tiny.xml");
    cr_expect_str_eq(bm_network_name(net), "tiny");
    cr_expect_eq(bm_network_type(net).total, 16);
    cr_expect_eq(bm_network_type(net).frac, 10);
    cr_expect_eq(bm_network_input_count(net), 2);
    cr_expect_eq(bm_network_layer_count(net), 2);
    cr_expect_eq(bm_network_layer_inputs(net, 1), 3);
    cr_expect_eq(bm_network_layer_neurons(net, 1), 2);
    cr_expect_eq(bm_network_layer_activation(net, 0), BM_ACT_RELU);
    cr_expect_eq(bm_network_layer_activation(net, 1), BM_ACT_LINEAR);
    cr_expect(bm_network_has_argmax(net));
    const int64_t *w = bm_network_layer_weights(net, 0);
    static const int64_t w0[6] = {1024, -512, 256, 768, 0, 0};
    cr_expect_arr_eq(w, w0, sizeof w0);
    cr_expect_eq(bm_network_layer_biases(net, 1)[1], 128);
    bm_loc loc = bm_network_layer_loc(net, 1);
    cr_expect(loc.line == 14 && loc.column == 3);
    cr_expect_null(bm_network_layer_weights(net, 2));
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* h0 = relu(x0 - 0.5 x1 + 0.5), h1 = relu(0.25 x0 + 0.75 x1 - 1), h2 = 0
 * y0 = 2 h0 - h1 + 3 h2,  y1 = -h0 + 1.5 h1 + 0.125 */
Test(graph_network, tiny_computes_by_hand)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "tests/data/graph/tiny.xml", NULL), 0);
    cr_expect_str_eq(bm_graph_node_name(g, bm_graph_input(g, 1)), "x1");
    cr_expect_eq(bm_graph_output_count(g), 1);
    cr_expect_str_eq(bm_graph_node_name(g, bm_graph_output(g, 0)), "class");
    static const char *const cases[][3] = {
        {"1", "2", "1"}, {"2", "-1", "0"}, {"0", "0", "0"}, {"-1", "-1", "1"}, {"0.5", "0.25", "0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t in[2] = {graph_raw(g, cases[i][0]), graph_raw(g, cases[i][1])}, out;
        cr_assert_eq(bm_graph_eval(g, in, &out), 0);
        cr_expect_eq(out, atol(cases[i][2]), "x = (%s, %s)", cases[i][0], cases[i][1]);
    }
    bm_graph_free(g);

    /* Without the argmax, the outputs are the last layer. */
    size_t len;
    char *text = NULL;
    FILE *f = fopen("tests/data/graph/tiny.xml", "rb");
    cr_assert_not_null(f);
    text = calloc(1, 8192);
    len = fread(text, 1, 8191, f);
    fclose(f);
    char *argmax = strstr(text, "  <argmax/>\n");
    cr_assert_not_null(argmax);
    memmove(argmax, argmax + 12, strlen(argmax + 12) + 1);
    bm_network *net;
    cr_assert_eq(bm_network_read(&net, ctx, text, strlen(text), "tiny-scores.xml", NULL), 0);
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    cr_expect_eq(bm_graph_output_count(g), 2);
    cr_expect_str_eq(bm_graph_node_name(g, bm_graph_output(g, 1)), "y1");
    const char *in[2] = {"1", "2"};
    cr_expect_str_eq(eval_text(g, in, 0), "0.25");
    cr_expect_str_eq(eval_text(g, in, 1), "0.75");
    const char *zero[2] = {"0", "0"};
    cr_expect_str_eq(eval_text(g, zero, 0), "1");
    cr_expect_str_eq(eval_text(g, zero, 1), "-0.375");
    (void)len;
    free(text);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(graph_network, lowering_tags_layers_and_neurons)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_network(ctx, "tests/data/graph/tiny.xml");
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    unsigned muls = 0, per[2][3] = {{0}};
    for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
        bm_op op = bm_graph_node_op(g, i);
        int l = bm_graph_node_layer(g, i), j = bm_graph_node_neuron(g, i);
        if (op == BM_OP_INPUT || op == BM_OP_OUTPUT || op == BM_OP_ARGMAX) {
            cr_expect_eq(l, -1);
            cr_expect_eq(j, -1);
            continue;
        }
        cr_assert(l >= 0 && l < 2 && j >= 0 && j < 3, "node %u is tagged (%d, %d)", i, l, j);
        per[l][j]++;
        muls += op == BM_OP_MUL;
    }
    /* Products by nonzero weights only: 2 + 2 + 0 in layer 1, 3 + 2 in layer 2 */
    cr_expect_eq(muls, 9);
    /* Neuron (0,2) has no weights and bias 0: a constant 0 and its relu. */
    cr_expect_eq(per[0][2], 2);
    /* Neuron (0,0): 2 consts, 2 muls, 1 add, bias const + add, relu = 8 */
    cr_expect_eq(per[0][0], 8);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(graph_network, dead_neurons_are_left_out)
{
    const char *xml =
        "<network format=\"1\" name=\"dead\">\n"
        "  <input size=\"2\"/>\n"
        "  <layer neurons=\"3\" activation=\"relu\">\n"
        "    <weights>1 1  2 2  3 3</weights><biases>0 0 0</biases>\n"
        "  </layer>\n"
        "  <layer neurons=\"2\" activation=\"linear\">\n"
        "    <weights>1 0 1  -1 0 1</weights><biases>0 0</biases>\n"
        "  </layer>\n"
        "</network>\n";
    bm_ctx *ctx = graph_ctx();
    bm_network *net;
    cr_assert_eq(bm_network_read(&net, ctx, xml, strlen(xml), "dead.xml", NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    expect_graph_diags(ctx, "");
    for (unsigned i = 0; i < bm_graph_node_count(g); i++)
        cr_expect(!(bm_graph_node_layer(g, i) == 0 && bm_graph_node_neuron(g, i) == 1),
                  "neuron 1 of layer 0 feeds nothing and has no nodes");
    const char *in[2] = {"1", "0.5"};
    cr_expect_str_eq(eval_text(g, in, 0), "6");  /* 1.5 + 4.5 */
    cr_expect_str_eq(eval_text(g, in, 1), "3");  /* -1.5 + 4.5 */
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(graph_network, forced_type_requantises_and_checks_range)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    cr_assert_eq(bm_graph_parse_type("fixed<12,4>", &opt.type), 0);
    opt.force_type = 1;
    bm_network *net;
    cr_assert_eq(bm_network_read_file(&net, ctx, "tests/data/graph/tiny.xml", &opt), 0);
    cr_expect_eq(bm_network_type(net).frac, 8);
    cr_expect_eq(bm_network_layer_weights(net, 0)[1], -128);
    bm_network_free(net);
    /* int<2> holds -2..1: the weight 2 of layer 2 does not fit. */
    cr_assert_eq(bm_graph_parse_type("int<2>", &opt.type), 0);
    cr_expect_eq(bm_network_read_file(&net, ctx, "tests/data/graph/tiny.xml", &opt), BM_EPARSE);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "tests/data/graph/tiny.xml:16:7: error: constant 2 does not fit fixed<2,2>"),
              "%s", d);
    free(d);
    bm_ctx_free(ctx);
}

/* ---- lowering against the direct evaluation ------------------------------------------ */

static void check_network_file(const char *path, const char *vectors, uint64_t seed)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = read_network(ctx, path);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read_file(&v, g, vectors, 1), 0);
    for (size_t i = 0; i < bm_vectors_count(v); i++)
        expect_lowering_matches(net, g, bm_vectors_inputs(v, i));
    /* Random inputs over the whole range: sums wrap, products overflow. */
    uint64_t s = seed;
    int64_t x[256];
    for (int trial = 0; trial < 200; trial++) {
        for (unsigned i = 0; i < bm_network_input_count(net); i++)
            x[i] = test_random_raw(&s, bm_network_type(net));
        expect_lowering_matches(net, g, x);
    }
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(graph_network, lowering_matches_dense_evaluation_on_the_examples)
{
    check_network_file("examples/networks/iris.xml", "examples/networks/iris-all.csv", 1);
    check_network_file("examples/networks/digits.xml", "examples/networks/digits-test.csv", 2);
    check_network_file("tests/data/graph/tiny.xml", "tests/data/graph/tiny.csv", 3);
    check_network_file("tests/data/graph/activations.xml", "tests/data/graph/tiny.csv", 4);
}

/* Random networks written as XML (exact decimals of random raw values, a
 * fifth of them zero), read back, lowered and compared. */
static void random_network(uint64_t seed)
{
    uint64_t s;
    bm_fixed_type t;
    size_t len;
    char *xml = random_network_xml(seed, 21, 3, 6, 1, &t, &s, &len);
    bm_ctx *ctx = graph_ctx();
    bm_network *net;
    int rc = bm_network_read(&net, ctx, xml, len, "random.xml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "seed %llu: %s\n%s", (unsigned long long)seed, d, xml);
    free(d);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    int64_t x[8];
    for (int trial = 0; trial < 30; trial++) {
        for (unsigned i = 0; i < bm_network_input_count(net); i++)
            x[i] = test_random_raw(&s, t);
        expect_lowering_matches(net, g, x);
    }
    free(xml);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(graph_network, lowering_matches_dense_evaluation_on_random_networks)
{
    for (uint64_t seed = 1; seed <= 200; seed++)
        random_network(seed);
}

/* ---- accuracy of the committed networks ----------------------------------------------- */

/* Accuracy in percent of a network on labelled vectors, by bm_graph_eval. */
static double accuracy(const char *network, const char *vectors, size_t *count)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, network, NULL), 0);
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read_file(&v, g, vectors, 1), 0);
    size_t right = 0, n = bm_vectors_count(v);
    int64_t out[16];
    cr_assert_leq(bm_graph_output_count(g), 16);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(bm_graph_eval(g, bm_vectors_inputs(v, i), out), 0);
        right += bm_graph_predicted_class(g, out) == bm_vectors_label(v, i);
    }
    *count = n;
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return 100.0 * (double)right / (double)n;
}

/* Thresholds: the fixed-point accuracy measured when the networks were
 * committed (docs/performance.md, "Networks") minus a small margin. */
Test(graph_network, committed_networks_keep_their_accuracy)
{
    size_t n;
    double a = accuracy("examples/networks/iris.xml", "examples/networks/iris-test.csv", &n);
    cr_expect_eq(n, 50);
    cr_expect_geq(a, 94.0, "iris held-out: %.2f%% (measured 96.00%%)", a);
    a = accuracy("examples/networks/iris.xml", "examples/networks/iris-all.csv", &n);
    cr_expect_eq(n, 150);
    cr_expect_geq(a, 96.0, "iris all: %.2f%% (measured 97.33%%)", a);
    a = accuracy("examples/networks/digits.xml", "examples/networks/digits-test.csv", &n);
    cr_expect_eq(n, 360);
    cr_expect_geq(a, 96.0, "digits held-out: %.2f%% (measured 97.22%%)", a);
}
