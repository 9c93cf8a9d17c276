/* The graph text language (docs/graph.md): a lexer and a recursive-descent
 * parser that builds the IR directly.  Every name is defined before it is
 * used, so the nodes are created in topological order and a cycle cannot be
 * written.
 *
 *   statement := 'type' TYPE | 'input' NAME {',' NAME}
 *              | 'output' NAME ['=' expr] | NAME '=' expr
 *   expr      := term {('+' | '-') term}
 *   term      := unary {'*' unary}
 *   unary     := '-' unary | primary
 *   primary   := NUMBER | NAME | FUNC '(' expr {',' expr} ')' | '(' expr ')'
 *
 * Statements end at a newline, except inside parentheses.  After an error
 * the parser skips to the end of the line and goes on, so one run reports
 * the errors of every statement. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "graph_impl.h"

/* ---- lexer -------------------------------------------------------------------- */

typedef enum tok_kind {
    T_EOF,
    T_NEWLINE,
    T_NAME,
    T_NUMBER,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_ASSIGN,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_LT,
    T_GT,
    T_BAD /* a character that starts no token */
} tok_kind;

typedef struct token {
    tok_kind kind;
    size_t start, len;
    bm_loc loc;
} token;

typedef struct lexer {
    const char *file;
    const char *text;
    size_t size, pos;
    unsigned line;
    size_t line_start;
    int depth; /* parenthesis depth: newlines inside parentheses are spaces */
} lexer;

static void lex_newline(lexer *lx)
{
    lx->line++;
    lx->line_start = lx->pos;
}

static void skip_space(lexer *lx)
{
    while (lx->pos < lx->size) {
        char c = lx->text[lx->pos];
        if (c == '#') {
            while (lx->pos < lx->size && lx->text[lx->pos] != '\n')
                lx->pos++;
        } else if (c == '\n' && lx->depth > 0) {
            lx->pos++;
            lex_newline(lx);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else {
            return;
        }
    }
}

static size_t scan_number(const lexer *lx, size_t p)
{
    const char *s = lx->text;
    size_t n = lx->size;
    if (p + 2 < n && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X') &&
        isxdigit((unsigned char)s[p + 2])) {
        p += 2;
        while (p < n && isxdigit((unsigned char)s[p]))
            p++;
        return p;
    }
    while (p < n && isdigit((unsigned char)s[p]))
        p++;
    if (p < n && s[p] == '.') {
        p++;
        while (p < n && isdigit((unsigned char)s[p]))
            p++;
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        size_t q = p + 1;
        if (q < n && (s[q] == '+' || s[q] == '-'))
            q++;
        if (q < n && isdigit((unsigned char)s[q])) {
            while (q < n && isdigit((unsigned char)s[q]))
                q++;
            p = q;
        }
    }
    return p;
}

static token lex(lexer *lx)
{
    skip_space(lx);
    token t;
    t.start = lx->pos;
    t.len = 1;
    t.loc = bm_loc_make(lx->file, lx->line, (unsigned)(lx->pos - lx->line_start + 1));
    if (lx->pos >= lx->size) {
        t.kind = T_EOF;
        t.len = 0;
        return t;
    }
    const char *s = lx->text;
    char c = s[lx->pos];
    if (isalpha((unsigned char)c) || c == '_') {
        size_t p = lx->pos + 1;
        while (p < lx->size && (isalnum((unsigned char)s[p]) || s[p] == '_'))
            p++;
        t.kind = T_NAME;
        t.len = p - lx->pos;
    } else if (isdigit((unsigned char)c) ||
               (c == '.' && lx->pos + 1 < lx->size && isdigit((unsigned char)s[lx->pos + 1]))) {
        t.kind = T_NUMBER;
        t.len = scan_number(lx, lx->pos) - lx->pos;
    } else {
        switch (c) {
        case '\n': t.kind = T_NEWLINE; break;
        case '(': t.kind = T_LPAREN; lx->depth++; break;
        case ')': t.kind = T_RPAREN; if (lx->depth > 0) lx->depth--; break;
        case ',': t.kind = T_COMMA; break;
        case '=': t.kind = T_ASSIGN; break;
        case '+': t.kind = T_PLUS; break;
        case '-': t.kind = T_MINUS; break;
        case '*': t.kind = T_STAR; break;
        case '<': t.kind = T_LT; break;
        case '>': t.kind = T_GT; break;
        default: t.kind = T_BAD; break;
        }
    }
    lx->pos += t.len;
    if (t.kind == T_NEWLINE)
        lex_newline(lx);
    return t;
}

/* ---- parser ---------------------------------------------------------------------- */

/* The node of a name whose definition had an error: uses of it are not
 * reported again. */
#define BROKEN UINT32_MAX

typedef struct var {
    unsigned node;
    bm_loc loc; /* where the name was defined */
} var;

typedef struct parser {
    bm_ctx *ctx;
    bm_graph *g;
    lexer lx;
    token tok;
    bm_names names; /* name -> index into vars */
    var *vars;
    size_t n_vars, cap_vars;
    int force_type;
    int depth;      /* nesting of expressions, bounded to protect the C stack */
    int statements; /* statements seen so far (type must come first) */
    int errors;
} parser;

/* Parse functions return 0, BM_EPARSE after recording an error, or
 * BM_ENOMEM. */

static void next(parser *p)
{
    p->tok = lex(&p->lx);
}

static int tok_is(const parser *p, const token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == T_NAME && t->len == n && memcmp(p->lx.text + t->start, word, n) == 0;
}

/* The token's text, truncated to fit buf. */
static const char *tok_text(const parser *p, const token *t, char *buf, size_t size)
{
    if (t->kind == T_EOF)
        return "end of file";
    if (t->kind == T_NEWLINE)
        return "end of line";
    size_t n = t->len < size - 1 ? t->len : size - 1;
    memcpy(buf, p->lx.text + t->start, n);
    buf[n] = '\0';
    return buf;
}

static int error_at_tok(parser *p, const char *expected)
{
    char buf[64], quoted[80];
    const char *text = tok_text(p, &p->tok, buf, sizeof buf);
    if (p->tok.kind == T_BAD && isprint((unsigned char)text[0]))
        return bm_error(p->ctx, p->tok.loc, "unexpected character '%s'", text);
    if (p->tok.kind == T_EOF || p->tok.kind == T_NEWLINE)
        snprintf(quoted, sizeof quoted, "%s", text);
    else if (p->tok.kind == T_BAD && !isprint((unsigned char)text[0]))
        snprintf(quoted, sizeof quoted, "byte 0x%02x", (unsigned char)text[0]);
    else
        snprintf(quoted, sizeof quoted, "'%s'", text);
    return bm_error(p->ctx, p->tok.loc, "expected %s, found %s", expected, quoted);
}

static int expect(parser *p, tok_kind kind, const char *what)
{
    if (p->tok.kind != kind)
        return error_at_tok(p, what);
    next(p);
    return BM_OK;
}

/* Expects the ')' that closes the '(' at open. */
static int expect_close(parser *p, bm_loc open, const char *what)
{
    if (p->tok.kind == T_RPAREN) {
        next(p);
        return BM_OK;
    }
    int rc = error_at_tok(p, what);
    bm_diag_add(p->ctx, BM_SEV_NOTE, open, "to match this '('");
    return rc;
}

static const char *const functions[] = {"relu", "min", "max", "argmax"};
static const char *const keywords[] = {"type", "input", "output"};

static int is_function(const parser *p, const token *t)
{
    for (size_t i = 0; i < sizeof functions / sizeof *functions; i++)
        if (tok_is(p, t, functions[i]))
            return 1;
    return 0;
}

static int is_reserved(const parser *p, const token *t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (tok_is(p, t, keywords[i]))
            return 1;
    return is_function(p, t);
}

/* Copies a name token into buf (names longer than the buffer are cut; the
 * identifier rule limits real names to 64 characters anyway). */
static char *name_of(const parser *p, const token *t, char *buf, size_t size)
{
    size_t n = t->len < size - 1 ? t->len : size - 1;
    memcpy(buf, p->lx.text + t->start, n);
    buf[n] = '\0';
    return buf;
}

static int lookup(parser *p, const token *t, unsigned *node)
{
    char name[256];
    name_of(p, t, name, sizeof name);
    unsigned v;
    if (!bm_names_get(&p->names, name, &v))
        return bm_error(p->ctx, t->loc, "undefined name '%s'", name);
    if (p->vars[v].node == BROKEN)
        return BM_EPARSE; /* its definition failed and was reported */
    *node = p->vars[v].node;
    return BM_OK;
}

/* Binds a new name to a node; redefinition is an error. */
static int define(parser *p, const token *t, unsigned node)
{
    char name[256];
    name_of(p, t, name, sizeof name);
    if (is_reserved(p, t))
        return bm_error(p->ctx, t->loc, "'%s' is a reserved word and cannot name a value", name);
    if (t->len > 64)
        return bm_error(p->ctx, t->loc, "name '%s...' is longer than 64 characters", name);
    unsigned v;
    if (bm_names_get(&p->names, name, &v)) {
        int rc = bm_error(p->ctx, t->loc, "redefinition of '%s'", name);
        bm_diag_add(p->ctx, BM_SEV_NOTE, p->vars[v].loc, "'%s' was defined here", name);
        return rc;
    }
    if (bm_grow(p->ctx, (void **)&p->vars, &p->cap_vars, p->n_vars + 1, sizeof *p->vars) ||
        bm_names_put(&p->names, name, (unsigned)p->n_vars))
        return BM_ENOMEM;
    p->vars[p->n_vars].node = node;
    p->vars[p->n_vars].loc = bm_loc_make(bm_ctx_intern(p->ctx, t->loc.file), t->loc.line,
                                         t->loc.column);
    p->n_vars++;
    if (node == BROKEN)
        return BM_OK;
    /* An unnamed node takes the name, and the name's location, so that
     * messages about it point at its definition. */
    graph_node *n = &p->g->nodes[node];
    if (!n->name) {
        int rc = bm_graph_set_node_name(p->g, node, name);
        if (rc)
            return rc;
        n->loc = p->vars[p->n_vars - 1].loc;
    }
    return BM_OK;
}

static int constant(parser *p, const token *t, int negative, bm_loc loc, unsigned *out)
{
    char text[512];
    size_t n = t->len < sizeof text - 2 ? t->len : sizeof text - 2;
    text[0] = '-';
    memcpy(text + 1, p->lx.text + t->start, n);
    text[n + 1] = '\0';
    int64_t raw;
    int rc = bm_fixed_parse(p->ctx, negative ? text : text + 1, p->g->type, loc, &raw);
    if (rc)
        return rc == BM_EINVAL || rc == BM_ERANGE ? BM_EPARSE : rc;
    return bm_graph_add_const(p->g, out, raw, loc);
}

static int expr(parser *p, unsigned *out);

/* Parentheses, calls and unary minus nest; this many levels are plenty for
 * any real graph and keep the recursion far from the stack's end. */
#define DEPTH_MAX 500

static int enter(parser *p)
{
    if (++p->depth <= DEPTH_MAX)
        return BM_OK;
    return bm_error(p->ctx, p->tok.loc, "expression nested more than %d levels deep", DEPTH_MAX);
}

/* Left fold of min/max arguments: min(a, b, c) = min(min(a, b), c). */
static int call(parser *p, const token *fn, unsigned *out)
{
    char name[16];
    name_of(p, fn, name, sizeof name);
    bm_loc open = p->tok.loc;
    next(p); /* '(' */
    unsigned *args = NULL;
    size_t n = 0, cap = 0;
    int rc = BM_OK;
    for (;;) {
        unsigned a;
        if ((rc = expr(p, &a)))
            break;
        if ((rc = bm_grow(p->ctx, (void **)&args, &cap, n + 1, sizeof *args)))
            break;
        args[n++] = a;
        if (p->tok.kind != T_COMMA)
            break;
        next(p);
    }
    if (!rc)
        rc = expect_close(p, open, "',' or ')'");
    if (!rc) {
        int unary = strcmp(name, "relu") == 0;
        int nary = strcmp(name, "argmax") == 0;
        if (unary && n != 1)
            rc = bm_error(p->ctx, fn->loc, "'relu' takes 1 argument, not %zu", n);
        else if (!unary && !nary && n < 2)
            rc = bm_error(p->ctx, fn->loc, "'%s' takes at least 2 arguments, not %zu", name, n);
    }
    if (!rc) {
        if (strcmp(name, "relu") == 0) {
            rc = bm_graph_add_op(p->g, out, BM_OP_RELU, args, 1, fn->loc);
        } else if (strcmp(name, "argmax") == 0) {
            rc = bm_graph_add_op(p->g, out, BM_OP_ARGMAX, args, (unsigned)n, fn->loc);
        } else {
            bm_op op = strcmp(name, "min") == 0 ? BM_OP_MIN : BM_OP_MAX;
            unsigned acc = args[0];
            for (size_t i = 1; i < n && !rc; i++) {
                unsigned pair[2] = {acc, args[i]};
                rc = bm_graph_add_op(p->g, &acc, op, pair, 2, fn->loc);
            }
            *out = acc;
        }
    }
    bm_free(p->ctx, args);
    return rc;
}

static int primary(parser *p, unsigned *out)
{
    token t = p->tok;
    switch (t.kind) {
    case T_NUMBER:
        next(p);
        return constant(p, &t, 0, t.loc, out);
    case T_LPAREN: {
        next(p);
        int rc = expr(p, out);
        return rc ? rc : expect_close(p, t.loc, "')'");
    }
    case T_NAME:
        next(p);
        if (p->tok.kind == T_LPAREN) {
            if (is_function(p, &t))
                return call(p, &t, out);
            char name[256];
            return bm_error(p->ctx, t.loc, "unknown function '%s' (known: relu, min, max, argmax)",
                            name_of(p, &t, name, sizeof name));
        }
        if (is_function(p, &t)) {
            char name[16];
            return bm_error(p->ctx, t.loc, "'%s' is a function: write %s(...)",
                            name_of(p, &t, name, sizeof name), name);
        }
        return lookup(p, &t, out);
    default:
        return error_at_tok(p, "an expression");
    }
}

/* Unary minus binds tighter than '*': -x*y is (-x)*y.  A minus directly in
 * front of a number is part of the constant, so the most negative value
 * (-32 in fixed<16,6>) can be written. */
static int unary(parser *p, unsigned *out)
{
    if (p->tok.kind != T_MINUS)
        return primary(p, out);
    token minus = p->tok;
    next(p);
    if (p->tok.kind == T_NUMBER) {
        token num = p->tok;
        next(p);
        return constant(p, &num, 1, minus.loc, out);
    }
    unsigned a;
    int rc = enter(p);
    if (!rc)
        rc = unary(p, &a);
    p->depth--;
    return rc ? rc : bm_graph_add_op(p->g, out, BM_OP_NEG, &a, 1, minus.loc);
}

static int term(parser *p, unsigned *out)
{
    int rc = unary(p, out);
    while (!rc && p->tok.kind == T_STAR) {
        bm_loc loc = p->tok.loc;
        next(p);
        unsigned pair[2] = {*out, 0};
        if (!(rc = unary(p, &pair[1])))
            rc = bm_graph_add_op(p->g, out, BM_OP_MUL, pair, 2, loc);
    }
    return rc;
}

static int expr(parser *p, unsigned *out)
{
    int rc = enter(p);
    if (rc) {
        p->depth--;
        return rc;
    }
    rc = term(p, out);
    while (!rc && (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)) {
        bm_op op = p->tok.kind == T_PLUS ? BM_OP_ADD : BM_OP_SUB;
        bm_loc loc = p->tok.loc;
        next(p);
        unsigned pair[2] = {*out, 0};
        if (!(rc = term(p, &pair[1])))
            rc = bm_graph_add_op(p->g, out, op, pair, 2, loc);
    }
    p->depth--;
    return rc;
}

/* ---- statements ---------------------------------------------------------------------- */

static int parse_uint(parser *p, unsigned *out)
{
    if (p->tok.kind != T_NUMBER)
        return error_at_tok(p, "a number of bits");
    char buf[32];
    name_of(p, &p->tok, buf, sizeof buf);
    char *end;
    unsigned long v = strtoul(buf, &end, 10);
    if (*end || p->tok.len >= sizeof buf || v > 1000)
        return error_at_tok(p, "a number of bits");
    *out = (unsigned)v;
    next(p);
    return BM_OK;
}

/* type fixed<T,I> | type int<T> */
static int type_statement(parser *p, const token *kw)
{
    if (p->statements)
        return bm_error(p->ctx, kw->loc, "'type' must be the first statement");
    token name = p->tok;
    int is_int = tok_is(p, &name, "int");
    if (!is_int && !tok_is(p, &name, "fixed"))
        return error_at_tok(p, "a type (fixed<TOTAL,INTEGER> or int<TOTAL>)");
    next(p);
    unsigned total = 0, integer = 0;
    int rc = expect(p, T_LT, "'<'");
    if (!rc)
        rc = parse_uint(p, &total);
    if (!rc && !is_int && !(rc = expect(p, T_COMMA, "','")))
        rc = parse_uint(p, &integer);
    if (!rc)
        rc = expect(p, T_GT, "'>'");
    if (rc)
        return rc;
    if (is_int)
        integer = total;
    bm_fixed_type t = {total, total - integer};
    if (integer < 1 || integer > total || bm_fixed_type_check(t))
        return bm_error(p->ctx, name.loc,
                        "invalid type: %u total bits with %u integer bits (need 2 <= total <= 64 "
                        "and 1 <= integer <= total)",
                        total, integer);
    if (!p->force_type)
        p->g->type = t;
    return BM_OK;
}

static int input_statement(parser *p)
{
    for (;;) {
        if (p->tok.kind != T_NAME)
            return error_at_tok(p, "an input name");
        token t = p->tok;
        char name[256];
        name_of(p, &t, name, sizeof name);
        unsigned node;
        int rc = bm_graph_add_input(p->g, &node, name, t.loc);
        if (!rc)
            rc = define(p, &t, node);
        if (rc)
            return rc;
        next(p);
        if (p->tok.kind != T_COMMA)
            return BM_OK;
        next(p);
    }
}

static int output_statement(parser *p)
{
    if (p->tok.kind != T_NAME)
        return error_at_tok(p, "an output name");
    token t = p->tok;
    next(p);
    unsigned value;
    int rc;
    if (p->tok.kind == T_ASSIGN) {
        next(p);
        if ((rc = expr(p, &value)) || (rc = define(p, &t, value)))
            return rc;
    } else if ((rc = lookup(p, &t, &value))) {
        return rc;
    }
    char name[256];
    return bm_graph_add_output(p->g, NULL, name_of(p, &t, name, sizeof name), value, t.loc);
}

static int statement(parser *p)
{
    token t = p->tok;
    if (t.kind != T_NAME)
        return error_at_tok(p, "a statement (type, input, output or NAME = expression)");
    next(p);
    int rc;
    if (tok_is(p, &t, "type")) {
        rc = type_statement(p, &t);
    } else if (tok_is(p, &t, "input")) {
        rc = input_statement(p);
    } else if (tok_is(p, &t, "output")) {
        rc = output_statement(p);
    } else {
        char name[256];
        if (p->tok.kind != T_ASSIGN) {
            char what[300];
            snprintf(what, sizeof what, "'=' after '%s'", name_of(p, &t, name, sizeof name));
            return error_at_tok(p, what);
        }
        next(p);
        unsigned value;
        rc = expr(p, &value);
        if (!rc)
            rc = define(p, &t, value);
        else if (rc == BM_EPARSE && !is_reserved(p, &t) && t.len <= 64 &&
                 !bm_names_get(&p->names, name_of(p, &t, name, sizeof name), NULL))
            define(p, &t, BROKEN);
    }
    if (!rc && p->tok.kind != T_NEWLINE && p->tok.kind != T_EOF)
        rc = error_at_tok(p, "the end of the line");
    return rc;
}

/* After an error: drop the rest of the line. */
static void recover(parser *p)
{
    lexer *lx = &p->lx;
    if (p->tok.kind == T_NEWLINE || p->tok.kind == T_EOF) {
        lx->depth = 0;
        return;
    }
    /* The current token starts on the error's line, or on a later one when
     * an open parenthesis swallowed newlines; skip to the end of its line. */
    lx->pos = p->tok.start;
    while (lx->pos < lx->size && lx->text[lx->pos] != '\n')
        lx->pos++;
    lx->depth = 0;
    next(p);
}

int bm_graph_read_text(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                       const char *name, const bm_graph_options *opt)
{
    if (!out || !ctx || (!data && size))
        return BM_EINVAL;
    *out = NULL;
    bm_graph_options defaults = BM_GRAPH_OPTIONS_INIT;
    if (!opt)
        opt = &defaults;
    if (opt->version != BM_GRAPH_OPTIONS_VERSION)
        return BM_EINVAL;
    parser p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.force_type = opt->force_type;
    p.lx.file = bm_ctx_intern(ctx, name ? name : "<memory>");
    p.lx.text = data ? data : "";
    p.lx.size = data ? size : 0;
    p.lx.line = 1;
    int rc = bm_graph_new(&p.g, ctx, opt->type);
    if (rc)
        return rc;
    bm_graph_set_loc(p.g, bm_loc_make(p.lx.file, 0, 0));
    bm_names_init(&p.names, ctx);
    next(&p);
    while (p.tok.kind != T_EOF) {
        if (p.tok.kind == T_NEWLINE) {
            next(&p);
            continue;
        }
        p.depth = 0;
        rc = statement(&p);
        p.statements++;
        if (rc == BM_ENOMEM)
            break;
        if (rc) {
            p.errors++;
            recover(&p);
            rc = BM_OK;
        }
    }
    if (!rc && p.errors)
        rc = BM_EPARSE;
    if (!rc)
        rc = bm_graph_finish(p.g, NULL);
    if (!rc)
        bm_graph_warn_unused(p.g);
    bm_names_free(&p.names);
    bm_free(ctx, p.vars);
    if (rc) {
        bm_graph_free(p.g);
        return rc;
    }
    *out = p.g;
    return BM_OK;
}
