/* Private parts of the assembler, shared by its stages:
 *
 *   asm_lex.c    text -> tokens
 *   asm_parse.c  tokens -> statements (cores, labels, constants, ports, bonds)
 *   asm_expr.c   numbers and constant expressions
 *   asm_build.c  derivation of core parameters, operand checks, the machine
 *
 * The syntax is documented in docs/asm.md. */
#ifndef BM_ASM_INTERNAL_H
#define BM_ASM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bm/asm.h"
#include "bm/fixed.h"
#include "bm/machine.h"
#include "internal.h"

/* Values of expressions: wide enough for -2^64 .. 2^64, the range every
 * intermediate result is held to. */
__extension__ typedef __int128 asm_int;

/* ---- tokens ------------------------------------------------------------ */

typedef enum asm_tok_kind {
    ASM_T_EOF = 0,
    ASM_T_NEWLINE,
    ASM_T_IDENT,     /* name, register, port or endpoint ("core.i0")   */
    ASM_T_DIRECTIVE, /* ".core", text without the dot                   */
    ASM_T_NUMBER,    /* "12", "0x1f", "0b101", "1.25", "6e-3"           */
    ASM_T_PUNCT,     /* one of , : ( ) + - * @ =                        */
    ASM_T_ARROW      /* ->                                              */
} asm_tok_kind;

typedef struct asm_tok {
    asm_tok_kind kind;
    unsigned line, col;
    const char *text; /* NUL-terminated, in the token pool                */
    int decimal;      /* NUMBER with a point or exponent (fx(...) only)   */
} asm_tok;

typedef struct asm_tokens {
    asm_tok *tok;
    size_t n, cap;
    char *pool;
} asm_tokens;

/* Splits the text into tokens.  Lexical errors are recorded (file:line:col)
 * and counted in *errors; the bad text is skipped so parsing can go on. */
int bmi_asm_lex(bm_ctx *ctx, const char *file, const char *src, size_t len, asm_tokens *out,
            unsigned *errors);
void bmi_asm_tokens_free(bm_ctx *ctx, asm_tokens *t);

/* ---- statements -------------------------------------------------------- */

/* An operand as written: tokens [first, end).  Registers and ports are
 * decoded by the parser into `value`; other kinds are expressions, evaluated
 * once every label is known. */
typedef struct asm_operand {
    unsigned first, end;
    uint64_t value;
} asm_operand;

typedef struct asm_insn {
    int opcode;   /* catalogue id, or -1 after a reported error */
    unsigned tok; /* the mnemonic                               */
    asm_operand op[BM_OPERAND_MAX];
    bm_fixed_type fixed; /* the .fixed type in effect            */
} asm_insn;

typedef struct asm_label {
    const char *name;
    unsigned addr, tok;
} asm_label;

/* One RAM word given by .data: its address and its expression. */
typedef struct asm_data {
    unsigned addr, first, end;
    bm_fixed_type fixed;
} asm_data;

typedef enum asm_pin_kind {
    ASM_PIN_REGISTERS = 0,
    ASM_PIN_ROM,
    ASM_PIN_RAM,
    ASM_PIN_INPUTS,
    ASM_PIN_OUTPUTS,
    ASM_PIN_WIDTH,
    ASM_PIN_FRAC,
    ASM_PIN_MUL,   /* the multiplier variant (bm_mul_variant), from .mul NAME */
    ASM_PIN_FETCH, /* the fetch kind (bm_fetch_kind), from .fetch NAME */
    ASM_PIN_QUEUE, /* the output queue depth, from .queue N */
    ASM_PIN_FORWARD, /* the forward's output port, from .forward oN */
    ASM_PIN_FORWARD_QUEUE, /* its queue depth, from .forward oN, D */
    ASM_PIN_COUNT
} asm_pin_kind;

typedef struct asm_pin {
    int set;
    unsigned value;
    unsigned tok; /* the directive, for messages */
} asm_pin;

typedef struct asm_core {
    const char *name;
    unsigned tok; /* the .core directive (or first statement, implicit core) */
    asm_pin pin[ASM_PIN_COUNT];
    bm_opcode_set opcodes; /* added by .opcodes */
    asm_insn *insns;
    size_t n_insns, cap_insns;
    asm_label *labels;
    size_t n_labels, cap_labels;
    asm_data *data;
    size_t n_data, cap_data;
    unsigned data_next; /* address of the next .data word */
    /* Highest port numbers named by bonds, plus one (parsed from "core.iN"). */
    unsigned bonded_inputs, bonded_outputs;
} asm_core;

typedef struct asm_const {
    const char *name;
    asm_int value;
    unsigned tok;
} asm_const;

typedef struct asm_extport {
    unsigned tok; /* the name */
    unsigned width;
    int output;
} asm_extport;

/* Bond endpoints, flat: a source followed by its sinks. */
typedef struct asm_bond_end {
    unsigned tok;
    int source; /* 1 for the source, which starts a new bond */
} asm_bond_end;

typedef struct asm_state {
    bm_ctx *ctx;
    const char *file;
    char default_name[72]; /* the file's base name as an identifier */
    const bm_asm_options *opt;
    asm_tokens t;
    unsigned errors;

    unsigned machine_tok; /* .machine NAME, or 0 */
    asm_core **cores;
    size_t n_cores, cap_cores;
    bmi_name_index core_index; /* core name -> index in cores */
    int implicit_core; /* the file has no .core: one core, default_name */
    asm_const *consts;
    size_t n_consts, cap_consts;
    asm_extport *ports;
    size_t n_ports, cap_ports;
    asm_bond_end *bond_ends;
    size_t n_bond_ends, cap_bond_ends;
    bm_fixed_type fixed; /* the current .fixed type */
} asm_state;

/* Location of token i. */
bm_loc bmi_asm_loc(const asm_state *st, unsigned i);
/* Records an error at token i and counts it; returns BM_EPARSE. */
int bmi_asm_error(asm_state *st, unsigned i, const char *fmt, ...) BM_PRINTF(3, 4);

/* Parses the whole token stream into the state.  Errors are counted. */
int bmi_asm_parse(asm_state *st);
void bmi_asm_state_free(asm_state *st);

/* A file name turned into an identifier: base name without extension,
 * other characters replaced by '_'.  Writes at most size bytes. */
void bmi_asm_name_from_file(char *buf, size_t size, const char *file);

/* 1 when text is "rN", "iN" or "oN" (prefix given), with N in *n. */
int bmi_asm_is_register_like(const char *text, char prefix, uint64_t *n);

/* ---- expressions ------------------------------------------------------- */

/* Evaluates an expression starting at token first.  Names are constants
 * defined earlier in the file or, when core is not NULL, labels of that
 * core; fx(...) uses the fixed type given.  With stop NULL the expression
 * must fill [first, end); otherwise it ends at the first token that cannot
 * continue it, and *stop receives that token's index. */
int bmi_asm_eval(asm_state *st, unsigned first, unsigned end, const asm_core *core,
             bm_fixed_type fixed, unsigned *stop, asm_int *out);
/* Evaluates a directive argument at *pos (constants only, the current
 * fixed type) that must be an integer in lo..hi; advances *pos past it and
 * an optional ','. */
int bmi_asm_eval_count(asm_state *st, unsigned *pos, unsigned end, uint64_t lo, uint64_t hi,
                   const char *what, unsigned *out);
/* Reduces a value to a W-bit word: it must lie in -2^(W-1) .. 2^W - 1,
 * otherwise an error at token `at` naming `what` ("immediate"). */
int bmi_asm_fit_word(asm_state *st, unsigned at, asm_int v, unsigned width, const char *what,
                 uint64_t *out);
/* Decimal text of a value (for messages). */
void bmi_asm_int_format(char *buf, size_t size, asm_int v);

/* ---- machine ----------------------------------------------------------- */

/* Checks every operand, derives each core's parameters and builds the
 * machine.  *out is NULL on failure. */
int bmi_asm_build(asm_state *st, bm_machine **out);

#endif
