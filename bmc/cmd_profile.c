/* bmc profile: value ranges of a graph or network over test vectors, and the
 * type that holds them. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc profile [OPTIONS] NET --vectors FILE [-o OUT.xml]\n"
            "\n"
            "Evaluates NET on every test vector of FILE and prints the range of its\n"
            "values (docs/profile.md): for the inputs and, in a network, for each\n"
            "layer's neuron outputs, accumulators (every sum), products and constants;\n"
            "in a graph without layers, for each node.  Each value is evaluated three\n"
            "ways: in floating point (the vectors' decimals, the quantised constants),\n"
            "in NET's fixed-point type as `bmc eval` does (values wrap), and exactly\n"
            "(the same fraction bits, nothing wraps).  It prints how many values\n"
            "wrapped, the integer bits each range needs, and the suggested type: the\n"
            "same fraction bits and the fewest integer bits that hold every exact\n"
            "value, so nothing wraps on these vectors.\n"
            "\n"
            "NET is a network XML (docs/network.md), an ONNX model (docs/onnx.md), a\n"
            "text graph or GraphML file (docs/graph.md), as `bmc eval` reads them.\n"
            "\n"
            "  --vectors FILE      the test vectors: CSV, one decimal per input\n"
            "                      (docs/network.md)\n"
            "  --labels            each vector ends with an integer label (ignored)\n"
            "  --type TYPE         profile in fixed<TOTAL,INTEGER> or int<TOTAL>,\n"
            "                      whatever type the file declares\n"
            "  -o, --output FILE   write the network (NET must be a network XML or an\n"
            "                      ONNX model) as network XML with the suggested type;\n"
            "                      nothing is written on an error\n"
            "  --Werror-overflow   exit 1 when a value wrapped in NET's type\n"
            "\n"
            "Ranges are printed as decimals; layers count from 1.  The suggestion\n"
            "holds for these vectors only: profile with data like the data the\n"
            "machine will see.\n"
            "\n"
            "Exit status: 0 profiled, 1 bad input (or a value wrapped, with\n"
            "--Werror-overflow), 2 usage error.\n");
}

typedef struct profile_args {
    const char *net_path, *vectors_path, *out_path;
    int labels, werror;
    bm_graph_options opt;
} profile_args;

static int parse_args(int argc, char **argv, profile_args *a)
{
    enum { OPT_VECTORS = 256, OPT_LABELS, OPT_TYPE, OPT_WERROR };
    static const struct option opts[] = {
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"labels", no_argument, NULL, OPT_LABELS},
        {"type", required_argument, NULL, OPT_TYPE},
        {"output", required_argument, NULL, 'o'},
        {"Werror-overflow", no_argument, NULL, OPT_WERROR},
        {0, 0, 0, 0},
    };
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_VECTORS: a->vectors_path = optarg; break;
        case OPT_LABELS: a->labels = 1; break;
        case 'o': a->out_path = optarg; break;
        case OPT_WERROR: a->werror = 1; break;
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &a->opt.type))
                return bmc_usage_error("profile", "bad type '%s' (expected fixed<TOTAL,INTEGER> "
                                                  "or int<TOTAL>)", optarg);
            a->opt.force_type = 1;
            break;
        default:
            return bmc_usage_error("profile", "option '%s' is unknown or needs a value",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("profile", "expected exactly one NET file");
    a->net_path = argv[optind];
    if (!a->vectors_path)
        return bmc_usage_error("profile", "--vectors FILE is required");
    return 0;
}

/* "-1.5" for a raw value of type t. */
static const char *dec(char *buf, size_t size, int64_t raw, bm_fixed_type t)
{
    bm_fixed_format(buf, size, raw, t);
    return buf;
}

static void print_header(void)
{
    printf("%-22s %12s %12s %14s %14s %14s %14s %4s %8s\n", "values", "float min", "float max",
           "fixed min", "fixed max", "exact min", "exact max", "bits", "wrapped");
}

static void print_row(const char *what, const bm_value_range *r, bm_fixed_type t)
{
    if (!r->count)
        return;
    /* exact values use the type's fraction bits with up to 64 bits in all */
    bm_fixed_type wide = {64, t.frac};
    char b[6][96];
    printf("%-22s %12.6g %12.6g %14s %14s %14s %14s %4u %8" PRIu64 "\n", what, r->float_min,
           r->float_max, dec(b[0], sizeof b[0], r->min, t), dec(b[1], sizeof b[1], r->max, t),
           dec(b[2], sizeof b[2], r->exact_min, wide), dec(b[3], sizeof b[3], r->exact_max, wide),
           r->int_bits, r->wrapped);
}

static const char *const part_names[] = {"outputs", "sums", "products", "consts"};

static void print_profile(const bm_graph *g, const bm_profile *p)
{
    bm_fixed_type t = bm_graph_type(g);
    bm_value_range r;
    print_header();
    bm_profile_inputs(p, &r);
    print_row("inputs", &r, t);
    unsigned layers = bm_profile_layer_count(p);
    char what[64];
    for (unsigned l = 0; l < layers; l++)
        for (int part = BM_PROFILE_OUTPUTS; part <= BM_PROFILE_CONSTS; part++) {
            bm_profile_layer(p, l, (bm_profile_part)part, &r);
            snprintf(what, sizeof what, "layer %u %s", l + 1, part_names[part]);
            print_row(what, &r, t);
        }
    if (!layers) {
        /* a graph without layers: each computed node */
        for (unsigned i = 0; i < bm_graph_node_count(g); i++) {
            bm_op op = bm_graph_node_op(g, i);
            if (op == BM_OP_INPUT || op == BM_OP_CONST || op == BM_OP_OUTPUT)
                continue;
            const char *name = bm_graph_node_name(g, i);
            if (name)
                snprintf(what, sizeof what, "%.40s (%s)", name, bm_op_name(op));
            else
                snprintf(what, sizeof what, "node %u (%s)", i, bm_op_name(op));
            bm_profile_node(p, i, &r);
            print_row(what, &r, t);
        }
    }
}

static int profile(bm_ctx *ctx, const bm_graph *g, bm_network *net, const profile_args *a)
{
    bm_vectors *v;
    if (bm_vectors_read_file(&v, g, a->vectors_path, a->labels))
        return 1;
    bm_profile *p = NULL;
    int rc = bm_graph_profile(&p, g, v) ? 1 : 0;
    bm_fixed_type t = bm_graph_type(g), s = t;
    if (!rc) {
        bm_value_range all;
        bm_profile_all(p, &all);
        printf("profile of %s over %zu vectors in fixed<%u,%u>\n", a->net_path,
               bm_profile_vector_count(p), t.total, t.total - t.frac);
        print_profile(g, p);
        printf("wrapped: %" PRIu64 " of %" PRIu64 " values\n", all.wrapped, all.count);
        rc = bm_profile_suggest_type(p, &s) ? 1 : 0;
        if (!rc)
            printf("suggested type: fixed<%u,%u> (%u fraction bits kept, %u integer bits)\n",
                   s.total, s.total - s.frac, s.frac, s.total - s.frac);
        if (!rc && a->werror && all.wrapped) {
            fprintf(stderr, "bmc profile: error: %" PRIu64 " values wrapped in fixed<%u,%u> "
                            "(--Werror-overflow)\n",
                    all.wrapped, t.total, t.total - t.frac);
            rc = 1;
        }
    }
    if (!rc && net && a->out_path)
        rc = bm_network_set_type(net, s) || bm_network_write_file(net, a->out_path) ? 1 : 0;
    (void)ctx;
    bm_profile_free(p);
    bm_vectors_free(v);
    return rc;
}

static int run(int argc, char **argv)
{
    profile_args a;
    memset(&a, 0, sizeof a);
    bm_graph_options defaults = BM_GRAPH_OPTIONS_INIT;
    a.opt = defaults;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    bm_ctx *ctx = bmc_new_ctx();
    bm_graph *g = NULL;
    bm_network *net = NULL;
    int err;
    if (a.out_path) {
        /* -o writes a network: read one, and profile what it lowers to */
        err = bm_network_read_model_file(&net, ctx, a.net_path, &a.opt);
        if (!err)
            err = bm_network_to_graph(&g, net);
    } else {
        err = bm_graph_read_file(&g, ctx, a.net_path, &a.opt);
    }
    bmc_print_diags(ctx);
    if (err && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc profile: %s: %s\n", a.net_path, bm_strerror(err));
    bm_ctx_clear_diags(ctx);
    rc = err ? 1 : profile(ctx, g, net, &a);
    bmc_print_diags(ctx);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_profile = {"profile", "value ranges over test vectors; suggest a type",
                                     run, help};
