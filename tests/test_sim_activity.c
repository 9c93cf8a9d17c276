/* Core states cycle by cycle: the activity counts (bm_sim_activity_start,
 * bm_sim_core_activity), their SVG chart, and bmc sim --activity / --gtkw. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bmc_runner.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_activity_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(sim_activity, .init = setup, .fini = teardown);

static bm_machine *load(bm_ctx *ctx, const char *path)
{
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, path), 0, "%s", path);
    return m;
}

static bm_sim_activity activity_of(const bm_sim *sim, unsigned core)
{
    bm_sim_activity a;
    cr_assert_eq(bm_sim_core_activity(sim, core, &a), 0);
    return a;
}

/* acc8: in, add, out, j.  Two values, the consumer always ready: 8 cycles
 * running, then waiting for input until the deadlock is seen. */
Test(sim_activity, running_then_waiting_for_input)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load(ctx, "examples/acc8.xml");
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    bm_sim_activity a;
    cr_expect_eq(bm_sim_core_activity(sim, 0, &a), BM_EINVAL, "not counting yet");
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_expect_eq(bm_sim_core_activity(sim, 1, &a), BM_ENOTFOUND);
    cr_assert_eq(bm_sim_load_stimulus(sim, "a = 1, 2", 8, "s"), 0);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_run(sim, NULL, &why), 0);
    cr_expect_eq(why, BM_SIM_STOP_DEADLOCK);
    a = activity_of(sim, 0);
    cr_expect_eq(a.cycles[BM_CORE_RUNNING], 8);
    cr_expect_eq(a.cycles[BM_CORE_WAIT_INPUT], bm_sim_cycle(sim) - 8);
    cr_expect_eq(a.cycles[BM_CORE_WAIT_OUTPUT], 0);
    cr_expect_eq(a.cycles[BM_CORE_HALTED], 0);
    cr_expect_str_eq(bm_core_state_name(BM_CORE_WAIT_OUTPUT), "wait_output");
    cr_expect_null(bm_core_state_name(BM_CORE_STATE_COUNT));
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* With the consumer ready one cycle in three (pattern 1,0,0), the first out
 * (cycle 2) waits one cycle and the second (cycle 7) two. */
Test(sim_activity, stalled_on_output)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load(ctx, "examples/acc8.xml");
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_assert_eq(bm_sim_load_stimulus(sim, "a = 1, 2", 8, "s"), 0);
    cr_assert_eq(bm_sim_load_ready(sim, "sum = 1, 0, 0", 13, "r"), 0);
    cr_assert_eq(bm_sim_run(sim, NULL, NULL), 0);
    bm_sim_transfer t0, t1;
    cr_assert_eq(bm_sim_output(sim, 0, &t0), 0);
    cr_assert_eq(bm_sim_output(sim, 1, &t1), 0);
    cr_expect_eq(t0.cycle, 3);
    cr_expect_eq(t1.cycle, 9);
    bm_sim_activity a = activity_of(sim, 0);
    cr_expect_eq(a.cycles[BM_CORE_RUNNING], 8);
    cr_expect_eq(a.cycles[BM_CORE_WAIT_OUTPUT], 3);
    cr_expect_eq(a.cycles[BM_CORE_WAIT_INPUT], bm_sim_cycle(sim) - 11);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A staged core's cycle after a taken jump is fetching, not waiting: acc8
 * staged runs in, add, out, j and a refetch per value. */
Test(sim_activity, staged_refetch_is_running)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    char *xml = slurp("examples/acc8.xml", NULL);
    cr_assert_not_null(xml);
    const char *pin = "outputs=\"1\">";
    char *at = strstr(xml, pin);
    cr_assert_not_null(at);
    size_t head = (size_t)(at - xml) + strlen(pin) - 1, len = strlen(xml);
    char *staged = malloc(len + 32);
    cr_assert_not_null(staged);
    memcpy(staged, xml, head);
    strcpy(staged + head, " fetch=\"staged\"");
    strcat(staged, xml + head);
    bm_machine *m;
    cr_assert_eq(bm_machine_read_memory(&m, ctx, staged, strlen(staged), "staged.xml"), 0, "%s",
                 staged);
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_assert_eq(bm_sim_load_stimulus(sim, "a = 1, 2", 8, "s"), 0);
    cr_assert_eq(bm_sim_run(sim, NULL, NULL), 0);
    bm_sim_activity a = activity_of(sim, 0);
    cr_expect_eq(a.cycles[BM_CORE_RUNNING], 10);
    cr_expect_eq(a.cycles[BM_CORE_WAIT_INPUT], bm_sim_cycle(sim) - 10);
    bm_sim_free(sim);
    bm_machine_free(m);
    free(staged);
    free(xml);
    bm_ctx_free(ctx);
}

static const char two_cores[] = ".machine two\n"
                                ".core a 8\n"
                                "    halt\n"
                                ".core b 8\n"
                                "top: addi r0, 1\n"
                                "     j top\n";

Test(sim_activity, halted_and_chart)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    cr_assert_eq(bm_asm_memory(&m, ctx, two_cores, strlen(two_cores), "two.s", NULL), 0);
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    char *svg = (char *)1;
    cr_expect_eq(bm_sim_activity_svg(&svg, NULL, sim), BM_EINVAL);
    cr_expect_null(svg);
    bm_ctx_clear_diags(ctx);
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_assert_eq(bm_sim_step(sim, 10, NULL), 0);
    bm_sim_activity a = activity_of(sim, 0), b = activity_of(sim, 1);
    cr_expect_eq(a.cycles[BM_CORE_RUNNING], 1);
    cr_expect_eq(a.cycles[BM_CORE_HALTED], 9);
    cr_expect_eq(b.cycles[BM_CORE_RUNNING], 10);

    size_t len, len2;
    char *again;
    cr_assert_eq(bm_sim_activity_svg(&svg, &len, sim), 0);
    cr_assert_eq(bm_sim_activity_svg(&again, &len2, sim), 0);
    cr_expect(len == len2 && memcmp(svg, again, len) == 0, "two charts of one run differ");
    cr_expect_eq(strncmp(svg, "<?xml", 5), 0);
    cr_expect_not_null(strstr(svg, "machine two: what each core did in 10 cycles"));
    cr_expect_not_null(strstr(svg, "busy 10.0%, stalled 0.0%, idle 90.0%"), "%s", svg);
    cr_expect_not_null(strstr(svg, "busy 100.0%, stalled 0.0%, idle 0.0%"));
    cr_expect_not_null(strstr(svg, "<title>halted: 9 cycles</title>"));
    char path[300], cmd[400];
    snprintf(path, sizeof path, "%s/a.svg", tmpdir);
    spit(path, svg);
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    cr_expect_eq(system(cmd), 0, "the chart is not well-formed XML");
    bm_sim_text_free(sim, svg);
    bm_sim_text_free(sim, again);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(sim_activity, bmc_sim_activity_and_gtkw)
{
    char svg[300], vcd[300], gtkw[300];
    snprintf(svg, sizeof svg, "%s/act.svg", tmpdir);
    snprintf(vcd, sizeof vcd, "%s/w.vcd", tmpdir);
    snprintf(gtkw, sizeof gtkw, "%s/w.gtkw", tmpdir);
    bmc_result r = bmc_run(tmpdir, "sim", "examples/acc8.xml", "--in", "a=1,2", "--ready",
                           "sum=1,0,0", "--activity", svg, "--vcd", vcd, "--gtkw", gtkw, NULL);
    cr_expect_eq(r.status, 5, "%s", r.err); /* end of input (docs/sim.md) */
    bmc_result_free(&r);
    char *text = slurp(svg, NULL);
    cr_assert_not_null(text, "no chart written");
    cr_expect_not_null(strstr(text, "<title>wait_output: 3 cycles</title>"), "%s", text);
    free(text);
    text = slurp(gtkw, NULL);
    cr_assert_not_null(text, "no save file written");
    char dumpfile[400];
    snprintf(dumpfile, sizeof dumpfile, "[dumpfile] \"%s\"\n", vcd);
    static const char *const must[] = {
        "@28\nacc8.clk\n",
        "@800200\n-core acc\n@24\nacc8.core_acc.pc[1:0]\n@24\nacc8.core_acc.state[1:0]\n"
        "@28\nacc8.core_acc.wait_port\n@28\nacc8.core_acc.halted\n@24\nacc8.core_acc.r0[7:0]\n",
        "@24\nacc8.core_acc.r3[7:0]\n@1000200\n-core acc\n",
        "@800200\n-bond 1 from acc.o0\n@24\nacc8.bond1_acc_o0.data[7:0]\n@28\n"
        "acc8.bond1_acc_o0.valid\n@28\nacc8.bond1_acc_o0.ready\n@1000200\n-bond 1 from acc.o0\n",
    };
    cr_expect_not_null(strstr(text, dumpfile), "%s", text);
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        cr_expect_not_null(strstr(text, must[i]), "the save file lacks '%s':\n%s", must[i], text);
    free(text);

    r = bmc_run(tmpdir, "sim", "examples/acc8.xml", "--in", "a=1", "--gtkw", gtkw, NULL);
    cr_expect_eq(r.status, 2, "--gtkw without --vcd");
    bmc_result_free(&r);
    snprintf(svg, sizeof svg, "%s/no/such/dir/a.svg", tmpdir);
    r = bmc_run(tmpdir, "sim", "examples/acc8.xml", "--in", "a=1", "--activity", svg, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_not_null(strstr(r.err, "cannot write"), "%s", r.err);
    bmc_result_free(&r);
}
