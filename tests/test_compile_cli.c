/* bmc compile, run as a program (BMC holds its absolute path): outputs,
 * exit codes, error messages, and files it must not write. */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "compile_helpers.h"

typedef bmc_result run_result;

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_compile_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(compile_cli, .init = setup, .fini = teardown);

/* Every run's output goes through files in this test's folder. */
#define run_bmc(...) bmc_run(tmpdir, __VA_ARGS__)
#define done bmc_result_free

static const char *in_tmp(const char *name)
{
    static char buf[2][256];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

Test(compile_cli, writes_a_machine_that_bmc_check_accepts)
{
    const char *out = in_tmp("expr.xml");
    run_result r = run_bmc("compile", "examples/graph/expr.bmg", "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "");
    done(&r);
    r = run_bmc("check", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    done(&r);
    /* the machine is named after the file */
    char *xml = slurp(out, NULL);
    cr_expect(strstr(xml, "name=\"expr\""));
    free(xml);
}

Test(compile_cli, machine_on_stdout_without_o)
{
    run_result r = run_bmc("compile", "--strategy", "single", "--name", "m1",
                           "examples/graph/expr.graphml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "<machine format=\"1\" name=\"m1\">"), "%s", r.out);
    cr_expect(strstr(r.out, "<core name=\"core\""), "%s", r.out);
    done(&r);
}

Test(compile_cli, report_and_json)
{
    const char *out = in_tmp("iris.xml");
    run_result r = run_bmc("compile", "examples/networks/iris.xml", "--cores", "3", "--report",
                           "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "machine iris: 3 cores,"), "%s", r.out);
    cr_expect(strstr(r.out, "\nlatency: "), "%s", r.out);
    cr_expect(strstr(r.out, "\ninterval: "), "%s", r.out);
    cr_expect(exists(out));
    done(&r);
    r = run_bmc("compile", "examples/networks/iris.xml", "--json", "--vectors", "4", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strncmp(r.out, "{\"machine\":\"iris\",\"cores\":12,", 29) == 0, "%s", r.out);
    cr_expect(strstr(r.out, "\"vectors\":4,"), "%s", r.out);
    cr_expect(strstr(r.out, "{\"name\":\"l0n0\",\"opcodes\":[\"li\",\"j\",\"outn\",\"relu\","
                            "\"inmacfx\"],"),
              "%s", r.out);
    done(&r);
}

Test(compile_cli, usage_errors_write_nothing)
{
    const char *out = in_tmp("m.xml");
    static const char *const bad[][6] = {
        {"--cores", "0"},
        {"--cores", "-3"},
        {"--cores", "4097"},
        {"--cores", "x"},
        {"--strategy", "nodes"},
        {"--strategy", "node", "--cores", "4"},
        {"--type", "fixed<3>"},
        {"--name", "a-b"},
        {"--vectors", "1"},
        {"--buffers", "65"},
        {"--buffers", "-1"},
        {"--buffers", "4", "--cores", "8"},
        {"--report", "--json"}, /* once, the JSON silently replaced the text */
        {"--frobnicate"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *a[6] = {0};
        for (int j = 0; j < 6 && bad[k][j]; j++)
            a[j] = bad[k][j];
        run_result r = run_bmc("compile", "examples/graph/expr.bmg", "-o", out, a[0], a[1], a[2],
                               a[3], NULL);
        cr_expect_eq(r.status, 2, "%s %s: %d %s", a[0], a[1] ? a[1] : "", r.status, r.err);
        cr_expect(strstr(r.err, "Try 'bmc compile --help'"), "%s", r.err);
        cr_expect(!exists(out), "%s wrote %s", a[0], out);
        done(&r);
    }
    run_result r = run_bmc("compile", NULL);
    cr_expect_eq(r.status, 2);
    done(&r);
    r = run_bmc("compile", "a.bmg", "b.bmg", NULL);
    cr_expect_eq(r.status, 2);
    done(&r);
}

Test(compile_cli, bad_graphs_fail_with_their_location)
{
    const char *src = in_tmp("bad.bmg"), *out = in_tmp("bad.xml");
    spit(src, "input x\noutput y = x + z\n");
    run_result r = run_bmc("compile", src, "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    char want[300];
    snprintf(want, sizeof want, "%s:2:16: error: ", src);
    cr_expect(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
    cr_expect(!exists(out));
    done(&r);
    r = run_bmc("compile", in_tmp("missing.bmg"), "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_neq(r.err[0], '\0');
    cr_expect(!exists(out));
    done(&r);
}

Test(compile_cli, type_option_recompiles_in_another_type)
{
    run_result r = run_bmc("compile", "examples/graph/expr.bmg", "--type", "fixed<8,4>", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "width=\"8\""), "%s", r.out);
    cr_expect(!strstr(r.out, "width=\"16\""));
    done(&r);
}

/* The help names every option the command accepts. */
Test(compile_cli, help_is_complete)
{
    run_result r = run_bmc("compile", "--help", NULL);
    cr_expect_eq(r.status, 0);
    static const char *const opts[] = {"--output", "--strategy", "--cores", "--type", "--name",
                                       "--report", "--json", "--vectors", "node", "cores",
                                       "single", "Exit status"};
    for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
        cr_expect(strstr(r.out, opts[k]), "help lacks %s", opts[k]);
    done(&r);
    r = run_bmc("--help", NULL);
    cr_expect(strstr(r.out, "compile"), "%s", r.out);
    done(&r);
}

Test(compile_cli, test_vectors_give_accuracy_and_a_stimulus)
{
    char stim[128], machine[128];
    snprintf(stim, sizeof stim, "%s", in_tmp("iris.stim"));
    snprintf(machine, sizeof machine, "%s", in_tmp("iris.xml"));
    run_result r = run_bmc("compile", "examples/networks/iris.xml", "-o", machine,
                           "--test", "examples/networks/iris-test.csv", "--labels", "--stimulus",
                           stim, "--stimulus-vectors", "3", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "test: 50 vectors streamed through the machine, every output equal "
                            "to the evaluator's\n") != NULL,
              "%s", r.out);
    cr_expect(strstr(r.out, "test: accuracy 48/50 = 96.00%\n") != NULL, "%s", r.out);
    done(&r);
    /* The stimulus holds three values per input and drives bmc sim: three
     * output transfers, the first three predicted classes. */
    r = run_bmc("sim", machine, "--in-file", stim, NULL);
    unsigned lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 3 * 1, "%s", r.out);
    done(&r);
    r = run_bmc("compile", "examples/networks/iris.xml", "--labels", NULL);
    cr_expect_eq(r.status, 2, "--labels without --test is a usage error");
    done(&r);
}

/* Same graph, same options: the same bytes, for every strategy. */
Test(compile_cli, output_is_deterministic)
{
    static const char *const strategies[][2] = {
        {"--strategy", "node"}, {"--strategy", "single"}, {"--cores", "8"}};
    for (size_t i = 0; i < 3; i++) {
        run_result a = run_bmc("compile", "examples/networks/digits.xml", strategies[i][0],
                               strategies[i][1], NULL);
        run_result b = run_bmc("compile", "examples/networks/digits.xml", strategies[i][0],
                               strategies[i][1], NULL);
        cr_expect_eq(a.status, 0, "%s", a.err);
        cr_expect_gt(strlen(a.out), 1000);
        cr_expect_str_eq(a.out, b.out, "%s %s: two compilations differ", strategies[i][0],
                         strategies[i][1]);
        done(&a);
        done(&b);
    }
}
