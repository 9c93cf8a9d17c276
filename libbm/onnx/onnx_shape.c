/* The shape arithmetic of a Reshape whose target shape is computed from the
 * data, as torch.onnx.export writes `x.view(x.size(0), -1)` (or
 * `x.reshape(x.shape[0], -1)`) when the batch dimension is dynamic:
 *
 *   Shape(x) -> Gather(index 0) -> Unsqueeze(axis 0) -> Concat(with [-1])
 *
 * The only unknown is the batch size N, so the little graph is evaluated
 * symbolically: each element is a number or N.  A target [N, F] or [N, -1]
 * is [0, F] or [0, -1] (dimension 0 copied), which op_reshape already
 * reads.  The nodes evaluated are marked done, so the walk does not call
 * them off the chain; anything else in such a graph is refused, naming the
 * node and operator. */
#include <string.h>

#include "onnx_impl.h"

/* Far more dimensions than a dense model's tensors have. */
#define SHAPE_MAX 8

typedef struct shape_vec {
    int64_t v[SHAPE_MAX];
    unsigned char batch[SHAPE_MAX]; /* the element is the batch size N */
    size_t n;
    int scalar; /* rank 0 (Gather of one index), else rank 1 */
} shape_vec;

#define SHAPE_SUPPORTED                                                                       \
    "(supported: Shape of the reshaped data, Gather, Unsqueeze and Concat on axis 0, Cast, " \
    "Identity and constants, as torch.onnx.export writes x.view(x.size(0), -1))"

static const Onnx__NodeProto *producer(const onnx_reader *r, const char *name, size_t *index)
{
    for (size_t i = 0; i < r->graph->n_node; i++) {
        const Onnx__NodeProto *n = r->graph->node[i];
        for (size_t k = 0; k < n->n_output; k++)
            if (strcmp(n->output[k], name) == 0) {
                *index = i;
                return n;
            }
    }
    return NULL;
}

/* The current tensor's dimensions: [N, features] once it is a matrix, else
 * the model input's (only Flatten and Reshape change the rank, and every
 * layer needs a matrix).  The batch dimension is N unless the input fixes
 * it. */
static int current_dims(onnx_reader *r, const Onnx__NodeProto *n, shape_vec *out)
{
    const Onnx__TensorShapeProto *s = r->input_shape;
    const Onnx__TensorShapeProto__Dimension *d0 = s->dim[0];
    int fixed = d0->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    memset(out, 0, sizeof *out);
    out->v[0] = fixed ? d0->dim_value : 0;
    out->batch[0] = !fixed;
    if (r->rank == 2) {
        out->v[1] = r->features;
        out->n = 2;
        return BM_OK;
    }
    if (s->n_dim > SHAPE_MAX)
        return bm_onnx_node_error(r, n, "takes the shape of a tensor of rank %zu (supported: "
                                        "up to %d)",
                                  s->n_dim, SHAPE_MAX);
    for (size_t d = 1; d < s->n_dim; d++)
        out->v[d] = s->dim[d]->dim_value;
    out->n = s->n_dim;
    return BM_OK;
}

/* A constant integer tensor of rank 0 or 1 as a shape_vec. */
static int constant_vec(onnx_reader *r, const Onnx__NodeProto *user, const Onnx__TensorProto *t,
                        shape_vec *out)
{
    double *v;
    size_t count;
    int rc = bm_onnx_tensor_values(r, user, t, &v, &count);
    if (rc)
        return rc;
    if (t->n_dims > 1 || count > SHAPE_MAX)
        rc = bm_onnx_node_error(r, user,
                                "tensor '%s' is not a short list of sizes " SHAPE_SUPPORTED,
                                t->name ? t->name : "(constant)");
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < count && !rc; i++) {
        /* sizes and indices are integers; checked before the cast, which
         * would be undefined for NaN or out of range */
        if (!(v[i] >= -4e18 && v[i] <= 4e18) || v[i] != (double)(int64_t)v[i])
            rc = bm_onnx_node_error(r, user, "tensor '%s' holds %g, not a size or index",
                                    t->name ? t->name : "(constant)", v[i]);
        else
            out->v[i] = (int64_t)v[i];
    }
    out->n = count;
    out->scalar = t->n_dims == 0;
    bm_free(r->ctx, v);
    return rc;
}

/* Whether Unsqueeze n's axes, an attribute before opset 13 and a constant
 * input after, are exactly [0]. */
static int axes_are_zero(onnx_reader *r, const Onnx__NodeProto *n, int *zero)
{
    const Onnx__AttributeProto *a = bm_onnx_attr(n, "axes");
    *zero = 0;
    if (a) {
        *zero = a->n_ints == 1 && a->ints[0] == 0;
        return BM_OK;
    }
    if (n->n_input < 2 || !n->input[1][0])
        return BM_OK;
    double *v;
    size_t count;
    int rc = bm_onnx_input_values(r, n, 1, &v, &count, NULL, NULL);
    if (rc)
        return rc;
    *zero = count == 1 && v[0] == 0;
    bm_free(r->ctx, v);
    return BM_OK;
}

static int eval(onnx_reader *r, const Onnx__NodeProto *reshape, const char *name, shape_vec *out,
                size_t depth);

static int eval_node(onnx_reader *r, const Onnx__NodeProto *reshape, const Onnx__NodeProto *p,
                     shape_vec *out, size_t depth)
{
    const char *op = p->op_type;
    int rc;
    if (strcmp(op, "Shape") == 0) {
        static const char *const known[] = {"start", "end", NULL};
        int64_t start = 0, end = 0;
        if ((rc = bm_onnx_attrs_known(r, p, known)))
            return rc;
        if (strcmp(p->input[0], reshape->input[0]) != 0) {
            char a[300];
            return bm_onnx_node_error(r, p, "takes the shape of '%s', not of the data that %s "
                                            "reshapes " SHAPE_SUPPORTED,
                                      p->input[0],
                                      bm_onnx_node_label(r, reshape, a, sizeof a));
        }
        if ((rc = current_dims(r, p, out)))
            return rc;
        if ((rc = bm_onnx_attr_int(r, p, "start", 0, &start)) ||
            (rc = bm_onnx_attr_int(r, p, "end", (int64_t)out->n, &end)))
            return rc;
        int64_t n = (int64_t)out->n;
        start = start < 0 ? start + n : start;
        end = end < 0 ? end + n : end;
        start = start < 0 ? 0 : start > n ? n : start;
        end = end < start ? start : end > n ? n : end;
        memmove(out->v, out->v + start, (size_t)(end - start) * sizeof out->v[0]);
        memmove(out->batch, out->batch + start, (size_t)(end - start));
        out->n = (size_t)(end - start);
        return BM_OK;
    }
    if (strcmp(op, "Gather") == 0) {
        static const char *const known[] = {"axis", NULL};
        int64_t axis = 0;
        shape_vec data, idx;
        if ((rc = bm_onnx_attrs_known(r, p, known)) ||
            (rc = bm_onnx_attr_int(r, p, "axis", 0, &axis)))
            return rc;
        if (axis != 0 && axis != -1)
            return bm_onnx_node_error(r, p, "axis=%lld " SHAPE_SUPPORTED, (long long)axis);
        if (p->n_input != 2 || (rc = eval(r, reshape, p->input[0], &data, depth + 1)))
            return rc ? rc : bm_onnx_node_error(r, p, "needs 2 inputs");
        const Onnx__TensorProto *t = bm_onnx_constant(r, p->input[1]);
        if (!t)
            return bm_onnx_node_error(r, p, "the indices are not a constant " SHAPE_SUPPORTED);
        if ((rc = constant_vec(r, p, t, &idx)))
            return rc;
        memset(out, 0, sizeof *out);
        for (size_t i = 0; i < idx.n; i++) {
            int64_t k = idx.v[i] < 0 ? idx.v[i] + (int64_t)data.n : idx.v[i];
            if (data.scalar || k < 0 || k >= (int64_t)data.n)
                return bm_onnx_node_error(r, p, "index %lld is out of range", (long long)idx.v[i]);
            out->v[i] = data.v[k];
            out->batch[i] = data.batch[k];
        }
        out->n = idx.n;
        out->scalar = idx.scalar;
        return BM_OK;
    }
    if (strcmp(op, "Unsqueeze") == 0) {
        static const char *const known[] = {"axes", NULL};
        int zero;
        if ((rc = bm_onnx_attrs_known(r, p, known)) || (rc = axes_are_zero(r, p, &zero)))
            return rc;
        if (!zero || (rc = eval(r, reshape, p->input[0], out, depth + 1)) || !out->scalar)
            return rc ? rc : bm_onnx_node_error(r, p, "is not a scalar made a list on axis 0 "
                                                      SHAPE_SUPPORTED);
        out->scalar = 0;
        return BM_OK;
    }
    if (strcmp(op, "Concat") == 0) {
        static const char *const known[] = {"axis", NULL};
        int64_t axis = 0;
        if ((rc = bm_onnx_attrs_known(r, p, known)) ||
            (rc = bm_onnx_attr_int(r, p, "axis", 0, &axis)))
            return rc;
        if (axis != 0 && axis != -1)
            return bm_onnx_node_error(r, p, "axis=%lld " SHAPE_SUPPORTED, (long long)axis);
        memset(out, 0, sizeof *out);
        for (size_t k = 0; k < p->n_input; k++) {
            shape_vec part;
            if ((rc = eval(r, reshape, p->input[k], &part, depth + 1)))
                return rc;
            if (part.scalar || out->n + part.n > SHAPE_MAX)
                return bm_onnx_node_error(r, p, "input %zu is not a short list " SHAPE_SUPPORTED,
                                          k + 1);
            memcpy(out->v + out->n, part.v, part.n * sizeof part.v[0]);
            memcpy(out->batch + out->n, part.batch, part.n);
            out->n += part.n;
        }
        return BM_OK;
    }
    if (strcmp(op, "Cast") == 0 || strcmp(op, "Identity") == 0) {
        static const char *const known[] = {"to", "saturate", NULL};
        if ((rc = bm_onnx_attrs_known(r, p, known)))
            return rc;
        return eval(r, reshape, p->input[0], out, depth + 1);
    }
    return bm_onnx_node_error(r, p, "computes the shape of a Reshape with operator %s "
                                    SHAPE_SUPPORTED,
                              op);
}

static int eval(onnx_reader *r, const Onnx__NodeProto *reshape, const char *name, shape_vec *out,
                size_t depth)
{
    const Onnx__TensorProto *t = bm_onnx_constant(r, name);
    if (t)
        return constant_vec(r, reshape, t, out);
    size_t index = 0;
    const Onnx__NodeProto *p = producer(r, name, &index);
    if (!p)
        return bm_onnx_node_error(r, reshape, "the shape '%s' is computed by no node", name);
    if (depth > r->graph->n_node || p->n_input < 1)
        return bm_onnx_node_error(r, p, "a cycle, or no input, in the shape of a Reshape");
    r->done[index] = 1;
    return eval_node(r, reshape, p, out, depth);
}

int bmi_onnx_shape_values(onnx_reader *r, const Onnx__NodeProto *reshape, double **out,
                          size_t *count)
{
    shape_vec s;
    int rc = eval(r, reshape, reshape->input[1], &s, 0);
    if (rc)
        return rc;
    if (s.scalar)
        return bm_onnx_node_error(r, reshape, "the shape is a scalar (supported: a list)");
    double *v = bm_malloc(r->ctx, (s.n ? s.n : 1) * sizeof *v);
    if (!v)
        return BM_ENOMEM;
    for (size_t i = 0; i < s.n; i++) {
        if (s.batch[i] && i != 0) {
            bm_free(r->ctx, v);
            return bm_onnx_node_error(r, reshape, "the shape has the batch size at position %zu "
                                                  "(supported: first, the batch dimension kept)",
                                      i);
        }
        v[i] = s.batch[i] ? 0 : (double)s.v[i]; /* 0: dimension 0 copied */
    }
    *out = v;
    *count = s.n;
    return BM_OK;
}
