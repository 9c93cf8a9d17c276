/* Test vectors (docs/network.md): one record per line, comma-separated
 * decimals, one per graph input, then an optional integer label.  Blank
 * lines and lines starting with '#' are ignored.  Each decimal is quantised
 * to the graph's type by the constant rule (nearest, ties to even; out of
 * range is an error). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "graph_impl.h"

/* Errors recorded before the reader gives up. */
#define VECTOR_ERRORS_MAX 20

struct bm_vectors {
    bm_ctx *ctx;
    size_t n_inputs, count;
    size_t cap_labels, cap_lines, cap_raw, cap_real;
    int64_t *raw;   /* count x n_inputs */
    double *real;   /* count x n_inputs: the decimals before quantising */
    long *labels;   /* count */
    unsigned *line; /* count */
    const char *file;
};

void bm_vectors_free(bm_vectors *v)
{
    if (!v)
        return;
    bm_free(v->ctx, v->raw);
    bm_free(v->ctx, v->real);
    bm_free(v->ctx, v->labels);
    bm_free(v->ctx, v->line);
    bm_free(v->ctx, v);
}

size_t bm_vectors_count(const bm_vectors *v)
{
    return v->count;
}

size_t bmi_vectors_input_count(const bm_vectors *v)
{
    return v->n_inputs;
}

const int64_t *bm_vectors_inputs(const bm_vectors *v, size_t i)
{
    return i < v->count ? v->raw + i * v->n_inputs : NULL;
}

long bm_vectors_label(const bm_vectors *v, size_t i)
{
    return i < v->count ? v->labels[i] : -1;
}

const double *bm_vectors_reals(const bm_vectors *v, size_t i)
{
    return i < v->count ? v->real + i * v->n_inputs : NULL;
}

bm_loc bm_vectors_loc(const bm_vectors *v, size_t i)
{
    return bm_loc_make(v->file, i < v->count ? v->line[i] : 0, i < v->count ? 1 : 0);
}

static int add_record(bm_vectors *v, unsigned line)
{
    if (bm_grow(v->ctx, (void **)&v->labels, &v->cap_labels, v->count + 1, sizeof *v->labels) ||
        bm_grow(v->ctx, (void **)&v->line, &v->cap_lines, v->count + 1, sizeof *v->line) ||
        (v->n_inputs && (bm_grow(v->ctx, (void **)&v->raw, &v->cap_raw,
                                (v->count + 1) * v->n_inputs, sizeof *v->raw) ||
                      bm_grow(v->ctx, (void **)&v->real, &v->cap_real,
                              (v->count + 1) * v->n_inputs, sizeof *v->real))))
        return BM_ENOMEM;
    v->line[v->count] = line;
    v->labels[v->count] = -1;
    v->count++;
    return BM_OK;
}

/* Parses one record (the line without its newline).  Returns 0, BM_EPARSE
 * (recorded) or BM_ENOMEM. */
static int parse_record(bm_vectors *v, const bm_graph *g, char *text, unsigned line,
                        int with_labels)
{
    size_t want = v->n_inputs + (with_labels ? 1 : 0);
    size_t fields = 1;
    for (char *c = text; *c; c++)
        fields += *c == ',';
    if (fields != want)
        return bm_error(v->ctx, bm_loc_make(v->file, line, 1),
                        "expected %zu field%s (%zu input%s%s), found %zu", want,
                        want == 1 ? "" : "s", v->n_inputs, v->n_inputs == 1 ? "" : "s",
                        with_labels ? " and a label" : "", fields);
    int rc = add_record(v, line);
    if (rc)
        return rc;
    int64_t *raw = v->raw + (v->count - 1) * v->n_inputs;
    double *real = v->real + (v->count - 1) * v->n_inputs;
    char *field = text;
    int errors = 0;
    for (size_t k = 0; k < want; k++) {
        char *end = strchr(field, ',');
        if (end)
            *end = '\0';
        while (*field == ' ' || *field == '\t')
            field++;
        size_t n = strlen(field);
        while (n && (field[n - 1] == ' ' || field[n - 1] == '\t'))
            field[--n] = '\0';
        bm_loc loc = bm_loc_make(v->file, line, (unsigned)(field - text + 1));
        if (k < v->n_inputs) {
            rc = bm_fixed_parse(v->ctx, field, g->type, loc, &raw[k]);
            if (rc == BM_ENOMEM)
                return rc;
            /* strtod reads every form bm_fixed_parse accepts (hex too) */
            real[k] = rc ? 0.0 : strtod(field, NULL);
            errors += rc != 0;
        } else {
            errno = 0;
            char *stop;
            long label = strtol(field, &stop, 10);
            if (!*field || *stop || errno || label < 0) {
                bm_error(v->ctx, loc, "label '%s' is not a non-negative integer", field);
                errors++;
            } else {
                v->labels[v->count - 1] = label;
            }
        }
        field = end ? end + 1 : field + n;
    }
    return errors ? BM_EPARSE : BM_OK;
}

int bm_vectors_read(bm_vectors **out, const bm_graph *g, const char *data, size_t size,
                    const char *name, int with_labels)
{
    if (!out || !g || !g->finished || (!data && size))
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = g->ctx;
    bm_vectors *v = bm_calloc(ctx, 1, sizeof *v);
    if (!v)
        return bm_oom(ctx);
    v->ctx = ctx;
    v->n_inputs = g->n_inputs;
    v->file = bm_ctx_intern(ctx, name ? name : "<memory>");
    char *copy = bm_malloc(ctx, size + 1);
    if (!copy || !v->file) {
        bm_free(ctx, copy);
        bm_vectors_free(v);
        return bm_oom(ctx);
    }
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    int rc = BM_OK, errors = 0;
    unsigned line = 0;
    for (char *p = copy; p < copy + size && errors < VECTOR_ERRORS_MAX;) {
        char *eol = memchr(p, '\n', (size_t)(copy + size - p));
        char *next = eol ? eol + 1 : copy + size;
        if (eol)
            *eol = '\0';
        line++;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = '\0';
        char *first = p + strspn(p, " \t");
        if (*first && *first != '#') {
            rc = parse_record(v, g, p, line, with_labels);
            if (rc == BM_ENOMEM)
                break;
            errors += rc != 0;
            rc = BM_OK;
        }
        p = next;
    }
    bm_free(ctx, copy);
    if (!rc && errors)
        rc = BM_EPARSE;
    if (rc) {
        bm_vectors_free(v);
        return rc;
    }
    *out = v;
    return BM_OK;
}

int bm_vectors_read_file(bm_vectors **out, const bm_graph *g, const char *path,
                         int with_labels)
{
    if (!out || !g || !path)
        return BM_EINVAL;
    *out = NULL;
    char *data;
    size_t len;
    int rc = bm_read_file(g->ctx, path, &data, &len);
    if (rc)
        return rc;
    rc = bm_vectors_read(out, g, data, len, path, with_labels);
    bm_free(g->ctx, data);
    return rc;
}
