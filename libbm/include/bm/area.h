/* The area estimate: what a core, or a whole machine, costs on a device
 * family, before any synthesis.
 *
 * The estimate is a pure function of a core's parameters and program (its
 * word width, the registers, ports and opcodes the program uses, the
 * program's length and ROM style, its RAM and its multiplier variant) and of
 * the device's family: it follows the RTL docs/verilog.md describes, term by
 * term, with costs calibrated against yosys (docs/area.md says how, and
 * docs/performance.md "Area estimate" how close it comes).  It allocates
 * nothing and cannot fail on a valid core.
 */
#ifndef BM_AREA_H
#define BM_AREA_H

#include "bm/export.h"

#include <stdint.h>

#include "bm/ctx.h"
#include "bm/device.h"
#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Resource counts in the device's own units (bm_device names them). */
typedef struct bm_area {
    uint64_t lut;    /* logic LUTs: LUT4 on iCE40, LUT6 on Xilinx          */
    uint64_t ff;     /* flip-flops                                         */
    uint64_t carry;  /* SB_CARRY / CARRY4 cells (not a budget of its own)  */
    uint64_t dsp;    /* SB_MAC16 / DSP48E1 / DSP48E2                       */
    uint64_t bram;   /* SB_RAM40_4K / RAMB18                               */
    uint64_t lutram; /* LUTs used as memory (Xilinx)                       */
} bm_area;

/* The estimate for one core on device d's family (its DSP and RAM blocks).
 * BM_EINVAL when an argument is NULL. */
BM_API int bm_area_estimate_core(bm_area *out, const bm_core *c, const bm_device *d);
/* The sum over the machine's cores plus the top module's glue (the
 * handshake of bonds with several sinks).  The machine must be valid
 * (bm_machine_validate): BM_EINVAL otherwise. */
BM_API int bm_area_estimate_machine(bm_area *out, const bm_machine *m, const bm_device *d);

/* Checks an estimate against d's budget.  Returns 0 when every resource
 * fits; otherwise records one error per exceeded resource on ctx, at loc,
 * for example
 *   machine 'digits' needs 43,675 LUT4 but hx8k has 7,680 (5.7 times, 35,995 over)
 * (`what` names the design: "machine 'digits'") and returns BM_ERANGE. */
BM_API int bm_device_fit(const bm_area *est, const bm_device *d, bm_ctx *ctx, const char *what,
                  bm_loc loc);

#ifdef __cplusplus
}
#endif
#endif
