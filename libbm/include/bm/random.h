/* Seeded random machines, for differential testing (simulator against RTL)
 * and for fuzzing research code.  The same seed and options always give the
 * same machine, on every host. */
#ifndef BM_RANDOM_H
#define BM_RANDOM_H

#include "bm/export.h"

#include <stdint.h>

#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_random_options {
    unsigned version;       /* BM_RANDOM_OPTIONS_VERSION                     */
    unsigned max_cores;     /* 1..16 cores                                   */
    unsigned max_width;     /* word widths are drawn from 1..max_width (<=64)*/
    unsigned max_registers; /* 1..max_registers registers per core           */
    unsigned max_body;      /* ALU instructions per loop body                */
    int allow_ram;          /* cores may get a RAM and use ld/st             */
    int allow_halt;         /* programs may count iterations and halt        */
    int allow_nonblocking;  /* programs may use inn / outn                   */
} bm_random_options;
#define BM_RANDOM_OPTIONS_VERSION 1
#define BM_RANDOM_OPTIONS_INIT {BM_RANDOM_OPTIONS_VERSION, 4, 64, 8, 12, 1, 1, 1}
/* Fills *opts with the defaults of BM_RANDOM_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_RANDOM_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_random_options_init(bm_random_options *opts, unsigned version);

/* Builds and validates a random machine named "rand_SEED".  Every core runs
 * a loop: read its inputs, compute, write its outputs; bonds form a
 * feed-forward network, so the machine runs until its inputs run out.
 * Cores are named c0, c1, ..., except that one seed in four names the first
 * three pc, stall and fetch_pc, names the Verilog backend uses inside its
 * modules, to keep the generated names apart from them. */
BM_API int bm_random_machine(bm_machine **out, bm_ctx *ctx, uint64_t seed,
                      const bm_random_options *opts);

/* Random stimulus for a machine: `count` values for each external input,
 * written to values[input * count + k], masked to the input's width. */
BM_API void bm_random_stimulus(const bm_machine *m, uint64_t seed, unsigned count, uint64_t *values);

#ifdef __cplusplus
}
#endif
#endif
