/* Limits instead of exhaustion (issue 9): nesting in the assembler's
 * expressions, the size of an input file, the number of errors kept. */
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bmc_runner.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bm_test_safe_limits_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(safe_limits, .init = setup, .fini = teardown, .timeout = 60);

static const char *at(const char *name)
{
    static char buf[2][300];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* A program whose one immediate is `open` repeated n times, 1, `close`
 * repeated n times. */
static void nested_program(const char *path, const char *open, const char *close, size_t n)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(".machine m\n.output o 8\n.core c 8\n    li r0, ", f);
    for (size_t i = 0; i < n; i++)
        fputs(open, f);
    fputs("1", f);
    for (size_t i = 0; close && i < n; i++)
        fputs(close, f);
    fputs("\n    out o0, r0\n    halt\n.bond c.o0 -> o\n", f);
    cr_assert_eq(fclose(f), 0);
}

Test(safe_limits, deep_parentheses_in_asm_are_an_error_not_a_crash)
{
    nested_program(at("p.s"), "(", ")", 20000);
    bmc_result r = bmc_run(dir, "asm", at("p.s"), NULL);
    cr_expect_eq(r.status, 1, "exit %d", r.status);
    char want[400];
    snprintf(want, sizeof want, "%s:4:512: error: expression nested more than 500 levels deep\n",
             at("p.s"));
    cr_expect_str_eq(r.err, want);
    bmc_result_free(&r);
}

Test(safe_limits, many_unary_minus_signs_in_asm_are_an_error_not_a_crash)
{
    nested_program(at("m.s"), "-", NULL, 40000);
    bmc_result r = bmc_run(dir, "asm", at("m.s"), NULL);
    cr_expect_eq(r.status, 1, "exit %d", r.status);
    cr_expect(strstr(r.err, "error: expression nested more than 500 levels deep"), "%s", r.err);
    bmc_result_free(&r);
}

Test(safe_limits, nesting_below_the_limit_still_assembles)
{
    nested_program(at("ok.s"), "(", ")", 400);
    bmc_result r = bmc_run(dir, "asm", at("ok.s"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
}

/* An endless input ends with a message at the limit. */
Test(safe_limits, an_endless_input_stops_at_the_size_limit)
{
    cr_assert_eq(setenv("BMC_INPUT_LIMIT", "1M", 1), 0);
    bmc_result r = bmc_run(dir, "check", "/dev/zero", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_eq(r.err, "/dev/zero: error: input larger than 1048576 bytes, the limit "
                            "(bm_ctx_set_input_limit; bmc: BMC_INPUT_LIMIT)\n");
    bmc_result_free(&r);
    cr_assert_eq(setenv("BMC_INPUT_LIMIT", "lots", 1), 0);
    r = bmc_run(dir, "check", "examples/acc8.xml", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
}

Test(safe_limits, the_input_limit_applies_to_every_reader)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_expect_eq(bm_ctx_input_limit(ctx), BM_INPUT_LIMIT_DEFAULT);
    bm_ctx_set_input_limit(ctx, 100);
    bm_machine *m = NULL;
    cr_expect_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), BM_ERANGE);
    bm_machine *a = NULL;
    cr_expect_neq(bm_asm_file(&a, ctx, "examples/countdown.s", NULL), 0);
    bm_graph *g = NULL;
    cr_expect_neq(bm_graph_read_file(&g, ctx, "examples/networks/digits.xml", NULL), 0);
    cr_expect_eq(bm_ctx_error_count(ctx), 3);
    bm_ctx_set_input_limit(ctx, 0);
    cr_expect_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A flood of bad lines: 100 errors, then one count. */
Test(safe_limits, an_error_flood_is_capped_with_a_count)
{
    FILE *f = fopen(at("flood.s"), "w");
    cr_assert_not_null(f);
    fputs(".machine m\n", f);
    for (int i = 0; i < 5000; i++)
        fputs("[\n", f);
    cr_assert_eq(fclose(f), 0);
    bmc_result r = bmc_run(dir, "asm", at("flood.s"), NULL);
    cr_expect_eq(r.status, 1);
    size_t lines = 0;
    for (const char *p = r.err; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 101, "%zu lines on stderr", lines);
    const char *last = strstr(r.err, "note: ");
    cr_expect_str_eq(last ? last : "", "note: ... and 4900 more errors not shown\n");
    bmc_result_free(&r);
}

Test(safe_limits, the_error_limit_keeps_the_count_exact_and_can_be_lifted)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    for (int i = 0; i < 150; i++) {
        bm_machine *m = NULL;
        bm_machine_read_memory(&m, ctx, "<", 1, "bad.xml");
    }
    cr_expect_geq(bm_ctx_error_count(ctx), 150);
    cr_expect_eq(bm_ctx_diag_count(ctx), 101);
    const bm_diag *d = bm_ctx_diag(ctx, 100);
    cr_assert_not_null(d);
    cr_expect_eq(d->severity, BM_SEV_NOTE);
    bm_ctx_clear_diags(ctx);
    bm_ctx_set_error_limit(ctx, 0);
    for (int i = 0; i < 150; i++) {
        bm_machine *m = NULL;
        bm_machine_read_memory(&m, ctx, "<", 1, "bad.xml");
    }
    cr_expect_eq(bm_ctx_diag_count(ctx), bm_ctx_error_count(ctx));
    cr_expect_geq(bm_ctx_diag_count(ctx), 150);
    bm_ctx_free(ctx);
}

/* bmc sim prints transfers as they happen and drops them: a run of 12
 * million cycles on a machine that outputs every third cycle (4 million
 * transfers, 96 MB if they were all kept) peaks at a few MB. */
Test(safe_limits, a_long_sim_run_streams_with_bounded_memory)
{
    FILE *f = fopen(at("free.s"), "w");
    cr_assert_not_null(f);
    fputs("loop:\n    out o0, r0\n    inc r0\n    j loop\n", f);
    cr_assert_eq(fclose(f), 0);
    bmc_result r = bmc_run(dir, "asm", at("free.s"), "-o", at("free.xml"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    const char *bmc = getenv("BMC");
    cr_assert_not_null(bmc);
    int out[2];
    cr_assert_eq(pipe(out), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(out[1], 1);
        dup2(null, 2);
        close(out[0]);
        execl(bmc, "bmc", "sim", at("free.xml"), "--cycles", "12000000", "-q", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    /* count the lines as they come: the reader sees them before the end */
    char buf[65536];
    ssize_t n;
    size_t lines = 0;
    while ((n = read(out[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    close(out[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    /* the largest peak of the children waited for: the asm and this run */
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 3, "status 0x%x", status);
    cr_expect_eq(lines, 4000000);
    /* ru_maxrss is in KB; the sanitizers' own memory stays well below */
    cr_expect_lt(ru.ru_maxrss, 64 * 1024, "peak %ld KB", ru.ru_maxrss);
}

/* After a bad character the assembler skips the rest of its line
 * (docs/asm.md): a line of a million '[' is one error, and the lines
 * around it are still checked. */
Test(safe_limits, a_line_of_bad_characters_is_one_error)
{
    FILE *f = fopen(at("brackets.s"), "w");
    cr_assert_not_null(f);
    fputs(".machine m\n", f);
    for (int i = 0; i < 1000000; i++)
        fputc('[', f);
    fputs("\n    bogus r0\n", f);
    cr_assert_eq(fclose(f), 0);
    bmc_result r = bmc_run(dir, "asm", at("brackets.s"), NULL);
    cr_expect_eq(r.status, 1);
    char want[800];
    snprintf(want, sizeof want,
             "%s:2:1: error: unexpected character '['\n"
             "%s:3:5: error: unknown mnemonic 'bogus'\n",
             at("brackets.s"), at("brackets.s"));
    cr_expect_str_eq(r.err, want);
    bmc_result_free(&r);
}

/* Assembling N bonded cores is linear: 40,000 cores took about 22 s of CPU
 * when each bond end searched the core list, and take about 1 s now; the
 * bound leaves room for a slow or sanitized build. */
Test(safe_limits, many_bonded_cores_assemble_in_linear_time, .timeout = 120)
{
    enum { N = 40000 };
    FILE *f = fopen(at("chain.s"), "w");
    cr_assert_not_null(f);
    fputs(".machine chain\n.input x 8\n.output y 8\n", f);
    for (int i = 0; i < N; i++)
        fprintf(f, ".core c%d 8\ntop: in r0, i0\n     out o0, r0\n     j top\n", i);
    fputs(".bond x -> c0.i0\n", f);
    for (int i = 1; i < N; i++)
        fprintf(f, ".bond c%d.o0 -> c%d.i0\n", i - 1, i);
    fprintf(f, ".bond c%d.o0 -> y\n", N - 1);
    cr_assert_eq(fclose(f), 0);
    bmc_result r = bmc_run(dir, "asm", at("chain.s"), "-o", at("chain.xml"), NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    bmc_result_free(&r);
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    cr_expect_lt(ru.ru_utime.tv_sec, 8, "%ld s of CPU", (long)ru.ru_utime.tv_sec);
}

/* The message of the first diagnostic of reading text as a machine. */
static char *first_xml_error(const char *text)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = NULL;
    cr_expect_neq(bm_machine_read_memory(&m, ctx, text, strlen(text), "m.xml"), 0);
    cr_assert_geq(bm_ctx_diag_count(ctx), 1);
    char buf[600];
    bm_diag_format(buf, sizeof buf, bm_ctx_diag(ctx, 0));
    bm_ctx_free(ctx);
    return strdup(buf);
}

/* libxml2's first error is the fault; its last one is a consequence. */
Test(safe_limits, malformed_xml_reports_the_first_error_with_its_place)
{
    char *msg = first_xml_error("<?xml version=\"1.0\"?>\n<machine format=\"1\" name=\"m\">\n"
                                "  <input name=\"a<b\" width=\"8\"/>\n</machine>\n");
    cr_expect_str_eq(msg, "m.xml:3:17: error: malformed XML: Unescaped '<' not allowed in "
                          "attributes values");
    free(msg);
}

/* The graph readers keep the first error too: GraphML and network XML. */
Test(safe_limits, graph_xml_reports_the_first_error_with_its_place)
{
    static const char graphml[] = "<?xml version=\"1.0\"?>\n<graphml>\n  <graph id=\"a<b\">\n"
                                  "</graphml>\n";
    static const char network[] = "<?xml version=\"1.0\"?>\n<network format=\"1\">\n"
                                  "  <layer name=\"a<b\"/>\n</network>\n";
    for (int which = 0; which < 2; which++) {
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        if (which == 0) {
            bm_graph *g = NULL;
            cr_expect_neq(bm_graph_read_graphml(&g, ctx, graphml, strlen(graphml), "g.graphml",
                                                NULL),
                          0);
        } else {
            bm_network *n = NULL;
            cr_expect_neq(bm_network_read(&n, ctx, network, strlen(network), "n.xml", NULL), 0);
        }
        cr_assert_geq(bm_ctx_diag_count(ctx), 1);
        char buf[600];
        bm_diag_format(buf, sizeof buf, bm_ctx_diag(ctx, 0));
        cr_expect_str_eq(buf,
                         which == 0 ? "g.graphml:3:15: error: malformed XML: Unescaped '<' not "
                                      "allowed in attributes values"
                                    : "n.xml:3:17: error: malformed XML: Unescaped '<' not "
                                      "allowed in attributes values");
        bm_ctx_free(ctx);
    }
}

/* A billion-laughs document: the message says which limit refused it. */
Test(safe_limits, entity_expansion_says_what_limit_was_hit)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "<?xml version=\"1.0\"?>\n<!DOCTYPE m [\n<!ENTITY a0 \"xxxxxxxxxx\">\n");
    for (int i = 1; i < 10; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "<!ENTITY a%d \"", i);
        for (int k = 0; k < 10; k++)
            n += (size_t)snprintf(text + n, sizeof text - n, "&a%d;", i - 1);
        n += (size_t)snprintf(text + n, sizeof text - n, "\">\n");
    }
    snprintf(text + n, sizeof text - n, "]>\n<machine format=\"1\" name=\"&a9;\"/>\n");
    char *msg = first_xml_error(text);
    cr_expect(strstr(msg, "error: malformed XML: entity references refused by libxml2's "
                          "expansion limit"),
              "%s", msg);
    free(msg);
}
