/* Checks of compiled machines shared by the fold and split suites
 * (tests/test_compile_fold.c, tests/test_compile_split.c): header-only,
 * static.  A hazard checker of its own (not the compiler's pass), the
 * multiplier variant of every core, and the predicted timing's tolerance. */
#ifndef BM_TEST_VARIANT_CHECKS_H
#define BM_TEST_VARIANT_CHECKS_H

#include <inttypes.h>

#include "compile_helpers.h"

/* ---- a hazard checker of its own ------------------------------------------------------ */

/* The register operands an instruction reads (bit k: operand k) and whether
 * it writes operand 0, for every mnemonic the compiler emits. */
typedef struct reg_use {
    const char *mnemonic;
    unsigned reads;
    int writes0, mac, multiplies;
} reg_use;

static const reg_use uses[] = {
    {"nop", 0, 0, 0, 0},     {"j", 0, 0, 0, 0},        {"jz", 1, 0, 0, 0},
    {"mov", 2, 1, 0, 0},     {"li", 0, 1, 0, 0},       {"in", 0, 1, 0, 0},
    {"outn", 2, 0, 0, 0},    {"add", 3, 1, 0, 0},      {"addi", 1, 1, 0, 0},
    {"sub", 3, 1, 0, 0},     {"lt", 3, 1, 0, 0},       {"min", 3, 1, 0, 0},
    {"max", 3, 1, 0, 0},     {"neg", 1, 1, 0, 0},      {"relu", 1, 1, 0, 0},
    {"mulfx", 3, 1, 0, 1},   {"mulfxi", 1, 1, 0, 1},   {"macfx", 7, 1, 1, 1},
    {"macfxi", 3, 1, 1, 1},  {"inmacfx", 1, 1, 1, 1}, {"pkmacfx", 1, 1, 1, 1},
    {"shli", 1, 1, 0, 0},    {"sari", 1, 1, 0, 0},
};

static inline const reg_use *use_of(const bm_insn *in)
{
    const char *mn = bm_isa_get(in->opcode)->mnemonic;
    for (size_t k = 0; k < sizeof uses / sizeof *uses; k++)
        if (strcmp(uses[k].mnemonic, mn) == 0)
            return &uses[k];
    cr_assert_fail("the hazard checker does not know '%s'", mn);
    return NULL;
}

/* The first pc of core c whose instruction sees or overwrites the register
 * that the multiply just before it writes back a cycle late, or -1. */
static inline int first_hazard(const bm_core *c)
{
    unsigned n = bm_core_program_length(c);
    for (unsigned pc = 1; pc < n; pc++) {
        const bm_insn *a = bm_core_insn(c, pc - 1), *b = bm_core_insn(c, pc);
        const reg_use *ua = use_of(a), *ub = use_of(b);
        if (!ua->multiplies)
            continue;
        uint64_t rd = a->operand[0];
        int mac_into = ub->mac && b->operand[0] == rd;
        for (unsigned k = 0; k < 3; k++)
            if ((ub->reads >> k & 1) && b->operand[k] == rd && !(mac_into && k == 0))
                return (int)pc;
        if (ub->writes0 && b->operand[0] == rd && !ub->mac)
            return (int)pc;
    }
    return -1;
}

static inline unsigned count_opcode(const bm_core *c, const char *mnemonic)
{
    unsigned n = 0;
    for (unsigned pc = 0; pc < bm_core_program_length(c); pc++)
        n += strcmp(bm_isa_get(bm_core_insn(c, pc)->opcode)->mnemonic, mnemonic) == 0;
    return n;
}

static inline int multiplies(const bm_core *c)
{
    for (unsigned pc = 0; pc < bm_core_program_length(c); pc++)
        if (use_of(bm_core_insn(c, pc))->multiplies)
            return 1;
    return 0;
}

/* Every core: the variant where it multiplies (comb elsewhere), no hazard
 * on pipe cores, no inmacfx on serial ones. */
static inline void check_variant(const bm_machine *m, bm_mul_variant mul, const char *what)
{
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        unsigned want = multiplies(c) ? (unsigned)mul : BM_MUL_COMB;
        cr_assert_eq(bm_core_get_params(c)->mul, want, "%s: core %s has variant %u", what,
                     bm_core_name(c), bm_core_get_params(c)->mul);
        if (mul == BM_MUL_PIPE && first_hazard(c) >= 0) {
            dump_machine(m);
            cr_assert_fail("%s: core %s, pc %d reads or overwrites a pipelined result", what,
                           bm_core_name(c), first_hazard(c));
        }
        if (mul == BM_MUL_SERIAL)
            cr_assert_eq(count_opcode(c, "inmacfx"), 0, "%s: core %s uses inmacfx", what,
                         bm_core_name(c));
    }
}

static inline unsigned count_jz(const bm_machine *m)
{
    unsigned n = 0;
    for (unsigned i = 0; i < bm_machine_core_count(m); i++)
        n += count_opcode(bm_machine_core(m, i), "jz");
    return n;
}

/* The stated tolerance (docs/compile.md "Predicted timing"): the model takes
 * every conditional jump the long way, 2 cycles more than the short one, so
 * the predicted latency is the simulated one up to 2 cycles per jz; the
 * interval, a mean over a few vectors of data-dependent branches, agrees to
 * 2 cycles per jz plus 2% and a cycle. */
static inline void check_prediction(const bm_report_summary *s, const bm_machine *m, const char *what)
{
    double jz = count_jz(m);
    double lat = (double)s->latency, plat = (double)s->predicted_latency;
    cr_expect(plat >= lat && plat <= lat + 2 * jz, "%s: latency %" PRIu64 ", predicted %" PRIu64,
              what, s->latency, s->predicted_latency);
    double d = s->predicted_interval - s->interval;
    cr_expect((d < 0 ? -d : d) <= 2 * jz + 1 + 0.02 * s->interval,
              "%s: interval %.2f, predicted %.2f", what, s->interval, s->predicted_interval);
}

#endif
