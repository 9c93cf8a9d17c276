/* Reading the constants and attributes of an ONNX model: initializers,
 * Constant nodes, and the typed attributes of a node.  Messages name the
 * node and operator they belong to. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx_impl.h"

/* Far more elements than any tensor of a model that fits an FPGA. */
#define TENSOR_ELEMENTS_MAX (1u << 26)

const char *bm_onnx_node_label(const onnx_reader *r, const Onnx__NodeProto *n, char *buf,
                               size_t size)
{
    size_t index = 0;
    while (index < r->graph->n_node && r->graph->node[index] != n)
        index++;
    if (n->name && n->name[0])
        snprintf(buf, size, "node '%s' (%s)", n->name, n->op_type);
    else
        snprintf(buf, size, "node %zu (%s)", index + 1, n->op_type);
    return buf;
}

int bm_onnx_node_error(onnx_reader *r, const Onnx__NodeProto *n, const char *fmt, ...)
{
    char label[300], message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return bm_error(r->ctx, r->loc, "%s: %s", bm_onnx_node_label(r, n, label, sizeof label),
                    message);
}

static const Onnx__AttributeProto *value_attr(const Onnx__NodeProto *n)
{
    return bm_onnx_attr(n, "value");
}

/* An Identity of a constant is that constant: torch.onnx.export stores
 * tensors with equal values once and names the copies through Identity
 * nodes (an untrained BatchNorm1d's running_var is its weight, all ones).
 * depth bounds a cycle of Identity nodes by the node count. */
static const Onnx__TensorProto *constant_at(const onnx_reader *r, const char *name, size_t depth)
{
    if (!name || !name[0] || depth > r->graph->n_node)
        return NULL;
    const Onnx__GraphProto *g = r->graph;
    for (size_t i = 0; i < g->n_initializer; i++)
        if (strcmp(g->initializer[i]->name, name) == 0)
            return g->initializer[i];
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        if (n->n_output != 1 || strcmp(n->output[0], name) != 0)
            continue;
        if (strcmp(n->op_type, "Identity") == 0 && n->n_input == 1 && n->n_attribute == 0)
            return constant_at(r, n->input[0], depth + 1);
        if (strcmp(n->op_type, "Constant") != 0)
            return NULL;
        const Onnx__AttributeProto *a = value_attr(n);
        return a && a->t ? a->t : NULL;
    }
    return NULL;
}

const Onnx__TensorProto *bm_onnx_constant(const onnx_reader *r, const char *name)
{
    return constant_at(r, name, 0);
}

const char *bmi_onnx_type_name(int32_t type)
{
    switch (type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return "float";
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return "double";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return "int32";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return "int64";
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: return "float16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: return "bfloat16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return "int8";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return "uint8";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return "int16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: return "uint16";
    default: return "another type";
    }
}

/* Little-endian bytes to an unsigned integer, whatever the host's order. */
static uint64_t little_endian(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static double element(const Onnx__TensorProto *t, size_t i)
{
    const uint8_t *raw = t->has_raw_data ? t->raw_data.data : NULL;
    switch (t->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: {
        if (!raw)
            return t->float_data[i];
        uint32_t bits = (uint32_t)little_endian(raw + 4 * i, 4);
        float f;
        memcpy(&f, &bits, sizeof f);
        return f;
    }
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: {
        if (!raw)
            return t->double_data[i];
        uint64_t bits = little_endian(raw + 8 * i, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
        return raw ? (double)(int32_t)(uint32_t)little_endian(raw + 4 * i, 4)
                   : (double)t->int32_data[i];
    /* int8 and int16 are stored inline in int32_data (onnx.proto) */
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
        return raw ? (double)(int8_t)raw[i] : (double)t->int32_data[i];
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
        return raw ? (double)(int16_t)(uint16_t)little_endian(raw + 2 * i, 2)
                   : (double)t->int32_data[i];
    default: /* INT64 */
        return raw ? (double)(int64_t)little_endian(raw + 8 * i, 8) : (double)t->int64_data[i];
    }
}

int bm_onnx_tensor_values(onnx_reader *r, const Onnx__NodeProto *n, const Onnx__TensorProto *t,
                          double **out, size_t *count)
{
    const char *name = t->name && t->name[0] ? t->name : "(constant)";
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return bm_onnx_node_error(r, n,
                                  "tensor '%s' is stored as external data (supported: tensors "
                                  "inside the model file)",
                                  name);
    size_t elements = 1;
    for (size_t d = 0; d < t->n_dims; d++) {
        if (t->dims[d] < 0 || (t->dims[d] && elements > TENSOR_ELEMENTS_MAX / (size_t)t->dims[d]))
            return bm_onnx_node_error(r, n, "tensor '%s' has a bad or too large shape", name);
        elements *= (size_t)t->dims[d];
    }
    unsigned size;
    size_t inline_count;
    switch (t->data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: size = 4; inline_count = t->n_float_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: size = 8; inline_count = t->n_double_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: size = 4; inline_count = t->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: size = 8; inline_count = t->n_int64_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: size = 1; inline_count = t->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: size = 2; inline_count = t->n_int32_data; break;
    default:
        return bm_onnx_node_error(r, n,
                                  "tensor '%s' holds %s data (supported: float, double, int8, "
                                  "int16, int32, int64)",
                                  name, bmi_onnx_type_name(t->data_type));
    }
    size_t have = t->has_raw_data ? t->raw_data.len / size : inline_count;
    if (have != elements || (t->has_raw_data && t->raw_data.len % size))
        return bm_onnx_node_error(r, n, "tensor '%s' has %zu values, but its shape holds %zu",
                                  name, have, elements);
    double *v = bm_malloc(r->ctx, (elements ? elements : 1) * sizeof *v);
    if (!v)
        return BM_ENOMEM;
    for (size_t i = 0; i < elements; i++)
        v[i] = element(t, i);
    *out = v;
    *count = elements;
    return BM_OK;
}

const Onnx__NodeProto *bmi_onnx_constant_transpose(const onnx_reader *r, const char *name)
{
    if (!name || !name[0])
        return NULL;
    for (size_t i = 0; i < r->graph->n_node; i++) {
        const Onnx__NodeProto *n = r->graph->node[i];
        if (n->n_output != 1 || strcmp(n->output[0], name) != 0)
            continue;
        if (strcmp(n->op_type, "Transpose") != 0 || n->n_input != 1)
            return NULL;
        const Onnx__TensorProto *t = bm_onnx_constant(r, n->input[0]);
        return t && t->n_dims == 2 ? n : NULL;
    }
    return NULL;
}

/* The values of a Transpose of a constant matrix, transposed; the dims
 * are kept in the reader (valid until the next such call). */
static int transposed_values(onnx_reader *r, const Onnx__NodeProto *tr, double **out,
                             size_t *count, const int64_t **dims, size_t *n_dims)
{
    static const char *const known[] = {"perm", NULL};
    int rc = bm_onnx_attrs_known(r, tr, known);
    if (rc)
        return rc;
    const Onnx__AttributeProto *perm = bm_onnx_attr(tr, "perm");
    if (perm && !(perm->n_ints == 2 && perm->ints[0] == 1 && perm->ints[1] == 0))
        return bm_onnx_node_error(r, tr, "this perm is not supported (supported: none or [1, 0], "
                                         "a matrix transposed)");
    const Onnx__TensorProto *t = bm_onnx_constant(r, tr->input[0]);
    double *v;
    if ((rc = bm_onnx_tensor_values(r, tr, t, &v, count)))
        return rc;
    size_t rows = (size_t)t->dims[0], cols = (size_t)t->dims[1];
    double *w = bm_malloc(r->ctx, (*count ? *count : 1) * sizeof *w);
    if (!w) {
        bm_free(r->ctx, v);
        return BM_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            w[j * rows + i] = v[i * cols + j];
    bm_free(r->ctx, v);
    r->transposed_dims[0] = t->dims[1];
    r->transposed_dims[1] = t->dims[0];
    if (dims)
        *dims = r->transposed_dims;
    if (n_dims)
        *n_dims = 2;
    *out = w;
    return BM_OK;
}

int bm_onnx_input_values(onnx_reader *r, const Onnx__NodeProto *n, unsigned k, double **out,
                         size_t *count, const int64_t **dims, size_t *n_dims)
{
    const char *name = k < n->n_input ? n->input[k] : "";
    const Onnx__TensorProto *t = bm_onnx_constant(r, name);
    const Onnx__NodeProto *dq = t ? NULL : bmi_onnx_constant_dq(r, name);
    if (dq)
        return bmi_onnx_dq_values(r, dq, out, count, dims, n_dims);
    const Onnx__NodeProto *tr = t ? NULL : bmi_onnx_constant_transpose(r, name);
    if (tr)
        return transposed_values(r, tr, out, count, dims, n_dims);
    if (!t) {
        if (!name[0])
            return bm_onnx_node_error(r, n, "input %u is missing", k + 1);
        return bm_onnx_node_error(r, n,
                                  "input '%s' is not a constant (supported: weights stored in "
                                  "the model as initializers or Constant nodes, Identity "
                                  "copies of them, or a Transpose of a matrix)",
                                  name);
    }
    if (dims)
        *dims = t->dims;
    if (n_dims)
        *n_dims = t->n_dims;
    return bm_onnx_tensor_values(r, n, t, out, count);
}

const Onnx__AttributeProto *bm_onnx_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}

int bm_onnx_attr_int(onnx_reader *r, const Onnx__NodeProto *n, const char *name, int64_t def,
                     int64_t *out)
{
    const Onnx__AttributeProto *a = bm_onnx_attr(n, name);
    *out = def;
    if (!a)
        return BM_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return bm_onnx_node_error(r, n, "attribute %s is not an integer", name);
    *out = a->i;
    return BM_OK;
}

int bm_onnx_attr_float(onnx_reader *r, const Onnx__NodeProto *n, const char *name, double def,
                       double *out)
{
    const Onnx__AttributeProto *a = bm_onnx_attr(n, name);
    *out = def;
    if (!a)
        return BM_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
        return bm_onnx_node_error(r, n, "attribute %s is not a float", name);
    *out = a->f;
    return BM_OK;
}

int bm_onnx_attrs_known(onnx_reader *r, const Onnx__NodeProto *n, const char *const *known)
{
    int rc = BM_OK;
    for (size_t i = 0; i < n->n_attribute; i++) {
        const char *name = n->attribute[i]->name;
        size_t k = 0;
        while (known[k] && strcmp(known[k], name) != 0)
            k++;
        if (known[k])
            continue;
        char list[256] = "";
        for (size_t j = 0; known[j]; j++) {
            strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, known[j], sizeof list - strlen(list) - 1);
        }
        rc = bm_onnx_node_error(r, n, "attribute %s is not supported (supported: %s)", name,
                                known[0] ? list : "none");
    }
    return rc;
}
