/* The C side of bench/python: the same work as libbm.Machine.predict and
 * libbm.Network.evaluate, straight through the C API, for the per-vector
 * overhead of the Python binding.
 *
 *   bench_predict NETWORK.xml VECTORS.csv STRATEGY FOLD REPEATS
 *
 * Prints "sim_us_per_vector EVAL_us_per_vector" for one machine: each repeat
 * creates a simulator, pushes every vector, runs until every output is out
 * and reads them back (what predict does), and evaluates every vector with
 * bm_graph_eval (what evaluate does).  The fastest repeat counts, which keeps
 * the noise of a busy machine out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bm.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_predict NETWORK.xml VECTORS.csv STRATEGY FOLD REPEATS\n");
        return 2;
    }
    bm_ctx *ctx;
    bm_graph *g;
    bm_vectors *v;
    bm_machine *m;
    if (bm_ctx_new(&ctx, NULL) || bm_graph_read_file(&g, ctx, argv[1], NULL) ||
        bm_vectors_read_file(&v, g, argv[2], 1))
        return 1;
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = (bm_map_strategy)bm_map_strategy_from_name(argv[3]);
    opt.fold = (unsigned)atoi(argv[4]);
    if (bm_compile(&m, g, &opt))
        return 1;
    int repeats = atoi(argv[5]);
    size_t n = bm_vectors_count(v);
    unsigned ni = bm_graph_input_count(g), no = bm_graph_output_count(g);
    int in_port[64];
    for (unsigned i = 0; i < ni; i++)
        in_port[i] = bm_machine_find_input(m, bm_graph_node_name(g, bm_graph_input(g, i)));
    int64_t *out = malloc(n * no * sizeof *out), res[16];
    long checksum = 0;
    double best_sim = 1e30, best_eval = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        bm_sim *sim;
        if (bm_sim_new(&sim, m, NULL))
            return 1;
        for (size_t k = 0; k < n; k++)
            for (unsigned i = 0; i < ni; i++)
                bm_sim_push_input(sim, (unsigned)in_port[i], (uint64_t)bm_vectors_inputs(v, k)[i]);
        bm_sim_limits lim = BM_SIM_LIMITS_INIT;
        lim.max_outputs = n * no;
        bm_sim_stop why;
        if (bm_sim_run(sim, &lim, &why) || why != BM_SIM_STOP_OUTPUTS)
            return 1;
        for (size_t i = 0; i < bm_sim_output_count(sim); i++) {
            bm_sim_transfer t;
            bm_sim_output(sim, i, &t);
            out[i] = bm_fixed_wrap((int64_t)t.value, bm_graph_type(g));
            checksum += (long)out[i];
        }
        bm_sim_free(sim);
        double t1 = now();
        for (size_t k = 0; k < n; k++) {
            if (bm_graph_eval(g, bm_vectors_inputs(v, k), res))
                return 1;
            checksum += (long)res[0];
        }
        double t2 = now();
        if (t1 - t0 < best_sim)
            best_sim = t1 - t0;
        if (t2 - t1 < best_eval)
            best_eval = t2 - t1;
    }
    printf("%.3f %.3f %ld\n", best_sim * 1e6 / (double)n, best_eval * 1e6 / (double)n, checksum);
    free(out);
    bm_machine_free(m);
    bm_vectors_free(v);
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return 0;
}
