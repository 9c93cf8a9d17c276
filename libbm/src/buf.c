/* Growable text buffer and whole-file helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

void bm_buf_init(bm_buf *b, bm_ctx *ctx)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
}

void bm_buf_free(bm_buf *b)
{
    bm_free(b->ctx, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void bm_buf_append(bm_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (bm_grow(b->ctx, (void **)&b->data, &b->cap, b->len + n + 1, 1)) {
        b->failed = 1;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bm_buf_puts(bm_buf *b, const char *s)
{
    bm_buf_append(b, s, strlen(s));
}

void bm_buf_printf(bm_buf *b, const char *fmt, ...)
{
    char stack[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack, sizeof stack, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof stack) {
        bm_buf_append(b, stack, (size_t)n);
        return;
    }
    char *heap = bm_malloc(b->ctx, (size_t)n + 1);
    if (!heap) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(heap, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bm_buf_append(b, heap, (size_t)n);
    bm_free(b->ctx, heap);
}

char *bm_buf_take(bm_buf *b, size_t *len)
{
    if (b->failed) {
        bm_buf_free(b);
        return NULL;
    }
    if (!b->data)
        bm_buf_append(b, "", 0);
    if (b->failed)
        return NULL;
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

int bm_write_file_atomic(bm_ctx *ctx, const char *path, const char *data, size_t len)
{
    bm_outfile f;
    int rc = bm_outfile_open(ctx, &f, path, 0);
    if (rc)
        return rc;
    rc = bm_outfile_write(ctx, &f, data, len);
    if (rc) {
        bm_outfile_discard(ctx, &f);
        return rc;
    }
    return bm_outfile_commit(ctx, &f);
}

int bm_read_file(bm_ctx *ctx, const char *path, char **out, size_t *len)
{
    *out = NULL;
    bm_loc where = bm_loc_make(path, 0, 0);
    FILE *f = fopen(path, "rb");
    if (!f) {
        bm_error(ctx, where, "cannot open: %s", strerror(errno));
        return BM_EIO;
    }
    bm_buf b;
    bm_buf_init(&b, ctx);
    char chunk[65536];
    size_t got, limit = bm_ctx_input_limit(ctx);
    int too_large = 0;
    /* Stops at the first failed allocation and past the input limit, so an
     * endless file (/dev/zero) ends with a message, not an exhausted host. */
    while (!b.failed && !too_large && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        bm_buf_append(&b, chunk, got);
        too_large = limit && b.len > limit;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (too_large) {
        bm_buf_free(&b);
        bm_error(ctx, where,
                 "input larger than %zu bytes, the limit (bm_ctx_set_input_limit; bmc: "
                 "BMC_INPUT_LIMIT)", limit);
        return BM_ERANGE;
    }
    if (err) {
        bm_buf_free(&b);
        bm_error(ctx, where, "cannot read: %s", strerror(err));
        return BM_EIO;
    }
    *out = bm_buf_take(&b, len);
    return *out ? BM_OK : bm_oom(ctx);
}
