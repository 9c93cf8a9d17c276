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
    /* format 2: the types the <layer> gives (has_*), used in place of the
     * network's type: weights in `weight`, biases in `accum`, alpha and
     * max in `result` (bmi_net_layer_types) */
    int has_weight, has_accum, has_result, has_overflow;
    bm_layer_types types;
} net_layer;

/* The layer's effective types (bm_network_layer_types). */
bm_layer_types bmi_net_layer_types(const bm_network *net, const net_layer *l);
/* Nonzero when some layer has types of its own. */
int bmi_net_has_layer_types(const bm_network *net);
/* The machine word of a network with per-layer types: the graph's total
 * (docs/numbers.md, "Per-layer types"); the network's total without
 * them.  Checks the rules on the types first, recording errors at the
 * layers' places: BM_EPARSE when one fails. */
int bmi_net_word(const bm_network *net, unsigned *word);

/* A piecewise-linear activation (docs/numbers.md, "Sigmoid and tanh"):
 *     y = base + slope[0]*c(v, bound[0]) + slope[1]*c(v, bound[1]) + ...
 * with c(v, t) = MIN(MAX(v, -t), t), each product a graph MUL (floor), the
 * constants quantised to the network's type.  NULL for the other
 * activations. */
#define NET_PWL_TERMS 3
typedef struct net_pwl {
    double base;
    double slope[NET_PWL_TERMS], bound[NET_PWL_TERMS];
} net_pwl;
const net_pwl *bm_net_pwl(bm_activation a);
/* 0 when every constant of the activation's table fits the type. */
int bm_net_pwl_check(bm_activation a, bm_fixed_type t);

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

/* Limits of one layer, for every way a network is made (the XML reader,
 * bm_network_from_arrays): far beyond what fits on an FPGA, small enough
 * that sizes cannot overflow. */
#define BMI_NET_LAYER_SIZE_MAX (1u << 20)
#define BMI_NET_LAYER_WEIGHTS_MAX (1u << 26)

#endif
