/* The graph IR's representation, shared by graph.c (building, checking,
 * accessors) and eval.c.  Not installed. */
#ifndef BM_GRAPH_IMPL_H
#define BM_GRAPH_IMPL_H

#include "bm/graph.h"
#include "internal.h"

typedef struct graph_node {
    bm_op op;
    unsigned first_operand; /* into bm_graph.operands        */
    unsigned n_operands;
    unsigned first_user;    /* into bm_graph.users (finished) */
    unsigned n_users;
    int64_t value;          /* CONST                          */
    char *name;             /* may be NULL                    */
    bm_loc loc;
    int layer, neuron;
} graph_node;

struct bm_graph {
    bm_ctx *ctx;
    bm_fixed_type type;
    bm_loc loc;
    graph_node *nodes;
    size_t n_nodes, cap_nodes;
    unsigned *operands; /* all nodes' operand lists, back to back */
    size_t n_operands, cap_operands;
    unsigned *users;    /* all nodes' user lists (finished)       */
    unsigned *inputs, *outputs;
    size_t n_inputs, cap_inputs, n_outputs, cap_outputs;
    int finished;
};

/* Warns about inputs and values that nothing reads (the text and GraphML
 * readers call it on a finished graph; in a trained network such values
 * are normal and not reported). */
void bm_graph_warn_unused(const bm_graph *g);

/* SHL (a * 2^k, wrapped to t) or SAR (floor(a / 2^k)) of a raw value,
 * 1 <= k < t.total: the evaluator's, the selector's constant folding's. */
int64_t bmi_graph_shift(bm_op op, int64_t a, unsigned k, bm_fixed_type t);

/* The exact result of ADD, SUB, MUL, NEG, SHL or SAR (0 for other
 * operations) on raw operands (for the shifts b is the amount), before the
 * wrap: what the fixed-point rule gives with unlimited integer bits (the
 * product floor-shifted by frac).  A value wrapped exactly when this
 * differs from the evaluator's result. */
__int128 bmi_fixed_exact(bm_op op, int64_t a, int64_t b, unsigned frac);

/* The values per vector: the input count of the graph v was read for (a
 * profile of a network lowers its own graph, and checks v against it). */
size_t bmi_vectors_input_count(const bm_vectors *v);

#endif
