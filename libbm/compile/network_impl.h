/* The representation of a dense network, shared by network.c (model and
 * reader) and lower.c (lowering to the graph IR).  Not installed. */
#ifndef BM_NETWORK_IMPL_H
#define BM_NETWORK_IMPL_H

#include "bm/network.h"

typedef struct net_layer {
    unsigned inputs, neurons;
    bm_activation activation;
    int64_t alpha;   /* LEAKY_RELU: raw alpha                */
    int has_max;     /* RELU: clipped at max                 */
    int64_t max;     /* raw                                  */
    bm_loc alpha_loc, max_loc;
    int64_t *weights, *biases; /* raw; neurons x inputs row-major, and neurons */
    bm_loc loc;
} net_layer;

struct bm_network {
    bm_ctx *ctx;
    char *name;
    bm_fixed_type type;
    bm_loc loc, input_loc, argmax_loc, threshold_loc;
    unsigned inputs;
    net_layer *layers;
    size_t n_layers, cap_layers;
    int argmax;
    int threshold; /* binary classifier: class 1 when the one output is > 0 */
};

#endif
