/* The *_options_init functions: what the BM_X_OPTIONS_INIT macros give, for
 * callers that cannot use a C macro (bindings through an FFI).
 *
 * Each takes the version of the struct the caller allocated.  A struct that
 * grew kept its older fields in front, so an older version is filled up to
 * the first field it lacks and nothing past it: a binding built against
 * older headers never has its memory written beyond its own struct.  The
 * defaults are static, so their padding is zero too. */
#include <stddef.h>
#include <string.h>

#include "bm.h"

/* Copies the first `size` bytes of the defaults and sets the version. */
#define FILL(opts, defaults, size, ver)                                        \
    do {                                                                       \
        memcpy((opts), &(defaults), (size));                                   \
        (opts)->version = (ver);                                               \
    } while (0)

int bm_asm_options_init(bm_asm_options *opts, unsigned version)
{
    static const bm_asm_options d = BM_ASM_OPTIONS_INIT;
    if (!opts || version != BM_ASM_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_disasm_options_init(bm_disasm_options *opts, unsigned version)
{
    static const bm_disasm_options d = BM_DISASM_OPTIONS_INIT;
    if (!opts || version != BM_DISASM_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_compile_options_init(bm_compile_options *opts, unsigned version)
{
    static const size_t sizes[] = {0, offsetof(bm_compile_options, buffers),
                                   offsetof(bm_compile_options, mul),
                                   offsetof(bm_compile_options, reuse),
                                   offsetof(bm_compile_options, fetch),
                                   offsetof(bm_compile_options, chain),
                                   offsetof(bm_compile_options, split_layers),
                                   sizeof(bm_compile_options)};
    _Static_assert(sizeof sizes / sizeof sizes[0] == BM_COMPILE_OPTIONS_VERSION + 1,
                   "a size for every version of bm_compile_options");
    static const bm_compile_options d = BM_COMPILE_OPTIONS_INIT;
    if (!opts || version < 1 || version > BM_COMPILE_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizes[version], version);
    return BM_OK;
}

int bm_report_options_init(bm_report_options *opts, unsigned version)
{
    static const bm_report_options d = BM_REPORT_OPTIONS_INIT;
    if (!opts || version != BM_REPORT_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_cosim_options_init(bm_cosim_options *opts, unsigned version)
{
    static const bm_cosim_options d = BM_COSIM_OPTIONS_INIT;
    if (!opts || version != BM_COSIM_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_graph_options_init(bm_graph_options *opts, unsigned version)
{
    static const bm_graph_options d = BM_GRAPH_OPTIONS_INIT;
    if (!opts || version != BM_GRAPH_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_core_params_init(bm_core_params *params, unsigned version)
{
    static const size_t sizes[] = {0, offsetof(bm_core_params, mul), offsetof(bm_core_params, fetch),
                                   offsetof(bm_core_params, queue),
                                   offsetof(bm_core_params, forward), sizeof(bm_core_params)};
    _Static_assert(sizeof sizes / sizeof sizes[0] == BM_CORE_PARAMS_VERSION + 1,
                   "a size for every version of bm_core_params");
    static const bm_core_params d = BM_CORE_PARAMS_INIT;
    if (!params || version < 1 || version > BM_CORE_PARAMS_VERSION)
        return BM_EINVAL;
    FILL(params, d, sizes[version], version);
    return BM_OK;
}

int bm_random_options_init(bm_random_options *opts, unsigned version)
{
    static const bm_random_options d = BM_RANDOM_OPTIONS_INIT;
    if (!opts || version != BM_RANDOM_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_sim_options_init(bm_sim_options *opts, unsigned version)
{
    static const bm_sim_options d = BM_SIM_OPTIONS_INIT;
    if (!opts || version != BM_SIM_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}

int bm_sim_limits_init(bm_sim_limits *limits, unsigned version)
{
    static const bm_sim_limits d = BM_SIM_LIMITS_INIT;
    if (!limits || version != BM_SIM_LIMITS_VERSION)
        return BM_EINVAL;
    FILL(limits, d, sizeof d, version);
    return BM_OK;
}

int bm_verilog_options_init(bm_verilog_options *opts, unsigned version)
{
    static const bm_verilog_options d = BM_VERILOG_OPTIONS_INIT;
    if (!opts || version != BM_VERILOG_OPTIONS_VERSION)
        return BM_EINVAL;
    FILL(opts, d, sizeof d, version);
    return BM_OK;
}
