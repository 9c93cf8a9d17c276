/* Disassembler: a machine back to assembler text (docs/asm.md,
 * "Disassembly").
 *
 * Every parameter the assembler would derive is printed as a pin, so the
 * text assembles to the same core parameters and hence the same encoding.
 * The program is printed from its ROM words: each instruction is encoded
 * with the core's encoding and decoded again, so what is shown is what the
 * hardware holds.  Jump targets get labels L0, L1, ... in address order. */
#include <inttypes.h>
#include <string.h>

#include "bm/asm.h"
#include "bm/encoding.h"
#include "internal.h"
#include "model.h"

#define WORDS_COLUMN 28 /* where the --words comment starts */

static unsigned flags_of(const bm_disasm_options *opt)
{
    return opt ? opt->flags : 0;
}

static int check_options(const bm_disasm_options *opt)
{
    return !opt || opt->version == BM_DISASM_OPTIONS_VERSION ? BM_OK : BM_EINVAL;
}

/* The program as decoded words, and the label number of each address
 * (-1 for an address no jump targets). */
typedef struct listing {
    bm_encoding enc;
    bm_word *words;
    bm_insn *insns;
    int *label;
} listing;

static void listing_free(bm_ctx *ctx, listing *l)
{
    bm_free(ctx, l->words);
    bm_free(ctx, l->insns);
    bm_free(ctx, l->label);
}

static int decode_program(bm_ctx *ctx, const bm_core *c, listing *l)
{
    unsigned n = bm_core_program_length(c);
    memset(l, 0, sizeof *l);
    if (bm_core_encoding(c, &l->enc))
        return bm_error(ctx, bm_core_loc(c), "core '%s' has no valid encoding", bm_core_name(c));
    l->words = bm_calloc(ctx, n ? n : 1, sizeof *l->words);
    l->insns = bm_calloc(ctx, n ? n : 1, sizeof *l->insns);
    l->label = bm_calloc(ctx, n ? n : 1, sizeof *l->label);
    if (!l->words || !l->insns || !l->label)
        return bm_oom(ctx);
    for (unsigned pc = 0; pc < n; pc++) {
        const bm_insn *in = bm_core_insn(c, pc);
        if (bm_encode(&l->enc, in, &l->words[pc]) || bm_decode(&l->enc, &l->words[pc], &l->insns[pc]))
            return bm_error(ctx, in->loc, "core '%s': instruction %u cannot be encoded",
                            bm_core_name(c), pc);
        l->label[pc] = -1;
    }
    for (unsigned pc = 0; pc < n; pc++) {
        const bm_opcode_def *d = bm_isa_get(l->insns[pc].opcode);
        for (unsigned k = 0; k < d->n_operands; k++)
            if (d->operands[k] == BM_OPND_ADDR && l->insns[pc].operand[k] < n)
                l->label[l->insns[pc].operand[k]] = 0;
    }
    int next = 0;
    for (unsigned pc = 0; pc < n; pc++)
        if (l->label[pc] >= 0)
            l->label[pc] = next++;
    return BM_OK;
}

static void put_insn(bm_buf *b, const listing *l, unsigned pc, unsigned flags)
{
    const bm_insn *in = &l->insns[pc];
    const bm_opcode_def *d = bm_isa_get(in->opcode);
    size_t start = b->len;
    bm_buf_printf(b, "    %s", d->mnemonic);
    for (unsigned k = 0; k < d->n_operands; k++) {
        uint64_t v = in->operand[k];
        const char *sep = k ? ", " : " ";
        switch (d->operands[k]) {
        case BM_OPND_REG: bm_buf_printf(b, "%sr%" PRIu64, sep, v); break;
        case BM_OPND_IN: bm_buf_printf(b, "%si%" PRIu64, sep, v); break;
        case BM_OPND_OUT: bm_buf_printf(b, "%so%" PRIu64, sep, v); break;
        case BM_OPND_ADDR: bm_buf_printf(b, "%sL%d", sep, l->label[v]); break;
        default: bm_buf_printf(b, "%s%" PRIu64, sep, v); break;
        }
    }
    if (flags & BM_DISASM_WORDS) {
        char hex[BM_WORD_BITS_MAX / 4 + 2];
        bm_word_to_hex(&l->words[pc], l->enc.insn_width, hex, sizeof hex);
        size_t used = b->len - start;
        bm_buf_printf(b, "%*s; %u: 0x%s", used < WORDS_COLUMN ? (int)(WORDS_COLUMN - used) : 1, "",
                      pc, hex);
    }
    bm_buf_puts(b, "\n");
}

static void put_core(bm_buf *b, const bm_core *c, const listing *l, unsigned flags)
{
    const bm_core_params *p = bm_core_get_params(c);
    bm_buf_printf(b, ".core %s %u\n", bm_core_name(c), p->width);
    bm_buf_printf(b, ".registers %u\n.rom %u\n", p->registers, p->rom_depth);
    if (p->ram_depth)
        bm_buf_printf(b, ".ram %u\n", p->ram_depth);
    if (p->inputs)
        bm_buf_printf(b, ".inputs %u\n", p->inputs);
    if (p->outputs)
        bm_buf_printf(b, ".outputs %u\n", p->outputs);
    /* With fixed-point opcodes .frac is always pinned: otherwise the
     * assembler would take it from the default .fixed type. */
    int fixed_units = 0;
    for (unsigned k = 0; k < l->enc.n_opcodes; k++) {
        bm_alu_op alu = bm_isa_get(l->enc.opcode_id[k])->alu;
        fixed_units |= alu == BM_ALU_MULFX || alu == BM_ALU_MACFX;
    }
    if (p->frac || fixed_units)
        bm_buf_printf(b, ".frac %u\n", p->frac);
    if (p->mul != BM_MUL_COMB && bm_mul_variant_get(p->mul))
        bm_buf_printf(b, ".mul %s\n", bm_mul_variant_get(p->mul)->name);
    if (p->fetch != BM_FETCH_DIRECT && bm_fetch_kind_get(p->fetch))
        bm_buf_printf(b, ".fetch %s\n", bm_fetch_kind_get(p->fetch)->name);
    if (p->queue != 1)
        bm_buf_printf(b, ".queue %u\n", p->queue);
    if (p->forward)
        bm_buf_printf(b, p->forward_queue == 2 ? ".forward o%u\n" : ".forward o%u, %u\n",
                      p->forward_out, p->forward_queue);
    bm_buf_puts(b, ".opcodes");
    for (unsigned k = 0; k < l->enc.n_opcodes; k++)
        bm_buf_printf(b, " %s", bm_isa_get(l->enc.opcode_id[k])->mnemonic);
    bm_buf_puts(b, "\n");
    if (flags & BM_DISASM_WORDS)
        bm_buf_printf(b, "; %u-bit instruction words, opcode field %u bits\n", l->enc.insn_width,
                      l->enc.opcode_bits);
    const uint64_t *ram = bm_core_ram_init(c);
    for (unsigned i = 0; i < bm_core_ram_init_count(c); i++)
        bm_buf_printf(b, "%s%" PRIu64 "%s", i % 8 ? " " : ".data ", ram[i],
                      i % 8 == 7 || i + 1 == bm_core_ram_init_count(c) ? "\n" : ",");
    for (unsigned pc = 0; pc < bm_core_program_length(c); pc++) {
        if (l->label[pc] >= 0)
            bm_buf_printf(b, "L%d:\n", l->label[pc]);
        put_insn(b, l, pc, flags);
    }
}

static int disasm_core(bm_buf *b, const bm_core *c, unsigned flags)
{
    listing l;
    int rc = decode_program(b->ctx, c, &l);
    if (!rc)
        put_core(b, c, &l, flags);
    listing_free(b->ctx, &l);
    return rc;
}

static int finish(bm_buf *b, int rc, char **out, size_t *len)
{
    if (rc) {
        bm_buf_free(b);
        return rc;
    }
    *out = bm_buf_take(b, len);
    return *out ? BM_OK : bm_oom(b->ctx);
}

int bm_disasm_core(char **out, size_t *len, const bm_core *c, const bm_disasm_options *opt)
{
    if (!out || !c || check_options(opt))
        return BM_EINVAL;
    *out = NULL;
    if (!bm_machine_is_valid(c->machine))
        return BM_EINVAL;
    bm_buf b;
    bm_buf_init(&b, c->machine->ctx);
    return finish(&b, disasm_core(&b, c, flags_of(opt)), out, len);
}

int bm_disasm_machine(char **out, size_t *len, const bm_machine *m, const bm_disasm_options *opt)
{
    if (!out || !m || check_options(opt))
        return BM_EINVAL;
    *out = NULL;
    if (!bm_machine_is_valid(m))
        return BM_EINVAL;
    bm_buf b;
    bm_buf_init(&b, bm_machine_ctx(m));
    bm_buf_printf(&b, ".machine %s\n", bm_machine_name(m));
    for (unsigned i = 0; i < bm_machine_input_count(m); i++)
        bm_buf_printf(&b, ".input %s %u\n", bm_machine_input_name(m, i), bm_machine_input_width(m, i));
    for (unsigned i = 0; i < bm_machine_output_count(m); i++)
        bm_buf_printf(&b, ".output %s %u\n", bm_machine_output_name(m, i),
                      bm_machine_output_width(m, i));
    int rc = BM_OK;
    for (unsigned i = 0; i < bm_machine_core_count(m) && !rc; i++) {
        bm_buf_puts(&b, "\n");
        rc = disasm_core(&b, bm_machine_core(m, i), flags_of(opt));
    }
    if (bm_machine_bond_count(m))
        bm_buf_puts(&b, "\n");
    for (unsigned i = 0; i < bm_machine_bond_count(m); i++) {
        bm_buf_printf(&b, ".bond %s ->", bm_machine_bond_source_text(m, i));
        for (unsigned k = 0; k < bm_machine_bond_sink_count(m, i); k++)
            bm_buf_printf(&b, "%s %s", k ? "," : "", bm_machine_bond_sink_text(m, i, k));
        bm_buf_puts(&b, "\n");
    }
    return finish(&b, rc, out, len);
}

void bm_disasm_free(bm_ctx *ctx, char *text)
{
    bm_free(ctx, text);
}
