/* What hardware a core needs, worked out from its opcodes and its program.
 *
 * The catalogue entry of each opcode the program uses says where its ALU
 * inputs come from, which unit computes its result and where the result goes;
 * the program says which registers and ports each opcode actually names.
 * From both the plan derives, generically:
 *
 *   - one function unit per ALU operation (pass needs none), whose inputs are
 *     multiplexed between the values its opcodes feed it;
 *   - one register read mux per consumer and ALU slot, over exactly the
 *     registers the program reads there (a single register needs no mux);
 *   - the registers the program names, each with a mux over exactly the
 *     values written to it (one it never writes keeps the 0 of reset);
 *   - per output port, the values offered and whether a holding register
 *     is needed (only posted outputs fill one); per input port, whether any
 *     instruction reads it; the RAM's store data and address read, when the
 *     program loads from the RAM (without a load, stores build nothing).
 *
 * core.c turns the plan into text; nothing here knows Verilog syntax.
 */
#include <stdlib.h>
#include <string.h>

#include "hdl.h"

static int add_u64_sorted(bm_ctx *ctx, uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
    size_t i = 0;
    while (i < *n && (*v)[i] < x)
        i++;
    if (i < *n && (*v)[i] == x)
        return BM_OK;
    if (bm_grow(ctx, (void **)v, cap, *n + 1, sizeof **v))
        return BM_ENOMEM;
    memmove(*v + i + 1, *v + i, (*n - i) * sizeof **v);
    (*v)[i] = x;
    (*n)++;
    return BM_OK;
}

static int same_value(hdl_value a, hdl_value b)
{
    return a.kind == b.kind && a.index == b.index;
}

/* Adds `value`, selected by opcode `local`, to a mux. */
static int mux_add(bm_ctx *ctx, hdl_mux *mux, hdl_value value, unsigned local)
{
    for (size_t i = 0; i < mux->n; i++) {
        if (same_value(mux->c[i].value, value)) {
            bm_opcode_set_add(&mux->c[i].ops, local);
            return BM_OK;
        }
    }
    if (bm_grow(ctx, (void **)&mux->c, &mux->cap, mux->n + 1, sizeof *mux->c))
        return BM_ENOMEM;
    hdl_cand *c = &mux->c[mux->n++];
    memset(c, 0, sizeof *c);
    c->value = value;
    bm_opcode_set_add(&c->ops, local);
    return BM_OK;
}

/* Which consumer reads the registers an opcode names in its ALU slots. */
static unsigned read_user(const bm_opcode_def *d)
{
    if (d->alu == BM_ALU_PASS_B) {
        if (d->dst == BM_DST_OUTPUT)
            return HDL_USE_PASS_OUT;
        if (d->dst == BM_DST_RAM)
            return HDL_USE_PASS_RAM;
        return HDL_USE_PASS_REG;
    }
    if (d->alu == BM_ALU_NONE)
        return HDL_USE_COND;
    return d->alu;
}

static const char *user_name(unsigned user)
{
    switch (user) {
    case HDL_USE_PASS_REG: return "move";
    case HDL_USE_PASS_OUT: return "out";
    case HDL_USE_PASS_RAM: return "store";
    case HDL_USE_COND: return "cond";
    case HDL_USE_RAM_ADDR: return "addr";
    default: return bm_alu_op_name((bm_alu_op)user);
    }
}

static int find_read(hdl_core_plan *pl, unsigned user, unsigned slot, unsigned *out)
{
    for (size_t i = 0; i < pl->n_reads; i++) {
        if (pl->reads[i].user == user && pl->reads[i].slot == slot) {
            *out = (unsigned)i;
            return BM_OK;
        }
    }
    if (bm_grow(pl->ctx, (void **)&pl->reads, &pl->cap_reads, pl->n_reads + 1, sizeof *pl->reads))
        return BM_ENOMEM;
    hdl_read *r = &pl->reads[pl->n_reads];
    memset(r, 0, sizeof *r);
    r->user = user;
    r->slot = slot;
    if (user == HDL_USE_RAM_ADDR)
        snprintf(r->name, sizeof r->name, "rd_addr");
    else
        snprintf(r->name, sizeof r->name, "rd_%s_%c", user_name(user), 'a' + slot);
    *out = (unsigned)pl->n_reads++;
    return BM_OK;
}

static int find_imm(hdl_core_plan *pl, unsigned lsb, unsigned width, const char *mnemonic,
                    unsigned *out)
{
    for (size_t i = 0; i < pl->n_imms; i++) {
        if (pl->imms[i].lsb == lsb && pl->imms[i].width == width) {
            *out = (unsigned)i;
            return BM_OK;
        }
    }
    if (bm_grow(pl->ctx, (void **)&pl->imms, &pl->cap_imms, pl->n_imms + 1, sizeof *pl->imms))
        return BM_ENOMEM;
    hdl_imm *m = &pl->imms[pl->n_imms];
    m->lsb = lsb;
    m->width = width;
    snprintf(m->name, sizeof m->name, "imm_%s", mnemonic);
    *out = (unsigned)pl->n_imms++;
    return BM_OK;
}

static int find_unit(hdl_core_plan *pl, bm_alu_op alu, unsigned *out)
{
    for (size_t i = 0; i < pl->n_units; i++) {
        if (pl->units[i].alu == alu) {
            *out = (unsigned)i;
            return BM_OK;
        }
    }
    if (bm_grow(pl->ctx, (void **)&pl->units, &pl->cap_units, pl->n_units + 1, sizeof *pl->units))
        return BM_ENOMEM;
    hdl_unit *u = &pl->units[pl->n_units];
    memset(u, 0, sizeof *u);
    u->alu = alu;
    snprintf(u->name, sizeof u->name, "res_%s", bm_alu_op_name(alu));
    *out = (unsigned)pl->n_units++;
    return BM_OK;
}

/* The register a program writes: its hdl_reg, created on first use. */
static int find_reg(hdl_core_plan *pl, uint64_t number, hdl_reg **out)
{
    if (pl->reg_slot[number] == HDL_NONE) {
        if (bm_grow(pl->ctx, (void **)&pl->regs, &pl->cap_regs, pl->n_regs + 1, sizeof *pl->regs))
            return BM_ENOMEM;
        hdl_reg *r = &pl->regs[pl->n_regs];
        memset(r, 0, sizeof *r);
        r->number = number;
        pl->reg_slot[number] = (unsigned)pl->n_regs++;
    }
    *out = &pl->regs[pl->reg_slot[number]];
    return BM_OK;
}

static const bm_src *slot_src(const bm_opcode_def *d, unsigned slot)
{
    return slot == 0 ? &d->a : slot == 1 ? &d->b : &d->c;
}

/* The value an instruction feeds into an ALU slot; records register reads
 * and immediate fields on the way. */
static int slot_value(hdl_core_plan *pl, unsigned local, const bm_insn *in, unsigned slot,
                      hdl_value *out)
{
    hdl_op *op = &pl->op[local];
    const bm_src *s = slot_src(op->d, slot);
    out->kind = HV_ZERO;
    out->index = 0;
    switch (s->kind) {
    case BM_SRC_NONE: return BM_OK;
    case BM_SRC_REG: {
        unsigned r;
        int rc = find_read(pl, read_user(op->d), slot, &r);
        if (rc)
            return rc;
        hdl_read *rd = &pl->reads[r];
        rc = add_u64_sorted(pl->ctx, &rd->regs, &rd->n_regs, &rd->cap, in->operand[s->operand]);
        if (rc)
            return rc;
        op->read[slot] = r;
        out->kind = HV_READ;
        out->index = r;
        return BM_OK;
    }
    case BM_SRC_IMM: {
        unsigned lsb, width, m;
        bm_encoding_operand_field(&pl->enc, op->id, s->operand, &lsb, &width);
        if (width == 0)
            return BM_OK; /* a zero-width field holds only 0 */
        int rc = find_imm(pl, lsb, width, op->d->mnemonic, &m);
        if (rc)
            return rc;
        op->imm[slot] = m;
        out->kind = HV_IMM;
        out->index = m;
        return BM_OK;
    }
    case BM_SRC_INPUT:
        out->kind = HV_INPUT;
        out->index = (unsigned)in->operand[s->operand];
        return BM_OK;
    case BM_SRC_RAM: out->kind = HV_RAM; return BM_OK;
    }
    return BM_OK;
}

/* The RAM address operand of an opcode, or -1 when it does not use the RAM. */
static int ram_addr_operand(const bm_opcode_def *d)
{
    for (unsigned slot = 0; slot < 3; slot++)
        if (slot_src(d, slot)->kind == BM_SRC_RAM)
            return slot_src(d, slot)->operand;
    return d->dst == BM_DST_RAM ? d->dst_operand : -1;
}

static int unsupported(hdl_core_plan *pl, const bm_insn *in, const char *what)
{
    bm_error(pl->ctx, in->loc, "core '%s': '%s' %s, which the Verilog backend does not implement",
             bm_core_name(pl->core), bm_isa_get(in->opcode)->mnemonic, what);
    return BM_EINVALID;
}

static int plan_insn(hdl_core_plan *pl, const bm_insn *in)
{
    bm_ctx *ctx = pl->ctx;
    unsigned local = (unsigned)pl->enc.local_number[in->opcode];
    hdl_op *op = &pl->op[local];
    const bm_opcode_def *d = op->d;
    int rc;
    op->used = 1;
    for (unsigned k = 0; k < d->n_operands; k++) {
        bm_operand_kind kind = d->operands[k];
        if (kind == BM_OPND_REG || kind == BM_OPND_IN || kind == BM_OPND_OUT) {
            hdl_opvals *v = &op->vals[k];
            if ((rc = add_u64_sorted(ctx, &v->v, &v->n, &v->cap, in->operand[k])))
                return rc;
        }
    }
    if (d->dst == BM_DST_RAM && !pl->ram_load)
        return BM_OK; /* a store nothing can read back: it builds nothing */
    hdl_value val[3];
    for (unsigned slot = 0; slot < 3; slot++) {
        val[slot] = (hdl_value){HV_ZERO, 0};
        if (op->delayed && d->alu == BM_ALU_MACFX && slot == 0)
            continue; /* the accumulator: read at write-back (emit_regfile) */
        if ((rc = slot_value(pl, local, in, slot, &val[slot])))
            return rc;
    }
    if (d->c.kind != BM_SRC_NONE && !bm_hdl_alu_uses(d->alu, 2))
        return unsupported(pl, in, "feeds a third ALU input that its unit does not have");

    int addr = ram_addr_operand(d);
    if (addr >= 0) {
        unsigned r;
        if ((rc = find_read(pl, HDL_USE_RAM_ADDR, 0, &r)))
            return rc;
        hdl_read *rd = &pl->reads[r];
        if ((rc = add_u64_sorted(ctx, &rd->regs, &rd->n_regs, &rd->cap, in->operand[addr])))
            return rc;
        op->addr_read = r;
        op->addr_operand = (unsigned)addr;
        pl->ram_addr_read = r;
        pl->has_ram = 1;
        if (d->dst == BM_DST_RAM)
            pl->ram_store = 1;
    }

    hdl_value result = {HV_ZERO, 0};
    if (d->alu == BM_ALU_PASS_B) {
        result = val[1];
    } else if (d->alu != BM_ALU_NONE) {
        unsigned u;
        if ((rc = find_unit(pl, d->alu, &u)))
            return rc;
        for (unsigned slot = 0; slot < 3; slot++) {
            if (op->delayed && d->alu == BM_ALU_MACFX && slot == 0)
                continue; /* the accumulator is read at write-back, not here */
            if (bm_hdl_alu_uses(d->alu, slot) &&
                (rc = mux_add(ctx, &pl->units[u].in[slot], val[slot], local)))
                return rc;
        }
        result.kind = HV_UNIT;
        result.index = u;
    }

    switch (d->dst) {
    case BM_DST_NONE: break;
    case BM_DST_REG: {
        hdl_reg *r;
        if ((rc = find_reg(pl, in->operand[d->dst_operand], &r)))
            return rc;
        if (op->delayed) {
            r->mul_dst = 1;
            r->mul_acc |= d->alu == BM_ALU_MACFX;
            r->mul_set |= d->alu != BM_ALU_MACFX;
            pl->any_delayed = 1;
            break;
        }
        bm_opcode_set_add(&r->writers, local);
        if ((rc = mux_add(ctx, &r->next, result, local)))
            return rc;
        break;
    }
    case BM_DST_OUTPUT: {
        hdl_outport *o = &pl->outs[in->operand[d->port_operand]];
        if ((rc = mux_add(ctx, &o->data, result, local)))
            return rc;
        if (d->io == BM_IO_OUT_POST) {
            o->post = 1;
            pl->any_post = 1;
        } else {
            o->wait = 1;
            pl->any_wait_out = 1;
        }
        break;
    }
    case BM_DST_RAM:
        if ((rc = mux_add(ctx, &pl->ram_wdata, result, local)))
            return rc;
        break;
    }
    if ((d->io == BM_IO_OUT_WAIT || d->io == BM_IO_OUT_POST) && d->dst != BM_DST_OUTPUT)
        return unsupported(pl, in, "offers a value on an output port without writing it");

    if (bm_io_takes_input(d->io)) {
        pl->in_read[in->operand[d->port_operand]] |= HDL_IN_TAKE;
        pl->any_in = 1;
    } else if (d->io == BM_IO_IN_PEEK) {
        pl->in_read[in->operand[d->port_operand]] |= HDL_IN_LOOK;
        pl->any_look = 1;
    }
    if (d->flow == BM_FLOW_JUMP || d->flow == BM_FLOW_JUMP_ZERO ||
        d->flow == BM_FLOW_JUMP_NONZERO)
        pl->any_jump = 1;
    if ((d->flow == BM_FLOW_JUMP_ZERO || d->flow == BM_FLOW_JUMP_NONZERO) &&
        val[0].kind == HV_INPUT)
        return unsupported(pl, in, "tests an input port's data");
    if (d->flow == BM_FLOW_HALT)
        pl->any_halt = 1;
    if (op->cycles > pl->max_cycles)
        pl->max_cycles = op->cycles;
    if (op->cycles > 1 && (d->io != BM_IO_NONE || (addr < 0 && !bm_opcode_uses_mul(d))))
        return unsupported(pl, in, "takes several cycles without a RAM read or a serial multiplier");
    return BM_OK;
}

static int cmp_reg(const void *a, const void *b)
{
    uint64_t x = ((const hdl_reg *)a)->number, y = ((const hdl_reg *)b)->number;
    return x < y ? -1 : x > y;
}

int bm_hdl_plan_core(hdl_core_plan *pl, bm_ctx *ctx, const bm_core *core,
                  const bm_verilog_options *opt)
{
    memset(pl, 0, sizeof *pl);
    pl->ctx = ctx;
    pl->core = core;
    pl->p = bm_core_get_params(core);
    pl->width = pl->p->width;
    pl->n_program = bm_core_program_length(core);
    pl->ram_addr_read = HDL_NONE;
    int rc = bm_core_encoding(core, &pl->enc);
    if (rc) {
        bm_error(ctx, bm_core_loc(core), "core '%s': its instructions are wider than %u bits",
                 bm_core_name(core), BM_WORD_BITS_MAX);
        return rc;
    }
    pl->pc_width = pl->enc.kind_bits[BM_OPND_ADDR];
    pl->mul = pl->p->mul;
    const bm_mul_variant_def *mv = bm_mul_variant_get(pl->mul);
    if (!mv) {
        bm_error(ctx, bm_core_loc(core), "core '%s': unknown multiplier variant %u",
                 bm_core_name(core), pl->mul);
        return BM_EINVALID;
    }
    bm_verilog_rom_style style = opt->rom_style;
    if (style == BM_VERILOG_ROM_AUTO)
        style = pl->n_program <= BM_VERILOG_ROM_LOGIC_MAX ? BM_VERILOG_ROM_LOGIC
                                                          : BM_VERILOG_ROM_BLOCK;
    /* A staged core's ROM is always a memory read into ir (--rom chooses
     * only for direct cores); with one instruction there is nothing to
     * fetch and no jump to pay for. */
    pl->staged = pl->p->fetch == BM_FETCH_STAGED && pl->pc_width > 0;
    pl->logic_rom = style == BM_VERILOG_ROM_LOGIC && !pl->staged;
    pl->registered = pl->logic_rom || pl->staged;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
        hdl_op *op = &pl->op[i];
        op->id = pl->enc.opcode_id[i];
        op->d = bm_isa_get(op->id);
        op->addr_read = HDL_NONE;
        for (unsigned slot = 0; slot < 3; slot++)
            op->read[slot] = op->imm[slot] = HDL_NONE;
        snprintf(op->flag, sizeof op->flag, "is_%s", op->d->mnemonic);
        op->cycles = bm_opcode_cycles(op->d, pl->mul, pl->width);
        op->delayed = bm_opcode_uses_mul(op->d) && mv->writeback_delay > 0;
    }
    pl->reg_slot = bm_malloc(ctx, (size_t)pl->p->registers * sizeof *pl->reg_slot);
    pl->outs = bm_calloc(ctx, pl->p->outputs ? pl->p->outputs : 1, sizeof *pl->outs);
    pl->in_read = bm_calloc(ctx, pl->p->inputs ? pl->p->inputs : 1, 1);
    if (!pl->reg_slot || !pl->outs || !pl->in_read)
        return bm_oom(ctx);
    for (unsigned r = 0; r < pl->p->registers; r++)
        pl->reg_slot[r] = HDL_NONE;
    for (unsigned pc = 0; pc < pl->n_program; pc++) {
        const bm_opcode_def *d = bm_isa_get(bm_core_insn(core, pc)->opcode);
        for (unsigned slot = 0; slot < 3; slot++)
            if (slot_src(d, slot)->kind == BM_SRC_RAM)
                pl->ram_load = 1;
    }
    for (unsigned pc = 0; pc < pl->n_program; pc++)
        if ((rc = plan_insn(pl, bm_core_insn(core, pc))))
            return rc;
    if (pl->p->forward && pl->any_in) {
        pl->outs[pl->p->forward_out].fwd = 1;
        pl->any_fwd = 1;
    }
    for (size_t i = 0; i < pl->n_reads; i++) {
        hdl_read *rd = &pl->reads[i];
        rd->sel_width = bm_bits_for(rd->n_regs);
        for (size_t k = 0; k < rd->n_regs; k++) {
            hdl_reg *r;
            if ((rc = find_reg(pl, rd->regs[k], &r)))
                return rc;
            r->read = 1;
        }
    }
    for (size_t i = 0; i < pl->n_regs; i++) {
        pl->n_written += pl->regs[i].next.n > 0 || pl->regs[i].mul_dst;
        pl->regs[i].read |= pl->regs[i].mul_acc; /* the write-back adds to it */
    }
    if (pl->n_regs)
        qsort(pl->regs, pl->n_regs, sizeof *pl->regs, cmp_reg);
    for (size_t i = 0; i < pl->n_regs; i++)
        pl->reg_slot[pl->regs[i].number] = (unsigned)i;
    return BM_OK;
}

static void mux_free(bm_ctx *ctx, hdl_mux *m)
{
    bm_free(ctx, m->c);
    m->c = NULL;
    m->n = m->cap = 0;
}

void bm_hdl_plan_free(hdl_core_plan *pl)
{
    bm_ctx *ctx = pl->ctx;
    if (!ctx)
        return;
    for (unsigned i = 0; i < BM_OPCODE_MAX; i++)
        for (unsigned k = 0; k < BM_OPERAND_MAX; k++)
            bm_free(ctx, pl->op[i].vals[k].v);
    for (size_t i = 0; i < pl->n_reads; i++)
        bm_free(ctx, pl->reads[i].regs);
    bm_free(ctx, pl->reads);
    bm_free(ctx, pl->imms);
    for (size_t i = 0; i < pl->n_units; i++)
        for (unsigned s = 0; s < 3; s++)
            mux_free(ctx, &pl->units[i].in[s]);
    bm_free(ctx, pl->units);
    for (size_t i = 0; i < pl->n_regs; i++)
        mux_free(ctx, &pl->regs[i].next);
    bm_free(ctx, pl->regs);
    bm_free(ctx, pl->reg_slot);
    if (pl->outs)
        for (unsigned q = 0; q < pl->p->outputs; q++)
            mux_free(ctx, &pl->outs[q].data);
    bm_free(ctx, pl->outs);
    bm_free(ctx, pl->in_read);
    mux_free(ctx, &pl->ram_wdata);
    memset(pl, 0, sizeof *pl);
}

int bm_hdl_core_looks_at(const bm_core *core, unsigned port)
{
    unsigned n = bm_core_program_length(core);
    for (unsigned pc = 0; pc < n; pc++) {
        const bm_insn *in = bm_core_insn(core, pc);
        const bm_opcode_def *d = bm_isa_get(in->opcode);
        if (d && d->io == BM_IO_IN_PEEK && in->operand[d->port_operand] == port)
            return 1;
    }
    return 0;
}
