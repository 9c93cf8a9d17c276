/* Idle skipping: the step loop visits only cores that can act.
 *
 * A core that waits costs nothing per cycle.  It sleeps, its bit in the
 * step loop's `awake` set cleared, from the end of a cycle in which it
 * waited (phase E) until whatever
 * could end the wait happens, and then is visited again in the very cycle in
 * which the old loop would first have seen a difference:
 *
 *   - an `in` on a bond whose source will not be valid: its ready raised or
 *     not, the bond cannot transfer, and stalling changes nothing.  A source
 *     becomes valid only when a stimulus value is pushed (bm_sim_push_input),
 *     a value is queued on the source port (phase E) or an `out` offers one
 *     (phase A).  Each wakes the bond's sleepers; one woken in phase A (or
 *     by a ready callback in phase B) is visited in the same cycle, before
 *     phase C, so that it raises its ready exactly as it would have: a
 *     transfer needs every sink ready, so a sink that slept would
 *     otherwise be missing;
 *   - an `in` blocked by its forward's full queue, an `out` waiting for its
 *     port's queue to empty, an `outn` for room: none raises ready or offers
 *     anything, and only a value leaving that queue (phase C) changes it.
 *     The wait is judged at the start of a cycle, so the core is woken for
 *     the next one.
 *
 * Everything else (a running core, a multi-cycle instruction counting,
 * a staged core's refetch, `inn`, an `out` offering a value nobody takes)
 * stays in the loop.  A sleeping core's state does not change, so its pc,
 * counters, trace states and the stall text read the same; the cycle's
 * `changed` result is the same (a wait changes nothing), so deadlock and
 * end of input are found in the same cycle.
 *
 * While a VCD is written every core is visited: the VCD shows each bond's
 * ready, counted from the sinks that raised it. */
#include "internal.h"
#include "sim_impl.h"

int bmi_sim_idle_init(bm_sim *sim)
{
    unsigned n = sim->n_cores;
    sim->n_awake_words = (n + 63) / 64;
    sim->awake = bm_calloc(sim->ctx, sim->n_awake_words ? sim->n_awake_words : 1,
                           sizeof *sim->awake);
    sim->late = bm_calloc(sim->ctx, n ? n : 1, sizeof *sim->late);
    if (!sim->awake || !sim->late)
        return BM_ENOMEM;
    for (unsigned i = 0; i < n / 64; i++)
        sim->awake[i] = UINT64_MAX;
    if (n % 64)
        sim->awake[n / 64] = (UINT64_C(1) << (n % 64)) - 1;
    return BM_OK;
}

void bmi_sim_wake_sinks(bm_sim *sim, sim_bond *b)
{
    sim_core *k = b->sleepers;
    b->sleepers = NULL;
    while (k) {
        sim_core *next = k->next_sleeper;
        k->next_sleeper = NULL;
        sim_wake(sim, k);
        k = next;
    }
}

void bmi_sim_wake_all(bm_sim *sim)
{
    for (unsigned i = 0; i < sim->n_bonds; i++)
        sim->bonds[i].sleepers = NULL;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        sim_core *k = &sim->cores[i];
        for (unsigned q = 0; q < k->n_out; q++)
            k->out[q].sleeper = NULL;
        k->next_sleeper = NULL;
        if (k->asleep)
            sim_wake(sim, k);
    }
}

void bmi_sim_set_visit_all(bm_sim *sim, int on)
{
    sim->visit_all = on != 0;
}

static void fall_asleep(bm_sim *sim, sim_core *k)
{
    k->asleep = 1;
    sim->n_asleep++;
    sim_unmark(sim, k);
}

void bmi_sim_sleep_in(bm_sim *sim, sim_core *k, const sim_op *op, int blocked, uint64_t stamp)
{
    if (blocked) {
        /* Judged after phase C: if a value left the forward's queue this
         * cycle, the next one takes the input. */
        sim_outport *fw = &k->out[k->fwd_out];
        if (fw->count == fw->depth) {
            fw->sleeper = k;
            fall_asleep(sim, k);
        }
        return;
    }
    sim_bond *b = k->in_bond[op->port];
    if (!b) {
        fall_asleep(sim, k); /* nothing ever comes: only bmi_sim_wake_all wakes it */
        return;
    }
    /* The source stays valid into the next cycle when stimulus is left, a
     * value is queued, or an `out` offered one nobody took (it offers again):
     * the core keeps looking. */
    if (b->src_in ? b->src_in->pos < b->src_in->len
                  : b->src_out->count != 0 || b->offer_stamp == stamp)
        return;
    k->next_sleeper = b->sleepers;
    b->sleepers = k;
    fall_asleep(sim, k);
}

void bmi_sim_sleep_out(bm_sim *sim, sim_core *k, const sim_op *op)
{
    sim_outport *port = &k->out[op->port];
    int waits = op->io == BM_IO_OUT_WAIT ? port->count != 0 : port->count == port->depth;
    if (waits) {
        port->sleeper = k;
        fall_asleep(sim, k);
    }
}
