/* Private layout of the simulator (the files in sim/).  Not installed.
 *
 * The machine is predecoded once (predecode.c) into flat arrays: per core a
 * slot array (registers, then the program's immediates, then one scratch
 * slot), the program as sim_op records, the RAM, and its ports; per bond its
 * source and sinks.  The step loop (step.c) then touches only these arrays
 * and never allocates.
 *
 * Per-cycle bookkeeping uses stamps instead of clearing: a field "belongs"
 * to the current cycle when its stamp equals the cycle number plus one
 * (so that the initial 0 never matches).
 */
#ifndef BM_SIM_IMPL_H
#define BM_SIM_IMPL_H

#include <stdint.h>
#include <stdio.h>

#include "bm/sim.h"

#if defined(__GNUC__)
#define SIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SIM_LIKELY(x) (x)
#define SIM_UNLIKELY(x) (x)
#endif
/* For the step loop's per-core work, which the compiler would otherwise
 * call rather than inline (its loops are hot: a call per core and cycle
 * costs a third of the time of a busy machine). */
#if defined(__GNUC__)
#define SIM_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define SIM_ALWAYS_INLINE inline
#endif

/* The index of the lowest set bit of x (x != 0). */
static inline unsigned sim_ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    for (; !(x & 1); x >>= 1)
        n++;
    return n;
#endif
}

/* How the step loop handles an instruction. */
typedef enum sim_op_class {
    SIM_OP_FAST = 0, /* one cycle; sources and destination are slots; no I/O */
    SIM_OP_LOCAL,    /* no I/O, but RAM, several cycles or halt               */
    SIM_OP_CHANNEL,  /* I/O on a port: resolved with the handshakes           */
    SIM_OP_OFF_END   /* past the last instruction (validation rules it out)   */
} sim_op_class;

/* One predecoded instruction.  Sources and destination are slot indices:
 * a register, an immediate's constant slot, or the scratch slot for "none".
 * For RAM operands the index is the slot of the address register; for ports
 * `port` is the port number. */
typedef struct sim_op {
    uint32_t a, b, c, dst;
    uint32_t npc[2];    /* next pc when A == 0 and when A != 0              */
    uint8_t cls;        /* sim_op_class                                     */
    uint8_t alu;        /* bm_alu_op                                        */
    uint8_t io;         /* bm_io                                            */
    uint8_t cycles;     /* cycles when nothing stalls (>= 1)                */
    uint8_t a_kind, b_kind, c_kind; /* bm_src_kind                          */
    uint8_t dst_kind;   /* bm_dst_kind                                      */
    uint8_t halt;       /* flow is BM_FLOW_HALT                             */
    uint8_t delayed;    /* a pipelined multiplier's: the destination is
                           written at the end of the next cycle (sim_wb)    */
    uint8_t refetch;    /* a staged core's jump: bit 0 set when it is taken
                           with A == 0, bit 1 when with A != 0; a taken jump
                           leaves the core a cycle of refetching          */
    uint32_t port;      /* port number of an I/O instruction                */
} sim_op;

typedef struct sim_bond sim_bond;
typedef struct sim_core sim_core;

/* An output port's queue of posted values (docs/timing.md "Output queues"):
 * a ring of `depth` words, the core's `queue` parameter; depth 1 is the
 * one-word holding register.  The oldest value is offered first. */
typedef struct sim_outport {
    sim_bond *bond;      /* NULL when the port is not connected */
    uint64_t *vals;      /* depth words                          */
    uint32_t depth, head, count;
    sim_core *sleeper;   /* its core, asleep until a value leaves the queue
                            (idle.c); NULL when none                      */
} sim_outport;

static inline uint64_t sim_queue_head(const sim_outport *p)
{
    return p->vals[p->head];
}

static inline void sim_queue_pop(sim_outport *p)
{
    p->head = p->head + 1 == p->depth ? 0 : p->head + 1;
    p->count--;
}

static inline void sim_queue_push(sim_outport *p, uint64_t v)
{
    uint32_t at = p->head + p->count;
    p->vals[at >= p->depth ? at - p->depth : at] = v;
    p->count++;
}

static inline int sim_forward_full(const sim_core *k);

struct sim_core {
    uint32_t pc;
    uint8_t halted;
    uint8_t busy;        /* cycles spent so far in a multi-cycle instruction */
    uint8_t refetching;  /* a staged core's cycle after a taken jump: it
                            reads the target and does nothing else        */
    unsigned width;
    unsigned frac;       /* fraction bits of the fixed-point units          */
    uint64_t *slots;     /* registers, constants, scratch                   */
    const sim_op *code;  /* program, plus an OFF_END sentinel                */
    uint64_t *ram;
    uint32_t ram_depth;
    unsigned n_regs, n_code, n_in, n_out;
    uint32_t scratch;    /* index of the scratch slot                       */
    sim_bond **in_bond;  /* per input port; NULL when not connected         */
    sim_outport *out;    /* per output port                                 */
    /* Forwarding (docs/timing.md "Forwarding"): what the program takes
     * from any input port is pushed on output fwd_out's queue. */
    uint8_t forwards;
    uint32_t fwd_out;
    uint64_t retired;
    /* A pipelined multiplier's result (docs/timing.md "Multiplier
     * variants"): issued in one cycle (iss_*), written to register wb_dst
     * at the end of the next (wb_*), added to the register's value at the
     * start of that cycle when wb_acc. */
    uint8_t wb_acc, iss_acc;
    uint32_t wb_dst, iss_dst;
    uint64_t wb_val, iss_val;
    /* Idle skipping (idle.c): a core whose instruction can only wait sleeps,
     * out of the step loop, until what it waits on changes. */
    uint8_t asleep;
    sim_core *next_sleeper;  /* the next core on the same bond's sleepers */
};

/* 1 when taking an input must wait: the core forwards and the forward's
 * queue has no room at the start of the cycle. */
static inline int sim_forward_full(const sim_core *k)
{
    return k->forwards && k->out[k->fwd_out].count == k->out[k->fwd_out].depth;
}

typedef enum sim_end_kind { SIM_END_INPUT, SIM_END_OUTPUT, SIM_END_CORE_IN, SIM_END_CORE_OUT } sim_end_kind;

typedef struct sim_end {
    uint8_t kind;        /* sim_end_kind */
    unsigned index;      /* external port or core index */
    unsigned port;
} sim_end;

typedef struct sim_input sim_input;

struct sim_bond {
    /* per-cycle state, stamped */
    uint64_t ready_stamp;  /* ready_count is this cycle's           */
    uint64_t offer_stamp;  /* an out instruction offers offer_value */
    uint64_t xfer_stamp;   /* a transfer of xfer_value happens      */
    uint64_t offer_value, xfer_value;
    unsigned ready_count;  /* sinks ready this cycle                */
    unsigned n_sinks;
    uint8_t has_ext_sink;  /* some sink is an external output       */
    /* source: exactly one of these two is set */
    sim_input *src_in;
    sim_outport *src_out;
    sim_end source;
    sim_end *sinks;
    unsigned width;
    unsigned index;
    /* sink cores asleep until the source is valid (idle.c), linked by
     * next_sleeper */
    sim_core *sleepers;
};

struct sim_input {
    uint64_t *vals;      /* queue: vals[pos .. len) are still to be offered */
    size_t pos, len, cap;
    unsigned width;
    sim_bond *bond;
    /* bm_sim_set_input_type: the stimulus text gives this input's values
     * as decimal constants of `type` (docs/numbers.md) */
    int typed;
    bm_fixed_type type;
};

typedef struct sim_output {
    sim_bond *bond;
    uint8_t *pattern;    /* ready in cycle c: pattern[c % n_pattern]; NULL: always */
    size_t n_pattern;
    uint64_t period;     /* smallest period of the pattern (1 when none)  */
    bm_sim_ready_fn fn;
    void *fn_user;
    unsigned width;
} sim_output;

typedef struct sim_pending {
    sim_core *core;
    const sim_op *op;
    uint64_t value;        /* the value an out instruction offers, or
                              the one a pkmacfx looked at           */
    uint8_t blocked;       /* a queue kept the instruction waiting: out
                              finds its port's not empty, outn full, an
                              in on a forwarded port the forward's full;
                              a pkmacfx finds its source not valid  */
    uint8_t offered;       /* the queue was empty: the value itself was
                              offered on the bond                     */
} sim_pending;

typedef struct sim_vcd sim_vcd;

/* Per-core states, kept while a VCD is written or activity is counted
 * (trace.c): a snapshot at the start of each cycle, the state each core was
 * in during the last one, and the counts. */
typedef struct sim_trace {
    uint64_t *retired0;   /* retired at the start of the cycle            */
    uint8_t *busy0;
    uint8_t *halted0;
    uint8_t *refetch0;    /* a staged core spends the cycle refetching    */
    uint8_t *state;       /* bm_core_state of the last simulated cycle    */
    uint32_t *port;       /* the port waited on (WAIT_INPUT / WAIT_OUTPUT) */
    bm_sim_activity *count; /* NULL until bm_sim_activity_start           */
} sim_trace;

struct bm_sim {
    const bm_machine *m;
    bm_ctx *ctx;
    bm_sim_options opts;

    sim_core *cores;
    unsigned n_cores;
    sim_bond *bonds;
    unsigned n_bonds;
    sim_input *inputs;
    unsigned n_inputs;
    sim_output *outputs;
    unsigned n_outputs;
    sim_output **bonded_outputs; /* outputs with a bond, in index order */
    unsigned n_bonded_outputs;

    /* scratch lists of the step loop, sized once */
    sim_pending *pending;
    sim_bond **cand;
    /* cores whose pipelined multiplier writes back at the end of this
     * cycle, and those that issued into it this cycle */
    sim_core **wb_now, **wb_next;
    unsigned n_wb_now, n_wb_next;
    unsigned n_looks;    /* pkmacfx instructions pending this cycle        */

    uint64_t cycle;
    unsigned n_halted;
    unsigned n_holds_full; /* output ports whose queue holds a value */

    /* deadlock detection (docs/timing.md "Halting and stopping") */
    uint64_t quiet;        /* consecutive cycles in which nothing changed */
    uint64_t quiet_start;  /* the first of them                          */
    uint64_t env_period;   /* lcm of the ready patterns' periods          */
    uint64_t deadlock_cycle;
    unsigned n_ready_fns;  /* outputs whose ready comes from a callback  */

    /* recorded output transfers */
    bm_sim_transfer *rec;
    size_t n_rec, cap_rec;
    uint64_t out_total;

    sim_vcd *vcd;
    sim_trace *trace;

    /* Idle skipping (idle.c): bit i of `awake` is set when core i is
     * neither asleep nor halted; the step loop visits those, in index
     * order.  A core woken while the loop is at or past its word (an
     * offer in phase A, a ready callback in B) goes on `late`, visited
     * before phase C. */
    uint64_t *awake;
    unsigned n_awake_words;
    sim_core **late;
    unsigned n_late;
    unsigned scan_word;  /* the word the loop is at; UINT_MAX after it    */
    uint8_t scanning;    /* between the start of phase A and phase C      */
    unsigned n_asleep;
    uint8_t skipping;    /* this cycle lets cores sleep                   */
    uint8_t visit_all;   /* bmi_sim_set_visit_all: never skip (tests)     */
};

/* predecode.c */
int bmi_sim_build(bm_sim *sim);
void bmi_sim_release(bm_sim *sim);

/* step.c: simulates one cycle; returns nonzero when anything changed. */
int bmi_sim_cycle(bm_sim *sim);
/* The value a bond's source offers in the current state, if any (used
 * outside the step loop: describe, VCD). */
int bmi_sim_bond_source_valid(const bm_sim *sim, const sim_bond *b, uint64_t stamp, uint64_t *data);
/* Whether a sink would be ready in the next cycle. */
int bmi_sim_sink_ready_next(const bm_sim *sim, const sim_end *e);
int bmi_sim_output_ready(const bm_sim *sim, const sim_output *o, uint64_t cycle);
/* Recomputes env_period after a ready pattern change. */
void bmi_sim_update_env(bm_sim *sim);

/* idle.c.  A sleeping core is one that the step loop would find waiting,
 * with no effect on anything, in every cycle until it is woken: an `in`
 * whose bond has no valid source (its ready matters only to a transfer,
 * which needs one), an `in` whose forward's queue is full, an `out` or
 * `outn` kept waiting by its own queue.  Whatever could end that wait
 * wakes it: a value offered, queued or pushed on the bond, a value leaving
 * the queue. */
int bmi_sim_idle_init(bm_sim *sim);
void bmi_sim_wake_sinks(bm_sim *sim, sim_bond *b);
void bmi_sim_wake_all(bm_sim *sim);
/* E found core k's `in` (blocked: by its forward's queue) or its blocked
 * `out`/`outn` waiting: it sleeps when nothing can change that by the
 * next cycle. */
void bmi_sim_sleep_in(bm_sim *sim, sim_core *k, const sim_op *op, int blocked, uint64_t stamp);
void bmi_sim_sleep_out(bm_sim *sim, sim_core *k, const sim_op *op);
/* Nonzero: every cycle visits every core, as before idle skipping (the
 * differential tests compare both ways).  Not public API. */
void bmi_sim_set_visit_all(bm_sim *sim, int on);

/* Takes core k out of the step loop (it sleeps or halts) and puts it back. */
static inline void sim_unmark(bm_sim *sim, const sim_core *k)
{
    unsigned i = (unsigned)(k - sim->cores);
    sim->awake[i >> 6] &= ~(UINT64_C(1) << (i & 63));
}

static inline void sim_wake(bm_sim *sim, sim_core *k)
{
    unsigned i = (unsigned)(k - sim->cores);
    k->asleep = 0;
    sim->n_asleep--;
    sim->awake[i >> 6] |= UINT64_C(1) << (i & 63);
    if (sim->scanning && (i >> 6) <= sim->scan_word)
        sim->late[sim->n_late++] = k; /* the loop has read its word */
}

/* A value has left port p's queue: its core may move. */
static inline void sim_wake_port(bm_sim *sim, sim_outport *p)
{
    if (SIM_UNLIKELY(p->sleeper != NULL)) {
        sim_wake(sim, p->sleeper);
        p->sleeper = NULL;
    }
}

/* Bond b's source has become valid: its sleeping sinks must look. */
static inline void sim_wake_bond(bm_sim *sim, sim_bond *b)
{
    if (SIM_UNLIKELY(b->sleepers != NULL))
        bmi_sim_wake_sinks(sim, b);
}

/* trace.c */
int bmi_sim_trace_need(bm_sim *sim);
void bmi_sim_trace_begin(bm_sim *sim);
void bmi_sim_trace_end(bm_sim *sim);
void bmi_sim_trace_free(bm_sim *sim);

/* vcd.c */
void bmi_sim_vcd_end_cycle(bm_sim *sim);
void bmi_sim_vcd_begin_cycle(bm_sim *sim);
void bmi_sim_vcd_channels(bm_sim *sim);

#endif
