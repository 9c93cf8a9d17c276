/* The context: allocator and diagnostics. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "bm/ctx.h"
#include "bm/version.h"
#include "internal.h"

struct bm_ctx {
    bm_allocator alloc;
    bm_diag *diags;
    size_t n_diags, cap_diags;
    size_t n_errors, n_warnings;
    char **interned;
    size_t n_interned, cap_interned;
    char *errmsg; /* bm_ctx_errmsg's text */
    size_t error_limit;  /* errors kept; later ones only counted (0: all)  */
    size_t hidden;       /* errors counted but not kept                     */
    size_t hidden_note;  /* index + 1 of the "... and N more" note, or 0    */
    size_t input_limit;  /* bytes bm_read_file accepts (0: no limit)        */
};

static void *default_malloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void *default_realloc(void *user, void *ptr, size_t size)
{
    (void)user;
    return realloc(ptr, size);
}

static void default_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

const char *bm_version(void)
{
    return BM_VERSION_STRING;
}

unsigned bm_version_number(void)
{
    return BM_VERSION_NUMBER;
}

/* libxml2 must be initialised once, before two threads may use it; its own
 * xmlInitParser() is not safe to race (helgrind saw two threads reading
 * networks with their own contexts do so).  The library does it when it is
 * loaded, before main() and so before any thread of the program (a
 * constructor, in libbm.so and in libbm.a's one object alike), and
 * bm_ctx_new() makes sure of it, once, for a libbm loaded by dlopen() from
 * some thread.  Every reader needs a context. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void init_xml(void)
{
    xmlInitParser();
}

#if defined(__GNUC__)
__attribute__((constructor)) static void init_at_load(void)
{
    pthread_once(&xml_once, init_xml);
}
#endif

int bm_ctx_new(bm_ctx **out, const bm_allocator *allocator)
{
    if (!out)
        return BM_EINVAL;
    pthread_once(&xml_once, init_xml);
    *out = NULL;
    bm_allocator a = {default_malloc, default_realloc, default_free, NULL};
    if (allocator) {
        if (!allocator->malloc_fn || !allocator->realloc_fn || !allocator->free_fn)
            return BM_EINVAL;
        a = *allocator;
    }
    bm_ctx *ctx = a.malloc_fn(a.user, sizeof *ctx);
    if (!ctx)
        return BM_ENOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = a;
    ctx->error_limit = BM_ERROR_LIMIT_DEFAULT;
    ctx->input_limit = BM_INPUT_LIMIT_DEFAULT;
    *out = ctx;
    return BM_OK;
}

void bm_ctx_free(bm_ctx *ctx)
{
    if (!ctx)
        return;
    bm_ctx_clear_diags(ctx);
    bm_free(ctx, ctx->diags);
    bm_free(ctx, ctx->errmsg);
    for (size_t i = 0; i < ctx->n_interned; i++)
        bm_free(ctx, ctx->interned[i]);
    bm_free(ctx, ctx->interned);
    ctx->alloc.free_fn(ctx->alloc.user, ctx);
}

void *bm_malloc(bm_ctx *ctx, size_t size)
{
    return ctx->alloc.malloc_fn(ctx->alloc.user, size ? size : 1);
}

void *bm_calloc(bm_ctx *ctx, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = bm_malloc(ctx, count * size);
    if (p)
        memset(p, 0, (count * size) != 0 ? count * size : 1);
    return p;
}

void *bm_realloc(bm_ctx *ctx, void *ptr, size_t size)
{
    return ctx->alloc.realloc_fn(ctx->alloc.user, ptr, size ? size : 1);
}

void bm_free(bm_ctx *ctx, void *ptr)
{
    if (ptr)
        ctx->alloc.free_fn(ctx->alloc.user, ptr);
}

char *bm_strdup(bm_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bm_malloc(ctx, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int bm_grow(bm_ctx *ctx, void **array, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return BM_OK;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem_size)
            return bm_oom(ctx);
        n *= 2;
    }
    void *p = bm_realloc(ctx, *array, n * elem_size);
    if (!p)
        return bm_oom(ctx);
    *array = p;
    *cap = n;
    return BM_OK;
}

const char *bm_ctx_intern(bm_ctx *ctx, const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < ctx->n_interned; i++)
        if (strcmp(ctx->interned[i], s) == 0)
            return ctx->interned[i];
    if (bm_grow(ctx, (void **)&ctx->interned, &ctx->cap_interned, ctx->n_interned + 1,
                sizeof *ctx->interned))
        return NULL;
    char *d = bm_strdup(ctx, s);
    if (!d)
        return NULL;
    ctx->interned[ctx->n_interned++] = d;
    return d;
}

/* Past the error limit an error is only counted, and one note at the end
 * says how many were not kept: a million bad lines cost a counter, not a
 * million messages. */
static void hide_error(bm_ctx *ctx)
{
    ctx->n_errors++;
    ctx->hidden++;
    char text[96];
    snprintf(text, sizeof text, "... and %zu more error%s not shown", ctx->hidden,
             ctx->hidden == 1 ? "" : "s");
    if (ctx->hidden_note) {
        bm_diag *d = &ctx->diags[ctx->hidden_note - 1];
        char *msg = bm_strdup(ctx, text);
        if (msg) {
            bm_free(ctx, (void *)d->message);
            d->message = msg;
        }
        return;
    }
    char *msg = bm_strdup(ctx, text);
    if (!msg || bm_grow(ctx, (void **)&ctx->diags, &ctx->cap_diags, ctx->n_diags + 1,
                        sizeof *ctx->diags)) {
        bm_free(ctx, msg);
        return;
    }
    ctx->diags[ctx->n_diags].severity = BM_SEV_NOTE;
    ctx->diags[ctx->n_diags].loc = bm_loc_make(NULL, 0, 0);
    ctx->diags[ctx->n_diags].message = msg;
    ctx->hidden_note = ++ctx->n_diags;
}

int bm_diag_addv(bm_ctx *ctx, bm_severity sev, bm_loc loc, const char *fmt, va_list ap)
{
    int ret = sev == BM_SEV_ERROR ? BM_EPARSE : BM_OK;
    if (!ctx)
        return ret;
    if (sev == BM_SEV_ERROR && ctx->error_limit && ctx->n_errors >= ctx->error_limit) {
        hide_error(ctx);
        return ret;
    }
    char stack[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(stack, sizeof stack, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *msg = bm_malloc(ctx, (size_t)n + 1);
    if (!msg)
        return sev == BM_SEV_ERROR ? BM_ENOMEM : BM_OK;
    if ((size_t)n < sizeof stack)
        memcpy(msg, stack, (size_t)n + 1);
    else
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    if (loc.file)
        loc.file = bm_ctx_intern(ctx, loc.file);
    if (bm_grow(ctx, (void **)&ctx->diags, &ctx->cap_diags, ctx->n_diags + 1,
                sizeof *ctx->diags)) {
        bm_free(ctx, msg);
        return sev == BM_SEV_ERROR ? BM_ENOMEM : BM_OK;
    }
    ctx->diags[ctx->n_diags].severity = sev;
    ctx->diags[ctx->n_diags].loc = loc;
    ctx->diags[ctx->n_diags].message = msg;
    ctx->n_diags++;
    if (sev == BM_SEV_ERROR)
        ctx->n_errors++;
    else if (sev == BM_SEV_WARNING)
        ctx->n_warnings++;
    return ret;
}

int bm_diag_add(bm_ctx *ctx, bm_severity sev, bm_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = bm_diag_addv(ctx, sev, loc, fmt, ap);
    va_end(ap);
    return r;
}

int bm_oom(bm_ctx *ctx)
{
    /* Best effort: recording may itself fail, which loses only the text. */
    bm_diag_add(ctx, BM_SEV_ERROR, bm_loc_make(NULL, 0, 0), "out of memory");
    return BM_ENOMEM;
}

bm_loc bm_loc_make(const char *file, unsigned line, unsigned column)
{
    bm_loc l = {file, line, column};
    return l;
}

size_t bm_ctx_diag_count(const bm_ctx *ctx)
{
    return ctx ? ctx->n_diags : 0;
}

const bm_diag *bm_ctx_diag(const bm_ctx *ctx, size_t i)
{
    return ctx && i < ctx->n_diags ? &ctx->diags[i] : NULL;
}

size_t bm_ctx_error_count(const bm_ctx *ctx)
{
    return ctx ? ctx->n_errors : 0;
}

size_t bm_ctx_warning_count(const bm_ctx *ctx)
{
    return ctx ? ctx->n_warnings : 0;
}

void bm_ctx_clear_diags(bm_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_diags; i++)
        bm_free(ctx, (void *)ctx->diags[i].message);
    ctx->n_diags = ctx->n_errors = ctx->n_warnings = 0;
    ctx->hidden = ctx->hidden_note = 0;
}

void bm_ctx_set_error_limit(bm_ctx *ctx, size_t errors)
{
    if (ctx)
        ctx->error_limit = errors;
}

void bm_ctx_set_input_limit(bm_ctx *ctx, size_t bytes)
{
    if (ctx)
        ctx->input_limit = bytes;
}

size_t bm_ctx_input_limit(const bm_ctx *ctx)
{
    return ctx ? ctx->input_limit : 0;
}

const char *bm_ctx_errmsg(bm_ctx *ctx)
{
    if (!ctx)
        return "";
    const bm_diag *last = NULL;
    for (size_t i = ctx->n_diags; i-- > 0 && !last;)
        if (ctx->diags[i].severity == BM_SEV_ERROR)
            last = &ctx->diags[i];
    if (!last)
        return "";
    int n = bm_diag_format(NULL, 0, last);
    char *text = n >= 0 ? bm_realloc(ctx, ctx->errmsg, (size_t)n + 1) : NULL;
    if (!text)
        return last->message; /* without its location, rather than nothing */
    ctx->errmsg = text;
    bm_diag_format(text, (size_t)n + 1, last);
    return text;
}

int bm_diag_format(char *buf, size_t size, const bm_diag *d)
{
    static const char *const sev[] = {"note", "warning", "error"};
    const char *file = d->loc.file ? d->loc.file : "";
    const char *s = (unsigned)d->severity <= BM_SEV_ERROR ? sev[d->severity] : "error";
    if (d->loc.file && d->loc.line && d->loc.column)
        return snprintf(buf, size, "%s:%u:%u: %s: %s", file, d->loc.line, d->loc.column, s,
                        d->message);
    if (d->loc.file && d->loc.line)
        return snprintf(buf, size, "%s:%u: %s: %s", file, d->loc.line, s, d->message);
    if (d->loc.file)
        return snprintf(buf, size, "%s: %s: %s", file, s, d->message);
    return snprintf(buf, size, "%s: %s", s, d->message);
}

const char *bm_strerror(int code)
{
    switch (code) {
    case BM_OK: return "success";
    case BM_ENOMEM: return "out of memory";
    case BM_EINVAL: return "invalid argument";
    case BM_EIO: return "input/output error";
    case BM_EPARSE: return "malformed input";
    case BM_EINVALID: return "input breaks a rule";
    case BM_ERANGE: return "value out of range";
    case BM_ENOTFOUND: return "not found";
    case BM_EEXISTS: return "already exists";
    case BM_ETOOL: return "external tool failed";
    default: return "unknown error";
    }
}

void bm_buffer_free(bm_ctx *ctx, void *buf)
{
    if (ctx && buf)
        bm_free(ctx, buf);
}
