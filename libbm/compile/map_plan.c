/* The plan: cores, channels and each core's events, built from a placement
 * (the owner core of every fop) and one global order.
 *
 * Why the machine cannot deadlock.  The global order is a list of steps: a
 * computation on one core; the send (`outn`) of a value by its core; the
 * transfer of that value, which every core that receives it takes part in
 * (`in` on all of them in the same cycle: the bond fans out).  A value's
 * transfer comes after its send, and on each channel before the next send
 * (map_plan_events puts them next to each other; map_schedule.c may put
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

void map_plan_init(map_plan *p, bm_ctx *ctx)
{
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
}

void map_plan_free(map_plan *p)
{
    for (size_t i = 0; i < p->n_cores; i++) {
        bm_free(p->ctx, p->cores[i].name);
        bm_free(p->ctx, p->cores[i].ev);
    }
    bm_free(p->ctx, p->cores);
    bm_free(p->ctx, p->chans);
    bm_free(p->ctx, p->sinks);
    bm_free(p->ctx, p->outs);
    map_plan_init(p, p->ctx);
}

int map_plan_add_core(map_plan *p, const char *name, bm_loc loc, uint32_t *out)
{
    if (bm_grow(p->ctx, (void **)&p->cores, &p->cap_cores, p->n_cores + 1, sizeof *p->cores))
        return BM_ENOMEM;
    map_core *c = &p->cores[p->n_cores];
    memset(c, 0, sizeof *c);
    c->loc = loc;
    if (!(c->name = bm_strdup(p->ctx, name)))
        return bm_oom(p->ctx);
    *out = (uint32_t)p->n_cores++;
    return BM_OK;
}

int map_plan_event(map_plan *p, uint32_t core, map_ev_kind kind, uint32_t fop, uint32_t port)
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

int map_plan_output(map_plan *p, uint32_t core, uint32_t output, uint32_t *port)
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
} planner;

static int by_number(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The cores other than `except` that own a user of f, each once, sorted. */
static size_t destinations(planner *pl, uint32_t f, uint32_t except)
{
    const map_graph *mg = pl->mg;
    size_t n = 0;
    for (uint32_t k = mg->user_start[f]; k < mg->user_start[f + 1]; k++) {
        uint32_t core = pl->owner[mg->user[k]];
        if (core == except || pl->seen[core] == f + 1)
            continue;
        pl->seen[core] = f + 1;
        pl->dests[n++] = core;
    }
    qsort(pl->dests, n, sizeof *pl->dests, by_number);
    return n;
}

int map_plan_channels(map_plan *p, const map_graph *mg, const uint32_t *owner, uint32_t *chan_of)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.p = p;
    pl.mg = mg;
    pl.owner = owner;
    size_t nc = p->n_cores ? p->n_cores : 1;
    pl.seen = bm_calloc(p->ctx, nc, sizeof *pl.seen);
    pl.dests = bm_malloc(p->ctx, nc * sizeof *pl.dests);
    int rc = pl.seen && pl.dests ? BM_OK : bm_oom(p->ctx);
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        chan_of[f] = MAP_NONE;
        if (mg->fops[f].kind == MF_INPUT) {
            /* a graph input fans out from the machine input */
            size_t n = destinations(&pl, f, MAP_NONE);
            uint32_t port;
            if (n && !(rc = channel(p, -1, (uint32_t)mg->fops[f].c, &chan_of[f])))
                for (size_t i = 0; i < n && !rc; i++)
                    rc = sink(p, chan_of[f], pl.dests[i], &port);
            continue;
        }
        size_t n = destinations(&pl, f, owner[f]);
        if (n)
            rc = set_channel(p, &pl.sets, owner[f], pl.dests, n, &chan_of[f]);
    }
    bm_free(p->ctx, pl.seen);
    bm_free(p->ctx, pl.dests);
    bm_free(p->ctx, pl.sets.slot);
    return rc;
}

/* The receptions of value f by every sink of its channel. */
int map_plan_receive(map_plan *p, uint32_t chan, uint32_t f)
{
    const map_channel *ch = &p->chans[chan];
    int rc = BM_OK;
    for (uint32_t i = 0; i < ch->n_sinks && !rc; i++) {
        const map_sink *s = &p->sinks[ch->first_sink + i];
        rc = map_plan_event(p, s->core, EV_RECV, f, s->port);
    }
    return rc;
}

int map_plan_events(map_plan *p, const map_graph *mg, const uint32_t *owner,
                    const uint32_t *order)
{
    uint32_t *chan_of = bm_malloc(p->ctx, (mg->n_fops ? mg->n_fops : 1) * sizeof *chan_of);
    if (!chan_of)
        return bm_oom(p->ctx);
    int rc = map_plan_channels(p, mg, owner, chan_of);
    for (size_t i = 0; i < mg->n_fops && !rc; i++) {
        uint32_t f = order[i], c = chan_of[f];
        if (mg->fops[f].kind == MF_INPUT) {
            if (c != MAP_NONE)
                rc = map_plan_receive(p, c, f);
            continue;
        }
        uint32_t core = owner[f];
        if ((rc = map_plan_event(p, core, EV_COMPUTE, f, 0)))
            break;
        if (c != MAP_NONE && !(rc = map_plan_event(p, core, EV_SEND, f, p->chans[c].src)))
            rc = map_plan_receive(p, c, f);
        for (uint32_t k = mg->out_start[f]; k < mg->out_start[f + 1] && !rc; k++) {
            uint32_t port;
            if (!(rc = map_plan_output(p, core, mg->out_of[k], &port)))
                rc = map_plan_event(p, core, EV_OUTPUT, f, port);
        }
    }
    bm_free(p->ctx, chan_of);
    return rc;
}
