/* Stimulus and ready-pattern text (docs/sim.md):
 *
 *     # comment
 *     a = 1, 2, 0x10, 0b101, -3
 *     a = 7                     (a name may come back: values append)
 *
 * The text is checked completely before anything is applied, so a bad line
 * leaves the simulator as it was.  Errors are file:line:col. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"
#include "sim_impl.h"

typedef enum stim_mode { STIM_INPUTS, STIM_READY } stim_mode;

typedef struct parser {
    bm_sim *sim;
    const char *file;
    stim_mode mode;
    int apply;        /* 0: check and count; 1: push / set            */
    size_t *counts;   /* check pass: values per input                 */
    uint8_t *pattern; /* apply pass, ready mode: the line's values    */
    size_t n_pattern, cap_pattern;
    int errors;
} parser;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bm_loc loc_at(const parser *ps, unsigned line, const char *line_start, const char *p)
{
    return bm_loc_make(ps->file, line, (unsigned)(p - line_start) + 1);
}

/* Reads a number: optional sign, then decimal, 0x hex or 0b binary.
 * Returns 0, or -1 (malformed) or -2 (more than 64 bits). */
static int read_number(const char **pp, const char *end, uint64_t *mag, int *neg)
{
    const char *p = *pp;
    *neg = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        *neg = *p == '-';
        p++;
    }
    unsigned base = 10;
    if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (end - p >= 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    }
    uint64_t v = 0;
    int digits = 0, overflow = 0;
    for (; p < end; p++) {
        unsigned d;
        char c = *p;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else if (c == '_' || isalpha((unsigned char)c))
            return -1;
        else
            break;
        if (d >= base)
            return -1;
        if (v > (UINT64_MAX - d) / base)
            overflow = 1;
        v = v * base + d;
        digits++;
    }
    if (!digits)
        return -1;
    *pp = p;
    *mag = v;
    return overflow ? -2 : 0;
}

/* A value of a typed input: the text up to the next blank, ',' or '#' as a
 * decimal constant of the input's type (bm_fixed_parse), its raw word in
 * *word.  0; 1 after an error (counted); BM_ENOMEM. */
static int typed_value(parser *ps, const sim_input *in, unsigned line, const char *ls,
                       const char **pp, const char *end, uint64_t *word)
{
    const char *v0 = *pp, *p = *pp;
    while (p < end && !is_blank(*p) && *p != ',' && *p != '#')
        p++;
    size_t n = (size_t)(p - v0);
    char small[128];
    char *text = n < sizeof small ? small : bm_malloc(ps->sim->ctx, n + 1);
    if (!text)
        return bm_oom(ps->sim->ctx);
    memcpy(text, v0, n);
    text[n] = '\0';
    int64_t raw = 0;
    int rc = bm_fixed_parse(ps->sim->ctx, text, in->type, loc_at(ps, line, ls, v0), &raw);
    if (text != small)
        bm_free(ps->sim->ctx, text);
    if (rc == BM_ENOMEM)
        return rc;
    if (rc) {
        ps->errors++;
        return 1;
    }
    *pp = p;
    *word = (uint64_t)raw & bm_mask(in->width);
    return 0;
}

/* A value as an integer: decimal, 0x hex or 0b binary, optionally negative;
 * an input's value must fit its width (unsigned, or signed when negative),
 * a ready pattern's be 0 or 1.  The word in *word; 0, or 1 after an error
 * (counted). */
static int plain_value(parser *ps, const char *name, unsigned width, unsigned line,
                       const char *ls, const char **pp, const char *end, uint64_t *word)
{
    bm_ctx *ctx = ps->sim->ctx;
    const char *v0 = *pp, *p = *pp;
    uint64_t mag;
    int neg;
    int r = read_number(&p, end, &mag, &neg);
    if (r == 0 && p < end && !is_blank(*p) && *p != ',' && *p != '#')
        r = -1;
    if (r == -1) {
        bm_error(ctx, loc_at(ps, line, ls, v0), "expected a number (decimal, 0x hex or 0b binary)");
        ps->errors++;
        return 1;
    }
    uint64_t mask = bm_mask(width);
    uint64_t half = UINT64_C(1) << (width - 1); /* magnitude of the most negative */
    int fits = r == 0 && (neg ? (ps->mode == STIM_INPUTS ? mag <= half : mag == 0)
                              : (ps->mode == STIM_INPUTS ? (mag & ~mask) == 0 : mag <= 1));
    if (!fits) {
        int len = (int)(p - v0);
        if (ps->mode == STIM_INPUTS)
            bm_error(ctx, loc_at(ps, line, ls, v0),
                     "value %.*s does not fit input '%s' (%u bit%s: -%" PRIu64 "..%" PRIu64 ")",
                     len, v0, name, width, width == 1 ? "" : "s", half, mask);
        else
            bm_error(ctx, loc_at(ps, line, ls, v0), "ready pattern value %.*s of '%s' is not 0 or 1",
                     len, v0, name);
        ps->errors++;
        return 1;
    }
    *pp = p;
    *word = (neg ? (uint64_t)0 - mag : mag) & mask;
    return 0;
}

static int grow_pattern(parser *ps)
{
    return bm_grow(ps->sim->ctx, (void **)&ps->pattern, &ps->cap_pattern, ps->n_pattern + 1, 1);
}

/* Parses one line [p, end); returns BM_ENOMEM only, errors are counted. */
static int parse_line(parser *ps, unsigned line, const char *p, const char *end)
{
    bm_sim *sim = ps->sim;
    bm_ctx *ctx = sim->ctx;
    const bm_machine *m = sim->m;
    const char *ls = p;
    while (p < end && is_blank(*p))
        p++;
    if (p == end || *p == '#')
        return BM_OK;
    const char *n0 = p;
    if (isalpha((unsigned char)*p) || *p == '_')
        while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
    const char *what = ps->mode == STIM_INPUTS ? "input" : "output";
    if (p == n0 || (p - n0) > 64) {
        bm_error(ctx, loc_at(ps, line, ls, n0), "expected the name of an external %s", what);
        ps->errors++;
        return BM_OK;
    }
    char name[72];
    memcpy(name, n0, (size_t)(p - n0));
    name[p - n0] = '\0';
    int port = ps->mode == STIM_INPUTS ? bm_machine_find_input(m, name)
                                       : bm_machine_find_output(m, name);
    if (port < 0) {
        int other = ps->mode == STIM_INPUTS ? bm_machine_find_output(m, name)
                                            : bm_machine_find_input(m, name);
        if (other >= 0)
            bm_error(ctx, loc_at(ps, line, ls, n0), "'%s' is an external %s, not an %s", name,
                     ps->mode == STIM_INPUTS ? "output" : "input", what);
        else
            bm_error(ctx, loc_at(ps, line, ls, n0), "machine '%s' has no external %s named '%s'",
                     bm_machine_name(m), what, name);
        ps->errors++;
        return BM_OK;
    }
    while (p < end && is_blank(*p))
        p++;
    if (p == end || *p != '=') {
        bm_error(ctx, loc_at(ps, line, ls, p), "expected '=' after '%s'", name);
        ps->errors++;
        return BM_OK;
    }
    p++;
    unsigned width = ps->mode == STIM_INPUTS ? bm_machine_input_width(m, (unsigned)port) : 1;
    ps->n_pattern = 0;
    while (p < end && is_blank(*p))
        p++;
    int any = p < end && *p != '#';
    const sim_input *typed = ps->mode == STIM_INPUTS && sim->inputs[port].typed
                                 ? &sim->inputs[port]
                                 : NULL;
    while (any) {
        uint64_t value = 0;
        int rc = typed ? typed_value(ps, typed, line, ls, &p, end, &value)
                       : plain_value(ps, name, width, line, ls, &p, end, &value);
        if (rc == 1)
            return BM_OK;
        if (rc)
            return rc;
        if (!ps->apply) {
            if (ps->mode == STIM_INPUTS)
                ps->counts[port]++;
        } else if (ps->mode == STIM_INPUTS) {
            rc = bm_sim_push_input(sim, (unsigned)port, value);
            if (rc)
                return rc;
        } else {
            if (grow_pattern(ps))
                return BM_ENOMEM;
            ps->pattern[ps->n_pattern++] = (uint8_t)value;
        }
        while (p < end && is_blank(*p))
            p++;
        if (p == end || *p == '#')
            break;
        if (*p != ',') {
            bm_error(ctx, loc_at(ps, line, ls, p), "expected ',' or the end of the line");
            ps->errors++;
            return BM_OK;
        }
        p++;
        while (p < end && is_blank(*p))
            p++;
        if (p == end || *p == '#') {
            bm_error(ctx, loc_at(ps, line, ls, p), "expected a value after ','");
            ps->errors++;
            return BM_OK;
        }
    }
    if (ps->apply && ps->mode == STIM_READY)
        return bm_sim_set_output_ready(sim, (unsigned)port, ps->pattern, ps->n_pattern);
    return BM_OK;
}

static int parse_all(parser *ps, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    unsigned line = 1;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *nul = memchr(p, '\0', (size_t)(e - p));
        if (nul) {
            bm_error(ps->sim->ctx, loc_at(ps, line, p, nul), "unexpected NUL byte");
            ps->errors++;
            return BM_OK;
        }
        int rc = parse_line(ps, line, p, e);
        if (rc)
            return rc;
        p = e < end ? e + 1 : end;
        line++;
    }
    return BM_OK;
}

static int load(bm_sim *sim, const char *text, size_t len, const char *name, stim_mode mode)
{
    if (!sim || (!text && len))
        return BM_EINVAL;
    bm_ctx *ctx = sim->ctx;
    parser ps = {sim, bm_ctx_intern(ctx, name ? name : "<stimulus>"), mode, 0, NULL, NULL, 0, 0, 0};
    if (!ps.file)
        return bm_oom(ctx);
    if (mode == STIM_INPUTS) {
        ps.counts = bm_calloc(ctx, sim->n_inputs ? sim->n_inputs : 1, sizeof *ps.counts);
        if (!ps.counts)
            return bm_oom(ctx);
    }
    int rc = parse_all(&ps, text, len);
    if (rc == BM_OK && ps.errors)
        rc = BM_EPARSE;
    /* make room first, so that applying cannot fail half way */
    for (unsigned i = 0; rc == BM_OK && mode == STIM_INPUTS && i < sim->n_inputs; i++) {
        sim_input *in = &sim->inputs[i];
        if (ps.counts[i] &&
            bm_grow(ctx, (void **)&in->vals, &in->cap, in->len + ps.counts[i], sizeof *in->vals))
            rc = BM_ENOMEM;
    }
    if (rc == BM_OK) {
        ps.apply = 1;
        rc = parse_all(&ps, text, len);
    }
    bm_free(ctx, ps.counts);
    bm_free(ctx, ps.pattern);
    return rc;
}

int bm_sim_load_stimulus(bm_sim *sim, const char *text, size_t len, const char *name)
{
    return load(sim, text, len, name, STIM_INPUTS);
}

int bm_sim_load_ready(bm_sim *sim, const char *text, size_t len, const char *name)
{
    return load(sim, text, len, name, STIM_READY);
}

int bm_sim_load_stimulus_file(bm_sim *sim, const char *path)
{
    if (!sim || !path)
        return BM_EINVAL;
    char *text;
    size_t len;
    int rc = bm_read_file(sim->ctx, path, &text, &len);
    if (rc)
        return rc;
    rc = bm_sim_load_stimulus(sim, text, len, path);
    bm_free(sim->ctx, text);
    return rc;
}
