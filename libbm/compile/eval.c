/* The reference evaluator: the definition of what a machine compiled from a
 * graph must output.  Every operation is one call of the fixed-point rules
 * in fixed.c (docs/numbers.md, "Graph arithmetic"); since they are exact
 * integer functions, the order in which independent nodes are evaluated
 * cannot change a result. */
#include <inttypes.h>

#include "graph_impl.h"

static int64_t argmax(const int64_t *values, const unsigned *operands, unsigned n)
{
    unsigned best = 0;
    for (unsigned k = 1; k < n; k++)
        if (values[operands[k]] > values[operands[best]])
            best = k; /* strictly greater: ties keep the first index */
    return (int64_t)best;
}

int64_t bmi_graph_shift(bm_op op, int64_t a, unsigned k, bm_fixed_type t)
{
    if (op == BM_OP_SAR)
        return a >= 0 ? a >> k : -((-(__int128)a + (((__int128)1 << k) - 1)) >> k);
    return bm_fixed_wrap((int64_t)((uint64_t)a << k), t); /* k < total <= 64 */
}

__int128 bmi_fixed_exact(bm_op op, int64_t a, int64_t b, unsigned frac)
{
    switch (op) {
    case BM_OP_SHL: return (__int128)a * ((__int128)1 << b); /* b: the amount */
    case BM_OP_SAR: return bmi_graph_shift(op, a, (unsigned)b, (bm_fixed_type){64, 0});
    case BM_OP_ADD: return (__int128)a + b;
    case BM_OP_SUB: return (__int128)a - b;
    case BM_OP_NEG: return -(__int128)a;
    case BM_OP_MUL: {
        __int128 p = (__int128)a * (__int128)b; /* |p| < 2^126: no overflow */
        return p >= 0 ? p >> frac : -((-p + (((__int128)1 << frac) - 1)) >> frac);
    }
    default: return 0;
    }
}

/* Evaluates every node; with `wrapped`, also marks the nodes whose result
 * wrapped and returns how many did. */
static int eval_nodes(const bm_graph *g, const int64_t *inputs, int64_t *values,
                      unsigned char *wrapped)
{
    if (!g || !g->finished || (!inputs && g->n_inputs) || !values)
        return BM_EINVAL;
    bm_fixed_type t = g->type;
    for (size_t i = 0; i < g->n_inputs; i++) {
        if (inputs[i] < bm_fixed_min(t) || inputs[i] > bm_fixed_max(t)) {
            const graph_node *n = &g->nodes[g->inputs[i]];
            bm_error(g->ctx, n->loc, "input '%s': raw value %" PRId64 " does not fit fixed<%u,%u>",
                     n->name, inputs[i], t.total, t.total - t.frac);
            return BM_ERANGE;
        }
        values[g->inputs[i]] = inputs[i];
    }
    int n_wrapped = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        const unsigned *opd = g->operands + n->first_operand;
        int64_t a = n->n_operands > 0 ? values[opd[0]] : 0;
        int64_t b = n->n_operands > 1 ? values[opd[1]] : 0;
        int arithmetic = 0;
        switch (n->op) {
        case BM_OP_INPUT: break; /* set above */
        case BM_OP_CONST: values[i] = n->value; break;
        case BM_OP_ADD: values[i] = bm_fixed_add(a, b, t); arithmetic = 1; break;
        case BM_OP_SUB: values[i] = bm_fixed_sub(a, b, t); arithmetic = 1; break;
        case BM_OP_MUL: values[i] = bm_fixed_mul(a, b, t); arithmetic = 1; break;
        case BM_OP_NEG: values[i] = bm_fixed_neg(a, t); arithmetic = 1; break;
        case BM_OP_RELU: values[i] = a > 0 ? a : 0; break;
        case BM_OP_MIN: values[i] = a < b ? a : b; break;
        case BM_OP_MAX: values[i] = a > b ? a : b; break;
        case BM_OP_ARGMAX: values[i] = argmax(values, opd, n->n_operands); break;
        case BM_OP_OUTPUT: values[i] = a; break;
        case BM_OP_SHL:
        case BM_OP_SAR:
            values[i] = bmi_graph_shift(n->op, a, (unsigned)n->value, t);
            arithmetic = n->op == BM_OP_SHL;
            b = n->value;
            break;
        }
        if (wrapped) {
            /* only ADD, SUB, MUL, NEG and SHL can leave the type (docs/numbers.md) */
            int w = arithmetic && bmi_fixed_exact(n->op, a, b, t.frac) != (__int128)values[i];
            wrapped[i] = (unsigned char)w;
            n_wrapped += w;
        }
    }
    return n_wrapped;
}

int bm_graph_eval_nodes(const bm_graph *g, const int64_t *inputs, int64_t *values)
{
    int rc = eval_nodes(g, inputs, values, NULL);
    return rc < 0 ? rc : BM_OK;
}

int bm_graph_eval_wraps(const bm_graph *g, const int64_t *inputs, int64_t *values,
                        unsigned char *wrapped)
{
    if (!wrapped)
        return BM_EINVAL;
    return eval_nodes(g, inputs, values, wrapped);
}

int bm_graph_eval(const bm_graph *g, const int64_t *inputs, int64_t *outputs)
{
    if (!g || !g->finished || !outputs)
        return BM_EINVAL;
    int64_t *values = bm_malloc(g->ctx, (g->n_nodes ? g->n_nodes : 1) * sizeof *values);
    if (!values)
        return bm_oom(g->ctx);
    int rc = bm_graph_eval_nodes(g, inputs, values);
    if (!rc)
        for (size_t i = 0; i < g->n_outputs; i++)
            outputs[i] = values[g->outputs[i]];
    bm_free(g->ctx, values);
    return rc;
}

long bm_graph_predicted_class(const bm_graph *g, const int64_t *outputs)
{
    if (g->n_outputs == 1)
        return (long)outputs[0];
    size_t best = 0;
    for (size_t i = 1; i < g->n_outputs; i++)
        if (outputs[i] > outputs[best])
            best = i;
    return (long)best;
}
