/* Profiling a graph over test vectors (docs/profile.md): the range of every
 * value, whether the graph's fixed-point type wrapped it, and the type that
 * would hold every value of the data.
 *
 * Each vector is evaluated three ways at once:
 *   - the fixed-point way, bit-exactly as bm_graph_eval() (values wrap);
 *   - exactly: the same rules with the same fraction bits but unlimited
 *     integer bits (nothing wraps): what the graph computes in a type wide
 *     enough, and so the ranges a type must hold;
 *   - in floating point (doubles): the vectors' decimals before quantising,
 *     the graph's (quantised) constants, products not rounded: the float
 *     model the fixed-point one approximates.
 *
 * Networks lower to graphs whose nodes carry layer and neuron tags
 * (bm_network_to_graph()); the per-layer queries gather the nodes by tag.
 * A graph without tags (the text language, GraphML) has 0 layers and is
 * profiled node by node.
 */
#ifndef BM_PROFILE_H
#define BM_PROFILE_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/ctx.h"
#include "bm/fixed.h"
#include "bm/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The range of a set of values over the vectors.  With count 0 (no value)
 * every other field is 0. */
typedef struct bm_value_range {
    uint64_t count;               /* values seen: nodes x vectors                    */
    int64_t min, max;             /* raw, as the graph's type computes them          */
    int64_t exact_min, exact_max; /* raw, same fraction bits, never wrapped; clamped
                                     to the int64 range (int_bits says more)         */
    double float_min, float_max;  /* the float model                                 */
    uint64_t wrapped;             /* values that wrapped in the graph's type         */
    unsigned int_bits;            /* integer bits (sign included, at least 1) that
                                     hold exact_min..exact_max with the type's
                                     fraction bits; above 64 - frac, no type can   */
} bm_value_range;

/* What the per-layer query gathers, among the nodes of a layer:
 *   OUTPUTS   each neuron's result (after its activation), what the next
 *             layer reads
 *   SUMS      the accumulators: every ADD and SUB, partial sums, the biased
 *             sum and the sums inside a sigmoid or tanh
 *   PRODUCTS  every MUL
 *   CONSTS    the weights, biases and activation constants
 *   ALL       every node of the layer */
typedef enum bm_profile_part {
    BM_PROFILE_OUTPUTS = 0,
    BM_PROFILE_SUMS,
    BM_PROFILE_PRODUCTS,
    BM_PROFILE_CONSTS,
    BM_PROFILE_ALL
} bm_profile_part;

typedef struct bm_profile bm_profile;

/* Evaluates g on every vector of v and keeps the ranges (*out, freed with
 * bm_profile_free; g must outlive it).  v must have been read for g
 * (bm_vectors_read() with this graph: one value per input of g).  Errors
 * like bm_graph_eval(), and BM_EINVAL (recorded) for a graph with SHL or
 * SAR nodes (a network with per-layer types), whose values are not all in
 * the graph's type. */
BM_API int bm_graph_profile(bm_profile **out, const bm_graph *g, const bm_vectors *v);
/* Frees the profile; NULL is allowed. */
BM_API void bm_profile_free(bm_profile *p);
/* How many vectors were evaluated. */
BM_API size_t bm_profile_vector_count(const bm_profile *p);
/* The range of node `node` (a bm_graph node id).  0, or BM_EINVAL for an
 * id out of range. */
BM_API int bm_profile_node(const bm_profile *p, unsigned node, bm_value_range *out);
/* The range of all the graph's inputs together. */
BM_API int bm_profile_inputs(const bm_profile *p, bm_value_range *out);
/* 1 + the largest layer tag of the graph's nodes; 0 for an untagged graph. */
BM_API unsigned bm_profile_layer_count(const bm_profile *p);
/* The range of one part of layer `layer` (0 = first layer of weights).
 * BM_EINVAL for a layer or part out of range. */
BM_API int bm_profile_layer(const bm_profile *p, unsigned layer, bm_profile_part part,
                            bm_value_range *out);
/* The range of every node of the graph together. */
BM_API int bm_profile_all(const bm_profile *p, bm_value_range *out);
/* The type that holds every value of the profile exactly, so that nothing
 * wraps on these vectors: the graph type's fraction bits, and the fewest
 * integer bits (at least 1) that hold every node's exact range.  Keeping
 * the fraction bits keeps every value that did not wrap bit-identical.
 * BM_ERANGE (recorded on the graph's context) when that needs more than 64
 * bits. */
BM_API int bm_profile_suggest_type(const bm_profile *p, bm_fixed_type *out);

/* Evaluates g on every vector of v and records a warning on g's context
 * for each value that wrapped, at the vector's location, naming the layer
 * and neuron (or node) and the operation: at most `limit` of them (0: 10),
 * then one warning with the totals.  *wrapped (may be NULL) receives how
 * many values wrapped in all.  0, or the errors of bm_graph_eval(). */
BM_API int bm_graph_warn_wraps(const bm_graph *g, const bm_vectors *v, unsigned limit,
                               uint64_t *wrapped);

#ifdef __cplusplus
}
#endif
#endif
