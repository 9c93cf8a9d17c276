/* Per-core instruction encoding.
 *
 * A core numbers the opcodes of its own set in catalogue order from 0.  An
 * instruction word is, from the most significant bit down:
 *
 *     | opcode | operand 0 | operand 1 | ... | zero padding |
 *
 * The opcode field is ceil(log2(#opcodes)) bits (0 bits for one opcode), each
 * operand field is as wide as its kind needs in this core (bm/isa.h), and the
 * instruction width is that of the widest instruction in the set (at least 1).
 * docs/isa.md draws the formats.
 */
#ifndef BM_ENCODING_H
#define BM_ENCODING_H

#include "bm/export.h"

#include <stdint.h>

#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction words are at most 128 bits wide: w[0] holds bits 0..63. */
#define BM_WORD_BITS_MAX 128
typedef struct bm_word {
    uint64_t w[2];
} bm_word;

typedef struct bm_encoding {
    unsigned opcode_bits;                   /* width of the opcode field       */
    unsigned insn_width;                    /* bits per instruction word       */
    unsigned n_opcodes;                     /* opcodes in the core's set       */
    /* Sized by BM_OPCODE_CAPACITY, which is fixed for the ABI (bm/isa.h). */
    uint16_t opcode_id[BM_OPCODE_CAPACITY];   /* local number -> catalogue id  */
    int16_t local_number[BM_OPCODE_CAPACITY]; /* catalogue id -> local, or -1  */
    unsigned kind_bits[BM_OPND_KIND_COUNT]; /* field width of each operand kind */
} bm_encoding;

/* Computes the encoding of a core from its parameters and opcode set. */
BM_API int bm_core_encoding(const bm_core *core, bm_encoding *out);

/* Position of the opcode field: its least significant bit. */
BM_API unsigned bm_encoding_opcode_lsb(const bm_encoding *enc);
/* Position and width of operand k of catalogue opcode id in this encoding.
 * BM_EINVAL when the opcode is not in the set or k is out of range. */
BM_API int bm_encoding_operand_field(const bm_encoding *enc, unsigned id, unsigned k,
                              unsigned *lsb, unsigned *width);
/* Width of the instruction of catalogue opcode id before padding. */
BM_API unsigned bm_encoding_used_bits(const bm_encoding *enc, unsigned id);

/* Encodes an instruction.  BM_EINVAL if its opcode is not in the set;
 * BM_ERANGE if an operand does not fit its field (never truncated). */
BM_API int bm_encode(const bm_encoding *enc, const bm_insn *insn, bm_word *out);
/* Decodes a word; BM_EINVAL for an opcode number outside the set or set
 * padding bits.  The decoded instruction has no location. */
BM_API int bm_decode(const bm_encoding *enc, const bm_word *word, bm_insn *out);

/* Writes the low `bits` bits of a word as hexadecimal (ceil(bits/4) digits)
 * or binary (bits digits), NUL-terminated; returns the digit count. */
BM_API int bm_word_to_hex(const bm_word *word, unsigned bits, char *buf, unsigned size);
BM_API int bm_word_to_bin(const bm_word *word, unsigned bits, char *buf, unsigned size);
/* Reads bits from a word. */
BM_API uint64_t bm_word_get(const bm_word *word, unsigned lsb, unsigned width);
BM_API void bm_word_set(bm_word *word, unsigned lsb, unsigned width, uint64_t value);

#ifdef __cplusplus
}
#endif
#endif
