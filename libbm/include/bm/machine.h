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

#include "bm/export.h"

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

/* A core's opcode set: a bitset over catalogue ids, with room for
 * BM_OPCODE_CAPACITY of them (bm/isa.h). */
typedef struct bm_opcode_set {
    uint64_t bits[BM_OPCODE_CAPACITY / 64];
} bm_opcode_set;

/* Empties the set; adds catalogue id `id` (ids at or above BM_OPCODE_MAX
 * are ignored); 1 when `id` is in the set; how many ids it holds. */
BM_API void bm_opcode_set_clear(bm_opcode_set *set);
BM_API void bm_opcode_set_add(bm_opcode_set *set, unsigned id);
BM_API int bm_opcode_set_has(const bm_opcode_set *set, unsigned id);
BM_API unsigned bm_opcode_set_count(const bm_opcode_set *set);

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
    unsigned queue;      /* version 4: the words each output port holds
                            (1..BM_QUEUE_MAX): 1 is the one-word holding
                            register; more let `outn` post that many values
                            before it waits (docs/timing.md "Output
                            queues") */
    unsigned forward;    /* version 5: 1 when every value the program takes
                            from an input port is also queued on output
                            port forward_out, in the cycle it is taken
                            (docs/timing.md "Forwarding"); no instruction
                            names forward_out */
    unsigned forward_out;
    unsigned forward_queue; /* the words the forward port holds, 1..BM_QUEUE_MAX
                            (default 2: a value a cycle down a chain); the
                            other ports hold `queue` */
} bm_core_params;
/* The deepest output queue a core may have. */
#define BM_QUEUE_MAX 64
/* Version 2 added `mul`, version 3 `fetch`, version 4 `queue`, version 5
 * `forward`.  The add and set functions still take a version 1 to 4 struct
 * (without them), which gets BM_MUL_COMB, BM_FETCH_DIRECT, a queue of 1 and
 * no forwarding. */
#define BM_CORE_PARAMS_VERSION 5
#define BM_CORE_PARAMS_INIT {BM_CORE_PARAMS_VERSION, 8, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2}
/* Fills *params with the defaults of BM_CORE_PARAMS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_CORE_PARAMS_VERSION the caller's struct was
 * declared with (1 to 5; an older struct is filled without the fields
 * its version lacks).  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_core_params_init(bm_core_params *params, unsigned version);

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

/* Creates an empty machine named `name` (copied) on ctx: *out, owned by the
 * caller, freed with bm_machine_free before the context.  BM_EINVAL for a
 * NULL argument, BM_ENOMEM. */
BM_API int bm_machine_new(bm_machine **out, bm_ctx *ctx, const char *name);
/* Frees the machine with its cores, programs and bonds; NULL is allowed. */
BM_API void bm_machine_free(bm_machine *m);
/* The context the machine was made on: its errors are recorded there. */
BM_API bm_ctx *bm_machine_ctx(const bm_machine *m);
/* The machine's name, owned by the machine; setting it copies the new one
 * and makes the machine not valid until the next bm_machine_validate. */
BM_API const char *bm_machine_name(const bm_machine *m);
BM_API int bm_machine_set_name(bm_machine *m, const char *name);
/* Where the machine was read from (for messages); loc.file may be NULL. */
BM_API bm_loc bm_machine_loc(const bm_machine *m);
BM_API void bm_machine_set_loc(bm_machine *m, bm_loc loc);

/* External ports.  Names must be unique among all inputs and outputs;
 * duplicates are reported by validation. */
BM_API int bm_machine_add_input(bm_machine *m, const char *name, unsigned width, bm_loc loc);
BM_API int bm_machine_add_output(bm_machine *m, const char *name, unsigned width, bm_loc loc);
BM_API unsigned bm_machine_input_count(const bm_machine *m);
BM_API unsigned bm_machine_output_count(const bm_machine *m);
BM_API const char *bm_machine_input_name(const bm_machine *m, unsigned i);
BM_API const char *bm_machine_output_name(const bm_machine *m, unsigned i);
BM_API unsigned bm_machine_input_width(const bm_machine *m, unsigned i);
BM_API unsigned bm_machine_output_width(const bm_machine *m, unsigned i);
/* The index of the external input / output named `name`, or BM_ENOTFOUND. */
BM_API int bm_machine_find_input(const bm_machine *m, const char *name);
BM_API int bm_machine_find_output(const bm_machine *m, const char *name);

/* Cores.  *out (may be NULL) receives the new core, owned by the machine. */
BM_API int bm_machine_add_core(bm_machine *m, bm_core **out, const char *name,
                        const bm_core_params *params, bm_loc loc);
BM_API unsigned bm_machine_core_count(const bm_machine *m);
BM_API bm_core *bm_machine_core(const bm_machine *m, unsigned i);
/* The index of the core named `name`, or BM_ENOTFOUND. */
BM_API int bm_machine_find_core(const bm_machine *m, const char *name);

/* Bonds.  An endpoint is written as "name" for an external port or
 * "core.iN" / "core.oN" for a core port; names are resolved by validation,
 * so bonds may be added before the things they connect.  *out receives the
 * bond's index. */
BM_API int bm_machine_add_bond(bm_machine *m, unsigned *out, const char *source, bm_loc loc);
BM_API int bm_machine_bond_add_sink(bm_machine *m, unsigned bond, const char *sink, bm_loc loc);
BM_API unsigned bm_machine_bond_count(const bm_machine *m);
BM_API const char *bm_machine_bond_source_text(const bm_machine *m, unsigned bond);
BM_API unsigned bm_machine_bond_sink_count(const bm_machine *m, unsigned bond);
BM_API const char *bm_machine_bond_sink_text(const bm_machine *m, unsigned bond, unsigned k);
BM_API bm_loc bm_machine_bond_loc(const bm_machine *m, unsigned bond);
/* Resolved endpoints: valid only after a successful bm_machine_validate(). */
BM_API int bm_machine_bond_source(const bm_machine *m, unsigned bond, bm_endpoint *out);
BM_API int bm_machine_bond_sink(const bm_machine *m, unsigned bond, unsigned k, bm_endpoint *out);
/* The bond that drives a sink / is driven by a source, or BM_ENOTFOUND.  Valid after
 * a successful validation. */
BM_API int bm_machine_bond_of_core_input(const bm_machine *m, unsigned core, unsigned port);
BM_API int bm_machine_bond_of_core_output(const bm_machine *m, unsigned core, unsigned port);
BM_API int bm_machine_bond_of_input(const bm_machine *m, unsigned input);
BM_API int bm_machine_bond_of_output(const bm_machine *m, unsigned output);

/* Copies every input, output, core and bond of src into dst, with `prefix`
 * put before every name (so "x" becomes "PREFIXx" and "c.i0" "PREFIXc.i0").
 * The copy is not connected to what dst already holds; validate dst after. */
BM_API int bm_machine_append(bm_machine *dst, const bm_machine *src, const char *prefix);
/* A copy of m on m's context (*out, freed with bm_machine_free): the same
 * name, inputs, outputs, cores (parameters, opcodes, programs, RAM
 * contents) and bonds, independent of m afterwards.  The copy is not
 * validated yet: call bm_machine_validate before simulating or writing it. */
BM_API int bm_machine_clone(bm_machine **out, const bm_machine *m);

/* Checks every rule and resolves bond endpoints.  Errors and warnings go to
 * the context; returns 0 when there is no error (warnings allowed) and
 * BM_EINVALID otherwise. */
BM_API int bm_machine_validate(bm_machine *m);
/* 1 after a validation that found no error, until the machine changes. */
BM_API int bm_machine_is_valid(const bm_machine *m);

/* ---- core ------------------------------------------------------------- */

/* A core's name (owned by the machine), its index in the machine, and
 * where it was read from. */
BM_API const char *bm_core_name(const bm_core *c);
BM_API unsigned bm_core_index(const bm_core *c);
BM_API bm_loc bm_core_loc(const bm_core *c);
/* The core's parameters (owned by the core, always the current version);
 * setting them copies *params (version 1 to 5) and makes the machine not
 * valid until the next bm_machine_validate.  BM_EINVAL (recorded) for NULL
 * or an unsupported version. */
BM_API const bm_core_params *bm_core_get_params(const bm_core *c);
BM_API int bm_core_set_params(bm_core *c, const bm_core_params *params);

/* The core's opcode set (owned by the core); setting it copies *set and
 * makes the machine not valid until the next bm_machine_validate. */
BM_API const bm_opcode_set *bm_core_opcodes(const bm_core *c);
BM_API void bm_core_set_opcodes(bm_core *c, const bm_opcode_set *set);
/* Adds by mnemonic; BM_ENOTFOUND (with a diagnostic at loc) when unknown. */
BM_API int bm_core_add_opcode(bm_core *c, const char *mnemonic, bm_loc loc);

/* The program, in ROM order from address 0. */
BM_API int bm_core_append_insn(bm_core *c, const bm_insn *insn);
BM_API unsigned bm_core_program_length(const bm_core *c);
BM_API const bm_insn *bm_core_insn(const bm_core *c, unsigned pc);
BM_API void bm_core_clear_program(bm_core *c);

/* What the assembler derives (docs/asm.md, "Derivation"), for a program
 * built in C: adds the program's opcodes to the core's set and raises the
 * register count, ROM depth, input and output port counts to what the
 * program's operands use (register r5 needs 6 registers, out o1 two output
 * ports, ...) and the RAM depth to the RAM contents given.  Parameters are
 * never lowered: start from BM_CORE_PARAMS_INIT for the minimum, or set one
 * higher first to keep it (a pin).  The width, frac, multiplier, fetch and
 * queue are the caller's.  Call it after the program and RAM contents,
 * then bm_machine_validate.  0; BM_EINVALID (recorded) when the program
 * reads or writes a RAM and none is given; BM_EINVAL for an opcode id
 * outside the catalogue. */
BM_API int bm_core_fit_program(bm_core *c);

/* Initial RAM contents from address 0 (the rest of the RAM starts at 0). */
BM_API int bm_core_set_ram_init(bm_core *c, const uint64_t *words, unsigned count, bm_loc loc);
BM_API unsigned bm_core_ram_init_count(const bm_core *c);
BM_API const uint64_t *bm_core_ram_init(const bm_core *c);
BM_API bm_loc bm_core_ram_init_loc(const bm_core *c);

/* Field width of an operand kind in this core (see bm/isa.h). */
BM_API unsigned bm_core_operand_bits(const bm_core *c, bm_operand_kind kind);

#ifdef __cplusplus
}
#endif
#endif
