/* Cycle timing of the simulator against docs/timing.md: one instruction per
 * cycle, free jumps, two-cycle ld, halt, the handshakes (producer faster
 * than consumer and the reverse, fan-out with one slow sink, posted outputs
 * and their holding register, inn), back-pressure, deadlock detection and
 * its report.  Every expected cycle below is derived by hand in the
 * comment above it. */
#include "sim_helpers.h"

#define HEAD "<machine format=\"1\" name=\"t\">\n"
#define TAIL "</machine>\n"
/* A core with the given name, width 8, 4 registers, RAM, ports, opcodes. */
#define CORE(name, rom, ram, ins, outs, ops)                                              \
    "<core name=\"" name "\" width=\"8\" registers=\"4\" rom=\"" #rom "\" ram=\"" #ram  \
    "\" inputs=\"" #ins "\" outputs=\"" #outs "\"><opcodes>" ops "</opcodes><program>\n"
#define END_CORE "</program></core>\n"
#define I(text) "<i>" text "</i>"

typedef struct fixture {
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim;
} fixture;

static fixture load(const char *xml)
{
    fixture f;
    cr_assert_eq(bm_ctx_new(&f.ctx, NULL), 0);
    f.m = simt_xml(f.ctx, xml);
    f.sim = simt_sim(f.m);
    return f;
}

static void unload(fixture *f)
{
    bm_sim_free(f->sim);
    bm_machine_free(f->m);
    bm_ctx_free(f->ctx);
}

static unsigned pc_of(const bm_sim *sim, unsigned core)
{
    unsigned pc = ~0u;
    cr_assert_eq(bm_sim_pc(sim, core, &pc), 0);
    return pc;
}

static uint64_t reg_of(const bm_sim *sim, unsigned core, unsigned reg)
{
    uint64_t v = ~UINT64_C(0);
    cr_assert_eq(bm_sim_reg(sim, core, reg, &v), 0);
    return v;
}

/* 0 li, 1 addi, 2 addi, 3 out (taken at once), 4 halt; halted from 5. */
Test(sim_timing, straight_line_one_instruction_per_cycle)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("c", 5, 0, 0, 1, "li addi out halt")
                     I("li r0, 5") I("addi r0, 1") I("addi r0, 1") I("out o0, r0") I("halt")
                     END_CORE "<bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_HALTED);
    simt_xfer want[] = {{"y", 7, 3}};
    simt_expect_outputs(f.sim, want, 1);
    cr_expect_eq(bm_sim_cycle(f.sim), 5);
    cr_expect_eq(bm_sim_retired(f.sim, 0), 5);
    unload(&f);
}

/* 0 li, 1 j 3 (taken, free), 2 out at pc 3, 3 halt. */
Test(sim_timing, taken_jump_costs_nothing)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("c", 5, 0, 0, 1, "li j out halt")
                     I("li r0, 1") I("j 3") I("li r0, 9") I("out o0, r0") I("halt")
                     END_CORE "<bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_HALTED);
    simt_xfer want[] = {{"y", 1, 2}};
    simt_expect_outputs(f.sim, want, 1);
    cr_expect_eq(bm_sim_cycle(f.sim), 4);
    unload(&f);
}

/* 0 li, 1-2 ld (address in cycle 1, rd written at the end of cycle 2),
 * 3 out, 4 halt. */
Test(sim_timing, load_takes_two_cycles)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("c", 4, 4, 0, 1, "li out ld halt")
                     I("li r0, 1") I("ld r1, r0") I("out o0, r1") I("halt")
                     "</program><ram-init>7 42</ram-init></core>\n"
                     "<bond from=\"c.o0\" to=\"y\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 2, &why), 0);
    cr_expect_eq(why, BM_SIM_STEPPED);
    cr_expect_eq(pc_of(f.sim, 0), 1, "ld still in progress after its first cycle");
    cr_expect_eq(reg_of(f.sim, 0, 1), 0);
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(pc_of(f.sim, 0), 2);
    cr_expect_eq(reg_of(f.sim, 0, 1), 42);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_HALTED);
    simt_xfer want[] = {{"y", 42, 3}};
    simt_expect_outputs(f.sim, want, 1);
    cr_expect_eq(bm_sim_cycle(f.sim), 5);
    cr_expect_eq(bm_sim_retired(f.sim, 0), 4, "ld retires once");
    unload(&f);
}

/* 0 li, 1 li, 2 st, 3-4 ld, 5 out, 6 halt. */
Test(sim_timing, store_takes_one_cycle)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("c", 6, 4, 0, 1, "li out ld st halt")
                     I("li r0, 2") I("li r1, 9") I("st r0, r1") I("ld r2, r0") I("out o0, r2")
                     I("halt") END_CORE "<bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_HALTED);
    simt_xfer want[] = {{"y", 9, 5}};
    simt_expect_outputs(f.sim, want, 1);
    uint64_t w;
    cr_assert_eq(bm_sim_ram_word(f.sim, 0, 2, &w), 0);
    cr_expect_eq(w, 9);
    cr_expect_eq(bm_sim_ram_word(f.sim, 0, 4, &w), BM_ENOTFOUND);
    unload(&f);
}

/* p: out; inc; j 0 (3 cycles per value).  c: in; nop x3; out; j 0 (6).
 * 0: p out(0) + c in: transfer.  1-2: p inc, j; c nop, nop.
 * 3: p out(1), c nop: not ready, p stalls.  4: c out -> y 0 @4.  5: c j.
 * 6: transfer of 1 ... the consumer sets the pace: y at 4, 10, 16. */
Test(sim_timing, producer_faster_than_consumer)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("p", 3, 0, 0, 1, "inc j out")
                     I("out o0, r0") I("inc r0") I("j 0") END_CORE
                     CORE("c", 6, 0, 1, 1, "nop j in out")
                     I("in r1, i0") I("nop") I("nop") I("nop") I("out o0, r1") I("j 0") END_CORE
                     "<bond from=\"p.o0\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 5, &why), 0);
    /* start of cycle 5: p still offers 1, c is at its j */
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 0 'out o0, r0' waits for ready on o0 (bond to 'c.i0'; not ready: 'c.i0')");
    cr_expect_eq(simt_run(f.sim, 100, 3), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"y", 0, 4}, {"y", 1, 10}, {"y", 2, 16}};
    simt_expect_outputs(f.sim, want, 3);
    cr_expect_eq(bm_sim_cycle(f.sim), 17);
    unload(&f);
}

/* p: inc; nop; nop; out; j 0 (5 cycles).  c: in; out; j 0 (3).
 * 0-2: c waits for valid.  3: transfer of 1.  4: c out -> y 1 @4.
 * Then every 5 cycles: y at 4, 9, 14. */
Test(sim_timing, consumer_faster_than_producer)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("p", 5, 0, 0, 1, "nop inc j out")
                     I("inc r0") I("nop") I("nop") I("out o0, r0") I("j 0") END_CORE
                     CORE("c", 3, 0, 1, 1, "j in out")
                     I("in r1, i0") I("out o0, r1") I("j 0") END_CORE
                     "<bond from=\"p.o0\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_str_eq(simt_describe(f.sim, 1),
                     "pc 0 'in r1, i0' waits for valid on i0 (bond from 'p.o0')");
    cr_expect_eq(simt_run(f.sim, 100, 3), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"y", 1, 4}, {"y", 2, 9}, {"y", 3, 14}};
    simt_expect_outputs(f.sim, want, 3);
    cr_expect_eq(bm_sim_retired(f.sim, 1), 8, "c retires in, out, j per value (and one in)");
    unload(&f);
}

/* s: inc; out; j 0 feeds f (in; out; j 0) and slow (in; nop x4; out; j 0).
 * 1: s out(1), both sinks ready: transfer.  2: f -> yf 1.
 * 4-7: s offers 2, f ready, slow busy: no transfer (all sinks must be
 * ready).  6: slow -> ys 1.  8: transfer of 2 to both.  9: yf 2.  13: ys 2.
 * 15: transfer of 3.  16: yf 3.  20: ys 3.  The slow sink sets the pace. */
Test(sim_timing, fan_out_waits_for_the_slow_sink)
{
    fixture f = load(HEAD "<output name=\"yf\" width=\"8\"/><output name=\"ys\" width=\"8\"/>"
                     CORE("s", 3, 0, 0, 1, "inc j out")
                     I("inc r0") I("out o0, r0") I("j 0") END_CORE
                     CORE("f", 3, 0, 1, 1, "j in out")
                     I("in r1, i0") I("out o0, r1") I("j 0") END_CORE
                     CORE("slow", 7, 0, 1, 1, "nop j in out")
                     I("in r1, i0") I("nop") I("nop") I("nop") I("nop") I("out o0, r1") I("j 0")
                     END_CORE
                     "<bond from=\"s.o0\" to=\"f.i0 slow.i0\"/>"
                     "<bond from=\"f.o0\" to=\"yf\"/><bond from=\"slow.o0\" to=\"ys\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 5, &why), 0);
    /* start of cycle 5: s offers 2, f waits at its in, slow is at a nop */
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 1 'out o0, r0' waits for ready on o0 (bond to 'f.i0', 'slow.i0'; "
                     "not ready: 'slow.i0')");
    cr_expect_str_eq(simt_describe(f.sim, 1),
                     "pc 0 'in r1, i0' waits on i0 (bond from 's.o0', valid) for its other "
                     "sinks: 'slow.i0' not ready");
    cr_expect_eq(simt_run(f.sim, 100, 6), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"yf", 1, 2}, {"ys", 1, 6},  {"yf", 2, 9},
                        {"ys", 2, 13}, {"yf", 3, 16}, {"ys", 3, 20}};
    simt_expect_outputs(f.sim, want, 6);
    unload(&f);
}

/* p posts 0, 1, 2 with outn and halts; c reads slowly.
 * 0: p outn(0), c not ready: parked.  2: p outn(1) stalls (register full).
 * 3: c in takes the parked 0.  4: p outn(1) not taken: parked; c -> y 0.
 * 6: c takes 1.  7: p outn(2) parked; c -> y 1.  8: p halts.
 * 9: c takes 2 from the halted core's register.  10: y 2.
 * 12: c waits for valid forever: deadlock at 12. */
Test(sim_timing, posted_outputs_and_holding_register)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     CORE("p", 6, 0, 0, 1, "inc outn halt")
                     I("outn o0, r0") I("inc r0") I("outn o0, r0") I("inc r0") I("outn o0, r0")
                     I("halt") END_CORE
                     CORE("c", 6, 0, 1, 1, "nop j in out")
                     I("nop") I("nop") I("nop") I("in r1, i0") I("out o0, r1") I("j 3") END_CORE
                     "<bond from=\"p.o0\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 2, &why), 0);
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 2 'outn o0, r0' waits for the holding register of o0 to empty "
                     "(value 0; bond to 'c.i0'; not ready: 'c.i0')");
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_DEADLOCK);
    simt_xfer want[] = {{"y", 0, 4}, {"y", 1, 7}, {"y", 2, 10}};
    simt_expect_outputs(f.sim, want, 3);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 12);
    cr_expect_eq(bm_sim_cycle(f.sim), 13);
    cr_expect_eq(bm_sim_core_halted(f.sim, 0), 1);
    cr_expect_str_eq(simt_describe(f.sim, 0), "halted at pc 5 'halt'");
    cr_expect_str_eq(simt_describe(f.sim, 1),
                     "pc 3 'in r1, i0' waits for valid on i0 (bond from 'p.o0')");
    unload(&f);
}

/* p (queue of 2) posts 0, 1, 2 and halts; c halts at once, never reading.
 * 0: outn(0) queued (1 of 2).  2: outn(1) queued behind it (2 of 2).
 * 4: outn(2) finds the queue full and stalls for ever: deadlock at 4. */
Test(sim_timing, output_queue_fills_then_stalls)
{
    fixture f = load(HEAD "<output name=\"y\" width=\"8\"/>"
                     "<core name=\"p\" width=\"8\" registers=\"1\" rom=\"6\" ram=\"0\" "
                     "inputs=\"0\" outputs=\"1\" queue=\"2\"><opcodes>inc outn halt</opcodes>"
                     "<program>\n"
                     I("outn o0, r0") I("inc r0") I("outn o0, r0") I("inc r0") I("outn o0, r0")
                     I("halt") END_CORE
                     CORE("c", 4, 0, 1, 1, "in out halt")
                     I("halt") I("in r1, i0") I("out o0, r1") I("halt") END_CORE
                     "<bond from=\"p.o0\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 2, &why), 0);
    cr_expect_str_eq(simt_describe(f.sim, 0), "pc 2 'outn o0, r0' queues a value on o0");
    cr_assert_eq(bm_sim_step(f.sim, 2, &why), 0);
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 4 'outn o0, r0' waits for the queue of o0 to have room (2 of 2 words, "
                     "first 0; bond to 'c.i0'; not ready: 'c.i0')");
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 4);
    cr_expect_eq(pc_of(f.sim, 0), 4);
    unload(&f);
}

/* A halted core whose holding register stays full is not "all halted":
 * 0: p outn(0) parked (c halts in cycle 0, never reading).  1: p halts.
 * From 2 nothing changes: deadlock at 2. */
Test(sim_timing, full_holding_register_is_not_halted)
{
    fixture f = load(HEAD CORE("p", 2, 0, 0, 1, "outn halt") I("outn o0, r0") I("halt") END_CORE
                     CORE("c", 1, 0, 1, 0, "halt") I("halt") END_CORE
                     "<bond from=\"p.o0\" to=\"c.i0\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 2);
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "halted at pc 1 'halt'; the holding register of o0 is full "
                     "(value 0; bond to 'c.i0'; not ready: 'c.i0')");
    cr_expect_str_eq(simt_describe(f.sim, 1), "halted at pc 0 'halt'");
    unload(&f);
}

/* c: li r1, 7; inn r1, i0; out; j 1.  inn never stalls: without a value
 * r1 stays.  y 7 at 2 and 5; then 9 is pushed: the inn of cycle 7 takes
 * it: y 9 at 8, and 9 again at 11 (nothing new: r1 unchanged). */
Test(sim_timing, inn_never_waits)
{
    fixture f = load(HEAD "<input name=\"a\" width=\"8\"/><output name=\"y\" width=\"8\"/>"
                     CORE("c", 4, 0, 1, 1, "li j inn out")
                     I("li r1, 7") I("inn r1, i0") I("out o0, r1") I("j 1") END_CORE
                     "<bond from=\"a\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 100, 2), BM_SIM_STOP_OUTPUTS);
    cr_expect_eq(bm_sim_cycle(f.sim), 6);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 9), 0);
    cr_expect_eq(simt_run(f.sim, 100, 4), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"y", 7, 2}, {"y", 7, 5}, {"y", 9, 8}, {"y", 9, 11}};
    simt_expect_outputs(f.sim, want, 4);
    cr_expect_eq(bm_sim_input_pending(f.sim, 0), 0);
    unload(&f);
}

#define ACC8                                                                                \
    HEAD "<input name=\"a\" width=\"8\"/><output name=\"sum\" width=\"8\"/>"                \
    CORE("acc", 4, 0, 1, 1, "add in out j")                                                 \
    I("in r1, i0") I("add r0, r1") I("out o0, r0") I("j 0") END_CORE                       \
    "<bond from=\"a\" to=\"acc.i0\"/><bond from=\"acc.o0\" to=\"sum\"/>" TAIL

/* in 0, add 1, out 2, j 3: sums at 2, 6, 10; cycle 12's in finds no value. */
Test(sim_timing, stimulus_exhausted_is_a_deadlock)
{
    fixture f = load(ACC8);
    for (uint64_t v = 1; v <= 3; v++)
        bm_sim_push_input(f.sim, 0, v);
    cr_expect_eq(simt_run(f.sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    simt_xfer want[] = {{"sum", 1, 2}, {"sum", 3, 6}, {"sum", 6, 10}};
    simt_expect_outputs(f.sim, want, 3);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 12);
    cr_expect_eq(bm_sim_cycle(f.sim), 13);
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 0 'in r1, i0' waits for valid on i0 (bond from 'a': no stimulus left)");
    /* more stimulus: the machine moves again from where it stopped */
    bm_sim_push_input(f.sim, 0, 10);
    cr_expect_eq(simt_run(f.sim, 1000, 4), BM_SIM_STOP_OUTPUTS);
    bm_sim_transfer t;
    bm_sim_output(f.sim, 3, &t);
    cr_expect(t.value == 16 && t.cycle == 15, "got %llu at %llu", (unsigned long long)t.value,
              (unsigned long long)t.cycle);
    unload(&f);
}

/* Ready pattern 0,0,1 on sum (ready in cycles 2, 5, 8, ...).
 * 2: out(1), ready: sum 1 @2.  6, 7: out(3) not ready.  8: sum 3 @8.
 * 12, 13: not ready.  14: sum 6 @14.  16: in finds no value; the pattern
 * repeats every 3 cycles, so after 3 quiet cycles: deadlock at 16.  The
 * 2-cycle stalls at 6-7 are not taken for a deadlock. */
Test(sim_timing, back_pressure_pattern)
{
    fixture f = load(ACC8);
    for (uint64_t v = 1; v <= 3; v++)
        bm_sim_push_input(f.sim, 0, v);
    uint8_t pattern[] = {0, 0, 1};
    cr_assert_eq(bm_sim_set_output_ready(f.sim, 0, pattern, 3), 0);
    cr_expect_eq(simt_run(f.sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    simt_xfer want[] = {{"sum", 1, 2}, {"sum", 3, 8}, {"sum", 6, 14}};
    simt_expect_outputs(f.sim, want, 3);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 16);
    cr_expect_eq(bm_sim_cycle(f.sim), 19);
    unload(&f);
}

/* A consumer that never takes: out in cycle 2 waits forever. */
Test(sim_timing, output_never_ready_is_a_deadlock)
{
    fixture f = load(ACC8);
    bm_sim_push_input(f.sim, 0, 5);
    uint8_t never[] = {0, 0};
    cr_assert_eq(bm_sim_set_output_ready(f.sim, 0, never, 2), 0);
    cr_expect_eq(simt_run(f.sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_output_count(f.sim), 0);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 2);
    cr_expect_eq(bm_sim_cycle(f.sim), 3, "an all-zero pattern has period 1");
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 2 'out o0, r0' waits for ready on o0 (bond to 'sum'; not ready: 'sum')");
    unload(&f);
}

static int ready_from_10_on_even(void *user, unsigned output, uint64_t cycle)
{
    (*(unsigned *)user)++;
    return output == 0 && cycle >= 10 && cycle % 2 == 0;
}

/* Ready by callback from cycle 10 on, even cycles only: out(1) waits from
 * 2 to 10: sum 1 @10; j 11, in 12, add 13, out 14: sum 3 @14. */
Test(sim_timing, back_pressure_callback)
{
    fixture f = load(ACC8);
    bm_sim_push_input(f.sim, 0, 1);
    bm_sim_push_input(f.sim, 0, 2);
    unsigned calls = 0;
    cr_assert_eq(bm_sim_set_output_ready_fn(f.sim, 0, ready_from_10_on_even, &calls), 0);
    cr_expect_eq(simt_run(f.sim, 1000, 2), BM_SIM_STOP_OUTPUTS);
    simt_xfer want[] = {{"sum", 1, 10}, {"sum", 3, 14}};
    simt_expect_outputs(f.sim, want, 2);
    cr_expect_eq(calls, 15, "asked once per cycle");
    unload(&f);
}

/* Two cores each waiting for the other's output: deadlock in cycle 0. */
Test(sim_timing, cyclic_wait_is_a_deadlock)
{
    fixture f = load(HEAD CORE("a", 3, 0, 1, 1, "j in out")
                     I("in r0, i0") I("out o0, r0") I("j 0") END_CORE
                     CORE("b", 3, 0, 1, 1, "j in out")
                     I("in r0, i0") I("out o0, r0") I("j 0") END_CORE
                     "<bond from=\"a.o0\" to=\"b.i0\"/><bond from=\"b.o0\" to=\"a.i0\"/>" TAIL);
    cr_expect_eq(simt_run(f.sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 0);
    cr_expect_eq(bm_sim_cycle(f.sim), 1);
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 0 'in r0, i0' waits for valid on i0 (bond from 'b.o0')");
    cr_expect_str_eq(simt_describe(f.sim, 1),
                     "pc 0 'in r0, i0' waits for valid on i0 (bond from 'a.o0')");
    unload(&f);
}

/* An unconnected input never becomes valid; a self-jump changes nothing. */
Test(sim_timing, unconnected_port_and_self_jump)
{
    fixture f = load(HEAD CORE("a", 2, 0, 1, 0, "j in") I("in r0, i0") I("j 0") END_CORE
                     CORE("b", 2, 0, 0, 0, "j inc") I("inc r0") I("j 1") END_CORE TAIL);
    cr_expect_eq(simt_run(f.sim, 1000, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 1, "cycle 1 is b's first self-jump: pc 1 -> 1");
    cr_expect_str_eq(simt_describe(f.sim, 0), "pc 0 'in r0, i0' waits for valid on i0, which is not connected");
    cr_expect_str_eq(simt_describe(f.sim, 1), "pc 1 'j 1' jumps to itself");
    unload(&f);
}

/* The step API: exact cycle counts, early return on halt. */
Test(sim_timing, step_api)
{
    fixture f = load(HEAD CORE("c", 3, 0, 0, 0, "inc halt") I("inc r0") I("inc r0") I("halt")
                     END_CORE TAIL);
    bm_sim_stop why = BM_SIM_STOP_CYCLES;
    cr_assert_eq(bm_sim_step(f.sim, 0, &why), 0);
    cr_expect_eq(why, BM_SIM_STEPPED);
    cr_expect_eq(bm_sim_cycle(f.sim), 0);
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(why, BM_SIM_STEPPED);
    cr_expect_eq(reg_of(f.sim, 0, 0), 1);
    cr_expect_eq(pc_of(f.sim, 0), 1);
    cr_assert_eq(bm_sim_step(f.sim, 10, &why), 0);
    cr_expect_eq(why, BM_SIM_STOP_HALTED);
    cr_expect_eq(bm_sim_cycle(f.sim), 3);
    cr_expect_eq(reg_of(f.sim, 0, 0), 2);
    cr_expect_eq(bm_sim_retired_total(f.sim), 3);
    uint64_t v;
    cr_expect_eq(bm_sim_reg(f.sim, 0, 4, &v), BM_ENOTFOUND);
    cr_expect_eq(bm_sim_reg(f.sim, 1, 0, &v), BM_ENOTFOUND);
    cr_expect_eq(bm_sim_core_halted(f.sim, 1), BM_ENOTFOUND);
    cr_expect_eq(bm_sim_push_input(f.sim, 0, 1), BM_ENOTFOUND);
    unload(&f);
}

/* Limits: cycle limit and output count, counted from cycle 0. */
Test(sim_timing, limits)
{
    fixture f = load(ACC8);
    for (uint64_t v = 1; v <= 10; v++)
        bm_sim_push_input(f.sim, 0, v);
    cr_expect_eq(simt_run(f.sim, 7, 0), BM_SIM_STOP_CYCLES);
    cr_expect_eq(bm_sim_cycle(f.sim), 7);
    cr_expect_eq(bm_sim_output_count(f.sim), 2);
    cr_expect_eq(simt_run(f.sim, 7, 0), BM_SIM_STOP_CYCLES, "already at the limit");
    cr_expect_eq(bm_sim_cycle(f.sim), 7);
    cr_expect_eq(simt_run(f.sim, 0, 4), BM_SIM_STOP_OUTPUTS);
    cr_expect_eq(bm_sim_cycle(f.sim), 15, "the 4th sum is sent in cycle 14");
    bm_sim_discard_outputs(f.sim);
    cr_expect_eq(bm_sim_output_count(f.sim), 0);
    cr_expect_eq(bm_sim_output_total(f.sim), 4);
    unload(&f);
}

static void count_output(void *user, const bm_sim_transfer *t)
{
    uint64_t *sum = user;
    *sum += t->value;
}

Test(sim_timing, output_callback_without_recording)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = simt_xml(ctx, ACC8);
    uint64_t seen = 0;
    bm_sim_options opts = BM_SIM_OPTIONS_INIT;
    opts.record_outputs = 0;
    opts.on_output = count_output;
    opts.on_output_user = &seen;
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, &opts), 0);
    for (uint64_t v = 1; v <= 4; v++)
        bm_sim_push_input(sim, 0, v);
    cr_expect_eq(simt_run(sim, 0, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_output_count(sim), 0);
    cr_expect_eq(bm_sim_output_total(sim), 4);
    cr_expect_eq(seen, 1 + 3 + 6 + 10);
    bm_sim_free(sim);
    opts.version = 99;
    cr_expect_eq(bm_sim_new(&sim, m, &opts), BM_EINVAL);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* f forwards what it takes (forward o0, a one-word queue) to c, which
 * halts at once and never takes it.  0: f takes 7 from a; its forward
 * queues it.  1: the forward still holds 7, so f may not take 8: it waits,
 * and the machine deadlocks there (docs/timing.md "Forwarding"). */
Test(sim_timing, forward_full_stops_the_take)
{
    fixture f = load(HEAD "<input name=\"a\" width=\"8\"/><output name=\"y\" width=\"8\"/>"
                     "<core name=\"f\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" "
                     "inputs=\"1\" outputs=\"1\" forward=\"o0\" forward-queue=\"1\">"
                     "<opcodes>in halt</opcodes>"
                     "<program>\n" I("in r0, i0") I("in r0, i0") I("halt") END_CORE
                     CORE("c", 4, 0, 1, 1, "in out halt")
                     I("halt") I("in r1, i0") I("out o0, r1") I("halt") END_CORE
                     "<bond from=\"a\" to=\"f.i0\"/><bond from=\"f.o0\" to=\"c.i0\"/>"
                     "<bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 7), 0);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 8), 0);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(pc_of(f.sim, 0), 1);
    cr_expect_eq(reg_of(f.sim, 0, 0), 7);
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(pc_of(f.sim, 0), 1, "f took 8 with its forward full");
    cr_expect_str_eq(simt_describe(f.sim, 0),
                     "pc 1 'in r0, i0' waits on i0 (bond from 'a'): its forward waits for the "
                     "holding register of o0 to empty (value 7; bond to 'c.i0'; not ready: "
                     "'c.i0')");
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect_eq(bm_sim_deadlock_cycle(f.sim), 1);
    cr_expect_eq(reg_of(f.sim, 0, 0), 7);
    unload(&f);
}

/* pkmacfx (docs/timing.md "Looking at an input"): c looks at x twice, then
 * takes it.  0: pk r0 += 5 * 2 (x valid from cycle 0, not taken).  1: pk
 * r1 += 5 * 3.  2: in r2 takes 5.  3: out y 10.  4: j.  5-7: the same with
 * 7: r0 = 10 + 14.  8: y 24.  Then a pkmacfx waits: no stimulus left. */
Test(sim_timing, pkmacfx_looks_without_taking)
{
    fixture f = load(HEAD "<input name=\"x\" width=\"8\"/><output name=\"y\" width=\"8\"/>"
                     CORE("c", 5, 0, 1, 1, "j in out pkmacfx")
                     I("pkmacfx r0, i0, 2") I("pkmacfx r1, i0, 3") I("in r2, i0")
                     I("out o0, r0") I("j 0") END_CORE
                     "<bond from=\"x\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>" TAIL);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 5), 0);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 7), 0);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_str_eq(simt_describe(f.sim, 0), "pc 1 'pkmacfx r1, i0, 3' looks at the value on i0 "
                                              "(bond from 'x')");
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(bm_sim_input_pending(f.sim, 0), 2, "two looks took nothing");
    cr_expect_eq(reg_of(f.sim, 0, 0), 10);
    cr_expect_eq(reg_of(f.sim, 0, 1), 15);
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(bm_sim_input_pending(f.sim, 0), 1, "the in took 5");
    cr_expect_eq(reg_of(f.sim, 0, 2), 5);
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_DEADLOCK);
    cr_expect(bm_sim_input_ended(f.sim), "the machine waits for more input");
    simt_xfer want[] = {{"y", 10, 3}, {"y", 24, 8}};
    simt_expect_outputs(f.sim, want, 2);
    cr_expect_eq(reg_of(f.sim, 0, 1), 36);
    cr_expect_str_eq(simt_describe(f.sim, 0), "pc 0 'pkmacfx r0, i0, 2' waits for valid on i0 "
                                              "(bond from 'x': no stimulus left)");
    unload(&f);
}

/* A forwarded value is looked at from the cycle after it was taken, like
 * any queued value.  0: f takes 5 (its forward holds it from the end of
 * the cycle); d's pkmacfx sees nothing valid.  1: d looks, r0 = 5.  2: d
 * takes 5 from the forward.  3: y 5.  A look changes no queue: f's forward
 * empties only at d's take. */
Test(sim_timing, pkmacfx_sees_a_forward_the_next_cycle)
{
    fixture f = load(HEAD "<input name=\"x\" width=\"8\"/><output name=\"y\" width=\"8\"/>"
                     "<core name=\"f\" width=\"8\" registers=\"1\" rom=\"2\" ram=\"0\" "
                     "inputs=\"1\" outputs=\"1\" forward=\"o0\" forward-queue=\"1\">"
                     "<opcodes>in halt</opcodes>"
                     "<program>\n" I("in r0, i0") I("halt") END_CORE
                     CORE("d", 4, 0, 1, 1, "in out halt pkmacfx")
                     I("pkmacfx r0, i0, 1") I("in r1, i0") I("out o0, r0") I("halt") END_CORE
                     "<bond from=\"x\" to=\"f.i0\"/><bond from=\"f.o0\" to=\"d.i0\"/>"
                     "<bond from=\"d.o0\" to=\"y\"/>" TAIL);
    cr_assert_eq(bm_sim_push_input(f.sim, 0, 5), 0);
    bm_sim_stop why;
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(pc_of(f.sim, 1), 0, "d looked at the forward in the cycle of the take");
    cr_expect_eq(reg_of(f.sim, 1, 0), 0);
    cr_assert_eq(bm_sim_step(f.sim, 1, &why), 0);
    cr_expect_eq(pc_of(f.sim, 1), 1);
    cr_expect_eq(reg_of(f.sim, 1, 0), 5);
    cr_expect(strstr(simt_describe(f.sim, 0), "holding register of o0 is full (value 5") != NULL,
              "%s", simt_describe(f.sim, 0));
    cr_expect_eq(simt_run(f.sim, 100, 0), BM_SIM_STOP_HALTED);
    simt_xfer want[] = {{"y", 5, 3}};
    simt_expect_outputs(f.sim, want, 1);
    unload(&f);
}
