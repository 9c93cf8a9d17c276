/* The fetch option of the compiler (docs/compile.md "Fetch"): auto stages
 * exactly the cores whose program is longer than a logic ROM, direct and
 * staged set every core, an options struct of version 4 keeps every core
 * direct, the predicted timing counts the refetch cycle, and bad values are
 * refused, in C and on the command line. */
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "compile_helpers.h"
#include "variant_checks.h"

static bm_graph *digits(bm_ctx *ctx)
{
    bm_graph *g;
    int rc = bm_graph_read_file(&g, ctx, "examples/networks/digits.xml", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    return g;
}

/* The digits network folded 8 then 10: two first-layer cores of about 490
 * instructions, a second-layer core of about 175, argmax and a sink below
 * 64. */
static bm_machine *fold_8_10(const bm_graph *g, bm_compile_fetch fetch)
{
    static const unsigned fold[] = {8, 10};
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_FOLD;
    opt.fold_layers = fold;
    opt.n_fold_layers = 2;
    opt.mul = BM_MUL_PIPE;
    opt.fetch = fetch;
    bm_machine *m = NULL;
    int rc = bm_compile(&m, g, &opt);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s", d);
    free(d);
    return m;
}

static unsigned staged_cores(const bm_machine *m)
{
    unsigned n = 0;
    for (unsigned i = 0; i < bm_machine_core_count(m); i++)
        n += bm_core_get_params(bm_machine_core(m, i))->fetch == BM_FETCH_STAGED;
    return n;
}

static bm_report_summary report(const bm_machine *m, const bm_graph *g, const char *what)
{
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = 12;
    bm_compile_report *r = NULL;
    int rc = bm_compile_report_new(&r, m, g, &ro);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s: %s", what, d);
    free(d);
    bm_report_summary s = *bm_compile_report_summary(r);
    check_prediction(&s, m, what);
    bm_compile_report_free(r);
    return s;
}

Test(fetch, auto_stages_the_long_programs)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = digits(ctx);
    bm_machine *m = fold_8_10(g, BM_COMPILE_FETCH_AUTO);
    unsigned long_programs = 0;
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        int is_long = bm_core_program_length(c) > BM_VERILOG_ROM_LOGIC_MAX;
        long_programs += is_long;
        cr_expect_eq(bm_core_get_params(c)->fetch, is_long ? BM_FETCH_STAGED : BM_FETCH_DIRECT,
                     "core %s, %u instructions", bm_core_name(c), bm_core_program_length(c));
    }
    cr_expect_eq(long_programs, 3);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* The machines compute the same outputs (the report checks each against
 * the evaluator); staging every core costs one refetch cycle per vector in
 * each core's closing `j 0`, and the predicted interval follows. */
Test(fetch, staged_costs_a_cycle_per_vector_and_the_prediction_knows)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = digits(ctx);
    bm_machine *direct = fold_8_10(g, BM_COMPILE_FETCH_DIRECT);
    bm_machine *staged = fold_8_10(g, BM_COMPILE_FETCH_STAGED);
    cr_expect_eq(staged_cores(direct), 0);
    cr_expect_eq(staged_cores(staged), bm_machine_core_count(staged));
    bm_report_summary d = report(direct, g, "digits fold 8,10 direct");
    bm_report_summary s = report(staged, g, "digits fold 8,10 staged");
    /* the simulated interval is a mean over the last vectors: about 1 */
    cr_expect(s.interval >= d.interval + 0.5 && s.interval <= d.interval + 1.5,
              "interval %.2f staged against %.2f direct", s.interval, d.interval);
    cr_expect(s.predicted_interval >= d.predicted_interval + 1 - 0.01 &&
                  s.predicted_interval <= d.predicted_interval + 1 + 0.01,
              "predicted interval %.2f staged against %.2f direct", s.predicted_interval,
              d.predicted_interval);
    bm_machine_free(direct);
    bm_machine_free(staged);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* A version 4 struct (the layout before `fetch`) keeps every core direct,
 * as the compiler did before; a bad value is refused with a message. */
Test(fetch, old_options_and_bad_values)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g = digits(ctx);
    struct v4 {
        unsigned version;
        bm_map_strategy strategy;
        unsigned cores;
        const char *name;
        unsigned buffers;
        bm_mul_variant mul;
        unsigned fold;
        const unsigned *fold_layers;
        size_t n_fold_layers;
        unsigned reuse;
        const unsigned *reuse_layers;
        size_t n_reuse_layers;
    } v4 = {4, BM_MAP_SINGLE, 4, NULL, 32, BM_MUL_COMB, 4, NULL, 0, 0, NULL, 0};
    bm_machine *m = NULL;
    cr_assert_eq(bm_compile(&m, g, (const bm_compile_options *)(const void *)&v4), 0);
    cr_expect_gt(bm_core_program_length(bm_machine_core(m, 0)), BM_VERILOG_ROM_LOGIC_MAX);
    cr_expect_eq(staged_cores(m), 0);
    bm_machine_free(m);

    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    cr_expect_eq(opt.fetch, BM_COMPILE_FETCH_AUTO);
    opt.fetch = (bm_compile_fetch)7;
    m = (bm_machine *)1;
    cr_expect_eq(bm_compile(&m, g, &opt), BM_EINVAL);
    cr_expect_null(m);
    expect_graph_diags(ctx, "error: compile options: unknown fetch 7 (auto, direct or staged)\n");

    cr_expect_str_eq(bm_compile_fetch_name(BM_COMPILE_FETCH_STAGED), "staged");
    cr_expect_null(bm_compile_fetch_name((bm_compile_fetch)3));
    cr_expect_eq(bm_compile_fetch_from_name("direct"), BM_COMPILE_FETCH_DIRECT);
    cr_expect_eq(bm_compile_fetch_from_name("eager"), -1);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_fetch_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

Test(fetch, command_line, .init = make_tmpdir, .fini = remove_tmpdir)
{
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fetch", "staged",
                           NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "fetch=\"staged\""), "%s", r.out);
    bmc_result_free(&r);
    /* iris's node programs are short: auto leaves them direct */
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_null(strstr(r.out, "fetch="), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--fetch", "eager", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bad --fetch 'eager' (auto, direct or staged)"), "%s", r.err);
    bmc_result_free(&r);
}
