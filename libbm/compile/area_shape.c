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
    int in_port;                /* -1 or the port it takes or looks at     */
    unsigned imm_lsb[3], imm_width[3];
    uint64_t imm_value[3];
} facts;

/* What the whole program says, worked out before counting: which registers
 * are live (read by an instruction whose result is observable: an output,
 * a store that can be read back, a jump's test, or a live register), and
 * how many low bits of each register can be non-zero when every value
 * written to it is a constant immediate.  Synthesis removes the rest. */
#define TRACKED_REGS 4096
typedef struct program_view {
    const bm_core *c;
    bm_encoding enc;
    unsigned n;
    int ram_load;
    uint64_t live[BM_REGISTERS_MAX / 64];
    unsigned char reg_bits[TRACKED_REGS];
    /* per register: the values written to it, as a count and a sum of
     * their hashes (equal sets, equal r_next muxes) */
    uint64_t write_sig[TRACKED_REGS / 4];
    unsigned short write_vals[TRACKED_REGS / 4], write_ins[TRACKED_REGS / 4];
} program_view;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

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
            f->imm_value[slot] = in->operand[s->operand];
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
    if (bm_io_reads_input(d->io)) /* taken, or looked at by pkmacfx */
        f->in_port = (int)in->operand[d->port_operand];
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

static int is_live(const program_view *v, uint64_t r)
{
    return r < BM_REGISTERS_MAX && (v->live[r / 64] >> (r % 64) & 1);
}

/* An instruction whose result someone can observe. */
static int insn_live(const program_view *v, const facts *f)
{
    if (!f->builds)
        return 0;
    if (f->writes_reg)
        return is_live(v, f->dst_reg);
    return 1; /* outputs, stores, jumps, tests */
}

static void find_live(program_view *v)
{
    facts f;
    int changed = 1;
    memset(v->live, 0, sizeof v->live);
    while (changed) {
        changed = 0;
        for (unsigned i = 0; i < v->n; i++) {
            facts_of(&f, v->c, &v->enc, i, v->ram_load);
            if (!insn_live(v, &f))
                continue;
            for (unsigned k = 0; k < f.n_reads; k++) {
                uint64_t r = f.read_reg[k];
                if (r < BM_REGISTERS_MAX && !is_live(v, r)) {
                    v->live[r / 64] |= UINT64_C(1) << (r % 64);
                    changed = 1;
                }
            }
        }
    }
}

/* The field of opcode `opcode`, slot `slot`, holds the same value in every
 * instruction: the decoder makes it a constant. */
static int constant_field(const program_view *v, const facts *f, unsigned slot)
{
    facts g;
    for (unsigned j = 0; j < v->n; j++) {
        facts_of(&g, v->c, &v->enc, j, v->ram_load);
        if (g.d == f->d && g.imm_value[slot] != f->imm_value[slot])
            return 0;
    }
    return 1;
}

/* Bits of a value that can be non-zero. */
static unsigned value_bits(const program_view *v, const facts *f, unsigned slot, unsigned width)
{
    if (f->value[slot] == V_ZERO)
        return 0;
    if (f->imm_width[slot] && constant_field(v, f, slot) && f->imm_value[slot] != UINT64_MAX) {
        unsigned b = bm_bits_for(f->imm_value[slot] + 1);
        return b < width ? b : width;
    }
    return width;
}

static void find_reg_bits(program_view *v, unsigned width)
{
    facts f;
    memset(v->reg_bits, 0, sizeof v->reg_bits);
    for (unsigned i = 0; i < v->n; i++) {
        facts_of(&f, v->c, &v->enc, i, v->ram_load);
        if (!insn_live(v, &f) || !f.writes_reg || f.dst_reg >= TRACKED_REGS)
            continue;
        unsigned b = f.d->alu == BM_ALU_PASS_B ? value_bits(v, &f, 1, width) : width;
        if (f.result >= V_READ && f.result < V_IMM)
            b = width;
        if (b > v->reg_bits[f.dst_reg])
            v->reg_bits[f.dst_reg] = (unsigned char)b;
    }
}

static unsigned reg_bits(const program_view *v, uint64_t r, unsigned width)
{
    return r < TRACKED_REGS ? v->reg_bits[r] : width;
}

void bm_area_shape_of(bm_area_shape *s, const bm_core *c)
{
    static const program_view zero_view;
    const bm_core_params *p = bm_core_get_params(c);
    unsigned n = bm_core_program_length(c), W = p->width;
    program_view v = zero_view;
    memset(s, 0, sizeof *s);
    s->width = W;
    s->frac = p->frac;
    s->mul = p->mul;
    s->program = n;
    s->ram_depth = p->ram_depth;
    s->logic_rom = n <= BM_VERILOG_ROM_LOGIC_MAX;
    if (bm_core_encoding(c, &v.enc))
        return;
    v.c = c;
    v.n = n;
    s->pc_bits = v.enc.kind_bits[BM_OPND_ADDR];
    /* as hdl_out/core_plan.c: a staged core's ROM is a memory, whatever its
     * length; with one instruction there is nothing to stage */
    s->staged = p->fetch == BM_FETCH_STAGED && s->pc_bits > 0;
    if (s->staged)
        s->logic_rom = 0;
    s->insn_width = v.enc.insn_width;
    s->opcode_bits = v.enc.opcode_bits;
    for (unsigned pc = 0; pc < n; pc++) {
        const bm_opcode_def *d = bm_isa_get(bm_core_insn(c, pc)->opcode);
        for (unsigned slot = 0; slot < 3; slot++)
            v.ram_load |= slot_src(d, slot)->kind == BM_SRC_RAM;
    }
    s->ram = v.ram_load;
    find_live(&v);
    find_reg_bits(&v, W);

    unsigned char used[BM_OPCODE_MAX] = {0};
    facts f, g;
    for (unsigned i = 0; i < n; i++) {
        facts_of(&f, c, &v.enc, i, v.ram_load);
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
        /* an input is taken even when the value goes nowhere */
        int new_in = f.in_port >= 0;
        for (unsigned j = 0; j < i && new_in; j++) {
            facts_of(&g, c, &v.enc, j, v.ram_load);
            new_in = g.in_port != f.in_port;
        }
        s->inputs_read += new_in;
        if (!insn_live(&v, &f))
            continue;
        /* Is each element this instruction contributes new? */
        int new_read[4], new_unit = d->alu != BM_ALU_NONE && d->alu != BM_ALU_PASS_B;
        int new_unit_val[3] = {1, 1, 1}, new_write = f.writes_reg, new_write_val = f.writes_reg;
        int new_out = f.out_port >= 0, new_out_val = f.out_port >= 0, new_post = 1;
        int mul = bm_alu_uses_mul(d->alu) && f.writes_reg, new_mul_dst = mul;
        int new_mul_acc = mul && d->alu == BM_ALU_MACFX;
        int new_imm[3];
        for (unsigned k = 0; k < f.n_reads; k++)
            new_read[k] = 1;
        for (unsigned slot = 0; slot < 3; slot++)
            new_imm[slot] = f.imm_width[slot] > 0 && !constant_field(&v, &f, slot);
        for (unsigned j = 0; j < i; j++) {
            facts_of(&g, c, &v.enc, j, v.ram_load);
            if (!insn_live(&v, &g))
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
            if (mul && bm_alu_uses_mul(g.d->alu) && g.writes_reg && g.dst_reg == f.dst_reg) {
                new_mul_dst = 0;
                if (g.d->alu == BM_ALU_MACFX)
                    new_mul_acc = 0;
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
                if (g.d->io == BM_IO_OUT_POST)
                    new_post = 0;
            }
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
        for (unsigned k = 0; k < f.n_reads; k++) {
            unsigned u = f.read_user[k], slot = f.read_slot[k];
            unsigned b = reg_bits(&v, f.read_reg[k], W);
            if (new_read[k])
                s->read_mux[u][slot]++;
            if (b > s->read_bits[u][slot])
                s->read_bits[u][slot] = b;
        }
        if (d->alu != BM_ALU_NONE && d->alu != BM_ALU_PASS_B) {
            s->unit[d->alu] = 1;
            for (unsigned slot = 0; slot < 3; slot++) {
                if (!alu_uses(d->alu, slot))
                    continue;
                if (new_unit_val[slot] && !new_unit)
                    s->unit_mux++;
                unsigned b = f.value[slot] >= V_READ && f.value[slot] < V_IMM
                                 ? reg_bits(&v, f.read_reg[0], W)
                                 : value_bits(&v, &f, slot, W);
                if (f.value[slot] >= V_READ && f.value[slot] < V_IMM)
                    for (unsigned k = 0; k < f.n_reads; k++)
                        if (f.read_slot[k] == slot)
                            b = reg_bits(&v, f.read_reg[k], W);
                if (f.value[slot] >= V_IMM && f.value[slot] < V_INPUT &&
                    (d->alu == BM_ALU_MULFX || d->alu == BM_ALU_MACFX) &&
                    slot == (d->alu == BM_ALU_MACFX ? 2u : 1u))
                    b = bm_signed_bits(f.imm_value[slot], W); /* hdl_out narrows y to this */
                if (f.value[slot] >= V_IMM && f.value[slot] < V_INPUT)
                    s->unit_src[d->alu][slot] |=
                        constant_field(&v, &f, slot) ? AREA_SRC_CONST : AREA_SRC_IMM;
                else if (f.value[slot] >= V_INPUT && f.value[slot] < V_RAM)
                    s->unit_src[d->alu][slot] |= AREA_SRC_INPUT;
                else if (f.value[slot] != V_ZERO)
                    s->unit_src[d->alu][slot] |= AREA_SRC_OTHER;
                if (b > s->unit_bits[d->alu][slot])
                    s->unit_bits[d->alu][slot] = b;
            }
        }
        if (new_write_val && !new_write) {
            s->reg_mux++;
            s->reg_in_mux += f.result >= V_INPUT && f.result < V_RAM;
        }
        if (new_write_val && f.dst_reg < TRACKED_REGS / 4) {
            /* a pipelined product is added to its own register: unique */
            uint64_t val = f.result + (p->mul == BM_MUL_PIPE && mul ? (f.dst_reg + 1) << 32 : 0);
            v.write_sig[f.dst_reg] += mix(val + 1);
            v.write_vals[f.dst_reg]++;
            v.write_ins[f.dst_reg] += f.result >= V_INPUT && f.result < V_RAM;
        }
        s->mul_dst += new_mul_dst;
        s->mul_acc += new_mul_acc;
        if (new_out)
            s->outputs_written++;
        else if (new_out_val)
            s->out_mux++;
        if (f.out_port >= 0 && d->io == BM_IO_OUT_POST && new_post)
            s->posted++;
        for (unsigned slot = 0; slot < 3; slot++)
            if (new_imm[slot])
                s->decoded += f.imm_width[slot];
        if (new_write) {
            s->regs++;
            s->reg_bits += reg_bits(&v, f.dst_reg, W);
            s->decoded++; /* wr_rK */
        }
    }
    for (unsigned r = 0; r < TRACKED_REGS / 4; r++) {
        if (v.write_vals[r] < 2)
            continue;
        for (unsigned q = 0; q < r; q++)
            if (v.write_vals[q] == v.write_vals[r] && v.write_sig[q] == v.write_sig[r]) {
                unsigned ins = v.write_ins[r] < v.write_vals[r] ? v.write_ins[r] : v.write_vals[r] - 1;
                s->reg_mux_shared += v.write_vals[r] - 1 - ins;
                s->reg_in_mux_shared += ins;
                break;
            }
    }
    for (unsigned u = 0; u < AREA_USE_COUNT; u++)
        for (unsigned slot = 0; slot < 3; slot++)
            if (s->read_mux[u][slot] >= 2)
                s->decoded += bm_bits_for(s->read_mux[u][slot]);
    s->decoded += s->inputs_read + s->outputs_written;
    if (s->jumps)
        s->decoded += s->pc_bits;
    if (p->forward && s->inputs_read) {
        /* the forward: a port with its queue (no decoded flag), whose
         * value is the data of the port taken */
        s->outputs_written++;
        s->posted++;
        s->forwarded = 1;
        s->out_mux += s->inputs_read - 1;
    }
}
