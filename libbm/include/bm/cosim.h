/* Co-simulation: the emitted RTL, run by Verilator, against the simulator.
 *
 * bm_cosim_build() writes a machine's Verilog and C++ harness (bm/verilog.h)
 * into a work folder and builds them with Verilator; a later build of the
 * same machine with the same options reuses the binary.  bm_cosim_run()
 * drives the RTL with a stimulus captured from a bm_sim (the same values and
 * ready patterns the simulator uses) and returns every external output
 * transfer as (output, value, cycle), so it can be compared with
 * bm_sim_output() transfer by transfer.  docs/verify.md describes the flow.
 *
 * Needs `verilator` and a C++ compiler at run time; failures to build or run
 * them are BM_ETOOL with the tool's log named in the diagnostic.
 */
#ifndef BM_COSIM_H
#define BM_COSIM_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/machine.h"
#include "bm/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_cosim_options {
    unsigned version;      /* BM_COSIM_OPTIONS_VERSION                          */
    const char *work_dir;  /* required: sources, Verilator objects, logs        */
    const char *verilator; /* the program to run; NULL: "verilator" from PATH   */
    int trace;             /* build with --trace, so runs can write a VCD       */
    unsigned jobs;         /* parallel compile jobs (0: 2)                      */
} bm_cosim_options;
#define BM_COSIM_OPTIONS_VERSION 1
#define BM_COSIM_OPTIONS_INIT {BM_COSIM_OPTIONS_VERSION, NULL, NULL, 0, 0}
/* Fills *opts with the defaults of BM_COSIM_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_COSIM_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_cosim_options_init(bm_cosim_options *opts, unsigned version);

typedef struct bm_cosim bm_cosim;

/* Generates and builds (or reuses) the RTL and harness of a valid machine.
 * The machine must outlive the handle.  opt is required, with a work_dir
 * (BM_EINVAL, recorded on the machine's context, otherwise). */
BM_API int bm_cosim_build(bm_cosim **out, const bm_machine *m, const bm_cosim_options *opt);
/* 1 when bm_cosim_build found an identical build and did not run Verilator. */
BM_API int bm_cosim_reused(const bm_cosim *c);
BM_API void bm_cosim_free(bm_cosim *c);

/* A stimulus for the RTL: each input's queue and each output's ready pattern. */
typedef struct bm_cosim_stimulus bm_cosim_stimulus;

/* Captures the values still queued on every input of `sim` and its ready
 * patterns.  Call it before running the simulator.  BM_EINVAL when an output
 * uses a ready callback (the RTL harness cannot run C callbacks). */
BM_API int bm_cosim_stimulus_capture(bm_cosim_stimulus **out, const bm_sim *sim);
BM_API void bm_cosim_stimulus_free(bm_cosim_stimulus *st);

/* Runs the RTL for `cycles` cycles from reset.  vcd may be NULL (a VCD needs
 * a build with trace).  *out receives the transfers in order of cycle, then
 * output index (free with bm_cosim_transfers_free). */
BM_API int bm_cosim_run(bm_cosim *c, const bm_cosim_stimulus *st, uint64_t cycles, const char *vcd,
                 bm_sim_transfer **out, size_t *n);
BM_API void bm_cosim_transfers_free(bm_cosim *c, bm_sim_transfer *t);

/* Compares two transfer lists; returns -1 when they are equal, otherwise the
 * index of the first transfer that differs (or is missing from one list). */
BM_API long bm_cosim_first_difference(const bm_sim_transfer *a, size_t na, const bm_sim_transfer *b,
                               size_t nb);

#ifdef __cplusplus
}
#endif
#endif
