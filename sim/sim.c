/* The simulator's public face: life cycle, stimulus, back-pressure, the run
 * loop with its stop rules, and state accessors.  The cycle itself is in
 * step.c, the predecoding in predecode.c. */
#include <string.h>

#include "internal.h"
#include "sim_impl.h"

const char *bm_sim_stop_name(bm_sim_stop stop)
{
    switch (stop) {
    case BM_SIM_STEPPED: return "stepped";
    case BM_SIM_STOP_OUTPUTS: return "outputs";
    case BM_SIM_STOP_HALTED: return "halted";
    case BM_SIM_STOP_CYCLES: return "cycles";
    case BM_SIM_STOP_DEADLOCK: return "deadlock";
    }
    return "?";
}

int bm_sim_new(bm_sim **out, const bm_machine *m, const bm_sim_options *opts)
{
    if (!out)
        return BM_EINVAL;
    *out = NULL;
    if (!m)
        return BM_EINVAL;
    bm_ctx *ctx = bm_machine_ctx(m);
    if (opts && opts->version != BM_SIM_OPTIONS_VERSION) {
        bm_error(ctx, bm_machine_loc(m), "bm_sim_new: options version %u is not %u",
                 opts->version, BM_SIM_OPTIONS_VERSION);
        return BM_EINVAL;
    }
    if (!bm_machine_is_valid(m)) {
        bm_error(ctx, bm_machine_loc(m),
                 "machine '%s' has not passed validation; the simulator needs a valid machine",
                 bm_machine_name(m));
        return BM_EINVAL;
    }
    bm_sim *sim = bm_calloc(ctx, 1, sizeof *sim);
    if (!sim)
        return BM_ENOMEM;
    sim->m = m;
    sim->ctx = ctx;
    bm_sim_options defaults = BM_SIM_OPTIONS_INIT;
    sim->opts = opts ? *opts : defaults;
    int rc = bmi_sim_build(sim);
    if (rc == BM_OK && sim->opts.record_outputs && sim->opts.output_reserve) {
        sim->rec = bm_malloc(ctx, sim->opts.output_reserve * sizeof *sim->rec);
        if (!sim->rec)
            rc = BM_ENOMEM;
        else
            sim->cap_rec = sim->opts.output_reserve;
    }
    if (rc) {
        if (rc == BM_ENOMEM)
            bm_oom(ctx);
        bmi_sim_release(sim);
        bm_free(ctx, sim);
        return rc;
    }
    *out = sim;
    return BM_OK;
}

void bm_sim_free(bm_sim *sim)
{
    if (!sim)
        return;
    if (sim->vcd)
        bm_sim_vcd_close(sim);
    bmi_sim_trace_free(sim);
    bmi_sim_release(sim);
    bm_free(sim->ctx, sim);
}

const bm_machine *bm_sim_machine(const bm_sim *sim)
{
    return sim->m;
}

/* ---- stimulus and back-pressure ------------------------------------------ */

int bm_sim_push_input(bm_sim *sim, unsigned input, uint64_t value)
{
    if (!sim)
        return BM_EINVAL;
    if (input >= sim->n_inputs) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0),
                 "bm_sim_push_input: no external input %u (the machine has %u)", input,
                 sim->n_inputs);
        return BM_ENOTFOUND;
    }
    sim_input *in = &sim->inputs[input];
    uint64_t mask = bm_mask(in->width);
    if (value & ~mask) {
        /* a negative number in W-bit signed range wraps; nothing else */
        uint64_t upper = ~mask | (UINT64_C(1) << (in->width - 1));
        if ((value & upper) != upper) {
            bm_error(sim->ctx, bm_loc_make(NULL, 0, 0),
                     "bm_sim_push_input: value 0x%llx does not fit the %u-bit input '%s'",
                     (unsigned long long)value, in->width,
                     bm_machine_input_name(sim->m, input));
            return BM_ERANGE;
        }
        value &= mask;
    }
    if (in->len == in->cap && in->pos > 0) {
        /* drop what has been taken before growing */
        memmove(in->vals, in->vals + in->pos, (in->len - in->pos) * sizeof *in->vals);
        in->len -= in->pos;
        in->pos = 0;
    }
    if (bm_grow(sim->ctx, (void **)&in->vals, &in->cap, in->len + 1, sizeof *in->vals))
        return BM_ENOMEM;
    in->vals[in->len++] = value;
    sim->quiet = 0; /* the machine may move again */
    if (in->bond)
        sim_wake_bond(sim, in->bond); /* its sinks may take it */
    return BM_OK;
}

int bm_sim_set_input_type(bm_sim *sim, unsigned input, bm_fixed_type t)
{
    if (!sim)
        return BM_EINVAL;
    if (input >= sim->n_inputs) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0),
                 "bm_sim_set_input_type: no external input %u (the machine has %u)", input,
                 sim->n_inputs);
        return BM_ENOTFOUND;
    }
    sim_input *in = &sim->inputs[input];
    if (bm_fixed_type_check(t) || t.total != in->width) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0),
                 "input '%s' is %u bits wide: it cannot carry a %u-bit type",
                 bm_machine_input_name(sim->m, input), in->width, t.total);
        return BM_EINVAL;
    }
    in->typed = 1;
    in->type = t;
    return BM_OK;
}

size_t bm_sim_input_pending(const bm_sim *sim, unsigned input)
{
    if (!sim || input >= sim->n_inputs)
        return 0;
    return sim->inputs[input].len - sim->inputs[input].pos;
}

int bm_sim_input_peek(const bm_sim *sim, unsigned input, size_t k, uint64_t *value)
{
    if (!sim || !value || input >= sim->n_inputs)
        return BM_ENOTFOUND;
    const sim_input *in = &sim->inputs[input];
    if (k >= in->len - in->pos)
        return BM_ENOTFOUND;
    *value = in->vals[in->pos + k];
    return BM_OK;
}

int bm_sim_output_ready_pattern(const bm_sim *sim, unsigned output, const uint8_t **pattern,
                                size_t *n)
{
    if (!sim || !pattern || !n || output >= sim->n_outputs)
        return BM_ENOTFOUND;
    const sim_output *o = &sim->outputs[output];
    if (o->fn)
        return BM_EINVAL;
    *pattern = o->pattern;
    *n = o->pattern ? o->n_pattern : 0;
    return BM_OK;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void bmi_sim_update_env(bm_sim *sim)
{
    uint64_t l = 1;
    sim->n_ready_fns = 0;
    for (unsigned i = 0; i < sim->n_outputs; i++) {
        const sim_output *o = &sim->outputs[i];
        if (o->fn)
            sim->n_ready_fns++;
        uint64_t p = o->pattern ? o->period : 1;
        uint64_t g = gcd64(l, p);
        if (l / g > UINT64_MAX / p) {
            l = UINT64_MAX; /* practically never a deadlock */
            break;
        }
        l = l / g * p;
    }
    sim->env_period = l;
    sim->quiet = 0;
}

static size_t pattern_period(const uint8_t *pattern, size_t n)
{
    for (size_t p = 1; p < n; p++) {
        if (n % p)
            continue;
        size_t i = p;
        while (i < n && (pattern[i] != 0) == (pattern[i - p] != 0))
            i++;
        if (i == n)
            return p;
    }
    return n;
}

int bm_sim_set_output_ready(bm_sim *sim, unsigned output, const uint8_t *pattern, size_t n)
{
    if (!sim || (n && !pattern))
        return BM_EINVAL;
    if (output >= sim->n_outputs)
        return BM_ENOTFOUND;
    sim_output *o = &sim->outputs[output];
    uint8_t *copy = NULL;
    if (n) {
        copy = bm_malloc(sim->ctx, n);
        if (!copy)
            return bm_oom(sim->ctx);
        for (size_t i = 0; i < n; i++)
            copy[i] = pattern[i] != 0;
    }
    bm_free(sim->ctx, o->pattern);
    o->pattern = copy;
    o->n_pattern = n;
    o->period = n ? pattern_period(copy, n) : 1;
    o->fn = NULL;
    o->fn_user = NULL;
    bmi_sim_update_env(sim);
    return BM_OK;
}

int bm_sim_set_output_ready_fn(bm_sim *sim, unsigned output, bm_sim_ready_fn fn, void *user)
{
    if (!sim)
        return BM_EINVAL;
    if (output >= sim->n_outputs)
        return BM_ENOTFOUND;
    sim_output *o = &sim->outputs[output];
    bm_free(sim->ctx, o->pattern);
    o->pattern = NULL;
    o->n_pattern = 0;
    o->period = 1;
    o->fn = fn;
    o->fn_user = fn ? user : NULL;
    bmi_sim_update_env(sim);
    return BM_OK;
}

/* ---- running ---------------------------------------------------------------- */

static int all_halted(const bm_sim *sim)
{
    return sim->n_halted == sim->n_cores && sim->n_holds_full == 0;
}

/* Makes room for the transfers one cycle can record (one per output), so
 * that the cycle itself never allocates. */
static int reserve_outputs(bm_sim *sim)
{
    if (!sim->opts.record_outputs || sim->cap_rec - sim->n_rec >= sim->n_bonded_outputs)
        return BM_OK;
    size_t need = sim->n_rec + sim->n_bonded_outputs;
    if (bm_grow(sim->ctx, (void **)&sim->rec, &sim->cap_rec, need, sizeof *sim->rec))
        return BM_ENOMEM;
    return BM_OK;
}

/* Counts quiet cycles; returns 1 when the machine is deadlocked: the state
 * has not changed for as many cycles as the environment (the external
 * outputs' ready patterns) takes to repeat, so it never will. */
static int deadlocked(bm_sim *sim, int progress)
{
    if (progress) {
        sim->quiet = 0;
        return 0;
    }
    if (sim->quiet++ == 0)
        sim->quiet_start = sim->cycle - 1;
    if (sim->quiet >= sim->env_period) {
        sim->deadlock_cycle = sim->quiet_start;
        return 1;
    }
    return 0;
}

int bm_sim_step(bm_sim *sim, uint64_t n, bm_sim_stop *why)
{
    if (!sim)
        return BM_EINVAL;
    bm_sim_stop stop = BM_SIM_STEPPED;
    for (uint64_t i = 0; i < n; i++) {
        if (all_halted(sim)) {
            stop = BM_SIM_STOP_HALTED;
            break;
        }
        int rc = reserve_outputs(sim);
        if (rc) {
            if (why)
                *why = BM_SIM_STEPPED;
            return rc;
        }
        if (deadlocked(sim, bmi_sim_cycle(sim))) {
            stop = BM_SIM_STOP_DEADLOCK;
            break;
        }
    }
    if (why)
        *why = stop;
    return BM_OK;
}

int bm_sim_run(bm_sim *sim, const bm_sim_limits *limits, bm_sim_stop *why)
{
    if (!sim)
        return BM_EINVAL;
    if (limits && limits->version != BM_SIM_LIMITS_VERSION) {
        bm_error(sim->ctx, bm_machine_loc(sim->m), "bm_sim_run: limits version %u is not %u",
                 limits->version, BM_SIM_LIMITS_VERSION);
        return BM_EINVAL;
    }
    uint64_t max_cycles = limits ? limits->max_cycles : 0;
    uint64_t max_outputs = limits ? limits->max_outputs : 0;
    bm_sim_stop stop;
    for (;;) {
        if (max_outputs && sim->out_total >= max_outputs) {
            stop = BM_SIM_STOP_OUTPUTS;
            break;
        }
        if (all_halted(sim)) {
            stop = BM_SIM_STOP_HALTED;
            break;
        }
        if (max_cycles && sim->cycle >= max_cycles) {
            stop = BM_SIM_STOP_CYCLES;
            break;
        }
        int rc = reserve_outputs(sim);
        if (rc) {
            if (why)
                *why = BM_SIM_STEPPED;
            return rc;
        }
        if (deadlocked(sim, bmi_sim_cycle(sim))) {
            stop = BM_SIM_STOP_DEADLOCK;
            break;
        }
    }
    if (why)
        *why = stop;
    return BM_OK;
}

uint64_t bm_sim_cycle(const bm_sim *sim)
{
    return sim ? sim->cycle : 0;
}

uint64_t bm_sim_deadlock_cycle(const bm_sim *sim)
{
    return sim ? sim->deadlock_cycle : 0;
}

/* ---- outputs ---------------------------------------------------------------- */

size_t bm_sim_output_count(const bm_sim *sim)
{
    return sim ? sim->n_rec : 0;
}

int bm_sim_output(const bm_sim *sim, size_t i, bm_sim_transfer *out)
{
    if (!sim || !out)
        return BM_EINVAL;
    if (i >= sim->n_rec)
        return BM_ENOTFOUND;
    *out = sim->rec[i];
    return BM_OK;
}

void bm_sim_discard_outputs(bm_sim *sim)
{
    if (sim)
        sim->n_rec = 0;
}

uint64_t bm_sim_output_total(const bm_sim *sim)
{
    return sim ? sim->out_total : 0;
}

/* ---- state ------------------------------------------------------------------ */

/* Records that `core` is not a core index and returns BM_ENOTFOUND. */
static int no_core(const bm_sim *sim, const char *fn, unsigned core)
{
    bm_error(sim->ctx, bm_loc_make(NULL, 0, 0), "%s: no core %u (the machine has %u)", fn, core,
             sim->n_cores);
    return BM_ENOTFOUND;
}

int bm_sim_pc(const bm_sim *sim, unsigned core, unsigned *out)
{
    if (!sim || !out)
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return no_core(sim, "bm_sim_pc", core);
    *out = sim->cores[core].pc;
    return BM_OK;
}

int bm_sim_reg(const bm_sim *sim, unsigned core, unsigned reg, uint64_t *out)
{
    if (!sim || !out)
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return no_core(sim, "bm_sim_reg", core);
    if (reg >= sim->cores[core].n_regs) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0), "bm_sim_reg: core %u has no register %u",
                 core, reg);
        return BM_ENOTFOUND;
    }
    *out = sim->cores[core].slots[reg];
    return BM_OK;
}

int bm_sim_ram_word(const bm_sim *sim, unsigned core, unsigned addr, uint64_t *out)
{
    if (!sim || !out)
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return no_core(sim, "bm_sim_ram_word", core);
    if (addr >= sim->cores[core].ram_depth) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0),
                 "bm_sim_ram_word: address %u is outside the %u-word RAM of core %u", addr,
                 sim->cores[core].ram_depth, core);
        return BM_ENOTFOUND;
    }
    *out = sim->cores[core].ram[addr];
    return BM_OK;
}

int bm_sim_core_halted(const bm_sim *sim, unsigned core)
{
    if (!sim)
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return BM_ENOTFOUND;
    return sim->cores[core].halted;
}

uint64_t bm_sim_retired(const bm_sim *sim, unsigned core)
{
    if (!sim || core >= sim->n_cores)
        return 0;
    return sim->cores[core].retired;
}

uint64_t bm_sim_retired_total(const bm_sim *sim)
{
    uint64_t total = 0;
    if (sim)
        for (unsigned i = 0; i < sim->n_cores; i++)
            total += sim->cores[i].retired;
    return total;
}
