/* bm_compile(): checks the options, selects the fused operations, runs the
 * chosen strategy and builds the machine (see map.h for the steps). */
#include <string.h>

#include "compile.h"
#include "map.h"

static const char *const strategy_names[] = {"node", "cores", "single", "fold"};

const char *bm_map_strategy_name(bm_map_strategy s)
{
    return (unsigned)s < sizeof strategy_names / sizeof *strategy_names ? strategy_names[s] : NULL;
}

int bm_map_strategy_from_name(const char *name)
{
    for (unsigned i = 0; name && i < sizeof strategy_names / sizeof *strategy_names; i++)
        if (strcmp(name, strategy_names[i]) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

/* The buffer cap: a version 1 struct has no `buffers` field. */
static unsigned option_buffers(const bm_compile_options *opt)
{
    return opt->version >= 2 ? opt->buffers : BM_COMPILE_BUFFERS_DEFAULT;
}

/* Version 3 fields: a version 1 or 2 struct has none of them. */
static bm_mul_variant option_mul(const bm_compile_options *opt)
{
    return opt->version >= 3 ? opt->mul : BM_MUL_COMB;
}

static const char *const fetch_names[] = {"auto", "direct", "staged"};

const char *bm_compile_fetch_name(bm_compile_fetch f)
{
    return (unsigned)f < sizeof fetch_names / sizeof fetch_names[0] ? fetch_names[f] : NULL;
}

int bm_compile_fetch_from_name(const char *name)
{
    for (unsigned i = 0; name && i < sizeof fetch_names / sizeof fetch_names[0]; i++)
        if (strcmp(fetch_names[i], name) == 0)
            return (int)i;
    return BM_ENOTFOUND;
}

/* Version 5: a version 4 struct and older keeps every core direct. */
/* Version 6: the fold strategy's chains (0 before). */
static int option_chain(const bm_compile_options *opt)
{
    return opt->version >= 6 ? opt->chain : BM_COMPILE_CHAIN_OFF;
}

/* Version 7: the fold strategy's splits per layer; NULL (and *n 0) when
 * none is given. */
static const unsigned *option_split(const bm_compile_options *opt, size_t *n)
{
    *n = opt->version >= 7 ? opt->n_split_layers : 0;
    return *n ? opt->split_layers : NULL;
}

static int check_split(bm_ctx *ctx, const bm_compile_options *opt, size_t n_reuse)
{
    bm_loc none = {NULL, 0, 0};
    size_t n;
    const unsigned *split = option_split(opt, &n);
    if (!n)
        return BM_OK;
    if (opt->strategy != BM_MAP_FOLD || n_reuse) {
        bm_error(ctx, none, "compile options: splits go with the fold strategy's K (fold, "
                            "fold_layers), not with %s",
                 n_reuse ? "a reuse factor, which splits by itself"
                         : bm_map_strategy_name(opt->strategy));
        return BM_EINVAL;
    }
    if (!split) {
        bm_error(ctx, none, "compile options: %zu split_layers given, but the pointer is NULL", n);
        return BM_EINVAL;
    }
    for (size_t l = 0; l < n; l++)
        if (split[l] < 1 || split[l] > BM_COMPILE_SPLIT_MAX) {
            bm_error(ctx, none, "compile options: the split of layer %zu is %u, not 1 to %u", l,
                     split[l], BM_COMPILE_SPLIT_MAX);
            return BM_EINVAL;
        }
    return BM_OK;
}

static bm_compile_fetch option_fetch(const bm_compile_options *opt)
{
    return opt->version >= 5 ? opt->fetch : BM_COMPILE_FETCH_DIRECT;
}

/* The fold of each layer: fold_layers, or the one `fold` for all. */
static const unsigned *option_fold(const bm_compile_options *opt, const unsigned *one, size_t *n)
{
    if (opt->version >= 3 && opt->n_fold_layers) {
        *n = opt->n_fold_layers;
        return opt->fold_layers;
    }
    *n = 1;
    return one;
}

static int check_fold(bm_ctx *ctx, const bm_compile_options *opt)
{
    bm_loc none = {NULL, 0, 0};
    unsigned one = opt->version >= 3 ? opt->fold : BM_COMPILE_FOLD_DEFAULT;
    size_t n;
    const unsigned *fold = option_fold(opt, &one, &n);
    if (!fold) {
        bm_error(ctx, none, "compile options: %zu fold_layers given, but the pointer is NULL", n);
        return BM_EINVAL;
    }
    for (size_t l = 0; l < n; l++)
        if (fold[l] < 1 || fold[l] > BM_COMPILE_FOLD_MAX) {
            bm_error(ctx, none, "compile options: the fold %s%zu is %u, not 1 to %u",
                     opt->version >= 3 && opt->n_fold_layers ? "of layer " : "", l, fold[l],
                     BM_COMPILE_FOLD_MAX);
            return BM_EINVAL;
        }
    return BM_OK;
}

/* The reuse factor of each layer (version 4): reuse_layers, or the one
 * `reuse` for all; NULL (and *n 0) when neither is set. */
static const unsigned *option_reuse(const bm_compile_options *opt, size_t *n)
{
    *n = 0;
    if (opt->version < 4)
        return NULL;
    if (opt->n_reuse_layers) {
        *n = opt->n_reuse_layers;
        return opt->reuse_layers;
    }
    if (!opt->reuse)
        return NULL;
    *n = 1;
    return &opt->reuse;
}

static int check_reuse(bm_ctx *ctx, const bm_compile_options *opt)
{
    bm_loc none = {NULL, 0, 0};
    size_t n;
    const unsigned *reuse = option_reuse(opt, &n);
    if (!n)
        return BM_OK;
    if (opt->strategy != BM_MAP_FOLD) {
        bm_error(ctx, none, "compile options: a reuse factor goes with the fold strategy, not %s",
                 bm_map_strategy_name(opt->strategy));
        return BM_EINVAL;
    }
    if (!reuse) {
        bm_error(ctx, none, "compile options: %zu reuse_layers given, but the pointer is NULL",
                 n);
        return BM_EINVAL;
    }
    for (size_t l = 0; l < n; l++)
        if (reuse[l] < 1 || reuse[l] > BM_COMPILE_REUSE_MAX) {
            bm_error(ctx, none, "compile options: the reuse factor %s%zu is %u, not 1 to %u",
                     opt->n_reuse_layers ? "of layer " : "", l, reuse[l], BM_COMPILE_REUSE_MAX);
            return BM_EINVAL;
        }
    return BM_OK;
}

static int check_options(bm_ctx *ctx, const bm_compile_options *opt)
{
    bm_loc none = {NULL, 0, 0};
    if (opt->version < 1 || opt->version > BM_COMPILE_OPTIONS_VERSION) {
        bm_error(ctx, none, "compile options: version %u is not supported (1 to %u)",
                 opt->version, BM_COMPILE_OPTIONS_VERSION);
        return BM_EINVAL;
    }
    if (option_buffers(opt) > BM_COMPILE_BUFFERS_MAX) {
        bm_error(ctx, none, "compile options: at most %u buffers per path, not %u",
                 BM_COMPILE_BUFFERS_MAX, option_buffers(opt));
        return BM_EINVAL;
    }
    if (!bm_map_strategy_name(opt->strategy)) {
        bm_error(ctx, none, "compile options: unknown strategy %d", (int)opt->strategy);
        return BM_EINVAL;
    }
    if (opt->strategy == BM_MAP_CORES && (opt->cores < 1 || opt->cores > BM_COMPILE_CORES_MAX)) {
        bm_error(ctx, none, "compile options: the cores strategy needs 1 to %u cores, not %u",
                 BM_COMPILE_CORES_MAX, opt->cores);
        return BM_EINVAL;
    }
    if (!bm_mul_variant_get(option_mul(opt))) {
        bm_error(ctx, none, "compile options: unknown multiplier variant %d (comb, pipe or serial)",
                 (int)option_mul(opt));
        return BM_EINVAL;
    }
    if (!bm_compile_fetch_name(option_fetch(opt))) {
        bm_error(ctx, none, "compile options: unknown fetch %d (auto, direct or staged)",
                 (int)option_fetch(opt));
        return BM_EINVAL;
    }
    size_t n_reuse;
    option_reuse(opt, &n_reuse);
    if (opt->strategy == BM_MAP_FOLD && !n_reuse && check_fold(ctx, opt))
        return BM_EINVAL;
    if (check_reuse(ctx, opt) || check_split(ctx, opt, n_reuse))
        return BM_EINVAL;
    if (option_chain(opt) < 0 || option_chain(opt) > BM_COMPILE_CHAIN_BROADCAST) {
        bm_error(ctx, none, "compile options: unknown chain %d (0 off, 1 line, 2 broadcast)",
                 option_chain(opt));
        return BM_EINVAL;
    }
    if (option_chain(opt) && opt->strategy != BM_MAP_FOLD) {
        bm_error(ctx, none, "compile options: chains go with the fold strategy, not %s",
                 bm_map_strategy_name(opt->strategy));
        return BM_EINVAL;
    }
    if (opt->name && !bm_is_identifier(opt->name)) {
        bm_error(ctx, none,
                 "compile options: machine name '%s' is not an identifier (a letter or '_', "
                 "then letters, digits or '_', at most 64 characters)",
                 opt->name);
        return BM_EINVAL;
    }
    return BM_OK;
}

int bm_compile(bm_machine **out, const bm_graph *g, const bm_compile_options *opt)
{
    bm_compile_options defaults = BM_COMPILE_OPTIONS_INIT;
    if (!out || !g)
        return BM_EINVAL;
    *out = NULL;
    if (!opt)
        opt = &defaults;
    bm_ctx *ctx = bm_graph_ctx(g);
    int rc = check_options(ctx, opt);
    if (rc)
        return rc;
    map_graph mg;
    if ((rc = bmi_map_select(&mg, ctx, g)))
        return rc;
    map_plan plan;
    bmi_map_plan_init(&plan, ctx);
    map_code_options code = {option_mul(opt), opt->strategy == BM_MAP_FOLD, option_fetch(opt)};
    unsigned one = opt->version >= 3 ? opt->fold : BM_COMPILE_FOLD_DEFAULT;
    size_t n_fold, n_reuse, n_split;
    const unsigned *fold = option_fold(opt, &one, &n_fold), *reuse = option_reuse(opt, &n_reuse);
    const unsigned *split = option_split(opt, &n_split);
    unsigned *reuse_fold = NULL;
    /* A reuse factor decides K, or splits neurons, layer by layer (the
     * fan-ins are the graph's): it rewrites the fops first. */
    if (opt->strategy == BM_MAP_FOLD && n_reuse) {
        rc = bmi_map_reuse(&mg, reuse, n_reuse, &reuse_fold, &n_fold);
        fold = reuse_fold;
    } else if (opt->strategy == BM_MAP_FOLD && n_split) {
        rc = bmi_map_split_layers(&mg, split, n_split, fold, n_fold);
    }
    if (!rc) {
        switch (opt->strategy) {
        case BM_MAP_NODE: rc = bmi_map_strategy_node(&plan, &mg, option_buffers(opt)); break;
        case BM_MAP_CORES: rc = bmi_map_strategy_cores(&plan, &mg, opt->cores); break;
        case BM_MAP_SINGLE: rc = bmi_map_strategy_single(&plan, &mg); break;
        case BM_MAP_FOLD:
            rc = bmi_map_strategy_fold(&plan, &mg, fold, n_fold, (bm_compile_chain)option_chain(opt),
                                       n_split > 0);
            break;
        }
    }
    if (!rc)
        rc = bmi_map_build_machine(out, &plan, &mg, opt->name ? opt->name : "graph", &code);
    bm_free(ctx, reuse_fold);
    bmi_map_plan_free(&plan);
    bmi_map_graph_free(&mg);
    return rc;
}
