/* Compiling for a device (bm_compile_for_device, docs/compile.md "Compiling
 * for a device"): the fastest design point whose area estimate fits.
 *
 * The design points are the strategies and knobs libbm has, crossed with the
 * multiplier variants the part can use:
 *
 *   networks   node; fold with one K per layer for each of a ladder of cycle
 *              budgets T (each layer gets the largest K whose core still
 *              runs a vector in about T cycles, so the layers stay balanced,
 *              as hls4ml users balance ReuseFactor per layer), and split by
 *              reuse factors, each plain and, on the 7-series, with each
 *              layer's cores chained, as a line (--chain) and as a
 *              broadcast (--broadcast): the same interval in far fewer
 *              ports, and the broadcast with one forward queue a layer
 *              instead of one a core; and, on the 7-series, tiles by a
 *              ladder of cycle budgets below a neuron per core (each
 *              layer gets the K and split S that need the fewest cores
 *              within the budget, --fold K --split S, broadcast); not on
 *              the iCE40, whose logic cell holds one
 *              LUT and one flip-flop: the forwards' flip-flops take cells
 *              of their own, which the estimate does not count, and the
 *              chained digits points it chose, 5996 LUT4 and 2738 FF,
 *              needed 8020 cells on the HX8K's 7680); single;
 *   graphs     node; cores N for N = 1, 2, 4, ... 64; single;
 *   variants   pipe and comb everywhere; serial too on a part without
 *              multipliers, where it is the small one.
 *
 * Each point is compiled for real, its interval predicted from its programs
 * (bmi_map_predict) and its area estimated (bm_area_estimate_machine), so
 * nothing here needs a model of its own beyond the cycle budget that picks
 * the candidates.  The fastest point that fits wins: the smallest predicted
 * interval, and among points within 2% of it pipe before comb before serial
 * (a registered product clocks faster), then the fewest LUTs.  When no point
 * fits, the smallest one's excess is the error, before anything is written.
 */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "map.h"

/* The cycle budgets grow by this factor from step to step (and at most
 * LADDER_STEPS steps): about 30 fold points from one neuron per core to a
 * core per layer on the example networks. */
#define LADDER_GROWTH 1.2
#define ROUTING_MARGIN_PERCENT 10
#define LADDER_STEPS 64

/* The widths of a network's layers (neurons per layer) and the number of
 * graph inputs, from the lowering's tags; 0 layers for a plain graph. */
static size_t network_shape(const bm_graph *g, unsigned *width, size_t max)
{
    size_t layers = 0;
    for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
        int l = bm_graph_node_layer(g, i), n = bm_graph_node_neuron(g, i);
        if (l < 0 || n < 0 || (size_t)l >= max)
            continue;
        while (layers <= (size_t)l)
            width[layers++] = 0;
        if ((unsigned)n + 1 > width[l])
            width[l] = (unsigned)n + 1;
    }
    return layers;
}

/* Cycles of one vector on a fold core with K neurons of fan-in F: an
 * inmacfx chain for K = 1, else a bias, K+1 cycles per input (`in` and K
 * macfxi; K where the core looks at its inputs, pkmacfx, which a wide core
 * does not), a relu and a send per neuron, and the jump (docs/compile.md,
 * fold strategy).  A ladder of budgets, not a promise: each point's
 * interval is then predicted from its programs. */
static double fold_cycles(unsigned k, unsigned fan_in)
{
    if (k <= 1)
        return fan_in + 4.0;
    return (double)fan_in * (k + 1) + 3.0 * k + 1;
}

/* Cycles of one vector on a tile of K neurons split S ways over fan-in F
 * (--split, docs/compile.md "Tiles"): K products per input of its slice
 * of about F / S inputs, and per neuron a bias or partial sum to start
 * from, one to add, a relu and a send, then the jump and a pipelined
 * product's wait; a whole-neuron core (S = 1) of a broadcast layer looks
 * at its inputs, K per input. */
static double tile_cycles(unsigned k, unsigned s, unsigned fan_in)
{
    if (s <= 1)
        return k <= 1 ? fan_in + 4.0 : (double)fan_in * k + 3.0 * k + 1;
    return (double)k * ((fan_in + s - 1) / s) + 4.0 * k + 2;
}

/* One candidate's knobs. */
typedef struct point {
    bm_map_strategy strategy;
    unsigned cores;
    unsigned fold[BM_DEVICE_LAYERS_MAX];
    size_t n_fold;
    unsigned split[BM_DEVICE_LAYERS_MAX]; /* tiles: S per layer (n_fold values) */
    int tiles;
    unsigned reuse;       /* BM_MAP_FOLD by ReuseFactor instead of fold[] */
    int from_base;        /* the strategy as the base options give it     */
    bm_mul_variant mul;
    int chain;            /* BM_MAP_FOLD: a bm_compile_chain              */
} point;

typedef struct search {
    const bm_graph *g;
    const bm_compile_options *base;
    const bm_device *d;
    bm_device_choice best, smallest;
    int have_best, have_smallest;
    point best_point, smallest_point;
    unsigned tried, fitting;
} search;

static int fits(const bm_area *a, const bm_device *d)
{
    return a->lut <= d->lut && a->ff <= d->ff && a->dsp <= d->dsp && a->bram <= d->bram &&
           a->lutram <= d->lutram;
}

static int variant_rank(bm_mul_variant v)
{
    return v == BM_MUL_PIPE ? 0 : v == BM_MUL_COMB ? 1 : 2;
}

/* 1 when candidate (a, pa) beats (b, pb). */
static int faster(const bm_device_choice *a, const bm_device_choice *b)
{
    double lo = a->predicted_interval < b->predicted_interval ? a->predicted_interval
                                                              : b->predicted_interval;
    double gap = a->predicted_interval - b->predicted_interval;
    if (gap < 0)
        gap = -gap;
    if (gap > 0.02 * lo)
        return a->predicted_interval < b->predicted_interval;
    if (variant_rank(a->mul) != variant_rank(b->mul))
        return variant_rank(a->mul) < variant_rank(b->mul);
    return a->area.lut < b->area.lut;
}

static void describe(char *buf, size_t size, const point *p)
{
    int n;
    switch (p->strategy) {
    case BM_MAP_CORES: n = snprintf(buf, size, "--cores %u", p->cores); break;
    case BM_MAP_FOLD:
        if (p->reuse) {
            n = snprintf(buf, size, "--reuse %u", p->reuse);
            break;
        }
        n = snprintf(buf, size, "--fold ");
        for (size_t i = 0; i < p->n_fold && n > 0 && (size_t)n < size; i++)
            n += snprintf(buf + n, size - (size_t)n, "%s%u", i ? "," : "", p->fold[i]);
        if (n > 0 && (size_t)n < size && p->tiles)
            n += snprintf(buf + n, size - (size_t)n, " --split ");
        for (size_t i = 0; p->tiles && i < p->n_fold && n > 0 && (size_t)n < size; i++)
            n += snprintf(buf + n, size - (size_t)n, "%s%u", i ? "," : "", p->split[i]);
        break;
    default: n = snprintf(buf, size, "--strategy %s", bm_map_strategy_name(p->strategy)); break;
    }
    if (n > 0 && (size_t)n < size && p->chain)
        n += snprintf(buf + n, size - (size_t)n, "%s",
                      p->chain == BM_COMPILE_CHAIN_BROADCAST ? " --broadcast" : " --chain");
    if (n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " --mul %s", bm_mul_variant_get(p->mul)->name);
}

static void options_of(bm_compile_options *o, const search *s, const point *p)
{
    if (p->from_base && s->base->version == BM_COMPILE_OPTIONS_VERSION) {
        *o = *s->base; /* every knob of the strategy, reuse included */
        o->mul = p->mul;
        return;
    }
    *o = (bm_compile_options)BM_COMPILE_OPTIONS_INIT;
    o->name = s->base->version >= 1 ? s->base->name : NULL;
    if (s->base->version >= 2)
        o->buffers = s->base->buffers;
    /* the base's fetch in every point (a version 4 base: direct, as bm_compile) */
    o->fetch = s->base->version >= 5 ? s->base->fetch : BM_COMPILE_FETCH_DIRECT;
    o->strategy = p->strategy;
    if (p->cores)
        o->cores = p->cores;
    o->mul = p->mul;
    o->chain = p->chain;
    if (p->strategy == BM_MAP_FOLD && p->reuse) {
        o->reuse = p->reuse;
    } else if (p->strategy == BM_MAP_FOLD) {
        o->fold_layers = p->fold;
        o->n_fold_layers = p->n_fold;
        if (p->tiles) {
            o->split_layers = p->split;
            o->n_split_layers = p->n_fold;
        }
    }
}

/* Compiles, predicts and estimates one point; keeps it when it is the best
 * that fits or the smallest seen. */
static int try_point(search *s, const point *p)
{
    bm_compile_options o;
    options_of(&o, s, p);
    bm_machine *m = NULL;
    int rc = bm_compile(&m, s->g, &o);
    if (rc)
        return rc;
    bm_device_choice c;
    memset(&c, 0, sizeof c);
    c.strategy = p->strategy;
    c.cores = bm_machine_core_count(m);
    memcpy(c.fold, p->fold, sizeof c.fold);
    c.n_fold = p->n_fold;
    c.mul = p->mul;
    describe(c.options, sizeof c.options, p);
    rc = bm_area_estimate_machine(&c.area, m, s->d);
    if (!rc)
        rc = bmi_map_predict(m, 8, &c.predicted_latency, &c.predicted_interval);
    bm_machine_free(m);
    if (rc)
        return rc;
    if (c.predicted_interval <= 0)
        c.predicted_interval = 1e300; /* no output predicted: never the fastest */
    s->tried++;
    if (!s->have_smallest || c.area.lut < s->smallest.area.lut) {
        s->smallest = c;
        s->smallest_point = *p;
        s->have_smallest = 1;
    }
    if (!fits(&c.area, s->d))
        return BM_OK;
    s->fitting++;
    if (!s->have_best || faster(&c, &s->best)) {
        s->best = c;
        s->best_point = *p;
        s->have_best = 1;
    }
    return BM_OK;
}

/* Chained points are tried on the 7-series only (see the top of the file). */
static int chains_here(const search *s)
{
    return s->d->family != BM_FAMILY_ICE40;
}

/* Point p chained, as a line and as a broadcast, where chains are tried. */
static int try_chained(search *s, const point *p)
{
    point q = *p;
    int rc = BM_OK;
    if (!chains_here(s))
        return rc;
    q.chain = BM_COMPILE_CHAIN_LINE;
    if (!(rc = try_point(s, &q))) {
        q.chain = BM_COMPILE_CHAIN_BROADCAST;
        rc = try_point(s, &q);
    }
    return rc;
}

/* The fold points of a network: for a ladder of cycle budgets from the
 * widest layer's single neuron up to whole layers per core, each layer's
 * largest K within the budget (consecutive duplicates skipped). */
static int try_fold_ladder(search *s, const unsigned *width, size_t layers, unsigned inputs,
                           bm_mul_variant mul)
{
    double lo = 0, hi = 0;
    for (size_t l = 0; l < layers; l++) {
        unsigned f = l ? width[l - 1] : inputs;
        if (fold_cycles(1, f) > lo)
            lo = fold_cycles(1, f);
        if (fold_cycles(width[l], f) > hi)
            hi = fold_cycles(width[l], f);
    }
    point prev;
    memset(&prev, 0, sizeof prev);
    double budget = lo + 0.5;
    for (unsigned step = 0; step < LADDER_STEPS; step++, budget *= LADDER_GROWTH) {
        if (step > 0 && budget / LADDER_GROWTH >= hi)
            break; /* the last step already put every layer on one core */
        point p;
        memset(&p, 0, sizeof p);
        p.strategy = BM_MAP_FOLD;
        p.mul = mul;
        p.n_fold = layers;
        for (size_t l = 0; l < layers; l++) {
            unsigned f = l ? width[l - 1] : inputs, k = 1;
            while (k < width[l] && fold_cycles(k + 1, f) <= budget)
                k++;
            p.fold[l] = k;
        }
        if (step > 0 && memcmp(p.fold, prev.fold, sizeof p.fold) == 0)
            continue;
        prev = p;
        int rc = try_point(s, &p);
        if (!rc)
            rc = try_chained(s, &p);
        if (rc)
            return rc;
    }
    return BM_OK;
}

/* The tiles of a network (7-series only, broadcast): for a ladder of cycle
 * budgets from a few cycles up to the widest fan-in's single neuron, each
 * layer's K and S with the fewest cores whose tile_cycles fit the budget
 * (fewer slices first: less latency), or the most slices when none does
 * (consecutive duplicates skipped). */
static int try_tile_ladder(search *s, const unsigned *width, size_t layers, unsigned inputs,
                           bm_mul_variant mul)
{
    if (!chains_here(s))
        return BM_OK;
    double hi = 0;
    for (size_t l = 0; l < layers; l++) {
        unsigned f = l ? width[l - 1] : inputs;
        if (tile_cycles(1, 1, f) > hi)
            hi = tile_cycles(1, 1, f);
    }
    point prev;
    memset(&prev, 0, sizeof prev);
    for (double budget = 12; budget < hi * LADDER_GROWTH; budget *= LADDER_GROWTH) {
        point p;
        memset(&p, 0, sizeof p);
        p.strategy = BM_MAP_FOLD;
        p.mul = mul;
        p.chain = BM_COMPILE_CHAIN_BROADCAST;
        p.tiles = 1;
        p.n_fold = layers;
        for (size_t l = 0; l < layers; l++) {
            unsigned f = l ? width[l - 1] : inputs, best = 0, smax = f / 2 ? f / 2 : 1;
            if (smax > BM_COMPILE_SPLIT_MAX)
                smax = BM_COMPILE_SPLIT_MAX;
            p.fold[l] = 1;
            p.split[l] = smax;
            for (unsigned sp = 1; sp <= smax; sp++)
                for (unsigned k = 1; k <= width[l] && tile_cycles(k, sp, f) <= budget; k++) {
                    unsigned cores = (width[l] + k - 1) / k * sp;
                    if (!best || cores < best) {
                        best = cores;
                        p.fold[l] = k;
                        p.split[l] = sp;
                    }
                }
        }
        if (memcmp(p.fold, prev.fold, sizeof p.fold) == 0 &&
            memcmp(p.split, prev.split, sizeof p.split) == 0)
            continue;
        prev = p;
        int rc = try_point(s, &p);
        if (rc)
            return rc;
    }
    return BM_OK;
}

static int try_variant(search *s, bm_mul_variant mul, unsigned keep, const unsigned *width,
                       size_t layers)
{
    point p;
    memset(&p, 0, sizeof p);
    p.mul = mul;
    int rc;
    if (keep & BM_DEVICE_KEEP_STRATEGY) {
        const bm_compile_options *b = s->base;
        p.strategy = b->strategy;
        p.from_base = 1;
        p.cores = b->strategy == BM_MAP_CORES ? b->cores : 0;
        if (b->strategy == BM_MAP_FOLD) {
            if (b->version >= 3 && b->fold_layers && b->n_fold_layers) {
                p.n_fold = b->n_fold_layers < BM_DEVICE_LAYERS_MAX ? b->n_fold_layers
                                                                   : BM_DEVICE_LAYERS_MAX;
                memcpy(p.fold, b->fold_layers, p.n_fold * sizeof *p.fold);
            } else {
                p.fold[0] = b->version >= 3 ? b->fold : BM_COMPILE_FOLD_DEFAULT;
                p.n_fold = 1;
            }
        }
        return try_point(s, &p);
    }
    p.strategy = BM_MAP_NODE;
    if ((rc = try_point(s, &p)))
        return rc;
    if (layers) {
        unsigned inputs = bm_graph_input_count(s->g);
        if ((rc = try_fold_ladder(s, width, layers, inputs, mul)) ||
            (rc = try_tile_ladder(s, width, layers, inputs, mul)))
            return rc;
        /* below one neuron per core: each neuron split so that no core does
         * more than R multiplies, for R a half, a third ... of the widest
         * fan-in (docs/compile.md, the reuse factor) */
        unsigned widest = inputs;
        for (size_t l = 0; l + 1 < layers; l++)
            if (width[l] > widest)
                widest = width[l];
        for (unsigned parts = 2; parts <= 8 && widest / parts >= 2; parts++) {
            point q = p;
            q.strategy = BM_MAP_FOLD;
            q.reuse = (widest + parts - 1) / parts;
            if ((rc = try_point(s, &q)) || (rc = try_chained(s, &q)))
                return rc;
        }
    } else {
        for (unsigned n = 1; n <= 64; n *= 2) {
            p.strategy = BM_MAP_CORES;
            p.cores = n;
            if ((rc = try_point(s, &p)))
                return rc;
        }
        p.cores = 0;
    }
    p.strategy = BM_MAP_SINGLE;
    return try_point(s, &p);
}

int bm_compile_for_device(bm_machine **out, const bm_graph *g, const bm_compile_options *base,
                          unsigned keep, const bm_device *d, bm_device_choice *choice)
{
    bm_compile_options defaults = BM_COMPILE_OPTIONS_INIT;
    if (!out || !g || !d)
        return BM_EINVAL;
    *out = NULL;
    if (!base)
        base = &defaults;
    bm_ctx *ctx = bm_graph_ctx(g);
    search s;
    memset(&s, 0, sizeof s);
    s.g = g;
    s.base = base;
    /* the budget the search fills: all of every resource but the LUTs, of
     * which ROUTING_MARGIN stay free for place and route (a design at 97%
     * of an HX8K's logic did not route) */
    bm_device budget = *d;
    budget.lut = d->lut - d->lut * ROUTING_MARGIN_PERCENT / 100;
    char budget_name[64];
    snprintf(budget_name, sizeof budget_name, "%s (less %d%% of its %s)", d->name,
             ROUTING_MARGIN_PERCENT, d->lut_name);
    budget.name = budget_name;
    s.d = &budget;
    unsigned width[BM_DEVICE_LAYERS_MAX];
    size_t layers = network_shape(g, width, BM_DEVICE_LAYERS_MAX);
    int rc = BM_OK;
    if (keep & BM_DEVICE_KEEP_MUL) {
        rc = try_variant(&s, base->version >= 3 ? base->mul : BM_MUL_COMB, keep, width, layers);
    } else {
        static const bm_mul_variant variants[] = {BM_MUL_PIPE, BM_MUL_COMB, BM_MUL_SERIAL};
        for (size_t v = 0; v < 3 && !rc; v++)
            if (variants[v] != BM_MUL_SERIAL || d->dsp == 0)
                rc = try_variant(&s, variants[v], keep, width, layers);
    }
    if (rc)
        return rc;
    if (!s.have_best) {
        char what[200];
        bm_loc loc = bm_graph_loc(g);
        snprintf(what, sizeof what, "%s (%s)", base->name ? base->name : "the graph",
                 s.smallest.options);
        bm_error(ctx, loc,
                 "no design point fits %s: %u tried%s; the smallest one, %s, exceeds the part "
                 "(%d%% of its %s are left free for place and route):",
                 d->name, s.tried,
                 keep & BM_DEVICE_KEEP_STRATEGY ? " with the strategy given" : "",
                 s.smallest.options, ROUTING_MARGIN_PERCENT, d->lut_name);
        bm_device_fit(&s.smallest.area, &budget, ctx, what, loc);
        if (choice) {
            *choice = s.smallest;
            choice->tried = s.tried;
            choice->fitting = 0;
        }
        return BM_ERANGE;
    }
    bm_compile_options o;
    options_of(&o, &s, &s.best_point);
    if ((rc = bm_compile(out, g, &o)))
        return rc;
    if (choice) {
        *choice = s.best;
        choice->tried = s.tried;
        choice->fitting = s.fitting;
    }
    return BM_OK;
}
