/* The cycle-accurate machine simulator.
 *
 * A bm_sim runs a validated machine cycle by cycle with exactly the timing of
 * docs/timing.md, the contract the Verilog backend implements too.  It
 * interprets a predecoded form of each core's program: one instruction per
 * cycle for straight-line code, stalls on blocking I/O, the valid/ready
 * handshake on every bond (a fan-out transfers when every sink is ready),
 * values masked to each core's word width.  docs/sim.md describes the API,
 * the stimulus and ready-pattern formats, the stop rules and the VCD output.
 *
 * Typical use:
 *
 *     bm_sim *sim;
 *     bm_sim_new(&sim, machine, NULL);
 *     bm_sim_push_input(sim, 0, 42);
 *     bm_sim_limits lim = BM_SIM_LIMITS_INIT;
 *     lim.max_cycles = 1000;
 *     bm_sim_stop why;
 *     bm_sim_run(sim, &lim, &why);
 *     for (size_t i = 0; i < bm_sim_output_count(sim); i++) { ... bm_sim_output(...) }
 *     bm_sim_free(sim);
 *
 * Errors are recorded on the machine's context (bm_machine_ctx()).  The
 * machine must stay alive, and unchanged, as long as the simulator.
 */
#ifndef BM_SIM_H
#define BM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_sim bm_sim;

/* One transfer on an external output. */
typedef struct bm_sim_transfer {
    unsigned output; /* external output index (bm_machine_output_name) */
    uint64_t value;  /* the word, unsigned, masked to the output width */
    uint64_t cycle;  /* the cycle in which valid and ready were both 1 */
} bm_sim_transfer;

/* Called for every external output transfer, in order of cycle then output
 * index, while the cycle is being simulated. */
typedef void (*bm_sim_output_fn)(void *user, const bm_sim_transfer *t);

/* Back-pressure by callback: returns nonzero when external output `output`
 * is ready in `cycle`.  It must not call back into the simulator.  With a
 * callback the simulator cannot foresee the consumer, so a deadlock that
 * waits on such an output is not detected (use a cycle limit). */
typedef int (*bm_sim_ready_fn)(void *user, unsigned output, uint64_t cycle);

typedef struct bm_sim_options {
    unsigned version;            /* BM_SIM_OPTIONS_VERSION                    */
    int record_outputs;          /* keep transfers for bm_sim_output (1)      */
    size_t output_reserve;       /* transfers to make room for up front (0)   */
    bm_sim_output_fn on_output;  /* also report each transfer here (NULL)     */
    void *on_output_user;
} bm_sim_options;
#define BM_SIM_OPTIONS_VERSION 1
#define BM_SIM_OPTIONS_INIT {BM_SIM_OPTIONS_VERSION, 1, 0, NULL, NULL}

/* Why bm_sim_step or bm_sim_run returned. */
typedef enum bm_sim_stop {
    BM_SIM_STEPPED = 0,  /* bm_sim_step ran all the cycles it was asked for   */
    BM_SIM_STOP_OUTPUTS, /* the requested number of output transfers happened */
    BM_SIM_STOP_HALTED,  /* every core halted, every holding register empty   */
    BM_SIM_STOP_CYCLES,  /* the cycle limit was reached                       */
    BM_SIM_STOP_DEADLOCK /* nothing can change any more (docs/timing.md)      */
} bm_sim_stop;

/* "stepped", "outputs", "halted", "cycles", "deadlock". */
const char *bm_sim_stop_name(bm_sim_stop stop);

/* Limits for bm_sim_run.  Both count from the start of the simulation, not
 * from the call; 0 means no limit. */
typedef struct bm_sim_limits {
    unsigned version;     /* BM_SIM_LIMITS_VERSION                            */
    uint64_t max_cycles;  /* stop when bm_sim_cycle() reaches this            */
    uint64_t max_outputs; /* stop when bm_sim_output_total() reaches this     */
} bm_sim_limits;
#define BM_SIM_LIMITS_VERSION 1
#define BM_SIM_LIMITS_INIT {BM_SIM_LIMITS_VERSION, 0, 0}

/* ---- life cycle --------------------------------------------------------- */

/* Creates a simulator in the post-reset state at cycle 0.  The machine must
 * have passed bm_machine_validate() (BM_EINVAL otherwise).  opts may be NULL
 * for BM_SIM_OPTIONS_INIT. */
int bm_sim_new(bm_sim **out, const bm_machine *m, const bm_sim_options *opts);
/* Frees the simulator; closes (and keeps) an open VCD file. */
void bm_sim_free(bm_sim *sim);
const bm_machine *bm_sim_machine(const bm_sim *sim);

/* ---- stimulus and back-pressure ----------------------------------------- */

/* Appends a value to the queue of external input `input`; the driver offers
 * the queue's values one per transfer (docs/timing.md).  The value must fit
 * the input's width W as an unsigned number, or be a negative two's
 * complement 64-bit number within W-bit signed range (it is then wrapped to
 * W bits).  BM_ERANGE otherwise, BM_ENOTFOUND for a bad index. */
int bm_sim_push_input(bm_sim *sim, unsigned input, uint64_t value);
/* Values of `input` not yet taken. */
size_t bm_sim_input_pending(const bm_sim *sim, unsigned input);
/* The k-th value of `input` not yet taken (k < bm_sim_input_pending()), so
 * that another driver (the Verilator co-simulation) can replay the queue. */
int bm_sim_input_peek(const bm_sim *sim, unsigned input, size_t k, uint64_t *value);

/* Parses stimulus text (docs/sim.md): lines "NAME = v1, v2, ...", '#'
 * comments, blank lines; values decimal, 0x hex or 0b binary, optionally
 * negative.  `name` is the file name used in diagnostics.  Nothing is pushed
 * unless the whole text is correct (BM_EPARSE, details on the context). */
int bm_sim_load_stimulus(bm_sim *sim, const char *text, size_t len, const char *name);
int bm_sim_load_stimulus_file(bm_sim *sim, const char *path);

/* Sets the ready signal of external output `output` to a repeating pattern:
 * in cycle c it is pattern[c % n] != 0.  n == 0 restores the default
 * (always ready). */
int bm_sim_set_output_ready(bm_sim *sim, unsigned output, const uint8_t *pattern, size_t n);
/* The ready pattern of `output` (*n == 0: always ready).  BM_EINVAL when a
 * callback sets it instead. */
int bm_sim_output_ready_pattern(const bm_sim *sim, unsigned output, const uint8_t **pattern,
                                size_t *n);
/* Sets a ready callback for `output` instead (NULL restores the default). */
int bm_sim_set_output_ready_fn(bm_sim *sim, unsigned output, bm_sim_ready_fn fn, void *user);
/* Parses ready patterns written like stimulus: "NAME = 1, 0, 0" (only 0 and
 * 1); each line replaces the named output's pattern. */
int bm_sim_load_ready(bm_sim *sim, const char *text, size_t len, const char *name);

/* ---- running ------------------------------------------------------------ */

/* Simulates up to n cycles.  Returns early, with *why set, when every core
 * has halted or on deadlock; otherwise *why is BM_SIM_STEPPED.  why may be
 * NULL.  BM_ENOMEM (before a cycle starts, state intact) if recording an
 * output needs memory that is not there. */
int bm_sim_step(bm_sim *sim, uint64_t n, bm_sim_stop *why);
/* Runs until a limit is reached, every core has halted, or deadlock.
 * Without limits it may run forever (a core in a busy loop). */
int bm_sim_run(bm_sim *sim, const bm_sim_limits *limits, bm_sim_stop *why);

/* Cycles simulated so far: the number of the next cycle. */
uint64_t bm_sim_cycle(const bm_sim *sim);
/* After a BM_SIM_STOP_DEADLOCK: the first cycle from which nothing changed. */
uint64_t bm_sim_deadlock_cycle(const bm_sim *sim);

/* ---- outputs ------------------------------------------------------------ */

/* Recorded transfers, in order of cycle then output index. */
size_t bm_sim_output_count(const bm_sim *sim);
int bm_sim_output(const bm_sim *sim, size_t i, bm_sim_transfer *out);
/* Forgets the recorded transfers (bm_sim_output_count() becomes 0); the
 * total keeps counting. */
void bm_sim_discard_outputs(bm_sim *sim);
/* Transfers on external outputs since cycle 0, recorded or not. */
uint64_t bm_sim_output_total(const bm_sim *sim);

/* ---- state -------------------------------------------------------------- */

int bm_sim_pc(const bm_sim *sim, unsigned core, unsigned *out);
int bm_sim_reg(const bm_sim *sim, unsigned core, unsigned reg, uint64_t *out);
int bm_sim_ram_word(const bm_sim *sim, unsigned core, unsigned addr, uint64_t *out);
/* 1 halted, 0 running, BM_ENOTFOUND for a bad index. */
int bm_sim_core_halted(const bm_sim *sim, unsigned core);
/* Instructions core `core` has completed (a stalled cycle completes none;
 * a two-cycle ld counts once). */
uint64_t bm_sim_retired(const bm_sim *sim, unsigned core);
/* The sum over all cores. */
uint64_t bm_sim_retired_total(const bm_sim *sim);

/* Describes what core `core` does in the next cycle, for deadlock reports,
 * e.g. "pc 2 'in r0, i0' waits for valid on i0 (bond from 'a.o0')".  Like
 * snprintf: returns the length the full text needs, or a negative BM_E*. */
int bm_sim_describe_stall(const bm_sim *sim, unsigned core, char *buf, size_t size);

/* ---- waveforms ---------------------------------------------------------- */

/* Starts writing a VCD file (docs/sim.md): clk, every bond's data, valid and
 * ready, every core's pc and halted flag, from the current cycle on.  A
 * regular file is written to a temporary file in its folder (unnamed where
 * the file system allows, so a killed process leaves nothing) and put in
 * place by bm_sim_vcd_close (or bm_sim_free), so a failed run leaves no half
 * file; a symbolic link is written through, a device or FIFO straight
 * (docs/outputs.md). */
int bm_sim_vcd_open(bm_sim *sim, const char *path);
/* Finishes the VCD file.  BM_EIO if any write failed (the file is then
 * removed); 0 when none was open. */
int bm_sim_vcd_close(bm_sim *sim);

#ifdef __cplusplus
}
#endif
#endif
