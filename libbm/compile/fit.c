/* Does an estimate fit a device's budget (bm_device_fit, bm/area.h)?  One
 * error per exceeded resource, with the need, the budget, the ratio and the
 * excess, numbers grouped by thousands so that they read at a glance. */
#include <stdio.h>

#include "bm/area.h"
#include "internal.h"

/* 43675 -> "43,675" */
static void grouped(char *buf, size_t size, uint64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static int check(bm_ctx *ctx, bm_loc loc, const char *what, const bm_device *d, uint64_t need,
                 uint64_t have, const char *unit)
{
    if (need <= have)
        return 0;
    char n[32], h[32], over[32];
    grouped(n, sizeof n, need);
    grouped(h, sizeof h, have);
    grouped(over, sizeof over, need - have);
    if (have == 0)
        bm_error(ctx, loc, "%s needs %s %s but %s has none", what, n, unit, d->name);
    else
        bm_error(ctx, loc, "%s needs %s %s but %s has %s (%.1f times, %s over)", what, n, unit,
                 d->name, h, (double)need / (double)have, over);
    return 1;
}

int bm_device_fit(const bm_area *est, const bm_device *d, bm_ctx *ctx, const char *what, bm_loc loc)
{
    if (!est || !d || !ctx)
        return BM_EINVAL;
    if (!what)
        what = "the design";
    int over = 0;
    over += check(ctx, loc, what, d, est->lut, d->lut, d->lut_name);
    over += check(ctx, loc, what, d, est->ff, d->ff, "flip-flops");
    over += check(ctx, loc, what, d, est->dsp, d->dsp, d->dsp_name);
    over += check(ctx, loc, what, d, est->bram, d->bram, d->bram_name);
    over += check(ctx, loc, what, d, est->lutram, d->lutram, "LUT-RAM LUTs");
    return over ? BM_ERANGE : BM_OK;
}
