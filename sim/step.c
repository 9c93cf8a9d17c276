/* The step loop: one clock cycle of the whole machine, as docs/timing.md
 * defines it.
 *
 * Within a cycle every valid and ready depends only on state at the start
 * of the cycle (never combinationally on the other side), so a cycle is:
 *
 *   A. every running core looks at its instruction.  Instructions without
 *      I/O complete at once: they touch only their own core, and nothing
 *      that another core sees this cycle depends on them.  I/O instructions
 *      raise ready (in) or offer a value (out) on their port's bond and are
 *      put on the pending list;
 *   B. external outputs raise ready (always, or by pattern or callback);
 *   C. every bond with a ready sink is checked: it transfers when all its
 *      sinks are ready and its source is valid;
 *      A `pkmacfx` raises no ready: it looks at its source once C is
 *      done (look_all), as `valid` stands in the cycle;
 *   D. transfers to external outputs are recorded, in output order;
 *   E. pending I/O instructions complete or stall, depending on C.
 *
 * A core whose stall could only repeat sleeps from E on and is left out of
 * A until something it waits on changes (idle.c).  Since what a core does
 * in A depends only on its own state and the start of the cycle, the order
 * in which A visits cores does not matter, and a sleeper woken during A or
 * B is visited late, before C, as if it had been visited in turn.
 *
 * Nothing here allocates.  Instructions are interpreted from their
 * predecoded catalogue row; the ALU is bm_alu_eval, the one reference. */
#include <limits.h>

#include "internal.h"
#include "sim_impl.h"

static inline uint64_t src_value(const sim_core *k, uint8_t kind, uint32_t slot, uint64_t input)
{
    if (kind == BM_SRC_RAM) {
        uint64_t addr = k->slots[slot];
        return addr < k->ram_depth ? k->ram[addr] : 0;
    }
    if (kind == BM_SRC_INPUT)
        return input;
    return k->slots[slot]; /* register, constant, or scratch for "none" */
}

/* Writes a result to a register or the RAM; returns whether that changed
 * anything. */
static inline int write_dst(sim_core *k, const sim_op *op, uint64_t r)
{
    if (op->dst_kind == BM_DST_RAM) {
        uint64_t addr = k->slots[op->dst];
        if (addr >= k->ram_depth)
            return 0; /* a store beyond the RAM does nothing */
        int changed = k->ram[addr] != r;
        k->ram[addr] = r;
        return changed;
    }
    if (op->dst_kind == BM_DST_OUTPUT)
        return 0;
    int changed = k->slots[op->dst] != r;
    k->slots[op->dst] = r;
    return changed;
}

/* Completes an instruction: next pc from the flow, A being the value of the
 * A source at the start of the cycle. */
static inline int complete(sim_core *k, const sim_op *op, uint64_t a)
{
    uint32_t npc = op->npc[a != 0];
    int changed = npc != k->pc || k->busy != 0;
    k->pc = npc;
    k->busy = 0;
    k->refetching = (op->refetch >> (a != 0)) & 1;
    k->retired++;
    return changed | k->refetching;
}

/* A pipelined multiplier issues: the product now, the register write at the
 * end of the next cycle (bmi_sim_cycle applies it).  For a multiply-accumulate
 * the product is B * C without the accumulator, added at write-back. */
static void issue_delayed(bm_sim *sim, sim_core *k, const sim_op *op, uint64_t a, uint64_t b,
                          uint64_t c)
{
    int acc = op->alu == BM_ALU_MACFX;
    k->iss_val = bm_alu_eval((bm_alu_op)op->alu, acc ? 0 : a, b, c, k->width, k->frac);
    k->iss_acc = (uint8_t)acc;
    k->iss_dst = op->dst;
    sim->wb_next[sim->n_wb_next++] = k;
}

static int exec_local(bm_sim *sim, sim_core *k, const sim_op *op)
{
    if (op->cls == SIM_OP_OFF_END)
        return 0;
    if (k->busy + 1u < op->cycles) {
        k->busy++;
        return 1;
    }
    uint64_t a = src_value(k, op->a_kind, op->a, 0);
    uint64_t b = src_value(k, op->b_kind, op->b, 0);
    uint64_t c = src_value(k, op->c_kind, op->c, 0);
    if (op->delayed) {
        issue_delayed(sim, k, op, a, b, c);
        return complete(k, op, a) | 1;
    }
    uint64_t r = bm_alu_eval((bm_alu_op)op->alu, a, b, c, k->width, k->frac);
    int changed = write_dst(k, op, r);
    if (op->halt) {
        k->halted = 1;
        k->busy = 0;
        k->retired++;
        sim->n_halted++;
        sim_unmark(sim, k);
        return 1;
    }
    return complete(k, op, a) | changed;
}

static inline void add_ready(sim_bond *b, uint64_t stamp, sim_bond **cand, unsigned *nc)
{
    if (b->ready_stamp != stamp) {
        b->ready_stamp = stamp;
        b->ready_count = 0;
        cand[(*nc)++] = b;
    }
    b->ready_count++;
}

int bmi_sim_output_ready(const bm_sim *sim, const sim_output *o, uint64_t cycle)
{
    if (o->fn)
        return o->fn(o->fn_user, (unsigned)(o - sim->outputs), cycle) != 0;
    if (o->pattern)
        return o->pattern[cycle % o->n_pattern] != 0;
    return 1;
}

int bmi_sim_bond_source_valid(const bm_sim *sim, const sim_bond *b, uint64_t stamp, uint64_t *data)
{
    (void)sim;
    if (b->src_in) {
        if (b->src_in->pos == b->src_in->len)
            return 0;
        *data = b->src_in->vals[b->src_in->pos];
        return 1;
    }
    if (b->src_out->count) {
        *data = sim_queue_head(b->src_out);
        return 1;
    }
    if (b->offer_stamp == stamp) {
        *data = b->offer_value;
        return 1;
    }
    return 0;
}

static void record(bm_sim *sim, unsigned output, uint64_t value)
{
    bm_sim_transfer t = {output, value, sim->cycle};
    if (sim->opts.record_outputs)
        sim->rec[sim->n_rec++] = t; /* room was made before the cycle */
    sim->out_total++;
    if (sim->opts.on_output)
        sim->opts.on_output(sim->opts.on_output_user, &t);
}

/* Whether each pending pkmacfx's source is valid, and its value: after C,
 * which never transfers a value a core looks at (the bond waits for every
 * sink's ready, and the looking core raises none), before D and E. */
static void look_all(const bm_sim *sim, sim_pending *pending, unsigned np, uint64_t stamp)
{
    for (unsigned j = 0; j < np; j++) {
        sim_pending *p = &pending[j];
        if (p->op->io != BM_IO_IN_PEEK)
            continue;
        const sim_bond *b = p->core->in_bond[p->op->port];
        p->blocked = !(b && bmi_sim_bond_source_valid(sim, b, stamp, &p->value));
    }
}

/* Completes an instruction that reads input value v (in, inn, inmacfx,
 * pkmacfx): computes with it, now or through the pipelined multiplier. */
static int compute_on_input(bm_sim *sim, sim_core *k, const sim_op *op, uint64_t v)
{
    uint64_t a = src_value(k, op->a_kind, op->a, v);
    uint64_t bv = src_value(k, op->b_kind, op->b, v);
    uint64_t cv = src_value(k, op->c_kind, op->c, v);
    if (op->delayed)
        issue_delayed(sim, k, op, a, bv, cv);
    else
        write_dst(k, op, bm_alu_eval((bm_alu_op)op->alu, a, bv, cv, k->width, k->frac));
    complete(k, op, a);
    return 1;
}

/* E: completes or stalls the I/O instruction of a pending core. */
static int finish_io(bm_sim *sim, const sim_pending *p, uint64_t stamp)
{
    sim_core *k = p->core;
    const sim_op *op = p->op;
    if (op->io == BM_IO_IN_PEEK) {
        /* pkmacfx: computes with the value its source offered (look_all)
         * and leaves it there */
        if (!p->blocked)
            return compute_on_input(sim, k, op, p->value);
        if (sim->skipping)
            bmi_sim_sleep_in(sim, k, op, 0, stamp);
        return 0; /* stall until the source is valid */
    }
    if (op->io == BM_IO_IN_WAIT || op->io == BM_IO_IN_TRY) {
        const sim_bond *b = k->in_bond[op->port];
        if (p->blocked) {
            if (op->io == BM_IO_IN_TRY)
                return complete(k, op, src_value(k, op->a_kind, op->a, 0));
            if (sim->skipping)
                bmi_sim_sleep_in(sim, k, op, 1, stamp);
            return 0; /* the forward's queue is full */
        }
        if (b && b->xfer_stamp == stamp) {
            uint64_t v = b->xfer_value;
            if (k->forwards) {
                sim_outport *fw = &k->out[k->fwd_out];
                sim->n_holds_full += fw->count == 0;
                sim_queue_push(fw, v);
                if (fw->bond)
                    sim_wake_bond(sim, fw->bond);
            }
            return compute_on_input(sim, k, op, v);
        }
        if (op->io == BM_IO_IN_TRY)
            return complete(k, op, src_value(k, op->a_kind, op->a, 0));
        if (sim->skipping)
            bmi_sim_sleep_in(sim, k, op, 0, stamp);
        return 0; /* in: stall, try again next cycle */
    }
    sim_outport *port = &k->out[op->port];
    if (p->blocked) {
        if (sim->skipping)
            bmi_sim_sleep_out(sim, k, op);
        return 0; /* out: waits for the queue to empty; outn: for room */
    }
    int taken = port->bond && port->bond->xfer_stamp == stamp;
    if (op->io == BM_IO_OUT_WAIT) {
        if (!taken)
            return 0; /* keeps offering next cycle */
        return complete(k, op, src_value(k, op->a_kind, op->a, 0)) | 1;
    }
    /* outn: queue the value unless it was offered itself and taken (a
     * transfer from a non-empty queue took its oldest value instead) */
    if (!(p->offered && taken)) {
        sim->n_holds_full += port->count == 0;
        sim_queue_push(port, p->value);
        /* every value queued wakes the bond's sleepers (idle.c), the one
         * rule to check; here it is belt and braces: an offer in A woke
         * them, or the queue held a value and nobody could sleep on it */
        if (port->bond)
            sim_wake_bond(sim, port->bond);
    }
    complete(k, op, src_value(k, op->a_kind, op->a, 0));
    return 1;
}

/* A: one core looks at its instruction (see the top of the file).  Returns
 * nonzero when that changed anything. */
static SIM_ALWAYS_INLINE int visit(bm_sim *sim, sim_core *k, uint64_t stamp, unsigned *np,
                                   unsigned *nc)
{
    if (SIM_UNLIKELY(k->refetching)) {
        k->refetching = 0; /* a staged core reads its jump's target */
        return 1;
    }
    const sim_op *op = &k->code[k->pc];
    if (SIM_LIKELY(op->cls == SIM_OP_FAST)) {
        uint64_t *s = k->slots;
        uint64_t a = s[op->a];
        uint64_t r = bm_alu_eval((bm_alu_op)op->alu, a, s[op->b], s[op->c], k->width, k->frac);
        uint32_t npc = op->npc[a != 0];
        int changed = (s[op->dst] != r) | (npc != k->pc);
        s[op->dst] = r;
        k->pc = npc;
        k->retired++;
        return changed;
    }
    if (op->cls != SIM_OP_CHANNEL)
        return exec_local(sim, k, op);
    if (k->busy + 1u < op->cycles) {
        k->busy++;
        return 1;
    }
    sim_pending *p = &sim->pending[(*np)++];
    p->core = k;
    p->op = op;
    p->blocked = 0;
    if (op->io == BM_IO_IN_PEEK) {
        sim->n_looks++; /* raises no ready: looks at the source before E */
    } else if (op->io == BM_IO_IN_WAIT || op->io == BM_IO_IN_TRY) {
        sim_bond *b = k->in_bond[op->port];
        p->blocked = (uint8_t)sim_forward_full(k);
        if (b && !p->blocked)
            add_ready(b, stamp, sim->cand, nc);
    } else {
        sim_outport *port = &k->out[op->port];
        p->blocked = op->io == BM_IO_OUT_WAIT ? port->count != 0 : port->count == port->depth;
        p->offered = port->count == 0;
        if (!p->blocked) {
            p->value = bm_alu_eval((bm_alu_op)op->alu, src_value(k, op->a_kind, op->a, 0),
                                   src_value(k, op->b_kind, op->b, 0),
                                   src_value(k, op->c_kind, op->c, 0), k->width, k->frac);
            if (p->offered && port->bond) {
                port->bond->offer_stamp = stamp;
                port->bond->offer_value = p->value;
                sim_wake_bond(sim, port->bond);
            }
        }
    }
    return 0;
}

int bmi_sim_cycle(bm_sim *sim)
{
    const uint64_t stamp = sim->cycle + 1;
    sim_core *const cores = sim->cores;
    const unsigned n_cores = sim->n_cores;
    sim_pending *const pending = sim->pending;
    sim_bond **const cand = sim->cand;
    unsigned np = 0, nc = 0;
    int changed = 0, live = 0;

    /* Cores sleep unless a VCD shows every sink's ready (idle.c) or a
     * test asks for the loop over every core. */
    const int skipping = !sim->visit_all && sim->vcd == NULL;
    if (SIM_UNLIKELY(!skipping && sim->n_asleep))
        bmi_sim_wake_all(sim);
    sim->skipping = (uint8_t)skipping;

    if (SIM_UNLIKELY(sim->trace != NULL))
        bmi_sim_trace_begin(sim);
    if (SIM_UNLIKELY(sim->vcd != NULL))
        bmi_sim_vcd_begin_cycle(sim);

    /* Pipelined multipliers that issued last cycle write back at the end of
     * this one, from their register's value at its start. */
    for (unsigned i = 0; i < sim->n_wb_now; i++) {
        sim_core *k = sim->wb_now[i];
        k->wb_dst = k->iss_dst;
        k->wb_val = k->iss_acc ? (k->iss_val + k->slots[k->iss_dst]) & bm_mask(k->width)
                               : k->iss_val;
    }

    /* A */
    if (SIM_LIKELY(skipping)) {
        /* the cores whose bit is set, a word of the awake bits at a time;
         * a core woken on the way (an `out` offers to a sleeping sink) in
         * a word not yet read is found there, else put on `late` */
        const uint64_t *awake = sim->awake;
        const unsigned n_words = sim->n_awake_words;
        sim->scanning = 1;
        for (unsigned wi = 0; wi < n_words; wi++) {
            sim->scan_word = wi;
            uint64_t bits = awake[wi];
            sim_core *const base = &cores[wi * 64];
            if (bits == UINT64_MAX) {
                /* 64 cores awake, the busy machine's case: the plain loop
                 * (finding each bit costs a fifth of a busy cycle) */
                for (unsigned j = 0; j < 64; j++)
                    changed |= visit(sim, &base[j], stamp, &np, &nc);
                continue;
            }
            for (; bits; bits &= bits - 1)
                changed |= visit(sim, &base[sim_ctz64(bits)], stamp, &np, &nc);
        }
        sim->scan_word = UINT_MAX;
    } else {
        for (unsigned i = 0; i < n_cores; i++)
            if (!cores[i].halted)
                changed |= visit(sim, &cores[i], stamp, &np, &nc);
    }

    /* B */
    for (unsigned i = 0; i < sim->n_bonded_outputs; i++) {
        sim_output *o = sim->bonded_outputs[i];
        if (SIM_LIKELY(!o->pattern && !o->fn)) {
            add_ready(o->bond, stamp, cand, &nc);
            continue;
        }
        if (bmi_sim_output_ready(sim, o, sim->cycle))
            add_ready(o->bond, stamp, cand, &nc);
        uint64_t unused;
        if (o->fn && bmi_sim_bond_source_valid(sim, o->bond, stamp, &unused))
            live = 1; /* the callback may say ready later: not a deadlock */
    }
    /* Sinks woken after the loop read their word (and any that a ready
     * callback woke by pushing stimulus) raise their ready before C, as
     * they would have in A. */
    for (unsigned j = 0; j < sim->n_late; j++)
        changed |= visit(sim, sim->late[j], stamp, &np, &nc);
    sim->n_late = 0;
    sim->scanning = 0;

    if (SIM_UNLIKELY(sim->vcd != NULL))
        bmi_sim_vcd_channels(sim);

    /* C */
    int to_outputs = 0;
    for (unsigned j = 0; j < nc; j++) {
        sim_bond *b = cand[j];
        if (b->ready_count != b->n_sinks)
            continue;
        uint64_t data;
        if (b->src_in) {
            sim_input *in = b->src_in;
            if (in->pos == in->len)
                continue;
            data = in->vals[in->pos++];
        } else if (b->src_out->count) {
            data = sim_queue_head(b->src_out);
            sim_queue_pop(b->src_out);
            sim->n_holds_full -= b->src_out->count == 0;
            sim_wake_port(sim, b->src_out);
        } else if (b->offer_stamp == stamp) {
            data = b->offer_value;
        } else {
            continue;
        }
        b->xfer_stamp = stamp;
        b->xfer_value = data;
        changed = 1;
        to_outputs |= b->has_ext_sink;
    }

    /* The pkmacfx instructions look at their sources as C left them: before
     * D, whose output callbacks may push stimulus, and E, whose pushes (a
     * forward's, an outn's), like those, are seen in the next cycle. */
    if (SIM_UNLIKELY(sim->n_looks)) {
        look_all(sim, pending, np, stamp);
        sim->n_looks = 0;
    }

    /* D */
    if (to_outputs) {
        for (unsigned i = 0; i < sim->n_bonded_outputs; i++) {
            const sim_output *o = sim->bonded_outputs[i];
            if (o->bond->xfer_stamp == stamp)
                record(sim, (unsigned)(o - sim->outputs), o->bond->xfer_value);
        }
    }

    /* E */
    for (unsigned j = 0; j < np; j++)
        changed |= finish_io(sim, &pending[j], stamp);

    /* The write-backs, last: they win over an instruction's write to the
     * same register in the same cycle (docs/timing.md). */
    for (unsigned i = 0; i < sim->n_wb_now; i++) {
        sim_core *k = sim->wb_now[i];
        changed |= k->slots[k->wb_dst] != k->wb_val;
        k->slots[k->wb_dst] = k->wb_val;
    }
    sim_core **t = sim->wb_now;
    sim->wb_now = sim->wb_next;
    sim->n_wb_now = sim->n_wb_next;
    sim->wb_next = t;
    sim->n_wb_next = 0;
    changed |= sim->n_wb_now != 0;

    if (SIM_UNLIKELY(sim->trace != NULL))
        bmi_sim_trace_end(sim);
    if (SIM_UNLIKELY(sim->vcd != NULL))
        bmi_sim_vcd_end_cycle(sim);
    sim->cycle++;
    return changed | live;
}
