/* bmc fmt: print a machine in canonical form. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc fmt [-o OUT.xml] FILE.xml\n"
            "\n"
            "Reads and validates a machine description and writes it in canonical\n"
            "form (docs/format.md): fixed attribute order and indentation, opcodes\n"
            "in catalogue order, numbers in decimal.  Formatting a canonical file\n"
            "gives the same bytes.  Nothing is written when the input is invalid.\n"
            "\n"
            "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
            "\n"
            "Exit status: 0 written, 1 invalid input or write error, 2 usage error.\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    const char *output = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o')
            output = optarg;
        else if (c == ':' || optopt)
            return bmc_usage_error("fmt", "option '%s' is unknown or needs a value", argv[optind - 1]);
        else
            return bmc_usage_error("fmt", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return bmc_usage_error("fmt", "expected exactly one FILE.xml");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc == 0) {
        rc = output ? bm_machine_write_file(m, output) : bm_machine_write_stream(m, stdout);
        bmc_print_diags(ctx);
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_fmt = {"fmt", "print a machine XML in canonical form", run, help};
