/* The multiplier variants (bm/isa.h): one row each, read by the simulator,
 * the Verilog emitter, the assembler and the docs, like the opcode
 * catalogue.  docs/timing.md "Multiplier variants" explains each row. */
#include <string.h>

#include "bm/ctx.h"
#include "bm/isa.h"

static const bm_mul_variant_def variants[BM_MUL_VARIANT_COUNT] = {
    {"comb", "single cycle in logic: the result is written at the end of the cycle", 1, 0, 0, 1},
    {"pipe", "pipelined (maps onto DSP48E1 / SB_MAC16): one issue per cycle, the result "
             "is written at the end of the next cycle", 1, 0, 1, 1},
    {"serial", "shift-add, one multiplier bit per cycle: the core spends W + 1 cycles",
     1, 1, 0, 0},
};

const bm_mul_variant_def *bm_mul_variant_get(unsigned variant)
{
    return variant < BM_MUL_VARIANT_COUNT ? &variants[variant] : NULL;
}

int bm_mul_variant_from_name(const char *name)
{
    for (unsigned i = 0; name && i < BM_MUL_VARIANT_COUNT; i++)
        if (strcmp(variants[i].name, name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

int bm_alu_uses_mul(bm_alu_op op)
{
    return op == BM_ALU_MUL || op == BM_ALU_MULFX || op == BM_ALU_MACFX;
}

int bm_opcode_uses_mul(const bm_opcode_def *d)
{
    return d && bm_alu_uses_mul(d->alu);
}

unsigned bm_opcode_cycles(const bm_opcode_def *d, unsigned variant, unsigned width)
{
    const bm_mul_variant_def *v = bm_mul_variant_get(variant);
    if (!bm_opcode_uses_mul(d) || !v)
        return d->cycles ? d->cycles : 1;
    return v->issue_base + v->issue_per_bit * width;
}
