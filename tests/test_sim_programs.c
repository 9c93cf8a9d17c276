/* Hand-written multi-core programs with their expected output transfers,
 * cycle by cycle: a three-stage pipeline, a fan-out with a join, and an
 * accumulator fed by a generator core.  The schedules are derived by hand
 * in the comments. */
#include "sim_helpers.h"

static bm_sim *start(bm_ctx **ctx, bm_machine **m, const char *xml)
{
    cr_assert_eq(bm_ctx_new(ctx, NULL), 0);
    *m = simt_xml(*ctx, xml);
    return simt_sim(*m);
}

static void finish(bm_ctx *ctx, bm_machine *m, bm_sim *sim)
{
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

#define STAGE(name, op)                                                                     \
    "<core name=\"" name "\" width=\"8\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" " \
    "outputs=\"1\"><opcodes>addi shli j in out</opcodes><program>"                          \
    "<i>in r0, i0</i><i>" op "</i><i>out o0, r0</i><i>j 0</i></program></core>\n"

/* x -> s1 (+1) -> s2 (*2) -> s3 (-3) -> y, each stage in; op; out; j 0.
 * s1: in 0, op 1, out 2 (s2 has waited at its in since 0: transfer), j 3,
 * in 4 ... s1 sends at 2, 6, 10, 14; s2 at 4, 8, 12, 16; s3 at 6, 10,
 * 14, 18.  Values: 1 -> 2 -> 4 -> 1, 2 -> 3 -> 6 -> 3, 3 -> 5, 4 -> 7. */
Test(sim_programs, pipeline)
{
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim = start(&ctx, &m,
                        "<machine format=\"1\" name=\"pipe3\">\n"
                        "<input name=\"x\" width=\"8\"/><output name=\"y\" width=\"8\"/>\n"
                        STAGE("s1", "addi r0, 1") STAGE("s2", "shli r0, 1")
                        STAGE("s3", "addi r0, -3")
                        "<bond from=\"x\" to=\"s1.i0\"/><bond from=\"s1.o0\" to=\"s2.i0\"/>"
                        "<bond from=\"s2.o0\" to=\"s3.i0\"/><bond from=\"s3.o0\" to=\"y\"/>\n"
                        "</machine>\n");
    cr_assert_eq(bm_sim_load_stimulus(sim, "x = 1, 2, 3, 4", 14, "stim"), 0);
    cr_expect_eq(simt_run(sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    simt_xfer want[] = {{"y", 1, 6}, {"y", 3, 10}, {"y", 5, 14}, {"y", 7, 18}};
    simt_expect_outputs(sim, want, 4);
    /* after the last value every stage waits at its in */
    cr_expect_eq(bm_sim_deadlock_cycle(sim), 20);
    for (unsigned c = 0; c < 3; c++) {
        unsigned pc;
        bm_sim_pc(sim, c, &pc);
        cr_expect_eq(pc, 0);
    }
    finish(ctx, m, sim);
}

/* d reads x and sends each value to w1 (+10), w2 (*4, slower) and the
 * external tap at once; j adds the two results.
 * 1: d sends 1 (tap 1 @1).  w1: in 1, addi 2, out 3 (j's in i0 ready since
 * 0).  w2: in 1, shli 2, nop 3, nop 4, out 5 (j's in i1 ready since 4).
 * j: add 6, out 7: y 15 @7.  d offers 2 from 4, but w2 is ready again only
 * at 7: tap 2 @7 (ordered before y, by output index).  w1 sends at 9, w2 at
 * 11, y 20 @13; d offers 3 from 10, w2 ready at 13: tap 3 @13; y 25 @19. */
Test(sim_programs, fan_out_and_join)
{
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim = start(
        &ctx, &m,
        "<machine format=\"1\" name=\"fanout\">\n"
        "<input name=\"x\" width=\"16\"/>"
        "<output name=\"tap\" width=\"16\"/><output name=\"y\" width=\"16\"/>\n"
        "<core name=\"d\" width=\"16\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
        "<opcodes>j in out</opcodes><program>"
        "<i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program></core>\n"
        "<core name=\"w1\" width=\"16\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
        "<opcodes>addi j in out</opcodes><program>"
        "<i>in r0, i0</i><i>addi r0, 10</i><i>out o0, r0</i><i>j 0</i></program></core>\n"
        "<core name=\"w2\" width=\"16\" registers=\"1\" rom=\"6\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
        "<opcodes>nop shli j in out</opcodes><program>"
        "<i>in r0, i0</i><i>shli r0, 2</i><i>nop</i><i>nop</i><i>out o0, r0</i><i>j 0</i>"
        "</program></core>\n"
        "<core name=\"j\" width=\"16\" registers=\"2\" rom=\"5\" ram=\"0\" inputs=\"2\" outputs=\"1\">"
        "<opcodes>add j in out</opcodes><program>"
        "<i>in r0, i0</i><i>in r1, i1</i><i>add r0, r1</i><i>out o0, r0</i><i>j 0</i>"
        "</program></core>\n"
        "<bond from=\"x\" to=\"d.i0\"/>"
        "<bond from=\"d.o0\" to=\"w1.i0 w2.i0 tap\"/>"
        "<bond from=\"w1.o0\" to=\"j.i0\"/><bond from=\"w2.o0\" to=\"j.i1\"/>"
        "<bond from=\"j.o0\" to=\"y\"/>\n"
        "</machine>\n");
    for (uint64_t v = 1; v <= 3; v++)
        bm_sim_push_input(sim, 0, v);
    cr_expect_eq(simt_run(sim, 1000, 6), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"tap", 1, 1},  {"tap", 2, 7},  {"y", 15, 7},
                        {"tap", 3, 13}, {"y", 20, 13}, {"y", 25, 19}};
    simt_expect_outputs(sim, want, 6);
    cr_expect_eq(bm_sim_cycle(sim), 20);
    finish(ctx, m, sim);
}

/* gen: inc; out; j 0 sends 1, 2, 3, ...; acc sums four values and sends
 * the sum: li 0, li 1, in 2 (gen has offered 1 since 1), then add, dec,
 * jnz, in: one value per 4 cycles (2, 6, 10, 14), add 15, dec 16, jnz 17,
 * out 18: y 10 @18; j 19, li 20, li 21, in 22 .. 34: y 26 @38; y 42 @58. */
Test(sim_programs, accumulator)
{
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim = start(
        &ctx, &m,
        "<machine format=\"1\" name=\"acc4\">\n"
        "<output name=\"y\" width=\"12\"/>\n"
        "<core name=\"gen\" width=\"12\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"0\" outputs=\"1\">"
        "<opcodes>inc j out</opcodes><program>"
        "<i>inc r0</i><i>out o0, r0</i><i>j 0</i></program></core>\n"
        "<core name=\"acc\" width=\"12\" registers=\"3\" rom=\"8\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
        "<opcodes>li add dec j jnz in out</opcodes><program>"
        "<i>li r0, 0</i><i>li r2, 4</i><i>in r1, i0</i><i>add r0, r1</i><i>dec r2</i>"
        "<i>jnz r2, 2</i><i>out o0, r0</i><i>j 0</i></program></core>\n"
        "<bond from=\"gen.o0\" to=\"acc.i0\"/><bond from=\"acc.o0\" to=\"y\"/>\n"
        "</machine>\n");
    cr_expect_eq(simt_run(sim, 10000, 3), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"y", 10, 18}, {"y", 26, 38}, {"y", 42, 58}};
    simt_expect_outputs(sim, want, 3);
    finish(ctx, m, sim);
}

/* The bundled example, from its file. */
Test(sim_programs, bundled_acc8_example)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0, "%s", simt_diags(ctx));
    bm_sim *sim = simt_sim(m);
    cr_assert_eq(bm_sim_load_stimulus(sim, "a = 200, 100, -1", 16, "stim"), 0);
    cr_expect_eq(simt_run(sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    /* 8-bit wrap-around: 200, 300 mod 256 = 44, 44 + 255 = 299 mod 256 = 43 */
    simt_xfer want[] = {{"sum", 200, 2}, {"sum", 44, 6}, {"sum", 43, 10}};
    simt_expect_outputs(sim, want, 3);
    finish(ctx, m, sim);
}
