/* The graph IR: building, the checks and topological numbering of
 * bm_graph_finish(), and the read-only accessors.  The evaluator is in
 * eval.c; the front ends are text.c, graphml.c and network*.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "graph_impl.h"

static const char *const op_names[BM_OP_COUNT] = {
    "input", "const", "add", "sub", "mul", "neg", "relu", "min", "max", "argmax", "output",
    "shl",   "sar",
};

const char *bm_op_name(bm_op op)
{
    return (unsigned)op < BM_OP_COUNT ? op_names[op] : NULL;
}

int bm_op_from_name(const char *name)
{
    for (unsigned i = 0; name && i < BM_OP_COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

/* Operand count limits of each operation (ARGMAX: at least 1). */
static unsigned arity_min(bm_op op)
{
    switch (op) {
    case BM_OP_INPUT:
    case BM_OP_CONST: return 0;
    case BM_OP_NEG:
    case BM_OP_RELU:
    case BM_OP_OUTPUT:
    case BM_OP_SHL:
    case BM_OP_SAR:
    case BM_OP_ARGMAX: return 1;
    default: return 2;
    }
}

static unsigned arity_max(bm_op op)
{
    return op == BM_OP_ARGMAX ? UINT32_MAX : arity_min(op);
}

/* ---- building ------------------------------------------------------------- */

int bm_graph_new(bm_graph **out, bm_ctx *ctx, bm_fixed_type type)
{
    if (!out || !ctx)
        return BM_EINVAL;
    *out = NULL;
    if (bm_fixed_type_check(type)) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0),
                 "bm_graph_new: bad type (%u total bits, %u fraction bits): the total must be "
                 "2 to 64 bits, the fraction bits fewer than the total",
                 type.total, type.frac);
        return BM_EINVAL;
    }
    bm_graph *g = bm_calloc(ctx, 1, sizeof *g);
    if (!g)
        return bm_oom(ctx);
    g->ctx = ctx;
    g->type = type;
    *out = g;
    return BM_OK;
}

void bm_graph_free(bm_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_nodes; i++)
        bm_free(g->ctx, g->nodes[i].name);
    bm_free(g->ctx, g->nodes);
    bm_free(g->ctx, g->operands);
    bm_free(g->ctx, g->users);
    bm_free(g->ctx, g->inputs);
    bm_free(g->ctx, g->outputs);
    bm_free(g->ctx, g);
}

void bm_graph_set_loc(bm_graph *g, bm_loc loc)
{
    loc.file = bm_ctx_intern(g->ctx, loc.file);
    g->loc = loc;
}

static int add_node(bm_graph *g, unsigned *out, bm_op op, const unsigned *operands, unsigned n,
                    bm_loc loc)
{
    if (g->finished || (n && !operands))
        return BM_EINVAL;
    if (g->n_nodes >= UINT32_MAX / 2 || g->n_operands + n >= UINT32_MAX / 2)
        return bm_error(g->ctx, loc, "the graph is too large");
    if (bm_grow(g->ctx, (void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes) ||
        bm_grow(g->ctx, (void **)&g->operands, &g->cap_operands, g->n_operands + n,
                sizeof *g->operands))
        return BM_ENOMEM;
    graph_node *node = &g->nodes[g->n_nodes];
    memset(node, 0, sizeof *node);
    node->op = op;
    node->first_operand = (unsigned)g->n_operands;
    node->n_operands = n;
    loc.file = bm_ctx_intern(g->ctx, loc.file);
    node->loc = loc;
    node->layer = node->neuron = -1;
    if (n)
        memcpy(g->operands + g->n_operands, operands, n * sizeof *operands);
    g->n_operands += n;
    if (out)
        *out = (unsigned)g->n_nodes;
    g->n_nodes++;
    return BM_OK;
}

int bm_graph_set_node_name(bm_graph *g, unsigned node, const char *name)
{
    if (g->finished || node >= g->n_nodes)
        return BM_EINVAL;
    char *copy = NULL;
    if (name && !(copy = bm_strdup(g->ctx, name)))
        return bm_oom(g->ctx);
    bm_free(g->ctx, g->nodes[node].name);
    g->nodes[node].name = copy;
    return BM_OK;
}

int bm_graph_set_node_tag(bm_graph *g, unsigned node, int layer, int neuron)
{
    if (g->finished || node >= g->n_nodes)
        return BM_EINVAL;
    g->nodes[node].layer = layer < 0 ? -1 : layer;
    g->nodes[node].neuron = neuron < 0 ? -1 : neuron;
    return BM_OK;
}

static int add_port(bm_graph *g, unsigned *out, bm_op op, const char *name,
                    const unsigned *operand, bm_loc loc)
{
    if (!name)
        return BM_EINVAL;
    unsigned **list = op == BM_OP_INPUT ? &g->inputs : &g->outputs;
    size_t *count = op == BM_OP_INPUT ? &g->n_inputs : &g->n_outputs;
    size_t *cap = op == BM_OP_INPUT ? &g->cap_inputs : &g->cap_outputs;
    if (bm_grow(g->ctx, (void **)list, cap, *count + 1, sizeof **list))
        return BM_ENOMEM;
    unsigned id;
    int rc = add_node(g, &id, op, operand, operand ? 1 : 0, loc);
    if (!rc)
        rc = bm_graph_set_node_name(g, id, name);
    if (rc)
        return rc;
    (*list)[(*count)++] = id;
    if (out)
        *out = id;
    return BM_OK;
}

int bm_graph_add_input(bm_graph *g, unsigned *out, const char *name, bm_loc loc)
{
    return add_port(g, out, BM_OP_INPUT, name, NULL, loc);
}

int bm_graph_add_output(bm_graph *g, unsigned *out, const char *name, unsigned operand,
                        bm_loc loc)
{
    return add_port(g, out, BM_OP_OUTPUT, name, &operand, loc);
}

int bm_graph_add_const(bm_graph *g, unsigned *out, int64_t raw, bm_loc loc)
{
    unsigned id;
    int rc = add_node(g, &id, BM_OP_CONST, NULL, 0, loc);
    if (rc)
        return rc;
    g->nodes[id].value = raw;
    if (out)
        *out = id;
    return BM_OK;
}

int bm_graph_add_op(bm_graph *g, unsigned *out, bm_op op, const unsigned *operands,
                    unsigned n_operands, bm_loc loc)
{
    if (op < BM_OP_ADD || op > BM_OP_ARGMAX)
        return BM_EINVAL;
    return add_node(g, out, op, operands, n_operands, loc);
}

int bm_graph_add_shift(bm_graph *g, unsigned *out, bm_op op, unsigned operand, unsigned amount,
                       bm_loc loc)
{
    if (op != BM_OP_SHL && op != BM_OP_SAR)
        return BM_EINVAL;
    if (amount < 1 || amount >= g->type.total) {
        bm_error(g->ctx, loc, "%s by %u bits: the amount must be 1 .. %u", bm_op_name(op), amount,
                 g->type.total - 1);
        return BM_EINVAL;
    }
    unsigned id;
    int rc = add_node(g, &id, op, &operand, 1, loc);
    if (rc)
        return rc;
    g->nodes[id].value = amount;
    if (out)
        *out = id;
    return BM_OK;
}

/* ---- finishing --------------------------------------------------------------- */

/* How messages name a node: its name, or its operation and location. */
static void describe(const bm_graph *g, unsigned id, char *buf, size_t size)
{
    const graph_node *n = &g->nodes[id];
    if (n->name)
        snprintf(buf, size, "'%s'", n->name);
    else if (n->loc.line)
        snprintf(buf, size, "%s@%u:%u", op_names[n->op], n->loc.line, n->loc.column);
    else
        snprintf(buf, size, "%s#%u", op_names[n->op], id);
}

static int check_node(bm_graph *g, unsigned id)
{
    const graph_node *n = &g->nodes[id];
    int errors = 0;
    if (n->n_operands < arity_min(n->op) || n->n_operands > arity_max(n->op)) {
        if (arity_min(n->op) == arity_max(n->op))
            bm_error(g->ctx, n->loc, "'%s' takes %u operand%s, not %u", op_names[n->op],
                     arity_min(n->op), arity_min(n->op) == 1 ? "" : "s", n->n_operands);
        else
            bm_error(g->ctx, n->loc, "'%s' takes at least %u operand%s, not %u",
                     op_names[n->op], arity_min(n->op), arity_min(n->op) == 1 ? "" : "s",
                     n->n_operands);
        errors++;
    }
    for (unsigned k = 0; k < n->n_operands; k++) {
        unsigned w = g->operands[n->first_operand + k];
        if (w >= g->n_nodes) {
            bm_error(g->ctx, n->loc, "operand %u of '%s' is not a node (%u)", k,
                     op_names[n->op], w);
            errors++;
        } else if (g->nodes[w].op == BM_OP_OUTPUT) {
            char d[160];
            describe(g, w, d, sizeof d);
            bm_error(g->ctx, n->loc, "output %s cannot be an operand", d);
            errors++;
        }
    }
    if (n->op == BM_OP_CONST &&
        (n->value < bm_fixed_min(g->type) || n->value > bm_fixed_max(g->type))) {
        bm_error(g->ctx, n->loc, "constant raw value %" PRId64 " does not fit fixed<%u,%u>",
                 n->value, g->type.total, g->type.total - g->type.frac);
        errors++;
    }
    if (n->op == BM_OP_ARGMAX && n->n_operands &&
        (uint64_t)(n->n_operands - 1) > (uint64_t)bm_fixed_max(g->type)) {
        bm_error(g->ctx, n->loc, "argmax over %u values: the index does not fit fixed<%u,%u>",
                 n->n_operands, g->type.total, g->type.total - g->type.frac);
        errors++;
    }
    return errors;
}

/* Input and output names become machine port names: identifiers, unique
 * among all inputs and outputs. */
static int check_names(bm_graph *g)
{
    bm_names seen;
    bm_names_init(&seen, g->ctx);
    int errors = 0;
    for (int pass = 0; pass < 2; pass++) {
        const unsigned *list = pass ? g->outputs : g->inputs;
        size_t count = pass ? g->n_outputs : g->n_inputs;
        for (size_t i = 0; i < count; i++) {
            const graph_node *n = &g->nodes[list[i]];
            unsigned prev;
            if (!bm_is_identifier(n->name)) {
                bm_error(g->ctx, n->loc,
                         "%s name '%s' is not an identifier (a letter or '_', then letters, "
                         "digits or '_', at most 64 characters)",
                         pass ? "output" : "input", n->name);
                errors++;
            } else if (bm_names_get(&seen, n->name, &prev)) {
                bm_error(g->ctx, n->loc, "%s '%s' is already defined", pass ? "output" : "input",
                         n->name);
                bm_diag_add(g->ctx, BM_SEV_NOTE, g->nodes[prev].loc, "'%s' was defined here",
                            n->name);
                errors++;
            } else if (bm_names_put(&seen, n->name, list[i])) {
                bm_names_free(&seen);
                return -1;
            }
        }
    }
    bm_names_free(&seen);
    return errors;
}

/* Reports the cycle closed by the edge from node `to` (on the stack at
 * position `at`) into the top of the stack, in data-flow order. */
static void report_cycle(bm_graph *g, const unsigned *stack, size_t depth, size_t at)
{
    bm_buf b;
    bm_buf_init(&b, g->ctx);
    char d[160];
    describe(g, stack[at], d, sizeof d);
    bm_buf_puts(&b, d);
    for (size_t i = depth; i-- > at;) {
        describe(g, stack[i], d, sizeof d);
        bm_buf_puts(&b, " -> ");
        bm_buf_puts(&b, d);
    }
    char *path = bm_buf_take(&b, NULL);
    bm_error(g->ctx, g->nodes[stack[at]].loc, "cycle in the graph: %s",
             path ? path : "(out of memory)");
    bm_free(g->ctx, path);
}

/* Depth-first post-order over operands, roots in builder order: nodes that
 * are already in topological order keep their ids.  Fills order[] (the
 * builder ids in their new order).  Iterative, so deep graphs do not
 * exhaust the C stack. */
static int topological_order(bm_graph *g, unsigned *order)
{
    size_t n = g->n_nodes;
    unsigned char *state = bm_calloc(g->ctx, n ? n : 1, 1); /* 0 new, 1 open, 2 done */
    unsigned *stack = bm_malloc(g->ctx, (n ? n : 1) * sizeof *stack);
    unsigned *next = bm_malloc(g->ctx, (n ? n : 1) * sizeof *next);
    if (!state || !stack || !next) {
        bm_free(g->ctx, state);
        bm_free(g->ctx, stack);
        bm_free(g->ctx, next);
        return bm_oom(g->ctx);
    }
    size_t n_order = 0;
    int rc = BM_OK;
    for (unsigned root = 0; root < n && !rc; root++) {
        if (state[root])
            continue;
        size_t depth = 0;
        stack[depth] = root;
        next[depth++] = 0;
        state[root] = 1;
        while (depth && !rc) {
            unsigned v = stack[depth - 1];
            const graph_node *node = &g->nodes[v];
            if (next[depth - 1] < node->n_operands) {
                unsigned w = g->operands[node->first_operand + next[depth - 1]++];
                if (state[w] == 0) {
                    state[w] = 1;
                    stack[depth] = w;
                    next[depth++] = 0;
                } else if (state[w] == 1) {
                    size_t at = 0;
                    while (stack[at] != w)
                        at++;
                    report_cycle(g, stack, depth, at);
                    rc = BM_EINVALID;
                }
            } else {
                state[v] = 2;
                order[n_order++] = v;
                depth--;
            }
        }
    }
    bm_free(g->ctx, state);
    bm_free(g->ctx, stack);
    bm_free(g->ctx, next);
    return rc;
}

/* Rewrites nodes and operand lists into the new order. */
static int renumber_nodes(bm_graph *g, const unsigned *order, unsigned *new_id)
{
    size_t n = g->n_nodes;
    graph_node *nodes = bm_malloc(g->ctx, (n ? n : 1) * sizeof *nodes);
    unsigned *operands = bm_malloc(g->ctx, (g->n_operands ? g->n_operands : 1) * sizeof *operands);
    if (!nodes || !operands) {
        bm_free(g->ctx, nodes);
        bm_free(g->ctx, operands);
        return bm_oom(g->ctx);
    }
    for (size_t i = 0; i < n; i++)
        new_id[order[i]] = (unsigned)i;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        nodes[i] = g->nodes[order[i]];
        for (unsigned j = 0; j < nodes[i].n_operands; j++)
            operands[k + j] = new_id[g->operands[nodes[i].first_operand + j]];
        nodes[i].first_operand = (unsigned)k;
        k += nodes[i].n_operands;
    }
    for (size_t i = 0; i < g->n_inputs; i++)
        g->inputs[i] = new_id[g->inputs[i]];
    for (size_t i = 0; i < g->n_outputs; i++)
        g->outputs[i] = new_id[g->outputs[i]];
    bm_free(g->ctx, g->nodes);
    bm_free(g->ctx, g->operands);
    g->nodes = nodes;
    g->operands = operands;
    g->cap_nodes = n;
    g->cap_operands = g->n_operands;
    return BM_OK;
}

static int compute_users(bm_graph *g)
{
    g->users = bm_malloc(g->ctx, (g->n_operands ? g->n_operands : 1) * sizeof *g->users);
    if (!g->users)
        return bm_oom(g->ctx);
    for (size_t i = 0; i < g->n_nodes; i++)
        g->nodes[i].n_users = 0;
    for (size_t k = 0; k < g->n_operands; k++)
        g->nodes[g->operands[k]].n_users++;
    unsigned start = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        g->nodes[i].first_user = start;
        start += g->nodes[i].n_users;
        g->nodes[i].n_users = 0;
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        for (unsigned j = 0; j < n->n_operands; j++) {
            graph_node *w = &g->nodes[g->operands[n->first_operand + j]];
            g->users[w->first_user + w->n_users++] = (unsigned)i;
        }
    }
    return BM_OK;
}

void bm_graph_warn_unused(const bm_graph *g)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        if (n->n_users || n->op == BM_OP_OUTPUT)
            continue;
        if (n->op == BM_OP_INPUT)
            bm_warning(g->ctx, n->loc, "input '%s' is never used", n->name);
        else if (n->name)
            bm_warning(g->ctx, n->loc, "value '%s' is never used", n->name);
        else
            bm_warning(g->ctx, n->loc, "the result of this %s is never used", op_names[n->op]);
    }
}

int bm_graph_finish(bm_graph *g, unsigned *renumber)
{
    if (!g || g->finished)
        return BM_EINVAL;
    int errors = 0;
    for (unsigned i = 0; i < g->n_nodes; i++)
        errors += check_node(g, i);
    int name_errors = check_names(g);
    if (name_errors < 0)
        return BM_ENOMEM;
    errors += name_errors;
    if (g->n_outputs == 0) {
        bm_error(g->ctx, g->loc, "the graph has no outputs");
        errors++;
    }
    if (errors)
        return BM_EINVALID;
    size_t n = g->n_nodes;
    unsigned *order = bm_malloc(g->ctx, (n ? n : 1) * sizeof *order);
    unsigned *new_id = renumber ? renumber : bm_malloc(g->ctx, (n ? n : 1) * sizeof *new_id);
    int rc = order && new_id ? BM_OK : bm_oom(g->ctx);
    if (!rc)
        rc = topological_order(g, order);
    if (!rc)
        rc = renumber_nodes(g, order, new_id);
    if (!rc)
        rc = compute_users(g);
    bm_free(g->ctx, order);
    if (!renumber)
        bm_free(g->ctx, new_id);
    if (rc)
        return rc;
    g->finished = 1;
    return BM_OK;
}

/* ---- accessors ----------------------------------------------------------------- */

bm_ctx *bm_graph_ctx(const bm_graph *g)
{
    return g->ctx;
}

bm_fixed_type bm_graph_type(const bm_graph *g)
{
    return g->type;
}

bm_loc bm_graph_loc(const bm_graph *g)
{
    return g->loc;
}

unsigned bm_graph_node_count(const bm_graph *g)
{
    return (unsigned)g->n_nodes;
}

bm_op bm_graph_node_op(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].op : BM_OP_CONST;
}

unsigned bm_graph_node_operand_count(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].n_operands : 0;
}

unsigned bm_graph_node_operand(const bm_graph *g, unsigned node, unsigned k)
{
    if (node >= g->n_nodes || k >= g->nodes[node].n_operands)
        return UINT32_MAX;
    return g->operands[g->nodes[node].first_operand + k];
}

int64_t bm_graph_node_value(const bm_graph *g, unsigned node)
{
    if (node >= g->n_nodes)
        return 0;
    bm_op op = g->nodes[node].op;
    return op == BM_OP_CONST || op == BM_OP_SHL || op == BM_OP_SAR ? g->nodes[node].value : 0;
}

const char *bm_graph_node_name(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].name : NULL;
}

bm_loc bm_graph_node_loc(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].loc : bm_loc_make(NULL, 0, 0);
}

int bm_graph_node_layer(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].layer : -1;
}

int bm_graph_node_neuron(const bm_graph *g, unsigned node)
{
    return node < g->n_nodes ? g->nodes[node].neuron : -1;
}

unsigned bm_graph_node_fanout(const bm_graph *g, unsigned node)
{
    return g->finished && node < g->n_nodes ? g->nodes[node].n_users : 0;
}

unsigned bm_graph_node_user(const bm_graph *g, unsigned node, unsigned k)
{
    if (!g->finished || node >= g->n_nodes || k >= g->nodes[node].n_users)
        return UINT32_MAX;
    return g->users[g->nodes[node].first_user + k];
}

unsigned bm_graph_input_count(const bm_graph *g)
{
    return (unsigned)g->n_inputs;
}

unsigned bm_graph_input(const bm_graph *g, unsigned i)
{
    return i < g->n_inputs ? g->inputs[i] : UINT32_MAX;
}

unsigned bm_graph_output_count(const bm_graph *g)
{
    return (unsigned)g->n_outputs;
}

unsigned bm_graph_output(const bm_graph *g, unsigned i)
{
    return i < g->n_outputs ? g->outputs[i] : UINT32_MAX;
}

static int find_port(const bm_graph *g, const unsigned *list, size_t count, const char *name)
{
    for (size_t i = 0; name && i < count; i++)
        if (strcmp(g->nodes[list[i]].name, name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

int bm_graph_find_input(const bm_graph *g, const char *name)
{
    return find_port(g, g->inputs, g->n_inputs, name);
}

int bm_graph_find_output(const bm_graph *g, const char *name)
{
    return find_port(g, g->outputs, g->n_outputs, name);
}
