/* bmc import: turn an ONNX model into network XML. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc import [--type TYPE] [-o NET.xml] MODEL.onnx\n"
            "\n"
            "Reads a dense model in ONNX (exported by torch.onnx.export, tf2onnx, or\n"
            "built from scikit-learn coefficients) and writes it as network XML\n"
            "(docs/network.md) with every weight quantised to TYPE.  Supported: one\n"
            "input [batch, features...], then a chain of Gemm or MatMul + Add layers\n"
            "with Relu, LeakyRelu, Clip(0, max) (ReLU6), Sigmoid or Tanh (piecewise\n"
            "linear), BatchNormalization folded into the layer before it, Flatten,\n"
            "Reshape, Identity and Dropout where they keep an MLP, and at the end\n"
            "Softmax/LogSoftmax/ArgMax (the network's argmax) or a Sigmoid on one\n"
            "neuron (a binary classifier: class 1 when its input is > 0).  Opsets 7\n"
            "to 21.  Anything else is an error naming the node, the operator and\n"
            "what is supported (docs/onnx.md).  `bmc eval` and `bmc compile` read\n"
            ".onnx files directly, the same way.\n"
            "\n"
            "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
            "  --type TYPE         the network's type: fixed<TOTAL,INTEGER> or\n"
            "                      int<TOTAL> (default fixed<16,6>); a weight that does\n"
            "                      not fit it is an error\n"
            "\n"
            "Exit status: 0 written, 1 bad model or write error (nothing is written),\n"
            "2 usage error.\n");
}

static int run(int argc, char **argv)
{
    enum { OPT_TYPE = 256 };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"type", required_argument, NULL, OPT_TYPE},
                                         {0, 0, 0, 0}};
    const char *output = NULL;
    bm_graph_options gopt = BM_GRAPH_OPTIONS_INIT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &gopt.type))
                return bmc_usage_error("import", "bad type '%s' (expected fixed<TOTAL,INTEGER> "
                                                 "or int<TOTAL>)",
                                       optarg);
            gopt.force_type = 1;
            break;
        default:
            return bmc_usage_error("import", "option '%s' is unknown or needs a value",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("import", "expected exactly one MODEL.onnx");
    const char *path = argv[optind];
    bm_ctx *ctx = bmc_new_ctx();
    bm_network *net;
    int rc = bm_onnx_read_file(&net, ctx, path, &gopt);
    if (!rc) {
        if (output) {
            rc = bm_network_write_file(net, output);
        } else {
            char *text;
            size_t len;
            rc = bm_network_write_memory(net, &text, &len);
            if (!rc) {
                fwrite(text, 1, len, stdout);
                bm_xml_buffer_free(ctx, text);
            }
        }
        bm_network_free(net);
    }
    bmc_print_diags(ctx);
    if (rc && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc import: %s: %s\n", path, bm_strerror(rc));
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_import = {"import", "convert an ONNX model to network XML", run, help};
