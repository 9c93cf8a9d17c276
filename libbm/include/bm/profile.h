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
 *
 * A network with per-layer types (format 2) counts its values in several
 * types, so it is profiled as a network (bm_network_profile): each range
 * is then kept in the type of the layer it belongs to (weight_t, accum_t
 * or result_t; bm_profile_layer_type), the exact model neither wraps nor
 * saturates, and the suggestion is per layer
 * (bm_profile_suggest_layer_types).
 */
#ifndef BM_PROFILE_H
#define BM_PROFILE_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/ctx.h"
#include "bm/fixed.h"
#include "bm/graph.h"
#include "bm/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The range of a set of values over the vectors.  With count 0 (no value)
 * every other field is 0.  In a network profile, "the graph's type" below
 * is the type of the part (bm_profile_layer_type): raw values count in its
 * fraction bits, though the fixed-point ones may lie beyond its width
 * (the machine computes in a wider word and wraps at the conversion). */
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
 *             sum and the sums inside a sigmoid or tanh (in a network
 *             profile: the partial and biased sums only, in accum_t)
 *   PRODUCTS  every MUL (in a network profile: weight times input)
 *   CONSTS    the weights, biases and activation constants (in a network
 *             profile: the activation's constants only, in result_t)
 *   ALL       every node of the layer (not in a network profile)
 * and, in a network profile only (bm_network_profile):
 *   WEIGHTS   the weights, in weight_t
 *   BIASES    the biases, in accum_t
 *   RESULTS   each neuron's accumulator converted to result_t, before the
 *             activation: where a result wraps or saturates */
typedef enum bm_profile_part {
    BM_PROFILE_OUTPUTS = 0,
    BM_PROFILE_SUMS,
    BM_PROFILE_PRODUCTS,
    BM_PROFILE_CONSTS,
    BM_PROFILE_ALL,
    BM_PROFILE_WEIGHTS,
    BM_PROFILE_BIASES,
    BM_PROFILE_RESULTS
} bm_profile_part;

typedef struct bm_profile bm_profile;

/* Evaluates g on every vector of v and keeps the ranges (*out, freed with
 * bm_profile_free; g must outlive it).  v must have been read for g
 * (bm_vectors_read() with this graph: one value per input of g).  Errors
 * like bm_graph_eval(), and BM_EINVAL (recorded) for a graph with SHL or
 * SAR nodes (a network with per-layer types), whose values are not all in
 * the graph's type. */
BM_API int bm_graph_profile(bm_profile **out, const bm_graph *g, const bm_vectors *v);
/* Profiles a network in its own types, per-layer ones (format 2) or its one
 * type: evaluates, on every vector of v, the graph bm_network_to_graph()
 * makes of it (so the fixed-point values are bm_graph_eval()'s), keeping
 * each value in the type of its layer it counts in, and the exact model
 * (same fraction bits, unlimited integer bits) neither wraps nor
 * saturates.  Counts, per layer, the values that wrapped and those a
 * saturating conversion clipped (bm_profile_layer_counts).  net must
 * outlive the profile (freed with bm_profile_free); v must have been read
 * for the graph of net (one value per input).  0; BM_EINVAL (recorded)
 * when v has another input count; the errors of bm_network_to_graph() and
 * bm_graph_eval(). */
BM_API int bm_network_profile(bm_profile **out, const bm_network *net, const bm_vectors *v);
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
 * BM_EINVAL for a layer or part out of range, and (recorded) for WEIGHTS,
 * BIASES or RESULTS in a graph profile and ALL in a network profile. */
BM_API int bm_profile_layer(const bm_profile *p, unsigned layer, bm_profile_part part,
                            bm_value_range *out);
/* The type the raw values of a part count in: the graph's type in a graph
 * profile; in a network profile the layer's weight_t (WEIGHTS), accum_t
 * (SUMS, PRODUCTS, BIASES) or result_t (RESULTS, OUTPUTS, CONSTS).  Errors
 * as bm_profile_layer(). */
BM_API int bm_profile_layer_type(const bm_profile *p, unsigned layer, bm_profile_part part,
                                 bm_fixed_type *out);
/* How many values of layer `layer` wrapped (*wrapped) and how many a
 * saturating conversion to result_t clipped (*saturated: 0 in a graph
 * profile), over all its nodes and vectors; either may be NULL.  In a
 * network profile a wrap of the conversion counts at the sum (the
 * accumulator wrapped at accum_t's width) or at the result (wrapped at
 * result_t's).  BM_EINVAL for a layer out of range. */
BM_API int bm_profile_layer_counts(const bm_profile *p, unsigned layer, uint64_t *wrapped,
                                   uint64_t *saturated);
/* The range of every node of the graph together; BM_EINVAL (recorded) for a
 * network profile, whose values have no one type. */
BM_API int bm_profile_all(const bm_profile *p, bm_value_range *out);
/* The type that holds every value of the profile exactly, so that nothing
 * wraps on these vectors: the graph type's fraction bits, and the fewest
 * integer bits (at least 1) that hold every node's exact range.  Keeping
 * the fraction bits keeps every value that did not wrap bit-identical.
 * BM_ERANGE (recorded on the graph's context) when that needs more than 64
 * bits. */
BM_API int bm_profile_suggest_type(const bm_profile *p, bm_fixed_type *out);
/* A network profile's types for layer `layer` that hold every value of
 * the profile exactly, so that nothing wraps or saturates on these
 * vectors: each of the layer's types keeps its fraction bits and takes the
 * fewest integer bits (at least 1) that hold weight_t: every weight of the
 * layer; accum_t: every exact product, sum and bias; result_t: every
 * exact converted value, activation value and activation constant (a
 * sigmoid's or tanh's up to 5).  The overflow mode is kept.  Apply them
 * with bm_network_set_layer_types().  BM_EINVAL (recorded) for a graph
 * profile or a bad layer, BM_ERANGE (recorded) past 64 bits. */
BM_API int bm_profile_suggest_layer_types(const bm_profile *p, unsigned layer,
                                          bm_layer_types *out);

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
