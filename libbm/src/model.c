/* The machine model: construction and read-only accessors.  The rules are
 * checked in validate.c. */
#include <stddef.h>
#include <string.h>

#include "bm/machine.h"
#include "internal.h"
#include "model.h"

/* ---- opcode sets ------------------------------------------------------- */

void bm_opcode_set_clear(bm_opcode_set *set)
{
    memset(set, 0, sizeof *set);
}

void bm_opcode_set_add(bm_opcode_set *set, unsigned id)
{
    if (id < BM_OPCODE_MAX)
        set->bits[id / 64] |= UINT64_C(1) << (id % 64);
}

int bm_opcode_set_has(const bm_opcode_set *set, unsigned id)
{
    return id < BM_OPCODE_MAX && ((set->bits[id / 64] >> (id % 64)) & 1);
}

unsigned bm_opcode_set_count(const bm_opcode_set *set)
{
    unsigned n = 0;
    for (unsigned i = 0; i < BM_OPCODE_MAX; i++)
        n += (unsigned)bm_opcode_set_has(set, i);
    return n;
}

/* ---- machine ----------------------------------------------------------- */

int bm_machine_new(bm_machine **out, bm_ctx *ctx, const char *name)
{
    if (!out || !ctx || !name)
        return BM_EINVAL;
    *out = NULL;
    bm_machine *m = bm_calloc(ctx, 1, sizeof *m);
    if (!m)
        return bm_oom(ctx);
    m->ctx = ctx;
    m->name = bm_strdup(ctx, name);
    if (!m->name) {
        bm_free(ctx, m);
        return bm_oom(ctx);
    }
    *out = m;
    return BM_OK;
}

static void free_core(bm_ctx *ctx, bm_core *c)
{
    bm_free(ctx, c->name);
    bm_free(ctx, c->program);
    bm_free(ctx, c->ram_init);
    bm_free(ctx, c->in_bond);
    bm_free(ctx, c->out_bond);
    bm_free(ctx, c);
}

void bm_machine_free(bm_machine *m)
{
    if (!m)
        return;
    bm_ctx *ctx = m->ctx;
    for (size_t i = 0; i < m->n_inputs; i++)
        bm_free(ctx, m->inputs[i].name);
    for (size_t i = 0; i < m->n_outputs; i++)
        bm_free(ctx, m->outputs[i].name);
    bm_free(ctx, m->inputs);
    bm_free(ctx, m->outputs);
    for (size_t i = 0; i < m->n_cores; i++)
        free_core(ctx, m->cores[i]);
    bm_free(ctx, m->cores);
    for (size_t i = 0; i < m->n_bonds; i++) {
        bm_free(ctx, m->bonds[i].source.text);
        for (size_t k = 0; k < m->bonds[i].n_sinks; k++)
            bm_free(ctx, m->bonds[i].sinks[k].text);
        bm_free(ctx, m->bonds[i].sinks);
    }
    bm_free(ctx, m->bonds);
    bm_free(ctx, m->name);
    bm_free(ctx, m);
}

bm_ctx *bm_machine_ctx(const bm_machine *m)
{
    return m->ctx;
}

const char *bm_machine_name(const bm_machine *m)
{
    return m->name;
}

int bm_machine_set_name(bm_machine *m, const char *name)
{
    if (!name)
        return bm_error(m->ctx, m->loc, "bm_machine_set_name: the name is NULL"), BM_EINVAL;
    char *d = bm_strdup(m->ctx, name);
    if (!d)
        return bm_oom(m->ctx);
    bm_free(m->ctx, m->name);
    m->name = d;
    m->valid = 0;
    return BM_OK;
}

bm_loc bm_machine_loc(const bm_machine *m)
{
    return m->loc;
}

void bm_machine_set_loc(bm_machine *m, bm_loc loc)
{
    loc.file = bm_ctx_intern(m->ctx, loc.file);
    m->loc = loc;
}

static int add_extport(bm_machine *m, bm_extport **arr, size_t *n, size_t *cap,
                       const char *name, unsigned width, bm_loc loc)
{
    if (!name)
        return BM_EINVAL;
    if (bm_grow(m->ctx, (void **)arr, cap, *n + 1, sizeof **arr))
        return BM_ENOMEM;
    bm_extport *p = &(*arr)[*n];
    p->name = bm_strdup(m->ctx, name);
    if (!p->name)
        return bm_oom(m->ctx);
    p->width = width;
    loc.file = bm_ctx_intern(m->ctx, loc.file);
    p->loc = loc;
    p->bond = -1;
    (*n)++;
    m->valid = 0;
    return BM_OK;
}

int bm_machine_add_input(bm_machine *m, const char *name, unsigned width, bm_loc loc)
{
    return add_extport(m, &m->inputs, &m->n_inputs, &m->cap_inputs, name, width, loc);
}

int bm_machine_add_output(bm_machine *m, const char *name, unsigned width, bm_loc loc)
{
    return add_extport(m, &m->outputs, &m->n_outputs, &m->cap_outputs, name, width, loc);
}

unsigned bm_machine_input_count(const bm_machine *m)
{
    return (unsigned)m->n_inputs;
}

unsigned bm_machine_output_count(const bm_machine *m)
{
    return (unsigned)m->n_outputs;
}

const char *bm_machine_input_name(const bm_machine *m, unsigned i)
{
    return i < m->n_inputs ? m->inputs[i].name : NULL;
}

const char *bm_machine_output_name(const bm_machine *m, unsigned i)
{
    return i < m->n_outputs ? m->outputs[i].name : NULL;
}

unsigned bm_machine_input_width(const bm_machine *m, unsigned i)
{
    return i < m->n_inputs ? m->inputs[i].width : 0;
}

unsigned bm_machine_output_width(const bm_machine *m, unsigned i)
{
    return i < m->n_outputs ? m->outputs[i].width : 0;
}

static int find_extport(const bm_extport *arr, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(arr[i].name, name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

int bm_machine_find_input(const bm_machine *m, const char *name)
{
    return find_extport(m->inputs, m->n_inputs, name);
}

int bm_machine_find_output(const bm_machine *m, const char *name)
{
    return find_extport(m->outputs, m->n_outputs, name);
}

/* A caller's params of version 1 to 5, as a current struct: version 1
 * ends before `mul`, version 2 before `fetch`, version 3 before `queue` and
 * version 4 before `forward`, so only their fields are read. */
static int core_params_copy(bm_core_params *out, const bm_core_params *in)
{
    size_t known;
    switch (in->version) {
    case 1: known = offsetof(bm_core_params, mul); break;
    case 2: known = offsetof(bm_core_params, fetch); break;
    case 3: known = offsetof(bm_core_params, queue); break;
    case 4: known = offsetof(bm_core_params, forward); break;
    case BM_CORE_PARAMS_VERSION: known = sizeof *out; break;
    default: return -1;
    }
    memset(out, 0, sizeof *out); /* BM_MUL_COMB, BM_FETCH_DIRECT */
    out->queue = 1;              /* the one-word holding register */
    out->forward_queue = 2;      /* (no forward before version 5) */
    memcpy(out, in, known);
    out->version = BM_CORE_PARAMS_VERSION;
    return 0;
}

int bm_machine_add_core(bm_machine *m, bm_core **out, const char *name,
                        const bm_core_params *params, bm_loc loc)
{
    if (out)
        *out = NULL;
    bm_core_params copy;
    if (!name || !params || core_params_copy(&copy, params))
        return BM_EINVAL;
    if (bm_grow(m->ctx, (void **)&m->cores, &m->cap_cores, m->n_cores + 1, sizeof *m->cores))
        return BM_ENOMEM;
    bm_core *c = bm_calloc(m->ctx, 1, sizeof *c);
    if (!c)
        return bm_oom(m->ctx);
    c->name = bm_strdup(m->ctx, name);
    if (!c->name) {
        bm_free(m->ctx, c);
        return bm_oom(m->ctx);
    }
    c->machine = m;
    c->index = (unsigned)m->n_cores;
    c->params = copy;
    loc.file = bm_ctx_intern(m->ctx, loc.file);
    c->loc = loc;
    m->cores[m->n_cores++] = c;
    m->valid = 0;
    if (out)
        *out = c;
    return BM_OK;
}

unsigned bm_machine_core_count(const bm_machine *m)
{
    return (unsigned)m->n_cores;
}

bm_core *bm_machine_core(const bm_machine *m, unsigned i)
{
    return i < m->n_cores ? m->cores[i] : NULL;
}

int bm_machine_find_core(const bm_machine *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_cores; i++)
        if (strcmp(m->cores[i]->name, name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

static int set_end(bm_machine *m, bm_bond_end *e, const char *text, bm_loc loc)
{
    e->text = bm_strdup(m->ctx, text);
    if (!e->text)
        return bm_oom(m->ctx);
    loc.file = bm_ctx_intern(m->ctx, loc.file);
    e->loc = loc;
    memset(&e->ep, 0, sizeof e->ep);
    return BM_OK;
}

int bm_machine_add_bond(bm_machine *m, unsigned *out, const char *source, bm_loc loc)
{
    if (!source)
        return BM_EINVAL;
    if (bm_grow(m->ctx, (void **)&m->bonds, &m->cap_bonds, m->n_bonds + 1, sizeof *m->bonds))
        return BM_ENOMEM;
    bm_bond *b = &m->bonds[m->n_bonds];
    memset(b, 0, sizeof *b);
    int r = set_end(m, &b->source, source, loc);
    if (r)
        return r;
    b->loc = b->source.loc;
    if (out)
        *out = (unsigned)m->n_bonds;
    m->n_bonds++;
    m->valid = 0;
    return BM_OK;
}

int bm_machine_bond_add_sink(bm_machine *m, unsigned bond, const char *sink, bm_loc loc)
{
    if (bond >= m->n_bonds || !sink)
        return BM_EINVAL;
    bm_bond *b = &m->bonds[bond];
    if (bm_grow(m->ctx, (void **)&b->sinks, &b->cap_sinks, b->n_sinks + 1, sizeof *b->sinks))
        return BM_ENOMEM;
    int r = set_end(m, &b->sinks[b->n_sinks], sink, loc);
    if (r)
        return r;
    b->n_sinks++;
    m->valid = 0;
    return BM_OK;
}

unsigned bm_machine_bond_count(const bm_machine *m)
{
    return (unsigned)m->n_bonds;
}

const char *bm_machine_bond_source_text(const bm_machine *m, unsigned bond)
{
    return bond < m->n_bonds ? m->bonds[bond].source.text : NULL;
}

unsigned bm_machine_bond_sink_count(const bm_machine *m, unsigned bond)
{
    return bond < m->n_bonds ? (unsigned)m->bonds[bond].n_sinks : 0;
}

const char *bm_machine_bond_sink_text(const bm_machine *m, unsigned bond, unsigned k)
{
    if (bond >= m->n_bonds || k >= m->bonds[bond].n_sinks)
        return NULL;
    return m->bonds[bond].sinks[k].text;
}

bm_loc bm_machine_bond_loc(const bm_machine *m, unsigned bond)
{
    bm_loc none = {NULL, 0, 0};
    return bond < m->n_bonds ? m->bonds[bond].loc : none;
}

int bm_machine_bond_source(const bm_machine *m, unsigned bond, bm_endpoint *out)
{
    if (!m->valid || bond >= m->n_bonds)
        return BM_EINVAL;
    *out = m->bonds[bond].source.ep;
    return BM_OK;
}

int bm_machine_bond_sink(const bm_machine *m, unsigned bond, unsigned k, bm_endpoint *out)
{
    if (!m->valid || bond >= m->n_bonds || k >= m->bonds[bond].n_sinks)
        return BM_EINVAL;
    *out = m->bonds[bond].sinks[k].ep;
    return BM_OK;
}

int bm_machine_bond_of_core_input(const bm_machine *m, unsigned core, unsigned port)
{
    if (!m->valid || core >= m->n_cores || port >= m->cores[core]->params.inputs)
        return BM_ENOTFOUND;
    return m->cores[core]->in_bond[port] < 0 ? BM_ENOTFOUND : m->cores[core]->in_bond[port];
}

int bm_machine_bond_of_core_output(const bm_machine *m, unsigned core, unsigned port)
{
    if (!m->valid || core >= m->n_cores || port >= m->cores[core]->params.outputs)
        return BM_ENOTFOUND;
    return m->cores[core]->out_bond[port] < 0 ? BM_ENOTFOUND : m->cores[core]->out_bond[port];
}

int bm_machine_bond_of_input(const bm_machine *m, unsigned input)
{
    return m->valid && input < m->n_inputs && m->inputs[input].bond >= 0 ? m->inputs[input].bond
                                                                          : BM_ENOTFOUND;
}

int bm_machine_bond_of_output(const bm_machine *m, unsigned output)
{
    return m->valid && output < m->n_outputs && m->outputs[output].bond >= 0
               ? m->outputs[output].bond
               : BM_ENOTFOUND;
}

int bm_machine_is_valid(const bm_machine *m)
{
    return m->valid;
}

/* ---- core -------------------------------------------------------------- */

const char *bm_core_name(const bm_core *c)
{
    return c->name;
}

unsigned bm_core_index(const bm_core *c)
{
    return c->index;
}

const bm_core_params *bm_core_get_params(const bm_core *c)
{
    return &c->params;
}

int bm_core_set_params(bm_core *c, const bm_core_params *params)
{
    bm_core_params copy;
    if (!params || core_params_copy(&copy, params)) {
        bm_error(c->machine->ctx, c->loc, "bm_core_set_params: %s for core '%s'",
                 params ? "unsupported bm_core_params version" : "no parameters", c->name);
        return BM_EINVAL;
    }
    c->params = copy;
    c->machine->valid = 0;
    return BM_OK;
}

bm_loc bm_core_loc(const bm_core *c)
{
    return c->loc;
}

const bm_opcode_set *bm_core_opcodes(const bm_core *c)
{
    return &c->opcodes;
}

void bm_core_set_opcodes(bm_core *c, const bm_opcode_set *set)
{
    c->opcodes = *set;
    c->machine->valid = 0;
}

int bm_core_add_opcode(bm_core *c, const char *mnemonic, bm_loc loc)
{
    if (!mnemonic) {
        bm_error(c->machine->ctx, loc, "bm_core_add_opcode: no mnemonic for core '%s'", c->name);
        return BM_EINVAL;
    }
    int id = bm_isa_lookup(mnemonic);
    if (id < 0) {
        bm_error(c->machine->ctx, loc, "unknown opcode '%s' in core '%s'", mnemonic, c->name);
        return BM_ENOTFOUND;
    }
    bm_opcode_set_add(&c->opcodes, (unsigned)id);
    c->machine->valid = 0;
    return BM_OK;
}

int bm_core_append_insn(bm_core *c, const bm_insn *insn)
{
    bm_ctx *ctx = c->machine->ctx;
    if (bm_grow(ctx, (void **)&c->program, &c->cap_program, c->n_program + 1,
                sizeof *c->program))
        return BM_ENOMEM;
    bm_insn copy = *insn;
    copy.loc.file = bm_ctx_intern(ctx, copy.loc.file);
    c->program[c->n_program++] = copy;
    c->machine->valid = 0;
    return BM_OK;
}

unsigned bm_core_program_length(const bm_core *c)
{
    return (unsigned)c->n_program;
}

const bm_insn *bm_core_insn(const bm_core *c, unsigned pc)
{
    return pc < c->n_program ? &c->program[pc] : NULL;
}

void bm_core_clear_program(bm_core *c)
{
    c->n_program = 0;
    c->machine->valid = 0;
}

int bm_core_set_ram_init(bm_core *c, const uint64_t *words, unsigned count, bm_loc loc)
{
    bm_ctx *ctx = c->machine->ctx;
    uint64_t *copy = NULL;
    if (count) {
        copy = bm_malloc(ctx, (size_t)count * sizeof *copy);
        if (!copy)
            return bm_oom(ctx);
        memcpy(copy, words, (size_t)count * sizeof *copy);
    }
    bm_free(ctx, c->ram_init);
    c->ram_init = copy;
    c->n_ram_init = count;
    loc.file = bm_ctx_intern(ctx, loc.file);
    c->ram_init_loc = loc;
    c->machine->valid = 0;
    return BM_OK;
}

unsigned bm_core_ram_init_count(const bm_core *c)
{
    return c->n_ram_init;
}

const uint64_t *bm_core_ram_init(const bm_core *c)
{
    return c->ram_init;
}

bm_loc bm_core_ram_init_loc(const bm_core *c)
{
    return c->ram_init_loc;
}

unsigned bm_core_operand_bits(const bm_core *c, bm_operand_kind kind)
{
    const bm_core_params *p = &c->params;
    switch (kind) {
    case BM_OPND_REG: return bm_bits_for(p->registers ? p->registers : 1);
    case BM_OPND_IMM: return p->width;
    case BM_OPND_SHAMT: return bm_bits_for(p->width ? p->width : 1);
    case BM_OPND_ADDR: return bm_bits_for(p->rom_depth ? p->rom_depth : 1);
    case BM_OPND_IN: return bm_bits_for(p->inputs ? p->inputs : 1);
    case BM_OPND_OUT: return bm_bits_for(p->outputs ? p->outputs : 1);
    default: return 0;
    }
}
