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
            "  --json               print one JSON object instead (with -q: without\n"
            "                       \"vectors\"): {\"type\": {\"total\", \"frac\"},\n"
            "                       \"vectors\": [{\"index\", \"outputs\": [{\"name\",\n"
            "                       \"value\", \"raw\", \"argmax\"}] [, \"predicted\",\n"
            "                       \"label\", \"correct\"]}], \"wrapped\"\n"
            "                       [, \"accuracy\": {\"right\", \"total\", \"percent\"}]}\n"
            "                       (value: the exact decimal, or the index of an\n"
            "                       argmax; nothing on stdout after an error)\n"
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
    int labels, quiet, werror_overflow, json;
    int complete; /* the --json document holds everything ("wrapped" written) */
    bmc_json *j; /* the --json document */
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

/* One vector of the --json document; label < 0: none. */
static void json_vector(bmc_json *j, const bm_graph *g, size_t index, const int64_t *out,
                        long label)
{
    bmc_json_object(j, NULL);
    bmc_json_uint(j, "index", index);
    bmc_json_array(j, "outputs");
    for (unsigned k = 0; k < bm_graph_output_count(g); k++) {
        unsigned node = bm_graph_output(g, k);
        int argmax = bm_graph_node_op(g, bm_graph_node_operand(g, node, 0)) == BM_OP_ARGMAX;
        char dec[96];
        if (argmax)
            snprintf(dec, sizeof dec, "%lld", (long long)out[k]);
        else
            bm_fixed_format(dec, sizeof dec, out[k], bm_graph_type(g));
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", bm_graph_node_name(g, node));
        bmc_json_number(j, "value", dec);
        bmc_json_int(j, "raw", out[k]);
        bmc_json_bool(j, "argmax", argmax);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    if (label >= 0) {
        long predicted = bm_graph_predicted_class(g, out);
        bmc_json_int(j, "predicted", predicted);
        bmc_json_int(j, "label", label);
        bmc_json_bool(j, "correct", predicted == label);
    }
    bmc_json_end(j);
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
static int warn_wraps(bm_ctx *ctx, const bm_graph *g, const bm_vectors *v, eval_args *a)
{
    uint64_t wrapped = 0;
    if (bm_graph_warn_wraps(g, v, 0, &wrapped))
        return 1;
    if (a->j) {
        bmc_json_uint(a->j, "wrapped", wrapped);
        a->complete = 1;
    }
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
static int warn_wraps_one(bm_ctx *ctx, const bm_graph *g, const int64_t *in, eval_args *a)
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
    if (!rc && a->j && !a->quiet) {
        bmc_json_array(a->j, "vectors");
        json_vector(a->j, g, 1, out, -1);
        bmc_json_end(a->j);
    }
    for (unsigned k = 0; k < no && !rc && !a->j; k++) {
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
    if (a->j && !a->quiet)
        bmc_json_array(a->j, "vectors");
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
        if (a->j) {
            json_vector(a->j, g, i + 1, out, a->labels ? label : -1);
            continue;
        }
        printf("%zu:", i + 1);
        for (unsigned k = 0; k < no; k++) {
            printf(" ");
            print_output(g, k, out[k]);
        }
        if (a->labels)
            printf(" label=%ld %s", label, predicted == label ? "ok" : "WRONG");
        printf("\n");
    }
    if (a->j && !a->quiet)
        bmc_json_end(a->j);
    int wrap_failed = 0;
    if (!rc) {
        fflush(stdout);
        wrap_failed = warn_wraps(ctx, g, v, a);
    }
    if (!rc && a->labels) {
        double pct = n ? 100.0 * (double)right / (double)n : 0.0;
        if (a->j) {
            char num[64];
            snprintf(num, sizeof num, "%.2f", pct);
            bmc_json_object(a->j, "accuracy");
            bmc_json_uint(a->j, "right", right);
            bmc_json_uint(a->j, "total", n);
            bmc_json_number(a->j, "percent", num);
            bmc_json_end(a->j);
        } else {
            printf("accuracy: %zu/%zu = %.2f%%\n", right, n, pct);
        }
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
    enum { OPT_IN = 256, OPT_VECTORS, OPT_LABELS, OPT_TYPE, OPT_MIN, OPT_WERROR, OPT_JSON };
    static const struct option opts[] = {
        {"in", required_argument, NULL, OPT_IN},
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"labels", no_argument, NULL, OPT_LABELS},
        {"type", required_argument, NULL, OPT_TYPE},
        {"min-accuracy", required_argument, NULL, OPT_MIN},
        {"quiet", no_argument, NULL, 'q'},
        {"Werror-overflow", no_argument, NULL, OPT_WERROR},
        {"json", no_argument, NULL, OPT_JSON},
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
        case OPT_JSON: a->json = 1; break;
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
    bm_graph *g = NULL;
    int err = bm_graph_read_file(&g, ctx, a.graph_path, &a.opt);
    rc = err ? 1 : 0;
    bmc_print_diags(ctx);
    if (err && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc eval: %s: %s\n", a.graph_path, bm_strerror(err));
    bm_ctx_clear_diags(ctx);
    if (!rc && a.json) {
        a.j = bmc_json_new();
        if (!a.j) {
            fprintf(stderr, "bmc eval: out of memory\n");
            rc = 1;
        } else {
            bm_fixed_type t = bm_graph_type(g);
            bmc_json_object(a.j, "type");
            bmc_json_uint(a.j, "total", t.total);
            bmc_json_uint(a.j, "frac", t.frac);
            bmc_json_end(a.j);
        }
    }
    if (!rc) {
        rc = a.vectors_path ? eval_vectors(ctx, g, &a) : eval_one(ctx, g, &a);
        /* the object is whole when the evaluation ran to its end; an
         * accuracy below --min-accuracy or a wrap under --Werror-overflow
         * still prints it (and exits 1) */
        if (a.j && a.complete && bmc_json_print(a.j))
            rc = 1;
        bmc_print_diags(ctx);
    }
    if (g)
        bm_graph_free(g);
    bmc_json_free(a.j);
    bm_ctx_free(ctx);
    free(a.in);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_eval = {"eval", "evaluate a graph or network bit-exactly", run, help};
