/* What a core does next, in words: the deadlock report of docs/sim.md.
 *
 *   pc 2 'in r0, i0' waits for valid on i0 (bond from 'a.o0')
 *   pc 5 'out o0, r1' waits for ready on o0 (bond to 'b.i0', 'c.i0'; not ready: 'c.i0')
 *   pc 7 'j 7' jumps to itself
 *   halted at pc 9 'halt'
 */
#include <stdio.h>
#include <string.h>

#include "bm/insn.h"
#include "internal.h"
#include "sim_impl.h"

/* Whether core `ci` executes its I/O instruction on port `port` of the given
 * direction in the next cycle (so would raise ready / offer a value). */
static int core_does_io(const bm_sim *sim, unsigned ci, unsigned port, int input)
{
    const sim_core *k = &sim->cores[ci];
    if (k->halted)
        return 0;
    const sim_op *op = &k->code[k->pc];
    if (op->cls != SIM_OP_CHANNEL || k->busy + 1u < op->cycles || op->port != port)
        return 0;
    if (input) /* a pkmacfx only looks: it raises no ready */
        return bm_io_takes_input((bm_io)op->io) && !sim_forward_full(k);
    return !bm_io_reads_input((bm_io)op->io) && k->out[port].count == 0;
}

static int source_valid_next(const bm_sim *sim, const sim_bond *b)
{
    if (b->src_in)
        return b->src_in->pos < b->src_in->len;
    if (b->src_out->count)
        return 1;
    return core_does_io(sim, b->source.index, b->source.port, 0);
}

int bm_sim_input_ended(const bm_sim *sim)
{
    if (!sim)
        return 0;
    for (unsigned i = 0; i < sim->n_inputs; i++)
        if (sim->inputs[i].pos < sim->inputs[i].len)
            return 0;
    for (unsigned c = 0; c < sim->n_cores; c++) {
        const sim_core *k = &sim->cores[c];
        if (k->halted)
            continue;
        const sim_op *op = &k->code[k->pc];
        if (op->cls != SIM_OP_CHANNEL || (op->io != BM_IO_IN_WAIT && op->io != BM_IO_IN_PEEK))
            continue;
        const sim_bond *b = k->in_bond[op->port];
        if (b && b->src_in)
            return 1;
    }
    return 0;
}

int bmi_sim_sink_ready_next(const bm_sim *sim, const sim_end *e)
{
    if (e->kind == SIM_END_OUTPUT) {
        const sim_output *o = &sim->outputs[e->index];
        if (o->fn)
            return 1; /* unknown: the callback decides */
        return o->pattern ? o->pattern[sim->cycle % o->n_pattern] != 0 : 1;
    }
    return core_does_io(sim, e->index, e->port, 1);
}

typedef struct text {
    char *buf;
    size_t size, len;
} text;

static void put(text *t, const char *fmt, ...) BM_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = t->len < t->size ? t->buf + t->len : NULL;
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static void put_sinks(text *t, const bm_sim *sim, const sim_bond *b, int only_not_ready)
{
    int first = 1;
    for (unsigned s = 0; s < b->n_sinks; s++) {
        if (only_not_ready && bmi_sim_sink_ready_next(sim, &b->sinks[s]))
            continue;
        put(t, "%s'%s'", first ? "" : ", ", bm_machine_bond_sink_text(sim->m, b->index, s));
        first = 0;
    }
}

static void describe_hold(text *t, const bm_sim *sim, const sim_core *k, unsigned p,
                          const char *verb);

static void describe_in(text *t, const bm_sim *sim, const sim_core *k, const sim_op *op)
{
    const sim_bond *b = k->in_bond[op->port];
    int try_only = op->io == BM_IO_IN_TRY;
    if (!b) {
        put(t, try_only ? " polls i%u, which is not connected" :
                          " waits for valid on i%u, which is not connected", op->port);
        return;
    }
    const char *from = bm_machine_bond_source_text(sim->m, b->index);
    if (op->io == BM_IO_IN_PEEK) { /* never held by its forward, never takes */
        put(t, source_valid_next(sim, b) ? " looks at the value on i%u (bond from '%s'%s)"
                                         : " waits for valid on i%u (bond from '%s'%s)",
            op->port, from, !source_valid_next(sim, b) && b->src_in ? ": no stimulus left" : "");
        return;
    }
    if (sim_forward_full(k)) {
        put(t, " %s i%u (bond from '%s'): its forward waits for ", try_only ? "cannot take" : "waits on",
            op->port, from);
        describe_hold(t, sim, k, k->fwd_out, k->out[k->fwd_out].depth == 1 ? "to empty" : "to have room");
        return;
    }
    if (!source_valid_next(sim, b)) {
        if (try_only)
            put(t, " polls i%u (bond from '%s'), which is not valid", op->port, from);
        else
            put(t, " waits for valid on i%u (bond from '%s'%s)", op->port, from,
                b->src_in ? ": no stimulus left" : "");
        return;
    }
    int others = 0;
    for (unsigned s = 0; s < b->n_sinks; s++)
        if (!bmi_sim_sink_ready_next(sim, &b->sinks[s]))
            others++;
    if (others) {
        put(t, try_only ? " polls i%u (bond from '%s'), whose other sinks are not ready: " :
                          " waits on i%u (bond from '%s', valid) for its other sinks: ",
            op->port, from);
        put_sinks(t, sim, b, 1);
        put(t, try_only ? "" : " not ready");
        return;
    }
    put(t, " takes a value on i%u (bond from '%s')", op->port, from);
}

/* "bond to 'x', 'y'; not ready: 'y'" or "bond to 'x'; all ready". */
static void put_bond_to(text *t, const bm_sim *sim, const sim_bond *b)
{
    int not_ready = 0;
    for (unsigned s = 0; s < b->n_sinks; s++)
        if (!bmi_sim_sink_ready_next(sim, &b->sinks[s]))
            not_ready++;
    put(t, "bond to ");
    put_sinks(t, sim, b, 0);
    if (not_ready) {
        put(t, "; not ready: ");
        put_sinks(t, sim, b, 1);
    } else {
        put(t, "; all ready");
    }
}

static int all_sinks_ready(const bm_sim *sim, const sim_bond *b)
{
    for (unsigned s = 0; s < b->n_sinks; s++)
        if (!bmi_sim_sink_ready_next(sim, &b->sinks[s]))
            return 0;
    return 1;
}

/* "the holding register of o0 to empty (value 3; bond to 'b.i0'; ...)", or
 * with a deeper queue "the queue of o0 to have room (4 of 4 words, first
 * 3; ...)" */
static void describe_hold(text *t, const bm_sim *sim, const sim_core *k, unsigned p,
                          const char *verb)
{
    const sim_outport *port = &k->out[p];
    if (port->depth == 1)
        put(t, "the holding register of o%u %s (value %llu; ", p, verb,
            (unsigned long long)sim_queue_head(port));
    else
        put(t, "the queue of o%u %s (%u of %u words, first %llu; ", p, verb, port->count,
            port->depth, (unsigned long long)sim_queue_head(port));
    if (port->bond)
        put_bond_to(t, sim, port->bond);
    else
        put(t, "not connected");
    put(t, ")");
}

static void describe_out(text *t, const bm_sim *sim, const sim_core *k, const sim_op *op)
{
    const sim_outport *port = &k->out[op->port];
    const sim_bond *b = port->bond;
    int waits = op->io == BM_IO_OUT_WAIT ? port->count != 0 : port->count == port->depth;
    if (waits) {
        put(t, " waits for ");
        describe_hold(t, sim, k, op->port,
                      op->io == BM_IO_OUT_WAIT || port->depth == 1 ? "to empty" : "to have room");
        return;
    }
    if (port->count) { /* outn with room: its value joins the queue */
        put(t, " queues a value on o%u", op->port);
        return;
    }
    if (!b) {
        put(t, op->io == BM_IO_OUT_WAIT ? " waits for ready on o%u, which is not connected"
                                         : " parks a value on o%u, which is not connected",
            op->port);
        return;
    }
    if (all_sinks_ready(sim, b))
        put(t, " sends on o%u", op->port);
    else if (op->io == BM_IO_OUT_WAIT)
        put(t, " waits for ready on o%u", op->port);
    else
        put(t, " offers on o%u", op->port);
    put(t, " (");
    put_bond_to(t, sim, b);
    put(t, ")");
}

/* Output queues holding values, other than the one the instruction waits on. */
static void describe_holds(text *t, const bm_sim *sim, const sim_core *k, const sim_op *op)
{
    int skip = !k->halted && op->cls == SIM_OP_CHANNEL &&
               (op->io == BM_IO_OUT_WAIT || op->io == BM_IO_OUT_POST);
    /* an input that waits for its forward names the forward's queue */
    int fwd_told = !k->halted && op->cls == SIM_OP_CHANNEL &&
                   (op->io == BM_IO_IN_WAIT || op->io == BM_IO_IN_TRY) && k->in_bond[op->port] &&
                   sim_forward_full(k);
    for (unsigned p = 0; p < k->n_out; p++) {
        if (!k->out[p].count || (skip && p == op->port) || (fwd_told && p == k->fwd_out))
            continue;
        put(t, "; ");
        describe_hold(t, sim, k, p, k->out[p].depth == 1 ? "is full" : "holds values");
    }
}

/* Which of op->npc the next cycle uses: A's value decides (RAM sources are
 * only read by ld/st-like rows, whose flow does not test A). */
static int next_is_taken(const sim_core *k, const sim_op *op)
{
    uint64_t a = k->slots[op->a];
    if (op->a_kind == BM_SRC_RAM)
        a = a < k->ram_depth ? k->ram[a] : 0;
    return a != 0;
}

int bm_sim_describe_stall(const bm_sim *sim, unsigned core, char *buf, size_t size)
{
    if (!sim || (!buf && size))
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return BM_ENOTFOUND;
    const sim_core *k = &sim->cores[core];
    const bm_core *c = bm_machine_core(sim->m, core);
    text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    const sim_op *op = &k->code[k->pc];
    if (op->cls == SIM_OP_OFF_END) {
        put(&t, "pc %u: ran past the end of its program", k->pc);
        return (int)t.len;
    }
    char insn[192];
    bm_insn_format(insn, sizeof insn, bm_core_insn(c, k->pc));
    if (k->halted) {
        put(&t, "halted at pc %u '%s'", k->pc, insn);
        describe_holds(&t, sim, k, op);
        return (int)t.len;
    }
    put(&t, "pc %u '%s'", k->pc, insn);
    if (k->refetching) {
        put(&t, " is being fetched after a taken jump (staged fetch)");
    } else if (k->busy + 1u < op->cycles) {
        put(&t, " is in cycle %u of %u", k->busy + 1u, (unsigned)op->cycles);
    } else if (op->cls == SIM_OP_CHANNEL) {
        if (bm_io_reads_input((bm_io)op->io))
            describe_in(&t, sim, k, op);
        else
            describe_out(&t, sim, k, op);
    } else if (op->halt) {
        put(&t, " halts");
    } else if (op->npc[next_is_taken(k, op)] == k->pc && op->dst_kind == BM_DST_NONE) {
        put(&t, " jumps to itself");
    } else {
        put(&t, " runs");
    }
    describe_holds(&t, sim, k, op);
    return (int)t.len;
}
