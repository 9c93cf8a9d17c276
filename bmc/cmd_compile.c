/* bmc compile: map a graph or network onto a streaming machine. */
#include <errno.h>
#include <getopt.h>
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
            "one has moved on.  GRAPH is a text graph, a GraphML file or a network\n"
            "XML, told apart by content (docs/compile.md).\n"
            "\n"
            "  -o, --output FILE   write the machine XML to FILE; without -o it goes to\n"
            "                      stdout, unless --report or --json is given\n"
            "  --strategy S        node (default): one core per operation, or per neuron\n"
            "                      of a network; cores: at most N cores (--cores); single:\n"
            "                      one core\n"
            "  --cores N           the number of cores (1..%u); implies --strategy cores\n"
            "  --type TYPE         compile in fixed<TOTAL,INTEGER> or int<TOTAL>, whatever\n"
            "                      type the file declares\n"
            "  --name NAME         the machine name (default: the file name without its\n"
            "                      extension)\n"
            "  --report            print the report on stdout: per core its opcodes,\n"
            "                      instruction width, instructions and registers; the\n"
            "                      latency and interval measured by simulation, every\n"
            "                      output checked against the evaluator\n"
            "  --json              the report as one JSON object\n"
            "  --vectors N         vectors streamed to measure the interval (default 8)\n"
            "\n"
            "Exit status: 0 compiled, 1 bad input or a failed check, 2 usage error.\n"
            "Nothing is written when compilation fails.\n",
            BM_COMPILE_CORES_MAX);
}

typedef struct compile_args {
    const char *graph_path, *out_path, *name;
    bm_compile_options opt;
    bm_graph_options gopt;
    int strategy_given, cores_given, report, json;
    unsigned vectors;
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

static int is_identifier(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static int parse_args(int argc, char **argv, compile_args *a)
{
    enum { OPT_STRATEGY = 256, OPT_CORES, OPT_TYPE, OPT_NAME, OPT_REPORT, OPT_JSON, OPT_VECTORS };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"strategy", required_argument, NULL, OPT_STRATEGY},
        {"cores", required_argument, NULL, OPT_CORES},
        {"type", required_argument, NULL, OPT_TYPE},
        {"name", required_argument, NULL, OPT_NAME},
        {"report", no_argument, NULL, OPT_REPORT},
        {"json", no_argument, NULL, OPT_JSON},
        {"vectors", required_argument, NULL, OPT_VECTORS},
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
                return bmc_usage_error("compile", "unknown strategy '%s' (node, cores or single)",
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
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &a->gopt.type))
                return bmc_usage_error("compile", "bad type '%s' (expected fixed<TOTAL,INTEGER> "
                                                  "or int<TOTAL>)", optarg);
            a->gopt.force_type = 1;
            break;
        case OPT_NAME:
            if (!is_identifier(optarg))
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
        default:
            return bmc_usage_error("compile", "option '%s' is unknown or needs a value",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("compile", "expected exactly one GRAPH file");
    a->graph_path = argv[optind];
    if (a->cores_given && !a->strategy_given)
        a->opt.strategy = BM_MAP_CORES;
    if (a->cores_given && a->opt.strategy != BM_MAP_CORES)
        return bmc_usage_error("compile", "--cores goes with --strategy cores, not %s",
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
    int err = bm_compile(&m, g, &a->opt);
    bmc_print_diags(ctx);
    bm_ctx_clear_diags(ctx);
    if (err)
        return BMC_EXIT_FAIL;
    int rc = BMC_EXIT_OK;
    bm_compile_report *r = NULL;
    if (a->report || a->json) {
        bm_report_options ro = BM_REPORT_OPTIONS_INIT;
        if (a->vectors)
            ro.vectors = a->vectors;
        if (bm_compile_report_new(&r, m, g, &ro))
            rc = BMC_EXIT_FAIL;
        bmc_print_diags(ctx);
        bm_ctx_clear_diags(ctx);
    }
    if (!rc && a->out_path) {
        if (bm_machine_write_file(m, a->out_path))
            rc = BMC_EXIT_FAIL;
    } else if (!rc && !r) {
        if (bm_machine_write_stream(m, stdout))
            rc = BMC_EXIT_FAIL;
    }
    bmc_print_diags(ctx);
    if (!rc && r && bm_compile_report_write(r, stdout, a->json))
        rc = BMC_EXIT_FAIL;
    bm_compile_report_free(r);
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
