/* One instruction as text: "mnemonic operand, operand".
 *
 * This is the form instructions take inside the machine XML (<i> elements)
 * and the form the disassembler prints.  Operands are written by kind:
 * registers "r3", input ports "i0", output ports "o1", ROM addresses,
 * shift amounts and immediates as numbers (decimal, or 0x hex; immediates may
 * be negative).  The assembler (bm/asm.h) accepts a superset: labels,
 * constants and fixed-point literals.
 */
#ifndef BM_INSN_H
#define BM_INSN_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Formats an instruction in canonical form (immediates as unsigned decimal
 * of their W-bit pattern).  Returns the length, like snprintf. */
BM_API int bm_insn_format(char *buf, size_t size, const bm_insn *insn);

/* Parses one instruction for a core of the given word width.  Range checks
 * that need the rest of the core (register and port counts, jump targets)
 * are left to bm_machine_validate().  Errors go to the context at loc
 * (with the column advanced to the offending token). */
BM_API int bm_insn_parse(bm_ctx *ctx, const char *text, unsigned width, bm_loc loc, bm_insn *out);

#ifdef __cplusplus
}
#endif
#endif
