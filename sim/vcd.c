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
 * Only changes are written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!v->pc || !v->halted || !v->last_pc || !v->last_halted ||
        !v->pc_bits || !v->last_data || !v->last_valid || !v->last_ready) {
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
    }
    v->first = 1;
    header(sim);
    return BM_OK;
}

void sim_vcd_begin_cycle(bm_sim *sim)
{
    sim_vcd *v = sim->vcd;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        v->pc[i] = sim->cores[i].pc;
        v->halted[i] = sim->cores[i].halted;
    }
}

/* Writes the values of the current cycle; called once ready and valid are
 * known and before any transfer is applied. */
void sim_vcd_channels(bm_sim *sim)
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
        int valid = sim_bond_source_valid(sim, b, stamp, &data);
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
