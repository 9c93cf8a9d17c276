/* Reading ONNX models (docs/onnx.md): a dense model exported by PyTorch,
 * Keras (tf2onnx) or built from scikit-learn coefficients becomes a
 * bm_network (bm/network.h), with every weight quantised to a fixed-point
 * type.  From there it is written as network XML, evaluated and compiled
 * like any network.
 *
 * What is read: one input [batch, features...] (the batch dimension may be
 * symbolic, the others must be fixed), then a chain of nodes of the default
 * ONNX domain, opsets 7 to 21:
 *
 *   Gemm (transA 0), MatMul + Add       a dense layer
 *   BatchNormalization                  folded into the layer before it
 *   Relu, LeakyRelu, Clip(min 0),       the layer's activation
 *   Sigmoid, Tanh
 *   Flatten (axis 1), Reshape to [N, F] (N: -1, 0, 1 or the input's
 *   fixed batch size), Identity, Dropout   nothing
 *   (the Reshape target also computed as Concat(Unsqueeze(Gather(
 *   Shape(x), 0)), [-1]): torch's x.view(x.size(0), -1))
 *   Softmax, LogSoftmax, ArgMax         at the end: the network's argmax
 *   Sigmoid                             at the end of a one-neuron layer:
 *                                       a binary classifier (threshold)
 *   QuantizeLinear + DequantizeLinear   on the data: a QDQ pair, which sets
 *                                       the type (scale 2^-F, int8/int16
 *                                       zero point 0: fixed<8|16, B-F>)
 *   DequantizeLinear of a constant      a quantised weight or bias
 *   Identity of a constant              that constant (torch.onnx.export
 *                                       names copies of equal tensors so)
 *   Transpose of a constant matrix      that matrix transposed
 *
 * Weights are folded in double precision (Gemm's alpha and beta, batch
 * normalisation), then each is quantised once with bm_fixed_from_double().
 * Anything else (another operator, attribute value or opset, a branch,
 * a dynamic feature dimension, external data, a weight out of range) is an
 * error naming the node and operator and saying what is supported; no
 * network is returned.
 */
#ifndef BM_ONNX_H
#define BM_ONNX_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/ctx.h"
#include "bm/graph.h"
#include "bm/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a serialised onnx.ModelProto.  name is the file name for messages.
 * The network gets the type of the model's QDQ pairs, if it has any and
 * opt->force_type is 0, else opt->type (opt may be NULL for fixed<16,6>),
 * and the graph's name, made an identifier. */
BM_API int bm_onnx_read(bm_network **out, bm_ctx *ctx, const void *data, size_t size,
                 const char *name, const bm_graph_options *opt);
BM_API int bm_onnx_read_file(bm_network **out, bm_ctx *ctx, const char *path,
                      const bm_graph_options *opt);

#ifdef __cplusplus
}
#endif
#endif
