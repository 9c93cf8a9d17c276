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

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "bm/fixed.h"
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
/* Fills *opts with the defaults of BM_SIM_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_SIM_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_sim_options_init(bm_sim_options *opts, unsigned version);

/* Why bm_sim_step or bm_sim_run returned. */
typedef enum bm_sim_stop {
    BM_SIM_STEPPED = 0,  /* bm_sim_step ran all the cycles it was asked for   */
    BM_SIM_STOP_OUTPUTS, /* the requested number of output transfers happened */
    BM_SIM_STOP_HALTED,  /* every core halted, every holding register empty   */
    BM_SIM_STOP_CYCLES,  /* the cycle limit was reached                       */
    BM_SIM_STOP_DEADLOCK /* nothing can change any more (docs/timing.md)      */
} bm_sim_stop;

/* "stepped", "outputs", "halted", "cycles", "deadlock". */
BM_API const char *bm_sim_stop_name(bm_sim_stop stop);

/* Limits for bm_sim_run.  Both count from the start of the simulation, not
 * from the call; 0 means no limit. */
typedef struct bm_sim_limits {
    unsigned version;     /* BM_SIM_LIMITS_VERSION                            */
    uint64_t max_cycles;  /* stop when bm_sim_cycle() reaches this            */
    uint64_t max_outputs; /* stop when bm_sim_output_total() reaches this     */
} bm_sim_limits;
#define BM_SIM_LIMITS_VERSION 1
#define BM_SIM_LIMITS_INIT {BM_SIM_LIMITS_VERSION, 0, 0}
/* Fills *limits with the defaults of BM_SIM_LIMITS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_SIM_LIMITS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_sim_limits_init(bm_sim_limits *limits, unsigned version);

/* ---- life cycle --------------------------------------------------------- */

/* Creates a simulator in the post-reset state at cycle 0.  The machine must
 * have passed bm_machine_validate() (BM_EINVAL otherwise).  opts may be NULL
 * for BM_SIM_OPTIONS_INIT. */
BM_API int bm_sim_new(bm_sim **out, const bm_machine *m, const bm_sim_options *opts);
/* Frees the simulator; closes (and keeps) an open VCD file. */
BM_API void bm_sim_free(bm_sim *sim);
BM_API const bm_machine *bm_sim_machine(const bm_sim *sim);

/* ---- stimulus and back-pressure ----------------------------------------- */

/* Appends a value to the queue of external input `input`; the driver offers
 * the queue's values one per transfer (docs/timing.md).  The value must fit
 * the input's width W as an unsigned number, or be a negative two's
 * complement 64-bit number within W-bit signed range (it is then wrapped to
 * W bits).  BM_ERANGE otherwise, BM_ENOTFOUND for a bad index, both
 * recorded on the machine's context. */
BM_API int bm_sim_push_input(bm_sim *sim, unsigned input, uint64_t value);
/* Values of `input` not yet taken. */
BM_API size_t bm_sim_input_pending(const bm_sim *sim, unsigned input);
/* The k-th value of `input` not yet taken (k < bm_sim_input_pending()), so
 * that another driver (the Verilator co-simulation) can replay the queue. */
BM_API int bm_sim_input_peek(const bm_sim *sim, unsigned input, size_t k, uint64_t *value);

/* Parses stimulus text (docs/sim.md): lines "NAME = v1, v2, ...", '#'
 * comments, blank lines; values decimal, 0x hex or 0b binary, optionally
 * negative; on an input given a type by bm_sim_set_input_type, decimal
 * constants of that type ("1.5", "-0.25", "6.02e-3"), converted by
 * bm_fixed_parse (nearest, ties to even; out of range is an error).
 * `name` is the file name used in diagnostics.  Nothing is pushed
 * unless the whole text is correct (BM_EPARSE, details on the context). */
BM_API int bm_sim_load_stimulus(bm_sim *sim, const char *text, size_t len, const char *name);
BM_API int bm_sim_load_stimulus_file(bm_sim *sim, const char *path);
/* Says that external input `input` carries values of the fixed-point type
 * t (t.total must be the input's width; int<W> is t.frac == 0), so that the
 * stimulus text may give its values as decimal constants.  The simulator
 * itself only ever sees raw words; bm_sim_push_input is unchanged.  0,
 * BM_ENOTFOUND for a bad index, BM_EINVAL for a bad type or a width that
 * differs from the input's, recorded on the machine's context. */
BM_API int bm_sim_set_input_type(bm_sim *sim, unsigned input, bm_fixed_type t);

/* Sets the ready signal of external output `output` to a repeating pattern:
 * in cycle c it is pattern[c % n] != 0.  n == 0 restores the default
 * (always ready). */
BM_API int bm_sim_set_output_ready(bm_sim *sim, unsigned output, const uint8_t *pattern, size_t n);
/* The ready pattern of `output` (*n == 0: always ready).  BM_EINVAL when a
 * callback sets it instead. */
BM_API int bm_sim_output_ready_pattern(const bm_sim *sim, unsigned output, const uint8_t **pattern,
                                size_t *n);
/* Sets a ready callback for `output` instead (NULL restores the default). */
BM_API int bm_sim_set_output_ready_fn(bm_sim *sim, unsigned output, bm_sim_ready_fn fn, void *user);
/* Parses ready patterns written like stimulus: "NAME = 1, 0, 0" (only 0 and
 * 1); each line replaces the named output's pattern. */
BM_API int bm_sim_load_ready(bm_sim *sim, const char *text, size_t len, const char *name);

/* ---- running ------------------------------------------------------------ */

/* Simulates up to n cycles.  Returns early, with *why set, when every core
 * has halted or on deadlock; otherwise *why is BM_SIM_STEPPED.  why may be
 * NULL.  BM_ENOMEM (before a cycle starts, state intact) if recording an
 * output needs memory that is not there. */
BM_API int bm_sim_step(bm_sim *sim, uint64_t n, bm_sim_stop *why);
/* Runs until a limit is reached, every core has halted, or deadlock.
 * Without limits it may run forever (a core in a busy loop). */
BM_API int bm_sim_run(bm_sim *sim, const bm_sim_limits *limits, bm_sim_stop *why);

/* The C form of `bmc compile --test`: streams n vectors through a
 * streaming machine (one value on each external input and one on each
 * external output per vector, what bm_compile makes) in a simulator of its
 * own, and writes the output values of vector i, sign-extended from each
 * output's width, to outputs[i * output_count + k] in machine output order.
 * inputs holds n * input_count raw values, vector i's at
 * inputs[i * input_count], in machine input order (for bm_compile's
 * machines, the graph's input order); each must fit its input's width
 * like bm_sim_push_input's.  max_cycles bounds the run (0: no limit; a
 * deadlock or an end of input stops it anyway).  0; BM_EINVALID when the
 * machine stopped before every output gave its n values, or gave more on
 * one output than on another (recorded: the stop reason and how many
 * vectors came out); BM_ERANGE for an input value that does not fit. */
BM_API int bm_sim_run_vectors(int64_t *outputs, const bm_machine *m, const int64_t *inputs,
                              size_t n, uint64_t max_cycles);

/* Cycles simulated so far: the number of the next cycle. */
BM_API uint64_t bm_sim_cycle(const bm_sim *sim);
/* After a BM_SIM_STOP_DEADLOCK: the first cycle from which nothing changed. */
BM_API uint64_t bm_sim_deadlock_cycle(const bm_sim *sim);

/* ---- outputs ------------------------------------------------------------ */

/* Recorded transfers, in order of cycle then output index. */
BM_API size_t bm_sim_output_count(const bm_sim *sim);
BM_API int bm_sim_output(const bm_sim *sim, size_t i, bm_sim_transfer *out);
/* Forgets the recorded transfers (bm_sim_output_count() becomes 0); the
 * total keeps counting. */
BM_API void bm_sim_discard_outputs(bm_sim *sim);
/* Transfers on external outputs since cycle 0, recorded or not. */
BM_API uint64_t bm_sim_output_total(const bm_sim *sim);

/* ---- state -------------------------------------------------------------- */

/* A core's program counter, register `reg` and RAM word `addr` now (values
 * masked to the core's width).  BM_ENOTFOUND, recorded on the machine's
 * context, for a core, register or address that does not exist; BM_EINVAL
 * for NULL. */
BM_API int bm_sim_pc(const bm_sim *sim, unsigned core, unsigned *out);
BM_API int bm_sim_reg(const bm_sim *sim, unsigned core, unsigned reg, uint64_t *out);
BM_API int bm_sim_ram_word(const bm_sim *sim, unsigned core, unsigned addr, uint64_t *out);
/* 1 halted, 0 running, BM_ENOTFOUND for a bad index. */
BM_API int bm_sim_core_halted(const bm_sim *sim, unsigned core);
/* Instructions core `core` has completed (a stalled cycle completes none;
 * a two-cycle ld counts once). */
BM_API uint64_t bm_sim_retired(const bm_sim *sim, unsigned core);
/* The sum over all cores. */
BM_API uint64_t bm_sim_retired_total(const bm_sim *sim);

/* Describes what core `core` does in the next cycle, for deadlock reports,
 * e.g. "pc 2 'in r0, i0' waits for valid on i0 (bond from 'a.o0')".  Like
 * snprintf: returns the length the full text needs, or a negative BM_E*. */
BM_API int bm_sim_describe_stall(const bm_sim *sim, unsigned core, char *buf, size_t size);
/* 1 when the machine waits for input that will not come: every value given
 * to every external input has been taken, and at least one core waits (a
 * blocking `in`) on a bond from an external input.  After a run that
 * stopped on BM_SIM_STOP_DEADLOCK this tells the end of the input (a
 * streaming machine whose stimulus ran out) from a real deadlock (cores
 * waiting on each other, or input values left that nothing takes), which
 * gives 0.  0 also for NULL. */
BM_API int bm_sim_input_ended(const bm_sim *sim);

/* ---- waveforms ---------------------------------------------------------- */

/* Starts writing a VCD file (docs/sim.md): clk, every bond's data, valid and
 * ready, every core's pc, halted flag, registers and state (running, waiting
 * on which input or output port, halted), from the current cycle on.  A
 * regular file is written to a temporary file in its folder (unnamed where
 * the file system allows, so a killed process leaves nothing) and put in
 * place by bm_sim_vcd_close (or bm_sim_free), so a failed run leaves no half
 * file; a symbolic link is written through, a device or FIFO straight
 * (docs/outputs.md). */
BM_API int bm_sim_vcd_open(bm_sim *sim, const char *path);
/* Finishes the VCD file.  BM_EIO if any write failed (the file is then
 * removed); 0 when none was open. */
BM_API int bm_sim_vcd_close(bm_sim *sim);
/* Abandons the open VCD file after a failed run: its temporary file is
 * removed and nothing is put in place, so an earlier file of that name
 * stays as it was.  Nothing happens when none is open, or for NULL. */
BM_API void bm_sim_vcd_discard(bm_sim *sim);
/* Writes a GTKWave save file for the open VCD file (BM_EINVAL when none is
 * open): the VCD's path, then one group per core (pc, state, wait_port,
 * halted, registers) and one per bond.  Written atomically. */
BM_API int bm_sim_gtkw_write(const bm_sim *sim, const char *path);

/* ---- activity ----------------------------------------------------------- */

/* What a core did in a cycle (docs/sim.md "Activity"). */
typedef enum bm_core_state {
    BM_CORE_RUNNING = 0, /* completed an instruction or advanced a multi-cycle one */
    BM_CORE_WAIT_INPUT,  /* an input instruction waited: no transfer on its port */
    BM_CORE_WAIT_OUTPUT, /* an output instruction waited: its value was not taken,
                            or its port's holding register was still full */
    BM_CORE_HALTED,      /* halted before the cycle */
    BM_CORE_STATE_COUNT
} bm_core_state;

/* "running", "wait_input", "wait_output", "halted"; NULL for a bad value. */
BM_API const char *bm_core_state_name(bm_core_state s);

/* Cycles a core spent in each state, indexed by bm_core_state. */
typedef struct bm_sim_activity {
    uint64_t cycles[BM_CORE_STATE_COUNT];
} bm_sim_activity;

/* Starts counting each core's states from the next cycle on (a second call
 * changes nothing).  BM_ENOMEM. */
BM_API int bm_sim_activity_start(bm_sim *sim);
/* The counts of core `core` since bm_sim_activity_start.  BM_EINVAL when
 * counting was never started, BM_ENOTFOUND for a bad index. */
BM_API int bm_sim_core_activity(const bm_sim *sim, unsigned core, bm_sim_activity *out);
/* A chart of the counts as an SVG document (docs/sim.md "Activity"): one bar
 * per core, split into busy (running), stalled (waiting for an output to be
 * taken), idle (waiting for an input) and halted cycles.  *out is
 * NUL-terminated, allocated with the machine context's allocator: free it
 * with bm_sim_text_free.  BM_EINVAL when counting was never started. */
BM_API int bm_sim_activity_svg(char **out, size_t *len, const bm_sim *sim);
BM_API void bm_sim_text_free(const bm_sim *sim, char *text);

#ifdef __cplusplus
}
#endif
#endif
