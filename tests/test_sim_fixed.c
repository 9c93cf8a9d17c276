/* Semantics of the signed and fixed-point opcodes (neg, relu, min, max,
 * mulfx, mulfxi, macfx, macfxi, inmacfx, pkmacfx) in the simulator, at several widths
 * and fraction counts.  Expectations are computed here from the definitions
 * in docs/isa.md with plain integer arithmetic (division rounded toward
 * minus infinity by hand), not with the library's ALU. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bm.h"
#include "sim_helpers.h"

static uint64_t maskw(unsigned w)
{
    return w == 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1;
}

static __int128 sv(uint64_t v, unsigned w)
{
    if (w < 64 && ((v >> (w - 1)) & 1))
        return (__int128)(int64_t)(v | ~maskw(w));
    return (__int128)(int64_t)v;
}

/* floor(a / 2^f) without shifts: C division truncates toward zero. */
static __int128 floor_div(__int128 a, unsigned f)
{
    __int128 d = (__int128)1 << f;
    __int128 q = a / d;
    if (a % d != 0 && a < 0)
        q -= 1;
    return q;
}

static uint64_t wrap(__int128 v, unsigned w)
{
    return (uint64_t)(unsigned __int128)v & maskw(w);
}

static const unsigned widths[] = {2, 5, 8, 12, 16, 32, 33, 64};

/* Runs prog (reading two inputs per result when two_inputs) at width w with
 * frac f over all value pairs and checks each result. */
static void run_case(unsigned w, unsigned f, const char *const *prog, unsigned n,
                     int two_inputs, uint64_t (*expect)(uint64_t, uint64_t, unsigned, unsigned),
                     const char *what)
{
    uint64_t m = maskw(w), sign = UINT64_C(1) << (w - 1);
    uint64_t cand[] = {0, 1, 2, 3, m, m - 1, sign, sign - 1, sign + 1, (m / 3) & m,
                       UINT64_C(0xA5A5A5A5A5A5A5A5) & m};
    size_t nc = sizeof cand / sizeof cand[0];
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *mach = simt_one_core(ctx, w, 0, prog, n);
    bm_core *c = bm_machine_core(mach, 0);
    bm_core_params p = *bm_core_get_params(c);
    p.frac = f;
    cr_assert_eq(bm_core_set_params(c, &p), 0);
    cr_assert_eq(bm_machine_validate(mach), 0, "%s", simt_diags(ctx));
    bm_sim *sim = simt_sim(mach);
    uint64_t want[128];
    size_t k = 0;
    for (size_t i = 0; i < nc; i++)
        for (size_t j = 0; j < (two_inputs ? nc : 1); j++) {
            cr_assert_eq(bm_sim_push_input(sim, 0, cand[i] & m), 0);
            if (two_inputs)
                cr_assert_eq(bm_sim_push_input(sim, 0, cand[j] & m), 0);
            want[k++] = expect(cand[i] & m, cand[j] & m, w, f);
        }
    simt_run(sim, 20 * (k + 1), k);
    cr_assert_eq(bm_sim_output_count(sim), k, "%s w=%u f=%u", what, w, f);
    for (size_t i = 0; i < k; i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        cr_expect_eq(t.value, want[i], "%s w=%u f=%u case %zu: got %llu want %llu", what, w, f,
                     i, (unsigned long long)t.value, (unsigned long long)want[i]);
    }
    bm_sim_free(sim);
    bm_machine_free(mach);
    bm_ctx_free(ctx);
}

static uint64_t e_neg(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)b, (void)f;
    return wrap(-sv(a, w), w);
}
static uint64_t e_relu(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)b, (void)f;
    return sv(a, w) < 0 ? 0 : a;
}
static uint64_t e_min(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)f;
    return sv(a, w) < sv(b, w) ? a : b;
}
static uint64_t e_max(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)f;
    return sv(a, w) > sv(b, w) ? a : b;
}
static uint64_t e_mulfx(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    return wrap(floor_div(sv(a, w) * sv(b, w), f), w);
}
/* macfx r0, r1, r2 with r0 = a, r1 = b, r2 = a: a + (b * a) >> f */
static uint64_t e_macfx(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    return wrap(sv(a, w) + floor_div(sv(b, w) * sv(a, w), f), w);
}

Test(sim_fixed, unary_and_compare_ops)
{
    static const char *const neg[] = {"in r0, i0", "neg r0", "out o0, r0", "j 0"};
    static const char *const relu[] = {"in r0, i0", "relu r0", "out o0, r0", "j 0"};
    static const char *const mn[] = {"in r0, i0", "in r1, i0", "min r0, r1", "out o0, r0", "j 0"};
    static const char *const mx[] = {"in r0, i0", "in r1, i0", "max r0, r1", "out o0, r0", "j 0"};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        run_case(widths[i], 0, neg, 4, 0, e_neg, "neg");
        run_case(widths[i], 0, relu, 4, 0, e_relu, "relu");
        run_case(widths[i], 0, mn, 5, 1, e_min, "min");
        run_case(widths[i], 0, mx, 5, 1, e_max, "max");
    }
}

Test(sim_fixed, fixed_point_products_floor_and_wrap)
{
    static const char *const mulfx[] = {"in r0, i0", "in r1, i0", "mulfx r0, r1", "out o0, r0",
                                        "j 0"};
    static const char *const macfx[] = {"in r0, i0", "in r1, i0", "mov r2, r0",
                                        "macfx r0, r1, r2", "out o0, r0", "j 0"};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        unsigned w = widths[i];
        unsigned fracs[] = {0, 1, w / 2, w - 1};
        for (size_t j = 0; j < 4; j++) {
            run_case(w, fracs[j], mulfx, 5, 1, e_mulfx, "mulfx");
            run_case(w, fracs[j], macfx, 6, 1, e_macfx, "macfx");
        }
    }
}

static uint64_t g_imm;
static uint64_t e_mulfxi(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)b;
    return wrap(floor_div(sv(a, w) * sv(g_imm, w), f), w);
}
/* macfxi r0, r1, imm and inmacfx r0, i0, imm with r0 = r1 = a */
static uint64_t e_macfxi(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    (void)b;
    return wrap(sv(a, w) + floor_div(sv(a, w) * sv(g_imm, w), f), w);
}
/* inmacfx: r0 = a (first input), then r0 += (b * imm) >> f (second input);
 * pkmacfx the same, the second input then taken by an `in` (had the look
 * taken it, every later pair would be read one value off) */
static uint64_t e_inmacfx(uint64_t a, uint64_t b, unsigned w, unsigned f)
{
    return wrap(sv(a, w) + floor_div(sv(b, w) * sv(g_imm, w), f), w);
}

Test(sim_fixed, immediate_forms_and_input_mac)
{
    unsigned ws[] = {5, 16, 33, 64};
    for (size_t i = 0; i < 4; i++) {
        unsigned w = ws[i], f = w / 2;
        uint64_t m = maskw(w);
        uint64_t imms[] = {1, m, (UINT64_C(1) << (w - 1)) & m, (m / 5) & m};
        for (size_t k = 0; k < 4; k++) {
            g_imm = imms[k];
            char a[64], b[64], c[64], d[64];
            snprintf(a, sizeof a, "mulfxi r0, %llu", (unsigned long long)g_imm);
            snprintf(b, sizeof b, "macfxi r0, r1, %llu", (unsigned long long)g_imm);
            snprintf(c, sizeof c, "inmacfx r0, i0, %llu", (unsigned long long)g_imm);
            snprintf(d, sizeof d, "pkmacfx r0, i0, %llu", (unsigned long long)g_imm);
            const char *p1[] = {"in r0, i0", a, "out o0, r0", "j 0"};
            const char *p2[] = {"in r0, i0", "mov r1, r0", b, "out o0, r0", "j 0"};
            const char *p3[] = {"in r0, i0", c, "out o0, r0", "j 0"};
            const char *p4[] = {"in r0, i0", d, "in r1, i0", "out o0, r0", "j 0"};
            run_case(w, f, p1, 4, 0, e_mulfxi, "mulfxi");
            run_case(w, f, p2, 5, 0, e_macfxi, "macfxi");
            run_case(w, f, p3, 4, 1, e_inmacfx, "inmacfx");
            run_case(w, f, p4, 5, 1, e_inmacfx, "pkmacfx");
        }
    }
}

Test(sim_fixed, frac_must_be_below_the_width)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    static const char *const prog[] = {"in r0, i0", "out o0, r0", "j 0"};
    bm_machine *m = simt_one_core(ctx, 8, 0, prog, 3);
    bm_core *c = bm_machine_core(m, 0);
    bm_core_params p = *bm_core_get_params(c);
    p.frac = 8;
    cr_assert_eq(bm_core_set_params(c, &p), 0);
    cr_assert_eq(bm_machine_validate(m), BM_EINVALID);
    const bm_diag *d = bm_ctx_diag(ctx, bm_ctx_diag_count(ctx) - 1);
    cr_expect_str_eq(d->message, "core 'c': 8 fraction bits do not fit a 8-bit word (frac must "
                                 "be below the width)");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
