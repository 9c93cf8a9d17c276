/* Assembler expressions: integer literals, fx(...) fixed-point literals,
 * constants, labels, unary - and +, binary + - * and parentheses
 * (docs/asm.md, "Expressions").
 *
 * Values are exact integers; every intermediate result must stay within
 * -2^64 .. 2^64, so nothing wraps before the final, checked conversion to
 * a W-bit word (bmi_asm_fit_word). */
#include <string.h>

#include "asm_internal.h"

#define LIMIT ((asm_int)1 << 64)

/* Parentheses and unary signs nest; this many levels are plenty for any
 * real program and keep the recursion far from the stack's end (the graph
 * parser has the same limit). */
#define DEPTH_MAX 500

typedef struct expr {
    asm_state *st;
    unsigned pos, end;
    const asm_core *core;
    bm_fixed_type fixed;
    unsigned depth;
} expr;

void bmi_asm_int_format(char *buf, size_t size, asm_int v)
{
    char tmp[48];
    size_t n = 0;
    int neg = v < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m && n < sizeof tmp - 1);
    size_t k = 0;
    if (neg && k + 1 < size)
        buf[k++] = '-';
    while (n && k + 1 < size)
        buf[k++] = tmp[--n];
    if (size)
        buf[k] = '\0';
}

static const asm_tok *tok(const expr *e)
{
    return &e->st->t.tok[e->pos];
}

static int at_punct(const expr *e, char c)
{
    return e->pos < e->end && tok(e)->kind == ASM_T_PUNCT && tok(e)->text[0] == c;
}

static int fail(expr *e, unsigned at, const char *msg)
{
    return bmi_asm_error(e->st, at, "%s", msg);
}

static int check_range(expr *e, unsigned at, asm_int v)
{
    if (v > LIMIT || v < -LIMIT)
        return fail(e, at, "value out of range: expressions are limited to -2^64 .. 2^64");
    return BM_OK;
}

/* An integer literal: decimal, 0x hex or 0b binary (separators removed). */
static int parse_integer(expr *e, unsigned at, asm_int *out)
{
    const asm_tok *t = &e->st->t.tok[at];
    if (t->decimal)
        return bmi_asm_error(e->st, at,
                         "'%s' is not an integer; write a fixed-point constant as fx(%s)",
                         t->text, t->text);
    const char *p = t->text;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    asm_int v = 0;
    for (; *p; p++) {
        unsigned d = *p <= '9' ? (unsigned)(*p - '0') : (unsigned)((*p | 0x20) - 'a' + 10);
        v = v * base + d;
        if (v >= LIMIT)
            return bmi_asm_error(e->st, at, "number '%s' is too large (the limit is 2^64 - 1)",
                             t->text);
    }
    *out = v;
    return BM_OK;
}

/* fx(1.25), fx(-0.5), fx(6e-3): the raw value of the constant in the
 * current fixed-point type, rounded by bm_fixed_parse (docs/numbers.md). */
static int parse_fx(expr *e, asm_int *out)
{
    unsigned name = e->pos++;
    if (!at_punct(e, '('))
        return fail(e, name, "fx needs a decimal constant in parentheses: fx(1.25)");
    e->pos++;
    unsigned start = e->pos;
    char text[128];
    size_t n = 0;
    if (at_punct(e, '-') || at_punct(e, '+'))
        text[n++] = tok(e)->text[0], e->pos++;
    if (e->pos >= e->end || tok(e)->kind != ASM_T_NUMBER)
        return fail(e, e->pos < e->end ? e->pos : start,
                    "fx needs a decimal constant in parentheses: fx(1.25)");
    size_t len = strlen(tok(e)->text);
    if (len + n >= sizeof text)
        return fail(e, e->pos, "fixed-point constant is too long");
    memcpy(text + n, tok(e)->text, len + 1);
    e->pos++;
    if (!at_punct(e, ')'))
        return fail(e, e->pos < e->end ? e->pos : start, "expected ')' after the fx constant");
    e->pos++;
    int64_t raw;
    int rc = bm_fixed_parse(e->st->ctx, text, e->fixed, bmi_asm_loc(e->st, start), &raw);
    if (rc == BM_ERANGE)
        rc = BM_EPARSE; /* reported like any other error in the source */
    if (rc == BM_EPARSE)
        e->st->errors++;
    if (rc)
        return rc;
    *out = raw;
    return BM_OK;
}

static int lookup_name(expr *e, unsigned at, asm_int *out)
{
    asm_state *st = e->st;
    const char *name = st->t.tok[at].text;
    uint64_t n;
    if (bmi_asm_is_register_like(name, 'r', &n) || bmi_asm_is_register_like(name, 'i', &n) ||
        bmi_asm_is_register_like(name, 'o', &n))
        return bmi_asm_error(st, at, "'%s' is a %s and cannot be used in an expression", name,
                         name[0] == 'r' ? "register" : name[0] == 'i' ? "input port"
                                                                      : "output port");
    if (e->core) {
        for (size_t i = 0; i < e->core->n_labels; i++) {
            if (strcmp(e->core->labels[i].name, name) == 0) {
                *out = e->core->labels[i].addr;
                return BM_OK;
            }
        }
    }
    for (size_t i = 0; i < st->n_consts; i++) {
        if (strcmp(st->consts[i].name, name) != 0)
            continue;
        if (st->consts[i].tok > at)
            return bmi_asm_error(st, at, "constant '%s' is used before its definition on line %u",
                             name, st->t.tok[st->consts[i].tok].line);
        *out = st->consts[i].value;
        return BM_OK;
    }
    if (strchr(name, '.'))
        return bmi_asm_error(st, at, "'%s' is not a name: names have no '.'", name);
    if (!e->core)
        return bmi_asm_error(st, at, "undefined constant '%s' (a directive can use only constants "
                                 "defined above it)", name);
    return bmi_asm_error(st, at, "undefined label or constant '%s'", name);
}

static int parse_sum(expr *e, asm_int *out);

static int parse_unary_nested(expr *e, asm_int *out);

static int parse_unary(expr *e, asm_int *out)
{
    if (e->depth >= DEPTH_MAX)
        return bmi_asm_error(e->st, e->pos, "expression nested more than %d levels deep", DEPTH_MAX);
    e->depth++;
    int rc = parse_unary_nested(e, out);
    e->depth--;
    return rc;
}

static int parse_unary_nested(expr *e, asm_int *out)
{
    unsigned at = e->pos;
    const asm_tok *t = tok(e);
    if (e->pos >= e->end || t->kind == ASM_T_NEWLINE)
        return t->kind == ASM_T_NEWLINE
                   ? fail(e, at, "expected a value before the end of the line")
                   : bmi_asm_error(e->st, at, "expected a value before '%s'", t->text);
    int rc;
    switch (t->kind) {
    case ASM_T_NUMBER:
        e->pos++;
        return parse_integer(e, at, out);
    case ASM_T_IDENT:
        if (strcmp(t->text, "fx") == 0)
            return parse_fx(e, out);
        e->pos++;
        return lookup_name(e, at, out);
    case ASM_T_PUNCT:
        if (t->text[0] == '-' || t->text[0] == '+') {
            e->pos++;
            if ((rc = parse_unary(e, out)))
                return rc;
            if (t->text[0] == '-')
                *out = -*out;
            return BM_OK;
        }
        if (t->text[0] == '(') {
            e->pos++;
            if ((rc = parse_sum(e, out)))
                return rc;
            if (!at_punct(e, ')'))
                return fail(e, at, "this '(' has no matching ')'");
            e->pos++;
            return BM_OK;
        }
        break;
    default: break;
    }
    return bmi_asm_error(e->st, at, "expected a value, found '%s'", t->text);
}

static int parse_product(expr *e, asm_int *out)
{
    int rc = parse_unary(e, out);
    while (!rc && at_punct(e, '*')) {
        unsigned op = e->pos++;
        asm_int b;
        if ((rc = parse_unary(e, &b)))
            break;
        asm_int a = *out;
        asm_int ma = a < 0 ? -a : a, mb = b < 0 ? -b : b;
        if (ma != 0 && mb > LIMIT / ma)
            return check_range(e, op, LIMIT + 1);
        *out = a * b;
        rc = check_range(e, op, *out);
    }
    return rc;
}

static int parse_sum(expr *e, asm_int *out)
{
    int rc = parse_product(e, out);
    while (!rc && (at_punct(e, '+') || at_punct(e, '-'))) {
        unsigned op = e->pos++;
        asm_int b;
        if ((rc = parse_product(e, &b)))
            break;
        *out = e->st->t.tok[op].text[0] == '+' ? *out + b : *out - b;
        rc = check_range(e, op, *out);
    }
    return rc;
}

int bmi_asm_eval(asm_state *st, unsigned first, unsigned end, const asm_core *core,
             bm_fixed_type fixed, unsigned *stop, asm_int *out)
{
    expr e = {st, first, end, core, fixed, 0};
    int rc = parse_sum(&e, out);
    if (!rc && stop)
        *stop = e.pos;
    else if (!rc && e.pos < e.end)
        rc = bmi_asm_error(st, e.pos, "unexpected '%s' in expression", tok(&e)->text);
    return rc;
}

int bmi_asm_eval_count(asm_state *st, unsigned *pos, unsigned end, uint64_t lo, uint64_t hi,
                   const char *what, unsigned *out)
{
    unsigned first = *pos;
    asm_int v;
    int rc = bmi_asm_eval(st, first, end, NULL, st->fixed, pos, &v);
    if (rc)
        return rc;
    if (v < (asm_int)lo || v > (asm_int)hi) {
        char text[48];
        bmi_asm_int_format(text, sizeof text, v);
        return bmi_asm_error(st, first, "%s %s is out of range (%llu .. %llu)", what, text,
                         (unsigned long long)lo, (unsigned long long)hi);
    }
    *out = (unsigned)v;
    const asm_tok *t = &st->t.tok[*pos];
    if (*pos < end && t->kind == ASM_T_PUNCT && t->text[0] == ',')
        (*pos)++;
    return BM_OK;
}

int bmi_asm_fit_word(asm_state *st, unsigned at, asm_int v, unsigned width, const char *what,
                 uint64_t *out)
{
    asm_int lo = -((asm_int)1 << (width - 1));
    asm_int hi = ((asm_int)1 << width) - 1;
    if (v < lo || v > hi) {
        char text[48], lo_text[48], hi_text[48];
        bmi_asm_int_format(text, sizeof text, v);
        bmi_asm_int_format(lo_text, sizeof lo_text, lo);
        bmi_asm_int_format(hi_text, sizeof hi_text, hi);
        return bmi_asm_error(st, at, "%s %s does not fit in %u bits (%s .. %s)", what, text, width,
                         lo_text, hi_text);
    }
    *out = (uint64_t)v & bm_mask(width);
    return BM_OK;
}
