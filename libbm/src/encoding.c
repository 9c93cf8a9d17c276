/* Per-core instruction encoding (the rule is in bm/encoding.h). */
#include <string.h>

#include "bm/encoding.h"
#include "internal.h"

uint64_t bm_word_get(const bm_word *word, unsigned lsb, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width && i < 64; i++) {
        unsigned bit = lsb + i;
        if (bit < BM_WORD_BITS_MAX && ((word->w[bit / 64] >> (bit % 64)) & 1))
            v |= UINT64_C(1) << i;
    }
    return v;
}

void bm_word_set(bm_word *word, unsigned lsb, unsigned width, uint64_t value)
{
    for (unsigned i = 0; i < width && i < 64; i++) {
        unsigned bit = lsb + i;
        if (bit >= BM_WORD_BITS_MAX)
            break;
        uint64_t m = UINT64_C(1) << (bit % 64);
        if ((value >> i) & 1)
            word->w[bit / 64] |= m;
        else
            word->w[bit / 64] &= ~m;
    }
}

static unsigned used_bits(const bm_encoding *enc, const bm_opcode_def *d)
{
    unsigned n = enc->opcode_bits;
    for (unsigned k = 0; k < d->n_operands; k++)
        n += enc->kind_bits[d->operands[k]];
    return n;
}

int bm_core_encoding(const bm_core *core, bm_encoding *out)
{
    if (!core || !out)
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < BM_OPCODE_CAPACITY; i++)
        out->local_number[i] = -1;
    const bm_opcode_set *set = bm_core_opcodes(core);
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        if (bm_opcode_set_has(set, id)) {
            out->local_number[id] = (int16_t)out->n_opcodes;
            out->opcode_id[out->n_opcodes++] = (uint16_t)id;
        }
    }
    out->opcode_bits = bm_bits_for(out->n_opcodes ? out->n_opcodes : 1);
    for (unsigned k = 0; k < BM_OPND_KIND_COUNT; k++)
        out->kind_bits[k] = bm_core_operand_bits(core, (bm_operand_kind)k);
    unsigned width = 1;
    for (unsigned i = 0; i < out->n_opcodes; i++) {
        unsigned u = used_bits(out, bm_isa_get(out->opcode_id[i]));
        if (u > width)
            width = u;
    }
    if (width > BM_WORD_BITS_MAX)
        return BM_ERANGE;
    out->insn_width = width;
    return BM_OK;
}

unsigned bm_encoding_opcode_lsb(const bm_encoding *enc)
{
    return enc->insn_width - enc->opcode_bits;
}

unsigned bm_encoding_used_bits(const bm_encoding *enc, unsigned id)
{
    const bm_opcode_def *d = bm_isa_get(id);
    return d ? used_bits(enc, d) : 0;
}

int bm_encoding_operand_field(const bm_encoding *enc, unsigned id, unsigned k, unsigned *lsb,
                              unsigned *width)
{
    const bm_opcode_def *d = bm_isa_get(id);
    if (!d || id >= BM_OPCODE_MAX || enc->local_number[id] < 0 || k >= d->n_operands)
        return BM_EINVAL;
    unsigned top = bm_encoding_opcode_lsb(enc); /* fields run downward from here */
    for (unsigned j = 0; j <= k; j++) {
        unsigned w = enc->kind_bits[d->operands[j]];
        top -= w;
        if (j == k) {
            *lsb = top;
            *width = w;
        }
    }
    return BM_OK;
}

int bm_encode(const bm_encoding *enc, const bm_insn *insn, bm_word *out)
{
    memset(out, 0, sizeof *out);
    unsigned id = insn->opcode;
    const bm_opcode_def *d = bm_isa_get(id);
    if (!d || enc->local_number[id] < 0)
        return BM_EINVAL;
    bm_word_set(out, bm_encoding_opcode_lsb(enc), enc->opcode_bits,
                (uint64_t)enc->local_number[id]);
    for (unsigned k = 0; k < d->n_operands; k++) {
        unsigned lsb, width;
        bm_encoding_operand_field(enc, id, k, &lsb, &width);
        if (width < 64 && (insn->operand[k] >> width) != 0)
            return BM_ERANGE;
        bm_word_set(out, lsb, width, insn->operand[k]);
    }
    return BM_OK;
}

int bm_decode(const bm_encoding *enc, const bm_word *word, bm_insn *out)
{
    memset(out, 0, sizeof *out);
    uint64_t local = bm_word_get(word, bm_encoding_opcode_lsb(enc), enc->opcode_bits);
    if (local >= enc->n_opcodes)
        return BM_EINVAL;
    unsigned id = enc->opcode_id[local];
    const bm_opcode_def *d = bm_isa_get(id);
    out->opcode = (uint16_t)id;
    for (unsigned k = 0; k < d->n_operands; k++) {
        unsigned lsb, width;
        bm_encoding_operand_field(enc, id, k, &lsb, &width);
        out->operand[k] = bm_word_get(word, lsb, width);
    }
    /* Padding (below the last field) and everything above the instruction
     * width must be zero.  The padding can be wider than 64 bits. */
    unsigned pad = enc->insn_width - used_bits(enc, d);
    for (unsigned bit = 0; bit < BM_WORD_BITS_MAX; bit++)
        if ((bit < pad || bit >= enc->insn_width) && ((word->w[bit / 64] >> (bit % 64)) & 1))
            return BM_EINVAL;
    return BM_OK;
}

int bm_word_to_hex(const bm_word *word, unsigned bits, char *buf, unsigned size)
{
    unsigned digits = (bits + 3) / 4;
    if (digits == 0)
        digits = 1;
    if (size < digits + 1)
        return -1;
    for (unsigned i = 0; i < digits; i++) {
        unsigned lsb = (digits - 1 - i) * 4;
        unsigned w = bits - lsb < 4 ? bits - lsb : 4;
        buf[i] = "0123456789abcdef"[bm_word_get(word, lsb, w)];
    }
    buf[digits] = '\0';
    return (int)digits;
}

int bm_word_to_bin(const bm_word *word, unsigned bits, char *buf, unsigned size)
{
    if (size < bits + 1)
        return -1;
    for (unsigned i = 0; i < bits; i++)
        buf[i] = bm_word_get(word, bits - 1 - i, 1) ? '1' : '0';
    buf[bits] = '\0';
    return (int)bits;
}
