/* Device budgets: the FPGA parts libbm knows, as a table.
 *
 * Each row names a part and gives what it holds: logic LUTs, flip-flops,
 * hard multipliers (DSP blocks), block RAMs and the LUTs that can serve as
 * memory (LUT-RAM).  The area estimator (bm/area.h) uses the family to
 * choose its cost model and the counts to check that a machine fits.
 * `bmc area --device NAME` and docs/area.md list the rows.
 */
#ifndef BM_DEVICE_H
#define BM_DEVICE_H

#include "bm/export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The architecture family, which fixes the cost model of the estimator. */
typedef enum bm_device_family {
    BM_FAMILY_ICE40 = 0, /* Lattice iCE40: LUT4, SB_CARRY, SB_MAC16, SB_RAM40_4K */
    BM_FAMILY_XC7,       /* Xilinx 7-series: LUT6, CARRY4, DSP48E1, RAMB18E1    */
    BM_FAMILY_XCUP,      /* Xilinx UltraScale+: LUT6, CARRY8, DSP48E2, RAMB18E2 */
    BM_FAMILY_COUNT
} bm_device_family;

typedef struct bm_device {
    const char *name;        /* what --device takes: "hx8k"                   */
    const char *part;        /* the vendor's part name: "iCE40HX8K"            */
    bm_device_family family;
    const char *family_name; /* "ice40", "xc7", "xcup"                        */
    const char *synth;       /* the yosys command whose counts the estimate
                                follows: "synth_ice40", "synth_ice40 -dsp",
                                "synth_xilinx -family xc7"                     */
    const char *pnr;         /* a place-and-route hint, or NULL               */
    /* Names of the resources in this family's vendor terms. */
    const char *lut_name;    /* "LUT4", "LUT6"                                */
    const char *dsp_name;    /* "SB_MAC16", "DSP48E1", "DSP48E2"              */
    const char *bram_name;   /* "SB_RAM40_4K", "RAMB18"                       */
    unsigned lut_inputs;     /* 4 or 6                                         */
    unsigned dsp_a_bits;     /* signed operand widths one DSP block multiplies */
    unsigned dsp_b_bits;
    unsigned bram_bits;      /* bits of one block RAM as counted in `bram`    */
    /* The budget. */
    uint64_t lut;            /* logic LUTs (iCE40: logic cells)               */
    uint64_t ff;             /* flip-flops                                    */
    uint64_t dsp;            /* DSP blocks (0: multipliers go to LUTs)        */
    uint64_t bram;           /* block RAMs, in bram_name units                */
    uint64_t lutram;         /* LUTs usable as distributed memory (0: none)   */
    const char *source;      /* where the counts come from                   */
} bm_device;

/* The number of rows; rows are 0 .. count-1, in a fixed order. */
BM_API unsigned bm_device_count(void);
/* Row i, or NULL when i is out of range. */
BM_API const bm_device *bm_device_get(unsigned i);
/* The row named `name` (case-insensitive; the vendor part name is accepted
 * too), or BM_ENOTFOUND when there is none. */
BM_API int bm_device_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif
