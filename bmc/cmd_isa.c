/* bmc isa: print each core's encoding table. */
#include <getopt.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc isa [--json] [FILE.xml]\n"
            "       bmc isa --markdown\n"
            "\n"
            "With a machine, prints for each core its encoding: the opcode numbers\n"
            "of its own opcode set, the opcode field, and the bit range of every\n"
            "operand field, most significant bit first.  Without a file, prints\n"
            "the whole catalogue: each opcode's operands and semantics.\n"
            "\n"
            "  -m, --markdown   print the catalogue as a Markdown table (the one in\n"
            "                   docs/isa.md)\n"
            "  --json           print the same as one JSON object (docs/isa.md lists\n"
            "                   its keys).  With a machine: {\"machine\", \"cores\":\n"
            "                   [{\"name\", \"opcode_bits\", \"insn_width\",\n"
            "                   \"field_widths\", \"multiplier\", \"encoding\": [{\"code\",\n"
            "                   \"mnemonic\", \"fields\": [{\"kind\", \"lsb\", \"width\"}]}]}]};\n"
            "                   without: {\"opcodes\", \"mul_variants\", \"fetch_kinds\"}\n"
            "\n"
            "Exit status: 0 printed, 1 invalid input, 2 usage error.\n");
}

/* Short names of the operand kinds, as in the encoding tables and the
 * instruction formats of docs/isa.md. */
static const char *const field_names[BM_OPND_KIND_COUNT] = {"r", "imm", "k", "addr", "in", "out"};

static void print_range(unsigned lsb, unsigned width)
{
    if (width == 1)
        printf("[%u]", lsb);
    else
        printf("[%u:%u]", lsb + width - 1, lsb);
}

static void print_core(const bm_core *c)
{
    bm_encoding enc;
    bm_core_encoding(c, &enc);
    const bm_core_params *p = bm_core_get_params(c);
    printf("core %s: %u opcode%s, opcode field %u bit%s, instruction width %u bits\n",
           bm_core_name(c), enc.n_opcodes, enc.n_opcodes == 1 ? "" : "s", enc.opcode_bits,
           enc.opcode_bits == 1 ? "" : "s", enc.insn_width);
    printf("  field widths: register %u, immediate %u, shift %u, address %u, input %u, output %u"
           " (word %u, %u register%s, ROM %u, %u in, %u out)\n",
           enc.kind_bits[BM_OPND_REG], enc.kind_bits[BM_OPND_IMM], enc.kind_bits[BM_OPND_SHAMT],
           enc.kind_bits[BM_OPND_ADDR], enc.kind_bits[BM_OPND_IN], enc.kind_bits[BM_OPND_OUT],
           p->width, p->registers, p->registers == 1 ? "" : "s", p->rom_depth, p->inputs,
           p->outputs);
    int uses_mul = 0;
    for (unsigned k = 0; k < enc.n_opcodes; k++)
        uses_mul |= bm_opcode_uses_mul(bm_isa_get(enc.opcode_id[k]));
    const bm_mul_variant_def *mv = bm_mul_variant_get(p->mul);
    if (uses_mul && mv) {
        unsigned mul_id = 0;
        while (mul_id < enc.n_opcodes && !bm_opcode_uses_mul(bm_isa_get(enc.opcode_id[mul_id])))
            mul_id++;
        printf("  multiplier: %s, %u cycle%s, result written %s\n", mv->name,
               bm_opcode_cycles(bm_isa_get(enc.opcode_id[mul_id]), p->mul, p->width),
               bm_opcode_cycles(bm_isa_get(enc.opcode_id[mul_id]), p->mul, p->width) == 1 ? "" : "s",
               mv->writeback_delay ? "at the end of the next cycle" : "at the end of the last cycle");
    }
    for (unsigned k = 0; k < enc.n_opcodes; k++) {
        unsigned id = enc.opcode_id[k];
        const bm_opcode_def *d = bm_isa_get(id);
        printf("  %3u  %-8s", k, d->mnemonic);
        if (enc.opcode_bits) {
            printf(" op");
            print_range(bm_encoding_opcode_lsb(&enc), enc.opcode_bits);
        }
        for (unsigned j = 0; j < d->n_operands; j++) {
            unsigned lsb, width;
            bm_encoding_operand_field(&enc, id, j, &lsb, &width);
            printf(" %s", field_names[d->operands[j]]);
            if (width)
                print_range(lsb, width);
            else
                printf("[-]");
        }
        unsigned used = bm_encoding_used_bits(&enc, id);
        if (used < enc.insn_width) {
            printf(" pad");
            print_range(0, enc.insn_width - used);
        }
        printf("\n");
    }
}

static void print_catalogue(void)
{
    printf("%-3s %-8s %-12s %-6s %s\n", "id", "name", "operands", "cycles", "semantics");
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const bm_opcode_def *d = bm_isa_get(id);
        printf("%-3u %-8s %-12s %-6u %s\n", id, d->mnemonic, d->syntax, d->cycles, d->summary);
    }
    printf("\nmultiplier variants (the cycles of mul, muli, mulfx, mulfxi, macfx, macfxi, inmacfx;\n"
           "a core's `mul` attribute, docs/timing.md):\n");
    for (unsigned v = 0; v < BM_MUL_VARIANT_COUNT; v++) {
        const bm_mul_variant_def *mv = bm_mul_variant_get(v);
        char cycles[32];
        if (mv->issue_per_bit)
            snprintf(cycles, sizeof cycles, "%u + %u*W", mv->issue_base, mv->issue_per_bit);
        else
            snprintf(cycles, sizeof cycles, "%u", mv->issue_base);
        printf("  %-7s %-8s %s\n", mv->name, cycles, mv->summary);
    }
    printf("\nfetch kinds (the cycles of a taken j, jz, jnz; a core's `fetch` attribute,\n"
           "docs/timing.md):\n");
    for (unsigned k = 0; k < BM_FETCH_KIND_COUNT; k++) {
        const bm_fetch_kind_def *fk = bm_fetch_kind_get(k);
        char cycles[32];
        snprintf(cycles, sizeof cycles, "%u", 1u + fk->taken_jump_extra);
        printf("  %-7s %-8s %s\n", fk->name, cycles, fk->summary);
    }
}

/* Markdown needs '|' escaped inside a table cell. */
static void print_cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            putchar('\\');
        putchar(*s);
    }
}

static void print_markdown(void)
{
    printf("| id | opcode | operands | format | cycles | semantics |\n");
    printf("|---:|---|---|---|---:|---|\n");
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const bm_opcode_def *d = bm_isa_get(id);
        printf("| %u | `%s` | ", id, d->mnemonic);
        if (d->n_operands) {
            printf("`");
            print_cell(d->syntax);
            printf("`");
        }
        printf(" | ");
        if (d->n_operands == 0)
            printf("none");
        for (unsigned k = 0; k < d->n_operands; k++)
            printf("%s%s", k ? " " : "", field_names[d->operands[k]]);
        printf(" | %u | `", d->cycles);
        print_cell(d->summary);
        printf("` |\n");
    }
}

static void json_field(bmc_json *j, const char *kind, unsigned lsb, unsigned width)
{
    bmc_json_object(j, NULL);
    bmc_json_string(j, "kind", kind);
    bmc_json_uint(j, "lsb", lsb);
    bmc_json_uint(j, "width", width);
    bmc_json_end(j);
}

/* print_core as JSON: the same facts, the same order. */
static void json_core(bmc_json *j, const bm_core *c)
{
    bm_encoding enc;
    bm_core_encoding(c, &enc);
    const bm_core_params *p = bm_core_get_params(c);
    bmc_json_object(j, NULL);
    bmc_json_string(j, "name", bm_core_name(c));
    bmc_json_uint(j, "opcode_bits", enc.opcode_bits);
    bmc_json_uint(j, "insn_width", enc.insn_width);
    bmc_json_object(j, "field_widths");
    for (unsigned k = 0; k < BM_OPND_KIND_COUNT; k++)
        bmc_json_uint(j, field_names[k], enc.kind_bits[k]);
    bmc_json_end(j);
    unsigned mul_id = 0;
    while (mul_id < enc.n_opcodes && !bm_opcode_uses_mul(bm_isa_get(enc.opcode_id[mul_id])))
        mul_id++;
    const bm_mul_variant_def *mv = bm_mul_variant_get(p->mul);
    if (mul_id < enc.n_opcodes && mv) {
        bmc_json_object(j, "multiplier");
        bmc_json_string(j, "variant", mv->name);
        bmc_json_uint(j, "cycles", bm_opcode_cycles(bm_isa_get(enc.opcode_id[mul_id]), p->mul,
                                                     p->width));
        bmc_json_string(j, "written", mv->writeback_delay ? "next_cycle" : "last_cycle");
        bmc_json_end(j);
    } else {
        bmc_json_null(j, "multiplier");
    }
    bmc_json_array(j, "encoding");
    for (unsigned k = 0; k < enc.n_opcodes; k++) {
        unsigned id = enc.opcode_id[k];
        const bm_opcode_def *d = bm_isa_get(id);
        bmc_json_object(j, NULL);
        bmc_json_uint(j, "code", k);
        bmc_json_string(j, "mnemonic", d->mnemonic);
        bmc_json_array(j, "fields");
        if (enc.opcode_bits)
            json_field(j, "op", bm_encoding_opcode_lsb(&enc), enc.opcode_bits);
        for (unsigned o = 0; o < d->n_operands; o++) {
            unsigned lsb, width;
            bm_encoding_operand_field(&enc, id, o, &lsb, &width);
            json_field(j, field_names[d->operands[o]], width ? lsb : 0, width);
        }
        unsigned used = bm_encoding_used_bits(&enc, id);
        if (used < enc.insn_width)
            json_field(j, "pad", 0, enc.insn_width - used);
        bmc_json_end(j);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    bmc_json_end(j);
}

/* print_catalogue as JSON. */
static void json_catalogue(bmc_json *j)
{
    bmc_json_array(j, "opcodes");
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const bm_opcode_def *d = bm_isa_get(id);
        bmc_json_object(j, NULL);
        bmc_json_uint(j, "id", id);
        bmc_json_string(j, "name", d->mnemonic);
        bmc_json_string(j, "syntax", d->syntax);
        bmc_json_array(j, "operands");
        for (unsigned k = 0; k < d->n_operands; k++)
            bmc_json_string(j, NULL, field_names[d->operands[k]]);
        bmc_json_end(j);
        bmc_json_uint(j, "cycles", d->cycles);
        bmc_json_string(j, "semantics", d->summary);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    bmc_json_array(j, "mul_variants");
    for (unsigned v = 0; v < BM_MUL_VARIANT_COUNT; v++) {
        const bm_mul_variant_def *mv = bm_mul_variant_get(v);
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", mv->name);
        bmc_json_uint(j, "issue_base", mv->issue_base);
        bmc_json_uint(j, "issue_per_bit", mv->issue_per_bit);
        bmc_json_string(j, "summary", mv->summary);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    bmc_json_array(j, "fetch_kinds");
    for (unsigned k = 0; k < BM_FETCH_KIND_COUNT; k++) {
        const bm_fetch_kind_def *fk = bm_fetch_kind_get(k);
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", fk->name);
        bmc_json_uint(j, "taken_jump_cycles", 1u + fk->taken_jump_extra);
        bmc_json_string(j, "summary", fk->summary);
        bmc_json_end(j);
    }
    bmc_json_end(j);
}

/* The --json output: the catalogue, or the machine's cores. */
static int print_json(const bm_machine *m)
{
    bmc_json *j = bmc_json_new();
    if (!j) {
        fprintf(stderr, "bmc isa: out of memory\n");
        return -1;
    }
    if (m) {
        bmc_json_string(j, "machine", bm_machine_name(m));
        bmc_json_array(j, "cores");
        for (unsigned i = 0; i < bm_machine_core_count(m); i++)
            json_core(j, bm_machine_core(m, i));
        bmc_json_end(j);
    } else {
        json_catalogue(j);
    }
    int rc = bmc_json_print(j);
    bmc_json_free(j);
    return rc;
}

static int run(int argc, char **argv)
{
    int markdown = 0, json = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0 || strcmp(argv[i], "-m") == 0)
            markdown = 1;
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return bmc_usage_error("isa", "unknown option '%s'", argv[i]);
        else if (file)
            return bmc_usage_error("isa", "expected at most one FILE.xml");
        else
            file = argv[i];
    }
    if (markdown && file)
        return bmc_usage_error("isa", "--markdown prints the catalogue and takes no FILE.xml");
    if (markdown && json)
        return bmc_usage_error("isa", "--markdown and --json are two forms of the catalogue: "
                                      "give one of them");
    if (json && !file)
        return print_json(NULL) ? BMC_EXIT_FAIL : BMC_EXIT_OK;
    if (markdown) {
        print_markdown();
        return BMC_EXIT_OK;
    }
    if (!file) {
        print_catalogue();
        return BMC_EXIT_OK;
    }
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, file, &m);
    if (rc == 0 && json) {
        rc = print_json(m);
        bm_machine_free(m);
    } else if (rc == 0) {
        for (unsigned i = 0; i < bm_machine_core_count(m); i++)
            print_core(bm_machine_core(m, i));
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_isa = {"isa", "print each core's instruction encoding", run, help};
