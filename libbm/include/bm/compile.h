/* The graph compiler: maps a computational graph (bm/graph.h) onto a
 * streaming machine (bm/machine.h), and reports what it built.
 *
 * bm_compile() chooses, per graph node, the fused operation that computes
 * it (multiply-accumulate chains, relu, min/max, argmax; constants become
 * immediates), places the operations on cores with one of three strategies,
 * fixes one global order of every computation and transfer, and emits each
 * core's share of that order as its program, ending in `j 0`.  Every core
 * gets only the opcodes, registers and ports its program uses; values are
 * the graph's fixed-point type (core width = total bits, frac = fraction
 * bits).  The machine's external inputs and outputs are the graph's, by
 * name and in declaration order; it takes one value per input and gives one
 * per output for each input vector, and accepts the next vector as soon as
 * the previous one has moved on.  Its outputs are those of bm_graph_eval(),
 * bit for bit.  docs/compile.md describes the strategies and the machines
 * they produce.
 *
 *     bm_compile_options opt = BM_COMPILE_OPTIONS_INIT;
 *     opt.strategy = BM_MAP_CORES;
 *     opt.cores = 8;
 *     bm_machine *m;
 *     if (bm_compile(&m, graph, &opt) == 0) { ... bm_machine_free(m); }
 *
 * The report (bm_compile_report_new) describes any machine compiled from a
 * graph: per core its opcode set, instruction width, program length and
 * registers, and the latency and initiation interval *measured* by running
 * the simulator on a few input vectors, checking every output against the
 * reference evaluator on the way.
 */
#ifndef BM_COMPILE_API_H
#define BM_COMPILE_API_H

#include "bm/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bm/area.h"
#include "bm/device.h"
#include "bm/graph.h"
#include "bm/isa.h"
#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How operations are placed on cores. */
typedef enum bm_map_strategy {
    BM_MAP_NODE = 0, /* one core per operation (a multiply-accumulate chain
                        with its relu counts as one), or per neuron for
                        nodes tagged by the network lowering               */
    BM_MAP_CORES,    /* a fixed number of cores: the compiler partitions
                        and schedules the graph across them               */
    BM_MAP_SINGLE,   /* everything on one core                            */
    BM_MAP_FOLD      /* a network's neurons K at a time per core (the K of
                        each layer: `fold`, `fold_layers`), each core's code
                        input-major: every value it receives is
                        multiply-accumulated into all of its neurons
                        at once; or, by hls4ml's ReuseFactor (`reuse`,
                        `reuse_layers`), K neurons a core or each neuron
                        split across several cores                       */
} bm_map_strategy;

/* "node", "cores", "single", "fold"; NULL for an unknown value. */
BM_API const char *bm_map_strategy_name(bm_map_strategy s);
/* The strategy with that name, or BM_ENOTFOUND. */
BM_API int bm_map_strategy_from_name(const char *name);

/* The largest --cores the compiler accepts. */
#define BM_COMPILE_CORES_MAX 4096

/* The fetch kind (bm/isa.h, docs/timing.md "Fetch kinds") of the cores the
 * compiler writes. */
typedef enum bm_compile_fetch {
    BM_COMPILE_FETCH_AUTO = 0, /* staged above BM_VERILOG_ROM_LOGIC_MAX words */
    BM_COMPILE_FETCH_DIRECT,   /* every core direct                          */
    BM_COMPILE_FETCH_STAGED    /* every core staged                          */
} bm_compile_fetch;

/* "auto", "direct", "staged"; NULL for an unknown value. */
BM_API const char *bm_compile_fetch_name(bm_compile_fetch f);
/* The value with that name, or BM_ENOTFOUND. */
BM_API int bm_compile_fetch_from_name(const char *name);

typedef struct bm_compile_options {
    unsigned version;          /* BM_COMPILE_OPTIONS_VERSION                  */
    bm_map_strategy strategy;  /* BM_MAP_NODE                                 */
    unsigned cores;            /* BM_MAP_CORES: 1..BM_COMPILE_CORES_MAX; the
                                  machine has at most this many cores (fewer
                                  when the graph has fewer operations)       */
    const char *name;          /* machine name (an identifier); NULL: "graph" */
    /* version 2: */
    unsigned buffers;          /* BM_MAP_NODE: at most this many buffer cores
                                  (in, outn, j) on one value's path to a core
                                  that also waits for a value from deeper in
                                  the graph, 0..BM_COMPILE_BUFFERS_MAX; 0: none
                                  (BM_COMPILE_BUFFERS_DEFAULT; a version 1
                                  struct gets the default)                    */
    /* version 3: */
    bm_mul_variant mul;        /* the multiplier (bm/isa.h) of every core that
                                  multiplies; the other cores stay comb.  The
                                  code follows it: a nop where a pipelined
                                  product is read or overwritten by the next
                                  instruction, no inmacfx on serial cores
                                  (BM_MUL_COMB)                              */
    unsigned fold;             /* BM_MAP_FOLD: neurons per core, K, in every
                                  layer that fold_layers leaves out,
                                  1..BM_COMPILE_FOLD_MAX; K at least a layer's
                                  width puts the layer on one core
                                  (BM_COMPILE_FOLD_DEFAULT)                   */
    const unsigned *fold_layers; /* BM_MAP_FOLD: K of layer 0, 1, ...; the last
                                  one repeats for deeper layers, values beyond
                                  the network's depth are ignored; each
                                  1..BM_COMPILE_FOLD_MAX (NULL: `fold` for all) */
    size_t n_fold_layers;      /* how many fold_layers holds (0)              */
    /* version 4: */
    unsigned reuse;            /* BM_MAP_FOLD: hls4ml's ReuseFactor R, the
                                  multiplies one core does per neuron and
                                  vector, in every layer that reuse_layers
                                  leaves out, 1..BM_COMPILE_REUSE_MAX; 0: off,
                                  fold/fold_layers apply.  In a layer of fan-in
                                  F, R >= F puts floor(R / F) neurons on a core
                                  (the fold K); R < F splits every neuron into
                                  ceil(F / R) parts (at most
                                  BM_COMPILE_SPLIT_MAX), one core each, over
                                  balanced slices of the inputs, chained by
                                  their partial sums.  Set with another
                                  strategy it is an error (0)                */
    const unsigned *reuse_layers; /* BM_MAP_FOLD: R of layer 0, 1, ...; the last
                                  one repeats for deeper layers, values beyond
                                  the network's depth are ignored (NULL)      */
    size_t n_reuse_layers;     /* how many reuse_layers holds (0)             */
    /* version 5: */
    bm_compile_fetch fetch;    /* how every core fetches: AUTO makes a core
                                  staged when its program is longer than
                                  BM_VERILOG_ROM_LOGIC_MAX (its ROM becomes a
                                  block RAM, which a staged fetch keeps out of
                                  the operation's cycle, for one cycle per
                                  taken jump: one per vector), direct below;
                                  a version 4 struct gets DIRECT (AUTO)      */
    /* version 6: */
    int chain;                 /* BM_MAP_FOLD, a bm_compile_chain: LINE
                                  chains each layer's cores (of K neurons;
                                  not the parts of split neurons): the first
                                  takes the layer's inputs, and every core
                                  forwards what it takes to the next
                                  (docs/timing.md "Forwarding"), so all but
                                  the first have one input port.  Same
                                  values, same interval give or take the
                                  forwards' cycle, a few cycles more latency
                                  per core, far fewer ports and input
                                  multiplexers.  BROADCAST: the first
                                  forwards to all the others at once, one
                                  bond with many sinks, so only it has a
                                  forward queue (OFF)                       */
    /* version 7: */
    const unsigned *split_layers; /* BM_MAP_FOLD without a reuse factor: S of
                                  layer 0, 1, ... (the last one repeating;
                                  1..BM_COMPILE_SPLIT_MAX, 1: none): every
                                  neuron of the layer is split into S parts
                                  over balanced slices of its inputs,
                                  chained by their partial sums, and a core
                                  takes one slice of K neurons (the fold),
                                  a tile of about K * F / S products, which
                                  it multiplies where they wait on its
                                  ports (NULL)                              */
    size_t n_split_layers;     /* how many split_layers holds (0)             */
} bm_compile_options;

/* bm_compile_options.chain (version 6): how a fold layer's cores share its
 * inputs (docs/compile.md "Chains"). */
typedef enum bm_compile_chain {
    BM_COMPILE_CHAIN_OFF = 0,
    BM_COMPILE_CHAIN_LINE = 1,      /* core k forwards to core k + 1 */
    BM_COMPILE_CHAIN_BROADCAST = 2  /* the first core forwards to all */
} bm_compile_chain;
#define BM_COMPILE_OPTIONS_VERSION 7
#define BM_COMPILE_BUFFERS_DEFAULT 32
#define BM_COMPILE_BUFFERS_MAX 64
#define BM_COMPILE_FOLD_DEFAULT 4
#define BM_COMPILE_FOLD_MAX 65536
#define BM_COMPILE_REUSE_MAX 16777216
#define BM_COMPILE_SPLIT_MAX 64
#define BM_COMPILE_OPTIONS_INIT                                                                  \
    {BM_COMPILE_OPTIONS_VERSION, BM_MAP_NODE, 4, NULL, BM_COMPILE_BUFFERS_DEFAULT, BM_MUL_COMB,   \
     BM_COMPILE_FOLD_DEFAULT, NULL, 0, 0, NULL, 0, BM_COMPILE_FETCH_AUTO, 0, NULL, 0}
/* Fills *opts with the defaults of BM_COMPILE_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_COMPILE_OPTIONS_VERSION the caller's struct was
 * declared with (1 to 7: an older struct is filled up to
 * the fields its version has, never past them).  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_compile_options_init(bm_compile_options *opts, unsigned version);

/* Compiles a finished graph into a new, validated machine on the graph's
 * context.  opt may be NULL for the defaults.  Errors (recorded on the
 * context): BM_EINVAL for bad options (cores 0, an unknown strategy or
 * multiplier, a fold of 0, a reuse factor above BM_COMPILE_REUSE_MAX, of 0
 * in reuse_layers or with a strategy other than fold, a name that is not an
 * identifier), or for the fold strategy on a graph that is not a network
 * (no node carries a layer tag), BM_ENOMEM.  (Every finished graph can be
 * compiled by the other strategies: its names are already identifiers,
 * distinct between inputs and outputs.)  A version 1, 2 or 3 struct gets
 * the defaults of the fields it lacks. */
BM_API int bm_compile(bm_machine **out, const bm_graph *g, const bm_compile_options *opt);

/* ---- report ------------------------------------------------------------- */

typedef struct bm_compile_report bm_compile_report;

typedef struct bm_report_options {
    unsigned version;      /* BM_REPORT_OPTIONS_VERSION                        */
    unsigned vectors;      /* vectors to stream for the interval (>= 2; 8)      */
    uint64_t seed;         /* for the random input vectors (1)                 */
    const int64_t *inputs; /* or these raw vectors, input_count each (NULL)     */
    size_t n_inputs;       /* how many vectors `inputs` holds                   */
    uint64_t max_cycles;   /* give up after this many cycles per run (0: 10^8)  */
} bm_report_options;
#define BM_REPORT_OPTIONS_VERSION 1
#define BM_REPORT_OPTIONS_INIT {BM_REPORT_OPTIONS_VERSION, 8, 1, NULL, 0, 0}
/* Fills *opts with the defaults of BM_REPORT_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_REPORT_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_report_options_init(bm_report_options *opts, unsigned version);

/* One core of the machine. */
typedef struct bm_report_core {
    const char *name;
    const char *opcodes;      /* its opcode set, catalogue order, space-separated */
    unsigned opcode_count;
    unsigned insn_width;      /* bits per instruction word                       */
    unsigned instructions;    /* program length (= ROM depth)                    */
    unsigned registers;
    unsigned inputs, outputs; /* ports                                           */
} bm_report_core;

typedef struct bm_report_summary {
    unsigned cores;
    unsigned bonds;
    uint64_t instructions;    /* sum over cores                                   */
    uint64_t registers;       /* sum over cores                                   */
    uint64_t rom_bits;        /* sum of instructions x instruction width          */
    unsigned max_insn_width;
    /* Measured by simulation (docs/compile.md, "Report"): */
    uint64_t latency;         /* cycles from the first input transfer to the last
                                 output transfer of one vector in an idle machine */
    double interval;          /* cycles between the completions of consecutive
                                 vectors streamed back to back (steady state)     */
    uint64_t interval_max;    /* the largest such gap in the steady state         */
    unsigned vectors;         /* vectors streamed                                 */
    int verified;             /* 1: every output of both runs equalled
                                 bm_graph_eval's (always, in a report that
                                 exists: a wrong value fails the report)     */
    /* Predicted before simulating, from the programs and the cycles of each
     * opcode on each core's multiplier (docs/compile.md, "Predicted
     * timing"); 0 when the model finds no output: */
    uint64_t predicted_latency;  /* as `latency`                                 */
    double predicted_interval;   /* as `interval`, over the same vectors         */
} bm_report_summary;

/* Describes machine m compiled from graph g (its external ports must be the
 * graph's inputs and outputs by name).  Simulates it: one vector alone for
 * the latency, then opt->vectors vectors pushed up front for the interval,
 * comparing every output with bm_graph_eval().  A machine that deadlocks,
 * runs out of cycles or computes a wrong value is BM_EINVALID with a
 * diagnostic on the machine's context (*out is then NULL).  opt may be NULL. */
BM_API int bm_compile_report_new(bm_compile_report **out, const bm_machine *m, const bm_graph *g,
                          const bm_report_options *opt);
BM_API void bm_compile_report_free(bm_compile_report *r);
BM_API const bm_report_summary *bm_compile_report_summary(const bm_compile_report *r);
BM_API unsigned bm_compile_report_core_count(const bm_compile_report *r);
BM_API const bm_report_core *bm_compile_report_core(const bm_compile_report *r, unsigned i);
/* Writes the report as text (a table, then the summary) or as one JSON
 * object (docs/compile.md).  BM_EIO when the stream fails. */
BM_API int bm_compile_report_write(const bm_compile_report *r, FILE *f, int json);

/* ---- compiling for a device ---------------------------------------------- */

/* The layers a device search folds one by one (deeper layers take the last). */
#define BM_DEVICE_LAYERS_MAX 64

/* What bm_compile_for_device keeps as the base options give it instead of
 * searching: the strategy with its cores or fold, and the multiplier. */
#define BM_DEVICE_KEEP_STRATEGY 1u
#define BM_DEVICE_KEEP_MUL 2u

/* The design point a device search chose (or, when nothing fits, the
 * smallest one it tried). */
typedef struct bm_device_choice {
    bm_map_strategy strategy;
    unsigned cores;                      /* the machine's core count             */
    unsigned fold[BM_DEVICE_LAYERS_MAX]; /* BM_MAP_FOLD: K per layer             */
    size_t n_fold;
    bm_mul_variant mul;
    char options[160];                   /* the point as bmc compile options,
                                            e.g. "--fold 2,1 --mul pipe"; the
                                            only field that gives a tiled
                                            point's splits ("--fold 1,2
                                            --split 2,1 --broadcast ...")        */
    bm_area area;                        /* its area estimate on the device      */
    uint64_t predicted_latency;          /* cycles, predicted (bmi_map_predict)      */
    double predicted_interval;
    unsigned tried;                      /* design points compiled and estimated */
    unsigned fitting;                    /* ... of which fit the device          */
} bm_device_choice;

/* Compiles g for device d: tries the design points (strategies, folds per
 * layer, chained or not, multiplier variants the part can use; docs/compile.md "Compiling
 * for a device"), estimates each one's area (bm/area.h) and predicts its
 * interval, and compiles the fastest one whose estimate fits d.  `keep`
 * (BM_DEVICE_KEEP_*) restricts the search to base's strategy and/or
 * multiplier; base's name and buffers are always used.  When no point fits:
 * BM_ERANGE, with an error naming the smallest point tried and, per exceeded
 * resource, by how much (bm_device_fit); *out is NULL.  choice (may be NULL)
 * receives the point chosen, or the smallest one on BM_ERANGE. */
BM_API int bm_compile_for_device(bm_machine **out, const bm_graph *g, const bm_compile_options *base,
                          unsigned keep, const bm_device *d, bm_device_choice *choice);

#ifdef __cplusplus
}
#endif
#endif
