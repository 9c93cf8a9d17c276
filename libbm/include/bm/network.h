/* Dense neural networks (multi-layer perceptrons), read from the network XML
 * of docs/network.md.
 *
 * A network keeps its layer structure (the mapper may want one core per
 * neuron) and lowers to the graph IR of bm/graph.h, which defines what it
 * computes.  Weights and biases are stored already quantised: weights to
 * the layer's weight type, biases to its accumulator type, both the
 * network's fixed-point type unless the layer gives types of its own
 * (format 2, bm_network_layer_types()).
 *
 * Layer l has inputs(l) inputs (the network's input size for l = 0, the
 * previous layer's neuron count after) and neurons(l) neurons.  Its weights
 * are row-major by neuron: weight(l)[j * inputs(l) + i] multiplies input i
 * of neuron j.  Neuron j computes
 *
 *     act( w[j,0]*x[0] + w[j,1]*x[1] + ... + w[j,n-1]*x[n-1] + b[j] )
 *
 * with each product rounded by the fixed-point rule and the sum wrapped.
 */
#ifndef BM_NETWORK_H
#define BM_NETWORK_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/ctx.h"
#include "bm/fixed.h"
#include "bm/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The newest format read and written: 2 adds per-layer types.  A network
 * without per-layer types is still written as format 1. */
#define BM_NETWORK_FORMAT_VERSION 2

/* What a neuron applies to its sum v (docs/network.md):
 *   LINEAR      v
 *   RELU        max(v, 0), then min(that, max) when the layer has a max
 *               (a clipped relu: ReLU6 is max 6)
 *   LEAKY_RELU  max(v, alpha * v) with 0 <= alpha < 1, the product
 *               floor-rounded: v when v >= 0, alpha * v below
 *   SIGMOID     1/2 + 1/8 c(v,1) + 3/32 c(v,19/8) + 1/32 c(v,5)
 *   TANH        1/2 c(v,1/2) + 3/8 c(v,19/16) + 1/8 c(v,5/2)
 *               piecewise linear, c(v,t) = min(max(v,-t),t), each
 *               product floor-rounded (docs/numbers.md) */
typedef enum bm_activation {
    BM_ACT_LINEAR = 0,
    BM_ACT_RELU,
    BM_ACT_LEAKY_RELU,
    BM_ACT_SIGMOID,
    BM_ACT_TANH
} bm_activation;

/* What the conversion of a layer's accumulator to its result type does
 * with a value that does not fit (docs/numbers.md, "Per-layer types"):
 * keep its low bits (two's complement wrap-around, as the sums do) or clip
 * it to the type's smallest or largest value. */
typedef enum bm_overflow { BM_OVERFLOW_WRAP = 0, BM_OVERFLOW_SATURATE } bm_overflow;

/* A layer's fixed-point types (network format 2): its weights, its
 * accumulator (products, biases and sums) and its results (the conversion
 * of the accumulator and the activation; the next layer's inputs). */
typedef struct bm_layer_types {
    bm_fixed_type weight, accum, result;
    bm_overflow overflow;
} bm_layer_types;

typedef struct bm_network bm_network;

/* Reads a network (schema arch/schema/network.rng, then the shape and
 * range rules).  opt may be NULL; its type applies when the file gives no
 * total/frac, or always with force_type. */
BM_API int bm_network_read(bm_network **out, bm_ctx *ctx, const char *data, size_t size,
                    const char *name, const bm_graph_options *opt);
BM_API int bm_network_read_file(bm_network **out, bm_ctx *ctx, const char *path,
                         const bm_graph_options *opt);
BM_API void bm_network_free(bm_network *net);

/* What the file says: the name (owned by the network), the value type,
 * where it was read from, the input count, and per layer (0 first) its
 * inputs, neurons and activation.  Out-of-range layers give 0. */
BM_API const char *bm_network_name(const bm_network *net);
BM_API bm_fixed_type bm_network_type(const bm_network *net);
BM_API bm_loc bm_network_loc(const bm_network *net);
BM_API unsigned bm_network_input_count(const bm_network *net);
BM_API unsigned bm_network_layer_count(const bm_network *net);
BM_API unsigned bm_network_layer_inputs(const bm_network *net, unsigned layer);
BM_API unsigned bm_network_layer_neurons(const bm_network *net, unsigned layer);
BM_API bm_activation bm_network_layer_activation(const bm_network *net, unsigned layer);
/* Raw weights (of the layer's weight type), neurons x inputs, row-major by
 * neuron. */
BM_API const int64_t *bm_network_layer_weights(const bm_network *net, unsigned layer);
/* Raw biases (of the layer's accumulator type), one per neuron. */
BM_API const int64_t *bm_network_layer_biases(const bm_network *net, unsigned layer);
BM_API bm_loc bm_network_layer_loc(const bm_network *net, unsigned layer);
/* A leaky relu layer's raw alpha (of the layer's result type; 0 for other
 * layers). */
BM_API int64_t bm_network_layer_alpha(const bm_network *net, unsigned layer);
/* 1 and the raw bound (of the layer's result type) in *max when a relu
 * layer is clipped; 0 otherwise. */
BM_API int bm_network_layer_relu_max(const bm_network *net, unsigned layer, int64_t *max);
/* The layer's types into *out: those its <layer> gives, the network's
 * type for the others, wrap unless it says saturate.  Returns 1 when the
 * layer gives any of weight, accum, result or overflow, 0 when it gives
 * none (or the layer does not exist: *out then holds the network's type). */
BM_API int bm_network_layer_types(const bm_network *net, unsigned layer, bm_layer_types *out);
/* Nonzero when the network ends in an argmax over the last layer. */
BM_API int bm_network_has_argmax(const bm_network *net);
/* Nonzero when the network is a binary classifier: its last layer has one
 * neuron y and the output is the class, 1 when y > 0 and 0 otherwise
 * (<threshold/>; what a logistic output's p > 0.5 decides). */
BM_API int bm_network_has_threshold(const bm_network *net);
/* "linear", "relu", "leaky_relu", "sigmoid", "tanh"; NULL for an unknown
 * value. */
BM_API const char *bm_activation_name(bm_activation a);

/* Gives the network another type: every weight, bias, alpha and max is
 * converted by the constant rule (nearest, ties to even; exact when the
 * fraction bits do not shrink), as if the file had been written in that
 * type.  BM_ERANGE (recorded, naming the layer and the value) when one
 * does not fit, or a sigmoid/tanh constant or the argmax index does not;
 * the network is then left as it was.  BM_EINVAL for a bad type, and
 * (recorded) for a network whose layers have types of their own. */
BM_API int bm_network_set_type(bm_network *net, bm_fixed_type type);

/* Gives layer `layer` (0 first) the types *types, as a format 2 <layer>
 * with <weight_t>, <accum_t> and <result_t> would (its overflow mode is
 * written when the layer gave one or it is saturate): its weights, biases,
 * alpha and max are converted from the layer's types by the constant rule
 * (exact when the fraction bits do not shrink).  The network is then
 * written as format 2.  BM_ERANGE (recorded, naming the layer and the
 * value) when a value does not fit; BM_EINVALID (recorded) when the types
 * break a rule of docs/numbers.md ("Per-layer types"); BM_EINVAL for a bad
 * type or layer.  On failure the network is left as it was. */
BM_API int bm_network_set_layer_types(bm_network *net, unsigned layer,
                                      const bm_layer_types *types);

/* Reads a network from a network XML file or an ONNX model (bm/onnx.h),
 * told apart like bm_graph_read_file() does; any other file is an error
 * saying a network is needed. */
BM_API int bm_network_read_model_file(bm_network **out, bm_ctx *ctx, const char *path,
                                      const bm_graph_options *opt);

/* What a network built by bm_network_from_arrays outputs after its last
 * layer (the elements <argmax/> and <threshold/> of docs/network.md). */
typedef enum bm_network_output {
    BM_NETWORK_OUTPUT_NEURONS = 0, /* the last layer's neurons: y0, y1, ...     */
    BM_NETWORK_OUTPUT_ARGMAX,      /* "class": the index of the largest (2 or
                                      more neurons)                             */
    BM_NETWORK_OUTPUT_THRESHOLD    /* "class": 1 when the one neuron is > 0     */
} bm_network_output;

/* Builds a network from arrays of doubles, as a program holds a trained
 * model, with what the network XML would say (docs/network.md): the name
 * (an identifier; NULL: "network"), the type, the input size and n_layers
 * layers, layer l having neurons[l] neurons, activations[l] (linear, relu,
 * sigmoid or tanh: leaky_relu's alpha and a clipped relu's max need the
 * XML), weights[l] (neurons[l] x inputs of layer l, row-major by neuron:
 * weights[l][j * inputs + i] multiplies input i of neuron j; the inputs of
 * layer 0 are the network's, those of layer l the neurons of layer l-1) and
 * biases[l] (neurons[l]), and what follows the last layer.  Each value is
 * quantised exactly like bm_fixed_from_double (the double itself, nearest,
 * ties to even), so a value written as its exact decimal in network XML
 * gives the same network.  The arrays are copied; the network belongs to
 * the caller (bm_network_free) and lives on ctx.  0; BM_EINVALID for a
 * shape, activation or output the format refuses (argmax over one neuron
 * among them), BM_ERANGE when a value does not fit the type or is not a
 * number (each named by layer, neuron and input), BM_EINVAL for NULL
 * arguments or a bad type; every error is recorded on ctx. */
BM_API int bm_network_from_arrays(bm_network **out, bm_ctx *ctx, const char *name,
                                  bm_fixed_type type, unsigned inputs, unsigned n_layers,
                                  const unsigned *neurons, const bm_activation *activations,
                                  const double *const *weights, const double *const *biases,
                                  bm_network_output output);

/* Writes the network XML of docs/network.md: format 1, the type as total
 * and frac, every weight and bias as the exact decimal of its raw value, so
 * reading the text back gives the same network.  Into a NUL-terminated
 * buffer of the context's allocator (free with bm_xml_buffer_free()), or to
 * a file, atomically (on failure the file is left as it was). */
BM_API int bm_network_write_memory(const bm_network *net, char **out, size_t *size);
BM_API int bm_network_write_file(const bm_network *net, const char *path);

/* Lowers the network to a finished graph on the network's context.
 *
 * Inputs are named x0, x1, ...  Without argmax the outputs are y0, y1, ...
 * (the last layer's neurons); with argmax or threshold the single output is
 * "class".
 * Each neuron becomes a chain ((w0*x0 + w1*x1) + ...) + b in input order,
 * followed by a RELU for relu layers (and a MIN with the bound of a clipped
 * one), MAX(v, MUL(v, alpha)) for leaky relu layers, or the sum of
 * clamped products of sigmoid and tanh layers.  What cannot change an output is left
 * out: a product whose raw weight is 0, the addition of a raw bias 0, and a
 * neuron that no later neuron reads (all its outgoing weights are 0).
 * Every node of a neuron, its weight constants included, is tagged with the
 * layer and neuron; inputs, the argmax and the outputs are untagged. */
BM_API int bm_network_to_graph(bm_graph **out, const bm_network *net);

#ifdef __cplusplus
}
#endif
#endif
