/* The rules a machine must follow (docs/format.md, "Rules").  Every broken
 * rule is reported at the location of the object that breaks it; validation
 * goes on after an error so that one run reports them all. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm/machine.h"
#include "internal.h"
#include "model.h"

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* Core names sorted (then by core number), so that validating a machine
 * of thousands of cores (a compiled graph) is not quadratic. */
typedef struct core_entry {
    const char *name;
    unsigned index;
} core_entry;

typedef struct core_index {
    core_entry *e;
    size_t n;
} core_index;

static int by_name(const void *a, const void *b)
{
    const core_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int core_index_build(core_index *ix, const bm_machine *m)
{
    ix->n = m->n_cores;
    ix->e = bm_malloc(m->ctx, (ix->n ? ix->n : 1) * sizeof *ix->e);
    if (!ix->e)
        return bm_oom(m->ctx);
    for (size_t i = 0; i < ix->n; i++) {
        ix->e[i].name = m->cores[i]->name;
        ix->e[i].index = (unsigned)i;
    }
    qsort(ix->e, ix->n, sizeof *ix->e, by_name);
    return BM_OK;
}

/* The lowest-numbered core with that name, or -1 (like
 * bm_machine_find_core). */
static int core_index_find(const core_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) { /* first entry >= name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->e[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && strcmp(ix->e[lo].name, name) == 0 ? (int)ix->e[lo].index : -1;
}

static int is_identifier(const char *s)
{
    if (!s[0] || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (const char *p = s + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    return strlen(s) <= 64;
}

static void check_name(bm_ctx *ctx, bm_loc loc, const char *what, const char *name, int *errors)
{
    if (!is_identifier(name)) {
        bm_error(ctx, loc,
                 "%s name '%s' is not an identifier (a letter or '_', then letters, "
                 "digits or '_', at most 64 characters)",
                 what, name);
        (*errors)++;
    }
}

static void check_range(bm_ctx *ctx, bm_loc loc, const char *core, const char *what,
                        unsigned value, unsigned lo, unsigned hi, int *errors)
{
    if (value < lo || value > hi) {
        bm_error(ctx, loc, "core '%s': %s %u is out of range (%u..%u)", core, what, value, lo,
                 hi);
        (*errors)++;
    }
}

/* A forward names an output port the core has (docs/timing.md
 * "Forwarding"). */
static void check_forward(bm_ctx *ctx, const bm_core *c, int *errors)
{
    const bm_core_params *p = &c->params;
    if (p->forward > 1) {
        bm_error(ctx, c->loc, "core '%s': forward flag %u is neither 0 nor 1", c->name, p->forward);
        (*errors)++;
        return;
    }
    if (!p->forward)
        return;
    check_range(ctx, c->loc, c->name, "forward queue depth", p->forward_queue, 1, BM_QUEUE_MAX,
                errors);
    if (p->forward_out >= p->outputs) {
        bm_error(ctx, c->loc,
                 "core '%s': forwarding output port o%u does not exist (the core has %u)", c->name,
                 p->forward_out, p->outputs);
        (*errors)++;
    }
}

static void check_params(bm_ctx *ctx, const bm_core *c, int *errors)
{
    const bm_core_params *p = &c->params;
    if (p->width < 1 || p->width > BM_WIDTH_MAX) {
        bm_error(ctx, c->loc,
                 "core '%s': word width %u is not supported (libbm supports 1..%u bits)",
                 c->name, p->width, BM_WIDTH_MAX);
        (*errors)++;
    }
    check_range(ctx, c->loc, c->name, "register count", p->registers, 1, BM_REGISTERS_MAX,
                errors);
    check_range(ctx, c->loc, c->name, "ROM depth", p->rom_depth, 1, BM_ROM_DEPTH_MAX, errors);
    check_range(ctx, c->loc, c->name, "RAM depth", p->ram_depth, 0, BM_RAM_DEPTH_MAX, errors);
    check_range(ctx, c->loc, c->name, "input port count", p->inputs, 0, BM_PORTS_MAX, errors);
    check_range(ctx, c->loc, c->name, "output port count", p->outputs, 0, BM_PORTS_MAX,
                errors);
    if (p->width >= 1 && p->width <= BM_WIDTH_MAX && p->frac >= p->width) {
        bm_error(ctx, c->loc,
                 "core '%s': %u fraction bits do not fit a %u-bit word (frac must be below the "
                 "width)",
                 c->name, p->frac, p->width);
        (*errors)++;
    }
    if (!bm_mul_variant_get(p->mul)) {
        bm_error(ctx, c->loc, "core '%s': unknown multiplier variant %u (comb, pipe or serial)",
                 c->name, p->mul);
        (*errors)++;
    }
    check_range(ctx, c->loc, c->name, "output queue depth", p->queue, 1, BM_QUEUE_MAX, errors);
    if (!bm_fetch_kind_get(p->fetch)) {
        bm_error(ctx, c->loc, "core '%s': unknown fetch kind %u (direct or staged)", c->name,
                 p->fetch);
        (*errors)++;
    }
    check_forward(ctx, c, errors);
}

static void check_insn(bm_ctx *ctx, const bm_core *c, unsigned pc, int *errors)
{
    const bm_insn *in = &c->program[pc];
    const bm_core_params *p = &c->params;
    const bm_opcode_def *d = bm_isa_get(in->opcode);
    bm_loc loc = in->loc.line ? in->loc : c->loc;
    if (!d) {
        bm_error(ctx, loc, "core '%s': instruction %u has unknown opcode number %u", c->name, pc,
                 in->opcode);
        (*errors)++;
        return;
    }
    if (!bm_opcode_set_has(&c->opcodes, in->opcode)) {
        bm_error(ctx, loc, "core '%s': opcode '%s' is used but not in the core's opcode set",
                 c->name, d->mnemonic);
        (*errors)++;
    }
    for (unsigned k = 0; k < d->n_operands; k++) {
        uint64_t v = in->operand[k];
        uint64_t limit = 0;
        const char *what = NULL;
        switch (d->operands[k]) {
        case BM_OPND_REG: limit = p->registers; what = "register"; break;
        case BM_OPND_IN: limit = p->inputs; what = "input port"; break;
        case BM_OPND_OUT: limit = p->outputs; what = "output port"; break;
        case BM_OPND_ADDR: limit = c->n_program; what = "jump target"; break;
        case BM_OPND_SHAMT: limit = p->width; what = "shift amount"; break;
        case BM_OPND_IMM:
            if (p->width <= 64 && (v & ~bm_mask(p->width))) {
                bm_error(ctx, loc,
                         "core '%s': immediate %llu of '%s' does not fit in %u bits", c->name,
                         (unsigned long long)v, d->mnemonic, p->width);
                (*errors)++;
            }
            continue;
        default: continue;
        }
        if (v >= limit) {
            if (d->operands[k] == BM_OPND_ADDR)
                bm_error(ctx, loc,
                         "core '%s': jump target %llu of '%s' is past the end of the program "
                         "(%zu instruction%s)",
                         c->name, (unsigned long long)v, d->mnemonic, c->n_program,
                         plural(c->n_program));
            else if (d->operands[k] == BM_OPND_SHAMT)
                bm_error(ctx, loc,
                         "core '%s': shift amount %llu of '%s' is out of range (0..%u for "
                         "%u-bit words)",
                         c->name, (unsigned long long)v, d->mnemonic, p->width - 1, p->width);
            else
                bm_error(ctx, loc, "core '%s': %s %llu of '%s' does not exist (the core has %llu)",
                         c->name, what, (unsigned long long)v, d->mnemonic,
                         (unsigned long long)limit);
            (*errors)++;
        }
    }
    const bm_mul_variant_def *mv = bm_mul_variant_get(p->mul);
    int reads_input = d->a.kind == BM_SRC_INPUT || d->b.kind == BM_SRC_INPUT ||
                      d->c.kind == BM_SRC_INPUT;
    if (mv && !mv->takes_inputs && bm_opcode_uses_mul(d) && reads_input) {
        bm_error(ctx, loc,
                 "core '%s': '%s' multiplies an input port's data, which a %s multiplier "
                 "cannot hold for its %u cycles (use 'in' then a register form, or mul=\"comb\" "
                 "or \"pipe\")",
                 c->name, d->mnemonic, mv->name, bm_opcode_cycles(d, p->mul, p->width));
        (*errors)++;
    }
    if (p->forward && (d->io == BM_IO_OUT_WAIT || d->io == BM_IO_OUT_POST) &&
        d->port_operand < d->n_operands && in->operand[d->port_operand] == p->forward_out) {
        bm_error(ctx, loc,
                 "core '%s': '%s' sends on o%u, which forwards what the core takes (only the "
                 "forward may use it)",
                 c->name, d->mnemonic, p->forward_out);
        (*errors)++;
    }
    int uses_ram = d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->dst == BM_DST_RAM;
    if (uses_ram && p->ram_depth == 0) {
        bm_error(ctx, loc, "core '%s': '%s' needs a RAM but the core has none (ram=\"0\")",
                 c->name, d->mnemonic);
        (*errors)++;
    }
}

static void check_program(bm_ctx *ctx, const bm_core *c, int *errors)
{
    if (c->n_program == 0) {
        bm_error(ctx, c->loc, "core '%s' has no program", c->name);
        (*errors)++;
        return;
    }
    if (c->params.rom_depth >= 1 && c->n_program > c->params.rom_depth) {
        bm_error(ctx, c->loc,
                 "core '%s': program of %zu instruction%s does not fit a ROM of %u word%s",
                 c->name, c->n_program, plural(c->n_program), c->params.rom_depth,
                 plural(c->params.rom_depth));
        (*errors)++;
    }
    for (unsigned pc = 0; pc < c->n_program; pc++)
        check_insn(ctx, c, pc, errors);
    const bm_insn *last = &c->program[c->n_program - 1];
    const bm_opcode_def *d = bm_isa_get(last->opcode);
    if (d && d->flow != BM_FLOW_JUMP && d->flow != BM_FLOW_HALT) {
        bm_error(ctx, last->loc.line ? last->loc : c->loc,
                 "core '%s': the program can run past its last instruction ('%s'); end it with "
                 "'j' or 'halt'",
                 c->name, d->mnemonic);
        (*errors)++;
    }
    if (c->n_ram_init > c->params.ram_depth) {
        bm_error(ctx, c->ram_init_loc.line ? c->ram_init_loc : c->loc,
                 "core '%s': %u RAM initial word%s do%s not fit a RAM of %u word%s", c->name,
                 c->n_ram_init, plural(c->n_ram_init), c->n_ram_init == 1 ? "es" : "",
                 c->params.ram_depth, plural(c->params.ram_depth));
        (*errors)++;
    }
    for (unsigned i = 0; i < c->n_ram_init && c->params.width <= 64; i++) {
        if (c->ram_init[i] & ~bm_mask(c->params.width)) {
            bm_error(ctx, c->ram_init_loc.line ? c->ram_init_loc : c->loc,
                     "core '%s': RAM initial word %u (%llu) does not fit in %u bits", c->name, i,
                     (unsigned long long)c->ram_init[i], c->params.width);
            (*errors)++;
            break;
        }
    }
}

/* Parses "name", "core.iN" or "core.oN" and resolves it. */
static int resolve_end(bm_machine *m, const core_index *ix, bm_bond_end *e, int *errors)
{
    bm_ctx *ctx = m->ctx;
    const char *dot = strchr(e->text, '.');
    if (!dot) {
        int i = bm_machine_find_input(m, e->text);
        if (i >= 0) {
            e->ep.kind = BM_EP_INPUT;
            e->ep.index = (unsigned)i;
            return 0;
        }
        i = bm_machine_find_output(m, e->text);
        if (i >= 0) {
            e->ep.kind = BM_EP_OUTPUT;
            e->ep.index = (unsigned)i;
            return 0;
        }
        bm_error(ctx, e->loc, "bond endpoint '%s' is neither an external input nor an output",
                 e->text);
        (*errors)++;
        return -1;
    }
    size_t nlen = (size_t)(dot - e->text);
    char core_name[80];
    if (nlen == 0 || nlen >= sizeof core_name) {
        bm_error(ctx, e->loc, "bond endpoint '%s' has no valid core name", e->text);
        (*errors)++;
        return -1;
    }
    memcpy(core_name, e->text, nlen);
    core_name[nlen] = '\0';
    const char *port = dot + 1;
    char dir = port[0];
    char *end = NULL;
    errno = 0;
    unsigned long n = (dir == 'i' || dir == 'o') && isdigit((unsigned char)port[1])
                          ? strtoul(port + 1, &end, 10)
                          : 0;
    if ((dir != 'i' && dir != 'o') || !end || *end || errno) {
        bm_error(ctx, e->loc, "bond endpoint '%s': a core port is written 'core.iN' or 'core.oN'",
                 e->text);
        (*errors)++;
        return -1;
    }
    int ci = core_index_find(ix, core_name);
    if (ci < 0) {
        bm_error(ctx, e->loc, "bond endpoint '%s': there is no core named '%s'", e->text,
                 core_name);
        (*errors)++;
        return -1;
    }
    const bm_core *c = m->cores[ci];
    unsigned have = dir == 'i' ? c->params.inputs : c->params.outputs;
    if (have > BM_PORTS_MAX)
        have = 0; /* already reported; no port slots were made */
    if (n >= have) {
        bm_error(ctx, e->loc, "bond endpoint '%s': core '%s' has no %s port %lu (it has %u)",
                 e->text, core_name, dir == 'i' ? "input" : "output", n, have);
        (*errors)++;
        return -1;
    }
    e->ep.kind = dir == 'i' ? BM_EP_CORE_IN : BM_EP_CORE_OUT;
    e->ep.index = (unsigned)ci;
    e->ep.port = (unsigned)n;
    return 0;
}

static unsigned end_width(const bm_machine *m, const bm_endpoint *ep)
{
    switch (ep->kind) {
    case BM_EP_INPUT: return m->inputs[ep->index].width;
    case BM_EP_OUTPUT: return m->outputs[ep->index].width;
    default: return m->cores[ep->index]->params.width;
    }
}

/* The slot that records which bond drives / is driven by an endpoint. */
static int *bond_slot(bm_machine *m, const bm_endpoint *ep)
{
    switch (ep->kind) {
    case BM_EP_INPUT: return &m->inputs[ep->index].bond;
    case BM_EP_OUTPUT: return &m->outputs[ep->index].bond;
    case BM_EP_CORE_IN: return &m->cores[ep->index]->in_bond[ep->port];
    default: return &m->cores[ep->index]->out_bond[ep->port];
    }
}

static void describe_loc(char *buf, size_t n, bm_loc l)
{
    if (l.line)
        snprintf(buf, n, " at line %u", l.line);
    else
        buf[0] = '\0';
}

static void check_bond(bm_machine *m, const core_index *ix, unsigned bi, int *errors)
{
    bm_ctx *ctx = m->ctx;
    bm_bond *b = &m->bonds[bi];
    char where[32];
    int src_ok = resolve_end(m, ix, &b->source, errors) == 0;
    if (src_ok && (b->source.ep.kind == BM_EP_OUTPUT || b->source.ep.kind == BM_EP_CORE_IN)) {
        bm_error(ctx, b->source.loc, "bond source '%s' is a sink (%s) and cannot drive a bond",
                 b->source.text,
                 b->source.ep.kind == BM_EP_OUTPUT ? "an external output" : "a core input");
        (*errors)++;
        src_ok = 0;
    }
    if (src_ok) {
        int *slot = bond_slot(m, &b->source.ep);
        if (*slot >= 0) {
            describe_loc(where, sizeof where, m->bonds[*slot].loc);
            bm_error(ctx, b->source.loc,
                     "'%s' already drives the bond%s; list all its sinks in that one bond",
                     b->source.text, where);
            (*errors)++;
        } else {
            *slot = (int)bi;
        }
    }
    if (b->n_sinks == 0) {
        bm_error(ctx, b->loc, "bond from '%s' has no sink", b->source.text);
        (*errors)++;
    }
    for (size_t k = 0; k < b->n_sinks; k++) {
        bm_bond_end *s = &b->sinks[k];
        if (resolve_end(m, ix, s, errors))
            continue;
        if (s->ep.kind == BM_EP_INPUT || s->ep.kind == BM_EP_CORE_OUT) {
            bm_error(ctx, s->loc, "bond sink '%s' is a source (%s) and cannot be driven",
                     s->text, s->ep.kind == BM_EP_INPUT ? "an external input" : "a core output");
            (*errors)++;
            continue;
        }
        int *slot = bond_slot(m, &s->ep);
        if (*slot >= 0) {
            describe_loc(where, sizeof where, m->bonds[*slot].loc);
            if (*slot == (int)bi)
                bm_error(ctx, s->loc, "'%s' is listed twice as a sink of the same bond", s->text);
            else
                bm_error(ctx, s->loc,
                         "fan-in: '%s' is already driven by the bond from '%s'%s; a sink has "
                         "exactly one source",
                         s->text, m->bonds[*slot].source.text, where);
            (*errors)++;
            continue;
        }
        *slot = (int)bi;
        if (src_ok) {
            unsigned ws = end_width(m, &b->source.ep), wk = end_width(m, &s->ep);
            if (ws != wk) {
                bm_error(ctx, s->loc, "width mismatch: '%s' is %u bits but '%s' is %u bits",
                         b->source.text, ws, s->text, wk);
                (*errors)++;
            }
        }
    }
}

static void warn_unconnected(bm_machine *m)
{
    bm_ctx *ctx = m->ctx;
    for (size_t i = 0; i < m->n_cores; i++) {
        bm_core *c = m->cores[i];
        for (unsigned p = 0; p < c->params.inputs; p++)
            if (c->in_bond[p] < 0)
                bm_warning(ctx, c->loc, "core '%s': input port i%u is not connected", c->name, p);
        for (unsigned p = 0; p < c->params.outputs; p++)
            if (c->out_bond[p] < 0)
                bm_warning(ctx, c->loc, "core '%s': output port o%u is not connected", c->name,
                           p);
    }
    for (size_t i = 0; i < m->n_inputs; i++)
        if (m->inputs[i].bond < 0)
            bm_warning(ctx, m->inputs[i].loc, "external input '%s' is not connected",
                       m->inputs[i].name);
    for (size_t i = 0; i < m->n_outputs; i++)
        if (m->outputs[i].bond < 0)
            bm_warning(ctx, m->outputs[i].loc, "external output '%s' is not connected",
                       m->outputs[i].name);
}

static int alloc_port_slots(bm_machine *m)
{
    for (size_t i = 0; i < m->n_cores; i++) {
        bm_core *c = m->cores[i];
        bm_free(m->ctx, c->in_bond);
        bm_free(m->ctx, c->out_bond);
        c->in_bond = c->out_bond = NULL;
        unsigned ni = c->params.inputs <= BM_PORTS_MAX ? c->params.inputs : 0;
        unsigned no = c->params.outputs <= BM_PORTS_MAX ? c->params.outputs : 0;
        c->in_bond = bm_malloc(m->ctx, (ni ? ni : 1) * sizeof(int));
        c->out_bond = bm_malloc(m->ctx, (no ? no : 1) * sizeof(int));
        if (!c->in_bond || !c->out_bond)
            return bm_oom(m->ctx);
        for (unsigned p = 0; p < ni; p++)
            c->in_bond[p] = -1;
        for (unsigned p = 0; p < no; p++)
            c->out_bond[p] = -1;
    }
    for (size_t i = 0; i < m->n_inputs; i++)
        m->inputs[i].bond = -1;
    for (size_t i = 0; i < m->n_outputs; i++)
        m->outputs[i].bond = -1;
    return BM_OK;
}

int bm_machine_validate(bm_machine *m)
{
    bm_ctx *ctx = m->ctx;
    int errors = 0;
    m->valid = 0;
    check_name(ctx, m->loc, "machine", m->name, &errors);
    for (size_t i = 0; i < m->n_inputs + m->n_outputs; i++) {
        bm_extport *p = i < m->n_inputs ? &m->inputs[i] : &m->outputs[i - m->n_inputs];
        check_name(ctx, p->loc, i < m->n_inputs ? "input" : "output", p->name, &errors);
        if (p->width < 1 || p->width > BM_WIDTH_MAX) {
            bm_error(ctx, p->loc,
                     "external %s '%s': width %u is not supported (libbm supports 1..%u bits)",
                     i < m->n_inputs ? "input" : "output", p->name, p->width, BM_WIDTH_MAX);
            errors++;
        }
        for (size_t j = 0; j < i; j++) {
            bm_extport *q = j < m->n_inputs ? &m->inputs[j] : &m->outputs[j - m->n_inputs];
            if (strcmp(p->name, q->name) == 0) {
                char where[32];
                describe_loc(where, sizeof where, q->loc);
                bm_error(ctx, p->loc, "external port name '%s' is already used%s", p->name,
                         where);
                errors++;
                break;
            }
        }
    }
    core_index ix;
    if (core_index_build(&ix, m))
        return BM_ENOMEM;
    for (size_t i = 0; i < m->n_cores; i++) {
        bm_core *c = m->cores[i];
        check_name(ctx, c->loc, "core", c->name, &errors);
        int first = core_index_find(&ix, c->name);
        if (first >= 0 && (size_t)first < i) {
            char where[32];
            describe_loc(where, sizeof where, m->cores[first]->loc);
            bm_error(ctx, c->loc, "core name '%s' is already used%s", c->name, where);
            errors++;
        }
        int before = errors;
        check_params(ctx, c, &errors);
        if (errors == before)
            check_program(ctx, c, &errors);
    }
    if (alloc_port_slots(m)) {
        bm_free(ctx, ix.e);
        return BM_ENOMEM;
    }
    for (size_t i = 0; i < m->n_bonds; i++)
        check_bond(m, &ix, (unsigned)i, &errors);
    bm_free(ctx, ix.e);
    if (errors)
        return BM_EINVALID;
    warn_unconnected(m);
    m->valid = 1;
    return BM_OK;
}
