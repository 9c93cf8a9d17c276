/* Assembler lexer: splits the text into tokens with their line and column.
 *
 * Columns count bytes from 1 (a tab is one column).  Every token's text is
 * copied, NUL-terminated, into one pool sized up front from the input
 * length: a token's text is never longer than the source it came from, so
 * the pool needs at most len + (one NUL per token) bytes. */
#include <ctype.h>
#include <string.h>

#include "asm_internal.h"

typedef struct lexer {
    bm_ctx *ctx;
    const char *file;
    const char *src;
    size_t len, pos;
    unsigned line, col;
    asm_tokens *out;
    size_t pool_used;
    unsigned *errors;
    size_t line_first_tok; /* index of the current line's first token */
} lexer;

/* c is a byte or -1 at the end of the text. */
static int is_ident_start(int c)
{
    return c >= 0 && (isalpha(c) || c == '_');
}

static int is_ident_char(int c)
{
    return c >= 0 && (isalnum(c) || c == '_');
}

static int is_digit(int c, int base)
{
    if (c < 0)
        return 0;
    return base == 16 ? isxdigit(c) : base == 2 ? c == '0' || c == '1' : isdigit(c);
}

static int peek(const lexer *lx, size_t ahead)
{
    return lx->pos + ahead < lx->len ? (unsigned char)lx->src[lx->pos + ahead] : -1;
}

static void advance(lexer *lx, size_t n)
{
    lx->pos += n;
    lx->col += (unsigned)n;
}

/* Adds a token whose text is src[from, from+n), leaving out '_' (the digit
 * separator of numbers) unless keep_underscores. */
static int push(lexer *lx, asm_tok_kind kind, unsigned col, size_t from, size_t n, int keep_underscores)
{
    asm_tokens *t = lx->out;
    if (bm_grow(lx->ctx, (void **)&t->tok, &t->cap, t->n + 1, sizeof *t->tok))
        return BM_ENOMEM;
    char *text = t->pool + lx->pool_used;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (keep_underscores || lx->src[from + i] != '_')
            text[k++] = lx->src[from + i];
    text[k] = '\0';
    lx->pool_used += k + 1;
    asm_tok *tok = &t->tok[t->n++];
    tok->kind = kind;
    tok->line = lx->line;
    tok->col = col;
    tok->text = text;
    tok->decimal = 0;
    return BM_OK;
}

static void lex_error(lexer *lx, unsigned col, const char *msg, int c)
{
    bm_loc loc = bm_loc_make(lx->file, lx->line, col);
    if (c < 0)
        bm_error(lx->ctx, loc, "%s", msg);
    else if (isprint(c))
        bm_error(lx->ctx, loc, "%s '%c'", msg, c);
    else
        bm_error(lx->ctx, loc, "%s (byte 0x%02x)", msg, (unsigned)c);
    (*lx->errors)++;
}

/* Numbers: 0x.. hex, 0b.. binary, decimal integers, and decimals with a
 * point or an exponent (for fx(...)).  '_' may separate digits. */
static int lex_number(lexer *lx)
{
    size_t start = lx->pos;
    unsigned col = lx->col;
    int decimal = 0, ok = 1;
    int c1 = peek(lx, 1);
    if (peek(lx, 0) == '0' && (c1 == 'x' || c1 == 'X' || c1 == 'b' || c1 == 'B')) {
        int hex = c1 == 'x' || c1 == 'X';
        advance(lx, 2);
        size_t digits = 0;
        for (int c; (c = peek(lx, 0)) == '_' || (hex ? is_digit(c, 16) : is_digit(c, 2)); advance(lx, 1))
            digits += c != '_';
        ok = digits > 0;
    } else {
        while (is_digit(peek(lx, 0), 10) || peek(lx, 0) == '_')
            advance(lx, 1);
        if (peek(lx, 0) == '.' && is_digit(peek(lx, 1), 10)) {
            decimal = 1;
            advance(lx, 1);
            while (is_digit(peek(lx, 0), 10) || peek(lx, 0) == '_')
                advance(lx, 1);
        }
        int e = peek(lx, 0);
        if (e == 'e' || e == 'E') {
            size_t k = 1;
            if (peek(lx, 1) == '+' || peek(lx, 1) == '-')
                k = 2;
            if (is_digit(peek(lx, k), 10)) {
                decimal = 1;
                advance(lx, k);
                while (is_digit(peek(lx, 0), 10))
                    advance(lx, 1);
            }
        }
    }
    /* "12ab", "0b102", "1.2.3": one malformed token, reported once. */
    if (is_ident_char(peek(lx, 0)) || peek(lx, 0) == '.') {
        ok = 0;
        while (is_ident_char(peek(lx, 0)) || peek(lx, 0) == '.')
            advance(lx, 1);
    }
    if (!ok) {
        bm_error(lx->ctx, bm_loc_make(lx->file, lx->line, col), "malformed number '%.*s'",
                 (int)(lx->pos - start), lx->src + start);
        (*lx->errors)++;
    }
    int rc = push(lx, ASM_T_NUMBER, col, start, lx->pos - start, 0);
    if (!rc)
        lx->out->tok[lx->out->n - 1].decimal = decimal;
    return rc;
}

/* Identifiers may contain dots between name characters, so that a bond
 * endpoint "core.i0" is one token. */
static int lex_ident(lexer *lx, asm_tok_kind kind)
{
    unsigned col = lx->col;
    if (kind == ASM_T_DIRECTIVE)
        advance(lx, 1);
    size_t name = lx->pos;
    for (;;) {
        if (is_ident_char(peek(lx, 0)))
            advance(lx, 1);
        else if (kind == ASM_T_IDENT && peek(lx, 0) == '.' && is_ident_start(peek(lx, 1)))
            advance(lx, 1);
        else
            break;
    }
    return push(lx, kind, col, name, lx->pos - name, 1);
}

int bmi_asm_lex(bm_ctx *ctx, const char *file, const char *src, size_t len, asm_tokens *out,
            unsigned *errors)
{
    memset(out, 0, sizeof *out);
    if (len > (size_t)0x3fffffff)
        return bm_error(ctx, bm_loc_make(file, 0, 0), "file is too large");
    out->pool = bm_malloc(ctx, 2 * len + 8);
    if (!out->pool)
        return bm_oom(ctx);
    lexer lx = {ctx, file, src, len, 0, 1, 1, out, 0, errors, 0};
    int rc = BM_OK;
    while (!rc && lx.pos < len) {
        int c = peek(&lx, 0);
        if (c == '\n') {
            rc = push(&lx, ASM_T_NEWLINE, lx.col, lx.pos, 0, 1);
            lx.pos++;
            lx.line++;
            lx.col = 1;
            lx.line_first_tok = out->n;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            advance(&lx, 1);
        } else if (c == ';' || c == '#') {
            while (lx.pos < len && src[lx.pos] != '\n')
                advance(&lx, 1);
        } else if (is_digit(c, 10)) {
            rc = lex_number(&lx);
        } else if (is_ident_start(c)) {
            rc = lex_ident(&lx, ASM_T_IDENT);
        } else if (c == '.' && is_ident_start(peek(&lx, 1))) {
            rc = lex_ident(&lx, ASM_T_DIRECTIVE);
        } else if (c == '-' && peek(&lx, 1) == '>') {
            rc = push(&lx, ASM_T_ARROW, lx.col, lx.pos, 2, 1);
            advance(&lx, 2);
        } else if (c && strchr(",:()+-*@=", c)) {
            rc = push(&lx, ASM_T_PUNCT, lx.col, lx.pos, 1, 1);
            advance(&lx, 1);
        } else {
            /* One error for the line, as for a line that does not parse
             * (docs/asm.md): its tokens are dropped and the rest skipped,
             * so a line of a million '[' gives one error, not a million. */
            lex_error(&lx, lx.col, "unexpected character", c);
            out->n = lx.line_first_tok;
            while (lx.pos < len && src[lx.pos] != '\n')
                advance(&lx, 1);
        }
    }
    /* Every statement ends with a NEWLINE, even on a last line without one. */
    if (!rc)
        rc = push(&lx, ASM_T_NEWLINE, lx.col, lx.pos, 0, 1);
    if (!rc)
        rc = push(&lx, ASM_T_EOF, lx.col, lx.pos, 0, 1);
    if (rc)
        bmi_asm_tokens_free(ctx, out);
    return rc;
}

void bmi_asm_tokens_free(bm_ctx *ctx, asm_tokens *t)
{
    bm_free(ctx, t->tok);
    bm_free(ctx, t->pool);
    memset(t, 0, sizeof *t);
}
