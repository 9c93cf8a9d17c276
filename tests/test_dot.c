/* bmc dot and bm_machine_dot / bm_graph_dot: gold files for one machine
 * and one graph, Graphviz accepts what is written, the drawing follows the
 * machine's structure, and bad input fails cleanly. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bmc_runner.h"
#include "graph_helpers.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_test_dot_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(dot, .init = setup, .fini = teardown);

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* `dot -Tsvg` renders the file and writes an SVG document. */
static void graphviz_accepts(const char *path)
{
    char cmd[512], svg[300];
    snprintf(svg, sizeof svg, "%s/out.svg", tmpdir);
    snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o '%s' 2>'%s/dot.err'", path, svg, tmpdir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "dot -Tsvg %s failed", path);
    char *text = slurp(svg, NULL);
    cr_assert_not_null(text);
    cr_expect_not_null(strstr(text, "<svg"), "dot -Tsvg %s wrote no SVG", path);
    free(text);
}

static void check_gold(const char *input, const char *gold)
{
    char out[300];
    snprintf(out, sizeof out, "%s/drawing.dot", tmpdir);
    bmc_result r = bmc_run(tmpdir, "dot", input, "-o", out, NULL);
    cr_assert_eq(r.status, 0, "bmc dot %s: %s", input, r.err);
    cr_expect_str_empty(r.out);
    char *got = slurp(out, NULL), *want = slurp(gold, NULL);
    cr_assert(got && want);
    cr_expect_str_eq(got, want, "bmc dot %s differs from %s (make regold rewrites it)", input,
                     gold);
    graphviz_accepts(out);
    free(got);
    free(want);
    bmc_result_free(&r);
}

Test(dot, machine_gold)
{
    check_gold("examples/fanout.xml", "tests/data/dot/fanout.dot");
}

Test(dot, graph_gold)
{
    check_gold("tests/data/graph/tiny.xml", "tests/data/dot/tiny.dot");
}

/* Every example machine and graph draws, to stdout, and Graphviz takes it. */
Test(dot, examples_render)
{
    static const char *const inputs[] = {"examples/pipeline.xml", "examples/widths.xml",
                                         "examples/ram_table.xml", "examples/graph/expr.bmg",
                                         "examples/graph/expr.graphml",
                                         "examples/networks/iris.xml"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        bmc_result r = bmc_run(tmpdir, "dot", inputs[i], NULL);
        cr_assert_eq(r.status, 0, "bmc dot %s: %s", inputs[i], r.err);
        char path[300];
        snprintf(path, sizeof path, "%s/stdout.dot", tmpdir);
        spit(path, r.out);
        graphviz_accepts(path);
        bmc_result_free(&r);
    }
}

/* A compiled machine: one node per core, one edge per bond sink, each
 * labelled with the bond's width; the same bytes every time. */
Test(dot, compiled_machine_structure)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_graph *g;
    cr_assert_eq(bm_graph_read_file(&g, ctx, "examples/networks/iris.xml", NULL), 0);
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = BM_MAP_CORES;
    opt.cores = 3;
    bm_machine *m;
    cr_assert_eq(bm_compile(&m, g, &opt), 0);
    char *a, *b;
    size_t na, nb;
    cr_assert_eq(bm_machine_dot(&a, &na, m), 0);
    cr_assert_eq(bm_machine_dot(&b, &nb, m), 0);
    cr_expect_eq(na, strlen(a));
    cr_expect(na == nb && memcmp(a, b, na) == 0, "two drawings of one machine differ");
    size_t sinks = 0;
    for (unsigned j = 0; j < bm_machine_bond_count(m); j++)
        sinks += bm_machine_bond_sink_count(m, j);
    cr_expect_eq(count(a, " -> "), sinks);
    cr_expect_eq(count(a, "[label=\"16\""), sinks, "every bond is 16 bits wide");
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        char node[64];
        snprintf(node, sizeof node, "  c%u [label=\"%s\\n16-bit", i,
                 bm_core_name(bm_machine_core(m, i)));
        cr_expect_not_null(strstr(a, node), "no node for core %u", i);
    }
    cr_expect_eq(count(a, "shape=rarrow"), 5, "4 inputs and 1 output");
    bm_dot_free(ctx, a);
    bm_dot_free(ctx, b);

    cr_assert_eq(bm_graph_dot(&a, &na, g), 0);
    size_t slots = 0;
    for (unsigned i = 0; i < bm_graph_node_count(g); i++)
        slots += bm_graph_node_operand_count(g, i);
    cr_expect_eq(count(a, " -> "), slots);
    cr_expect_eq(count(a, "subgraph cluster_l"), 2 + 8 + 3, "2 layers of 8 and 3 neurons");
    bm_dot_free(ctx, a);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

Test(dot, invalid_machine_refused)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    cr_assert_eq(bm_machine_new(&m, ctx, "m"), 0);
    char *text = (char *)1;
    cr_expect_eq(bm_machine_dot(&text, NULL, m), BM_EINVAL);
    cr_expect_null(text);
    cr_expect_eq(bm_ctx_error_count(ctx), 1);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(dot, bad_input)
{
    bmc_result r = bmc_run(tmpdir, "dot", "tests/data/graph/bad_bias_range.xml", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_str_empty(r.out);
    cr_expect_not_null(strstr(r.err, "tests/data/graph/bad_bias_range.xml:19:15: error:"), "%s",
                       r.err);
    bmc_result_free(&r);

    char out[300];
    snprintf(out, sizeof out, "%s/never.dot", tmpdir);
    r = bmc_run(tmpdir, "dot", "no/such/file.xml", "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect_not_null(strstr(r.err, "no/such/file.xml"), "%s", r.err);
    cr_expect_eq(access(out, F_OK), -1, "a failed run wrote %s", out);
    bmc_result_free(&r);

    r = bmc_run(tmpdir, "dot", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
    r = bmc_run(tmpdir, "dot", "--type", "fixed<1", "examples/graph/expr.bmg", NULL);
    cr_expect_eq(r.status, 2);
    bmc_result_free(&r);
}
