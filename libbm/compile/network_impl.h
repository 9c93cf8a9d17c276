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

/* What a node of a network's graph is, for profiling in per-layer types
 * (profile.c): which of the layer's types its raw value counts in.  The
 * lowering writes one note per node when asked (bmi_network_to_graph_noted). */
typedef enum bmi_net_role {
    BMI_ROLE_OTHER = 0, /* inputs, outputs, argmax: the network's type         */
    BMI_ROLE_WEIGHT,    /* a weight, weight_t (stored scaled, see unscale)     */
    BMI_ROLE_PRODUCT,   /* weight times input, accum_t                         */
    BMI_ROLE_SUM,       /* a partial or the biased sum, accum_t                */
    BMI_ROLE_BIAS,      /* accum_t                                             */
    BMI_ROLE_CONVERT,   /* a shift of the accumulator to result_t's fraction
                           bits, in no row; a wrap here is the accumulator's  */
    BMI_ROLE_RESULT_WRAP, /* SHL and SAR wrapping to result_t's width, in no
                           row; a wrap here is the result's                    */
    BMI_ROLE_SATURATE,  /* MAX or MIN clipping to result_t: the exact model
                           leaves it out                                       */
    BMI_ROLE_BOUND,     /* result_t's smallest or largest value (saturation)   */
    BMI_ROLE_ACTIVATION, /* the activation's values, result_t                  */
    BMI_ROLE_ACT_CONST  /* relu's max, alpha, sigmoid and tanh constants,
                           result_t (alpha and slopes stored scaled)           */
} bmi_net_role;

typedef struct bmi_net_note {
    unsigned char role;      /* bmi_net_role */
    unsigned char converted; /* the accumulator converted to result_t (before
                                the activation): what wraps or saturates     */
    unsigned char frac;      /* fraction bits of the node's own type         */
    unsigned char unscale;   /* own raw = graph raw / 2^unscale (exact)      */
} bmi_net_note;

/* bm_network_to_graph(), and with notes non-NULL one note per node of the
 * finished graph (by node id; freed with bm_free on the network's ctx). */
int bmi_network_to_graph_noted(bm_graph **out, const bm_network *net, bmi_net_note **notes);

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
