/* The bmc command line, run as a program (BMC holds its absolute path):
 * exit codes, what goes to stdout and stderr, and files it must not write.
 * Also keeps docs/isa.md in step with `bmc isa --markdown`. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bm.h"
#include "helpers.h"

extern char **environ;

typedef struct run_result {
    int status; /* exit code, or -1 if bmc did not exit normally */
    char *out, *err;
} run_result;

static char tmpdir[64];
/* When set, bmc's stdout goes there instead of being captured. */
static const char *stdout_to;

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_bmc_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(bmc, .init = setup, .fini = teardown);

static const char *bmc_path(void)
{
    const char *p = getenv("BMC");
    cr_assert_not_null(p, "set BMC to the path of bmc (make test does)");
    return p;
}

/* Runs bmc with the given arguments (NULL-terminated), capturing stdout and
 * stderr in files of the temporary folder. */
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

    char out_path[128], err_path[128];
    snprintf(out_path, sizeof out_path, "%s/.stdout", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", tmpdir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, stdout_to ? stdout_to : out_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, bmc_path(), &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot run %s: %s", bmc_path(), strerror(rc));
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    run_result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = stdout_to ? strdup("") : slurp(out_path, NULL);
    r.err = slurp(err_path, NULL);
    cr_assert(r.out && r.err);
    unlink(out_path);
    unlink(err_path);
    return r;
}

static void done(run_result *r)
{
    free(r->out);
    free(r->err);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- top level ------------------------------------------------------------- */

Test(bmc, help)
{
    run_result r = run_bmc("--help", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(starts_with(r.out, "Usage: bmc COMMAND"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "  check "));
    cr_expect_not_null(strstr(r.out, "  fmt "));
    cr_expect_not_null(strstr(r.out, "  isa "));
    cr_expect_str_eq(r.err, "");
    done(&r);
}

Test(bmc, version)
{
    run_result r = run_bmc("--version", NULL);
    char want[64];
    snprintf(want, sizeof want, "bmc (libbm) %s\n", bm_version());
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, want);
    cr_expect_str_eq(r.err, "");
    done(&r);
}

Test(bmc, no_arguments_is_a_usage_error)
{
    run_result r = run_bmc(NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.out, "");
    cr_expect(starts_with(r.err, "Usage: bmc COMMAND"), "%s", r.err);
    done(&r);
}

Test(bmc, unknown_command_exits_2)
{
    run_result r = run_bmc("frobnicate", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "bmc: unknown command 'frobnicate'\n"
                            "Try 'bmc --help' for more information.\n");
    done(&r);
}

Test(bmc, unknown_options_exit_2)
{
    static const char *const cases[][3] = {
        {"--frob", NULL, NULL},
        {"check", "--frob", "examples/acc8.xml"},
        {"check", "-x", "examples/acc8.xml"},
        {"fmt", "-z", "examples/acc8.xml"},
        {"fmt", "examples/acc8.xml", "-o"}, /* -o without its value */
        {"isa", "--bogus", NULL},
        {"check", NULL, NULL},             /* no file */
        {"check", "a.xml", "b.xml"},       /* two files */
        {"isa", "--markdown", "examples/acc8.xml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run_bmc(cases[i][0], cases[i][1], cases[i][2], NULL);
        cr_expect_eq(r.status, 2, "case %zu (%s %s): status %d", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", r.status);
        cr_expect_str_eq(r.out, "", "case %zu printed on stdout", i);
        cr_expect_not_null(strstr(r.err, "--help' for more information."), "case %zu: %s", i,
                           r.err);
        done(&r);
    }
    run_result r = run_bmc("check", "--frob", "examples/acc8.xml", NULL);
    cr_expect_str_eq(r.err, "bmc check: unknown option '--frob'\n"
                            "Try 'bmc check --help' for more information.\n");
    done(&r);
}

Test(bmc, every_command_has_help)
{
    static const char *const commands[] = {"check", "fmt", "isa"};
    for (size_t i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof want, "Usage: bmc %s ", commands[i]);
        run_result r = run_bmc(commands[i], "--help", NULL);
        cr_expect_eq(r.status, 0, "%s --help", commands[i]);
        cr_expect(starts_with(r.out, want), "%s", r.out);
        cr_expect_str_eq(r.err, "");
        run_result h = run_bmc("help", commands[i], NULL);
        cr_expect_eq(h.status, 0);
        cr_expect_str_eq(h.out, r.out, "'bmc help %s' differs from '--help'", commands[i]);
        done(&r);
        done(&h);
    }
}

/* ---- check ------------------------------------------------------------------- */

Test(bmc, check_good_file_prints_the_summary)
{
    run_result r = run_bmc("check", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "machine acc8: 1 core, 1 input, 1 output, 2 bonds\n"
                            "  input  a: 8 bits\n"
                            "  output sum: 8 bits\n"
                            "  core acc: 8-bit word, 4 registers, ROM 4 x 6 bits (4 used), "
                            "RAM 0, 1 in, 1 out\n"
                            "    4 opcodes: add j in out\n"
                            "  bond a -> acc.i0\n"
                            "  bond acc.o0 -> sum\n");
    cr_expect_str_eq(r.err, "");
    done(&r);

    r = run_bmc("check", "-q", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "");
    done(&r);
}

Test(bmc, check_bad_file_exits_1_with_diagnostics_on_stderr_only)
{
    static const char *const files[] = {"fan_in", "malformed", "empty", "width_mismatch"};
    for (size_t i = 0; i < 4; i++) {
        char xml[128], expect[128];
        snprintf(xml, sizeof xml, "tests/data/bad/%s.xml", files[i]);
        snprintf(expect, sizeof expect, "tests/data/bad/%s.expect", files[i]);
        char *want = slurp(expect, NULL);
        cr_assert_not_null(want);
        run_result r = run_bmc("check", xml, NULL);
        cr_expect_eq(r.status, 1, "%s", xml);
        cr_expect_str_eq(r.out, "", "%s: stdout not empty", xml);
        cr_expect_str_eq(r.err, want, "%s", xml);
        free(want);
        done(&r);
    }
    run_result r = run_bmc("check", "tests/data/bad/no-such-file.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "tests/data/bad/no-such-file.xml: error: cannot open: No such file "
                            "or directory\n");
    done(&r);
}

Test(bmc, check_prints_warnings_but_passes)
{
    char path[128];
    snprintf(path, sizeof path, "%s/w.xml", tmpdir);
    spit(path, "<machine format=\"1\" name=\"w\">\n"
               "  <core name=\"c\" width=\"8\" registers=\"1\" rom=\"1\" ram=\"0\" "
               "inputs=\"0\" outputs=\"1\">\n"
               "    <opcodes>halt</opcodes><program><i>halt</i></program>\n"
               "  </core>\n"
               "</machine>\n");
    run_result r = run_bmc("check", "-q", path, NULL);
    char want[256];
    snprintf(want, sizeof want, "%s:2:3: warning: core 'c': output port o0 is not connected\n",
             path);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, want);
    done(&r);
}

/* ---- fmt --------------------------------------------------------------------- */

Test(bmc, fmt_to_stdout_and_to_a_file)
{
    run_result r = run_bmc("fmt", "examples/pipeline.xml", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(starts_with(r.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                 "<machine format=\"1\" name=\"pipeline\">\n"),
              "%s", r.out);
    cr_expect_null(strstr(r.out, "<!--"), "comments are not kept");
    cr_expect_str_eq(r.err, "");

    char out[128];
    snprintf(out, sizeof out, "%s/out.xml", tmpdir);
    run_result w = run_bmc("fmt", "-o", out, "examples/pipeline.xml", NULL);
    cr_expect_eq(w.status, 0);
    cr_expect_str_eq(w.out, "");
    cr_expect_str_eq(w.err, "");
    char *written = slurp(out, NULL);
    cr_assert_not_null(written);
    cr_expect_str_eq(written, r.out);

    /* Formatting canonical text gives the same bytes. */
    run_result again = run_bmc("fmt", out, NULL);
    cr_expect_str_eq(again.out, written);
    free(written);
    done(&r);
    done(&w);
    done(&again);
}

Test(bmc, fmt_of_a_bad_file_writes_nothing)
{
    char out[128];
    snprintf(out, sizeof out, "%s/out.xml", tmpdir);
    run_result r = run_bmc("fmt", "-o", out, "tests/data/bad/fan_in.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_not_null(strstr(r.err, "tests/data/bad/fan_in.xml:13:3: error: fan-in:"), "%s",
                       r.err);
    cr_expect_not(file_exists(out), "fmt -o wrote %s for a bad input", out);
    done(&r);

    /* An existing output is left as it was. */
    spit(out, "keep me\n");
    r = run_bmc("fmt", "--output", out, "tests/data/bad/malformed.xml", NULL);
    cr_expect_eq(r.status, 1);
    char *kept = slurp(out, NULL);
    cr_expect_str_eq(kept, "keep me\n");
    free(kept);
    done(&r);

    r = run_bmc("fmt", "tests/data/bad/malformed.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "", "fmt printed part of a bad machine");
    done(&r);
}

Test(bmc, fmt_write_error_exits_1)
{
    run_result r = run_bmc("fmt", "-o", "/nonexistent-bm-dir/out.xml", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "/nonexistent-bm-dir/out.xml: error: cannot write: its folder does "
                            "not exist\n");
    done(&r);
}

/* ---- isa --------------------------------------------------------------------- */

Test(bmc, isa_of_acc8)
{
    run_result r = run_bmc("isa", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect_str_eq(r.out,
                     "core acc: 4 opcodes, opcode field 2 bits, instruction width 6 bits\n"
                     "  field widths: register 2, immediate 8, shift 3, address 2, input 0, "
                     "output 0 (word 8, 4 registers, ROM 4, 1 in, 1 out)\n"
                     "    0  add      op[5:4] r[3:2] r[1:0]\n"
                     "    1  j        op[5:4] addr[3:2] pad[1:0]\n"
                     "    2  in       op[5:4] r[3:2] in[-] pad[1:0]\n"
                     "    3  out      op[5:4] out[-] r[3:2] pad[1:0]\n");
    cr_expect_str_eq(r.err, "");
    done(&r);
}

Test(bmc, isa_without_a_file_lists_the_catalogue)
{
    run_result r = run_bmc("isa", NULL);
    cr_expect_eq(r.status, 0);
    unsigned lines = 0;
    for (const char *p = r.out; *p; p++)
        lines += *p == '\n';
    /* the catalogue, then a blank line, two heading lines and one per
     * multiplier variant, and the same for the fetch kinds */
    cr_expect_eq(lines, 1 + bm_isa_count() + 3 + BM_MUL_VARIANT_COUNT + 3 + BM_FETCH_KIND_COUNT);
    cr_expect_not_null(strstr(r.out, "\n  staged  2        one more fetch stage"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "\n30  ld       rd, rs       2      rd <- RAM[rs]\n"));
    cr_expect_not_null(strstr(r.out, "\n  serial  1 + 1*W  shift-add"), "%s", r.out);
    done(&r);
}

/* docs/isa.md holds the catalogue table exactly as `bmc isa --markdown`
 * prints it, so the document cannot drift from the code. */
Test(bmc, isa_markdown_matches_docs)
{
    run_result r = run_bmc("isa", "--markdown", NULL);
    cr_expect_eq(r.status, 0);
    cr_assert(starts_with(r.out, "| id | opcode |"), "%s", r.out);
    unsigned rows = 0;
    for (const char *p = r.out; *p; p++)
        rows += *p == '\n';
    cr_expect_eq(rows, 2 + bm_isa_count());
    char *doc = slurp("docs/isa.md", NULL);
    cr_assert_not_null(doc, "docs/isa.md is missing");
    const char *at = strstr(doc, r.out);
    cr_expect_not_null(at, "docs/isa.md does not contain the output of 'bmc isa --markdown'");
    if (at) {
        /* ...as the whole table: a blank line before and after it. */
        cr_expect(at >= doc + 2 && at[-1] == '\n' && at[-2] == '\n',
                  "no blank line before the table in docs/isa.md");
        char after = at[strlen(r.out)];
        cr_expect(after == '\n' || after == '\0', "a table row follows the table");
    }
    free(doc);
    done(&r);
}

/* Output that cannot be written is a failure, not a silent success. */
Test(bmc, unwritable_stdout_fails)
{
    stdout_to = "/dev/full";
    static const char *const cases[][2] = {
        {"fmt", "examples/acc8.xml"}, {"check", "examples/acc8.xml"}, {"isa", NULL}, {"--help", NULL}};
    for (size_t i = 0; i < 4; i++) {
        run_result r = run_bmc(cases[i][0], cases[i][1], NULL);
        cr_expect_eq(r.status, 1, "bmc %s: status %d", cases[i][0], r.status);
        cr_expect_str_eq(r.err, "bmc: cannot write to standard output: No space left on device\n");
        done(&r);
    }
    /* a command that finds the failure itself says so once */
    static const char *const own[][3] = {
        {"sim", "examples/acc8.xml", "bmc sim: cannot write the output\n"},
        {"disasm", "examples/acc8.xml", "bmc disasm: input/output error\n"}};
    for (size_t i = 0; i < 2; i++) {
        run_result r = run_bmc(own[i][0], own[i][1], i == 0 ? "--in" : NULL, "a=1,2,3", NULL);
        cr_expect_eq(r.status, 1, "bmc %s: status %d", own[i][0], r.status);
        cr_expect_str_eq(r.err, own[i][2], "bmc %s", own[i][0]);
        done(&r);
    }
    stdout_to = NULL;
}
