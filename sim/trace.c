/* Per-core states cycle by cycle, for the VCD file and the activity counts
 * and chart (docs/sim.md "Activity").
 *
 * A core's state in a cycle is read off what the cycle did to it: it ran
 * when it retired an instruction, advanced a multi-cycle one, refetched
 * after a taken jump (a staged core) or halted;
 * otherwise its instruction is an I/O instruction that waited, on the port
 * the instruction names.  Nothing in the step loop changes for this: a
 * snapshot before the cycle and a look after it (only while a VCD is open
 * or activity is counted). */
#include <inttypes.h>
#include <string.h>

#include "internal.h"
#include "sim_impl.h"

static const char *const state_names[BM_CORE_STATE_COUNT] = {"running", "wait_input",
                                                             "wait_output", "halted"};

const char *bm_core_state_name(bm_core_state s)
{
    return (unsigned)s < BM_CORE_STATE_COUNT ? state_names[s] : NULL;
}

int bmi_sim_trace_need(bm_sim *sim)
{
    if (sim->trace)
        return BM_OK;
    bm_ctx *ctx = sim->ctx;
    size_t n = sim->n_cores ? sim->n_cores : 1;
    sim_trace *t = bm_calloc(ctx, 1, sizeof *t);
    if (!t)
        return bm_oom(ctx);
    t->retired0 = bm_calloc(ctx, n, sizeof *t->retired0);
    t->busy0 = bm_calloc(ctx, n, 1);
    t->halted0 = bm_calloc(ctx, n, 1);
    t->refetch0 = bm_calloc(ctx, n, 1);
    t->state = bm_calloc(ctx, n, 1);
    t->port = bm_calloc(ctx, n, sizeof *t->port);
    sim->trace = t;
    if (!t->retired0 || !t->busy0 || !t->halted0 || !t->refetch0 || !t->state || !t->port) {
        bmi_sim_trace_free(sim);
        return bm_oom(ctx);
    }
    return BM_OK;
}

void bmi_sim_trace_free(bm_sim *sim)
{
    sim_trace *t = sim->trace;
    if (!t)
        return;
    bm_ctx *ctx = sim->ctx;
    bm_free(ctx, t->retired0);
    bm_free(ctx, t->busy0);
    bm_free(ctx, t->halted0);
    bm_free(ctx, t->refetch0);
    bm_free(ctx, t->state);
    bm_free(ctx, t->port);
    bm_free(ctx, t->count);
    bm_free(ctx, t);
    sim->trace = NULL;
}

void bmi_sim_trace_begin(bm_sim *sim)
{
    sim_trace *t = sim->trace;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        const sim_core *k = &sim->cores[i];
        t->retired0[i] = k->retired;
        t->busy0[i] = k->busy;
        t->halted0[i] = k->halted;
        t->refetch0[i] = k->refetching;
    }
}

void bmi_sim_trace_end(bm_sim *sim)
{
    sim_trace *t = sim->trace;
    for (unsigned i = 0; i < sim->n_cores; i++) {
        const sim_core *k = &sim->cores[i];
        bm_core_state s = BM_CORE_RUNNING;
        uint32_t port = 0;
        if (t->halted0[i]) {
            s = BM_CORE_HALTED;
        } else if (k->retired == t->retired0[i] && k->busy == t->busy0[i] && !k->halted &&
                   !t->refetch0[i]) {
            const sim_op *op = &k->code[k->pc];
            if (op->cls == SIM_OP_CHANNEL) {
                s = bm_io_reads_input((bm_io)op->io) ? BM_CORE_WAIT_INPUT : BM_CORE_WAIT_OUTPUT;
                port = op->port;
            }
        }
        t->state[i] = (uint8_t)s;
        t->port[i] = port;
        if (t->count)
            t->count[i].cycles[s]++;
    }
}

int bm_sim_activity_start(bm_sim *sim)
{
    if (!sim)
        return BM_EINVAL;
    int rc = bmi_sim_trace_need(sim);
    if (rc || sim->trace->count)
        return rc;
    sim->trace->count =
        bm_calloc(sim->ctx, sim->n_cores ? sim->n_cores : 1, sizeof *sim->trace->count);
    return sim->trace->count ? BM_OK : bm_oom(sim->ctx);
}

int bm_sim_core_activity(const bm_sim *sim, unsigned core, bm_sim_activity *out)
{
    if (!sim || !out || !sim->trace || !sim->trace->count)
        return BM_EINVAL;
    if (core >= sim->n_cores)
        return BM_ENOTFOUND;
    *out = sim->trace->count[core];
    return BM_OK;
}

/* ---- the chart ---------------------------------------------------------- */

#define LABEL_W 150
#define BAR_W 500
#define ROW_H 24
#define TOP 48

static void put_xml_text(bm_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': bm_buf_puts(b, "&amp;"); break;
        case '<': bm_buf_puts(b, "&lt;"); break;
        case '>': bm_buf_puts(b, "&gt;"); break;
        case '"': bm_buf_puts(b, "&quot;"); break;
        default: bm_buf_append(b, s, 1);
        }
    }
}

/* Colour and legend of each state, in bm_core_state order. */
static const char *const colours[BM_CORE_STATE_COUNT] = {"#2e9e44", "#d9d9d9", "#d62728",
                                                         "#7f7f7f"};
static const char *const legends[BM_CORE_STATE_COUNT] = {
    "busy (running)", "idle (waiting for an input)", "stalled (output not taken)", "halted"};

/* Per mille of part in whole, rounded half up, in integers so that the text
 * never depends on floating point. */
static unsigned per_mille(uint64_t part, uint64_t whole)
{
    return whole ? (unsigned)((part * 2000 / whole + 1) / 2) : 0;
}

int bm_sim_activity_svg(char **out, size_t *len, const bm_sim *sim)
{
    if (!out || !sim)
        return BM_EINVAL;
    *out = NULL;
    if (!sim->trace || !sim->trace->count) {
        bm_error(sim->ctx, bm_loc_make(NULL, 0, 0), "activity was not counted");
        return BM_EINVAL;
    }
    const bm_sim_activity *c = sim->trace->count;
    unsigned n = sim->n_cores;
    uint64_t total = 0;
    for (unsigned s = 0; s < BM_CORE_STATE_COUNT && n; s++)
        total += c[0].cycles[s];
    unsigned width = LABEL_W + BAR_W + 260, height = TOP + ROW_H * n + 40;
    bm_buf b;
    bm_buf_init(&b, sim->ctx);
    bm_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
                  "viewBox=\"0 0 %u %u\" font-family=\"Helvetica, Arial, sans-serif\" "
                  "font-size=\"12\">\n",
                  width, height, width, height);
    bm_buf_puts(&b, "<title>activity of machine ");
    put_xml_text(&b, bm_machine_name(sim->m));
    bm_buf_puts(&b, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                    "<text x=\"8\" y=\"18\" font-size=\"14\">machine ");
    put_xml_text(&b, bm_machine_name(sim->m));
    bm_buf_printf(&b, ": what each core did in %" PRIu64 " cycle%s</text>\n", total,
                  total == 1 ? "" : "s");
    unsigned lx = 8;
    for (unsigned s = 0; s < BM_CORE_STATE_COUNT; s++) {
        bm_buf_printf(&b,
                      "<rect x=\"%u\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                      "<text x=\"%u\" y=\"37\">%s</text>\n",
                      lx, colours[s], lx + 14, legends[s]);
        lx += 14 + 7 * (unsigned)strlen(legends[s]) + 16;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned y = TOP + ROW_H * i;
        bm_buf_printf(&b, "<g>\n<text x=\"%u\" y=\"%u\" text-anchor=\"end\">", LABEL_W - 8,
                      y + 15);
        put_xml_text(&b, bm_core_name(bm_machine_core(sim->m, i)));
        bm_buf_puts(&b, "</text>\n");
        uint64_t before = 0;
        for (unsigned s = 0; s < BM_CORE_STATE_COUNT; s++) {
            uint64_t k = c[i].cycles[s];
            if (!k)
                continue;
            unsigned x0 = LABEL_W + (unsigned)(total ? before * BAR_W / total : 0);
            unsigned x1 = LABEL_W + (unsigned)(total ? (before + k) * BAR_W / total : 0);
            bm_buf_printf(&b,
                          "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\">"
                          "<title>%s: %" PRIu64 " cycles</title></rect>\n",
                          x0, y + 3, x1 - x0, ROW_H - 6, colours[s], state_names[s], k);
            before += k;
        }
        unsigned busy = per_mille(c[i].cycles[BM_CORE_RUNNING], total);
        unsigned stalled = per_mille(c[i].cycles[BM_CORE_WAIT_OUTPUT], total);
        unsigned idle = per_mille(c[i].cycles[BM_CORE_WAIT_INPUT] + c[i].cycles[BM_CORE_HALTED],
                                  total);
        bm_buf_printf(&b,
                      "<text x=\"%u\" y=\"%u\">busy %u.%u%%, stalled %u.%u%%, idle %u.%u%%</text>"
                      "\n</g>\n",
                      LABEL_W + BAR_W + 8, y + 15, busy / 10, busy % 10, stalled / 10,
                      stalled % 10, idle / 10, idle % 10);
    }
    bm_buf_puts(&b, "</svg>\n");
    *out = bm_buf_take(&b, len);
    return *out ? BM_OK : bm_oom(sim->ctx);
}

void bm_sim_text_free(const bm_sim *sim, char *text)
{
    if (sim)
        bm_free(sim->ctx, text);
}
