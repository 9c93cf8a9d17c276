/* bmc compile, run as a program (BMC holds its absolute path): outputs,
 * exit codes, error messages, and files it must not write. */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile_helpers.h"
#include "helpers.h"

extern char **environ;

typedef struct run_result {
    int status;
    char *out, *err;
} run_result;

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

static run_result run_bmc(const char *arg, ...)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = "bmc";
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc, "set BMC to the path of bmc (make test does)");
    char out_path[128], err_path[128];
    snprintf(out_path, sizeof out_path, "%s/.stdout", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", tmpdir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, bmc, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    run_result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_path, NULL);
    r.err = slurp(err_path, NULL);
    cr_assert(r.out && r.err);
    return r;
}

static void done(run_result *r)
{
    free(r->out);
    free(r->err);
}

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
