/* bm_core_fit_program: what the assembler derives for a core (docs/asm.md,
 * "Derivation"), for a program built in C with bm_core_append_insn: the
 * opcodes it uses, and the registers, ROM words, ports and RAM it needs.
 * Parameters are only raised, never lowered, so a value the caller set
 * above the need (a pin) stays. */
#include "internal.h"
#include "model.h"

static int uses_ram(const bm_opcode_def *d)
{
    return d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->c.kind == BM_SRC_RAM ||
           d->dst == BM_DST_RAM;
}

/* n raised to at least v + 1 (a number v in use needs v + 1 of them). */
static void need(unsigned *n, uint64_t v)
{
    if (v < UINT32_MAX && *n < v + 1)
        *n = (unsigned)v + 1;
}

int bm_core_fit_program(bm_core *c)
{
    if (!c)
        return BM_EINVAL;
    bm_ctx *ctx = c->machine->ctx;
    bm_core_params p = c->params;
    bm_opcode_set set = c->opcodes;
    unsigned registers = 1, inputs = 0, outputs = 0;
    const bm_insn *ram_user = NULL;
    for (size_t i = 0; i < c->n_program; i++) {
        const bm_insn *in = &c->program[i];
        const bm_opcode_def *d = bm_isa_get(in->opcode);
        if (!d) {
            bm_error(ctx, in->loc.file ? in->loc : c->loc,
                     "core '%s': instruction %zu has opcode id %u, which is not in the "
                     "catalogue", c->name, i, (unsigned)in->opcode);
            return BM_EINVAL;
        }
        bm_opcode_set_add(&set, in->opcode);
        for (unsigned k = 0; k < d->n_operands; k++) {
            switch (d->operands[k]) {
            case BM_OPND_REG: need(&registers, in->operand[k]); break;
            case BM_OPND_IN: need(&inputs, in->operand[k]); break;
            case BM_OPND_OUT: need(&outputs, in->operand[k]); break;
            default: break;
            }
        }
        if (!ram_user && uses_ram(d))
            ram_user = in;
    }
    if (p.registers < registers)
        p.registers = registers;
    if (p.inputs < inputs)
        p.inputs = inputs;
    if (p.outputs < outputs)
        p.outputs = outputs;
    if (p.rom_depth < c->n_program)
        p.rom_depth = (unsigned)c->n_program;
    if (p.ram_depth < c->n_ram_init)
        p.ram_depth = (unsigned)c->n_ram_init;
    if (ram_user && p.ram_depth == 0) {
        bm_error(ctx, ram_user->loc.file ? ram_user->loc : c->loc,
                 "'%s' needs a RAM: give core '%s' a ram_depth or RAM contents",
                 bm_isa_get(ram_user->opcode)->mnemonic, c->name);
        return BM_EINVALID;
    }
    c->params = p;
    c->opcodes = set;
    c->machine->valid = 0;
    return BM_OK;
}
