/* bmc verilog: write a machine's synthesizable Verilog to a folder. */
#include <getopt.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc verilog [OPTIONS] FILE.xml -o DIR\n"
            "\n"
            "Reads and validates a machine and writes its Verilog-2005 into the folder\n"
            "DIR: one file per distinct core module, the top module (named after the\n"
            "machine), files.f (the Verilog files in compile order) and MANIFEST.\n"
            "docs/verilog.md describes the design.  The folder is written all or\n"
            "nothing: a failure leaves DIR as it was.  An existing DIR is written into\n"
            "only when it is empty or an earlier output of this command (it has its\n"
            "MANIFEST): the files MANIFEST lists are replaced or, when no longer\n"
            "written, deleted; any other file in DIR is kept, never replaced.\n"
            "\n"
            "  -o, --output DIR     the folder to write (required)\n"
            "  -t, --top NAME       name the top module NAME instead of the machine's name\n"
            "                       (an identifier of at most 64 characters)\n"
            "      --rom STYLE      auto (default), logic or block: how program ROMs are\n"
            "                       written (logic: decoded before the fetch register;\n"
            "                       block: a memory yosys maps to block RAM); auto uses\n"
            "                       logic up to %d instructions\n"
            "      --harness        also write tb_TOP.cpp, a Verilator harness that prints\n"
            "                       'CYCLE OUTPUT VALUE' for every output transfer\n"
            "      --pin-wrapper    also write TOP_pins.v, the machine behind three pins,\n"
            "                       for area and Fmax trials with yosys and nextpnr\n"
            "\n"
            "Exit status: 0 written, 1 invalid input or write error, 2 usage error.\n",
            BM_VERILOG_ROM_LOGIC_MAX);
}

static int run(int argc, char **argv)
{
    enum { OPT_ROM = 256, OPT_HARNESS, OPT_PINS };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"top", required_argument, NULL, 't'},
                                         {"rom", required_argument, NULL, OPT_ROM},
                                         {"harness", no_argument, NULL, OPT_HARNESS},
                                         {"pin-wrapper", no_argument, NULL, OPT_PINS},
                                         {0, 0, 0, 0}};
    bm_verilog_options vopt = BM_VERILOG_OPTIONS_INIT;
    const char *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:t:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 't': vopt.top_name = optarg; break;
        case OPT_ROM:
            if (strcmp(optarg, "auto") == 0)
                vopt.rom_style = BM_VERILOG_ROM_AUTO;
            else if (strcmp(optarg, "logic") == 0)
                vopt.rom_style = BM_VERILOG_ROM_LOGIC;
            else if (strcmp(optarg, "block") == 0)
                vopt.rom_style = BM_VERILOG_ROM_BLOCK;
            else
                return bmc_usage_error("verilog", "--rom takes auto, logic or block, not '%s'",
                                       optarg);
            break;
        case OPT_HARNESS: vopt.harness = 1; break;
        case OPT_PINS: vopt.pin_wrapper = 1; break;
        case ':':
            return bmc_usage_error("verilog", "option '%s' needs a value", argv[optind - 1]);
        default: return bmc_usage_error("verilog", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("verilog", "expected exactly one FILE.xml");
    if (!output)
        return bmc_usage_error("verilog", "the output folder is required: -o DIR");
    if (!*output)
        return bmc_usage_error("verilog", "-o needs a folder name, not an empty string");
    if (vopt.top_name) {
        const char *t = vopt.top_name;
        int ok = (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '_';
        for (; ok && *t; t++)
            ok = (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
                 *t == '_';
        if (!ok || strlen(vopt.top_name) > BM_VERILOG_TOP_NAME_MAX)
            return bmc_usage_error("verilog",
                                   "--top needs an identifier (letters, digits, '_', not starting "
                                   "with a digit) of at most %d characters",
                                   BM_VERILOG_TOP_NAME_MAX);
    }
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc == 0) {
        rc = bm_verilog_write_dir(m, output, &vopt);
        bmc_print_diags(ctx);
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_verilog = {"verilog", "write a machine's synthesizable Verilog", run,
                                     help};
