/* Helpers of the compiler suites (tests/test_compile*.c): header-only,
 * static. */
#ifndef BM_TEST_COMPILE_HELPERS_H
#define BM_TEST_COMPILE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bm.h"
#include "failing_alloc.h"
#include "graph_helpers.h"

/* A strategy and its parameters: for cores the count, for fold K or the
 * reuse factor; the multiplier. */
typedef struct placement {
    bm_map_strategy strategy;
    unsigned cores;
    unsigned fold;      /* BM_MAP_FOLD's K (0: the default)           */
    bm_mul_variant mul; /* the multiplier of the cores that multiply */
    unsigned reuse;     /* BM_MAP_FOLD's reuse factor (0: K applies)  */
} placement;

static const placement every_placement[] = {
    {BM_MAP_NODE, 0, 0, BM_MUL_COMB, 0}, {BM_MAP_SINGLE, 0, 0, BM_MUL_COMB, 0}, {BM_MAP_CORES, 1, 0, BM_MUL_COMB, 0}, {BM_MAP_CORES, 2, 0, BM_MUL_COMB, 0}, {BM_MAP_CORES, 5, 0, BM_MUL_COMB, 0},
};
#define N_PLACEMENTS (sizeof every_placement / sizeof every_placement[0])

static inline const char *placement_name(placement p)
{
    static char buf[64];
    if (p.strategy == BM_MAP_CORES)
        snprintf(buf, sizeof buf, "cores %u", p.cores);
    else if (p.strategy == BM_MAP_FOLD && p.reuse)
        snprintf(buf, sizeof buf, "reuse %u", p.reuse);
    else if (p.strategy == BM_MAP_FOLD)
        snprintf(buf, sizeof buf, "fold %u", p.fold ? p.fold : BM_COMPILE_FOLD_DEFAULT);
    else
        snprintf(buf, sizeof buf, "%s", bm_map_strategy_name(p.strategy));
    if (p.mul != BM_MUL_COMB)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ", mul %s",
                 bm_mul_variant_get(p.mul)->name);
    return buf;
}

static inline bm_machine *compile_with(const bm_graph *g, placement p, const char *what)
{
    bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
    opt.strategy = p.strategy;
    if (p.cores)
        opt.cores = p.cores;
    if (p.fold)
        opt.fold = p.fold;
    opt.reuse = p.reuse;
    opt.mul = p.mul;
    bm_machine *m = NULL;
    int rc = bm_compile(&m, g, &opt);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s, %s: bm_compile gives %d:\n%s", what, placement_name(p), rc, d);
    free(d);
    return m;
}

/* Prints the machine (for failure messages). */
static inline void dump_machine(const bm_machine *m)
{
    char *text;
    size_t len;
    if (bm_disasm_machine(&text, &len, m, NULL) == 0) {
        fprintf(stderr, "%s", text);
        bm_disasm_free(bm_machine_ctx(m), text);
    }
}

/* Compiles g with p and checks, by the report's simulation, that a machine
 * streaming `vectors` vectors (given raw inputs, or random from seed when
 * inputs is NULL) outputs bm_graph_eval's bits and never deadlocks.
 * Returns the latency. */
static inline uint64_t check_compiled(const bm_graph *g, placement p, const int64_t *inputs,
                                      size_t n_inputs, unsigned vectors, uint64_t seed,
                                      const char *what)
{
    bm_machine *m = compile_with(g, p, what);
    bm_report_options ro = BM_REPORT_OPTIONS_INIT;
    ro.vectors = vectors;
    ro.seed = seed;
    ro.inputs = inputs;
    ro.n_inputs = n_inputs;
    bm_compile_report *r = NULL;
    int rc = bm_compile_report_new(&r, m, g, &ro);
    if (rc)
        dump_machine(m);
    char *d = graph_diags(bm_graph_ctx(g));
    cr_assert_eq(rc, 0, "%s, %s: the machine does not compute the graph (%d):\n%s", what,
                 placement_name(p), rc, d);
    free(d);
    uint64_t latency = bm_compile_report_summary(r)->latency;
    bm_compile_report_free(r);
    bm_machine_free(m);
    return latency;
}

/* Compiles g with opt, then reports on the machine, while f (the
 * allocator of g's context) refuses the n-th allocation for n = 0, 1, ...
 * until a run needs no refusal: every refusal must come back as BM_ENOMEM
 * with *out NULL (and leak nothing: make sanitize). */
static inline void compile_survives_every_failure(const bm_graph *g, failing *f,
                                                  const bm_compile_options *opt, const char *what)
{
    bm_ctx *ctx = bm_graph_ctx(g);
    int done = 0;
    for (long n = 0; n < 100000 && !done; n++) {
        bm_ctx_clear_diags(ctx);
        f->countdown = n;
        f->failures = 0;
        bm_machine *m = (bm_machine *)1;
        bm_compile_report *r = (bm_compile_report *)1;
        int rc = bm_compile(&m, g, opt);
        if (rc) {
            cr_assert_eq(rc, BM_ENOMEM, "%s, allocation %ld: %d", what, n, rc);
            cr_assert_null(m);
            cr_assert_gt(f->failures, 0);
            continue;
        }
        rc = bm_compile_report_new(&r, m, g, NULL);
        if (rc) {
            cr_assert_eq(rc, BM_ENOMEM, "%s, report, allocation %ld: %d", what, n, rc);
            cr_assert_null(r);
        } else {
            done = f->failures == 0;
            bm_compile_report_free(r);
        }
        bm_machine_free(m);
    }
    f->countdown = -1;
    cr_expect(done, "%s never succeeded", what);
}

#endif
