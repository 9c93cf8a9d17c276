/* bmc random: write a seeded random machine (and stimulus) for testing. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc random --seed N [-o OUT.xml] [--stimulus FILE] [--count K]\n"
            "                  [--cores N] [--width W] [--registers R]\n"
            "\n"
            "Writes a random valid machine: 1..N cores with random word widths,\n"
            "register counts, opcode subsets and loop programs (streaming or\n"
            "terminating), bonded feed-forward.  The same seed gives the same\n"
            "machine on every host; it is what the differential tests use.\n"
            "\n"
            "  --seed N          the seed (required)\n"
            "  -o, --output F    write the machine to F (default: stdout)\n"
            "  --stimulus F      also write K random values per input to F, in the\n"
            "                    stimulus format of `bmc sim --in-file`\n"
            "  --count K         values per input for --stimulus (default 16)\n"
            "  --cores N         at most N cores (1..16, default 4)\n"
            "  --width W         widths drawn from 1..W (default 64)\n"
            "  --registers R     at most R registers in a loop body (default 8)\n"
            "\n"
            "Exit status: 0 written, 1 failure, 2 usage error.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || !*s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* The stimulus text, in a malloc'd string (NULL when out of memory). */
static char *stimulus_text(const bm_machine *m, uint64_t seed, unsigned count, size_t *len)
{
    unsigned n = bm_machine_input_count(m);
    uint64_t *v = calloc((size_t)(n ? n : 1) * (count ? count : 1), sizeof *v);
    char *text = NULL;
    FILE *f = v ? open_memstream(&text, len) : NULL;
    if (!f) {
        free(v);
        return NULL;
    }
    bm_random_stimulus(m, seed, count, v);
    fprintf(f, "# random stimulus, seed %llu\n", (unsigned long long)seed);
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "%s =", bm_machine_input_name(m, i));
        for (unsigned k = 0; k < count; k++)
            fprintf(f, "%s %llu", k ? "," : "", (unsigned long long)v[(size_t)i * count + k]);
        fprintf(f, "\n");
    }
    free(v);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        free(text);
        return NULL;
    }
    return text;
}

static int run(int argc, char **argv)
{
    enum { OPT_SEED = 256, OPT_STIM, OPT_COUNT, OPT_CORES, OPT_WIDTH, OPT_REGS };
    static const struct option opts[] = {
        {"seed", required_argument, NULL, OPT_SEED},     {"output", required_argument, NULL, 'o'},
        {"stimulus", required_argument, NULL, OPT_STIM}, {"count", required_argument, NULL, OPT_COUNT},
        {"cores", required_argument, NULL, OPT_CORES},   {"width", required_argument, NULL, OPT_WIDTH},
        {"registers", required_argument, NULL, OPT_REGS}, {0, 0, 0, 0}};
    bm_random_options ro = BM_RANDOM_OPTIONS_INIT;
    uint64_t seed = 0, count = 16, v;
    int have_seed = 0, c;
    const char *output = NULL, *stim = NULL;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        const char *arg = optarg;
        switch (c) {
        case 'o': output = arg; continue;
        case OPT_STIM: stim = arg; continue;
        case '?': return bmc_usage_error("random", "unknown option or missing value: '%s'", argv[optind - 1]);
        default: break;
        }
        if (parse_u64(arg, &v))
            return bmc_usage_error("random", "'%s' is not a number", arg);
        switch (c) {
        case OPT_SEED: seed = v; have_seed = 1; break;
        case OPT_COUNT: count = v; break;
        case OPT_CORES: ro.max_cores = (unsigned)(v > 16 ? 0 : v); break;
        case OPT_WIDTH: ro.max_width = (unsigned)(v > 64 ? 0 : v); break;
        case OPT_REGS: ro.max_registers = (unsigned)(v > 64 ? 0 : v); break;
        default: break;
        }
    }
    if (optind != argc)
        return bmc_usage_error("random", "unexpected argument '%s'", argv[optind]);
    if (!have_seed)
        return bmc_usage_error("random", "--seed is required");
    if (count > 100000)
        return bmc_usage_error("random", "--count must be at most 100000");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bm_random_machine(&m, ctx, seed, &ro);
    if (rc == BM_EINVAL) {
        bm_ctx_free(ctx);
        return bmc_usage_error("random", "--cores must be 1..16, --width 1..64, --registers 1..64");
    }
    if (rc == 0) {
        /* The machine and the stimulus are written together or not at all. */
        bm_output *out = NULL;
        char *text = NULL;
        size_t len = 0;
        rc = bm_output_new(&out, ctx);
        if (!rc && output)
            rc = bm_output_add_machine(out, m, output);
        if (!rc && stim) {
            text = stimulus_text(m, seed, (unsigned)count, &len);
            if (!text) {
                fprintf(stderr, "bmc random: out of memory\n");
                rc = BM_ENOMEM;
            } else {
                rc = bm_output_add_file(out, stim, text, len);
            }
        }
        if (!rc)
            rc = bm_output_commit(out);
        bm_output_free(out);
        free(text);
        if (!rc && !output)
            rc = bm_machine_write_stream(m, stdout);
        bm_machine_free(m);
    }
    bmc_print_diags(ctx);
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_random = {"random", "write a seeded random machine for testing", run, help};
