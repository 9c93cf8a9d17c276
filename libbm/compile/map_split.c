/* Splitting wide neurons across cores: the fold strategy's reuse factor
 * below a layer's fan-in, and its tiles (--split).
 *
 * A neuron core takes one input a cycle, so a layer's interval is about its
 * fan-in F.  Splitting each neuron's sum into S partial sums over slices of
 * about F / S inputs, one core each, lets the slices be accumulated at the
 * same time (every part receives the inputs of its slice on the same
 * fan-out bonds), and the parts are then chained: part 0 starts from the
 * bias, part j > 0 adds part j - 1's partial sum to its own slice, and the
 * last part applies the relu and sends the neuron's value on.  The interval
 * drops to about F / S plus a few cycles; the latency grows by a few cycles
 * per part.
 *
 * Bit-exactness: a sum is c + t1 + t2 + ..., each product floored on its
 * own and every addition wrapping modulo 2^total (docs/compile.md "Sums"),
 * so any grouping of the terms gives the same bits; a partial sum is such a
 * group, carried to the next part as a plain term.
 *
 * Deadlock freedom: the parts are new fops placed right before the sum
 * they replace (part 0 first), so the fop order stays topological and the
 * fold strategy's global order is still one topological order every core
 * follows (map_plan.c).
 *
 * The reuse factor's slices are balanced (part j takes inputs ceil(j F /
 * S) up to ceil((j + 1) F / S) - 1), so no part holds more than ceil(F /
 * S) of them; tiles weight and align them (make_slicing).  A slice that
 * holds no term of the neuron (zero weights) is left out, and part numbers
 * count only the parts made (a part's `slice` does not skip). */
#include <string.h>

#include "map.h"

/* The most parts a neuron is split into (a reuse factor below F / 64 gives
 * 64 parts of up to ceil(F / 64) inputs): a part's slice is a bit of a
 * 64-bit mask. */
#define MAP_SPLIT_MAX BM_COMPILE_SPLIT_MAX

/* The input index of operand a (the k-th term of its sum): a graph
 * input's index, or the neuron number of the layer before. */
static unsigned input_index(const map_graph *mg, uint32_t a, uint32_t k)
{
    const map_fop *fo = &mg->fops[a];
    if (fo->kind == MF_INPUT)
        return (unsigned)fo->c;
    return fo->neuron >= 0 ? (unsigned)fo->neuron : k;
}

int bmi_map_layer_fanins(const map_graph *mg, unsigned **fanin, size_t *n_layers)
{
    size_t n = 0;
    *fanin = NULL;
    *n_layers = 0;
    for (size_t f = 0; f < mg->n_fops; f++)
        if (mg->fops[f].layer >= 0 && (size_t)mg->fops[f].layer + 1 > n)
            n = (size_t)mg->fops[f].layer + 1;
    if (!n)
        return BM_OK;
    unsigned *fi = bm_calloc(mg->ctx, n, sizeof *fi);
    if (!fi)
        return bm_oom(mg->ctx);
    for (size_t f = 0; f < mg->n_fops; f++) {
        const map_fop *fo = &mg->fops[f];
        if (fo->kind != MF_SUM || fo->layer < 0)
            continue;
        for (uint32_t k = 0; k < fo->n; k++) {
            unsigned i = input_index(mg, mg->terms[fo->first + k].a, k);
            if (i + 1 > fi[fo->layer])
                fi[fo->layer] = i + 1;
        }
    }
    *fanin = fi;
    *n_layers = n;
    return BM_OK;
}

/* How a layer's inputs are cut into slices: slice j holds input indices
 * bound[j] .. bound[j + 1] - 1. */
typedef struct slicing {
    unsigned f, s; /* f inputs, s slices */
    unsigned bound[MAP_SPLIT_MAX + 1];
} slicing;

/* Balanced slices, the larger ones first (slice j starts at ceil(j f / s)),
 * since a later part has a partial sum to add and the last a relu too.
 * Tiles (--split) weight them: every inner boundary one input later, so
 * the first slice holds one more and the last one fewer (F >= 2S keeps
 * every slice non-empty): the first part's products and overheads (li,
 * send: 2 cycles a neuron) then match the last's (li, partial sum, relu,
 * send: 4), the middle ones' 3 being the mean; and, where the layer before
 * sends its values `group` a core (its K), each inner boundary moves to
 * the nearest multiple of group, so that no core's values straddle two
 * slices (a slice's chain would take the other one and drop it, a cycle
 * on every core of the slice), when that keeps the slices non-empty. */
static void make_slicing(slicing *sl, unsigned f, unsigned s, int tiles, unsigned group)
{
    sl->f = f;
    sl->s = s;
    for (unsigned j = 0; j <= s; j++) {
        uint64_t b = ((uint64_t)j * f + s - 1) / s;
        if (tiles && f >= 2 * s && j > 0 && j < s)
            b++;
        sl->bound[j] = (unsigned)b;
    }
    if (!tiles || group < 2 || s < 2)
        return;
    unsigned aligned[MAP_SPLIT_MAX + 1];
    aligned[0] = 0;
    aligned[s] = f;
    for (unsigned j = 1; j < s; j++) {
        unsigned b = sl->bound[j], lo = b / group * group, hi = lo + group;
        aligned[j] = b - lo <= hi - b ? lo : hi;
        if (aligned[j] <= aligned[j - 1] || aligned[j] >= f)
            return; /* a slice would be empty: keep the weighted cut */
    }
    memcpy(sl->bound, aligned, sizeof aligned);
}

/* The slice (0..s-1) of input index i: the largest j with bound[j] <= i. */
static unsigned slice_of(const slicing *sl, unsigned i)
{
    unsigned j = sl->s - 1;
    while (j > 0 && sl->bound[j] > i)
        j--;
    return j;
}

/* The parts of sum f in a layer split s ways: bit j of *used set when
 * slice j holds a term (s <= MAP_SPLIT_MAX = 64 bits). */
static unsigned count_parts(const map_graph *mg, uint32_t f, const slicing *sl, uint64_t *used)
{
    const map_fop *fo = &mg->fops[f];
    *used = 0;
    for (uint32_t k = 0; k < fo->n; k++)
        *used |= UINT64_C(1) << slice_of(sl, input_index(mg, mg->terms[fo->first + k].a, k));
    unsigned n = 0;
    for (uint64_t u = *used; u; u &= u - 1)
        n++;
    return n;
}

/* The split of fop f (1: none). */
static unsigned split_of(const map_graph *mg, uint32_t f, const unsigned *parts, size_t n_layers)
{
    const map_fop *fo = &mg->fops[f];
    if (fo->kind != MF_SUM || fo->layer < 0 || (size_t)fo->layer >= n_layers ||
        parts[fo->layer] < 2)
        return 1;
    return parts[fo->layer] > MAP_SPLIT_MAX ? MAP_SPLIT_MAX : parts[fo->layer];
}

typedef struct rebuild {
    map_graph *mg;
    map_fop *fops;
    map_term *terms;
    map_arg *args;
    size_t n_fops, n_terms, n_args;
    const uint32_t *renum; /* old fop -> new (the last part of a split sum) */
} rebuild;

static map_term renumbered(const rebuild *rb, const map_term *t)
{
    map_term u = *t;
    u.a = rb->renum[t->a];
    if (t->kind == MT_MUL)
        u.b = rb->renum[t->b];
    return u;
}

/* Copies fop f unchanged but for its operands' numbers. */
static void copy_fop(rebuild *rb, uint32_t f)
{
    const map_graph *mg = rb->mg;
    const map_fop *fo = &mg->fops[f];
    map_fop *nf = &rb->fops[rb->n_fops++];
    *nf = *fo;
    if (fo->kind == MF_SUM) {
        nf->first = (uint32_t)rb->n_terms;
        for (uint32_t k = 0; k < fo->n; k++)
            rb->terms[rb->n_terms++] = renumbered(rb, &mg->terms[fo->first + k]);
    } else if (fo->kind != MF_INPUT) {
        nf->first = (uint32_t)rb->n_args;
        for (uint32_t k = 0; k < fo->n; k++) {
            map_arg a = mg->args[fo->first + k];
            if (a.fop != MAP_NONE)
                a.fop = rb->renum[a.fop];
            rb->args[rb->n_args++] = a;
        }
    }
}

/* The parts of sum f, one per used slice, in slice order. */
static void split_fop(rebuild *rb, uint32_t f, const slicing *sl, uint64_t used,
                      unsigned n_parts)
{
    unsigned s = sl->s;
    const map_graph *mg = rb->mg;
    const map_fop *fo = &mg->fops[f];
    unsigned part = 0;
    for (unsigned j = 0; j < s; j++) {
        if (!(used >> j & 1))
            continue;
        map_fop *nf = &rb->fops[rb->n_fops++];
        *nf = *fo;
        nf->c = part == 0 ? fo->c : 0;
        nf->first = (uint32_t)rb->n_terms;
        nf->n = 0;
        nf->part = part;
        nf->parts = n_parts;
        nf->slice = j;
        for (uint32_t k = 0; k < fo->n; k++) {
            const map_term *t = &mg->terms[fo->first + k];
            if (slice_of(sl, input_index(mg, t->a, k)) == j) {
                rb->terms[rb->n_terms++] = renumbered(rb, t);
                nf->n++;
            }
        }
        if (part > 0) {
            /* the partial sum so far, added after this part's own slice */
            map_term prev = {MT_VAL, 0, (uint32_t)(rb->n_fops - 2), MAP_NONE, 0};
            rb->terms[rb->n_terms++] = prev;
            nf->n++;
        }
        part++;
    }
}

/* The slicing of fop f's layer split s ways (tiles: group per layer, the
 * K of the layer before; NULL for the reuse factor's splits). */
static slicing slicing_of(const map_graph *mg, uint32_t f, const unsigned *fanin, unsigned s,
                          const unsigned *group)
{
    slicing sl;
    int l = mg->fops[f].layer;
    make_slicing(&sl, fanin[l], s, group != NULL, group ? group[l] : 1);
    return sl;
}

int bmi_map_split(map_graph *mg, const unsigned *parts, const unsigned *fanin, size_t n_layers,
                  const unsigned *group)
{
    bm_ctx *ctx = mg->ctx;
    size_t nf = mg->n_fops ? mg->n_fops : 1;
    uint32_t *renum = bm_malloc(ctx, nf * sizeof *renum);
    uint32_t *n_parts = bm_malloc(ctx, nf * sizeof *n_parts);
    uint64_t *used = bm_malloc(ctx, nf * sizeof *used);
    int rc = renum && n_parts && used ? BM_OK : bm_oom(ctx);
    size_t total = 0, extra = 0;
    for (uint32_t f = 0; f < mg->n_fops && !rc; f++) {
        unsigned s = split_of(mg, f, parts, n_layers);
        n_parts[f] = 1;
        if (s > 1) { /* a sum of a layer below n_layers: fanin[] has it */
            slicing sl = slicing_of(mg, f, fanin, s, group);
            n_parts[f] = count_parts(mg, f, &sl, &used[f]);
        }
        if (n_parts[f] < 2)
            n_parts[f] = 1;
        total += n_parts[f];
        extra += n_parts[f] - 1;
        renum[f] = (uint32_t)(total - 1);
    }
    rebuild rb;
    memset(&rb, 0, sizeof rb);
    rb.mg = mg;
    rb.renum = renum;
    if (!rc && extra) {
        rb.fops = bm_malloc(ctx, total * sizeof *rb.fops);
        rb.terms = bm_malloc(ctx, (mg->n_terms + extra + 1) * sizeof *rb.terms);
        rb.args = bm_malloc(ctx, (mg->n_args + 1) * sizeof *rb.args);
        if (!rb.fops || !rb.terms || !rb.args)
            rc = bm_oom(ctx);
    }
    if (rc || !extra) {
        bm_free(ctx, rb.fops);
        bm_free(ctx, rb.terms);
        bm_free(ctx, rb.args);
        bm_free(ctx, renum);
        bm_free(ctx, n_parts);
        bm_free(ctx, used);
        return rc;
    }
    for (uint32_t f = 0; f < mg->n_fops; f++) {
        if (n_parts[f] > 1) {
            slicing sl = slicing_of(mg, f, fanin, split_of(mg, f, parts, n_layers), group);
            split_fop(&rb, f, &sl, used[f], n_parts[f]);
        } else
            copy_fop(&rb, f);
    }
    /* a split neuron's relu goes with its last part */
    for (size_t f = 0; f < rb.n_fops; f++) {
        map_fop *fo = &rb.fops[f];
        if (fo->kind != MF_RELU || rb.args[fo->first].fop == MAP_NONE)
            continue;
        const map_fop *sum = &rb.fops[rb.args[fo->first].fop];
        if (sum->kind == MF_SUM && sum->parts > 1 && sum->layer == fo->layer &&
            sum->neuron == fo->neuron) {
            fo->part = sum->part;
            fo->parts = sum->parts;
            fo->slice = sum->slice;
        }
    }
    for (size_t k = 0; k < bm_graph_output_count(mg->g); k++)
        mg->output_fop[k] = renum[mg->output_fop[k]];
    bm_free(ctx, mg->fops);
    bm_free(ctx, mg->terms);
    bm_free(ctx, mg->args);
    mg->fops = rb.fops;
    mg->n_fops = mg->cap_fops = rb.n_fops;
    mg->terms = rb.terms;
    mg->n_terms = rb.n_terms;
    mg->cap_terms = mg->n_terms + 1;
    mg->args = rb.args;
    mg->n_args = rb.n_args;
    mg->cap_args = mg->n_args + 1;
    /* the parts' costs, from their own terms (now in mg) */
    for (size_t f = 0; f < mg->n_fops; f++)
        if (mg->fops[f].parts > 1 && mg->fops[f].kind == MF_SUM)
            mg->fops[f].cost = bmi_map_fop_cost(mg, &mg->fops[f]);
    bm_free(ctx, mg->user_start);
    bm_free(ctx, mg->user);
    bm_free(ctx, mg->out_start);
    bm_free(ctx, mg->out_of);
    mg->user_start = mg->user = mg->out_start = mg->out_of = NULL;
    rc = bmi_map_build_users(mg);
    bm_free(ctx, renum);
    bm_free(ctx, n_parts);
    bm_free(ctx, used);
    return rc;
}

int bmi_map_split_layers(map_graph *mg, const unsigned *split, size_t n_split,
                         const unsigned *fold, size_t n_fold)
{
    bm_ctx *ctx = mg->ctx;
    unsigned *fanin;
    size_t n;
    int rc = bmi_map_layer_fanins(mg, &fanin, &n);
    if (rc || !n)
        return rc;
    unsigned *s = bm_malloc(ctx, n * sizeof *s), *group = bm_malloc(ctx, n * sizeof *group);
    if (!s || !group)
        rc = bm_oom(ctx);
    for (size_t l = 0; l < n && !rc; l++) {
        s[l] = split[l < n_split ? l : n_split - 1];
        group[l] = l ? fold[l - 1 < n_fold ? l - 1 : n_fold - 1] : 1;
    }
    if (!rc)
        rc = bmi_map_split(mg, s, fanin, n, group);
    bm_free(ctx, fanin);
    bm_free(ctx, s);
    bm_free(ctx, group);
    return rc;
}

/* ---- the reuse factor --------------------------------------------------------------- */

int bmi_map_reuse(map_graph *mg, const unsigned *reuse, size_t n_reuse, unsigned **fold,
              size_t *n_fold)
{
    bm_ctx *ctx = mg->ctx;
    unsigned *fanin;
    size_t n;
    *fold = NULL;
    *n_fold = 0;
    int rc = bmi_map_layer_fanins(mg, &fanin, &n);
    if (rc)
        return rc;
    size_t n1 = n ? n : 1;
    unsigned *k = bm_malloc(ctx, n1 * sizeof *k);
    unsigned *s = bm_malloc(ctx, n1 * sizeof *s);
    if (!k || !s)
        rc = bm_oom(ctx);
    else
        k[0] = 1; /* a graph without layers: the fold strategy refuses it */
    for (size_t l = 0; l < n && !rc; l++) {
        unsigned r = reuse[l < n_reuse ? l : n_reuse - 1], f = fanin[l];
        if (r >= f) {
            /* whole neurons, floor(R / F) a core (a layer with no input
             * reads nothing: R of them) */
            unsigned q = f ? r / f : r;
            k[l] = q > BM_COMPILE_FOLD_MAX ? BM_COMPILE_FOLD_MAX : q;
            s[l] = 1;
        } else {
            k[l] = 1;
            s[l] = (f + r - 1) / r;
            if (s[l] > MAP_SPLIT_MAX)
                s[l] = MAP_SPLIT_MAX;
        }
    }
    if (!rc && n)
        rc = bmi_map_split(mg, s, fanin, n, NULL);
    bm_free(ctx, fanin);
    bm_free(ctx, s);
    if (rc) {
        bm_free(ctx, k);
        return rc;
    }
    *fold = k;
    *n_fold = n1;
    return BM_OK;
}
