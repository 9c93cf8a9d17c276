/* Predecoding: turns a validated machine into the flat arrays the step loop
 * runs on (sim_impl.h).  Every instruction is interpreted from its catalogue
 * row (bm/isa.h) alone: sources, destination, flow, I/O kind and cycles map
 * to slot indices and a class, so a new catalogue row built from existing
 * ALU operations needs no change here. */
#include <string.h>

#include "internal.h"
#include "sim_impl.h"

/* Builder state for one core's slots: registers, then constants. */
typedef struct slot_builder {
    uint64_t *consts;
    size_t n_consts, cap_consts;
    unsigned n_regs;
} slot_builder;

static int refuse(bm_sim *sim, const bm_core *c, const bm_insn *in, const char *mnemonic,
                  const char *why)
{
    bm_loc loc = in->loc.line ? in->loc : bm_core_loc(c);
    bm_error(sim->ctx, loc, "core '%s': the simulator cannot interpret opcode '%s': %s",
             bm_core_name(c), mnemonic, why);
    return BM_EINVALID;
}

static int const_slot(bm_sim *sim, slot_builder *sb, uint64_t value, uint32_t *slot)
{
    if (bm_grow(sim->ctx, (void **)&sb->consts, &sb->cap_consts, sb->n_consts + 1,
                sizeof *sb->consts))
        return BM_ENOMEM;
    sb->consts[sb->n_consts] = value;
    *slot = (uint32_t)(sb->n_regs + sb->n_consts);
    sb->n_consts++;
    return BM_OK;
}

/* Maps one ALU source.  Scratch slots are patched in once the constant
 * count is known, so "none" is recorded as UINT32_MAX for now. */
static int map_source(bm_sim *sim, slot_builder *sb, const bm_core *c, const bm_insn *in,
                      const bm_opcode_def *d, bm_src src, uint8_t *kind, uint32_t *slot,
                      uint32_t port)
{
    const bm_core_params *p = bm_core_get_params(c);
    *kind = (uint8_t)src.kind;
    if (src.kind != BM_SRC_NONE && src.operand >= d->n_operands)
        return refuse(sim, c, in, d->mnemonic, "a source names a missing operand");
    uint64_t v = src.kind == BM_SRC_NONE ? 0 : in->operand[src.operand];
    switch (src.kind) {
    case BM_SRC_NONE: *slot = UINT32_MAX; return BM_OK;
    case BM_SRC_REG:
    case BM_SRC_RAM:
        if (v >= p->registers)
            return refuse(sim, c, in, d->mnemonic, "register out of range");
        *slot = (uint32_t)v;
        return BM_OK;
    case BM_SRC_IMM: return const_slot(sim, sb, v & bm_mask(p->width), slot);
    case BM_SRC_INPUT:
        if (!bm_io_reads_input(d->io))
            return refuse(sim, c, in, d->mnemonic,
                          "it reads an input port without an input handshake");
        if (v != port)
            return refuse(sim, c, in, d->mnemonic,
                          "it reads an input port other than the one it handshakes on");
        *slot = UINT32_MAX;
        return BM_OK;
    }
    return refuse(sim, c, in, d->mnemonic, "unknown source kind");
}

static int decode_insn(bm_sim *sim, slot_builder *sb, const bm_core *c, unsigned pc,
                       sim_op *op)
{
    const bm_core_params *p = bm_core_get_params(c);
    const bm_insn *in = bm_core_insn(c, pc);
    const bm_opcode_def *d = bm_isa_get(in->opcode);
    unsigned n = bm_core_program_length(c);
    memset(op, 0, sizeof *op);
    op->alu = (uint8_t)d->alu;
    op->io = (uint8_t)d->io;
    op->cycles = (uint8_t)bm_opcode_cycles(d, p->mul, p->width);
    if (bm_opcode_uses_mul(d) && bm_mul_variant_get(p->mul))
        op->delayed = bm_mul_variant_get(p->mul)->writeback_delay > 0;
    if ((unsigned)d->alu >= BM_ALU_OP_COUNT)
        return refuse(sim, c, in, d->mnemonic, "unknown ALU operation");

    int is_in = bm_io_reads_input(d->io);
    int is_out = d->io == BM_IO_OUT_WAIT || d->io == BM_IO_OUT_POST;
    if (is_in || is_out) {
        if (d->port_operand >= d->n_operands)
            return refuse(sim, c, in, d->mnemonic, "the port operand is missing");
        uint64_t port = in->operand[d->port_operand];
        if (port >= (is_in ? p->inputs : p->outputs))
            return refuse(sim, c, in, d->mnemonic, "port out of range");
        op->port = (uint32_t)port;
    }
    if (is_in && d->a.kind != BM_SRC_INPUT && d->b.kind != BM_SRC_INPUT &&
        d->c.kind != BM_SRC_INPUT)
        return refuse(sim, c, in, d->mnemonic, "an input handshake without an input source");
    if (is_out && d->dst != BM_DST_OUTPUT)
        return refuse(sim, c, in, d->mnemonic, "an output handshake without an output destination");
    if (!is_out && d->dst == BM_DST_OUTPUT)
        return refuse(sim, c, in, d->mnemonic, "it writes an output port without a handshake");
    if (is_in && (d->dst == BM_DST_OUTPUT))
        return refuse(sim, c, in, d->mnemonic, "it passes an input straight to an output");

    int rc;
    if ((rc = map_source(sim, sb, c, in, d, d->a, &op->a_kind, &op->a, op->port)) ||
        (rc = map_source(sim, sb, c, in, d, d->b, &op->b_kind, &op->b, op->port)) ||
        (rc = map_source(sim, sb, c, in, d, d->c, &op->c_kind, &op->c, op->port)))
        return rc;

    op->dst_kind = (uint8_t)d->dst;
    op->dst = UINT32_MAX;
    if (d->dst != BM_DST_NONE) {
        if (d->dst_operand >= d->n_operands)
            return refuse(sim, c, in, d->mnemonic, "the destination operand is missing");
        uint64_t v = in->operand[d->dst_operand];
        if (d->dst == BM_DST_REG || d->dst == BM_DST_RAM) {
            if (v >= p->registers)
                return refuse(sim, c, in, d->mnemonic, "register out of range");
            op->dst = (uint32_t)v;
        } else if (d->dst == BM_DST_OUTPUT) {
            if (v != op->port)
                return refuse(sim, c, in, d->mnemonic,
                              "it writes an output port other than the one it handshakes on");
        } else {
            return refuse(sim, c, in, d->mnemonic, "unknown destination kind");
        }
    }
    if ((d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->c.kind == BM_SRC_RAM ||
         d->dst == BM_DST_RAM) &&
        p->ram_depth == 0)
        return refuse(sim, c, in, d->mnemonic, "it needs a RAM and the core has none");

    uint32_t next = pc + 1, target = 0;
    if (d->flow == BM_FLOW_JUMP || d->flow == BM_FLOW_JUMP_ZERO ||
        d->flow == BM_FLOW_JUMP_NONZERO) {
        if (d->target_operand >= d->n_operands || in->operand[d->target_operand] >= n)
            return refuse(sim, c, in, d->mnemonic, "jump target out of range");
        target = (uint32_t)in->operand[d->target_operand];
    }
    switch (d->flow) {
    case BM_FLOW_NEXT: op->npc[0] = op->npc[1] = next; break;
    case BM_FLOW_JUMP: op->npc[0] = op->npc[1] = target; break;
    case BM_FLOW_JUMP_ZERO: op->npc[0] = target; op->npc[1] = next; break;
    case BM_FLOW_JUMP_NONZERO: op->npc[0] = next; op->npc[1] = target; break;
    case BM_FLOW_HALT: op->npc[0] = op->npc[1] = pc; op->halt = 1; break;
    default: return refuse(sim, c, in, d->mnemonic, "unknown control flow");
    }
    if ((d->flow == BM_FLOW_JUMP_ZERO || d->flow == BM_FLOW_JUMP_NONZERO) &&
        d->a.kind == BM_SRC_NONE)
        return refuse(sim, c, in, d->mnemonic, "a conditional jump without an A source");
    /* A staged core pays bm_fetch_kind_def.taken_jump_extra (one) cycle
     * after a taken jump (docs/timing.md "Fetch kinds"). */
    const bm_fetch_kind_def *fk = bm_fetch_kind_get(p->fetch);
    if (fk && fk->taken_jump_extra) {
        if (d->flow == BM_FLOW_JUMP)
            op->refetch = 3;
        else if (d->flow == BM_FLOW_JUMP_ZERO)
            op->refetch = 1;
        else if (d->flow == BM_FLOW_JUMP_NONZERO)
            op->refetch = 2;
    }

    if (is_in || is_out)
        op->cls = SIM_OP_CHANNEL;
    else if (op->halt || op->cycles > 1 || op->delayed || op->refetch || d->a.kind == BM_SRC_RAM ||
             d->b.kind == BM_SRC_RAM || d->c.kind == BM_SRC_RAM || d->dst == BM_DST_RAM)
        op->cls = SIM_OP_LOCAL;
    else
        op->cls = SIM_OP_FAST;
    return BM_OK;
}

static int build_core(bm_sim *sim, unsigned ci)
{
    const bm_core *c = bm_machine_core(sim->m, ci);
    const bm_core_params *p = bm_core_get_params(c);
    sim_core *k = &sim->cores[ci];
    unsigned n = bm_core_program_length(c);
    if (p->width < 1 || p->width > 64)
    {
        bm_error(sim->ctx, bm_core_loc(c),
                 "core '%s': word width %u is not supported (libbm supports 1..64 bits)",
                 bm_core_name(c), p->width);
        return BM_EINVALID;
    }
    k->width = p->width;
    k->frac = p->frac;
    k->n_regs = p->registers;
    k->n_code = n;
    k->n_in = p->inputs;
    k->n_out = p->outputs;
    k->ram_depth = p->ram_depth;

    sim_op *code = bm_calloc(sim->ctx, (size_t)n + 1, sizeof *code);
    if (!code)
        return BM_ENOMEM;
    k->code = code;
    slot_builder sb = {NULL, 0, 0, p->registers};
    int rc = BM_OK;
    for (unsigned pc = 0; pc < n && rc == BM_OK; pc++)
        rc = decode_insn(sim, &sb, c, pc, &code[pc]);
    code[n].cls = SIM_OP_OFF_END;
    code[n].npc[0] = code[n].npc[1] = n;
    if (rc == BM_OK) {
        size_t n_slots = (size_t)p->registers + sb.n_consts + 1;
        k->scratch = (uint32_t)(n_slots - 1);
        k->slots = bm_calloc(sim->ctx, n_slots, sizeof *k->slots);
        if (!k->slots)
            rc = BM_ENOMEM;
        else if (sb.n_consts)
            memcpy(k->slots + p->registers, sb.consts, sb.n_consts * sizeof *sb.consts);
    }
    bm_free(sim->ctx, sb.consts);
    if (rc)
        return rc;
    for (unsigned pc = 0; pc <= n; pc++) {
        sim_op *op = &code[pc];
        if (op->a == UINT32_MAX || op->cls == SIM_OP_OFF_END)
            op->a = k->scratch;
        if (op->b == UINT32_MAX || op->cls == SIM_OP_OFF_END)
            op->b = k->scratch;
        if (op->c == UINT32_MAX || op->cls == SIM_OP_OFF_END)
            op->c = k->scratch;
        if (op->dst == UINT32_MAX || op->cls == SIM_OP_OFF_END)
            op->dst = k->scratch;
    }

    if (p->ram_depth) {
        k->ram = bm_calloc(sim->ctx, p->ram_depth, sizeof *k->ram);
        if (!k->ram)
            return BM_ENOMEM;
        unsigned ni = bm_core_ram_init_count(c);
        const uint64_t *init = bm_core_ram_init(c);
        for (unsigned i = 0; i < ni && i < p->ram_depth; i++)
            k->ram[i] = init[i] & bm_mask(p->width);
    }
    k->in_bond = bm_calloc(sim->ctx, p->inputs ? p->inputs : 1, sizeof *k->in_bond);
    k->out = bm_calloc(sim->ctx, p->outputs ? p->outputs : 1, sizeof *k->out);
    if (!k->in_bond || !k->out)
        return BM_ENOMEM;
    k->forwards = p->forward != 0;
    k->fwd_out = p->forward ? p->forward_out : 0;
    for (unsigned q = 0; q < p->outputs; q++) {
        unsigned depth = p->forward && q == p->forward_out ? p->forward_queue : p->queue;
        k->out[q].depth = depth;
        k->out[q].vals = bm_calloc(sim->ctx, depth, sizeof *k->out[q].vals);
        if (!k->out[q].vals)
            return BM_ENOMEM;
    }
    return BM_OK;
}

static sim_end end_of(const bm_endpoint *ep)
{
    sim_end e;
    switch (ep->kind) {
    case BM_EP_INPUT: e.kind = SIM_END_INPUT; break;
    case BM_EP_OUTPUT: e.kind = SIM_END_OUTPUT; break;
    case BM_EP_CORE_IN: e.kind = SIM_END_CORE_IN; break;
    default: e.kind = SIM_END_CORE_OUT; break;
    }
    e.index = ep->index;
    e.port = ep->port;
    return e;
}

static int build_bond(bm_sim *sim, unsigned bi)
{
    const bm_machine *m = sim->m;
    sim_bond *b = &sim->bonds[bi];
    bm_endpoint ep;
    b->index = bi;
    if (bm_machine_bond_source(m, bi, &ep))
        return BM_EINVAL;
    b->source = end_of(&ep);
    if (ep.kind == BM_EP_INPUT) {
        b->src_in = &sim->inputs[ep.index];
        b->src_in->bond = b;
        b->width = sim->inputs[ep.index].width;
    } else if (ep.kind == BM_EP_CORE_OUT) {
        b->src_out = &sim->cores[ep.index].out[ep.port];
        b->src_out->bond = b;
        b->width = sim->cores[ep.index].width;
    } else {
        return BM_EINVAL;
    }
    b->n_sinks = bm_machine_bond_sink_count(m, bi);
    b->sinks = bm_calloc(sim->ctx, b->n_sinks ? b->n_sinks : 1, sizeof *b->sinks);
    if (!b->sinks)
        return BM_ENOMEM;
    for (unsigned s = 0; s < b->n_sinks; s++) {
        if (bm_machine_bond_sink(m, bi, s, &ep))
            return BM_EINVAL;
        b->sinks[s] = end_of(&ep);
        if (ep.kind == BM_EP_CORE_IN) {
            sim->cores[ep.index].in_bond[ep.port] = b;
        } else if (ep.kind == BM_EP_OUTPUT) {
            sim->outputs[ep.index].bond = b;
            b->has_ext_sink = 1;
        } else {
            return BM_EINVAL;
        }
    }
    return BM_OK;
}

int bmi_sim_build(bm_sim *sim)
{
    const bm_machine *m = sim->m;
    bm_ctx *ctx = sim->ctx;
    sim->n_cores = bm_machine_core_count(m);
    sim->n_bonds = bm_machine_bond_count(m);
    sim->n_inputs = bm_machine_input_count(m);
    sim->n_outputs = bm_machine_output_count(m);
    sim->cores = bm_calloc(ctx, sim->n_cores ? sim->n_cores : 1, sizeof *sim->cores);
    sim->bonds = bm_calloc(ctx, sim->n_bonds ? sim->n_bonds : 1, sizeof *sim->bonds);
    sim->inputs = bm_calloc(ctx, sim->n_inputs ? sim->n_inputs : 1, sizeof *sim->inputs);
    sim->outputs = bm_calloc(ctx, sim->n_outputs ? sim->n_outputs : 1, sizeof *sim->outputs);
    sim->bonded_outputs =
        bm_calloc(ctx, sim->n_outputs ? sim->n_outputs : 1, sizeof *sim->bonded_outputs);
    sim->pending = bm_calloc(ctx, sim->n_cores ? sim->n_cores : 1, sizeof *sim->pending);
    sim->cand = bm_calloc(ctx, sim->n_bonds ? sim->n_bonds : 1, sizeof *sim->cand);
    sim->wb_now = bm_calloc(ctx, sim->n_cores ? sim->n_cores : 1, sizeof *sim->wb_now);
    sim->wb_next = bm_calloc(ctx, sim->n_cores ? sim->n_cores : 1, sizeof *sim->wb_next);
    if (!sim->cores || !sim->bonds || !sim->inputs || !sim->outputs || !sim->bonded_outputs ||
        !sim->pending || !sim->cand || !sim->wb_now || !sim->wb_next)
        return BM_ENOMEM;
    for (unsigned i = 0; i < sim->n_inputs; i++) {
        unsigned w = bm_machine_input_width(m, i);
        if (w < 1 || w > 64)
        {
            bm_error(ctx, bm_machine_loc(m), "input '%s': width %u is not supported",
                     bm_machine_input_name(m, i), w);
            return BM_EINVALID;
        }
        sim->inputs[i].width = w;
    }
    for (unsigned i = 0; i < sim->n_outputs; i++) {
        unsigned w = bm_machine_output_width(m, i);
        if (w < 1 || w > 64)
        {
            bm_error(ctx, bm_machine_loc(m), "output '%s': width %u is not supported",
                     bm_machine_output_name(m, i), w);
            return BM_EINVALID;
        }
        sim->outputs[i].width = w;
        sim->outputs[i].period = 1;
    }
    int rc;
    for (unsigned i = 0; i < sim->n_cores; i++)
        if ((rc = build_core(sim, i)))
            return rc;
    for (unsigned i = 0; i < sim->n_bonds; i++)
        if ((rc = build_bond(sim, i)))
            return rc;
    for (unsigned i = 0; i < sim->n_outputs; i++)
        if (sim->outputs[i].bond)
            sim->bonded_outputs[sim->n_bonded_outputs++] = &sim->outputs[i];
    sim->env_period = 1;
    return bmi_sim_idle_init(sim);
}

void bmi_sim_release(bm_sim *sim)
{
    bm_ctx *ctx = sim->ctx;
    if (sim->cores) {
        for (unsigned i = 0; i < sim->n_cores; i++) {
            sim_core *k = &sim->cores[i];
            bm_free(ctx, (void *)k->code);
            bm_free(ctx, k->slots);
            bm_free(ctx, k->ram);
            bm_free(ctx, k->in_bond);
            if (k->out)
                for (unsigned q = 0; q < k->n_out; q++)
                    bm_free(ctx, k->out[q].vals);
            bm_free(ctx, k->out);
        }
    }
    if (sim->bonds)
        for (unsigned i = 0; i < sim->n_bonds; i++)
            bm_free(ctx, sim->bonds[i].sinks);
    if (sim->inputs)
        for (unsigned i = 0; i < sim->n_inputs; i++)
            bm_free(ctx, sim->inputs[i].vals);
    if (sim->outputs)
        for (unsigned i = 0; i < sim->n_outputs; i++)
            bm_free(ctx, sim->outputs[i].pattern);
    bm_free(ctx, sim->cores);
    bm_free(ctx, sim->bonds);
    bm_free(ctx, sim->inputs);
    bm_free(ctx, sim->outputs);
    bm_free(ctx, sim->bonded_outputs);
    bm_free(ctx, sim->pending);
    bm_free(ctx, sim->cand);
    bm_free(ctx, sim->wb_now);
    bm_free(ctx, sim->wb_next);
    bm_free(ctx, sim->awake);
    bm_free(ctx, sim->late);
    bm_free(ctx, sim->rec);
}
