/* QDQ models (docs/onnx.md, "QDQ models"): QuantizeLinear/DequantizeLinear
 * pairs on the data set the network's fixed-point type, and
 * DequantizeLinear nodes of constant integer tensors are quantised weights.
 *
 * A pair with scale 2^-F and zero point 0 of type intB rounds a value to a
 * multiple of 2^-F within B signed bits: the grid of fixed<B, B-F>, which is
 * what libbm then computes in.  Anything a fixed-point type cannot say (a
 * scale that is not a power of two, a zero point other than 0, unsigned
 * types, per-axis scales) is refused, and so are pairs of different types:
 * a network has one type today. */
#include <math.h>
#include <string.h>

#include "onnx_impl.h"

#define QDQ_SUPPORTED                                                                        \
    "supported: per-tensor scales 2^-F with zero point 0 of type int8 or int16, 0 <= F < its " \
    "bits"

static unsigned type_bits(int32_t type)
{
    switch (type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return 8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return 16;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return 32;
    default: return 0;
    }
}

static int check_attrs(onnx_reader *r, const Onnx__NodeProto *n)
{
    static const char *const known[] = {"axis", "saturate", "block_size", NULL};
    int64_t block = 0;
    int rc = bm_onnx_attrs_known(r, n, known);
    if (!rc)
        rc = bm_onnx_attr_int(r, n, "block_size", 0, &block);
    if (!rc && block)
        rc = bm_onnx_node_error(r, n, "block_size=%lld is not supported (%s)", (long long)block,
                                QDQ_SUPPORTED);
    if (!rc && r->opset < 10)
        rc = bm_onnx_node_error(r, n, "needs opset 10 or later (the model uses %lld)",
                                (long long)r->opset);
    return rc;
}

/* The scale (input 2) as 2^exponent. */
static int read_scale(onnx_reader *r, const Onnx__NodeProto *n, int *exponent)
{
    double *v;
    size_t count;
    int rc = bm_onnx_input_values(r, n, 1, &v, &count, NULL, NULL);
    if (rc)
        return rc;
    int e = 0;
    if (count != 1)
        rc = bm_onnx_node_error(r, n, "the scale has %zu values (%s)", count, QDQ_SUPPORTED);
    else if (!(v[0] > 0) || isinf(v[0]) || frexp(v[0], &e) != 0.5)
        rc = bm_onnx_node_error(r, n, "scale %.9g is not a power of two (%s)", v[0],
                                QDQ_SUPPORTED);
    *exponent = e - 1; /* v = 0.5 * 2^e */
    bm_free(r->ctx, v);
    return rc;
}

/* The zero point (input 3): its integer type's bits in *bits, 0 when
 * there is none.  It must be 0. */
static int read_zero_point(onnx_reader *r, const Onnx__NodeProto *n, unsigned *bits)
{
    *bits = 0;
    const char *name = n->n_input > 2 ? n->input[2] : "";
    if (!name[0])
        return BM_OK;
    const Onnx__TensorProto *t = bm_onnx_constant(r, name);
    if (!t)
        return bm_onnx_node_error(r, n, "the zero point '%s' is not a constant (%s)", name,
                                  QDQ_SUPPORTED);
    *bits = type_bits(t->data_type);
    if (!*bits)
        return bm_onnx_node_error(r, n, "the zero point is %s (%s)",
                                  bmi_onnx_type_name(t->data_type), QDQ_SUPPORTED);
    double *v;
    size_t count;
    int rc = bm_onnx_tensor_values(r, n, t, &v, &count);
    if (rc)
        return rc;
    if (count != 1)
        rc = bm_onnx_node_error(r, n, "the zero point has %zu values (%s)", count, QDQ_SUPPORTED);
    else if (v[0] != 0)
        rc = bm_onnx_node_error(r, n, "zero point %.9g is not supported (%s)", v[0],
                                QDQ_SUPPORTED);
    bm_free(r->ctx, v);
    return rc;
}

/* The fixed-point type of a pair's node: scale 2^-F, an int8 or int16
 * zero point 0. */
static int pair_type(onnx_reader *r, const Onnx__NodeProto *n, bm_fixed_type *out)
{
    int exponent = 0;
    unsigned bits = 0;
    int rc = check_attrs(r, n);
    if (!rc)
        rc = read_scale(r, n, &exponent);
    if (!rc)
        rc = read_zero_point(r, n, &bits);
    if (rc)
        return rc;
    if (bits == 0)
        return bm_onnx_node_error(r, n, "has no zero point, so its integers are uint8 (%s)",
                                  QDQ_SUPPORTED);
    if (bits > 16)
        return bm_onnx_node_error(r, n, "the zero point is int%u (%s)", bits, QDQ_SUPPORTED);
    if (exponent > 0 || -exponent >= (int)bits)
        return bm_onnx_node_error(r, n, "scale 2^%d with int%u is no fixed-point type (%s)",
                                  exponent, bits, QDQ_SUPPORTED);
    out->total = bits;
    out->frac = (unsigned)-exponent;
    return BM_OK;
}

int bmi_onnx_op_quantize(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot, int last)
{
    if (slot != 0)
        return bm_onnx_node_error(r, n, "the data is input %u (supported: the data as input x)",
                                  slot + 1);
    if (last)
        return bm_onnx_node_error(r, n, "the model's output is quantised integers (supported: a "
                                        "DequantizeLinear after each QuantizeLinear)");
    bm_fixed_type t;
    int rc = pair_type(r, n, &t);
    if (rc)
        return rc;
    if (r->qdq_set && (t.total != r->qdq_type.total || t.frac != r->qdq_type.frac)) {
        char first[300];
        return bm_onnx_node_error(r, n,
                                  "quantises to fixed<%u,%u>, but %s quantises to fixed<%u,%u> "
                                  "(supported: one type for the whole model)",
                                  t.total, t.total - t.frac,
                                  bm_onnx_node_label(r, r->qdq_node, first, sizeof first),
                                  r->qdq_type.total, r->qdq_type.total - r->qdq_type.frac);
    }
    if (!r->qdq_set)
        r->qdq_node = n;
    r->qdq_set = 1;
    r->qdq_type = t;
    r->quantized = n;
    return BM_OK;
}

int bmi_onnx_op_dequantize(onnx_reader *r, const Onnx__NodeProto *n, unsigned slot)
{
    if (!r->quantized)
        return bm_onnx_node_error(r, n, "its input is not the output of a QuantizeLinear "
                                        "(supported: QuantizeLinear/DequantizeLinear pairs on "
                                        "the data, DequantizeLinear of constant weights)");
    if (slot != 0)
        return bm_onnx_node_error(r, n, "the data is input %u (supported: the data as input x)",
                                  slot + 1);
    bm_fixed_type t;
    int rc = pair_type(r, n, &t);
    if (rc)
        return rc;
    if (t.total != r->qdq_type.total || t.frac != r->qdq_type.frac) {
        char q[300];
        return bm_onnx_node_error(r, n,
                                  "dequantises from fixed<%u,%u>, but %s quantised to "
                                  "fixed<%u,%u> (supported: the scale and zero point of its "
                                  "QuantizeLinear)",
                                  t.total, t.total - t.frac,
                                  bm_onnx_node_label(r, r->quantized, q, sizeof q),
                                  r->qdq_type.total, r->qdq_type.total - r->qdq_type.frac);
    }
    r->quantized = NULL;
    return BM_OK;
}

const Onnx__NodeProto *bmi_onnx_constant_dq(const onnx_reader *r, const char *name)
{
    if (!name || !name[0])
        return NULL;
    for (size_t i = 0; i < r->graph->n_node; i++) {
        const Onnx__NodeProto *n = r->graph->node[i];
        if (strcmp(n->op_type, "DequantizeLinear") == 0 && n->n_output == 1 &&
            strcmp(n->output[0], name) == 0)
            return n->n_input > 0 && bm_onnx_constant(r, n->input[0]) ? n : NULL;
    }
    return NULL;
}

int bmi_onnx_dq_values(onnx_reader *r, const Onnx__NodeProto *dq, double **out, size_t *count,
                       const int64_t **dims, size_t *n_dims)
{
    const Onnx__TensorProto *x = bm_onnx_constant(r, dq->input[0]);
    int exponent = 0;
    unsigned zp_bits = 0;
    int rc = check_attrs(r, dq);
    if (!rc && !type_bits(x->data_type))
        rc = bm_onnx_node_error(r, dq, "the quantised tensor '%s' is %s (supported: int8, int16 "
                                       "or int32)",
                                x->name ? x->name : "(constant)",
                                bmi_onnx_type_name(x->data_type));
    if (!rc)
        rc = read_scale(r, dq, &exponent);
    if (!rc)
        rc = read_zero_point(r, dq, &zp_bits);
    if (rc)
        return rc;
    if ((rc = bm_onnx_tensor_values(r, dq, x, out, count)))
        return rc;
    /* exact: an integer of at most 32 bits times a power of two */
    for (size_t i = 0; i < *count; i++)
        (*out)[i] = ldexp((*out)[i], exponent);
    if (dims)
        *dims = x->dims;
    if (n_dims)
        *n_dims = x->n_dims;
    return BM_OK;
}
