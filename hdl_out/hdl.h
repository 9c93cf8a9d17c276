/* Private to hdl_out/: the pieces the Verilog emitters share.
 *
 *   hdl_text.c   literals, ranges, keywords and the name allocator
 *   hdl_alu.c    the one table from bm_alu_op to a Verilog expression
 *   core_plan.c  what hardware a core needs (from its opcodes and program)
 *   core.c       the core module text, written from the plan (core.h)
 *   core_fetch.c its program ROM and decoder
 *   top.c        the machine's top module: instances and bonds
 *   extras.c     the Verilator harness and the benchmark pin wrapper
 *   verilog.c    the public API: file sets and atomic folder output
 */
#ifndef BM_HDL_H
#define BM_HDL_H

#include <stdint.h>
#include <stdio.h>

#include "bm/encoding.h"
#include "bm/insn.h"
#include "bm/machine.h"
#include "bm/verilog.h"
#include "internal.h"

/* ---- Verilog text -------------------------------------------------------- */

/* "[W-1:0] " for W > 1, "" for W == 1: the range of a declaration. */
void bm_hdl_range(bm_buf *b, unsigned width);
/* A sized decimal literal, e.g. "8'd5". */
void bm_hdl_lit(bm_buf *b, unsigned width, uint64_t value);
/* sig[lsb+width-1:lsb], or sig[lsb] for one bit. */
void bm_hdl_slice(bm_buf *b, const char *sig, unsigned lsb, unsigned width);
/* A value of `from` bits zero-extended to `to` bits: "{4'd0, x}" or "x". */
void bm_hdl_zext(bm_buf *b, const char *expr, unsigned from, unsigned to);
/* 1 when s is a Verilog-2005 or SystemVerilog-2017 keyword. */
int bm_hdl_is_keyword(const char *s);
/* The last path component of a file name ("(memory)" for NULL). */
const char *bm_hdl_basename(const char *path);
/* The header comment that starts every generated file. */
void bm_hdl_file_header(bm_buf *b, const bm_machine *m, const char *comment, const char *what);

/* A set of names in one Verilog scope.  hdl_names_claim returns `want` when
 * it is free and not a keyword, else want_1, want_2, ...: deterministic, and
 * never a clash. */
typedef struct hdl_names {
    bm_ctx *ctx;
    char **names;
    size_t n, cap;
    size_t *slots;   /* open-addressing hash index: 1 + index into names, 0 free */
    size_t n_slots;  /* a power of two, at least twice n                        */
} hdl_names;
void bm_hdl_names_init(hdl_names *n, bm_ctx *ctx);
void bm_hdl_names_free(hdl_names *n);
/* The claimed name, owned by the set; NULL when out of memory. */
const char *bm_hdl_names_claim(hdl_names *n, const char *want);

/* ---- ALU expressions ------------------------------------------------------ */

/* Appends the Verilog expression of op over W-bit operand expressions a, b, c
 * (c unused by every current unit); the expression is W bits wide and equals
 * bm_alu_eval bit for bit. */
void bm_hdl_alu_expr(bm_buf *b, bm_alu_op op, unsigned width, const char *a, const char *bx,
                  const char *c);
/* 1 when op needs its operand in slot (0 = A, 1 = B, 2 = C). */
int bm_hdl_alu_uses(bm_alu_op op, unsigned slot);

/* ---- the plan of a core ---------------------------------------------------- */

/* "No index" in the plan's index fields. */
#define HDL_NONE (~0u)
/* How a core reads an input port (hdl_core_plan.in_read): an instruction
 * takes its value (in, inn, inmacfx: take_iN, ready) or looks at it
 * (pkmacfx: look_iN, never ready). */
#define HDL_IN_TAKE 1u
#define HDL_IN_LOOK 2u

/* A value the datapath can use. */
typedef enum hdl_value_kind {
    HV_ZERO = 0, /* the constant 0                                  */
    HV_READ,     /* a register read mux (index into plan.reads)      */
    HV_IMM,      /* an immediate field (index into plan.imms)        */
    HV_INPUT,    /* the data of input port `index`                   */
    HV_RAM,      /* the word the RAM read                            */
    HV_UNIT      /* the result of a function unit (plan.units)      */
} hdl_value_kind;

typedef struct hdl_value {
    hdl_value_kind kind;
    unsigned index;
} hdl_value;

/* One input of a multiplexer: a value and the opcodes (local numbers) whose
 * instructions select it.  An HV_INPUT value is selected by its port's
 * take_iN flag instead. */
typedef struct hdl_cand {
    hdl_value value;
    bm_opcode_set ops;
} hdl_cand;

typedef struct hdl_mux {
    hdl_cand *c;
    size_t n, cap;
} hdl_mux;

/* Who reads registers through a read mux. */
enum {
    HDL_USE_PASS_REG = BM_ALU_OP_COUNT, /* a move into a register          */
    HDL_USE_PASS_OUT,                   /* the value an output port offers */
    HDL_USE_PASS_RAM,                   /* the word a store writes         */
    HDL_USE_COND,                       /* a conditional jump's test       */
    HDL_USE_RAM_ADDR,                   /* a RAM address                   */
    HDL_USE_COUNT
};

/* A register read: the registers some consumer reads in the program, chosen
 * at run time by a compact index sel (0 .. n_regs-1). */
typedef struct hdl_read {
    unsigned user, slot;
    uint64_t *regs; /* register numbers, ascending */
    size_t n_regs, cap;
    unsigned sel_width;
    char name[40];  /* rd_add_b */
} hdl_read;

typedef struct hdl_imm {
    unsigned lsb, width;
    char name[40];  /* imm_addi */
} hdl_imm;

/* A function unit: one per ALU operation (other than pass) the program uses. */
typedef struct hdl_unit {
    bm_alu_op alu;
    hdl_mux in[3];
    char name[40];  /* res_add */
} hdl_unit;

/* A register the program names.  One it reads but never writes keeps the 0
 * of reset; one it writes but never reads is kept for waveforms. */
typedef struct hdl_reg {
    uint64_t number;
    hdl_mux next;         /* the values written (none: never written)   */
    bm_opcode_set writers;
    int read;             /* some instruction reads it                  */
    int mul_dst;          /* a pipelined multiply writes it back        */
    int mul_acc;          /* ... and a multiply-accumulate adds to it   */
    int mul_set;          /* ... and a plain multiply overwrites it     */
} hdl_reg;

typedef struct hdl_outport {
    hdl_mux data;   /* the values offered                                  */
    int wait, post; /* targeted by a waiting / posted output instruction   */
    int fwd;        /* the forward of a taken input (docs/timing.md
                       "Forwarding ports"): no instruction targets it */
} hdl_outport;

/* The operand values an opcode takes in the program, per operand. */
typedef struct hdl_opvals {
    uint64_t *v;
    size_t n, cap;
} hdl_opvals;

typedef struct hdl_op {
    unsigned id;                  /* catalogue id                        */
    const bm_opcode_def *d;
    int used;                     /* appears in the program              */
    hdl_opvals vals[BM_OPERAND_MAX];
    unsigned read[3];             /* plan.reads index per ALU slot, or -1u */
    unsigned addr_read;           /* read of the RAM address, or -1u      */
    unsigned addr_operand;        /* the operand naming that register     */
    unsigned imm[3];              /* plan.imms index per ALU slot, or -1u */
    unsigned cycles;              /* cycles when nothing stalls (the core's
                                     multiplier variant counts)           */
    int delayed;                  /* a pipelined multiply: its register is
                                     written at the end of the next cycle */
    char flag[40];                /* is_add                              */
} hdl_op;

typedef struct hdl_core_plan {
    bm_ctx *ctx;
    const bm_core *core;
    const bm_core_params *p;
    bm_encoding enc;
    unsigned width, pc_width, n_program;
    int logic_rom;                /* the ROM is a case statement          */
    int staged;                   /* staged fetch (docs/timing.md "Fetch
                                     kinds"): a memory ROM read a cycle
                                     ahead into ir, its decode registered */
    int registered;               /* the decoded controls are flip-flops:
                                     logic_rom or staged                  */
    hdl_op op[BM_OPCODE_MAX]; /* by local opcode number */
    hdl_read *reads;
    size_t n_reads, cap_reads;
    hdl_imm *imms;
    size_t n_imms, cap_imms;
    hdl_unit *units;
    size_t n_units, cap_units;
    hdl_reg *regs;
    size_t n_regs, cap_regs;
    unsigned *reg_slot;       /* register number -> regs index, or -1u   */
    size_t n_written;         /* registers with at least one writer       */
    hdl_outport *outs;        /* per output port                          */
    unsigned char *in_read;   /* per input port: HDL_IN_TAKE | HDL_IN_LOOK  */
    hdl_mux ram_wdata;        /* values stored to RAM                     */
    int has_ram, ram_load, ram_store;
    unsigned ram_addr_read;   /* the read of RAM addresses, or -1u        */
    unsigned max_cycles;
    unsigned mul;             /* the multiplier variant (bm_mul_variant)  */
    int any_delayed;          /* some pipelined multiply is used          */
    int any_wait_out, any_post, any_in, any_jump, any_halt;
    int any_look;             /* some pkmacfx looks at an input (in_look)  */
    int any_fwd;              /* the forwarded input is taken: outs[fwd_out].fwd */
} hdl_core_plan;

int bm_hdl_plan_core(hdl_core_plan *plan, bm_ctx *ctx, const bm_core *core,
                  const bm_verilog_options *opt);
void bm_hdl_plan_free(hdl_core_plan *plan);
/* 1 when an instruction of the core looks at input port `port` (pkmacfx):
 * its module then has the input iN_offered, its source's own valid. */
int bm_hdl_core_looks_at(const bm_core *core, unsigned port);

/* ---- emitters --------------------------------------------------------------- */

/* The text of a core module from its port list on (everything after
 * "module NAME"), so that identical cores can share one module. */
int bm_hdl_core_body(bm_buf *out, bm_ctx *ctx, const bm_core *core, const bm_verilog_options *opt);

typedef struct hdl_design {
    const bm_machine *m;
    const char *top;           /* top module name                      */
    const char **core_module;  /* per core: its module name            */
    const char *const *sub_text; /* the submodules' Verilog text, whose */
    size_t n_sub_text;           /* declared names instances avoid      */
} hdl_design;

int bm_hdl_top_module(bm_buf *out, const hdl_design *d);
/* hidden_names.c: claims in `names` every name the Verilog text declares
 * (ports, wires, regs, parameters), so that no instance in the scope above
 * takes one (Verilator's VARHIDDEN).  0 or BM_ENOMEM. */
int bmi_hdl_reserve_declared(hdl_names *names, bm_ctx *ctx, const char *text);
int bm_hdl_pin_wrapper(bm_buf *out, const hdl_design *d, const char *name);
int bm_hdl_harness(bm_buf *out, const hdl_design *d);

#endif
