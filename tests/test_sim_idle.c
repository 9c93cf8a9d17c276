/* Idle skipping (sim/idle.c, issue 9): cores that can only wait sleep out of
 * the step loop and are woken when what they wait on changes.  The old loop
 * over every core (bmi_sim_set_visit_all) is the reference: every machine
 * here runs twice, skipping and not, and must agree on every transfer
 * (output, value, cycle), the cycle count, the stop reason, the deadlock
 * report and each core's whole state and counters, checked every few
 * cycles, not only at the end.
 *
 * White box: the test binary links the library's objects, so it reaches
 * the private switch and the sleep count (sim/sim_impl.h). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/sim_impl.h"
#include "bm.h"
#include "sim_helpers.h"

/* ---- a simulator and its reference ----------------------------------------- */

typedef struct cb_state cb_state;

/* sim[0] skips idle cores, sim[1] visits every core every cycle. */
typedef struct twin {
    const bm_machine *m;
    bm_sim *sim[2];
    cb_state *cb[2];
    const char *what; /* names the case in failure messages */
} twin;

static twin twin_new(const bm_machine *m, const bm_sim_options *opts, const char *what)
{
    twin t = {m, {NULL, NULL}, {NULL, NULL}, what};
    for (int i = 0; i < 2; i++) {
        int rc = bm_sim_new(&t.sim[i], m, opts);
        cr_assert_eq(rc, 0, "%s: bm_sim_new: %s\n%s", what, bm_strerror(rc),
                     simt_diags(bm_machine_ctx(m)));
    }
    bmi_sim_set_visit_all(t.sim[1], 1);
    return t;
}

static void twin_free(twin *t)
{
    bm_sim_free(t->sim[0]);
    bm_sim_free(t->sim[1]);
}

static void twin_push(twin *t, unsigned input, uint64_t v)
{
    for (int i = 0; i < 2; i++)
        cr_assert_eq(bm_sim_push_input(t->sim[i], input, v), 0);
}

static void twin_ready(twin *t, unsigned output, const uint8_t *pattern, size_t n)
{
    for (int i = 0; i < 2; i++)
        cr_assert_eq(bm_sim_set_output_ready(t->sim[i], output, pattern, n), 0);
}

/* Everything observable, the same in both; `when` says where in the run. */
static void twin_expect_same(const twin *t, const char *when)
{
    const bm_sim *a = t->sim[0], *b = t->sim[1];
    const char *w = t->what;
    cr_assert_eq(bm_sim_cycle(a), bm_sim_cycle(b), "%s, %s: cycle %" PRIu64 " vs %" PRIu64, w,
                 when, bm_sim_cycle(a), bm_sim_cycle(b));
    cr_assert_eq(bm_sim_output_total(a), bm_sim_output_total(b), "%s, %s: output total", w, when);
    cr_assert_eq(bm_sim_output_count(a), bm_sim_output_count(b), "%s, %s: transfers %zu vs %zu",
                 w, when, bm_sim_output_count(a), bm_sim_output_count(b));
    for (size_t i = 0; i < bm_sim_output_count(a); i++) {
        bm_sim_transfer x, y;
        cr_assert_eq(bm_sim_output(a, i, &x), 0);
        cr_assert_eq(bm_sim_output(b, i, &y), 0);
        cr_assert(x.output == y.output && x.value == y.value && x.cycle == y.cycle,
                  "%s, %s: transfer %zu: output %u value %" PRIu64 " cycle %" PRIu64
                  " skipping, output %u value %" PRIu64 " cycle %" PRIu64 " visiting all",
                  w, when, i, x.output, x.value, x.cycle, y.output, y.value, y.cycle);
    }
    cr_assert_eq(bm_sim_deadlock_cycle(a), bm_sim_deadlock_cycle(b), "%s, %s: deadlock cycle", w,
                 when);
    cr_assert_eq(bm_sim_input_ended(a), bm_sim_input_ended(b), "%s, %s: input ended", w, when);
    for (unsigned i = 0; i < a->n_inputs; i++)
        cr_assert_eq(bm_sim_input_pending(a, i), bm_sim_input_pending(b, i),
                     "%s, %s: input %u pending", w, when, i);
    cr_assert_eq(a->n_halted, b->n_halted, "%s, %s: halted cores", w, when);
    cr_assert_eq(a->n_holds_full, b->n_holds_full, "%s, %s: queues holding values", w, when);
    cr_assert_eq(a->quiet, b->quiet, "%s, %s: quiet cycles", w, when);
    for (unsigned c = 0; c < a->n_cores; c++) {
        const sim_core *x = &a->cores[c], *y = &b->cores[c];
        cr_assert(x->pc == y->pc && x->halted == y->halted && x->busy == y->busy &&
                      x->refetching == y->refetching && x->retired == y->retired,
                  "%s, %s: core %u: pc %u/%u halted %u/%u busy %u/%u refetching %u/%u retired "
                  "%" PRIu64 "/%" PRIu64,
                  w, when, c, x->pc, y->pc, x->halted, y->halted, x->busy, y->busy,
                  x->refetching, y->refetching, x->retired, y->retired);
        for (unsigned r = 0; r < x->n_regs; r++)
            cr_assert_eq(x->slots[r], y->slots[r], "%s, %s: core %u r%u", w, when, c, r);
        for (unsigned r = 0; r < x->ram_depth; r++)
            cr_assert_eq(x->ram[r], y->ram[r], "%s, %s: core %u RAM[%u]", w, when, c, r);
        for (unsigned q = 0; q < x->n_out; q++) {
            const sim_outport *p = &x->out[q], *o = &y->out[q];
            cr_assert_eq(p->count, o->count, "%s, %s: core %u o%u queue length", w, when, c, q);
            for (uint32_t k = 0; k < p->count; k++)
                cr_assert_eq(p->vals[(p->head + k) % p->depth], o->vals[(o->head + k) % o->depth],
                             "%s, %s: core %u o%u queue word %u", w, when, c, q, k);
        }
        char da[512], db[512];
        cr_assert_geq(bm_sim_describe_stall(a, c, da, sizeof da), 0);
        cr_assert_geq(bm_sim_describe_stall(b, c, db, sizeof db), 0);
        cr_assert_str_eq(da, db, "%s, %s: core %u's report", w, when, c);
        bm_sim_activity ca, cb;
        int has = bm_sim_core_activity(a, c, &ca) == 0;
        cr_assert_eq(has, bm_sim_core_activity(b, c, &cb) == 0, "%s: activity counted", w);
        if (has)
            cr_assert_eq(memcmp(&ca, &cb, sizeof ca), 0, "%s, %s: core %u's activity", w, when, c);
    }
}

static bm_sim_stop twin_step(twin *t, uint64_t n, const char *when)
{
    bm_sim_stop why[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(bm_sim_step(t->sim[i], n, &why[i]), 0);
    cr_assert_eq(why[0], why[1], "%s, %s: stopped on %s skipping, %s visiting all", t->what, when,
                 bm_sim_stop_name(why[0]), bm_sim_stop_name(why[1]));
    twin_expect_same(t, when);
    return why[0];
}

static bm_sim_stop twin_run(twin *t, uint64_t max_cycles)
{
    bm_sim_stop why[2];
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_cycles = max_cycles;
    for (int i = 0; i < 2; i++)
        cr_assert_eq(bm_sim_run(t->sim[i], &lim, &why[i]), 0);
    cr_assert_eq(why[0], why[1], "%s: run stopped on %s skipping, %s visiting all", t->what,
                 bm_sim_stop_name(why[0]), bm_sim_stop_name(why[1]));
    twin_expect_same(t, "at the end");
    return why[0];
}

/* ---- random machines --------------------------------------------------------- */

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* What a simulator's callbacks see: its own simulator, so that both of a
 * twin's do the same to theirs. */
struct cb_state {
    bm_sim *sim;
    uint64_t seed;
    unsigned n_inputs;
    int feed_back;   /* on_output pushes the value back on an input      */
    int ready_feeds; /* the ready callback pushes stimulus (beyond its
                        contract, which forbids calling the simulator:
                        the late visit after phase B keeps even that) */
};

static void on_output(void *user, const bm_sim_transfer *t)
{
    cb_state *s = user;
    if (s->feed_back && s->n_inputs && (t->value & 3) != 0)
        bm_sim_push_input(s->sim, (unsigned)(t->value % s->n_inputs), t->value >> 2);
}

static int ready_fn(void *user, unsigned output, uint64_t cycle)
{
    cb_state *s = user;
    uint64_t h = s->seed ^ (cycle * 0x100000001b3u) ^ ((uint64_t)output << 40);
    uint64_t r = next(&h);
    if (s->ready_feeds && s->n_inputs && r % 37 == 0)
        bm_sim_push_input(s->sim, (unsigned)(r >> 32) % s->n_inputs, r >> 48);
    return r % 5 < 3;
}

/* One random machine: random stimulus given in portions between runs of
 * random length, random back-pressure (patterns and callbacks), sometimes
 * activity counting, a VCD for a while, callbacks that push stimulus.
 * Returns whether the skipping simulator had sleeping cores at some
 * point (so that the suite knows it tested something). */
static int random_case(bm_ctx *ctx, uint64_t seed)
{
    uint64_t r = seed * UINT64_C(0x2545f4914f6cdd1d) + 1;
    bm_random_options ro = BM_RANDOM_OPTIONS_INIT;
    ro.max_cores = 1 + (unsigned)(next(&r) % 16);
    bm_machine *m;
    cr_assert_eq(bm_random_machine(&m, ctx, seed, &ro), 0, "random machine %" PRIu64, seed);
    char what[64];
    snprintf(what, sizeof what, "random machine %" PRIu64, seed);

    unsigned ni = bm_machine_input_count(m), no = bm_machine_output_count(m);
    unsigned count = 4 + (unsigned)(next(&r) % 40);
    uint64_t *values = calloc((size_t)(ni ? ni : 1) * count, sizeof *values);
    cr_assert_not_null(values);
    bm_random_stimulus(m, seed, count, values);

    /* each simulator's callbacks act on that simulator */
    cb_state cbs[2];
    int feed_back = next(&r) % 6 == 0, ready_feeds = next(&r) % 10 == 0;
    twin t = {m, {NULL, NULL}, {&cbs[0], &cbs[1]}, what};
    for (int i = 0; i < 2; i++) {
        cbs[i] = (cb_state){NULL, seed, ni, feed_back, ready_feeds};
        bm_sim_options so = BM_SIM_OPTIONS_INIT;
        so.on_output = on_output;
        so.on_output_user = &cbs[i];
        cr_assert_eq(bm_sim_new(&t.sim[i], m, &so), 0);
        cbs[i].sim = t.sim[i];
    }
    bmi_sim_set_visit_all(t.sim[1], 1);

    for (unsigned o = 0; o < no; o++) {
        unsigned kind = (unsigned)(next(&r) % 6);
        if (kind == 0 || kind == 1) {
            uint8_t pat[8];
            size_t n = 1 + next(&r) % 8;
            for (size_t k = 0; k < n; k++)
                pat[k] = next(&r) % 3 != 0;
            twin_ready(&t, o, pat, n);
        } else if (kind == 2) {
            for (int i = 0; i < 2; i++)
                cr_assert_eq(bm_sim_set_output_ready_fn(t.sim[i], o, ready_fn, &cbs[i]), 0);
        }
    }
    if (next(&r) % 4 == 0)
        for (int i = 0; i < 2; i++)
            cr_assert_eq(bm_sim_activity_start(t.sim[i]), 0);

    /* the stimulus in portions: what is given before the first run, then
     * more at some boundaries */
    unsigned given = (unsigned)(next(&r) % (count + 1));
    for (unsigned i = 0; i < ni; i++)
        for (unsigned k = 0; k < given; k++)
            twin_push(&t, i, values[i * count + k]);
    char vcd[64] = "";
    int vcd_from = next(&r) % 20 == 0 ? (int)(next(&r) % 4) : -1;
    int slept = 0;
    uint64_t total = 0;
    for (int chunk = 0; total < 2000; chunk++) {
        if (chunk == vcd_from) {
            /* every core is visited while a VCD is open: sleepers are woken,
             * and fall asleep again once it is closed */
            snprintf(vcd, sizeof vcd, "/tmp/bm_sim_idle_%ld_%" PRIu64 ".vcd", (long)getpid(),
                     seed);
            cr_assert_eq(bm_sim_vcd_open(t.sim[0], vcd), 0);
        } else if (vcd[0] && chunk == vcd_from + 2) {
            bm_sim_vcd_discard(t.sim[0]);
            vcd[0] = '\0';
        }
        uint64_t n = 1 + next(&r) % (next(&r) % 3 == 0 ? 400 : 40);
        char when[64];
        snprintf(when, sizeof when, "after %" PRIu64 " more cycles from %" PRIu64, n, total);
        bm_sim_stop why = twin_step(&t, n, when);
        slept |= t.sim[0]->n_asleep != 0;
        total += n;
        if (given < count && (why != BM_SIM_STEPPED || next(&r) % 3 == 0)) {
            unsigned more = given + 1 + (unsigned)(next(&r) % 4);
            if (more > count)
                more = count;
            for (unsigned k = given; k < more; k++)
                for (unsigned i = 0; i < ni; i++)
                    twin_push(&t, i, values[i * count + k]);
            given = more;
        } else if (why == BM_SIM_STOP_HALTED) {
            break;
        }
    }
    if (vcd[0])
        bm_sim_vcd_discard(t.sim[0]);
    twin_run(&t, bm_sim_cycle(t.sim[0]) + 3000);
    twin_free(&t);
    free(values);
    bm_machine_free(m);
    return slept;
}

Test(sim_idle, random_machines_same_with_and_without_skipping, .timeout = 120)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    unsigned machines = 600, slept = 0;
    for (uint64_t seed = 1; seed <= machines; seed++)
        slept += (unsigned)random_case(ctx, seed);
    /* the comparison means something only when cores did sleep */
    cr_expect_gt(slept, machines / 2, "cores slept in only %u of %u machines", slept, machines);
    bm_ctx_free(ctx);
}

/* ---- targeted cases ------------------------------------------------------------- */

static bm_machine *assemble(bm_ctx *ctx, const char *text)
{
    bm_machine *m = NULL;
    int rc = bm_asm_memory(&m, ctx, text, strlen(text), "idle.s", NULL);
    cr_assert_eq(rc, 0, "does not assemble:\n%s", simt_diags(ctx));
    return m;
}

/* "x -> c0 -> c1 -> ... -> y", each core adding 1 (bench/scale/gen.py). */
static char *chain_text(unsigned n)
{
    size_t cap = 200 + (size_t)n * 120, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    len += (size_t)snprintf(s + len, cap - len, ".machine chain\n.input x 8\n.output y 8\n");
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                ".core c%u 8\ntop: in r0, i0\n addi r0, 1\n out o0, r0\n j top\n", i);
    len += (size_t)snprintf(s + len, cap - len, ".bond x -> c0.i0\n");
    for (unsigned i = 1; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, ".bond c%u.o0 -> c%u.i0\n", i - 1, i);
    snprintf(s + len, cap - len, ".bond c%u.o0 -> y\n", n - 1);
    return s;
}

/* Every core waits from cycle 0; the input comes at cycle 500 and wakes the
 * chain core by core.  A value moves one core on every 2 cycles (in, then
 * addi while the out is taken... see docs/timing.md), so the 40-core chain
 * delivers x + 40 at 500 + 2 * 40. */
Test(sim_idle, chain_with_late_input)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    char *text = chain_text(40);
    bm_machine *m = assemble(ctx, text);
    free(text);
    twin t = twin_new(m, NULL, "chain, input at 500");
    /* stepped past the deadlock that the missing input is, one cycle at a
     * time (bm_sim_step stops on it) */
    while (bm_sim_cycle(t.sim[0]) < 500)
        twin_step(&t, 1, "before the input");
    cr_expect_eq(t.sim[0]->n_asleep, 40, "every core sleeps while no input comes (%u)",
                 t.sim[0]->n_asleep);
    cr_expect_eq(t.sim[0]->awake[0], 0, "no core is visited");
    twin_push(&t, 0, 7);
    twin_push(&t, 0, 100);
    cr_assert_eq(twin_run(&t, 2000), BM_SIM_STOP_DEADLOCK);
    cr_assert_eq(bm_sim_input_ended(t.sim[0]), 1);
    simt_xfer want[] = {{"y", 47, 580}, {"y", 140, 584}};
    simt_expect_outputs(t.sim[0], want, 2);
    cr_expect_eq(t.sim[0]->n_asleep, 40, "every core sleeps again at the end");
    twin_free(&t);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A bond to two sinks: `quick` waits on it from cycle 0 (asleep), `slow`
 * counts down a loop first.  The source offers at cycle 2 and wakes quick,
 * but the transfer must wait for slow; in the other machine the sink that
 * sleeps comes after the source in core order, and the source before: the
 * order in which the loop sees them must not matter. */
static const char *const multi_sink[2] = {
    ".machine fan\n.input x 8\n.output p 8\n.output q 8\n"
    ".core quick 8\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".core src 8\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".core slow 8\n li r1, 30\nwait: dec r1\n jnz r1, wait\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".bond x -> src.i0\n.bond src.o0 -> quick.i0, slow.i0\n.bond quick.o0 -> p\n"
    ".bond slow.o0 -> q\n",
    ".machine fan\n.input x 8\n.output p 8\n.output q 8\n"
    ".core slow 8\n li r1, 30\nwait: dec r1\n jnz r1, wait\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".core src 8\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".core quick 8\ntop: in r0, i0\n out o0, r0\n j top\n"
    ".bond x -> src.i0\n.bond src.o0 -> slow.i0, quick.i0\n.bond quick.o0 -> p\n"
    ".bond slow.o0 -> q\n"};

Test(sim_idle, multi_sink_with_a_sleeping_and_a_busy_sink)
{
    for (int v = 0; v < 2; v++) {
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        bm_machine *m = assemble(ctx, multi_sink[v]);
        twin t = twin_new(m, NULL, v ? "fan-out, sleeper last" : "fan-out, sleeper first");
        twin_push(&t, 0, 5);
        twin_push(&t, 0, 6);
        /* slow's loop: li at 0, dec and jnz 30 times (cycles 1..60), in
         * from 61; quick sleeps at the end of cycle 0 */
        cr_assert_eq(twin_step(&t, 10, "while slow counts"), BM_SIM_STEPPED);
        unsigned quick = (unsigned)bm_machine_find_core(m, "quick");
        cr_expect_eq(t.sim[0]->cores[quick].asleep, 0,
                     "quick is woken by the offer and stays awake while it is valid");
        cr_assert_eq(twin_run(&t, 1000), BM_SIM_STOP_DEADLOCK);
        /* first transfer to both sinks at 61, out at 62 to p and q; src
         * jumps at 62, takes 6 at 63 and offers it at 64, when both sinks,
         * back from their jumps, take it at once: out at 65 */
        simt_xfer want[] = {{"p", 5, 62}, {"q", 5, 62}, {"p", 6, 65}, {"q", 6, 65}};
        simt_expect_outputs(t.sim[0], want, 4);
        twin_free(&t);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

/* Both sinks of a bond asleep, then a value: the offer wakes both in the
 * same cycle and the transfer happens at once. */
Test(sim_idle, multi_sink_both_asleep)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = assemble(ctx,
                             ".machine fan2\n.input x 8\n.output p 8\n.output q 8\n"
                             ".core a 8\ntop: in r0, i0\n out o0, r0\n j top\n"
                             ".core src 8\ntop: in r0, i0\n addi r0, 1\n out o0, r0\n j top\n"
                             ".core b 8\ntop: in r0, i0\n out o0, r0\n j top\n"
                             ".bond x -> src.i0\n.bond src.o0 -> a.i0, b.i0\n.bond a.o0 -> p\n"
                             ".bond b.o0 -> q\n");
    twin t = twin_new(m, NULL, "fan-out, both asleep");
    while (bm_sim_cycle(t.sim[0]) < 100)
        twin_step(&t, 1, "before the input");
    cr_expect_eq(t.sim[0]->n_asleep, 3);
    twin_push(&t, 0, 9);
    cr_assert_eq(twin_run(&t, 1000), BM_SIM_STOP_DEADLOCK);
    /* src takes at 100, adds at 101, offers at 102: a and b take it at
     * 102 and offer at 103 */
    simt_xfer want[] = {{"p", 10, 103}, {"q", 10, 103}};
    simt_expect_outputs(t.sim[0], want, 2);
    twin_free(&t);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Forwarding cores pass every value on through a 2-word queue; the tail
 * takes one only every ~20 cycles, so the queues fill, the forwarding cores
 * block on them and sleep, and each value the tail takes wakes the one
 * before it. */
Test(sim_idle, forward_chain_with_a_slow_tail)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = assemble(ctx,
                             ".machine fwd\n.input x 8\n.output y 8\n.output s 8\n"
                             ".core f0 8\n.forward o1, 2\ntop: in r0, i0\n addi r1, 1\n out o0, r1\n j top\n"
                             ".core f1 8\n.forward o0, 2\ntop: in r0, i0\n j top\n"
                             ".core f2 8\n.forward o0, 1\ntop: in r0, i0\n j top\n"
                             ".core tail 8\ntop: li r1, 9\nwait: dec r1\n jnz r1, wait\n"
                             " in r0, i0\n out o0, r0\n j top\n"
                             ".bond x -> f0.i0\n.bond f0.o1 -> f1.i0\n.bond f0.o0 -> s\n"
                             ".bond f1.o0 -> f2.i0\n.bond f2.o0 -> tail.i0\n.bond tail.o0 -> y\n");
    twin t = twin_new(m, NULL, "forward chain");
    for (uint64_t v = 1; v <= 12; v++)
        twin_push(&t, 0, v);
    int saw_blocked = 0;
    for (int i = 0; i < 40; i++) {
        twin_step(&t, 7, "while the tail is slow");
        const bm_sim *s = t.sim[0];
        for (unsigned c = 0; c < 3; c++) {
            const sim_core *k = &s->cores[c];
            saw_blocked |= k->asleep && sim_forward_full(k);
        }
    }
    cr_expect(saw_blocked, "a forwarding core should have slept on its full forward queue");
    cr_assert_eq(twin_run(&t, 5000), BM_SIM_STOP_DEADLOCK);
    cr_assert_eq(bm_sim_output_total(t.sim[0]), 24);
    twin_free(&t);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Posted outputs into queues whose takers are slow (back-pressure by
 * pattern): p's `outn` finds its queue full, q's `out` finds it not empty
 * after two `outn`; both sleep until a value leaves the queue. */
Test(sim_idle, outputs_waiting_on_their_queue)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = assemble(ctx,
                             ".machine q\n.output y 8\n.output z 8\n"
                             ".core p 8\n.queue 3\ntop: addi r0, 1\n outn o0, r0\n j top\n"
                             ".core q 8\n.queue 2\ntop: addi r0, 1\n outn o0, r0\n outn o0, r0\n"
                             " out o0, r0\n j top\n"
                             ".bond p.o0 -> y\n.bond q.o0 -> z\n");
    twin t = twin_new(m, NULL, "queued outputs");
    uint8_t slow[13] = {1};
    twin_ready(&t, 0, slow, sizeof slow);
    uint8_t slower[29] = {1};
    twin_ready(&t, 1, slower, sizeof slower);
    int slept[2] = {0, 0};
    for (int i = 0; i < 60; i++) {
        twin_step(&t, 11, "with back-pressure");
        for (unsigned c = 0; c < 2; c++)
            slept[c] |= t.sim[0]->cores[c].asleep;
    }
    cr_expect(slept[0], "p should have slept on its full queue");
    cr_expect(slept[1], "q should have slept waiting for its queue to empty");
    cr_expect_gt(bm_sim_output_total(t.sim[0]), 40);
    twin_free(&t);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Two cores that each wait for the other: both sleep from the end of cycle
 * 0, nothing changes, and the deadlock is found and reported exactly as by
 * the loop over every core. */
Test(sim_idle, deadlock_with_every_core_asleep)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = assemble(ctx,
                             ".machine dl\n.output y 8\n"
                             ".core a 8\ntop: in r0, i0\n out o0, r0\n j top\n"
                             ".core b 8\ntop: in r0, i0\n out o0, r0\n out o1, r0\n j top\n"
                             ".bond a.o0 -> b.i0\n.bond b.o0 -> a.i0\n.bond b.o1 -> y\n");
    twin t = twin_new(m, NULL, "deadlock");
    cr_assert_eq(twin_run(&t, 1000), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(t.sim[0]->n_asleep, 2);
    cr_expect_eq(bm_sim_deadlock_cycle(t.sim[0]), 0);
    cr_expect_eq(bm_sim_cycle(t.sim[0]), 1, "found after one quiet cycle, as before");
    cr_expect_eq(bm_sim_input_ended(t.sim[0]), 0, "a real deadlock, not the end of the input");
    char text[256];
    bm_sim_describe_stall(t.sim[0], 0, text, sizeof text);
    cr_expect_str_eq(text, "pc 0 'in r0, i0' waits for valid on i0 (bond from 'b.o0')");
    twin_free(&t);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
