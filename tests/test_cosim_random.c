/* Random differential testing: seeded random machines (bm_random_machine)
 * run in the simulator and, as Verilog, under Verilator; every external
 * output transfer must agree in value and cycle.  The machines are batched
 * into one design (bm_machine_append) so one Verilator build covers them all,
 * and the batch is linted with `verilator --lint-only -Wall`.
 *
 * Environment: BM_RANDOM_SEED (first seed, default 1), BM_RANDOM_MACHINES
 * (default 200), BM_RANDOM_CYCLES (default 400), BM_COSIM_WORK (work folder,
 * default build/cosim-random).  `make soak` runs many batches with new seeds.
 * A mismatch names the seed and writes the failing machine and its stimulus
 * next to the work folder, ready for `bmc verify`. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bm.h"

#define STIMULUS_VALUES 24

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void diags(bm_ctx *ctx, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < bm_ctx_diag_count(ctx) && len < size; i++) {
        int n = bm_diag_format(buf + len, size - len, bm_ctx_diag(ctx, i));
        if (n < 0)
            break;
        len += (size_t)n;
        if (len + 1 < size) {
            buf[len++] = '\n';
            buf[len] = '\0';
        }
    }
}

/* The seed a prefixed name ("s123_y0") belongs to. */
static uint64_t seed_of(const char *name)
{
    return strtoull(name + 1, NULL, 10);
}

/* Writes the machine of one seed and its stimulus, for replay with bmc
 * verify: `bmc random` with this suite's options makes the same ones. */
static void save_failure(const char *work, uint64_t seed, const bm_random_options *ro)
{
    const char *bmc = getenv("BMC");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' random --seed %" PRIu64 " --cores %u --count %d -o '%s-seed%" PRIu64
             ".xml' --stimulus '%s-seed%" PRIu64 ".stim'",
             bmc ? bmc : "bmc", seed, ro->max_cores, STIMULUS_VALUES, work, seed, work, seed);
    cr_expect_eq(system(cmd), 0, "could not save seed %" PRIu64 ": %s", seed, cmd);
}

Test(cosim_random, simulator_equals_verilator_on_random_machines, .timeout = 1200)
{
    uint64_t first = env_u64("BM_RANDOM_SEED", 1);
    uint64_t count = env_u64("BM_RANDOM_MACHINES", 200);
    uint64_t cycles = env_u64("BM_RANDOM_CYCLES", 400);
    const char *work = getenv("BM_COSIM_WORK");
    if (!work || !*work)
        work = "build/cosim-random";
    mkdir("build", 0755);

    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    char name[64];
    snprintf(name, sizeof name, "batch_%" PRIu64 "_%" PRIu64, first, count);
    bm_machine *all;
    cr_assert_eq(bm_machine_new(&all, ctx, name), 0);
    bm_random_options ro = BM_RANDOM_OPTIONS_INIT;
    ro.max_cores = 3;
    uint64_t *values = calloc(16 * STIMULUS_VALUES, sizeof *values);
    cr_assert_not_null(values);

    /* Build the batch; remember each machine's stimulus under its prefix. */
    typedef struct { char input[48]; uint64_t v[STIMULUS_VALUES]; } queued;
    queued *q = NULL;
    size_t nq = 0;
    for (uint64_t s = first; s < first + count; s++) {
        bm_machine *m;
        cr_assert_eq(bm_random_machine(&m, ctx, s, &ro), 0, "random machine %" PRIu64, s);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "s%" PRIu64 "_", s);
        cr_assert_eq(bm_machine_append(all, m, prefix), 0);
        unsigned ni = bm_machine_input_count(m);
        cr_assert(ni <= 16);
        bm_random_stimulus(m, s, STIMULUS_VALUES, values);
        q = realloc(q, (nq + ni) * sizeof *q);
        cr_assert_not_null(q);
        for (unsigned i = 0; i < ni; i++, nq++) {
            snprintf(q[nq].input, sizeof q[nq].input, "%s%s", prefix, bm_machine_input_name(m, i));
            memcpy(q[nq].v, values + i * STIMULUS_VALUES, sizeof q[nq].v);
        }
        bm_machine_free(m);
    }
    char text[4096];
    int vrc = bm_machine_validate(all);
    diags(ctx, text, sizeof text);
    cr_assert_eq(vrc, 0, "the batch does not validate:\n%s", text);

    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, all, NULL), 0);
    for (size_t i = 0; i < nq; i++) {
        int in = bm_machine_find_input(all, q[i].input);
        cr_assert_geq(in, 0);
        for (unsigned k = 0; k < STIMULUS_VALUES; k++)
            cr_assert_eq(bm_sim_push_input(sim, (unsigned)in, q[i].v[k]), 0);
    }
    bm_cosim_stimulus *st;
    cr_assert_eq(bm_cosim_stimulus_capture(&st, sim), 0);
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_cycles = cycles;
    bm_sim_stop stop;
    cr_assert_eq(bm_sim_run(sim, &lim, &stop), 0);
    uint64_t rtl_cycles = stop == BM_SIM_STOP_CYCLES ? cycles : bm_sim_cycle(sim) + 16;

    bm_cosim_options co = BM_COSIM_OPTIONS_INIT;
    co.work_dir = work;
    bm_cosim *cs;
    int brc = bm_cosim_build(&cs, all, &co);
    diags(ctx, text, sizeof text);
    cr_assert_eq(brc, 0, "Verilator build failed:\n%s", text);
    bm_sim_transfer *rtl;
    size_t n_rtl;
    int rrc = bm_cosim_run(cs, st, rtl_cycles, NULL, &rtl, &n_rtl);
    diags(ctx, text, sizeof text);
    cr_assert_eq(rrc, 0, "Verilator run failed:\n%s", text);

    /* Lint the whole batch with -Wall: the generated RTL must be clean. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s/src' && verilator --lint-only -Wall --top-module %s -f files.f "
             "> ../lint.log 2>&1",
             work, name);
    cr_expect_eq(system(cmd), 0, "verilator --lint-only -Wall reports problems: see %s/lint.log",
                 work);

    size_t n_sim = bm_sim_output_count(sim);
    cr_expect_gt(n_sim, count / 2, "the random machines should produce outputs (%zu)", n_sim);
    size_t mismatches = 0;
    uint64_t reported = UINT64_MAX;
    long d = -1;
    bm_sim_transfer *expected = calloc(n_sim + 1, sizeof *expected);
    cr_assert_not_null(expected);
    for (size_t i = 0; i < n_sim; i++)
        bm_sim_output(sim, i, &expected[i]);
    d = bm_cosim_first_difference(expected, n_sim, rtl, n_rtl);
    while (d >= 0 && mismatches < 5) {
        /* Name the machine of the first difference, save it, and look past
         * its outputs for more. */
        const bm_sim_transfer *t = (size_t)d < n_sim ? &expected[d] : &rtl[d];
        const char *out = bm_machine_output_name(all, t->output);
        uint64_t seed = seed_of(out);
        if (seed != reported) {
            save_failure(work, seed, &ro);
            cr_expect_fail("seed %" PRIu64 ": simulator and RTL differ at transfer %ld (%s, "
                           "cycle %" PRIu64 "); replay: bmc verify %s-seed%" PRIu64
                           ".xml --in-file %s-seed%" PRIu64 ".stim --cycles %" PRIu64,
                           seed, d, out, t->cycle, work, seed, work, seed, cycles);
            reported = seed;
            mismatches++;
        }
        /* Drop this seed's transfers from both lists and compare again. */
        char prefix[32];
        snprintf(prefix, sizeof prefix, "s%" PRIu64 "_", seed);
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n_sim; i++)
            if (strncmp(bm_machine_output_name(all, expected[i].output), prefix, strlen(prefix)))
                expected[a++] = expected[i];
        for (size_t i = 0; i < n_rtl; i++)
            if (strncmp(bm_machine_output_name(all, rtl[i].output), prefix, strlen(prefix)))
                rtl[b++] = rtl[i];
        n_sim = a;
        n_rtl = b;
        d = bm_cosim_first_difference(expected, n_sim, rtl, n_rtl);
    }
    free(expected);
    free(q);
    free(values);
    bm_cosim_transfers_free(cs, rtl);
    bm_cosim_free(cs);
    bm_cosim_stimulus_free(st);
    bm_sim_free(sim);
    bm_machine_free(all);
    bm_ctx_free(ctx);
}
