/* Helpers for the simulator suites (tests/test_sim_*.c); header-only, static,
 * names prefixed simt_ so that they do not clash with other suites. */
#ifndef BM_TEST_SIM_HELPERS_H
#define BM_TEST_SIM_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bm.h"

/* Every diagnostic on ctx, one per line, in a static buffer. */
static inline const char *simt_diags(const bm_ctx *ctx)
{
    static char buf[8192];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < bm_ctx_diag_count(ctx) && len < sizeof buf - 2; i++) {
        int n = bm_diag_format(buf + len, sizeof buf - len - 1, bm_ctx_diag(ctx, i));
        if (n < 0)
            break;
        len += (size_t)n < sizeof buf - len - 1 ? (size_t)n : sizeof buf - len - 2;
        buf[len++] = '\n';
        buf[len] = '\0';
    }
    return buf;
}

/* A machine read from XML text; fails the test (with the diagnostics) when
 * it does not load. */
static inline bm_machine *simt_xml(bm_ctx *ctx, const char *xml)
{
    bm_machine *m = NULL;
    int rc = bm_machine_read_memory(&m, ctx, xml, strlen(xml), "test.xml");
    cr_assert_eq(rc, 0, "machine does not load:\n%s", simt_diags(ctx));
    return m;
}

/* A one-core machine built with the model API: external input "a" and
 * output "y" of the core's width, bonded to c.i0 and c.o0; 4 registers; the
 * opcode set is what the program uses. */
static inline bm_machine *simt_one_core(bm_ctx *ctx, unsigned width, unsigned ram,
                                        const char *const *prog, unsigned n)
{
    bm_machine *m;
    cr_assert_eq(bm_machine_new(&m, ctx, "t"), 0);
    bm_loc nowhere = {NULL, 0, 0};
    cr_assert_eq(bm_machine_add_input(m, "a", width, nowhere), 0);
    cr_assert_eq(bm_machine_add_output(m, "y", width, nowhere), 0);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = width;
    p.registers = 4;
    p.rom_depth = n;
    p.ram_depth = ram;
    p.inputs = 1;
    p.outputs = 1;
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "c", &p, nowhere), 0);
    for (unsigned i = 0; i < n; i++) {
        bm_insn insn;
        int rc = bm_insn_parse(ctx, prog[i], width, nowhere, &insn);
        cr_assert_eq(rc, 0, "'%s' does not parse at width %u:\n%s", prog[i], width,
                     simt_diags(ctx));
        bm_opcode_set set = *bm_core_opcodes(c);
        bm_opcode_set_add(&set, insn.opcode);
        bm_core_set_opcodes(c, &set);
        cr_assert_eq(bm_core_append_insn(c, &insn), 0);
    }
    unsigned b;
    cr_assert_eq(bm_machine_add_bond(m, &b, "a", nowhere), 0);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "c.i0", nowhere), 0);
    cr_assert_eq(bm_machine_add_bond(m, &b, "c.o0", nowhere), 0);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "y", nowhere), 0);
    cr_assert_eq(bm_machine_validate(m), 0, "machine invalid:\n%s", simt_diags(ctx));
    return m;
}

static inline bm_sim *simt_sim(const bm_machine *m)
{
    bm_sim *sim = NULL;
    int rc = bm_sim_new(&sim, m, NULL);
    cr_assert_eq(rc, 0, "bm_sim_new: %s\n%s", bm_strerror(rc), simt_diags(bm_machine_ctx(m)));
    return sim;
}

static inline bm_sim_stop simt_run(bm_sim *sim, uint64_t max_cycles, uint64_t max_outputs)
{
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_cycles = max_cycles;
    lim.max_outputs = max_outputs;
    bm_sim_stop why = BM_SIM_STEPPED;
    cr_assert_eq(bm_sim_run(sim, &lim, &why), 0);
    return why;
}

/* An expected output transfer. */
typedef struct simt_xfer {
    const char *output;
    uint64_t value;
    uint64_t cycle;
} simt_xfer;

/* Checks the recorded transfers against the expected list, exactly. */
static inline void simt_expect_outputs(const bm_sim *sim, const simt_xfer *want, size_t n)
{
    const bm_machine *m = bm_sim_machine(sim);
    size_t got = bm_sim_output_count(sim);
    for (size_t i = 0; i < got || i < n; i++) {
        bm_sim_transfer t = {0, 0, 0};
        if (i < got)
            bm_sim_output(sim, i, &t);
        if (i >= got) {
            cr_expect(0, "transfer %zu missing: want %llu %s %llu", i,
                      (unsigned long long)want[i].cycle, want[i].output,
                      (unsigned long long)want[i].value);
            continue;
        }
        const char *name = bm_machine_output_name(m, t.output);
        if (i >= n) {
            cr_expect(0, "unexpected transfer %zu: %llu %s %llu", i,
                      (unsigned long long)t.cycle, name, (unsigned long long)t.value);
            continue;
        }
        cr_expect(strcmp(name, want[i].output) == 0 && t.value == want[i].value &&
                      t.cycle == want[i].cycle,
                  "transfer %zu: got %llu %s %llu, want %llu %s %llu", i,
                  (unsigned long long)t.cycle, name, (unsigned long long)t.value,
                  (unsigned long long)want[i].cycle, want[i].output,
                  (unsigned long long)want[i].value);
    }
}

static inline const char *simt_describe(const bm_sim *sim, unsigned core)
{
    static char buf[1024];
    cr_assert_geq(bm_sim_describe_stall(sim, core, buf, sizeof buf), 0);
    return buf;
}

#endif
