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
                  BM_NETWORK_FORMAT_VERSION, net->name, net->type.total, net->type.frac);
    bm_buf_printf(&b, "  <input size=\"%u\"/>\n", net->inputs);
    for (size_t l = 0; l < net->n_layers; l++) {
        const net_layer *layer = &net->layers[l];
        char dec[96];
        bm_buf_printf(&b, "  <layer inputs=\"%u\" neurons=\"%u\" activation=\"%s\"",
                      layer->inputs, layer->neurons, bm_activation_name(layer->activation));
        if (layer->activation == BM_ACT_LEAKY_RELU) {
            bm_fixed_format(dec, sizeof dec, layer->alpha, net->type);
            bm_buf_printf(&b, " alpha=\"%s\"", dec);
        } else if (layer->activation == BM_ACT_RELU && layer->has_max) {
            bm_fixed_format(dec, sizeof dec, layer->max, net->type);
            bm_buf_printf(&b, " max=\"%s\"", dec);
        }
        bm_buf_puts(&b, ">\n");
        bm_buf_puts(&b, "    <weights>\n");
        for (unsigned j = 0; j < layer->neurons; j++) {
            bm_buf_puts(&b, "      ");
            values(&b, layer->weights + (size_t)j * layer->inputs, layer->inputs, net->type);
            bm_buf_puts(&b, "\n");
        }
        bm_buf_puts(&b, "    </weights>\n    <biases>");
        values(&b, layer->biases, layer->neurons, net->type);
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
