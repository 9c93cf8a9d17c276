/* Fixed-point numbers (bm/fixed.h, docs/numbers.md): exact conversion of
 * decimal constants, round half to even, range errors, wrapping
 * arithmetic, floor products and exact formatting. */
#include <criterion/criterion.h>
#include <string.h>

#include "bm.h"

static const bm_fixed_type q16_10 = {16, 10}; /* ap_fixed<16,6>, the default */
static const bm_fixed_type q8_0 = {8, 0};
static const bm_fixed_type q64_0 = {64, 0};
static const bm_fixed_type q64_63 = {64, 63};

static int64_t parse_ok(const char *text, bm_fixed_type t)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    int64_t raw = 12345;
    int rc = bm_fixed_parse(ctx, text, t, (bm_loc){"t", 1, 1}, &raw);
    cr_assert_eq(rc, 0, "'%s' in <%u,%u> failed: %s", text, t.total, t.frac,
                 bm_ctx_diag_count(ctx) ? bm_ctx_diag(ctx, 0)->message : "?");
    cr_assert_eq(bm_ctx_diag_count(ctx), 0);
    bm_ctx_free(ctx);
    return raw;
}

/* Parsing must fail with exactly this message (NULL: any). */
/* Expects BM_ERANGE for a value outside the type, BM_EPARSE otherwise. */
static void parse_fails_with(int want, const char *text, bm_fixed_type t, const char *message)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    int64_t raw = 12345;
    int rc = bm_fixed_parse(ctx, text, t, (bm_loc){"t", 3, 7}, &raw);
    cr_expect_eq(rc, want, "'%s' in <%u,%u>: %d (%s), not %d", text, t.total, t.frac, rc,
                 bm_strerror(rc), want);
    cr_expect_eq(raw, 12345, "'%s': the output was written", text);
    cr_assert_eq(bm_ctx_error_count(ctx), 1);
    const bm_diag *d = bm_ctx_diag(ctx, 0);
    cr_expect_eq(d->loc.line, 3);
    cr_expect_eq(d->loc.column, 7);
    if (message)
        cr_expect_str_eq(d->message, message);
    bm_ctx_free(ctx);
}

static void parse_fails(const char *text, bm_fixed_type t, const char *message)
{
    parse_fails_with(BM_EPARSE, text, t, message);
}

static void out_of_range(const char *text, bm_fixed_type t, const char *message)
{
    parse_fails_with(BM_ERANGE, text, t, message);
}

Test(fixed, types)
{
    cr_expect_eq(bm_fixed_type_check(q16_10), 0);
    cr_expect_eq(bm_fixed_type_check((bm_fixed_type){BM_FIXED_DEFAULT_TOTAL, BM_FIXED_DEFAULT_FRAC}), 0);
    cr_expect_eq(bm_fixed_type_check((bm_fixed_type){2, 1}), 0);
    cr_expect_eq(bm_fixed_type_check(q64_63), 0);
    cr_expect_eq(bm_fixed_type_check((bm_fixed_type){1, 0}), BM_EINVAL);
    cr_expect_eq(bm_fixed_type_check((bm_fixed_type){65, 0}), BM_EINVAL);
    cr_expect_eq(bm_fixed_type_check((bm_fixed_type){16, 16}), BM_EINVAL);
    int64_t raw;
    cr_expect_eq(bm_fixed_parse(NULL, "1", (bm_fixed_type){8, 8}, (bm_loc){NULL, 0, 0}, &raw),
                 BM_EINVAL);
    cr_expect_eq(bm_fixed_min(q16_10), -32768);
    cr_expect_eq(bm_fixed_max(q16_10), 32767);
    cr_expect_eq(bm_fixed_min(q64_0), INT64_MIN);
    cr_expect_eq(bm_fixed_max(q64_0), INT64_MAX);
}

Test(fixed, exact_conversions)
{
    cr_expect_eq(parse_ok("0", q16_10), 0);
    cr_expect_eq(parse_ok("1", q16_10), 1024);
    cr_expect_eq(parse_ok("1.25", q16_10), 1280);
    cr_expect_eq(parse_ok("-1.25", q16_10), -1280);
    cr_expect_eq(parse_ok("+0.5", q16_10), 512);
    cr_expect_eq(parse_ok(".5", q16_10), 512);
    cr_expect_eq(parse_ok("3.", q16_10), 3072);
    cr_expect_eq(parse_ok("0.0009765625", q16_10), 1); /* 2^-10 */
    cr_expect_eq(parse_ok("-0.0009765625", q16_10), -1);
    cr_expect_eq(parse_ok("31.9990234375", q16_10), 32767);
    cr_expect_eq(parse_ok("-32", q16_10), -32768);
    cr_expect_eq(parse_ok("0x1f", q16_10), 31 * 1024);
    cr_expect_eq(parse_ok("-0x10", q16_10), -16 * 1024);
    cr_expect_eq(parse_ok("125e-3", q16_10), 128);
    cr_expect_eq(parse_ok("0.3125E+1", q16_10), 3200);
    /* 0.1 is not a binary fraction: 102.4 rounds to 102, the nearest. */
    cr_expect_eq(parse_ok("0.1", q16_10), 102);
    cr_expect_eq(parse_ok("-0.1", q16_10), -102);
    /* Exact with many digits: 2/3 * 1024 = 682.66.. -> 683. */
    cr_expect_eq(parse_ok("0.66666666666666666666666666666666666666666", q16_10), 683);
    cr_expect_eq(parse_ok("-9223372036854775808", q64_0), INT64_MIN);
    cr_expect_eq(parse_ok("9223372036854775807", q64_0), INT64_MAX);
    cr_expect_eq(parse_ok("-1", q64_63), INT64_MIN);
    cr_expect_eq(parse_ok("0.5", q64_63), INT64_C(1) << 62);
    cr_expect_eq(parse_ok("1e-4000", q16_10), 0);
}

Test(fixed, ties_round_to_even)
{
    cr_expect_eq(parse_ok("0.5", q8_0), 0);
    cr_expect_eq(parse_ok("1.5", q8_0), 2);
    cr_expect_eq(parse_ok("2.5", q8_0), 2);
    cr_expect_eq(parse_ok("3.5", q8_0), 4);
    cr_expect_eq(parse_ok("-0.5", q8_0), 0);
    cr_expect_eq(parse_ok("-1.5", q8_0), -2);
    cr_expect_eq(parse_ok("-2.5", q8_0), -2);
    /* Not ties: nearest. */
    cr_expect_eq(parse_ok("2.5000001", q8_0), 3);
    cr_expect_eq(parse_ok("-2.5000001", q8_0), -3);
    cr_expect_eq(parse_ok("2.4999999", q8_0), 2);
    /* Half a step of <16,10> is 2^-11 = 0.00048828125. */
    cr_expect_eq(parse_ok("0.00048828125", q16_10), 0);
    cr_expect_eq(parse_ok("0.00146484375", q16_10), 2);
    cr_expect_eq(parse_ok("-0.00146484375", q16_10), -2);
}

Test(fixed, range_errors)
{
    out_of_range("32", q16_10,
                "constant 32 does not fit fixed<16,6> (range -32 .. 31.9990234375)");
    out_of_range("-32.0009765625", q16_10, NULL);
    out_of_range("1e9", q16_10, "constant 1e9 does not fit fixed<16,6> (range -32 .. 31.9990234375)");
    out_of_range("128", q8_0, "constant 128 does not fit fixed<8,8> (range -128 .. 127)");
    out_of_range("1e4000", q16_10, NULL);
    out_of_range("9223372036854775808", q64_0, NULL);
    out_of_range("1", q64_63, NULL);
    /* Rounding decides: 32767.5 raw ties to 32768, which is out of range;
     * -32768.5 ties to -32768, which is in range. */
    out_of_range("31.99951171875", q16_10, NULL);
    cr_expect_eq(parse_ok("-32.00048828125", q16_10), -32768);
    /* 127.4 rounds down into range. */
    cr_expect_eq(parse_ok("127.4", q8_0), 127);
}

Test(fixed, malformed)
{
    static const char *const bad[] = {"", "-", ".", "abc", "1.2.3", "1e", "1e+", "--1", " 1",
                                      "1 ", "0x", "0x1g", "0x1.8", "1_000", "1e99999999999", "NaN"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_fails(bad[i], q16_10, NULL);
    parse_fails("1.2.3", q16_10, "malformed number '1.2.3'");
}

Test(fixed, arithmetic_wraps)
{
    cr_expect_eq(bm_fixed_add(32767, 1, q16_10), -32768);
    cr_expect_eq(bm_fixed_sub(-32768, 1, q16_10), 32767);
    cr_expect_eq(bm_fixed_neg(-32768, q16_10), -32768);
    cr_expect_eq(bm_fixed_neg(5, q16_10), -5);
    cr_expect_eq(bm_fixed_wrap(65535, q16_10), -1);
    cr_expect_eq(bm_fixed_wrap(65536 + 7, q16_10), 7);
    cr_expect_eq(bm_fixed_add(INT64_MAX, 1, q64_0), INT64_MIN);
    cr_expect_eq(bm_fixed_wrap(-1, q64_0), -1);
}

Test(fixed, products_floor)
{
    /* 1.5 * 1.5 = 2.25 exactly. */
    cr_expect_eq(bm_fixed_mul(1536, 1536, q16_10), 2304);
    /* -1.0 * 1.5 = -1.5 exactly. */
    cr_expect_eq(bm_fixed_mul(-1024, 1536, q16_10), -1536);
    /* 2^-10 * 0.5 = 2^-11: floor gives 0; -2^-11 floors to -2^-10. */
    cr_expect_eq(bm_fixed_mul(1, 512, q16_10), 0);
    cr_expect_eq(bm_fixed_mul(-1, 512, q16_10), -1);
    cr_expect_eq(bm_fixed_mul(512, -1, q16_10), -1);
    cr_expect_eq(bm_fixed_mul(-1, -512, q16_10), 0);
    /* 3 raw * 0.3 (307 raw): 921 / 1024 = 0.899.. -> 0; negated -> -1. */
    cr_expect_eq(bm_fixed_mul(3, 307, q16_10), 0);
    cr_expect_eq(bm_fixed_mul(-3, 307, q16_10), -1);
    /* 31 * 31 = 961 wraps modulo 64 (961 = 15 * 64 + 1). */
    cr_expect_eq(bm_fixed_mul(31 * 1024, 31 * 1024, q16_10), 1024);
    /* Full 128-bit product before the shift. */
    cr_expect_eq(bm_fixed_mul(INT64_MIN, INT64_MIN, q64_63), INT64_MIN);
    cr_expect_eq(bm_fixed_mul(INT64_C(1) << 62, INT64_C(1) << 62, q64_63), INT64_C(1) << 61);
    cr_expect_eq(bm_fixed_mul(-3, 5, q8_0), -15);
}

static void expect_format(int64_t raw, bm_fixed_type t, const char *want)
{
    char buf[96];
    int n = bm_fixed_format(buf, sizeof buf, raw, t);
    cr_expect_str_eq(buf, want);
    cr_expect_eq(n, (int)strlen(want));
}

Test(fixed, format_is_exact)
{
    expect_format(0, q16_10, "0");
    expect_format(1280, q16_10, "1.25");
    expect_format(-1280, q16_10, "-1.25");
    expect_format(1, q16_10, "0.0009765625");
    expect_format(-1, q16_10, "-0.0009765625");
    expect_format(32767, q16_10, "31.9990234375");
    expect_format(-32768, q16_10, "-32");
    expect_format(102, q16_10, "0.099609375");
    expect_format(-128, q8_0, "-128");
    expect_format(INT64_MIN, q64_0, "-9223372036854775808");
    expect_format(INT64_MIN, q64_63, "-1");
    expect_format(1, q64_63, "0.000000000000000000108420217248550443400745280086994171142578125");
    /* Too small a buffer: truncated, but the full length is returned. */
    char small[4];
    cr_expect_eq(bm_fixed_format(small, sizeof small, -1280, q16_10), 5);
    cr_expect_str_eq(small, "-1.");
    /* format -> parse is the identity. */
    for (int64_t raw = -32768; raw <= 32767; raw += 97) {
        char buf[64];
        bm_fixed_format(buf, sizeof buf, raw, q16_10);
        cr_expect_eq(parse_ok(buf, q16_10), raw, "%s", buf);
    }
    cr_expect_eq(bm_fixed_to_double(-1280, q16_10), -1.25);
    cr_expect_eq(bm_fixed_to_double(1, q64_63), 0x1p-63);
}

Test(fixed, from_double_rounds_like_the_parser)
{
    int64_t raw = 0;
    cr_expect_eq(bm_fixed_from_double(NULL, 1.5, q16_10, &raw), 0);
    cr_expect_eq(raw, 1536);
    cr_expect_eq(bm_fixed_from_double(NULL, -1.25, q16_10, &raw), 0);
    cr_expect_eq(raw, -1280);
    /* Ties to even, as "0.00146484375" (1.5 raw) and 2.5 raw parse. */
    cr_expect_eq(bm_fixed_from_double(NULL, 1.5 / 1024, q16_10, &raw), 0);
    cr_expect_eq(raw, 2);
    cr_expect_eq(bm_fixed_from_double(NULL, 2.5 / 1024, q16_10, &raw), 0);
    cr_expect_eq(raw, 2);
    cr_expect_eq(bm_fixed_from_double(NULL, 0.1, q16_10, &raw), 0);
    cr_expect_eq(raw, parse_ok("0.1", q16_10));
    for (int64_t r = -32768; r < 32768; r += 97) {
        cr_expect_eq(bm_fixed_from_double(NULL, bm_fixed_to_double(r, q16_10), q16_10, &raw), 0);
        cr_expect_eq(raw, r);
    }
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    raw = 7;
    cr_expect_eq(bm_fixed_from_double(ctx, 32.0, q16_10, &raw), BM_ERANGE);
    cr_expect_eq(bm_fixed_from_double(ctx, 1e300, q16_10, &raw), BM_ERANGE);
    cr_expect_eq(bm_fixed_from_double(ctx, 0.0 / 0.0, q16_10, &raw), BM_ERANGE);
    cr_expect_eq(raw, 7, "nothing written on failure");
    cr_expect_eq(bm_ctx_error_count(ctx), 3);
    cr_expect_str_eq(bm_ctx_diag(ctx, 0)->message,
                     "constant 32 does not fit fixed<16,6> (range -32 .. 31.9990234375)");
    bm_ctx_free(ctx);
}

Test(fixed, sign_extend_a_transfer_value)
{
    cr_expect_eq(bm_sign_extend(0xff, 8), -1);
    cr_expect_eq(bm_sign_extend(0x7f, 8), 127);
    cr_expect_eq(bm_sign_extend(0x80, 8), -128);
    cr_expect_eq(bm_sign_extend(63723, 16), -1813); /* issue 11's bmc sim example */
    cr_expect_eq(bm_sign_extend(0x1ff, 8), -1, "bits above the width are ignored");
    cr_expect_eq(bm_sign_extend(1, 1), -1);
    cr_expect_eq(bm_sign_extend(UINT64_MAX, 64), -1);
    cr_expect_eq(bm_sign_extend(5, 0), 0);
    cr_expect_eq(bm_sign_extend(5, 65), 0);
}
