/* Fuzz target: the simulator's stimulus and ready-pattern readers
 * (docs/sim.md), on a fixed two-input, one-output machine. */
#include <string.h>

#include "fuzz.h"

static const char machine[] =
    "<?xml version=\"1.0\"?>\n"
    "<machine format=\"1\" name=\"m\">\n"
    "  <input name=\"a\" width=\"8\"/>\n  <input name=\"b\" width=\"8\"/>\n"
    "  <output name=\"s\" width=\"8\"/>\n"
    "  <core name=\"c\" width=\"8\" registers=\"2\" rom=\"5\" ram=\"0\" inputs=\"2\" "
    "outputs=\"1\">\n"
    "    <opcodes>add in j out</opcodes>\n"
    "    <program>\n"
    "      <i>in r0, i0</i>\n      <i>in r1, i1</i>\n      <i>add r0, r1</i>\n"
    "      <i>out o0, r0</i>\n      <i>j 0</i>\n"
    "    </program>\n"
    "  </core>\n"
    "  <bond from=\"a\" to=\"c.i0\"/>\n  <bond from=\"b\" to=\"c.i1\"/>\n"
    "  <bond from=\"c.o0\" to=\"s\"/>\n"
    "</machine>\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_machine *m = NULL;
    bm_sim *sim = NULL;
    if (bm_machine_read_memory(&m, ctx, machine, strlen(machine), "m.xml") != 0 &&
        bm_ctx_error_count(ctx) > 0)
        __builtin_trap(); /* the fixed machine must read: else nothing is tested */
    if (m && bm_sim_new(&sim, m, NULL) == 0) {
        int rc = bm_sim_load_stimulus(sim, (const char *)data, size, "fuzz.stim");
        fuzz_check(ctx, rc);
        if (!rc) {
            bm_sim_limits lim = BM_SIM_LIMITS_INIT;
            lim.max_cycles = 200;
            bm_sim_stop stop;
            bm_sim_run(sim, &lim, &stop);
        }
    }
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return 0;
}
