/* bmc check: validate a machine and print a short summary. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc check [-q] FILE.xml\n"
            "\n"
            "Reads a machine description, validates it against the schema and the\n"
            "machine rules, and prints a summary: cores, ports, bonds, opcode sets\n"
            "and instruction widths.  Warnings (for example an unconnected input)\n"
            "are printed but do not fail the check.\n"
            "\n"
            "  -q, --quiet   print nothing but diagnostics\n"
            "\n"
            "Exit status: 0 valid, 1 invalid or unreadable, 2 usage error.\n");
}

static void print_summary(const bm_machine *m)
{
    unsigned nc = bm_machine_core_count(m);
    printf("machine %s: %u core%s, %u input%s, %u output%s, %u bond%s\n", bm_machine_name(m), nc,
           nc == 1 ? "" : "s", bm_machine_input_count(m),
           bm_machine_input_count(m) == 1 ? "" : "s", bm_machine_output_count(m),
           bm_machine_output_count(m) == 1 ? "" : "s", bm_machine_bond_count(m),
           bm_machine_bond_count(m) == 1 ? "" : "s");
    for (unsigned i = 0; i < bm_machine_input_count(m); i++)
        printf("  input  %s: %u bits\n", bm_machine_input_name(m, i), bm_machine_input_width(m, i));
    for (unsigned i = 0; i < bm_machine_output_count(m); i++)
        printf("  output %s: %u bits\n", bm_machine_output_name(m, i),
               bm_machine_output_width(m, i));
    for (unsigned i = 0; i < nc; i++) {
        const bm_core *c = bm_machine_core(m, i);
        const bm_core_params *p = bm_core_get_params(c);
        bm_encoding enc;
        bm_core_encoding(c, &enc);
        printf("  core %s: %u-bit word, %u register%s, ROM %u x %u bits (%u used), RAM %u, %u in, "
               "%u out\n",
               bm_core_name(c), p->width, p->registers, p->registers == 1 ? "" : "s", p->rom_depth,
               enc.insn_width, bm_core_program_length(c), p->ram_depth, p->inputs, p->outputs);
        printf("    %u opcode%s:", enc.n_opcodes, enc.n_opcodes == 1 ? "" : "s");
        for (unsigned k = 0; k < enc.n_opcodes; k++)
            printf(" %s", bm_isa_get(enc.opcode_id[k])->mnemonic);
        printf("\n");
    }
    for (unsigned b = 0; b < bm_machine_bond_count(m); b++) {
        printf("  bond %s ->", bm_machine_bond_source_text(m, b));
        for (unsigned k = 0; k < bm_machine_bond_sink_count(m, b); k++)
            printf(" %s", bm_machine_bond_sink_text(m, b, k));
        printf("\n");
    }
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'}, {0, 0, 0, 0}};
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else
            return bmc_usage_error("check", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return bmc_usage_error("check", "expected exactly one FILE.xml");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc == 0) {
        if (!quiet)
            print_summary(m);
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_check = {"check", "validate a machine XML and summarise it", run, help};
