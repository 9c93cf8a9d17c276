/* Instruction text: the canonical printer and the plain parser. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm/insn.h"
#include "internal.h"

int bm_insn_format(char *buf, size_t size, const bm_insn *insn)
{
    const bm_opcode_def *d = bm_isa_get(insn->opcode);
    if (!d)
        return snprintf(buf, size, "<opcode %u>", insn->opcode);
    char tmp[160];
    size_t n = (size_t)snprintf(tmp, sizeof tmp, "%s", d->mnemonic);
    for (unsigned k = 0; k < d->n_operands && n < sizeof tmp; k++) {
        const char *sep = k ? ", " : " ";
        uint64_t v = insn->operand[k];
        switch (d->operands[k]) {
        case BM_OPND_REG: n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%sr%" PRIu64, sep, v); break;
        case BM_OPND_IN: n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%si%" PRIu64, sep, v); break;
        case BM_OPND_OUT: n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%so%" PRIu64, sep, v); break;
        default: n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s%" PRIu64, sep, v); break;
        }
    }
    return snprintf(buf, size, "%s", tmp);
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static bm_loc at(bm_loc loc, const char *start, const char *p)
{
    /* Advance the column over the text, restarting at each newline. */
    for (const char *q = start; q < p; q++) {
        if (*q == '\n') {
            if (loc.line)
                loc.line++;
            loc.column = 1;
        } else if (loc.column) {
            loc.column++;
        }
    }
    return loc;
}

/* Parses an unsigned or negative integer; *neg is set for a leading '-'. */
static int parse_number(const char *s, const char **end, uint64_t *mag, int *neg)
{
    const char *p = s;
    *neg = 0;
    if (*p == '-') {
        *neg = 1;
        p++;
    }
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        if (!isxdigit((unsigned char)*p))
            return -1;
    } else if (!isdigit((unsigned char)*p)) {
        return -1;
    }
    errno = 0;
    char *e;
    unsigned long long v = strtoull(p, &e, base);
    if (errno == ERANGE)
        return -2;
    *mag = v;
    *end = e;
    return 0;
}

int bm_insn_parse(bm_ctx *ctx, const char *text, unsigned width, bm_loc loc, bm_insn *out)
{
    memset(out, 0, sizeof *out);
    out->loc = loc;
    if (width < 1 || width > 64)
        width = 64; /* the core's width is reported invalid elsewhere */
    const char *p = skip_space(text);
    const char *m0 = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    char mnemonic[32];
    size_t ml = (size_t)(p - m0);
    if (ml == 0 || ml >= sizeof mnemonic)
        return bm_error(ctx, at(loc, text, m0), "expected an instruction mnemonic");
    memcpy(mnemonic, m0, ml);
    mnemonic[ml] = '\0';
    int id = bm_isa_lookup(mnemonic);
    if (id < 0)
        return bm_error(ctx, at(loc, text, m0), "unknown opcode '%s'", mnemonic);
    const bm_opcode_def *d = bm_isa_get((unsigned)id);
    out->opcode = (uint16_t)id;
    for (unsigned k = 0; k < d->n_operands; k++) {
        p = skip_space(p);
        if (k > 0) {
            if (*p != ',')
                return bm_error(ctx, at(loc, text, p),
                                "'%s' takes %u operands (%s): expected ','", d->mnemonic,
                                d->n_operands, d->syntax);
            p = skip_space(p + 1);
        }
        const char *t = p;
        bm_operand_kind kind = d->operands[k];
        char prefix = kind == BM_OPND_REG ? 'r' : kind == BM_OPND_IN ? 'i' : kind == BM_OPND_OUT ? 'o' : 0;
        if (!*p)
            return bm_error(ctx, at(loc, text, p), "'%s' takes %u operands (%s)", d->mnemonic,
                            d->n_operands, d->syntax);
        if (prefix) {
            if (*p != prefix || !isdigit((unsigned char)p[1]))
                return bm_error(ctx, at(loc, text, t),
                                "operand %u of '%s' must be a %s (%c0, %c1, ...)", k + 1,
                                d->mnemonic, bm_operand_kind_name(kind), prefix, prefix);
            p++;
        }
        uint64_t mag;
        int neg;
        const char *e;
        int r = parse_number(p, &e, &mag, &neg);
        if (r == -1 || (prefix && neg))
            return bm_error(ctx, at(loc, text, t), "operand %u of '%s' must be a %s", k + 1,
                            d->mnemonic, bm_operand_kind_name(kind));
        if (r == -2)
            return bm_error(ctx, at(loc, text, t), "number is too large");
        if (isalnum((unsigned char)*e) || *e == '_')
            return bm_error(ctx, at(loc, text, t), "malformed operand");
        p = e;
        if (kind == BM_OPND_IMM) {
            uint64_t mask = bm_mask(width);
            int fits = neg ? (width >= 64 ? mag <= (UINT64_C(1) << 63)
                                          : mag <= (UINT64_C(1) << (width - 1)))
                           : (mag & ~mask) == 0;
            if (!fits)
                return bm_error(ctx, at(loc, text, t),
                                "immediate %s%" PRIu64 " does not fit in %u bits", neg ? "-" : "",
                                mag, width);
            out->operand[k] = (neg ? (uint64_t)0 - mag : mag) & mask;
        } else {
            if (neg)
                return bm_error(ctx, at(loc, text, t), "operand %u of '%s' cannot be negative",
                                k + 1, d->mnemonic);
            out->operand[k] = mag;
        }
    }
    p = skip_space(p);
    if (*p)
        return bm_error(ctx, at(loc, text, p), "unexpected text after '%s' (%s)", d->mnemonic,
                        d->n_operands ? d->syntax : "no operands");
    return BM_OK;
}
