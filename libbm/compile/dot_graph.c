/* A graph as Graphviz text (bm/dot.h, docs/dot.md): one node per
 * operation, one edge per operand slot, the nodes of a network layer (and
 * of each neuron within it) in clusters. */
#include <inttypes.h>
#include <string.h>

#include "bm/dot.h"
#include "internal.h"

static void put_escaped(bm_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            bm_buf_append(b, "\\", 1);
        bm_buf_append(b, s, 1);
    }
}

static void put_node(bm_buf *b, const bm_graph *g, unsigned i, const char *indent)
{
    bm_op op = bm_graph_node_op(g, i);
    const char *name = bm_graph_node_name(g, i);
    bm_buf_printf(b, "%sn%u [", indent, i);
    switch (op) {
    case BM_OP_INPUT:
    case BM_OP_OUTPUT:
        bm_buf_puts(b, "shape=rarrow, label=\"");
        put_escaped(b, name ? name : "?");
        break;
    case BM_OP_CONST: {
        char dec[96];
        bm_fixed_format(dec, sizeof dec, bm_graph_node_value(g, i), bm_graph_type(g));
        bm_buf_printf(b, "shape=plaintext, label=\"%s", dec);
        break;
    }
    case BM_OP_SHL:
    case BM_OP_SAR:
        bm_buf_printf(b, "label=\"%s %" PRId64, bm_op_name(op), bm_graph_node_value(g, i));
        break;
    default:
        bm_buf_printf(b, "label=\"%s", bm_op_name(op));
        break;
    }
    bm_buf_puts(b, "\"];\n");
}

/* Operand order matters for these: their edges are numbered. */
static int ordered(bm_op op)
{
    return op == BM_OP_SUB || op == BM_OP_ARGMAX;
}

int bm_graph_dot(char **out, size_t *len, const bm_graph *g)
{
    if (!out || !g)
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = bm_graph_ctx(g);
    unsigned n = bm_graph_node_count(g);
    if (n == 0) {
        bm_error(ctx, bm_graph_loc(g), "only a finished graph can be drawn");
        return BM_EINVAL;
    }
    int layers = 0;
    for (unsigned i = 0; i < n; i++)
        if (bm_graph_node_layer(g, i) + 1 > layers)
            layers = bm_graph_node_layer(g, i) + 1;
    bm_fixed_type t = bm_graph_type(g);
    bm_buf b;
    bm_buf_init(&b, ctx);
    bm_buf_printf(&b,
                  "digraph \"graph\" {\n"
                  "  graph [rankdir=LR, fontname=\"Helvetica\", label=\"graph: %u node%s, "
                  "%u input%s, %u output%s, fixed<%u,%u>\", labelloc=t];\n"
                  "  node [fontname=\"Helvetica\", fontsize=10, shape=ellipse];\n"
                  "  edge [fontname=\"Helvetica\", fontsize=8];\n",
                  n, n == 1 ? "" : "s", bm_graph_input_count(g),
                  bm_graph_input_count(g) == 1 ? "" : "s", bm_graph_output_count(g),
                  bm_graph_output_count(g) == 1 ? "" : "s", t.total, t.total - t.frac);
    for (unsigned i = 0; i < n; i++)
        if (bm_graph_node_layer(g, i) < 0)
            put_node(&b, g, i, "  ");
    for (int l = 0; l < layers; l++) {
        int neurons = 0;
        for (unsigned i = 0; i < n; i++)
            if (bm_graph_node_layer(g, i) == l && bm_graph_node_neuron(g, i) + 1 > neurons)
                neurons = bm_graph_node_neuron(g, i) + 1;
        if (!neurons)
            continue;
        bm_buf_printf(&b, "  subgraph cluster_l%d {\n    label=\"layer %d\";\n", l, l);
        for (int k = 0; k < neurons; k++) {
            int opened = 0;
            for (unsigned i = 0; i < n; i++) {
                if (bm_graph_node_layer(g, i) != l || bm_graph_node_neuron(g, i) != k)
                    continue;
                if (!opened)
                    bm_buf_printf(&b,
                                  "    subgraph cluster_l%dn%d {\n      label=\"neuron %d\";\n"
                                  "      style=dashed;\n",
                                  l, k, k);
                opened = 1;
                put_node(&b, g, i, "      ");
            }
            if (opened)
                bm_buf_puts(&b, "    }\n");
        }
        bm_buf_puts(&b, "  }\n");
    }
    for (unsigned i = 0; i < n; i++) {
        bm_op op = bm_graph_node_op(g, i);
        for (unsigned k = 0; k < bm_graph_node_operand_count(g, i); k++) {
            bm_buf_printf(&b, "  n%u -> n%u", bm_graph_node_operand(g, i, k), i);
            if (ordered(op))
                bm_buf_printf(&b, " [label=\"%u\"]", k);
            bm_buf_puts(&b, ";\n");
        }
    }
    bm_buf_puts(&b, "}\n");
    *out = bm_buf_take(&b, len);
    return *out ? BM_OK : bm_oom(ctx);
}
