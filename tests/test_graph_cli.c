/* bmc eval, run as a program (BMC holds its path): output format, accuracy,
 * exit codes. */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph_helpers.h"

extern char **environ;

typedef struct eval_run {
    int status;
    char *out, *err;
} eval_run;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs `bmc eval ARGS...` (NULL-terminated). */
static eval_run bmc_eval(const char *arg, ...)
{
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc, "set BMC to the path of bmc (make test does)");
    const char *argv[32];
    int n = 0;
    argv[n++] = "bmc";
    argv[n++] = "eval";
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char dir[] = "/tmp/bm_test_eval_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out_path[64], err_path[64];
    snprintf(out_path, sizeof out_path, "%s/out", dir);
    snprintf(err_path, sizeof err_path, "%s/err", dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, bmc, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot run %s", bmc);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    eval_run r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_all(out_path);
    r.err = read_all(err_path);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return r;
}

static void done(eval_run *r)
{
    free(r->out);
    free(r->err);
}

Test(bmc_eval, one_vector)
{
    eval_run r = bmc_eval("examples/graph/expr.bmg", "--in", "x=1.5,y=2", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "z=1.5 (raw 1536)\nk=2 (index)\n");
    cr_expect_str_eq(r.err, "");
    done(&r);
    /* --in may be repeated; values are quantised like constants */
    r = bmc_eval("examples/graph/expr.graphml", "--in", "y=0.0004", "--in", "x=-3", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "z=3 (raw 3072)\nk=1 (index)\n");
    done(&r);
}

Test(bmc_eval, vectors_and_accuracy)
{
    eval_run r = bmc_eval("tests/data/graph/tiny.xml", "--vectors", "tests/data/graph/tiny.csv",
                          "--labels", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "1: class=1 (index) label=1 ok\n"
                            "2: class=0 (index) label=0 ok\n"
                            "3: class=0 (index) label=1 WRONG\n"
                            "4: class=1 (index) label=1 ok\n"
                            "5: class=0 (index) label=0 ok\n"
                            "accuracy: 4/5 = 80.00%\n");
    done(&r);
    r = bmc_eval("tests/data/graph/tiny.xml", "--vectors", "tests/data/graph/tiny.csv",
                 "--labels", "-q", "--min-accuracy", "80", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "accuracy: 4/5 = 80.00%\n");
    done(&r);
    r = bmc_eval("tests/data/graph/tiny.xml", "--vectors", "tests/data/graph/tiny.csv",
                 "--labels", "-q", "--min-accuracy", "80.5", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc eval: accuracy 80.00% is below --min-accuracy 80.50%\n");
    done(&r);
}

Test(bmc_eval, vectors_without_labels_print_every_output)
{
    eval_run r = bmc_eval("examples/graph/expr.bmg", "--vectors", "tests/data/graph/expr.csv",
                          NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "1: z=1.5 (raw 1536) k=2 (index)\n"
                            "2: z=3 (raw 3072) k=1 (index)\n");
    done(&r);
}

Test(bmc_eval, the_committed_networks)
{
    eval_run r = bmc_eval("examples/networks/digits.xml", "--vectors",
                          "examples/networks/digits-test.csv", "--labels", "-q", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "accuracy: 350/360 = 97.22%\n");
    cr_expect_str_eq(r.err, "", "a trained network gives no warnings");
    done(&r);
    r = bmc_eval("examples/networks/iris.xml", "--vectors", "examples/networks/iris-test.csv",
                 "--labels", "-q", NULL);
    cr_expect_str_eq(r.out, "accuracy: 48/50 = 96.00%\n");
    done(&r);
}

Test(bmc_eval, type_option_overrides_the_file)
{
    eval_run r = bmc_eval("--type", "fixed<8,4>", "examples/graph/expr.bmg", "--in", "x=1.5,y=2",
                          NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "z=1.5 (raw 24)\nk=2 (index)\n");
    done(&r);
}

Test(bmc_eval, bad_input_exits_1)
{
    eval_run r = bmc_eval("tests/data/graph/bad_cycle.graphml", "--in", "x=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "tests/data/graph/bad_cycle.graphml:8:5: error: cycle in the graph: "
                            "'a' -> 'b' -> 'c' -> 'a'\n");
    done(&r);
    r = bmc_eval("examples/graph/expr.bmg", "--in", "x=40,y=0", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "--in: error: constant 40 does not fit fixed<16,6> (range -32 .. "
                            "31.9990234375)\n");
    done(&r);
    r = bmc_eval("examples/graph/expr.bmg", "--in", "x=1", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc eval: --in: no value for input 'y'\n");
    done(&r);
    r = bmc_eval("examples/graph/expr.bmg", "--in", "x=1,y=2,w=3", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "bmc eval: --in: the graph has no input 'w'\n");
    done(&r);
    r = bmc_eval("tests/data/graph/tiny.xml", "--vectors", "tests/data/graph/bad_vectors_range.csv",
                 "--labels", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "", "nothing is printed for a bad vector file");
    done(&r);
}

Test(bmc_eval, usage_errors_exit_2)
{
    eval_run r = bmc_eval("examples/graph/expr.bmg", NULL);
    cr_expect_eq(r.status, 2);
    done(&r);
    r = bmc_eval("examples/graph/expr.bmg", "--in", "x=1,y=1", "--vectors", "v.csv", NULL);
    cr_expect_eq(r.status, 2);
    done(&r);
    r = bmc_eval("examples/graph/expr.bmg", "--in", "x=1,y=1", "--labels", NULL);
    cr_expect_eq(r.status, 2);
    done(&r);
    r = bmc_eval("--type", "fixed<16>", "examples/graph/expr.bmg", "--in", "x=1,y=1", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bad type 'fixed<16>'"), "%s", r.err);
    done(&r);
    r = bmc_eval("--help", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "Usage: bmc eval"));
    done(&r);
}
