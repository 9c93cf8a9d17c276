/* The plan: cores, channels and each core's events, built from a placement
 * (the owner core of every fop) and one global order.
 *
 * Why the machine cannot deadlock.  The global order is a list of steps: a
 * computation on one core; the send (`outn`) of a value by its core; the
 * transfer of that value, which every core that receives it takes part in
 * (`in` on all of them in the same cycle: the bond fans out).  A value's
 * transfer comes after its send, and on each channel before the next send
 * (bmi_map_plan_events puts them next to each other; map_schedule.c may put
 * other steps in between).  Every core executes exactly its own steps in
 * that order, then jumps back to the start.  Take the first step of the
 * (endlessly repeated) list that has not happened: every earlier step of
 * every core has, so each core taking part in it is at that step.  A
 * computation runs.  A send finds the port's holding register empty (the
 * value before it on that channel has been received, in an earlier step),
 * so it completes.  For a transfer the receivers all execute `in` while
 * the value, sent in an earlier step, is driven or parked in the holding
 * register, so it happens.  Streaming vectors back to back only repeats the
 * list; the external inputs are always offered while values remain and
 * the external outputs always taken, so the machine stops only when its
 * inputs run out. */
#include <stdlib.h>
#include <string.h>

#include "map.h"

void bmi_map_plan_init(map_plan *p, bm_ctx *ctx)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
}

void bmi_map_plan_free(map_plan *p)
{
    for (size_t i = 0; i < p->n_cores; i++) {
        bm_free(p->ctx, p->cores[i].name);
        bm_free(p->ctx, p->cores[i].ev);
    }
    bm_free(p->ctx, p->cores);
    bm_free(p->ctx, p->chans);
    bm_free(p->ctx, p->sinks);
    bm_free(p->ctx, p->outs);
    bmi_map_plan_init(p, p->ctx);
}

int bmi_map_plan_add_core(map_plan *p, const char *name, bm_loc loc, uint32_t *out)
{
    if (bm_grow(p->ctx, (void **)&p->cores, &p->cap_cores, p->n_cores + 1, sizeof *p->cores))
        return BM_ENOMEM;
    map_core *c = &p->cores[p->n_cores];
    memset(c, 0, sizeof *c);
    c->loc = loc;
    c->fwd_chan = c->fwd_in = MAP_NONE;
    if (!(c->name = bm_strdup(p->ctx, name)))
        return bm_oom(p->ctx);
    *out = (uint32_t)p->n_cores++;
    return BM_OK;
}

int bmi_map_plan_event(map_plan *p, uint32_t core, map_ev_kind kind, uint32_t fop, uint32_t port)
{
    map_core *c = &p->cores[core];
    if (bm_grow(p->ctx, (void **)&c->ev, &c->cap_ev, c->n_ev + 1, sizeof *c->ev))
        return BM_ENOMEM;
    c->ev[c->n_ev].kind = (uint8_t)kind;
    c->ev[c->n_ev].fop = fop;
    c->ev[c->n_ev].port = port;
    c->n_ev++;
    return BM_OK;
}

/* A channel from an external input (src_core < 0) or from a new output
 * port of src_core. */
static int channel(map_plan *p, int64_t src_core, uint32_t src, uint32_t *out)
{
    if (bm_grow(p->ctx, (void **)&p->chans, &p->cap_chans, p->n_chans + 1, sizeof *p->chans))
        return BM_ENOMEM;
    map_channel *ch = &p->chans[p->n_chans];
    ch->src_core = src_core;
    ch->src = src_core < 0 ? src : p->cores[src_core].n_out++;
    ch->first_sink = (uint32_t)p->n_sinks;
    ch->n_sinks = 0;
    ch->direct = 0;
    *out = (uint32_t)p->n_chans++;
    return BM_OK;
}

/* Adds core as a sink of chan, the channel made last, on a new input port;
 * *port receives it. */
static int sink(map_plan *p, uint32_t chan, uint32_t core, uint32_t *port)
{
    if (bm_grow(p->ctx, (void **)&p->sinks, &p->cap_sinks, p->n_sinks + 1, sizeof *p->sinks))
        return BM_ENOMEM;
    p->chans[chan].n_sinks++;
    map_sink *s = &p->sinks[p->n_sinks++];
    s->core = core;
    s->port = *port = p->cores[core].n_in++;
    return BM_OK;
}

int bmi_map_plan_output(map_plan *p, uint32_t core, uint32_t output, uint32_t *port)
{
    if (bm_grow(p->ctx, (void **)&p->outs, &p->cap_outs, p->n_outs + 1, sizeof *p->outs))
        return BM_ENOMEM;
    map_outbond *o = &p->outs[p->n_outs++];
    o->core = core;
    o->port = *port = p->cores[core].n_out++;
    o->output = output;
    return BM_OK;
}

/* ---- channels by destination set ---------------------------------------------- */

/* Channels from one core to one set of cores are shared by every value
 * with that source and those destinations: one port, one bond, the values
 * in the global order.  The map goes from a hash of (source, sorted
 * destinations) to the channels with that hash. */
typedef struct set_slot {
    uint64_t hash; /* 0 = empty */
    uint32_t chan;
} set_slot;

typedef struct set_map {
    set_slot *slot;
    size_t cap, count;
} set_map;

static uint64_t set_hash(uint32_t src, const uint32_t *dests, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ src;
    for (size_t i = 0; i < n; i++) {
        h ^= dests[i] + UINT64_C(0x9e3779b97f4a7c15);
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 29;
    return h | 1;
}

static int set_matches(const map_plan *p, const set_slot *s, uint32_t src, const uint32_t *dests,
                       size_t n)
{
    const map_channel *ch = &p->chans[s->chan];
    if (ch->n_sinks != n || ch->src_core != (int64_t)src)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p->sinks[ch->first_sink + i].core != dests[i])
            return 0;
    return 1;
}

static int set_grow(map_plan *p, set_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    set_slot *slot = bm_calloc(p->ctx, cap, sizeof *slot);
    if (!slot)
        return bm_oom(p->ctx);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slot[i].hash)
            continue;
        size_t j = (size_t)m->slot[i].hash & (cap - 1);
        while (slot[j].hash)
            j = (j + 1) & (cap - 1);
        slot[j] = m->slot[i];
    }
    bm_free(p->ctx, m->slot);
    m->slot = slot;
    m->cap = cap;
    return BM_OK;
}

/* The channel from src to exactly the cores dests[] (sorted), made on first
 * use. */
static int set_channel(map_plan *p, set_map *m, uint32_t src, const uint32_t *dests, size_t n,
                       uint32_t *chan)
{
    int rc;
    if ((m->count + 1) * 2 > m->cap && (rc = set_grow(p, m)))
        return rc;
    uint64_t h = set_hash(src, dests, n);
    size_t j = (size_t)h & (m->cap - 1);
    for (; m->slot[j].hash; j = (j + 1) & (m->cap - 1)) {
        if (m->slot[j].hash == h && set_matches(p, &m->slot[j], src, dests, n)) {
            *chan = m->slot[j].chan;
            return BM_OK;
        }
    }
    uint32_t c, port;
    if ((rc = channel(p, src, 0, &c)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = sink(p, c, dests[i], &port)))
            return rc;
    m->slot[j].hash = h;
    m->slot[j].chan = c;
    m->count++;
    *chan = c;
    return BM_OK;
}

/* ---- events ------------------------------------------------------------------------ */

typedef struct planner {
    map_plan *p;
    const map_graph *mg;
    const uint32_t *owner;
    uint32_t *seen; /* per core: the last fop whose destinations included it, + 1 */
    uint32_t *dests;
    set_map sets;
    set_map partial_sets; /* the channels of partial sums, apart from the
                             others: never shared with a value that a
                             chain's first core forwards */
    /* bmi_map_plan_events_shared: per core, the cores that read any of its
     * values, sorted: shared[shared_start[c] .. shared_start[c+1]) */
    uint32_t *shared, *shared_start;
    /* bmi_map_plan_events_chained: per core its chain's first core (the
     * core itself when it is in no chain); NULL without chains */
    const uint32_t *head;
} planner;

static int by_number(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* 1 when f is a split neuron's partial sum: a part but the last, read by
 * the next part only. */
static int partial_sum(const map_graph *mg, uint32_t f)
{
    const map_fop *fo = &mg->fops[f];
    return fo->kind == MF_SUM && fo->parts > 1 && fo->part + 1 < fo->parts;
}

/* The cores other than `except` that own a user of f, each once, sorted
 * (with chains: their chains' first cores, but for a partial sum). */
static size_t destinations(planner *pl, uint32_t f, uint32_t except)
{
    const map_graph *mg = pl->mg;
    int via_head = pl->head && !partial_sum(mg, f);
    size_t n = 0;
    for (uint32_t k = mg->user_start[f]; k < mg->user_start[f + 1]; k++) {
        uint32_t core = pl->owner[mg->user[k]];
        if (core == except)
            continue;
        if (via_head)
            core = pl->head[core]; /* the chain's first core takes it for all */
        if (pl->seen[core] == f + 1)
            continue;
        pl->seen[core] = f + 1;
        pl->dests[n++] = core;
    }
    qsort(pl->dests, n, sizeof *pl->dests, by_number);
    return n;
}

/* Path balancing (bmi_map_plan_events_buffered): per fop its stage lvl, per
 * core the latest stage it waits for; NULL when there is none. */
typedef struct balance {
    const uint32_t *lvl, *need;
    unsigned cap;
    size_t budget;
    map_buffer_core_fn add_core;
    void *user;
    uint32_t *line_chan, *line_n; /* per fop: its delay line's channels */
    uint32_t *buf, *tap;          /* cap buffers; per destination its tap */
} balance;

/* One buffer core per this many stages of slack.  A buffer stores two
 * values and passes one on every 3 cycles, while a value takes about 5
 * cycles per stage of operation cores, so at an interval of I cycles a path
 * s stages long holds about 5s/I vectors and the short path needs 5s/2I
 * buffers: 8 stages a buffer suits intervals of 20 cycles and more.
 * Measured on the random DAG of bench/compile (docs/compile.md): 1 and 2
 * run into the cap and give 10 times the interval; 4 gains 25% of interval
 * for 50% more buffers.  The division rounds to the nearest: a slack of
 * fewer than 4 stages gets no buffer (on the DAG: 15% fewer buffers, the
 * same interval; on small graphs such as examples/graph/expr.bmg, 3 cores
 * and a cycle of latency saved for nothing lost). */
#define MAP_BUFFER_STAGES 8

/* Value f's delay line for the destinations in pl->dests[0..n): buffer
 * cores B1..BK, K the largest of their taps (stages of slack / 8 rounded, capped);
 * destination i is a sink of the channel from B(tap[i]), or of the first
 * hop when tap[i] is 0.  *k receives K (0: no line, nothing made). */
static int delay_line(planner *pl, balance *b, uint32_t f, size_t n, uint32_t *k)
{
    map_plan *p = pl->p;
    uint32_t K = 0;
    *k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = pl->dests[i], need = b->need[d], l = b->lvl[f];
        uint32_t t = need > l ? (need - l + MAP_BUFFER_STAGES / 2) / MAP_BUFFER_STAGES : 0;
        if (t > b->cap)
            t = b->cap;
        b->tap[i] = t;
        if (t > K)
            K = t;
    }
    if (K > b->budget)
        K = (uint32_t)b->budget;
    if (!K)
        return BM_OK;
    b->budget -= K;
    int rc = BM_OK;
    for (uint32_t j = 0; j < K && !rc; j++)
        rc = b->add_core(b->user, p, f, j + 1, &b->buf[j]);
    uint32_t port, c;
    for (uint32_t j = 0; j < K && !rc; j++) {
        if ((rc = channel(p, b->buf[j], 0, &c)))
            break;
        if (j == 0)
            b->line_chan[f] = c;
        for (size_t i = 0; i < n && !rc; i++)
            if ((b->tap[i] > K ? K : b->tap[i]) == j + 1)
                rc = sink(p, c, pl->dests[i], &port);
        if (!rc && j + 1 < K)
            rc = sink(p, c, b->buf[j + 1], &port);
    }
    b->line_n[f] = K;
    /* the first hop's destinations: untapped ones, then B1 */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (b->tap[i] == 0)
            pl->dests[m++] = pl->dests[i];
    pl->dests[m] = b->buf[0];
    *k = (uint32_t)m + 1;
    return rc;
}

typedef struct core_pair {
    uint32_t src, dst;
} core_pair;

static int by_pair(const void *a, const void *b)
{
    const core_pair *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->dst < y->dst ? -1 : x->dst > y->dst;
}

/* Per core, every core that reads one of its values (pl->shared). */
static int shared_destinations(planner *pl)
{
    map_plan *p = pl->p;
    const map_graph *mg = pl->mg;
    size_t n = 0, cap = 0;
    core_pair *pairs = NULL;
    int rc = BM_OK;
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        if (mg->fops[f].kind == MF_INPUT || partial_sum(mg, f))
            continue;
        size_t k = destinations(pl, f, pl->owner[f]);
        if (k && bm_grow(p->ctx, (void **)&pairs, &cap, n + k, sizeof *pairs))
            rc = BM_ENOMEM;
        for (size_t i = 0; i < k && !rc; i++) {
            pairs[n].src = pl->owner[f];
            pairs[n++].dst = pl->dests[i];
        }
    }
    size_t nc = p->n_cores;
    pl->shared = rc ? NULL : bm_malloc(p->ctx, (n ? n : 1) * sizeof *pl->shared);
    pl->shared_start = rc ? NULL : bm_calloc(p->ctx, nc + 1, sizeof *pl->shared_start);
    if (!rc && (!pl->shared || !pl->shared_start))
        rc = bm_oom(p->ctx);
    if (!rc && n)
        qsort(pairs, n, sizeof *pairs, by_pair);
    size_t m = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (i && pairs[i].src == pairs[i - 1].src && pairs[i].dst == pairs[i - 1].dst)
            continue;
        pl->shared[m++] = pairs[i].dst;
        pl->shared_start[pairs[i].src + 1]++;
    }
    for (size_t c = 0; c < nc && !rc; c++)
        pl->shared_start[c + 1] += pl->shared_start[c];
    /* destinations() marks cores per fop: start afresh */
    if (!rc)
        memset(pl->seen, 0, (nc ? nc : 1) * sizeof *pl->seen);
    bm_free(p->ctx, pairs);
    return rc;
}

static int channels(map_plan *p, const map_graph *mg, const uint32_t *owner, uint32_t *chan_of,
                    balance *b, int shared, const uint32_t *head)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.p = p;
    pl.mg = mg;
    pl.owner = owner;
    pl.head = head;
    size_t nc = p->n_cores ? p->n_cores : 1;
    pl.seen = bm_calloc(p->ctx, nc, sizeof *pl.seen);
    pl.dests = bm_malloc(p->ctx, (nc + 1) * sizeof *pl.dests);
    int rc = pl.seen && pl.dests ? BM_OK : bm_oom(p->ctx);
    if (!rc && shared)
        rc = shared_destinations(&pl);
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        chan_of[f] = MAP_NONE;
        int input = mg->fops[f].kind == MF_INPUT;
        size_t n = destinations(&pl, f, input ? MAP_NONE : owner[f]);
        uint32_t m = 0;
        if (n && b && (rc = delay_line(&pl, b, f, n, &m)))
            break;
        if (m) {
            /* a first hop of its own: B1 is in no other destination set */
            uint32_t port;
            rc = input ? channel(p, -1, (uint32_t)mg->fops[f].c, &chan_of[f])
                       : channel(p, owner[f], 0, &chan_of[f]);
            for (size_t i = 0; i < m && !rc; i++)
                rc = sink(p, chan_of[f], pl.dests[i], &port);
            continue;
        }
        if (input) {
            /* a graph input fans out from the machine input */
            uint32_t port;
            if (n && !(rc = channel(p, -1, (uint32_t)mg->fops[f].c, &chan_of[f])))
                for (size_t i = 0; i < n && !rc; i++)
                    rc = sink(p, chan_of[f], pl.dests[i], &port);
            continue;
        }
        if (n && partial_sum(mg, f)) {
            /* straight to the next part's core: a channel of the core's
             * partial sums (a tile of K neurons sends K on it) */
            rc = set_channel(p, &pl.partial_sets, owner[f], pl.dests, n, &chan_of[f]);
            if (!rc && head)
                p->chans[chan_of[f]].direct = 1;
        } else if (n && pl.shared) {
            uint32_t c = owner[f], k0 = pl.shared_start[c];
            rc = set_channel(p, &pl.sets, c, pl.shared + k0, pl.shared_start[c + 1] - k0,
                             &chan_of[f]);
        } else if (n) {
            rc = set_channel(p, &pl.sets, owner[f], pl.dests, n, &chan_of[f]);
        }
    }
    bm_free(p->ctx, pl.seen);
    bm_free(p->ctx, pl.dests);
    bm_free(p->ctx, pl.sets.slot);
    bm_free(p->ctx, pl.partial_sets.slot);
    bm_free(p->ctx, pl.shared);
    bm_free(p->ctx, pl.shared_start);
    return rc;
}

int bmi_map_plan_channels(map_plan *p, const map_graph *mg, const uint32_t *owner, uint32_t *chan_of)
{
    return channels(p, mg, owner, chan_of, NULL, 0, NULL);
}

/* The receptions of value f by every sink of its channel. */
int bmi_map_plan_receive(map_plan *p, uint32_t chan, uint32_t f)
{
    const map_channel *ch = &p->chans[chan];
    int rc = BM_OK;
    for (uint32_t i = 0; i < ch->n_sinks && !rc; i++) {
        const map_sink *s = &p->sinks[ch->first_sink + i];
        rc = bmi_map_plan_event(p, s->core, EV_RECV, f, s->port);
        if (ch->direct)
            continue;
        /* then down the sink's forwards: every sink of a forward takes the
         * value from it; a line goes on from its one sink (a broadcast's
         * sinks do not forward) */
        for (uint32_t c = s->core; !rc && p->cores[c].fwd_chan != MAP_NONE;) {
            const map_channel *fw = &p->chans[p->cores[c].fwd_chan];
            uint32_t next = MAP_NONE;
            for (uint32_t j = 0; j < fw->n_sinks && !rc; j++) {
                const map_sink *t = &p->sinks[fw->first_sink + j];
                rc = bmi_map_plan_event(p, t->core, EV_RECV, f, t->port);
                if (p->cores[t->core].fwd_chan != MAP_NONE)
                    next = t->core;
            }
            if (next == MAP_NONE)
                break;
            c = next;
        }
    }
    return rc;
}

/* The events of a global order; b (or NULL) the delay lines made by
 * channels(). */
static int events(map_plan *p, const map_graph *mg, const uint32_t *owner, const uint32_t *order,
                  const uint32_t *chan_of, const balance *b)
{
    int rc = BM_OK;
    for (size_t i = 0; i < mg->n_fops && !rc; i++) {
        uint32_t f = order[i], c = chan_of[f];
        int input = mg->fops[f].kind == MF_INPUT;
        if (!input) {
            if ((rc = bmi_map_plan_event(p, owner[f], EV_COMPUTE, f, 0)))
                break;
            if (c != MAP_NONE)
                rc = bmi_map_plan_event(p, owner[f], EV_SEND, f, p->chans[c].src);
        }
        if (c != MAP_NONE && !rc)
            rc = bmi_map_plan_receive(p, c, f);
        /* the delay line, stage by stage, right after the transfer */
        for (uint32_t j = 0; b && c != MAP_NONE && j < b->line_n[f] && !rc; j++) {
            const map_channel *ch = &p->chans[b->line_chan[f] + j];
            if (!(rc = bmi_map_plan_event(p, (uint32_t)ch->src_core, EV_SEND, f, ch->src)))
                rc = bmi_map_plan_receive(p, b->line_chan[f] + j, f);
        }
        for (uint32_t k = mg->out_start[f]; !input && k < mg->out_start[f + 1] && !rc; k++) {
            uint32_t port;
            if (!(rc = bmi_map_plan_output(p, owner[f], mg->out_of[k], &port)))
                rc = bmi_map_plan_event(p, owner[f], EV_OUTPUT, f, port);
        }
    }
    return rc;
}

int bmi_map_plan_events(map_plan *p, const map_graph *mg, const uint32_t *owner,
                    const uint32_t *order)
{
    uint32_t *chan_of = bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *chan_of);
    if (!chan_of)
        return bm_oom(p->ctx);
    int rc = bmi_map_plan_channels(p, mg, owner, chan_of);
    if (!rc)
        rc = events(p, mg, owner, order, chan_of, NULL);
    bm_free(p->ctx, chan_of);
    return rc;
}

int bmi_map_plan_events_shared(map_plan *p, const map_graph *mg, const uint32_t *owner,
                           const uint32_t *order)
{
    uint32_t *chan_of = bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *chan_of);
    if (!chan_of)
        return bm_oom(p->ctx);
    int rc = channels(p, mg, owner, chan_of, NULL, 1, NULL);
    if (!rc)
        rc = events(p, mg, owner, order, chan_of, NULL);
    bm_free(p->ctx, chan_of);
    return rc;
}

int bmi_map_plan_events_chained(map_plan *p, const map_graph *mg, const uint32_t *owner,
                                const uint32_t *order, const uint32_t *chain_next, int broadcast)
{
    size_t nc = p->n_cores ? p->n_cores : 1;
    uint32_t *chan_of = bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *chan_of);
    uint32_t *head = bm_malloc(p->ctx, nc * sizeof *head);
    int rc = chan_of && head ? BM_OK : bm_oom(p->ctx);
    /* head[c] is MAP_NONE for a core some core links to, until its chain
     * is walked */
    for (size_t c = 0; c < p->n_cores && !rc; c++)
        head[c] = (uint32_t)c;
    for (size_t c = 0; c < p->n_cores && !rc; c++)
        if (chain_next[c] != MAP_NONE)
            head[chain_next[c]] = MAP_NONE;
    /* the forwards first: port 0 out of each forwarding core, port 0 into
     * the cores it forwards to; each chain from its first core (no core
     * links to it), in chain order, in the order of the first cores */
    for (uint32_t c0 = 0; c0 < p->n_cores && !rc; c0++) {
        if (head[c0] != c0)
            continue; /* not a first core */
        int all = broadcast || p->cores[c0].distributor;
        for (uint32_t c = c0; chain_next[c] != MAP_NONE && !rc; c = chain_next[c]) {
            uint32_t next = chain_next[c], from = all ? c0 : c, port;
            if (p->cores[from].fwd_chan == MAP_NONE)
                rc = channel(p, from, 0, &p->cores[from].fwd_chan);
            if (!rc && !(rc = sink(p, p->cores[from].fwd_chan, next, &port))) {
                p->cores[next].fwd_in = port;
                head[next] = c0;
            }
        }
    }
    if (!rc)
        rc = channels(p, mg, owner, chan_of, NULL, 1, head);
    if (!rc)
        rc = events(p, mg, owner, order, chan_of, NULL);
    bm_free(p->ctx, chan_of);
    bm_free(p->ctx, head);
    return rc;
}

/* ---- path balancing ---------------------------------------------------------------- */

typedef struct stage_ctx {
    const map_graph *mg;
    const uint32_t *owner;
    uint32_t *lvl, *need;
    uint32_t f, max;
    int pass; /* 0: f's stage; 1: what f's core waits for */
} stage_ctx;

static void stage_operand(void *user, uint32_t a)
{
    stage_ctx *s = user;
    int hop = s->mg->fops[a].kind == MF_INPUT || s->owner[a] != s->owner[s->f];
    if (s->pass == 0) {
        uint32_t l = s->lvl[a] + (uint32_t)hop;
        if (l > s->max)
            s->max = l;
    } else if (hop && s->lvl[a] > s->need[s->owner[s->f]]) {
        s->need[s->owner[s->f]] = s->lvl[a];
    }
}

/* Path balancing.  A fop's stage is the longest chain of core-to-core hops
 * from the graph inputs to it (inputs: 0); a core waits for the latest
 * stage among the values it receives (need).  A value of stage l received
 * by a core that needs n arrives n - l stages early: while it waits there,
 * its producer cannot send the next vector's value (one holding register),
 * so the short path throttles the stream.  A delay line of buffer cores
 * (in, outn, j: each holds a value in its register and one in its holding
 * register) gives the short path the depth of the long one.  Buffers keep
 * the machine deadlock-free: each is one more core whose steps (receive
 * the value, send it on) come right after the value's transfer in the
 * global order, on channels of their own (point to point, or fanning out to
 * the taps), so the argument at the top of this file holds as it is; and
 * they only move values, so the outputs are unchanged. */
int bmi_map_plan_events_buffered(map_plan *p, const map_graph *mg, const uint32_t *owner,
                             const uint32_t *order, unsigned cap, size_t budget,
                             map_buffer_core_fn add_core, void *user)
{
    if (!cap || !budget)
        return bmi_map_plan_events(p, mg, owner, order);
    bm_ctx *ctx = p->ctx;
    size_t nf = mg->n_fops ? mg->n_fops : 1, nc = p->n_cores ? p->n_cores : 1;
    stage_ctx s = {mg, owner, NULL, NULL, 0, 0, 0};
    balance b;
    memset(&b, 0, sizeof b);
    uint32_t *chan_of = bm_malloc(ctx, nf * sizeof *chan_of);
    s.lvl = bm_calloc(ctx, nf, sizeof *s.lvl);
    s.need = bm_calloc(ctx, nc, sizeof *s.need);
    b.line_chan = bm_calloc(ctx, nf, sizeof *b.line_chan);
    b.line_n = bm_calloc(ctx, nf, sizeof *b.line_n);
    b.buf = bm_malloc(ctx, cap * sizeof *b.buf);
    b.tap = bm_malloc(ctx, nc * sizeof *b.tap);
    int rc = chan_of && s.lvl && s.need && b.line_chan && b.line_n && b.buf && b.tap
                 ? BM_OK
                 : bm_oom(ctx);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        s.pass = pass;
        for (size_t i = 0; i < mg->n_fops; i++) {
            uint32_t f = order[i];
            if (mg->fops[f].kind == MF_INPUT)
                continue;
            s.f = f;
            s.max = 0;
            bmi_map_for_operands(mg, f, stage_operand, &s);
            if (pass == 0)
                s.lvl[f] = s.max;
        }
    }
    b.lvl = s.lvl;
    b.need = s.need;
    b.cap = cap;
    b.budget = budget;
    b.add_core = add_core;
    b.user = user;
    if (!rc)
        rc = channels(p, mg, owner, chan_of, &b, 0, NULL);
    if (!rc)
        rc = events(p, mg, owner, order, chan_of, &b);
    bm_free(ctx, chan_of);
    bm_free(ctx, s.lvl);
    bm_free(ctx, s.need);
    bm_free(ctx, b.line_chan);
    bm_free(ctx, b.line_n);
    bm_free(ctx, b.buf);
    bm_free(ctx, b.tap);
    return rc;
}
