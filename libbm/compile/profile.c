/* Profiling a graph over test vectors (bm/profile.h, docs/profile.md): every
 * vector is evaluated in the graph's type, exactly (same fraction bits, no
 * wrap) and in doubles, and each node keeps the ranges it saw.  Also the
 * wrap warnings of `bmc eval` and `bmc compile --test`. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bm/profile.h"
#include "graph_impl.h"

#define WRAP_WARNINGS_DEFAULT 10

struct bm_profile {
    const bm_graph *g;
    size_t vectors;
    bm_value_range *nodes; /* by node id */
};

/* Scratch space of one evaluation, by node id. */
typedef struct eval_space {
    int64_t *values, *exact;
    double *real;
    unsigned char *wrapped;
    unsigned *int_bits;
} eval_space;

static void space_free(bm_ctx *ctx, eval_space *s)
{
    bm_free(ctx, s->values);
    bm_free(ctx, s->exact);
    bm_free(ctx, s->real);
    bm_free(ctx, s->wrapped);
    bm_free(ctx, s->int_bits);
}

static int space_new(bm_ctx *ctx, size_t n, eval_space *s)
{
    n = n ? n : 1;
    s->values = bm_malloc(ctx, n * sizeof *s->values);
    s->exact = bm_malloc(ctx, n * sizeof *s->exact);
    s->real = bm_malloc(ctx, n * sizeof *s->real);
    s->wrapped = bm_malloc(ctx, n);
    s->int_bits = bm_malloc(ctx, n * sizeof *s->int_bits);
    if (s->values && s->exact && s->real && s->wrapped && s->int_bits)
        return BM_OK;
    space_free(ctx, s);
    return bm_oom(ctx);
}

/* Integer bits (sign included, at least 1) of the raw value r with frac
 * fraction bits: the fewest B with -2^(B-1) <= r < 2^(B-1), less frac. */
static unsigned int_bits_of(__int128 r, unsigned frac)
{
    unsigned __int128 m = r < 0 ? (unsigned __int128)(-(r + 1)) : (unsigned __int128)r;
    unsigned bits = 1;
    for (; m; m >>= 1)
        bits++;
    return bits > frac + 1 ? bits - frac : 1;
}

static int64_t clamp64(__int128 v)
{
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* The exact and the float evaluation of every node (the fixed-point one is
 * bm_graph_eval_wraps()).  Exact values beyond 64 bits are clamped; their
 * int_bits are right, and no type of at most 64 bits holds them anyway. */
static void eval_exact_and_real(const bm_graph *g, const int64_t *inputs, const double *reals,
                                eval_space *s)
{
    unsigned frac = g->type.frac;
    for (size_t i = 0; i < g->n_inputs; i++) {
        s->exact[g->inputs[i]] = inputs[i];
        s->real[g->inputs[i]] = reals[i];
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        const unsigned *opd = g->operands + n->first_operand;
        int64_t a = n->n_operands > 0 ? s->exact[opd[0]] : 0;
        int64_t b = n->n_operands > 1 ? s->exact[opd[1]] : 0;
        double ra = n->n_operands > 0 ? s->real[opd[0]] : 0;
        double rb = n->n_operands > 1 ? s->real[opd[1]] : 0;
        __int128 e = 0;
        double r = 0;
        switch (n->op) {
        case BM_OP_INPUT: e = s->exact[i]; r = s->real[i]; break;
        case BM_OP_CONST: e = n->value; r = bm_fixed_to_double(n->value, g->type); break;
        case BM_OP_ADD: e = bmi_fixed_exact(n->op, a, b, frac); r = ra + rb; break;
        case BM_OP_SUB: e = bmi_fixed_exact(n->op, a, b, frac); r = ra - rb; break;
        case BM_OP_MUL: e = bmi_fixed_exact(n->op, a, b, frac); r = ra * rb; break;
        case BM_OP_NEG: e = bmi_fixed_exact(n->op, a, b, frac); r = -ra; break;
        case BM_OP_RELU: e = a > 0 ? a : 0; r = ra > 0 ? ra : 0; break;
        case BM_OP_MIN: e = a < b ? a : b; r = ra < rb ? ra : rb; break;
        case BM_OP_MAX: e = a > b ? a : b; r = ra > rb ? ra : rb; break;
        case BM_OP_ARGMAX: {
            unsigned best = 0, rbest = 0;
            for (unsigned k = 1; k < n->n_operands; k++) {
                if (s->exact[opd[k]] > s->exact[opd[best]])
                    best = k;
                if (s->real[opd[k]] > s->real[opd[rbest]])
                    rbest = k;
            }
            /* an index is a raw integer (bm/graph.h), in both models */
            e = best;
            r = rbest;
            break;
        }
        case BM_OP_OUTPUT: e = a; r = ra; break;
        case BM_OP_SHL: /* raw scale: read in the graph's type, as the other values */
            e = bmi_fixed_exact(n->op, a, n->value, frac);
            r = ldexp(ra, (int)n->value);
            break;
        case BM_OP_SAR:
            e = bmi_fixed_exact(n->op, a, n->value, frac);
            r = ldexp(ra, -(int)n->value);
            break;
        }
        s->exact[i] = clamp64(e);
        s->int_bits[i] = n->op == BM_OP_OUTPUT && n->n_operands ? s->int_bits[opd[0]]
                                                                : int_bits_of(e, frac);
        s->real[i] = r;
    }
}

static void range_add(bm_value_range *r, int64_t v, int64_t e, double f, int wrapped,
                      unsigned int_bits)
{
    if (!r->count) {
        r->min = r->max = v;
        r->exact_min = r->exact_max = e;
        r->float_min = r->float_max = f;
    }
    r->count++;
    r->min = v < r->min ? v : r->min;
    r->max = v > r->max ? v : r->max;
    r->exact_min = e < r->exact_min ? e : r->exact_min;
    r->exact_max = e > r->exact_max ? e : r->exact_max;
    r->float_min = f < r->float_min ? f : r->float_min;
    r->float_max = f > r->float_max ? f : r->float_max;
    r->wrapped += wrapped != 0;
    r->int_bits = int_bits > r->int_bits ? int_bits : r->int_bits;
}

static void range_merge(bm_value_range *into, const bm_value_range *r)
{
    if (!r->count)
        return;
    if (!into->count) {
        *into = *r;
        return;
    }
    into->count += r->count;
    into->min = r->min < into->min ? r->min : into->min;
    into->max = r->max > into->max ? r->max : into->max;
    into->exact_min = r->exact_min < into->exact_min ? r->exact_min : into->exact_min;
    into->exact_max = r->exact_max > into->exact_max ? r->exact_max : into->exact_max;
    into->float_min = r->float_min < into->float_min ? r->float_min : into->float_min;
    into->float_max = r->float_max > into->float_max ? r->float_max : into->float_max;
    into->wrapped += r->wrapped;
    into->int_bits = r->int_bits > into->int_bits ? r->int_bits : into->int_bits;
}

int bm_graph_profile(bm_profile **out, const bm_graph *g, const bm_vectors *v)
{
    if (!out || !g || !g->finished || !v)
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = g->ctx;
    for (size_t i = 0; i < g->n_nodes; i++) {
        /* SHL and SAR (per-layer types) rescale: the values they separate
         * count in different powers of two, and a profile reads them all
         * in the graph's one type */
        if (g->nodes[i].op == BM_OP_SHL || g->nodes[i].op == BM_OP_SAR) {
            bm_error(ctx, g->loc,
                     "the graph has per-layer types (its values are in several scales): a "
                     "profile reads every value in one type, so it cannot profile it");
            return BM_EINVAL;
        }
    }
    bm_profile *p = bm_calloc(ctx, 1, sizeof *p);
    if (!p)
        return bm_oom(ctx);
    p->g = g;
    p->nodes = bm_calloc(ctx, g->n_nodes ? g->n_nodes : 1, sizeof *p->nodes);
    eval_space s;
    if (!p->nodes || space_new(ctx, g->n_nodes, &s)) {
        bm_profile_free(p);
        return bm_oom(ctx);
    }
    int rc = BM_OK;
    size_t n = bm_vectors_count(v);
    for (size_t k = 0; k < n; k++) {
        const int64_t *in = bm_vectors_inputs(v, k);
        rc = bm_graph_eval_wraps(g, in, s.values, s.wrapped);
        if (rc < 0)
            break;
        rc = BM_OK;
        eval_exact_and_real(g, in, bm_vectors_reals(v, k), &s);
        for (size_t i = 0; i < g->n_nodes; i++)
            range_add(&p->nodes[i], s.values[i], s.exact[i], s.real[i], s.wrapped[i],
                      s.int_bits[i]);
        p->vectors++;
    }
    space_free(ctx, &s);
    if (rc) {
        bm_profile_free(p);
        return rc;
    }
    *out = p;
    return BM_OK;
}

void bm_profile_free(bm_profile *p)
{
    if (!p)
        return;
    bm_ctx *ctx = p->g->ctx;
    bm_free(ctx, p->nodes);
    bm_free(ctx, p);
}

size_t bm_profile_vector_count(const bm_profile *p)
{
    return p ? p->vectors : 0;
}

int bm_profile_node(const bm_profile *p, unsigned node, bm_value_range *out)
{
    if (!p || !out || node >= p->g->n_nodes)
        return BM_EINVAL;
    *out = p->nodes[node];
    return BM_OK;
}

int bm_profile_inputs(const bm_profile *p, bm_value_range *out)
{
    if (!p || !out)
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->g->n_inputs; i++)
        range_merge(out, &p->nodes[p->g->inputs[i]]);
    return BM_OK;
}

unsigned bm_profile_layer_count(const bm_profile *p)
{
    int top = -1;
    for (size_t i = 0; p && i < p->g->n_nodes; i++)
        top = p->g->nodes[i].layer > top ? p->g->nodes[i].layer : top;
    return (unsigned)(top + 1);
}

/* A neuron's result: a node of the neuron that a node outside it reads
 * (the next layer, the argmax, an output). */
static int is_neuron_result(const bm_graph *g, size_t i)
{
    const graph_node *n = &g->nodes[i];
    for (unsigned k = 0; k < n->n_users; k++) {
        const graph_node *u = &g->nodes[g->users[n->first_user + k]];
        if (u->layer != n->layer || u->neuron != n->neuron)
            return 1;
    }
    return 0;
}

static int in_part(const bm_graph *g, size_t i, bm_profile_part part)
{
    bm_op op = g->nodes[i].op;
    switch (part) {
    case BM_PROFILE_OUTPUTS: return is_neuron_result(g, i);
    case BM_PROFILE_SUMS: return op == BM_OP_ADD || op == BM_OP_SUB;
    case BM_PROFILE_PRODUCTS: return op == BM_OP_MUL;
    case BM_PROFILE_CONSTS: return op == BM_OP_CONST;
    case BM_PROFILE_ALL: return 1;
    }
    return 0;
}

int bm_profile_layer(const bm_profile *p, unsigned layer, bm_profile_part part,
                     bm_value_range *out)
{
    if (!p || !out || layer >= bm_profile_layer_count(p) || (unsigned)part > BM_PROFILE_ALL)
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->g->n_nodes; i++)
        if (p->g->nodes[i].layer == (int)layer && in_part(p->g, i, part))
            range_merge(out, &p->nodes[i]);
    return BM_OK;
}

int bm_profile_all(const bm_profile *p, bm_value_range *out)
{
    if (!p || !out)
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->g->n_nodes; i++)
        range_merge(out, &p->nodes[i]);
    return BM_OK;
}

int bm_profile_suggest_type(const bm_profile *p, bm_fixed_type *out)
{
    if (!p || !out)
        return BM_EINVAL;
    bm_value_range all;
    bm_profile_all(p, &all);
    unsigned frac = p->g->type.frac;
    /* constants fit the type already; with no vector, keep the type */
    unsigned bits = all.count ? all.int_bits : p->g->type.total - frac;
    if (bits > 64 || frac + bits > 64)
        return bm_error(p->g->ctx, p->g->loc,
                        "the values need %u integer bits beside the %u fraction bits: more "
                        "than 64 bits, the widest type",
                        bits, frac);
    bm_fixed_type t = {frac + bits, frac};
    if (t.total < 2)
        t.total = 2;
    *out = t;
    return BM_OK;
}

/* "layer 2 neuron 0", "'t1'" or "node 7": where a value is, for messages
 * (layers count from 1 as in the network reader's messages, neurons from 0
 * as the outputs y0, y1, ...). */
static void describe_node(const bm_graph *g, size_t i, char *buf, size_t size)
{
    const graph_node *n = &g->nodes[i];
    if (n->layer >= 0)
        snprintf(buf, size, "layer %d neuron %d", n->layer + 1, n->neuron);
    else if (n->name)
        snprintf(buf, size, "'%s'", n->name);
    else
        snprintf(buf, size, "node %zu", i);
}

int bm_graph_warn_wraps(const bm_graph *g, const bm_vectors *v, unsigned limit,
                        uint64_t *wrapped)
{
    if (!g || !g->finished || !v)
        return BM_EINVAL;
    if (wrapped)
        *wrapped = 0;
    bm_ctx *ctx = g->ctx;
    bm_fixed_type t = g->type;
    if (!limit)
        limit = WRAP_WARNINGS_DEFAULT;
    size_t nn = g->n_nodes ? g->n_nodes : 1;
    int64_t *values = bm_malloc(ctx, nn * sizeof *values);
    unsigned char *w = bm_malloc(ctx, nn);
    if (!values || !w) {
        bm_free(ctx, values);
        bm_free(ctx, w);
        return bm_oom(ctx);
    }
    uint64_t total = 0;
    size_t n = bm_vectors_count(v), hit_vectors = 0, shown = 0;
    int rc = BM_OK;
    for (size_t k = 0; k < n; k++) {
        int c = bm_graph_eval_wraps(g, bm_vectors_inputs(v, k), values, w);
        if (c < 0) {
            rc = c;
            break;
        }
        total += (uint64_t)c;
        hit_vectors += c > 0;
        for (size_t i = 0; c > 0 && i < g->n_nodes && shown < limit; i++) {
            if (!w[i])
                continue;
            const graph_node *nd = &g->nodes[i];
            const unsigned *opd = g->operands + nd->first_operand;
            int64_t a = nd->n_operands > 0 ? values[opd[0]] : 0;
            int64_t b = nd->n_operands > 1 ? values[opd[1]] : 0;
            double exact = ldexp((double)bmi_fixed_exact(nd->op, a, b, t.frac), -(int)t.frac);
            char where[96], got[96];
            describe_node(g, i, where, sizeof where);
            if (nd->op == BM_OP_SHL) {
                /* a per-layer type's wrap (docs/numbers.md): SHL by W - n
                 * keeps the low n bits */
                unsigned bits = t.total - (unsigned)nd->value;
                bm_warning(ctx, bm_vectors_loc(v, k),
                           "vector %zu: %s: a value wrapped to its %u-bit per-layer type (raw "
                           "%" PRId64 " became %" PRId64 ")",
                           k + 1, where, bits, a,
                           bmi_graph_shift(BM_OP_SAR, values[i], (unsigned)nd->value, t));
                shown++;
                continue;
            }
            bm_fixed_format(got, sizeof got, values[i], t);
            bm_warning(ctx, bm_vectors_loc(v, k),
                       "vector %zu: %s: %s wrapped to %s (the exact %.10g does not fit "
                       "fixed<%u,%u>)",
                       k + 1, where, bm_op_name(nd->op), got, exact, t.total, t.total - t.frac);
            shown++;
        }
    }
    if (!rc && total)
        bm_warning(ctx, bm_loc_make(bm_vectors_loc(v, 0).file, 0, 0),
                   "%llu value%s wrapped in %zu of %zu vectors (%zu shown)",
                   (unsigned long long)total, total == 1 ? "" : "s", hit_vectors, n, shown);
    bm_free(ctx, values);
    bm_free(ctx, w);
    if (wrapped)
        *wrapped = total;
    return rc;
}
