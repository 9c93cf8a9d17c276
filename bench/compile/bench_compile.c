/* Compiler benchmark (docs/performance.md, sections "Compiler" and
 * "Networks on machines").
 *
 *   mlp      a 16-64-32-32-5 multi-layer perceptron (relu, linear last
 *            layer, no argmax) with seeded random weights in fixed<16,6>,
 *            the shape of hls4ml's jet-tagging benchmark
 *   dag10k   a random DAG of 10,000 operations over 64 inputs (add, sub,
 *            products by constants and by values, neg, relu, min, max,
 *            argmax of three); every value is read, the values nothing
 *            reads are the outputs
 *
 * Each is compiled with every strategy; compile time is the median of RUNS
 * runs of bm_compile() (selection, placement, code, machine, validation);
 * latency and interval come from bm_compile_report_new(), which simulates
 * the machine and checks every output against the reference evaluator.
 * The MLP's latency is compared with the ideal bound: the sum over layers
 * of the largest fan-in.
 *
 * Then the 16-64-32-32-5 network as an ONNX model (build/onnx/jet.onnx,
 * encoded by make from bench/networks/jet.textproto): read and compiled.
 *
 * Then the example networks run on their test vectors: the machine's
 * accuracy (every vector streamed through the simulated machine, every
 * output compared with bm_graph_eval) next to the evaluator's.
 *
 * Usage: bench_compile [RUNS]  (default 5), from the repository root. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void die(bm_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_compile: %s failed\n", what);
    for (size_t i = 0; ctx && i < bm_ctx_diag_count(ctx); i++) {
        char line[1024];
        bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
        fprintf(stderr, "%s\n", line);
    }
    exit(1);
}

/* ---- the workloads ----------------------------------------------------------------- */

static const unsigned mlp_shape[] = {16, 64, 32, 32, 5};
#define MLP_LAYERS 4

static bm_graph *make_mlp(bm_ctx *ctx)
{
    uint64_t s = 42;
    size_t cap = 1 << 20, len = 0;
    char *xml = malloc(cap);
    if (!xml)
        die(NULL, "malloc");
    len += (size_t)snprintf(xml + len, cap - len,
                            "<network format=\"1\" name=\"mlp\" total=\"16\" frac=\"10\">\n"
                            "<input size=\"%u\"/>\n", mlp_shape[0]);
    for (unsigned l = 0; l < MLP_LAYERS; l++) {
        unsigned n = mlp_shape[l + 1], in = mlp_shape[l];
        len += (size_t)snprintf(xml + len, cap - len,
                                "<layer neurons=\"%u\" activation=\"%s\"><weights>", n,
                                l + 1 < MLP_LAYERS ? "relu" : "linear");
        for (unsigned k = 0; k < n * in + n; k++) {
            if (k == n * in)
                len += (size_t)snprintf(xml + len, cap - len, "</weights><biases>");
            /* nonzero raw weights in -0.5 .. 0.5 */
            int r = (int)(rng(&s) % 1024) - 512;
            len += (size_t)snprintf(xml + len, cap - len, "%.10g ", (r ? r : 1) / 1024.0);
        }
        len += (size_t)snprintf(xml + len, cap - len, "</biases></layer>\n");
    }
    len += (size_t)snprintf(xml + len, cap - len, "</network>\n");
    bm_network *net;
    bm_graph *g;
    if (bm_network_read(&net, ctx, xml, len, "mlp.xml", NULL) || bm_network_to_graph(&g, net))
        die(ctx, "building the MLP");
    bm_network_free(net);
    free(xml);
    return g;
}

static bm_graph *make_dag(bm_ctx *ctx, unsigned n_ops)
{
    enum { INPUTS = 64 };
    bm_fixed_type t = {16, 10};
    bm_graph *g;
    if (bm_graph_new(&g, ctx, t))
        die(ctx, "bm_graph_new");
    bm_loc loc = {NULL, 0, 0};
    uint64_t s = 7;
    unsigned *id = malloc((INPUTS + 2 * (size_t)n_ops) * sizeof *id);
    unsigned *unread = malloc((INPUTS + (size_t)n_ops) * sizeof *unread);
    if (!id || !unread)
        die(NULL, "malloc");
    size_t n = 0, n_unread = 0;
    char name[32];
    for (unsigned i = 0; i < INPUTS; i++) {
        snprintf(name, sizeof name, "x%u", i);
        if (bm_graph_add_input(g, &id[n], name, loc))
            die(ctx, "add input");
        unread[n_unread++] = (unsigned)n++;
    }
    size_t first_op = n;
    for (unsigned k = 0; k < n_ops; k++) {
        unsigned a, b, opd[3];
        if (n_unread) {
            size_t j = rng(&s) % n_unread;
            a = unread[j];
            unread[j] = unread[--n_unread];
        } else {
            a = (unsigned)(n - 1 - rng(&s) % (n < 64 ? n : 64));
        }
        size_t window = n < 256 ? n : 256;
        b = rng(&s) % 5 ? (unsigned)(n - 1 - rng(&s) % window) : (unsigned)(rng(&s) % n);
        unsigned r = (unsigned)(rng(&s) % 100), out;
        bm_op op;
        unsigned k_opd = 2;
        opd[0] = id[a];
        opd[1] = id[b];
        if (r < 25) {
            op = BM_OP_ADD;
        } else if (r < 35) {
            op = BM_OP_SUB;
        } else if (r < 50) {
            unsigned c;
            int64_t raw = (int64_t)(rng(&s) % 2048) - 1024;
            if (bm_graph_add_const(g, &c, raw ? raw : 3, loc))
                die(ctx, "add const");
            op = BM_OP_MUL;
            opd[1] = c;
        } else if (r < 60) {
            op = BM_OP_MUL;
        } else if (r < 70) {
            op = BM_OP_RELU;
            k_opd = 1;
        } else if (r < 78) {
            op = BM_OP_MAX;
        } else if (r < 85) {
            op = BM_OP_MIN;
        } else if (r < 95) {
            op = BM_OP_NEG;
            k_opd = 1;
        } else {
            op = BM_OP_ARGMAX;
            k_opd = 3;
            opd[2] = id[n - 1 - rng(&s) % window];
        }
        if (bm_graph_add_op(g, &out, op, opd, k_opd, loc))
            die(ctx, "add op");
        id[n] = out;
        unread[n_unread++] = (unsigned)n++;
    }
    for (size_t j = 0; j < n_unread; j++) {
        if (unread[j] < first_op)
            continue; /* an input nothing reads */
        snprintf(name, sizeof name, "y%zu", j);
        if (bm_graph_add_output(g, NULL, name, id[unread[j]], loc))
            die(ctx, "add output");
    }
    if (bm_graph_finish(g, NULL))
        die(ctx, "bm_graph_finish");
    free(id);
    free(unread);
    return g;
}

/* ---- compiling -------------------------------------------------------------------- */

typedef struct placement {
    bm_map_strategy strategy;
    unsigned cores;
    unsigned buffers; /* node: the buffer cap (NO_BUFFERS: 0, 0: the default) */
} placement;

#define NO_BUFFERS 1000u

static const placement placements[] = {{BM_MAP_NODE, 0, 0},
                                       {BM_MAP_NODE, 0, NO_BUFFERS},
                                       {BM_MAP_CORES, 8, 0},
                                       {BM_MAP_CORES, 32, 0},
                                       {BM_MAP_SINGLE, 0, 0}};
#define N_PLACEMENTS (sizeof placements / sizeof placements[0])

static const char *placement_name(placement p)
{
    static char buf[32];
    if (p.strategy == BM_MAP_CORES)
        snprintf(buf, sizeof buf, "cores %u", p.cores);
    else if (p.strategy == BM_MAP_NODE && p.buffers == NO_BUFFERS)
        snprintf(buf, sizeof buf, "node, --buffers 0");
    else
        snprintf(buf, sizeof buf, "%s", bm_map_strategy_name(p.strategy));
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bm_machine *compile(const bm_graph *g, placement p, double *seconds)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = p.strategy;
    if (p.cores)
        opt.cores = p.cores;
    if (p.buffers == NO_BUFFERS)
        opt.buffers = 0;
    else if (p.buffers)
        opt.buffers = p.buffers;
    else if (getenv("BENCH_BUFFERS")) /* for measuring the default */
        opt.buffers = (unsigned)atoi(getenv("BENCH_BUFFERS"));
    bm_machine *m;
    double t0 = now();
    if (bm_compile(&m, g, &opt))
        die(bm_graph_ctx(g), "bm_compile");
    *seconds = now() - t0;
    return m;
}

static void bench_graph(const char *title, const bm_graph *g, int runs, uint64_t ideal)
{
    printf("\n%s: %u nodes, %u inputs, %u outputs\n", title, bm_graph_node_count(g),
           bm_graph_input_count(g), bm_graph_output_count(g));
    printf("| strategy | cores | compile ms (median, min-max) | latency | interval | instructions |%s\n",
           ideal ? " latency / ideal |" : "");
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        die(NULL, "malloc");
    for (size_t p = 0; p < N_PLACEMENTS; p++) {
        bm_machine *m = NULL;
        for (int r = 0; r < runs; r++) {
            bm_machine_free(m);
            m = compile(g, placements[p], &t[r]);
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        bm_compile_report *rep;
        bm_report_options ro = BM_REPORT_OPTIONS_INIT;
        if (getenv("BENCH_VECTORS"))
            ro.vectors = (unsigned)atoi(getenv("BENCH_VECTORS"));
        if (bm_compile_report_new(&rep, m, g, &ro))
            die(bm_graph_ctx(g), "bm_compile_report_new");
        const bm_report_summary *s = bm_compile_report_summary(rep);
        printf("| %s | %u | %.1f (%.1f-%.1f) | %llu | %.1f | %llu |", placement_name(placements[p]),
               s->cores, 1e3 * t[runs / 2], 1e3 * t[0], 1e3 * t[runs - 1],
               (unsigned long long)s->latency, s->interval, (unsigned long long)s->instructions);
        if (ideal)
            printf(" %.2f |", (double)s->latency / (double)ideal);
        printf("\n");
        fflush(stdout);
        bm_compile_report_free(rep);
        bm_machine_free(m);
    }
    free(t);
}

/* ---- the example networks on their test vectors ------------------------------------ */

static void network_on_machine(const char *net_path, const char *csv_path, placement p)
{
    bm_ctx *ctx;
    bm_graph *g;
    bm_vectors *v;
    if (bm_ctx_new(&ctx, NULL) || bm_graph_read_file(&g, ctx, net_path, NULL) ||
        bm_vectors_read_file(&v, g, csv_path, 1))
        die(ctx, net_path);
    double secs;
    bm_machine *m = compile(g, p, &secs);
    size_t n = bm_vectors_count(v);
    unsigned ni = bm_graph_input_count(g), no = bm_graph_output_count(g);
    /* the whole test set streamed through the machine */
    bm_sim *sim;
    if (bm_sim_new(&sim, m, NULL))
        die(ctx, "bm_sim_new");
    for (size_t k = 0; k < n; k++)
        for (unsigned i = 0; i < ni; i++)
            if (bm_sim_push_input(sim, (unsigned)bm_machine_find_input(m, bm_graph_node_name(g, bm_graph_input(g, i))),
                                  (uint64_t)bm_vectors_inputs(v, k)[i]))
                die(ctx, "push");
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_outputs = (uint64_t)n * no;
    lim.max_cycles = UINT64_C(1) << 32;
    bm_sim_stop why;
    if (bm_sim_run(sim, &lim, &why) || why != BM_SIM_STOP_OUTPUTS)
        die(ctx, "simulating the test set");
    int64_t *got = calloc((size_t)n * no, sizeof *got), *want = calloc(no, sizeof *want);
    unsigned *seen = calloc(no, sizeof *seen);
    if (!got || !want || !seen)
        die(NULL, "malloc");
    for (size_t i = 0; i < bm_sim_output_count(sim); i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        int k = bm_graph_find_output(g, bm_machine_output_name(m, t.output));
        got[(size_t)seen[k]++ * no + (unsigned)k] = bm_fixed_wrap((int64_t)t.value, bm_graph_type(g));
    }
    size_t right_machine = 0, right_eval = 0;
    for (size_t k = 0; k < n; k++) {
        if (bm_graph_eval(g, bm_vectors_inputs(v, k), want))
            die(ctx, "eval");
        for (unsigned o = 0; o < no; o++)
            if (want[o] != got[k * no + o])
                die(ctx, "machine != evaluator");
        right_eval += bm_graph_predicted_class(g, want) == bm_vectors_label(v, k);
        right_machine += bm_graph_predicted_class(g, got + k * no) == bm_vectors_label(v, k);
    }
    bm_compile_report *rep;
    if (bm_compile_report_new(&rep, m, g, NULL))
        die(ctx, "report");
    const bm_report_summary *s = bm_compile_report_summary(rep);
    const char *base = strrchr(net_path, '/');
    base = base ? base + 1 : net_path;
    printf("| %.*s | %s | %zu | %.2f%% | %.2f%% (%zu/%zu) | %llu | %.1f | %u | %llu | %llu |\n",
           (int)(strcspn(base, ".")), base, placement_name(p), n, 100.0 * (double)right_eval / (double)n,
           100.0 * (double)right_machine / (double)n, right_machine, n,
           (unsigned long long)s->latency, s->interval, s->cores,
           (unsigned long long)s->instructions, (unsigned long long)bm_sim_cycle(sim));
    bm_compile_report_free(rep);
    free(got);
    free(want);
    free(seen);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reading the ONNX model (decode, lower, quantise, lower to a graph) plus
 * bm_compile() with the node strategy, RUNS times: the median. */
static void bench_onnx_import(const char *path, int runs)
{
    double *t = calloc((size_t)runs, sizeof *t);
    if (!t)
        die(NULL, "malloc");
    unsigned cores = 0;
    for (int r = 0; r < runs; r++) {
        bm_ctx *ctx;
        if (bm_ctx_new(&ctx, NULL))
            die(NULL, "bm_ctx_new");
        double t0 = now();
        bm_graph *g;
        if (bm_graph_read_file(&g, ctx, path, NULL))
            die(ctx, path);
        bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
        bm_machine *m;
        if (bm_compile(&m, g, &opt))
            die(ctx, "compile");
        t[r] = 1e3 * (now() - t0);
        cores = bm_machine_core_count(m);
        bm_machine_free(m);
        bm_graph_free(g);
        bm_ctx_free(ctx);
    }
    qsort(t, (size_t)runs, sizeof *t, by_value);
    printf("ONNX import + compile (node strategy) of %s: %.1f ms median (%.1f-%.1f), %u cores\n",
           path, t[runs / 2], t[0], t[runs - 1], cores);
    free(t);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1)
        runs = 1;
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, NULL))
        die(NULL, "bm_ctx_new");
    bm_graph *mlp = make_mlp(ctx);
    uint64_t ideal = 0;
    for (unsigned l = 0; l < MLP_LAYERS; l++)
        ideal += mlp_shape[l];
    bench_graph("MLP 16-64-32-32-5", mlp, runs, ideal);
    printf("ideal latency bound: %llu cycles (sum of the largest fan-in of each layer)\n",
           (unsigned long long)ideal);
    bm_graph *dag = make_dag(ctx, 10000);
    bench_graph("random DAG, 10000 operations", dag, runs, 0);
    bm_graph_free(mlp);
    bm_graph_free(dag);
    bm_ctx_free(ctx);
    bench_onnx_import("build/onnx/jet.onnx", runs);

    printf("\nnetworks on machines (every test vector streamed through the simulated machine)\n");
    printf("| network | strategy | vectors | evaluator accuracy | machine accuracy | latency | "
           "interval | cores | instructions | cycles for the test set |\n");
    static const char *const nets[][2] = {
        {"examples/networks/iris.xml", "examples/networks/iris-test.csv"},
        {"examples/networks/digits.xml", "examples/networks/digits-test.csv"}};
    static const placement net_placements[] = {
        {BM_MAP_NODE, 0, 0}, {BM_MAP_CORES, 4, 0}, {BM_MAP_CORES, 8, 0}, {BM_MAP_SINGLE, 0, 0}};
    for (size_t i = 0; i < 2; i++)
        for (size_t p = 0; p < sizeof net_placements / sizeof *net_placements; p++)
            network_on_machine(nets[i][0], nets[i][1], net_placements[p]);
    return 0;
}
