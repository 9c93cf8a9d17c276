/* bm_sim_run_vectors: the C form of `bmc compile --test`.  A streaming
 * machine (what bm_compile makes) takes one value on each external input
 * per vector and gives one value on each external output per vector, in
 * order; this pushes every vector up front, runs the simulator until every
 * output has given one value per vector, and files each value under its
 * vector.  Transfers are not kept by the simulator but written straight
 * into the caller's array, so memory does not grow with the vectors. */
#include <inttypes.h>
#include <string.h>

#include "internal.h"
#include "sim_impl.h"

typedef struct collect {
    const bm_machine *m;
    int64_t *outputs;
    size_t n, *count; /* vectors; values seen per output so far */
    unsigned no;
} collect;

static void on_output(void *user, const bm_sim_transfer *t)
{
    collect *c = user;
    size_t k = c->count[t->output]++;
    if (k < c->n)
        c->outputs[k * c->no + t->output] =
            bm_sign_extend(t->value, bm_machine_output_width(c->m, t->output));
}

int bm_sim_run_vectors(int64_t *outputs, const bm_machine *m, const int64_t *inputs, size_t n,
                       uint64_t max_cycles)
{
    if (!m)
        return BM_EINVAL;
    bm_ctx *ctx = bm_machine_ctx(m);
    if ((!outputs || !inputs) && n) {
        bm_error(ctx, bm_machine_loc(m), "bm_sim_run_vectors: NULL %s for %zu vectors",
                 outputs ? "inputs" : "outputs", n);
        return BM_EINVAL;
    }
    unsigned ni = bm_machine_input_count(m), no = bm_machine_output_count(m);
    if (n && no == 0) {
        bm_error(ctx, bm_machine_loc(m), "machine '%s' has no external output to collect",
                 bm_machine_name(m));
        return BM_EINVALID;
    }
    if (n == 0)
        return BM_OK;
    collect c = {m, outputs, n, bm_calloc(ctx, no, sizeof *c.count), no};
    if (!c.count)
        return bm_oom(ctx);
    bm_sim_options so = BM_SIM_OPTIONS_INIT;
    so.record_outputs = 0;
    so.on_output = on_output;
    so.on_output_user = &c;
    bm_sim *sim = NULL;
    int rc = bm_sim_new(&sim, m, &so);
    for (size_t i = 0; i < n && !rc; i++)
        for (unsigned k = 0; k < ni && !rc; k++)
            rc = bm_sim_push_input(sim, k, (uint64_t)inputs[i * ni + k]);
    bm_sim_stop stop = BM_SIM_STEPPED;
    if (!rc) {
        bm_sim_limits lim = BM_SIM_LIMITS_INIT;
        lim.max_cycles = max_cycles;
        lim.max_outputs = (uint64_t)n * no;
        rc = bm_sim_run(sim, &lim, &stop);
    }
    if (!rc) {
        /* every output one value per vector, no more and no fewer */
        size_t done = n;
        for (unsigned k = 0; k < no; k++)
            done = c.count[k] < done ? c.count[k] : done;
        if (stop != BM_SIM_STOP_OUTPUTS || done < n) {
            bm_error(ctx, bm_machine_loc(m),
                     "machine '%s' stopped (%s) after %" PRIu64 " cycles with %zu of %zu vectors "
                     "out", bm_machine_name(m),
                     stop == BM_SIM_STOP_DEADLOCK && bm_sim_input_ended(sim)
                         ? "end of input"
                         : bm_sim_stop_name(stop),
                     bm_sim_cycle(sim), done, n);
            rc = BM_EINVALID;
        }
        for (unsigned k = 0; k < no && !rc; k++)
            if (c.count[k] != n) {
                bm_error(ctx, bm_machine_loc(m),
                         "output '%s' gave %zu values for %zu vectors: not one per vector",
                         bm_machine_output_name(m, k), c.count[k], n);
                rc = BM_EINVALID;
            }
    }
    bm_sim_free(sim);
    bm_free(ctx, c.count);
    return rc;
}
