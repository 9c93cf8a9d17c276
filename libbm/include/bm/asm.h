/* The assembler and the disassembler (docs/asm.md).
 *
 * The assembler reads one text file holding a whole machine: one or more
 * cores with their programs, RAM contents, external ports and bonds.  For
 * every core it derives what the program needs (opcode set, register count,
 * port counts, ROM and RAM depth) unless the file pins it, checks every
 * operand against the core's own encoding (nothing is ever truncated), and
 * builds a validated machine, ready for bm_machine_write_file().
 *
 * The disassembler prints a machine back in the assembler's syntax, with
 * every derived parameter pinned and labels for jump targets, so that
 * disassembling and assembling again gives the same encoded words.
 */
#ifndef BM_ASM_H
#define BM_ASM_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/ctx.h"
#include "bm/fixed.h"
#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_asm_options {
    unsigned version;         /* BM_ASM_OPTIONS_VERSION                          */
    const char *machine_name; /* overrides .machine and the file name; NULL: no  */
    unsigned default_width;   /* word width of a file's implicit core without
                                 .width (docs/asm.md, "Single-core files")       */
    bm_fixed_type fixed;      /* fixed-point type of fx(...) before any .fixed   */
    int auto_ports;           /* give the core of a file without .core, .input,
                                 .output and .bond external ports in0.., out0..  */
} bm_asm_options;
#define BM_ASM_OPTIONS_VERSION 1
#define BM_ASM_OPTIONS_INIT                                                    \
    {BM_ASM_OPTIONS_VERSION, NULL, 8, {BM_FIXED_DEFAULT_TOTAL, BM_FIXED_DEFAULT_FRAC}, 1}
/* Fills *opts with the defaults of BM_ASM_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_ASM_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_asm_options_init(bm_asm_options *opts, unsigned version);

/* Assembles a file.  On success *out is a new, validated machine (warnings
 * may be on the context).  On failure *out is NULL and every error is on
 * the context as file:line:col.  opt may be NULL for the defaults. */
BM_API int bm_asm_file(bm_machine **out, bm_ctx *ctx, const char *path, const bm_asm_options *opt);
/* The same from memory; `name` is the file name used in messages and for
 * the default machine name (NULL: "<memory>"). */
BM_API int bm_asm_memory(bm_machine **out, bm_ctx *ctx, const char *text, size_t len,
                  const char *name, const bm_asm_options *opt);

typedef struct bm_disasm_options {
    unsigned version; /* BM_DISASM_OPTIONS_VERSION */
    unsigned flags;   /* BM_DISASM_* bits          */
} bm_disasm_options;
#define BM_DISASM_OPTIONS_VERSION 1
#define BM_DISASM_OPTIONS_INIT {BM_DISASM_OPTIONS_VERSION, 0}
/* Fills *opts with the defaults of BM_DISASM_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_DISASM_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_disasm_options_init(bm_disasm_options *opts, unsigned version);
/* Show each instruction's address and encoded word in a comment. */
#define BM_DISASM_WORDS 1u

/* Prints a valid machine (or one core's section: .core, pins, .data and
 * program) as assembler text.  The program is printed from its encoded
 * words: each instruction is encoded with the core's encoding and decoded
 * again.  *out is NUL-terminated and allocated with the context's
 * allocator: free it with bm_disasm_free().  BM_EINVAL when the machine is
 * not valid.  opt may be NULL for the defaults. */
BM_API int bm_disasm_machine(char **out, size_t *len, const bm_machine *m, const bm_disasm_options *opt);
BM_API int bm_disasm_core(char **out, size_t *len, const bm_core *c, const bm_disasm_options *opt);
BM_API void bm_disasm_free(bm_ctx *ctx, char *text);

#ifdef __cplusplus
}
#endif
#endif
