/* Canonical writer of the machine XML (docs/format.md, "Canonical form").
 * The output depends only on the machine: attribute order, indentation,
 * number formats and the order of opcodes are all fixed. */
#include <inttypes.h>
#include <string.h>

#include "bm/insn.h"
#include "bm/xml.h"
#include "internal.h"

/* Names are identifiers (checked by validation), so only instruction text
 * could in principle need escaping; escape everything that is text. */
static void put_escaped(bm_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': bm_buf_puts(b, "&lt;"); break;
        case '>': bm_buf_puts(b, "&gt;"); break;
        case '&': bm_buf_puts(b, "&amp;"); break;
        case '"': bm_buf_puts(b, "&quot;"); break;
        default: bm_buf_append(b, s, 1); break;
        }
    }
}

/* An endpoint as its canonical text, from the resolved endpoint rather than
 * the text as written ("c.i00" and "c.i0" are the same port). */
static void put_endpoint(bm_buf *b, const bm_machine *m, const bm_endpoint *ep)
{
    switch (ep->kind) {
    case BM_EP_INPUT: put_escaped(b, bm_machine_input_name(m, ep->index)); break;
    case BM_EP_OUTPUT: put_escaped(b, bm_machine_output_name(m, ep->index)); break;
    default:
        put_escaped(b, bm_core_name(bm_machine_core(m, ep->index)));
        bm_buf_printf(b, ".%c%u", ep->kind == BM_EP_CORE_IN ? 'i' : 'o', ep->port);
        break;
    }
}

static void write_core(bm_buf *b, const bm_core *c)
{
    const bm_core_params *p = bm_core_get_params(c);
    bm_buf_puts(b, "  <core name=\"");
    put_escaped(b, bm_core_name(c));
    bm_buf_printf(b,
                  "\" width=\"%u\" registers=\"%u\" rom=\"%u\" ram=\"%u\" inputs=\"%u\" "
                  "outputs=\"%u\"",
                  p->width, p->registers, p->rom_depth, p->ram_depth, p->inputs, p->outputs);
    /* frac is written only when fixed-point opcodes need it, so machines
     * without them keep the short form. */
    if (p->frac)
        bm_buf_printf(b, " frac=\"%u\"", p->frac);
    /* likewise mul: only a variant other than the default is written */
    if (p->mul != BM_MUL_COMB && bm_mul_variant_get(p->mul))
        bm_buf_printf(b, " mul=\"%s\"", bm_mul_variant_get(p->mul)->name);
    if (p->fetch != BM_FETCH_DIRECT && bm_fetch_kind_get(p->fetch))
        bm_buf_printf(b, " fetch=\"%s\"", bm_fetch_kind_get(p->fetch)->name);
    if (p->queue != 1)
        bm_buf_printf(b, " queue=\"%u\"", p->queue);
    if (p->forward)
        bm_buf_printf(b, " forward=\"o%u\"", p->forward_out);
    if (p->forward && p->forward_queue != 2)
        bm_buf_printf(b, " forward-queue=\"%u\"", p->forward_queue);
    bm_buf_puts(b, ">\n");
    bm_buf_puts(b, "    <opcodes>");
    const bm_opcode_set *set = bm_core_opcodes(c);
    int first = 1;
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        if (!bm_opcode_set_has(set, id))
            continue;
        bm_buf_printf(b, "%s%s", first ? "" : " ", bm_isa_get(id)->mnemonic);
        first = 0;
    }
    bm_buf_puts(b, "</opcodes>\n    <program>\n");
    for (unsigned pc = 0; pc < bm_core_program_length(c); pc++) {
        char text[200];
        bm_insn_format(text, sizeof text, bm_core_insn(c, pc));
        bm_buf_puts(b, "      <i>");
        put_escaped(b, text);
        bm_buf_puts(b, "</i>\n");
    }
    bm_buf_puts(b, "    </program>\n");
    unsigned n = bm_core_ram_init_count(c);
    if (n) {
        const uint64_t *w = bm_core_ram_init(c);
        bm_buf_puts(b, "    <ram-init>");
        for (unsigned i = 0; i < n; i++) {
            if (i % 8 == 0)
                bm_buf_puts(b, "\n      ");
            else
                bm_buf_puts(b, " ");
            bm_buf_printf(b, "%" PRIu64, w[i]);
        }
        bm_buf_puts(b, "\n    </ram-init>\n");
    }
    bm_buf_puts(b, "  </core>\n");
}

int bm_machine_write_memory(const bm_machine *m, char **out, size_t *size)
{
    bm_ctx *ctx = bm_machine_ctx(m);
    *out = NULL;
    if (!bm_machine_is_valid(m)) {
        bm_error(ctx, bm_machine_loc(m),
                 "machine '%s' is not valid: validate it before writing (bm_machine_validate)",
                 bm_machine_name(m));
        return BM_EINVAL;
    }
    bm_buf b;
    bm_buf_init(&b, ctx);
    bm_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    bm_buf_printf(&b, "<machine format=\"%d\" name=\"", BM_FORMAT_VERSION);
    put_escaped(&b, bm_machine_name(m));
    bm_buf_puts(&b, "\">\n");
    for (unsigned i = 0; i < bm_machine_input_count(m); i++) {
        bm_buf_puts(&b, "  <input name=\"");
        put_escaped(&b, bm_machine_input_name(m, i));
        bm_buf_printf(&b, "\" width=\"%u\"/>\n", bm_machine_input_width(m, i));
    }
    for (unsigned i = 0; i < bm_machine_output_count(m); i++) {
        bm_buf_puts(&b, "  <output name=\"");
        put_escaped(&b, bm_machine_output_name(m, i));
        bm_buf_printf(&b, "\" width=\"%u\"/>\n", bm_machine_output_width(m, i));
    }
    for (unsigned i = 0; i < bm_machine_core_count(m); i++)
        write_core(&b, bm_machine_core(m, i));
    for (unsigned i = 0; i < bm_machine_bond_count(m); i++) {
        bm_endpoint ep;
        bm_buf_puts(&b, "  <bond from=\"");
        bm_machine_bond_source(m, i, &ep); /* cannot fail: m is valid */
        put_endpoint(&b, m, &ep);
        bm_buf_puts(&b, "\" to=\"");
        for (unsigned k = 0; k < bm_machine_bond_sink_count(m, i); k++) {
            if (k)
                bm_buf_puts(&b, " ");
            bm_machine_bond_sink(m, i, k, &ep);
            put_endpoint(&b, m, &ep);
        }
        bm_buf_puts(&b, "\"/>\n");
    }
    bm_buf_puts(&b, "</machine>\n");
    *out = bm_buf_take(&b, size);
    return *out ? BM_OK : bm_oom(ctx);
}

void bm_xml_buffer_free(bm_ctx *ctx, char *buf)
{
    bm_free(ctx, buf);
}

int bm_output_add_machine(bm_output *o, const bm_machine *m, const char *path)
{
    if (!o || !m || !path)
        return BM_EINVAL;
    char *text;
    size_t len;
    int r = bm_machine_write_memory(m, &text, &len);
    if (r)
        return r;
    r = bm_output_add_file(o, path, text, len);
    bm_free(bm_machine_ctx(m), text);
    return r;
}

int bm_machine_write_file(const bm_machine *m, const char *path)
{
    if (!m || !path)
        return BM_EINVAL;
    bm_output *o;
    int r = bm_output_new(&o, bm_machine_ctx(m));
    if (!r)
        r = bm_output_add_machine(o, m, path);
    if (!r)
        r = bm_output_commit(o);
    bm_output_free(o);
    return r;
}

int bm_machine_write_stream(const bm_machine *m, FILE *stream)
{
    char *text;
    size_t len;
    int r = bm_machine_write_memory(m, &text, &len);
    if (r)
        return r;
    if (fwrite(text, 1, len, stream) != len)
        r = BM_EIO;
    bm_free(bm_machine_ctx(m), text);
    return r;
}
