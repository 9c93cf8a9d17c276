/* The machine's top module: one instance per core and every bond wired as a
 * data/valid/ready channel.
 *
 * External ports are AXI4-Stream-style: input NAME is NAME_tdata, NAME_tvalid
 * (in) and NAME_tready (out); outputs the other way round.  A core port
 * c.iN / c.oN is seen through wires c_iN_* / c_oN_*.  A bond with one sink
 * connects source and sink directly; with several sinks, each sink sees
 * valid AND the other sinks' ready, and the source sees the AND of all
 * readies (docs/timing.md), so the transfer happens for all sinks at once.
 * From BOND_CHAIN_MIN_SINKS sinks on those ANDs come from running ANDs
 * from either end, so a bond's text grows linearly with its sinks.
 * An unconnected core input never sees valid, an unconnected core output is
 * never ready, an unconnected external output never offers a value.
 *
 * Wire names end in _data/_valid/_ready after a unique core name and port,
 * ports in _tdata/_tvalid/_tready after a unique external name: the two sets
 * cannot meet.  Instance names are core names, passed through a name set so
 * that keywords and clashes get a suffix.
 */
#include <string.h>

#include "hdl.h"

typedef struct te {
    const hdl_design *d;
    const bm_machine *m;
    bm_ctx *ctx;
    bm_buf *b;
    bm_buf unused;
} te;

/* The name of a channel signal at an endpoint: "a_tvalid", "acc_i0_valid". */
static void chan(te *t, bm_buf *b, const bm_endpoint *ep, const char *what)
{
    switch (ep->kind) {
    case BM_EP_INPUT: bm_buf_printf(b, "%s_t%s", bm_machine_input_name(t->m, ep->index), what); break;
    case BM_EP_OUTPUT:
        bm_buf_printf(b, "%s_t%s", bm_machine_output_name(t->m, ep->index), what);
        break;
    case BM_EP_CORE_IN:
    case BM_EP_CORE_OUT:
        bm_buf_printf(b, "%s_%c%u_%s", bm_core_name(bm_machine_core(t->m, ep->index)),
                      ep->kind == BM_EP_CORE_IN ? 'i' : 'o', ep->port, what);
        break;
    }
}

static char *chan_str(te *t, const bm_endpoint *ep, const char *what)
{
    bm_buf b;
    bm_buf_init(&b, t->ctx);
    chan(t, &b, ep, what);
    return bm_buf_take(&b, NULL);
}

static void declare(te *t, unsigned width, const bm_endpoint *ep, const char *what)
{
    bm_buf_puts(t->b, "    wire ");
    bm_hdl_range(t->b, width);
    chan(t, t->b, ep, what);
    bm_buf_puts(t->b, ";\n");
}

static void ports(te *t)
{
    const bm_machine *m = t->m;
    bm_buf *b = t->b;
    bm_buf_printf(b, "// rst is synchronous and active high; every channel is data/valid/ready.\n"
                     "module %s (\n    input  wire clk,\n    input  wire rst",
                  t->d->top);
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        const char *n = bm_machine_input_name(m, i);
        bm_buf_puts(b, ",\n    input  wire ");
        bm_hdl_range(b, bm_machine_input_width(m, i));
        bm_buf_printf(b, "%s_tdata,\n    input  wire %s_tvalid,\n    output wire %s_tready", n, n, n);
    }
    for (unsigned i = 0; i < bm_machine_output_count(m); i++) {
        const char *n = bm_machine_output_name(m, i);
        bm_buf_puts(b, ",\n    output wire ");
        bm_hdl_range(b, bm_machine_output_width(m, i));
        bm_buf_printf(b, "%s_tdata,\n    output wire %s_tvalid,\n    input  wire %s_tready", n, n, n);
    }
    bm_buf_puts(b, "\n);\n");
}

/* Wires of the core ports: what the instances drive, and what the bonds
 * drive towards the instances. */
static void core_wires(te *t)
{
    const bm_machine *m = t->m;
    for (unsigned c = 0; c < bm_machine_core_count(m); c++) {
        const bm_core_params *p = bm_core_get_params(bm_machine_core(m, c));
        for (unsigned q = 0; q < p->outputs; q++) {
            bm_endpoint ep = {BM_EP_CORE_OUT, c, q};
            declare(t, p->width, &ep, "data");
            declare(t, 1, &ep, "valid");
            declare(t, 1, &ep, "ready");
        }
        for (unsigned i = 0; i < p->inputs; i++) {
            bm_endpoint ep = {BM_EP_CORE_IN, c, i};
            declare(t, 1, &ep, "valid");
            declare(t, 1, &ep, "ready");
        }
    }
}

/* A core input's data is its bond source's data, or 0 when unconnected. */
static void core_input_data(te *t, bm_buf *b, unsigned core, unsigned port, unsigned width)
{
    int bond = bm_machine_bond_of_core_input(t->m, core, port);
    if (bond < 0) {
        bm_hdl_lit(b, width, 0);
        return;
    }
    bm_endpoint src;
    bm_machine_bond_source(t->m, (unsigned)bond, &src);
    chan(t, b, &src, "data");
}

/* Bonds with more sinks than this get the AND of the other sinks' ready
 * from running ANDs (below), so that the text grows linearly with the
 * sinks; fewer keep the plain products (and their Verilog as it was). */
#define BOND_CHAIN_MIN_SINKS 5

/* The running ANDs of a wide bond's sinks' ready: SRC_ready_preK, the AND
 * of sinks 0..K-1, and SRC_ready_sufK, of sinks K..ns-1 (K = 1..ns-1).
 * Scalar wires, not bits of one vector, which Verilator would call
 * circular. */
static void chain_name(te *t, bm_buf *b, const bm_endpoint *src, const char *which, unsigned k)
{
    chan(t, b, src, "ready");
    bm_buf_printf(b, "_%s%u", which, k);
}

static void bond_chain(te *t, unsigned bi, const bm_endpoint *src, unsigned ns)
{
    bm_buf *b = t->b;
    bm_endpoint sink;
    for (unsigned k = 1; k < ns; k++) {
        bm_buf_puts(b, "    wire ");
        chain_name(t, b, src, "pre", k);
        bm_buf_puts(b, " = ");
        if (k > 1) {
            chain_name(t, b, src, "pre", k - 1);
            bm_buf_puts(b, " & ");
        }
        bm_machine_bond_sink(t->m, bi, k - 1, &sink);
        chan(t, b, &sink, "ready");
        bm_buf_puts(b, ";\n");
    }
    for (unsigned k = ns - 1; k >= 1; k--) {
        bm_buf_puts(b, "    wire ");
        chain_name(t, b, src, "suf", k);
        bm_buf_puts(b, " = ");
        bm_machine_bond_sink(t->m, bi, k, &sink);
        chan(t, b, &sink, "ready");
        if (k + 1 < ns) {
            bm_buf_puts(b, " & ");
            chain_name(t, b, src, "suf", k + 1);
        }
        bm_buf_puts(b, ";\n");
    }
}

static void bond(te *t, unsigned bi)
{
    const bm_machine *m = t->m;
    bm_buf *b = t->b;
    bm_endpoint src;
    bm_machine_bond_source(m, bi, &src);
    unsigned ns = bm_machine_bond_sink_count(m, bi);
    bm_buf_printf(b, "    // %s ->", bm_machine_bond_source_text(m, bi));
    for (unsigned k = 0; k < ns; k++)
        bm_buf_printf(b, " %s", bm_machine_bond_sink_text(m, bi, k));
    bm_buf_puts(b, "\n");
    if (ns >= BOND_CHAIN_MIN_SINKS)
        bond_chain(t, bi, &src, ns);
    for (unsigned k = 0; k < ns; k++) {
        bm_endpoint sink;
        bm_machine_bond_sink(m, bi, k, &sink);
        if (sink.kind == BM_EP_OUTPUT) {
            bm_buf_puts(b, "    assign ");
            chan(t, b, &sink, "data");
            bm_buf_puts(b, " = ");
            chan(t, b, &src, "data");
            bm_buf_puts(b, ";\n");
        }
        bm_buf_puts(b, "    assign ");
        chan(t, b, &sink, "valid");
        bm_buf_puts(b, " = ");
        chan(t, b, &src, "valid");
        if (ns >= BOND_CHAIN_MIN_SINKS) {
            if (k > 0) {
                bm_buf_puts(b, " & ");
                chain_name(t, b, &src, "pre", k);
            }
            if (k + 1 < ns) {
                bm_buf_puts(b, " & ");
                chain_name(t, b, &src, "suf", k + 1);
            }
            bm_buf_puts(b, ";\n");
            continue;
        }
        for (unsigned j = 0; j < ns; j++) {
            if (j == k)
                continue;
            bm_endpoint other;
            bm_machine_bond_sink(m, bi, j, &other);
            bm_buf_puts(b, " & ");
            chan(t, b, &other, "ready");
        }
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(b, "    assign ");
    chan(t, b, &src, "ready");
    bm_buf_puts(b, " = ");
    if (ns >= BOND_CHAIN_MIN_SINKS) {
        chain_name(t, b, &src, "pre", ns - 1);
        bm_buf_puts(b, " & ");
        bm_endpoint last;
        bm_machine_bond_sink(m, bi, ns - 1, &last);
        chan(t, b, &last, "ready");
        bm_buf_puts(b, ";\n");
        return;
    }
    for (unsigned k = 0; k < ns; k++) {
        bm_endpoint sink;
        bm_machine_bond_sink(m, bi, k, &sink);
        if (k)
            bm_buf_puts(b, " & ");
        chan(t, b, &sink, "ready");
    }
    bm_buf_puts(b, ";\n");
}

static void unconnected(te *t)
{
    const bm_machine *m = t->m;
    bm_buf *b = t->b;
    int any = 0;
    for (unsigned c = 0; c < bm_machine_core_count(m); c++) {
        const bm_core_params *p = bm_core_get_params(bm_machine_core(m, c));
        for (unsigned i = 0; i < p->inputs; i++) {
            if (bm_machine_bond_of_core_input(m, c, i) >= 0)
                continue;
            bm_endpoint ep = {BM_EP_CORE_IN, c, i};
            if (!any++)
                bm_buf_puts(b, "    // not connected\n");
            bm_buf_puts(b, "    assign ");
            chan(t, b, &ep, "valid");
            bm_buf_puts(b, " = 1'b0;\n");
            bm_buf_puts(&t->unused, ", ");
            chan(t, &t->unused, &ep, "ready");
        }
        for (unsigned q = 0; q < p->outputs; q++) {
            if (bm_machine_bond_of_core_output(m, c, q) >= 0)
                continue;
            bm_endpoint ep = {BM_EP_CORE_OUT, c, q};
            if (!any++)
                bm_buf_puts(b, "    // not connected\n");
            bm_buf_puts(b, "    assign ");
            chan(t, b, &ep, "ready");
            bm_buf_puts(b, " = 1'b0;\n");
            bm_buf_puts(&t->unused, ", ");
            chan(t, &t->unused, &ep, "data");
            bm_buf_puts(&t->unused, ", ");
            chan(t, &t->unused, &ep, "valid");
        }
    }
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        if (bm_machine_bond_of_input(m, i) >= 0)
            continue;
        const char *n = bm_machine_input_name(m, i);
        if (!any++)
            bm_buf_puts(b, "    // not connected\n");
        bm_buf_printf(b, "    assign %s_tready = 1'b0;\n", n);
        bm_buf_printf(&t->unused, ", %s_tdata, %s_tvalid", n, n);
    }
    for (unsigned i = 0; i < bm_machine_output_count(m); i++) {
        if (bm_machine_bond_of_output(m, i) >= 0)
            continue;
        const char *n = bm_machine_output_name(m, i);
        if (!any++)
            bm_buf_puts(b, "    // not connected\n");
        bm_buf_printf(b, "    assign %s_tdata = ", n);
        bm_hdl_lit(b, bm_machine_output_width(m, i), 0);
        bm_buf_printf(b, ";\n    assign %s_tvalid = 1'b0;\n", n);
        bm_buf_printf(&t->unused, ", %s_tready", n);
    }
}

static void instance(te *t, unsigned c, const char *inst)
{
    const bm_machine *m = t->m;
    bm_buf *b = t->b;
    const bm_core_params *p = bm_core_get_params(bm_machine_core(m, c));
    bm_buf_printf(b, "    %s %s (\n        .clk(clk),\n        .rst(rst)", t->d->core_module[c], inst);
    for (unsigned i = 0; i < p->inputs; i++) {
        bm_endpoint ep = {BM_EP_CORE_IN, c, i};
        bm_buf_printf(b, ",\n        .i%u_data(", i);
        core_input_data(t, b, c, i, p->width);
        bm_buf_printf(b, "),\n        .i%u_valid(", i);
        chan(t, b, &ep, "valid");
        bm_buf_printf(b, "),\n        .i%u_ready(", i);
        chan(t, b, &ep, "ready");
        bm_buf_puts(b, ")");
        if (bm_hdl_core_looks_at(bm_machine_core(m, c), i)) {
            /* pkmacfx sees the source's valid, not the AND with the other
             * sinks' ready that a take needs (docs/timing.md) */
            bm_buf_printf(b, ",\n        .i%u_offered(", i);
            int bi = bm_machine_bond_of_core_input(m, c, i);
            if (bi < 0) {
                bm_buf_puts(b, "1'b0");
            } else {
                bm_endpoint src;
                bm_machine_bond_source(m, (unsigned)bi, &src);
                chan(t, b, &src, "valid");
            }
            bm_buf_puts(b, ")");
        }
    }
    for (unsigned q = 0; q < p->outputs; q++) {
        bm_endpoint ep = {BM_EP_CORE_OUT, c, q};
        bm_buf_printf(b, ",\n        .o%u_data(", q);
        chan(t, b, &ep, "data");
        bm_buf_printf(b, "),\n        .o%u_valid(", q);
        chan(t, b, &ep, "valid");
        bm_buf_printf(b, "),\n        .o%u_ready(", q);
        chan(t, b, &ep, "ready");
        bm_buf_puts(b, ")");
    }
    bm_buf_puts(b, "\n    );\n");
}

/* Claims every name of the top's scope but the instances', which come last. */
static int claim_fixed_names(te *t, hdl_names *names)
{
    const bm_machine *m = t->m;
    static const char *const sfx[] = {"data", "valid", "ready"};
    int ok = bm_hdl_names_claim(names, "clk") && bm_hdl_names_claim(names, "rst") &&
             bm_hdl_names_claim(names, "unused");
    for (unsigned i = 0; ok && i < bm_machine_input_count(m); i++)
        for (unsigned s = 0; ok && s < 3; s++) {
            bm_endpoint ep = {BM_EP_INPUT, i, 0};
            char *n = chan_str(t, &ep, sfx[s]);
            ok = n && bm_hdl_names_claim(names, n);
            bm_free(t->ctx, n);
        }
    for (unsigned i = 0; ok && i < bm_machine_output_count(m); i++)
        for (unsigned s = 0; ok && s < 3; s++) {
            bm_endpoint ep = {BM_EP_OUTPUT, i, 0};
            char *n = chan_str(t, &ep, sfx[s]);
            ok = n && bm_hdl_names_claim(names, n);
            bm_free(t->ctx, n);
        }
    for (unsigned c = 0; ok && c < bm_machine_core_count(m); c++) {
        const bm_core_params *p = bm_core_get_params(bm_machine_core(m, c));
        for (unsigned k = 0; ok && k < p->inputs + p->outputs; k++)
            for (unsigned s = 0; ok && s < 3; s++) {
                bm_endpoint ep = {k < p->inputs ? BM_EP_CORE_IN : BM_EP_CORE_OUT, c,
                                  k < p->inputs ? k : k - p->inputs};
                char *n = chan_str(t, &ep, sfx[s]);
                ok = n && bm_hdl_names_claim(names, n);
                bm_free(t->ctx, n);
            }
    }
    /* the running ANDs of wide bonds (bond_chain) */
    for (unsigned bi = 0; ok && bi < bm_machine_bond_count(m); bi++) {
        unsigned ns = bm_machine_bond_sink_count(m, bi);
        if (ns < BOND_CHAIN_MIN_SINKS)
            continue;
        bm_endpoint src;
        bm_machine_bond_source(m, bi, &src);
        for (unsigned k = 1; ok && k < ns; k++)
            for (unsigned w = 0; ok && w < 2; w++) {
                bm_buf n;
                bm_buf_init(&n, t->ctx);
                chain_name(t, &n, &src, w ? "suf" : "pre", k);
                char *s = bm_buf_take(&n, NULL);
                ok = s && bm_hdl_names_claim(names, s);
                bm_free(t->ctx, s);
            }
    }
    return ok ? BM_OK : bm_oom(t->ctx);
}

int bm_hdl_top_module(bm_buf *out, const hdl_design *d)
{
    te t;
    memset(&t, 0, sizeof t);
    t.d = d;
    t.m = d->m;
    t.ctx = bm_machine_ctx(d->m);
    t.b = out;
    bm_buf_init(&t.unused, t.ctx);
    hdl_names names;
    bm_hdl_names_init(&names, t.ctx);
    int rc = claim_fixed_names(&t, &names);
    for (size_t i = 0; rc == 0 && i < d->n_sub_text; i++)
        rc = bmi_hdl_reserve_declared(&names, t.ctx, d->sub_text[i]);

    ports(&t);
    unsigned nc = bm_machine_core_count(t.m);
    bm_buf_printf(out, "    // %u core%s, %u bond%s.\n", nc, nc == 1 ? "" : "s",
                  bm_machine_bond_count(t.m), bm_machine_bond_count(t.m) == 1 ? "" : "s");
    if (nc) {
        bm_buf_puts(out, "\n    // ---- Core ports\n");
        core_wires(&t);
    }
    if (bm_machine_bond_count(t.m)) {
        bm_buf_puts(out, "\n    // ---- Bonds: a transfer needs valid and every sink's ready\n");
        for (unsigned i = 0; i < bm_machine_bond_count(t.m); i++)
            bond(&t, i);
    }
    unconnected(&t);
    if (nc)
        bm_buf_puts(out, "\n    // ---- Cores\n");
    for (unsigned c = 0; rc == 0 && c < nc; c++) {
        const char *inst = bm_hdl_names_claim(&names, bm_core_name(bm_machine_core(t.m, c)));
        if (!inst) {
            rc = bm_oom(t.ctx);
            break;
        }
        instance(&t, c, inst);
    }
    if (t.unused.len)
        bm_buf_printf(out, "\n    wire unused = &{1'b0%s};\n", t.unused.data);
    bm_buf_puts(out, "endmodule\n");
    bm_buf_free(&t.unused);
    bm_hdl_names_free(&names);
    if (rc == 0 && (out->failed || t.unused.failed))
        rc = bm_oom(t.ctx);
    return rc;
}
