/* Instruction selection: the graph becomes fused operations ("fops").
 *
 * - Constants are folded: a node whose operands are all constants (and a
 *   product by the constant 0, and an argmax of one operand) becomes a
 *   constant, computed with the evaluator's own rules (fixed.c), so folding
 *   cannot change a bit.
 * - Nodes that no output depends on are dropped.
 * - ADD, SUB, NEG and MUL nodes read by exactly one ADD, SUB or NEG (of the
 *   same network tag) are absorbed into it: each root becomes a sum
 *   c + t1 + t2 + ..., each term a value, a value times an immediate or a
 *   product of two values, added or subtracted.  Because additions wrap
 *   modulo 2^total and every product is rounded on its own (floor, then
 *   wrap), any order of the terms gives the evaluator's bits; a product by
 *   1.0 or -1.0 is exact and becomes a plain (negated) value.
 * - RELU, MIN, MAX and ARGMAX are fops of their own; an output that is a
 *   constant or a graph input gets a CONST or COPY fop, and inputs that no
 *   output needs are read by one SINK fop, so that the machine still takes
 *   one value per input for every vector.
 *
 * Fops are created in node order, so operands always come first. */
#include <string.h>

#include "graph_impl.h" /* bmi_graph_shift: constants fold like the evaluator */
#include "map.h"

typedef struct selector {
    map_graph *mg;
    const bm_graph *g;
    unsigned n;
    uint8_t *is_const, *live, *absorbed;
    int64_t *cval;
    uint32_t *uses, *fop_of;
    uint32_t *stack; /* for flattening sums: (node << 1) | negated */
    size_t cap_stack;
} selector;

static int new_fop(map_graph *mg, map_fop_kind kind, uint32_t node, uint32_t *out)
{
    if (bm_grow(mg->ctx, (void **)&mg->fops, &mg->cap_fops, mg->n_fops + 1, sizeof *mg->fops))
        return BM_ENOMEM;
    map_fop *f = &mg->fops[mg->n_fops];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->node = node;
    f->layer = node != MAP_NONE ? bm_graph_node_layer(mg->g, node) : -1;
    f->neuron = node != MAP_NONE ? bm_graph_node_neuron(mg->g, node) : -1;
    f->first = kind == MF_SUM ? (uint32_t)mg->n_terms : (uint32_t)mg->n_args;
    *out = (uint32_t)mg->n_fops++;
    return BM_OK;
}

static int add_arg(map_graph *mg, uint32_t fop, int64_t c)
{
    if (bm_grow(mg->ctx, (void **)&mg->args, &mg->cap_args, mg->n_args + 1, sizeof *mg->args))
        return BM_ENOMEM;
    mg->args[mg->n_args].fop = fop;
    mg->args[mg->n_args].c = c;
    mg->n_args++;
    mg->fops[mg->n_fops - 1].n++;
    return BM_OK;
}

static int add_term(map_graph *mg, map_term_kind kind, int neg, uint32_t a, uint32_t b,
                    int64_t imm)
{
    if (bm_grow(mg->ctx, (void **)&mg->terms, &mg->cap_terms, mg->n_terms + 1,
                sizeof *mg->terms))
        return BM_ENOMEM;
    map_term *t = &mg->terms[mg->n_terms++];
    t->kind = (uint8_t)kind;
    t->neg = (uint8_t)(neg != 0);
    t->a = a;
    t->b = b;
    t->imm = imm;
    mg->fops[mg->n_fops - 1].n++;
    return BM_OK;
}

/* ---- folding, liveness, absorption ----------------------------------------- */

static void fold(selector *s)
{
    const bm_graph *g = s->g;
    bm_fixed_type t = s->mg->type;
    for (unsigned i = 0; i < s->n; i++) {
        bm_op op = bm_graph_node_op(g, i);
        unsigned k = bm_graph_node_operand_count(g, i);
        if (op == BM_OP_CONST) {
            s->is_const[i] = 1;
            s->cval[i] = bm_graph_node_value(g, i);
            continue;
        }
        if (op == BM_OP_INPUT || op == BM_OP_OUTPUT)
            continue;
        int all = 1;
        for (unsigned j = 0; j < k; j++)
            all &= s->is_const[bm_graph_node_operand(g, i, j)];
        unsigned o0 = k > 0 ? bm_graph_node_operand(g, i, 0) : 0;
        unsigned o1 = k > 1 ? bm_graph_node_operand(g, i, 1) : 0;
        int64_t a = s->cval[o0], b = k > 1 ? s->cval[o1] : 0;
        if (op == BM_OP_MUL && ((s->is_const[o0] && a == 0) || (s->is_const[o1] && b == 0))) {
            s->is_const[i] = 1; /* floor(x * 0) = 0 */
            s->cval[i] = 0;
            continue;
        }
        if (op == BM_OP_ARGMAX && k == 1) {
            s->is_const[i] = 1;
            s->cval[i] = 0;
            continue;
        }
        if (!all)
            continue;
        int64_t v = 0;
        switch (op) {
        case BM_OP_ADD: v = bm_fixed_add(a, b, t); break;
        case BM_OP_SUB: v = bm_fixed_sub(a, b, t); break;
        case BM_OP_MUL: v = bm_fixed_mul(a, b, t); break;
        case BM_OP_NEG: v = bm_fixed_neg(a, t); break;
        case BM_OP_RELU: v = a > 0 ? a : 0; break;
        case BM_OP_MIN: v = a < b ? a : b; break;
        case BM_OP_MAX: v = a > b ? a : b; break;
        case BM_OP_SHL:
        case BM_OP_SAR: v = bmi_graph_shift(op, a, (unsigned)bm_graph_node_value(g, i), t); break;
        case BM_OP_ARGMAX: {
            unsigned best = 0;
            for (unsigned j = 1; j < k; j++)
                if (s->cval[bm_graph_node_operand(g, i, j)] >
                    s->cval[bm_graph_node_operand(g, i, best)])
                    best = j;
            v = best;
            break;
        }
        default: break;
        }
        s->is_const[i] = 1;
        s->cval[i] = v;
    }
}

static void find_live(selector *s)
{
    const bm_graph *g = s->g;
    for (unsigned k = 0; k < bm_graph_output_count(g); k++)
        s->live[bm_graph_output(g, k)] = 1;
    for (unsigned i = s->n; i-- > 0;) {
        if (!s->live[i] || s->is_const[i])
            continue;
        for (unsigned j = 0; j < bm_graph_node_operand_count(g, i); j++) {
            unsigned o = bm_graph_node_operand(g, i, j);
            s->live[o] = 1;
            s->uses[o]++;
        }
    }
}

static int is_sum_family(bm_op op)
{
    return op == BM_OP_ADD || op == BM_OP_SUB || op == BM_OP_NEG;
}

static void find_absorbed(selector *s)
{
    const bm_graph *g = s->g;
    for (unsigned i = 0; i < s->n; i++) {
        bm_op op = bm_graph_node_op(g, i);
        if (!s->live[i] || s->is_const[i] || s->uses[i] != 1 ||
            !(is_sum_family(op) || op == BM_OP_MUL))
            continue;
        for (unsigned k = 0; k < bm_graph_node_fanout(g, i); k++) {
            unsigned u = bm_graph_node_user(g, i, k);
            if (!s->live[u] || s->is_const[u])
                continue;
            s->absorbed[i] = is_sum_family(bm_graph_node_op(g, u)) &&
                             bm_graph_node_layer(g, u) == bm_graph_node_layer(g, i) &&
                             bm_graph_node_neuron(g, u) == bm_graph_node_neuron(g, i);
            break;
        }
    }
}

/* ---- sums ---------------------------------------------------------------------- */

static int reserve(selector *s, size_t need)
{
    return bm_grow(s->mg->ctx, (void **)&s->stack, &s->cap_stack, need, sizeof *s->stack);
}

/* The term of a product node: by an immediate when one side is constant. */
static int mul_term(selector *s, unsigned node, int neg)
{
    const bm_graph *g = s->g;
    bm_fixed_type t = s->mg->type;
    unsigned a = bm_graph_node_operand(g, node, 0), b = bm_graph_node_operand(g, node, 1);
    if (s->is_const[a]) {
        unsigned x = a;
        a = b;
        b = x;
    }
    if (!s->is_const[b])
        return add_term(s->mg, MT_MUL, neg, s->fop_of[a], s->fop_of[b], 0);
    int64_t k = s->cval[b];
    uint64_t one = UINT64_C(1) << t.frac; /* 1.0; representable when frac <= total - 2 */
    if (t.frac + 2 <= t.total && (uint64_t)k == one)
        return add_term(s->mg, MT_VAL, neg, s->fop_of[a], MAP_NONE, 0);
    if ((uint64_t)k == 0 - one) /* -1.0, always representable */
        return add_term(s->mg, MT_VAL, !neg, s->fop_of[a], MAP_NONE, 0);
    return add_term(s->mg, MT_MULI, neg, s->fop_of[a], MAP_NONE, k);
}

/* Flattens the sum rooted at `root` into the current fop's terms, leaves
 * left to right. */
static int flatten(selector *s, unsigned root, int64_t *c)
{
    const bm_graph *g = s->g;
    bm_fixed_type t = s->mg->type;
    size_t top = 0;
    int rc;
    if ((rc = reserve(s, 1)))
        return rc;
    s->stack[top++] = root << 1;
    while (top > 0) {
        uint32_t e = s->stack[--top];
        unsigned n = e >> 1;
        int neg = e & 1;
        bm_op op = bm_graph_node_op(g, n);
        if (s->is_const[n]) {
            *c = neg ? bm_fixed_sub(*c, s->cval[n], t) : bm_fixed_add(*c, s->cval[n], t);
            continue;
        }
        if (n == root || s->absorbed[n]) {
            if (op == BM_OP_MUL) {
                if ((rc = mul_term(s, n, neg)))
                    return rc;
                continue;
            }
            /* push the operands right to left, so the left one is next */
            unsigned k = bm_graph_node_operand_count(g, n);
            if ((rc = reserve(s, top + k)))
                return rc;
            for (unsigned j = k; j-- > 0;) {
                int flip = (op == BM_OP_SUB && j == 1) || op == BM_OP_NEG;
                s->stack[top++] = (bm_graph_node_operand(g, n, j) << 1) | (uint32_t)(neg ^ flip);
            }
            continue;
        }
        if ((rc = add_term(s->mg, MT_VAL, neg, s->fop_of[n], MAP_NONE, 0)))
            return rc;
    }
    return BM_OK;
}

/* ---- fops ------------------------------------------------------------------------- */

static int arg_of(selector *s, unsigned node)
{
    return add_arg(s->mg, s->is_const[node] ? MAP_NONE : s->fop_of[node], s->cval[node]);
}

static int make_fop(selector *s, unsigned i)
{
    const bm_graph *g = s->g;
    map_graph *mg = s->mg;
    bm_op op = bm_graph_node_op(g, i);
    uint32_t f;
    int rc;
    switch (op) {
    case BM_OP_ADD:
    case BM_OP_SUB:
    case BM_OP_NEG:
    case BM_OP_MUL: {
        if ((rc = new_fop(mg, MF_SUM, i, &f)))
            return rc;
        int64_t c = 0;
        if ((rc = flatten(s, i, &c)))
            return rc;
        mg->fops[f].c = c;
        break;
    }
    case BM_OP_RELU:
    case BM_OP_MIN:
    case BM_OP_MAX:
    case BM_OP_ARGMAX: {
        map_fop_kind kind = op == BM_OP_RELU  ? MF_RELU
                            : op == BM_OP_MIN ? MF_MIN
                            : op == BM_OP_MAX ? MF_MAX
                                              : MF_ARGMAX;
        if ((rc = new_fop(mg, kind, i, &f)))
            return rc;
        for (unsigned j = 0; j < bm_graph_node_operand_count(g, i); j++)
            if ((rc = arg_of(s, bm_graph_node_operand(g, i, j))))
                return rc;
        break;
    }
    case BM_OP_SHL:
    case BM_OP_SAR:
        if ((rc = new_fop(mg, op == BM_OP_SHL ? MF_SHL : MF_SAR, i, &f)) ||
            (rc = arg_of(s, bm_graph_node_operand(g, i, 0))))
            return rc;
        mg->fops[f].c = bm_graph_node_value(g, i);
        break;
    default: return BM_OK;
    }
    s->fop_of[i] = f;
    return BM_OK;
}

uint32_t bmi_map_fop_cost(const map_graph *mg, const map_fop *f)
{
    uint32_t c = 1;
    switch ((map_fop_kind)f->kind) {
    case MF_SUM:
        c = f->n + (f->c != 0);
        for (uint32_t k = 0; k < f->n; k++)
            if (mg->terms[f->first + k].neg && mg->terms[f->first + k].kind != MT_VAL)
                c += 2;
        break;
    case MF_RELU: c = 2; break;
    case MF_MIN:
    case MF_MAX: c = 2; break;
    case MF_ARGMAX: c = 2 + 4 * (f->n - 1); break;
    default: c = 1; break;
    }
    return c ? c : 1;
}

/* Outputs that need a fop of their own, unused inputs, and the user lists. */
static int finish_outputs(selector *s)
{
    const bm_graph *g = s->g;
    map_graph *mg = s->mg;
    unsigned n_out = bm_graph_output_count(g), n_in = bm_graph_input_count(g);
    int rc = BM_OK;
    for (unsigned k = 0; k < n_out; k++) {
        unsigned node = bm_graph_node_operand(g, bm_graph_output(g, k), 0);
        uint32_t f;
        if (s->is_const[node]) {
            if ((rc = new_fop(mg, MF_CONST, node, &f)))
                return rc;
            mg->fops[f].c = s->cval[node];
            if (n_in && (rc = add_arg(mg, s->fop_of[bm_graph_input(g, 0)], 0)))
                return rc;
        } else if (bm_graph_node_op(g, node) == BM_OP_INPUT) {
            if ((rc = new_fop(mg, MF_COPY, node, &f)) || (rc = add_arg(mg, s->fop_of[node], 0)))
                return rc;
        } else {
            f = s->fop_of[node];
        }
        mg->output_fop[k] = f;
    }
    /* inputs that nothing reads */
    uint8_t *read = bm_calloc(mg->ctx, mg->n_fops + 1, 1);
    if (!read)
        return bm_oom(mg->ctx);
    for (size_t f = 0; f < mg->n_fops; f++) {
        const map_fop *fo = &mg->fops[f];
        if (fo->kind == MF_SUM) {
            for (uint32_t k = 0; k < fo->n; k++) {
                read[mg->terms[fo->first + k].a] = 1;
                if (mg->terms[fo->first + k].kind == MT_MUL)
                    read[mg->terms[fo->first + k].b] = 1;
            }
        } else if (fo->kind != MF_INPUT) {
            for (uint32_t k = 0; k < fo->n; k++)
                if (mg->args[fo->first + k].fop != MAP_NONE)
                    read[mg->args[fo->first + k].fop] = 1;
        }
    }
    int have_sink = 0;
    for (unsigned k = 0; k < n_in && !rc; k++) {
        uint32_t in = s->fop_of[bm_graph_input(g, k)];
        if (read[in])
            continue;
        uint32_t f;
        if (!have_sink && (rc = new_fop(mg, MF_SINK, MAP_NONE, &f)))
            break;
        have_sink = 1;
        rc = add_arg(mg, in, 0);
    }
    bm_free(mg->ctx, read);
    return rc;
}

int bmi_map_build_users(map_graph *mg)
{
    bm_ctx *ctx = mg->ctx;
    size_t n = mg->n_fops;
    mg->user_start = bm_calloc(ctx, n + 1, sizeof *mg->user_start);
    mg->out_start = bm_calloc(ctx, n + 1, sizeof *mg->out_start);
    if (!mg->user_start || !mg->out_start)
        return bm_oom(ctx);
    size_t total = 0;
    for (uint32_t f = 0; f < n; f++) {
        uint32_t k = mg->fops[f].n;
        for (uint32_t j = 0; j < k; j++) {
            if (mg->fops[f].kind == MF_SUM) {
                const map_term *t = &mg->terms[mg->fops[f].first + j];
                mg->user_start[t->a + 1]++;
                total++;
                if (t->kind == MT_MUL) {
                    mg->user_start[t->b + 1]++;
                    total++;
                }
            } else if (mg->fops[f].kind != MF_INPUT && mg->args[mg->fops[f].first + j].fop != MAP_NONE) {
                mg->user_start[mg->args[mg->fops[f].first + j].fop + 1]++;
                total++;
            }
        }
    }
    for (size_t f = 0; f < n; f++)
        mg->user_start[f + 1] += mg->user_start[f];
    mg->user = bm_malloc(ctx, (total ? total : 1) * sizeof *mg->user);
    uint32_t *fill = bm_malloc(ctx, (n ? n : 1) * sizeof *fill);
    unsigned n_out = bm_graph_output_count(mg->g);
    mg->out_of = bm_malloc(ctx, (n_out ? n_out : 1) * sizeof *mg->out_of);
    if (!mg->user || !fill || !mg->out_of) {
        bm_free(ctx, fill);
        return bm_oom(ctx);
    }
    memcpy(fill, mg->user_start, n * sizeof *fill);
    for (uint32_t f = 0; f < n; f++) {
        for (uint32_t j = 0; j < mg->fops[f].n; j++) {
            if (mg->fops[f].kind == MF_SUM) {
                const map_term *t = &mg->terms[mg->fops[f].first + j];
                mg->user[fill[t->a]++] = f;
                if (t->kind == MT_MUL)
                    mg->user[fill[t->b]++] = f;
            } else if (mg->fops[f].kind != MF_INPUT && mg->args[mg->fops[f].first + j].fop != MAP_NONE) {
                mg->user[fill[mg->args[mg->fops[f].first + j].fop]++] = f;
            }
        }
    }
    for (unsigned k = 0; k < n_out; k++)
        mg->out_start[mg->output_fop[k] + 1]++;
    for (size_t f = 0; f < n; f++)
        mg->out_start[f + 1] += mg->out_start[f];
    memcpy(fill, mg->out_start, n * sizeof *fill);
    for (unsigned k = 0; k < n_out; k++)
        mg->out_of[fill[mg->output_fop[k]]++] = k;
    bm_free(ctx, fill);
    return BM_OK;
}

int bmi_map_select(map_graph *mg, bm_ctx *ctx, const bm_graph *g)
{
    memset(mg, 0, sizeof *mg);
    mg->ctx = ctx;
    mg->g = g;
    mg->type = bm_graph_type(g);
    selector s;
    memset(&s, 0, sizeof s);
    s.mg = mg;
    s.g = g;
    s.n = bm_graph_node_count(g);
    size_t n1 = s.n ? s.n : 1;
    s.is_const = bm_calloc(ctx, n1, 1);
    s.live = bm_calloc(ctx, n1, 1);
    s.absorbed = bm_calloc(ctx, n1, 1);
    s.cval = bm_calloc(ctx, n1, sizeof *s.cval);
    s.uses = bm_calloc(ctx, n1, sizeof *s.uses);
    s.fop_of = bm_malloc(ctx, n1 * sizeof *s.fop_of);
    unsigned n_out = bm_graph_output_count(g);
    mg->output_fop = bm_malloc(ctx, (n_out ? n_out : 1) * sizeof *mg->output_fop);
    int rc = s.is_const && s.live && s.absorbed && s.cval && s.uses && s.fop_of && mg->output_fop
                 ? BM_OK
                 : bm_oom(ctx);
    if (!rc) {
        memset(s.fop_of, 0xff, n1 * sizeof *s.fop_of);
        fold(&s);
        find_live(&s);
        find_absorbed(&s);
    }
    for (unsigned k = 0; k < bm_graph_input_count(g) && !rc; k++)
        s.cval[bm_graph_input(g, k)] = k; /* an input's index, until it gets its fop */
    for (unsigned i = 0; i < s.n && !rc; i++) {
        if (bm_graph_node_op(g, i) == BM_OP_INPUT) {
            uint32_t f;
            if (!(rc = new_fop(mg, MF_INPUT, i, &f))) {
                mg->fops[f].c = s.cval[i];
                s.fop_of[i] = f;
            }
        } else if (s.live[i] && !s.is_const[i] && !s.absorbed[i]) {
            rc = make_fop(&s, i);
        }
    }
    if (!rc)
        rc = finish_outputs(&s);
    for (size_t f = 0; f < mg->n_fops && !rc; f++)
        mg->fops[f].cost = bmi_map_fop_cost(mg, &mg->fops[f]);
    if (!rc)
        rc = bmi_map_build_users(mg);
    bm_free(ctx, s.is_const);
    bm_free(ctx, s.live);
    bm_free(ctx, s.absorbed);
    bm_free(ctx, s.cval);
    bm_free(ctx, s.uses);
    bm_free(ctx, s.fop_of);
    bm_free(ctx, s.stack);
    if (rc)
        bmi_map_graph_free(mg);
    return rc;
}

void bmi_map_graph_free(map_graph *mg)
{
    bm_ctx *ctx = mg->ctx;
    bm_free(ctx, mg->fops);
    bm_free(ctx, mg->terms);
    bm_free(ctx, mg->args);
    bm_free(ctx, mg->output_fop);
    bm_free(ctx, mg->user_start);
    bm_free(ctx, mg->user);
    bm_free(ctx, mg->out_start);
    bm_free(ctx, mg->out_of);
    memset(mg, 0, sizeof *mg);
    mg->ctx = ctx;
}

void bmi_map_for_operands(const map_graph *mg, uint32_t f, map_operand_fn fn, void *user)
{
    const map_fop *fo = &mg->fops[f];
    if (fo->kind == MF_INPUT)
        return;
    for (uint32_t k = 0; k < fo->n; k++) {
        if (fo->kind == MF_SUM) {
            const map_term *t = &mg->terms[fo->first + k];
            fn(user, t->a);
            if (t->kind == MT_MUL)
                fn(user, t->b);
        } else if (mg->args[fo->first + k].fop != MAP_NONE) {
            fn(user, mg->args[fo->first + k].fop);
        }
    }
}
