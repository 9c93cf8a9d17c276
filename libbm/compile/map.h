/* The mapper's private representation (libbm/compile/map_*.c).  Not
 * installed.
 *
 * Compilation runs in four steps, one file each:
 *
 *   map_select.c  graph -> fused operations ("fops"): constants folded,
 *                 dead nodes dropped, ADD/SUB/NEG/MUL trees flattened into
 *                 sums of terms (c + x - y + floor(x*k) + floor(x*y) ...),
 *                 one fop per graph input too, so that fops are the values.
 *   map_node.c,   a strategy places every fop on a core (its owner) and
 *   map_cores.c,  fixes one global order of the fops; map_plan.c turns that
 *   map.c         into events per core (receive, compute, send, output) over
 *                 channels, keeping each transfer atomic in the global order,
 *                 which is what makes the machine deadlock-free.
 *   map_emit.c    each core's events -> instructions, with register
 *                 allocation (values die at their last use) and fusion of a
 *                 receive into a multiply-accumulate (inmacfx).
 *   map_hazard.c  a pipelined multiplier's exposed write-back: nops where
 *                 the next instruction would see or overwrite the old value.
 *   map_build.c   programs, ports and channels -> a validated bm_machine.
 *
 * map_fold.c is the fold strategy, map_split.c its splitting of wide
 * neurons across cores (the reuse factor); map_predict.c the report's
 * predicted timing, from a finished machine.
 */
#ifndef BM_MAP_H
#define BM_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "bm/compile.h"
#include "bm/graph.h"
#include "bm/machine.h"
#include "compile.h"
#include "internal.h"

#define MAP_NONE UINT32_MAX

/* ---- fused operations ------------------------------------------------------ */

typedef enum map_fop_kind {
    MF_INPUT = 0, /* graph input `c` (its index); produced by the environment  */
    MF_SUM,       /* c + terms                                                 */
    MF_RELU,      /* args[0] >= 0 ? args[0] : 0                                */
    MF_MIN,       /* min(args[0], args[1])                                     */
    MF_MAX,       /* max(args[0], args[1])                                     */
    MF_ARGMAX,    /* index of the first maximum of args                        */
    MF_CONST,     /* c, once per vector: args[0] (if any) is an input read as
                     the trigger                                              */
    MF_COPY,      /* args[0] (an output that is a graph input)                 */
    MF_SINK,      /* reads args (unused graph inputs) and drops them; no value */
    MF_SHL,       /* args[0] * 2^c, wrapped (shli)                             */
    MF_SAR        /* floor(args[0] / 2^c) (sari)                               */
} map_fop_kind;

typedef enum map_term_kind {
    MT_VAL = 0, /* a                                      */
    MT_MULI,    /* floor(a * imm / 2^frac)                */
    MT_MUL      /* floor(a * b / 2^frac)                  */
} map_term_kind;

typedef struct map_term {
    uint8_t kind;
    uint8_t neg; /* the term is subtracted */
    uint32_t a, b;
    int64_t imm;
} map_term;

typedef struct map_arg {
    uint32_t fop;  /* MAP_NONE for a constant */
    int64_t c;
} map_arg;

typedef struct map_fop {
    uint8_t kind;
    uint32_t node;     /* the graph node whose value this is (MAP_NONE: SINK) */
    int64_t c;         /* SUM constant, CONST value, INPUT index               */
    uint32_t first, n; /* terms (SUM) or args (the others)                    */
    int layer, neuron; /* the node's network tag                              */
    uint32_t part;     /* a split neuron's (map_split.c): which part, 0..     */
    uint32_t parts;    /* ... of how many; 0 for a fop that is not split      */
    uint32_t slice;    /* ... over which slice of the layer's inputs (a part
                          count skips slices with no term; the slice does not) */
    uint32_t cost;     /* estimated cycles                                    */
} map_fop;

typedef struct map_graph {
    bm_ctx *ctx;
    const bm_graph *g;
    bm_fixed_type type;
    map_fop *fops;
    size_t n_fops, cap_fops;
    map_term *terms;
    size_t n_terms, cap_terms;
    map_arg *args;
    size_t n_args, cap_args;
    uint32_t *output_fop;  /* per graph output                               */
    /* Consumers of each fop (a consumer reading it twice is listed twice),
     * in increasing order: user[user_start[f] .. user_start[f+1]). */
    uint32_t *user_start, *user;
    /* Graph outputs of each fop: out_of[out_start[f] .. out_start[f+1]). */
    uint32_t *out_start, *out_of;
} map_graph;

int bmi_map_select(map_graph *mg, bm_ctx *ctx, const bm_graph *g);
void bmi_map_graph_free(map_graph *mg);
/* (Re)builds the user and output lists from the fops (map_select.c); the
 * old lists must have been freed. */
int bmi_map_build_users(map_graph *mg);
/* Estimated cycles of fop f (map_select.c). */
uint32_t bmi_map_fop_cost(const map_graph *mg, const map_fop *f);

/* ---- splitting wide neurons (map_split.c) ----------------------------------- */

/* The fan-in of each layer l < *n_layers of a network's fops: one more
 * than the largest input index a sum of the layer reads (a graph input's
 * index in layer 0, the neuron number of the layer before in the others).
 * *fanin is allocated on mg->ctx; *n_layers is 0 (and *fanin NULL) when no
 * fop carries a layer tag. */
int bmi_map_layer_fanins(const map_graph *mg, unsigned **fanin, size_t *n_layers);

/* Splits the sum of every neuron of layer l < n_layers with parts[l] > 1
 * into that many partial sums over consecutive, balanced slices of the
 * layer's inputs (fanin[l]; for tiles, group non-NULL, weighted and
 * aligned to group[l] values, map_split.c), slices that hold no term left
 * out, each part's `slice` recorded: part 0
 * is c plus its slice, part j > 0 its slice plus part j - 1 (an MT_VAL
 * term), and the last part keeps the sum's place for its readers.  The new
 * fops come right before the sum they replace, so the fop order stays
 * topological; the fops are renumbered and the user lists rebuilt.  Parts
 * carry the neuron's tag, `part` and `parts`, and so does a relu of the
 * neuron (part = parts - 1). */
int bmi_map_split(map_graph *mg, const unsigned *parts, const unsigned *fanin, size_t n_layers,
                  const unsigned *group);

/* Splits every neuron of layer l into split[l] parts (the last value
 * repeating for deeper layers; 1: none) by bmi_map_split, over the layers'
 * own fan-ins, for tiles: the fold strategy's --split, fold[] its K per
 * layer (the last repeating), whose layer l - 1 value aligns layer l's
 * slices (map_split.c). */
int bmi_map_split_layers(map_graph *mg, const unsigned *split, size_t n_split,
                         const unsigned *fold, size_t n_fold);

/* hls4ml's reuse factor: R per layer (reuse[l], the last repeating) turns
 * into the fold strategy's neurons per core, floor(R / F) where R >= F
 * (the layer's fan-in), or splits every neuron of the layer into
 * ceil(F / R) parts (bmi_map_split) and puts one part a core.  *fold (on
 * mg->ctx, *n_fold values) receives the K of each layer for
 * bmi_map_strategy_fold. */
int bmi_map_reuse(map_graph *mg, const unsigned *reuse, size_t n_reuse, unsigned **fold,
              size_t *n_fold);

/* Calls fn(user, value) for each value operand occurrence of fop f. */
typedef void (*map_operand_fn)(void *user, uint32_t value);
void bmi_map_for_operands(const map_graph *mg, uint32_t f, map_operand_fn fn, void *user);

/* ---- the plan: cores, channels, events ----------------------------------- */

typedef enum map_ev_kind {
    EV_RECV = 0, /* receive value `fop` on input port `port`    */
    EV_COMPUTE,  /* compute fop                                  */
    EV_SEND,     /* send value `fop` on output port `port`       */
    EV_OUTPUT    /* send value `fop` to the external output on output port `port` */
} map_ev_kind;

typedef struct map_event {
    uint8_t kind;
    uint32_t fop;
    uint32_t port;
} map_event;

typedef struct map_core {
    char *name;
    bm_loc loc;
    map_event *ev;
    size_t n_ev, cap_ev;
    unsigned n_in, n_out;
    /* Chains (bmi_map_plan_events_chained): fwd_chan, the channel on which
     * this core forwards everything it takes (its forward port is the
     * channel's source); fwd_in, the input port on which this core takes
     * from another core's forward.  MAP_NONE when there is none. */
    uint32_t fwd_chan, fwd_in;
    /* A tile (bmi_map_strategy_fold with tiles): one slice of K split
     * neurons.  It multiplies values where they wait on its ports
     * (pkmacfx), as a chain's cores do, chained or not: its cycles are its
     * products. */
    uint8_t tile;
    /* A distributor: the head of a chain of tiles past a layer's first
     * slice (bmi_map_strategy_fold), a core that only takes the values of
     * its chain and forwards them to all of its cores at once; the tiles
     * take partial sums besides, which a forward would pass on. */
    uint8_t distributor;
} map_core;

/* A bond: from a core's output port, or from an external input, to sinks. */
typedef struct map_channel {
    int64_t src_core;  /* -1: external input `src` */
    uint32_t src;      /* output port, or external input index */
    uint32_t first_sink, n_sinks; /* its sinks: plan sinks[first_sink ...] */
    /* With chains: a channel of partial sums, which go straight to the core
     * that adds them, past its chain's first core, and on no forward. */
    uint8_t direct;
} map_channel;

typedef struct map_sink {
    uint32_t core, port;
} map_sink;

typedef struct map_outbond {
    uint32_t core, port, output;
} map_outbond;

typedef struct map_plan {
    bm_ctx *ctx;
    map_core *cores;
    size_t n_cores, cap_cores;
    map_channel *chans;
    size_t n_chans, cap_chans;
    map_sink *sinks;
    size_t n_sinks, cap_sinks;
    map_outbond *outs;
    size_t n_outs, cap_outs;
} map_plan;

void bmi_map_plan_init(map_plan *p, bm_ctx *ctx);
void bmi_map_plan_free(map_plan *p);
/* Adds a core (name copied); *out its index. */
int bmi_map_plan_add_core(map_plan *p, const char *name, bm_loc loc, uint32_t *out);

/* Makes the channels for a placement (owner[f]: the core of each fop,
 * ignored for inputs): a value travels once, on the channel from its core
 * to exactly the set of other cores that read it, one output port per
 * destination set, fanned out by its bond and shared by every value with
 * that source and those destinations; a graph input fans out from the
 * machine input to the cores that read it.  chan_of[f] receives f's
 * channel, or MAP_NONE when no other core reads f. */
int bmi_map_plan_channels(map_plan *p, const map_graph *mg, const uint32_t *owner, uint32_t *chan_of);
int bmi_map_plan_event(map_plan *p, uint32_t core, map_ev_kind kind, uint32_t fop, uint32_t port);
/* Receive events of value f on every sink core of chan. */
int bmi_map_plan_receive(map_plan *p, uint32_t chan, uint32_t f);
/* A new output port of core for graph output `output`. */
int bmi_map_plan_output(map_plan *p, uint32_t core, uint32_t output, uint32_t *port);

/* Channels, then every core's events for a placement and one global order
 * of the fops (a topological order): for each fop in turn its computation
 * (for an input, its reception by every core that reads it), then its
 * transfer to the other cores that read it, then its outputs. */
int bmi_map_plan_events(map_plan *p, const map_graph *mg, const uint32_t *owner,
                    const uint32_t *order);

/* bmi_map_plan_events with one channel per core: every value that leaves a
 * core goes to every core that reads any value of that core (those that
 * do not read it take it and drop it). */
int bmi_map_plan_events_shared(map_plan *p, const map_graph *mg, const uint32_t *owner,
                           const uint32_t *order);

/* bmi_map_plan_events_shared with chains: chain_next[c] is the core after
 * core c in its chain, or MAP_NONE.  A chain's cores must read the same
 * values in the global order (the cores of a dense layer do, and those of
 * one slice of a layer of tiles): a value any of them reads goes to the
 * chain's first core, and every core of the chain receives it, the first
 * from its channel, the others from a forward (docs/timing.md
 * "Forwarding"), in chain order, right after the transfer; a core that
 * does not use it drops it.  A split neuron's partial sum (a part but the
 * last) is not such a value: it goes on a direct channel to the core of
 * the next part.  Without broadcast each
 * core forwards to the next; with it the first forwards to all the others
 * on one channel of many sinks, which take each value together.  A chain
 * whose first core is a distributor is a broadcast either way.  The
 * forwards are channels made before any other, so a forwarding core's
 * forward is its output port 0 and the input of every core but the first
 * is its port 0. */
int bmi_map_plan_events_chained(map_plan *p, const map_graph *mg, const uint32_t *owner,
                                const uint32_t *order, const uint32_t *chain_next, int broadcast);
/* Adds a buffer core for the j-th stage (1, 2, ...) of value f's delay
 * line; *out its index. */
typedef int (*map_buffer_core_fn)(void *user, map_plan *p, uint32_t f, unsigned j,
                                  uint32_t *out);

/* bmi_map_plan_events with path balancing: a value that reaches a core
 * `slack` stages (core-to-core hops) before the core's latest operand gets
 * there reaches it through min(slack, cap) buffer cores (receive, send on),
 * the taps of one delay line per value, at most `budget` buffer cores in
 * all.  Each buffer's reception and send follow the value's transfer in the
 * global order.  cap 0: bmi_map_plan_events. */
int bmi_map_plan_events_buffered(map_plan *p, const map_graph *mg, const uint32_t *owner,
                             const uint32_t *order, unsigned cap, size_t budget,
                             map_buffer_core_fn add_core, void *user);

/* The cores strategy's global order: every core's events, by simulating
 * the machine and always appending the event that can start first
 * (map_schedule.c).  prio[f]: higher is more urgent.  *makespan receives
 * the simulated cycles of one vector. */
int bmi_map_schedule(map_plan *p, const map_graph *mg, const uint32_t *owner, const uint64_t *prio,
                 uint64_t *makespan);

/* ---- strategies -------------------------------------------------------------- */

/* buffers: the cap of buffer cores on one value's path to one core (0: none),
 * bmi_map_plan_events_buffered. */
int bmi_map_strategy_node(map_plan *p, const map_graph *mg, unsigned buffers);
int bmi_map_strategy_single(map_plan *p, const map_graph *mg);
int bmi_map_strategy_cores(map_plan *p, const map_graph *mg, unsigned cores);
/* fold[l]: neurons per core in layer l (n_fold values, the last repeating
 * for deeper layers); the parts of a split neuron (bmi_map_split) get a core
 * each, `l<L>n<N>p<j>`, or with tiles (--split) part j of neurons gK ..
 * gK + K - 1 share tile `l<L>c<g>s<j>`.  BM_EINVAL when no fop carries a
 * layer tag. */
int bmi_map_strategy_fold(map_plan *p, const map_graph *mg, const unsigned *fold, size_t n_fold,
                          bm_compile_chain chain, int tiles);

/* Core names shared by the node and fold strategies (map_node.c): a name
 * made an identifier and unique by a numeric suffix. */
typedef struct map_namer {
    bm_names used;
} map_namer;
int bmi_map_named_core(map_plan *p, map_namer *nm, const char *base, bm_loc loc, uint32_t *out);
/* The name the node strategy gives fop f's core ("l<L>n<N>" for a neuron). */
const char *bmi_map_fop_base_name(const map_graph *mg, uint32_t f, char *buf, size_t size);
/* 1 when f is a relu that can join the core of the sum it reads (nothing
 * else reads the sum). */
int bmi_map_relu_joins_sum(const map_graph *mg, uint32_t f);

/* ---- code -------------------------------------------------------------------- */

typedef struct map_program {
    bm_insn *insn;
    size_t n, cap;
    unsigned registers;
    bm_opcode_set opcodes;
    int fixed_point; /* uses a unit that needs frac */
} map_program;

typedef struct map_emitter map_emitter;

/* How code is generated for every core. */
typedef struct map_code_options {
    unsigned mul; /* bm_mul_variant of the cores that multiply: serial cores get
                     no inmacfx (`in`, then macfxi); pipe cores the nops of
                     bmi_map_hazard_pipe */
    int eager;    /* a received value is multiply-accumulated into every sum of
                     the core that reads it as soon as it arrives (input-major
                     code, the fold strategy), not when each sum is computed */
    bm_compile_fetch fetch; /* the fetch kind of every core, or auto */
} map_code_options;

int bmi_map_emitter_new(map_emitter **out, const map_graph *mg, const map_code_options *opt);
void bmi_map_emitter_free(map_emitter *em);
/* Emits core `core` of the plan into prog (reset first). */
int bmi_map_emit_core(map_emitter *em, const map_plan *p, uint32_t core, map_program *prog);
void bmi_map_program_free(bm_ctx *ctx, map_program *prog);

/* 1 when the program uses a multiplier-family opcode (bm_opcode_uses_mul). */
int bmi_map_program_multiplies(const map_program *prog);

/* Inserts a nop after every multiplier-family instruction whose next
 * instruction (in program order) reads its destination register (other
 * than as the accumulator of a MAC into the same register) or writes it
 * with anything but a MAC, and moves jump targets accordingly
 * (map_hazard.c).  *inserted (may be NULL) receives the nops' count. */
int bmi_map_hazard_pipe(bm_ctx *ctx, map_program *prog, unsigned *inserted);

/* Builds the machine: one bm_core per plan core, external ports named like
 * the graph's, bonds from the channels; then validates it.  Cores that
 * multiply get opt->mul. */
int bmi_map_build_machine(bm_machine **out, const map_plan *p, const map_graph *mg, const char *name,
                      const map_code_options *opt);

/* ---- predicted timing (map_predict.c) ------------------------------------------ */

/* The latency and interval of machine m predicted from its programs
 * (docs/compile.md "Predicted timing"): `vectors` vectors offered up front
 * on every external input, each output taking one value per vector.  Both
 * are 0 when the model sees no output for a vector. */
int bmi_map_predict(const bm_machine *m, unsigned vectors, uint64_t *latency, double *interval);

#endif
