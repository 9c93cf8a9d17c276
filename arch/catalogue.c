/* The opcode catalogue.  One row per opcode; see bm/isa.h for the meaning of
 * each column and docs/isa.md for the generated reference.
 *
 * The row order is the canonical opcode numbering: a core numbers the opcodes
 * it uses in this order, from 0.  Append new opcodes at the end so existing
 * machines keep their encodings.
 */
#include <string.h>

#include "bm/ctx.h"
#include "bm/isa.h"

#define R BM_OPND_REG
#define I BM_OPND_IMM
#define S BM_OPND_SHAMT
#define A BM_OPND_ADDR
#define IN BM_OPND_IN
#define OUT BM_OPND_OUT

#define NOSRC {BM_SRC_NONE, 0}
#define REG(k) {BM_SRC_REG, k}
#define IMM(k) {BM_SRC_IMM, k}
#define PORT(k) {BM_SRC_INPUT, k}
#define RAM(k) {BM_SRC_RAM, k}

/* A two-operand ALU instruction: rd <- rd op rs. */
#define ALU2(mn, op, sym)                                                      \
    {mn, "rd, rs", "rd <- rd " sym " rs", 2, {R, R}, op, REG(0), REG(1),         \
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC}
/* A one-operand ALU instruction: rd <- op rd. */
#define ALU1(mn, op, text)                                                     \
    {mn, "rd", text, 1, {R}, op, REG(0), NOSRC,                                \
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC}
/* A shift by a constant amount: rd <- rd op k. */
#define SHIFTI(mn, op, sym)                                                    \
    {mn, "rd, k", "rd <- rd " sym " k", 2, {R, S}, op, REG(0), IMM(1),           \
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC}

static const bm_opcode_def catalogue[] = {
    {"nop", "", "do nothing", 0, {0}, BM_ALU_NONE, NOSRC, NOSRC,
     BM_DST_NONE, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"mov", "rd, rs", "rd <- rs", 2, {R, R}, BM_ALU_PASS_B, NOSRC, REG(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"li", "rd, imm", "rd <- imm", 2, {R, I}, BM_ALU_PASS_B, NOSRC, IMM(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    ALU2("add", BM_ALU_ADD, "+"),
    {"addi", "rd, imm", "rd <- rd + imm", 2, {R, I}, BM_ALU_ADD, REG(0), IMM(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    ALU2("sub", BM_ALU_SUB, "-"),
    ALU2("and", BM_ALU_AND, "&"),
    ALU2("or", BM_ALU_OR, "|"),
    ALU2("xor", BM_ALU_XOR, "^"),
    ALU1("not", BM_ALU_NOT, "rd <- ~rd"),
    ALU2("shl", BM_ALU_SHL, "<<"),
    ALU2("shr", BM_ALU_SHR, ">>"),
    ALU2("sar", BM_ALU_SAR, ">>>"),
    SHIFTI("shli", BM_ALU_SHL, "<<"),
    SHIFTI("shri", BM_ALU_SHR, ">>"),
    SHIFTI("sari", BM_ALU_SAR, ">>>"),
    ALU1("inc", BM_ALU_INC, "rd <- rd + 1"),
    ALU1("dec", BM_ALU_DEC, "rd <- rd - 1"),
    ALU2("mul", BM_ALU_MUL, "*"),
    {"muli", "rd, imm", "rd <- rd * imm", 2, {R, I}, BM_ALU_MUL, REG(0), IMM(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"eq", "rd, rs", "rd <- (rd == rs) ? 1 : 0", 2, {R, R}, BM_ALU_EQ, REG(0),
     REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"lt", "rd, rs", "rd <- (rd < rs, signed) ? 1 : 0", 2, {R, R}, BM_ALU_LT,
     REG(0), REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"ltu", "rd, rs", "rd <- (rd < rs, unsigned) ? 1 : 0", 2, {R, R},
     BM_ALU_LTU, REG(0), REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0,
     1, NOSRC},
    {"j", "addr", "pc <- addr", 1, {A}, BM_ALU_NONE, NOSRC, NOSRC,
     BM_DST_NONE, 0, BM_FLOW_JUMP, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"jz", "rs, addr", "pc <- addr if rs == 0", 2, {R, A}, BM_ALU_NONE, REG(0),
     NOSRC, BM_DST_NONE, 0, BM_FLOW_JUMP_ZERO, 1, BM_IO_NONE, 0, 1, NOSRC},
    {"jnz", "rs, addr", "pc <- addr if rs != 0", 2, {R, A}, BM_ALU_NONE,
     REG(0), NOSRC, BM_DST_NONE, 0, BM_FLOW_JUMP_NONZERO, 1, BM_IO_NONE, 0, 1, NOSRC},
    {"in", "rd, iN", "rd <- iN (wait for valid)", 2, {R, IN}, BM_ALU_PASS_B,
     NOSRC, PORT(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_IN_WAIT, 1, 1, NOSRC},
    {"inn", "rd, iN", "rd <- iN if valid, else unchanged (never waits)", 2,
     {R, IN}, BM_ALU_PASS_B, NOSRC, PORT(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0,
     BM_IO_IN_TRY, 1, 1, NOSRC},
    {"out", "oN, rs", "oN <- rs (wait until taken)", 2, {OUT, R},
     BM_ALU_PASS_B, NOSRC, REG(1), BM_DST_OUTPUT, 0, BM_FLOW_NEXT, 0,
     BM_IO_OUT_WAIT, 0, 1, NOSRC},
    {"outn", "oN, rs", "oN <- rs (posted: does not wait for the taker)", 2,
     {OUT, R}, BM_ALU_PASS_B, NOSRC, REG(1), BM_DST_OUTPUT, 0, BM_FLOW_NEXT, 0,
     BM_IO_OUT_POST, 0, 1, NOSRC},
    {"ld", "rd, rs", "rd <- RAM[rs]", 2, {R, R}, BM_ALU_PASS_B, NOSRC, RAM(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 2, NOSRC},
    {"st", "ra, rs", "RAM[ra] <- rs", 2, {R, R}, BM_ALU_PASS_B, NOSRC, REG(1),
     BM_DST_RAM, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"halt", "", "stop this core", 0, {0}, BM_ALU_NONE, NOSRC, NOSRC,
     BM_DST_NONE, 0, BM_FLOW_HALT, 0, BM_IO_NONE, 0, 1, NOSRC},
    /* Signed and fixed-point units for compiled graphs.  F is the core's
     * `frac` parameter: a constant shift, so it costs no logic. */
    ALU1("neg", BM_ALU_NEG, "rd <- -rd"),
    ALU1("relu", BM_ALU_RELU, "rd <- max(rd, 0), signed"),
    {"min", "rd, rs", "rd <- min(rd, rs), signed", 2, {R, R}, BM_ALU_MIN, REG(0), REG(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"max", "rd, rs", "rd <- max(rd, rs), signed", 2, {R, R}, BM_ALU_MAX, REG(0), REG(1),
     BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"mulfx", "rd, rs", "rd <- (rd * rs) >> F, signed, floor", 2, {R, R}, BM_ALU_MULFX,
     REG(0), REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"mulfxi", "rd, imm", "rd <- (rd * imm) >> F, signed, floor", 2, {R, I}, BM_ALU_MULFX,
     REG(0), IMM(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, NOSRC},
    {"macfx", "rd, rs, rt", "rd <- rd + ((rs * rt) >> F), signed, floor", 3, {R, R, R},
     BM_ALU_MACFX, REG(0), REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, REG(2)},
    {"macfxi", "rd, rs, imm", "rd <- rd + ((rs * imm) >> F), signed, floor", 3, {R, R, I},
     BM_ALU_MACFX, REG(0), REG(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_NONE, 0, 1, IMM(2)},
    {"inmacfx", "rd, iN, imm", "rd <- rd + ((iN * imm) >> F) (wait for valid)", 3, {R, IN, I},
     BM_ALU_MACFX, REG(0), PORT(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_IN_WAIT, 1, 1, IMM(2)},
    /* A multiply-accumulate on an input it leaves offered: a core computing
     * several neurons multiplies each input K - 1 times with pkmacfx and
     * takes it with the K-th, inmacfx, instead of spending a cycle on `in`
     * to keep it in a register. */
    {"pkmacfx", "rd, iN, imm", "rd <- rd + ((iN * imm) >> F) (wait for valid; iN keeps its value)",
     3, {R, IN, I}, BM_ALU_MACFX, REG(0), PORT(1), BM_DST_REG, 0, BM_FLOW_NEXT, 0, BM_IO_IN_PEEK, 1,
     1, IMM(2)},
};

_Static_assert(sizeof catalogue / sizeof catalogue[0] <= BM_OPCODE_MAX,
               "catalogue larger than BM_OPCODE_MAX");
_Static_assert(BM_OPCODE_MAX <= BM_OPCODE_CAPACITY, "BM_OPCODE_MAX beyond the ABI's capacity");

unsigned bm_isa_count(void)
{
    return (unsigned)(sizeof catalogue / sizeof catalogue[0]);
}

const bm_opcode_def *bm_isa_get(unsigned id)
{
    return id < bm_isa_count() ? &catalogue[id] : NULL;
}

int bm_isa_lookup(const char *mnemonic)
{
    if (!mnemonic)
        return BM_ENOTFOUND;
    for (unsigned i = 0; i < bm_isa_count(); i++)
        if (strcmp(catalogue[i].mnemonic, mnemonic) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

int bm_io_reads_input(bm_io io)
{
    return io == BM_IO_IN_WAIT || io == BM_IO_IN_TRY || io == BM_IO_IN_PEEK;
}

int bm_io_takes_input(bm_io io)
{
    return io == BM_IO_IN_WAIT || io == BM_IO_IN_TRY;
}

const char *bm_operand_kind_name(bm_operand_kind kind)
{
    static const char *const names[BM_OPND_KIND_COUNT] = {
        "register", "immediate", "shift amount", "ROM address",
        "input port", "output port"};
    return (unsigned)kind < BM_OPND_KIND_COUNT ? names[kind] : "?";
}

const char *bm_alu_op_name(bm_alu_op op)
{
    static const char *const names[BM_ALU_OP_COUNT] = {
        "none", "pass", "add", "sub", "and", "or", "xor", "not", "shl",
        "shr", "sar", "inc", "dec", "mul", "eq", "lt", "ltu", "neg", "relu",
        "min", "max", "mulfx", "macfx"};
    return (unsigned)op < BM_ALU_OP_COUNT ? names[op] : "?";
}

unsigned bm_bits_for(uint64_t n)
{
    unsigned bits = 0;
    while (bits < 64 && (UINT64_C(1) << bits) < n)
        bits++;
    return bits;
}

unsigned bm_signed_bits(uint64_t value, unsigned width)
{
    if (width == 0)
        return 0;
    if (width < 64)
        value &= (UINT64_C(1) << width) - 1;
    uint64_t negative = (value >> (width - 1)) & 1;
    unsigned bits = width;
    /* drop sign bits while the next one down repeats them */
    while (bits > 1 && ((value >> (bits - 2)) & 1) == negative)
        bits--;
    return bits;
}
