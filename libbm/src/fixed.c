/* Fixed-point numbers (the rules are in bm/fixed.h and docs/numbers.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "bm/fixed.h"
#include "internal.h"

int bm_fixed_type_check(bm_fixed_type t)
{
    return t.total >= 2 && t.total <= 64 && t.frac < t.total ? BM_OK : BM_EINVAL;
}

int64_t bm_fixed_min(bm_fixed_type t)
{
    return t.total >= 64 ? INT64_MIN : -((int64_t)1 << (t.total - 1));
}

int64_t bm_fixed_max(bm_fixed_type t)
{
    return t.total >= 64 ? INT64_MAX : ((int64_t)1 << (t.total - 1)) - 1;
}

int64_t bm_fixed_wrap(int64_t v, bm_fixed_type t)
{
    if (t.total >= 64)
        return v;
    uint64_t m = bm_mask(t.total);
    uint64_t sign = UINT64_C(1) << (t.total - 1);
    uint64_t u = (uint64_t)v & m;
    return (int64_t)((u ^ sign) - sign);
}

int64_t bm_fixed_add(int64_t a, int64_t b, bm_fixed_type t)
{
    return bm_fixed_wrap((int64_t)((uint64_t)a + (uint64_t)b), t);
}

int64_t bm_fixed_sub(int64_t a, int64_t b, bm_fixed_type t)
{
    return bm_fixed_wrap((int64_t)((uint64_t)a - (uint64_t)b), t);
}

int64_t bm_fixed_neg(int64_t a, bm_fixed_type t)
{
    return bm_fixed_wrap((int64_t)(0 - (uint64_t)a), t);
}

int64_t bm_fixed_mul(int64_t a, int64_t b, bm_fixed_type t)
{
    /* The exact product needs up to 128 bits; shift with floor rounding. */
    __int128 p = (__int128)a * (__int128)b;
    __int128 q = p >= 0 ? p >> t.frac : -((-p + (((__int128)1 << t.frac) - 1)) >> t.frac);
    return bm_fixed_wrap((int64_t)(uint64_t)(unsigned __int128)q, t);
}

int64_t bm_sign_extend(uint64_t value, unsigned width)
{
    if (width < 1 || width > 64)
        return 0;
    if (width == 64)
        return (int64_t)value;
    uint64_t m = UINT64_C(1) << (width - 1);
    value &= (m << 1) - 1;
    return (int64_t)((value ^ m) - m);
}

double bm_fixed_to_double(int64_t raw, bm_fixed_type t)
{
    double v = (double)raw;
    for (unsigned i = 0; i < t.frac; i++)
        v /= 2.0;
    return v;
}

int bm_fixed_format(char *buf, size_t size, int64_t raw, bm_fixed_type t)
{
    /* raw / 2^frac has a finite decimal expansion of at most frac digits. */
    mpz_t num, ip, fp, scale;
    mpz_inits(num, ip, fp, scale, NULL);
    mpz_set_si(num, 0);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)raw);
    mpz_set_str(num, tmp, 10);
    int neg = mpz_sgn(num) < 0;
    mpz_abs(num, num);
    mpz_fdiv_q_2exp(ip, num, t.frac);
    mpz_fdiv_r_2exp(fp, num, t.frac);
    /* fraction digits: fp * 10^frac / 2^frac = fp * 5^frac */
    mpz_ui_pow_ui(scale, 5, t.frac);
    mpz_mul(fp, fp, scale);
    char *is = mpz_get_str(NULL, 10, ip);
    char *fs = mpz_get_str(NULL, 10, fp);
    char frac_digits[80] = "";
    if (mpz_sgn(fp) != 0) {
        size_t fl = strlen(fs);
        size_t pad = t.frac > fl ? t.frac - fl : 0;
        memset(frac_digits, '0', pad);
        memcpy(frac_digits + pad, fs, fl + 1);
        size_t n = strlen(frac_digits);
        while (n > 1 && frac_digits[n - 1] == '0')
            frac_digits[--n] = '\0';
    }
    int r = snprintf(buf, size, "%s%s%s%s", neg ? "-" : "", is, frac_digits[0] ? "." : "",
                     frac_digits);
    void (*gmp_free)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &gmp_free);
    gmp_free(is, strlen(is) + 1);
    gmp_free(fs, strlen(fs) + 1);
    mpz_clears(num, ip, fp, scale, NULL);
    return r;
}

/* Parses the decimal text into an exact rational.  Accepts an optional
 * sign, digits with an optional point, an optional exponent, or 0x hex. */
static int parse_rational(const char *text, mpq_t out)
{
    const char *p = text;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    mpz_t num, den;
    mpz_inits(num, den, NULL);
    mpz_set_ui(den, 1);
    int ok = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
        const char *q = p + 2;
        while (isxdigit((unsigned char)*q))
            q++;
        if (*q == '\0') {
            ok = mpz_set_str(num, p + 2, 16) == 0;
        }
    } else {
        char digits[4096];
        size_t nd = 0;
        long exp10 = 0;
        int seen_digit = 0, seen_point = 0;
        for (; *p && nd < sizeof digits - 1; p++) {
            if (isdigit((unsigned char)*p)) {
                digits[nd++] = *p;
                seen_digit = 1;
                if (seen_point)
                    exp10--;
            } else if (*p == '.' && !seen_point) {
                seen_point = 1;
            } else {
                break;
            }
        }
        digits[nd] = '\0';
        ok = seen_digit;
        if (ok && (*p == 'e' || *p == 'E')) {
            char *end;
            long e = strtol(p + 1, &end, 10);
            if (end == p + 1 || e > 4000 || e < -4000)
                ok = 0;
            else
                exp10 += e;
            p = end;
        }
        if (ok && *p != '\0')
            ok = 0;
        if (ok) {
            mpz_set_str(num, digits, 10);
            mpz_t pw;
            mpz_init(pw);
            mpz_ui_pow_ui(pw, 10, (unsigned long)(exp10 < 0 ? -exp10 : exp10));
            if (exp10 < 0)
                mpz_mul(den, den, pw);
            else
                mpz_mul(num, num, pw);
            mpz_clear(pw);
        }
    }
    if (ok) {
        if (neg)
            mpz_neg(num, num);
        mpq_set_num(out, num);
        mpq_set_den(out, den);
        mpq_canonicalize(out);
    }
    mpz_clears(num, den, NULL);
    return ok ? 0 : -1;
}

/* Rounds q * 2^frac half to even into *raw (q is cleared): BM_ERANGE,
 * recorded at loc naming `text`, when it does not fit the type. */
static int quantise(bm_ctx *ctx, mpq_t q, const char *text, bm_fixed_type t, bm_loc loc,
                    int64_t *raw)
{
    /* scaled = q * 2^frac, then round half to even. */
    mpq_mul_2exp(q, q, t.frac);
    mpz_t fl, rem, twice;
    mpz_inits(fl, rem, twice, NULL);
    mpz_fdiv_qr(fl, rem, mpq_numref(q), mpq_denref(q));
    mpz_mul_2exp(twice, rem, 1);
    int cmp = mpz_cmp(twice, mpq_denref(q));
    if (cmp > 0 || (cmp == 0 && mpz_odd_p(fl)))
        mpz_add_ui(fl, fl, 1);
    int rc = BM_OK;
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%lld", (long long)bm_fixed_min(t));
    snprintf(hi, sizeof hi, "%lld", (long long)bm_fixed_max(t));
    mpz_t zlo, zhi;
    mpz_init_set_str(zlo, lo, 10);
    mpz_init_set_str(zhi, hi, 10);
    if (mpz_cmp(fl, zlo) < 0 || mpz_cmp(fl, zhi) > 0) {
        char a[64], b[64];
        bm_fixed_format(a, sizeof a, bm_fixed_min(t), t);
        bm_fixed_format(b, sizeof b, bm_fixed_max(t), t);
        bm_error(ctx, loc, "constant %s does not fit fixed<%u,%u> (range %s .. %s)", text, t.total,
                 t.total - t.frac, a, b);
        rc = BM_ERANGE;
    } else {
        char *s = mpz_get_str(NULL, 10, fl);
        *raw = strtoll(s, NULL, 10);
        void (*gmp_free)(void *, size_t);
        mp_get_memory_functions(NULL, NULL, &gmp_free);
        gmp_free(s, strlen(s) + 1);
    }
    mpz_clears(fl, rem, twice, zlo, zhi, NULL);
    mpq_clear(q);
    return rc;
}

static int bad_type(bm_ctx *ctx, bm_fixed_type t, bm_loc loc)
{
    bm_error(ctx, loc, "bad fixed-point type: %u total bits, %u fraction bits", t.total, t.frac);
    return BM_EINVAL;
}

int bm_fixed_parse(bm_ctx *ctx, const char *text, bm_fixed_type t, bm_loc loc, int64_t *raw)
{
    if (bm_fixed_type_check(t))
        return bad_type(ctx, t, loc);
    mpq_t q;
    mpq_init(q);
    if (parse_rational(text, q)) {
        mpq_clear(q);
        return bm_error(ctx, loc, "malformed number '%s'", text);
    }
    return quantise(ctx, q, text, t, loc, raw);
}

int bm_fixed_from_double(bm_ctx *ctx, double value, bm_fixed_type t, int64_t *raw)
{
    bm_loc nowhere = {NULL, 0, 0};
    if (bm_fixed_type_check(t))
        return bad_type(ctx, t, nowhere);
    char text[40];
    snprintf(text, sizeof text, "%.17g", value);
    if (value != value || value - value != 0) {
        bm_error(ctx, nowhere, "bm_fixed_from_double: %s is not a number", text);
        return BM_ERANGE;
    }
    mpq_t q;
    mpq_init(q);
    mpq_set_d(q, value); /* exact: a double is a dyadic rational */
    return quantise(ctx, q, text, t, nowhere, raw);
}
