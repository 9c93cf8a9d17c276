/* Private to the area estimator: the shape of a core's hardware, counted
 * from its program the way hdl_out/core_plan.c plans the RTL
 * (docs/verilog.md), without building it.  area.c prices a shape. */
#ifndef BM_AREA_SHAPE_H
#define BM_AREA_SHAPE_H

#include "bm/isa.h"
#include "bm/machine.h"

/* Who reads registers through a read mux: an ALU unit (its bm_alu_op), or
 * one of these. */
enum {
    AREA_USE_MOVE = BM_ALU_OP_COUNT, /* a move into a register          */
    AREA_USE_OUT,                    /* the value an output port offers */
    AREA_USE_STORE,                  /* the word a store writes         */
    AREA_USE_COND,                   /* a conditional jump's test       */
    AREA_USE_ADDR,                   /* a RAM address                   */
    AREA_USE_COUNT
};

/* Sources of a unit input (bits of unit_src). */
enum {
    AREA_SRC_OTHER = 1,     /* a register, the RAM                          */
    AREA_SRC_IMM = 2,       /* an immediate field that varies (a decoded,
                               registered value)                           */
    AREA_SRC_CONST = 4,     /* an immediate that is a constant              */
    AREA_SRC_INPUT = 8      /* an input port's data                         */
};

typedef struct bm_area_shape {
    unsigned width, frac, mul;
    unsigned program;          /* instructions                                */
    unsigned pc_bits;          /* ROM address bits                           */
    unsigned insn_width;       /* instruction word bits                      */
    unsigned opcode_bits;
    int logic_rom;             /* program <= BM_VERILOG_ROM_LOGIC_MAX, direct */
    int staged;                /* staged fetch: a memory ROM read a cycle
                                  ahead (ir_pc), its decode registered       */
    unsigned flags;            /* opcodes the program uses (is_OP)           */
    unsigned decoded;          /* other decoded control bits: wr_rK, sel_*,
                                  take_iN, give_oN, imm_*, jump_target       */
    unsigned regs;             /* live registers: written and read           */
    unsigned reg_bits;         /* their bits that can be non-zero            */
    unsigned reg_mux;          /* sum over them of (values written - 1)      */
    unsigned reg_in_mux;       /* ... of which values taken from input ports */
    unsigned reg_mux_shared;   /* ... of registers written the same set of
                                  values as an earlier one: the same r_next
                                  expression, which yosys merges            */
    unsigned reg_in_mux_shared;
    unsigned mul_dst;          /* registers a multiplier opcode writes       */
    unsigned mul_acc;          /* ... of which a multiply-accumulate's       */
    unsigned read_mux[AREA_USE_COUNT][3]; /* registers each read mux passes  */
    unsigned read_bits[AREA_USE_COUNT][3]; /* widest of them (non-zero bits) */
    unsigned unit[BM_ALU_OP_COUNT];       /* 1 when the unit exists          */
    unsigned unit_bits[BM_ALU_OP_COUNT][3]; /* widest value into each input  */
    unsigned unit_src[BM_ALU_OP_COUNT][3];  /* what feeds each input: AREA_SRC_* */
    unsigned unit_mux;         /* sum over unit inputs of (values - 1)       */
    unsigned out_mux;          /* sum over output ports of (values - 1)      */
    unsigned inputs_read, outputs_written, posted;
    unsigned forwarded;        /* 1 when the core forwards what it takes: its
                                  forward port is one of `posted`            */
    int ram;                   /* the program loads from the RAM             */
    unsigned ram_depth;
    int jumps, cond_jumps, stalls, multicycle;
} bm_area_shape;

/* Counts the shape of core c; allocates nothing (it needs about 40 kB of
 * stack). */
void bm_area_shape_of(bm_area_shape *s, const bm_core *c);

#endif
