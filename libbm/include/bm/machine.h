/* The machine model: cores, external ports and bonds.
 *
 * A machine owns its cores.  Objects are built with the add/set functions,
 * then bm_machine_validate() checks every rule (see docs/format.md) and
 * records errors and warnings on the context with the object's location.
 * Read-only accessors give the design view that backends (simulator, Verilog)
 * and users walk.
 */
#ifndef BM_MACHINE_H
#define BM_MACHINE_H

#include <stdint.h>

#include "bm/ctx.h"
#include "bm/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of the implementation (checked by validation, never truncated). */
#define BM_WIDTH_MAX 64          /* data word width in bits                */
#define BM_REGISTERS_MAX 65536
#define BM_PORTS_MAX 65536       /* per direction, per core                */
#define BM_ROM_DEPTH_MAX (1u << 24)
#define BM_RAM_DEPTH_MAX (1u << 24)

typedef struct bm_machine bm_machine;
typedef struct bm_core bm_core;

/* One instruction of a core's program: a catalogue opcode id and its
 * operand values (register, port and address numbers, or the immediate
 * already reduced to the core's W bits). */
typedef struct bm_insn {
    uint16_t opcode;
    uint64_t operand[BM_OPERAND_MAX];
    bm_loc loc;
} bm_insn;

/* A core's opcode set: a bitset over catalogue ids. */
typedef struct bm_opcode_set {
    uint64_t bits[(BM_OPCODE_MAX + 63) / 64];
} bm_opcode_set;

void bm_opcode_set_clear(bm_opcode_set *set);
void bm_opcode_set_add(bm_opcode_set *set, unsigned id);
int bm_opcode_set_has(const bm_opcode_set *set, unsigned id);
unsigned bm_opcode_set_count(const bm_opcode_set *set);

/* The parameters of a core.  Fill with BM_CORE_PARAMS_INIT, then set. */
typedef struct bm_core_params {
    unsigned version;    /* BM_CORE_PARAMS_VERSION */
    unsigned width;      /* data word width, bits          */
    unsigned registers;  /* register count                 */
    unsigned rom_depth;  /* ROM words (>= program length)  */
    unsigned ram_depth;  /* RAM words, 0 = no RAM          */
    unsigned inputs;     /* input port count               */
    unsigned outputs;    /* output port count              */
    unsigned frac;       /* fraction bits of the fixed-point opcodes (mulfx,
                            macfx, ...): products are shifted right by frac;
                            0 when the core has none. Less than width. */
    unsigned mul;        /* version 2: the multiplier variant (bm_mul_variant,
                            bm/isa.h) of the mul, mulfx and macfx opcodes */
    unsigned fetch;      /* version 3: how the core fetches (bm_fetch_kind,
                            bm/isa.h) */
} bm_core_params;
/* Version 2 added `mul`, version 3 `fetch`.  The add and set functions still
 * take a version 1 or 2 struct (without them), which gets BM_MUL_COMB and
 * BM_FETCH_DIRECT. */
#define BM_CORE_PARAMS_VERSION 3
#define BM_CORE_PARAMS_INIT {BM_CORE_PARAMS_VERSION, 8, 1, 1, 0, 0, 0, 0, 0, 0}

/* Where a bond starts or ends. */
typedef enum bm_endpoint_kind {
    BM_EP_INPUT = 0,  /* an external machine input (a source)  */
    BM_EP_OUTPUT,     /* an external machine output (a sink)   */
    BM_EP_CORE_IN,    /* input port of a core (a sink)         */
    BM_EP_CORE_OUT    /* output port of a core (a source)      */
} bm_endpoint_kind;

typedef struct bm_endpoint {
    bm_endpoint_kind kind;
    unsigned index;   /* external port index, or core index  */
    unsigned port;    /* core port number (core kinds only)  */
} bm_endpoint;

/* ---- machine ---------------------------------------------------------- */

int bm_machine_new(bm_machine **out, bm_ctx *ctx, const char *name);
void bm_machine_free(bm_machine *m);
bm_ctx *bm_machine_ctx(const bm_machine *m);
const char *bm_machine_name(const bm_machine *m);
int bm_machine_set_name(bm_machine *m, const char *name);
/* Where the machine was read from (for messages); loc.file may be NULL. */
bm_loc bm_machine_loc(const bm_machine *m);
void bm_machine_set_loc(bm_machine *m, bm_loc loc);

/* External ports.  Names must be unique among all inputs and outputs;
 * duplicates are reported by validation. */
int bm_machine_add_input(bm_machine *m, const char *name, unsigned width, bm_loc loc);
int bm_machine_add_output(bm_machine *m, const char *name, unsigned width, bm_loc loc);
unsigned bm_machine_input_count(const bm_machine *m);
unsigned bm_machine_output_count(const bm_machine *m);
const char *bm_machine_input_name(const bm_machine *m, unsigned i);
const char *bm_machine_output_name(const bm_machine *m, unsigned i);
unsigned bm_machine_input_width(const bm_machine *m, unsigned i);
unsigned bm_machine_output_width(const bm_machine *m, unsigned i);
int bm_machine_find_input(const bm_machine *m, const char *name);  /* -1 if none */
int bm_machine_find_output(const bm_machine *m, const char *name); /* -1 if none */

/* Cores.  *out (may be NULL) receives the new core, owned by the machine. */
int bm_machine_add_core(bm_machine *m, bm_core **out, const char *name,
                        const bm_core_params *params, bm_loc loc);
unsigned bm_machine_core_count(const bm_machine *m);
bm_core *bm_machine_core(const bm_machine *m, unsigned i);
int bm_machine_find_core(const bm_machine *m, const char *name); /* -1 if none */

/* Bonds.  An endpoint is written as "name" for an external port or
 * "core.iN" / "core.oN" for a core port; names are resolved by validation,
 * so bonds may be added before the things they connect.  *out receives the
 * bond's index. */
int bm_machine_add_bond(bm_machine *m, unsigned *out, const char *source, bm_loc loc);
int bm_machine_bond_add_sink(bm_machine *m, unsigned bond, const char *sink, bm_loc loc);
unsigned bm_machine_bond_count(const bm_machine *m);
const char *bm_machine_bond_source_text(const bm_machine *m, unsigned bond);
unsigned bm_machine_bond_sink_count(const bm_machine *m, unsigned bond);
const char *bm_machine_bond_sink_text(const bm_machine *m, unsigned bond, unsigned k);
bm_loc bm_machine_bond_loc(const bm_machine *m, unsigned bond);
/* Resolved endpoints: valid only after a successful bm_machine_validate(). */
int bm_machine_bond_source(const bm_machine *m, unsigned bond, bm_endpoint *out);
int bm_machine_bond_sink(const bm_machine *m, unsigned bond, unsigned k, bm_endpoint *out);
/* The bond that drives a sink / is driven by a source, or -1.  Valid after
 * a successful validation. */
int bm_machine_bond_of_core_input(const bm_machine *m, unsigned core, unsigned port);
int bm_machine_bond_of_core_output(const bm_machine *m, unsigned core, unsigned port);
int bm_machine_bond_of_input(const bm_machine *m, unsigned input);
int bm_machine_bond_of_output(const bm_machine *m, unsigned output);

/* Copies every input, output, core and bond of src into dst, with `prefix`
 * put before every name (so "x" becomes "PREFIXx" and "c.i0" "PREFIXc.i0").
 * The copy is not connected to what dst already holds; validate dst after. */
int bm_machine_append(bm_machine *dst, const bm_machine *src, const char *prefix);

/* Checks every rule and resolves bond endpoints.  Errors and warnings go to
 * the context; returns 0 when there is no error (warnings allowed) and
 * BM_EINVALID otherwise. */
int bm_machine_validate(bm_machine *m);
/* 1 after a validation that found no error, until the machine changes. */
int bm_machine_is_valid(const bm_machine *m);

/* ---- core ------------------------------------------------------------- */

const char *bm_core_name(const bm_core *c);
unsigned bm_core_index(const bm_core *c);
const bm_core_params *bm_core_get_params(const bm_core *c);
int bm_core_set_params(bm_core *c, const bm_core_params *params);
bm_loc bm_core_loc(const bm_core *c);

const bm_opcode_set *bm_core_opcodes(const bm_core *c);
void bm_core_set_opcodes(bm_core *c, const bm_opcode_set *set);
/* Adds by mnemonic; BM_ENOTFOUND (with a diagnostic at loc) when unknown. */
int bm_core_add_opcode(bm_core *c, const char *mnemonic, bm_loc loc);

/* The program, in ROM order from address 0. */
int bm_core_append_insn(bm_core *c, const bm_insn *insn);
unsigned bm_core_program_length(const bm_core *c);
const bm_insn *bm_core_insn(const bm_core *c, unsigned pc);
void bm_core_clear_program(bm_core *c);

/* Initial RAM contents from address 0 (the rest of the RAM starts at 0). */
int bm_core_set_ram_init(bm_core *c, const uint64_t *words, unsigned count, bm_loc loc);
unsigned bm_core_ram_init_count(const bm_core *c);
const uint64_t *bm_core_ram_init(const bm_core *c);
bm_loc bm_core_ram_init_loc(const bm_core *c);

/* Field width of an operand kind in this core (see bm/isa.h). */
unsigned bm_core_operand_bits(const bm_core *c, bm_operand_kind kind);

#ifdef __cplusplus
}
#endif
#endif
