/* bmc disasm: print a machine's programs in the assembler's syntax. */
#include <getopt.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc disasm [--words] [--json] FILE.xml\n"
            "\n"
            "Reads a machine and prints it as an assembler program (docs/asm.md):\n"
            "external ports, every core with all its parameters pinned, its RAM\n"
            "contents and its program decoded from the encoded ROM words, with\n"
            "labels L0, L1, ... at jump targets, and the bonds.  'bmc asm' on the\n"
            "output gives a machine with the same encoded words.\n"
            "\n"
            "  -w, --words   show each instruction's address and encoded word\n"
            "                (hexadecimal) in a comment\n"
            "  --json        print one JSON object: {\"machine\", \"text\" (the\n"
            "                assembler text above), \"cores\": [{\"name\", \"program\":\n"
            "                [{\"address\", \"word\" (hexadecimal), \"insn\"}]}]}\n"
            "\n"
            "Exit status: 0 printed, 1 invalid input, 2 usage error.\n");
}

/* The --json form: the text, then every instruction with its address,
 * encoded word and canonical form.  0, a BM_E code, or 1 when the failure
 * to print is already reported. */
static int print_json(const bm_machine *m, const char *text)
{
    bmc_json *j = bmc_json_new();
    if (!j)
        return BM_ENOMEM;
    bmc_json_string(j, "machine", bm_machine_name(m));
    bmc_json_string(j, "text", text);
    bmc_json_array(j, "cores");
    int rc = 0;
    for (unsigned i = 0; i < bm_machine_core_count(m) && !rc; i++) {
        const bm_core *c = bm_machine_core(m, i);
        bm_encoding enc;
        bm_core_encoding(c, &enc);
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", bm_core_name(c));
        bmc_json_array(j, "program");
        for (unsigned pc = 0; pc < bm_core_program_length(c) && !rc; pc++) {
            const bm_insn *insn = bm_core_insn(c, pc);
            bm_word w;
            char hex[40], line[256];
            rc = bm_encode(&enc, insn, &w);
            if (rc)
                break;
            bm_word_to_hex(&w, enc.insn_width, hex, sizeof hex);
            bm_insn_format(line, sizeof line, insn);
            bmc_json_object(j, NULL);
            bmc_json_uint(j, "address", pc);
            bmc_json_string(j, "word", hex);
            bmc_json_string(j, "insn", line);
            bmc_json_end(j);
        }
        bmc_json_end(j);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    if (!rc && bmc_json_print(j))
        rc = 1;
    bmc_json_free(j);
    return rc;
}

static int run(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option opts[] = {{"words", no_argument, NULL, 'w'},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {0, 0, 0, 0}};
    bm_disasm_options opt = BM_DISASM_OPTIONS_INIT;
    int c, json = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w", opts, NULL)) != -1) {
        if (c == 'w')
            opt.flags |= BM_DISASM_WORDS;
        else if (c == OPT_JSON)
            json = 1;
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
            if (json)
                rc = print_json(m, text);
            else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
                rc = BM_EIO;
            bm_disasm_free(ctx, text);
        }
        bmc_print_diags(ctx);
        if (rc < 0 && bm_ctx_error_count(ctx) == 0)
            fprintf(stderr, "bmc disasm: %s\n", bm_strerror(rc));
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_disasm = {"disasm", "print a machine's programs as assembler text", run,
                                    help};
