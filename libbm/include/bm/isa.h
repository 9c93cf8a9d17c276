/* The ISA catalogue: every opcode a core may use, described once, as data.
 *
 * Each entry says what an instruction computes as a small dataflow:
 *
 *     result = alu(A, B)          A and B come from registers, an immediate,
 *                                 an input port or the RAM
 *     dst    <- result            a register, an output port or the RAM
 *     pc     <- next | target     possibly conditional on A
 *
 * plus the handshake behaviour of its I/O and its cycle count.  The simulator
 * (sim/) and the Verilog emitter (hdl_out/) are two interpreters of this table;
 * docs/isa.md and `bmc isa` print it.  The catalogue is implemented in arch/.
 */
#ifndef BM_ISA_H
#define BM_ISA_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bound on the catalogue's size (bm_isa_count() <= BM_OPCODE_MAX); it
 * may grow, up to BM_OPCODE_CAPACITY, without changing the ABI. */
#define BM_OPCODE_MAX 128
/* The room for catalogue ids in the structs that callers allocate,
 * bm_opcode_set and bm_encoding.  Part of the ABI of libbm.so.0: it never
 * changes within a major version, so a program built against older headers
 * passes structs of the right size to a newer library whose catalogue has
 * grown.  Ids at or above BM_OPCODE_MAX are never in a set. */
#define BM_OPCODE_CAPACITY 512
#define BM_OPERAND_MAX 3

/* What an operand field holds, and so how wide it is in a given core. */
typedef enum bm_operand_kind {
    BM_OPND_REG = 0,  /* register number:    ceil(log2(registers)) bits   */
    BM_OPND_IMM,      /* data immediate:     word width bits              */
    BM_OPND_SHAMT,    /* shift amount:       ceil(log2(word width)) bits  */
    BM_OPND_ADDR,     /* ROM address:        ceil(log2(rom depth)) bits   */
    BM_OPND_IN,       /* input port number:  ceil(log2(inputs)) bits      */
    BM_OPND_OUT,      /* output port number: ceil(log2(outputs)) bits     */
    BM_OPND_KIND_COUNT
} bm_operand_kind;

/* The function unit an opcode uses.  Every value is W bits, W the core's
 * word width; arithmetic wraps modulo 2^W.  Inputs are A, B and (for
 * three-input units) C. */
typedef enum bm_alu_op {
    BM_ALU_NONE = 0, /* no result                                        */
    BM_ALU_PASS_B,   /* B                                                */
    BM_ALU_ADD,      /* A + B                                            */
    BM_ALU_SUB,      /* A - B                                            */
    BM_ALU_AND,      /* A & B                                            */
    BM_ALU_OR,       /* A | B                                            */
    BM_ALU_XOR,      /* A ^ B                                            */
    BM_ALU_NOT,      /* ~A                                               */
    BM_ALU_SHL,      /* A << B; 0 when B >= W                            */
    BM_ALU_SHR,      /* A >> B, zero fill; 0 when B >= W                 */
    BM_ALU_SAR,      /* A >> B, sign fill; all sign bits when B >= W     */
    BM_ALU_INC,      /* A + 1                                            */
    BM_ALU_DEC,      /* A - 1                                            */
    BM_ALU_MUL,      /* low W bits of A * B                              */
    BM_ALU_EQ,       /* A == B ? 1 : 0                                   */
    BM_ALU_LT,       /* signed A < B ? 1 : 0                             */
    BM_ALU_LTU,      /* unsigned A < B ? 1 : 0                           */
    BM_ALU_NEG,      /* -A                                               */
    BM_ALU_RELU,     /* signed A < 0 ? 0 : A                             */
    BM_ALU_MIN,      /* signed minimum of A and B                        */
    BM_ALU_MAX,      /* signed maximum of A and B                        */
    BM_ALU_MULFX,    /* fixed point: floor(A * B / 2^F), signed, F the
                        core's frac; the full 2W-bit product is shifted  */
    BM_ALU_MACFX,    /* fixed point: A + floor(B * C / 2^F)              */
    BM_ALU_OP_COUNT
} bm_alu_op;

/* Where an ALU input comes from. */
typedef enum bm_src_kind {
    BM_SRC_NONE = 0,
    BM_SRC_REG,   /* R[operand]                          */
    BM_SRC_IMM,   /* the operand's value (IMM or SHAMT)  */
    BM_SRC_INPUT, /* data of input port [operand]        */
    BM_SRC_RAM    /* RAM[R[operand]]                     */
} bm_src_kind;

typedef enum bm_dst_kind {
    BM_DST_NONE = 0,
    BM_DST_REG,    /* R[operand] <- result              */
    BM_DST_OUTPUT, /* output port [operand] <- result   */
    BM_DST_RAM     /* RAM[R[operand]] <- result         */
} bm_dst_kind;

typedef enum bm_flow {
    BM_FLOW_NEXT = 0,     /* pc <- pc + 1                          */
    BM_FLOW_JUMP,         /* pc <- target                          */
    BM_FLOW_JUMP_ZERO,    /* pc <- A == 0 ? target : pc + 1        */
    BM_FLOW_JUMP_NONZERO, /* pc <- A != 0 ? target : pc + 1        */
    BM_FLOW_HALT          /* the core stops; pc stays              */
} bm_flow;

/* Handshake behaviour, see docs/timing.md. */
typedef enum bm_io {
    BM_IO_NONE = 0,
    BM_IO_IN_WAIT,  /* ready high; stall until valid, then take the data          */
    BM_IO_IN_TRY,   /* ready high for one cycle; take the data if valid, else
                       leave the destination unchanged; never stalls           */
    BM_IO_OUT_WAIT, /* valid high; stall until the transfer happens           */
    BM_IO_OUT_POST, /* valid high; if not taken this cycle, the value waits in
                       the port's holding register and the core goes on       */
    BM_IO_IN_PEEK   /* ready low; stall until valid, then compute with the
                       data, which stays offered for a later instruction      */
} bm_io;

typedef struct bm_src {
    bm_src_kind kind;
    uint8_t operand; /* index into the operand list */
} bm_src;

typedef struct bm_opcode_def {
    const char *mnemonic;
    const char *syntax;     /* operand syntax, e.g. "rd, rs"             */
    const char *summary;    /* what it does, e.g. "rd <- rd + rs"        */
    uint8_t n_operands;
    bm_operand_kind operands[BM_OPERAND_MAX];
    bm_alu_op alu;
    bm_src a, b;
    bm_dst_kind dst;
    uint8_t dst_operand;
    bm_flow flow;
    uint8_t target_operand; /* ADDR operand for jumps                   */
    bm_io io;
    uint8_t port_operand;   /* IN/OUT operand for I/O                   */
    uint8_t cycles;         /* cycles when nothing stalls               */
    bm_src c;               /* third ALU input, for three-input units   */
} bm_opcode_def;

/* The multiplier family: the opcodes whose unit is BM_ALU_MUL, BM_ALU_MULFX
 * or BM_ALU_MACFX (mul, muli, mulfx, mulfxi, macfx, macfxi, inmacfx, pkmacfx).  Their
 * unit comes in variants, chosen per core (the core's `mul` parameter, the
 * machine XML's `mul` attribute); docs/timing.md "Multiplier variants" is
 * the contract.  Each variant is data: */
typedef enum bm_mul_variant {
    BM_MUL_COMB = 0, /* single cycle, in logic; the default                   */
    BM_MUL_PIPE,     /* pipelined: one per cycle, the product registered; the
                        register is written at the end of the next cycle     */
    BM_MUL_SERIAL,   /* shift-add, one bit per cycle: W + 1 cycles           */
    BM_MUL_VARIANT_COUNT
} bm_mul_variant;

typedef struct bm_mul_variant_def {
    const char *name;        /* "comb", "pipe", "serial"                      */
    const char *summary;
    uint8_t issue_base;      /* cycles the core spends on the instruction:   */
    uint8_t issue_per_bit;   /*   issue_base + issue_per_bit * W             */
    uint8_t writeback_delay; /* cycles after the last issue cycle at whose
                                end the destination register is written      */
    uint8_t takes_inputs;    /* may multiply an input port's data (inmacfx,
                                pkmacfx)                                     */
} bm_mul_variant_def;

/* The row of a variant, or NULL when out of range. */
BM_API const bm_mul_variant_def *bm_mul_variant_get(unsigned variant);
/* The variant named `name`, or BM_ENOTFOUND (bm/ctx.h). */
BM_API int bm_mul_variant_from_name(const char *name);
/* 1 when an instruction of this handshake reads an input port: `in`, `inn`
 * and `inmacfx` take the value (raise ready), `pkmacfx` only looks at it. */
BM_API int bm_io_reads_input(bm_io io);
/* 1 when it takes the value: raises ready, and a forward passes it on. */
BM_API int bm_io_takes_input(bm_io io);

/* 1 when the ALU operation is the multiplier's (MUL, MULFX, MACFX). */
BM_API int bm_alu_uses_mul(bm_alu_op op);
/* 1 when the opcode uses the multiplier (its cycles depend on the variant). */
BM_API int bm_opcode_uses_mul(const bm_opcode_def *d);
/* Cycles an instruction of opcode d takes when nothing stalls, in a core of
 * `width`-bit words whose multiplier is `variant`. */
BM_API unsigned bm_opcode_cycles(const bm_opcode_def *d, unsigned variant, unsigned width);

/* How a core fetches its instructions, chosen per core (the core's `fetch`
 * parameter, the machine XML's `fetch` attribute); docs/timing.md "Fetch
 * kinds" is the contract.  A staged core reads its ROM one cycle ahead and
 * registers the decoded instruction, so that neither the ROM nor the
 * decoder sits in the cycle of the operation (a block RAM ROM at full
 * speed); the price is a cycle after every taken jump. */
typedef enum bm_fetch_kind {
    BM_FETCH_DIRECT = 0, /* read and decoded in the cycle before; the default */
    BM_FETCH_STAGED,     /* one more stage: a taken jump costs one more cycle  */
    BM_FETCH_KIND_COUNT
} bm_fetch_kind;

typedef struct bm_fetch_kind_def {
    const char *name;          /* "direct", "staged"                          */
    const char *summary;
    uint8_t taken_jump_extra;  /* cycles a taken jump adds to its own one    */
} bm_fetch_kind_def;

/* The row of a fetch kind, or NULL when out of range. */
BM_API const bm_fetch_kind_def *bm_fetch_kind_get(unsigned kind);
/* The fetch kind named `name`, or BM_ENOTFOUND. */
BM_API int bm_fetch_kind_from_name(const char *name);

/* Number of opcodes in the catalogue; ids are 0 .. count-1, in catalogue
 * order, which is also the canonical order of opcode numbers in a core. */
BM_API unsigned bm_isa_count(void);
/* The entry for id, or NULL when id is out of range. */
BM_API const bm_opcode_def *bm_isa_get(unsigned id);
/* The id of a mnemonic (case-sensitive), or BM_ENOTFOUND (bm/ctx.h). */
BM_API int bm_isa_lookup(const char *mnemonic);

/* Names of an operand kind ("register", "immediate", ...) and of an ALU
 * operation ("add", "mulfx", ...); static strings, "?" for an unknown
 * value. */
BM_API const char *bm_operand_kind_name(bm_operand_kind kind);
BM_API const char *bm_alu_op_name(bm_alu_op op);

/* Evaluates an ALU operation on W-bit values (1 <= W <= 64).  a, b and c
 * must already be masked to W bits (c is used by three-input units only);
 * the result is masked to W bits.  frac (< W) is the core's fraction bits,
 * used by the fixed-point units only.  This is the reference the simulator
 * uses and the Verilog emitter must match. */
BM_API uint64_t bm_alu_eval(bm_alu_op op, uint64_t a, uint64_t b, uint64_t c, unsigned width,
                     unsigned frac);

/* ceil(log2(n)) for n >= 1, i.e. the bits needed to number n things
 * (0 for n == 1). */
BM_API unsigned bm_bits_for(uint64_t n);
/* The bits a W-bit two's complement value needs as a signed number (at
 * least 1): 0.6 in fixed<16,6>, raw 614, needs 11.  What the Verilog backend
 * keeps of a multiplier's immediate operand, and the area estimate counts. */
BM_API unsigned bm_signed_bits(uint64_t value, unsigned width);

#ifdef __cplusplus
}
#endif
#endif
