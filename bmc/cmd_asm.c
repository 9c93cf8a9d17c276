/* bmc asm: assemble a program into a machine XML. */
#include <getopt.h>
#include <stdlib.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc asm [-o OUT.xml] [--name NAME] [--width BITS] PROG.s\n"
            "\n"
            "Assembles a program (docs/asm.md): one or more cores, their RAM\n"
            "contents, external ports and bonds.  Each core's opcode set, register\n"
            "count, port counts and ROM and RAM depth are derived from its program\n"
            "unless the program pins them.  The result is a validated machine XML\n"
            "(docs/format.md) with the programs in it.  Errors are printed as\n"
            "FILE:LINE:COL: error: MESSAGE and nothing is written; warnings (for\n"
            "example an unconnected port) are printed but do not fail.\n"
            "\n"
            "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
            "  -n, --name NAME     name the machine NAME (overrides .machine): a letter or\n"
            "                      '_', then letters, digits or '_', at most 64\n"
            "  -w, --width BITS    word width of a file without .core or .width\n"
            "                      (default 8)\n"
            "\n"
            "Exit status: 0 written, 1 errors in the program or a write error,\n"
            "2 usage error.\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"width", required_argument, NULL, 'w'},
                                         {0, 0, 0, 0}};
    bm_asm_options opt = BM_ASM_OPTIONS_INIT;
    const char *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:n:w:", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': output = optarg; break;
        case 'n':
            /* checked here, so the message names the option, not PROG.s:1:1 */
            if (!bmc_is_identifier(optarg))
                return bmc_usage_error("asm", "--name needs an identifier (a letter or '_', then "
                                              "letters, digits or '_', at most 64 characters)");
            opt.machine_name = optarg;
            break;
        case 'w':
            opt.default_width = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !*optarg || opt.default_width < 1 || opt.default_width > BM_WIDTH_MAX)
                return bmc_usage_error("asm", "--width needs a number of bits from 1 to %d",
                                       BM_WIDTH_MAX);
            break;
        case ':': return bmc_usage_error("asm", "option '%s' needs a value", argv[optind - 1]);
        default: return bmc_usage_error("asm", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("asm", "expected exactly one PROG.s");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bm_asm_file(&m, ctx, argv[optind], &opt);
    if (rc == 0) {
        rc = output ? bm_machine_write_file(m, output) : bm_machine_write_stream(m, stdout);
        bm_machine_free(m);
    }
    bmc_print_diags(ctx);
    if (rc && bm_ctx_error_count(ctx) == 0)
        fprintf(stderr, "bmc asm: %s\n", bm_strerror(rc));
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_asm = {"asm", "assemble a program into a machine XML", run, help};
