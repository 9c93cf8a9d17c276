/* bmc sim: run a machine in the cycle-accurate simulator (docs/sim.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"

enum { EXIT_SIM_CYCLES = BMC_EXIT_CYCLES, EXIT_SIM_DEADLOCK = 4, EXIT_SIM_INPUT_END = 5 };
#define DEFAULT_CYCLES BMC_DEFAULT_CYCLES

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc sim [OPTIONS] FILE.xml\n"
            "\n"
            "Simulates the machine cycle by cycle with the timing of docs/timing.md and\n"
            "prints every transfer on an external output, one per line:\n"
            "\n"
            "    CYCLE OUTPUT VALUE\n"
            "\n"
            "(decimal cycle, output name, value), in order of cycle then output index,\n"
            "printed as the run goes (memory stays bounded however long it runs).\n"
            "VALUE is the word read as a signed (two's complement) number of the\n"
            "output's width (a 1-bit output prints 0 or 1), the exact decimal of a\n"
            "fixed-point value on an output given a --type, or with --raw the word as\n"
            "an unsigned number.  Nothing else goes to stdout; the reason the run\n"
            "stopped, and for a deadlock or the cycle limit what each core waits on,\n"
            "go to stderr.\n"
            "\n"
            "  --in NAME=V1,V2,...   values for external input NAME, offered one per\n"
            "                        transfer from cycle 0 (repeatable; values append)\n"
            "  --in-file FILE        stimulus file: lines 'NAME = V1, V2, ...', '#' comments\n"
            "  --ready NAME=PATTERN  back-pressure on external output NAME: ready in\n"
            "                        cycle c is PATTERN[c mod length], e.g. 1,0,0\n"
            "                        (default: always ready)\n"
            "  --type [NAME=]TYPE    the external port NAME (without NAME: every\n"
            "                        external port) carries fixed<TOTAL,INTEGER> values\n"
            "                        (int<TOTAL>: integers), TOTAL being its width:\n"
            "                        inputs take decimal values (--in x=1.5, rounded\n"
            "                        to nearest, ties to even; out of range is an\n"
            "                        error), outputs print them.  Repeatable; a later\n"
            "                        one wins, e.g. --type fixed<16,6> --type class=int<16>\n"
            "                        (machines do not record the type of their ports)\n"
            "  --raw                 print output values as unsigned words\n"
            "  --cycles N            stop after N cycles (default %d; 0: no limit)\n"
            "  --outputs N           stop at the end of the cycle in which the Nth\n"
            "                        output transfer happens\n"
            "  --vcd FILE            write a VCD waveform (clk, every bond's data/valid/\n"
            "                        ready, every core's pc, halted flag, registers and\n"
            "                        state: running, waiting on which port, halted); put\n"
            "                        in place only when the run succeeds, so a failed or\n"
            "                        killed run leaves an earlier FILE as it was\n"
            "  --gtkw FILE           with --vcd: also write a GTKWave save file that\n"
            "                        groups the signals per core and per bond\n"
            "  --activity FILE.svg   draw each core's busy, stalled (output not taken),\n"
            "                        idle (waiting for input) and halted cycles\n"
            "  --json                print one JSON object instead: outputs (each with\n"
            "                        \"value\": signed or, with --type, the decoded\n"
            "                        decimal, and \"raw\": the unsigned word), stop\n"
            "                        reason, cycles and each core's final state\n"
            "  -q, --quiet           print no stop summary on stderr\n"
            "\n"
            "Input values are decimal, 0x hex or 0b binary; a negative value is\n"
            "accepted when it fits the input's width as a signed number, and is\n"
            "wrapped.  On an input with a --type they are decimal constants of it.\n"
            "\n"
            "Exit status:\n"
            "  0  the --outputs count was reached, or every core halted\n"
            "  1  bad input (machine, stimulus, pattern) or an I/O error\n"
            "  2  usage error\n"
            "  3  the cycle limit was reached\n"
            "  4  deadlock: nothing can change any more, and not for want of input\n"
            "  5  end of input: every stimulus value was taken and a core waits for\n"
            "     more on an external input (how a streaming machine's run ends)\n",
            DEFAULT_CYCLES);
}

static void describe(const bm_sim *sim, unsigned core, char *buf, size_t size)
{
    if (bm_sim_describe_stall(sim, core, buf, size) < 0)
        snprintf(buf, size, "?");
}

/* How output values are printed: the type of each external output (frac
 * and total; typed[i] 0: a plain signed integer) and --raw. */
typedef struct value_format {
    int raw;
    char *typed;
    bm_fixed_type *type;
} value_format;

/* The value of a transfer as text: signed, decoded or raw (--raw, or
 * raw_only for JSON's "raw"). */
static void format_value(char *buf, size_t size, const bm_machine *m, const value_format *vf,
                         const bm_sim_transfer *t, int raw_only)
{
    unsigned width = bm_machine_output_width(m, t->output);
    if (raw_only || vf->raw || width == 1)
        snprintf(buf, size, "%" PRIu64, t->value);
    else if (vf->typed[t->output])
        bm_fixed_format(buf, size, bm_sign_extend(t->value, width), vf->type[t->output]);
    else
        snprintf(buf, size, "%" PRId64, bm_sign_extend(t->value, width));
}

/* The end of the --json object, after the streamed "outputs" array. */
static void print_json_tail(const bm_sim *sim, const bm_machine *m, bm_sim_stop stop)
{
    int input_end = stop == BM_SIM_STOP_DEADLOCK && bm_sim_input_ended(sim);
    printf("],\"stop\":\"%s\",\"cycles\":%" PRIu64, input_end ? "input_end" : bm_sim_stop_name(stop),
           bm_sim_cycle(sim));
    if (stop == BM_SIM_STOP_DEADLOCK)
        printf(",\"deadlock_cycle\":%" PRIu64, bm_sim_deadlock_cycle(sim));
    printf(",\"cores\":[");
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        unsigned pc = 0;
        char state[1024];
        bm_sim_pc(sim, i, &pc);
        describe(sim, i, state, sizeof state);
        printf("%s{\"name\":", i ? "," : "");
        bmc_json_put_string(stdout, bm_core_name(bm_machine_core(m, i)));
        printf(",\"pc\":%u,\"halted\":%s,\"retired\":%" PRIu64 ",\"state\":", pc,
               bm_sim_core_halted(sim, i) == 1 ? "true" : "false", bm_sim_retired(sim, i));
        bmc_json_put_string(stdout, state);
        printf("}");
    }
    printf("]}\n");
}

/* Prints the transfers the simulator holds and drops them. */
static void print_transfers(bm_sim *sim, const bm_machine *m, const value_format *vf, int json,
                            uint64_t *printed)
{
    for (size_t i = 0; i < bm_sim_output_count(sim); i++, (*printed)++) {
        bm_sim_transfer t;
        char value[96], raw[32];
        bm_sim_output(sim, i, &t);
        if (json) {
            value_format decoded = *vf;
            decoded.raw = 0;
            format_value(value, sizeof value, m, &decoded, &t, 0);
            format_value(raw, sizeof raw, m, vf, &t, 1);
            printf("%s{\"cycle\":%" PRIu64 ",\"output\":", *printed ? "," : "", t.cycle);
            bmc_json_put_string(stdout, bm_machine_output_name(m, t.output));
            printf(",\"value\":%s,\"raw\":%s}", value, raw);
        } else {
            format_value(value, sizeof value, m, vf, &t, 0);
            printf("%" PRIu64 " %s %s\n", t.cycle, bm_machine_output_name(m, t.output), value);
        }
    }
    bm_sim_discard_outputs(sim);
}

/* Transfers a slice of the run may hold before they are printed. */
#define SLICE_TRANSFERS 4096

/* Runs to one of the limits, printing each transfer soon after it happens
 * and dropping it, so that memory stays bounded however long the run
 * (--cycles 0 on a free-running machine): the run goes in slices of cycles
 * that can record at most about SLICE_TRANSFERS transfers.  The simulator's
 * stop rules see one run; only its cycle limit is cut into slices.
 * Returns 0, or 1 when the run or writing stdout failed. */
static int run_streaming(bm_sim *sim, const bm_machine *m, const bm_sim_limits *limits,
                         const value_format *vf, int json, bm_sim_stop *stop)
{
    unsigned outputs = bm_machine_output_count(m);
    uint64_t slice = outputs < SLICE_TRANSFERS ? SLICE_TRANSFERS / (outputs ? outputs : 1) : 1;
    uint64_t printed = 0;
    bm_sim_limits part = *limits;
    if (json)
        printf("{\"outputs\":[");
    for (;;) {
        uint64_t end = bm_sim_cycle(sim) + slice;
        int last = limits->max_cycles && end >= limits->max_cycles;
        part.max_cycles = last ? limits->max_cycles : end;
        int rc = bm_sim_run(sim, &part, stop);
        print_transfers(sim, m, vf, json, &printed);
        if (rc)
            return 1;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "bmc sim: cannot write the output\n");
            return 1;
        }
        if (*stop != BM_SIM_STOP_CYCLES || last)
            return 0;
    }
}

static void print_summary(const bm_sim *sim, const bm_machine *m, bm_sim_stop stop)
{
    uint64_t cycles = bm_sim_cycle(sim);
    switch (stop) {
    case BM_SIM_STOP_OUTPUTS:
        fprintf(stderr, "stopped: output count reached after %" PRIu64 " cycles\n", cycles);
        break;
    case BM_SIM_STOP_HALTED:
        fprintf(stderr, "stopped: all cores halted after %" PRIu64 " cycles\n", cycles);
        break;
    case BM_SIM_STOP_CYCLES:
        fprintf(stderr, "stopped: cycle limit reached after %" PRIu64 " cycles\n", cycles);
        break;
    case BM_SIM_STOP_DEADLOCK:
        if (bm_sim_input_ended(sim))
            fprintf(stderr,
                    "stopped: end of input at cycle %" PRIu64
                    ": every stimulus value was taken and the machine waits for more\n",
                    bm_sim_deadlock_cycle(sim));
        else
            fprintf(stderr, "stopped: deadlock at cycle %" PRIu64 "\n", bm_sim_deadlock_cycle(sim));
        break;
    default: break;
    }
    if (stop == BM_SIM_STOP_DEADLOCK || stop == BM_SIM_STOP_CYCLES) {
        for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
            char state[1024];
            describe(sim, i, state, sizeof state);
            fprintf(stderr, "core %s: %s\n", bm_core_name(bm_machine_core(m, i)), state);
        }
    }
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        size_t left = bm_sim_input_pending(sim, i);
        if (left)
            fprintf(stderr, "input %s: %zu value%s not taken\n", bm_machine_input_name(m, i), left,
                    left == 1 ? "" : "s");
    }
}

/* Applies the --type options in order: inputs to the simulator (so that
 * the stimulus is read in their type), outputs to vf.  0, or 1 after
 * printing the error. */
static int apply_types(bm_sim *sim, const bm_machine *m, char **specs, int n, value_format *vf)
{
    for (int k = 0; k < n; k++) {
        const char *spec = specs[k];
        const char *eq = strchr(spec, '=');
        const char *type_text = eq ? eq + 1 : spec;
        char name[72] = "";
        if (eq) {
            if ((size_t)(eq - spec) >= sizeof name) {
                fprintf(stderr, "bmc sim: --type %s: no such external port\n", spec);
                return 1;
            }
            memcpy(name, spec, (size_t)(eq - spec));
            name[eq - spec] = '\0';
        }
        bm_fixed_type t;
        if (bm_graph_parse_type(type_text, &t)) {
            fprintf(stderr, "bmc sim: --type %s: expected fixed<TOTAL,INTEGER> or int<TOTAL>\n",
                    spec);
            return 1;
        }
        int in = eq ? bm_machine_find_input(m, name) : -1;
        int out = eq ? bm_machine_find_output(m, name) : -1;
        if (eq && in < 0 && out < 0) {
            fprintf(stderr, "bmc sim: --type %s: machine '%s' has no external port '%s'\n", spec,
                    bm_machine_name(m), name);
            return 1;
        }
        for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
            if (eq && (int)i != in)
                continue;
            if (bm_machine_input_width(m, i) != t.total) {
                fprintf(stderr, "bmc sim: --type %s: input '%s' is %u bits wide\n", spec,
                        bm_machine_input_name(m, i), bm_machine_input_width(m, i));
                return 1;
            }
            if (bm_sim_set_input_type(sim, i, t))
                return 1;
        }
        for (unsigned i = 0; i < bm_machine_output_count(m); i++) {
            if (eq && (int)i != out)
                continue;
            if (bm_machine_output_width(m, i) != t.total) {
                fprintf(stderr, "bmc sim: --type %s: output '%s' is %u bits wide\n", spec,
                        bm_machine_output_name(m, i), bm_machine_output_width(m, i));
                return 1;
            }
            vf->typed[i] = t.frac != 0;
            vf->type[i] = t;
        }
    }
    return 0;
}

static int run(int argc, char **argv)
{
    enum {
        OPT_IN = 256,
        OPT_IN_FILE,
        OPT_READY,
        OPT_CYCLES,
        OPT_OUTPUTS,
        OPT_VCD,
        OPT_JSON,
        OPT_GTKW,
        OPT_ACTIVITY,
        OPT_TYPE,
        OPT_RAW
    };
    static const struct option opts[] = {
        {"in", required_argument, NULL, OPT_IN},
        {"in-file", required_argument, NULL, OPT_IN_FILE},
        {"ready", required_argument, NULL, OPT_READY},
        {"cycles", required_argument, NULL, OPT_CYCLES},
        {"outputs", required_argument, NULL, OPT_OUTPUTS},
        {"vcd", required_argument, NULL, OPT_VCD},
        {"gtkw", required_argument, NULL, OPT_GTKW},
        {"activity", required_argument, NULL, OPT_ACTIVITY},
        {"json", no_argument, NULL, OPT_JSON},
        {"type", required_argument, NULL, OPT_TYPE},
        {"raw", no_argument, NULL, OPT_RAW},
        {"quiet", no_argument, NULL, 'q'},
        {0, 0, 0, 0}};
    bmc_feed *feeds = calloc((size_t)argc, sizeof *feeds);
    char **types = calloc((size_t)argc, sizeof *types);
    if (!feeds || !types) {
        fprintf(stderr, "bmc sim: out of memory\n");
        free(feeds);
        free(types);
        return BMC_EXIT_FAIL;
    }
    value_format vf = {0, NULL, NULL};
    int n_feeds = 0, n_types = 0, json = 0, quiet = 0, c;
    const char *vcd = NULL, *gtkw = NULL, *activity = NULL;
    bm_sim_limits limits = BM_SIM_LIMITS_INIT;
    limits.max_cycles = DEFAULT_CYCLES;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":q", opts, NULL)) != -1) {
        switch (c) {
        case OPT_IN: feeds[n_feeds++] = (bmc_feed){'i', optarg}; break;
        case OPT_IN_FILE: feeds[n_feeds++] = (bmc_feed){'f', optarg}; break;
        case OPT_READY: feeds[n_feeds++] = (bmc_feed){'r', optarg}; break;
        case OPT_CYCLES:
            if (bmc_parse_count(optarg, &limits.max_cycles)) {
                free(feeds);
                free(types);
                return bmc_usage_error("sim", "--cycles needs a count, not '%s'", optarg);
            }
            break;
        case OPT_OUTPUTS:
            if (bmc_parse_count(optarg, &limits.max_outputs)) {
                free(feeds);
                free(types);
                return bmc_usage_error("sim", "--outputs needs a count, not '%s'", optarg);
            }
            break;
        case OPT_VCD: vcd = optarg; break;
        case OPT_GTKW: gtkw = optarg; break;
        case OPT_ACTIVITY: activity = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_TYPE: types[n_types++] = optarg; break;
        case OPT_RAW: vf.raw = 1; break;
        case 'q': quiet = 1; break;
        case ':':
            free(feeds);
            free(types);
            return bmc_usage_error("sim", "option '%s' needs a value", argv[optind - 1]);
        default:
            free(feeds);
            free(types);
            return bmc_usage_error("sim", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        free(feeds);
        free(types);
        return bmc_usage_error("sim", "expected exactly one FILE.xml");
    }
    if (gtkw && !vcd) {
        free(feeds);
        free(types);
        return bmc_usage_error("sim", "--gtkw needs --vcd");
    }

    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m = NULL;
    bm_sim *sim = NULL;
    int status = BMC_EXIT_FAIL;
    if (bmc_load_machine(ctx, argv[optind], &m))
        goto done;
    unsigned n_out = bm_machine_output_count(m);
    vf.typed = calloc(n_out ? n_out : 1, sizeof *vf.typed);
    vf.type = calloc(n_out ? n_out : 1, sizeof *vf.type);
    if (!vf.typed || !vf.type) {
        fprintf(stderr, "bmc sim: out of memory\n");
        goto done;
    }
    if (bm_sim_new(&sim, m, NULL) || apply_types(sim, m, types, n_types, &vf) ||
        bmc_apply_feeds(sim, feeds, n_feeds))
        goto done;
    if (vcd && bm_sim_vcd_open(sim, vcd))
        goto done;
    if (activity && bm_sim_activity_start(sim))
        goto done;
    bm_sim_stop stop;
    if (run_streaming(sim, m, &limits, &vf, json, &stop))
        goto done;
    if (gtkw && bm_sim_gtkw_write(sim, gtkw))
        goto done;
    if (activity) {
        char *svg;
        size_t len;
        if (bm_sim_activity_svg(&svg, &len, sim))
            goto done;
        int bad = bmc_write_file(activity, svg, len);
        bm_sim_text_free(sim, svg);
        if (bad)
            goto done;
    }
    /* the VCD last: a failure before leaves an earlier file as it was */
    if (vcd && bm_sim_vcd_close(sim))
        goto done;
    if (json)
        print_json_tail(sim, m, stop);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "bmc sim: cannot write the output\n");
        goto done;
    }
    if (!quiet)
        print_summary(sim, m, stop);
    status = stop == BM_SIM_STOP_CYCLES ? EXIT_SIM_CYCLES
             : stop != BM_SIM_STOP_DEADLOCK ? BMC_EXIT_OK
             : bm_sim_input_ended(sim)      ? EXIT_SIM_INPUT_END
                                            : EXIT_SIM_DEADLOCK;
done:
    bmc_print_diags(ctx);
    bm_sim_vcd_discard(sim); /* after a failure: nothing replaces an earlier VCD */
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    free(feeds);
    free(types);
    free(vf.typed);
    free(vf.type);
    return status;
}

const bmc_command bmc_cmd_sim = {"sim", "simulate a machine cycle by cycle", run, help};
