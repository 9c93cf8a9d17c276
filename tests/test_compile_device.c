/* Compiling for a device (bm_compile_for_device, bmc compile --device): the
 * point chosen fits its estimate and computes the graph bit-exactly; a
 * bigger part is never slower; kept knobs are kept; an impossible budget is
 * an error that names the resource and the excess before anything is
 * written; an unknown part is a usage error. */
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "compile_helpers.h"
#include "variant_checks.h"

static bm_graph *load(const char *path)
{
    bm_ctx *ctx = graph_ctx();
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, path, NULL), 0, "%s", path);
    return g;
}

static const bm_device *device(const char *name)
{
    int i = bm_device_find(name);
    cr_assert_geq(i, 0, "%s", name);
    return bm_device_get((unsigned)i);
}

/* the search leaves 10% of the LUTs free for place and route */
static int fits(const bm_area *a, const bm_device *d)
{
    return a->lut <= d->lut - d->lut / 10 && a->ff <= d->ff && a->dsp <= d->dsp && a->bram <= d->bram;
}

/* Compiles for d and checks the choice against the machine it gave. */
static bm_device_choice choose(const bm_graph *g, const char *part, unsigned keep,
                               const bm_compile_options *base)
{
    const bm_device *d = device(part);
    bm_machine *m = NULL;
    bm_device_choice ch;
    int rc = bm_compile_for_device(&m, g, base, keep, d, &ch);
    char *diags = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s: %d\n%s", part, rc, diags);
    free(diags);
    cr_expect(fits(&ch.area, d), "%s: the choice %s does not fit", part, ch.options);
    cr_expect_geq(ch.tried, ch.fitting);
    cr_expect_geq(ch.fitting, 1);
    /* the estimate is the machine's, and the machine is right */
    bm_area again;
    cr_assert_eq(bm_area_estimate_machine(&again, m, d), 0);
    cr_expect_eq(again.lut, ch.area.lut, "%s", ch.options);
    cr_expect_eq(bm_machine_core_count(m), ch.cores);
    bm_compile_report *r = NULL;
    cr_expect_eq(bm_compile_report_new(&r, m, g, NULL), 0, "%s on %s computes wrong values",
                 ch.options, part);
    if (r) {
        /* the model takes argmax's conditional jumps the long way (2
         * cycles a jz more, check_prediction's tolerance) */
        double sim = bm_compile_report_summary(r)->interval, jz = count_jz(m);
        cr_expect(sim <= ch.predicted_interval * 1.1 + 4 &&
                      sim >= ch.predicted_interval * 0.9 - 4 - 2 * jz,
                  "%s: predicted %.1f, simulated %.1f", ch.options, ch.predicted_interval, sim);
    }
    bm_compile_report_free(r);
    bm_machine_free(m);
    return ch;
}

Test(compile_device, the_choice_fits_and_a_bigger_part_is_never_slower)
{
    static const char *const nets[] = {"examples/networks/iris.xml",
                                       "examples/networks/digits.xml"};
    static const char *const parts[] = {"hx8k", "up5k", "xc7z020", "xcu250"};
    for (size_t n = 0; n < 2; n++) {
        bm_graph *g = load(nets[n]);
        double hx8k = 0, up5k = 0, z020 = 0, u250 = 0;
        for (size_t p = 0; p < 4; p++) {
            bm_device_choice ch = choose(g, parts[p], 0, NULL);
            double *slot = p == 0 ? &hx8k : p == 1 ? &up5k : p == 2 ? &z020 : &u250;
            *slot = ch.predicted_interval;
            if (device(parts[p])->dsp == 0)
                continue;
            /* where the part has multipliers, every choice uses them */
            cr_expect_neq(ch.mul, BM_MUL_SERIAL, "%s on %s", ch.options, parts[p]);
        }
        cr_expect_leq(u250, z020 * 1.02, "%s", nets[n]);
        cr_expect_leq(z020, hx8k * 1.02, "%s", nets[n]);
        bm_ctx *ctx = bm_graph_ctx(g);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
}

Test(compile_device, kept_knobs_are_kept_and_plain_graphs_work)
{
    bm_graph *g = load("examples/networks/iris.xml");
    bm_compile_options o = BM_COMPILE_OPTIONS_INIT;
    o.mul = BM_MUL_SERIAL;
    bm_device_choice ch = choose(g, "hx8k", BM_DEVICE_KEEP_MUL, &o);
    cr_expect_eq(ch.mul, BM_MUL_SERIAL);
    o = (bm_compile_options)BM_COMPILE_OPTIONS_INIT;
    o.strategy = BM_MAP_SINGLE;
    ch = choose(g, "hx8k", BM_DEVICE_KEEP_STRATEGY, &o);
    cr_expect_eq(ch.strategy, BM_MAP_SINGLE);
    cr_expect_eq(ch.cores, 1);
    bm_ctx *ctx = bm_graph_ctx(g);
    bm_graph_free(g);
    bm_ctx_free(ctx);

    g = load("examples/graph/expr.bmg");
    ch = choose(g, "up5k", 0, NULL);
    cr_expect_neq(ch.strategy, BM_MAP_FOLD, "a plain graph has no layers to fold");
    ctx = bm_graph_ctx(g);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

/* digits with one core per neuron (folding forbidden) cannot fit an HX8K:
 * the error names the point, the resource and the excess, and nothing is
 * returned. */
Test(compile_device, an_impossible_budget_is_an_error)
{
    bm_graph *g = load("examples/networks/digits.xml");
    bm_ctx *ctx = bm_graph_ctx(g);
    bm_compile_options o = BM_COMPILE_OPTIONS_INIT;
    o.strategy = BM_MAP_NODE;
    o.name = "digits";
    bm_machine *m = (bm_machine *)ctx;
    bm_device_choice ch;
    int rc = bm_compile_for_device(&m, g, &o, BM_DEVICE_KEEP_STRATEGY, device("hx8k"), &ch);
    cr_expect_eq(rc, BM_ERANGE);
    cr_expect_null(m);
    cr_expect_eq(ch.fitting, 0);
    cr_expect_eq(ch.strategy, BM_MAP_NODE);
    char *d = graph_diags(ctx);
    cr_expect(strstr(d, "digits.xml:3:1: error: no design point fits hx8k: 3 tried with the "
                        "strategy given; the smallest one, --strategy node --mul serial, "
                        "exceeds the part (10% of its LUT4 are left free for place and "
                        "route):\n") != NULL,
              "%s", d);
    cr_expect(strstr(d, "error: digits (--strategy node --mul serial) needs ") != NULL &&
                  strstr(d, " LUT4 but hx8k (less 10% of its LUT4) has 6,912 (") != NULL && strstr(d, " over)") != NULL,
              "%s", d);
    free(d);
    cr_expect_eq(bm_compile_for_device(&m, g, &o, 0, NULL, NULL), BM_EINVAL);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_device_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(device_cli, .init = setup, .fini = teardown);

Test(device_cli, choice_error_and_usage)
{
    char out[128], rtl[128];
    snprintf(out, sizeof out, "%s/m.xml", tmpdir);
    snprintf(rtl, sizeof rtl, "%s/rtl", tmpdir);
    bmc_result r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--device", "hx8k",
                           "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "device hx8k: --") && strstr(r.err, " design points fit)"),
              "%s", r.err);
    struct stat st;
    cr_expect_eq(stat(out, &st), 0);
    bmc_result_free(&r);
    unlink(out);

    /* folding forbidden: an error before any file or folder is written */
    r = bmc_run(tmpdir, "compile", "examples/networks/digits.xml", "--device", "hx8k",
                "--strategy", "node", "-o", out, "--verilog", rtl, NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "error: no design point fits hx8k") &&
                  strstr(r.err, "LUT4 but hx8k (less 10% of its LUT4) has 6,912"),
              "%s", r.err);
    cr_expect(stat(out, &st) != 0 && stat(rtl, &st) != 0, "something was written");
    bmc_result_free(&r);

    r = bmc_run(tmpdir, "compile", "examples/networks/iris.xml", "--device", "hx9k", "-o", out,
                NULL);
    cr_expect_eq(r.status, 2, "%s", r.err);
    cr_expect(strstr(r.err, "unknown device 'hx9k' (hx8k, up5k, xc7z020, xcu250)"), "%s", r.err);
    cr_expect(stat(out, &st) != 0);
    bmc_result_free(&r);
}
