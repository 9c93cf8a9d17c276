/* Writing a network as the network XML of docs/network.md.  Every value is
 * written as the exact decimal of its raw value (bm_fixed_format), so the
 * reader quantises it back to the same raw value: write -> read is
 * lossless, and a network imported from another format (libbm/onnx/) can
 * be kept, read and diffed as text. */
#include <string.h>

#include "bm/network.h"
#include "compile.h"
#include "network_impl.h"

static void values(bm_buf *b, const int64_t *v, size_t n, bm_fixed_type t)
{
    char dec[96];
    for (size_t i = 0; i < n; i++) {
        bm_fixed_format(dec, sizeof dec, v[i], t);
        bm_buf_printf(b, "%s%s", i ? " " : "", dec);
    }
}

/* <weight_t>, <accum_t> or <result_t> of format 2, when the layer gives it. */
static void type_element(bm_buf *b, const char *name, int has, bm_fixed_type t)
{
    if (has)
        bm_buf_printf(b, "    <%s total=\"%u\" frac=\"%u\"/>\n", name, t.total, t.frac);
}

int bm_network_write_memory(const bm_network *net, char **out, size_t *size)
{
    if (!net || !out || !net->n_layers)
        return BM_EINVAL;
    *out = NULL;
    bm_buf b;
    bm_buf_init(&b, net->ctx);
    bm_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<network format=\"%d\" name=\"%s\" total=\"%u\" frac=\"%u\">\n",
                  bmi_net_has_layer_types(net) ? 2 : 1, net->name, net->type.total,
                  net->type.frac);
    bm_buf_printf(&b, "  <input size=\"%u\"/>\n", net->inputs);
    for (size_t l = 0; l < net->n_layers; l++) {
        const net_layer *layer = &net->layers[l];
        char dec[96];
        bm_layer_types t = bmi_net_layer_types(net, layer);
        bm_buf_printf(&b, "  <layer inputs=\"%u\" neurons=\"%u\" activation=\"%s\"",
                      layer->inputs, layer->neurons, bm_activation_name(layer->activation));
        if (layer->activation == BM_ACT_LEAKY_RELU) {
            bm_fixed_format(dec, sizeof dec, layer->alpha, t.result);
            bm_buf_printf(&b, " alpha=\"%s\"", dec);
        } else if (layer->activation == BM_ACT_RELU && layer->has_max) {
            bm_fixed_format(dec, sizeof dec, layer->max, t.result);
            bm_buf_printf(&b, " max=\"%s\"", dec);
        }
        bm_buf_puts(&b, ">\n");
        /* only the types the layer gives: writing is canonical */
        type_element(&b, "weight_t", layer->has_weight, t.weight);
        type_element(&b, "accum_t", layer->has_accum, t.accum);
        if (layer->has_result) { /* overflow is read only from <result> */
            bm_buf_printf(&b, "    <result_t total=\"%u\" frac=\"%u\"", t.result.total,
                          t.result.frac);
            if (layer->has_overflow)
                bm_buf_printf(&b, " overflow=\"%s\"",
                              t.overflow == BM_OVERFLOW_SATURATE ? "saturate" : "wrap");
            bm_buf_puts(&b, "/>\n");
        }
        bm_buf_puts(&b, "    <weights>\n");
        for (unsigned j = 0; j < layer->neurons; j++) {
            bm_buf_puts(&b, "      ");
            values(&b, layer->weights + (size_t)j * layer->inputs, layer->inputs, t.weight);
            bm_buf_puts(&b, "\n");
        }
        bm_buf_puts(&b, "    </weights>\n    <biases>");
        values(&b, layer->biases, layer->neurons, t.accum);
        bm_buf_puts(&b, "</biases>\n  </layer>\n");
    }
    if (net->argmax)
        bm_buf_puts(&b, "  <argmax/>\n");
    else if (net->threshold)
        bm_buf_puts(&b, "  <threshold/>\n");
    bm_buf_puts(&b, "</network>\n");
    size_t len;
    char *text = bm_buf_take(&b, &len);
    if (!text)
        return bm_oom(net->ctx);
    *out = text;
    if (size)
        *size = len;
    return BM_OK;
}

int bm_network_write_file(const bm_network *net, const char *path)
{
    if (!net || !path)
        return BM_EINVAL;
    char *text;
    size_t len;
    int rc = bm_network_write_memory(net, &text, &len);
    if (rc)
        return rc;
    rc = bm_write_file_atomic(net->ctx, path, text, len);
    bm_free(net->ctx, text);
    return rc;
}
