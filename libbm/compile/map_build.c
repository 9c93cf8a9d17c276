/* From the plan and the cores' programs to a validated machine: one core per
 * plan core (width = the graph type's total bits, frac = its fraction bits
 * when the program uses a fixed-point unit, registers, ROM and ports as the
 * program needs), the graph's inputs and outputs as external ports, one
 * bond per channel and per output.  A core that multiplies gets the
 * chosen multiplier variant (a pipelined one after bmi_map_hazard_pipe has
 * made its program safe); the others stay comb, so that the variant
 * changes nothing where there is nothing to multiply.  The fetch kind is
 * the option's, or under AUTO staged for a program too long for a logic
 * ROM (its block RAM would otherwise sit in the operation's cycle).
 *
 * Every core gets an output queue as deep as the most values its program
 * posts (`outn`) on one port per pass, so that it never waits on its own
 * results: a fold core of K neurons sends K on its one port and goes on
 * to the next vector while the next layer takes them (with the one-word
 * holding register it waited until its last value was taken, about twice
 * the interval).  Node-strategy cores post one value a port: queue 1.
 * A chained core (bmi_map_plan_events_chained) forwards on its forward port,
 * whose queue holds two words where the program takes inputs in
 * consecutive instructions, one where it never does. */
#include <stdio.h>
#include <string.h>

#include "bm/verilog.h"
#include "map.h"

int bmi_map_program_multiplies(const map_program *prog)
{
    for (unsigned id = 0; id < bm_isa_count(); id++)
        if (bm_opcode_set_has(&prog->opcodes, id) && bm_opcode_uses_mul(bm_isa_get(id)))
            return 1;
    return 0;
}

static unsigned core_fetch(const map_program *prog, bm_compile_fetch fetch)
{
    switch (fetch) {
    case BM_COMPILE_FETCH_STAGED: return BM_FETCH_STAGED;
    case BM_COMPILE_FETCH_DIRECT: return BM_FETCH_DIRECT;
    default: return prog->n > BM_VERILOG_ROM_LOGIC_MAX ? BM_FETCH_STAGED : BM_FETCH_DIRECT;
    }
}

/* The most `outn` of one port in the program (at least 1, at most
 * BM_QUEUE_MAX). */
static unsigned core_queue(const map_program *prog, unsigned outputs)
{
    unsigned best = 1;
    for (unsigned port = 0; port < outputs; port++) {
        unsigned n = 0;
        for (size_t k = 0; k < prog->n; k++) {
            const bm_opcode_def *d = bm_isa_get(prog->insn[k].opcode);
            n += d->io == BM_IO_OUT_POST && prog->insn[k].operand[d->port_operand] == port;
        }
        if (n > best)
            best = n;
    }
    return best < BM_QUEUE_MAX ? best : BM_QUEUE_MAX;
}

/* 1 when two consecutive instructions of the program (the last and the
 * first counting as consecutive, through the loop's jump) both take an
 * input. */
static int takes_back_to_back(const map_program *prog)
{
    for (size_t k = 0; k < prog->n; k++) {
        const bm_opcode_def *a = bm_isa_get(prog->insn[k].opcode);
        const bm_opcode_def *b = bm_isa_get(prog->insn[(k + 1) % prog->n].opcode);
        int ta = bm_io_takes_input(a->io), tb = bm_io_takes_input(b->io);
        if (ta && tb)
            return 1;
    }
    return 0;
}

/* 1 when the program looks at an input before taking it (pkmacfx): the
 * next core of the chain does the same, holding each value for the cycles
 * of its pkmacfx before it takes it, and a forward of one word would hold
 * this core's next take back by that long (K + 1 cycles an input, not K). */
static int looks_at_inputs(const map_program *prog)
{
    for (size_t k = 0; k < prog->n; k++)
        if (bm_isa_get(prog->insn[k].opcode)->io == BM_IO_IN_PEEK)
            return 1;
    return 0;
}

static int add_core(bm_machine *m, const map_plan *p, uint32_t i, const map_program *prog,
                    const map_graph *mg, unsigned mul, bm_compile_fetch fetch)
{
    const map_core *c = &p->cores[i];
    bm_core_params params = BM_CORE_PARAMS_INIT;
    params.mul = mul;
    params.fetch = core_fetch(prog, fetch);
    params.width = mg->type.total;
    params.frac = prog->fixed_point ? mg->type.frac : 0;
    params.registers = prog->registers;
    params.rom_depth = (unsigned)prog->n;
    params.ram_depth = 0;
    params.inputs = c->n_in;
    params.outputs = c->n_out;
    params.queue = core_queue(prog, c->n_out);
    if (c->fwd_chan != MAP_NONE) {
        /* a chained core forwards what it takes: two words let it take a
         * value a cycle while the next core takes the one before, one
         * word does when its takes are never in consecutive instructions
         * (the next core has taken the last value before this one takes
         * again) */
        params.forward = 1;
        params.forward_out = p->chans[c->fwd_chan].src;
        params.forward_queue = takes_back_to_back(prog) || looks_at_inputs(prog) ? 2 : 1;
    }
    bm_core *core;
    int rc = bm_machine_add_core(m, &core, c->name, &params, c->loc);
    if (rc)
        return rc;
    bm_core_set_opcodes(core, &prog->opcodes);
    for (size_t k = 0; k < prog->n && !rc; k++) {
        bm_insn in = prog->insn[k];
        in.loc = c->loc;
        rc = bm_core_append_insn(core, &in);
    }
    return rc;
}

static void endpoint(char *buf, size_t size, const map_plan *p, uint32_t core, char dir,
                     uint32_t port)
{
    snprintf(buf, size, "%s.%c%u", p->cores[core].name, dir, port);
}

static int add_bonds(bm_machine *m, const map_plan *p, const map_graph *mg)
{
    char src[96], dst[96];
    int rc = BM_OK;
    bm_loc loc = bm_graph_loc(mg->g);
    for (size_t c = 0; c < p->n_chans && !rc; c++) {
        const map_channel *ch = &p->chans[c];
        if (ch->src_core < 0)
            snprintf(src, sizeof src, "%s",
                     bm_graph_node_name(mg->g, bm_graph_input(mg->g, ch->src)));
        else
            endpoint(src, sizeof src, p, (uint32_t)ch->src_core, 'o', ch->src);
        unsigned bond;
        if ((rc = bm_machine_add_bond(m, &bond, src, loc)))
            break;
        for (uint32_t k = 0; k < ch->n_sinks && !rc; k++) {
            const map_sink *s = &p->sinks[ch->first_sink + k];
            endpoint(dst, sizeof dst, p, s->core, 'i', s->port);
            rc = bm_machine_bond_add_sink(m, bond, dst, loc);
        }
    }
    for (size_t k = 0; k < p->n_outs && !rc; k++) {
        const map_outbond *o = &p->outs[k];
        endpoint(src, sizeof src, p, o->core, 'o', o->port);
        unsigned bond;
        if (!(rc = bm_machine_add_bond(m, &bond, src, loc)))
            rc = bm_machine_bond_add_sink(
                m, bond, bm_graph_node_name(mg->g, bm_graph_output(mg->g, o->output)), loc);
    }
    return rc;
}

int bmi_map_build_machine(bm_machine **out, const map_plan *p, const map_graph *mg, const char *name,
                      const map_code_options *opt)
{
    bm_ctx *ctx = p->ctx;
    const bm_graph *g = mg->g;
    bm_machine *m;
    *out = NULL;
    int rc = bm_machine_new(&m, ctx, name);
    if (rc)
        return rc;
    bm_machine_set_loc(m, bm_graph_loc(g));
    unsigned w = mg->type.total;
    for (unsigned i = 0; i < bm_graph_input_count(g) && !rc; i++) {
        unsigned node = bm_graph_input(g, i);
        rc = bm_machine_add_input(m, bm_graph_node_name(g, node), w, bm_graph_node_loc(g, node));
    }
    for (unsigned i = 0; i < bm_graph_output_count(g) && !rc; i++) {
        unsigned node = bm_graph_output(g, i);
        rc = bm_machine_add_output(m, bm_graph_node_name(g, node), w, bm_graph_node_loc(g, node));
    }
    map_emitter *em = NULL;
    map_program prog;
    memset(&prog, 0, sizeof prog);
    if (!rc)
        rc = bmi_map_emitter_new(&em, mg, opt);
    for (uint32_t i = 0; i < p->n_cores && !rc; i++) {
        if ((rc = bmi_map_emit_core(em, p, i, &prog)))
            break;
        unsigned mul = bmi_map_program_multiplies(&prog) ? opt->mul : BM_MUL_COMB;
        if (mul == BM_MUL_PIPE)
            rc = bmi_map_hazard_pipe(ctx, &prog, NULL);
        if (!rc)
            rc = add_core(m, p, i, &prog, mg, mul, opt->fetch);
    }
    bmi_map_program_free(ctx, &prog);
    bmi_map_emitter_free(em);
    if (!rc)
        rc = add_bonds(m, p, mg);
    if (!rc)
        rc = bm_machine_validate(m);
    if (rc) {
        bm_machine_free(m);
        return rc;
    }
    *out = m;
    return BM_OK;
}
