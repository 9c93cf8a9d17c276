/* bmc verify as a program: agreement, the regression mode, VCD output, the
 * reuse of the work folder, the report of a divergence, usage errors. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc_runner.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_verify_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(verify_cli, .init = setup, .fini = teardown, .timeout = 600);

static const char *in_dir(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

Test(verify_cli, agreement_regression_mode_vcd_and_reuse)
{
    char work[128], vcd[128];
    in_dir("work", work, sizeof work);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work",
                           work, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "verify: acc8: RTL and simulator agree on all 4 output transfers "
                            "(33 cycles; simulator stopped: end of input)\n");
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "{\"machine\":\"acc8\",\"result\":\"agree\",\"transfers\":4,"
                            "\"cycles\":33,\"sim_stop\":\"input_end\"}\n");
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--no-compare", "--cycles", "40", "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "{\"machine\":\"acc8\",\"cycles\":40,\"transfers\":["
                            "{\"cycle\":2,\"output\":\"sum\",\"value\":1,\"raw\":1},"
                            "{\"cycle\":6,\"output\":\"sum\",\"value\":3,\"raw\":3},"
                            "{\"cycle\":10,\"output\":\"sum\",\"value\":6,\"raw\":6},"
                            "{\"cycle\":14,\"output\":\"sum\",\"value\":0,\"raw\":0}]}\n");
    bmc_result_free(&r);

    /* --no-compare prints the RTL's transfers, which are the simulator's. */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--no-compare", "--cycles", "40", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result s = bmc_run(dir, "sim", "examples/acc8.xml", "--in", "a=1,2,3,250", NULL);
    cr_expect_str_eq(r.out, s.out);
    cr_expect_str_eq(r.out, "2 sum 1\n6 sum 3\n10 sum 6\n14 sum 0\n");
    bmc_result_free(&r);
    bmc_result_free(&s);
    /* values signed, as bmc sim prints them (the word 200 is -56) */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=200", "--work", work,
                "--no-compare", "--cycles", "10", NULL);
    s = bmc_run(dir, "sim", "examples/acc8.xml", "--in", "a=200", NULL);
    cr_expect_str_eq(r.out, "2 sum -56\n");
    cr_expect_str_eq(r.out, s.out);
    bmc_result_free(&r);
    bmc_result_free(&s);

    /* A VCD needs a traced build; the trace shows the top's ports. */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=5", "--work", work, "--vcd",
                in_dir("rtl.vcd", vcd, sizeof vcd), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    char *text = slurp(vcd, NULL);
    cr_assert_not_null(text, "no VCD written");
    cr_expect(strstr(text, "$enddefinitions") && strstr(text, "sum_tdata"), "not a VCD of acc8");
    free(text);
}

/* The comparison itself: a harness that lies must be caught.  The work
 * folder's stamp still matches, so verify reuses the (replaced) binary. */
Test(verify_cli, a_divergence_is_reported_with_cycle_port_and_values)
{
    char work[128], tb[160];
    in_dir("work", work, sizeof work);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2", "--work", work,
                           NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    snprintf(tb, sizeof tb, "%s/obj/tb", work);
    FILE *f = fopen(tb, "w");
    cr_assert_not_null(f);
    fprintf(f, "#!/bin/sh\necho '2 sum 1'\necho '7 sum 3'\n");
    fclose(f);
    cr_assert_eq(chmod(tb, 0755), 0);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2", "--work", work, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "verify: divergence at output transfer 2:\n"
                            "  expected (simulator): cycle 6, sum = 3\n"
                            "  got (RTL):            cycle 7, sum = 3\n");
    bmc_result_free(&r);
    /* --json: the same verdict as an object, the message still on stderr */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2", "--work", work, "--json",
                NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "{\"machine\":\"acc8\",\"result\":\"differ\",\"transfers\":2,"
                            "\"cycles\":25,\"sim_stop\":\"input_end\",\"difference\":{\"index\":2,"
                            "\"expected\":{\"cycle\":6,\"output\":\"sum\",\"value\":3,\"raw\":3},"
                            "\"got\":{\"cycle\":7,\"output\":\"sum\",\"value\":3,\"raw\":3}}}\n");
    cr_expect(strstr(r.err, "verify: divergence at output transfer 2:"), "%s", r.err);
    bmc_result_free(&r);
    /* A transfer the simulator never made. */
    f = fopen(tb, "w");
    cr_assert_not_null(f);
    fprintf(f, "#!/bin/sh\necho '2 sum 1'\necho '6 sum 3'\necho '9 sum 3'\n");
    fclose(f);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2", "--work", work, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "the RTL made a transfer the simulator did not: 9 sum 3"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2", "--work", work, "--json",
                NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.out, "\"difference\":{\"index\":3,\"expected\":null,"
                            "\"got\":{\"cycle\":9,\"output\":\"sum\",\"value\":3,\"raw\":3}}}\n"),
              "%s", r.out);
    bmc_result_free(&r);
}

/* A run the cycle limit cut short is not a verification: it says so and
 * fails, unless --partial asks for one.  --cycles 0 runs to the end. */
Test(verify_cli, a_run_stopped_by_the_cycle_limit_is_incomplete)
{
    char work[128];
    in_dir("work", work, sizeof work);
    bmc_result r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work",
                           work, "--cycles", "7", NULL);
    cr_expect_eq(r.status, 3, "%s", r.err);
    cr_expect_str_eq(r.out, "");
    cr_expect(strstr(r.err, "verify: acc8: incomplete: the cycle limit (7) stopped the run "
                            "before the machine did, with 2 input values not yet taken; the 2 "
                            "output transfers made until then agree."),
              "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--cycles", "7", "--json", NULL);
    cr_expect_eq(r.status, 3, "%s", r.err);
    cr_expect_str_eq(r.out, "{\"machine\":\"acc8\",\"result\":\"incomplete\",\"transfers\":2,"
                            "\"cycles\":7,\"sim_stop\":\"cycles\",\"inputs_not_taken\":2}\n");
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--cycles", "7", "--partial", "--json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"result\":\"partial\""), "%s", r.out);
    bmc_result_free(&r);

    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--cycles", "7", "--partial", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "verify: acc8: partial run: RTL and simulator agree on the 2 output "
                            "transfers of the first 7 cycles (the cycle limit stopped the "
                            "simulator)\n");
    bmc_result_free(&r);

    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "a=1,2,3,250", "--work", work,
                "--cycles", "0", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "verify: acc8: RTL and simulator agree on all 4 output transfers "
                            "(33 cycles; simulator stopped: end of input)\n");
    bmc_result_free(&r);
}

Test(verify_cli, usage_and_input_errors)
{
    bmc_result r = bmc_run(dir, "verify", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    /* --cycles 0 is no limit, as for bmc sim; the RTL alone needs one. */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--cycles", "0", "--no-compare", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--no-compare runs the RTL for --cycles cycles"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--bogus", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    /* A bad stimulus is the simulator's file:line:col error, before any build. */
    r = bmc_run(dir, "verify", "examples/acc8.xml", "--in", "nosuch=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "--in:1:1: error:"), "%s", r.err);
    bmc_result_free(&r);
    r = bmc_run(dir, "verify", "examples/no-such-file.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "examples/no-such-file.xml: error: cannot open"), "%s", r.err);
    bmc_result_free(&r);
}

/* A run that used up its stimulus ends in "end of input" (above); a real
 * deadlock, where a core waits on a core that never sends
 * (tests/data/verify/deadlock.s), is named a deadlock, as bmc sim names
 * them. */
Test(verify_cli, a_real_deadlock_is_named_so)
{
    char work[128];
    in_dir("work_deadlock", work, sizeof work);
    bmc_result r = bmc_run(dir, "verify", "tests/data/verify/deadlock.xml", "--in", "x=5", "--work",
                           work, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "verify: deadlock: RTL and simulator agree on all 1 output transfers "
                            "(19 cycles; simulator stopped: deadlock)\n");
    bmc_result_free(&r);
}
