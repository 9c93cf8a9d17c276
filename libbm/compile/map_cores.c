/* The cores strategy: the fops are partitioned over at most N cores and
 * ordered by list scheduling (HEFT, "heterogeneous earliest finish time",
 * on identical cores):
 *
 * - Each fop's priority is its bottom level: its estimated cycles plus the
 *   longest path from it to an output (a transfer counted as one cycle).
 *   Fops are placed by decreasing priority, which is a topological order.
 * - A fop goes to the core where it would finish first, counting the
 *   cycles to receive the operands that are not there yet (one to send,
 *   one to receive, after the producer finishes) plus a penalty per
 *   transfer, so producers and consumers stay together unless spreading
 *   out is faster.  Three penalties are tried (below).
 * - A graph input costs each core that reads it one cycle; its bond fans
 *   out from the machine input to all of them.
 *
 * The global order comes from simulating the machine (map_schedule.c); of
 * the placements tried, the one whose simulated vector finishes first is
 * kept.  A value is sent once, fanned out to every core that reads it
 * (map_plan.c).  Cores that receive no fop are left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

typedef struct recv_note {
    uint32_t core;
    uint64_t time;
    uint32_t next;
} recv_note;

typedef struct heft {
    const map_graph *mg;
    bm_ctx *ctx;
    unsigned n_cores;
    uint64_t *avail;  /* per core: when it is free                */
    uint64_t *start, *finish, *bl;
    uint32_t *owner;
    uint32_t *recv_head; /* per fop: its receptions on other cores */
    recv_note *notes;
    size_t n_notes, cap_notes;
    uint32_t *stamp;     /* per fop: distinct-operand marks         */
    uint32_t stamp_now;
    uint32_t *cand;      /* candidate cores                         */
    uint32_t *cand_mark;
    unsigned penalty;    /* cycles added per transfer a placement needs */
} heft;

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static uint32_t n_outputs(const map_graph *mg, uint32_t f)
{
    return mg->out_start[f + 1] - mg->out_start[f];
}

static void bottom_levels(heft *h)
{
    const map_graph *mg = h->mg;
    for (size_t i = mg->n_fops; i-- > 0;) {
        uint64_t best = 0;
        for (uint32_t k = mg->user_start[i]; k < mg->user_start[i + 1]; k++)
            best = max64(best, h->bl[mg->user[k]] + 1);
        h->bl[i] = mg->fops[i].cost + n_outputs(mg, (uint32_t)i) + best;
    }
}

/* When value v is on core k, or UINT64_MAX when it would first have to
 * get there. */
static uint64_t local_time(const heft *h, uint32_t v, uint32_t k)
{
    if (h->owner[v] == k)
        return h->finish[v];
    for (uint32_t n = h->recv_head[v]; n != MAP_NONE; n = h->notes[n].next)
        if (h->notes[n].core == k)
            return h->notes[n].time;
    return UINT64_MAX;
}

typedef struct ops_ctx {
    heft *h;
    uint32_t *list;
    unsigned n;
} ops_ctx;

static void collect_operand(void *user, uint32_t v)
{
    ops_ctx *oc = user;
    if (oc->h->stamp[v] == oc->h->stamp_now)
        return;
    oc->h->stamp[v] = oc->h->stamp_now;
    oc->list[oc->n++] = v;
}

/* Finish time of f on core k (operands in `ops`); commit applies it.  An
 * input costs the core one cycle to read; any other value not yet on k
 * costs its core one cycle to send (once: its bond fans out to every
 * reader) and k one cycle to receive, after it is computed. */
static uint64_t place(heft *h, uint32_t f, uint32_t k, const uint32_t *ops, unsigned n_ops,
                      int commit, unsigned *moves)
{
    uint64_t t = h->avail[k];
    *moves = 0;
    for (unsigned i = 0; i < n_ops; i++) {
        uint32_t v = ops[i];
        uint64_t when = local_time(h, v, k);
        if (when != UINT64_MAX) {
            t = max64(t, when);
            continue;
        }
        int input = h->mg->fops[v].kind == MF_INPUT;
        *moves += 1 + (!input && h->recv_head[v] == MAP_NONE);
        if (input) {
            if (commit && t < h->start[v])
                h->start[v] = t;
            t += 1;
        } else {
            t = max64(t, h->finish[v] + 1) + 1;
            if (commit && h->recv_head[v] == MAP_NONE)
                h->avail[h->owner[v]] += 1; /* the send */
        }
        if (commit) {
            recv_note note = {k, t, h->recv_head[v]};
            if (bm_grow(h->ctx, (void **)&h->notes, &h->cap_notes, h->n_notes + 1,
                        sizeof *h->notes))
                return UINT64_MAX;
            h->notes[h->n_notes] = note;
            h->recv_head[v] = (uint32_t)h->n_notes++;
        }
    }
    uint64_t end = t + h->mg->fops[f].cost;
    if (commit) {
        h->owner[f] = k;
        h->start[f] = t;
        h->finish[f] = end;
        h->avail[k] = end + n_outputs(h->mg, f);
    }
    return end;
}

static void add_candidate(heft *h, unsigned *n, uint32_t k)
{
    if (k == MAP_NONE || h->cand_mark[k] == h->stamp_now)
        return;
    h->cand_mark[k] = h->stamp_now;
    h->cand[(*n)++] = k;
}

static int schedule(heft *h, const uint32_t *prio, uint32_t *ops)
{
    const map_graph *mg = h->mg;
    for (size_t i = 0; i < mg->n_fops; i++) {
        uint32_t f = prio[i];
        if (mg->fops[f].kind == MF_INPUT)
            continue;
        ops_ctx oc = {h, ops, 0};
        h->stamp_now++;
        bmi_map_for_operands(mg, f, collect_operand, &oc);
        /* candidates: every core when there are few, else the cores that
         * hold an operand and the least busy core */
        unsigned nc = 0;
        if (h->n_cores <= 64) {
            for (uint32_t k = 0; k < h->n_cores; k++)
                h->cand[nc++] = k;
        } else {
            uint32_t idle = 0;
            for (uint32_t k = 1; k < h->n_cores; k++)
                if (h->avail[k] < h->avail[idle])
                    idle = k;
            add_candidate(h, &nc, idle);
            for (unsigned j = 0; j < oc.n; j++) {
                if (h->owner[ops[j]] != MAP_NONE)
                    add_candidate(h, &nc, h->owner[ops[j]]);
                for (uint32_t n = h->recv_head[ops[j]]; n != MAP_NONE; n = h->notes[n].next)
                    add_candidate(h, &nc, h->notes[n].core);
            }
        }
        uint32_t best = h->cand[0];
        uint64_t best_end = UINT64_MAX;
        for (unsigned j = 0; j < nc; j++) {
            uint32_t k = h->cand[j];
            unsigned moves;
            uint64_t end = place(h, f, k, ops, oc.n, 0, &moves);
            end += (uint64_t)moves * h->penalty;
            if (end < best_end || (end == best_end && h->avail[k] < h->avail[best])) {
                best = k;
                best_end = end;
            }
        }
        unsigned moves;
        if (place(h, f, best, ops, oc.n, 1, &moves) == UINT64_MAX)
            return BM_ENOMEM;
    }
    return BM_OK;
}

typedef struct keyed {
    uint64_t key;
    uint32_t fop;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->fop < y->fop ? -1 : x->fop > y->fop;
}

/* Sorts the fops by key[f] (then by id) into order[]. */
static int sort_fops(bm_ctx *ctx, uint32_t *order, size_t n, const uint64_t *key, int descending)
{
    keyed *k = bm_malloc(ctx, (n ? n : 1) * sizeof *k);
    if (!k)
        return bm_oom(ctx);
    for (size_t f = 0; f < n; f++) {
        k[f].key = descending ? ~key[f] : key[f];
        k[f].fop = (uint32_t)f;
    }
    qsort(k, n, sizeof *k, by_key);
    for (size_t i = 0; i < n; i++)
        order[i] = k[i].fop;
    bm_free(ctx, k);
    return BM_OK;
}

/* One placement with communication penalty `penalty`, scheduled into the
 * empty plan p; *makespan receives the simulated cycles of one vector. */
static int try_penalty(heft *h, map_plan *p, unsigned penalty, uint32_t *order, uint32_t *ops,
                       uint32_t *renumber, uint64_t *makespan)
{
    const map_graph *mg = h->mg;
    size_t n = mg->n_fops;
    h->penalty = penalty;
    h->n_notes = 0;
    memset(h->avail, 0, h->n_cores * sizeof *h->avail);
    memset(h->owner, 0xff, (n ? n : 1) * sizeof *h->owner);
    memset(h->recv_head, 0xff, (n ? n : 1) * sizeof *h->recv_head);
    for (uint32_t f = 0; f < n; f++)
        h->start[f] = mg->fops[f].kind == MF_INPUT ? UINT64_MAX : 0;
    int rc = sort_fops(h->ctx, order, n, h->bl, 1);
    if (!rc)
        rc = schedule(h, order, ops);
    if (!rc) {
        /* the cores that got work, numbered in order of first use */
        memset(renumber, 0xff, h->n_cores * sizeof *renumber);
        rc = sort_fops(h->ctx, order, n, h->start, 0);
        char name[32];
        for (size_t i = 0; i < n && !rc; i++) {
            uint32_t k = h->owner[order[i]];
            if (k == MAP_NONE || renumber[k] != MAP_NONE)
                continue;
            snprintf(name, sizeof name, "core%zu", p->n_cores);
            rc = bmi_map_plan_add_core(p, name, bm_graph_loc(mg->g), &renumber[k]);
        }
        for (uint32_t f = 0; f < n; f++)
            if (h->owner[f] != MAP_NONE)
                h->owner[f] = renumber[h->owner[f]];
    }
    if (!rc)
        rc = bmi_map_schedule(p, mg, h->owner, h->bl, makespan);
    return rc;
}

int bmi_map_strategy_cores(map_plan *p, const map_graph *mg, unsigned n_cores)
{
    /* Spreading out shortens the critical path but every value that changes
     * core costs a send, a receive and often a wait; how much that matters
     * depends on the graph, so each penalty per transfer is tried and the
     * schedule that the simulation finds fastest is kept. */
    static const unsigned penalties[] = {0, 2, 8};
    bm_ctx *ctx = p->ctx;
    heft h;
    memset(&h, 0, sizeof h);
    h.mg = mg;
    h.ctx = ctx;
    h.n_cores = n_cores;
    size_t n = mg->n_fops ? mg->n_fops : 1;
    h.avail = bm_calloc(ctx, n_cores, sizeof *h.avail);
    h.cand = bm_malloc(ctx, n_cores * sizeof *h.cand);
    h.cand_mark = bm_calloc(ctx, n_cores, sizeof *h.cand_mark);
    h.start = bm_calloc(ctx, n, sizeof *h.start);
    h.finish = bm_calloc(ctx, n, sizeof *h.finish);
    h.bl = bm_calloc(ctx, n, sizeof *h.bl);
    h.owner = bm_malloc(ctx, n * sizeof *h.owner);
    h.recv_head = bm_malloc(ctx, n * sizeof *h.recv_head);
    h.stamp = bm_calloc(ctx, n, sizeof *h.stamp);
    uint32_t *order = bm_malloc(ctx, n * sizeof *order);
    uint32_t *ops = bm_malloc(ctx, 2 * n * sizeof *ops);
    uint32_t *renumber = bm_malloc(ctx, n_cores * sizeof *renumber);
    int rc = h.avail && h.cand && h.cand_mark && h.start && h.finish && h.bl && h.owner &&
                     h.recv_head && h.stamp && order && ops && renumber
                 ? BM_OK
                 : bm_oom(ctx);
    if (!rc)
        bottom_levels(&h);
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < sizeof penalties / sizeof *penalties && !rc; i++) {
        map_plan trial;
        bmi_map_plan_init(&trial, ctx);
        uint64_t makespan = 0;
        rc = try_penalty(&h, &trial, penalties[i], order, ops, renumber, &makespan);
        if (!rc && makespan < best) {
            best = makespan;
            bmi_map_plan_free(p);
            *p = trial;
        } else {
            bmi_map_plan_free(&trial);
        }
    }
    bm_free(ctx, h.avail);
    bm_free(ctx, h.cand);
    bm_free(ctx, h.cand_mark);
    bm_free(ctx, h.start);
    bm_free(ctx, h.finish);
    bm_free(ctx, h.bl);
    bm_free(ctx, h.owner);
    bm_free(ctx, h.recv_head);
    bm_free(ctx, h.notes);
    bm_free(ctx, h.stamp);
    bm_free(ctx, order);
    bm_free(ctx, ops);
    bm_free(ctx, renumber);
    return rc;
}
