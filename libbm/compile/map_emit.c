/* Code generation for one core: its events, in order, become instructions.
 *
 * Registers are allocated on the fly, lowest free first: a value gets a
 * register when it is received or computed and gives it back at its last
 * use on this core (a use is an operand occurrence, a send or an output),
 * which is linear-scan allocation over the core's event order; the count
 * is whatever that needs.  An operation whose operand dies there works in
 * the operand's register (`relu r3`, not `mov r4, r3; relu r4`).
 *
 * A received value whose only use on the core is a term w*x of a sum is
 * accumulated as it arrives, `inmacfx acc, iN, w`, after `li acc, c` set
 * the accumulator up (a neuron: li, inmacfx per input, relu, outn, j 0);
 * a plain term +x that arrives first is read straight into the
 * accumulator.  Every send is `outn`: the core parks the value in the
 * port's holding register and goes on.  The program ends with `j 0`.
 *
 * Eager accumulation (map_code_options.eager, the fold strategy): a value
 * that several sums of the core read is received once, `in r, iN`, and
 * multiply-accumulated into each of them right away (`macfxi acc_n, r,
 * w_n`), so the core holds one accumulator per sum and one received value,
 * not every value until the sums are computed.  A serial multiplier cannot
 * take a port's data (inmacfx): its cores receive into a register and
 * accumulate the same way.  When every use of the value on the core is such
 * a product, no register is needed: the core multiplies the port's data
 * where it waits, `pkmacfx acc_n, iN, w_n` for all but the last sum, which
 * takes it, `inmacfx` (one cycle per product, none for the `in`). */
#include <string.h>

#include "map.h"

enum {
    OP_MOV, OP_LI, OP_ADD, OP_ADDI, OP_SUB, OP_LT, OP_J, OP_JZ, OP_IN, OP_OUTN,
    OP_NEG, OP_RELU, OP_MIN, OP_MAX, OP_MULFX, OP_MULFXI, OP_MACFX, OP_MACFXI, OP_INMACFX,
    OP_SHLI, OP_SARI, OP_PKMACFX, OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
    "mov", "li", "add", "addi", "sub", "lt", "j", "jz", "in", "outn",
    "neg", "relu", "min", "max", "mulfx", "mulfxi", "macfx", "macfxi", "inmacfx",
    "shli", "sari", "pkmacfx"};

struct map_emitter {
    const map_graph *mg;
    bm_ctx *ctx;
    uint64_t mask;
    uint16_t id[OP_COUNT];
    /* per fop, reset for each core through `touched` */
    uint32_t *uses;     /* uses left on this core                       */
    int32_t *reg;       /* its register, or -1                          */
    uint32_t *use_fop;  /* the last fop that reads it on this core      */
    uint32_t *use_term; /* the term of that use (MAP_NONE: not a term)  */
    uint8_t *sent;      /* sent or output from this core                */
    uint8_t *has_muli;  /* per fop: a sum with a term x * immediate      */
    uint32_t *touched;
    size_t n_touched, cap_touched;
    /* per fop / term, written once (a fop is computed on one core) */
    int32_t *acc;
    uint8_t *c_done;
    uint8_t *term_done;
    /* registers */
    uint8_t *busy;
    size_t cap_busy;
    unsigned low_free, n_regs;
    uint8_t *here;      /* per fop: computed on the core being emitted   */
    int eager, inmacfx; /* map_code_options.eager; inmacfx allowed       */
    int look;           /* this core may use pkmacfx (bmi_map_emit_core)   */
    map_program *prog;
    int rc;
};

int bmi_map_emitter_new(map_emitter **out, const map_graph *mg, const map_code_options *opt)
{
    bm_ctx *ctx = mg->ctx;
    map_emitter *em = bm_calloc(ctx, 1, sizeof *em);
    if (!em)
        return bm_oom(ctx);
    em->mg = mg;
    em->ctx = ctx;
    em->mask = bm_mask(mg->type.total);
    for (int i = 0; i < OP_COUNT; i++)
        em->id[i] = (uint16_t)bm_isa_lookup(op_names[i]);
    size_t n = mg->n_fops ? mg->n_fops : 1, nt = mg->n_terms ? mg->n_terms : 1;
    em->uses = bm_calloc(ctx, n, sizeof *em->uses);
    em->reg = bm_malloc(ctx, n * sizeof *em->reg);
    em->use_fop = bm_calloc(ctx, n, sizeof *em->use_fop);
    em->use_term = bm_calloc(ctx, n, sizeof *em->use_term);
    em->sent = bm_calloc(ctx, n, 1);
    em->has_muli = bm_calloc(ctx, n, 1);
    em->acc = bm_malloc(ctx, n * sizeof *em->acc);
    em->c_done = bm_calloc(ctx, n, 1);
    em->term_done = bm_calloc(ctx, nt, 1);
    em->here = bm_calloc(ctx, n, 1);
    em->eager = opt->eager;
    em->inmacfx = opt->mul != BM_MUL_SERIAL;
    if (!em->uses || !em->reg || !em->use_fop || !em->use_term || !em->sent || !em->has_muli ||
        !em->acc || !em->c_done || !em->term_done || !em->here) {
        bmi_map_emitter_free(em);
        return bm_oom(ctx);
    }
    for (size_t i = 0; i < n; i++)
        em->reg[i] = em->acc[i] = -1;
    for (size_t f = 0; f < mg->n_fops; f++)
        for (uint32_t k = 0; mg->fops[f].kind == MF_SUM && k < mg->fops[f].n; k++)
            em->has_muli[f] |= mg->terms[mg->fops[f].first + k].kind == MT_MULI;
    *out = em;
    return BM_OK;
}

void bmi_map_emitter_free(map_emitter *em)
{
    if (!em)
        return;
    bm_ctx *ctx = em->ctx;
    bm_free(ctx, em->uses);
    bm_free(ctx, em->reg);
    bm_free(ctx, em->use_fop);
    bm_free(ctx, em->use_term);
    bm_free(ctx, em->sent);
    bm_free(ctx, em->has_muli);
    bm_free(ctx, em->touched);
    bm_free(ctx, em->acc);
    bm_free(ctx, em->c_done);
    bm_free(ctx, em->term_done);
    bm_free(ctx, em->here);
    bm_free(ctx, em->busy);
    bm_free(ctx, em);
}

void bmi_map_program_free(bm_ctx *ctx, map_program *prog)
{
    bm_free(ctx, prog->insn);
    memset(prog, 0, sizeof *prog);
}

/* ---- instructions and registers ------------------------------------------------ */

static void emit(map_emitter *em, int op, uint64_t a, uint64_t b, uint64_t c)
{
    map_program *p = em->prog;
    if (em->rc)
        return;
    if (bm_grow(em->ctx, (void **)&p->insn, &p->cap, p->n + 1, sizeof *p->insn)) {
        em->rc = BM_ENOMEM;
        return;
    }
    bm_insn *in = &p->insn[p->n++];
    memset(in, 0, sizeof *in);
    in->opcode = em->id[op];
    in->operand[0] = a;
    in->operand[1] = b;
    in->operand[2] = c;
    bm_opcode_set_add(&p->opcodes, em->id[op]);
    if (op >= OP_MULFX)
        p->fixed_point = 1;
}

static uint64_t imm(map_emitter *em, int64_t v)
{
    return (uint64_t)v & em->mask;
}

static int32_t alloc_reg(map_emitter *em)
{
    unsigned r = em->low_free;
    for (;;) {
        if (r >= em->cap_busy) {
            size_t old = em->cap_busy;
            if (bm_grow(em->ctx, (void **)&em->busy, &em->cap_busy, r + 1, 1)) {
                em->rc = BM_ENOMEM;
                return 0;
            }
            memset(em->busy + old, 0, em->cap_busy - old);
        }
        if (!em->busy[r])
            break;
        r++;
    }
    em->busy[r] = 1;
    em->low_free = r + 1;
    if (r + 1 > em->n_regs)
        em->n_regs = r + 1;
    return (int32_t)r;
}

static void free_reg(map_emitter *em, int32_t r)
{
    if (em->rc)
        return;
    em->busy[r] = 0;
    if ((unsigned)r < em->low_free)
        em->low_free = (unsigned)r;
}

/* One use of value v is over; its register is freed after the last. */
static void release(map_emitter *em, uint32_t v)
{
    if (--em->uses[v] == 0 && em->reg[v] >= 0) {
        free_reg(em, em->reg[v]);
        em->reg[v] = -1;
    }
}

/* This is v's last use: its register becomes the caller's. */
static int32_t take(map_emitter *em, uint32_t v)
{
    int32_t r = em->reg[v];
    em->reg[v] = -1;
    em->uses[v]--;
    return r;
}

static int dying(const map_emitter *em, uint32_t v)
{
    return em->uses[v] == 1 && em->reg[v] >= 0;
}

/* A fresh register holding v (v's own when this is its last use). */
static int32_t own_copy(map_emitter *em, uint32_t v)
{
    if (dying(em, v))
        return take(em, v);
    int32_t r = alloc_reg(em);
    emit(em, OP_MOV, (uint64_t)r, (uint64_t)em->reg[v], 0);
    release(em, v);
    return r;
}

/* ---- sums ---------------------------------------------------------------------- */

static int32_t ensure_acc(map_emitter *em, uint32_t f)
{
    if (em->acc[f] < 0) {
        em->acc[f] = alloc_reg(em);
        emit(em, OP_LI, (uint64_t)em->acc[f], imm(em, em->mg->fops[f].c), 0);
        em->c_done[f] = 1;
    }
    return em->acc[f];
}

/* Starts the accumulator from term t: acc = t's value. */
static int32_t start_from_term(map_emitter *em, const map_term *t)
{
    int32_t a = own_copy(em, t->a);
    if (t->kind == MT_MULI) {
        emit(em, OP_MULFXI, (uint64_t)a, imm(em, t->imm), 0);
    } else if (t->kind == MT_MUL) {
        emit(em, OP_MULFX, (uint64_t)a, (uint64_t)em->reg[t->b], 0);
        release(em, t->b);
    }
    if (t->neg)
        emit(em, OP_NEG, (uint64_t)a, 0, 0);
    return a;
}

/* Picks the term to start the accumulator from when nothing has been
 * accumulated yet: a dying +x (no instruction), else +x (a mov), else the
 * constant (li), else the first term. */
static int64_t pick_start(const map_emitter *em, const map_fop *f)
{
    const map_term *terms = em->mg->terms + f->first;
    int64_t any = -1, plain = -1;
    for (uint32_t k = 0; k < f->n; k++) {
        if (em->term_done[f->first + k])
            continue;
        const map_term *t = &terms[k];
        if (any < 0)
            any = k;
        if (t->kind == MT_VAL && !t->neg) {
            if (dying(em, t->a))
                return k;
            if (plain < 0)
                plain = k;
        }
    }
    if (plain >= 0)
        return plain;
    return f->c != 0 ? -1 : any;
}

static void emit_sum(map_emitter *em, uint32_t fi)
{
    const map_fop *f = &em->mg->fops[fi];
    int32_t a = em->acc[fi];
    if (a < 0) {
        int64_t k = pick_start(em, f);
        if (k < 0) {
            a = ensure_acc(em, fi);
        } else {
            a = start_from_term(em, &em->mg->terms[f->first + k]);
            em->term_done[f->first + k] = 1;
        }
    }
    for (uint32_t k = 0; k < f->n; k++) {
        if (em->term_done[f->first + k])
            continue;
        em->term_done[f->first + k] = 1;
        const map_term *t = &em->mg->terms[f->first + k];
        uint64_t ra = (uint64_t)em->reg[t->a];
        if (t->kind == MT_VAL) {
            emit(em, t->neg ? OP_SUB : OP_ADD, (uint64_t)a, ra, 0);
            release(em, t->a);
        } else if (!t->neg && t->kind == MT_MULI) {
            emit(em, OP_MACFXI, (uint64_t)a, ra, imm(em, t->imm));
            release(em, t->a);
        } else if (!t->neg) {
            emit(em, OP_MACFX, (uint64_t)a, ra, (uint64_t)em->reg[t->b]);
            release(em, t->a);
            release(em, t->b);
        } else {
            /* acc - floor(x*w): the product first, then subtract */
            map_term pos = *t;
            pos.neg = 0;
            int32_t p = start_from_term(em, &pos);
            emit(em, OP_SUB, (uint64_t)a, (uint64_t)p, 0);
            free_reg(em, p);
        }
    }
    if (!em->c_done[fi] && f->c != 0)
        emit(em, OP_ADDI, (uint64_t)a, imm(em, f->c), 0);
    em->c_done[fi] = 1;
    em->reg[fi] = a;
}

/* ---- the other operations --------------------------------------------------------- */

/* A register holding arg k of f: the value's, or a fresh one loaded with the
 * constant (*fresh set). */
static int32_t arg_reg(map_emitter *em, const map_arg *a, int *fresh)
{
    if (a->fop != MAP_NONE) {
        *fresh = 0;
        return em->reg[a->fop];
    }
    *fresh = 1;
    int32_t r = alloc_reg(em);
    emit(em, OP_LI, (uint64_t)r, imm(em, a->c), 0);
    return r;
}

static void done_arg(map_emitter *em, const map_arg *a, int32_t r, int fresh)
{
    if (fresh)
        free_reg(em, r);
    else
        release(em, a->fop);
}

static void emit_minmax(map_emitter *em, uint32_t fi, int op)
{
    const map_fop *f = &em->mg->fops[fi];
    const map_arg *x = &em->mg->args[f->first], *y = x + 1;
    int fx, fy;
    int32_t rx = arg_reg(em, x, &fx), ry = arg_reg(em, y, &fy), d;
    /* min and max are symmetric: work in whichever register is free to go */
    if (fx || (x->fop != y->fop && dying(em, x->fop))) {
        d = fx ? rx : take(em, x->fop);
        emit(em, op, (uint64_t)d, (uint64_t)ry, 0);
        done_arg(em, y, ry, fy);
    } else if (fy || (x->fop != y->fop && dying(em, y->fop))) {
        d = fy ? ry : take(em, y->fop);
        emit(em, op, (uint64_t)d, (uint64_t)rx, 0);
        done_arg(em, x, rx, fx);
    } else {
        d = alloc_reg(em);
        emit(em, OP_MOV, (uint64_t)d, (uint64_t)rx, 0);
        emit(em, op, (uint64_t)d, (uint64_t)ry, 0);
        done_arg(em, x, rx, fx);
        done_arg(em, y, ry, fy);
    }
    em->reg[fi] = d;
}

/* The index of the first maximum, branching over the update:
 *     mov t, best; lt t, xk; jz t, +3; mov best, xk; li idx, k
 * A later operand equal to an earlier one can never be strictly greater
 * than the best so far, so it is skipped. */
static void emit_argmax(map_emitter *em, uint32_t fi)
{
    const map_fop *f = &em->mg->fops[fi];
    const map_arg *args = em->mg->args + f->first;
    int32_t best;
    if (args[0].fop == MAP_NONE) {
        best = alloc_reg(em);
        emit(em, OP_LI, (uint64_t)best, imm(em, args[0].c), 0);
    } else {
        best = own_copy(em, args[0].fop);
    }
    int32_t idx = alloc_reg(em), t = alloc_reg(em);
    emit(em, OP_LI, (uint64_t)idx, 0, 0);
    for (uint32_t k = 1; k < f->n; k++) {
        int repeat = 0;
        for (uint32_t j = 0; j < k && !repeat; j++)
            repeat = args[j].fop == args[k].fop && (args[k].fop != MAP_NONE || args[j].c == args[k].c);
        if (repeat) {
            if (args[k].fop != MAP_NONE)
                release(em, args[k].fop);
            continue;
        }
        int fresh;
        int32_t r = arg_reg(em, &args[k], &fresh);
        int last = k == f->n - 1;
        emit(em, OP_MOV, (uint64_t)t, (uint64_t)best, 0);
        emit(em, OP_LT, (uint64_t)t, (uint64_t)r, 0);
        emit(em, OP_JZ, (uint64_t)t, em->prog->n + (last ? 2 : 3), 0);
        if (!last)
            emit(em, OP_MOV, (uint64_t)best, (uint64_t)r, 0);
        emit(em, OP_LI, (uint64_t)idx, k, 0);
        done_arg(em, &args[k], r, fresh);
    }
    free_reg(em, best);
    free_reg(em, t);
    em->reg[fi] = idx;
}

static void emit_fop(map_emitter *em, uint32_t fi)
{
    const map_fop *f = &em->mg->fops[fi];
    const map_arg *args = em->mg->args + f->first;
    int32_t d;
    switch ((map_fop_kind)f->kind) {
    case MF_SUM: emit_sum(em, fi); break;
    case MF_RELU:
        d = own_copy(em, args[0].fop);
        emit(em, OP_RELU, (uint64_t)d, 0, 0);
        em->reg[fi] = d;
        break;
    case MF_SHL:
    case MF_SAR:
        d = own_copy(em, args[0].fop);
        emit(em, f->kind == MF_SHL ? OP_SHLI : OP_SARI, (uint64_t)d, (uint64_t)f->c, 0);
        em->reg[fi] = d;
        break;
    case MF_MIN: emit_minmax(em, fi, OP_MIN); break;
    case MF_MAX: emit_minmax(em, fi, OP_MAX); break;
    case MF_ARGMAX: emit_argmax(em, fi); break;
    case MF_CONST:
        d = alloc_reg(em);
        emit(em, OP_LI, (uint64_t)d, imm(em, f->c), 0);
        for (uint32_t k = 0; k < f->n; k++)
            release(em, args[k].fop);
        em->reg[fi] = d;
        break;
    case MF_COPY: em->reg[fi] = own_copy(em, args[0].fop); break;
    case MF_SINK:
        for (uint32_t k = 0; k < f->n; k++)
            release(em, args[k].fop);
        break;
    case MF_INPUT: break;
    }
    if (em->uses[fi] == 0 && em->reg[fi] >= 0) {
        free_reg(em, em->reg[fi]);
        em->reg[fi] = -1;
    }
}

/* ---- receiving ------------------------------------------------------------------- */

/* A term that can take a received value as it arrives: +-x or +x*k. */
static int eager_term(const map_term *t, uint32_t v)
{
    return t->a == v && (t->kind == MT_VAL || (t->kind == MT_MULI && !t->neg));
}

/* The number of terms of sums on this core that can take v as it arrives;
 * *products (or NULL) receives how many of them are products with a
 * constant (w*v). */
static unsigned eager_terms(const map_emitter *em, uint32_t v, unsigned *products)
{
    const map_graph *mg = em->mg;
    unsigned n = 0, muli = 0;
    for (uint32_t k = mg->user_start[v]; k < mg->user_start[v + 1]; k++) {
        uint32_t u = mg->user[k];
        const map_fop *f = &mg->fops[u];
        /* a sum listed twice (it reads v twice) is counted once */
        if (!em->here[u] || f->kind != MF_SUM || (k > mg->user_start[v] && mg->user[k - 1] == u))
            continue;
        for (uint32_t j = 0; j < f->n; j++) {
            const map_term *t = &mg->terms[f->first + j];
            if (em->term_done[f->first + j] || !eager_term(t, v))
                continue;
            n++;
            muli += t->kind == MT_MULI;
        }
    }
    if (products)
        *products = muli;
    return n;
}

/* The number of v's products with a constant (w*v) on this core when they
 * are all its uses there, else 0. */
static unsigned only_products(const map_emitter *em, uint32_t v)
{
    unsigned products, n = eager_terms(em, v, &products);
    return n == products && n == em->uses[v] ? n : 0;
}

/* Receives v into a register and accumulates it into every sum of the core
 * that has a term for it, in fop order; the register is freed after the
 * last use.  Where those products are its only uses and the core may look
 * at its inputs, no register holds v: it is multiplied where it waits on
 * the port, pkmacfx for all but the last product, which takes it
 * (inmacfx). */
static void receive_eagerly(map_emitter *em, uint32_t v, uint32_t port)
{
    const map_graph *mg = em->mg;
    unsigned n_looks = em->look ? only_products(em, v) : 0, done = 0;
    int looking = n_looks >= 2;
    int32_t r = -1;
    if (!looking) {
        r = em->reg[v] = alloc_reg(em);
        emit(em, OP_IN, (uint64_t)r, port, 0);
    }
    for (uint32_t k = mg->user_start[v]; k < mg->user_start[v + 1] && !em->rc; k++) {
        uint32_t u = mg->user[k];
        const map_fop *f = &mg->fops[u];
        if (!em->here[u] || f->kind != MF_SUM)
            continue;
        for (uint32_t j = 0; j < f->n && !em->rc; j++) {
            const map_term *t = &mg->terms[f->first + j];
            if (em->term_done[f->first + j] || !eager_term(t, v))
                continue;
            int32_t a = ensure_acc(em, u);
            if (looking)
                emit(em, ++done < n_looks ? OP_PKMACFX : OP_INMACFX, (uint64_t)a, port,
                     imm(em, t->imm));
            else if (t->kind == MT_MULI)
                emit(em, OP_MACFXI, (uint64_t)a, (uint64_t)r, imm(em, t->imm));
            else
                emit(em, t->neg ? OP_SUB : OP_ADD, (uint64_t)a, (uint64_t)r, 0);
            em->term_done[f->first + j] = 1;
            release(em, v);
        }
    }
}

static void receive(map_emitter *em, uint32_t v, uint32_t port)
{
    const map_graph *mg = em->mg;
    if (em->uses[v] == 1 && !em->sent[v]) {
        const map_fop *user = &mg->fops[em->use_fop[v]];
        uint32_t ti = em->use_term[v];
        if (ti != MAP_NONE && !mg->terms[ti].neg) {
            const map_term *t = &mg->terms[ti];
            if (t->kind == MT_MULI && em->inmacfx) {
                int32_t a = ensure_acc(em, em->use_fop[v]);
                emit(em, OP_INMACFX, (uint64_t)a, port, imm(em, t->imm));
                em->term_done[ti] = 1;
                em->uses[v] = 0;
                return;
            }
            if (t->kind == MT_VAL && em->acc[em->use_fop[v]] < 0) {
                int32_t a = em->acc[em->use_fop[v]] = alloc_reg(em);
                emit(em, OP_IN, (uint64_t)a, port, 0);
                em->term_done[ti] = 1;
                em->uses[v] = 0;
                return;
            }
        }
        if (ti != MAP_NONE && mg->terms[ti].kind == MT_VAL && em->has_muli[em->use_fop[v]] &&
            em->inmacfx && (mg->terms[ti].neg || mg->type.frac + 2 <= mg->type.total)) {
            /* +-x as x * +-1.0, exact: the core multiply-accumulates anyway */
            int32_t a = ensure_acc(em, em->use_fop[v]);
            uint64_t one = UINT64_C(1) << mg->type.frac;
            emit(em, OP_INMACFX, (uint64_t)a, port, (mg->terms[ti].neg ? 0 - one : one) & em->mask);
            em->term_done[ti] = 1;
            em->uses[v] = 0;
            return;
        }
        if (user->kind == MF_SINK || user->kind == MF_CONST) {
            /* read and dropped: a scratch register */
            int32_t r = alloc_reg(em);
            emit(em, OP_IN, (uint64_t)r, port, 0);
            free_reg(em, r);
            return;
        }
    }
    if ((em->eager || !em->inmacfx) && !em->sent[v] && eager_terms(em, v, NULL)) {
        receive_eagerly(em, v, port);
        return;
    }
    em->reg[v] = alloc_reg(em);
    emit(em, OP_IN, (uint64_t)em->reg[v], port, 0);
    if (em->uses[v] == 0) { /* nothing here reads it (not expected) */
        free_reg(em, em->reg[v]);
        em->reg[v] = -1;
    }
}

/* ---- a core ------------------------------------------------------------------------ */

static void touch(map_emitter *em, uint32_t v)
{
    if (em->uses[v] == 0 && !em->sent[v] && em->reg[v] < 0) {
        if (bm_grow(em->ctx, (void **)&em->touched, &em->cap_touched, em->n_touched + 1,
                    sizeof *em->touched)) {
            em->rc = BM_ENOMEM;
            return;
        }
        em->touched[em->n_touched++] = v;
    }
}

static void count_use(map_emitter *em, uint32_t v, uint32_t f, uint32_t term)
{
    touch(em, v);
    em->uses[v]++;
    em->use_fop[v] = f;
    em->use_term[v] = term;
}

static void count_uses(map_emitter *em, const map_core *c)
{
    const map_graph *mg = em->mg;
    for (size_t i = 0; i < c->n_ev; i++) {
        const map_event *e = &c->ev[i];
        if (e->kind == EV_SEND || e->kind == EV_OUTPUT) {
            touch(em, e->fop);
            em->uses[e->fop]++;
            em->sent[e->fop] = 1;
            continue;
        }
        if (e->kind != EV_COMPUTE)
            continue;
        em->here[e->fop] = 1;
        const map_fop *f = &mg->fops[e->fop];
        for (uint32_t k = 0; k < f->n; k++) {
            if (f->kind == MF_SUM) {
                const map_term *t = &mg->terms[f->first + k];
                count_use(em, t->a, e->fop, t->kind == MT_MUL ? MAP_NONE : f->first + k);
                if (t->kind == MT_MUL)
                    count_use(em, t->b, e->fop, MAP_NONE);
            } else if (mg->args[f->first + k].fop != MAP_NONE) {
                count_use(em, mg->args[f->first + k].fop, e->fop, MAP_NONE);
            }
        }
    }
}

/* 1 when the core is in a chain: it forwards, or takes from a forward. */
static int in_chain(const map_plan *p, uint32_t core)
{
    return p->cores[core].fwd_chan != MAP_NONE || p->cores[core].fwd_in != MAP_NONE;
}

int bmi_map_emit_core(map_emitter *em, const map_plan *p, uint32_t core, map_program *prog)
{
    const map_core *c = &p->cores[core];
    prog->n = 0;
    prog->registers = 0;
    prog->fixed_point = 0;
    bm_opcode_set_clear(&prog->opcodes);
    em->prog = prog;
    em->rc = BM_OK;
    em->n_regs = 0;
    /* A chain's cores look at their inputs (pkmacfx): a cycle an input,
     * the value coming from the previous core's forward queue.  Other
     * cores read each value into a register first: their inputs come from
     * other cores' result multiplexers, which a look would put in front of
     * the multiplier in one cycle (digits --fold 8,10 on the HX8K: 66 MHz
     * became 53), and each port looked at costs about a LUT and a
     * flip-flop (a 64-port core: 96 LUT4); docs/compile.md. */
    em->look = em->inmacfx && (in_chain(p, core) || c->tile);
    em->low_free = 0;
    if (em->busy)
        memset(em->busy, 0, em->cap_busy);
    count_uses(em, c);
    /* Eager accumulators are set up first, while the core would be waiting
     * for its first value anyway. */
    for (size_t i = 0; em->eager && i < c->n_ev; i++)
        if (c->ev[i].kind == EV_COMPUTE && em->mg->fops[c->ev[i].fop].kind == MF_SUM)
            ensure_acc(em, c->ev[i].fop);
    for (size_t i = 0; i < c->n_ev && !em->rc; i++) {
        const map_event *e = &c->ev[i];
        switch ((map_ev_kind)e->kind) {
        case EV_RECV: receive(em, e->fop, e->port); break;
        case EV_COMPUTE: emit_fop(em, e->fop); break;
        case EV_SEND:
        case EV_OUTPUT:
            emit(em, OP_OUTN, e->port, (uint64_t)em->reg[e->fop], 0);
            release(em, e->fop);
            break;
        }
    }
    emit(em, OP_J, 0, 0, 0);
    prog->registers = em->n_regs ? em->n_regs : 1;
    for (size_t i = 0; i < em->n_touched; i++) {
        uint32_t v = em->touched[i];
        em->uses[v] = 0;
        em->sent[v] = 0;
        em->reg[v] = -1;
    }
    em->n_touched = 0;
    for (size_t i = 0; i < c->n_ev; i++)
        em->here[c->ev[i].fop] = 0;
    int rc = em->rc;
    em->prog = NULL;
    return rc ? bm_oom(em->ctx) : BM_OK;
}
