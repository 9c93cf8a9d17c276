/* A pipelined multiplier's exposed write-back (docs/timing.md, "Multiplier
 * variants"): a multiplier-family instruction issues in one cycle and its
 * destination register is written at the end of the next, so the
 * instruction right after it in program order
 *
 *   - reads the old value of that register, and
 *   - loses its own write to that register (the write-back wins),
 *
 * except that a MAC into the same register, reading it only as its
 * accumulator, adds to the written-back value (accumulate chains run one
 * per cycle).  Only that one instruction can be affected: anything later
 * runs after the write-back, and a jump in between gives it the cycle.
 *
 * The emitter writes code for a machine without a visible pipeline; this
 * pass makes it right for a pipelined one by putting a nop between the two
 * instructions of each such pair, and nowhere else.  Jump targets (argmax's
 * jz, the closing j 0) follow their instruction: a jump to the instruction
 * after a nop lands on the instruction itself, since the jump, not the
 * multiply, ran just before it. */
#include <string.h>

#include "map.h"

/* The register an instruction writes, or -1. */
static int64_t written_reg(const bm_opcode_def *d, const bm_insn *in)
{
    return d->dst == BM_DST_REG ? (int64_t)in->operand[d->dst_operand] : -1;
}

/* 1 when source s of instruction `in` reads register r (as data, or as a
 * RAM address). */
static int src_reads(const bm_src *s, const bm_insn *in, uint64_t r)
{
    return (s->kind == BM_SRC_REG || s->kind == BM_SRC_RAM) && in->operand[s->operand] == r;
}

/* 1 when `next`, right after multiplier-family instruction `prev`, would
 * see or overwrite the register prev's write-back has not written yet. */
static int hazard(const bm_opcode_def *pd, const bm_insn *prev, const bm_opcode_def *nd,
                  const bm_insn *next)
{
    if (!bm_opcode_uses_mul(pd))
        return 0;
    int64_t r = written_reg(pd, prev);
    if (r < 0)
        return 0;
    int mac_into_r = nd->alu == BM_ALU_MACFX && written_reg(nd, next) == r;
    const bm_src *src[3] = {&nd->a, &nd->b, &nd->c};
    for (int k = 0; k < 3; k++) {
        if (!src_reads(src[k], next, (uint64_t)r))
            continue;
        /* the accumulator of a MAC into r: added at write-back, so it sees r */
        if (mac_into_r && k == 0 && src[k]->kind == BM_SRC_REG &&
            src[k]->operand == nd->dst_operand)
            continue;
        return 1;
    }
    if (nd->dst == BM_DST_RAM && next->operand[nd->dst_operand] == (uint64_t)r)
        return 1; /* a store addressed by r */
    return written_reg(nd, next) == r && !mac_into_r;
}

int bmi_map_hazard_pipe(bm_ctx *ctx, map_program *prog, unsigned *inserted)
{
    size_t n = prog->n, extra = 0;
    if (inserted)
        *inserted = 0;
    for (size_t i = 0; i + 1 < n; i++)
        extra += (size_t)hazard(bm_isa_get(prog->insn[i].opcode), &prog->insn[i],
                                bm_isa_get(prog->insn[i + 1].opcode), &prog->insn[i + 1]);
    if (!extra)
        return BM_OK;
    /* moved[i]: where instruction i goes (moved[n]: the end) */
    size_t *moved = bm_malloc(ctx, (n + 1) * sizeof *moved);
    bm_insn *out = bm_malloc(ctx, (n + extra) * sizeof *out);
    if (!moved || !out) {
        bm_free(ctx, moved);
        bm_free(ctx, out);
        return bm_oom(ctx);
    }
    int nop = bm_isa_lookup("nop");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && hazard(bm_isa_get(prog->insn[i - 1].opcode), &prog->insn[i - 1],
                            bm_isa_get(prog->insn[i].opcode), &prog->insn[i])) {
            memset(&out[k], 0, sizeof out[k]);
            out[k].opcode = (uint16_t)nop;
            out[k].loc = prog->insn[i].loc;
            k++;
        }
        moved[i] = k;
        out[k++] = prog->insn[i];
    }
    moved[n] = k;
    for (size_t i = 0; i < k; i++) {
        const bm_opcode_def *d = bm_isa_get(out[i].opcode);
        for (unsigned j = 0; j < d->n_operands; j++)
            if (d->operands[j] == BM_OPND_ADDR && out[i].operand[j] <= n)
                out[i].operand[j] = moved[out[i].operand[j]];
    }
    bm_free(ctx, prog->insn);
    bm_free(ctx, moved);
    prog->insn = out;
    prog->n = prog->cap = k;
    bm_opcode_set_add(&prog->opcodes, (unsigned)nop);
    if (inserted)
        *inserted = (unsigned)extra;
    return BM_OK;
}
