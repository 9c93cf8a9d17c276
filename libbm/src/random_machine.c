/* Seeded random machines (bm/random.h).
 *
 * Each core runs   [li rc, N]  start: inputs; body; outputs; (dec rc; jnz rc,
 * start; halt | j start)   where the body is random straight-line code drawn
 * from every catalogue opcode that neither jumps backwards nor does I/O, plus
 * forward conditional jumps.  Bonds are feed-forward (a core reads only
 * external inputs or earlier cores), widths always match, and every core
 * output is connected, so every random machine is valid. */
#include <stdio.h>
#include <string.h>

#include "bm/random.h"
#include "internal.h"

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t next(rng *r)
{
    /* splitmix64: tiny, portable, good enough for test generation. */
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1. */
static unsigned below(rng *r, unsigned n)
{
    return n ? (unsigned)(next(r) % n) : 0;
}

static int chance(rng *r, unsigned percent)
{
    return below(r, 100) < percent;
}

/* Widths worth testing more than others: 1, odd, byte, word edges. */
static unsigned pick_width(rng *r, unsigned max)
{
    static const unsigned favourites[] = {1, 2, 3, 5, 8, 12, 16, 31, 32, 33, 63, 64};
    if (chance(r, 60)) {
        unsigned w = favourites[below(r, sizeof favourites / sizeof favourites[0])];
        if (w <= max)
            return w;
    }
    return 1 + below(r, max);
}

/* A source of values that core inputs can be bonded to. */
typedef struct source {
    int core;          /* -1 for an external input */
    unsigned port;     /* core output port, or external input index */
    unsigned width;
    unsigned n_sinks;
    char sinks[24][32];
    int to_external;   /* also drives an external output */
} source;

typedef struct plan {
    rng r;
    rng unit; /* a stream of its own for the multiplier variants, so that
                 adding them left every seed's programs as they were */
    rng fetch; /* likewise for the fetch kinds */
    rng queue; /* and for the output queue depths */
    rng forward; /* and for the forwarding ports */
    rng peek; /* and for the inputs looked at before they are taken */
    int hostile_names; /* cores 0-2 are named like the Verilog's own signals */
    bm_random_options o;
    source src[96];
    unsigned n_src;
    unsigned n_ext_in;
} plan;

/* Core `index`'s name: "cN", except that one machine in four (a choice of
 * its own from the seed, so the programs stay as they were) names its first
 * cores after signals of the generated Verilog ("pc", "stall",
 * "fetch_pc"), which the Verilog backend must keep apart. */
static void core_name(const plan *p, unsigned index, char *buf, size_t n)
{
    static const char *const hostile[] = {"pc", "stall", "fetch_pc"};
    if (p->hostile_names && index < sizeof hostile / sizeof hostile[0])
        snprintf(buf, n, "%s", hostile[index]);
    else
        snprintf(buf, n, "c%u", index);
}

static void add_sink(source *s, const char *text)
{
    if (s->n_sinks < sizeof s->sinks / sizeof s->sinks[0])
        snprintf(s->sinks[s->n_sinks++], sizeof s->sinks[0], "%s", text);
}

static unsigned new_external_input(plan *p, unsigned width)
{
    source *s = &p->src[p->n_src];
    memset(s, 0, sizeof *s);
    s->core = -1;
    s->port = p->n_ext_in++;
    s->width = width;
    return p->n_src++;
}

/* 1 if the source already drives an input of core `name`: a core reads one
 * port at a time, so fanning one bond out to two of its ports would wait
 * forever for both sinks to be ready together. */
static int drives_core(const source *s, const char *name)
{
    size_t n = strlen(name);
    for (unsigned k = 0; k < s->n_sinks; k++)
        if (strncmp(s->sinks[k], name, n) == 0 && s->sinks[k][n] == '.')
            return 1;
    return 0;
}

/* Picks (or creates) the source that drives input `port` of core `name`. */
static void connect_input(plan *p, const char *name, unsigned port, unsigned width)
{
    unsigned candidates[96], n = 0;
    for (unsigned i = 0; i < p->n_src; i++)
        if (p->src[i].width == width && p->src[i].n_sinks < 20 && !drives_core(&p->src[i], name))
            candidates[n++] = i;
    unsigned chosen;
    if (n == 0 || (p->n_ext_in < 4 && chance(&p->r, 30)))
        chosen = new_external_input(p, width);
    else
        chosen = candidates[below(&p->r, n)];
    char text[32];
    snprintf(text, sizeof text, "%s.i%u", name, port);
    add_sink(&p->src[chosen], text);
}

/* Opcodes that may appear in a loop body: straight-line, no I/O. */
static int body_safe(const bm_opcode_def *d, int has_ram)
{
    if (d->io != BM_IO_NONE || d->flow == BM_FLOW_JUMP || d->flow == BM_FLOW_HALT)
        return 0;
    int ram = d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->dst == BM_DST_RAM;
    return !ram || has_ram;
}

typedef struct prog {
    bm_insn insn[256];
    unsigned n;
    int fwd[256]; /* body-relative forward target, -1 for none */
} prog;

static void emit(prog *g, unsigned op, uint64_t a, uint64_t b)
{
    bm_insn *in = &g->insn[g->n];
    memset(in, 0, sizeof *in);
    in->opcode = (uint16_t)op;
    in->operand[0] = a;
    in->operand[1] = b;
    g->fwd[g->n] = -1;
    g->n++;
}

static uint64_t random_operand(rng *r, bm_operand_kind kind, const bm_core_params *cp,
                               unsigned body_regs)
{
    switch (kind) {
    case BM_OPND_REG: return below(r, body_regs);
    case BM_OPND_IMM: {
        /* Favour edge values: 0, 1, all ones, the sign bit. */
        uint64_t m = bm_mask(cp->width);
        switch (below(r, 6)) {
        case 0: return 0;
        case 1: return 1 & m;
        case 2: return m;
        case 3: return (UINT64_C(1) << (cp->width - 1)) & m;
        default: return next(r) & m;
        }
    }
    case BM_OPND_SHAMT: return below(r, cp->width);
    default: return 0;
    }
}

/* An instruction on port `port`: the port operand is the port, the others
 * random. */
static void emit_port_op(prog *g, rng *r, unsigned id, unsigned port, const bm_core_params *cp,
                         unsigned body_regs)
{
    const bm_opcode_def *d = bm_isa_get(id);
    emit(g, id, 0, 0);
    for (unsigned j = 0; j < d->n_operands; j++)
        g->insn[g->n - 1].operand[j] = j == d->port_operand
                                           ? port
                                           : random_operand(r, d->operands[j], cp, body_regs);
}

static int build_core(plan *p, bm_machine *m, unsigned index)
{
    rng *r = &p->r;
    bm_core_params cp = BM_CORE_PARAMS_INIT;
    cp.width = pick_width(r, p->o.max_width);
    unsigned body_regs = 1 + below(r, p->o.max_registers);
    int terminating = p->o.allow_halt && chance(r, 40);
    cp.registers = body_regs + (terminating ? 1 : 0);
    cp.inputs = below(r, 3);
    cp.outputs = 1 + below(r, 2);
    int has_ram = p->o.allow_ram && chance(r, 30);
    cp.ram_depth = has_ram ? 1 + below(r, 16) : 0;

    char name[16];
    core_name(p, index, name, sizeof name);
    for (unsigned k = 0; k < cp.inputs; k++)
        connect_input(p, name, k, cp.width);

    unsigned safe[BM_OPCODE_MAX], n_safe = 0;
    for (unsigned id = 0; id < bm_isa_count(); id++)
        if (body_safe(bm_isa_get(id), has_ram))
            safe[n_safe++] = id;
    /* Every catalogue opcode that reads an input port (in, inn, inmacfx,
     * ...) or writes an output port can appear; plain in/out most often. */
    unsigned in_ops[BM_OPCODE_MAX], n_in_ops = 0, out_ops[BM_OPCODE_MAX], n_out_ops = 0;
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const bm_opcode_def *d = bm_isa_get(id);
        int blocking = d->io == BM_IO_IN_WAIT || d->io == BM_IO_OUT_WAIT;
        if (!blocking && !p->o.allow_nonblocking)
            continue;
        if (d->flow != BM_FLOW_NEXT)
            continue;
        if (d->io == BM_IO_IN_WAIT || d->io == BM_IO_IN_TRY)
            in_ops[n_in_ops++] = id;
        else if (d->io == BM_IO_OUT_WAIT || d->io == BM_IO_OUT_POST)
            out_ops[n_out_ops++] = id;
    }
    int in_op = bm_isa_lookup("in"), out_op = bm_isa_lookup("out");
    int peek_op = bm_isa_lookup("pkmacfx");

    prog g;
    g.n = 0;
    unsigned counter = body_regs; /* the loop counter, outside the body's registers */
    if (terminating)
        emit(&g, (unsigned)bm_isa_lookup("li"), counter,
             1 + below(r, cp.width >= 3 ? 6 : (unsigned)bm_mask(cp.width)));
    unsigned start = g.n;
    for (unsigned k = 0; k < cp.inputs; k++) {
        /* a fifth of the inputs are first looked at (pkmacfx), once or
         * twice, by draws of their own stream */
        unsigned looks = chance(&p->peek, 20) ? 1 + below(&p->peek, 2) : 0;
        for (unsigned j = 0; j < looks; j++)
            emit_port_op(&g, &p->peek, (unsigned)peek_op, k, &cp, body_regs);
        emit_port_op(&g, r, chance(r, 70) ? (unsigned)in_op : in_ops[below(r, n_in_ops)], k, &cp,
                     body_regs);
    }
    unsigned body_start = g.n;
    unsigned body_len = below(r, p->o.max_body + 1);
    for (unsigned k = 0; k < body_len; k++) {
        unsigned id = safe[below(r, n_safe)];
        const bm_opcode_def *d = bm_isa_get(id);
        emit(&g, id, 0, 0);
        for (unsigned j = 0; j < d->n_operands; j++) {
            if (d->operands[j] == BM_OPND_ADDR)
                g.fwd[g.n - 1] = (int)(k + 1 + below(r, body_len - k)); /* <= body_len */
            else
                g.insn[g.n - 1].operand[j] = random_operand(r, d->operands[j], &cp, body_regs);
        }
    }
    for (unsigned k = 0; k < cp.outputs; k++)
        emit_port_op(&g, r, chance(r, 70) ? (unsigned)out_op : out_ops[below(r, n_out_ops)], k,
                     &cp, body_regs);
    if (terminating) {
        emit(&g, (unsigned)bm_isa_lookup("dec"), counter, 0);
        emit(&g, (unsigned)bm_isa_lookup("jnz"), counter, start);
        emit(&g, (unsigned)bm_isa_lookup("halt"), 0, 0);
    } else {
        emit(&g, (unsigned)bm_isa_lookup("j"), start, 0);
    }
    for (unsigned i = 0; i < g.n; i++) {
        if (g.fwd[i] < 0)
            continue;
        const bm_opcode_def *d = bm_isa_get(g.insn[i].opcode);
        for (unsigned j = 0; j < d->n_operands; j++)
            if (d->operands[j] == BM_OPND_ADDR)
                g.insn[i].operand[j] = body_start + (unsigned)g.fwd[i];
    }
    cp.rom_depth = g.n;
    int uses_mul = 0, mul_reads_input = 0;
    for (unsigned i = 0; i < g.n; i++) {
        const bm_opcode_def *d = bm_isa_get(g.insn[i].opcode);
        if (d->alu == BM_ALU_MULFX || d->alu == BM_ALU_MACFX) /* only cores with fixed-point units */
            cp.frac = below(d->io == BM_IO_IN_PEEK ? &p->peek : r, cp.width);
        if (bm_opcode_uses_mul(d)) {
            uses_mul = 1;
            mul_reads_input |= bm_io_reads_input(d->io);
        }
    }
    if (uses_mul) {
        /* every variant, each about a third of the time; a serial unit
         * cannot take an input port's data, so such a core gets pipe */
        cp.mul = below(&p->unit, BM_MUL_VARIANT_COUNT);
        if (cp.mul == BM_MUL_SERIAL && mul_reads_input)
            cp.mul = BM_MUL_PIPE;
    }
    /* every fetch kind, each about half the time */
    cp.fetch = below(&p->fetch, BM_FETCH_KIND_COUNT);
    /* output queues: the one-word holding register half the time, else 2,
     * 3 (not a power of two) or 4 words */
    static const unsigned depths[] = {1, 1, 1, 2, 3, 4};
    cp.queue = depths[below(&p->queue, sizeof depths / sizeof depths[0])];
    /* a forward about a third of the time: one more output port, which no
     * instruction names, passing on what the core takes */
    if (cp.inputs && chance(&p->forward, 35)) {
        cp.forward = 1;
        cp.forward_out = cp.outputs++;
        cp.forward_queue = 1 + below(&p->forward, 3);
    }

    bm_core *c;
    bm_loc nowhere = {NULL, 0, 0};
    int rc = bm_machine_add_core(m, &c, name, &cp, nowhere);
    if (rc)
        return rc;
    bm_opcode_set set;
    bm_opcode_set_clear(&set);
    for (unsigned i = 0; i < g.n; i++) {
        bm_opcode_set_add(&set, g.insn[i].opcode);
        if ((rc = bm_core_append_insn(c, &g.insn[i])))
            return rc;
    }
    bm_core_set_opcodes(c, &set);
    if (has_ram) {
        uint64_t init[16];
        unsigned n = below(r, cp.ram_depth + 1);
        for (unsigned i = 0; i < n; i++)
            init[i] = next(r) & bm_mask(cp.width);
        if ((rc = bm_core_set_ram_init(c, init, n, nowhere)))
            return rc;
    }
    for (unsigned k = 0; k < cp.outputs && p->n_src < sizeof p->src / sizeof p->src[0]; k++) {
        source *s = &p->src[p->n_src++];
        memset(s, 0, sizeof *s);
        s->core = (int)index;
        s->port = k;
        s->width = cp.width;
        /* the forward's port draws from its own stream, so that the
         * machines of earlier seeds stay as they were */
        s->to_external = cp.forward && k == cp.forward_out ? chance(&p->forward, 25) : chance(r, 25);
    }
    return BM_OK;
}

int bm_random_machine(bm_machine **out, bm_ctx *ctx, uint64_t seed, const bm_random_options *opts)
{
    if (!out || !ctx)
        return BM_EINVAL;
    *out = NULL;
    bm_random_options o = BM_RANDOM_OPTIONS_INIT;
    if (opts) {
        if (opts->version != BM_RANDOM_OPTIONS_VERSION)
            return BM_EINVAL;
        o = *opts;
    }
    if (o.max_cores < 1 || o.max_cores > 16 || o.max_width < 1 || o.max_width > BM_WIDTH_MAX ||
        o.max_registers < 1 || o.max_registers > 64 || o.max_body > 64)
        return BM_EINVAL;
    plan *p = bm_calloc(ctx, 1, sizeof *p);
    if (!p)
        return bm_oom(ctx);
    p->r.state = seed;
    p->unit.state = seed ^ UINT64_C(0x6d756c7469706c79);
    p->fetch.state = seed ^ UINT64_C(0x6665746368657273);
    p->queue.state = seed ^ UINT64_C(0x7175657565646570);
    p->forward.state = seed ^ UINT64_C(0x666f727761726473);
    p->peek.state = seed ^ UINT64_C(0x7065656b696e6721);
    rng names = {seed ^ UINT64_C(0x6e616d6573212121)};
    p->hostile_names = next(&names) % 4 == 0;
    p->o = o;
    char name[40];
    snprintf(name, sizeof name, "rand_%llu", (unsigned long long)seed);
    bm_machine *m;
    int rc = bm_machine_new(&m, ctx, name);
    unsigned n_cores = 1 + below(&p->r, o.max_cores);
    for (unsigned i = 0; i < n_cores && !rc; i++)
        rc = build_core(p, m, i);
    bm_loc nowhere = {NULL, 0, 0};
    /* External inputs first (declared in index order), then outputs. */
    for (unsigned k = 0; k < p->n_ext_in && !rc; k++) {
        for (unsigned i = 0; i < p->n_src; i++) {
            if (p->src[i].core < 0 && p->src[i].port == k) {
                char in_name[16];
                snprintf(in_name, sizeof in_name, "x%u", k);
                rc = bm_machine_add_input(m, in_name, p->src[i].width, nowhere);
            }
        }
    }
    unsigned n_ext_out = 0;
    for (unsigned i = 0; i < p->n_src && !rc; i++) {
        source *s = &p->src[i];
        if (s->core >= 0 && (s->n_sinks == 0 || s->to_external)) {
            char out_name[16];
            snprintf(out_name, sizeof out_name, "y%u", n_ext_out++);
            rc = bm_machine_add_output(m, out_name, s->width, nowhere);
            add_sink(s, out_name);
        }
    }
    for (unsigned i = 0; i < p->n_src && !rc; i++) {
        source *s = &p->src[i];
        if (s->n_sinks == 0)
            continue;
        char from[32], cn[16];
        if (s->core < 0) {
            snprintf(from, sizeof from, "x%u", s->port);
        } else {
            core_name(p, (unsigned)s->core, cn, sizeof cn);
            snprintf(from, sizeof from, "%s.o%u", cn, s->port);
        }
        unsigned bond;
        rc = bm_machine_add_bond(m, &bond, from, nowhere);
        for (unsigned k = 0; k < s->n_sinks && !rc; k++)
            rc = bm_machine_bond_add_sink(m, bond, s->sinks[k], nowhere);
    }
    bm_free(ctx, p);
    if (!rc)
        rc = bm_machine_validate(m);
    if (rc) {
        bm_machine_free(m);
        return rc;
    }
    *out = m;
    return BM_OK;
}

void bm_random_stimulus(const bm_machine *m, uint64_t seed, unsigned count, uint64_t *values)
{
    rng r = {seed ^ UINT64_C(0x5151515151515151)};
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        uint64_t mask = bm_mask(bm_machine_input_width(m, i));
        for (unsigned k = 0; k < count; k++) {
            uint64_t v = next(&r);
            /* Some small values, so that compares and jumps go both ways. */
            values[(size_t)i * count + k] = (chance(&r, 30) ? v % 4 : v) & mask;
        }
    }
}
