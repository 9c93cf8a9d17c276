/* bmc profile: value ranges of a graph or network over test vectors, and the
 * type that holds them. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
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
            "A network with per-layer types (network format 2), or any network with\n"
            "--per-layer, is profiled in its layers' own types: for each layer its\n"
            "weights (weight_t), products, sums and biases (accum_t), results (the\n"
            "accumulator converted to result_t, before the activation) and outputs\n"
            "(result_t), how many values wrapped and how many a saturating result\n"
            "clipped; the exact model neither wraps nor saturates.  It suggests, per\n"
            "layer, each type with its fraction bits and the fewest integer bits that\n"
            "hold every exact value (weight_t: the weights).\n"
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
            "                      ONNX model) as network XML with the suggested type,\n"
            "                      or the suggested per-layer types (format 2, each\n"
            "                      layer's overflow mode kept); nothing is written on\n"
            "                      an error\n"
            "  --per-layer         profile a network without per-layer types in its\n"
            "                      layers' types too, and suggest (with -o write)\n"
            "                      weight_t, accum_t and result_t for every layer\n"
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
    int labels, werror, per_layer;
    bm_graph_options opt;
} profile_args;

static int parse_args(int argc, char **argv, profile_args *a)
{
    enum { OPT_VECTORS = 256, OPT_LABELS, OPT_TYPE, OPT_WERROR, OPT_PER_LAYER };
    static const struct option opts[] = {
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"labels", no_argument, NULL, OPT_LABELS},
        {"type", required_argument, NULL, OPT_TYPE},
        {"output", required_argument, NULL, 'o'},
        {"Werror-overflow", no_argument, NULL, OPT_WERROR},
        {"per-layer", no_argument, NULL, OPT_PER_LAYER},
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
        case OPT_PER_LAYER: a->per_layer = 1; break;
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

/* "fixed<18,8>" */
static const char *type_name(char *buf, size_t size, bm_fixed_type t)
{
    snprintf(buf, size, "fixed<%u,%u>", t.total, t.total - t.frac);
    return buf;
}

/* One row of a network profile: the part's range in its own type. */
static void print_typed_row(const char *what, const bm_value_range *r, bm_fixed_type t,
                            const char *saturated)
{
    if (!r->count)
        return;
    /* the machine word may hold values beyond the type: print them all */
    bm_fixed_type wide = {64, t.frac};
    char b[7][96];
    printf("%-18s %-13s %12.6g %12.6g %14s %14s %14s %14s %4u %8" PRIu64 " %9s\n", what,
           type_name(b[6], sizeof b[6], t), r->float_min, r->float_max,
           dec(b[0], sizeof b[0], r->min, wide), dec(b[1], sizeof b[1], r->max, wide),
           dec(b[2], sizeof b[2], r->exact_min, wide), dec(b[3], sizeof b[3], r->exact_max, wide),
           r->int_bits, r->wrapped, saturated);
}

static const struct {
    bm_profile_part part;
    const char *name;
} typed_rows[] = {
    {BM_PROFILE_WEIGHTS, "weights"},   {BM_PROFILE_PRODUCTS, "products"},
    {BM_PROFILE_SUMS, "sums"},         {BM_PROFILE_BIASES, "biases"},
    {BM_PROFILE_RESULTS, "results"},   {BM_PROFILE_OUTPUTS, "outputs"},
    {BM_PROFILE_CONSTS, "act consts"},
};

static void print_network_profile(const bm_network *net, const bm_profile *p,
                                  uint64_t *wrapped, uint64_t *saturated)
{
    bm_value_range r;
    char what[64], sat[32];
    printf("%-18s %-13s %12s %12s %14s %14s %14s %14s %4s %8s %9s\n", "values", "type",
           "float min", "float max", "fixed min", "fixed max", "exact min", "exact max", "bits",
           "wrapped", "saturated");
    bm_profile_inputs(p, &r);
    print_typed_row("inputs", &r, bm_network_type(net), "-");
    *wrapped = r.wrapped;
    *saturated = 0;
    for (unsigned l = 0; l < bm_profile_layer_count(p); l++) {
        uint64_t w = 0, s = 0;
        bm_profile_layer_counts(p, l, &w, &s);
        *wrapped += w;
        *saturated += s;
        for (size_t k = 0; k < sizeof typed_rows / sizeof typed_rows[0]; k++) {
            bm_fixed_type t;
            bm_profile_layer(p, l, typed_rows[k].part, &r);
            bm_profile_layer_type(p, l, typed_rows[k].part, &t);
            snprintf(what, sizeof what, "layer %u %s", l + 1, typed_rows[k].name);
            /* a saturation clips the converted value: the results row */
            if (typed_rows[k].part == BM_PROFILE_RESULTS)
                snprintf(sat, sizeof sat, "%" PRIu64, s);
            else
                snprintf(sat, sizeof sat, "-");
            print_typed_row(what, &r, t, sat);
        }
    }
}

/* Profiles net in its layers' types; with -o writes it in the suggested
 * ones. */
static int profile_network(const bm_graph *g, bm_network *net, const profile_args *a)
{
    bm_vectors *v;
    if (bm_vectors_read_file(&v, g, a->vectors_path, a->labels))
        return 1;
    bm_profile *p = NULL;
    int rc = bm_network_profile(&p, net, v) ? 1 : 0;
    uint64_t wrapped = 0, saturated = 0;
    if (!rc) {
        printf("profile of %s over %zu vectors in its layers' types (inputs in fixed<%u,%u>, "
               "machine word %u bits)\n",
               a->net_path, bm_profile_vector_count(p), bm_network_type(net).total,
               bm_network_type(net).total - bm_network_type(net).frac, bm_graph_type(g).total);
        print_network_profile(net, p, &wrapped, &saturated);
        printf("wrapped: %" PRIu64 " values; saturated: %" PRIu64 " results\n", wrapped,
               saturated);
        printf("suggested types (each keeps its fraction bits; the fewest integer bits that "
               "hold every exact value):\n");
    }
    unsigned layers = bm_network_layer_count(net);
    bm_layer_types *s = calloc(layers ? layers : 1, sizeof *s);
    if (!rc && !s) {
        fprintf(stderr, "bmc profile: out of memory\n");
        rc = 1;
    }
    for (unsigned l = 0; l < layers && !rc; l++) {
        char b[3][32];
        rc = bm_profile_suggest_layer_types(p, l, &s[l]) ? 1 : 0;
        if (!rc)
            printf("  layer %u: weight_t %s, accum_t %s, result_t %s%s\n", l + 1,
                   type_name(b[0], sizeof b[0], s[l].weight),
                   type_name(b[1], sizeof b[1], s[l].accum),
                   type_name(b[2], sizeof b[2], s[l].result),
                   s[l].overflow == BM_OVERFLOW_SATURATE ? " (saturate)" : "");
    }
    if (!rc && a->werror && wrapped) {
        fprintf(stderr, "bmc profile: error: %" PRIu64 " values wrapped (--Werror-overflow)\n",
                wrapped);
        rc = 1;
    }
    /* the profile reads the network: apply the types after it is done */
    bm_profile_free(p);
    for (unsigned l = 0; l < layers && !rc && a->out_path; l++)
        rc = bm_network_set_layer_types(net, l, &s[l]) ? 1 : 0;
    if (!rc && a->out_path)
        rc = bm_network_write_file(net, a->out_path) ? 1 : 0;
    free(s);
    bm_vectors_free(v);
    return rc;
}

/* Nonzero when some layer of net has types of its own (format 2). */
static int has_layer_types(const bm_network *net)
{
    bm_layer_types t;
    for (unsigned l = 0; l < bm_network_layer_count(net); l++)
        if (bm_network_layer_types(net, l, &t))
            return 1;
    return 0;
}

/* Nonzero when g came from a network: its nodes carry layer tags. */
static int is_network_graph(const bm_graph *g)
{
    for (unsigned i = 0; i < bm_graph_node_count(g); i++)
        if (bm_graph_node_layer(g, i) >= 0)
            return 1;
    return 0;
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
    if (a.out_path || a.per_layer) {
        /* -o writes a network, --per-layer types one: read a network, and
         * profile what it lowers to */
        err = bm_network_read_model_file(&net, ctx, a.net_path, &a.opt);
        if (!err)
            err = bm_network_to_graph(&g, net);
    } else {
        err = bm_graph_read_file(&g, ctx, a.net_path, &a.opt);
        if (!err && is_network_graph(g)) {
            /* a network: its per-layer types, if any, are the network's to
             * tell; its diagnostics were those just printed */
            bmc_print_diags(ctx);
            bm_ctx_clear_diags(ctx);
            err = bm_network_read_model_file(&net, ctx, a.net_path, &a.opt);
            if (!err)
                bm_ctx_clear_diags(ctx);
        }
    }
    bmc_print_diags(ctx);
    if (err && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc profile: %s: %s\n", a.net_path, bm_strerror(err));
    bm_ctx_clear_diags(ctx);
    if (err)
        rc = 1;
    else if (net && (a.per_layer || has_layer_types(net)))
        rc = profile_network(g, net, &a);
    else
        rc = profile(ctx, g, net, &a);
    bmc_print_diags(ctx);
    bm_graph_free(g);
    bm_network_free(net);
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_profile = {"profile", "value ranges over test vectors; suggest a type",
                                     run, help};
