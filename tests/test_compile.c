/* The compiler's API and the shapes of the machines it builds: options and
 * their errors, argmax ties, constants as immediates, unused inputs,
 * constant outputs, one core per neuron, register and opcode economy, the
 * report. */
#include "compile_helpers.h"

static bm_graph *graph_of(bm_ctx *ctx, const char *text)
{
    return text_graph(ctx, text);
}

static bm_machine *compile_text(bm_ctx *ctx, const char *text, bm_map_strategy s, unsigned cores,
                                bm_graph **g_out)
{
    bm_graph *g = graph_of(ctx, text);
    placement p = {s, cores, 0, BM_MUL_COMB, 0};
    bm_machine *m = compile_with(g, p, text);
    *g_out = g;
    return m;
}

static const bm_core *core_named(const bm_machine *m, const char *name)
{
    int i = bm_machine_find_core(m, name);
    cr_assert_geq(i, 0, "no core '%s'", name);
    return bm_machine_core(m, (unsigned)i);
}

static int has_opcode(const bm_core *c, const char *mnemonic)
{
    return bm_opcode_set_has(bm_core_opcodes(c), (unsigned)bm_isa_lookup(mnemonic));
}

/* ---- options ------------------------------------------------------------------------- */

Test(compile, option_errors)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, "input x\noutput y = x + 1\n");
    bm_machine *m = (bm_machine *)1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_CORES;
    opt.cores = 0;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: the cores strategy needs 1 to 4096 cores, not 0\n");
    bm_ctx_clear_diags(ctx);
    opt.cores = BM_COMPILE_CORES_MAX + 1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    opt.cores = 2;
    opt.strategy = (bm_map_strategy)7;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    expect_graph_diags(ctx, "error: compile options: unknown strategy 7\n");
    bm_ctx_clear_diags(ctx);
    opt.strategy = BM_MAP_NODE;
    opt.name = "9lives";
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    opt.name = NULL;
    opt.version = 99;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    bm_ctx_clear_diags(ctx);
    cr_expect_eq(bm_compile(NULL, g, NULL), BM_EINVAL);
    cr_expect_eq(bm_compile(&m, NULL, NULL), BM_EINVAL);
    /* defaults: the node strategy, a machine named "graph" */
    cr_assert_eq(bm_compile(&m, g, NULL), 0);
    cr_expect_str_eq(bm_machine_name(m), "graph");
    cr_expect(bm_machine_is_valid(m));
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, strategy_names)
{
    cr_expect_str_eq(bm_map_strategy_name(BM_MAP_NODE), "node");
    cr_expect_str_eq(bm_map_strategy_name(BM_MAP_CORES), "cores");
    cr_expect_str_eq(bm_map_strategy_name(BM_MAP_SINGLE), "single");
    cr_expect_str_eq(bm_map_strategy_name(BM_MAP_FOLD), "fold");
    cr_expect_null(bm_map_strategy_name((bm_map_strategy)4));
    cr_expect_eq(bm_map_strategy_from_name("cores"), BM_MAP_CORES);
    cr_expect_eq(bm_map_strategy_from_name("Cores"), BM_ENOTFOUND);
    cr_expect_eq(bm_map_strategy_from_name(NULL), BM_ENOTFOUND);
}

/* ---- semantics corners ------------------------------------------------------------------ */

/* Ties: the first maximal index, whatever the strategy. */
Test(compile, argmax_keeps_the_first_of_equal_maxima)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, "input a, b, c\n"
                                "output k = argmax(a, b, c, b, -1)\n"
                                "output j = argmax(c, c)\n");
    int64_t one = 1024;
    const int64_t v[][3] = {
        {0, 0, 0}, {one, one, 0}, {0, one, one}, {-one, -one, -one}, {5, 7, 7},
        {7, 5, 7}, {-2 * one, -2 * one, -2 * one}, {-one, -2 * one, -3 * one}, {3, 3, 4}};
    size_t n = sizeof v / sizeof v[0];
    for (size_t k = 0; k < n; k++) {
        int64_t out[2];
        cr_assert_eq(bm_graph_eval(g, v[k], out), 0);
        cr_expect_eq(out[1], 0);
    }
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], &v[0][0], n, (unsigned)n, 1, "argmax ties");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Wrap-around and floor rounding, fused into multiply-accumulates. */
Test(compile, wrap_and_floor_survive_fusion)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, "type fixed<8,4>\n"
                                "input x, y\n"
                                "output s = 7.9375 + x * 0.0625 - y * 0.0625 + x * y - x\n"
                                "output n = -(x * y) + 1\n"
                                "output m = x * 1 + y * -1\n");
    int64_t v[64][2];
    for (int k = 0; k < 64; k++) {
        v[k][0] = (k * 37) % 256 - 128;
        v[k][1] = (k * 101 + 5) % 256 - 128;
    }
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], &v[0][0], 64, 64, 1, "wrap and floor");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, unused_inputs_are_still_taken)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_text(&g, ctx, "input x, unused, z\noutput y = x + z\n",
                                     strlen("input x, unused, z\noutput y = x + z\n"), "u.bmg",
                                     NULL),
                 0);
    bm_ctx_clear_diags(ctx); /* the reader warns about 'unused' */
    for (size_t p = 0; p < N_PLACEMENTS; p++) {
        check_compiled(g, every_placement[p], NULL, 0, 6, 3, "unused input");
        bm_machine *m = compile_with(g, every_placement[p], "unused input");
        cr_expect_geq(bm_machine_bond_of_input(m, 1), 0, "%s: 'unused' is not connected",
                      placement_name(every_placement[p]));
        bm_machine_free(m);
    }
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, constant_and_copied_outputs_stream_one_value_per_vector)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, "input x, w\noutput c = 2.5 * 2\noutput e = x\noutput f = relu(-3)\n"
                                "output s = w - x\n");
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], NULL, 0, 6, 4, "constant outputs");
    bm_graph_free(g);
    /* no input at all: the machine gives its constants for ever */
    g = graph_of(ctx, "output c = 1.5 - 3\noutput d = max(1, 2)\n");
    for (size_t p = 0; p < N_PLACEMENTS; p++)
        check_compiled(g, every_placement[p], NULL, 0, 4, 4, "no inputs");
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- machine shapes ---------------------------------------------------------------------- */

Test(compile, constants_are_immediates_not_cores)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_machine *m = compile_text(ctx, "input x\noutput y = 3 * x + 2 * 1.5\n", BM_MAP_NODE, 0, &g);
    cr_expect_eq(bm_machine_core_count(m), 1);
    const bm_core *c = bm_machine_core(m, 0);
    /* in, mulfxi by 3.0 ... or inmacfx: either way one multiply with an
     * immediate, the folded constant 3.0 as another */
    cr_expect(has_opcode(c, "inmacfx") || has_opcode(c, "mulfxi"));
    cr_expect_leq(bm_core_program_length(c), 5);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, single_core_allocates_few_registers)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_machine *m = compile_text(ctx, "input a, b\noutput y = a + b\n", BM_MAP_SINGLE, 0, &g);
    const bm_core *c = bm_machine_core(m, 0);
    const bm_core_params *p = bm_core_get_params(c);
    cr_expect_eq(p->registers, 2);
    cr_expect_eq(p->inputs, 2);
    cr_expect_eq(p->outputs, 1);
    cr_expect_eq(p->frac, 0, "no fixed-point unit, so no frac");
    cr_expect_eq(bm_core_program_length(c), 5); /* in, in, add, outn, j */
    cr_expect(!has_opcode(c, "mov"));
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* The node strategy on a network: one core per neuron, each taking one
 * input per cycle (li; inmacfx per input; relu; outn; j), and an argmax
 * core; every hidden core needs only those five opcodes. */
Test(compile, one_core_per_neuron)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris.xml", NULL), 0);
    placement node = {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0};
    bm_machine *m = compile_with(g, node, "iris");
    cr_expect_eq(bm_machine_core_count(m), 8 + 3 + 1);
    for (int j = 0; j < 8; j++) {
        char name[16];
        snprintf(name, sizeof name, "l0n%d", j);
        const bm_core *c = core_named(m, name);
        cr_expect_eq(bm_opcode_set_count(bm_core_opcodes(c)), 5, "%s", name);
        cr_expect(has_opcode(c, "inmacfx") && has_opcode(c, "relu") && has_opcode(c, "li"));
        cr_expect_eq(bm_core_program_length(c), 4 + 4, "%s", name); /* 4 inputs */
        cr_expect_eq(bm_core_get_params(c)->registers, 1);
        cr_expect_eq(bm_core_get_params(c)->frac, 10);
        cr_expect_eq(bm_core_get_params(c)->width, 16);
    }
    const bm_core *out = core_named(m, "l1n0");
    cr_expect(!has_opcode(out, "relu"));
    cr_expect_eq(bm_core_get_params(out)->inputs, 8);
    bm_compile_report *r;
    cr_assert_eq(bm_compile_report_new(&r, m, g, NULL), 0);
    /* ideal: the largest fan-in of each layer, 4 + 8, plus an argmax */
    cr_expect_leq(bm_compile_report_summary(r)->latency, (4 + 8) * 3 / 2 + 15);
    bm_compile_report_free(r);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Every strategy but node needs at most its cores; single needs one. */
Test(compile, core_counts)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/digits.xml", NULL), 0);
    unsigned counts[] = {1, 3, 8, 1000};
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
        placement p = {BM_MAP_CORES, counts[k], 0, BM_MUL_COMB, 0};
        bm_machine *m = compile_with(g, p, "digits");
        cr_expect_leq(bm_machine_core_count(m), counts[k]);
        cr_expect_geq(bm_machine_core_count(m), counts[k] < 20 ? counts[k] : 2);
        bm_machine_free(m);
    }
    placement single = {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0};
    bm_machine *m = compile_with(g, single, "digits");
    cr_expect_eq(bm_machine_core_count(m), 1);
    cr_expect_str_eq(bm_core_name(bm_machine_core(m, 0)), "core");
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, compiling_twice_gives_the_same_bytes)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris.xml", NULL), 0);
    for (size_t p = 0; p < N_PLACEMENTS; p++) {
        bm_machine *a = compile_with(g, every_placement[p], "iris");
        bm_machine *b = compile_with(g, every_placement[p], "iris");
        char *ta, *tb;
        size_t la, lb;
        cr_assert_eq(bm_machine_write_memory(a, &ta, &la), 0);
        cr_assert_eq(bm_machine_write_memory(b, &tb, &lb), 0);
        cr_expect(la == lb && memcmp(ta, tb, la) == 0, "%s", placement_name(every_placement[p]));
        bm_xml_buffer_free(ctx, ta);
        bm_xml_buffer_free(ctx, tb);
        bm_machine_free(a);
        bm_machine_free(b);
    }
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* ---- the report ------------------------------------------------------------------------------ */

Test(compile, report_fields_and_formats)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    bm_machine *m = compile_text(ctx, "input a, b\noutput y = relu(a * b)\n", BM_MAP_SINGLE, 0, &g);
    bm_compile_report *r;
    cr_assert_eq(bm_compile_report_new(&r, m, g, NULL), 0);
    const bm_report_summary *s = bm_compile_report_summary(r);
    cr_expect_eq(s->cores, 1);
    cr_expect_eq(s->verified, 1, "every output was compared with the evaluator");
    cr_expect_eq(bm_compile_report_core_count(r), 1);
    const bm_report_core *c = bm_compile_report_core(r, 0);
    cr_expect_str_eq(c->name, "core");
    cr_expect_str_eq(c->opcodes, "j in outn relu mulfx");
    cr_expect_eq(c->opcode_count, 5);
    cr_expect_eq(c->instructions, 6); /* in, in, mulfx, relu, outn, j */
    cr_expect_eq(c->registers, 2);
    cr_expect_eq(c->insn_width, 3 + 3); /* j: opcode, 3-bit address */
    /* in a0 at cycle 0, in b at 1, mulfx 2, relu 3, outn 4 */
    cr_expect_eq(s->latency, 4);
    cr_expect_eq(s->interval, 6.0);
    cr_expect_eq(s->interval_max, 6);
    cr_expect_eq(s->vectors, 8);
    /* straight-line code: the timing model is exact */
    cr_expect_eq(s->predicted_latency, 4);
    cr_expect_eq(s->predicted_interval, 6.0);
    cr_expect_null(bm_compile_report_core(r, 1));

    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(bm_compile_report_write(r, f, 1), 0);
    fclose(f);
    cr_expect_str_eq(buf, "{\"machine\":\"graph\",\"cores\":1,\"bonds\":3,\"instructions\":6,"
                          "\"registers\":2,\"rom_bits\":36,\"max_insn_width\":6,\"latency\":4,"
                          "\"interval\":6,\"interval_max\":6,\"vectors\":8,"
                          "\"predicted_latency\":4,\"predicted_interval\":6,\"core\":[{\"name\":"
                          "\"core\",\"opcodes\":[\"j\",\"in\",\"outn\",\"relu\",\"mulfx\"],"
                          "\"insn_width\":6,\"instructions\":6,\"registers\":2,\"inputs\":2,"
                          "\"outputs\":1}]}\n");
    free(buf);
    f = open_memstream(&buf, &len);
    cr_assert_eq(bm_compile_report_write(r, f, 0), 0);
    fclose(f);
    cr_expect(strstr(buf, "latency: 4 cycles"), "%s", buf);
    cr_expect(strstr(buf, "core  j in outn relu mulfx      6      6     2    2    1"), "%s", buf);
    free(buf);
    bm_compile_report_free(r);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, report_catches_a_machine_that_computes_something_else)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, "input a, b\noutput y = a + b\n");
    bm_graph *h = graph_of(ctx, "input a, b\noutput y = a - b\n");
    placement single = {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0};
    bm_machine *m = compile_with(h, single, "a - b");
    bm_compile_report *r = (bm_compile_report *)1;
    cr_expect_eq(bm_compile_report_new(&r, m, g, NULL), BM_EINVALID);
    cr_expect_null(r);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "error: report: output 'y' of vector 0 is "), "%s", d);
    free(d);
    bm_ctx_clear_diags(ctx);
    /* a machine without the graph's ports */
    bm_graph *other = graph_of(ctx, "input q\noutput y = q\n");
    cr_expect_eq(bm_compile_report_new(&r, m, other, NULL), BM_EINVALID);
    expect_graph_diags(ctx, "t.bmg: error: report: the machine has no input 'q'\n");
    bm_ctx_clear_diags(ctx);
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = 1;
    cr_expect_eq(bm_compile_report_new(&r, m, h, &ro), BM_EINVAL);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_graph_free(h);
    bm_graph_free(other);
    bm_ctx_free(ctx);
}

/* ---- path balancing ---------------------------------------------------------------------- */

/* x reaches y directly and through a chain of 24 min/max cores: without
 * buffers x's producer (the machine input) holds one value until the chain
 * has drained, so the vectors hardly overlap. */
static const char reconvergent[] =
    "type int<16>\ninput x\n"
    "a1 = max(x, -9)\na2 = min(a1, 90)\na3 = max(a2, -8)\na4 = min(a3, 80)\n"
    "a5 = max(a4, -7)\na6 = min(a5, 70)\na7 = max(a6, -6)\na8 = min(a7, 60)\n"
    "a9 = max(a8, -5)\na10 = min(a9, 50)\na11 = max(a10, -4)\na12 = min(a11, 40)\n"
    "a13 = max(a12, -3)\na14 = min(a13, 30)\na15 = max(a14, -2)\na16 = min(a15, 20)\n"
    "a17 = max(a16, -1)\na18 = min(a17, 10)\na19 = max(a18, -11)\na20 = min(a19, 11)\n"
    "a21 = max(a20, -12)\na22 = min(a21, 12)\na23 = max(a22, -13)\na24 = min(a23, 13)\n"
    "output y = a24 + x\n";

static bm_machine *compile_buffers(const bm_graph *g, unsigned buffers)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.buffers = buffers;
    bm_machine *m = NULL;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    return m;
}

static bm_report_summary measure(bm_machine *m, const bm_graph *g)
{
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = 32;
    bm_compile_report *r;
    cr_assert_eq(bm_compile_report_new(&r, m, g, &ro), 0); /* outputs checked on the way */
    bm_report_summary s = *bm_compile_report_summary(r);
    bm_compile_report_free(r);
    return s;
}

Test(compile, buffers_balance_reconvergent_paths)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, reconvergent);
    bm_machine *plain = compile_buffers(g, 0);
    bm_machine *buffered = compile_buffers(g, BM_COMPILE_BUFFERS_DEFAULT);
    bm_report_summary s0 = measure(plain, g), s1 = measure(buffered, g);
    /* 25 operation cores; 24 stages of slack on x -> y: 3 buffers */
    cr_expect_eq(bm_machine_core_count(plain), 25);
    cr_expect_eq(bm_machine_core_count(buffered), 28);
    cr_expect_lt(s1.interval, s0.interval, "interval %g with buffers, %g without", s1.interval,
                 s0.interval);
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, i == 1 ? "x_buf" : "x_buf_%d", i);
        const bm_core *c = core_named(buffered, name);
        cr_expect_eq(bm_opcode_set_count(bm_core_opcodes(c)), 3, "%s", name); /* in outn j */
        cr_expect(has_opcode(c, "in") && has_opcode(c, "outn") && has_opcode(c, "j"));
    }
    /* a cap of 1: one buffer, still better than none */
    bm_machine *one = compile_buffers(g, 1);
    cr_expect_eq(bm_machine_core_count(one), 26);
    cr_expect_lt(measure(one, g).interval, s0.interval);
    bm_machine_free(one);
    /* deterministic */
    bm_machine *again = compile_buffers(g, BM_COMPILE_BUFFERS_DEFAULT);
    char *t1, *t2;
    size_t n1, n2;
    cr_assert_eq(bm_disasm_machine(&t1, &n1, buffered, NULL), 0);
    cr_assert_eq(bm_disasm_machine(&t2, &n2, again, NULL), 0);
    cr_expect_str_eq(t1, t2);
    bm_disasm_free(ctx, t1);
    bm_disasm_free(ctx, t2);
    bm_machine_free(again);
    bm_machine_free(plain);
    bm_machine_free(buffered);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(compile, buffer_options)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, reconvergent);
    bm_machine *m = (bm_machine *)1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    cr_expect_eq(opt.version, BM_COMPILE_OPTIONS_VERSION);
    cr_expect_eq(opt.buffers, BM_COMPILE_BUFFERS_DEFAULT);
    opt.buffers = BM_COMPILE_BUFFERS_MAX + 1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: at most 64 buffers per path, not 65\n");
    bm_ctx_clear_diags(ctx);
    /* a version 1 struct has no `buffers`: it gets the default */
    struct {
        unsigned version;
        bm_map_strategy strategy;
        unsigned cores;
        const char *name;
    } v1 = {1, BM_MAP_NODE, 4, NULL};
    cr_assert_eq(bm_compile(&m, g, (const bm_compile_options *)(const void *)&v1), 0);
    cr_expect_eq(bm_machine_core_count(m), 28);
    bm_machine_free(m);
    /* the other strategies ignore it */
    opt.buffers = 8;
    opt.strategy = BM_MAP_SINGLE;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    cr_expect_eq(bm_machine_core_count(m), 1);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* Buffers are capped at twice the operation cores: 20 inputs that each
 * want 3 buffers (24 stages of slack) against 25 operation cores get 50. */
Test(compile, buffer_budget)
{
    char text[4096];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "type int<16>\ninput x");
    for (int i = 1; i <= 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, ", x%d", i);
    const char *chain = strstr(reconvergent, "a1 = ");
    const char *end = strstr(reconvergent, "output y");
    n += (size_t)snprintf(text + n, sizeof text - n, "\n%.*s", (int)(end - chain), chain);
    n += (size_t)snprintf(text + n, sizeof text - n, "output y = a24 + x");
    for (int i = 1; i <= 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " + x%d", i);
    snprintf(text + n, sizeof text - n, "\n");
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = graph_of(ctx, text);
    bm_machine *plain = compile_buffers(g, 0), *buffered = compile_buffers(g, 32);
    cr_expect_eq(bm_machine_core_count(plain), 25);
    cr_expect_eq(bm_machine_core_count(buffered), 75);
    bm_report_summary s0 = measure(plain, g), s1 = measure(buffered, g); /* still bit-exact */
    cr_expect_leq(s1.interval, s0.interval);
    bm_machine_free(plain);
    bm_machine_free(buffered);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}
