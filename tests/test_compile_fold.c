/* The fold strategy and the multiplier variants in the compiler: iris,
 * digits and seeded random networks, K in {1, 2, 3, 4, all in one} and every
 * multiplier, must give bm_graph_eval's bits (the report's simulation
 * checks every output); folded cores keep about K + 1 registers and few
 * ports; pipelined programs hold no exposed write-back hazard (a checker of
 * its own, not the compiler's pass); serial programs no inmacfx; the
 * predicted timing agrees with the simulated one; old option structs and
 * graphs that are not networks are handled. */
#include <inttypes.h>
#include <sys/stat.h>

#include "bmc_runner.h"
#include "compile_helpers.h"
#include "random_graphs.h"
#include "variant_checks.h"

#define FOLD_ALL BM_COMPILE_FOLD_MAX
static const unsigned every_fold[] = {1, 2, 3, 4, FOLD_ALL};
#define N_FOLDS (sizeof every_fold / sizeof every_fold[0])

static bm_machine *compile_fold_chain(const bm_graph *g, const unsigned *fold, size_t n_fold,
                                      bm_mul_variant mul, int chain, const char *what)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    opt.chain = chain;
    if (n_fold == 1)
        opt.fold = fold[0];
    else {
        opt.fold_layers = fold;
        opt.n_fold_layers = n_fold;
    }
    opt.mul = mul;
    bm_machine *m = NULL;
    int rc = bm_compile(&m, g, &opt);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s, fold %u, mul %s: bm_compile gives %d:\n%s", what, fold[0],
                 bm_mul_variant_get(mul)->name, rc, d);
    free(d);
    return m;
}

static bm_machine *compile_fold(const bm_graph *g, const unsigned *fold, size_t n_fold,
                                bm_mul_variant mul, const char *what)
{
    return compile_fold_chain(g, fold, n_fold, mul, 0, what);
}

/* ---- folded machines ------------------------------------------------------------------- */

/* Layer and group of a folded core's name "l<L>c<j>"; 0 for other cores. */
static int fold_core(const bm_core *c, unsigned *layer)
{
    unsigned j;
    char tail;
    return sscanf(bm_core_name(c), "l%uc%u%c", layer, &j, &tail) == 2;
}

/* Folded cores: at most K + 2 registers (K accumulators, the received value,
 * and one more where a layer is linear and a neuron's sum is kept apart),
 * one input port per core of the layer before (or per graph input; in a
 * sparse network a constant neuron also reads a graph input as its
 * trigger, so `sparse` allows those too), one output port for the next
 * layer plus one per graph output. */
static void check_shape(const bm_machine *m, const bm_graph *g, const unsigned *fold,
                        size_t n_fold, int sparse, const char *what)
{
    unsigned per_layer[64] = {0};
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        unsigned l;
        if (fold_core(bm_machine_core(m, i), &l) && l < 64)
            per_layer[l]++;
    }
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        const bm_core_params *p = bm_core_get_params(c);
        unsigned l;
        if (!fold_core(c, &l))
            continue;
        unsigned k = fold[l < n_fold ? l : n_fold - 1];
        cr_expect_leq(p->registers, k + 2, "%s: core %s has %u registers for K = %u", what,
                      bm_core_name(c), p->registers, k);
        unsigned max_in = l == 0   ? bm_graph_input_count(g)
                          : sparse ? per_layer[l - 1] + bm_graph_input_count(g)
                                   : per_layer[l - 1];
        cr_expect_leq(p->inputs, max_in, "%s: core %s has %u inputs", what, bm_core_name(c),
                      p->inputs);
        cr_expect_leq(p->outputs, 1 + bm_graph_output_count(g), "%s: core %s has %u outputs",
                      what, bm_core_name(c), p->outputs);
        /* room for every value the core posts on a port per pass, no more */
        unsigned most = 1;
        for (unsigned port = 0; port < p->outputs; port++) {
            unsigned n = 0;
            for (unsigned pc = 0; pc < bm_core_program_length(c); pc++) {
                const bm_insn *in = bm_core_insn(c, pc);
                const bm_opcode_def *d = bm_isa_get(in->opcode);
                n += d->io == BM_IO_OUT_POST && in->operand[d->port_operand] == port;
            }
            most = n > most ? n : most;
        }
        cr_expect_eq(p->queue, most, "%s: core %s has a queue of %u for %u posts", what,
                     bm_core_name(c), p->queue, most);
        cr_expect_leq(p->queue, k, "%s: core %s has a queue of %u for K = %u", what,
                      bm_core_name(c), p->queue, k);
    }
}

/* Chained folded cores (bm_compile_options.chain): in each layer the cores
 * come in neuron order, the first takes what the plain fold gives a core
 * of the layer, and the others have one input port, fed by a forward
 * (forward port o0: two words where the program takes inputs in
 * consecutive instructions, as an inmacfx chain does, else one).  In a
 * line each core but the last forwards it all to the next, and the last
 * forwards nothing; in a broadcast the first forwards to all the others,
 * on one bond whose sinks are their i0 in order, and they forward
 * nothing. */
static void check_chains(const bm_machine *m, const bm_graph *g, int sparse,
                         bm_compile_chain chain, const char *what)
{
    int broadcast = chain == BM_COMPILE_CHAIN_BROADCAST;
    unsigned per_layer[64] = {0}, seen[64] = {0};
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        unsigned l;
        if (fold_core(bm_machine_core(m, i), &l) && l < 64)
            per_layer[l]++;
    }
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        const bm_core_params *p = bm_core_get_params(c);
        unsigned l;
        if (!fold_core(c, &l) || l >= 64)
            continue;
        unsigned j = seen[l]++, last = j + 1 == per_layer[l];
        unsigned max_in = l == 0   ? bm_graph_input_count(g)
                          : sparse ? per_layer[l - 1] + bm_graph_input_count(g)
                                   : per_layer[l - 1];
        if (j == 0)
            cr_expect_leq(p->inputs, max_in, "%s: core %s, first of its chain, has %u inputs",
                          what, bm_core_name(c), p->inputs);
        else
            cr_expect_eq(p->inputs, 1, "%s: core %s, in a chain, has %u inputs", what,
                         bm_core_name(c), p->inputs);
        unsigned forwards = broadcast ? j == 0 && per_layer[l] > 1 : !last;
        cr_expect_eq(p->forward, forwards, "%s: core %s (%u of %u in layer %u) forward %u", what,
                     bm_core_name(c), j + 1, per_layer[l], l, p->forward);
        if (forwards) {
            cr_expect_eq(p->forward_out, 0, "%s: core %s forwards on o%u", what, bm_core_name(c),
                         p->forward_out);
            /* two words where it takes in consecutive instructions or
             * looks at inputs first (the next core does too) */
            unsigned n = bm_core_program_length(c), back_to_back = 0, looks = 0;
            for (unsigned pc = 0; pc < n; pc++) {
                bm_io a = bm_isa_get(bm_core_insn(c, pc)->opcode)->io;
                bm_io b = bm_isa_get(bm_core_insn(c, (pc + 1) % n)->opcode)->io;
                back_to_back |= (a == BM_IO_IN_WAIT || a == BM_IO_IN_TRY) &&
                                (b == BM_IO_IN_WAIT || b == BM_IO_IN_TRY);
                looks |= a == BM_IO_IN_PEEK;
            }
            cr_expect_eq(p->forward_queue, back_to_back || looks ? 2u : 1u,
                         "%s: core %s forwards with a queue of %u", what, bm_core_name(c),
                         p->forward_queue);
            int b = bm_machine_bond_of_core_output(m, i, p->forward_out);
            bm_endpoint e;
            cr_assert_geq(b, 0, "%s: core %s's forward is not bonded", what, bm_core_name(c));
            unsigned sinks = broadcast ? per_layer[l] - 1 : 1;
            cr_assert_eq(bm_machine_bond_sink_count(m, (unsigned)b), sinks,
                         "%s: core %s forwards to %u cores, not %u", what, bm_core_name(c),
                         bm_machine_bond_sink_count(m, (unsigned)b), sinks);
            for (unsigned k = 0; k < sinks; k++) {
                cr_assert_eq(bm_machine_bond_sink(m, (unsigned)b, k, &e), 0);
                cr_expect(e.kind == BM_EP_CORE_IN && e.index == i + 1 + k && e.port == 0,
                          "%s: core %s forwards to core %u port %u, not core %u's i0", what,
                          bm_core_name(c), e.index, e.port, i + 1 + k);
            }
        }
    }
}

/* Compiles and checks g at every K and every multiplier, plain, chained as
 * a line and as a broadcast. */
static void fold_everywhere(const bm_graph *g, const char *name, unsigned vectors, int sparse)
{
    for (size_t k = 0; k < N_FOLDS; k++) {
        for (unsigned mul = 0; mul < 3 * BM_MUL_VARIANT_COUNT; mul++) {
            char what[160];
            bm_compile_chain chain = (bm_compile_chain)(mul / BM_MUL_VARIANT_COUNT);
            static const char *const chained[] = {"", ", chained", ", broadcast"};
            snprintf(what, sizeof what, "%s, fold %u, mul %s%s", name, every_fold[k],
                     bm_mul_variant_get(mul % BM_MUL_VARIANT_COUNT)->name, chained[chain]);
            bm_mul_variant mv = (bm_mul_variant)(mul % BM_MUL_VARIANT_COUNT);
            bm_machine *m = compile_fold_chain(g, &every_fold[k], 1, mv, chain, what);
            check_variant(m, mv, what);
            if (chain)
                check_chains(m, g, sparse, chain, what);
            else
                check_shape(m, g, &every_fold[k], 1, sparse, what);
            bm_report_options ro = BM_REPORT_OPTIONS_INIT;
            ro.vectors = vectors;
            ro.seed = k + 1;
            bm_compile_report *r = NULL;
            int rc = bm_compile_report_new(&r, m, g, &ro);
            if (rc)
                dump_machine(m);
            char *d = graph_diags(bm_graph_ctx(g));
            cr_assert_eq(rc, 0, "%s: the machine does not compute the graph (%d):\n%s", what, rc,
                         d);
            free(d);
            check_prediction(bm_compile_report_summary(r), m, what);
            bm_compile_report_free(r);
            bm_machine_free(m);
        }
    }
}

static bm_graph *read_example(bm_ctx *ctx, const char *path)
{
    bm_graph *g;
    int rc = bm_graph_read_file(&g, ctx, path, NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not load:\n%s", path, d);
    free(d);
    return g;
}

Test(fold, iris_every_fold_every_multiplier)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    fold_everywhere(g, "iris", 8, 0);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(fold, digits_every_fold_every_multiplier)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/digits.xml");
    fold_everywhere(g, "digits", 4, 0);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(fold, random_networks_every_fold_every_multiplier)
{
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network(ctx, seed);
        char what[64];
        snprintf(what, sizeof what, "random network %" PRIu64, seed);
        fold_everywhere(g, what, 5, 1);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Leaky and clipped relus folded and split: bit for bit the evaluator's
 * outputs (their cores hold more than K + 2 registers, so the shape checks
 * above are for relu and linear networks). */
Test(fold, random_networks_with_leaky_and_clipped_relus)
{
    static const placement places[] = {{BM_MAP_FOLD, 0, 1, BM_MUL_COMB, 0},
                                       {BM_MAP_FOLD, 0, 3, BM_MUL_PIPE, 0},
                                       {BM_MAP_FOLD, 0, 2, BM_MUL_SERIAL, 0},
                                       {BM_MAP_FOLD, 0, 0, BM_MUL_COMB, 2},
                                       {BM_MAP_FOLD, 0, 0, BM_MUL_PIPE, 5}};
    for (uint64_t seed = 1; seed <= 40; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_network_with(ctx, seed, 1);
        char what[64];
        snprintf(what, sizeof what, "random network %" PRIu64 " (more activations)", seed);
        for (size_t p = 0; p < sizeof places / sizeof places[0]; p++)
            check_compiled(g, places[p], NULL, 0, 5, seed, what);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* The other strategies with pipe and serial multipliers: the single core's
 * argmax jumps move with the nops, the cores strategy's mixes stay right. */
Test(fold, other_strategies_with_every_multiplier)
{
    static const char *const files[] = {"examples/networks/iris.xml", "examples/graph/expr.bmg"};
    for (size_t f = 0; f < 2; f++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = read_example(ctx, files[f]);
        for (size_t p = 0; p < N_PLACEMENTS; p++) {
            for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++) {
                bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
                opt.strategy = every_placement[p].strategy;
                if (every_placement[p].cores)
                    opt.cores = every_placement[p].cores;
                opt.mul = (bm_mul_variant)mul;
                char what[160];
                snprintf(what, sizeof what, "%s, %s, mul %s", files[f],
                         placement_name(every_placement[p]), bm_mul_variant_get(mul)->name);
                bm_machine *m = NULL;
                cr_assert_eq(bm_compile(&m, g, &opt), 0, "%s", what);
                check_variant(m, (bm_mul_variant)mul, what);
                bm_compile_report *r = NULL;
                int rc = bm_compile_report_new(&r, m, g, NULL);
                if (rc)
                    dump_machine(m);
                cr_assert_eq(rc, 0, "%s: the machine does not compute the graph", what);
                check_prediction(bm_compile_report_summary(r), m, what);
                bm_compile_report_free(r);
                bm_machine_free(m);
            }
        }
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Seeded random graphs (products of two values, argmax, min, max, ...) with
 * pipelined and serial multipliers, every other strategy. */
Test(fold, random_graphs_with_pipe_and_serial)
{
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = random_graph(ctx, seed, 24);
        for (size_t p = 0; p < N_PLACEMENTS; p++) {
            for (unsigned mul = BM_MUL_PIPE; mul < BM_MUL_VARIANT_COUNT; mul++) {
                bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
                opt.strategy = every_placement[p].strategy;
                if (every_placement[p].cores)
                    opt.cores = every_placement[p].cores;
                opt.mul = (bm_mul_variant)mul;
                char what[160];
                snprintf(what, sizeof what, "random graph %" PRIu64 ", %s, mul %s", seed,
                         placement_name(every_placement[p]), bm_mul_variant_get(mul)->name);
                bm_machine *m = NULL;
                cr_assert_eq(bm_compile(&m, g, &opt), 0, "%s", what);
                check_variant(m, (bm_mul_variant)mul, what);
                bm_report_options ro = BM_REPORT_OPTIONS_INIT;
                ro.vectors = 5;
                ro.seed = seed;
                bm_compile_report *r = NULL;
                int rc = bm_compile_report_new(&r, m, g, &ro);
                if (rc)
                    dump_machine(m);
                char *d = graph_diags(ctx);
                cr_assert_eq(rc, 0, "%s: the machine does not compute the graph:\n%s", what, d);
                free(d);
                bm_compile_report_free(r);
                bm_machine_free(m);
            }
        }
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* Nops only where needed: a neuron's inmacfx chain before its relu needs
 * one; input-major code (K > 1) on iris's first layer needs none.  There
 * a plain core reads each input into a fifth register (`in`, 4 macfxi);
 * a chained one looks at it 3 times (pkmacfx) and takes it with the 4th
 * product (inmacfx): no `in`, 4 registers; a serial core, which cannot
 * multiply a port's data, reads it into a register even in a chain. */
Test(fold, pipe_nops_only_where_needed)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    unsigned one = 1, four = 4;
    bm_machine *m = compile_fold(g, &one, 1, BM_MUL_PIPE, "iris");
    const bm_core *c = bm_machine_core(m, (unsigned)bm_machine_find_core(m, "l0c0"));
    cr_expect_eq(count_opcode(c, "nop"), 1);
    bm_machine_free(m);
    m = compile_fold(g, &four, 1, BM_MUL_PIPE, "iris");
    c = bm_machine_core(m, (unsigned)bm_machine_find_core(m, "l0c0"));
    cr_expect_eq(count_opcode(c, "nop"), 0);
    cr_expect_eq(count_opcode(c, "macfxi"), 16);
    cr_expect_eq(count_opcode(c, "in"), 4);
    cr_expect_eq(count_opcode(c, "pkmacfx"), 0);
    cr_expect_eq(bm_core_get_params(c)->registers, 5);
    bm_machine_free(m);
    unsigned four_two[] = {4, 2};
    m = compile_fold_chain(g, four_two, 2, BM_MUL_PIPE, 1, "iris chained");
    for (unsigned k = 0; k < 3; k++) {
        static const char *const names[] = {"l0c0", "l0c1", "l1c0"};
        c = bm_machine_core(m, (unsigned)bm_machine_find_core(m, names[k]));
        unsigned inputs = k == 2 ? 8 : 4; /* l1c0 reads the 8 results of layer 0 */
        cr_expect_eq(count_opcode(c, "nop"), 0, "%s", names[k]);
        cr_expect_eq(count_opcode(c, "inmacfx"), inputs, "%s", names[k]);
        cr_expect_eq(count_opcode(c, "pkmacfx"), inputs * (k == 2 ? 1 : 3), "%s", names[k]);
        cr_expect_eq(count_opcode(c, "in"), 0, "%s", names[k]);
        cr_expect_eq(bm_core_get_params(c)->registers, k == 2 ? 2u : 4u, "%s", names[k]);
    }
    bm_machine_free(m);
    m = compile_fold_chain(g, &four, 1, BM_MUL_SERIAL, 1, "iris chained");
    c = bm_machine_core(m, (unsigned)bm_machine_find_core(m, "l0c0"));
    cr_expect_eq(count_opcode(c, "macfxi"), 16);
    cr_expect_eq(count_opcode(c, "in"), 4);
    cr_expect_eq(count_opcode(c, "pkmacfx"), 0);
    cr_expect_eq(bm_core_get_params(c)->registers, 5);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* K = 1 is the node strategy's machine, core names aside. */
Test(fold, fold_one_is_the_node_strategy)
{
    static const char *const files[] = {"examples/networks/iris.xml",
                                        "examples/networks/digits.xml"};
    for (size_t f = 0; f < 2; f++) {
        bm_ctx *ctx = graph_ctx();
        bm_graph *g = read_example(ctx, files[f]);
        unsigned one = 1;
        bm_machine *folded = compile_fold(g, &one, 1, BM_MUL_COMB, files[f]);
        placement node = {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0};
        bm_machine *m = compile_with(g, node, files[f]);
        cr_assert_eq(bm_machine_core_count(folded), bm_machine_core_count(m));
        for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
            const bm_core *a = bm_machine_core(m, i), *b = bm_machine_core(folded, i);
            unsigned n = bm_core_program_length(a);
            cr_assert_eq(bm_core_program_length(b), n, "%s: core %s", files[f], bm_core_name(a));
            for (unsigned pc = 0; pc < n; pc++) {
                const bm_insn *x = bm_core_insn(a, pc), *y = bm_core_insn(b, pc);
                cr_assert(x->opcode == y->opcode && !memcmp(x->operand, y->operand,
                                                            sizeof x->operand),
                          "%s: core %s differs at pc %u", files[f], bm_core_name(a), pc);
            }
        }
        bm_machine_free(folded);
        bm_machine_free(m);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

/* A fold per layer: layer L gets ceil(width / K_L) cores, the last K
 * repeating for deeper layers. */
Test(fold, fold_per_layer)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/digits.xml");
    static const unsigned fold[] = {8, 3};
    bm_machine *m = compile_fold(g, fold, 2, BM_MUL_COMB, "digits");
    unsigned per_layer[8] = {0}, width[8] = {0};
    for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
        int l = bm_graph_node_layer(g, i), n = bm_graph_node_neuron(g, i);
        if (l >= 0 && l < 8 && (unsigned)n + 1 > width[l])
            width[l] = (unsigned)n + 1;
    }
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        unsigned l;
        if (fold_core(bm_machine_core(m, i), &l) && l < 8)
            per_layer[l]++;
    }
    for (unsigned l = 0; l < 8 && width[l]; l++) {
        unsigned k = fold[l < 2 ? l : 1];
        cr_expect_eq(per_layer[l], (width[l] + k - 1) / k, "layer %u: %u cores for %u neurons",
                     l, per_layer[l], width[l]);
    }
    check_shape(m, g, fold, 2, 0, "digits 8,3");
    bm_compile_report *r = NULL;
    cr_assert_eq(bm_compile_report_new(&r, m, g, NULL), 0);
    bm_compile_report_free(r);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* The simulated interval of m (the report's 8 vectors), its prediction
 * checked against it. */
static double checked_interval(const bm_machine *m, const bm_graph *g, const char *what)
{
    bm_compile_report *r = NULL;
    cr_assert_eq(bm_compile_report_new(&r, m, g, NULL), 0, "%s", what);
    const bm_report_summary *s = bm_compile_report_summary(r);
    check_prediction(s, m, what);
    double interval = s->interval;
    bm_compile_report_free(r);
    return interval;
}

/* Output queues: the 16-64-32-32-5 network folded 4,1,2,2 streams a vector
 * about every 104 cycles (its slowest cores' programs); with every queue
 * cut back to the one-word holding register, a layer-0 core waits until the
 * next layer has taken its last result, and the interval nearly doubles.
 * The prediction follows both. */
Test(fold, output_queues_keep_folded_cores_busy)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    static const unsigned fold[] = {4, 1, 2, 2};
    bm_machine *m = compile_fold(g, fold, 4, BM_MUL_PIPE, "jet");
    double interval[2];
    for (int cut = 0; cut < 2; cut++) {
        if (cut)
            for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
                bm_core *c = bm_machine_core(m, i);
                bm_core_params p = *bm_core_get_params(c);
                p.queue = 1;
                cr_assert_eq(bm_core_set_params(c, &p), 0);
            }
        if (cut)
            cr_assert_eq(bm_machine_validate(m), 0);
        interval[cut] = checked_interval(m, g, cut ? "jet 4,1,2,2, queues of 1" : "jet 4,1,2,2");
    }
    cr_expect_leq(interval[0], 105.0, "interval %.2f with queues", interval[0]);
    cr_expect_geq(interval[1], 1.5 * interval[0], "interval %.2f with holding registers, %.2f with queues",
                  interval[1], interval[0]);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Chains: the 16-64-32-32-5 network folded 4,1,1,1 with pipelined
 * multipliers streams a vector at the plain fold's interval, give or take a
 * cycle, while its input ports drop from one per core of the layer before
 * in every core (16 * 16 + 32 * 16 + 32 * 32 + 5 * 32 + argmax's 5 = 1957)
 * to that only in each layer's first core; the prediction follows the
 * forwards.  A broadcast has the same ports and interval with one forward
 * queue a layer instead of one a core but the last. */
Test(fold, chains_keep_the_interval_with_few_ports)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "bench/networks/jet.xml");
    static const unsigned fold[] = {4, 1, 1, 1};
    double interval[3];
    unsigned ports[3], forwards[3];
    static const char *const what[] = {"jet 4,1,1,1", "jet 4,1,1,1 chained",
                                       "jet 4,1,1,1 broadcast"};
    for (int chain = 0; chain < 3; chain++) {
        bm_machine *m = compile_fold_chain(g, fold, 4, BM_MUL_PIPE, chain, what[chain]);
        ports[chain] = forwards[chain] = 0;
        for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
            ports[chain] += bm_core_get_params(bm_machine_core(m, i))->inputs;
            forwards[chain] += bm_core_get_params(bm_machine_core(m, i))->forward;
        }
        if (chain)
            check_chains(m, g, 0, (bm_compile_chain)chain, what[chain]);
        interval[chain] = checked_interval(m, g, what[chain]);
        bm_machine_free(m);
    }
    cr_expect_eq(interval[2], interval[1], "broadcast interval %.2f, chained %.2f", interval[2],
                 interval[1]);
    cr_expect_eq(ports[2], ports[1], "%u input ports broadcast, %u chained", ports[2], ports[1]);
    /* 15 + 31 + 31 + 4 forwards in lines, one a layer in broadcasts */
    cr_expect_eq(forwards[1], 15 + 31 + 31 + 4, "%u forwards chained", forwards[1]);
    cr_expect_eq(forwards[2], 4, "%u forwards broadcast", forwards[2]);
    cr_expect_leq(interval[1], interval[0] + 1.0, "chained interval %.2f, plain %.2f",
                  interval[1], interval[0]);
    cr_expect_leq(interval[1], 96.0, "chained interval %.2f", interval[1]);
    /* the first cores of the layers: 16 graph inputs, 16, 32 and 32 cores
     * before them; 15 + 31 + 31 + 4 chained cores of one; argmax's 5 */
    cr_expect_eq(ports[1], 16 + 16 + 32 + 32 + 81 + 5, "%u input ports chained", ports[1]);
    cr_expect_geq(ports[0], 8 * ports[1], "%u input ports plain, %u chained", ports[0], ports[1]);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- options --------------------------------------------------------------------------- */

Test(fold, a_graph_that_is_not_a_network)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = text_graph(ctx, "input x, y\noutput z = relu(x * 0.5 + y)\n");
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    bm_machine *m = (bm_machine *)1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "error: the fold strategy needs a network"), "%s", d);
    free(d);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(fold, option_errors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    bm_machine *m = (bm_machine *)1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    cr_expect_eq(opt.mul, BM_MUL_COMB);
    cr_expect_eq(opt.fold, BM_COMPILE_FOLD_DEFAULT);
    opt.strategy = BM_MAP_FOLD;
    opt.fold = 0;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: the fold 0 is 0, not 1 to 65536\n");
    bm_ctx_clear_diags(ctx);
    static const unsigned bad[] = {4, 0};
    opt.fold_layers = bad;
    opt.n_fold_layers = 2;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: the fold of layer 1 is 0, not 1 to 65536\n");
    bm_ctx_clear_diags(ctx);
    opt.fold_layers = NULL;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    opt.n_fold_layers = 0;
    opt.fold = 2;
    opt.mul = (bm_mul_variant)7;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: unknown multiplier variant 7 (comb, pipe "
                            "or serial)\n");
    bm_ctx_clear_diags(ctx);
    /* a fold of 0 means nothing to the other strategies */
    opt.mul = BM_MUL_COMB;
    opt.fold = 0;
    opt.strategy = BM_MAP_NODE;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    bm_machine_free(m);
    /* chains are the fold strategy's; a version 5 struct has none */
    opt.chain = 1;
    m = (bm_machine *)1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: chains go with the fold strategy, not node\n");
    bm_ctx_clear_diags(ctx);
    opt.chain = 3;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: unknown chain 3 (0 off, 1 line, 2 broadcast)\n");
    bm_ctx_clear_diags(ctx);
    opt.chain = 1;
    opt.version = 5;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

static char *machine_bytes(const bm_machine *m)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(bm_machine_write_stream(m, f), 0);
    fclose(f);
    return buf;
}

/* Version 1 and 2 structs lack mul and fold: comb, and the default fold. */
Test(fold, version_1_and_2_structs)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = read_example(ctx, "examples/networks/iris.xml");
    struct {
        unsigned version;
        bm_map_strategy strategy;
        unsigned cores;
        const char *name;
        unsigned buffers;
    } v2 = {2, BM_MAP_FOLD, 4, NULL, 32};
    struct {
        unsigned version;
        bm_map_strategy strategy;
        unsigned cores;
        const char *name;
    } v1 = {1, BM_MAP_FOLD, 4, NULL};
    bm_compile_options v3 = BM_COMPILE_OPTIONS_INIT;
    v3.strategy = BM_MAP_FOLD;
    bm_machine *a, *b, *c;
    cr_assert_eq(bm_compile(&a, g, &v3), 0);
    cr_assert_eq(bm_compile(&b, g, (const bm_compile_options *)(const void *)&v2), 0);
    cr_assert_eq(bm_compile(&c, g, (const bm_compile_options *)(const void *)&v1), 0);
    char *ta = machine_bytes(a), *tb = machine_bytes(b), *tc = machine_bytes(c);
    cr_expect_str_eq(ta, tb);
    cr_expect_str_eq(ta, tc);
    cr_expect(strstr(ta, "name=\"l0c1\""), "the default fold of 4 puts 8 neurons on 2 cores");
    free(ta);
    free(tb);
    free(tc);
    bm_machine_free(a);
    bm_machine_free(b);
    bm_machine_free(c);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Every allocation of bm_compile (fold, pipe and serial) and of the report
 * (the timing model) may fail: BM_ENOMEM, *out NULL, no leak (ASan). */
Test(fold, every_allocation_may_fail)
{
    static const char net[] =
        "<network format=\"1\" name=\"n\" total=\"16\" frac=\"8\"><input size=\"3\"/>"
        "<layer neurons=\"3\" activation=\"relu\"><weights>0.5 -1 0.25 1 0 2 -0.5 0.75 1.5"
        "</weights><biases>0.5 0 -1</biases></layer>"
        "<layer neurons=\"2\" activation=\"linear\"><weights>1 -0.5 0.25 2 1 -1</weights>"
        "<biases>0 0.5</biases></layer><argmax/></network>";
    failing f = {-1, 0};
    bm_allocator alloc = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &alloc), 0);
    bm_network *nw;
    cr_assert_eq(bm_network_read(&nw, ctx, net, sizeof net - 1, "n.xml", NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_network_to_graph(&g, nw), 0);
    bm_network_free(nw);
    for (unsigned mul = 0; mul < BM_MUL_VARIANT_COUNT; mul++) {
        bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
        opt.strategy = BM_MAP_FOLD;
        opt.fold = mul == BM_MUL_PIPE ? 1 : 2; /* pipe at K = 1: nops to insert */
        opt.mul = (bm_mul_variant)mul;
        char what[32];
        snprintf(what, sizeof what, "fold, mul %u", mul);
        compile_survives_every_failure(g, &f, &opt, what);
    }
    f.countdown = -1;
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- bmc compile --fold --mul ---------------------------------------------------------- */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_fold_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(fold_cli, .init = setup, .fini = teardown);

Test(fold_cli, usage_errors_write_nothing)
{
    char out[128];
    snprintf(out, sizeof out, "%s/m.xml", tmpdir);
    static const char *const bad[][4] = {
        {"--fold", "0"},          {"--fold", "4,0"},    {"--fold", "x"},
        {"--fold", "4,"},         {"--fold", ",4"},     {"--fold", "-2"},
        {"--fold", "65537"},      {"--mul", "fast"},    {"--fold", "4", "--cores", "2"},
        {"--strategy", "node", "--fold", "4"}, {"--chain"}, {"--chain", "--cores", "2"},
        {"--broadcast"}, {"--chain", "--broadcast", "--fold", "2"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "-o", out,
                               bad[k][0], bad[k][1], bad[k][2], bad[k][3], NULL);
        cr_expect_eq(r.status, 2, "%s %s: %d %s", bad[k][0], bad[k][1], r.status, r.err);
        cr_expect(strstr(r.err, "Try 'bmc compile --help'"), "%s", r.err);
        struct stat st;
        cr_expect(stat(out, &st) != 0, "%s %s wrote %s", bad[k][0], bad[k][1], out);
        bmc_result_free(&r);
    }
    /* 65 numbers are too many */
    char many[200] = "1";
    for (int i = 0; i < 64; i++)
        strcat(many, ",1");
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fold", many, NULL);
    cr_expect_eq(r.status, 2, "%s", r.err);
    bmc_result_free(&r);
}

Test(fold_cli, fold_and_mul_report_and_json)
{
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fold", "4,2",
                           "--mul", "pipe", "--report", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "machine iris: 5 cores,"), "%s", r.out); /* 2 + 2 + argmax */
    cr_expect(strstr(r.out, "; predicted "), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fold", "8", "--mul", "serial",
                "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"predicted_latency\":"), "%s", r.out);
    cr_expect(strstr(r.out, "\"predicted_interval\":"), "%s", r.out);
    cr_expect(strstr(r.out, "{\"name\":\"l0c0\""), "%s", r.out);
    bmc_result_free(&r);
    /* a graph that is not a network: a failure, not a usage error */
    r = bmc_run(tmpdir, "compile", "examples/graph/expr.bmg", "--strategy", "fold", NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "the fold strategy needs a network"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "--help", NULL);
    cr_expect(strstr(r.out, "--fold") && strstr(r.out, "--mul") && strstr(r.out, "fold:"), "%s",
              r.out);
    bmc_result_free(&r);
}
