"""cffi builder for _libbm_cffi, the compiled half of the libbm package.

API mode: the declarations below are compiled against libbm's real headers
(bm.h), so a mismatch in a function signature, an enum value or a struct
field is a compile error here instead of a crash later.  Structs are
declared with `...;`, so cffi takes their layout from the headers.

Run by `make python` (python/build_ext.py) and by setup.py (pip).  Where the
headers and the library are: LIBBM_INCLUDE_DIR / LIBBM_LIBRARY_DIR /
LIBBM_RPATH in the environment, else `pkg-config libbm`.
"""
import os
import shlex
import subprocess

from cffi import FFI

CDEF = r"""
/* ctx.h */
typedef struct bm_ctx bm_ctx;
typedef enum { BM_SEV_NOTE, BM_SEV_WARNING, BM_SEV_ERROR } bm_severity;
typedef struct { const char *file; unsigned line; unsigned column; ...; } bm_loc;
typedef struct { bm_severity severity; bm_loc loc; const char *message; ...; } bm_diag;
typedef struct bm_allocator bm_allocator;
#define BM_ENOMEM ...
#define BM_EINVAL ...
#define BM_EIO ...
#define BM_EPARSE ...
#define BM_EINVALID ...
#define BM_ERANGE ...
#define BM_ENOTFOUND ...
#define BM_EEXISTS ...
#define BM_ETOOL ...
const char *bm_strerror(int code);
int bm_ctx_new(bm_ctx **out, const bm_allocator *allocator);
void bm_ctx_free(bm_ctx *ctx);
size_t bm_ctx_diag_count(const bm_ctx *ctx);
const bm_diag *bm_ctx_diag(const bm_ctx *ctx, size_t i);
size_t bm_ctx_error_count(const bm_ctx *ctx);
void bm_ctx_clear_diags(bm_ctx *ctx);
int bm_diag_format(char *buf, size_t size, const bm_diag *diag);
const char *bm_version(void);

/* fixed.h */
typedef struct { unsigned total; unsigned frac; } bm_fixed_type;
int64_t bm_fixed_wrap(int64_t v, bm_fixed_type t);
double bm_fixed_to_double(int64_t raw, bm_fixed_type t);
int64_t bm_fixed_min(bm_fixed_type t);
int64_t bm_fixed_max(bm_fixed_type t);

/* graph.h, network.h */
typedef struct bm_graph bm_graph;
typedef struct bm_network bm_network;
typedef struct bm_vectors bm_vectors;
typedef enum { BM_OP_INPUT, BM_OP_CONST, BM_OP_ADD, BM_OP_SUB, BM_OP_MUL, BM_OP_NEG,
               BM_OP_RELU, BM_OP_MIN, BM_OP_MAX, BM_OP_ARGMAX, BM_OP_OUTPUT,
               BM_OP_SHL, BM_OP_SAR } bm_op;
typedef struct { unsigned version; bm_fixed_type type; int force_type; ...; } bm_graph_options;
#define BM_GRAPH_OPTIONS_VERSION ...
#define BM_FIXED_DEFAULT_TOTAL ...
#define BM_FIXED_DEFAULT_FRAC ...
int bm_graph_parse_type(const char *text, bm_fixed_type *out);
int bm_graph_read_file(bm_graph **out, bm_ctx *ctx, const char *path, const bm_graph_options *opt);
int bm_graph_read_text(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                       const char *name, const bm_graph_options *opt);
void bm_graph_free(bm_graph *g);
bm_fixed_type bm_graph_type(const bm_graph *g);
unsigned bm_graph_node_count(const bm_graph *g);
bm_op bm_graph_node_op(const bm_graph *g, unsigned node);
unsigned bm_graph_node_operand(const bm_graph *g, unsigned node, unsigned k);
const char *bm_graph_node_name(const bm_graph *g, unsigned node);
unsigned bm_graph_input_count(const bm_graph *g);
unsigned bm_graph_input(const bm_graph *g, unsigned i);
unsigned bm_graph_output_count(const bm_graph *g);
unsigned bm_graph_output(const bm_graph *g, unsigned i);
int bm_graph_eval(const bm_graph *g, const int64_t *inputs, int64_t *outputs);
int bm_vectors_read(bm_vectors **out, const bm_graph *g, const char *data, size_t size,
                    const char *name, int with_labels);
void bm_vectors_free(bm_vectors *v);
size_t bm_vectors_count(const bm_vectors *v);
const int64_t *bm_vectors_inputs(const bm_vectors *v, size_t i);

/* profile.h */
typedef struct { uint64_t count; int64_t min; int64_t max; int64_t exact_min; int64_t exact_max;
                 double float_min; double float_max; uint64_t wrapped; unsigned int_bits;
                 ...; } bm_value_range;
typedef enum { BM_PROFILE_OUTPUTS, BM_PROFILE_SUMS, BM_PROFILE_PRODUCTS, BM_PROFILE_CONSTS,
               BM_PROFILE_ALL } bm_profile_part;
typedef struct bm_profile bm_profile;
int bm_graph_profile(bm_profile **out, const bm_graph *g, const bm_vectors *v);
void bm_profile_free(bm_profile *p);
size_t bm_profile_vector_count(const bm_profile *p);
int bm_profile_inputs(const bm_profile *p, bm_value_range *out);
unsigned bm_profile_layer_count(const bm_profile *p);
int bm_profile_layer(const bm_profile *p, unsigned layer, bm_profile_part part,
                     bm_value_range *out);
int bm_profile_all(const bm_profile *p, bm_value_range *out);
int bm_profile_suggest_type(const bm_profile *p, bm_fixed_type *out);
int bm_network_read(bm_network **out, bm_ctx *ctx, const char *data, size_t size,
                    const char *name, const bm_graph_options *opt);
void bm_network_free(bm_network *net);
const char *bm_network_name(const bm_network *net);
unsigned bm_network_layer_count(const bm_network *net);
unsigned bm_network_layer_neurons(const bm_network *net, unsigned layer);
int bm_network_has_argmax(const bm_network *net);
int bm_network_to_graph(bm_graph **out, const bm_network *net);
typedef enum { BM_ACT_LINEAR, BM_ACT_RELU, BM_ACT_LEAKY_RELU, BM_ACT_SIGMOID,
               BM_ACT_TANH } bm_activation;
typedef enum { BM_NETWORK_OUTPUT_NEURONS, BM_NETWORK_OUTPUT_ARGMAX,
               BM_NETWORK_OUTPUT_THRESHOLD } bm_network_output;
int bm_network_from_arrays(bm_network **out, bm_ctx *ctx, const char *name, bm_fixed_type type,
                           unsigned inputs, unsigned n_layers, const unsigned *neurons,
                           const bm_activation *activations, const double *const *weights,
                           const double *const *biases, bm_network_output output);
int bm_network_write_memory(const bm_network *net, char **out, size_t *size);

/* machine.h, xml.h, asm.h */
typedef struct bm_machine bm_machine;
typedef struct bm_core bm_core;
typedef struct { unsigned version; unsigned width; unsigned registers; unsigned rom_depth;
                 unsigned ram_depth; unsigned inputs; unsigned outputs; unsigned frac;
                 unsigned mul; ...; } bm_core_params;
void bm_machine_free(bm_machine *m);
const char *bm_machine_name(const bm_machine *m);
unsigned bm_machine_input_count(const bm_machine *m);
unsigned bm_machine_output_count(const bm_machine *m);
const char *bm_machine_input_name(const bm_machine *m, unsigned i);
const char *bm_machine_output_name(const bm_machine *m, unsigned i);
unsigned bm_machine_input_width(const bm_machine *m, unsigned i);
unsigned bm_machine_output_width(const bm_machine *m, unsigned i);
int bm_machine_find_input(const bm_machine *m, const char *name);
unsigned bm_machine_core_count(const bm_machine *m);
unsigned bm_machine_bond_count(const bm_machine *m);
bm_core *bm_machine_core(const bm_machine *m, unsigned i);
const char *bm_core_name(const bm_core *c);
int bm_machine_read_file(bm_machine **out, bm_ctx *ctx, const char *path);
int bm_machine_read_memory(bm_machine **out, bm_ctx *ctx, const char *data, size_t size,
                           const char *name);
int bm_machine_write_file(const bm_machine *m, const char *path);
int bm_machine_write_memory(const bm_machine *m, char **out, size_t *size);
void bm_xml_buffer_free(bm_ctx *ctx, char *buf);
typedef struct bm_asm_options bm_asm_options;
int bm_asm_memory(bm_machine **out, bm_ctx *ctx, const char *text, size_t len,
                  const char *name, const bm_asm_options *opt);

/* compile.h, device.h, area.h */
typedef enum { BM_MAP_NODE, BM_MAP_CORES, BM_MAP_SINGLE, BM_MAP_FOLD, ... } bm_map_strategy;
typedef enum { BM_MUL_COMB, BM_MUL_PIPE, BM_MUL_SERIAL, ... } bm_mul_variant;
typedef enum { BM_COMPILE_FETCH_AUTO, BM_COMPILE_FETCH_DIRECT, BM_COMPILE_FETCH_STAGED,
               ... } bm_compile_fetch;
int bm_compile_fetch_from_name(const char *name);
typedef struct {
    unsigned version; bm_map_strategy strategy; unsigned cores; const char *name;
    unsigned buffers; bm_mul_variant mul; unsigned fold;
    const unsigned *fold_layers; size_t n_fold_layers;
    unsigned reuse; const unsigned *reuse_layers; size_t n_reuse_layers;
    bm_compile_fetch fetch; int chain;
    const unsigned *split_layers; size_t n_split_layers; ...;
} bm_compile_options;
#define BM_COMPILE_OPTIONS_VERSION ...
#define BM_COMPILE_BUFFERS_DEFAULT ...
#define BM_COMPILE_FOLD_DEFAULT ...
int bm_map_strategy_from_name(const char *name);
int bm_mul_variant_from_name(const char *name);
int bm_compile(bm_machine **out, const bm_graph *g, const bm_compile_options *opt);

typedef struct bm_compile_report bm_compile_report;
typedef struct { unsigned version; unsigned vectors; uint64_t seed; const int64_t *inputs;
                 size_t n_inputs; uint64_t max_cycles; ...; } bm_report_options;
#define BM_REPORT_OPTIONS_VERSION ...
typedef struct { const char *name; const char *opcodes; unsigned opcode_count;
                 unsigned insn_width; unsigned instructions; unsigned registers;
                 unsigned inputs, outputs; ...; } bm_report_core;
typedef struct { unsigned cores; unsigned bonds; uint64_t instructions; uint64_t registers;
                 uint64_t rom_bits; unsigned max_insn_width; uint64_t latency; double interval;
                 uint64_t interval_max; unsigned vectors; int verified;
                 uint64_t predicted_latency; double predicted_interval; ...; } bm_report_summary;
int bm_compile_report_new(bm_compile_report **out, const bm_machine *m, const bm_graph *g,
                          const bm_report_options *opt);
void bm_compile_report_free(bm_compile_report *r);
const bm_report_summary *bm_compile_report_summary(const bm_compile_report *r);
unsigned bm_compile_report_core_count(const bm_compile_report *r);
const bm_report_core *bm_compile_report_core(const bm_compile_report *r, unsigned i);

typedef struct { uint64_t lut; uint64_t ff; uint64_t carry; uint64_t dsp; uint64_t bram;
                 uint64_t lutram; ...; } bm_area;
typedef struct { const char *name; const char *part; const char *family_name;
                 const char *lut_name; const char *dsp_name; const char *bram_name;
                 uint64_t lut; uint64_t ff; uint64_t dsp; uint64_t bram; uint64_t lutram;
                 ...; } bm_device;
unsigned bm_device_count(void);
const bm_device *bm_device_get(unsigned i);
int bm_device_find(const char *name);
int bm_area_estimate_machine(bm_area *out, const bm_machine *m, const bm_device *d);

/* sim.h */
typedef struct bm_sim bm_sim;
typedef struct bm_sim_options bm_sim_options;
typedef struct { unsigned output; uint64_t value; uint64_t cycle; ...; } bm_sim_transfer;
typedef enum { BM_SIM_STEPPED, BM_SIM_STOP_OUTPUTS, BM_SIM_STOP_HALTED, BM_SIM_STOP_CYCLES,
               BM_SIM_STOP_DEADLOCK } bm_sim_stop;
typedef struct { unsigned version; uint64_t max_cycles; uint64_t max_outputs; ...; } bm_sim_limits;
#define BM_SIM_LIMITS_VERSION ...
const char *bm_sim_stop_name(bm_sim_stop stop);
int bm_sim_new(bm_sim **out, const bm_machine *m, const bm_sim_options *opts);
void bm_sim_free(bm_sim *sim);
int bm_sim_push_input(bm_sim *sim, unsigned input, uint64_t value);
int bm_sim_load_stimulus(bm_sim *sim, const char *text, size_t len, const char *name);
int bm_sim_load_ready(bm_sim *sim, const char *text, size_t len, const char *name);
int bm_sim_run(bm_sim *sim, const bm_sim_limits *limits, bm_sim_stop *why);
uint64_t bm_sim_cycle(const bm_sim *sim);
size_t bm_sim_output_count(const bm_sim *sim);
int bm_sim_output(const bm_sim *sim, size_t i, bm_sim_transfer *out);
int bm_sim_core_halted(const bm_sim *sim, unsigned core);
uint64_t bm_sim_retired(const bm_sim *sim, unsigned core);
int bm_sim_describe_stall(const bm_sim *sim, unsigned core, char *buf, size_t size);
int bm_sim_vcd_open(bm_sim *sim, const char *path);
int bm_sim_vcd_close(bm_sim *sim);
int bm_sim_gtkw_write(const bm_sim *sim, const char *path);
typedef enum { BM_CORE_RUNNING, BM_CORE_WAIT_INPUT, BM_CORE_WAIT_OUTPUT, BM_CORE_HALTED,
               BM_CORE_STATE_COUNT } bm_core_state;
const char *bm_core_state_name(bm_core_state s);
typedef struct { uint64_t cycles[4]; ...; } bm_sim_activity;
int bm_sim_activity_start(bm_sim *sim);
int bm_sim_core_activity(const bm_sim *sim, unsigned core, bm_sim_activity *out);
int bm_sim_activity_svg(char **out, size_t *len, const bm_sim *sim);
void bm_sim_text_free(const bm_sim *sim, char *text);

/* verilog.h, cosim.h, dot.h */
typedef enum { BM_VERILOG_ROM_AUTO, BM_VERILOG_ROM_LOGIC, BM_VERILOG_ROM_BLOCK } bm_verilog_rom_style;
typedef struct { unsigned version; const char *top_name; bm_verilog_rom_style rom_style;
                 int harness; int pin_wrapper; ...; } bm_verilog_options;
#define BM_VERILOG_OPTIONS_VERSION ...
int bm_verilog_write_dir(const bm_machine *m, const char *dir, const bm_verilog_options *opt);
typedef struct { unsigned version; const char *work_dir; const char *verilator; int trace;
                 unsigned jobs; ...; } bm_cosim_options;
#define BM_COSIM_OPTIONS_VERSION ...
typedef struct bm_cosim bm_cosim;
typedef struct bm_cosim_stimulus bm_cosim_stimulus;
int bm_cosim_build(bm_cosim **out, const bm_machine *m, const bm_cosim_options *opt);
int bm_cosim_reused(const bm_cosim *c);
void bm_cosim_free(bm_cosim *c);
int bm_cosim_stimulus_capture(bm_cosim_stimulus **out, const bm_sim *sim);
void bm_cosim_stimulus_free(bm_cosim_stimulus *st);
int bm_cosim_run(bm_cosim *c, const bm_cosim_stimulus *st, uint64_t cycles, const char *vcd,
                 bm_sim_transfer **out, size_t *n);
void bm_cosim_transfers_free(bm_cosim *c, bm_sim_transfer *t);
long bm_cosim_first_difference(const bm_sim_transfer *a, size_t na, const bm_sim_transfer *b,
                               size_t nb);
int bm_machine_dot(char **out, size_t *len, const bm_machine *m);
int bm_graph_dot(char **out, size_t *len, const bm_graph *g);
void bm_dot_free(bm_ctx *ctx, char *text);
bm_ctx *bm_machine_ctx(const bm_machine *m);
"""


def _pkg_config(flag):
    try:
        out = subprocess.run(["pkg-config", flag, "libbm"], check=True, capture_output=True,
                             text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return shlex.split(out)


def make_builder(include_dir=None, library_dir=None, rpath=None):
    include_dir = include_dir or os.environ.get("LIBBM_INCLUDE_DIR")
    library_dir = library_dir or os.environ.get("LIBBM_LIBRARY_DIR")
    rpath = rpath or os.environ.get("LIBBM_RPATH") or library_dir
    if include_dir:
        include_dirs = [include_dir]
        # the source tree's headers include bm/version.h, which the
        # Makefile writes into the build tree (BUILD/include)
        generated = os.path.join(library_dir or "", "include")
        if library_dir and os.path.isdir(generated):
            include_dirs.append(generated)
    else:
        include_dirs = [f[2:] for f in _pkg_config("--cflags-only-I")]
    if library_dir:
        library_dirs = [library_dir]
    else:
        library_dirs = [f[2:] for f in _pkg_config("--libs-only-L")]
        rpath = rpath or (library_dirs[0] if library_dirs else None)
    ffi = FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_libbm_cffi", '#include "bm.h"\n', libraries=["bm"],
                   include_dirs=include_dirs, library_dirs=library_dirs,
                   extra_link_args=["-Wl,-rpath," + rpath] if rpath else [],
                   extra_compile_args=["-std=c11", "-Wall", "-Wno-unused-parameter"])
    return ffi


ffibuilder = make_builder()  # for setup.py's cffi_modules

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
