/* The reference evaluator on hand-computed cases (docs/numbers.md, "Graph
 * arithmetic"), the text language's meaning, the IR accessors, and random
 * DAGs built in scrambled order against a naive recursive evaluator. */
#include "graph_helpers.h"

/* One output of a one-statement graph over x, y in fixed<8,4> (steps of
 * 1/16, range -8 .. 7.9375), with x and y given as decimals. */
static const char *f8(const char *expr, const char *x, const char *y)
{
    char text[256];
    snprintf(text, sizeof text, "type fixed<8,4>\ninput x, y\noutput z = %s + 0 * y\n", expr);
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, text);
    const char *in[2] = {x, y};
    const char *r = eval_text(g, in, 0);
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return r;
}

Test(graph_eval, add_and_sub_wrap_around)
{
    cr_expect_str_eq(f8("x + y", "7", "2"), "-7");        /* 9 - 16 */
    cr_expect_str_eq(f8("x + y", "7.9375", "0.0625"), "-8");
    cr_expect_str_eq(f8("x - y", "-8", "1"), "7");        /* -9 + 16 */
    cr_expect_str_eq(f8("x - y", "1.5", "2.25"), "-0.75");
}

Test(graph_eval, neg_of_the_most_negative_value_wraps_to_itself)
{
    cr_expect_str_eq(f8("-x", "-8", "0"), "-8");
    cr_expect_str_eq(f8("-x", "7.9375", "0"), "-7.9375");
    cr_expect_str_eq(f8("-(-x)", "-3.5", "0"), "-3.5");
}

Test(graph_eval, products_round_down_and_wrap)
{
    /* floor: -1/16 * 1/2 = -1/32 rounds down to -1/16, not to 0 */
    cr_expect_str_eq(f8("x * y", "-0.0625", "0.5"), "-0.0625");
    cr_expect_str_eq(f8("x * y", "0.0625", "0.5"), "0");
    cr_expect_str_eq(f8("x * y", "-0.0625", "-0.5"), "0");
    cr_expect_str_eq(f8("x * y", "-0.1875", "0.5"), "-0.125"); /* -3/32 -> -4/32 */
    cr_expect_str_eq(f8("x * y", "1.5", "-2.5"), "-3.75");     /* exact */
    cr_expect_str_eq(f8("x * y", "-3", "3"), "7");             /* -9 wraps */
    cr_expect_str_eq(f8("x * y", "-8", "-8"), "0");            /* 64 wraps to 0 */
}

Test(graph_eval, unary_minus_binds_tighter_than_times)
{
    /* (-x)*y = floor(-1/32) = -1/16, while -(x*y) = -floor(1/32) = 0 */
    cr_expect_str_eq(f8("-x * y", "0.0625", "0.5"), "-0.0625");
    cr_expect_str_eq(f8("-(x * y)", "0.0625", "0.5"), "0");
    cr_expect_str_eq(f8("x - y - 1", "3", "1"), "1");         /* (x - y) - 1 */
    cr_expect_str_eq(f8("x - (y - 1)", "3", "1"), "3");
    cr_expect_str_eq(f8("2 * x + y * 3", "1", "0.5"), "3.5");
    cr_expect_str_eq(f8("-2 * x", "1.5", "0"), "-3");
}

Test(graph_eval, relu_min_max_are_signed)
{
    cr_expect_str_eq(f8("relu(x)", "-0.0625", "0"), "0");
    cr_expect_str_eq(f8("relu(x)", "7.9375", "0"), "7.9375");
    cr_expect_str_eq(f8("min(x, y)", "-1", "1"), "-1");
    cr_expect_str_eq(f8("max(x, y)", "-8", "-7.9375"), "-7.9375");
    cr_expect_str_eq(f8("min(x, y, -x, -y)", "2", "-3"), "-3");
    cr_expect_str_eq(f8("max(x, y, -x, -y)", "2", "-3"), "3");
}

Test(graph_eval, constants_round_to_nearest_ties_to_even)
{
    cr_expect_str_eq(f8("x + 0.03125", "0", "0"), "0");       /* half a step: to even 0 */
    cr_expect_str_eq(f8("x + 0.09375", "0", "0"), "0.125");   /* 1.5 steps: to even 2 */
    cr_expect_str_eq(f8("x + 0.1", "0", "0"), "0.125");       /* 1.6 steps */
    cr_expect_str_eq(f8("x + -8", "0", "0"), "-8");
    cr_expect_str_eq(f8("x + 0x7", "0", "0"), "7");
}

/* argmax gives the raw index of the first maximum. */
static long argmax_of(const char *a, const char *b, const char *c, const char *d)
{
    const char *text = "type fixed<8,4>\ninput a, b, c, d\noutput k = argmax(a, b, c, d)\n"
                       "output one = argmax(a)\noutput pair = argmax(c, b)\n";
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, text);
    int64_t in[4] = {graph_raw(g, a), graph_raw(g, b), graph_raw(g, c), graph_raw(g, d)}, out[3];
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[1], 0, "argmax of one value");
    cr_expect_eq(out[2], in[2] >= in[1] ? 0 : 1, "argmax(c, b)");
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return (long)out[0];
}

Test(graph_eval, argmax_takes_the_first_maximum)
{
    cr_expect_eq(argmax_of("1", "3", "3", "2"), 1);
    cr_expect_eq(argmax_of("5", "5", "5", "5"), 0);
    cr_expect_eq(argmax_of("-3", "-1", "-2", "-1"), 1);
    cr_expect_eq(argmax_of("-8", "-8", "-8", "-7.9375"), 3);
    cr_expect_eq(argmax_of("0", "-0.0625", "0", "0"), 0);
}

Test(graph_eval, argmax_result_is_a_raw_index_in_arithmetic)
{
    /* The index is raw: index 2 reads as 2/16 in fixed<8,4>. */
    cr_expect_str_eq(f8("argmax(x, y, 3) + 0", "1", "2"), "0.125");
}

Test(graph_eval, the_documented_example)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, "type fixed<16,6>\n"
                                  "input x, y\n"
                                  "t = 0.5 * x + y\n"
                                  "u = relu(t - 1.25)\n"
                                  "output z = max(u, -x)\n"
                                  "output k = argmax(x, y, t)\n");
    const char *in1[2] = {"1.5", "2"};
    cr_expect_str_eq(eval_text(g, in1, 0), "1.5");
    int64_t in[2] = {graph_raw(g, "1.5"), graph_raw(g, "2")}, out[2];
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[1], 2);
    /* t = 15.5 + 31 = 46.5 wraps to -17.5: u = 0, z = max(0, -31) = 0;
     * k: x and y tie at 31, the first wins. */
    const char *in2[2] = {"31", "31"};
    cr_expect_str_eq(eval_text(g, in2, 0), "0");
    in[0] = in[1] = graph_raw(g, "31");
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[1], 0);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_eval, sixty_four_bit_integers_wrap)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, "type int<64>\ninput x, y\noutput p = x * y\noutput s = x + y\n");
    cr_expect_eq(bm_graph_type(g).total, 64);
    cr_expect_eq(bm_graph_type(g).frac, 0);
    int64_t in[2] = {INT64_C(1) << 62, 4}, out[2];
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[0], 0);
    cr_expect_eq(out[1], (INT64_C(1) << 62) + 4);
    in[0] = INT64_MAX;
    in[1] = 1;
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    cr_expect_eq(out[1], INT64_MIN);
    cr_expect_eq(out[0], INT64_MAX);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_eval, inputs_outside_the_type_are_refused)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, "type fixed<8,4>\ninput x\noutput z = x\n");
    int64_t in = 128, out;
    cr_expect_eq(bm_graph_eval(g, &in, &out), BM_ERANGE);
    expect_graph_diags(ctx, "t.bmg:2:7: error: input 'x': raw value 128 does not fit fixed<8,4>\n");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_eval, type_option_default_and_force)
{
    const char *declared = "type fixed<8,4>\ninput x\noutput z = x\n";
    const char *plain = "input x\noutput z = x\n";
    bm_ctx *ctx = graph_ctx();
    bm_graph_options opt = BM_GRAPH_OPTIONS_INIT;
    bm_graph *g;
    cr_assert_eq(bm_graph_read_text(&g, ctx, plain, strlen(plain), "p", &opt), 0);
    cr_expect_eq(bm_graph_type(g).total, 16);
    cr_expect_eq(bm_graph_type(g).frac, 10);
    bm_graph_free(g);
    cr_assert_eq(bm_graph_parse_type("fixed<12, 3>", &opt.type), 0);
    cr_assert_eq(bm_graph_read_text(&g, ctx, declared, strlen(declared), "d", &opt), 0);
    cr_expect_eq(bm_graph_type(g).total, 8, "the file's type wins without force_type");
    bm_graph_free(g);
    opt.force_type = 1;
    cr_assert_eq(bm_graph_read_text(&g, ctx, declared, strlen(declared), "d", &opt), 0);
    cr_expect_eq(bm_graph_type(g).total, 12);
    cr_expect_eq(bm_graph_type(g).frac, 9);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_eval, parse_type)
{
    bm_fixed_type t;
    cr_expect_eq(bm_graph_parse_type("fixed<16,6>", &t), 0);
    cr_expect(t.total == 16 && t.frac == 10);
    cr_expect_eq(bm_graph_parse_type("int<8>", &t), 0);
    cr_expect(t.total == 8 && t.frac == 0);
    cr_expect_eq(bm_graph_parse_type(" fixed < 64 , 1 > ", &t), 0);
    cr_expect(t.total == 64 && t.frac == 63);
    const char *bad[] = {"fixed<16,0>", "fixed<16,17>", "fixed<65,6>", "fixed<1,1>", "fixed<16>",
                         "int<1>", "float<16,6>", "fixed<16,6>x", "", "fixed<99999999999,1>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(bm_graph_parse_type(bad[i], &t), BM_EINVAL, "%s", bad[i]);
}

/* ---- the IR view ------------------------------------------------------------------ */

Test(graph_ir, accessors_of_a_text_graph)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, "input x, y\n"      /* 0 x, 1 y       */
                                  "t = x * 2\n"        /* 2 const, 3 mul */
                                  "output a = t + y\n" /* 4 add, 5 out a */
                                  "output b = t\n");   /* 6 out b        */
    cr_assert_eq(bm_graph_node_count(g), 7);
    static const bm_op ops[] = {BM_OP_INPUT, BM_OP_INPUT, BM_OP_CONST, BM_OP_MUL,
                                BM_OP_ADD,   BM_OP_OUTPUT, BM_OP_OUTPUT};
    for (unsigned i = 0; i < 7; i++) {
        cr_expect_eq(bm_graph_node_op(g, i), ops[i], "node %u", i);
        cr_expect_eq(bm_graph_node_layer(g, i), -1);
        cr_expect_eq(bm_graph_node_neuron(g, i), -1);
        for (unsigned k = 0; k < bm_graph_node_operand_count(g, i); k++)
            cr_expect_lt(bm_graph_node_operand(g, i, k), i, "topological order");
    }
    cr_expect_eq(bm_graph_node_value(g, 2), 2 << 10);
    cr_expect_eq(bm_graph_node_operand(g, 3, 0), 0);
    cr_expect_eq(bm_graph_node_operand(g, 3, 1), 2);
    cr_expect_str_eq(bm_graph_node_name(g, 3), "t");
    cr_expect_str_eq(bm_graph_node_name(g, 4), "a", "a defined value takes the name");
    cr_expect_str_eq(bm_graph_node_name(g, 5), "a");
    /* t feeds the add and output b */
    cr_expect_eq(bm_graph_node_fanout(g, 3), 2);
    cr_expect_eq(bm_graph_node_user(g, 3, 0), 4);
    cr_expect_eq(bm_graph_node_user(g, 3, 1), 6);
    cr_expect_eq(bm_graph_node_fanout(g, 5), 0);
    cr_expect_eq(bm_graph_node_user(g, 5, 0), UINT32_MAX);
    cr_expect_eq(bm_graph_input_count(g), 2);
    cr_expect_eq(bm_graph_input(g, 1), 1);
    cr_expect_eq(bm_graph_output_count(g), 2);
    cr_expect_eq(bm_graph_output(g, 1), 6);
    cr_expect_eq(bm_graph_find_input(g, "y"), 1);
    cr_expect_eq(bm_graph_find_output(g, "b"), 1);
    cr_expect_eq(bm_graph_find_output(g, "t"), BM_ENOTFOUND);
    bm_loc loc = bm_graph_node_loc(g, 3);
    cr_expect_str_eq(loc.file, "t.bmg");
    cr_expect_eq(loc.line, 2);
    cr_expect_eq(loc.column, 1);
    loc = bm_graph_node_loc(g, 4);
    cr_expect(loc.line == 3 && loc.column == 8, "a named value sits at its name");
    cr_expect_str_eq(bm_op_name(BM_OP_ARGMAX), "argmax");
    cr_expect_eq(bm_op_from_name("relu"), BM_OP_RELU);
    cr_expect_eq(bm_op_from_name("tanh"), BM_ENOTFOUND);
    bm_graph_free(g);
    g = text_graph(ctx, "input x\noutput z = (x + 1) * 2\n");
    cr_expect_eq(bm_graph_node_op(g, 2), BM_OP_ADD);
    cr_expect_null(bm_graph_node_name(g, 2), "an inner value has no name");
    loc = bm_graph_node_loc(g, 2);
    cr_expect(loc.line == 2 && loc.column == 15, "an inner operation sits at its operator");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_ir, finish_renumbers_into_topological_order)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_fixed_type t = {16, 10};
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    bm_loc loc = {NULL, 0, 0};
    /* builder ids: 0 output(of 2), 1 relu(of 3), 2 neg(of 1), 3 input */
    unsigned b;
    cr_assert_eq(bm_graph_add_output(g, &b, "o", 2, loc), 0);
    unsigned three = 3, one = 1;
    cr_assert_eq(bm_graph_add_op(g, &b, BM_OP_RELU, &three, 1, loc), 0);
    cr_assert_eq(bm_graph_add_op(g, &b, BM_OP_NEG, &one, 1, loc), 0);
    cr_assert_eq(bm_graph_add_input(g, &b, "i", loc), 0);
    unsigned renumber[4];
    cr_assert_eq(bm_graph_finish(g, renumber), 0);
    cr_expect_eq(renumber[3], 0);
    cr_expect_eq(renumber[1], 1);
    cr_expect_eq(renumber[2], 2);
    cr_expect_eq(renumber[0], 3);
    cr_expect_eq(bm_graph_node_op(g, 0), BM_OP_INPUT);
    cr_expect_eq(bm_graph_node_op(g, 3), BM_OP_OUTPUT);
    cr_expect_eq(bm_graph_input(g, 0), 0);
    cr_expect_eq(bm_graph_output(g, 0), 3);
    int64_t in = -5, out;
    cr_assert_eq(bm_graph_eval(g, &in, &out), 0);
    cr_expect_eq(out, 0); /* -relu(-5) */
    in = 7;
    cr_assert_eq(bm_graph_eval(g, &in, &out), 0);
    cr_expect_eq(out, -7);
    cr_expect_eq(bm_graph_finish(g, NULL), BM_EINVAL, "finish twice");
    cr_expect_eq(bm_graph_add_input(g, NULL, "late", loc), BM_EINVAL, "frozen after finish");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- random DAGs ------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

typedef struct rnode {
    bm_op op;
    unsigned n, opd[4]; /* operands: indexes of earlier rnodes */
    int64_t value;
} rnode;

/* The naive definition: recursion over the DAG with the fixed.h rules. */
static int64_t naive(const rnode *nodes, unsigned i, const int64_t *inputs, bm_fixed_type t)
{
    const rnode *n = &nodes[i];
    int64_t v[4];
    for (unsigned k = 0; k < n->n; k++)
        v[k] = naive(nodes, n->opd[k], inputs, t);
    switch (n->op) {
    case BM_OP_INPUT: return inputs[n->value];
    case BM_OP_CONST: return n->value;
    case BM_OP_ADD: return bm_fixed_add(v[0], v[1], t);
    case BM_OP_SUB: return bm_fixed_sub(v[0], v[1], t);
    case BM_OP_MUL: return bm_fixed_mul(v[0], v[1], t);
    case BM_OP_NEG: return bm_fixed_neg(v[0], t);
    case BM_OP_RELU: return v[0] < 0 ? 0 : v[0];
    case BM_OP_MIN: return v[0] < v[1] ? v[0] : v[1];
    case BM_OP_MAX: return v[0] > v[1] ? v[0] : v[1];
    case BM_OP_ARGMAX: {
        unsigned best = 0;
        for (unsigned k = 1; k < n->n; k++)
            if (v[k] > v[best])
                best = k;
        return best;
    }
    default: return v[0];
    }
}

static int64_t random_raw(uint64_t *s, bm_fixed_type t)
{
    uint64_t span = (uint64_t)1 << t.total;
    return bm_fixed_wrap((int64_t)(rng_next(s) % span), t);
}

/* Builds a random DAG whose nodes are added to the graph in a scrambled
 * order (operands refer forward and backward), then checks the evaluator
 * against the naive recursion on random inputs. */
static void random_dag(uint64_t seed)
{
    uint64_t s = seed;
    bm_fixed_type t = {2 + (unsigned)(rng_next(&s) % 20), 0};
    t.frac = (unsigned)(rng_next(&s) % t.total);
    enum { N = 40, INPUTS = 3, OUTPUTS = 3 };
    rnode nodes[N];
    for (unsigned i = 0; i < N; i++) {
        rnode *n = &nodes[i];
        memset(n, 0, sizeof *n);
        if (i < INPUTS) {
            n->op = BM_OP_INPUT;
            n->value = i;
            continue;
        }
        static const bm_op choice[] = {BM_OP_CONST, BM_OP_ADD, BM_OP_SUB, BM_OP_MUL, BM_OP_NEG,
                                       BM_OP_RELU,  BM_OP_MIN, BM_OP_MAX, BM_OP_ARGMAX};
        n->op = choice[rng_next(&s) % 9];
        n->n = n->op == BM_OP_CONST ? 0
             : n->op == BM_OP_NEG || n->op == BM_OP_RELU ? 1
             : n->op == BM_OP_ARGMAX ? 1 + (unsigned)(rng_next(&s) % 4)
             : 2;
        if (n->op == BM_OP_ARGMAX && (uint64_t)(n->n - 1) > (uint64_t)bm_fixed_max(t))
            n->n = 1;
        for (unsigned k = 0; k < n->n; k++)
            n->opd[k] = (unsigned)(rng_next(&s) % i);
        if (n->op == BM_OP_CONST)
            n->value = random_raw(&s, t);
    }
    /* A random permutation of the nodes. */
    unsigned perm[N], pos[N];
    for (unsigned i = 0; i < N; i++)
        perm[i] = i;
    for (unsigned i = N - 1; i > 0; i--) {
        unsigned j = (unsigned)(rng_next(&s) % (i + 1)), tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_new(&g, ctx, t), 0);
    bm_loc loc = {NULL, 0, 0};
    /* The graph gets the inputs first (their order is the input vector's),
     * then the other nodes scrambled; rnode i gets builder id pos[i]. */
    unsigned order[N], k = 0;
    for (unsigned i = 0; i < INPUTS; i++)
        order[k++] = i;
    for (unsigned i = 0; i < N; i++)
        if (perm[i] >= INPUTS)
            order[k++] = perm[i];
    for (unsigned i = 0; i < N; i++)
        pos[order[i]] = i;
    for (unsigned i = 0; i < N; i++) {
        const rnode *n = &nodes[order[i]];
        unsigned opd[4], id;
        for (unsigned j = 0; j < n->n; j++)
            opd[j] = pos[n->opd[j]];
        char name[16];
        if (n->op == BM_OP_INPUT) {
            snprintf(name, sizeof name, "in%u", (unsigned)n->value);
            cr_assert_eq(bm_graph_add_input(g, &id, name, loc), 0);
        } else if (n->op == BM_OP_CONST) {
            cr_assert_eq(bm_graph_add_const(g, &id, n->value, loc), 0);
        } else {
            cr_assert_eq(bm_graph_add_op(g, &id, n->op, opd, n->n, loc), 0);
        }
        cr_assert_eq(id, i);
    }
    unsigned out_of[OUTPUTS];
    for (unsigned o = 0; o < OUTPUTS; o++) {
        char name[16];
        snprintf(name, sizeof name, "out%u", o);
        out_of[o] = N - 1 - o * 5;
        cr_assert_eq(bm_graph_add_output(g, NULL, name, pos[out_of[o]], loc), 0);
    }
    char *d = graph_diags(ctx);
    cr_assert_eq(bm_graph_finish(g, NULL), 0, "seed %llu: %s", (unsigned long long)seed, d);
    free(d);
    for (unsigned i = 0; i < bm_graph_node_count(g); i++)
        for (unsigned j = 0; j < bm_graph_node_operand_count(g, i); j++)
            cr_assert_lt(bm_graph_node_operand(g, i, j), i);
    for (int trial = 0; trial < 20; trial++) {
        int64_t in[INPUTS], out[OUTPUTS];
        for (unsigned i = 0; i < INPUTS; i++)
            in[i] = random_raw(&s, t);
        cr_assert_eq(bm_graph_eval(g, in, out), 0);
        for (unsigned o = 0; o < OUTPUTS; o++)
            cr_assert_eq(out[o], naive(nodes, out_of[o], in, t),
                         "seed %llu, fixed<%u,%u>, output %u", (unsigned long long)seed, t.total,
                         t.total - t.frac, o);
    }
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(graph_ir, random_dags_in_scrambled_order_match_a_naive_evaluator)
{
    for (uint64_t seed = 1; seed <= 300; seed++)
        random_dag(seed);
}
