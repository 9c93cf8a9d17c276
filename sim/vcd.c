/* The VCD writer (IEEE 1364 value change dump), for GTKWave.
 *
 * Cycle c spans times 10c .. 10c+10 (timescale 1 ns, so a 100 MHz clock):
 * clk rises at 10c, when every signal takes its value for cycle c, and falls
 * at 10c+5.  A transfer in cycle c therefore shows as valid and ready both
 * high between 10c and 10c+10, and takes effect at the rising edge 10c+10.
 *
 * Signals, in scope <machine>:
 *   clk
 *   core_<name>.pc, core_<name>.halted     per core
 *   bond<j>_<source>.data, .valid, .ready  per bond (ready: all sinks ready;
 *                                          data is x while valid is 0)
 *   core_<name>.r0 .. r<n-1>               per core: registers at the start
 *                                          of the cycle
 *   core_<name>.state, core_<name>.wait_port  per core: what it did in the
 *                                          cycle (bm_core_state) and the port
 *                                          it waited on (x unless waiting),
 *                                          known at the end of the cycle
 * Only changes are written.  The identifiers of the first three groups come
 * first, so adding the others did not renumber them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm/isa.h"
#include "bm/version.h"
#include "internal.h"
#include "sim_impl.h"

struct sim_vcd {
    FILE *f;
    bm_outfile out;   /* written safely: renamed into place at close */
    int first;
    uint64_t *pc;          /* per core: pc sampled at the start of the cycle */
    uint8_t *halted;
    uint64_t *last_pc;
    uint8_t *last_halted;
    uint64_t *last_data;   /* per bond */
    uint8_t *last_valid, *last_ready;
    unsigned *pc_bits;
    size_t *reg_off;       /* per core: index of its r0 in regs (n_cores + 1) */
    uint64_t *regs, *last_regs;
    uint8_t *last_state;
    uint32_t *last_port;
    unsigned *port_bits;
};

/* Signal identifiers: printable ASCII '!'..'~' in base 94. */
static void ident(char *buf, unsigned n)
{
    char *p = buf;
    do {
        *p++ = (char)('!' + n % 94);
        n /= 94;
    } while (n);
    *p = '\0';
}

static unsigned id_clk(void) { return 0; }
static unsigned id_pc(unsigned core) { return 1 + 2 * core; }
static unsigned id_halted(unsigned core) { return 2 + 2 * core; }
static unsigned id_bond(const bm_sim *sim, unsigned bond, unsigned k)
{
    return 1 + 2 * sim->n_cores + 3 * bond + k;
}

static unsigned id_state(const bm_sim *sim, unsigned core)
{
    return 1 + 2 * sim->n_cores + 3 * sim->n_bonds + 2 * core;
}
static unsigned id_wait_port(const bm_sim *sim, unsigned core)
{
    return id_state(sim, core) + 1;
}
static unsigned id_reg(const bm_sim *sim, size_t k)
{
    return 1 + 4 * sim->n_cores + 3 * sim->n_bonds + (unsigned)k;
}

static void put_scalar(FILE *f, int v, unsigned id)
{
    char s[8];
    ident(s, id);
    fprintf(f, "%c%s\n", v ? '1' : '0', s);
}

static void put_vector(FILE *f, uint64_t v, unsigned bits, int known, unsigned id)
{
    char s[8], digits[72];
    ident(s, id);
    if (bits == 1) {
        fprintf(f, "%c%s\n", known ? (v & 1 ? '1' : '0') : 'x', s);
        return;
    }
    if (!known) {
        fprintf(f, "bx %s\n", s);
        return;
    }
    /* minimal binary form: VCD extends to the left with 0 */
    int n = 0;
    do {
        digits[n++] = (char)('0' + (v & 1));
        v >>= 1;
    } while (v);
    fputc('b', f);
    while (n)
        fputc(digits[--n], f);
    fprintf(f, " %s\n", s);
}

static void put_name(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s == '.' ? '_' : *s, f);
}

static void header(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    FILE *f = v->f;
    char id[8];
    fprintf(f, "$version libbm %s simulator $end\n", bm_version());
    fprintf(f, "$timescale 1ns $end\n");
    fprintf(f, "$scope module %s $end\n", bm_machine_name(sim->m));
    ident(id, id_clk());
    fprintf(f, "$var wire 1 %s clk $end\n", id);
    for (unsigned i = 0; i < sim->n_cores; i++) {
        fprintf(f, "$scope module core_%s $end\n", bm_core_name(bm_machine_core(sim->m, i)));
        ident(id, id_pc(i));
        fprintf(f, "$var wire %u %s pc $end\n", v->pc_bits[i], id);
        ident(id, id_halted(i));
        fprintf(f, "$var wire 1 %s halted $end\n", id);
        ident(id, id_state(sim, i));
        fprintf(f, "$var wire 2 %s state $end\n", id);
        ident(id, id_wait_port(sim, i));
        fprintf(f, "$var wire %u %s wait_port $end\n", v->port_bits[i], id);
        for (size_t r = v->reg_off[i]; r < v->reg_off[i + 1]; r++) {
            ident(id, id_reg(sim, r));
            fprintf(f, "$var wire %u %s r%zu $end\n", sim->cores[i].width, id, r - v->reg_off[i]);
        }
        fprintf(f, "$upscope $end\n");
    }
    static const char *const names[3] = {"data", "valid", "ready"};
    for (unsigned b = 0; b < sim->n_bonds; b++) {
        fprintf(f, "$scope module bond%u_", b);
        put_name(f, bm_machine_bond_source_text(sim->m, b));
        fprintf(f, " $end\n");
        for (unsigned k = 0; k < 3; k++) {
            ident(id, id_bond(sim, b, k));
            fprintf(f, "$var wire %u %s %s $end\n", k ? 1 : sim->bonds[b].width, id, names[k]);
        }
        fprintf(f, "$upscope $end\n");
    }
    fprintf(f, "$upscope $end\n$enddefinitions $end\n");
}

static void vcd_discard(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    bm_ctx *ctx = sim->ctx;
    if (!v)
        return;
    bm_outfile_discard(ctx, &v->out);
    bm_free(ctx, v->pc);
    bm_free(ctx, v->halted);
    bm_free(ctx, v->last_pc);
    bm_free(ctx, v->last_halted);
    bm_free(ctx, v->last_data);
    bm_free(ctx, v->last_valid);
    bm_free(ctx, v->last_ready);
    bm_free(ctx, v->pc_bits);
    bm_free(ctx, v->reg_off);
    bm_free(ctx, v->regs);
    bm_free(ctx, v->last_regs);
    bm_free(ctx, v->last_state);
    bm_free(ctx, v->last_port);
    bm_free(ctx, v->port_bits);
    bm_free(ctx, v);
    sim->vcd = NULL;
}

int bm_sim_vcd_open(bm_sim *sim, const char *path)
{
    if (!sim || !path)
        return BM_EINVAL;
    if (sim->vcd) {
        bm_error(sim->ctx, bm_loc_make(path, 0, 0), "a VCD file is already open");
        return BM_EINVAL;
    }
    bm_ctx *ctx = sim->ctx;
    int trc = bmi_sim_trace_need(sim);
    if (trc)
        return trc;
    sim_vcd *v = bm_calloc(ctx, 1, sizeof *v);
    if (!v)
        return bm_oom(ctx);
    sim->vcd = v;
    size_t nc = sim->n_cores ? sim->n_cores : 1, nb = sim->n_bonds ? sim->n_bonds : 1;
    v->out.fd = -1;
    v->pc = bm_calloc(ctx, nc, sizeof *v->pc);
    v->halted = bm_calloc(ctx, nc, 1);
    v->last_pc = bm_calloc(ctx, nc, sizeof *v->last_pc);
    v->last_halted = bm_calloc(ctx, nc, 1);
    v->pc_bits = bm_calloc(ctx, nc, sizeof *v->pc_bits);
    v->last_data = bm_calloc(ctx, nb, sizeof *v->last_data);
    v->last_valid = bm_calloc(ctx, nb, 1);
    v->last_ready = bm_calloc(ctx, nb, 1);
    v->reg_off = bm_calloc(ctx, nc + 1, sizeof *v->reg_off);
    v->last_state = bm_calloc(ctx, nc, 1);
    v->last_port = bm_calloc(ctx, nc, sizeof *v->last_port);
    v->port_bits = bm_calloc(ctx, nc, sizeof *v->port_bits);
    if (v->reg_off) {
        for (unsigned i = 0; i < sim->n_cores; i++)
            v->reg_off[i + 1] = v->reg_off[i] + sim->cores[i].n_regs;
        size_t nr = v->reg_off[sim->n_cores] ? v->reg_off[sim->n_cores] : 1;
        v->regs = bm_calloc(ctx, nr, sizeof *v->regs);
        v->last_regs = bm_calloc(ctx, nr, sizeof *v->last_regs);
    }
    if (!v->pc || !v->halted || !v->last_pc || !v->last_halted ||
        !v->pc_bits || !v->last_data || !v->last_valid || !v->last_ready || !v->reg_off ||
        !v->regs || !v->last_regs || !v->last_state || !v->last_port || !v->port_bits) {
        vcd_discard(sim);
        return bm_oom(ctx);
    }
    int rc = bm_outfile_open(ctx, &v->out, path, 0);
    if (!rc && !(v->f = bm_outfile_stream(ctx, &v->out)))
        rc = BM_EIO;
    if (rc) {
        vcd_discard(sim);
        return rc;
    }
    for (unsigned i = 0; i < sim->n_cores; i++) {
        unsigned bits = bm_bits_for(sim->cores[i].n_code);
        v->pc_bits[i] = bits ? bits : 1;
        unsigned ports = sim->cores[i].n_in > sim->cores[i].n_out ? sim->cores[i].n_in
                                                                  : sim->cores[i].n_out;
        bits = bm_bits_for(ports ? ports : 1);
        v->port_bits[i] = bits ? bits : 1;
    }
    v->first = 1;
    header(sim);
    return BM_OK;
}

void bmi_sim_vcd_begin_cycle(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        v->pc[i] = sim->cores[i].pc;
        v->halted[i] = sim->cores[i].halted;
        memcpy(v->regs + v->reg_off[i], sim->cores[i].slots,
               (v->reg_off[i + 1] - v->reg_off[i]) * sizeof *v->regs);
    }
}

/* Writes the values of the current cycle; called once ready and valid are
 * known and before any transfer is applied. */
void bmi_sim_vcd_channels(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    FILE *f = v->f;
    const uint64_t stamp = sim->cycle + 1;
    fprintf(f, "#%llu\n", (unsigned long long)(sim->cycle * 10));
    if (v->first)
        fprintf(f, "$dumpvars\n");
    put_scalar(f, 1, id_clk());
    for (unsigned i = 0; i < sim->n_cores; i++) {
        if (v->first || v->pc[i] != v->last_pc[i])
            put_vector(f, v->pc[i], v->pc_bits[i], 1, id_pc(i));
        if (v->first || v->halted[i] != v->last_halted[i])
            put_scalar(f, v->halted[i], id_halted(i));
        v->last_pc[i] = v->pc[i];
        v->last_halted[i] = v->halted[i];
    }
    for (unsigned j = 0; j < sim->n_bonds; j++) {
        const sim_bond *b = &sim->bonds[j];
        uint64_t data = 0;
        int valid = bmi_sim_bond_source_valid(sim, b, stamp, &data);
        int ready = b->ready_stamp == stamp && b->ready_count == b->n_sinks;
        if (!valid)
            data = 0;
        if (v->first || valid != v->last_valid[j] || (valid && data != v->last_data[j]))
            put_vector(f, data, b->width, valid, id_bond(sim, j, 0));
        if (v->first || valid != v->last_valid[j])
            put_scalar(f, valid, id_bond(sim, j, 1));
        if (v->first || ready != v->last_ready[j])
            put_scalar(f, ready, id_bond(sim, j, 2));
        v->last_data[j] = data;
        v->last_valid[j] = (uint8_t)valid;
        v->last_ready[j] = (uint8_t)ready;
    }
    for (unsigned i = 0; i < sim->n_cores; i++)
        for (size_t r = v->reg_off[i]; r < v->reg_off[i + 1]; r++) {
            if (v->first || v->regs[r] != v->last_regs[r])
                put_vector(f, v->regs[r], sim->cores[i].width, 1, id_reg(sim, r));
            v->last_regs[r] = v->regs[r];
        }
}

/* Writes each core's state in the cycle just simulated (still at time 10c),
 * then the falling clock edge. */
void bmi_sim_vcd_end_cycle(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    const sim_trace *t = sim->trace;
    FILE *f = v->f;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        uint8_t st = t->state[i];
        int waits = st == BM_CORE_WAIT_INPUT || st == BM_CORE_WAIT_OUTPUT;
        uint32_t port = waits ? t->port[i] : UINT32_MAX;
        if (v->first || st != v->last_state[i])
            put_vector(f, st, 2, 1, id_state(sim, i));
        if (v->first || port != v->last_port[i])
            put_vector(f, port, v->port_bits[i], waits, id_wait_port(sim, i));
        v->last_state[i] = st;
        v->last_port[i] = port;
    }
    if (v->first)
        fprintf(f, "$end\n");
    v->first = 0;
    fprintf(f, "#%llu\n", (unsigned long long)(sim->cycle * 10 + 5));
    put_scalar(f, 0, id_clk());
}

int bm_sim_vcd_close(bm_sim *sim)
{
    if (!sim)
        return BM_EINVAL;
    sim_vcd *v = sim->vcd;
    if (!v)
        return BM_OK;
    fprintf(v->f, "#%llu\n", (unsigned long long)(sim->cycle * 10));
    int rc = bm_outfile_commit(sim->ctx, &v->out);
    vcd_discard(sim);
    return rc;
}

void bm_sim_vcd_discard(bm_sim *sim)
{
    if (sim)
        vcd_discard(sim);
}

/* ---- GTKWave save file ---------------------------------------------------- */

/* A trace line: flags (@28 binary, @24 decimal, right-justified), then the
 * signal's full name as GTKWave shows it, with [msb:0] for vectors. */
static void gtkw_trace(bm_buf *b, const char *machine, const char *scope, const char *name,
                       unsigned width)
{
    bm_buf_printf(b, "@%s\n%s.", width == 1 ? "28" : "24", machine);
    if (scope) {
        for (const char *p = scope; *p; p++)
            bm_buf_append(b, *p == '.' ? "_" : p, 1);
        bm_buf_puts(b, ".");
    }
    bm_buf_puts(b, name);
    if (width > 1)
        bm_buf_printf(b, "[%u:0]", width - 1);
    bm_buf_puts(b, "\n");
}

int bm_sim_gtkw_write(const bm_sim *sim, const char *path)
{
    if (!sim || !path)
        return BM_EINVAL;
    const sim_vcd *v = sim->vcd;
    if (!v) {
        bm_error(sim->ctx, bm_loc_make(path, 0, 0), "a GTKWave save file needs an open VCD file");
        return BM_EINVAL;
    }
    const char *mname = bm_machine_name(sim->m);
    bm_buf b;
    bm_buf_init(&b, sim->ctx);
    bm_buf_printf(&b, "[*] GTKWave save file written by libbm %s for machine %s\n", bm_version(),
                  mname);
    bm_buf_printf(&b, "[dumpfile] \"%s\"\n[timestart] 0\n", v->out.shown);
    gtkw_trace(&b, mname, NULL, "clk", 1);
    char scope[300], name[32];
    for (unsigned i = 0; i < sim->n_cores; i++) {
        const char *cname = bm_core_name(bm_machine_core(sim->m, i));
        snprintf(scope, sizeof scope, "core_%s", cname);
        bm_buf_printf(&b, "@800200\n-core %s\n", cname);
        gtkw_trace(&b, mname, scope, "pc", v->pc_bits[i]);
        gtkw_trace(&b, mname, scope, "state", 2);
        gtkw_trace(&b, mname, scope, "wait_port", v->port_bits[i]);
        gtkw_trace(&b, mname, scope, "halted", 1);
        for (size_t r = v->reg_off[i]; r < v->reg_off[i + 1]; r++) {
            snprintf(name, sizeof name, "r%zu", r - v->reg_off[i]);
            gtkw_trace(&b, mname, scope, name, sim->cores[i].width);
        }
        bm_buf_printf(&b, "@1000200\n-core %s\n", cname);
    }
    for (unsigned j = 0; j < sim->n_bonds; j++) {
        const char *src = bm_machine_bond_source_text(sim->m, j);
        snprintf(scope, sizeof scope, "bond%u_%s", j, src);
        bm_buf_printf(&b, "@800200\n-bond %u from %s\n", j, src);
        gtkw_trace(&b, mname, scope, "data", sim->bonds[j].width);
        gtkw_trace(&b, mname, scope, "valid", 1);
        gtkw_trace(&b, mname, scope, "ready", 1);
        bm_buf_printf(&b, "@1000200\n-bond %u from %s\n", j, src);
    }
    size_t len;
    char *text = bm_buf_take(&b, &len);
    if (!text)
        return bm_oom(sim->ctx);
    int rc = bm_write_file_atomic(sim->ctx, path, text, len);
    bm_free(sim->ctx, text);
    return rc;
}
