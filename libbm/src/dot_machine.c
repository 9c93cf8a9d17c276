/* A machine as Graphviz text (bm/dot.h, docs/dot.md): cores as boxes,
 * external ports at the left and right edges, one edge per bond sink. */
#include <stdio.h>
#include <string.h>

#include "bm/dot.h"
#include "bm/encoding.h"
#include "bm/isa.h"
#include "internal.h"

/* Mnemonics per label line, so that a core with many opcodes stays a box
 * rather than a long bar. */
#define OPCODES_PER_LINE 6

/* A DOT string body: quotes and backslashes escaped (names are identifiers,
 * but the writer never relies on that). */
static void put_escaped(bm_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            bm_buf_append(b, "\\", 1);
        bm_buf_append(b, s, 1);
    }
}

static void put_core(bm_buf *b, const bm_core *c, unsigned i)
{
    const bm_core_params *p = bm_core_get_params(c);
    bm_encoding enc;
    bm_core_encoding(c, &enc);
    unsigned n = bm_core_program_length(c);
    bm_buf_printf(b, "  c%u [label=\"", i);
    put_escaped(b, bm_core_name(c));
    bm_buf_printf(b, "\\n%u-bit, %u register%s", p->width, p->registers,
                  p->registers == 1 ? "" : "s");
    if (p->frac)
        bm_buf_printf(b, ", frac %u", p->frac);
    if (p->mul != BM_MUL_COMB)
        bm_buf_printf(b, ", mul %s", bm_mul_variant_get(p->mul)->name);
    if (p->fetch != BM_FETCH_DIRECT)
        bm_buf_printf(b, ", fetch %s", bm_fetch_kind_get(p->fetch)->name);
    if (p->queue != 1)
        bm_buf_printf(b, ", queue %u", p->queue);
    if (p->forward)
        bm_buf_printf(b, ", forwards to o%u (%u words)", p->forward_out, p->forward_queue);
    bm_buf_printf(b, "\\n%u instruction%s x %u bits", n, n == 1 ? "" : "s", enc.insn_width);
    if (p->ram_depth)
        bm_buf_printf(b, ", RAM %u", p->ram_depth);
    for (unsigned k = 0; k < enc.n_opcodes; k++)
        bm_buf_printf(b, "%s%s", k % OPCODES_PER_LINE ? " " : "\\n",
                      bm_isa_get(enc.opcode_id[k])->mnemonic);
    bm_buf_puts(b, "\"];\n");
}

/* The node name of an endpoint and its port label (empty for external). */
static void endpoint_node(const bm_endpoint *e, char *node, size_t nsize, char *port,
                          size_t psize)
{
    switch (e->kind) {
    case BM_EP_INPUT:
        snprintf(node, nsize, "in%u", e->index);
        port[0] = '\0';
        break;
    case BM_EP_OUTPUT:
        snprintf(node, nsize, "out%u", e->index);
        port[0] = '\0';
        break;
    case BM_EP_CORE_IN:
        snprintf(node, nsize, "c%u", e->index);
        snprintf(port, psize, "i%u", e->port);
        break;
    default:
        snprintf(node, nsize, "c%u", e->index);
        snprintf(port, psize, "o%u", e->port);
        break;
    }
}

static unsigned source_width(const bm_machine *m, const bm_endpoint *e)
{
    if (e->kind == BM_EP_INPUT)
        return bm_machine_input_width(m, e->index);
    return bm_core_get_params(bm_machine_core(m, e->index))->width;
}

static void put_bond(bm_buf *b, const bm_machine *m, unsigned j)
{
    bm_endpoint src, dst;
    bm_machine_bond_source(m, j, &src);
    char snode[32], sport[32], dnode[32], dport[32];
    endpoint_node(&src, snode, sizeof snode, sport, sizeof sport);
    unsigned width = source_width(m, &src);
    for (unsigned k = 0; k < bm_machine_bond_sink_count(m, j); k++) {
        bm_machine_bond_sink(m, j, k, &dst);
        endpoint_node(&dst, dnode, sizeof dnode, dport, sizeof dport);
        bm_buf_printf(b, "  %s -> %s [label=\"%u\"", snode, dnode, width);
        if (sport[0])
            bm_buf_printf(b, ", taillabel=\"%s\"", sport);
        if (dport[0])
            bm_buf_printf(b, ", headlabel=\"%s\"", dport);
        bm_buf_puts(b, "];\n");
    }
}

static void put_ports(bm_buf *b, const bm_machine *m, int outputs)
{
    unsigned n = outputs ? bm_machine_output_count(m) : bm_machine_input_count(m);
    if (!n)
        return;
    bm_buf_printf(b, "  subgraph %s {\n    rank=%s;\n", outputs ? "outputs" : "inputs",
                  outputs ? "sink" : "source");
    for (unsigned i = 0; i < n; i++) {
        const char *name = outputs ? bm_machine_output_name(m, i) : bm_machine_input_name(m, i);
        unsigned w = outputs ? bm_machine_output_width(m, i) : bm_machine_input_width(m, i);
        bm_buf_printf(b, "    %s%u [shape=rarrow, label=\"", outputs ? "out" : "in", i);
        put_escaped(b, name);
        bm_buf_printf(b, "\\n%u bit%s\"];\n", w, w == 1 ? "" : "s");
    }
    bm_buf_puts(b, "  }\n");
}

int bm_machine_dot(char **out, size_t *len, const bm_machine *m)
{
    if (!out || !m)
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = bm_machine_ctx(m);
    if (!bm_machine_is_valid(m)) {
        bm_error(ctx, bm_machine_loc(m), "only a valid machine can be drawn");
        return BM_EINVAL;
    }
    unsigned nc = bm_machine_core_count(m), nb = bm_machine_bond_count(m);
    bm_buf b;
    bm_buf_init(&b, ctx);
    bm_buf_puts(&b, "digraph \"");
    put_escaped(&b, bm_machine_name(m));
    bm_buf_puts(&b, "\" {\n  graph [rankdir=LR, fontname=\"Helvetica\", label=\"machine ");
    put_escaped(&b, bm_machine_name(m));
    bm_buf_printf(&b, ": %u core%s, %u bond%s\", labelloc=t];\n", nc, nc == 1 ? "" : "s", nb,
                  nb == 1 ? "" : "s");
    bm_buf_puts(&b, "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=rounded];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9, labelfontsize=8];\n");
    put_ports(&b, m, 0);
    for (unsigned i = 0; i < nc; i++)
        put_core(&b, bm_machine_core(m, i), i);
    put_ports(&b, m, 1);
    for (unsigned j = 0; j < nb; j++)
        put_bond(&b, m, j);
    bm_buf_puts(&b, "}\n");
    *out = bm_buf_take(&b, len);
    return *out ? BM_OK : bm_oom(ctx);
}

void bm_dot_free(bm_ctx *ctx, char *text)
{
    bm_free(ctx, text);
}
