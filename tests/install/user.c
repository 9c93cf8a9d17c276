/* A user program built against an installed libbm (tests/install_check.sh):
 * only <bm.h> and what pkg-config says. */
#include <stdio.h>
#include <string.h>

#include <bm.h>

static const char machine[] =
    "<machine format=\"1\" name=\"acc8\">"
    "<input name=\"a\" width=\"8\"/><output name=\"sum\" width=\"8\"/>"
    "<core name=\"acc\" width=\"8\" registers=\"4\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
    "<opcodes>add j in out</opcodes><program><i>in r1, i0</i><i>add r0, r1</i>"
    "<i>out o0, r0</i><i>j 0</i></program></core>"
    "<bond from=\"a\" to=\"acc.i0\"/><bond from=\"acc.o0\" to=\"sum\"/></machine>";

int main(void)
{
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, NULL))
        return 1;
    bm_machine *m;
    int rc = bm_machine_read_memory(&m, ctx, machine, strlen(machine), "user.xml");
    if (rc) {
        char line[256];
        for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
            bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
            fprintf(stderr, "%s\n", line);
        }
        bm_ctx_free(ctx);
        return 1;
    }
    bm_encoding enc;
    bm_core_encoding(bm_machine_core(m, 0), &enc);
    printf("libbm %s: %s has %u core, %u-bit instructions\n", bm_version(), bm_machine_name(m),
           bm_machine_core_count(m), enc.insn_width);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return 0;
}
