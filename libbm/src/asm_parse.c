/* Assembler parser: one statement per line (docs/asm.md, "Statements").
 *
 *     { label ':' } [ instruction | directive ]
 *
 * Instructions are checked for shape here (mnemonic, operand count,
 * register and port operands); expressions are kept as token ranges and
 * evaluated by asm_build.c once every label of the core is known.  After an
 * error the rest of the line is skipped and parsing goes on, so one run
 * reports every bad line. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asm_internal.h"

typedef struct parser {
    asm_state *st;
    asm_core *core; /* the current core section, or NULL */
} parser;

bm_loc bmi_asm_loc(const asm_state *st, unsigned i)
{
    return bm_loc_make(st->file, st->t.tok[i].line, st->t.tok[i].col);
}

int bmi_asm_error(asm_state *st, unsigned i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = bm_diag_addv(st->ctx, BM_SEV_ERROR, bmi_asm_loc(st, i), fmt, ap);
    va_end(ap);
    st->errors++;
    return rc == BM_ENOMEM ? rc : BM_EPARSE;
}

int bmi_asm_is_register_like(const char *text, char prefix, uint64_t *n)
{
    if (text[0] != prefix || !text[1])
        return 0;
    uint64_t v = 0;
    for (const char *p = text + 1; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        v = v > UINT32_MAX ? v : v * 10 + (uint64_t)(*p - '0');
    }
    *n = v;
    return 1;
}

static const asm_tok *tk(const parser *p, unsigned i)
{
    return &p->st->t.tok[i];
}

static int is_punct(const parser *p, unsigned i, char c)
{
    return tk(p, i)->kind == ASM_T_PUNCT && tk(p, i)->text[0] == c;
}

/* The end of the list item at pos: the next ',' outside parentheses, or
 * end.  Operands and .data values are such lists. */
static unsigned item_end(const parser *p, unsigned pos, unsigned end)
{
    unsigned depth = 0;
    for (; pos < end; pos++) {
        if (is_punct(p, pos, '('))
            depth++;
        else if (is_punct(p, pos, ')') && depth)
            depth--;
        else if (is_punct(p, pos, ',') && depth == 0)
            break;
    }
    return pos;
}

/* What a token looks like, for "found ..." in messages. */
static const char *shown(const parser *p, unsigned i)
{
    return tk(p, i)->kind == ASM_T_NEWLINE ? "end of line" : tk(p, i)->text;
}

static int expect_end(parser *p, unsigned pos, unsigned end, const char *after)
{
    if (pos < end)
        return bmi_asm_error(p->st, pos, "unexpected '%s' after %s", shown(p, pos), after);
    return BM_OK;
}

/* A name for something new (label, constant, core, port, machine). */
static int check_new_name(parser *p, unsigned i, const char *what)
{
    const asm_tok *t = tk(p, i);
    uint64_t n;
    if (t->kind != ASM_T_IDENT)
        return bmi_asm_error(p->st, i, "expected a %s name, found '%s'", what, shown(p, i));
    if (strchr(t->text, '.'))
        return bmi_asm_error(p->st, i, "%s name '%s' cannot contain '.'", what, t->text);
    if (bmi_asm_is_register_like(t->text, 'r', &n) || bmi_asm_is_register_like(t->text, 'i', &n) ||
        bmi_asm_is_register_like(t->text, 'o', &n) || strcmp(t->text, "fx") == 0)
        return bmi_asm_error(p->st, i, "'%s' is reserved and cannot name a %s", t->text, what);
    return BM_OK;
}

static const asm_const *find_const(const asm_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_consts; i++)
        if (strcmp(st->consts[i].name, name) == 0)
            return &st->consts[i];
    return NULL;
}

static const asm_label *find_label(const asm_core *c, const char *name)
{
    for (size_t i = 0; i < c->n_labels; i++)
        if (strcmp(c->labels[i].name, name) == 0)
            return &c->labels[i];
    return NULL;
}

static int new_core(parser *p, unsigned tok, const char *name)
{
    asm_state *st = p->st;
    if (bm_grow(st->ctx, (void **)&st->cores, &st->cap_cores, st->n_cores + 1, sizeof *st->cores))
        return BM_ENOMEM;
    asm_core *c = bm_calloc(st->ctx, 1, sizeof *c);
    if (!c)
        return bm_oom(st->ctx);
    c->name = name ? name : st->default_name;
    c->tok = tok;
    if (bmi_name_index_add(&st->core_index, c->name, (unsigned)st->n_cores)) {
        bm_free(st->ctx, c);
        return BM_ENOMEM;
    }
    st->cores[st->n_cores++] = c;
    p->core = c;
    return BM_OK;
}

/* The core a statement at token `at` belongs to: the current section, or
 * the implicit core of a file without .core (created on first use). */
static int current_core(parser *p, unsigned at, asm_core **out)
{
    if (!p->core) {
        int rc = new_core(p, at, NULL);
        if (rc)
            return rc;
        p->st->implicit_core = 1;
    }
    *out = p->core;
    return BM_OK;
}

static int define_label(parser *p, unsigned at)
{
    asm_state *st = p->st;
    asm_core *c = NULL;
    int rc = check_new_name(p, at, "label");
    if (!rc)
        rc = current_core(p, at, &c);
    if (rc)
        return rc;
    const char *name = tk(p, at)->text;
    const asm_label *old = find_label(c, name);
    if (old)
        return bmi_asm_error(st, at, "duplicate label '%s' (first defined on line %u)", name,
                         tk(p, old->tok)->line);
    const asm_const *k = find_const(st, name);
    if (k)
        return bmi_asm_error(st, at, "'%s' is already a constant (line %u)", name, tk(p, k->tok)->line);
    if (bm_grow(st->ctx, (void **)&c->labels, &c->cap_labels, c->n_labels + 1, sizeof *c->labels))
        return BM_ENOMEM;
    asm_label *l = &c->labels[c->n_labels++];
    l->name = name;
    l->addr = (unsigned)c->n_insns;
    l->tok = at;
    return BM_OK;
}

/* ---- instructions ------------------------------------------------------ */

static const char *kind_wanted(bm_operand_kind k)
{
    switch (k) {
    case BM_OPND_REG: return "a register (r0, r1, ...)";
    case BM_OPND_IN: return "an input port (i0, i1, ...)";
    case BM_OPND_OUT: return "an output port (o0, o1, ...)";
    case BM_OPND_IMM: return "an immediate value";
    case BM_OPND_SHAMT: return "a shift amount";
    case BM_OPND_ADDR: return "a jump target (a label or an address)";
    default: return "?";
    }
}

/* A name or a number: two of them in a row are two operands. */
static int is_atom(const asm_tok *t)
{
    return t->kind == ASM_T_IDENT || t->kind == ASM_T_NUMBER;
}

/* What a lone identifier operand is, if it names a register or a port. */
static const char *register_like_kind(const char *text)
{
    uint64_t n;
    if (bmi_asm_is_register_like(text, 'r', &n))
        return "a register";
    if (bmi_asm_is_register_like(text, 'i', &n))
        return "an input port";
    if (bmi_asm_is_register_like(text, 'o', &n))
        return "an output port";
    return NULL;
}

static int parse_operand(parser *p, const bm_opcode_def *d, unsigned k, asm_operand *op)
{
    bm_operand_kind kind = d->operands[k];
    const asm_tok *t = tk(p, op->first);
    int single_ident = op->end == op->first + 1 && t->kind == ASM_T_IDENT;
    const char *found = single_ident ? register_like_kind(t->text) : NULL;
    char prefix = kind == BM_OPND_REG ? 'r' : kind == BM_OPND_IN ? 'i' : kind == BM_OPND_OUT ? 'o' : 0;
    if (!prefix) {
        if (found)
            return bmi_asm_error(p->st, op->first, "operand %u of '%s' must be %s, not %s", k + 1,
                             d->mnemonic, kind_wanted(kind), found);
        return BM_OK; /* an expression, evaluated by bmi_asm_build */
    }
    if (!single_ident || !bmi_asm_is_register_like(t->text, prefix, &op->value)) {
        if (found)
            return bmi_asm_error(p->st, op->first, "operand %u of '%s' must be %s, not %s", k + 1,
                             d->mnemonic, kind_wanted(kind), found);
        return bmi_asm_error(p->st, op->first, "operand %u of '%s' must be %s", k + 1, d->mnemonic,
                         kind_wanted(kind));
    }
    uint64_t max = kind == BM_OPND_REG ? BM_REGISTERS_MAX : BM_PORTS_MAX;
    if (op->value >= max)
        return bmi_asm_error(p->st, op->first, "%s is out of range (the limit is %c%llu)", t->text,
                         prefix, (unsigned long long)(max - 1));
    return BM_OK;
}

static int instruction(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    asm_core *c;
    int rc = current_core(p, at, &c);
    if (rc)
        return rc;
    if (bm_grow(st->ctx, (void **)&c->insns, &c->cap_insns, c->n_insns + 1, sizeof *c->insns))
        return BM_ENOMEM;
    /* The slot is kept even when the line is bad, so later labels keep
     * their addresses and report no spurious errors. */
    asm_insn *in = &c->insns[c->n_insns++];
    memset(in, 0, sizeof *in);
    in->opcode = -1;
    in->tok = at;
    in->fixed = st->fixed;
    const char *mn = tk(p, at)->text;
    int id = bm_isa_lookup(mn);
    if (id < 0)
        return bmi_asm_error(st, at, "unknown mnemonic '%s'", mn);
    const bm_opcode_def *d = bm_isa_get((unsigned)id);
    unsigned n = 0;
    asm_operand ops[BM_OPERAND_MAX] = {{0, 0, 0}};
    for (unsigned pos = at + 1; pos < end || n > 0;) {
        unsigned stop = item_end(p, pos, end);
        if (n == d->n_operands && n == 0)
            return bmi_asm_error(st, pos, "'%s' takes no operands", mn);
        if (n == d->n_operands)
            return bmi_asm_error(st, pos, "'%s' takes %u operand%s (%s)", mn, d->n_operands,
                             d->n_operands == 1 ? "" : "s", d->syntax);
        if (stop == pos)
            return bmi_asm_error(st, pos, "operand %u of '%s' is missing", n + 1, mn);
        ops[n].first = pos;
        ops[n++].end = stop;
        if (stop == end)
            break;
        pos = stop + 1; /* after a ',' another operand must follow */
    }
    if (n < d->n_operands) {
        /* "add r0 r1": two names or numbers side by side in one operand are
         * two operands without the ',' between them. */
        for (unsigned k = 0; k < n; k++)
            for (unsigned t = ops[k].first; t + 1 < ops[k].end; t++)
                if (is_atom(tk(p, t)) && is_atom(tk(p, t + 1)))
                    return bmi_asm_error(st, t + 1,
                                         "missing ',' before '%s': '%s' takes %u operands (%s)",
                                         tk(p, t + 1)->text, mn, d->n_operands, d->syntax);
        return bmi_asm_error(st, n ? end : at, "'%s' takes %u operand%s (%s)", mn, d->n_operands,
                         d->n_operands == 1 ? "" : "s", d->syntax);
    }
    /* "add r0, r1 r2", "j 0 1": one name or number too many at the end of an
     * operand, not an expression that went wrong */
    for (unsigned k = 0; k < n; k++)
        for (unsigned t = ops[k].first; t + 1 < ops[k].end; t++)
            if (is_atom(tk(p, t)) && is_atom(tk(p, t + 1)))
                return bmi_asm_error(st, t + 1, "unexpected '%s' after operand %u: '%s' takes %u "
                                     "operand%s (%s)", tk(p, t + 1)->text, k + 1, mn,
                                     d->n_operands, d->n_operands == 1 ? "" : "s", d->syntax);
    for (unsigned k = 0; k < n; k++)
        if ((rc = parse_operand(p, d, k, &ops[k])))
            return rc;
    in->opcode = id;
    memcpy(in->op, ops, sizeof in->op);
    return BM_OK;
}

/* ---- directives -------------------------------------------------------- */

static int dir_core(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    if (st->implicit_core)
        return bmi_asm_error(st, at,
                         "'.core' after statements outside any core: in a file with .core "
                         "sections, every instruction belongs to one");
    unsigned pos = at + 1, width;
    int rc = check_new_name(p, pos, "core");
    if (rc)
        return rc;
    const char *name = tk(p, pos)->text;
    int old = bmi_name_index_find(&st->core_index, name, strlen(name));
    if (old >= 0)
        return bmi_asm_error(st, pos, "core '%s' is already defined on line %u", name,
                             tk(p, st->cores[old]->tok)->line);
    pos++;
    if (pos == end)
        return bmi_asm_error(st, pos, "'.core %s' needs a word width: .core %s WIDTH", name, name);
    if ((rc = bmi_asm_eval_count(st, &pos, end, 1, BM_WIDTH_MAX, "word width", &width)) ||
        (rc = expect_end(p, pos, end, "'.core NAME WIDTH'")) || (rc = new_core(p, at, name)))
        return rc;
    asm_pin *w = &p->core->pin[ASM_PIN_WIDTH];
    w->set = 1;
    w->value = width;
    w->tok = at;
    return BM_OK;
}

static const struct pin_directive {
    const char *name;
    asm_pin_kind pin;
    unsigned lo, hi;
    const char *what;
} pin_directives[] = {
    {"registers", ASM_PIN_REGISTERS, 1, BM_REGISTERS_MAX, "register count"},
    {"rom", ASM_PIN_ROM, 1, BM_ROM_DEPTH_MAX, "ROM depth"},
    {"ram", ASM_PIN_RAM, 0, BM_RAM_DEPTH_MAX, "RAM depth"},
    {"inputs", ASM_PIN_INPUTS, 0, BM_PORTS_MAX, "input port count"},
    {"outputs", ASM_PIN_OUTPUTS, 0, BM_PORTS_MAX, "output port count"},
    {"width", ASM_PIN_WIDTH, 1, BM_WIDTH_MAX, "word width"},
    {"frac", ASM_PIN_FRAC, 0, BM_WIDTH_MAX - 1, "fraction bit count"},
    {"queue", ASM_PIN_QUEUE, 1, BM_QUEUE_MAX, "output queue depth"},
};

static int dir_pin(parser *p, unsigned at, unsigned end, const struct pin_directive *pd)
{
    asm_core *c;
    int rc = current_core(p, at, &c);
    if (rc)
        return rc;
    asm_pin *pin = &c->pin[pd->pin];
    if (pin->set && pd->pin == ASM_PIN_WIDTH && !p->st->implicit_core)
        return bmi_asm_error(p->st, at, "the width of core '%s' is given on its .core line (line %u)",
                         c->name, tk(p, pin->tok)->line);
    if (pin->set)
        return bmi_asm_error(p->st, at, "'.%s' is already given on line %u", pd->name,
                         tk(p, pin->tok)->line);
    unsigned pos = at + 1, v;
    if (pos == end)
        return bmi_asm_error(p->st, pos, "'.%s' needs a value", pd->name);
    if ((rc = bmi_asm_eval_count(p->st, &pos, end, pd->lo, pd->hi, pd->what, &v)) ||
        (rc = expect_end(p, pos, end, "the value")))
        return rc;
    pin->set = 1;
    pin->value = v;
    pin->tok = at;
    return BM_OK;
}

/* A directive naming one of a core's unit or fetch choices: .mul NAME (the
 * multiplier variant: comb, pipe or serial) and .fetch NAME (direct or
 * staged).  `lookup` maps a name to its value or -1. */
static int dir_choice(parser *p, unsigned at, unsigned end, asm_pin_kind which,
                      const char *directive, const char *what, const char *choices,
                      int (*lookup)(const char *))
{
    asm_core *c;
    int rc = current_core(p, at, &c);
    if (rc)
        return rc;
    asm_pin *pin = &c->pin[which];
    if (pin->set)
        return bmi_asm_error(p->st, at, "'.%s' is already given on line %u", directive,
                         tk(p, pin->tok)->line);
    unsigned pos = at + 1;
    if (pos == end)
        return bmi_asm_error(p->st, pos, "'.%s' needs a %s: %s", directive, what, choices);
    int v = tk(p, pos)->kind == ASM_T_IDENT ? lookup(tk(p, pos)->text) : -1;
    if (v < 0)
        return bmi_asm_error(p->st, pos, "unknown %s '%s' (%s)", what, shown(p, pos), choices);
    if ((rc = expect_end(p, pos + 1, end, "the name")))
        return rc;
    pin->set = 1;
    pin->value = (unsigned)v;
    pin->tok = at;
    return BM_OK;
}

/* .forward oN[, D]: every value the program takes, from any input port, is
 * also queued on oN, whose queue holds D words (default 2; docs/timing.md
 * "Forwarding"). */
static int dir_forward(parser *p, unsigned at, unsigned end)
{
    asm_core *c;
    int rc = current_core(p, at, &c);
    if (rc)
        return rc;
    asm_pin *pin = &c->pin[ASM_PIN_FORWARD];
    if (pin->set)
        return bmi_asm_error(p->st, at, "'.forward' is already given on line %u",
                             tk(p, pin->tok)->line);
    uint64_t o;
    unsigned pos = at + 1;
    if (pos == end || tk(p, pos)->kind != ASM_T_IDENT ||
        !bmi_asm_is_register_like(tk(p, pos)->text, 'o', &o) || o >= BM_PORTS_MAX)
        return bmi_asm_error(p->st, pos, "'.forward' needs an output port (.forward o1)");
    pos++;
    if (pos < end && is_punct(p, pos, ',')) {
        asm_pin *depth = &c->pin[ASM_PIN_FORWARD_QUEUE];
        unsigned v;
        pos++;
        if (pos == end)
            return bmi_asm_error(p->st, pos, "'.forward' needs a queue depth after the comma");
        if ((rc = bmi_asm_eval_count(p->st, &pos, end, 1, BM_QUEUE_MAX, "forward queue depth",
                                     &v)))
            return rc;
        depth->set = 1;
        depth->value = v;
        depth->tok = at;
    }
    if ((rc = expect_end(p, pos, end, "the output port")))
        return rc;
    pin->set = 1;
    pin->value = (unsigned)o;
    pin->tok = at;
    return BM_OK;
}

static int dir_opcodes(parser *p, unsigned at, unsigned end)
{
    asm_core *c;
    int rc = current_core(p, at, &c);
    for (unsigned i = at + 1; !rc && i < end; i++) {
        if (is_punct(p, i, ','))
            continue;
        int id = tk(p, i)->kind == ASM_T_IDENT ? bm_isa_lookup(tk(p, i)->text) : -1;
        if (id < 0)
            return bmi_asm_error(p->st, i, "unknown mnemonic '%s'", shown(p, i));
        bm_opcode_set_add(&c->opcodes, (unsigned)id);
    }
    return rc;
}

static int dir_data(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    asm_core *c;
    int rc = current_core(p, at, &c);
    if (rc)
        return rc;
    unsigned pos = at + 1;
    if (pos < end && is_punct(p, pos, '@')) {
        pos++;
        if ((rc = bmi_asm_eval_count(st, &pos, end, 0, BM_RAM_DEPTH_MAX - 1, "RAM address",
                                 &c->data_next)))
            return rc;
    }
    if (pos == end)
        return bmi_asm_error(st, pos, "'.data' needs at least one value");
    for (;;) {
        unsigned stop = item_end(p, pos, end);
        if (stop == pos)
            return bmi_asm_error(st, pos, "a value of '.data' is missing");
        if (c->data_next >= BM_RAM_DEPTH_MAX)
            return bmi_asm_error(st, pos, "RAM address %u is beyond the limit (%u words)",
                             c->data_next, BM_RAM_DEPTH_MAX);
        if (bm_grow(st->ctx, (void **)&c->data, &c->cap_data, c->n_data + 1, sizeof *c->data))
            return BM_ENOMEM;
        asm_data *dv = &c->data[c->n_data++];
        dv->addr = c->data_next++;
        dv->first = pos;
        dv->end = stop;
        dv->fixed = st->fixed;
        if (stop == end)
            return BM_OK;
        pos = stop + 1;
    }
}

static int dir_const(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    unsigned name = at + 1;
    int rc = check_new_name(p, name, "constant");
    if (rc)
        return rc;
    const char *text = tk(p, name)->text;
    const asm_const *old = find_const(st, text);
    if (old)
        return bmi_asm_error(st, name, "constant '%s' is already defined on line %u", text,
                         tk(p, old->tok)->line);
    for (size_t i = 0; i < st->n_cores; i++) {
        const asm_label *l = find_label(st->cores[i], text);
        if (l)
            return bmi_asm_error(st, name, "'%s' is already a label (line %u)", text,
                             tk(p, l->tok)->line);
    }
    if (!is_punct(p, name + 1, '='))
        return bmi_asm_error(st, name + 1, "expected '=' after '.const %s'", text);
    asm_int v;
    if ((rc = bmi_asm_eval(st, name + 2, end, NULL, st->fixed, NULL, &v)))
        return rc;
    if (bm_grow(st->ctx, (void **)&st->consts, &st->cap_consts, st->n_consts + 1,
                sizeof *st->consts))
        return BM_ENOMEM;
    asm_const *k = &st->consts[st->n_consts++];
    k->name = text;
    k->value = v;
    k->tok = name;
    return BM_OK;
}

static int dir_fixed(parser *p, unsigned at, unsigned end)
{
    unsigned pos = at + 1, total, frac;
    int rc;
    if ((rc = bmi_asm_eval_count(p->st, &pos, end, 2, 64, "fixed-point total bits", &total)) ||
        (rc = bmi_asm_eval_count(p->st, &pos, end, 0, total - 1, "fixed-point fraction bits", &frac)) ||
        (rc = expect_end(p, pos, end, "'.fixed TOTAL FRAC'")))
        return rc;
    p->st->fixed.total = total;
    p->st->fixed.frac = frac;
    return BM_OK;
}

static int dir_port(parser *p, unsigned at, unsigned end, int output)
{
    asm_state *st = p->st;
    unsigned pos = at + 1, width;
    const char *what = output ? "output" : "input";
    int rc = check_new_name(p, pos, what);
    if (rc)
        return rc;
    unsigned name = pos++;
    if (pos == end)
        return bmi_asm_error(st, pos, "'.%s %s' needs a width: .%s NAME WIDTH", what,
                         tk(p, name)->text, what);
    if ((rc = bmi_asm_eval_count(st, &pos, end, 1, BM_WIDTH_MAX, "width", &width)) ||
        (rc = expect_end(p, pos, end, "'NAME WIDTH'")))
        return rc;
    if (bm_grow(st->ctx, (void **)&st->ports, &st->cap_ports, st->n_ports + 1, sizeof *st->ports))
        return BM_ENOMEM;
    asm_extport *e = &st->ports[st->n_ports++];
    e->tok = name;
    e->width = width;
    e->output = output;
    return BM_OK;
}

static int add_bond_end(asm_state *st, unsigned tok, int source)
{
    if (bm_grow(st->ctx, (void **)&st->bond_ends, &st->cap_bond_ends, st->n_bond_ends + 1,
                sizeof *st->bond_ends))
        return BM_ENOMEM;
    st->bond_ends[st->n_bond_ends].tok = tok;
    st->bond_ends[st->n_bond_ends].source = source;
    st->n_bond_ends++;
    return BM_OK;
}

/* .bond SRC -> SINK, SINK ...  Endpoints are resolved by validation, which
 * reports a bad one at its own token. */
static int dir_bond(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    unsigned pos = at + 1;
    if (tk(p, pos)->kind != ASM_T_IDENT)
        return bmi_asm_error(st, pos, "expected a bond source (an input name or core.oN), found '%s'",
                         shown(p, pos));
    if (tk(p, pos + 1)->kind != ASM_T_ARROW)
        return bmi_asm_error(st, pos + 1, "expected '->' after the bond source, found '%s'",
                         shown(p, pos + 1));
    unsigned first_sink = pos + 2;
    for (unsigned i = first_sink; i < end; i += 2) {
        if (tk(p, i)->kind != ASM_T_IDENT)
            return bmi_asm_error(st, i, "expected a bond sink (an output name or core.iN), found '%s'",
                             shown(p, i));
        if (i + 1 < end && !is_punct(p, i + 1, ','))
            return bmi_asm_error(st, i + 1, "expected ',' between bond sinks, found '%s'",
                             shown(p, i + 1));
        if (i + 1 < end && i + 2 == end)
            return bmi_asm_error(st, end, "expected a bond sink after ','");
    }
    if (first_sink >= end)
        return bmi_asm_error(st, first_sink, "expected a bond sink after '->'");
    int rc = add_bond_end(st, pos, 1);
    for (unsigned i = first_sink; !rc && i < end; i += 2)
        rc = add_bond_end(st, i, 0);
    return rc;
}

static int dir_machine(parser *p, unsigned at, unsigned end)
{
    asm_state *st = p->st;
    if (st->machine_tok)
        return bmi_asm_error(st, at, "'.machine' is already given on line %u",
                         tk(p, st->machine_tok)->line);
    int rc = check_new_name(p, at + 1, "machine");
    if (!rc)
        rc = expect_end(p, at + 2, end, "'.machine NAME'");
    if (!rc)
        st->machine_tok = at + 1;
    return rc;
}

static int directive(parser *p, unsigned at, unsigned end)
{
    const char *name = tk(p, at)->text;
    for (size_t i = 0; i < sizeof pin_directives / sizeof pin_directives[0]; i++)
        if (strcmp(name, pin_directives[i].name) == 0)
            return dir_pin(p, at, end, &pin_directives[i]);
    if (strcmp(name, "core") == 0)
        return dir_core(p, at, end);
    if (strcmp(name, "opcodes") == 0)
        return dir_opcodes(p, at, end);
    if (strcmp(name, "mul") == 0)
        return dir_choice(p, at, end, ASM_PIN_MUL, "mul", "multiplier variant",
                          "comb, pipe or serial", bm_mul_variant_from_name);
    if (strcmp(name, "fetch") == 0)
        return dir_choice(p, at, end, ASM_PIN_FETCH, "fetch", "fetch kind", "direct or staged",
                          bm_fetch_kind_from_name);
    if (strcmp(name, "forward") == 0)
        return dir_forward(p, at, end);
    if (strcmp(name, "data") == 0)
        return dir_data(p, at, end);
    if (strcmp(name, "const") == 0)
        return dir_const(p, at, end);
    if (strcmp(name, "fixed") == 0)
        return dir_fixed(p, at, end);
    if (strcmp(name, "input") == 0 || strcmp(name, "output") == 0)
        return dir_port(p, at, end, name[0] == 'o');
    if (strcmp(name, "bond") == 0)
        return dir_bond(p, at, end);
    if (strcmp(name, "machine") == 0)
        return dir_machine(p, at, end);
    return bmi_asm_error(p->st, at, "unknown directive '.%s'", name);
}

/* ---- statements -------------------------------------------------------- */

static int statement(parser *p, unsigned pos, unsigned end)
{
    int rc = BM_OK;
    unsigned first_label = end;
    while (pos + 1 < end && tk(p, pos)->kind == ASM_T_IDENT && is_punct(p, pos + 1, ':')) {
        if (first_label == end)
            first_label = pos;
        if ((rc = define_label(p, pos)))
            return rc;
        pos += 2;
    }
    if (pos == end)
        return BM_OK;
    switch (tk(p, pos)->kind) {
    case ASM_T_IDENT: return instruction(p, pos, end);
    case ASM_T_DIRECTIVE:
        if (first_label != end)
            return bmi_asm_error(p->st, pos,
                             "a label names a ROM address and cannot stand before '.%s'",
                             tk(p, pos)->text);
        return directive(p, pos, end);
    default:
        return bmi_asm_error(p->st, pos, "expected an instruction, a directive or a label, found '%s'",
                         shown(p, pos));
    }
}

int bmi_asm_parse(asm_state *st)
{
    parser p = {st, NULL};
    unsigned pos = 0;
    while (st->t.tok[pos].kind != ASM_T_EOF) {
        unsigned end = pos;
        while (st->t.tok[end].kind != ASM_T_NEWLINE)
            end++;
        int rc = statement(&p, pos, end);
        if (rc == BM_ENOMEM)
            return rc;
        pos = end + 1;
    }
    return st->errors ? BM_EPARSE : BM_OK;
}

static void free_core(bm_ctx *ctx, asm_core *c)
{
    bm_free(ctx, c->insns);
    bm_free(ctx, c->labels);
    bm_free(ctx, c->data);
    bm_free(ctx, c);
}

void bmi_asm_state_free(asm_state *st)
{
    for (size_t i = 0; i < st->n_cores; i++)
        free_core(st->ctx, st->cores[i]);
    bm_free(st->ctx, st->cores);
    bmi_name_index_free(&st->core_index);
    bm_free(st->ctx, st->consts);
    bm_free(st->ctx, st->ports);
    bm_free(st->ctx, st->bond_ends);
    bmi_asm_tokens_free(st->ctx, &st->t);
}
