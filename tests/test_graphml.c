/* GraphML: the examples, files shaped like networkx and yEd exports, folds
 * of n-ary operations, operand order by port, and equivalence with the
 * text language. */
#include "graph_helpers.h"

static bm_graph *file_graph(bm_ctx *ctx, const char *path)
{
    bm_graph *g = NULL;
    int rc = bm_graph_read_file(&g, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s: %s", path, d);
    cr_assert_str_eq(d, "", "%s: unexpected diagnostics: %s", path, d);
    free(d);
    return g;
}

static bm_graph *graphml_text(bm_ctx *ctx, const char *text)
{
    bm_graph *g = NULL;
    int rc = bm_graph_read_graphml(&g, ctx, text, strlen(text), "m.graphml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    return g;
}

Test(graphml, example_equals_the_text_example)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *a = file_graph(ctx, "examples/graph/expr.bmg");
    bm_graph *b = file_graph(ctx, "examples/graph/expr.graphml");
    cr_assert_eq(bm_graph_input_count(b), 2);
    cr_assert_eq(bm_graph_output_count(b), 2);
    cr_expect_str_eq(bm_graph_node_name(b, bm_graph_output(b, 1)), "k");
    cr_expect_eq(bm_graph_type(b).total, 16);
    cr_expect_eq(bm_graph_type(b).frac, 10);
    /* Every pair on a grid that covers the range and its wrap-around. */
    for (int64_t x = -32768; x < 32768; x += 1237)
        for (int64_t y = -32768; y < 32768; y += 1931) {
            int64_t in[2] = {x, y}, oa[2], ob[2];
            cr_assert_eq(bm_graph_eval(a, in, oa), 0);
            cr_assert_eq(bm_graph_eval(b, in, ob), 0);
            cr_assert(oa[0] == ob[0] && oa[1] == ob[1], "x=%lld y=%lld", (long long)x,
                      (long long)y);
        }
    bm_graph_free(a);
    bm_graph_free(b);
    bm_ctx_free(ctx);
}

/* tests/data/graph/networkx.graphml was written by networkx 3.6
 * (nx.write_graphml): keys d0..d5, graph data after the edges. */
Test(graphml, networkx_export)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = file_graph(ctx, "tests/data/graph/networkx.graphml");
    cr_expect_eq(bm_graph_find_input(g, "a"), 0);
    cr_expect_eq(bm_graph_find_output(g, "y"), 0, "the output takes its name data");
    /* y = relu(b - (-0.75 * a)), operands of sub ordered by port */
    const char *in1[2] = {"2", "1"};
    cr_expect_str_eq(eval_text(g, in1, 0), "2.5");
    const char *in2[2] = {"-4", "1"};
    cr_expect_str_eq(eval_text(g, in2, 0), "0");
    const char *in3[2] = {"-0.0009765625", "0"}; /* -0.75 * -2^-10 floors to 0 */
    cr_expect_str_eq(eval_text(g, in3, 0), "0");
    const char *in4[2] = {"0.0009765625", "0"}; /* -0.75 * 2^-10 floors to -2^-10 */
    cr_expect_str_eq(eval_text(g, in4, 0), "0.0009765625");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graphml, yed_shaped_file_with_foreign_elements_and_key_defaults)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = file_graph(ctx, "tests/data/graph/yed_style.graphml");
    /* min(max((a - b) * 0.5, 0), 1); the constant 0 comes from the key default */
    const char *in1[2] = {"3", "2"};
    cr_expect_str_eq(eval_text(g, in1, 0), "0.5");
    const char *in2[2] = {"3", "0.5"};
    cr_expect_str_eq(eval_text(g, in2, 0), "1");
    const char *in3[2] = {"1", "2"};
    cr_expect_str_eq(eval_text(g, in3, 0), "0");
    bm_loc loc = bm_graph_node_loc(g, bm_graph_input(g, 1));
    cr_expect_eq(loc.line, 20, "a node sits at its <node> element");
    cr_expect_eq(loc.column, 5);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

#define HEAD                                                                               \
    "<graphml>\n"                                                                          \
    "<key id=\"op\" for=\"node\" attr.name=\"op\"/>\n"                                     \
    "<key id=\"v\" for=\"node\" attr.name=\"value\"/>\n"                                   \
    "<key id=\"p\" for=\"edge\" attr.name=\"port\"/>\n"                                    \
    "<key id=\"t\" for=\"graph\" attr.name=\"total\"/>\n"                                  \
    "<key id=\"f\" for=\"graph\" attr.name=\"frac\"/>\n"                                   \
    "<graph edgedefault=\"directed\"><data key=\"t\">8</data><data key=\"f\">4</data>\n"
#define TAIL "</graph></graphml>\n"
#define NODE(id, op) "<node id=\"" id "\"><data key=\"op\">" op "</data></node>\n"
#define CONST(id, v) "<node id=\"" id "\"><data key=\"op\">const</data><data key=\"v\">" v "</data></node>\n"
#define EDGE(s, t) "<edge source=\"" s "\" target=\"" t "\"/>\n"
#define PORT(s, t, p) "<edge source=\"" s "\" target=\"" t "\"><data key=\"p\">" p "</data></edge>\n"

/* n-ary mul folds left in port order: ((a*b)*c).  In fixed<8,4>,
 * (1/16 * 1/2) * 2 = 0 but 1/16 * (1/2 * 2) = 1/16: the order shows. */
Test(graphml, nary_operations_fold_left_in_operand_order)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graphml_text(ctx, HEAD NODE("x", "input") CONST("half", "0.5") CONST("two", "2")
                                   NODE("m", "mul") NODE("s", "add") NODE("o", "output")
                                   NODE("o2", "output")
                                   PORT("two", "m", "2") PORT("x", "m", "0") PORT("half", "m", "1")
                                   EDGE("x", "s") EDGE("half", "s") EDGE("two", "s") EDGE("x", "s")
                                   EDGE("m", "o") EDGE("s", "o2") TAIL);
    cr_expect_eq(bm_graph_type(g).total, 8);
    const char *in[1] = {"0.0625"};
    cr_expect_str_eq(eval_text(g, in, 0), "0");
    cr_expect_str_eq(eval_text(g, in, 1), "2.625"); /* x + 0.5 + 2 + x */
    unsigned adds = 0, muls = 0;
    for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
        adds += bm_graph_node_op(g, i) == BM_OP_ADD;
        muls += bm_graph_node_op(g, i) == BM_OP_MUL;
    }
    cr_expect_eq(adds, 3);
    cr_expect_eq(muls, 2);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Without ports, operands follow the order of the edges in the file; with
 * ports, the port numbers, whatever the file order. */
Test(graphml, operand_order_of_sub_and_argmax)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graphml_text(ctx, HEAD NODE("o", "output") NODE("k", "output") NODE("s", "sub")
                                   NODE("a", "argmax") NODE("x", "input") NODE("y", "input")
                                   EDGE("y", "s") EDGE("x", "s")
                                   PORT("y", "a", "1") PORT("x", "a", "2") PORT("y", "a", "0")
                                   EDGE("s", "o") EDGE("a", "k") TAIL);
    cr_expect_eq(bm_graph_find_input(g, "x"), 0, "inputs keep the file's order");
    int64_t in[2] = {graph_raw(g, "1"), graph_raw(g, "3")}, out[2];
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[0], graph_raw(g, "2"), "y - x");
    cr_expect_eq(out[1], 0, "argmax(y, y, x): the first y");
    in[1] = graph_raw(g, "-1");
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[1], 2, "argmax(y, y, x) with x largest");
    /* the nodes were renumbered so that operands come first */
    for (unsigned i = 0; i < bm_graph_node_count(g); i++)
        for (unsigned k = 0; k < bm_graph_node_operand_count(g, i); k++)
            cr_expect_lt(bm_graph_node_operand(g, i, k), i);
    cr_expect_str_eq(bm_graph_node_name(g, bm_graph_node_operand(g, bm_graph_output(g, 0), 0)),
                     "s", "operation nodes keep their GraphML id as name");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graphml, warns_about_unused_nodes)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    const char *text = HEAD NODE("x", "input") NODE("y", "input") NODE("r", "relu")
        NODE("o", "output") EDGE("x", "o") EDGE("x", "r") TAIL;
    cr_assert_eq(bm_graph_read_graphml(&g, ctx, text, strlen(text), "u.graphml", NULL), 0);
    expect_graph_diags(ctx, "u.graphml:9:1: warning: input 'y' is never used\n"
                            "u.graphml:10:1: warning: value 'r' is never used\n");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graphml, half_a_type_is_an_error)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    const char *text = "<graphml>\n"
                       "<key id=\"op\" for=\"node\" attr.name=\"op\"/>\n"
                       "<key id=\"t\" for=\"graph\" attr.name=\"total\"/>\n"
                       "<graph edgedefault=\"directed\"><data key=\"t\">8</data>\n"
                       NODE("x", "input") NODE("o", "output") EDGE("x", "o") TAIL;
    cr_expect_eq(bm_graph_read_graphml(&g, ctx, text, strlen(text), "h.graphml", NULL), BM_EPARSE);
    expect_graph_diags(ctx, "h.graphml:4:1: error: the graph gives 'total' without 'frac': give "
                            "both or neither\n");
    bm_ctx_free(ctx);
}
