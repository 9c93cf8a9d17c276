/* The ONNX front end (libbm/onnx/, docs/onnx.md): models encoded by the
 * Makefile from the .textproto files of examples/onnx/ and tests/data/onnx/
 * into $BM_ONNX_MODELS (build/onnx).  Imported networks equal their
 * hand-written XML, the trained examples agree with the float model's own
 * predictions, compiled machines compute the evaluator's outputs bit for
 * bit, and every bad model is refused with its exact message. */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "compile_helpers.h"

static const char *model(const char *name)
{
    static char path[4][512];
    static unsigned k;
    const char *dir = getenv("BM_ONNX_MODELS");
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s.onnx", dir && *dir ? dir : "build/onnx", name);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0, "%s is missing: make test encodes it (make onnx-models)", p);
    return p;
}

static bm_network *import(bm_ctx *ctx, const char *name, const bm_graph_options *opt)
{
    bm_network *net = NULL;
    int rc = bm_onnx_read_file(&net, ctx, model(name), opt);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not import:\n%s", name, d);
    free(d);
    return net;
}

static char *xml_of(const bm_network *net)
{
    char *text;
    size_t len;
    cr_assert_eq(bm_network_write_memory(net, &text, &len), 0);
    cr_assert_eq(strlen(text), len);
    return text;
}

/* The model imports as the network XML written by hand: the same text
 * once both are written. */
static void expect_same_network(const char *name, const char *xml_path)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *from_onnx = import(ctx, name, NULL);
    bm_network *from_xml;
    cr_assert_eq(bm_network_read_file(&from_xml, ctx, xml_path, NULL), 0, "%s", xml_path);
    char *a = xml_of(from_onnx), *b = xml_of(from_xml);
    cr_assert_str_eq(a, b);
    bm_xml_buffer_free(ctx, a);
    bm_xml_buffer_free(ctx, b);
    bm_network_free(from_onnx);
    bm_network_free(from_xml);
    bm_ctx_free(ctx);
}

Test(onnx, tiny_imports_as_the_hand_written_network)
{
    expect_same_network("tiny", "tests/data/graph/tiny.xml");
    bm_ctx *ctx = graph_ctx();
    bm_network *net = import(ctx, "tiny", NULL);
    cr_assert(bm_network_has_argmax(net));
    cr_assert_eq(bm_network_layer_activation(net, 0), BM_ACT_RELU);
    cr_assert_eq(bm_network_layer_activation(net, 1), BM_ACT_LINEAR);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* LeakyRelu and Clip(0, 6) become leaky_relu and a relu with max 6. */
Test(onnx, activations_import_as_the_hand_written_network)
{
    expect_same_network("activations", "tests/data/graph/activations.xml");
    bm_ctx *ctx = graph_ctx();
    bm_network *net = import(ctx, "activations", NULL);
    cr_assert_eq(bm_network_layer_activation(net, 0), BM_ACT_LEAKY_RELU);
    cr_assert_eq(bm_network_layer_alpha(net, 0), 128); /* 0.125 */
    int64_t max;
    cr_assert(bm_network_layer_relu_max(net, 1, &max));
    cr_assert_eq(max, 6 * 1024);
    cr_assert_not(bm_network_layer_relu_max(net, 0, NULL));
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    /* By hand: x = (1, 2) clips both relu6 neurons at 6, y = 0.75*6 - 1.25*6;
     * x = (0, 0): the leaky neuron 1 gives -1/8, y = 0.75 * 1.875. */
    const char *a[2] = {"1", "2"}, *b[2] = {"0", "0"};
    cr_assert_str_eq(eval_text(g, a, 0), "-3");
    cr_assert_str_eq(eval_text(g, b, 0), "1.40625");
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* torch.onnx.export stores equal tensors once and names the copies
 * through Identity nodes; an Identity of a constant is that constant. */
Test(onnx, identity_copies_of_constants_are_the_constants)
{
    expect_same_network("tiny_identity", "tests/data/graph/tiny.xml");
}

/* x.view(x.size(0), -1) with a dynamic batch, as torch.onnx.export writes
 * it: Reshape to Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]), the batch
 * size copied. */
Test(onnx, reshape_to_the_computed_batch_size_is_a_flatten)
{
    expect_same_network("tiny_view", "tests/data/graph/tiny.xml");
}

/* nn.Linear without bias exported with do_constant_folding off: the weight
 * through a Transpose into MatMul. */
Test(onnx, transpose_of_a_constant_matrix_is_a_weight)
{
    expect_same_network("tiny_transpose", "tests/data/graph/tiny.xml");
}

/* A fixed batch of 2: torch folds x.view(x.size(0), -1) to Reshape [2, -1]. */
Test(onnx, reshape_to_the_fixed_batch_size_is_a_flatten)
{
    expect_same_network("tiny_batch2", "tests/data/graph/tiny.xml");
}

/* What torch.onnx.export wrote (digits_torch: x.view(x.size(0), -1) as
 * Shape, Gather, Unsqueeze, Concat and Reshape, Gemm with transB=1,
 * BatchNormalization, Relu, Gemm, Softmax; the Dropout gone) and what
 * onnx.helper built from sklearn's LogisticRegression (cancer_logreg:
 * MatMul + Add + Sigmoid on one neuron) import as the networks they are. */
Test(onnx, framework_exports_import_as_their_networks)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = import(ctx, "digits_torch", NULL);
    cr_expect_eq(bm_network_input_count(net), 64); /* [N, 1, 8, 8] flattened */
    cr_assert_eq(bm_network_layer_count(net), 2);
    cr_expect_eq(bm_network_layer_neurons(net, 0), 16);
    cr_expect_eq(bm_network_layer_activation(net, 0), BM_ACT_RELU);
    cr_expect_eq(bm_network_layer_neurons(net, 1), 10);
    cr_expect_eq(bm_network_layer_activation(net, 1), BM_ACT_LINEAR);
    cr_expect(bm_network_has_argmax(net));
    bm_network_free(net);
    net = import(ctx, "cancer_logreg", NULL);
    cr_expect_eq(bm_network_input_count(net), 30);
    cr_assert_eq(bm_network_layer_count(net), 1);
    cr_expect_eq(bm_network_layer_neurons(net, 0), 1);
    cr_expect_eq(bm_network_layer_activation(net, 0), BM_ACT_LINEAR);
    cr_expect(bm_network_has_threshold(net));
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* Written XML reads back to the same raw values and the same bytes. */
Test(onnx, written_network_reads_back_exactly)
{
    const char *names[] = {"iris",         "cancer",       "digits",       "iris_tanh",
                           "wine_sigmoid", "digits_torch", "cancer_logreg"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        bm_ctx *ctx = graph_ctx();
        bm_network *net = import(ctx, names[k], NULL);
        char *text;
        size_t len;
        cr_assert_eq(bm_network_write_memory(net, &text, &len), 0);
        bm_network *back;
        cr_assert_eq(bm_network_read(&back, ctx, text, len, names[k], NULL), 0, "%s", names[k]);
        cr_assert_eq(bm_network_layer_count(back), bm_network_layer_count(net));
        for (unsigned l = 0; l < bm_network_layer_count(net); l++) {
            size_t n = (size_t)bm_network_layer_inputs(net, l) * bm_network_layer_neurons(net, l);
            cr_assert_eq(memcmp(bm_network_layer_weights(net, l), bm_network_layer_weights(back, l),
                                n * sizeof(int64_t)),
                         0, "%s layer %u", names[k], l);
            cr_assert_eq(memcmp(bm_network_layer_biases(net, l), bm_network_layer_biases(back, l),
                                bm_network_layer_neurons(net, l) * sizeof(int64_t)),
                         0);
        }
        char *again;
        cr_assert_eq(bm_network_write_memory(back, &again, NULL), 0);
        cr_assert_str_eq(text, again);
        int binary = strncmp(names[k], "cancer", 6) == 0;
        cr_assert_eq(bm_network_has_threshold(net), binary);
        cr_assert_eq(bm_network_has_argmax(net), !binary);
        bm_xml_buffer_free(ctx, text);
        bm_xml_buffer_free(ctx, again);
        bm_network_free(back);
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
}

/* The float model's classes (NAME-float.txt, from make_onnx.py). */
static long *float_classes(const char *path, size_t *n)
{
    char *text = slurp(path, NULL);
    cr_assert_not_null(text, "%s", path);
    long *c = malloc(4096 * sizeof *c);
    cr_assert_not_null(c);
    *n = 0;
    for (char *line = strtok(text, "\n"); line && *n < 4096; line = strtok(NULL, "\n"))
        if (line[0] != '#')
            c[(*n)++] = strtol(line, NULL, 10);
    free(text);
    return c;
}

typedef struct example {
    const char *name, *vectors, *floats;
} example;

static const example examples[] = {
    {"iris", "examples/onnx/iris-test.csv", "examples/onnx/iris-float.txt"},
    {"cancer", "examples/onnx/cancer-test.csv", "examples/onnx/cancer-float.txt"},
    {"digits", "examples/networks/digits-test.csv", "examples/onnx/digits-float.txt"},
    {"iris_tanh", "examples/onnx/iris_tanh-test.csv", "examples/onnx/iris_tanh-float.txt"},
    {"wine_sigmoid", "examples/onnx/wine_sigmoid-test.csv",
     "examples/onnx/wine_sigmoid-float.txt"},
    {"iris_qdq", "examples/onnx/iris-test.csv", "examples/onnx/iris_qdq-float.txt"},
    /* written by the frameworks (make_onnx_frameworks.py): the float
     * classes are torch's forward pass and sklearn's predict() */
    {"digits_torch", "examples/networks/digits-test.csv", "examples/onnx/digits_torch-float.txt"},
    {"cancer_logreg", "examples/onnx/cancer-test.csv", "examples/onnx/cancer_logreg-float.txt"},
};

/* The goal: fixed point within 1 percentage point of the float
 * model's accuracy, and at most 2% of the vectors classified differently. */
Test(onnx, fixed_point_agrees_with_the_float_model)
{
    for (size_t k = 0; k < sizeof examples / sizeof examples[0]; k++) {
        const example *e = &examples[k];
        bm_ctx *ctx = graph_ctx();
        bm_graph *g;
        cr_assert_eq(bm_graph_read_file(&g, ctx, model(e->name), NULL), 0, "%s", e->name);
        bm_vectors *v;
        cr_assert_eq(bm_vectors_read_file(&v, g, e->vectors, 1), 0, "%s", e->vectors);
        size_t n_float;
        long *fc = float_classes(e->floats, &n_float);
        size_t n = bm_vectors_count(v), right = 0, float_right = 0, differ = 0;
        cr_assert_eq(n, n_float, "%s: %zu vectors, %zu float classes", e->name, n, n_float);
        cr_assert_gt(n, 0);
        int64_t out[16];
        cr_assert_leq(bm_graph_output_count(g), 16);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(bm_graph_eval(g, bm_vectors_inputs(v, i), out), 0);
            long c = bm_graph_predicted_class(g, out), label = bm_vectors_label(v, i);
            right += c == label;
            float_right += fc[i] == label;
            differ += c != fc[i];
        }
        double acc = 100.0 * (double)right / (double)n;
        double facc = 100.0 * (double)float_right / (double)n;
        cr_expect_geq(acc, facc - 1.0, "%s: fixed %.2f%%, float %.2f%%", e->name, acc, facc);
        cr_expect_leq(100.0 * (double)differ / (double)n, 2.0, "%s: %zu of %zu classes differ",
                      e->name, differ, n);
        free(fc);
        bm_vectors_free(v);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Compiled and simulated, every test vector streamed: the evaluator's
 * outputs bit for bit (check_compiled), on several strategies. */
Test(onnx, compiled_machines_compute_the_evaluator_outputs, .timeout = 600)
{
    static const placement places[] = {{BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0},
                                       {BM_MAP_FOLD, 0, 4, BM_MUL_PIPE, 0},
                                       {BM_MAP_CORES, 3, 0, BM_MUL_COMB, 0}};
    /* the activations model on every placement, on random inputs */
    bm_ctx *actx = graph_ctx();
    bm_graph *ag;
    cr_assert_eq(bm_graph_read_file(&ag, actx, model("activations"), NULL), 0);
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(ag, every_placement[p], NULL, 0, 8, 11, "activations");
    bm_graph_free(ag);
    bm_ctx_free(actx);
    for (size_t k = 0; k < sizeof examples / sizeof examples[0]; k++) {
        const example *e = &examples[k];
        bm_ctx *ctx = graph_ctx();
        bm_graph *g;
        cr_assert_eq(bm_graph_read_file(&g, ctx, model(e->name), NULL), 0);
        bm_vectors *v;
        cr_assert_eq(bm_vectors_read_file(&v, g, e->vectors, 1), 0);
        size_t n = bm_vectors_count(v);
        unsigned ni = bm_graph_input_count(g);
        int64_t *in = malloc(n * ni * sizeof *in);
        cr_assert_not_null(in);
        for (size_t i = 0; i < n; i++)
            memcpy(in + i * ni, bm_vectors_inputs(v, i), ni * sizeof *in);
        /* digits on one strategy only: it is the slow one */
        int slow = strcmp(e->name, "digits") == 0;
        size_t n_places = slow ? 1 : sizeof places / sizeof places[0];
        for (size_t p = 0; p < n_places; p++)
            check_compiled(g, places[slow ? 1 : p], in, n, (unsigned)n, 7, e->name);
        free(in);
        bm_vectors_free(v);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* ---- bad models --------------------------------------------------------------------- */

static void expect_refused(const char *name, const char *message)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = (bm_network *)1;
    const char *path = model(name);
    cr_assert_neq(bm_onnx_read_file(&net, ctx, path, NULL), 0, "%s was accepted", name);
    cr_assert_null(net);
    char want[1200];
    snprintf(want, sizeof want, "%s: error: %s\n", path, message);
    char *d = graph_diags(ctx);
    cr_assert_str_eq(d, want, "%s", name);
    free(d);
    bm_ctx_free(ctx);
}

Test(onnx, identity_cycle_is_not_a_constant)
{
    expect_refused("bad_identity_cycle",
                   "node 'fc1' (Gemm): input 'W1' is not a constant (supported: weights stored "
                   "in the model as initializers or Constant nodes, Identity copies of them, or "
                   "a Transpose of a matrix)");
}

Test(onnx, computed_reshape_targets_other_than_a_flatten_are_refused)
{
    expect_refused("bad_view_batch", "node '/0/Reshape' (Reshape): the shape has the batch size "
                                     "at position 1 (supported: first, the batch dimension "
                                     "kept)");
    expect_refused("bad_view_op",
                   "node '/0/Mul' (Mul): computes the shape of a Reshape with operator Mul "
                   "(supported: Shape of the reshaped data, Gather, Unsqueeze and Concat on axis "
                   "0, Cast, Identity and constants, as torch.onnx.export writes x.view(x.size(0), "
                   "-1))");
}

Test(onnx, transpose_other_than_of_a_matrix_is_refused)
{
    expect_refused("bad_transpose", "node 't2' (Transpose): this perm is not supported "
                                    "(supported: none or [1, 0], a matrix transposed)");
}

Test(onnx, reshape_to_another_batch_size_is_refused)
{
    expect_refused("bad_batch", "node '/0/Reshape' (Reshape): reshaping to [3, -1] is not "
                                "supported (supported: [-1, 2], [2, 2] or [1, 2], which keep 2 "
                                "features per vector)");
}

Test(onnx, a_required_name_left_out_is_refused)
{
    expect_refused("bad_noname", "not an ONNX model: initializer 1 has no name");
}

Test(onnx, unknown_operator)
{
    expect_refused("bad_op", "node 'act1' (Elu): operator Elu is not supported (supported: "
                             "Gemm, MatMul, Add, BatchNormalization, Relu, LeakyRelu, Clip, "
                             "Sigmoid, Tanh, Flatten, Reshape, Identity, Dropout, Softmax, "
                             "LogSoftmax, ArgMax, QuantizeLinear, DequantizeLinear)");
}

/* ---- QDQ models --------------------------------------------------------- */

/* tiny_qdq is tiny.xml with int8 pairs of scale 2^-4 (fixed<8,4>) and W1 as
 * int8 * 2^-2: the same network in the type the pairs declare. */
Test(onnx_qdq, pairs_set_the_type_and_weights_are_dequantised)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = import(ctx, "tiny_qdq", NULL);
    cr_expect_eq(bm_network_type(net).total, 8);
    cr_expect_eq(bm_network_type(net).frac, 4);
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    opt.type = (bm_fixed_type){8, 4};
    opt.force_type = 1;
    bm_network *xml;
    cr_assert_eq(bm_network_read_file(&xml, ctx, "tests/data/graph/tiny.xml", &opt), 0);
    char *a = xml_of(net), *b = xml_of(xml);
    cr_expect_str_eq(a, b);
    bm_xml_buffer_free(ctx, a);
    bm_xml_buffer_free(ctx, b);
    bm_network_free(net);
    bm_network_free(xml);
    /* --type (force_type) still wins over the pairs, as over a file's type */
    opt.type = (bm_fixed_type){16, 10};
    net = import(ctx, "tiny_qdq", &opt);
    cr_expect_eq(bm_network_type(net).frac, 10);
    bm_network_free(net);
    /* without force_type, the pairs' type beats the default */
    opt.force_type = 0;
    net = import(ctx, "tiny_qdq", &opt);
    cr_expect_eq(bm_network_type(net).frac, 4);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

/* The committed QDQ example: int16 pairs of scale 2^-8, int8 weights of
 * scale 2^-6 and int32 biases of scale 2^-8, all exact in fixed<16,8>. */
Test(onnx_qdq, the_example_reads_its_integers_exactly)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = import(ctx, "iris_qdq", NULL);
    cr_expect_eq(bm_network_type(net).total, 16);
    cr_expect_eq(bm_network_type(net).frac, 8);
    /* W1_q[0][0] = -20 at 2^-6: raw -20 * 4; W1_q[0][1] = 6 is neuron 1's
     * weight of input 0 (MatMul layout [inputs, neurons]) */
    cr_expect_eq(bm_network_layer_weights(net, 0)[0], -80);
    cr_expect_eq(bm_network_layer_weights(net, 0)[4], 24);
    cr_expect_eq(bm_network_layer_biases(net, 0)[0], 145); /* int32 at 2^-8 */
    cr_expect_eq(bm_network_layer_biases(net, 1)[2], -309);
    cr_expect(bm_network_has_argmax(net));
    bm_network_free(net);
    bm_ctx_free(ctx);
}

#define QDQ_SUPPORTED                                                                        \
    "(supported: per-tensor scales 2^-F with zero point 0 of type int8 or int16, 0 <= F < " \
    "its bits)"

Test(onnx_qdq, what_a_fixed_point_type_cannot_say_is_refused)
{
    expect_refused("bad_qdq_scale", "node 'q_x' (QuantizeLinear): scale 0.100000001 is not a "
                                    "power of two " QDQ_SUPPORTED);
    expect_refused("bad_qdq_zero",
                   "node 'q_x' (QuantizeLinear): zero point 3 is not supported " QDQ_SUPPORTED);
    expect_refused("bad_qdq_uint8", "node 'q_x' (QuantizeLinear): has no zero point, so its "
                                    "integers are uint8 " QDQ_SUPPORTED);
    expect_refused("bad_qdq_axis",
                   "node 'dq_w1' (DequantizeLinear): the scale has 3 values " QDQ_SUPPORTED);
    expect_refused("bad_qdq_mixed", "node 'q_a1' (QuantizeLinear): quantises to fixed<8,5>, but "
                                    "node 'q_x' (QuantizeLinear) quantises to fixed<8,4> "
                                    "(supported: one type for the whole model)");
    expect_refused("bad_qdq_unpaired", "node 'fc1' (Gemm): reads the integers of node 'q_x' "
                                       "(QuantizeLinear) (supported: a DequantizeLinear right "
                                       "after each QuantizeLinear)");
}

Test(onnx_qdq, bmc_import_writes_nothing_for_a_bad_model)
{
    char dir[] = "/tmp/bm_test_qdq_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[128];
    snprintf(out, sizeof out, "%s/net.xml", dir);
    bmc_result r = bmc_run(dir, "import", model("bad_qdq_mixed"), "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "one type for the whole model"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1);
    bmc_result_free(&r);
    r = bmc_run(dir, "import", model("tiny_qdq"), "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    char *text = slurp(out, NULL);
    cr_expect(text && strstr(text, "total=\"8\" frac=\"4\""), "%s", text ? text : "");
    free(text);
    bmc_result_free(&r);
    unlink(out);
    char path[160];
    snprintf(path, sizeof path, "%s/.stdout", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/.stderr", dir);
    unlink(path);
    cr_expect_eq(rmdir(dir), 0);
}

Test(onnx, mismatched_shapes)
{
    expect_refused("bad_shape", "node 'fc2' (Gemm): B has shape [4, 2], but the input has 3 "
                                "features");
}

/* The ONNX form of <argmax/> over one neuron: a class that is always 0. */
Test(onnx, softmax_over_one_output_is_refused)
{
    expect_refused("bad_argmax_one", "the model ends in a Softmax or ArgMax over 1 output: the "
                                     "class would always be 0; end it in the output itself (or "
                                     "a Sigmoid for a binary classifier)");
}

Test(onnx, weight_out_of_range)
{
    expect_refused("bad_range", "node 'fc2' (Gemm): weight of neuron 0 for input 1 = 40.5 does "
                                "not fit fixed<16,6> (range -32 .. 31.9990234375)");
}

Test(onnx, unsupported_opset)
{
    expect_refused("bad_opset", "the model uses opset 6 of the default ONNX domain (supported: 7 "
                                "to 21)");
}

Test(onnx, dynamic_feature_dimension)
{
    expect_refused("bad_dynamic", "input 'x' has a dynamic dimension 1 ('F') (supported: fixed "
                                  "sizes, except the first, batch, dimension)");
}

Test(onnx, external_data)
{
    expect_refused("bad_external", "node 'fc1' (Gemm): tensor 'W1' is stored as external data "
                                   "(supported: tensors inside the model file)");
}

Test(onnx, unsupported_attribute_value)
{
    expect_refused("bad_transa", "node 'fc1' (Gemm): transA=1 is not supported (supported: "
                                 "transA=0)");
}

Test(onnx, clip_other_than_a_relu_is_refused)
{
    expect_refused("bad_clip", "node 'act1' (Clip): Clip to [-1, 1] is not supported (supported: "
                               "min 0 and a positive max or none: a relu, clipped like ReLU6 or "
                               "not)");
}

Test(onnx, branches_are_refused)
{
    expect_refused("bad_branch", "tensor 'a1' is read 2 times (node 'fc2' (Gemm) and node 'side' "
                                 "(Relu)) (supported: a chain, each tensor read once)");
}

static void expect_undecodable(const char *data, size_t size)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net = (bm_network *)1;
    cr_assert_eq(bm_onnx_read(&net, ctx, data, size, "m.onnx", NULL), BM_EPARSE);
    cr_assert_null(net);
    expect_graph_diags(ctx, "m.onnx: error: not an ONNX model: the data does not decode as an "
                            "onnx.ModelProto (a truncated file, or not protobuf)\n");
    bm_ctx_free(ctx);
}

Test(onnx, truncated_file)
{
    size_t len;
    char *data = slurp(model("tiny"), &len);
    cr_assert_not_null(data);
    cr_assert_gt(len, 200);
    expect_undecodable(data, 200);
    free(data);
}

Test(onnx, not_protobuf)
{
    const char text[] = "this is not a model\n";
    expect_undecodable(text, sizeof text - 1);
}

Test(onnx, empty_file)
{
    bm_ctx *ctx = graph_ctx();
    bm_network *net;
    cr_assert_eq(bm_onnx_read(&net, ctx, "", 0, "e.onnx", NULL), BM_EPARSE);
    expect_graph_diags(ctx, "e.onnx: error: not an ONNX model: it holds no graph\n");
    bm_ctx_free(ctx);
}

/* ---- the type, the threshold, quantisation -------------------------------------------- */

Test(onnx, type_option_sets_the_network_type)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    opt.type = (bm_fixed_type){8, 4};
    bm_network *net = import(ctx, "tiny", &opt);
    cr_assert_eq(bm_network_type(net).total, 8);
    cr_assert_eq(bm_network_type(net).frac, 4);
    /* -0.5 and 0.75 in fixed<8,4> are raw -8 and 12 */
    cr_assert_eq(bm_network_layer_weights(net, 0)[1], -8);
    cr_assert_eq(bm_network_layer_weights(net, 0)[3], 12);
    bm_network_free(net);
    bm_ctx_free(ctx);
}

Test(onnx, from_double_rounds_like_decimal_constants)
{
    bm_fixed_type t = {16, 10};
    int64_t raw;
    static const struct {
        double v;
        int64_t raw;
    } cases[] = {{1.25, 1280}, {0.1, 102}, {-0.1, -102}, {0.00048828125, 0},
                 {0.00146484375, 2}, {-32.00048828125, -32768}, {31.9990234375, 32767}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_eq(bm_fixed_from_double(NULL, cases[i].v, t, &raw), 0, "%g", cases[i].v);
        cr_assert_eq(raw, cases[i].raw, "%g: %lld", cases[i].v, (long long)raw);
    }
    cr_assert_eq(bm_fixed_from_double(NULL, 31.99951171875, t, &raw), BM_ERANGE);
    cr_assert_eq(bm_fixed_from_double(NULL, 32, t, &raw), BM_ERANGE);
    cr_assert_eq(bm_fixed_from_double(NULL, NAN, t, &raw), BM_ERANGE);
    cr_assert_eq(bm_fixed_from_double(NULL, INFINITY, t, &raw), BM_ERANGE);
}

/* Sigmoid and tanh need their constants (up to 5 and 2.5) in the type. */
Test(onnx, smooth_activations_need_room_in_the_type)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    opt.type = (bm_fixed_type){12, 10}; /* fixed<12,2>: -2 .. 1.999 */
    bm_network *net = (bm_network *)1;
    const char *path = model("iris_tanh");
    cr_assert_neq(bm_onnx_read_file(&net, ctx, path, &opt), 0);
    cr_assert_null(net);
    char *d = graph_diags(ctx);
    char want[600];
    snprintf(want, sizeof want, "%s: error: node 'act1' (Tanh): its constants (up to 2.5) do not "
                                "fit fixed<12,2>\n",
             path);
    cr_assert(strstr(d, want), "%s", d);
    free(d);
    bm_ctx_clear_diags(ctx);
    static const char xml[] =
        "<network format=\"1\" name=\"s\" total=\"8\" frac=\"5\"><input size=\"1\"/>"
        "<layer neurons=\"1\" activation=\"sigmoid\"><weights>1</weights><biases>0</biases>"
        "</layer></network>";
    cr_assert_neq(bm_network_read(&net, ctx, xml, sizeof xml - 1, "s.xml", NULL), 0);
    expect_graph_diags(ctx, "s.xml:1:66: error: layer 1: sigmoid needs its constants (up to 5) "
                            "to fit fixed<8,3>\n");
    bm_ctx_free(ctx);
}

Test(onnx, threshold_network_classifies_by_sign)
{
    static const char xml[] =
        "<network format=\"1\" name=\"b\"><input size=\"2\"/>"
        "<layer neurons=\"1\" activation=\"linear\"><weights>1 -1</weights><biases>0</biases>"
        "</layer><threshold/></network>";
    bm_ctx *ctx = graph_ctx();
    bm_network *net;
    cr_assert_eq(bm_network_read(&net, ctx, xml, sizeof xml - 1, "b.xml", NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, net), 0);
    cr_assert_eq(bm_graph_output_count(g), 1);
    int64_t in[2], out;
    static const int64_t cases[][3] = {{2048, 1024, 1}, {1024, 1024, 0}, {1024, 2048, 0}, {1, 0, 1}};
    for (size_t i = 0; i < 4; i++) {
        in[0] = cases[i][0];
        in[1] = cases[i][1];
        cr_assert_eq(bm_graph_eval(g, in, &out), 0);
        cr_assert_eq(out, cases[i][2], "case %zu", i);
    }
    bm_graph_free(g);
    bm_network_free(net);

    static const char two[] =
        "<network format=\"1\" name=\"b\"><input size=\"1\"/>"
        "<layer neurons=\"2\" activation=\"linear\"><weights>1 1</weights><biases>0 0</biases>"
        "</layer><threshold/></network>";
    cr_assert_neq(bm_network_read(&net, ctx, two, sizeof two - 1, "two.xml", NULL), 0);
    expect_graph_diags(ctx, "two.xml:1:136: error: threshold needs one output neuron, but layer 1 "
                            "has 2 neurons\n");
    bm_ctx_free(ctx);
}

/* ---- bmc ------------------------------------------------------------------------------ */

Test(onnx_cli, import_eval_and_compile)
{
    char dir[] = "/tmp/bm_test_onnx_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[600];
    snprintf(out, sizeof out, "%s/cancer.xml", dir);
    bmc_result r = bmc_run(dir, "import", model("cancer"), "-o", out, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    bmc_result_free(&r);
    /* the XML and the model evaluate alike */
    r = bmc_run(dir, "eval", out, "--vectors", "examples/onnx/cancer-test.csv", "--labels", "-q",
                NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *xml_accuracy = strdup(r.out);
    bmc_result_free(&r);
    r = bmc_run(dir, "eval", model("cancer"), "--vectors", "examples/onnx/cancer-test.csv",
                "--labels", "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, xml_accuracy);
    bmc_result_free(&r);
    free(xml_accuracy);
    r = bmc_run(dir, "compile", model("iris"), "--test", "examples/onnx/iris-test.csv",
                "--labels", "-o", out, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "every output equal to the evaluator's"), "%s", r.out);
    bmc_result_free(&r);
    unlink(out);
    rmdir(dir);
}

Test(onnx_cli, a_bad_model_writes_nothing)
{
    char dir[] = "/tmp/bm_test_onnx_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[600];
    snprintf(out, sizeof out, "%s/net.xml", dir);
    bmc_result r = bmc_run(dir, "import", model("bad_range"), "-o", out, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "does not fit fixed<16,6>"), "%s", r.err);
    cr_assert_eq(access(out, F_OK), -1, "%s was written", out);
    bmc_result_free(&r);
    /* an existing file is left as it was */
    spit(out, "keep\n");
    r = bmc_run(dir, "import", "--type", "fixed<8,2>", model("iris"), "-o", out, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "does not fit fixed<8,2>"), "%s", r.err);
    char *kept = slurp(out, NULL);
    cr_assert_str_eq(kept, "keep\n");
    free(kept);
    bmc_result_free(&r);
    r = bmc_run(dir, "import", "--type", "fixed<8", model("iris"), NULL);
    cr_assert_eq(r.status, 2);
    bmc_result_free(&r);
    unlink(out);
    rmdir(dir);
}

/* ---- allocation failures ------------------------------------------------------------ */

#include "failing_alloc.h"

/* Reads a model and writes it, while the countdown-th allocation fails:
 * BM_ENOMEM or a message, never a crash, no network on failure (and no leak
 * under make sanitize).  The models: digits (every kind of node),
 * digits_torch (the shape arithmetic of x.view(x.size(0), -1)) and
 * tiny_transpose (weights through Transpose). */
static int import_under_failure(const char *data, size_t len, long countdown)
{
    failing f = {countdown, 0};
    bm_allocator a = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, &a))
        return -1;
    bm_network *net = (bm_network *)1;
    int rc = bm_onnx_read(&net, ctx, data, len, "oom.onnx", NULL);
    if (rc) {
        cr_assert_null(net);
        cr_assert(rc == BM_ENOMEM || bm_ctx_error_count(ctx) > 0,
                  "countdown %ld: error %d without a message", countdown, rc);
    } else {
        char *text = NULL;
        rc = bm_network_write_memory(net, &text, NULL);
        if (rc)
            cr_assert_null(text);
        bm_xml_buffer_free(ctx, text);
        bm_network_free(net);
    }
    bm_ctx_free(ctx);
    return rc;
}

Test(onnx, survives_every_allocation_failure, .timeout = 300)
{
    const char *names[] = {"digits", "digits_torch", "tiny_transpose"};
    for (size_t m = 0; m < sizeof names / sizeof names[0]; m++) {
        size_t len;
        char *data = slurp(model(names[m]), &len);
        cr_assert_not_null(data);
        long n = 0;
        while (import_under_failure(data, len, n) != 0) {
            n++;
            cr_assert_lt(n, 100000, "%s never succeeded", names[m]);
        }
        cr_assert_gt(n, 10, "%s: the import allocated only %ld times", names[m], n);
        free(data);
    }
}

/* Seeded byte mutations and truncations of three models: a network or an
 * error with a message, never a crash (and no leak under make sanitize). */
Test(onnx, mutated_models_never_crash)
{
    const char *names[] = {"tiny", "digits", "digits_torch"};
    uint64_t s = 12345;
    for (size_t m = 0; m < sizeof names / sizeof names[0]; m++) {
        size_t len;
        char *orig = slurp(model(names[m]), &len);
        cr_assert_not_null(orig);
        char *buf = malloc(len);
        cr_assert_not_null(buf);
        for (int trial = 0; trial < 150; trial++) {
            memcpy(buf, orig, len);
            unsigned flips = 1 + (unsigned)(test_rng_next(&s) % 8);
            for (unsigned k = 0; k < flips; k++)
                buf[test_rng_next(&s) % len] = (char)(test_rng_next(&s) & 0xff);
            size_t n = trial % 5 == 0 ? (size_t)(test_rng_next(&s) % len) : len;
            bm_ctx *ctx = graph_ctx();
            bm_network *net = NULL;
            int rc = bm_onnx_read(&net, ctx, buf, n, "fuzz.onnx", NULL);
            if (rc) {
                cr_assert_null(net);
                cr_assert_gt(bm_ctx_error_count(ctx), 0, "%s trial %d: no message", names[m],
                             trial);
            }
            bm_network_free(net);
            bm_ctx_free(ctx);
        }
        free(buf);
        free(orig);
    }
}
