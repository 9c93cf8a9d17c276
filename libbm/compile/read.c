/* Reading a graph file in any of the three formats, and the text form of a
 * type. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bm/network.h"
#include "bm/onnx.h"
#include "compile.h"

static int parse_bits(const char **p, unsigned *out)
{
    while (isspace((unsigned char)**p))
        (*p)++;
    if (!isdigit((unsigned char)**p))
        return BM_EINVAL;
    unsigned long v = 0;
    while (isdigit((unsigned char)**p)) {
        v = v * 10 + (unsigned long)(**p - '0');
        if (v > 1000)
            return BM_EINVAL;
        (*p)++;
    }
    while (isspace((unsigned char)**p))
        (*p)++;
    *out = (unsigned)v;
    return BM_OK;
}

int bm_graph_parse_type(const char *text, bm_fixed_type *out)
{
    if (!text || !out)
        return BM_EINVAL;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    int is_int = strncmp(p, "int", 3) == 0;
    if (!is_int && strncmp(p, "fixed", 5) != 0)
        return BM_EINVAL;
    p += is_int ? 3 : 5;
    while (isspace((unsigned char)*p))
        p++;
    unsigned total, integer;
    if (*p++ != '<' || parse_bits(&p, &total))
        return BM_EINVAL;
    if (is_int) {
        integer = total;
    } else if (*p++ != ',' || parse_bits(&p, &integer)) {
        return BM_EINVAL;
    }
    if (*p++ != '>')
        return BM_EINVAL;
    while (isspace((unsigned char)*p))
        p++;
    if (*p || integer < 1 || integer > total)
        return BM_EINVAL;
    bm_fixed_type t = {total, total - integer};
    if (bm_fixed_type_check(t))
        return BM_EINVAL;
    *out = t;
    return BM_OK;
}

static int read_network_graph(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                              const char *name, const bm_graph_options *opt)
{
    bm_network *net;
    int rc = bm_network_read(&net, ctx, data, size, name, opt);
    if (rc)
        return rc;
    rc = bm_network_to_graph(out, net);
    bm_network_free(net);
    return rc;
}

/* An ONNX model is binary protobuf: its name ends in .onnx, or it starts
 * with the tag of ModelProto's field 1 (ir_version, a varint), a byte no
 * text graph or XML file starts with. */
static int is_onnx(const char *path, const char *data, size_t size)
{
    size_t n = strlen(path);
    if (n >= 5 && strcasecmp(path + n - 5, ".onnx") == 0)
        return 1;
    return size > 0 && data[0] == 0x08;
}

static int read_onnx_graph(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                           const char *name, const bm_graph_options *opt)
{
    bm_network *net;
    int rc = bm_onnx_read(&net, ctx, data, size, name, opt);
    if (rc)
        return rc;
    rc = bm_network_to_graph(out, net);
    bm_network_free(net);
    return rc;
}

int bm_graph_read_file(bm_graph **out, bm_ctx *ctx, const char *path,
                       const bm_graph_options *opt)
{
    if (!out || !ctx || !path)
        return BM_EINVAL;
    *out = NULL;
    char *data;
    size_t size;
    int rc = bm_read_file(ctx, path, &data, &size);
    if (rc)
        return rc;
    if (is_onnx(path, data, size)) {
        rc = read_onnx_graph(out, ctx, data, size, path, opt);
        bm_free(ctx, data);
        return rc;
    }
    size_t i = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < size && isspace((unsigned char)data[i]))
        i++;
    if (i < size && data[i] == '<') {
        char root[64];
        bm_xml_root_name(data, size, root, sizeof root);
        if (strcmp(root, "graphml") == 0)
            rc = bm_graph_read_graphml(out, ctx, data, size, path, opt);
        else if (strcmp(root, "network") == 0)
            rc = read_network_graph(out, ctx, data, size, path, opt);
        else
            rc = bm_error(ctx, bm_loc_make(path, 0, 0),
                          "unknown XML graph format: the root element is <%s>, expected "
                          "<network> or <graphml>",
                          root);
    } else {
        rc = bm_graph_read_text(out, ctx, data, size, path, opt);
    }
    bm_free(ctx, data);
    return rc;
}

int bm_network_read_model_file(bm_network **out, bm_ctx *ctx, const char *path,
                               const bm_graph_options *opt)
{
    if (!out || !ctx || !path)
        return BM_EINVAL;
    *out = NULL;
    char *data;
    size_t size;
    int rc = bm_read_file(ctx, path, &data, &size);
    if (rc)
        return rc;
    char root[64] = "";
    if (is_onnx(path, data, size))
        rc = bm_onnx_read(out, ctx, data, size, path, opt);
    else if (bm_xml_root_name(data, size, root, sizeof root), strcmp(root, "network") == 0)
        rc = bm_network_read(out, ctx, data, size, path, opt);
    else
        rc = bm_error(ctx, bm_loc_make(path, 0, 0),
                      "not a network: expected a network XML (root <network>) or an ONNX "
                      "model");
    bm_free(ctx, data);
    return rc;
}
