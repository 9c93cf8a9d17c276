/* bmc compile: map a graph or network onto a streaming machine. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc compile [OPTIONS] GRAPH\n"
            "\n"
            "Compiles a graph onto a machine that streams: it takes one value on each\n"
            "input per vector and gives one value on each output, bit for bit what\n"
            "`bmc eval` computes, and accepts the next vector as soon as the previous\n"
            "one has moved on.  GRAPH is a text graph, a GraphML file, a network\n"
            "XML or an ONNX model (*.onnx, docs/onnx.md), told apart by content\n"
            "(docs/compile.md).\n"
            "\n"
            "  -o, --output FILE   write the machine XML to FILE; without -o it goes to\n"
            "                      stdout, unless --report, --json, --test or --verilog\n"
            "                      is given\n"
            "  --strategy S        node (default): one core per operation, or per neuron\n"
            "                      of a network; cores: at most N cores (--cores); single:\n"
            "                      one core; fold: a network's neurons K at a time per\n"
            "                      core (--fold), each core's code input-major, or each\n"
            "                      neuron split across cores (--reuse)\n"
            "  --cores N           the number of cores (1..%u); implies --strategy cores\n"
            "  --fold K[,K1,...]   fold strategy: K neurons per core in every layer, or\n"
            "                      K0 in layer 0, K1 in layer 1, ... with the last value\n"
            "                      for deeper layers (each 1..%u, default %u; values\n"
            "                      beyond the network's depth are ignored); implies\n"
            "                      --strategy fold\n"
            "  --device PART       compile for PART (hx8k, up5k, xc7z020, xcu250): try the\n"
            "                      strategies, folds and multipliers not given, estimate\n"
            "                      each point's area (bmc area) and predict its interval,\n"
            "                      keep the fastest that fits, and say which on stderr;\n"
            "                      when none fits, an error says which resource and by\n"
            "                      how much, and nothing is written\n"
            "  --reuse R[,R1,...]  fold strategy by hls4ml's ReuseFactor: at most R\n"
            "                      multiplies per core and vector in every layer, or R0\n"
            "                      in layer 0, ... (the last repeating; each 1..%u); in\n"
            "                      a layer of fan-in F, R >= F puts floor(R/F) neurons\n"
            "                      on a core (--fold), R < F splits each neuron into\n"
            "                      ceil(F/R) parts (at most %u) on cores of their own,\n"
            "                      chained by partial sums; implies --strategy fold, not\n"
            "                      with --fold\n"
            "  --split S[,S1,...]  fold strategy: split every neuron of a layer into S\n"
            "                      parts over slices of its inputs (S0 in layer 0, ...,\n"
            "                      the last repeating; each 1..%u, 1: none), chained by\n"
            "                      partial sums; a core takes one slice of K neurons, a\n"
            "                      tile of about K*F/S multiplies\n"
            "  --chain             with --fold or --reuse: chain each layer's cores (not\n"
            "                      the parts of split neurons); the first takes the\n"
            "                      layer's inputs and each forwards what it takes to the\n"
            "                      next, so the others have one input port\n"
            "  --broadcast         as --chain, but the first core forwards to all the\n"
            "                      others at once (one bond, many sinks, taking each\n"
            "                      value together): one forward queue a layer\n"
            "  --mul VARIANT       the multiplier of every core that multiplies: comb\n"
            "                      (default, one cycle), pipe (one per cycle, the result\n"
            "                      a cycle later: nops where the next instruction needs\n"
            "                      it) or serial (W + 1 cycles, no inmacfx)\n"
            "  --fetch KIND        how every core fetches: auto (default: staged when a\n"
            "                      program is longer than %u instructions, so that its\n"
            "                      block RAM ROM is off the operation's cycle), direct\n"
            "                      (a taken jump costs nothing) or staged (one more\n"
            "                      cycle per taken jump: one per vector)\n"
            "  --buffers N         node strategy: at most N buffer cores (in, outn, j) on\n"
            "                      one value's path to a core that also waits for a\n"
            "                      value from deeper in the graph, so that vectors\n"
            "                      overlap (0..%u, default %u; 0: none)\n"
            "  --type TYPE         compile in fixed<TOTAL,INTEGER> or int<TOTAL>, whatever\n"
            "                      type the file declares\n"
            "  --name NAME         the machine name (default: the file name without its\n"
            "                      extension)\n"
            "  --report            print the report on stdout: per core its opcodes,\n"
            "                      instruction width, instructions and registers; the\n"
            "                      latency and interval measured by simulation, every\n"
            "                      output checked against the evaluator\n"
            "  --json              the report as one JSON object (instead of --report,\n"
            "                      not with it)\n"
            "  --vectors N         vectors streamed to measure the interval (default 8)\n"
            "  --test FILE.csv     stream every test vector of FILE (docs/network.md)\n"
            "                      through the simulated machine, check every output\n"
            "                      against the evaluator, and print the count (and,\n"
            "                      with --labels, the accuracy); the report's interval\n"
            "                      is then measured over these vectors\n"
            "  --labels            the test file's last column is the expected class\n"
            "  --Werror-overflow   with --test, fail (nothing written) when a value\n"
            "                      wrapped; without it a wrap is only a warning, as in\n"
            "                      `bmc eval`\n"
            "  --stimulus FILE     write the first K test vectors (--stimulus-vectors K,\n"
            "                      default all) as a stimulus file for `bmc sim\n"
            "                      --in-file` and `bmc verify --in-file`\n"
            "  --stimulus-vectors K\n"
            "  --verilog DIR       also write the machine's Verilog to DIR, as\n"
            "                      `bmc verilog` does (docs/verilog.md)\n"
            "\n"
            "Exit status: 0 compiled, 1 bad input or a failed check, 2 usage error.\n"
            "Nothing is written when compilation fails.\n",
            BM_COMPILE_CORES_MAX, BM_COMPILE_FOLD_MAX, BM_COMPILE_FOLD_DEFAULT,
            BM_COMPILE_REUSE_MAX, BM_COMPILE_SPLIT_MAX, BM_COMPILE_SPLIT_MAX,
            BM_VERILOG_ROM_LOGIC_MAX,
            BM_COMPILE_BUFFERS_MAX, BM_COMPILE_BUFFERS_DEFAULT);
}

/* The most values --fold takes (layers). */
#define BMC_FOLD_LAYERS_MAX 64

typedef struct compile_args {
    const char *graph_path, *out_path, *name;
    bm_compile_options opt;
    bm_graph_options gopt;
    int strategy_given, cores_given, buffers_given, fold_given, reuse_given, split_given,
        mul_given, report, json, labels;
    const bm_device *device;
    unsigned fold_layers[BMC_FOLD_LAYERS_MAX], reuse_layers[BMC_FOLD_LAYERS_MAX],
        split_layers[BMC_FOLD_LAYERS_MAX];
    unsigned vectors, stimulus_vectors;
    const char *test_path, *stimulus_path, *verilog_dir;
    int werror_overflow; /* --Werror-overflow */
} compile_args;

static int parse_count(const char *text, unsigned long max, unsigned *out)
{
    char *end;
    errno = 0;
    if (!text[0] || text[0] == '-')
        return -1;
    unsigned long v = strtoul(text, &end, 10);
    if (*end || errno || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* --fold K or K0,K1,... (each 1..max), and --reuse alike; *n receives the
 * count. */
static int parse_list(const char *text, unsigned long max, unsigned *fold, size_t *n)
{
    char item[32];
    *n = 0;
    for (const char *p = text;; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || len >= sizeof item || *n == BMC_FOLD_LAYERS_MAX)
            return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        if (parse_count(item, max, &fold[*n]) || fold[*n] == 0)
            return -1;
        (*n)++;
        if (!end)
            return 0;
        p = end;
    }
}

/* --NAME V or V0,V1,... (each 1..max) into values, pointed to by *layers;
 * a usage error (its exit status) when it is not one. */
static int layer_option(const char *name, char letter, unsigned long max, const char *text,
                        unsigned *values, const unsigned **layers, size_t *n, int *given)
{
    if (parse_list(text, max, values, n))
        return bmc_usage_error("compile",
                               "bad --%s '%s' (%c or %c0,%c1,...: at most %u numbers, each 1..%lu)",
                               name, text, letter, letter, letter, BMC_FOLD_LAYERS_MAX, max);
    *layers = values;
    *given = 1;
    return 0;
}

static int parse_args(int argc, char **argv, compile_args *a)
{
    enum { OPT_STRATEGY = 256, OPT_CORES, OPT_TYPE, OPT_NAME, OPT_REPORT, OPT_JSON, OPT_VECTORS,
           OPT_TEST, OPT_LABELS, OPT_STIMULUS, OPT_STIMULUS_VECTORS, OPT_VERILOG,
           OPT_BUFFERS, OPT_FOLD, OPT_MUL, OPT_DEVICE, OPT_REUSE, OPT_FETCH, OPT_CHAIN,
           OPT_BROADCAST, OPT_SPLIT };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"strategy", required_argument, NULL, OPT_STRATEGY},
        {"cores", required_argument, NULL, OPT_CORES},
        {"buffers", required_argument, NULL, OPT_BUFFERS},
        {"fold", required_argument, NULL, OPT_FOLD},
        {"reuse", required_argument, NULL, OPT_REUSE},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"mul", required_argument, NULL, OPT_MUL},
        {"fetch", required_argument, NULL, OPT_FETCH},
        {"chain", no_argument, NULL, OPT_CHAIN},
        {"broadcast", no_argument, NULL, OPT_BROADCAST},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"type", required_argument, NULL, OPT_TYPE},
        {"name", required_argument, NULL, OPT_NAME},
        {"report", no_argument, NULL, OPT_REPORT},
        {"json", no_argument, NULL, OPT_JSON},
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"test", required_argument, NULL, OPT_TEST},
        {"labels", no_argument, NULL, OPT_LABELS},
        {"Werror-overflow", no_argument, NULL, 'W'}, /* no short option: "o:" only */
        {"stimulus", required_argument, NULL, OPT_STIMULUS},
        {"stimulus-vectors", required_argument, NULL, OPT_STIMULUS_VECTORS},
        {"verilog", required_argument, NULL, OPT_VERILOG},
        {0, 0, 0, 0},
    };
    int c, s;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a->out_path = optarg; break;
        case OPT_STRATEGY:
            if ((s = bm_map_strategy_from_name(optarg)) < 0)
                return bmc_usage_error("compile",
                                       "unknown strategy '%s' (node, cores, single or fold)",
                                       optarg);
            a->opt.strategy = (bm_map_strategy)s;
            a->strategy_given = 1;
            break;
        case OPT_CORES:
            if (parse_count(optarg, BM_COMPILE_CORES_MAX, &a->opt.cores) || a->opt.cores == 0)
                return bmc_usage_error("compile", "bad --cores '%s' (1..%u)", optarg,
                                       BM_COMPILE_CORES_MAX);
            a->cores_given = 1;
            break;
        case OPT_BUFFERS:
            if (parse_count(optarg, BM_COMPILE_BUFFERS_MAX, &a->opt.buffers))
                return bmc_usage_error("compile", "bad --buffers '%s' (0..%u)", optarg,
                                       BM_COMPILE_BUFFERS_MAX);
            a->buffers_given = 1;
            break;
        case OPT_FOLD:
            if (layer_option("fold", 'K', BM_COMPILE_FOLD_MAX, optarg, a->fold_layers,
                             &a->opt.fold_layers, &a->opt.n_fold_layers, &a->fold_given))
                return BMC_EXIT_USAGE;
            break;
        case OPT_REUSE:
            if (layer_option("reuse", 'R', BM_COMPILE_REUSE_MAX, optarg, a->reuse_layers,
                             &a->opt.reuse_layers, &a->opt.n_reuse_layers, &a->reuse_given))
                return BMC_EXIT_USAGE;
            break;
        case OPT_SPLIT:
            if (layer_option("split", 'S', BM_COMPILE_SPLIT_MAX, optarg, a->split_layers,
                             &a->opt.split_layers, &a->opt.n_split_layers, &a->split_given))
                return BMC_EXIT_USAGE;
            break;
        case OPT_MUL:
            if ((s = bm_mul_variant_from_name(optarg)) < 0)
                return bmc_usage_error("compile", "bad --mul '%s' (comb, pipe or serial)", optarg);
            a->opt.mul = (bm_mul_variant)s;
            a->mul_given = 1;
            break;
        case OPT_CHAIN:
        case OPT_BROADCAST: {
            int want = c == OPT_CHAIN ? BM_COMPILE_CHAIN_LINE : BM_COMPILE_CHAIN_BROADCAST;
            if (a->opt.chain && a->opt.chain != want)
                return bmc_usage_error("compile", "--chain and --broadcast: give one of them");
            a->opt.chain = want;
            break;
        }
        case OPT_FETCH:
            if ((s = bm_compile_fetch_from_name(optarg)) < 0)
                return bmc_usage_error("compile", "bad --fetch '%s' (auto, direct or staged)",
                                       optarg);
            a->opt.fetch = (bm_compile_fetch)s;
            break;
        case OPT_DEVICE:
            if ((s = bm_device_find(optarg)) < 0) {
                char known[256] = "";
                for (unsigned i = 0; i < bm_device_count(); i++)
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                             i ? ", " : "", bm_device_get(i)->name);
                return bmc_usage_error("compile", "unknown device '%s' (%s)", optarg, known);
            }
            a->device = bm_device_get((unsigned)s);
            break;
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &a->gopt.type))
                return bmc_usage_error("compile", "bad type '%s' (expected fixed<TOTAL,INTEGER> "
                                                  "or int<TOTAL>)", optarg);
            a->gopt.force_type = 1;
            break;
        case OPT_NAME:
            if (!bmc_is_identifier(optarg))
                return bmc_usage_error("compile", "bad --name '%s' (a letter or '_', then "
                                                  "letters, digits or '_', at most 64)", optarg);
            a->name = optarg;
            break;
        case OPT_REPORT: a->report = 1; break;
        case OPT_JSON: a->json = 1; break;
        case OPT_VECTORS:
            if (parse_count(optarg, 1000000, &a->vectors) || a->vectors < 2)
                return bmc_usage_error("compile", "bad --vectors '%s' (2 or more)", optarg);
            break;
        case OPT_TEST: a->test_path = optarg; break;
        case 'W': a->werror_overflow = 1; break;
        case OPT_VERILOG: a->verilog_dir = optarg; break;
        case OPT_LABELS: a->labels = 1; break;
        case OPT_STIMULUS: a->stimulus_path = optarg; break;
        case OPT_STIMULUS_VECTORS:
            if (parse_count(optarg, 100000000, &a->stimulus_vectors) || a->stimulus_vectors == 0)
                return bmc_usage_error("compile", "bad --stimulus-vectors '%s' (1 or more)",
                                       optarg);
            break;
        default:
            return bmc_usage_error("compile", "option '%s' is unknown or needs a value",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("compile", "expected exactly one GRAPH file");
    a->graph_path = argv[optind];
    if ((a->labels || a->stimulus_path || a->stimulus_vectors || a->werror_overflow) &&
        !a->test_path)
        return bmc_usage_error("compile", "--labels, --stimulus, --stimulus-vectors and "
                                          "--Werror-overflow need --test FILE.csv");
    if (a->report && a->json)
        return bmc_usage_error("compile", "--report prints the report as text, --json as JSON: "
                                          "choose one");
    if (a->cores_given && (a->fold_given || a->reuse_given))
        return bmc_usage_error("compile", "--cores and --%s are two strategies: choose one",
                               a->fold_given ? "fold" : "reuse");
    if (a->fold_given && a->reuse_given)
        return bmc_usage_error("compile", "--fold and --reuse are two ways to fold: choose one");
    if (a->split_given && (a->reuse_given || (!a->fold_given && a->opt.strategy != BM_MAP_FOLD)))
        return bmc_usage_error("compile", "--split goes with --fold or --strategy fold (--reuse "
                                          "splits by itself)");
    a->fold_given |= a->reuse_given;
    if (a->cores_given && !a->strategy_given)
        a->opt.strategy = BM_MAP_CORES;
    if (a->fold_given && !a->strategy_given)
        a->opt.strategy = BM_MAP_FOLD;
    if (a->fold_given && a->opt.strategy != BM_MAP_FOLD)
        return bmc_usage_error("compile", "--%s goes with --strategy fold, not %s",
                               a->reuse_given ? "reuse" : "fold",
                               bm_map_strategy_name(a->opt.strategy));
    if (a->cores_given && a->opt.strategy != BM_MAP_CORES)
        return bmc_usage_error("compile", "--cores goes with --strategy cores, not %s",
                               bm_map_strategy_name(a->opt.strategy));
    if (a->opt.chain && a->opt.strategy != BM_MAP_FOLD)
        return bmc_usage_error("compile", "--%s goes with --fold or --reuse, not --strategy %s",
                               a->opt.chain == BM_COMPILE_CHAIN_LINE ? "chain" : "broadcast",
                               bm_map_strategy_name(a->opt.strategy));
    if (a->buffers_given && a->opt.strategy != BM_MAP_NODE)
        return bmc_usage_error("compile", "--buffers goes with --strategy node, not %s",
                               bm_map_strategy_name(a->opt.strategy));
    return 0;
}

/* The default machine name: the file's base name without extension, made
 * an identifier. */
static void name_from_path(char *buf, size_t size, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = 0;
    if (!((*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z') || *base == '_'))
        buf[n++] = 'g';
    for (const char *s = base; *s && *s != '.' && n + 1 < size && n < 64; s++)
        buf[n++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                                  (*s >= '0' && *s <= '9') || *s == '_'
                              ? *s
                              : '_');
    buf[n] = '\0';
}

/* The test vectors as one array, input_count raw values per vector. */
static int64_t *flatten_vectors(const bm_graph *g, const bm_vectors *tv)
{
    size_t n = bm_vectors_count(tv), ni = bm_graph_input_count(g);
    int64_t *raw = malloc((n * ni != 0 ? n * ni : 1) * sizeof *raw);
    if (!raw) {
        fprintf(stderr, "bmc compile: out of memory\n");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(raw + i * ni, bm_vectors_inputs(tv, i), ni * sizeof *raw);
    return raw;
}

/* The report verified every output against the evaluator, so the machine's
 * predictions are the evaluator's: count them against the labels. */
static void print_test_summary(const bm_graph *g, const bm_vectors *tv, const int64_t *raw,
                               const bm_compile_report *r)
{
    size_t n = bm_vectors_count(tv), ni = bm_graph_input_count(g), no = bm_graph_output_count(g);
    const bm_report_summary *s = bm_compile_report_summary(r);
    printf("test: %zu vectors streamed through the machine, every output equal to the "
           "evaluator's\n",
           n);
    printf("test: latency %" PRIu64 " cycles, interval %.1f cycles (largest %" PRIu64 ")\n",
           s->latency, s->interval, s->interval_max);
    if (bm_vectors_label(tv, 0) < 0)
        return;
    int64_t *out = malloc((no ? no : 1) * sizeof *out);
    size_t right = 0;
    for (size_t i = 0; out && i < n; i++)
        if (bm_graph_eval(g, raw + i * ni, out) == 0 &&
            bm_graph_predicted_class(g, out) == bm_vectors_label(tv, i))
            right++;
    free(out);
    printf("test: accuracy %zu/%zu = %.2f%%\n", right, n, n ? 100.0 * (double)right / (double)n : 0.0);
}

/* A stimulus file (docs/sim.md) holding the first `count` vectors, added to
 * the command's outputs (written with the others or not at all). */
static int add_stimulus(bm_output *o, const bm_machine *m, const bm_graph *g,
                        const bm_vectors *tv, unsigned count, const char *path)
{
    size_t n = bm_vectors_count(tv);
    if (count && count < n)
        n = count;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "bmc compile: out of memory\n");
        return -1;
    }
    fprintf(f, "# %zu test vectors for machine %s, raw fixed-point values\n", n,
            bm_machine_name(m));
    for (unsigned i = 0; i < bm_graph_input_count(g); i++) {
        fprintf(f, "%s =", bm_graph_node_name(g, bm_graph_input(g, i)));
        for (size_t k = 0; k < n; k++)
            fprintf(f, "%s %" PRId64, k ? "," : "", bm_vectors_inputs(tv, k)[i]);
        fprintf(f, "\n");
    }
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        free(text);
        fprintf(stderr, "bmc compile: out of memory\n");
        return -1;
    }
    int rc = bm_output_add_file(o, path, text, len);
    free(text);
    return rc ? -1 : 0;
}

static int compile_graph(bm_ctx *ctx, const bm_graph *g, compile_args *a)
{
    char name[80];
    if (!a->name) {
        name_from_path(name, sizeof name, a->graph_path);
        a->opt.name = name;
    } else {
        a->opt.name = a->name;
    }
    bm_machine *m;
    int err;
    if (a->device) {
        /* the fastest design point that fits, before anything is written */
        unsigned keep = (a->strategy_given || a->cores_given || a->fold_given || a->reuse_given
                             ? BM_DEVICE_KEEP_STRATEGY : 0) |
                        (a->mul_given ? BM_DEVICE_KEEP_MUL : 0);
        bm_device_choice ch;
        err = bm_compile_for_device(&m, g, &a->opt, keep, a->device, &ch);
        if (!err)
            fprintf(stderr,
                    "device %s: %s (%u of %u design points fit); estimate %llu %s, %llu FF, "
                    "%llu %s, %llu %s; predicted interval %.1f cycles, latency %llu\n",
                    a->device->name, ch.options, ch.fitting, ch.tried,
                    (unsigned long long)ch.area.lut, a->device->lut_name,
                    (unsigned long long)ch.area.ff, (unsigned long long)ch.area.dsp,
                    a->device->dsp_name, (unsigned long long)ch.area.bram,
                    a->device->bram_name, ch.predicted_interval,
                    (unsigned long long)ch.predicted_latency);
    } else {
        err = bm_compile(&m, g, &a->opt);
    }
    bmc_print_diags(ctx);
    bm_ctx_clear_diags(ctx);
    if (err)
        return BMC_EXIT_FAIL;
    int rc = BMC_EXIT_OK;
    bm_compile_report *r = NULL;
    bm_vectors *tv = NULL;
    int64_t *raw = NULL;
    if (a->test_path) {
        if (bm_vectors_read_file(&tv, g, a->test_path, a->labels) ||
            !(raw = flatten_vectors(g, tv)))
            rc = BMC_EXIT_FAIL;
        /* values that wrap are warned about as `bmc eval` does */
        uint64_t wrapped = 0;
        if (!rc && bm_graph_warn_wraps(g, tv, 0, &wrapped))
            rc = BMC_EXIT_FAIL;
        bmc_print_diags(ctx);
        bm_ctx_clear_diags(ctx);
        if (!rc && wrapped && a->werror_overflow) {
            fprintf(stderr, "bmc compile: error: %llu value%s wrapped (--Werror-overflow)\n",
                    (unsigned long long)wrapped, wrapped == 1 ? "" : "s");
            rc = BMC_EXIT_FAIL;
        }
    }
    if (!rc && (a->report || a->json || tv)) {
        bm_report_options ro = BM_REPORT_OPTIONS_INIT;
        if (a->vectors)
            ro.vectors = a->vectors;
        if (tv) {
            /* The test vectors themselves stream through the machine, and
             * every output is checked against the evaluator. */
            ro.inputs = raw;
            ro.n_inputs = bm_vectors_count(tv);
            ro.vectors = (unsigned)bm_vectors_count(tv);
        }
        if (bm_compile_report_new(&r, m, g, &ro))
            rc = BMC_EXIT_FAIL;
        bmc_print_diags(ctx);
        bm_ctx_clear_diags(ctx);
    }
    /* Every file goes in one set: all of them are written, or none. */
    bm_output *out = NULL;
    if (!rc && bm_output_new(&out, ctx))
        rc = BMC_EXIT_FAIL;
    if (!rc && tv && a->stimulus_path &&
        add_stimulus(out, m, g, tv, a->stimulus_vectors, a->stimulus_path))
        rc = BMC_EXIT_FAIL;
    if (!rc && a->verilog_dir && bm_output_add_verilog(out, m, a->verilog_dir, NULL))
        rc = BMC_EXIT_FAIL;
    if (!rc && a->out_path && bm_output_add_machine(out, m, a->out_path))
        rc = BMC_EXIT_FAIL;
    if (!rc && bm_output_commit(out))
        rc = BMC_EXIT_FAIL;
    bm_output_free(out);
    if (!rc && !a->out_path && !r && !a->verilog_dir) {
        if (bm_machine_write_stream(m, stdout))
            rc = BMC_EXIT_FAIL;
    }
    bmc_print_diags(ctx);
    if (!rc && r && (a->report || a->json) && bm_compile_report_write(r, stdout, a->json))
        rc = BMC_EXIT_FAIL;
    if (!rc && tv && !a->json)
        print_test_summary(g, tv, raw, r);
    bm_compile_report_free(r);
    bm_vectors_free(tv);
    free(raw);
    bm_machine_free(m);
    return rc;
}

static int run(int argc, char **argv)
{
    compile_args a;
    memset(&a, 0, sizeof a);
    bm_compile_options copt = BM_COMPILE_OPTIONS_INIT;
    bm_graph_options gopt = BM_GRAPH_OPTIONS_INIT;
    a.opt = copt;
    a.gopt = gopt;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    bm_ctx *ctx = bmc_new_ctx();
    bm_graph *g;
    int err = bm_graph_read_file(&g, ctx, a.graph_path, &a.gopt);
    bmc_print_diags(ctx);
    if (err && !bm_ctx_error_count(ctx))
        fprintf(stderr, "bmc compile: %s: %s\n", a.graph_path, bm_strerror(err));
    bm_ctx_clear_diags(ctx);
    rc = err ? BMC_EXIT_FAIL : compile_graph(ctx, g, &a);
    if (!err)
        bm_graph_free(g);
    bm_ctx_free(ctx);
    return rc;
}

const bmc_command bmc_cmd_compile = {"compile", "compile a graph or network onto a machine", run,
                                     help};
