/* The shape of a core's hardware (area_shape.h), counted from its program.
 *
 * This follows hdl_out/core_plan.c rule by rule (docs/verilog.md,
 * "Microarchitecture of a core") but only counts: one function unit per ALU
 * operation, a read mux per consumer and ALU slot over the registers read
 * there, per register a mux over the values written to it, per output port
 * a mux over the values offered.  The compiler may not depend on hdl_out/
 * (docs/DESIGN.md), hence the separate count.  Sets are counted by asking,
 * for each instruction, whether an earlier one already contributed the same
 * element: quadratic in the program length but free of allocation, so the
 * estimate is a pure function that cannot fail.
 */
#include <string.h>

#include "area_shape.h"
#include "bm/encoding.h"
#include "bm/verilog.h"

/* What one instruction contributes. */
typedef struct facts {
    const bm_opcode_def *d;
    unsigned local;
    int builds;                 /* 0: a store nothing reads back          */
    unsigned n_reads;
    unsigned read_user[4], read_slot[4];
    uint64_t read_reg[4];
    unsigned value[3];          /* value id per ALU slot                   */
    unsigned result;            /* value id of what it writes              */
    int writes_reg;
    uint64_t dst_reg;
    int out_port;               /* -1 or the port it offers a value on     */
    int in_port;                /* -1 or the port it takes                 */
    unsigned imm_lsb[3], imm_width[3];
} facts;

enum { V_ZERO = 0, V_READ = 1, V_IMM = 1000, V_INPUT = 100000, V_RAM = 1 << 30, V_UNIT };

static const bm_src *slot_src(const bm_opcode_def *d, unsigned slot)
{
    return slot == 0 ? &d->a : slot == 1 ? &d->b : &d->c;
}

static unsigned read_user(const bm_opcode_def *d)
{
    if (d->alu == BM_ALU_PASS_B)
        return d->dst == BM_DST_OUTPUT ? AREA_USE_OUT
               : d->dst == BM_DST_RAM  ? AREA_USE_STORE
                                       : AREA_USE_MOVE;
    return d->alu == BM_ALU_NONE ? AREA_USE_COND : (unsigned)d->alu;
}

static int ram_addr_operand(const bm_opcode_def *d)
{
    for (unsigned slot = 0; slot < 3; slot++)
        if (slot_src(d, slot)->kind == BM_SRC_RAM)
            return slot_src(d, slot)->operand;
    return d->dst == BM_DST_RAM ? d->dst_operand : -1;
}

static int alu_uses(bm_alu_op op, unsigned slot)
{
    switch (op) {
    case BM_ALU_NONE: return 0;
    case BM_ALU_PASS_B: return slot == 1;
    case BM_ALU_NOT: case BM_ALU_INC: case BM_ALU_DEC: case BM_ALU_NEG: case BM_ALU_RELU:
        return slot == 0;
    case BM_ALU_MACFX: return 1;
    default: return slot < 2;
    }
}

static void facts_of(facts *f, const bm_core *c, const bm_encoding *enc, unsigned pc, int ram_load)
{
    const bm_insn *in = bm_core_insn(c, pc);
    const bm_opcode_def *d = bm_isa_get(in->opcode);
    memset(f, 0, sizeof *f);
    f->d = d;
    f->local = (unsigned)enc->local_number[in->opcode];
    f->out_port = f->in_port = -1;
    f->builds = !(d->dst == BM_DST_RAM && !ram_load);
    if (!f->builds)
        return;
    for (unsigned slot = 0; slot < 3; slot++) {
        const bm_src *s = slot_src(d, slot);
        switch (s->kind) {
        case BM_SRC_NONE: f->value[slot] = V_ZERO; break;
        case BM_SRC_REG:
            f->read_user[f->n_reads] = read_user(d);
            f->read_slot[f->n_reads] = slot;
            f->read_reg[f->n_reads++] = in->operand[s->operand];
            f->value[slot] = V_READ + read_user(d) * 3 + slot;
            break;
        case BM_SRC_IMM: {
            unsigned lsb = 0, width = 0;
            bm_encoding_operand_field(enc, in->opcode, s->operand, &lsb, &width);
            f->imm_lsb[slot] = lsb;
            f->imm_width[slot] = width;
            f->value[slot] = width ? V_IMM + lsb * 128 + width : V_ZERO;
            break;
        }
        case BM_SRC_INPUT: f->value[slot] = V_INPUT + (unsigned)in->operand[s->operand]; break;
        case BM_SRC_RAM: f->value[slot] = V_RAM; break;
        }
    }
    int addr = ram_addr_operand(d);
    if (addr >= 0) {
        f->read_user[f->n_reads] = AREA_USE_ADDR;
        f->read_slot[f->n_reads] = 0;
        f->read_reg[f->n_reads++] = in->operand[addr];
    }
    if (d->alu == BM_ALU_PASS_B)
        f->result = f->value[1];
    else if (d->alu != BM_ALU_NONE)
        f->result = V_UNIT + d->alu;
    if (d->dst == BM_DST_REG) {
        f->writes_reg = 1;
        f->dst_reg = in->operand[d->dst_operand];
    } else if (d->dst == BM_DST_OUTPUT) {
        f->out_port = (int)in->operand[d->port_operand];
    }
    if (d->io == BM_IO_IN_WAIT || d->io == BM_IO_IN_TRY)
        f->in_port = (int)in->operand[d->port_operand];
}

static int reads_reg(const facts *f, uint64_t r)
{
    for (unsigned k = 0; k < f->n_reads; k++)
        if (f->read_reg[k] == r)
            return 1;
    return 0;
}

static int reads_in(const facts *f, unsigned user, unsigned slot, uint64_t r)
{
    for (unsigned k = 0; k < f->n_reads; k++)
        if (f->read_user[k] == user && f->read_slot[k] == slot && f->read_reg[k] == r)
            return 1;
    return 0;
}

static int has_imm(const facts *f, unsigned lsb, unsigned width)
{
    for (unsigned s = 0; s < 3; s++)
        if (f->imm_width[s] && f->imm_lsb[s] == lsb && f->imm_width[s] == width)
            return 1;
    return 0;
}

void bm_area_shape_of(bm_area_shape *s, const bm_core *c)
{
    const bm_core_params *p = bm_core_get_params(c);
    unsigned n = bm_core_program_length(c);
    bm_encoding enc;
    memset(s, 0, sizeof *s);
    s->width = p->width;
    s->frac = p->frac;
    s->mul = p->mul;
    s->program = n;
    s->ram_depth = p->ram_depth;
    s->logic_rom = n <= BM_VERILOG_ROM_LOGIC_MAX;
    if (bm_core_encoding(c, &enc))
        return;
    s->pc_bits = enc.kind_bits[BM_OPND_ADDR];
    s->insn_width = enc.insn_width;
    s->opcode_bits = enc.opcode_bits;

    int ram_load = 0;
    for (unsigned pc = 0; pc < n; pc++) {
        const bm_opcode_def *d = bm_isa_get(bm_core_insn(c, pc)->opcode);
        for (unsigned slot = 0; slot < 3; slot++)
            ram_load |= slot_src(d, slot)->kind == BM_SRC_RAM;
    }
    s->ram = ram_load;

    unsigned char used[BM_OPCODE_MAX] = {0};
    facts f, g;
    for (unsigned i = 0; i < n; i++) {
        facts_of(&f, c, &enc, i, ram_load);
        const bm_opcode_def *d = f.d;
        if (!used[f.local]) {
            used[f.local] = 1;
            s->flags++;
        }
        if (d->flow == BM_FLOW_JUMP || d->flow == BM_FLOW_JUMP_ZERO ||
            d->flow == BM_FLOW_JUMP_NONZERO)
            s->jumps = 1;
        if (d->flow == BM_FLOW_JUMP_ZERO || d->flow == BM_FLOW_JUMP_NONZERO)
            s->cond_jumps = 1;
        if (d->io != BM_IO_NONE || d->flow == BM_FLOW_HALT || d->cycles > 1)
            s->stalls = 1;
        if (d->cycles > 1)
            s->multicycle = 1;
        if (d->io == BM_IO_OUT_POST)
            s->stalls = 1;
        if (!f.builds)
            continue;
        /* Is each element this instruction contributes new? */
        int new_read[4], new_unit = d->alu != BM_ALU_NONE && d->alu != BM_ALU_PASS_B;
        int new_unit_val[3] = {1, 1, 1}, new_write = f.writes_reg, new_write_val = f.writes_reg;
        int new_out = f.out_port >= 0, new_out_val = f.out_port >= 0, new_in = f.in_port >= 0;
        int new_imm[3];
        for (unsigned k = 0; k < f.n_reads; k++)
            new_read[k] = 1;
        for (unsigned slot = 0; slot < 3; slot++)
            new_imm[slot] = f.imm_width[slot] > 0;
        for (unsigned j = 0; j < i; j++) {
            facts_of(&g, c, &enc, j, ram_load);
            if (!g.builds)
                continue;
            for (unsigned k = 0; k < f.n_reads; k++)
                if (new_read[k] && reads_in(&g, f.read_user[k], f.read_slot[k], f.read_reg[k]))
                    new_read[k] = 0;
            if (d->alu == g.d->alu) {
                new_unit = 0;
                for (unsigned slot = 0; slot < 3; slot++)
                    if (g.value[slot] == f.value[slot])
                        new_unit_val[slot] = 0;
            }
            if (f.writes_reg && g.writes_reg && g.dst_reg == f.dst_reg) {
                new_write = 0;
                if (g.result == f.result)
                    new_write_val = 0;
            }
            if (f.out_port >= 0 && g.out_port == f.out_port) {
                new_out = 0;
                if (g.result == f.result)
                    new_out_val = 0;
            }
            if (f.in_port >= 0 && g.in_port == f.in_port)
                new_in = 0;
            for (unsigned slot = 0; slot < 3; slot++)
                if (new_imm[slot] && has_imm(&g, f.imm_lsb[slot], f.imm_width[slot]))
                    new_imm[slot] = 0;
        }
        /* an immediate field shared by two slots of one instruction */
        for (unsigned a = 0; a < 3; a++)
            for (unsigned b = a + 1; b < 3; b++)
                if (new_imm[a] && new_imm[b] && f.imm_lsb[a] == f.imm_lsb[b] &&
                    f.imm_width[a] == f.imm_width[b])
                    new_imm[b] = 0;
        for (unsigned k = 0; k < f.n_reads; k++)
            if (new_read[k])
                s->read_mux[f.read_user[k]][f.read_slot[k]]++;
        if (d->alu != BM_ALU_NONE && d->alu != BM_ALU_PASS_B) {
            s->unit[d->alu] = 1;
            for (unsigned slot = 0; slot < 3; slot++)
                if (alu_uses(d->alu, slot) && new_unit_val[slot] && !new_unit)
                    s->unit_mux++;
        }
        if (new_write_val && !new_write) {
            /* a second value for a register: counted as mux inputs below */
            s->reg_mux++;
        }
        if (new_out)
            s->outputs_written++;
        else if (new_out_val)
            s->out_mux++;
        if (new_in)
            s->inputs_read++;
        if (f.out_port >= 0 && d->io == BM_IO_OUT_POST) {
            int first_post = 1;
            for (unsigned j = 0; j < i && first_post; j++) {
                const bm_insn *in = bm_core_insn(c, j);
                const bm_opcode_def *e = bm_isa_get(in->opcode);
                if (e->io == BM_IO_OUT_POST && (int)in->operand[e->port_operand] == f.out_port)
                    first_post = 0;
            }
            s->posted += first_post;
        }
        for (unsigned slot = 0; slot < 3; slot++)
            if (new_imm[slot])
                s->decoded += f.imm_width[slot];
        /* A register that is written and read somewhere keeps W flip-flops;
         * one written but never read is removed by synthesis. */
        if (new_write) {
            int is_read = 0;
            for (unsigned j = 0; j < n && !is_read; j++) {
                facts_of(&g, c, &enc, j, ram_load);
                is_read = g.builds && reads_reg(&g, f.dst_reg);
            }
            if (is_read) {
                s->regs++;
                s->decoded++; /* wr_rK */
            }
        }
    }
    for (unsigned u = 0; u < AREA_USE_COUNT; u++)
        for (unsigned slot = 0; slot < 3; slot++)
            if (s->read_mux[u][slot] >= 2)
                s->decoded += bm_bits_for(s->read_mux[u][slot]);
    s->decoded += s->inputs_read + s->outputs_written;
    if (s->jumps)
        s->decoded += s->pc_bits;
}
