/* The device table (bm/device.h): one row per part, as data.
 *
 * Where the counts come from:
 *   hx8k     Lattice iCE40 LP/HX family data sheet (FPGA-DS-02029): 7,680
 *            logic cells (a LUT4 and a flip-flop each), 32 SB_RAM40_4K
 *            (4 kbit), no multiplier.
 *   up5k     Lattice iCE40 UltraPlus family data sheet (FPGA-DS-02008): 5,280
 *            logic cells, 8 SB_MAC16 (16 x 16), 30 SB_RAM40_4K and 4 SPRAM
 *            (256 kbit each; listed here, not used by libbm's RTL).
 *   xc7z020  Xilinx Zynq-7000 product selection guide / DS190: 53,200 LUT6,
 *            106,400 flip-flops, 220 DSP48E1, 140 RAMB36 (= 280 RAMB18),
 *            17,400 LUTs in SLICEMs usable as LUT-RAM.
 *   xcu250   Alveo U250 data sheet (DS962), whose FPGA is an UltraScale+
 *            XCU250 (the XCVU13P die): 1,728,000 LUT6, 3,456,000 flip-flops,
 *            12,288 DSP48E2, 2,688 RAMB36 (= 5,376 RAMB18) and 1,280
 *            UltraRAM; its 48.3 Mbit of distributed RAM is about 791,000
 *            LUTs at 64 bits each.  The Vitis shell of a U250 platform takes
 *            part of the device: UG1702 reports 979,040 LUT, 1,958,080 FF,
 *            5,880 DSP and 1,860 RAMB36 left to kernels (2025.2 platform).
 */
#include <ctype.h>
#include <string.h>

#include "bm/ctx.h"
#include "bm/device.h"

static const bm_device devices[] = {
    {"hx8k", "iCE40HX8K", BM_FAMILY_ICE40, "ice40", "synth_ice40",
     "nextpnr-ice40 --hx8k --package ct256", "LUT4", "SB_MAC16", "SB_RAM40_4K", 4, 16, 16, 4096,
     7680, 7680, 0, 32, 0, "Lattice FPGA-DS-02029 (iCE40 LP/HX)"},
    {"up5k", "iCE40UP5K", BM_FAMILY_ICE40, "ice40", "synth_ice40 -dsp",
     "nextpnr-ice40 --up5k --package sg48", "LUT4", "SB_MAC16", "SB_RAM40_4K", 4, 16, 16, 4096,
     5280, 5280, 8, 30, 0, "Lattice FPGA-DS-02008 (iCE40 UltraPlus); its 4 SPRAM are not used"},
    {"xc7z020", "xc7z020", BM_FAMILY_XC7, "xc7", "synth_xilinx -family xc7", NULL, "LUT6",
     "DSP48E1", "RAMB18", 6, 25, 18, 18432, 53200, 106400, 220, 280, 17400,
     "Xilinx DS190 (Zynq-7000): 140 RAMB36 = 280 RAMB18"},
    {"xcu250", "xcu250", BM_FAMILY_XCUP, "xcup", "synth_xilinx -family xcup", NULL, "LUT6",
     "DSP48E2", "RAMB18", 6, 27, 18, 18432, 1728000, 3456000, 12288, 5376, 791000,
     "Xilinx DS962 (Alveo U250): 2,688 RAMB36 = 5,376 RAMB18; 1,280 UltraRAM not used; "
     "the platform shell leaves less (UG1702)"},
};

unsigned bm_device_count(void)
{
    return (unsigned)(sizeof devices / sizeof devices[0]);
}

const bm_device *bm_device_get(unsigned i)
{
    return i < bm_device_count() ? &devices[i] : NULL;
}

static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int bm_device_find(const char *name)
{
    for (unsigned i = 0; name && i < bm_device_count(); i++)
        if (same_name(devices[i].name, name) || same_name(devices[i].part, name))
            return (int)i;
    return BM_ENOTFOUND;
}
