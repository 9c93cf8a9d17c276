/* bmc check: validate a machine and print a short summary. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc check [-q | --json] FILE.xml\n"
            "\n"
            "Reads a machine description, validates it against the schema and the\n"
            "machine rules, and prints a summary: cores, ports, bonds, opcode sets\n"
            "and instruction widths.  Warnings (for example an unconnected input)\n"
            "are printed but do not fail the check.\n"
            "\n"
            "  -q, --quiet   print nothing but diagnostics\n"
            "  --json        print the summary as one JSON object (diagnostics stay on\n"
            "                stderr; an invalid machine prints nothing on stdout):\n"
            "                {\"machine\", \"inputs\": [{\"name\", \"width\"}], \"outputs\",\n"
            "                \"cores\": [{\"name\", \"width\", \"registers\", \"rom\",\n"
            "                \"insn_width\", \"program_length\", \"ram\", \"inputs\",\n"
            "                \"outputs\", \"frac\", \"opcodes\": [MNEMONIC]}],\n"
            "                \"bonds\": [{\"from\", \"to\": [ENDPOINT]}]}\n"
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

static void json_ports(bmc_json *j, const bm_machine *m, int outputs)
{
    unsigned n = outputs ? bm_machine_output_count(m) : bm_machine_input_count(m);
    bmc_json_array(j, outputs ? "outputs" : "inputs");
    for (unsigned i = 0; i < n; i++) {
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", outputs ? bm_machine_output_name(m, i)
                                           : bm_machine_input_name(m, i));
        bmc_json_uint(j, "width", outputs ? bm_machine_output_width(m, i)
                                          : bm_machine_input_width(m, i));
        bmc_json_end(j);
    }
    bmc_json_end(j);
}

/* The summary of print_summary as one JSON object (the keys of --help). */
static int print_json(const bm_machine *m)
{
    bmc_json *j = bmc_json_new();
    if (!j) {
        fprintf(stderr, "bmc check: out of memory\n");
        return -1;
    }
    bmc_json_string(j, "machine", bm_machine_name(m));
    json_ports(j, m, 0);
    json_ports(j, m, 1);
    bmc_json_array(j, "cores");
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        const bm_core_params *p = bm_core_get_params(c);
        bm_encoding enc;
        bm_core_encoding(c, &enc);
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", bm_core_name(c));
        bmc_json_uint(j, "width", p->width);
        bmc_json_uint(j, "registers", p->registers);
        bmc_json_uint(j, "rom", p->rom_depth);
        bmc_json_uint(j, "insn_width", enc.insn_width);
        bmc_json_uint(j, "program_length", bm_core_program_length(c));
        bmc_json_uint(j, "ram", p->ram_depth);
        bmc_json_uint(j, "inputs", p->inputs);
        bmc_json_uint(j, "outputs", p->outputs);
        bmc_json_uint(j, "frac", p->frac);
        bmc_json_array(j, "opcodes");
        for (unsigned k = 0; k < enc.n_opcodes; k++)
            bmc_json_string(j, NULL, bm_isa_get(enc.opcode_id[k])->mnemonic);
        bmc_json_end(j);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    bmc_json_array(j, "bonds");
    for (unsigned b = 0; b < bm_machine_bond_count(m); b++) {
        bmc_json_object(j, NULL);
        bmc_json_string(j, "from", bm_machine_bond_source_text(m, b));
        bmc_json_array(j, "to");
        for (unsigned k = 0; k < bm_machine_bond_sink_count(m, b); k++)
            bmc_json_string(j, NULL, bm_machine_bond_sink_text(m, b, k));
        bmc_json_end(j);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    int rc = bmc_json_print(j);
    bmc_json_free(j);
    return rc;
}

static int run(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {0, 0, 0, 0}};
    int quiet = 0, json = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else if (c == OPT_JSON)
            json = 1;
        else
            return bmc_usage_error("check", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return bmc_usage_error("check", "expected exactly one FILE.xml");
    if (quiet && json)
        return bmc_usage_error("check", "--quiet prints no summary, --json prints it as JSON: "
                                        "give one of them");
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc == 0) {
        if (json)
            rc = print_json(m);
        else if (!quiet)
            print_summary(m);
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_check = {"check", "validate a machine XML and summarise it", run, help};
