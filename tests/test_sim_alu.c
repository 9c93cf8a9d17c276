/* Every opcode's semantics in the simulator at widths 1, 5, 8, 12, 16, 32, 33
 * and 64, including wrap-around, sign and out-of-range cases, and the
 * refusal of width 65.
 *
 * The expected values are computed here from the ISA's definitions
 * (bm/isa.h), written independently of arch/alu.c: shifts bit by bit,
 * products in 128 bits, signs by explicit extension. */
#include <stdio.h>

#include "sim_helpers.h"

static const unsigned widths[] = {1, 5, 8, 12, 16, 32, 33, 64};
#define N_WIDTHS (sizeof widths / sizeof widths[0])

/* Mnemonics this suite exercises; checked against the catalogue below. */
static const char *const covered[] = {
    "nop", "mov", "li",  "add", "addi", "sub", "and", "or",  "xor",  "not", "shl",
    "shr", "sar", "shli", "shri", "sari", "inc", "dec", "mul", "muli", "eq",  "lt",
    "ltu", "j",   "jz",  "jnz", "in",   "inn", "out", "outn", "ld",  "st",  "halt",
    /* covered by test_sim_fixed.c */
    "neg", "relu", "min", "max", "mulfx", "mulfxi", "macfx", "macfxi", "inmacfx", "pkmacfx"};

static uint64_t mask(unsigned w)
{
    return w == 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1;
}

static int bit(uint64_t v, unsigned i)
{
    return (int)((v >> i) & 1);
}

/* The W-bit value as a signed number. */
static int64_t sval(uint64_t v, unsigned w)
{
    if (bit(v, w - 1))
        return (int64_t)(v | ~mask(w)); /* two's complement: fill with ones */
    return (int64_t)v;
}

static uint64_t shift_right(uint64_t a, uint64_t b, unsigned w, int arith)
{
    uint64_t r = 0;
    int fill = arith ? bit(a, w - 1) : 0;
    for (unsigned i = 0; i < w; i++) {
        int v = (b < w && i + b < w) ? bit(a, (unsigned)(i + b)) : fill;
        r |= (uint64_t)v << i;
    }
    return r;
}

static uint64_t shift_left(uint64_t a, uint64_t b, unsigned w)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < w; i++)
        if (b < w && i >= b)
            r |= (uint64_t)bit(a, (unsigned)(i - b)) << i;
    return r;
}

static uint64_t expect2(const char *op, uint64_t a, uint64_t b, unsigned w)
{
    uint64_t m = mask(w);
    if (!strcmp(op, "add")) return (a + b) & m;
    if (!strcmp(op, "sub")) return (a + (~b & m) + 1) & m;
    if (!strcmp(op, "and")) return a & b;
    if (!strcmp(op, "or")) return a | b;
    if (!strcmp(op, "xor")) return a ^ b;
    if (!strcmp(op, "shl")) return shift_left(a, b, w);
    if (!strcmp(op, "shr")) return shift_right(a, b, w, 0);
    if (!strcmp(op, "sar")) return shift_right(a, b, w, 1);
    if (!strcmp(op, "mul")) return (uint64_t)((unsigned __int128)a * b) & m;
    if (!strcmp(op, "eq")) return a == b;
    if (!strcmp(op, "lt")) return sval(a, w) < sval(b, w);
    if (!strcmp(op, "ltu")) return a < b;
    cr_assert_fail("no expectation for %s", op);
    return 0;
}

/* Interesting W-bit values: edges, signs, patterns, shift amounts. */
static size_t values(unsigned w, uint64_t *out)
{
    uint64_t m = mask(w), sign = UINT64_C(1) << (w - 1);
    uint64_t cand[] = {0, 1, 2, 3, m, m - 1, sign, sign - 1, sign + 1,
                       UINT64_C(0xA5A5A5A5A5A5A5A5), UINT64_C(0x5A5A5A5A5A5A5A5A),
                       w - 1, w, w + 1, UINT64_C(0x123456789ABCDEF1)};
    size_t n = 0;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        uint64_t v = cand[i] & m;
        size_t j = 0;
        while (j < n && out[j] != v)
            j++;
        if (j == n)
            out[n++] = v;
    }
    return n;
}

/* Runs a one-core program that reads `per_result` inputs and sends one
 * output per iteration, and checks every output against want[]. */
static void check_program(unsigned w, unsigned ram, const char *const *prog, unsigned n_prog,
                          const uint64_t *in, size_t n_in, const uint64_t *want, size_t n_want,
                          const char *what)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = simt_one_core(ctx, w, ram, prog, n_prog);
    bm_sim *sim = simt_sim(m);
    for (size_t i = 0; i < n_in; i++)
        cr_assert_eq(bm_sim_push_input(sim, 0, in[i]), 0);
    bm_sim_stop why = simt_run(sim, 100 * (n_want + 1), n_want);
    cr_expect_eq(why, BM_SIM_STOP_OUTPUTS, "%s at width %u: stopped by %s", what, w,
                 bm_sim_stop_name(why));
    cr_assert_eq(bm_sim_output_count(sim), n_want, "%s at width %u", what, w);
    for (size_t i = 0; i < n_want; i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        cr_expect_eq(t.value, want[i], "%s at width %u, case %zu: got %llu want %llu", what, w,
                     i, (unsigned long long)t.value, (unsigned long long)want[i]);
    }
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(sim_alu, two_register_ops)
{
    static const char *const ops[] = {"add", "sub", "and", "or", "xor", "shl",
                                      "shr", "sar", "mul", "eq", "lt", "ltu"};
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32];
        size_t nv = values(w, v);
        uint64_t *in = calloc(2 * nv * nv, sizeof *in), *want = calloc(nv * nv, sizeof *want);
        cr_assert(in && want);
        for (size_t oi = 0; oi < sizeof ops / sizeof ops[0]; oi++) {
            char body[32];
            snprintf(body, sizeof body, "%s r0, r1", ops[oi]);
            const char *prog[] = {"in r0, i0", "in r1, i0", body, "out o0, r0", "j 0"};
            size_t k = 0;
            for (size_t i = 0; i < nv; i++)
                for (size_t j = 0; j < nv; j++) {
                    in[2 * k] = v[i];
                    in[2 * k + 1] = v[j];
                    want[k++] = expect2(ops[oi], v[i], v[j], w);
                }
            check_program(w, 0, prog, 5, in, 2 * k, want, k, ops[oi]);
        }
        free(in);
        free(want);
    }
}

Test(sim_alu, one_register_ops)
{
    static const char *const ops[] = {"not", "inc", "dec", "mov", "nop"};
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32], want[32], m = mask(w);
        size_t nv = values(w, v);
        for (size_t oi = 0; oi < sizeof ops / sizeof ops[0]; oi++) {
            const char *op = ops[oi];
            const char *body = !strcmp(op, "not") ? "not r0"
                               : !strcmp(op, "inc") ? "inc r0"
                               : !strcmp(op, "dec") ? "dec r0"
                               : !strcmp(op, "mov") ? "mov r0, r1"
                                                    : "nop";
            /* mov copies r1 into r0, which holds the previous input */
            const char *prog[] = {"in r1, i0", "mov r0, r1", body, "out o0, r0", "j 0"};
            for (size_t i = 0; i < nv; i++) {
                uint64_t a = v[i];
                want[i] = !strcmp(op, "not") ? ~a & m
                          : !strcmp(op, "inc") ? (a + 1) & m
                          : !strcmp(op, "dec") ? (a + m) & m
                                               : a;
            }
            check_program(w, 0, prog, 5, v, nv, want, nv, op);
        }
    }
}

Test(sim_alu, immediate_ops)
{
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32], want[32], m = mask(w), sign = UINT64_C(1) << (w - 1);
        size_t nv = values(w, v);
        uint64_t imms[] = {0, 1, m, sign, UINT64_C(0x9E3779B97F4A7C15) & m};
        for (size_t ii = 0; ii < sizeof imms / sizeof imms[0]; ii++) {
            static const char *const ops[] = {"addi", "muli", "li"};
            for (size_t oi = 0; oi < 3; oi++) {
                char body[64];
                snprintf(body, sizeof body, "%s r0, %llu", ops[oi], (unsigned long long)imms[ii]);
                const char *prog[] = {"in r0, i0", body, "out o0, r0", "j 0"};
                for (size_t i = 0; i < nv; i++)
                    want[i] = oi == 0   ? (v[i] + imms[ii]) & m
                              : oi == 1 ? (uint64_t)((unsigned __int128)v[i] * imms[ii]) & m
                                        : imms[ii];
                check_program(w, 0, prog, 4, v, nv, want, nv, body);
            }
        }
        /* a negative immediate is its W-bit two's complement */
        const char *prog[] = {"in r0, i0", "addi r0, -1", "out o0, r0", "j 0"};
        for (size_t i = 0; i < nv; i++)
            want[i] = (v[i] + m) & m;
        check_program(w, 0, prog, 4, v, nv, want, nv, "addi r0, -1");
    }
}

Test(sim_alu, shift_by_constant)
{
    static const char *const ops[] = {"shli", "shri", "sari"};
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32], want[32];
        size_t nv = values(w, v);
        unsigned ks[] = {0, 1, w / 2, w - 1};
        for (size_t ki = 0; ki < 4; ki++) {
            if (ks[ki] >= w)
                continue; /* a shift amount is less than the width */
            for (size_t oi = 0; oi < 3; oi++) {
                char body[64];
                snprintf(body, sizeof body, "%s r0, %u", ops[oi], ks[ki]);
                const char *prog[] = {"in r0, i0", body, "out o0, r0", "j 0"};
                for (size_t i = 0; i < nv; i++)
                    want[i] = oi == 0 ? shift_left(v[i], ks[ki], w)
                                      : shift_right(v[i], ks[ki], w, oi == 2);
                check_program(w, 0, prog, 4, v, nv, want, nv, body);
            }
        }
    }
}

Test(sim_alu, conditional_jumps)
{
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32], want[32];
        size_t nv = values(w, v);
        for (int nz = 0; nz < 2; nz++) {
            /* r1 ends as 1 when the jump is taken, 0 when not */
            const char *prog[] = {"in r0, i0", "li r1, 1", nz ? "jnz r0, 4" : "jz r0, 4",
                                  "li r1, 0",  "out o0, r1", "j 0"};
            for (size_t i = 0; i < nv; i++)
                want[i] = nz ? v[i] != 0 : v[i] == 0;
            check_program(w, 0, prog, 6, v, nv, want, nv, nz ? "jnz" : "jz");
        }
    }
}

Test(sim_alu, ports_mask_and_pass_every_bit)
{
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32];
        size_t nv = values(w, v);
        const char *a[] = {"in r0, i0", "outn o0, r0", "j 0"};
        check_program(w, 0, a, 3, v, nv, v, nv, "in/outn");
        const char *b[] = {"inn r0, i0", "out o0, r0", "j 0"};
        check_program(w, 0, b, 3, v, nv, v, nv, "inn/out");
        /* -1 pushed as a 64-bit two's complement wraps to all ones */
        uint64_t minus_one = ~UINT64_C(0), all = mask(w);
        check_program(w, 0, a, 3, &minus_one, 1, &all, 1, "in -1");
    }
}

Test(sim_alu, load_store)
{
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        uint64_t v[32], in[64], want[32], m = mask(w);
        size_t nv = values(w, v);
        const char *prog[] = {"in r0, i0", "in r1, i0", "st r0, r1", "ld r2, r0",
                              "out o0, r2", "j 0"};
        /* address v[i] (RAM of 4 words), value ~v[i]: beyond the RAM a store
         * does nothing and a load reads 0 */
        for (size_t i = 0; i < nv; i++) {
            in[2 * i] = v[i];
            in[2 * i + 1] = ~v[i] & m;
            want[i] = v[i] < 4 ? ~v[i] & m : 0;
        }
        check_program(w, 4, prog, 6, in, 2 * nv, want, nv, "st/ld");
    }
}

Test(sim_alu, halt_stops_the_core)
{
    for (size_t wi = 0; wi < N_WIDTHS; wi++) {
        unsigned w = widths[wi];
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        const char *prog[] = {"in r0, i0", "out o0, r0", "halt"};
        bm_machine *m = simt_one_core(ctx, w, 0, prog, 3);
        bm_sim *sim = simt_sim(m);
        bm_sim_push_input(sim, 0, 1);
        bm_sim_push_input(sim, 0, 0);
        cr_expect_eq(simt_run(sim, 100, 0), BM_SIM_STOP_HALTED);
        cr_expect_eq(bm_sim_cycle(sim), 3); /* in 0, out 1, halt 2 */
        cr_expect_eq(bm_sim_core_halted(sim, 0), 1);
        unsigned pc;
        bm_sim_pc(sim, 0, &pc);
        cr_expect_eq(pc, 2, "pc stays on the halt");
        cr_expect_eq(bm_sim_input_pending(sim, 0), 1);
        simt_xfer want[] = {{"y", 1, 1}};
        simt_expect_outputs(sim, want, 1);
        bm_sim_free(sim);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

Test(sim_alu, every_catalogue_opcode_is_covered)
{
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const char *mn = bm_isa_get(id)->mnemonic;
        int found = 0;
        for (size_t i = 0; i < sizeof covered / sizeof covered[0]; i++)
            found |= !strcmp(covered[i], mn);
        cr_expect(found, "opcode '%s' has no semantics test in tests/test_sim_alu.c", mn);
    }
}

Test(sim_alu, refuses_width_65)
{
    static const char xml[] =
        "<machine format=\"1\" name=\"w65\">\n"
        "  <core name=\"c\" width=\"65\" registers=\"1\" rom=\"1\" ram=\"0\" inputs=\"0\" outputs=\"0\">\n"
        "    <opcodes>halt</opcodes><program><i>halt</i></program>\n"
        "  </core>\n"
        "</machine>\n";
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = NULL;
    cr_expect_neq(bm_machine_read_memory(&m, ctx, xml, strlen(xml), "w65.xml"), 0);
    cr_expect_null(m);
    const char *d = simt_diags(ctx);
    cr_expect(strstr(d, "65") && strstr(d, "1..64"), "diagnostics: %s", d);
    bm_ctx_clear_diags(ctx);

    /* built with the model API: validation refuses it, and so does the
     * simulator for a machine that did not pass validation */
    cr_assert_eq(bm_machine_new(&m, ctx, "w65"), 0);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = 65;
    bm_core *c;
    bm_loc nowhere = {NULL, 0, 0};
    cr_assert_eq(bm_machine_add_core(m, &c, "c", &p, nowhere), 0);
    bm_insn halt = {(uint16_t)bm_isa_lookup("halt"), {0}, nowhere};
    bm_core_add_opcode(c, "halt", nowhere);
    bm_core_append_insn(c, &halt);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    bm_ctx_clear_diags(ctx);
    bm_sim *sim = NULL;
    cr_expect_eq(bm_sim_new(&sim, m, NULL), BM_EINVAL);
    cr_expect_null(sim);
    cr_expect(strstr(simt_diags(ctx), "validation") != NULL, "%s", simt_diags(ctx));
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
