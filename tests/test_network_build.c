/* bm_network_from_arrays: the iris network built from arrays of doubles
 * (its weights read from examples/networks/iris.xml with strtod, as a
 * program holding a trained model has them) is the network the XML reader
 * makes of the file: the same raw values, the same XML written back, the
 * same outputs on every test vector.  Then the rules it shares with the
 * reader, each refused with a message. */
#include <math.h>

#include "graph_helpers.h"
#include "helpers.h"

/* The decimal words between <TAG> and </TAG>, from *pos on, as doubles;
 * *pos moves past the element. */
static double *words_of(const char **pos, const char *tag, size_t *n)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(*pos, open);
    cr_assert_not_null(a, "no %s", open);
    a += strlen(open);
    const char *b = strstr(a, close);
    cr_assert_not_null(b);
    double *v = malloc(sizeof *v * 4096);
    cr_assert_not_null(v);
    *n = 0;
    char *end;
    for (const char *p = a; p < b; p = end) {
        while (p < b && (*p == ' ' || *p == '\n' || *p == '\t'))
            p++;
        if (p >= b)
            break;
        v[(*n)++] = strtod(p, &end);
        cr_assert(end > p && *n < 4096);
    }
    *pos = b + strlen(close);
    return v;
}

Test(network_build, iris_from_arrays_is_iris_from_xml)
{
    char *text = slurp("examples/networks/iris.xml", NULL);
    cr_assert_not_null(text);
    const char *pos = text;
    size_t n;
    double *w0 = words_of(&pos, "weights", &n);
    cr_assert_eq(n, 4 * 8);
    double *b0 = words_of(&pos, "biases", &n);
    cr_assert_eq(n, 8);
    double *w1 = words_of(&pos, "weights", &n);
    cr_assert_eq(n, 8 * 3);
    double *b1 = words_of(&pos, "biases", &n);
    cr_assert_eq(n, 3);

    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    const unsigned neurons[] = {8, 3};
    const bm_activation acts[] = {BM_ACT_RELU, BM_ACT_LINEAR};
    const double *const weights[] = {w0, w1};
    const double *const biases[] = {b0, b1};
    bm_fixed_type t = {16, 10};
    bm_network *built;
    cr_assert_eq(bm_network_from_arrays(&built, ctx, "iris", t, 4, 2, neurons, acts, weights,
                                        biases, BM_NETWORK_OUTPUT_ARGMAX),
                 0);
    cr_expect_eq(bm_ctx_diag_count(ctx), 0);
    bm_network *read;
    cr_assert_eq(bm_network_read_file(&read, ctx, "examples/networks/iris.xml", NULL), 0);

    /* the same network, value for value */
    cr_expect_str_eq(bm_network_name(built), "iris");
    cr_expect_eq(bm_network_input_count(built), 4);
    cr_expect_eq(bm_network_layer_count(built), 2);
    cr_expect(bm_network_has_argmax(built) && !bm_network_has_threshold(built));
    for (unsigned l = 0; l < 2; l++) {
        cr_expect_eq(bm_network_layer_inputs(built, l), bm_network_layer_inputs(read, l));
        cr_expect_eq(bm_network_layer_neurons(built, l), neurons[l]);
        cr_expect_eq(bm_network_layer_activation(built, l), acts[l]);
        unsigned nw = bm_network_layer_inputs(read, l) * neurons[l];
        for (unsigned k = 0; k < nw; k++)
            cr_expect_eq(bm_network_layer_weights(built, l)[k],
                         bm_network_layer_weights(read, l)[k], "layer %u weight %u", l, k);
        for (unsigned k = 0; k < neurons[l]; k++)
            cr_expect_eq(bm_network_layer_biases(built, l)[k], bm_network_layer_biases(read, l)[k],
                         "layer %u bias %u", l, k);
    }
    char *xa, *xb;
    size_t na, nb;
    cr_assert_eq(bm_network_write_memory(built, &xa, &na), 0);
    cr_assert_eq(bm_network_write_memory(read, &xb, &nb), 0);
    cr_expect_str_eq(xa, xb);
    bm_xml_buffer_free(ctx, xa);
    bm_xml_buffer_free(ctx, xb);

    /* the same outputs on every test vector */
    bm_graph *ga, *gb;
    cr_assert_eq(bm_network_to_graph(&ga, built), 0);
    cr_assert_eq(bm_network_to_graph(&gb, read), 0);
    bm_vectors *v;
    cr_assert_eq(bm_vectors_read_file(&v, ga, "examples/networks/iris-test.csv", 1), 0);
    size_t right = 0;
    for (size_t i = 0; i < bm_vectors_count(v); i++) {
        int64_t ya, yb;
        cr_assert_eq(bm_graph_eval(ga, bm_vectors_inputs(v, i), &ya), 0);
        cr_assert_eq(bm_graph_eval(gb, bm_vectors_inputs(v, i), &yb), 0);
        cr_expect_eq(ya, yb, "vector %zu", i + 1);
        right += ya == bm_vectors_label(v, i);
    }
    cr_expect_eq(bm_vectors_count(v), 50);
    cr_expect_eq(right, 48); /* bmc eval's accuracy of iris.xml */
    bm_vectors_free(v);
    bm_graph_free(ga);
    bm_graph_free(gb);
    bm_network_free(built);
    bm_network_free(read);
    bm_ctx_free(ctx);
    free(w0);
    free(b0);
    free(w1);
    free(b1);
    free(text);
}

/* Quantisation is the constant rule of docs/numbers.md: nearest, ties to
 * even, on the double itself. */
Test(network_build, values_round_to_nearest_ties_to_even)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    /* fixed<8,4>: steps of 1/16.  1.5 steps -> 2, 2.5 -> 2, -0.5 -> 0,
     * 0.26 -> 4 (0.25), -7.99 -> -128 (-8) */
    const double w[] = {1.5 / 16, 2.5 / 16, -0.5 / 16, 0.26, -7.99};
    const double b[] = {0.75};
    const unsigned neurons[] = {1};
    const bm_activation acts[] = {BM_ACT_LINEAR};
    const double *const ws[] = {w};
    const double *const bs[] = {b};
    bm_fixed_type t = {8, 4};
    bm_network *net;
    cr_assert_eq(bm_network_from_arrays(&net, ctx, NULL, t, 5, 1, neurons, acts, ws, bs,
                                        BM_NETWORK_OUTPUT_NEURONS),
                 0);
    cr_expect_str_eq(bm_network_name(net), "network");
    const int64_t want[] = {2, 2, 0, 4, -128};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(bm_network_layer_weights(net, 0)[i], want[i], "weight %d", i);
    cr_expect_eq(bm_network_layer_biases(net, 0)[0], 12);
    /* the lowered graph: y0 = sum w*x + b */
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    int64_t x[5] = {16, 16, 16, 16, 16}, y; /* every input 1.0 */
    cr_assert_eq(bm_graph_eval(g, x, &y), 0);
    cr_expect_eq(y, 2 + 2 + 0 + 4 - 128 + 12);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* Builds a one-layer network from 2 inputs and expects it refused with rc
 * and exactly the diagnostics `want`. */
static void expect_refused(const char *name, bm_fixed_type t, unsigned inputs, unsigned n_layers,
                           const unsigned *neurons, const bm_activation *acts,
                           const double *const *ws, const double *const *bs,
                           bm_network_output output, int rc, const char *want)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_network *net = (bm_network *)1;
    cr_expect_eq(bm_network_from_arrays(&net, ctx, name, t, inputs, n_layers, neurons, acts, ws,
                                        bs, output),
                 rc);
    cr_expect_null(net);
    expect_graph_diags(ctx, want);
    bm_ctx_free(ctx);
}

Test(network_build, refusals)
{
    bm_fixed_type t = {16, 10};
    const double w[] = {1, 2, 3, 4}, b[] = {0, 0};
    const double *const ws[] = {w, w}, *const bs[] = {b, b};
    const unsigned one[] = {1}, two[] = {2};
    const bm_activation relu[] = {BM_ACT_RELU, BM_ACT_RELU};
    const bm_activation leaky[] = {BM_ACT_LEAKY_RELU};
    const bm_activation bad[] = {(bm_activation)42};

    expect_refused("n", t, 2, 1, one, relu, ws, bs, BM_NETWORK_OUTPUT_ARGMAX, BM_EINVALID,
                   "n: error: argmax over 1 neuron: the answer would always be 0; leave the "
                   "argmax out to output the neuron itself\n");
    expect_refused("n", t, 2, 1, two, relu, ws, bs, BM_NETWORK_OUTPUT_THRESHOLD, BM_EINVALID,
                   "n: error: threshold needs one output neuron, but layer 1 has 2 neurons\n");
    expect_refused("n", t, 2, 1, one, leaky, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVALID,
                   "n: error: layer 1: leaky_relu needs an alpha, which bm_network_from_arrays "
                   "does not take: write network XML (docs/network.md)\n");
    expect_refused("n", t, 2, 1, one, bad, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVALID,
                   "n: error: layer 1: unknown activation 42\n");
    expect_refused("n", t, 0, 0, one, relu, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVALID,
                   "n: error: the input size must be 1 to 1048576, not 0\n"
                   "n: error: a network needs at least one layer\n");
    const unsigned zero[] = {0};
    expect_refused("2bad", t, 2, 1, zero, relu, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVALID,
                   "2bad: error: the network name must be an identifier ([A-Za-z_][A-Za-z0-9_]*, "
                   "at most 64 characters)\n"
                   "2bad: error: layer 1: the neuron count must be 1 to 1048576, not 0\n");
    bm_fixed_type t8 = {8, 4};
    const double big[] = {8, -8.05, NAN, 0.5}, bigb[] = {100};
    const double *const bigs[] = {big}, *const bigbs[] = {bigb};
    expect_refused("n", t8, 4, 1, one, relu, bigs, bigbs, BM_NETWORK_OUTPUT_NEURONS, BM_ERANGE,
                   "n: error: layer 1: weight of neuron 0 for input 0 = 8 does not fit fixed<8,4> "
                   "(range -8 .. 7.9375)\n"
                   "n: error: layer 1: weight of neuron 0 for input 1 = -8.05 does not fit "
                   "fixed<8,4> (range -8 .. 7.9375)\n"
                   "n: error: layer 1: weight of neuron 0 for input 2 = nan does not fit "
                   "fixed<8,4> (range -8 .. 7.9375)\n"
                   "n: error: layer 1: bias of neuron 0 = 100 does not fit fixed<8,4> (range -8 "
                   ".. 7.9375)\n");
    /* sigmoid's constants (up to 5) do not fit fixed<8,6> */
    bm_fixed_type t86 = {8, 6};
    const bm_activation sig[] = {BM_ACT_SIGMOID};
    const double small[] = {0.5, 0.5}, smallb[] = {0};
    const double *const smalls[] = {small}, *const smallbs[] = {smallb};
    expect_refused("n", t86, 2, 1, one, sig, smalls, smallbs, BM_NETWORK_OUTPUT_NEURONS,
                   BM_EINVALID,
                   "n: error: layer 1: the constants of sigmoid (up to 5) do not fit fixed<8,2>\n");
    bm_fixed_type bad_type = {65, 3};
    expect_refused("n", bad_type, 2, 1, one, relu, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVAL,
                   "n: error: invalid type: total 65, frac 3 (need 2 <= total <= 64 and frac < "
                   "total)\n");
    expect_refused("n", t, 2, 1, NULL, relu, ws, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVAL,
                   "n: error: bm_network_from_arrays: NULL arrays for 1 layers\n");
    const double *const nows[] = {NULL};
    expect_refused("n", t, 2, 1, one, relu, nows, bs, BM_NETWORK_OUTPUT_NEURONS, BM_EINVALID,
                   "n: error: layer 1: no weights given\n");
    cr_expect_eq(bm_network_from_arrays(NULL, NULL, "n", t, 2, 1, one, relu, ws, bs,
                                        BM_NETWORK_OUTPUT_NEURONS),
                 BM_EINVAL);
}
