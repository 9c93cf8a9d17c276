/* Profiling a graph over test vectors (bm/profile.h, docs/profile.md): every
 * vector is evaluated in the graph's type, exactly (same fraction bits, no
 * wrap) and in doubles, and each node keeps the ranges it saw.  Also the
 * wrap warnings of `bmc eval` and `bmc compile --test`.
 *
 * A network profile (bm_network_profile) evaluates the very graph the
 * network lowers to, so its fixed-point values are bm_graph_eval()'s; the
 * lowering's notes (bmi_net_note) say which of the layer's types each raw
 * value counts in, so that each range is kept in its own type, and which
 * MIN and MAX saturate, so that the exact model leaves them out. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bm/profile.h"
#include "graph_impl.h"
#include "network_impl.h"

#define WRAP_WARNINGS_DEFAULT 10

struct bm_profile {
    const bm_graph *g;
    size_t vectors;
    bm_value_range *nodes; /* by node id; with notes, raw in the node's own type */
    /* a network profile only: */
    const bm_network *net;
    bm_graph *own;        /* the graph it lowered, freed with the profile */
    bmi_net_note *notes;  /* by node id */
    uint64_t *saturated;  /* by node id: values a saturating conversion clipped */
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
 * int_bits are right, and no type of at most 64 bits holds them anyway.
 * With notes (a network), int_bits count in each node's own type, a
 * saturation passes its operand on in both models (a wide enough type
 * clips nothing), and a shift only rescales a value in the float model. */
static void eval_exact_and_real(const bm_graph *g, const bmi_net_note *notes,
                                const int64_t *inputs, const double *reals, eval_space *s)
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
        unsigned own_frac = notes ? notes[i].frac : frac, unscale = notes ? notes[i].unscale : 0;
        if (notes && notes[i].role == BMI_ROLE_SATURATE) {
            s->exact[i] = a;
            s->int_bits[i] = s->int_bits[opd[0]]; /* a's bits, though a be clamped */
            s->real[i] = ra;
            continue;
        }
        switch (n->op) {
        case BM_OP_INPUT: e = s->exact[i]; r = s->real[i]; break;
        case BM_OP_CONST:
            e = n->value;
            r = notes ? ldexp((double)n->value, -(int)(own_frac + unscale))
                      : bm_fixed_to_double(n->value, g->type);
            break;
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
            r = notes ? ra : ldexp(ra, (int)n->value);
            break;
        case BM_OP_SAR:
            e = bmi_fixed_exact(n->op, a, n->value, frac);
            r = notes ? ra : ldexp(ra, -(int)n->value);
            break;
        }
        s->exact[i] = clamp64(e);
        /* a scaled constant is its own raw times 2^unscale: the shift is exact */
        s->int_bits[i] = n->op == BM_OP_OUTPUT && n->n_operands ? s->int_bits[opd[0]]
                                                                : int_bits_of(e >> unscale, own_frac);
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

static int first_user(const bm_graph *g, size_t i)
{
    return g->nodes[i].n_users ? (int)g->users[g->nodes[i].first_user] : -1;
}

/* In a network profile, a conversion's wrap belongs to a value of a row:
 * the shift to result_t's scale wraps the accumulator to accum_t's width
 * (its operand, the sum), the shift to result_t's width wraps the result
 * (the SAR after it, the converted value).  A saturation's clip belongs to
 * the converted value (the MIN, or the MAX's one user, the MIN). */
static void credit_conversions(bm_profile *p, eval_space *s)
{
    const bm_graph *g = p->g;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        const unsigned *opd = g->operands + n->first_operand;
        int role = p->notes[i].role, to = -1;
        if (role == BMI_ROLE_SATURATE && s->values[i] != s->values[opd[0]]) {
            to = p->notes[i].converted ? (int)i : first_user(g, i);
            if (to >= 0)
                p->saturated[to]++;
            continue;
        }
        if (!s->wrapped[i] || (role != BMI_ROLE_CONVERT && role != BMI_ROLE_RESULT_WRAP))
            continue;
        to = role == BMI_ROLE_CONVERT ? (int)opd[0] : first_user(g, i);
        if (to >= 0) {
            s->wrapped[i] = 0;
            s->wrapped[to] = 1;
        }
    }
}

/* Evaluates every vector of v on p->g (and p->notes, if any). */
static int profile_vectors(bm_profile *p, const bm_vectors *v)
{
    const bm_graph *g = p->g;
    bm_ctx *ctx = g->ctx;
    if (bmi_vectors_input_count(v) != g->n_inputs) {
        bm_error(ctx, g->loc, "the vectors have %zu values each, the network %zu inputs",
                 bmi_vectors_input_count(v), g->n_inputs);
        return BM_EINVAL;
    }
    p->nodes = bm_calloc(ctx, g->n_nodes ? g->n_nodes : 1, sizeof *p->nodes);
    if (p->notes)
        p->saturated = bm_calloc(ctx, g->n_nodes ? g->n_nodes : 1, sizeof *p->saturated);
    eval_space s;
    if (!p->nodes || (p->notes && !p->saturated) || space_new(ctx, g->n_nodes, &s))
        return bm_oom(ctx);
    int rc = BM_OK;
    size_t n = bm_vectors_count(v);
    for (size_t k = 0; k < n; k++) {
        const int64_t *in = bm_vectors_inputs(v, k);
        rc = bm_graph_eval_wraps(g, in, s.values, s.wrapped);
        if (rc < 0)
            break;
        rc = BM_OK;
        eval_exact_and_real(g, p->notes, in, bm_vectors_reals(v, k), &s);
        if (p->notes)
            credit_conversions(p, &s);
        for (size_t i = 0; i < g->n_nodes; i++) {
            /* a node's raw value in its own type (exact for the scaled constants) */
            unsigned u = p->notes ? p->notes[i].unscale : 0;
            range_add(&p->nodes[i], s.values[i] >> u, s.exact[i] >> u, s.real[i], s.wrapped[i],
                      s.int_bits[i]);
        }
        p->vectors++;
    }
    space_free(ctx, &s);
    return rc;
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
                     "graph profile reads every value in one type; profile the network "
                     "(bm_network_profile) instead");
            return BM_EINVAL;
        }
    }
    bm_profile *p = bm_calloc(ctx, 1, sizeof *p);
    if (!p)
        return bm_oom(ctx);
    p->g = g;
    int rc = profile_vectors(p, v);
    if (rc) {
        bm_profile_free(p);
        return rc;
    }
    *out = p;
    return BM_OK;
}

int bm_network_profile(bm_profile **out, const bm_network *net, const bm_vectors *v)
{
    if (!out || !net || !v)
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = net->ctx;
    bm_profile *p = bm_calloc(ctx, 1, sizeof *p);
    if (!p)
        return bm_oom(ctx);
    p->net = net;
    int rc = bmi_network_to_graph_noted(&p->own, net, &p->notes);
    if (!rc) {
        p->g = p->own;
        rc = profile_vectors(p, v);
    }
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
    bm_ctx *ctx = p->net ? p->net->ctx : p->g->ctx;
    bm_free(ctx, p->nodes);
    bm_free(ctx, p->notes);
    bm_free(ctx, p->saturated);
    bm_graph_free(p->own);
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
    default: return 0;
    }
}

/* The parts of a network profile, by the lowering's notes: each part's
 * values count in one of the layer's types. */
static int in_network_part(const bm_profile *p, size_t i, bm_profile_part part)
{
    const bmi_net_note *n = &p->notes[i];
    switch (part) {
    case BM_PROFILE_OUTPUTS: return is_neuron_result(p->g, i);
    case BM_PROFILE_SUMS: return n->role == BMI_ROLE_SUM;
    case BM_PROFILE_PRODUCTS: return n->role == BMI_ROLE_PRODUCT;
    case BM_PROFILE_CONSTS: return n->role == BMI_ROLE_ACT_CONST;
    case BM_PROFILE_WEIGHTS: return n->role == BMI_ROLE_WEIGHT;
    case BM_PROFILE_BIASES: return n->role == BMI_ROLE_BIAS;
    case BM_PROFILE_RESULTS: return n->converted;
    default: return 0;
    }
}

/* What a part of a profile can be asked: the parts of bm_graph_profile()
 * but WEIGHTS, BIASES and RESULTS, which need the network's notes; those
 * of bm_network_profile() but ALL, whose values count in several types. */
static int part_check(const bm_profile *p, unsigned layer, bm_profile_part part)
{
    if (layer >= bm_profile_layer_count(p) || (unsigned)part > BM_PROFILE_RESULTS)
        return BM_EINVAL;
    if (!p->notes && part > BM_PROFILE_ALL) {
        bm_error(p->g->ctx, p->g->loc,
                 "the weights, biases and results of a layer need a network profile "
                 "(bm_network_profile)");
        return BM_EINVAL;
    }
    if (p->notes && part == BM_PROFILE_ALL) {
        bm_error(p->g->ctx, p->g->loc,
                 "a network profile keeps each value in its layer's types: a layer's values "
                 "have no one type together");
        return BM_EINVAL;
    }
    return BM_OK;
}

int bm_profile_layer(const bm_profile *p, unsigned layer, bm_profile_part part,
                     bm_value_range *out)
{
    if (!p || !out || part_check(p, layer, part))
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->g->n_nodes; i++)
        if (p->g->nodes[i].layer == (int)layer &&
            (p->notes ? in_network_part(p, i, part) : in_part(p->g, i, part)))
            range_merge(out, &p->nodes[i]);
    return BM_OK;
}

int bm_profile_layer_type(const bm_profile *p, unsigned layer, bm_profile_part part,
                          bm_fixed_type *out)
{
    if (!p || !out || part_check(p, layer, part))
        return BM_EINVAL;
    if (!p->net) {
        *out = p->g->type;
        return BM_OK;
    }
    bm_layer_types t;
    bm_network_layer_types(p->net, layer, &t);
    switch (part) {
    case BM_PROFILE_WEIGHTS: *out = t.weight; break;
    case BM_PROFILE_SUMS:
    case BM_PROFILE_PRODUCTS:
    case BM_PROFILE_BIASES: *out = t.accum; break;
    default: *out = t.result; break;
    }
    return BM_OK;
}

int bm_profile_layer_counts(const bm_profile *p, unsigned layer, uint64_t *wrapped,
                            uint64_t *saturated)
{
    if (!p || layer >= bm_profile_layer_count(p))
        return BM_EINVAL;
    uint64_t w = 0, sat = 0;
    for (size_t i = 0; i < p->g->n_nodes; i++) {
        if (p->g->nodes[i].layer != (int)layer)
            continue;
        w += p->nodes[i].wrapped;
        sat += p->saturated ? p->saturated[i] : 0;
    }
    if (wrapped)
        *wrapped = w;
    if (saturated)
        *saturated = sat;
    return BM_OK;
}

int bm_profile_all(const bm_profile *p, bm_value_range *out)
{
    if (!p || !out)
        return BM_EINVAL;
    if (p->notes) {
        bm_error(p->g->ctx, p->g->loc,
                 "a network profile keeps each value in its layer's types: its values have "
                 "no one type together");
        return BM_EINVAL;
    }
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->g->n_nodes; i++)
        range_merge(out, &p->nodes[i]);
    return BM_OK;
}

/* The fewest integer bits (at least 1) that hold the raw value r of frac
 * fraction bits, at least `bits`. */
static unsigned hold(unsigned bits, int64_t r, unsigned frac)
{
    unsigned b = int_bits_of(r, frac);
    return b > bits ? b : bits;
}

/* frac + bits as a type, or BM_ERANGE (recorded) past 64 bits. */
static int type_of(const bm_profile *p, unsigned layer, const char *which, unsigned frac,
                   unsigned bits, bm_fixed_type *out)
{
    if (bits > 64 || frac + bits > 64) {
        bm_error(p->g->ctx, bm_network_layer_loc(p->net, layer),
                 "layer %u: the %s values need %u integer bits beside the %u fraction bits: "
                 "more than 64 bits, the widest type",
                 layer + 1, which, bits, frac);
        return BM_ERANGE;
    }
    out->frac = frac;
    out->total = frac + bits < 2 ? 2 : frac + bits;
    return BM_OK;
}

int bm_profile_suggest_layer_types(const bm_profile *p, unsigned layer, bm_layer_types *out)
{
    if (!p || !out)
        return BM_EINVAL;
    if (!p->net) {
        bm_error(p->g->ctx, p->g->loc,
                 "per-layer types need a network profile (bm_network_profile)");
        return BM_EINVAL;
    }
    if (layer >= bm_network_layer_count(p->net))
        return BM_EINVAL;
    const bm_network *net = p->net;
    const net_layer *l = &net->layers[layer];
    bm_layer_types t = bmi_net_layer_types(net, l);
    /* every weight and bias must fit, those of neurons nothing reads
     * (left out of the graph) too */
    unsigned wbits = 1, cbits = 1, rbits = 1;
    for (size_t k = 0; k < (size_t)l->neurons * l->inputs; k++)
        wbits = hold(wbits, l->weights[k], t.weight.frac);
    for (unsigned j = 0; j < l->neurons; j++)
        cbits = hold(cbits, l->biases[j], t.accum.frac);
    if (l->activation == BM_ACT_LEAKY_RELU)
        rbits = hold(rbits, l->alpha, t.result.frac);
    if (l->activation == BM_ACT_RELU && l->has_max)
        rbits = hold(rbits, l->max, t.result.frac);
    for (size_t i = 0; i < p->g->n_nodes; i++) {
        const bm_value_range *r = &p->nodes[i];
        if (p->g->nodes[i].layer != (int)layer || !r->count)
            continue;
        switch (p->notes[i].role) {
        case BMI_ROLE_PRODUCT:
        case BMI_ROLE_SUM:
        case BMI_ROLE_BIAS: cbits = r->int_bits > cbits ? r->int_bits : cbits; break;
        case BMI_ROLE_ACTIVATION:
        case BMI_ROLE_ACT_CONST: rbits = r->int_bits > rbits ? r->int_bits : rbits; break;
        default: break;
        }
        /* the converted value, before the activation, may be the sum itself */
        if (p->notes[i].converted)
            rbits = r->int_bits > rbits ? r->int_bits : rbits;
    }
    bm_layer_types s = t;
    int rc = type_of(p, layer, "weight", t.weight.frac, wbits, &s.weight);
    if (!rc)
        rc = type_of(p, layer, "accumulator", t.accum.frac, cbits, &s.accum);
    if (!rc)
        rc = type_of(p, layer, "result", t.result.frac, rbits, &s.result);
    /* sigmoid and tanh constants (up to 5) must fit the result type */
    while (!rc && bm_net_pwl_check(l->activation, s.result) && s.result.total < 64)
        s.result.total++;
    if (!rc)
        *out = s;
    return rc;
}

int bm_profile_suggest_type(const bm_profile *p, bm_fixed_type *out)
{
    if (!p || !out)
        return BM_EINVAL;
    if (p->notes) {
        bm_error(p->g->ctx, p->g->loc,
                 "a network profile suggests per-layer types (bm_profile_suggest_layer_types)");
        return BM_EINVAL;
    }
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
