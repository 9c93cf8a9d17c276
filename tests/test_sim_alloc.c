/* The simulator under allocation failure: every allocation of bm_sim_new,
 * stimulus loading, VCD opening and output recording is made to fail in
 * turn; each failure must be reported as BM_ENOMEM and leak nothing (ASan
 * checks leaks in `make sanitize`). */
#include <unistd.h>

#include "sim_helpers.h"
#include "failing_alloc.h"

static const char xml[] =
    "<machine format=\"1\" name=\"fan\">\n"
    "<input name=\"a\" width=\"8\"/><output name=\"y\" width=\"8\"/><output name=\"z\" width=\"8\"/>\n"
    "<core name=\"c\" width=\"8\" registers=\"2\" rom=\"5\" ram=\"4\" inputs=\"1\" outputs=\"1\">"
    "<opcodes>li j in out st</opcodes><program>"
    "<i>in r0, i0</i><i>li r1, 3</i><i>st r1, r0</i><i>out o0, r0</i><i>j 0</i></program>"
    "<ram-init>1 2</ram-init></core>\n"
    "<bond from=\"a\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y z\"/>\n"
    "</machine>\n";

Test(sim_alloc, every_allocation_may_fail)
{
    failing f = {-1, 0};
    bm_allocator alloc = {f_malloc, f_realloc, f_free, &f};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &alloc), 0);
    bm_machine *m = simt_xml(ctx, xml);
    char vcd[64];
    snprintf(vcd, sizeof vcd, "/tmp/bm_sim_alloc_%ld.vcd", (long)getpid());
    int succeeded = 0;
    for (long n = 0; n < 10000 && !succeeded; n++) {
        bm_ctx_clear_diags(ctx);
        f.countdown = n;
        f.failures = 0;
        bm_sim *sim = NULL;
        int rc = bm_sim_new(&sim, m, NULL);
        if (rc == 0)
            rc = bm_sim_load_stimulus(sim, "a = 1, 2, 3", 11, "s");
        if (rc == 0)
            rc = bm_sim_vcd_open(sim, vcd);
        bm_sim_stop why = BM_SIM_STEPPED;
        if (rc == 0)
            rc = bm_sim_run(sim, NULL, &why);
        if (rc == 0)
            rc = bm_sim_vcd_close(sim);
        if (rc == 0) {
            cr_expect_eq(why, BM_SIM_STOP_DEADLOCK);
            cr_expect_eq(bm_sim_output_count(sim), 6);
            succeeded = 1;
        } else {
            cr_expect_eq(rc, BM_ENOMEM, "allocation %ld: %s", n, bm_strerror(rc));
            cr_expect_geq(f.failures, 1);
        }
        bm_sim_free(sim);
        remove(vcd);
    }
    cr_expect(succeeded);
    f.countdown = -1;
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
