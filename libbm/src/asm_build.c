/* Assembler back end: evaluates every operand once all labels are known,
 * derives each core's parameters from its program (docs/asm.md,
 * "Derivation"), checks pins against what the program uses, and builds and
 * validates the machine.  Also the public entry points bm_asm_file and
 * bm_asm_memory. */
#include <stdio.h>
#include <string.h>

#include "asm_internal.h"
#include "bm/encoding.h"

/* What a core's program needs, found while evaluating its operands. */
typedef struct needs {
    unsigned count[ASM_PIN_COUNT]; /* registers, inputs, outputs used (+1) */
    int ram_user;                  /* first instruction using the RAM, or -1 */
} needs;

static const char *const pin_names[ASM_PIN_COUNT] = {"registers", "rom", "ram",
                                                     "inputs", "outputs", "width", "frac", "mul",
                                                     "fetch", "queue", "forward",
                                                     "forward"};

/* The fraction bits of the core's fixed-point units: pinned with .frac, or
 * else those of the .fixed type in effect at its first fixed-point
 * instruction, so `.fixed 16 10` then `mulfx` just works. */
static unsigned derive_frac(const asm_core *c)
{
    if (c->pin[ASM_PIN_FRAC].set)
        return c->pin[ASM_PIN_FRAC].value;
    for (size_t i = 0; i < c->n_insns; i++) {
        if (c->insns[i].opcode < 0)
            continue;
        bm_alu_op alu = bm_isa_get((unsigned)c->insns[i].opcode)->alu;
        if (alu == BM_ALU_MULFX || alu == BM_ALU_MACFX)
            return c->insns[i].fixed.frac;
    }
    return 0;
}

static const char *line_of(const asm_state *st, unsigned tok, char *buf, size_t size)
{
    snprintf(buf, size, "line %u", st->t.tok[tok].line);
    return buf;
}

/* A register or port operand: within its pin, if pinned; counted in needs. */
static int use_numbered(asm_state *st, const asm_core *c, asm_pin_kind kind, const asm_operand *op,
                        const char *what, needs *nd, uint64_t *out)
{
    const asm_pin *pin = &c->pin[kind];
    char where[32];
    if (pin->set && op->value >= pin->value)
        return bmi_asm_error(st, op->first, "%s %s does not exist: core '%s' has .%s %u (%s)", what,
                         st->t.tok[op->first].text, c->name, pin_names[kind], pin->value,
                         line_of(st, pin->tok, where, sizeof where));
    if (op->value + 1 > nd->count[kind])
        nd->count[kind] = (unsigned)op->value + 1;
    *out = op->value;
    return BM_OK;
}

static int operand_value(asm_state *st, const asm_core *c, const asm_insn *in, unsigned k,
                         unsigned width, needs *nd, uint64_t *out)
{
    const bm_opcode_def *d = bm_isa_get((unsigned)in->opcode);
    const asm_operand *op = &in->op[k];
    asm_int v;
    char text[48];
    int rc;
    switch (d->operands[k]) {
    case BM_OPND_REG: return use_numbered(st, c, ASM_PIN_REGISTERS, op, "register", nd, out);
    case BM_OPND_IN: return use_numbered(st, c, ASM_PIN_INPUTS, op, "input port", nd, out);
    case BM_OPND_OUT: return use_numbered(st, c, ASM_PIN_OUTPUTS, op, "output port", nd, out);
    default: break;
    }
    if ((rc = bmi_asm_eval(st, op->first, op->end, c, in->fixed, NULL, &v)))
        return rc;
    bmi_asm_int_format(text, sizeof text, v);
    switch (d->operands[k]) {
    case BM_OPND_IMM: return bmi_asm_fit_word(st, op->first, v, width, "immediate", out);
    case BM_OPND_SHAMT:
        if (v < 0 || v >= width)
            return bmi_asm_error(st, op->first,
                             "shift amount %s is out of range (0 .. %u for %u-bit words)", text,
                             width - 1, width);
        break;
    case BM_OPND_ADDR:
        if (v < 0 || v >= (asm_int)c->n_insns)
            return bmi_asm_error(st, op->first,
                             "jump target %s is outside the program of core '%s' (0 .. %zu)",
                             text, c->name, c->n_insns - 1);
        break;
    default: break;
    }
    *out = (uint64_t)v;
    return BM_OK;
}

static int uses_ram(const bm_opcode_def *d)
{
    return d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->c.kind == BM_SRC_RAM ||
           d->dst == BM_DST_RAM;
}

/* Evaluates the program into prog[] and finds what it needs. */
static void assemble_program(asm_state *st, const asm_core *c, unsigned width, bm_insn *prog,
                             bm_opcode_set *set, needs *nd)
{
    for (size_t i = 0; i < c->n_insns; i++) {
        const asm_insn *in = &c->insns[i];
        const bm_opcode_def *d = bm_isa_get((unsigned)in->opcode);
        prog[i].opcode = (uint16_t)in->opcode;
        prog[i].loc = bmi_asm_loc(st, in->tok);
        bm_opcode_set_add(set, (unsigned)in->opcode);
        for (unsigned k = 0; k < d->n_operands; k++)
            if (operand_value(st, c, in, k, width, nd, &prog[i].operand[k]) == BM_ENOMEM)
                return;
        if (uses_ram(d) && nd->ram_user < 0)
            nd->ram_user = (int)i;
    }
}

/* Evaluates .data into words[0 .. extent), zero between the given words.
 * *extent is one past the highest address given. */
static int assemble_data(asm_state *st, const asm_core *c, unsigned width, uint64_t **words,
                         unsigned *extent)
{
    unsigned n = 0;
    for (size_t i = 0; i < c->n_data; i++)
        if (c->data[i].addr + 1 > n)
            n = c->data[i].addr + 1;
    *extent = n;
    *words = NULL;
    if (n == 0)
        return BM_OK;
    uint64_t *w = bm_calloc(st->ctx, n, sizeof *w);
    int *owner = bm_calloc(st->ctx, n, sizeof *owner); /* data index + 1 */
    if (!w || !owner) {
        bm_free(st->ctx, w);
        bm_free(st->ctx, owner);
        return bm_oom(st->ctx);
    }
    for (size_t i = 0; i < c->n_data; i++) {
        const asm_data *dv = &c->data[i];
        char where[32];
        if (owner[dv->addr]) {
            bmi_asm_error(st, dv->first, "RAM word %u is already given (%s)", dv->addr,
                      line_of(st, c->data[owner[dv->addr] - 1].first, where, sizeof where));
            continue;
        }
        owner[dv->addr] = (int)i + 1;
        asm_int v;
        if (!bmi_asm_eval(st, dv->first, dv->end, c, dv->fixed, NULL, &v))
            bmi_asm_fit_word(st, dv->first, v, width, "RAM word", &w[dv->addr]);
    }
    bm_free(st->ctx, owner);
    *words = w;
    return BM_OK;
}

/* Pinned value, or the derived one; a pin below the derived value is
 * reported by the caller where the program exceeds it. */
static unsigned param(const asm_core *c, asm_pin_kind k, unsigned derived)
{
    return c->pin[k].set ? c->pin[k].value : derived;
}

static int check_sizes(asm_state *st, const asm_core *c, const bm_core_params *p, const needs *nd)
{
    char where[32];
    if (c->n_insns == 0)
        return bmi_asm_error(st, c->tok, "core '%s' has no instructions", c->name);
    if (c->pin[ASM_PIN_ROM].set && c->n_insns > p->rom_depth)
        return bmi_asm_error(st, c->pin[ASM_PIN_ROM].tok,
                         ".rom %u is too small: core '%s' has %zu instructions", p->rom_depth,
                         c->name, c->n_insns);
    for (size_t i = 0; i < c->n_data; i++)
        if (c->data[i].addr >= p->ram_depth)
            return bmi_asm_error(st, c->data[i].first,
                             "RAM word %u is beyond the RAM of core '%s' (.ram %u, %s)",
                             c->data[i].addr, c->name, p->ram_depth,
                             line_of(st, c->pin[ASM_PIN_RAM].tok, where, sizeof where));
    if (nd->ram_user >= 0 && p->ram_depth == 0) {
        const asm_insn *in = &c->insns[nd->ram_user];
        return bmi_asm_error(st, in->tok, "'%s' needs a RAM: give core '%s' one with .ram N or .data",
                         bm_isa_get((unsigned)in->opcode)->mnemonic, c->name);
    }
    return BM_OK;
}

static int add_core(asm_state *st, bm_machine *m, const asm_core *c, const bm_core_params *p,
                    const bm_opcode_set *set, const bm_insn *prog, const uint64_t *ram,
                    unsigned ram_count)
{
    bm_core *core;
    int rc = bm_machine_add_core(m, &core, c->name, p, bmi_asm_loc(st, c->tok));
    if (rc)
        return rc;
    bm_core_set_opcodes(core, set);
    for (size_t i = 0; i < c->n_insns && !rc; i++)
        rc = bm_core_append_insn(core, &prog[i]);
    if (!rc && ram_count)
        rc = bm_core_set_ram_init(core, ram, ram_count, bmi_asm_loc(st, c->data[0].first));
    if (rc)
        return rc;
    /* Every operand was checked against its field; the encoding itself can
     * still be too wide. */
    bm_encoding enc;
    if (bm_core_encoding(core, &enc) == BM_ERANGE)
        return bmi_asm_error(st, c->tok, "instructions of core '%s' would be wider than %u bits",
                         c->name, BM_WORD_BITS_MAX);
    for (size_t i = 0; i < c->n_insns; i++) {
        bm_word w;
        if (bm_encode(&enc, &prog[i], &w))
            return bmi_asm_error(st, c->insns[i].tok, "instruction does not fit its encoding");
    }
    return BM_OK;
}

static int build_core(asm_state *st, bm_machine *m, const asm_core *c)
{
    unsigned errors = st->errors;
    unsigned width = param(c, ASM_PIN_WIDTH, st->opt->default_width);
    bm_insn *prog = bm_calloc(st->ctx, c->n_insns ? c->n_insns : 1, sizeof *prog);
    if (!prog)
        return bm_oom(st->ctx);
    needs nd = {{0}, -1};
    bm_opcode_set set = c->opcodes;
    assemble_program(st, c, width, prog, &set, &nd);
    uint64_t *ram;
    unsigned extent;
    int rc = assemble_data(st, c, width, &ram, &extent);
    if (!rc) {
        bm_core_params p = BM_CORE_PARAMS_INIT;
        p.width = width;
        p.registers = param(c, ASM_PIN_REGISTERS, nd.count[ASM_PIN_REGISTERS] ? nd.count[ASM_PIN_REGISTERS] : 1);
        p.rom_depth = param(c, ASM_PIN_ROM, c->n_insns ? (unsigned)c->n_insns : 1);
        p.ram_depth = param(c, ASM_PIN_RAM, extent);
        unsigned in = nd.count[ASM_PIN_INPUTS], out = nd.count[ASM_PIN_OUTPUTS];
        p.inputs = param(c, ASM_PIN_INPUTS, in > c->bonded_inputs ? in : c->bonded_inputs);
        p.outputs = param(c, ASM_PIN_OUTPUTS, out > c->bonded_outputs ? out : c->bonded_outputs);
        p.frac = derive_frac(c);
        p.mul = param(c, ASM_PIN_MUL, BM_MUL_COMB);
        p.fetch = param(c, ASM_PIN_FETCH, BM_FETCH_DIRECT);
        p.queue = param(c, ASM_PIN_QUEUE, 1);
        if (c->pin[ASM_PIN_FORWARD].set) {
            /* the forward's port counts as used, like an instruction's */
            p.forward = 1;
            p.forward_out = c->pin[ASM_PIN_FORWARD].value;
            p.forward_queue = param(c, ASM_PIN_FORWARD_QUEUE, 2);
            if (!c->pin[ASM_PIN_OUTPUTS].set && p.outputs <= p.forward_out)
                p.outputs = p.forward_out + 1;
        }
        if (st->errors == errors)
            check_sizes(st, c, &p, &nd);
        if (st->errors == errors)
            rc = add_core(st, m, c, &p, &set, prog, ram, extent);
    }
    bm_free(st->ctx, ram);
    bm_free(st->ctx, prog);
    return rc == BM_ENOMEM ? rc : BM_OK;
}

/* Port numbers named by bonds ("core.iN", "core.oN") count as used.  The
 * core is found through the name index: linear in the number of bonds. */
static void count_bonded_ports(asm_state *st)
{
    for (size_t i = 0; i < st->n_bond_ends; i++) {
        const char *text = st->t.tok[st->bond_ends[i].tok].text;
        const char *dot = strchr(text, '.');
        uint64_t n;
        if (!dot)
            continue;
        int k = bmi_name_index_find(&st->core_index, text, (size_t)(dot - text));
        if (k < 0)
            continue;
        asm_core *c = st->cores[k];
        if (bmi_asm_is_register_like(dot + 1, 'i', &n) && n < BM_PORTS_MAX && n + 1 > c->bonded_inputs)
            c->bonded_inputs = (unsigned)n + 1;
        if (bmi_asm_is_register_like(dot + 1, 'o', &n) && n < BM_PORTS_MAX && n + 1 > c->bonded_outputs)
            c->bonded_outputs = (unsigned)n + 1;
    }
}

static int add_ports_and_bonds(asm_state *st, bm_machine *m)
{
    int rc = BM_OK;
    for (size_t i = 0; i < st->n_ports && !rc; i++) {
        const asm_extport *e = &st->ports[i];
        const char *name = st->t.tok[e->tok].text;
        rc = e->output ? bm_machine_add_output(m, name, e->width, bmi_asm_loc(st, e->tok))
                       : bm_machine_add_input(m, name, e->width, bmi_asm_loc(st, e->tok));
    }
    unsigned bond = 0;
    for (size_t i = 0; i < st->n_bond_ends && !rc; i++) {
        const asm_bond_end *b = &st->bond_ends[i];
        const char *text = st->t.tok[b->tok].text;
        rc = b->source ? bm_machine_add_bond(m, &bond, text, bmi_asm_loc(st, b->tok))
                       : bm_machine_bond_add_sink(m, bond, text, bmi_asm_loc(st, b->tok));
    }
    return rc;
}

/* The core of a file without .core, .input, .output and .bond gets
 * external ports in0.. and out0.., one per core port, bonded to it
 * (docs/asm.md).  A file with a .core section says what it means, so the
 * disassembler's output never gains ports the machine did not have. */
static int add_auto_ports(asm_state *st, bm_machine *m)
{
    if (!st->opt->auto_ports || !st->implicit_core || st->n_ports || st->n_bond_ends)
        return BM_OK;
    const bm_core *c = bm_machine_core(m, 0);
    const bm_core_params *p = bm_core_get_params(c);
    bm_loc loc = bm_core_loc(c);
    char name[32], end[96];
    unsigned bond;
    int rc = BM_OK;
    for (unsigned k = 0; k < p->inputs && !rc; k++) {
        snprintf(name, sizeof name, "in%u", k);
        snprintf(end, sizeof end, "%s.i%u", bm_core_name(c), k);
        if (!(rc = bm_machine_add_input(m, name, p->width, loc)) &&
            !(rc = bm_machine_add_bond(m, &bond, name, loc)))
            rc = bm_machine_bond_add_sink(m, bond, end, loc);
    }
    for (unsigned k = 0; k < p->outputs && !rc; k++) {
        snprintf(name, sizeof name, "out%u", k);
        snprintf(end, sizeof end, "%s.o%u", bm_core_name(c), k);
        if (!(rc = bm_machine_add_output(m, name, p->width, loc)) &&
            !(rc = bm_machine_add_bond(m, &bond, end, loc)))
            rc = bm_machine_bond_add_sink(m, bond, name, loc);
    }
    return rc;
}

int bmi_asm_build(asm_state *st, bm_machine **out)
{
    *out = NULL;
    if (st->n_cores == 0) {
        st->errors++;
        return bm_error(st->ctx, bm_loc_make(st->file, 1, 1), "the file has no instructions");
    }
    const char *name = st->opt->machine_name ? st->opt->machine_name
                       : st->machine_tok       ? st->t.tok[st->machine_tok].text
                                               : st->default_name;
    bm_machine *m;
    int rc = bm_machine_new(&m, st->ctx, name);
    if (rc)
        return rc;
    bm_machine_set_loc(m, st->machine_tok ? bmi_asm_loc(st, st->machine_tok) : bm_loc_make(st->file, 1, 1));
    count_bonded_ports(st);
    rc = add_ports_and_bonds(st, m);
    for (size_t i = 0; i < st->n_cores && !rc; i++)
        rc = build_core(st, m, st->cores[i]);
    if (!rc && st->errors)
        rc = BM_EPARSE;
    if (!rc)
        rc = add_auto_ports(st, m);
    if (!rc)
        rc = bm_machine_validate(m);
    if (rc) {
        bm_machine_free(m);
        return rc;
    }
    *out = m;
    return BM_OK;
}

void bmi_asm_name_from_file(char *buf, size_t size, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t k = 0;
    if (n && base[0] >= '0' && base[0] <= '9' && k + 1 < size)
        buf[k++] = '_';
    for (size_t i = 0; i < n && k + 1 < size && k < 64; i++) {
        char ch = base[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        buf[k++] = ok ? ch : '_';
    }
    buf[k] = '\0';
    if (k == 0)
        snprintf(buf, size, "machine");
}

int bm_asm_memory(bm_machine **out, bm_ctx *ctx, const char *text, size_t len,
                  const char *name, const bm_asm_options *opt)
{
    static const bm_asm_options defaults = BM_ASM_OPTIONS_INIT;
    if (!out || !ctx || (!text && len))
        return BM_EINVAL;
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (opt->version != BM_ASM_OPTIONS_VERSION || opt->default_width < 1 ||
        opt->default_width > BM_WIDTH_MAX || bm_fixed_type_check(opt->fixed))
        return BM_EINVAL;
    asm_state st;
    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    bmi_name_index_init(&st.core_index, ctx);
    st.opt = opt;
    st.fixed = opt->fixed;
    st.file = bm_ctx_intern(ctx, name ? name : "<memory>");
    if (!st.file)
        return bm_oom(ctx);
    bmi_asm_name_from_file(st.default_name, sizeof st.default_name, st.file);
    int rc = bmi_asm_lex(ctx, st.file, text ? text : "", len, &st.t, &st.errors);
    if (!rc)
        rc = bmi_asm_parse(&st);
    if (!rc)
        rc = bmi_asm_build(&st, out);
    bmi_asm_state_free(&st);
    return rc;
}

int bm_asm_file(bm_machine **out, bm_ctx *ctx, const char *path, const bm_asm_options *opt)
{
    if (!out || !ctx || !path)
        return BM_EINVAL;
    *out = NULL;
    char *text;
    size_t len;
    int rc = bm_read_file(ctx, path, &text, &len);
    if (rc)
        return rc;
    rc = bm_asm_memory(out, ctx, text, len, path, opt);
    bm_free(ctx, text);
    return rc;
}
