/* Predicted timing: the latency and interval a machine will show, computed
 * from its programs before (and without) simulating it.
 *
 * The model knows no values, only when things happen (docs/timing.md):
 *
 *   - a core issues its instructions in program order, each taking
 *     bm_opcode_cycles() of its opcode on that core (so W + 1 for a serial
 *     multiply); a taken jump costs nothing extra in a direct core and a
 *     refetch cycle in a staged one; a conditional jump is
 *     taken as falling through, the longer way of the compiler's argmax
 *     (its real time depends on the data);
 *   - transfer k of a bond happens in the first cycle at which its source
 *     offers value k and every sink core is executing `in` for it:
 *     T = max(offer, arrivals); an external input offers value k from the
 *     cycle after transfer k - 1 (value 0 from cycle 0), while it has
 *     values; an external output is always ready; a receiving core goes
 *     on after the transfer (`in` completes in its cycle);
 *   - `outn` offers its value from the cycle it issues, and issues only
 *     while the port's queue of Q words (the core's `queue`; 1 is the
 *     holding register) has room: value k issues at the earliest the
 *     cycle after the transfer of value k - Q; a bond moves at most one
 *     value a cycle, the oldest first, so T_k >= T_(k-1) + 1; `out`
 *     issues once the queue is empty and also waits for its own transfer;
 *   - a forwarding core (docs/timing.md "Forwarding") takes its k-th value
 *     only while its forward's queue has room, at the earliest the cycle
 *     after the forward's transfer of value k - Q, and its forward offers
 *     that value from the cycle after it was taken;
 *   - `pkmacfx` looks at the value a bond offers without taking it: it
 *     completes in the first cycle from its issue at which the bond's
 *     oldest value not yet transferred is offered, max(issue, offer), and
 *     raises no ready, so a transfer of that bond waits for the core to
 *     reach the instruction that takes it.
 *
 * These are max-plus recurrences over each core's instruction sequence and
 * each bond's sequence of transfers; evaluating them in any order that
 * respects both gives the same times, so cores are advanced until each
 * blocks on a transfer that is not yet determined, in a worklist.  For
 * straight-line programs this is the simulator's timing exactly; the
 * figures are then computed as the report computes the simulated ones. */
#include <string.h>

#include "map.h"

#define NEVER INT64_MAX

enum {
    WAIT_IN = 1,   /* at an `in`: a transfer to it                     */
    WAIT_SLOT,     /* at an `outn`/`out`: the port's previous value to go */
    WAIT_TAKEN,    /* after an `out`: its own value to go              */
    WAIT_LOOK      /* at a `pkmacfx`: a value offered to look at       */
};

typedef struct pcore {
    const bm_core *c;
    int fwd;          /* the bond of its forward, or -1            */
    unsigned pc, len;
    int64_t t;        /* the cycle of its next issue             */
    int32_t wait;     /* the bond it waits on, or -1             */
    int8_t why;       /* what for: a WAIT_* below                */
    int8_t done;      /* halted, or out of instructions          */
    int8_t queued;
} pcore;

typedef struct pbond {
    int src_core;     /* -1: an external input                   */
    int src_input;
    int64_t offer;    /* the oldest value's offer; NEVER: none    */
    int64_t last;     /* the cycle of the last transfer, or -1   */
    uint64_t count;   /* transfers so far                         */
    uint64_t issued;  /* values a core source has issued          */
    unsigned depth;   /* the source port's queue (1 for an input) */
    unsigned n_pend;  /* a core source's values not yet taken     */
    int64_t *pend;    /* their offers, oldest at pend[count % depth] */
    int64_t *hist;    /* transfer k's cycle at hist[k % depth]    */
    unsigned first_sink, n_sinks;
    int out_waiter;   /* a core waiting for its `out`, or -1     */
} pbond;

typedef struct psink {
    int core;         /* -1: external output `output`           */
    int output;
} psink;

typedef struct model {
    bm_ctx *ctx;
    const bm_machine *m;
    pcore *cores;
    pbond *bonds;
    psink *sinks;
    unsigned n_cores, n_bonds;
    unsigned *work;
    unsigned n_work;
    unsigned vectors;
    int64_t *times;       /* every bond's pend and hist rings       */
    uint64_t *out_count;  /* per machine output: transfers          */
    int64_t *done;        /* per vector: its last output transfer   */
    int64_t first_in;     /* the first input transfer, or -1        */
    uint64_t budget;      /* instructions left to model             */
} model;

static void enqueue(model *md, unsigned c)
{
    if (!md->cores[c].queued && !md->cores[c].done) {
        md->cores[c].queued = 1;
        md->work[md->n_work++] = c;
    }
}

/* An external input offers its next value, if it has one. */
static void offer_input(model *md, pbond *b)
{
    b->offer = b->count < md->vectors ? (b->count ? b->last + 1 : 0) : NEVER;
}

/* Core c's waiting input instruction completes in cycle T: the core goes
 * on after it. */
static void input_done(model *md, unsigned ci, int64_t T)
{
    pcore *c = &md->cores[ci];
    const bm_opcode_def *d = bm_isa_get(bm_core_insn(c->c, c->pc)->opcode);
    const bm_core_params *p = bm_core_get_params(c->c);
    c->t = T + bm_opcode_cycles(d, p->mul, p->width);
    c->pc++;
    c->wait = -1;
    enqueue(md, ci);
}

/* Completes the pkmacfx of every sink core waiting to look at bond b's
 * oldest value, once that value is offered. */
static void complete_looks(model *md, const pbond *b, unsigned bi)
{
    if (b->offer == NEVER)
        return;
    for (unsigned k = 0; k < b->n_sinks; k++) {
        const psink *s = &md->sinks[b->first_sink + k];
        if (s->core < 0)
            continue;
        pcore *c = &md->cores[s->core];
        if (c->wait != (int32_t)bi || c->why != WAIT_LOOK)
            continue;
        input_done(md, (unsigned)s->core, b->offer > c->t ? b->offer : c->t);
    }
}

/* Transfers of bond b, as long as they can happen. */
static void try_transfer(model *md, unsigned bi)
{
    pbond *b = &md->bonds[bi];
    for (;;) {
        complete_looks(md, b, bi); /* the oldest value, once it is offered */
        if (b->offer == NEVER)
            return;
        int64_t T = b->offer > b->last ? b->offer : b->last + 1;
        for (unsigned k = 0; k < b->n_sinks; k++) {
            const psink *s = &md->sinks[b->first_sink + k];
            if (s->core < 0)
                continue;
            const pcore *c = &md->cores[s->core];
            if (c->wait != (int32_t)bi || c->why != WAIT_IN)
                return;
            if (c->t > T)
                T = c->t;
            if (c->fwd >= 0) {
                /* room in the forward's queue: value issued - depth gone */
                const pbond *f = &md->bonds[c->fwd];
                if (f->issued >= f->depth) {
                    if (f->count + f->depth <= f->issued)
                        return; /* retried when the forward transfers */
                    int64_t gone = f->hist[(f->issued - f->depth) % f->depth];
                    if (gone + 1 > T)
                        T = gone + 1;
                }
            }
        }
        b->last = T;
        b->hist[b->count % b->depth] = T;
        b->count++;
        if (b->src_core < 0 && (md->first_in < 0 || T < md->first_in))
            md->first_in = T;
        for (unsigned k = 0; k < b->n_sinks; k++) {
            const psink *s = &md->sinks[b->first_sink + k];
            if (s->core < 0) {
                uint64_t v = md->out_count[s->output]++;
                if (v < md->vectors && T > md->done[v])
                    md->done[v] = T;
                continue;
            }
            pcore *c = &md->cores[s->core];
            input_done(md, (unsigned)s->core, T);
            if (c->fwd >= 0) {
                /* the value joins the forward's queue, offered next cycle */
                pbond *f = &md->bonds[c->fwd];
                f->pend[f->issued % f->depth] = T + 1;
                f->issued++;
                if (f->n_pend++ == 0)
                    f->offer = T + 1;
                try_transfer(md, (unsigned)c->fwd);
            }
        }
        if (b->src_core < 0) {
            offer_input(md, b);
            continue;
        }
        b->n_pend--;
        b->offer = b->n_pend ? b->pend[b->count % b->depth] : NEVER;
        pcore *src = &md->cores[b->src_core];
        if (src->fwd == (int)bi && src->wait >= 0 && src->why == WAIT_IN)
            try_transfer(md, (unsigned)src->wait); /* its take may have room now */
        if (b->out_waiter >= 0) {
            pcore *c = &md->cores[b->out_waiter];
            if (c->wait == (int32_t)bi) {
                if (c->why == WAIT_TAKEN && T + 1 > c->t)
                    c->t = T + 1; /* `out` completes in its transfer's cycle */
                c->wait = -1;
                enqueue(md, (unsigned)b->out_waiter);
            }
            b->out_waiter = -1;
        }
    }
}

/* Runs core ci until it blocks. */
static void advance(model *md, unsigned ci)
{
    pcore *c = &md->cores[ci];
    const bm_core_params *p = bm_core_get_params(c->c);
    c->queued = 0;
    while (!c->done && c->wait < 0 && md->budget) {
        if (c->pc >= c->len) {
            c->done = 1;
            break;
        }
        md->budget--;
        const bm_insn *in = bm_core_insn(c->c, c->pc);
        const bm_opcode_def *d = bm_isa_get(in->opcode);
        unsigned cycles = bm_opcode_cycles(d, p->mul, p->width);
        if (bm_io_reads_input(d->io)) {
            unsigned port = (unsigned)in->operand[d->port_operand];
            int b = bm_machine_bond_of_core_input(md->m, ci, port);
            if (b < 0) {
                c->done = 1; /* waits for ever */
                break;
            }
            c->wait = b;
            c->why = d->io == BM_IO_IN_PEEK ? WAIT_LOOK : WAIT_IN;
            try_transfer(md, (unsigned)b);
            continue; /* on, if the transfer (or the look) could happen at once */
        }
        if (d->io == BM_IO_OUT_WAIT || d->io == BM_IO_OUT_POST) {
            unsigned port = (unsigned)in->operand[d->port_operand];
            int bi = bm_machine_bond_of_core_output(md->m, ci, port);
            if (bi < 0) {
                c->done = 1; /* parks, and the next send waits for ever */
                break;
            }
            pbond *b = &md->bonds[bi];
            if (d->io == BM_IO_OUT_WAIT ? b->n_pend != 0 : b->n_pend == b->depth) {
                c->wait = bi; /* out: the queue to empty; outn: room in it */
                c->why = WAIT_SLOT;
                b->out_waiter = (int)ci;
                break;
            }
            /* out: after the last transfer; outn: after value k - depth's */
            int64_t after = d->io == BM_IO_OUT_WAIT ? b->last
                            : b->issued >= b->depth ? b->hist[(b->issued - b->depth) % b->depth]
                                                    : -1;
            int64_t issue = after >= 0 && after + 1 > c->t ? after + 1 : c->t;
            b->pend[b->issued % b->depth] = issue;
            b->issued++;
            if (b->n_pend++ == 0)
                b->offer = issue;
            c->t = issue + cycles;
            c->pc++;
            if (d->io == BM_IO_OUT_WAIT) {
                c->wait = bi;
                c->why = WAIT_TAKEN;
                b->out_waiter = (int)ci;
            }
            try_transfer(md, (unsigned)bi);
            continue;
        }
        c->t += cycles;
        switch (d->flow) {
        case BM_FLOW_JUMP:
            c->pc = (unsigned)in->operand[d->target_operand];
            c->t += bm_fetch_kind_get(p->fetch)->taken_jump_extra; /* a staged refetch */
            break;
        case BM_FLOW_HALT: c->done = 1; break;
        default: c->pc++; break; /* conditional jumps fall through */
        }
    }
}

static int build(model *md)
{
    bm_ctx *ctx = md->ctx;
    const bm_machine *m = md->m;
    md->n_cores = bm_machine_core_count(m);
    md->n_bonds = bm_machine_bond_count(m);
    size_t n_sinks = 0;
    for (unsigned b = 0; b < md->n_bonds; b++)
        n_sinks += bm_machine_bond_sink_count(m, b);
    unsigned no = bm_machine_output_count(m);
    md->cores = bm_calloc(ctx, md->n_cores + 1, sizeof *md->cores);
    md->bonds = bm_calloc(ctx, md->n_bonds + 1, sizeof *md->bonds);
    md->sinks = bm_calloc(ctx, n_sinks + 1, sizeof *md->sinks);
    md->work = bm_calloc(ctx, md->n_cores + 1, sizeof *md->work);
    md->out_count = bm_calloc(ctx, no + 1, sizeof *md->out_count);
    md->done = bm_calloc(ctx, md->vectors + 1, sizeof *md->done);
    if (!md->cores || !md->bonds || !md->sinks || !md->work || !md->out_count || !md->done)
        return bm_oom(ctx);
    uint64_t insns = 0;
    for (unsigned i = 0; i < md->n_cores; i++) {
        pcore *c = &md->cores[i];
        c->c = bm_machine_core(m, i);
        c->len = bm_core_program_length(c->c);
        c->wait = -1;
        const bm_core_params *cp = bm_core_get_params(c->c);
        c->fwd = cp->forward ? bm_machine_bond_of_core_output(m, i, cp->forward_out) : -1;
        insns += c->len;
    }
    /* every program a few times over per vector: argmax's loops are short */
    md->budget = (insns + 16) * 4 * ((uint64_t)md->vectors + 2);
    unsigned s = 0;
    size_t n_times = 0;
    for (unsigned bi = 0; bi < md->n_bonds; bi++) {
        pbond *b = &md->bonds[bi];
        bm_endpoint src;
        int rc = bm_machine_bond_source(m, bi, &src);
        if (rc)
            return rc;
        b->src_core = src.kind == BM_EP_CORE_OUT ? (int)src.index : -1;
        b->src_input = src.kind == BM_EP_INPUT ? (int)src.index : -1;
        b->depth = 1;
        if (b->src_core >= 0) {
            const bm_core_params *sp = bm_core_get_params(bm_machine_core(m, src.index));
            b->depth = sp->forward && src.port == sp->forward_out ? sp->forward_queue : sp->queue;
        }
        n_times += 2 * (size_t)b->depth;
        b->last = -1;
        b->out_waiter = -1;
        b->first_sink = s;
        b->n_sinks = bm_machine_bond_sink_count(m, bi);
        for (unsigned k = 0; k < b->n_sinks; k++, s++) {
            bm_endpoint e;
            if ((rc = bm_machine_bond_sink(m, bi, k, &e)))
                return rc;
            md->sinks[s].core = e.kind == BM_EP_CORE_IN ? (int)e.index : -1;
            md->sinks[s].output = e.kind == BM_EP_OUTPUT ? (int)e.index : -1;
        }
    }
    md->times = bm_calloc(ctx, n_times + 1, sizeof *md->times);
    if (!md->times)
        return bm_oom(ctx);
    int64_t *t = md->times;
    for (unsigned bi = 0; bi < md->n_bonds; bi++) {
        pbond *b = &md->bonds[bi];
        b->pend = t;
        b->hist = t + b->depth;
        t += 2 * (size_t)b->depth;
        if (b->src_core < 0)
            offer_input(md, b);
        else
            b->offer = NEVER;
    }
    return BM_OK;
}

static void release_model(model *md)
{
    bm_free(md->ctx, md->cores);
    bm_free(md->ctx, md->bonds);
    bm_free(md->ctx, md->sinks);
    bm_free(md->ctx, md->work);
    bm_free(md->ctx, md->out_count);
    bm_free(md->ctx, md->done);
    bm_free(md->ctx, md->times);
}

/* Models `vectors` vectors; done[k] their completions.  *complete is 1 when
 * every output gave a value for every vector. */
static int run_model(model *md, int *complete)
{
    int rc = build(md);
    if (rc)
        return rc;
    md->first_in = -1;
    for (unsigned i = 0; i < md->n_bonds; i++)
        if (md->bonds[i].src_core < 0 && md->bonds[i].src_input >= 0)
            try_transfer(md, i);
    for (unsigned i = 0; i < md->n_cores; i++)
        enqueue(md, i);
    unsigned no = bm_machine_output_count(md->m);
    while (md->n_work && md->budget) {
        unsigned ci = md->work[--md->n_work];
        advance(md, ci);
        int all = 1;
        for (unsigned k = 0; k < no && all; k++)
            all = md->out_count[k] >= md->vectors;
        if (all)
            break;
    }
    *complete = 1;
    for (unsigned k = 0; k < no; k++)
        if (md->out_count[k] < md->vectors)
            *complete = 0;
    return BM_OK;
}

int bmi_map_predict(const bm_machine *m, unsigned vectors, uint64_t *latency, double *interval)
{
    *latency = 0;
    *interval = 0;
    if (vectors < 2)
        return BM_EINVAL;
    model md;
    memset(&md, 0, sizeof md);
    md.ctx = bm_machine_ctx(m);
    md.m = m;
    md.vectors = 1;
    int complete = 0;
    int rc = run_model(&md, &complete);
    if (!rc && complete) {
        int64_t first = md.first_in < 0 ? 0 : md.first_in;
        *latency = md.done[0] >= first ? (uint64_t)(md.done[0] - first) : 0;
    }
    release_model(&md);
    if (rc)
        return rc;
    memset(&md, 0, sizeof md);
    md.ctx = bm_machine_ctx(m);
    md.m = m;
    md.vectors = vectors;
    if (!(rc = run_model(&md, &complete)) && complete) {
        unsigned k0 = vectors / 2;
        *interval = (double)(md.done[vectors - 1] - md.done[k0 - 1]) / (vectors - k0);
    }
    release_model(&md);
    return rc;
}
