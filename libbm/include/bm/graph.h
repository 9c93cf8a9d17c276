/* Computational graphs: the one intermediate representation (IR) that the
 * three graph front ends produce (the text language, GraphML and dense
 * networks, docs/graph.md and docs/network.md), that the reference evaluator
 * defines the meaning of, and that the mapper compiles onto machines.
 *
 * A graph is a DAG of nodes over one signed fixed-point type (bm/fixed.h).
 * Every value is a raw two's complement integer of that type; the operations
 * follow docs/numbers.md ("Graph arithmetic") exactly:
 *
 *   INPUT    a named external input                     (no operands)
 *   CONST    a raw constant                             (no operands)
 *   ADD SUB  a+b, a-b, wrapped                          (2 operands, in order)
 *   MUL      floor(a*b / 2^frac), wrapped               (2 operands)
 *   NEG      -a, wrapped                                (1 operand)
 *   RELU     max(a, 0)                                  (1 operand)
 *   MIN MAX  signed minimum / maximum                   (2 operands)
 *   ARGMAX   index of the first maximum of its operands (1 or more operands);
 *            the result is the index as a raw integer (0, 1, 2, ...), not
 *            index * 2^frac
 *   OUTPUT   a named external output                    (1 operand)
 *   SHL      a * 2^k, wrapped                           (1 operand; k, 1..total-1,
 *            given to bm_graph_add_shift())
 *   SAR      floor(a / 2^k): an arithmetic shift right  (1 operand; k as SHL)
 *
 * SHL and SAR change the scale of a raw value; the network lowering uses
 * them for per-layer types (docs/numbers.md, "Per-layer types"), and the
 * text language and GraphML do not spell them.
 *
 * Life cycle: bm_graph_new(), then the add functions in any order (operands
 * may name nodes added later), then bm_graph_finish(), which checks arities,
 * names and cycles (errors with the nodes' source locations), renumbers the
 * nodes into a topological order and computes fan-outs.  A finished graph is
 * read-only; every accessor below except the add functions needs one.
 *
 * After bm_graph_finish() node ids are 0 .. node_count-1 in topological
 * order: every operand of node i is a node < i.  Nodes also keep, for the
 * mapper, an optional name, a source location and a layer/neuron tag (set
 * by the network lowering, -1 elsewhere).
 */
#ifndef BM_GRAPH_H
#define BM_GRAPH_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/ctx.h"
#include "bm/fixed.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bm_op {
    BM_OP_INPUT = 0,
    BM_OP_CONST,
    BM_OP_ADD,
    BM_OP_SUB,
    BM_OP_MUL,
    BM_OP_NEG,
    BM_OP_RELU,
    BM_OP_MIN,
    BM_OP_MAX,
    BM_OP_ARGMAX,
    BM_OP_OUTPUT,
    BM_OP_SHL,
    BM_OP_SAR
} bm_op;
#define BM_OP_COUNT (BM_OP_SAR + 1)

/* The lower-case name of an operation ("add", "argmax"), as GraphML and the
 * messages spell it; NULL for an unknown value. */
BM_API const char *bm_op_name(bm_op op);
/* The operation with that name; BM_ENOTFOUND if there is none. */
BM_API int bm_op_from_name(const char *name);

typedef struct bm_graph bm_graph;

/* ---- building ----------------------------------------------------------- */

/* Creates an empty graph on ctx whose values have the given type (*out,
 * freed with bm_graph_free before the context).  BM_EINVAL (recorded) for a
 * type bm_fixed_type_check refuses, BM_ENOMEM. */
BM_API int bm_graph_new(bm_graph **out, bm_ctx *ctx, bm_fixed_type type);
/* Frees the graph and its nodes; NULL is allowed. */
BM_API void bm_graph_free(bm_graph *g);
/* Where the graph was read from (messages about the whole graph use it). */
BM_API void bm_graph_set_loc(bm_graph *g, bm_loc loc);

/* Each add function stores the new node's id in *out (may be NULL).  These
 * are builder ids, valid until bm_graph_finish() renumbers the nodes; pass
 * a renumber array to it to follow them.  Names are copied. */
BM_API int bm_graph_add_input(bm_graph *g, unsigned *out, const char *name, bm_loc loc);
BM_API int bm_graph_add_const(bm_graph *g, unsigned *out, int64_t raw, bm_loc loc);
/* ADD ... ARGMAX with their operands (builder ids, checked by finish). */
BM_API int bm_graph_add_op(bm_graph *g, unsigned *out, bm_op op, const unsigned *operands,
                    unsigned n_operands, bm_loc loc);
BM_API int bm_graph_add_output(bm_graph *g, unsigned *out, const char *name, unsigned operand,
                        bm_loc loc);
/* SHL or SAR of one operand by `amount` bits, 1 .. total - 1 of the graph's
 * type; BM_EINVAL (recorded) for another op or amount. */
BM_API int bm_graph_add_shift(bm_graph *g, unsigned *out, bm_op op, unsigned operand,
                              unsigned amount, bm_loc loc);
/* Optional name of any node (a text-language variable, a GraphML node id):
 * only used in messages and by the mapper to name things. */
BM_API int bm_graph_set_node_name(bm_graph *g, unsigned node, const char *name);
/* The network layer (0 = first layer of weights) and neuron within it that
 * a node belongs to; -1 for none. */
BM_API int bm_graph_set_node_tag(bm_graph *g, unsigned node, int layer, int neuron);

/* Checks the graph and freezes it.  Errors (recorded on the context, each at
 * the node's location): an operand that is not a node, a wrong operand
 * count, a constant outside the type, two inputs or two outputs with one
 * name, an ARGMAX whose index does not fit the type, an output used as an operand,
 * a cycle (the first one found, with its path), no output at all.  (The
 * text and GraphML readers also warn about values that nothing reads.)  When renumber is not NULL it
 * receives, for every builder id b (node_count entries), the final id. */
BM_API int bm_graph_finish(bm_graph *g, unsigned *renumber);

/* ---- the read-only view (finished graphs) ------------------------------- */

/* Node ids go from 0 to bm_graph_node_count() - 1.  Given an id or index
 * out of range, the accessors return 0, NULL, -1 or UINT32_MAX rather than
 * reading past the end. */

/* The context the graph was made on, its value type, where it was read from. */
BM_API bm_ctx *bm_graph_ctx(const bm_graph *g);
BM_API bm_fixed_type bm_graph_type(const bm_graph *g);
BM_API bm_loc bm_graph_loc(const bm_graph *g);

/* The number of nodes; a node's operation and its number of operands. */
BM_API unsigned bm_graph_node_count(const bm_graph *g);
BM_API bm_op bm_graph_node_op(const bm_graph *g, unsigned node);
BM_API unsigned bm_graph_node_operand_count(const bm_graph *g, unsigned node);
/* The k-th operand (k < operand count); order matters for SUB and ARGMAX. */
BM_API unsigned bm_graph_node_operand(const bm_graph *g, unsigned node, unsigned k);
/* The raw value of a CONST node, the amount of a SHL or SAR node (0 for
 * other nodes). */
BM_API int64_t bm_graph_node_value(const bm_graph *g, unsigned node);
/* The node's name: the input or output name, a variable or GraphML id, or
 * NULL when it has none. */
BM_API const char *bm_graph_node_name(const bm_graph *g, unsigned node);
BM_API bm_loc bm_graph_node_loc(const bm_graph *g, unsigned node);
BM_API int bm_graph_node_layer(const bm_graph *g, unsigned node);  /* -1 if none */
BM_API int bm_graph_node_neuron(const bm_graph *g, unsigned node); /* -1 if none */
/* Fan-out: how many operand slots read this node, and which node the k-th
 * one belongs to (in increasing node order; a node that reads this one twice
 * is listed twice). */
BM_API unsigned bm_graph_node_fanout(const bm_graph *g, unsigned node);
BM_API unsigned bm_graph_node_user(const bm_graph *g, unsigned node, unsigned k);

/* Inputs and outputs in declaration order: the order of the vectors that
 * bm_graph_eval() reads and writes. */
BM_API unsigned bm_graph_input_count(const bm_graph *g);
BM_API unsigned bm_graph_input(const bm_graph *g, unsigned i);   /* node id */
BM_API unsigned bm_graph_output_count(const bm_graph *g);
BM_API unsigned bm_graph_output(const bm_graph *g, unsigned i);  /* node id */
/* The index of the input / output named `name`, or BM_ENOTFOUND. */
BM_API int bm_graph_find_input(const bm_graph *g, const char *name);
BM_API int bm_graph_find_output(const bm_graph *g, const char *name);

/* ---- the reference evaluator -------------------------------------------- */

/* Evaluates the graph: inputs[i] is the raw value of input i, outputs[i]
 * receives output i.  This is the definition of what a machine compiled
 * from the graph must output, bit for bit.  An input outside the type's
 * range is BM_ERANGE (recorded on the context); BM_ENOMEM if the scratch
 * space cannot be allocated. */
BM_API int bm_graph_eval(const bm_graph *g, const int64_t *inputs, int64_t *outputs);
/* Same, but stores every node's value (node_count entries, by node id) and
 * needs no allocation. */
BM_API int bm_graph_eval_nodes(const bm_graph *g, const int64_t *inputs, int64_t *values);
/* Same as bm_graph_eval_nodes(), and wrapped[i] (node_count entries) is set
 * to 1 when node i's result wrapped: when the ADD, SUB, MUL or NEG rule of
 * docs/numbers.md took it modulo 2^total because the exact result (after
 * the product's floor) was outside the type, and to 0 otherwise.  Returns
 * how many nodes wrapped (>= 0), or a negative error like
 * bm_graph_eval_nodes(). */
BM_API int bm_graph_eval_wraps(const bm_graph *g, const int64_t *inputs, int64_t *values,
                               unsigned char *wrapped);

/* ---- reading ------------------------------------------------------------ */

/* Options of the graph readers.  Fill with BM_GRAPH_OPTIONS_INIT. */
typedef struct bm_graph_options {
    unsigned version;   /* BM_GRAPH_OPTIONS_VERSION                            */
    bm_fixed_type type; /* the type when the file declares none                */
    int force_type;     /* nonzero: use `type` even when the file declares one */
} bm_graph_options;
#define BM_GRAPH_OPTIONS_VERSION 1
#define BM_GRAPH_OPTIONS_INIT                                                        \
    {BM_GRAPH_OPTIONS_VERSION, {BM_FIXED_DEFAULT_TOTAL, BM_FIXED_DEFAULT_FRAC}, 0}
/* Fills *opts with the defaults of BM_GRAPH_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_GRAPH_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_graph_options_init(bm_graph_options *opts, unsigned version);

/* Parses a type as the text language writes it: "fixed<T,I>" (T total bits,
 * I integer bits with the sign, so T-I fraction bits) or "int<T>" (same as
 * fixed<T,T>).  0 or BM_EINVAL. */
BM_API int bm_graph_parse_type(const char *text, bm_fixed_type *out);

/* The text language (docs/graph.md).  name is the file name for messages.
 * opt may be NULL for the defaults. */
BM_API int bm_graph_read_text(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                       const char *name, const bm_graph_options *opt);
/* GraphML (docs/graph.md). */
BM_API int bm_graph_read_graphml(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                          const char *name, const bm_graph_options *opt);
/* Reads a file in any of the three formats, told apart by content: XML with
 * a <graphml> root is GraphML, XML with a <network> root is a network
 * (lowered with bm_network_to_graph()), anything else is the text language.
 * An ONNX model (a name ending in .onnx, or binary data starting with
 * ModelProto's first field) is read with bm_onnx_read() (bm/onnx.h) and
 * lowered like a network; opt->type is its type. */
BM_API int bm_graph_read_file(bm_graph **out, bm_ctx *ctx, const char *path,
                       const bm_graph_options *opt);

/* ---- test vectors ------------------------------------------------------- */

/* A set of input vectors, optionally with integer labels, read from the CSV
 * format of docs/network.md and quantised to a graph's type. */
typedef struct bm_vectors bm_vectors;

/* Reads vectors for graph g: each record holds one decimal per graph input
 * and, when with_labels is nonzero, a final integer label. */
BM_API int bm_vectors_read(bm_vectors **out, const bm_graph *g, const char *data, size_t size,
                    const char *name, int with_labels);
BM_API int bm_vectors_read_file(bm_vectors **out, const bm_graph *g, const char *path,
                         int with_labels);
BM_API void bm_vectors_free(bm_vectors *v);
BM_API size_t bm_vectors_count(const bm_vectors *v);
/* The raw inputs of vector i (input_count entries). */
BM_API const int64_t *bm_vectors_inputs(const bm_vectors *v, size_t i);
/* The label of vector i (-1 without labels). */
BM_API long bm_vectors_label(const bm_vectors *v, size_t i);
/* The decimals of vector i as written, before quantising (input_count
 * entries, as doubles: the float model's inputs that bm_graph_profile()
 * evaluates beside the fixed-point ones). */
BM_API const double *bm_vectors_reals(const bm_vectors *v, size_t i);
BM_API bm_loc bm_vectors_loc(const bm_vectors *v, size_t i);

/* The class a graph predicts from its outputs: with one output, its raw
 * value (the index an ARGMAX gives); with several, the index of the first
 * maximal output. */
BM_API long bm_graph_predicted_class(const bm_graph *g, const int64_t *outputs);

#ifdef __cplusplus
}
#endif
#endif
