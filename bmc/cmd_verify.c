/* bmc verify: the emitted RTL under Verilator against the simulator. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmc.h"

#define DEFAULT_CYCLES BMC_DEFAULT_CYCLES
/* Cycles the RTL runs past the simulator's stop (deadlock or halt): any
 * transfer there is a divergence the comparison must see. */
#define MARGIN_CYCLES 16

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc verify FILE.xml [--in NAME=V1,V2,...] [--in-file FILE]\n"
            "                  [--ready NAME=PATTERN] [--cycles N] [--partial] [--work DIR]\n"
            "                  [--no-compare] [--vcd FILE] [--verilator PROG] [--json]\n"
            "\n"
            "Generates the machine's Verilog and a C++ harness, builds them with\n"
            "Verilator (in a work folder that is reused while nothing changed),\n"
            "drives the RTL with the same stimulus and back-pressure as `bmc sim`,\n"
            "and compares every external output transfer (value and cycle) with the\n"
            "simulator.  The simulator runs first, until it stops (see `bmc sim`);\n"
            "the RTL then runs as many cycles (%d more after a deadlock or halt, so\n"
            "that late transfers are caught).\n"
            "\n"
            "  --in, --in-file, --ready   stimulus and back-pressure, as for `bmc sim`\n"
            "  --cycles N                 cycle limit, as for `bmc sim` (default %d;\n"
            "                             0: no limit, not with --no-compare)\n"
            "  --partial                  accept a run the cycle limit stopped: compare\n"
            "                             the transfers made until then and exit 0\n"
            "  --work DIR                 the work folder (default $TMPDIR or /tmp,\n"
            "                             bmc-verify-UID/MACHINE)\n"
            "  --no-compare               only run the RTL for --cycles cycles and print\n"
            "                             its transfers as 'CYCLE OUTPUT VALUE' lines\n"
            "                             (values signed, as `bmc sim` prints them)\n"
            "  --vcd FILE                 write the RTL's waveform (builds with --trace)\n"
            "  --verilator PROG           the Verilator to run (default: verilator)\n"
            "  --json                     print the verdict as one JSON object on stdout\n"
            "                             (the messages stay on stderr): {\"machine\",\n"
            "                             \"result\": \"agree\" | \"partial\" | \"incomplete\"\n"
            "                             | \"differ\", \"transfers\", \"cycles\",\n"
            "                             \"sim_stop\" [, \"inputs_not_taken\"]\n"
            "                             [, \"difference\": {\"index\", \"expected\",\n"
            "                             \"got\"}]}, a transfer being {\"cycle\",\n"
            "                             \"output\", \"value\" (signed), \"raw\"} or null;\n"
            "                             with --no-compare {\"machine\", \"cycles\",\n"
            "                             \"transfers\": [TRANSFER]}.  Nothing on stdout\n"
            "                             after bad input or a failed build\n"
            "\n"
            "On agreement prints one line to stdout and exits 0.  On the first\n"
            "divergence prints its cycle, output, expected (simulator) and got (RTL)\n"
            "values to stderr and exits 1; 1 also for bad input or a failed build,\n"
            "2 for usage errors.  When the cycle limit stopped the simulator before\n"
            "the machine halted or stopped (so transfers may still be missing), the\n"
            "run is partial: without --partial it says so on stderr and exits 3,\n"
            "even when the transfers made so far agree.\n",
            MARGIN_CYCLES, DEFAULT_CYCLES);
}

/* A transfer's value as `bmc sim` prints it: signed, a 1-bit port 0 or 1. */
static int64_t signed_value(const bm_machine *m, const bm_sim_transfer *t)
{
    unsigned width = bm_machine_output_width(m, t->output);
    return width == 1 ? (int64_t)t->value : bm_sign_extend(t->value, width);
}

static void print_transfer(FILE *f, const bm_machine *m, const bm_sim_transfer *t)
{
    fprintf(f, "%" PRIu64 " %s %" PRId64 "\n", t->cycle, bm_machine_output_name(m, t->output),
            signed_value(m, t));
}

static void report_difference(const bm_machine *m, const bm_sim_transfer *sim, size_t ns,
                              const bm_sim_transfer *rtl, size_t nr, long i)
{
    size_t k = (size_t)i;
    fprintf(stderr, "verify: divergence at output transfer %ld:\n", i + 1);
    if (k < ns && k < nr) {
        const bm_sim_transfer *a = &sim[k], *b = &rtl[k];
        if (a->cycle != b->cycle || a->output != b->output)
            fprintf(stderr,
                    "  expected (simulator): cycle %" PRIu64 ", %s = %" PRId64 "\n"
                    "  got (RTL):            cycle %" PRIu64 ", %s = %" PRId64 "\n",
                    a->cycle, bm_machine_output_name(m, a->output), signed_value(m, a), b->cycle,
                    bm_machine_output_name(m, b->output), signed_value(m, b));
        else
            fprintf(stderr, "  cycle %" PRIu64 ", output %s: expected %" PRId64 ", got %" PRId64 "\n",
                    a->cycle, bm_machine_output_name(m, a->output), signed_value(m, a),
                    signed_value(m, b));
    } else if (k < ns) {
        fprintf(stderr, "  the RTL made no transfer where the simulator made: ");
        print_transfer(stderr, m, &sim[k]);
    } else {
        fprintf(stderr, "  the RTL made a transfer the simulator did not: ");
        print_transfer(stderr, m, &rtl[k]);
    }
}

/* A transfer of the --json verdict; NULL gives null. */
static void json_transfer(bmc_json *j, const char *key, const bm_machine *m,
                          const bm_sim_transfer *t)
{
    if (!t) {
        bmc_json_null(j, key);
        return;
    }
    bmc_json_object(j, key);
    bmc_json_uint(j, "cycle", t->cycle);
    bmc_json_string(j, "output", bm_machine_output_name(m, t->output));
    bmc_json_int(j, "value", signed_value(m, t));
    bmc_json_uint(j, "raw", t->value);
    bmc_json_end(j);
}

/* The --json verdict; diff < 0: none.  0 or -1 (printed). */
static int print_json(const bm_machine *m, const char *result, size_t transfers, uint64_t cycles,
                      bm_sim_stop stop, const bm_sim *sim, const bm_sim_transfer *expected,
                      size_t ne, const bm_sim_transfer *rtl, size_t nr, long diff)
{
    bmc_json *j = bmc_json_new();
    if (!j) {
        fprintf(stderr, "bmc verify: out of memory\n");
        return -1;
    }
    bmc_json_string(j, "machine", bm_machine_name(m));
    bmc_json_string(j, "result", result);
    bmc_json_uint(j, "transfers", transfers);
    bmc_json_uint(j, "cycles", cycles);
    /* the names of `bmc sim --json`: a run that used up its stimulus ended
     * at input_end, not in a deadlock */
    bmc_json_string(j, "sim_stop", stop == BM_SIM_STOP_DEADLOCK && bm_sim_input_ended(sim)
                                       ? "input_end"
                                       : bm_sim_stop_name(stop));
    if (strcmp(result, "incomplete") == 0) {
        size_t left = 0;
        for (unsigned i = 0; i < bm_machine_input_count(m); i++)
            left += bm_sim_input_pending(sim, i);
        bmc_json_uint(j, "inputs_not_taken", left);
    }
    if (diff >= 0) {
        size_t k = (size_t)diff;
        bmc_json_object(j, "difference");
        bmc_json_uint(j, "index", k + 1);
        json_transfer(j, "expected", m, k < ne ? &expected[k] : NULL);
        json_transfer(j, "got", m, k < nr ? &rtl[k] : NULL);
        bmc_json_end(j);
    }
    int rc = bmc_json_print(j);
    bmc_json_free(j);
    return rc;
}

static char *default_work_dir(const char *machine)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    size_t n = strlen(tmp) + strlen(machine) + 64;
    char *dir = malloc(n);
    if (dir)
        snprintf(dir, n, "%s/bmc-verify-%ld", tmp, (long)getuid());
    return dir;
}

static int run(int argc, char **argv)
{
    enum { OPT_IN = 256, OPT_IN_FILE, OPT_READY, OPT_CYCLES, OPT_WORK, OPT_NO_COMPARE,
           OPT_VCD, OPT_VERILATOR, OPT_PARTIAL, OPT_JSON };
    static const struct option opts[] = {{"in", required_argument, NULL, OPT_IN},
                                         {"in-file", required_argument, NULL, OPT_IN_FILE},
                                         {"ready", required_argument, NULL, OPT_READY},
                                         {"cycles", required_argument, NULL, OPT_CYCLES},
                                         {"work", required_argument, NULL, OPT_WORK},
                                         {"no-compare", no_argument, NULL, OPT_NO_COMPARE},
                                         {"vcd", required_argument, NULL, OPT_VCD},
                                         {"verilator", required_argument, NULL, OPT_VERILATOR},
                                         {"partial", no_argument, NULL, OPT_PARTIAL},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {0, 0, 0, 0}};
    bmc_feed *feeds = calloc((size_t)argc, sizeof *feeds);
    if (!feeds) {
        fprintf(stderr, "bmc verify: out of memory\n");
        return BMC_EXIT_FAIL;
    }
    int n_feeds = 0, compare = 1, partial = 0, json = 0, c;
    uint64_t cycles = DEFAULT_CYCLES;
    const char *work = NULL, *vcd = NULL, *verilator = NULL;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case OPT_IN: feeds[n_feeds++] = (bmc_feed){'i', optarg}; break;
        case OPT_IN_FILE: feeds[n_feeds++] = (bmc_feed){'f', optarg}; break;
        case OPT_READY: feeds[n_feeds++] = (bmc_feed){'r', optarg}; break;
        case OPT_CYCLES:
            if (bmc_parse_count(optarg, &cycles)) {
                free(feeds);
                return bmc_usage_error("verify", "--cycles needs a count, not '%s'", optarg);
            }
            break;
        case OPT_PARTIAL: partial = 1; break;
        case OPT_JSON: json = 1; break;
        case OPT_WORK: work = optarg; break;
        case OPT_NO_COMPARE: compare = 0; break;
        case OPT_VCD: vcd = optarg; break;
        case OPT_VERILATOR: verilator = optarg; break;
        case ':':
            free(feeds);
            return bmc_usage_error("verify", "option '%s' needs a value", argv[optind - 1]);
        default:
            free(feeds);
            return bmc_usage_error("verify", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(feeds);
        return bmc_usage_error("verify", "expected exactly one FILE.xml");
    }
    if (!compare && cycles == 0) {
        free(feeds);
        return bmc_usage_error("verify", "--no-compare runs the RTL for --cycles cycles: "
                                         "give a positive count");
    }

    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m = NULL;
    bm_sim *sim = NULL;
    bm_cosim_stimulus *st = NULL;
    bm_cosim *cs = NULL;
    bm_sim_transfer *rtl = NULL, *expected = NULL;
    size_t n_rtl = 0, n_expected = 0;
    char *dir = NULL, *base = NULL;
    int status = BMC_EXIT_FAIL;
    if (bmc_load_machine(ctx, argv[optind], &m))
        goto done;
    if (bm_sim_new(&sim, m, NULL) || bmc_apply_feeds(sim, feeds, n_feeds) ||
        bm_cosim_stimulus_capture(&st, sim))
        goto done;

    uint64_t rtl_cycles = cycles;
    bm_sim_stop stop = BM_SIM_STEPPED;
    if (compare) {
        bm_sim_limits lim = BM_SIM_LIMITS_INIT;
        lim.max_cycles = cycles;
        if (bm_sim_run(sim, &lim, &stop))
            goto done;
        if (stop != BM_SIM_STOP_CYCLES)
            rtl_cycles = bm_sim_cycle(sim) + MARGIN_CYCLES;
        n_expected = bm_sim_output_count(sim);
        expected = calloc(n_expected ? n_expected : 1, sizeof *expected);
        if (!expected)
            goto done;
        for (size_t i = 0; i < n_expected; i++)
            bm_sim_output(sim, i, &expected[i]);
    }

    if (!work) {
        base = default_work_dir(bm_machine_name(m));
        size_t n = base ? strlen(base) + strlen(bm_machine_name(m)) + 2 : 0;
        dir = base ? malloc(n) : NULL;
        if (!dir)
            goto done;
        snprintf(dir, n, "%s/%s", base, bm_machine_name(m));
        /* The parent folder may not exist yet; it is private to the user. */
        if (mkdir(base, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "bmc verify: cannot create %s: %s\n", base, strerror(errno));
            goto done;
        }
        work = dir;
    }
    bm_cosim_options co = BM_COSIM_OPTIONS_INIT;
    co.work_dir = work;
    co.trace = vcd != NULL;
    co.verilator = verilator;
    if (bm_cosim_build(&cs, m, &co) || bm_cosim_run(cs, st, rtl_cycles, vcd, &rtl, &n_rtl))
        goto done;

    if (!compare && json) {
        bmc_json *j = bmc_json_new();
        if (!j) {
            fprintf(stderr, "bmc verify: out of memory\n");
            goto done;
        }
        bmc_json_string(j, "machine", bm_machine_name(m));
        bmc_json_uint(j, "cycles", rtl_cycles);
        bmc_json_array(j, "transfers");
        for (size_t i = 0; i < n_rtl; i++)
            json_transfer(j, NULL, m, &rtl[i]);
        bmc_json_end(j);
        status = bmc_json_print(j) == 0 ? BMC_EXIT_OK : BMC_EXIT_FAIL;
        bmc_json_free(j);
        goto done;
    }
    if (!compare) {
        for (size_t i = 0; i < n_rtl; i++)
            print_transfer(stdout, m, &rtl[i]);
        status = fflush(stdout) == 0 ? BMC_EXIT_OK : BMC_EXIT_FAIL;
        goto done;
    }
    long diff = bm_cosim_first_difference(expected, n_expected, rtl, n_rtl);
    if (diff >= 0) {
        report_difference(m, expected, n_expected, rtl, n_rtl, diff);
        if (json)
            print_json(m, "differ", n_expected, rtl_cycles, stop, sim, expected, n_expected, rtl,
                       n_rtl, diff);
        goto done;
    }
    if (stop == BM_SIM_STOP_CYCLES && !partial) {
        size_t left = 0;
        for (unsigned i = 0; i < bm_machine_input_count(m); i++)
            left += bm_sim_input_pending(sim, i);
        fprintf(stderr,
                "verify: %s: incomplete: the cycle limit (%" PRIu64 ") stopped the run before "
                "the machine did, with %zu input value%s not yet taken; the %zu output "
                "transfers made until then agree.  Raise --cycles (0: no limit), or pass "
                "--partial to accept a partial run.\n",
                bm_machine_name(m), cycles, left, left == 1 ? "" : "s", n_expected);
        if (json && print_json(m, "incomplete", n_expected, rtl_cycles, stop, sim, expected,
                               n_expected, rtl, n_rtl, -1))
            goto done;
        status = BMC_EXIT_CYCLES;
        goto done;
    }
    if (json) {
        if (print_json(m, stop == BM_SIM_STOP_CYCLES ? "partial" : "agree", n_expected, rtl_cycles,
                       stop, sim, expected, n_expected, rtl, n_rtl, -1) == 0)
            status = BMC_EXIT_OK;
        goto done;
    }
    if (stop == BM_SIM_STOP_CYCLES)
        printf("verify: %s: partial run: RTL and simulator agree on the %zu output transfers "
               "of the first %" PRIu64 " cycles (the cycle limit stopped the simulator)\n",
               bm_machine_name(m), n_expected, rtl_cycles);
    else
        printf("verify: %s: RTL and simulator agree on all %zu output transfers (%" PRIu64
               " cycles; simulator stopped: %s)\n",
               bm_machine_name(m), n_expected, rtl_cycles,
               /* as bmc sim says it: a run that used up its stimulus is no deadlock */
               stop == BM_SIM_STOP_DEADLOCK && bm_sim_input_ended(sim) ? "end of input"
                                                                      : bm_sim_stop_name(stop));
    status = fflush(stdout) == 0 ? BMC_EXIT_OK : BMC_EXIT_FAIL;
done:
    bmc_print_diags(ctx);
    bm_cosim_transfers_free(cs, rtl);
    bm_cosim_free(cs);
    bm_cosim_stimulus_free(st);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    free(expected);
    free(dir);
    free(base);
    free(feeds);
    return status;
}

const bmc_command bmc_cmd_verify = {"verify", "co-simulate the RTL under Verilator against the simulator",
                                    run, help};
