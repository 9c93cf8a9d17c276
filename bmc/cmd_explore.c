/* bmc explore: write a design-space sweep that make or Slurm runs, and
 * collect what it produced (docs/explore.md).  The command only writes
 * files; make -j N or sbatch schedule the work. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc explore [OPTIONS] -o DIR GRAPH\n"
            "       bmc explore --collect DIR [--reference FILE.csv] [--clock MHZ]\n"
            "                   [--no-wall-time]\n"
            "\n"
            "Writes a sweep folder DIR: one job per design point (every combination of\n"
            "the axes below), each running bmc compile --json --test, bmc verilog\n"
            "--pin-wrapper, yosys and, on iCE40 parts, nextpnr-ice40 per seed; a Makefile\n"
            "(make -C DIR -j N runs the sweep, a rerun redoes only missing or failed\n"
            "points) and sweep.sbatch (sbatch --array, one task per point).  Each point\n"
            "leaves points/ID/result.json and points/ID/log.  DIR must not exist.\n"
            "GRAPH is what bmc compile takes (network XML, ONNX, text graph, GraphML).\n"
            "\n"
            "Axes (LIST: values separated by commas):\n"
            "  --device LIST       parts (hx8k, up5k, xc7z020, xcu250; default hx8k);\n"
            "                      iCE40 parts are placed and routed, the others give\n"
            "                      yosys cell counts only\n"
            "  --strategy LIST     node, cores, single, fold (compile's defaults)\n"
            "  --cores LIST        --strategy cores with these core counts\n"
            "  --fold LIST         --strategy fold with these folds; a per-layer fold is\n"
            "                      written with '/' (4/2 is bmc compile --fold 4,2)\n"
            "  --reuse LIST        --strategy fold by ReuseFactor, '/' per layer alike\n"
            "                      (the mappings of these four options add up; without\n"
            "                      any, node)\n"
            "  --split LIST        with --fold only: bmc compile --split with every\n"
            "                      fold, '/' per layer (1/3/3 is --split 1,3,3)\n"
            "  --mul LIST          comb, pipe, serial\n"
            "  --fetch LIST        auto, direct, staged\n"
            "  --chain LIST        off, on, broadcast (bmc compile --chain: each fold\n"
            "                      layer's cores in a forwarding chain; --broadcast:\n"
            "                      the first forwarding to all the others)\n"
            "  --type TYPE         fixed<TOTAL,INTEGER> or int<TOTAL>; repeat for more\n"
            "  --seeds LIST        nextpnr seeds, each point routed once per seed\n"
            "                      (default 1)\n"
            "Other options:\n"
            "  -o, --output DIR    the sweep folder to write (must not exist)\n"
            "  --test FILE.csv     test vectors: accuracy and the measured interval\n"
            "  --labels            the test file's last column is the class\n"
            "  --no-pnr            synthesis counts only, also on iCE40 parts\n"
            "  --compile-timeout S seconds for bmc compile and bmc verilog (default 600)\n"
            "  --synth-timeout S   seconds for yosys (default 900)\n"
            "  --pnr-timeout S     seconds per nextpnr seed (default 300)\n"
            "  --time-limit MIN    Slurm's per-task limit (default: the timeouts added)\n"
            "  --bmc PATH          the bmc the jobs run (default: this one; BMC in the\n"
            "                      environment overrides it when the jobs run)\n"
            "Collecting:\n"
            "  --collect DIR       gather the points that finished into DIR/results.csv\n"
            "                      and DIR/results.json and draw DIR/pareto.svg (LUTs\n"
            "                      against vectors/s, the Pareto front highlighted)\n"
            "  --reference FILE    extra chart points: CSV lines LABEL,LUT,VECTORS_PER_S\n"
            "  --clock MHZ         vectors/s of points without an Fmax (no place and\n"
            "                      route) at this clock; without it they are left off\n"
            "                      the chart\n"
            "  --no-wall-time      leave wall times out, so that two runs of the same\n"
            "                      sweep give the same bytes\n"
            "\n"
            "The jobs find bmc (sweep.conf), yosys and nextpnr-ice40 on PATH; BMC, YOSYS\n"
            "and NEXTPNR_ICE40 in their environment replace them.  A job that finds its\n"
            "point run by another process exits 75 (docs/explore.md).\n"
            "\n"
            "Exit status: 0 written, 1 bad input or a failed write, 2 usage error.\n");
}

/* A comma list into items (pointers into buf). */
static int split(char *buf, const char **items, unsigned *n, const char *opt)
{
    for (char *p = buf;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (!*p)
            return bmc_usage_error("explore", "empty value in %s", opt);
        if (*n == EX_AXIS_MAX)
            return bmc_usage_error("explore", "more than %u values in %s", EX_AXIS_MAX, opt);
        items[(*n)++] = p;
        if (!c)
            return 0;
        p = c + 1;
    }
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* A fold or reuse value "4/2" as compile's "4,2", each 1..max. */
static int layer_list(const char *v, unsigned long max, char *out, size_t size)
{
    char buf[80];
    if (strlen(v) >= sizeof buf || strlen(v) + 1 > size)
        return -1;
    snprintf(buf, sizeof buf, "%s", v);
    out[0] = '\0';
    for (char *p = buf;;) {
        char *sl = strchr(p, '/');
        if (sl)
            *sl = '\0';
        unsigned k;
        if (parse_uint(p, 1, max, &k))
            return -1;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%u", len ? "," : "", k);
        if (!sl)
            return 0;
        p = sl + 1;
    }
}

static int add_mapping(ex_sweep *s, const char *opt, const char *value)
{
    if (s->n_mappings == sizeof s->mappings / sizeof s->mappings[0])
        return bmc_usage_error("explore", "too many mappings");
    snprintf(s->mappings[s->n_mappings++], sizeof s->mappings[0], "%s%s%s", opt,
             value ? " " : "", value ? value : "");
    return 0;
}



static int parse(int argc, char **argv, ex_sweep *s, ex_collect_options *c, int *collect)
{
    /* the options from O_COLLECT on go with --collect, the others with a sweep */
    enum { O_DEVICE = 256, O_STRATEGY, O_CORES, O_FOLD, O_REUSE, O_MUL, O_FETCH, O_CHAIN, O_TYPE,
           O_SPLIT, O_SEEDS, O_TEST, O_LABELS, O_NO_PNR, O_CT, O_ST, O_PT, O_TL, O_BMC, O_COLLECT, O_REF,
           O_CLOCK, O_NO_WALL };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"device", required_argument, NULL, O_DEVICE},
        {"strategy", required_argument, NULL, O_STRATEGY},
        {"cores", required_argument, NULL, O_CORES},
        {"fold", required_argument, NULL, O_FOLD},
        {"reuse", required_argument, NULL, O_REUSE},
        {"mul", required_argument, NULL, O_MUL},
        {"fetch", required_argument, NULL, O_FETCH},
        {"chain", required_argument, NULL, O_CHAIN},
        {"split", required_argument, NULL, O_SPLIT},
        {"type", required_argument, NULL, O_TYPE},
        {"seeds", required_argument, NULL, O_SEEDS},
        {"test", required_argument, NULL, O_TEST},
        {"labels", no_argument, NULL, O_LABELS},
        {"no-pnr", no_argument, NULL, O_NO_PNR},
        {"compile-timeout", required_argument, NULL, O_CT},
        {"synth-timeout", required_argument, NULL, O_ST},
        {"pnr-timeout", required_argument, NULL, O_PT},
        {"time-limit", required_argument, NULL, O_TL},
        {"bmc", required_argument, NULL, O_BMC},
        {"collect", required_argument, NULL, O_COLLECT},
        {"reference", required_argument, NULL, O_REF},
        {"clock", required_argument, NULL, O_CLOCK},
        {"no-wall-time", no_argument, NULL, O_NO_WALL},
        {0, 0, 0, 0},
    };
    const char *items[EX_AXIS_MAX];
    int opt, sweep_opts = 0, collect_opts = 0;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        unsigned n = 0;
        char *arg = optarg;
        if (opt >= O_COLLECT)
            collect_opts = 1;
        else if (opt != '?' && opt != ':')
            sweep_opts = 1;
        switch (opt) {
        case 'o': s->out_dir = arg; break;
        case O_DEVICE:
            s->n_devices = 0;
            if (split(arg, s->devices, &s->n_devices, "--device"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < s->n_devices; i++) {
                int d = bm_device_find(s->devices[i]);
                if (d < 0)
                    return bmc_usage_error("explore", "unknown device '%s' (hx8k, up5k, xc7z020 "
                                                      "or xcu250; bmc area --help)", s->devices[i]);
                s->devices[i] = bm_device_get((unsigned)d)->name;
            }
            break;
        case O_STRATEGY:
            if (split(arg, items, &n, "--strategy"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < n; i++) {
                if (bm_map_strategy_from_name(items[i]) < 0)
                    return bmc_usage_error("explore", "unknown strategy '%s' in --strategy "
                                                      "(node, cores, single or fold)", items[i]);
                if (add_mapping(s, "--strategy", items[i]))
                    return BMC_EXIT_USAGE;
            }
            break;
        case O_CORES:
            if (split(arg, items, &n, "--cores"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < n; i++) {
                unsigned k;
                if (parse_uint(items[i], 1, BM_COMPILE_CORES_MAX, &k))
                    return bmc_usage_error("explore", "bad value '%s' in --cores (1..%u)", items[i],
                                           BM_COMPILE_CORES_MAX);
                if (add_mapping(s, "--cores", items[i]))
                    return BMC_EXIT_USAGE;
            }
            break;
        case O_FOLD:
        case O_REUSE: {
            const char *name = opt == O_FOLD ? "--fold" : "--reuse";
            unsigned long max = opt == O_FOLD ? BM_COMPILE_FOLD_MAX : BM_COMPILE_REUSE_MAX;
            if (split(arg, items, &n, name))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < n; i++) {
                char v[80];
                if (layer_list(items[i], max, v, sizeof v))
                    return bmc_usage_error("explore", "bad value '%s' in %s (K or K0/K1/..., "
                                                      "each 1..%lu)", items[i], name, max);
                if (add_mapping(s, name, v))
                    return BMC_EXIT_USAGE;
            }
            break;
        }
        case O_MUL:
            s->n_muls = 0;
            if (split(arg, s->muls, &s->n_muls, "--mul"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < s->n_muls; i++)
                if (bm_mul_variant_from_name(s->muls[i]) < 0)
                    return bmc_usage_error("explore", "unknown multiplier '%s' in --mul (comb, "
                                                      "pipe or serial)", s->muls[i]);
            break;
        case O_FETCH:
            s->n_fetches = 0;
            if (split(arg, s->fetches, &s->n_fetches, "--fetch"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < s->n_fetches; i++)
                if (bm_compile_fetch_from_name(s->fetches[i]) < 0)
                    return bmc_usage_error("explore", "unknown fetch '%s' in --fetch (auto, "
                                                      "direct or staged)", s->fetches[i]);
            break;
        case O_CHAIN: {
            const char *v[EX_AXIS_MAX];
            unsigned n = 0;
            if (split(arg, v, &n, "--chain"))
                return BMC_EXIT_USAGE;
            s->n_chains = 0;
            static const char *const chain_names[] = {"off", "on", "broadcast"};
            for (unsigned i = 0; i < n; i++) {
                int on = -1;
                for (int j = 0; j < 3; j++)
                    if (strcmp(v[i], chain_names[j]) == 0)
                        on = j;
                if (on < 0)
                    return bmc_usage_error("explore",
                                           "unknown value '%s' in --chain (off, on or broadcast)",
                                           v[i]);
                for (unsigned j = 0; j < s->n_chains; j++)
                    if (s->chains[j] == on)
                        return bmc_usage_error("explore", "'%s' given twice in --chain", v[i]);
                s->chains[s->n_chains++] = on;
            }
            break;
        }
        case O_SPLIT:
            s->n_splits = 0;
            if (split(arg, items, &n, "--split"))
                return BMC_EXIT_USAGE;
            for (unsigned i = 0; i < n; i++)
                if (layer_list(items[i], BM_COMPILE_SPLIT_MAX, s->splits[s->n_splits++],
                               sizeof s->splits[0]))
                    return bmc_usage_error("explore", "bad value '%s' in --split (S or "
                                                      "S0/S1/..., each 1..%u)", items[i],
                                           BM_COMPILE_SPLIT_MAX);
            break;
        case O_TYPE: {
            bm_fixed_type t;
            if (bm_graph_parse_type(arg, &t))
                return bmc_usage_error("explore", "bad --type '%s' (fixed<TOTAL,INTEGER> or "
                                                  "int<TOTAL>)", arg);
            if (s->n_types == EX_AXIS_MAX)
                return bmc_usage_error("explore", "more than %u values of --type", EX_AXIS_MAX);
            s->types[s->n_types++] = arg;
            break;
        }
        case O_SEEDS:
            s->n_seeds = 0;
            if (split(arg, items, &n, "--seeds"))
                return BMC_EXIT_USAGE;
            if (n > EX_SEEDS_MAX)
                return bmc_usage_error("explore", "more than %u --seeds", EX_SEEDS_MAX);
            for (unsigned i = 0; i < n; i++)
                if (parse_uint(items[i], 0, 1000000000ul, &s->seeds[s->n_seeds++]))
                    return bmc_usage_error("explore", "bad seed '%s' in --seeds (0..1000000000)",
                                           items[i]);
            break;
        case O_TEST: s->test = arg; break;
        case O_LABELS: s->labels = 1; break;
        case O_NO_PNR: s->no_pnr = 1; break;
        case O_CT:
        case O_ST:
        case O_PT:
        case O_TL: {
            unsigned *dst = opt == O_CT ? &s->compile_timeout : opt == O_ST ? &s->synth_timeout
                          : opt == O_PT ? &s->pnr_timeout : &s->time_limit_min;
            if (parse_uint(arg, 1, 1000000ul, dst))
                return bmc_usage_error("explore", "bad %s '%s' (1..1000000)", argv[optind - 1],
                                       arg);
            break;
        }
        case O_BMC: s->bmc = arg; break;
        case O_COLLECT: c->dir = arg; *collect = 1; break;
        case O_REF: c->reference = arg; break;
        case O_CLOCK: {
            char *end;
            errno = 0;
            double v = strtod(arg, &end);
            if (*end || errno || !(v > 0 && v <= 100000))
                return bmc_usage_error("explore", "bad --clock '%s' (MHz, above 0)", arg);
            c->clock_mhz = v;
            break;
        }
        case O_NO_WALL: c->no_wall_time = 1; break;
        default:
            return bmc_usage_error("explore", "unknown or incomplete option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (*collect) {
        if (sweep_opts || optind < argc)
            return bmc_usage_error("explore", "--collect DIR takes only --reference, --clock "
                                              "and --no-wall-time");
        return 0;
    }
    if (collect_opts)
        return bmc_usage_error("explore", "--reference, --clock and --no-wall-time go with "
                                          "--collect");
    if (optind != argc - 1)
        return bmc_usage_error("explore", "expected one GRAPH file");
    if (!s->out_dir)
        return bmc_usage_error("explore", "-o DIR is required (the sweep folder)");
    if (s->labels && !s->test)
        return bmc_usage_error("explore", "--labels goes with --test");
    for (unsigned m = 0; s->n_splits && m < s->n_mappings; m++)
        if (strncmp(s->mappings[m], "--fold ", 7) != 0)
            return bmc_usage_error("explore", "--split goes with --fold mappings only, not '%s'",
                                   s->mappings[m]);
    if (s->n_splits && !s->n_mappings)
        return bmc_usage_error("explore", "--split goes with --fold");
    s->input = argv[optind];
    return 0;
}

static int run(int argc, char **argv)
{
    static ex_sweep s;
    ex_collect_options c = {0};
    int collect = 0;
    memset(&s, 0, sizeof s);
    s.compile_timeout = 600;
    s.synth_timeout = 900;
    s.pnr_timeout = 300;
    int rc = parse(argc, argv, &s, &c, &collect);
    if (rc)
        return rc;
    if (collect)
        return ex_collect(&c);
    if (!s.n_devices)
        s.devices[s.n_devices++] = "hx8k";
    if (!s.n_mappings)
        add_mapping(&s, "--strategy", "node");
    if (!s.n_seeds)
        s.seeds[s.n_seeds++] = 1;
    /* The jobs run this bmc unless told otherwise: its absolute path. */
    static char self[PATH_MAX];
    if (!s.bmc) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            fprintf(stderr, "bmc explore: error: cannot find bmc's own path; give --bmc PATH\n");
            return BMC_EXIT_FAIL;
        }
        self[n] = '\0';
        s.bmc = self;
    } else if (s.bmc[0] != '/') {
        /* The jobs run in the sweep folder: a relative --bmc is made absolute. */
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + strlen(s.bmc) + 2 > sizeof self) {
            fprintf(stderr, "bmc explore: error: cannot make --bmc '%s' absolute\n", s.bmc);
            return BMC_EXIT_FAIL;
        }
        size_t lc = strlen(cwd), lb = strlen(s.bmc);
        memcpy(self, cwd, lc);
        self[lc] = '/';
        memcpy(self + lc + 1, s.bmc, lb + 1);
        s.bmc = self;
    }
    return ex_sweep_write(&s);
}

const bmc_command bmc_cmd_explore = {
    "explore", "write a design-space sweep for make -j and Slurm, or collect its results", run,
    help,
};
