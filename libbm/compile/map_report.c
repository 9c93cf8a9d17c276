/* The compile report: what each core got (from the machine itself) and the
 * latency and initiation interval, measured by simulation, never guessed.
 *
 * - Latency: a fresh simulator gets one vector; the cycle in which the
 *   first input transfer happens is found by stepping, then the machine
 *   runs until every output has given its value.  Latency is the cycle of
 *   the last of those output transfers minus the cycle of that first input
 *   transfer.
 * - Interval: a fresh simulator gets `vectors` vectors up front and runs
 *   until every output has given one value per vector.  Vector k is done
 *   at the cycle of its last output transfer (the k-th transfer on each
 *   output); the interval is the mean gap between consecutive done cycles
 *   over the second half of the run (the steady state), and interval_max
 *   the largest of those gaps.
 * Every output value of both runs is compared with bm_graph_eval().
 *
 * Before simulating, map_predict() computes both figures from the programs
 * alone (predicted_latency, predicted_interval), so that the report can
 * show how well the timing model, and so the compiler's own idea of a
 * machine's speed, matches the machine. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bm/encoding.h"
#include "bm/sim.h"
#include "map.h"

struct bm_compile_report {
    bm_ctx *ctx;
    char *machine_name;
    bm_report_core *cores;
    unsigned n_cores;
    bm_report_summary sum;
};

/* ---- static description -------------------------------------------------------- */

static int describe_cores(bm_compile_report *r, const bm_machine *m)
{
    bm_ctx *ctx = r->ctx;
    r->n_cores = bm_machine_core_count(m);
    r->cores = bm_calloc(ctx, r->n_cores ? r->n_cores : 1, sizeof *r->cores);
    if (!r->cores)
        return bm_oom(ctx);
    bm_report_summary *s = &r->sum;
    s->cores = r->n_cores;
    s->bonds = bm_machine_bond_count(m);
    for (unsigned i = 0; i < r->n_cores; i++) {
        const bm_core *c = bm_machine_core(m, i);
        const bm_core_params *p = bm_core_get_params(c);
        bm_encoding enc;
        int rc = bm_core_encoding(c, &enc);
        if (rc)
            return rc;
        bm_report_core *rc_ = &r->cores[i];
        bm_buf b;
        bm_buf_init(&b, ctx);
        for (unsigned k = 0; k < enc.n_opcodes; k++)
            bm_buf_printf(&b, "%s%s", k ? " " : "", bm_isa_get(enc.opcode_id[k])->mnemonic);
        char *text = bm_buf_take(&b, NULL);
        char *name = bm_strdup(ctx, bm_core_name(c));
        if (!text || !name) {
            bm_free(ctx, text);
            bm_free(ctx, name);
            return bm_oom(ctx);
        }
        rc_->name = name;
        rc_->opcodes = text;
        rc_->opcode_count = enc.n_opcodes;
        rc_->insn_width = enc.insn_width;
        rc_->instructions = bm_core_program_length(c);
        rc_->registers = p->registers;
        rc_->inputs = p->inputs;
        rc_->outputs = p->outputs;
        s->instructions += rc_->instructions;
        s->registers += rc_->registers;
        s->rom_bits += (uint64_t)rc_->instructions * rc_->insn_width;
        if (rc_->insn_width > s->max_insn_width)
            s->max_insn_width = rc_->insn_width;
    }
    return BM_OK;
}

/* ---- measuring ------------------------------------------------------------------------ */

typedef struct measure {
    bm_ctx *ctx;
    const bm_machine *m;
    const bm_graph *g;
    unsigned ni, no;
    int *in_port, *out_port;  /* graph input/output -> machine port      */
    int *out_of_port;         /* machine output port -> graph output     */
    int64_t *vec;             /* vectors x ni raw inputs                 */
    int64_t *expect;          /* vectors x no                            */
    unsigned n_vec;
    uint64_t max_cycles;
    uint64_t *done;           /* per vector: cycle of its last output     */
    unsigned *seen;           /* per graph output: transfers so far       */
} measure;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int map_ports(measure *ms)
{
    bm_loc where = bm_machine_loc(ms->m);
    for (unsigned i = 0; i < ms->ni; i++) {
        const char *name = bm_graph_node_name(ms->g, bm_graph_input(ms->g, i));
        if ((ms->in_port[i] = bm_machine_find_input(ms->m, name)) < 0) {
            bm_error(ms->ctx, where, "report: the machine has no input '%s'", name);
            return BM_EINVALID;
        }
    }
    for (unsigned i = 0; i < bm_machine_output_count(ms->m); i++)
        ms->out_of_port[i] = -1;
    for (unsigned k = 0; k < ms->no; k++) {
        const char *name = bm_graph_node_name(ms->g, bm_graph_output(ms->g, k));
        if ((ms->out_port[k] = bm_machine_find_output(ms->m, name)) < 0) {
            bm_error(ms->ctx, where, "report: the machine has no output '%s'", name);
            return BM_EINVALID;
        }
        ms->out_of_port[ms->out_port[k]] = (int)k;
    }
    return BM_OK;
}

static int make_vectors(measure *ms, const bm_report_options *opt)
{
    bm_fixed_type t = bm_graph_type(ms->g);
    uint64_t seed = opt->seed;
    for (unsigned v = 0; v < ms->n_vec; v++) {
        int64_t *in = ms->vec + (size_t)v * ms->ni;
        for (unsigned i = 0; i < ms->ni; i++) {
            if (opt->inputs && opt->n_inputs)
                in[i] = opt->inputs[(size_t)(v % opt->n_inputs) * ms->ni + i];
            else
                in[i] = bm_fixed_wrap((int64_t)splitmix(&seed), t);
        }
        int rc = bm_graph_eval(ms->g, in, ms->expect + (size_t)v * ms->no);
        if (rc)
            return rc;
    }
    return BM_OK;
}

static void describe_stop(measure *ms, bm_sim *sim, bm_sim_stop why, const char *what)
{
    bm_loc where = bm_machine_loc(ms->m);
    bm_error(ms->ctx, where, "report: %s stopped after %" PRIu64 " cycles (%s) before every output",
             what, bm_sim_cycle(sim), bm_sim_stop_name(why));
    unsigned shown = 0;
    for (unsigned c = 0; c < bm_machine_core_count(ms->m) && shown < 8; c++) {
        char buf[512];
        bm_sim_describe_stall(sim, c, buf, sizeof buf);
        if (strstr(buf, "waits") || strstr(buf, "jumps to itself")) {
            bm_diag_add(ms->ctx, BM_SEV_NOTE, where, "core '%s': %s",
                        bm_core_name(bm_machine_core(ms->m, c)), buf);
            shown++;
        }
    }
}

/* Records the transfers of a run: checks their values and notes when each
 * vector is done.  Returns BM_EINVALID on a wrong value. */
static int check_outputs(measure *ms, bm_sim *sim, unsigned vectors)
{
    unsigned w = bm_graph_type(ms->g).total;
    memset(ms->seen, 0, ms->no * sizeof *ms->seen);
    memset(ms->done, 0, vectors * sizeof *ms->done);
    for (size_t i = 0; i < bm_sim_output_count(sim); i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        int k = ms->out_of_port[t.output];
        if (k < 0 || ms->seen[k] >= vectors)
            continue;
        unsigned v = ms->seen[k]++;
        uint64_t want = (uint64_t)ms->expect[(size_t)v * ms->no + (unsigned)k] & bm_mask(w);
        if (t.value != want) {
            bm_error(ms->ctx, bm_machine_loc(ms->m),
                     "report: output '%s' of vector %u is %" PRIu64 " at cycle %" PRIu64
                     ", but the evaluator gives %" PRIu64,
                     bm_graph_node_name(ms->g, bm_graph_output(ms->g, (unsigned)k)), v, t.value,
                     t.cycle, want);
            return BM_EINVALID;
        }
        if (t.cycle > ms->done[v])
            ms->done[v] = t.cycle;
    }
    return BM_OK;
}

static int all_seen(const measure *ms, unsigned vectors)
{
    for (unsigned k = 0; k < ms->no; k++)
        if (ms->seen[k] < vectors)
            return 0;
    return 1;
}

/* Runs `vectors` vectors pushed up front; *first_in receives the cycle of
 * the first input transfer when asked for. */
static int run(measure *ms, unsigned vectors, uint64_t *first_in, const char *what)
{
    bm_sim *sim;
    int rc = bm_sim_new(&sim, ms->m, NULL);
    if (rc)
        return rc;
    for (unsigned v = 0; v < vectors && !rc; v++)
        for (unsigned i = 0; i < ms->ni && !rc; i++)
            rc = bm_sim_push_input(sim, (unsigned)ms->in_port[i],
                                   (uint64_t)ms->vec[(size_t)v * ms->ni + i]);
    bm_sim_stop why = BM_SIM_STEPPED;
    if (!rc && first_in) {
        *first_in = 0;
        size_t pushed = (size_t)vectors * ms->ni;
        while (!rc && ms->ni) {
            size_t pending = 0;
            for (unsigned i = 0; i < ms->ni; i++)
                pending += bm_sim_input_pending(sim, (unsigned)ms->in_port[i]);
            if (pending < pushed) {
                *first_in = bm_sim_cycle(sim) - 1;
                break;
            }
            if (bm_sim_cycle(sim) >= ms->max_cycles || why != BM_SIM_STEPPED)
                break;
            rc = bm_sim_step(sim, 1, &why);
        }
    }
    /* Outputs run at their own pace when some of them need no input (a
     * constant of a graph without inputs): run on until each has enough. */
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_cycles = ms->max_cycles;
    lim.max_outputs = (uint64_t)vectors * ms->no;
    while (!rc && why == BM_SIM_STEPPED) {
        if (!(rc = bm_sim_run(sim, &lim, &why)))
            rc = check_outputs(ms, sim, vectors);
        if (!rc && why == BM_SIM_STOP_OUTPUTS && !all_seen(ms, vectors)) {
            why = BM_SIM_STEPPED;
            lim.max_outputs += ms->no;
        }
    }
    if (!rc && !all_seen(ms, vectors)) {
        describe_stop(ms, sim, why, what);
        rc = BM_EINVALID;
    }
    bm_sim_free(sim);
    return rc;
}

static int measure_machine(bm_compile_report *r, const bm_machine *m, const bm_graph *g,
                           const bm_report_options *opt)
{
    bm_ctx *ctx = r->ctx;
    measure ms;
    memset(&ms, 0, sizeof ms);
    ms.ctx = ctx;
    ms.m = m;
    ms.g = g;
    ms.ni = bm_graph_input_count(g);
    ms.no = bm_graph_output_count(g);
    ms.n_vec = opt->vectors;
    ms.max_cycles = opt->max_cycles ? opt->max_cycles : UINT64_C(100000000);
    unsigned mo = bm_machine_output_count(m);
    ms.in_port = bm_malloc(ctx, (ms.ni + 1) * sizeof *ms.in_port);
    ms.out_port = bm_malloc(ctx, (ms.no + 1) * sizeof *ms.out_port);
    ms.out_of_port = bm_malloc(ctx, (mo + 1) * sizeof *ms.out_of_port);
    ms.vec = bm_malloc(ctx, ((size_t)ms.n_vec * ms.ni + 1) * sizeof *ms.vec);
    ms.expect = bm_malloc(ctx, ((size_t)ms.n_vec * ms.no + 1) * sizeof *ms.expect);
    ms.done = bm_malloc(ctx, ms.n_vec * sizeof *ms.done);
    ms.seen = bm_malloc(ctx, (ms.no + 1) * sizeof *ms.seen);
    int rc = ms.in_port && ms.out_port && ms.out_of_port && ms.vec && ms.expect && ms.done && ms.seen
                 ? BM_OK
                 : bm_oom(ctx);
    if (!rc)
        rc = map_ports(&ms);
    if (!rc)
        rc = make_vectors(&ms, opt);
    uint64_t first_in = 0;
    if (!rc)
        rc = run(&ms, 1, &first_in, "the run of one vector");
    if (!rc) {
        r->sum.latency = ms.done[0] >= first_in ? ms.done[0] - first_in : 0;
        rc = run(&ms, ms.n_vec, NULL, "the streaming run");
    }
    if (!rc) {
        unsigned k0 = ms.n_vec / 2;
        uint64_t gap_max = 0;
        for (unsigned k = k0; k < ms.n_vec; k++) {
            uint64_t gap = ms.done[k] - ms.done[k - 1];
            if (gap > gap_max)
                gap_max = gap;
        }
        r->sum.interval = (double)(ms.done[ms.n_vec - 1] - ms.done[k0 - 1]) / (ms.n_vec - k0);
        r->sum.interval_max = gap_max;
        r->sum.vectors = ms.n_vec;
        r->sum.verified = 1; /* both runs compared every output with the evaluator */
    }
    bm_free(ctx, ms.in_port);
    bm_free(ctx, ms.out_port);
    bm_free(ctx, ms.out_of_port);
    bm_free(ctx, ms.vec);
    bm_free(ctx, ms.expect);
    bm_free(ctx, ms.done);
    bm_free(ctx, ms.seen);
    return rc;
}

/* ---- the API --------------------------------------------------------------------------- */

int bm_compile_report_new(bm_compile_report **out, const bm_machine *m, const bm_graph *g,
                          const bm_report_options *opt)
{
    bm_report_options defaults = BM_REPORT_OPTIONS_INIT;
    if (!out || !m || !g)
        return BM_EINVAL;
    *out = NULL;
    if (!opt)
        opt = &defaults;
    bm_ctx *ctx = bm_machine_ctx(m);
    bm_loc none = {NULL, 0, 0};
    if (opt->version != BM_REPORT_OPTIONS_VERSION || opt->vectors < 2 ||
        (opt->inputs && !opt->n_inputs)) {
        bm_error(ctx, none, "report options: %s",
                 opt->version != BM_REPORT_OPTIONS_VERSION ? "unsupported version"
                 : opt->vectors < 2                        ? "at least 2 vectors are needed"
                                                           : "inputs given without a count");
        return BM_EINVAL;
    }
    if (!bm_machine_is_valid(m)) {
        bm_error(ctx, none, "report: the machine has not been validated");
        return BM_EINVAL;
    }
    bm_compile_report *r = bm_calloc(ctx, 1, sizeof *r);
    if (!r)
        return bm_oom(ctx);
    r->ctx = ctx;
    int rc = (r->machine_name = bm_strdup(ctx, bm_machine_name(m))) ? BM_OK : bm_oom(ctx);
    if (!rc)
        rc = describe_cores(r, m);
    if (!rc)
        rc = map_predict(m, opt->vectors, &r->sum.predicted_latency, &r->sum.predicted_interval);
    if (!rc)
        rc = measure_machine(r, m, g, opt);
    if (rc) {
        bm_compile_report_free(r);
        return rc;
    }
    *out = r;
    return BM_OK;
}

void bm_compile_report_free(bm_compile_report *r)
{
    if (!r)
        return;
    for (unsigned i = 0; r->cores && i < r->n_cores; i++) {
        bm_free(r->ctx, (char *)r->cores[i].name);
        bm_free(r->ctx, (char *)r->cores[i].opcodes);
    }
    bm_free(r->ctx, r->cores);
    bm_free(r->ctx, r->machine_name);
    bm_free(r->ctx, r);
}

const bm_report_summary *bm_compile_report_summary(const bm_compile_report *r)
{
    return r ? &r->sum : NULL;
}

unsigned bm_compile_report_core_count(const bm_compile_report *r)
{
    return r ? r->n_cores : 0;
}

const bm_report_core *bm_compile_report_core(const bm_compile_report *r, unsigned i)
{
    return r && i < r->n_cores ? &r->cores[i] : NULL;
}

/* ---- writing ----------------------------------------------------------------------------- */

static void write_text(const bm_compile_report *r, FILE *f)
{
    const bm_report_summary *s = &r->sum;
    size_t wn = 4, wo = 7;
    for (unsigned i = 0; i < r->n_cores; i++) {
        if (strlen(r->cores[i].name) > wn)
            wn = strlen(r->cores[i].name);
        if (strlen(r->cores[i].opcodes) > wo)
            wo = strlen(r->cores[i].opcodes);
    }
    fprintf(f, "%-*s  %-*s  %5s  %5s  %4s  %3s  %3s\n", (int)wn, "core", (int)wo, "opcodes",
            "width", "insns", "regs", "in", "out");
    for (unsigned i = 0; i < r->n_cores; i++) {
        const bm_report_core *c = &r->cores[i];
        fprintf(f, "%-*s  %-*s  %5u  %5u  %4u  %3u  %3u\n", (int)wn, c->name, (int)wo, c->opcodes,
                c->insn_width, c->instructions, c->registers, c->inputs, c->outputs);
    }
    fprintf(f,
            "machine %s: %u core%s, %u bond%s, %" PRIu64 " instructions, %" PRIu64
            " registers, %" PRIu64 " ROM bits, widest instruction %u bits\n",
            r->machine_name, s->cores, s->cores == 1 ? "" : "s", s->bonds, s->bonds == 1 ? "" : "s",
            s->instructions, s->registers, s->rom_bits, s->max_insn_width);
    fprintf(f,
            "latency: %" PRIu64 " cycles (first input to last output of one vector, simulated; "
            "predicted %" PRIu64 ")\n",
            s->latency, s->predicted_latency);
    fprintf(f,
            "interval: %.2f cycles (mean over the last %u of %u vectors streamed, largest %" PRIu64
            "; predicted %.2f)\n",
            s->interval, s->vectors - s->vectors / 2, s->vectors, s->interval_max,
            s->predicted_interval);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void write_json(const bm_compile_report *r, FILE *f)
{
    const bm_report_summary *s = &r->sum;
    fprintf(f, "{\"machine\":");
    json_string(f, r->machine_name);
    fprintf(f,
            ",\"cores\":%u,\"bonds\":%u,\"instructions\":%" PRIu64 ",\"registers\":%" PRIu64
            ",\"rom_bits\":%" PRIu64 ",\"max_insn_width\":%u,\"latency\":%" PRIu64
            ",\"interval\":%.10g,\"interval_max\":%" PRIu64 ",\"vectors\":%u,"
            "\"predicted_latency\":%" PRIu64 ",\"predicted_interval\":%.10g,\"core\":[",
            s->cores, s->bonds, s->instructions, s->registers, s->rom_bits, s->max_insn_width,
            s->latency, s->interval, s->interval_max, s->vectors, s->predicted_latency,
            s->predicted_interval);
    for (unsigned i = 0; i < r->n_cores; i++) {
        const bm_report_core *c = &r->cores[i];
        fprintf(f, "%s{\"name\":", i ? "," : "");
        json_string(f, c->name);
        fprintf(f, ",\"opcodes\":[");
        const char *p = c->opcodes;
        for (unsigned k = 0; *p; k++) {
            const char *e = strchr(p, ' ');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            fprintf(f, "%s\"%.*s\"", k ? "," : "", (int)n, p);
            p += n + (e != NULL);
        }
        fprintf(f,
                "],\"insn_width\":%u,\"instructions\":%u,\"registers\":%u,\"inputs\":%u,"
                "\"outputs\":%u}",
                c->insn_width, c->instructions, c->registers, c->inputs, c->outputs);
    }
    fprintf(f, "]}\n");
}

int bm_compile_report_write(const bm_compile_report *r, FILE *f, int json)
{
    if (!r || !f)
        return BM_EINVAL;
    if (json)
        write_json(r, f);
    else
        write_text(r, f);
    return ferror(f) ? BM_EIO : BM_OK;
}
