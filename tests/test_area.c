/* Device budgets and the area estimate (bm/device.h, bm/area.h, bmc area):
 * the device table, the estimate's monotonicity, the fit verdict and its
 * exact messages, bmc area's exit codes, and the estimate against yosys
 * figures recorded below (the tests never run yosys: synth_xilinx is far
 * too slow for `make test`). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bm.h"
#include "bmc_runner.h"
#include "helpers.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bm_loc loc(const char *file, unsigned line, unsigned column)
{
    bm_loc l = {file, line, column};
    return l;
}

static bm_ctx *new_ctx(void)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    return ctx;
}

static const bm_device *device(const char *name)
{
    int i = bm_device_find(name);
    cr_assert_geq(i, 0, "%s", name);
    return bm_device_get((unsigned)i);
}

static bm_machine *read_xml(bm_ctx *ctx, const char *xml)
{
    bm_machine *m;
    cr_assert_eq(bm_machine_read_memory(&m, ctx, xml, strlen(xml), "t.xml"), BM_OK, "%s",
                 diag_text(ctx, 0));
    cr_assert_eq(bm_machine_validate(m), BM_OK, "%s", diag_text(ctx, 0));
    return m;
}

static bm_machine *read_path(bm_ctx *ctx, const char *path)
{
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, path), BM_OK, "%s: %s", path, diag_text(ctx, 0));
    cr_assert_eq(bm_machine_validate(m), BM_OK, "%s", diag_text(ctx, 0));
    return m;
}

static bm_area estimate(const bm_machine *m, const char *dev)
{
    bm_area a;
    cr_assert_eq(bm_area_estimate_machine(&a, m, device(dev)), BM_OK);
    return a;
}

/* ---- the device table -------------------------------------------------------- */

Test(area_device, table)
{
    cr_assert_geq(bm_device_count(), 4);
    const bm_device *d = device("hx8k");
    cr_expect_str_eq(d->name, "hx8k");
    cr_expect_eq(d->family, BM_FAMILY_ICE40);
    cr_expect_eq(d->lut, 7680);
    cr_expect_eq(d->ff, 7680);
    cr_expect_eq(d->dsp, 0);
    cr_expect_eq(d->bram, 32);
    cr_expect_str_eq(d->synth, "synth_ice40");
    d = device("up5k");
    cr_expect_eq(d->lut, 5280);
    cr_expect_eq(d->dsp, 8);
    cr_expect_eq(d->bram, 30);
    cr_expect_str_eq(d->synth, "synth_ice40 -dsp");
    d = device("xc7z020");
    cr_expect_eq(d->family, BM_FAMILY_XC7);
    cr_expect_eq(d->lut, 53200);
    cr_expect_eq(d->ff, 106400);
    cr_expect_eq(d->dsp, 220);
    cr_expect_eq(d->bram, 280);
    cr_expect_eq(d->lutram, 17400);
    cr_expect_str_eq(d->synth, "synth_xilinx -family xc7");
    d = device("xcu250");
    cr_expect_eq(d->family, BM_FAMILY_XCUP);
    cr_expect_eq(d->lut, 1728000);
    cr_expect_eq(d->dsp, 12288);
    cr_expect_eq(d->bram, 2 * 2688);
    for (unsigned i = 0; i < bm_device_count(); i++) {
        const bm_device *r = bm_device_get(i);
        cr_assert_not_null(r);
        cr_expect_eq(bm_device_find(r->name), (int)i);
        cr_expect_not_null(r->source);
    }
}

Test(area_device, lookup)
{
    cr_expect_eq(bm_device_find("HX8K"), bm_device_find("hx8k"));
    cr_expect_eq(bm_device_find("iCE40UP5K"), bm_device_find("up5k"));
    cr_expect_eq(bm_device_find("nope"), BM_ENOTFOUND);
    cr_expect_eq(bm_device_find(""), BM_ENOTFOUND);
    cr_expect_eq(bm_device_find("hx8"), BM_ENOTFOUND);
    cr_expect_eq(bm_device_find(NULL), BM_ENOTFOUND);
    cr_expect_null(bm_device_get(bm_device_count()));
}

/* ---- monotonicity ------------------------------------------------------------ */

/* A 16-bit core that chains `regs` registers: in, adds, out. */
static char *chain_xml(unsigned regs, unsigned inputs, unsigned extra)
{
    static char buf[65536];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "<machine format=\"1\" name=\"m\">\n");
    for (unsigned i = 0; i < inputs; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<input name=\"x%u\" width=\"16\"/>\n", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "<output name=\"y\" width=\"16\"/>\n"
                          "<core name=\"c\" width=\"16\" registers=\"%u\" rom=\"%u\" ram=\"0\" "
                          "inputs=\"%u\" outputs=\"1\">\n<opcodes>add addi j in out</opcodes>\n"
                          "<program>\n",
                          regs, inputs + regs + extra + 2, inputs);
    for (unsigned i = 0; i < inputs; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<i>in r%u, i%u</i>\n", i % regs, i);
    for (unsigned r = 1; r < regs; r++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<i>add r%u, r%u</i>\n", r, r - 1);
    for (unsigned k = 0; k < extra; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<i>addi r%u, %u</i>\n", k % regs, k + 1);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "<i>out o0, r%u</i>\n<i>j 0</i>\n</program>\n</core>\n",
                          regs - 1);
    for (unsigned i = 0; i < inputs; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<bond from=\"x%u\" to=\"c.i%u\"/>\n", i, i);
    snprintf(buf + n, sizeof buf - n, "<bond from=\"c.o0\" to=\"y\"/>\n</machine>\n");
    return buf;
}

static bm_area chain_area(unsigned regs, unsigned inputs, unsigned extra, const char *dev)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = read_xml(ctx, chain_xml(regs, inputs, extra));
    bm_area a = estimate(m, dev);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return a;
}

static const char *const families[] = {"hx8k", "up5k", "xc7z020", "xcu250"};

Test(area_estimate, monotonic_in_registers)
{
    for (unsigned f = 0; f < 4; f++) {
        bm_area prev = chain_area(2, 1, 0, families[f]);
        for (unsigned r = 3; r <= 16; r++) {
            bm_area a = chain_area(r, 1, 0, families[f]);
            cr_expect_geq(a.lut, prev.lut, "%s: %u registers", families[f], r);
            cr_expect_gt(a.ff, prev.ff, "%s: %u registers", families[f], r);
            prev = a;
        }
    }
}

Test(area_estimate, monotonic_in_ports)
{
    for (unsigned f = 0; f < 4; f++) {
        bm_area prev = chain_area(4, 1, 0, families[f]);
        for (unsigned p = 2; p <= 12; p++) {
            bm_area a = chain_area(4, p, 0, families[f]);
            cr_expect_geq(a.lut, prev.lut, "%s: %u inputs", families[f], p);
            cr_expect_geq(a.ff, prev.ff, "%s: %u inputs", families[f], p);
            cr_expect_gt(a.lut + a.ff, prev.lut + prev.ff, "%s: %u inputs", families[f], p);
            prev = a;
        }
    }
}

Test(area_estimate, monotonic_in_program_length)
{
    /* within one ROM style: LOGIC up to 64 words, then BLOCK, which on
     * Xilinx is LUT ROM below 320 words and block RAM from there (at each
     * switch LUTs may drop as the ROM moves into another resource) */
    static const unsigned ranges[][3] = {{0, 57, 1}, {60, 308, 31}, {320, 1800, 296}};
    for (unsigned f = 0; f < 4; f++) {
        for (unsigned g = 0; g < 3; g++) {
            bm_area prev = chain_area(4, 1, ranges[g][0], families[f]);
            for (unsigned k = ranges[g][0] + ranges[g][2]; k <= ranges[g][1]; k += ranges[g][2]) {
                bm_area a = chain_area(4, 1, k, families[f]);
                cr_expect_geq(a.lut, prev.lut, "%s: %u more", families[f], k);
                cr_expect_geq(a.ff, prev.ff, "%s: %u more", families[f], k);
                cr_expect_geq(a.bram, prev.bram, "%s: %u more", families[f], k);
                prev = a;
            }
        }
    }
}

Test(area_estimate, arguments)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = read_path(ctx, "examples/acc8.xml");
    bm_area a;
    cr_expect_eq(bm_area_estimate_core(NULL, bm_machine_core(m, 0), device("hx8k")), BM_EINVAL);
    cr_expect_eq(bm_area_estimate_core(&a, NULL, device("hx8k")), BM_EINVAL);
    cr_expect_eq(bm_area_estimate_core(&a, bm_machine_core(m, 0), NULL), BM_EINVAL);
    cr_expect_eq(bm_area_estimate_machine(&a, NULL, device("hx8k")), BM_EINVAL);
    /* the core's estimate equals the machine's (one core, no glue) */
    bm_area c, t;
    cr_assert_eq(bm_area_estimate_core(&c, bm_machine_core(m, 0), device("xc7z020")), BM_OK);
    t = estimate(m, "xc7z020");
    cr_expect_eq(memcmp(&c, &t, sizeof c), 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(area_estimate, dsp_only_where_the_family_has_them)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = read_path(ctx, "bench/hdl/machines/mul16.xml");
    bm_area hx = estimate(m, "hx8k"), up = estimate(m, "up5k"), xc = estimate(m, "xc7z020");
    cr_expect_eq(hx.dsp, 0);
    cr_expect_eq(up.dsp, 1);
    cr_expect_eq(xc.dsp, 1);
    cr_expect_gt(hx.lut, 4 * up.lut, "the 16 x 16 product in LUT4s: %llu against %llu",
                 (unsigned long long)hx.lut, (unsigned long long)up.lut);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- fit --------------------------------------------------------------------- */

Test(area_fit, fits)
{
    bm_ctx *ctx = new_ctx();
    bm_area a = {7680, 7680, 100, 0, 32, 0};
    cr_expect_eq(bm_device_fit(&a, device("hx8k"), ctx, "machine 'm'", loc(NULL, 0, 0)), BM_OK);
    cr_expect_eq(bm_ctx_diag_count(ctx), 0);
    bm_ctx_free(ctx);
}

Test(area_fit, does_not_fit)
{
    bm_ctx *ctx = new_ctx();
    bm_area a = {43675, 3832, 1149, 0, 0, 0};
    cr_expect_eq(bm_device_fit(&a, device("hx8k"), ctx, "machine 'digits'", loc(NULL, 0, 0)),
                 BM_ERANGE);
    assert_diags(ctx, "error: machine 'digits' needs 43,675 LUT4 but hx8k has 7,680 (5.7 times, "
                      "35,995 over)\n");
    bm_ctx_clear_diags(ctx);
    bm_area b = {6000, 5281, 0, 12, 31, 0};
    bm_loc at = loc("n.xml", 3, 1);
    cr_expect_eq(bm_device_fit(&b, device("up5k"), ctx, "machine 'n'", at), BM_ERANGE);
    assert_diags(ctx,
                 "n.xml:3:1: error: machine 'n' needs 6,000 LUT4 but up5k has 5,280 (1.1 times, 720 over)\n"
                 "n.xml:3:1: error: machine 'n' needs 5,281 flip-flops but up5k has 5,280 (1.0 times, 1 over)\n"
                 "n.xml:3:1: error: machine 'n' needs 12 SB_MAC16 but up5k has 8 (1.5 times, 4 over)\n"
                 "n.xml:3:1: error: machine 'n' needs 31 SB_RAM40_4K but up5k has 30 (1.0 times, 1 over)\n");
    bm_ctx_clear_diags(ctx);
    bm_area c = {10, 10, 0, 3, 0, 1};
    cr_expect_eq(bm_device_fit(&c, device("hx8k"), ctx, "machine 'x'", loc(NULL, 0, 0)), BM_ERANGE);
    assert_diags(ctx, "error: machine 'x' needs 3 SB_MAC16 but hx8k has none\n"
                      "error: machine 'x' needs 1 LUT-RAM LUTs but hx8k has none\n");
    cr_expect_eq(bm_device_fit(NULL, device("hx8k"), ctx, "x", loc(NULL, 0, 0)), BM_EINVAL);
    bm_ctx_free(ctx);
}

/* ---- bmc area ---------------------------------------------------------------- */

static char scratch[64];

static void make_scratch(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/bm_area_XXXXXX");
    cr_assert_not_null(mkdtemp(scratch));
}

static void remove_scratch(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(area_cli, .init = make_scratch, .fini = remove_scratch);

Test(area_cli, estimate_and_fit)
{
    bmc_result r = bmc_run(scratch, "area", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_not_null(strstr(r.out, "area estimate for hx8k"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "  total "), "%s", r.out);
    cr_expect_null(strstr(r.out, "fits"), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--device", "xc7z020", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_not_null(strstr(r.out, "LUT6"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "estimate: pipeline fits xc7z020"), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--json", "--device", "up5k", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(starts_with(r.out, "{\"machine\":\"pipeline\",\"device\":\"up5k\""), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "\"total\":{\"lut\":"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "\"fits\":true"), "%s", r.out);
    bmc_result_free(&r);
}

Test(area_cli, does_not_fit)
{
    char xml[200];
    snprintf(xml, sizeof xml, "%s/iris.xml", scratch);
    bmc_result r = bmc_run(scratch, "compile", "examples/networks/iris.xml", "--strategy", "node",
                           "-o", xml, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--device", "up5k", xml, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_not_null(strstr(r.out, "does not fit"), "%s", r.out);
    cr_expect_not_null(strstr(r.err, "iris.xml:"), "%s", r.err);
    cr_expect_not_null(strstr(r.err, ": error: machine 'iris' needs 11 SB_MAC16 but up5k has 8 "
                                     "(1.4 times, 3 over)\n"),
                       "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--device", "xc7z020", xml, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
}

Test(area_cli, usage_and_input_errors)
{
    bmc_result r = bmc_run(scratch, "area", "--device", "zynq", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_not_null(strstr(r.err, "unknown device 'zynq'"), "%s", r.err);
    for (unsigned i = 0; i < bm_device_count(); i++)
        cr_expect_not_null(strstr(r.err, bm_device_get(i)->name), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--frob", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "examples/acc8.xml", "--device", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "no/such/file.xml", NULL);
    cr_expect_eq(r.status, 1);
    bmc_result_free(&r);
    char bad[200];
    snprintf(bad, sizeof bad, "%s/bad.xml", scratch);
    FILE *f = fopen(bad, "w");
    cr_assert_not_null(f);
    fputs("<machine format=\"1\" name=\"m\">\n  <core name=\"c\" width=\"0\"/>\n</machine>\n", f);
    fclose(f);
    r = bmc_run(scratch, "area", bad, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_not_null(strstr(r.err, "bad.xml:2:"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(scratch, "area", "--help", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(starts_with(r.out, "Usage: bmc area "), "%s", r.out);
    bmc_result_free(&r);
    r = bmc_run(scratch, "--help", NULL);
    cr_expect_not_null(strstr(r.out, "  area "), "%s", r.out);
    bmc_result_free(&r);
}

/* ---- against yosys ---------------------------------------------------------------
 *
 * Recorded with bench/area/run.sh (yosys 0.23, 7ce5011c24b): `bmc verilog`
 * of each machine (its own top module, no pin wrapper), then
 *   hx8k     yosys synth_ice40 -top TOP;       SB_LUT4, SB_DFF*
 *   up5k     yosys synth_ice40 -dsp -top TOP;  SB_LUT4, SB_DFF*, SB_MAC16
 *   xc7z020  yosys synth_xilinx -family xc7;   LUT1-6, FD*, DSP48E1
 * The iris machines are compiled here as the benchmark compiles them; the
 * fold cores were synthesised alone (docs/area.md, "Calibration").  When
 * the RTL changes, rerun the benchmark and update these figures.  The pipe
 * points were synthesised again on 2026-12-06 after the write-back's
 * addition moved into the DSP block's post-adder (hdl_out/mul_unit.c), and
 * all of them again the same day after fetch_en became an AND of "not this
 * stall" terms (hdl_out/core.c; xc7 counts fell by up to a quarter, the
 * iCE40's moved by a few LUT4 either way; the Xilinx coefficients were
 * refitted). */
typedef struct yosys_point {
    const char *what;   /* a machine file, or "iris:ARGS" (bmc compile's arguments) */
    const char *device;
    unsigned lut, ff, dsp;
} yosys_point;

static const yosys_point recorded[] = {
    {"examples/acc8.xml", "hx8k", 19, 23, 0},
    {"examples/acc8.xml", "xc7z020", 17, 23, 0},
    {"examples/pipeline.xml", "hx8k", 119, 56, 0},
    {"examples/pipeline.xml", "up5k", 77, 56, 1},
    {"examples/pipeline.xml", "xc7z020", 64, 54, 1},
    {"bench/hdl/machines/mul16.xml", "hx8k", 364, 42, 0},
    {"bench/hdl/machines/mul16.xml", "up5k", 49, 42, 1},
    {"bench/hdl/machines/mul16.xml", "xc7z020", 50, 43, 1},
    /* fold cores: the first core of iris --fold 2,1 (two neurons, four
     * inputs) on its own, with the pipelined and the serial multiplier */
    {"fold-core:pipe", "hx8k", 723, 120, 0},
    {"fold-core:pipe", "up5k", 238, 104, 1},
    {"fold-core:pipe", "xc7z020", 177, 88, 1},
    {"fold-core:serial", "hx8k", 403, 131, 0},
    {"fold-core:serial", "xc7z020", 341, 131, 0},
    {"iris:--fold 2,1 --mul pipe", "hx8k", 5175, 892, 0},
    {"iris:--fold 2,1 --mul pipe", "up5k", 1529, 780, 7},
    {"iris:--fold 2,1 --mul pipe", "xc7z020", 1162, 716, 7},
    {"iris:--strategy single", "hx8k", 1326, 298, 0},
    {"iris:--strategy single", "up5k", 797, 298, 1},
    {"iris:--strategy single", "xc7z020", 642, 294, 1},
    {"iris:--strategy node --mul pipe", "up5k", 1876, 778, 11},
    {"iris:--strategy node --mul pipe", "xc7z020", 1379, 778, 11},
    /* chains and broadcasts (2026-12-06): cores with one input port, whose
     * data goes into the DSP block as it is */
    {"iris:--fold 2,1 --chain --mul pipe", "xc7z020", 1070, 836, 7},
    {"iris:--fold 1,1 --broadcast --mul pipe", "xc7z020", 955, 779, 11},
    /* tiles (2026-12-06): layer 0 two neurons in two slices, a distributor */
    {"iris:--fold 2,3 --split 2,1 --broadcast --mul pipe", "xc7z020", 1511, 1034, 9},
};

/* A multiplier fed by input ports selects among them when there are two
 * or more (dsp_port_operand on Xilinx), not when the core reads one: the
 * second-layer core of jet's broadcast (one input port, 64 inmacfx) and the
 * same core reading its last input from a second port: the second port
 * costs at least a LUT a bit.  Synthesised alone, the one-port core is 61
 * LUT6 (yosys 0.23); a core this small is estimated within 30% (the 25% of
 * the whole machines above does not hold for every lone core), which a
 * selection priced on its one port (20 LUT6 more) breaks. */
Test(area_estimate, one_input_port_needs_no_selection)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *one = read_path(ctx, "tests/data/area/jet-broadcast-l1c1.xml");
    FILE *f = fopen("tests/data/area/jet-broadcast-l1c1.xml", "r");
    cr_assert_not_null(f);
    char xml[16384];
    size_t n = fread(xml, 1, sizeof xml - 1, f);
    fclose(f);
    xml[n] = 0;
    /* the last inmacfx reads i1, a second port fed by a second input */
    char *last = NULL;
    for (char *q = strstr(xml, "<i>inmacfx r0, i0,"); q; q = strstr(q + 1, "<i>inmacfx r0, i0,"))
        last = q;
    cr_assert_not_null(last);
    last[16] = '1'; /* "<i>inmacfx r0, i" is 16 characters */
    char two[16800];
    char *core = strstr(xml, "inputs=\"1\"");
    char *bond = strstr(xml, "  <bond from=\"x\"");
    cr_assert(core && bond);
    core[8] = '2';
    snprintf(two, sizeof two, "%.*s  <bond from=\"x2\" to=\"l1c1.i1\"/>\n%s", (int)(bond - xml), xml,
             bond);
    char *in = strstr(two, "  <input name=\"x\" width=\"16\"/>\n");
    cr_assert_not_null(in);
    char both[17000];
    snprintf(both, sizeof both, "%.*s  <input name=\"x2\" width=\"16\"/>\n%s", (int)(in - two), two,
             in);
    bm_machine *twoports = read_xml(ctx, both);
    bm_area a1 = estimate(one, "xc7z020"), a2 = estimate(twoports, "xc7z020");
    cr_expect_leq(a1.lut, 61 * 13 / 10, "one port: %llu LUT6, yosys 61", (unsigned long long)a1.lut);
    cr_expect_geq(a2.lut, a1.lut + 16, "two ports: %llu LUT6, one port %llu: no selection priced",
                  (unsigned long long)a2.lut, (unsigned long long)a1.lut);
    bm_machine_free(one);
    bm_machine_free(twoports);
    bm_ctx_free(ctx);
}

/* The first core of `bmc compile examples/networks/iris.xml --fold 2,1
 * --mul VARIANT`, alone in a machine. */
static const char *fold_core_xml(const char *variant)
{
    static char buf[4096];
    static const char *const neuron[4][2] = {
        {"65219", "102"}, {"568", "65422"}, {"64773", "161"}, {"64796", "149"}};
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "<machine format=\"1\" name=\"one\">\n"
                                "<input name=\"x0\" width=\"16\"/><input name=\"x1\" width=\"16\"/>\n"
                                "<input name=\"x2\" width=\"16\"/><input name=\"x3\" width=\"16\"/>\n"
                                "<output name=\"y0\" width=\"16\"/>\n"
                                "<core name=\"l0c0\" width=\"16\" registers=\"3\" rom=\"19\" ram=\"0\" "
                                "inputs=\"4\" outputs=\"1\" frac=\"10\" mul=\"%s\">\n"
                                "<opcodes>li j in outn relu macfxi</opcodes>\n<program>\n"
                                "<i>li r0, 580</i>\n<i>li r1, 1151</i>\n",
                                variant);
    for (unsigned i = 0; i < 4; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "<i>in r2, i%u</i>\n<i>macfxi r0, r2, %s</i>\n"
                              "<i>macfxi r1, r2, %s</i>\n",
                              i, neuron[i][0], neuron[i][1]);
    snprintf(buf + n, sizeof buf - n,
             "<i>relu r0</i>\n<i>outn o0, r0</i>\n<i>relu r1</i>\n<i>outn o0, r1</i>\n"
             "<i>j 0</i>\n</program>\n</core>\n"
             "<bond from=\"x0\" to=\"l0c0.i0\"/><bond from=\"x1\" to=\"l0c0.i1\"/>\n"
             "<bond from=\"x2\" to=\"l0c0.i2\"/><bond from=\"x3\" to=\"l0c0.i3\"/>\n"
             "<bond from=\"l0c0.o0\" to=\"y0\"/>\n</machine>\n");
    return buf;
}

static void expect_within(const char *what, const char *dev, const char *res, uint64_t est,
                          unsigned yosys)
{
    double err = ((double)est - yosys) / yosys;
    cr_expect(err <= 0.25 && err >= -0.25, "%s on %s: %s estimate %llu, yosys %u (%+.1f%%)", what,
              dev, res, (unsigned long long)est, yosys, err * 100);
}

Test(area_yosys, recorded_points_within_25_percent, .init = make_scratch, .fini = remove_scratch)
{
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++) {
        const yosys_point *p = &recorded[i];
        char path[256];
        bm_ctx *ctx = new_ctx();
        bm_machine *m;
        if (strncmp(p->what, "fold-core:", 10) == 0) {
            m = read_xml(ctx, fold_core_xml(p->what + 10));
        } else if (strncmp(p->what, "iris:", 5) == 0) {
            snprintf(path, sizeof path, "%s/iris-%zu.xml", scratch, i);
            char args[128], *argv[8] = {0};
            size_t argc = 0;
            snprintf(args, sizeof args, "%s", p->what + 5);
            for (char *t = strtok(args, " "); t && argc < 8; t = strtok(NULL, " "))
                argv[argc++] = t;
            cr_assert_leq(argc, 7);
            bmc_result r = bmc_run(scratch, "compile", "examples/networks/iris.xml", "--name",
                                   "iris", "-o", path, argc > 0 ? argv[0] : NULL,
                                   argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL,
                                   argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL,
                                   argc > 5 ? argv[5] : NULL, argc > 6 ? argv[6] : NULL, NULL);
            cr_assert_eq(r.status, 0, "%s", r.err);
            bmc_result_free(&r);
            m = read_path(ctx, path);
        } else {
            m = read_path(ctx, p->what);
        }
        bm_area a = estimate(m, p->device);
        expect_within(p->what, p->device, "LUT", a.lut, p->lut);
        expect_within(p->what, p->device, "FF", a.ff, p->ff);
        cr_expect_eq(a.dsp, p->dsp, "%s on %s: DSP", p->what, p->device);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}
