/* Helpers shared by the Criterion suites (header-only, static). */
#ifndef BM_TEST_HELPERS_H
#define BM_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bm.h"

/* The i-th diagnostic of ctx formatted like bmc prints it, in a static
 * buffer (one at a time). */
static inline const char *diag_text(const bm_ctx *ctx, size_t i)
{
    static char buf[1024];
    const bm_diag *d = bm_ctx_diag(ctx, i);
    if (!d)
        return "(no such diagnostic)";
    bm_diag_format(buf, sizeof buf, d);
    return buf;
}

/* Every diagnostic of ctx, one per line, in a malloc'd string. */
static inline char *all_diags(const bm_ctx *ctx)
{
    size_t cap = 1, len = 0;
    char *s = calloc(1, 1);
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        const char *t = diag_text(ctx, i);
        size_t n = strlen(t);
        cap = len + n + 2;
        s = realloc(s, cap);
        cr_assert_not_null(s);
        memcpy(s + len, t, n);
        len += n;
        s[len++] = '\n';
        s[len] = '\0';
    }
    return s;
}

/* Asserts that the diagnostics of ctx are exactly `expected` (lines joined
 * with '\n', each ending with '\n'; "" for none). */
#define assert_diags(ctx, expected)                                                   \
    do {                                                                              \
        char *got_ = all_diags(ctx);                                                  \
        cr_expect_str_eq(got_, (expected), "diagnostics differ:\n--- got\n%s--- want\n%s", \
                         got_, (expected));                                           \
        free(got_);                                                                   \
    } while (0)

/* Reads a whole file into a malloc'd NUL-terminated buffer (NULL if it
 * cannot be read). */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static inline void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    cr_assert_eq(fclose(f), 0);
}

#endif
