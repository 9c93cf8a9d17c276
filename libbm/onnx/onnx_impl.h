/* The ONNX front end's shared state (libbm/onnx/): the decoded model, the
 * float layers being built, and the helpers that read tensors and
 * attributes.  Not installed. */
#ifndef BM_ONNX_IMPL_H
#define BM_ONNX_IMPL_H

#include <stdint.h>

#include "onnx.pb-c.h"

#include "bm/network.h"
#include "internal.h"

/* A dense layer in double precision, before quantisation. */
typedef struct onnx_layer {
    unsigned inputs, neurons;
    double *w; /* neurons x inputs, row-major by neuron */
    double *b; /* neurons */
    bm_activation activation;
    double alpha;                  /* LEAKY_RELU */
    int has_max;                   /* RELU clipped at max (ReLU6: 6) */
    double max;
    const Onnx__NodeProto *act;    /* the activation node, for messages */
    int activated;                 /* an activation node has been applied */
    const Onnx__NodeProto *origin; /* the Gemm or MatMul, for messages */
} onnx_layer;

typedef struct onnx_reader {
    bm_ctx *ctx;
    const char *file;
    bm_loc loc;
    const Onnx__GraphProto *graph;
    int64_t opset;
    onnx_layer *layers;
    size_t n_layers, cap_layers;
    unsigned inputs;   /* features of the model's input */
    unsigned features; /* features of the current tensor */
    unsigned rank;     /* rank of the current tensor (batch included) */
    const Onnx__TensorShapeProto *input_shape; /* the model input's */
    unsigned char *done; /* per node: lowered on the chain, or evaluated as
                          * a Reshape's shape (onnx_shape.c) */
    int64_t transposed_dims[2]; /* of the last Transpose of a constant read */
    int argmax, threshold;
    int ended; /* a Softmax, ArgMax or Sigmoid: only an ArgMax may follow */
    /* QDQ: the type the QuantizeLinear/DequantizeLinear pairs on the data
     * set (qdq_node is the first pair's QuantizeLinear), and the
     * QuantizeLinear whose integer output is the current tensor (NULL when
     * it is float) */
    int qdq_set;
    bm_fixed_type qdq_type;
    const Onnx__NodeProto *qdq_node, *quantized;
} onnx_reader;

/* "node 'fc1' (Gemm)" or "node 3 (Gemm)" for an unnamed one. */
const char *bm_onnx_node_label(const onnx_reader *r, const Onnx__NodeProto *n, char *buf,
                               size_t size);
/* Records "FILE: error: node 'x' (Op): MESSAGE" and returns BM_EPARSE. */
int bm_onnx_node_error(onnx_reader *r, const Onnx__NodeProto *n, const char *fmt, ...)
    BM_PRINTF(3, 4);

/* Lowers node n, whose input `slot` is the current tensor, into the
 * reader's layers; last is nonzero when its output is the model's output. */
int bm_onnx_lower_node(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot, int last);

/* The constant tensor of that name: an initializer, the value of a
 * Constant node, or either through Identity nodes (torch.onnx.export's
 * copies of equal tensors); NULL if the name is computed from the data or
 * unknown. */
const Onnx__TensorProto *bm_onnx_constant(const onnx_reader *r, const char *name);
/* A constant's elements as doubles (float, double, int32 or int64 data,
 * inline or raw little-endian), in a buffer of the context's allocator;
 * *count receives the element count (the product of the dims).  Errors
 * name the node and the tensor. */
int bm_onnx_tensor_values(onnx_reader *r, const Onnx__NodeProto *n, const Onnx__TensorProto *t,
                          double **out, size_t *count);
/* The constant input k of node n (which must exist and be constant), as
 * values; dims and n_dims describe its shape.  A constant is also a
 * DequantizeLinear of one (QDQ weights) or a Transpose of a constant
 * matrix (torch.onnx.export's nn.Linear without bias when constant folding
 * is off), computed. */
int bm_onnx_input_values(onnx_reader *r, const Onnx__NodeProto *n, unsigned k, double **out,
                         size_t *count, const int64_t **dims, size_t *n_dims);

/* QDQ (onnx_qdq.c).  A QuantizeLinear / DequantizeLinear on the data
 * chain: the pair sets the model's type (per-tensor scale 2^-F, zero point
 * 0 of type int8 or int16: fixed<8 or 16, bits - F>), the same for every
 * pair. */
int bmi_onnx_op_quantize(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot, int last);
int bmi_onnx_op_dequantize(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot);
/* The DequantizeLinear node that computes tensor `name` from a constant
 * (quantised weights), or NULL. */
const Onnx__NodeProto *bmi_onnx_constant_dq(const onnx_reader *r, const char *name);
/* Its values, (x - 0) * scale, checked like a pair's (a power-of-two
 * scale, zero point 0), with the shape of x. */
int bmi_onnx_dq_values(onnx_reader *r, const Onnx__NodeProto *dq, double **out, size_t *count,
                       const int64_t **dims, size_t *n_dims);

/* The target shape of Reshape node n when its input 2 is computed from the
 * data by Shape, Gather, Unsqueeze and Concat (torch.onnx.export's
 * x.view(x.size(0), -1)): the batch size, first, as 0 (copied), the rest
 * as numbers.  Marks the nodes evaluated done. */
int bmi_onnx_shape_values(onnx_reader *r, const Onnx__NodeProto *n, double **out, size_t *count);

/* The Transpose node that computes tensor `name` from a constant matrix,
 * or NULL. */
const Onnx__NodeProto *bmi_onnx_constant_transpose(const onnx_reader *r, const char *name);

/* "float", "int8", ... for a TensorProto data type; "another type". */
const char *bmi_onnx_type_name(int32_t type);

/* The attribute of that name, or NULL. */
const Onnx__AttributeProto *bm_onnx_attr(const Onnx__NodeProto *n, const char *name);
/* An INT or FLOAT attribute's value, or def when absent; BM_EPARSE (with
 * a message) when present with another type. */
int bm_onnx_attr_int(onnx_reader *r, const Onnx__NodeProto *n, const char *name, int64_t def,
                     int64_t *out);
int bm_onnx_attr_float(onnx_reader *r, const Onnx__NodeProto *n, const char *name, double def,
                       double *out);
/* An error for every attribute of n not in the NULL-terminated list. */
int bm_onnx_attrs_known(onnx_reader *r, const Onnx__NodeProto *n, const char *const *known);

#endif
