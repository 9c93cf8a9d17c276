/* Every graph input format reports its errors as file:line:col with an
 * exact message: one bad file per rule under tests/data/graph/. */
#include "graph_helpers.h"

typedef struct bad_file {
    const char *path;
    const char *diags; /* every diagnostic, as bmc prints them */
} bad_file;

static const bad_file bad_files[] = {
    {"tests/data/graph/bad_arity.bmg",
     "tests/data/graph/bad_arity.bmg:2:12: error: 'relu' takes 1 argument, not 2\n"},
    {"tests/data/graph/bad_char.bmg",
     "tests/data/graph/bad_char.bmg:2:14: error: unexpected character '/'\n"},
    {"tests/data/graph/bad_const_range.bmg",
     "tests/data/graph/bad_const_range.bmg:3:16: error: constant 40 does not fit fixed<16,6> (range -32 .. 31.9990234375)\n"},
    {"tests/data/graph/bad_const_sign.bmg",
     "tests/data/graph/bad_const_sign.bmg:4:16: error: constant 32 does not fit fixed<16,6> (range -32 .. 31.9990234375)\n"},
    {"tests/data/graph/bad_duplicate_output.bmg",
     "tests/data/graph/bad_duplicate_output.bmg:4:8: error: output 't' is already defined\n"
     "tests/data/graph/bad_duplicate_output.bmg:3:8: note: 't' was defined here\n"},
    {"tests/data/graph/bad_expression.bmg",
     "tests/data/graph/bad_expression.bmg:2:8: error: expected an expression, found end of line\n"},
    {"tests/data/graph/bad_function.bmg",
     "tests/data/graph/bad_function.bmg:3:5: error: unknown function 'tanh' (known: relu, min, max, argmax)\n"},
    {"tests/data/graph/bad_no_output.bmg",
     "tests/data/graph/bad_no_output.bmg: error: the graph has no outputs\n"},
    {"tests/data/graph/bad_paren.bmg",
     "tests/data/graph/bad_paren.bmg:3:1: error: expected ')', found end of file\n"
     "tests/data/graph/bad_paren.bmg:2:12: note: to match this '('\n"},
    {"tests/data/graph/bad_port_clash.bmg",
     "tests/data/graph/bad_port_clash.bmg:2:8: error: output 'x' is already defined\n"
     "tests/data/graph/bad_port_clash.bmg:1:7: note: 'x' was defined here\n"},
    {"tests/data/graph/bad_redefinition.bmg",
     "tests/data/graph/bad_redefinition.bmg:3:1: error: redefinition of 't'\n"
     "tests/data/graph/bad_redefinition.bmg:2:1: note: 't' was defined here\n"},
    {"tests/data/graph/bad_reserved.bmg",
     "tests/data/graph/bad_reserved.bmg:2:1: error: 'relu' is a reserved word and cannot name a value\n"
     "tests/data/graph/bad_reserved.bmg:3:12: error: 'relu' is a function: write relu(...)\n"},
    {"tests/data/graph/bad_type.bmg",
     "tests/data/graph/bad_type.bmg:1:6: error: invalid type: 16 total bits with 17 integer bits (need 2 <= total <= 64 and 1 <= integer <= total)\n"},
    {"tests/data/graph/bad_type_late.bmg",
     "tests/data/graph/bad_type_late.bmg:2:1: error: 'type' must be the first statement\n"},
    {"tests/data/graph/bad_undefined.bmg",
     "tests/data/graph/bad_undefined.bmg:2:16: error: undefined name 'q'\n"},
    {"tests/data/graph/bad_cycle.graphml",
     "tests/data/graph/bad_cycle.graphml:8:5: error: cycle in the graph: 'a' -> 'b' -> 'c' -> 'a'\n"},
    {"tests/data/graph/bad_duplicate_node.graphml",
     "tests/data/graph/bad_duplicate_node.graphml:8:5: error: node 'x' is already defined\n"
     "tests/data/graph/bad_duplicate_node.graphml:7:5: note: 'x' was defined here\n"},
    {"tests/data/graph/bad_edge.graphml",
     "tests/data/graph/bad_edge.graphml:9:5: error: edge target 'out' is not a node\n"},
    {"tests/data/graph/bad_element.graphml",
     "tests/data/graph/bad_element.graphml:9:5: error: unexpected <egde> in <graph> (expected one of: desc data node edge hyperedge)\n"},
    {"tests/data/graph/bad_graphml_arity.graphml",
     "tests/data/graph/bad_graphml_arity.graphml:8:5: error: 'sub' takes 2 operands, and node 's' has 1\n"},
    {"tests/data/graph/bad_graphml_range.graphml",
     "tests/data/graph/bad_graphml_range.graphml:8:59: error: constant -32.5 does not fit fixed<16,6> (range -32 .. 31.9990234375)\n"},
    {"tests/data/graph/bad_key.graphml",
     "tests/data/graph/bad_key.graphml:8:18: error: data key 'kind' is not declared by a <key>\n"
     "tests/data/graph/bad_key.graphml:8:5: error: node 'o' has no 'op' data\n"},
    {"tests/data/graph/bad_malformed.graphml",
     "tests/data/graph/bad_malformed.graphml:8:11: error: malformed XML: Opening and ending tag mismatch: node line 7 and graph\n"},
    {"tests/data/graph/bad_no_op.graphml",
     "tests/data/graph/bad_no_op.graphml:8:5: error: node 'n' has no 'op' data\n"},
    {"tests/data/graph/bad_op.graphml",
     "tests/data/graph/bad_op.graphml:8:33: error: unknown operation 'tanh' (known: input, const, add, sub, mul, neg, relu, min, max, argmax, output)\n"},
    {"tests/data/graph/bad_output_feeds.graphml",
     "tests/data/graph/bad_output_feeds.graphml:12:5: error: 'o' is an output and cannot feed 'r'\n"},
    {"tests/data/graph/bad_port_gap.graphml",
     "tests/data/graph/bad_port_gap.graphml:9:5: error: node 's' has no operand on port 1\n"},
    {"tests/data/graph/bad_port_missing.graphml",
     "tests/data/graph/bad_port_missing.graphml:12:5: error: this edge into 's' has no port, but other edges into 's' have one\n"},
    {"tests/data/graph/bad_port_twice.graphml",
     "tests/data/graph/bad_port_twice.graphml:12:5: error: two edges into 's' have port 1\n"},
    {"tests/data/graph/bad_self_loop.graphml",
     "tests/data/graph/bad_self_loop.graphml:8:5: error: cycle in the graph: 'm' -> 'm'\n"},
    {"tests/data/graph/bad_activation.xml",
     "tests/data/graph/bad_activation.xml:6:3: error: unknown activation 'elu' (known: leaky_relu, linear, relu, sigmoid, tanh)\n"},
    {"tests/data/graph/bad_argmax_one.xml",
     "tests/data/graph/bad_argmax_one.xml:9:3: error: argmax over 1 neuron: the answer would always be 0; leave the argmax out to output the neuron itself\n"},
    {"tests/data/graph/bad_argmax_range.xml",
     "tests/data/graph/bad_argmax_range.xml:9:3: error: argmax over 3 neurons: the index does not fit fixed<2,2>\n"},
    {"tests/data/graph/bad_bias_count.xml",
     "tests/data/graph/bad_bias_count.xml:12:5: error: layer 1 has 4 biases, expected 3 (one per neuron)\n"},
    {"tests/data/graph/bad_bias_range.xml",
     "tests/data/graph/bad_bias_range.xml:19:15: error: constant -40 does not fit fixed<16,6> (range -32 .. 31.9990234375)\n"},
    {"tests/data/graph/bad_format.xml",
     "tests/data/graph/bad_format.xml:4:1: error: schema: Invalid attribute format for element network\n"},
    {"tests/data/graph/bad_input_shape.xml",
     "tests/data/graph/bad_input_shape.xml:6:3: error: layer 1 has inputs=\"2\", but the network input has size 3\n"},
    {"tests/data/graph/bad_malformed.xml",
     "tests/data/graph/bad_malformed.xml:22:11: error: malformed XML: Opening and ending tag mismatch: argmax line 21 and network\n"},
    {"tests/data/graph/bad_net_type.xml",
     "tests/data/graph/bad_net_type.xml:4:1: error: invalid type: total=\"8\" frac=\"8\" (need 2 <= total <= 64 and frac < total)\n"},
    {"tests/data/graph/bad_number.xml",
     "tests/data/graph/bad_number.xml:8:9: error: malformed number '-0,5'\n"},
    {"tests/data/graph/bad_schema.xml",
     "tests/data/graph/bad_schema.xml:7:5: error: schema: Did not expect element weight there\n"},
    {"tests/data/graph/bad_shape.xml",
     "tests/data/graph/bad_shape.xml:14:3: error: layer 2 has inputs=\"4\", but layer 1 has 3 neurons\n"},
    {"tests/data/graph/bad_weight_count.xml",
     "tests/data/graph/bad_weight_count.xml:15:5: error: layer 2 has 5 weights, expected 6 (2 neurons x 3 inputs)\n"},
    {"tests/data/graph/bad_weight_range.xml",
     "tests/data/graph/bad_weight_range.xml:9:12: error: constant 32.5 does not fit fixed<16,6> (range -32 .. 31.9990234375)\n"},
    /* per-layer types (format 2) */
    {"tests/data/graph/bad_typed_accum.xml",
     "tests/data/graph/bad_typed_accum.xml:6:3: error: layer 1: the accumulator fixed<20,16> has too few fraction bits: products of inputs (10 fraction bits) and weights (5) may drop at most 10 (the network's frac), so it needs at least 5\n"},
    {"tests/data/graph/bad_typed_bias.xml",
     "tests/data/graph/bad_typed_bias.xml:15:20: error: constant 200 does not fit fixed<20,8> (range -128 .. 127.999755859375)\n"},
    {"tests/data/graph/bad_typed_format1.xml",
     "tests/data/graph/bad_typed_format1.xml:7:5: error: layer 1: <weight_t> needs <network format=\"2\">\n"
     "tests/data/graph/bad_typed_format1.xml:8:5: error: layer 1: <accum_t> needs <network format=\"2\">\n"
     "tests/data/graph/bad_typed_format1.xml:9:5: error: layer 1: <result_t> needs <network format=\"2\">\n"
     "tests/data/graph/bad_typed_format1.xml:18:5: error: layer 2: <result_t> needs <network format=\"2\">\n"},
    {"tests/data/graph/bad_typed_leaky.xml",
     "tests/data/graph/bad_typed_leaky.xml:17:3: error: layer 2: leaky_relu in a result type with more fraction bits (12) than the network's (10) is not supported\n"},
    {"tests/data/graph/bad_typed_malformed.xml",
     "tests/data/graph/bad_typed_malformed.xml:7:5: error: schema: Type positiveInteger doesn't allow value 'eight'\n"},
    {"tests/data/graph/bad_typed_order.xml",
     "tests/data/graph/bad_typed_order.xml:8:5: error: schema: Did not expect element weight_t there\n"},
    {"tests/data/graph/bad_typed_output.xml",
     "tests/data/graph/bad_typed_output.xml:17:3: error: layer 2: the network's outputs are in its type fixed<16,6>, so the last layer's result needs 10 fraction bits, not 6 (or end in <argmax/> or <threshold/>)\n"},
    {"tests/data/graph/bad_typed_overflow.xml",
     "tests/data/graph/bad_typed_overflow.xml:9:5: error: layer 1: unknown overflow mode 'clip' (known: saturate, wrap)\n"},
    {"tests/data/graph/bad_typed_type.xml",
     "tests/data/graph/bad_typed_type.xml:9:5: error: layer 1: invalid result_t type: total=\"8\" frac=\"8\" (need 2 <= total <= 64 and frac < total)\n"},
    {"tests/data/graph/bad_typed_word.xml",
     "tests/data/graph/bad_typed_word.xml:6:3: error: layer 1: these types need a machine word of 67 bits (at most 64): weights of 60 bits scaled by 2^7, an accumulator of 20 bits\n"},
};

Test(graph_errors, every_bad_file_reports_its_location_and_message)
{
    cr_assert_geq(sizeof bad_files / sizeof *bad_files, 10);
    for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = (bm_graph *)1;
        int rc = bm_graph_read_file(&g, ctx, bad_files[i].path, NULL);
        cr_expect_lt(rc, 0, "%s loads", bad_files[i].path);
        cr_expect_null(g, "%s: no graph on failure", bad_files[i].path);
        expect_graph_diags(ctx, bad_files[i].diags);
        bm_ctx_free(ctx);
    }
}

static void expect_vector_error(const char *path, const char *diags)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "tests/data/graph/tiny.xml", NULL), 0);
    bm_vectors *v = (bm_vectors *)1;
    cr_expect_eq(bm_vectors_read_file(&v, g, path, 1), BM_EPARSE);
    cr_expect_null(v);
    expect_graph_diags(ctx, diags);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_errors, vector_files)
{
    expect_vector_error("tests/data/graph/bad_vectors_fields.csv",
                        "tests/data/graph/bad_vectors_fields.csv:3:1: error: expected 3 fields "
                        "(2 inputs and a label), found 2\n");
    expect_vector_error("tests/data/graph/bad_vectors_range.csv",
                        "tests/data/graph/bad_vectors_range.csv:2:5: error: constant 99 does not "
                        "fit fixed<16,6> (range -32 .. 31.9990234375)\n");
    expect_vector_error("tests/data/graph/bad_vectors_label.csv",
                        "tests/data/graph/bad_vectors_label.csv:2:7: error: label 'one' is not a "
                        "non-negative integer\n");
}

Test(graph_errors, missing_file)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_expect_lt(bm_graph_read_file(&g, ctx, "tests/data/graph/no-such-file.bmg", NULL), 0);
    cr_expect_eq(bm_ctx_error_count(ctx), 1);
    bm_ctx_free(ctx);
}

Test(graph_errors, unknown_xml_root)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_expect_lt(bm_graph_read_file(&g, ctx, "examples/acc8.xml", NULL), 0);
    expect_graph_diags(ctx, "examples/acc8.xml: error: unknown XML graph format: the root element "
                            "is <machine>, expected <network> or <graphml>\n");
    bm_ctx_free(ctx);
}

/* Errors of one text statement do not stop the others from being checked,
 * and a failed definition is not reported again where it is used. */
Test(graph_errors, text_reports_every_statement_once)
{
    const char *text = "input x\n"
                       "a = tanh(x)\n"
                       "b = q + a\n"
                       "d = a * 2\n"
                       "c = x * 99\n"
                       "output z = a + b + c + d\n";
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_expect_eq(bm_graph_read_text(&g, ctx, text, strlen(text), "m.bmg", NULL), BM_EPARSE);
    expect_graph_diags(ctx, "m.bmg:2:5: error: unknown function 'tanh' (known: relu, min, max, argmax)\n"
                            "m.bmg:3:5: error: undefined name 'q'\n"
                            "m.bmg:5:9: error: constant 99 does not fit fixed<16,6> (range -32 .. "
                            "31.9990234375)\n");
    bm_ctx_free(ctx);
}

/* The rules of bm_graph_finish() for graphs built through the API. */
Test(graph_errors, builder_rules)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_fixed_type t = {8, 4};
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    unsigned x, c, bad, big[20];
    bm_loc loc = {"api", 1, 1};
    cr_assert_eq(bm_graph_add_input(g, &x, "x", loc), 0);
    loc.line = 2;
    cr_assert_eq(bm_graph_add_const(g, &c, 128, loc), 0); /* 8 bits hold -128..127 */
    loc.line = 3;
    unsigned three[3] = {x, x, x};
    cr_assert_eq(bm_graph_add_op(g, &bad, BM_OP_SUB, three, 3, loc), 0);
    loc.line = 4;
    unsigned dangling = 99;
    cr_assert_eq(bm_graph_add_op(g, NULL, BM_OP_NEG, &dangling, 1, loc), 0);
    loc.line = 5;
    cr_assert_eq(bm_graph_add_input(g, NULL, "2x", loc), 0);
    for (unsigned i = 0; i < 20; i++)
        big[i] = x;
    /* fixed<8,4> holds raw indexes up to 127, so 20 values are fine */
    loc.line = 6;
    cr_assert_eq(bm_graph_add_op(g, NULL, BM_OP_ARGMAX, big, 20, loc), 0);
    loc.line = 7;
    cr_assert_eq(bm_graph_add_output(g, NULL, "x", x, loc), 0);
    cr_expect_eq(bm_graph_finish(g, NULL), BM_EINVALID);
    expect_graph_diags(ctx, "api:2:1: error: constant raw value 128 does not fit fixed<8,4>\n"
                            "api:3:1: error: 'sub' takes 2 operands, not 3\n"
                            "api:4:1: error: operand 0 of 'neg' is not a node (99)\n"
                            "api:5:1: error: input name '2x' is not an identifier (a letter or "
                            "'_', then letters, digits or '_', at most 64 characters)\n"
                            "api:7:1: error: output 'x' is already defined\n"
                            "api:1:1: note: 'x' was defined here\n");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_errors, argmax_index_must_fit)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_fixed_type t = {3, 1}; /* raw -4..3: indexes 0..3 */
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    unsigned x, a, five[5];
    bm_loc loc = {"api", 1, 1};
    cr_assert_eq(bm_graph_add_input(g, &x, "x", loc), 0);
    for (unsigned i = 0; i < 5; i++)
        five[i] = x;
    loc.line = 2;
    cr_assert_eq(bm_graph_add_op(g, &a, BM_OP_ARGMAX, five, 5, loc), 0);
    cr_assert_eq(bm_graph_add_output(g, NULL, "k", a, loc), 0);
    cr_expect_eq(bm_graph_finish(g, NULL), BM_EINVALID);
    expect_graph_diags(ctx, "api:2:1: error: argmax over 5 values: the index does not fit "
                            "fixed<3,2>\n");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_errors, text_warns_about_unused_values)
{
    const char *text = "input x, y\nt = relu(x)\noutput z = x\n";
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_text(&g, ctx, text, strlen(text), "w.bmg", NULL), 0);
    expect_graph_diags(ctx, "w.bmg:1:10: warning: input 'y' is never used\n"
                            "w.bmg:2:1: warning: value 't' is never used\n");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Deep nesting is an error, not a stack overflow. */
Test(graph_errors, nesting_is_bounded)
{
    size_t n = 100000;
    char *text = malloc(2 * n + 64);
    cr_assert_not_null(text);
    size_t len = (size_t)sprintf(text, "input x\noutput z = ");
    memset(text + len, '(', n);
    len += n;
    text[len++] = 'x';
    memset(text + len, ')', n);
    len += n;
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_expect_eq(bm_graph_read_text(&g, ctx, text, len, "deep.bmg", NULL), BM_EPARSE);
    expect_graph_diags(ctx, "deep.bmg:2:512: error: expression nested more than 500 levels deep\n");
    bm_ctx_clear_diags(ctx);
    len = (size_t)sprintf(text, "input x\noutput z = ");
    memset(text + len, '-', n);
    len += n;
    text[len++] = 'x';
    cr_expect_eq(bm_graph_read_text(&g, ctx, text, len, "neg.bmg", NULL), BM_EPARSE);
    cr_expect_eq(bm_ctx_error_count(ctx), 1);
    free(text);
    bm_ctx_free(ctx);
}
