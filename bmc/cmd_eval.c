/* bmc eval: run the reference evaluator on a graph. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc eval [OPTIONS] GRAPH --in NAME=VALUE[,NAME=VALUE...]\n"
            "       bmc eval [OPTIONS] GRAPH --vectors FILE [--labels [--min-accuracy PCT]]\n"
            "\n"
            "Evaluates a graph bit-exactly with the reference evaluator: the outputs\n"
            "a machine compiled from it must produce.  GRAPH is a text graph\n"
            "(docs/graph.md), a GraphML file, a network XML (docs/network.md) or an\n"
            "ONNX model (*.onnx, docs/onnx.md), told apart by content.\n"
            "\n"
            "  --in NAME=VALUE,...  one vector: a decimal value for every input\n"
            "                       (may be repeated)\n"
            "  --vectors FILE       many vectors: CSV, one decimal per input in\n"
            "                       declaration order (docs/network.md)\n"
            "  --labels             each vector ends with an integer label: print\n"
            "                       the accuracy of the predicted class\n"
            "  --min-accuracy PCT   with --labels, fail (exit 1) below PCT percent\n"
            "  --type TYPE          evaluate in fixed<TOTAL,INTEGER> or int<TOTAL>,\n"
            "                       whatever type the file declares (an ONNX model\n"
            "                       declares none: fixed<16,6> without --type)\n"
            "  -q, --quiet          print only the accuracy line\n"
            "  --Werror-overflow    exit 1 when a value wrapped\n"
            "\n"
            "Values are quantised like constants (nearest, ties to even; out of range\n"
            "is an error).  Each output is printed as its decimal value and raw\n"
            "integer; an argmax output is an index.  The predicted class is the\n"
            "single output's value (an argmax or threshold class), or the index of\n"
            "the largest of several outputs.\n"
            "\n"
            "A value that wrapped (an ADD, SUB, MUL or NEG result outside the type,\n"
            "docs/numbers.md) gets a warning on stderr naming the vector, the layer\n"
            "and neuron (or node) and the operation; the first 10, then the total.\n"
            "The outputs stay what the evaluator computes.  `bmc profile` suggests a\n"
            "type that holds every value.\n"
            "\n"
            "Exit status: 0 evaluated, 1 bad input, accuracy below --min-accuracy\n"
            "or (with --Werror-overflow) a value wrapped,\n"
            "2 usage error.\n");
}

typedef struct eval_args {
    const char *graph_path;
    char **in;
    size_t n_in;
    const char *vectors_path;
    int labels, quiet, werror_overflow;
    double min_accuracy; /* < 0: none */
    bm_graph_options opt;
} eval_args;

static void print_output(const bm_graph *g, unsigned k, int64_t raw)
{
    unsigned node = bm_graph_output(g, k);
    const char *name = bm_graph_node_name(g, node);
    if (bm_graph_node_op(g, bm_graph_node_operand(g, node, 0)) == BM_OP_ARGMAX) {
        printf("%s=%lld (index)", name, (long long)raw);
        return;
    }
    char dec[96];
    bm_fixed_format(dec, sizeof dec, raw, bm_graph_type(g));
    printf("%s=%s (raw %lld)", name, dec, (long long)raw);
}

/* Parses NAME=VALUE,... into raw inputs; set[i] marks the given ones. */
static int parse_in(bm_ctx *ctx, const bm_graph *g, char *spec, int64_t *raw, char *set)
{
    int rc = 0;
    char *save = NULL;
    for (char *item = strtok_r(spec, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            fprintf(stderr, "bmc eval: --in: expected NAME=VALUE, got '%s'\n", item);
            rc = 1;
            continue;
        }
        *eq = '\0';
        int i = bm_graph_find_input(g, item);
        if (i < 0) {
            fprintf(stderr, "bmc eval: --in: the graph has no input '%s'\n", item);
            rc = 1;
            continue;
        }
        bm_loc loc = {"--in", 0, 0};
        if (bm_fixed_parse(ctx, eq + 1, bm_graph_type(g), loc, &raw[i]))
            rc = 1;
        set[i] = 1;
    }
    return rc;
}

/* Warns about every value that wrapped on the vectors (the library's
 * warnings, printed with the other diagnostics); 1 when one did and
 * --Werror-overflow asks for an error. */
static int warn_wraps(bm_ctx *ctx, const bm_graph *g, const bm_vectors *v, const eval_args *a)
{
    uint64_t wrapped = 0;
    if (bm_graph_warn_wraps(g, v, 0, &wrapped))
        return 1;
    bmc_print_diags(ctx);
    bm_ctx_clear_diags(ctx);
    if (wrapped && a->werror_overflow) {
        fprintf(stderr, "bmc eval: error: %llu value%s wrapped (--Werror-overflow)\n",
                (unsigned long long)wrapped, wrapped == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

/* The --in vector as a one-line vector file, each raw value written as its
 * exact decimal, so that warn_wraps() can read it back unchanged. */
static int warn_wraps_one(bm_ctx *ctx, const bm_graph *g, const int64_t *in, const eval_args *a)
{
    unsigned ni = bm_graph_input_count(g);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return 1;
    for (unsigned i = 0; i < ni; i++) {
        char dec[96];
        bm_fixed_format(dec, sizeof dec, in[i], bm_graph_type(g));
        fprintf(f, "%s%s", i ? "," : "", dec);
    }
    fprintf(f, "\n");
    if (fclose(f) != 0) {
        free(text);
        return 1;
    }
    bm_vectors *v = NULL;
    int rc = bm_vectors_read(&v, g, text, len, "--in", 0) ? 1 : 0;
    free(text);
    if (!rc)
        rc = warn_wraps(ctx, g, v, a);
    bm_vectors_free(v);
    return rc;
}

static int eval_one(bm_ctx *ctx, const bm_graph *g, eval_args *a)
{
    unsigned ni = bm_graph_input_count(g), no = bm_graph_output_count(g);
    int64_t *in = calloc(ni ? ni : 1, sizeof *in);
    int64_t *out = calloc(no ? no : 1, sizeof *out);
    char *set = calloc(ni ? ni : 1, 1);
    int rc = in && out && set ? 0 : 1;
    for (size_t k = 0; k < a->n_in && !rc; k++)
        rc = parse_in(ctx, g, a->in[k], in, set);
    for (unsigned i = 0; i < ni && !rc; i++)
        if (!set[i]) {
            fprintf(stderr, "bmc eval: --in: no value for input '%s'\n",
                    bm_graph_node_name(g, bm_graph_input(g, i)));
            rc = 1;
        }
    if (!rc)
        rc = bm_graph_eval(g, in, out) ? 1 : 0;
    for (unsigned k = 0; k < no && !rc; k++) {
        print_output(g, k, out[k]);
        printf("\n");
    }
    if (!rc) {
        fflush(stdout);
        rc = warn_wraps_one(ctx, g, in, a);
    }
    free(in);
    free(out);
    free(set);
    return rc;
}

static int eval_vectors(bm_ctx *ctx, const bm_graph *g, eval_args *a)
{
    bm_vectors *v;
    if (bm_vectors_read_file(&v, g, a->vectors_path, a->labels))
        return 1;
    unsigned no = bm_graph_output_count(g);
    int64_t *out = calloc(no ? no : 1, sizeof *out);
    if (!out) {
        bm_vectors_free(v);
        return 1;
    }
    size_t n = bm_vectors_count(v), right = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (bm_graph_eval(g, bm_vectors_inputs(v, i), out)) {
            rc = 1;
            break;
        }
        long label = bm_vectors_label(v, i);
        long predicted = bm_graph_predicted_class(g, out);
        right += a->labels && predicted == label;
        if (a->quiet)
            continue;
        printf("%zu:", i + 1);
        for (unsigned k = 0; k < no; k++) {
            printf(" ");
            print_output(g, k, out[k]);
        }
        if (a->labels)
            printf(" label=%ld %s", label, predicted == label ? "ok" : "WRONG");
        printf("\n");
    }
    int wrap_failed = 0;
    if (!rc) {
        fflush(stdout);
        wrap_failed = warn_wraps(ctx, g, v, a);
    }
    if (!rc && a->labels) {
        double pct = n ? 100.0 * (double)right / (double)n : 0.0;
        printf("accuracy: %zu/%zu = %.2f%%\n", right, n, pct);
        if (a->min_accuracy >= 0 && pct < a->min_accuracy) {
            fprintf(stderr, "bmc eval: accuracy %.2f%% is below --min-accuracy %.2f%%\n", pct,
                    a->min_accuracy);
            rc = 1;
        }
    }
    free(out);
    bm_vectors_free(v);
    return rc || wrap_failed;
}

static int parse_args(int argc, char **argv, eval_args *a)
{
    enum { OPT_IN = 256, OPT_VECTORS, OPT_LABELS, OPT_TYPE, OPT_MIN, OPT_WERROR };
    static const struct option opts[] = {
        {"in", required_argument, NULL, OPT_IN},
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"labels", no_argument, NULL, OPT_LABELS},
        {"type", required_argument, NULL, OPT_TYPE},
        {"min-accuracy", required_argument, NULL, OPT_MIN},
        {"quiet", no_argument, NULL, 'q'},
        {"Werror-overflow", no_argument, NULL, OPT_WERROR},
        {0, 0, 0, 0},
    };
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        switch (c) {
        case OPT_IN: {
            char **in = realloc(a->in, (a->n_in + 1) * sizeof *in);
            if (!in)
                return bmc_usage_error("eval", "out of memory");
            a->in = in;
            a->in[a->n_in++] = optarg;
            break;
        }
        case OPT_VECTORS: a->vectors_path = optarg; break;
        case OPT_LABELS: a->labels = 1; break;
        case 'q': a->quiet = 1; break;
        case OPT_WERROR: a->werror_overflow = 1; break;
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &a->opt.type))
                return bmc_usage_error("eval", "bad type '%s' (expected fixed<TOTAL,INTEGER> "
                                               "or int<TOTAL>)", optarg);
            a->opt.force_type = 1;
            break;
        case OPT_MIN: {
            char *end;
            a->min_accuracy = strtod(optarg, &end);
            if (*end || a->min_accuracy < 0 || a->min_accuracy > 100)
                return bmc_usage_error("eval", "bad --min-accuracy '%s' (a percentage)", optarg);
            break;
        }
        default:
            return bmc_usage_error("eval", "option '%s' is unknown or needs a value",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("eval", "expected exactly one GRAPH file");
    a->graph_path = argv[optind];
    if (!a->n_in == !a->vectors_path)
        return bmc_usage_error("eval", "give either --in or --vectors");
    if (a->labels && !a->vectors_path)
        return bmc_usage_error("eval", "--labels needs --vectors");
    if (a->min_accuracy >= 0 && !a->labels)
        return bmc_usage_error("eval", "--min-accuracy needs --labels");
    return 0;
}

static int run(int argc, char **argv)
{
    eval_args a;
    memset(&a, 0, sizeof a);
    a.min_accuracy = -1;
    bm_graph_options defaults = BM_GRAPH_OPTIONS_INIT;
    a.opt = defaults;
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        free(a.in);
        return rc;
    }
    bm_ctx *ctx = bmc_new_ctx();
    bm_graph *g;
    int err = bm_graph_read_file(&g, ctx, a.graph_path, &a.opt);
    rc = err ? 1 : 0;
    bmc_print_diags(ctx);
    if (err && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc eval: %s: %s\n", a.graph_path, bm_strerror(err));
    bm_ctx_clear_diags(ctx);
    if (!rc) {
        rc = a.vectors_path ? eval_vectors(ctx, g, &a) : eval_one(ctx, g, &a);
        bmc_print_diags(ctx);
        bm_graph_free(g);
    }
    bm_ctx_free(ctx);
    free(a.in);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_eval = {"eval", "evaluate a graph or network bit-exactly", run, help};
