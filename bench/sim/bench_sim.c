/* Simulator benchmark (docs/performance.md, section "Simulator").
 *
 *   ring64  64 cores, 32-bit, each a tight loop of 14 ALU ops (plus dec and
 *           jnz) run 64 to 67 times, then a handshake with its ring
 *           neighbours (outn to the next, in from the previous), so cores
 *           stall now and then: core-instructions retired per second.  The
 *           last core's output also goes to the external output `tap` (a
 *           fan-out, always ready, one value per lap of its loop): without
 *           an output, Verilator and synthesis would rightly remove the
 *           whole machine as dead logic
 *   acc8    one 8-bit core: in; add; out; j (BondMachine's reference loop)
 *   pipe2   two such cores in a pipeline
 *
 * Usage: bench_sim [SECONDS]  (wall time per machine, default 2)
 *        bench_sim --write-machines DIR
 *                  writes the three machines as DIR/NAME.xml (canonical form)
 *                  and exits; bench/verilator/run.sh runs them under Verilator
 * Each machine is run in slices of cycles until the time is used up; the
 * stimulus is topped up and the recorded outputs dropped between slices,
 * outside the timed region's hot loop but inside the measured time. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *ring_xml(unsigned n_cores)
{
    static const char *const body[] = {
        "add r0, r1", "xor r2, r0", "shli r3, 3",  "sub r4, r2", "or r5, r3",
        "and r6, r4", "inc r1",     "mul r2, r5",  "sari r0, 1", "add r3, r6",
        "not r5",     "sub r6, r0", "addi r4, 17", "xor r1, r3",
    };
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
#define PUT(...) len += (size_t)snprintf(s + len, cap - len, __VA_ARGS__)
    PUT("<?xml version=\"1.0\"?>\n<machine format=\"1\" name=\"ring%u\">\n", n_cores);
    PUT("<output name=\"tap\" width=\"32\"/>\n");
    unsigned n_body = sizeof body / sizeof body[0];
    for (unsigned c = 0; c < n_cores; c++) {
        PUT("<core name=\"c%u\" width=\"32\" registers=\"8\" rom=\"%u\" ram=\"0\" inputs=\"1\" "
            "outputs=\"1\">\n<opcodes>li add addi sub and or xor not shli sari inc dec mul jnz j in outn</opcodes>\n<program>\n",
            c, n_body + 7);
        /* slightly different trip counts, so that neighbours wait for each other */
        PUT("<i>li r7, %u</i>\n", 64 + c % 4);
        for (unsigned k = 0; k < n_body; k++)
            PUT("<i>%s</i>\n", body[(k + c) % n_body]);
        PUT("<i>dec r7</i>\n<i>jnz r7, 1</i>\n<i>outn o0, r0</i>\n<i>in r1, i0</i>\n"
            "<i>addi r1, %u</i>\n<i>j 0</i>\n</program>\n</core>\n", c);
    }
    for (unsigned c = 0; c + 1 < n_cores; c++)
        PUT("<bond from=\"c%u.o0\" to=\"c%u.i0\"/>\n", c, c + 1);
    PUT("<bond from=\"c%u.o0\" to=\"c0.i0 tap\"/>\n", n_cores - 1);
    PUT("</machine>\n");
#undef PUT
    return s;
}

static const char acc8_xml[] =
    "<machine format=\"1\" name=\"acc8\">\n"
    "<input name=\"a\" width=\"8\"/><output name=\"sum\" width=\"8\"/>\n"
    "<core name=\"acc\" width=\"8\" registers=\"4\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "<opcodes>add in out j</opcodes><program>\n"
    "<i>in r1, i0</i><i>add r0, r1</i><i>out o0, r0</i><i>j 0</i>\n"
    "</program></core>\n"
    "<bond from=\"a\" to=\"acc.i0\"/><bond from=\"acc.o0\" to=\"sum\"/>\n"
    "</machine>\n";

static const char pipe2_xml[] =
    "<machine format=\"1\" name=\"pipe2\">\n"
    "<input name=\"x\" width=\"8\"/><output name=\"y\" width=\"8\"/>\n"
    "<core name=\"a\" width=\"8\" registers=\"4\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "<opcodes>add in out j</opcodes><program>\n"
    "<i>in r1, i0</i><i>add r0, r1</i><i>out o0, r0</i><i>j 0</i>\n"
    "</program></core>\n"
    "<core name=\"b\" width=\"8\" registers=\"4\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "<opcodes>add in out j</opcodes><program>\n"
    "<i>in r1, i0</i><i>add r0, r1</i><i>out o0, r0</i><i>j 0</i>\n"
    "</program></core>\n"
    "<bond from=\"x\" to=\"a.i0\"/><bond from=\"a.o0\" to=\"b.i0\"/><bond from=\"b.o0\" to=\"y\"/>\n"
    "</machine>\n";

typedef struct result {
    double seconds;
    uint64_t cycles, retired, outputs;
} result;

static int read_machine(bm_machine **m, bm_ctx *ctx, const char *name, const char *xml)
{
    if (bm_machine_read_memory(m, ctx, xml, strlen(xml), name) == 0)
        return 0;
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        char line[512];
        bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
        fprintf(stderr, "%s\n", line);
    }
    return -1;
}

static int bench(bm_ctx *ctx, const char *name, const char *xml, double budget, result *r)
{
    bm_machine *m;
    if (read_machine(&m, ctx, name, xml))
        return -1;
    bm_sim_options opts = BM_SIM_OPTIONS_INIT;
    opts.output_reserve = 1 << 16;
    bm_sim *sim;
    if (bm_sim_new(&sim, m, &opts)) {
        bm_machine_free(m);
        return -1;
    }
    const uint64_t slice = 1 << 14;
    unsigned n_in = bm_machine_input_count(m);
    double t0 = now(), t = t0;
    uint64_t outputs = 0;
    do {
        for (unsigned i = 0; i < n_in; i++)
            for (uint64_t v = bm_sim_input_pending(sim, i); v < slice; v++)
                bm_sim_push_input(sim, i, v & 0x7f);
        bm_sim_stop why;
        if (bm_sim_step(sim, slice, &why) || why != BM_SIM_STEPPED) {
            fprintf(stderr, "%s: stopped early (%s)\n", name, bm_sim_stop_name(why));
            break;
        }
        outputs += bm_sim_output_count(sim);
        bm_sim_discard_outputs(sim);
        t = now();
    } while (t - t0 < budget);
    r->seconds = t - t0;
    r->cycles = bm_sim_cycle(sim);
    r->retired = bm_sim_retired_total(sim);
    r->outputs = outputs;
    bm_sim_free(sim);
    bm_machine_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    const char *write_dir = NULL;
    double budget = 2.0;
    if (argc == 3 && strcmp(argv[1], "--write-machines") == 0)
        write_dir = argv[2];
    else if (argc == 2 && argv[1][0] != '-')
        budget = atof(argv[1]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [SECONDS] | --write-machines DIR\n", argv[0]);
        return 2;
    }
    if (budget <= 0)
        budget = 2.0;
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, NULL))
        return 1;
    char *ring = ring_xml(64);
    struct {
        const char *name, *xml;
    } machines[] = {{"ring64", ring}, {"acc8", acc8_xml}, {"pipe2", pipe2_xml}};
    if (write_dir) {
        int status = 0;
        for (unsigned i = 0; i < sizeof machines / sizeof machines[0]; i++) {
            char path[4096];
            bm_machine *m;
            snprintf(path, sizeof path, "%s/%s.xml", write_dir, machines[i].name);
            if (!machines[i].xml || read_machine(&m, ctx, machines[i].name, machines[i].xml)) {
                status = 1;
                continue;
            }
            if (bm_machine_write_file(m, path)) {
                fprintf(stderr, "bench_sim: cannot write %s\n", path);
                status = 1;
            }
            bm_machine_free(m);
        }
        free(ring);
        bm_ctx_free(ctx);
        return status;
    }
    printf("%-8s %6s %12s %14s %10s %16s %14s\n", "machine", "cores", "cycles", "instructions",
           "seconds", "M core-insn/s", "M cycles/s");
    int status = 0;
    for (unsigned i = 0; i < sizeof machines / sizeof machines[0]; i++) {
        result r;
        if (!machines[i].xml || bench(ctx, machines[i].name, machines[i].xml, budget, &r)) {
            status = 1;
            continue;
        }
        bm_machine *m;
        unsigned cores = 0;
        if (bm_machine_read_memory(&m, ctx, machines[i].xml, strlen(machines[i].xml), "x") == 0) {
            cores = bm_machine_core_count(m);
            bm_machine_free(m);
        }
        printf("%-8s %6u %12llu %14llu %10.3f %16.1f %14.2f\n", machines[i].name, cores,
               (unsigned long long)r.cycles, (unsigned long long)r.retired, r.seconds,
               (double)r.retired / r.seconds / 1e6, (double)r.cycles / r.seconds / 1e6);
    }
    free(ring);
    bm_ctx_free(ctx);
    return status;
}
