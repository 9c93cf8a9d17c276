/* Simulated list scheduling: the global order of the cores strategy.
 *
 * Given where every fop runs, this builds the events of every core by
 * simulating the machine that will run them, cycle count for cycle count
 * (docs/timing.md), and always appending the event that can start first:
 *
 * - a computation on a core whose clock is smallest among the cores with
 *   an operation whose operands have all arrived (the most urgent one:
 *   highest bottom level); it takes its estimated cycles, then the core
 *   sends the value (`outn`, one cycle) and writes its graph outputs;
 * - a transfer, as soon as its value has been sent and every core of its
 *   destination set can take it: the transfer happens when the last of
 *   them gets to its `in` (a fanned-out bond moves in lock-step), and the
 *   value arrives on all of them one cycle later.
 *
 * A send on a channel whose holding register still holds the previous
 * value waits until that value is taken, as `outn` does; so on each
 * channel a value is always received before the next one is sent, which
 * together with the atomic transfers keeps the global order deadlock-free
 * (map_plan.c).  Receptions are lazy: a core takes a value when it has
 * nothing more urgent that it can do, so a core never blocks on a value
 * that it does not need yet. */
#include <string.h>

#include "map.h"

typedef struct sched_entry {
    uint64_t key;  /* start time                          */
    uint64_t prio; /* higher first on equal times         */
    uint32_t id;   /* core, or channel for a transfer     */
    uint8_t xfer;  /* transfers go before computations    */
} sched_entry;

typedef struct heap {
    sched_entry *e;
    size_t n, cap;
} heap;

typedef struct fop_heap {
    uint32_t *f;
    size_t n, cap;
} fop_heap;

typedef struct sched {
    map_plan *p;
    const map_graph *mg;
    const uint32_t *owner;
    const uint64_t *prio;
    bm_ctx *ctx;
    uint32_t *chan_of;
    uint64_t *clock;      /* per core                                     */
    fop_heap *ready;      /* per core: fops whose operands are all there  */
    uint32_t *blocked;    /* per core: fop waiting to be sent, or NONE    */
    uint32_t *pending;    /* per channel: value posted, not yet taken     */
    uint64_t *posted;     /* per channel: when it was posted              */
    uint32_t *missing;    /* per fop: operand values not yet on its core  */
    uint32_t *mark;       /* per fop: dedupe stamp                        */
    heap events;
    size_t computed;
    int rc;
} sched;

/* ---- heaps ------------------------------------------------------------------------ */

static int before(const sched_entry *a, const sched_entry *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->xfer != b->xfer)
        return a->xfer > b->xfer;
    if (a->prio != b->prio)
        return a->prio > b->prio;
    return a->id < b->id;
}

static void heap_push(sched *s, sched_entry e)
{
    heap *h = &s->events;
    if (bm_grow(s->ctx, (void **)&h->e, &h->cap, h->n + 1, sizeof *h->e)) {
        s->rc = BM_ENOMEM;
        return;
    }
    size_t i = h->n++;
    while (i > 0 && before(&e, &h->e[(i - 1) / 2])) {
        h->e[i] = h->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->e[i] = e;
}

static sched_entry heap_pop(heap *h)
{
    sched_entry top = h->e[0], last = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(&h->e[c + 1], &h->e[c]))
            c++;
        if (!before(&h->e[c], &last))
            break;
        h->e[i] = h->e[c];
        i = c;
    }
    if (h->n)
        h->e[i] = last;
    return top;
}

/* Ready fops of a core: highest priority, then lowest id, on top. */
static int fop_before(const sched *s, uint32_t a, uint32_t b)
{
    return s->prio[a] != s->prio[b] ? s->prio[a] > s->prio[b] : a < b;
}

static void ready_push(sched *s, uint32_t core, uint32_t f)
{
    fop_heap *h = &s->ready[core];
    if (bm_grow(s->ctx, (void **)&h->f, &h->cap, h->n + 1, sizeof *h->f)) {
        s->rc = BM_ENOMEM;
        return;
    }
    size_t i = h->n++;
    while (i > 0 && fop_before(s, f, h->f[(i - 1) / 2])) {
        h->f[i] = h->f[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->f[i] = f;
}

static uint32_t ready_pop(sched *s, uint32_t core)
{
    fop_heap *h = &s->ready[core];
    uint32_t top = h->f[0], last = h->f[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && fop_before(s, h->f[c + 1], h->f[c]))
            c++;
        if (!fop_before(s, h->f[c], last))
            break;
        h->f[i] = h->f[c];
        i = c;
    }
    if (h->n)
        h->f[i] = last;
    return top;
}

/* ---- the simulation ------------------------------------------------------------------- */

static void wake(sched *s, uint32_t core)
{
    if (s->ready[core].n && s->blocked[core] == MAP_NONE) {
        sched_entry e = {s->clock[core], s->prio[s->ready[core].f[0]], core, 0};
        heap_push(s, e);
    }
}

/* When the transfer on chan can happen: the value is there and every
 * destination core has reached it. */
static uint64_t transfer_time(const sched *s, uint32_t chan)
{
    const map_channel *ch = &s->p->chans[chan];
    uint64_t t = s->posted[chan];
    for (uint32_t i = 0; i < ch->n_sinks; i++) {
        uint64_t c = s->clock[s->p->sinks[ch->first_sink + i].core];
        if (c > t)
            t = c;
    }
    return t;
}

static void push_transfer(sched *s, uint32_t chan)
{
    sched_entry e = {transfer_time(s, chan), s->prio[s->pending[chan]], chan, 1};
    heap_push(s, e);
}

/* Value v is now on core `core` (remote: on every core but its owner's). */
static void arrive(sched *s, uint32_t v, int remote)
{
    const map_graph *mg = s->mg;
    uint32_t home = s->owner[v];
    for (uint32_t k = mg->user_start[v]; k < mg->user_start[v + 1]; k++) {
        uint32_t u = mg->user[k];
        if (s->mark[u] == v + 1 || (remote ? s->owner[u] == home : s->owner[u] != home))
            continue;
        s->mark[u] = v + 1;
        if (--s->missing[u] == 0) {
            ready_push(s, s->owner[u], u);
            wake(s, s->owner[u]);
        }
    }
}

/* The send of f (its channel is free) and its outputs. */
static void send_and_output(sched *s, uint32_t core, uint32_t f)
{
    map_plan *p = s->p;
    const map_graph *mg = s->mg;
    uint32_t c = s->chan_of[f];
    if (c != MAP_NONE) {
        s->rc = s->rc ? s->rc : bmi_map_plan_event(p, core, EV_SEND, f, p->chans[c].src);
        s->pending[c] = f;
        s->posted[c] = s->clock[core]++;
        push_transfer(s, c);
    }
    for (uint32_t k = mg->out_start[f]; k < mg->out_start[f + 1] && !s->rc; k++) {
        uint32_t port;
        if (!(s->rc = bmi_map_plan_output(p, core, mg->out_of[k], &port)))
            s->rc = bmi_map_plan_event(p, core, EV_OUTPUT, f, port);
        s->clock[core]++;
    }
}

static void compute(sched *s, uint32_t core)
{
    uint32_t f = ready_pop(s, core);
    s->rc = bmi_map_plan_event(s->p, core, EV_COMPUTE, f, 0);
    s->clock[core] += s->mg->fops[f].cost;
    s->computed++;
    arrive(s, f, 0);
    uint32_t c = s->chan_of[f];
    if (c != MAP_NONE && s->pending[c] != MAP_NONE)
        s->blocked[core] = f; /* the holding register is full */
    else
        send_and_output(s, core, f);
    wake(s, core);
}

static void transfer(sched *s, uint32_t chan, uint64_t when)
{
    map_plan *p = s->p;
    const map_channel *ch = &p->chans[chan];
    uint32_t v = s->pending[chan];
    s->rc = bmi_map_plan_receive(p, chan, v);
    for (uint32_t i = 0; i < ch->n_sinks; i++)
        s->clock[p->sinks[ch->first_sink + i].core] = when + 1;
    s->pending[chan] = MAP_NONE;
    arrive(s, v, 1);
    if (ch->src_core >= 0) {
        uint32_t src = (uint32_t)ch->src_core;
        if (s->blocked[src] != MAP_NONE && s->chan_of[s->blocked[src]] == chan) {
            uint32_t f = s->blocked[src];
            s->blocked[src] = MAP_NONE;
            if (s->clock[src] < when + 1)
                s->clock[src] = when + 1;
            send_and_output(s, src, f);
        }
        wake(s, src);
    }
    for (uint32_t i = 0; i < ch->n_sinks; i++)
        wake(s, p->sinks[ch->first_sink + i].core);
}

static void run(sched *s)
{
    const map_graph *mg = s->mg;
    size_t to_compute = 0;
    for (uint32_t f = 0; f < mg->n_fops; f++) {
        if (mg->fops[f].kind == MF_INPUT) {
            uint32_t c = s->chan_of[f];
            if (c != MAP_NONE) {
                s->pending[c] = f;
                s->posted[c] = 0;
                push_transfer(s, c);
            }
            continue;
        }
        to_compute++;
        s->mark[f] = MAP_NONE;
    }
    /* operands per fop, each value once */
    for (uint32_t v = 0; v < mg->n_fops; v++)
        for (uint32_t k = mg->user_start[v]; k < mg->user_start[v + 1]; k++) {
            uint32_t u = mg->user[k];
            if (s->mark[u] != v + 1) {
                s->mark[u] = v + 1;
                s->missing[u]++;
            }
        }
    for (uint32_t f = 0; f < mg->n_fops; f++) {
        s->mark[f] = MAP_NONE;
        if (mg->fops[f].kind != MF_INPUT && s->missing[f] == 0)
            ready_push(s, s->owner[f], f);
    }
    for (uint32_t k = 0; k < s->p->n_cores; k++)
        wake(s, k);
    while (s->events.n && !s->rc) {
        sched_entry e = heap_pop(&s->events);
        if (e.xfer) {
            if (s->pending[e.id] == MAP_NONE)
                continue;
            uint64_t t = transfer_time(s, e.id);
            if (t > e.key) {
                push_transfer(s, e.id);
                continue;
            }
            transfer(s, e.id, t);
        } else {
            if (e.key != s->clock[e.id] || !s->ready[e.id].n || s->blocked[e.id] != MAP_NONE)
                continue; /* stale */
            compute(s, e.id);
        }
    }
    if (!s->rc && s->computed != to_compute) {
        bm_error(s->ctx, bm_graph_loc(mg->g), "internal error: %zu of %zu operations scheduled",
                 s->computed, to_compute);
        s->rc = BM_EINVAL;
    }
}

int bmi_map_schedule(map_plan *p, const map_graph *mg, const uint32_t *owner, const uint64_t *prio,
                 uint64_t *makespan)
{
    bm_ctx *ctx = p->ctx;
    sched s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.mg = mg;
    s.owner = owner;
    s.prio = prio;
    s.ctx = ctx;
    size_t n = mg->n_fops ? mg->n_fops : 1, nc = p->n_cores ? p->n_cores : 1;
    s.chan_of = bm_malloc(ctx, n * sizeof *s.chan_of);
    s.missing = bm_calloc(ctx, n, sizeof *s.missing);
    s.mark = bm_calloc(ctx, n, sizeof *s.mark);
    s.clock = bm_calloc(ctx, nc, sizeof *s.clock);
    s.ready = bm_calloc(ctx, nc, sizeof *s.ready);
    s.blocked = bm_malloc(ctx, nc * sizeof *s.blocked);
    int rc = s.chan_of && s.missing && s.mark && s.clock && s.ready && s.blocked ? BM_OK
                                                                                 : bm_oom(ctx);
    if (!rc)
        rc = bmi_map_plan_channels(p, mg, owner, s.chan_of);
    if (!rc) {
        size_t nch = p->n_chans ? p->n_chans : 1;
        s.pending = bm_malloc(ctx, nch * sizeof *s.pending);
        s.posted = bm_calloc(ctx, nch, sizeof *s.posted);
        if (!s.pending || !s.posted)
            rc = bm_oom(ctx);
        else
            memset(s.pending, 0xff, nch * sizeof *s.pending);
    }
    if (!rc) {
        memset(s.blocked, 0xff, nc * sizeof *s.blocked);
        run(&s);
        rc = s.rc == BM_ENOMEM ? bm_oom(ctx) : s.rc;
        *makespan = 0;
        for (size_t k = 0; k < p->n_cores; k++)
            if (s.clock[k] > *makespan)
                *makespan = s.clock[k];
    }
    for (size_t k = 0; s.ready && k < nc; k++)
        bm_free(ctx, s.ready[k].f);
    bm_free(ctx, s.chan_of);
    bm_free(ctx, s.missing);
    bm_free(ctx, s.mark);
    bm_free(ctx, s.clock);
    bm_free(ctx, s.ready);
    bm_free(ctx, s.blocked);
    bm_free(ctx, s.pending);
    bm_free(ctx, s.posted);
    bm_free(ctx, s.events.e);
    return rc;
}
