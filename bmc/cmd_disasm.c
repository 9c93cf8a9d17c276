/* bmc disasm: print a machine's programs in the assembler's syntax. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc disasm [--words] FILE.xml\n"
            "\n"
            "Reads a machine and prints it as an assembler program (docs/asm.md):\n"
            "external ports, every core with all its parameters pinned, its RAM\n"
            "contents and its program decoded from the encoded ROM words, with\n"
            "labels L0, L1, ... at jump targets, and the bonds.  'bmc asm' on the\n"
            "output gives a machine with the same encoded words.\n"
            "\n"
            "  -w, --words   show each instruction's address and encoded word\n"
            "                (hexadecimal) in a comment\n"
            "\n"
            "Exit status: 0 printed, 1 invalid input, 2 usage error.\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"words", no_argument, NULL, 'w'}, {0, 0, 0, 0}};
    bm_disasm_options opt = BM_DISASM_OPTIONS_INIT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c == 'w')
            opt.flags |= BM_DISASM_WORDS;
        else
            return bmc_usage_error("disasm", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return bmc_usage_error("disasm", "expected exactly one FILE.xml");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc == 0) {
        char *text;
        size_t len;
        rc = bm_disasm_machine(&text, &len, m, &opt);
        if (rc == 0) {
            if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
                rc = BM_EIO;
            bm_disasm_free(ctx, text);
        }
        bmc_print_diags(ctx);
        if (rc && bm_ctx_error_count(ctx) == 0)
            fprintf(stderr, "bmc disasm: %s\n", bm_strerror(rc));
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_disasm = {"disasm", "print a machine's programs as assembler text", run,
                                    help};
