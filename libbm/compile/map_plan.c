/* The plan: cores, channels and each core's events, built from a placement
 * (the owner core of every fop) and one global order of the fops.
 *
 * Why the machine cannot deadlock: the global order is a list of atomic
 * steps (a computation on one core, or a transfer that its sender and all
 * its receivers take part in) and every core executes exactly its own
 * steps in that order, then jumps back to the start.  Take the first step
 * of the (infinitely repeated) list that has not happened: every earlier
 * step of every core has, so each core taking part in it is at that step.
 * A computation runs; for a transfer the receivers execute `in` (ready)
 * and the sender is at its `outn` or has already parked the value in the
 * port's holding register (which holds nothing else: an earlier value on
 * that port belongs to an earlier, finished step), so the transfer
 * happens.  Streaming vectors back to back only repeats the list.  The
 * external inputs are always offered while values remain and the external
 * outputs always taken, so the machine stops only when its inputs run out. */
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

static int event(map_plan *p, uint32_t core, map_ev_kind kind, uint32_t fop, uint32_t port)
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
    *out = (uint32_t)p->n_chans++;
    return BM_OK;
}

/* Adds core as a sink of chan on a new input port; *port receives it. */
static int sink(map_plan *p, uint32_t chan, uint32_t core, uint32_t *port)
{
    if (bm_grow(p->ctx, (void **)&p->sinks, &p->cap_sinks, p->n_sinks + 1, sizeof *p->sinks))
        return BM_ENOMEM;
    map_sink *s = &p->sinks[p->n_sinks++];
    s->chan = chan;
    s->core = core;
    s->port = *port = p->cores[core].n_in++;
    return BM_OK;
}

static int output(map_plan *p, uint32_t core, uint32_t output, uint32_t *port)
{
    if (bm_grow(p->ctx, (void **)&p->outs, &p->cap_outs, p->n_outs + 1, sizeof *p->outs))
        return BM_ENOMEM;
    map_outbond *o = &p->outs[p->n_outs++];
    o->core = core;
    o->port = *port = p->cores[core].n_out++;
    o->output = output;
    return BM_OK;
}

/* ---- channels between pairs of cores ------------------------------------------ */

typedef struct pair_slot {
    uint64_t key; /* (src << 32 | dst) + 1; 0 = empty */
    uint32_t chan, port;
} pair_slot;

typedef struct pair_map {
    pair_slot *slot;
    size_t cap, count;
} pair_map;

static size_t pair_hash(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= UINT64_C(0xff51afd7ed558ccd);
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static pair_slot *pair_find(pair_map *m, uint64_t key)
{
    size_t i = pair_hash(key, m->cap);
    while (m->slot[i].key && m->slot[i].key != key)
        i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

static int pair_get(map_plan *p, pair_map *m, uint32_t src, uint32_t dst, uint32_t *chan,
                    uint32_t *port)
{
    uint64_t key = (((uint64_t)src << 32) | dst) + 1;
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        pair_slot *old = m->slot;
        size_t old_cap = m->cap;
        if (!(m->slot = bm_calloc(p->ctx, cap, sizeof *m->slot))) {
            m->slot = old;
            return bm_oom(p->ctx);
        }
        m->cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].key)
                *pair_find(m, old[i].key) = old[i];
        bm_free(p->ctx, old);
    }
    pair_slot *s = pair_find(m, key);
    int rc = BM_OK;
    if (!s->key) {
        uint32_t c, port_in;
        if ((rc = channel(p, src, 0, &c)) || (rc = sink(p, c, dst, &port_in)))
            return rc;
        s->key = key;
        s->chan = c;
        s->port = port_in;
        m->count++;
    }
    *chan = s->chan;
    *port = s->port;
    return rc;
}

/* ---- events ------------------------------------------------------------------------ */

typedef struct planner {
    map_plan *p;
    const map_graph *mg;
    const uint32_t *owner;
    map_policy policy;
    uint32_t *seen; /* per core: the last fop whose destinations included it, + 1 */
    uint32_t *dests;
    pair_map pairs;
} planner;

/* The cores other than `except` that own a user of f, each once, in the
 * order of the users. */
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
    return n;
}

static int transfers(planner *pl, uint32_t f, uint32_t from)
{
    map_plan *p = pl->p;
    size_t n = destinations(pl, f, from);
    int rc = BM_OK;
    if (n == 0)
        return BM_OK;
    if (pl->policy == MAP_PER_VALUE) {
        uint32_t chan, port;
        if ((rc = channel(p, from, 0, &chan)) ||
            (rc = event(p, from, EV_SEND, f, p->chans[chan].src)))
            return rc;
        for (size_t i = 0; i < n && !rc; i++)
            if (!(rc = sink(p, chan, pl->dests[i], &port)))
                rc = event(p, pl->dests[i], EV_RECV, f, port);
        return rc;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t chan = 0, port = 0;
        if (!(rc = pair_get(p, &pl->pairs, from, pl->dests[i], &chan, &port)) &&
            !(rc = event(p, from, EV_SEND, f, p->chans[chan].src)))
            rc = event(p, pl->dests[i], EV_RECV, f, port);
    }
    return rc;
}

static int input(planner *pl, uint32_t f)
{
    map_plan *p = pl->p;
    uint32_t idx = (uint32_t)pl->mg->fops[f].c, chan, port;
    int rc = channel(p, -1, idx, &chan);
    if (rc)
        return rc;
    if (pl->owner[f] != MAP_NONE) {
        if ((rc = sink(p, chan, pl->owner[f], &port)) ||
            (rc = event(p, pl->owner[f], EV_RECV, f, port)))
            return rc;
        return transfers(pl, f, pl->owner[f]);
    }
    size_t n = destinations(pl, f, MAP_NONE);
    for (size_t i = 0; i < n && !rc; i++)
        if (!(rc = sink(p, chan, pl->dests[i], &port)))
            rc = event(p, pl->dests[i], EV_RECV, f, port);
    return rc;
}

int map_plan_events(map_plan *p, const map_graph *mg, const uint32_t *owner,
                    const uint32_t *order, map_policy policy)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.p = p;
    pl.mg = mg;
    pl.owner = owner;
    pl.policy = policy;
    size_t nc = p->n_cores ? p->n_cores : 1;
    pl.seen = bm_calloc(p->ctx, nc, sizeof *pl.seen);
    pl.dests = bm_malloc(p->ctx, nc * sizeof *pl.dests);
    int rc = pl.seen && pl.dests ? BM_OK : bm_oom(p->ctx);
    for (size_t i = 0; i < mg->n_fops && !rc; i++) {
        uint32_t f = order[i];
        if (mg->fops[f].kind == MF_INPUT) {
            rc = input(&pl, f);
            continue;
        }
        uint32_t core = owner[f];
        if ((rc = event(p, core, EV_COMPUTE, f, 0)) || (rc = transfers(&pl, f, core)))
            break;
        for (uint32_t k = mg->out_start[f]; k < mg->out_start[f + 1] && !rc; k++) {
            uint32_t port;
            if (!(rc = output(p, core, mg->out_of[k], &port)))
                rc = event(p, core, EV_OUTPUT, f, port);
        }
    }
    bm_free(p->ctx, pl.seen);
    bm_free(p->ctx, pl.dests);
    bm_free(p->ctx, pl.pairs.slot);
    return rc;
}
