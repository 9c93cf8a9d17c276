/* libbm: BondMachine-style multi-core processors for FPGAs.
 * The umbrella header: include this one. */
#ifndef BM_H
#define BM_H

#include "bm/ctx.h"
#include "bm/isa.h"
#include "bm/machine.h"
#include "bm/encoding.h"
#include "bm/insn.h"
#include "bm/fixed.h"
#include "bm/random.h"
#include "bm/graph.h"
#include "bm/compile.h"
#include "bm/device.h"
#include "bm/area.h"
#include "bm/network.h"
#include "bm/profile.h"
#include "bm/onnx.h"
#include "bm/output.h"
#include "bm/xml.h"
#include "bm/asm.h"
#include "bm/sim.h"
#include "bm/verilog.h"
#include "bm/cosim.h"
#include "bm/dot.h"
#include "bm/version.h"

#endif
