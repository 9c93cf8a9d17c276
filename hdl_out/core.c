/* The Verilog module of one core, written from its plan (core_plan.c).
 *
 * Microarchitecture (docs/verilog.md draws it): one instruction per cycle
 * with no visible pipeline.  The instruction of the next cycle is fetched
 * from the ROM at fetch_pc, the jump target when the current instruction
 * jumps and pc + 1 otherwise; every fetch register loads only when the
 * current instruction completes (fetch_en), so a stall simply repeats it.
 * The ROM and the decoder are in core_fetch.c; this file writes the rest:
 * the datapath, the handshakes and the state.
 *
 * The sections of the module, in file order:
 *   ports; state declarations; register reads, function units and the
 *   values written; handshakes, stall and write enables; jumps; fetch and
 *   decode; the register file, output holding registers, RAM; unused inputs.
 */
#include <string.h>

#include "core.h"

/* ---- names and values ------------------------------------------------------ */

const char *bm_hdl_flag(ce *e, unsigned local)
{
    e->flag_used[local] = 1;
    return e->pl->op[local].flag;
}

static const char *flag(ce *e, unsigned local)
{
    return bm_hdl_flag(e, local);
}

static void reg_text(bm_buf *b, uint64_t number)
{
    bm_buf_printf(b, "r%llu", (unsigned long long)number);
}

static void value_text(ce *e, bm_buf *b, hdl_value v)
{
    hdl_core_plan *pl = e->pl;
    switch (v.kind) {
    case HV_ZERO: bm_hdl_lit(b, e->W, 0); break;
    case HV_READ: {
        const hdl_read *r = &pl->reads[v.index];
        if (r->n_regs == 1)
            reg_text(b, r->regs[0]);
        else
            bm_buf_puts(b, r->name);
        break;
    }
    case HV_IMM: {
        const hdl_imm *m = &pl->imms[v.index];
        bm_hdl_zext(b, m->name, m->width, e->W);
        break;
    }
    case HV_INPUT: bm_buf_printf(b, "i%u_data", v.index); break;
    case HV_RAM: bm_buf_puts(b, "ram_rdata"); break;
    case HV_UNIT: bm_buf_puts(b, pl->units[v.index].name); break;
    }
}

/* 1 when some instruction of the core reads an input and computes with it
 * (inmacfx, pkmacfx), so that reading an input no longer means passing it
 * on. */
static int computes_on_inputs(const hdl_core_plan *pl)
{
    for (unsigned k = 0; k < pl->enc.n_opcodes; k++) {
        const bm_opcode_def *d = bm_isa_get(pl->enc.opcode_id[k]);
        if (pl->op[k].used && bm_io_reads_input(d->io) && d->alu != BM_ALU_PASS_B)
            return 1;
    }
    return 0;
}

/* The decoded flag of an instruction reading input port i: take_iN,
 * look_iN, or read_iN (either) when some instructions take it and some
 * look. */
static void read_flag(ce *e, bm_buf *b, unsigned i)
{
    unsigned how = e->pl->in_read[i];
    bm_buf_printf(b,
                  how == (HDL_IN_TAKE | HDL_IN_LOOK) ? "read_i%u"
                  : how == HDL_IN_LOOK               ? "look_i%u"
                                                     : "take_i%u",
                  i);
}

/* The condition that selects a mux input: its opcodes' flags, or the take
 * flag of its input port (and, when other instructions also take inputs to
 * compute with them, the flags of the opcodes that pass the input on).
 * plain_take: the mux chooses among input ports only, so the take flag
 * alone picks the port taken; what it gives while no instruction of its own
 * runs is never used (its register or unit is written or read under that
 * instruction's flag only).  Over the same ports the mux is then the same
 * expression as the forward's data, which synthesis builds once (opt_merge)
 * instead of twice: 16 bits from 32 ports, about 200 LUT6 fewer. */
static void cand_cond(ce *e, bm_buf *b, const hdl_cand *c, int plain_take)
{
    int with_ops = 0;
    if (c->value.kind == HV_INPUT) {
        if (plain_take || !computes_on_inputs(e->pl)) {
            read_flag(e, b, c->value.index);
            return;
        }
        bm_buf_puts(b, "(");
        read_flag(e, b, c->value.index);
        bm_buf_puts(b, " & ");
        with_ops = 1;
    }
    unsigned n = bm_opcode_set_count(&c->ops), k = 0;
    if (n > 1)
        bm_buf_puts(b, "(");
    for (unsigned i = 0; i < BM_OPCODE_MAX; i++) {
        if (bm_opcode_set_has(&c->ops, i))
            bm_buf_printf(b, "%s%s", k++ ? " | " : "", flag(e, i));
    }
    if (n > 1)
        bm_buf_puts(b, ")");
    if (with_ops)
        bm_buf_puts(b, ")");
}

/* A mux as an expression.  Its conditions are exclusive (one instruction
 * at a time, and it takes at most one input port), so from three inputs on
 * it is an AND-OR, ({W{c0}} & v0) | ({W{c1}} & v1) | ..., which synthesis
 * builds as a tree of depth log(n) (a 60-input port mux as a priority
 * chain c0 ? v0 : c1 ? v1 : ... was 30 LUT levels on the iCE40); with two
 * inputs it is c0 ? v0 : v1, the last input being what the register
 * takes when it is written and c0 does not hold. */
static void mux_text(ce *e, bm_buf *b, const hdl_mux *m, const char *indent)
{
    if (m->n == 0) {
        bm_hdl_lit(b, e->W, 0);
        return;
    }
    int inputs_only = 1;
    for (size_t i = 0; i < m->n; i++)
        inputs_only &= m->c[i].value.kind == HV_INPUT;
    if (m->n >= 3) {
        for (size_t i = 0; i < m->n; i++) {
            if (i)
                bm_buf_printf(b, " |\n%s", indent);
            bm_buf_printf(b, "({%u{", e->W);
            cand_cond(e, b, &m->c[i], inputs_only);
            bm_buf_puts(b, "}} & ");
            value_text(e, b, m->c[i].value);
            bm_buf_puts(b, ")");
        }
        return;
    }
    for (size_t i = 0; i + 1 < m->n; i++) {
        cand_cond(e, b, &m->c[i], inputs_only);
        bm_buf_puts(b, " ? ");
        value_text(e, b, m->c[i].value);
        bm_buf_printf(b, " :\n%s", indent);
    }
    value_text(e, b, m->c[m->n - 1].value);
}

/* `wire [W-1:0] name = <mux>;` */
static void wire_mux(ce *e, const char *name, const hdl_mux *m)
{
    bm_buf_puts(&e->body, "    wire ");
    bm_hdl_range(&e->body, e->W);
    bm_buf_printf(&e->body, "%s =", name);
    bm_buf_puts(&e->body, m->n > 1 ? "\n        " : " ");
    mux_text(e, &e->body, m, "        ");
    bm_buf_puts(&e->body, ";\n");
}

/* Bits of the instruction word (a scalar when it is one bit wide). */
static void word_slice(ce *e, bm_buf *b, const char *word, unsigned lsb, unsigned width)
{
    if (e->pl->enc.insn_width == 1)
        bm_buf_puts(b, word);
    else
        bm_hdl_slice(b, word, lsb, width);
}

/* A field of the decoded word; marks its bits used. */
void bm_hdl_field(ce *e, bm_buf *b, unsigned lsb, unsigned width)
{
    for (unsigned i = 0; i < width; i++)
        e->word_bit_used[lsb + i] = 1;
    word_slice(e, b, e->word, lsb, width);
}

void bm_hdl_operand_field(ce *e, unsigned local, unsigned k, unsigned *lsb, unsigned *width)
{
    bm_encoding_operand_field(&e->pl->enc, e->pl->op[local].id, k, lsb, width);
}

/* ---- done and write conditions ---------------------------------------------- */

/* What must hold for an instruction of opcode `local` to complete this
 * cycle; NULL when it always does. */
const char *bm_hdl_done_cond(ce *e, unsigned local)
{
    const bm_opcode_def *d = e->pl->op[local].d;
    if (d->flow == BM_FLOW_HALT)
        return "1'b0";
    if (e->pl->op[local].cycles > 1)
        return "mc_last";
    switch (d->io) {
    case BM_IO_IN_WAIT: return "in_xfer";
    case BM_IO_IN_PEEK: return "in_look";
    case BM_IO_OUT_WAIT: return "out_done";
    case BM_IO_OUT_POST: return "~give_full";
    default: return NULL;
    }
}

/* What must hold for it to write its destination this cycle. */
static const char *write_cond(ce *e, unsigned local)
{
    if (e->pl->op[local].d->io == BM_IO_IN_TRY)
        return "in_xfer";
    return bm_hdl_done_cond(e, local);
}

/* The write condition shared by the opcodes in `ops`: "" when they all write
 * unconditionally, "(cond)" when they share one condition, else an OR of
 * flag & condition terms. */
static void write_enable(ce *e, bm_buf *b, const bm_opcode_set *ops)
{
    const char *common = NULL;
    int mixed = 0, first = 1;
    for (unsigned i = 0; i < BM_OPCODE_MAX; i++) {
        if (!bm_opcode_set_has(ops, i))
            continue;
        const char *w = write_cond(e, i);
        if (first)
            common = w;
        else if ((w == NULL) != (common == NULL) || (w && strcmp(w, common) != 0))
            mixed = 1;
        first = 0;
    }
    if (!mixed) {
        if (common)
            bm_buf_printf(b, " & %s", common);
        return;
    }
    bm_buf_puts(b, " & (");
    int k = 0;
    for (unsigned i = 0; i < BM_OPCODE_MAX; i++) {
        if (!bm_opcode_set_has(ops, i))
            continue;
        const char *w = write_cond(e, i);
        if (w)
            bm_buf_printf(b, "%s(%s & %s)", k++ ? " | " : "", flag(e, i), w);
        else
            bm_buf_printf(b, "%s%s", k++ ? " | " : "", flag(e, i));
    }
    bm_buf_puts(b, ")");
}

/* ---- datapath ----------------------------------------------------------------- */

static void emit_reads(ce *e)
{
    hdl_core_plan *pl = e->pl;
    int any = 0;
    for (size_t i = 0; i < pl->n_reads; i++) {
        const hdl_read *r = &pl->reads[i];
        if (r->n_regs < 2)
            continue;
        if (!any++)
            bm_buf_puts(&e->body, "\n    // ---- Register reads: each over the registers the program reads there\n");
        if (r->n_regs == 2) {
            bm_buf_puts(&e->body, "    wire ");
            bm_hdl_range(&e->body, e->W);
            bm_buf_printf(&e->body, "%s = sel_%s ? ", r->name, r->name + 3);
            reg_text(&e->body, r->regs[1]);
            bm_buf_puts(&e->body, " : ");
            reg_text(&e->body, r->regs[0]);
            bm_buf_puts(&e->body, ";\n");
            continue;
        }
        bm_buf_puts(&e->decl, "    reg  ");
        bm_hdl_range(&e->decl, e->W);
        bm_buf_printf(&e->decl, "%s;\n", r->name);
        bm_buf_printf(&e->body, "    always @(*) begin\n        case (sel_%s)\n", r->name + 3);
        for (size_t k = 0; k < r->n_regs; k++) {
            bm_buf_puts(&e->body, "            ");
            if (k + 1 < r->n_regs)
                bm_hdl_lit(&e->body, r->sel_width, k);
            else
                bm_buf_puts(&e->body, "default");
            bm_buf_printf(&e->body, ": %s = ", r->name);
            reg_text(&e->body, r->regs[k]);
            bm_buf_puts(&e->body, ";\n");
        }
        bm_buf_puts(&e->body, "        endcase\n    end\n");
    }
}

/* Whether a W-bit address can point past the RAM. */
static int ram_needs_range_check(const hdl_core_plan *pl)
{
    return pl->width >= 64 || (uint64_t)pl->p->ram_depth < (UINT64_C(1) << pl->width);
}

static void emit_ram_read(ce *e)
{
    hdl_core_plan *pl = e->pl;
    if (!pl->has_ram)
        return;
    unsigned W = e->W, depth = pl->p->ram_depth, ib = bm_bits_for(depth);
    int check = ram_needs_range_check(pl);
    bm_buf *b = &e->body;
    bm_buf_printf(b, "\n    // ---- RAM: %u words, addressed by a register's full value%s\n", depth,
                  check ? "; beyond the last word reads 0 and ignores stores" : "");
    bm_buf_puts(b, "    wire ");
    bm_hdl_range(b, W);
    bm_buf_puts(b, "ram_addr = ");
    hdl_value a = {HV_READ, pl->ram_addr_read};
    value_text(e, b, a);
    bm_buf_puts(b, ";\n");
    if (check) {
        bm_buf_puts(b, "    wire ram_in_range = ram_addr < ");
        bm_hdl_lit(b, W, depth);
        bm_buf_puts(b, ";\n");
    }
    if (ib > 0) {
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, ib);
        bm_buf_puts(b, "ram_index = ");
        if (ib == W)
            bm_buf_puts(b, "ram_addr"); /* all of it: a 1-bit word has no bits to select */
        else if (ib < W)
            bm_hdl_slice(b, "ram_addr", 0, ib);
        else
            bm_hdl_zext(b, "ram_addr", W, ib);
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(&e->decl, "    reg  ");
    bm_hdl_range(&e->decl, W);
    bm_buf_printf(&e->decl, "ram [0:%u];\n", depth - 1);
    if (pl->ram_load) {
        bm_buf_puts(&e->decl, "    reg  ");
        bm_hdl_range(&e->decl, W);
        bm_buf_puts(&e->decl, "ram_q;        // the word read at the last edge\n");
        if (check) {
            bm_buf_puts(&e->decl, "    reg  ram_q_outside;  // ram_q's address was beyond the RAM\n");
            bm_buf_puts(b, "    wire ");
            bm_hdl_range(b, W);
            bm_buf_puts(b, "ram_rdata = ram_q_outside ? ");
            bm_hdl_lit(b, W, 0);
            bm_buf_puts(b, " : ram_q;\n");
        } else {
            bm_buf_puts(b, "    wire ");
            bm_hdl_range(b, W);
            bm_buf_puts(b, "ram_rdata = ram_q;\n");
        }
    }
}

static void emit_units(ce *e)
{
    hdl_core_plan *pl = e->pl;
    if (pl->n_units == 0)
        return;
    bm_buf *b = &e->body;
    bm_buf_puts(b, "\n    // ---- Function units: one per ALU operation the program uses\n");
    for (size_t i = 0; i < pl->n_units; i++) {
        const hdl_unit *u = &pl->units[i];
        const char *opname = u->name + 4; /* after "res_" */
        char operand[3][48];
        for (unsigned s = 0; s < 3; s++) {
            operand[s][0] = '\0';
            if (!bm_hdl_alu_uses(u->alu, s) || u->in[s].n == 0)
                continue; /* n == 0: a pipelined MAC's accumulator, read at write-back */
            bm_buf t;
            bm_buf_init(&t, e->ctx);
            if (u->in[s].n == 1) {
                value_text(e, &t, u->in[s].c[0].value);
            } else {
                char name[48];
                snprintf(name, sizeof name, "%s_%c", opname, 'a' + s);
                wire_mux(e, name, &u->in[s]);
                bm_buf_puts(&t, name);
            }
            char *txt = bm_buf_take(&t, NULL);
            if (!txt)
                b->failed = 1;
            snprintf(operand[s], sizeof operand[s], "%s", txt ? txt : "");
            bm_free(e->ctx, txt);
        }
        if (bm_hdl_mul_unit(e, u, operand))
            continue;
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, e->W);
        bm_buf_printf(b, "%s = ", u->name);
        bm_hdl_alu_expr(b, u->alu, e->W, operand[0], operand[1], operand[2]);
        bm_buf_puts(b, ";\n");
    }
}

static void emit_next_values(ce *e)
{
    hdl_core_plan *pl = e->pl;
    int any = 0;
    for (size_t i = 0; i < pl->n_regs; i++) {
        const hdl_reg *r = &pl->regs[i];
        if (r->next.n < 2)
            continue;
        if (!any++)
            bm_buf_puts(&e->body, "\n    // ---- Values written to registers with several sources\n");
        char name[40];
        snprintf(name, sizeof name, "r%llu_next", (unsigned long long)r->number);
        wire_mux(e, name, &r->next);
    }
}

/* ---- handshakes and stall ----------------------------------------------------- */

/* The words output port q holds: the forward's own depth, or the core's
 * queue. */
static unsigned port_depth(const hdl_core_plan *pl, unsigned q)
{
    return pl->p->forward && q == pl->p->forward_out ? pl->p->forward_queue : pl->p->queue;
}

/* "the forward's queue is full" (docs/timing.md "Forwarding"): what
 * keeps the core from taking any input. */
static const char *fwd_full(ce *e)
{
    snprintf(e->fwd_full, sizeof e->fwd_full, "%s_o%u",
             port_depth(e->pl, e->pl->p->forward_out) > 1 ? "qfull" : "full",
             e->pl->p->forward_out);
    return e->fwd_full;
}

/* The flags of the opcodes that look at an input (pkmacfx), ORed. */
static void look_flags(ce *e, bm_buf *b)
{
    int k = 0;
    for (unsigned i = 0; i < e->pl->enc.n_opcodes; i++)
        if (e->pl->op[i].used && e->pl->op[i].d->io == BM_IO_IN_PEEK)
            k++;
    if (k > 1)
        bm_buf_puts(b, "(");
    int j = 0;
    for (unsigned i = 0; i < e->pl->enc.n_opcodes; i++)
        if (e->pl->op[i].used && e->pl->op[i].d->io == BM_IO_IN_PEEK)
            bm_buf_printf(b, "%s%s", j++ ? " | " : "", flag(e, i));
    if (k > 1)
        bm_buf_puts(b, ")");
}

static void emit_ports_logic(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->body;
    const bm_core_params *p = pl->p;
    bm_buf_puts(b, "\n    // ---- Ports: valid and ready depend on this core's state only (docs/timing.md)\n");
    for (unsigned i = 0; i < p->inputs; i++) {
        if (pl->in_read[i] != (HDL_IN_TAKE | HDL_IN_LOOK))
            continue;
        /* a port both taken and looked at: its ready, from read_iN and the
         * opcode flags (core_fetch.c registers read_iN only; in_xfer and
         * in_look test read_iN) */
        bm_buf_printf(b, "    wire take_i%u = read_i%u & ~", i, i);
        look_flags(e, b);
        bm_buf_puts(b, ";\n");
    }
    for (unsigned i = 0; i < p->inputs; i++) {
        if ((pl->in_read[i] & HDL_IN_TAKE) && pl->any_fwd)
            bm_buf_printf(b, "    assign i%u_ready = take_i%u & ~%s;  // the forward has room\n", i,
                          i, fwd_full(e));
        else if (pl->in_read[i] & HDL_IN_TAKE)
            bm_buf_printf(b, "    assign i%u_ready = take_i%u;\n", i, i);
        else
            bm_buf_printf(b, "    assign i%u_ready = 1'b0;\n", i);
    }
    for (unsigned q = 0; q < p->outputs; q++) {
        const hdl_outport *o = &pl->outs[q];
        if (o->fwd) {
            bm_buf_printf(b, "    assign o%u_valid = full_o%u;\n    assign o%u_data = %s_o%u;\n", q,
                          q, q, port_depth(pl, q) > 1 ? "head" : "hold", q);
            continue;
        }
        if (o->data.n == 0) {
            bm_buf_printf(b, "    assign o%u_valid = 1'b0;\n    assign o%u_data = ", q, q);
            bm_hdl_lit(b, e->W, 0);
            bm_buf_puts(b, ";\n");
            continue;
        }
        if (o->post) {
            char name[32];
            snprintf(name, sizeof name, "offer_o%u", q);
            wire_mux(e, name, &o->data);
            bm_buf_printf(b, "    assign o%u_valid = give_o%u | full_o%u;\n", q, q, q);
            bm_buf_printf(b, "    assign o%u_data = full_o%u ? %s_o%u : offer_o%u;\n", q, q,
                          port_depth(pl, q) > 1 ? "head" : "hold", q, q);
        } else {
            bm_buf_printf(b, "    assign o%u_valid = give_o%u;\n    assign o%u_data =", q, q, q);
            bm_buf_puts(b, o->data.n > 1 ? "\n        " : " ");
            mux_text(e, b, &o->data, "        ");
            bm_buf_puts(b, ";\n");
        }
    }
}

int bm_hdl_has_stall(ce *e)
{
    for (unsigned i = 0; i < e->pl->enc.n_opcodes; i++)
        if (e->pl->op[i].used && bm_hdl_done_cond(e, i))
            return 1;
    return 0;
}

static void or_terms_begin(bm_buf *b, const char *name)
{
    bm_buf_printf(b, "    wire %s = ", name);
}

/* `wire name = ...`, the OR over the input ports read as `how` (HDL_IN_TAKE:
 * take_iN & iN_valid; HDL_IN_LOOK: look_iN & iN_offered) of the port's
 * flag & iN_SIG (& ~BLOCK), then, for the ports both taken and looked at,
 * the pkmacfx flag (negated for a take) & the OR of their read_iN terms:
 * the opcode flags once, not in every term (a 64-port core would pay a LUT
 * input a port). */
static void port_terms(ce *e, bm_buf *b, const char *name, unsigned how, const char *sig,
                       const char *block)
{
    const hdl_core_plan *pl = e->pl;
    const unsigned both = HDL_IN_TAKE | HDL_IN_LOOK;
    or_terms_begin(b, name);
    int k = 0;
    for (unsigned pass = 0; pass < 2; pass++) {
        int kp = 0;
        for (unsigned i = 0; i < pl->p->inputs; i++) {
            if (pl->in_read[i] != (pass ? both : how))
                continue;
            if (pass && kp == 0) {
                bm_buf_printf(b, "%s(%s", k ? " | " : "", how == HDL_IN_TAKE ? "~" : "");
                look_flags(e, b);
                bm_buf_puts(b, " & (");
            }
            bm_buf_printf(b, "%s(%s_i%u & i%u_%s", (pass ? kp : k) ? " | " : "",
                          pass ? "read" : how == HDL_IN_TAKE ? "take" : "look", i, i, sig);
            if (block)
                bm_buf_printf(b, " & ~%s", block);
            bm_buf_puts(b, ")");
            k++;
            kp++;
        }
        if (pass && kp)
            bm_buf_puts(b, "))");
    }
}

static void emit_handshake(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->body;
    const bm_core_params *p = pl->p;
    int k;
    if (pl->any_in) {
        port_terms(e, b, "in_xfer", HDL_IN_TAKE, "valid", pl->any_fwd ? fwd_full(e) : NULL);
        bm_buf_puts(b, ";  // the input named by the instruction transfers\n");
    }
    if (pl->any_look) {
        port_terms(e, b, "in_look", HDL_IN_LOOK, "offered", NULL);
        bm_buf_puts(b, ";  // the input looked at is offered (pkmacfx: not taken)\n");
    }
    if (pl->any_fwd) {
        /* the forward: what is taken, from whichever port, joins the queue
         * (never offered in the cycle it is taken) */
        unsigned q = p->forward_out;
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, e->W);
        bm_buf_printf(b, "offer_o%u =", q);
        int n_in = 0;
        for (unsigned i = 0; i < p->inputs; i++)
            n_in += (pl->in_read[i] & HDL_IN_TAKE) != 0;
        if (n_in == 1) {
            for (unsigned i = 0; i < p->inputs; i++)
                if (pl->in_read[i] & HDL_IN_TAKE)
                    bm_buf_printf(b, " i%u_data;  // forwarded\n", i);
        } else {
            int k2 = 0;
            for (unsigned i = 0; i < p->inputs; i++)
                if (pl->in_read[i] & HDL_IN_TAKE) {
                    /* read_iN where the port is also looked at: pushed only
                     * by a take, and then the same AND-OR as the
                     * multiplier's operand, which synthesis builds once */
                    bm_buf_printf(b, "%s({%u{", k2++ ? " |\n        " : "\n        ", e->W);
                    read_flag(e, b, i);
                    bm_buf_printf(b, "}} & i%u_data)", i);
                }
            bm_buf_puts(b, ";  // forwarded: the port taken\n");
        }
        if (port_depth(pl, q) > 1) {
            bm_buf_printf(b, "    wire pop_o%u = full_o%u & o%u_ready;\n", q, q, q);
            bm_buf_printf(b, "    wire push_o%u = in_xfer;\n", q);
        } else {
            bm_buf_printf(b, "    wire park_o%u = in_xfer;\n", q);
        }
    }
    if (pl->any_wait_out) {
        or_terms_begin(b, "out_done");
        k = 0;
        for (unsigned q = 0; q < p->outputs; q++) {
            const hdl_outport *o = &pl->outs[q];
            if (!o->wait)
                continue;
            bm_buf_printf(b, "%s(give_o%u", k++ ? " | " : "", q);
            if (o->post)
                bm_buf_printf(b, " & ~full_o%u", q);
            bm_buf_printf(b, " & o%u_ready)", q);
        }
        bm_buf_puts(b, ";  // a waiting output is taken\n");
    }
    if (pl->any_post) {
        or_terms_begin(b, "give_full");
        k = 0;
        for (unsigned q = 0; q < p->outputs; q++)
            if (pl->outs[q].post)
                bm_buf_printf(b, "%s(give_o%u & %s_o%u)", k++ ? " | " : "", q,
                              port_depth(pl, q) > 1 ? "qfull" : "full", q);
        bm_buf_puts(b, ";  // the output named is still busy\n");
        for (unsigned q = 0; q < p->outputs; q++) {
            if (!pl->outs[q].post)
                continue;
            if (port_depth(pl, q) > 1) {
                /* the value joins the queue unless it goes straight out */
                bm_buf_printf(b, "    wire pop_o%u = full_o%u & o%u_ready;\n", q, q, q);
                bm_buf_printf(b, "    wire push_o%u = give_o%u & ~qfull_o%u & (full_o%u | ~o%u_ready) & ",
                              q, q, q, q, q);
            } else {
                bm_buf_printf(b, "    wire park_o%u = give_o%u & ~full_o%u & ~o%u_ready & ", q, q, q,
                              q);
            }
            bm_opcode_set posts;
            bm_opcode_set_clear(&posts);
            for (unsigned i = 0; i < pl->enc.n_opcodes; i++)
                if (pl->op[i].used && pl->op[i].d->io == BM_IO_OUT_POST)
                    bm_opcode_set_add(&posts, i);
            hdl_cand c;
            memset(&c, 0, sizeof c);
            c.value.kind = HV_ZERO;
            c.ops = posts;
            cand_cond(e, b, &c, 0);
            bm_buf_puts(b, ";\n");
        }
    }
    if (pl->max_cycles > 1) {
        unsigned cw = bm_bits_for(pl->max_cycles);
        or_terms_begin(b, "mc_last");
        k = 0;
        for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
            const hdl_op *op = &pl->op[i];
            if (!op->used || op->cycles < 2)
                continue;
            bm_buf_printf(b, "%s(%s & (mc_count == ", k++ ? " | " : "", flag(e, i));
            bm_hdl_lit(b, cw, op->cycles - 1);
            bm_buf_puts(b, "))");
        }
        bm_buf_puts(b, ";  // the last cycle of a multi-cycle instruction\n");
    }

    /* fetch_en: the current instruction completes this cycle, unless one of
     * the opcodes that can wait is current and its completion condition is
     * false (a stall).  Written as a product of "not this stall" terms, not
     * as ~stall: yosys puts the inverter of ~stall into every flip-flop's
     * enable and legalizes each with a LUT of its own (jet's broadcast
     * second-layer core: 88 LUT6 with ~stall, 61 without). */
    if (!bm_hdl_has_stall(e))
        return;
    bm_buf_puts(b, "    // the instruction completes: fetch the next\n");
    bm_buf_puts(b, e->pl->registered ? "    wire fetch_en = " : "    wire fetch_en = rst | (");
    k = 0;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
        const char *dc = pl->op[i].used ? bm_hdl_done_cond(e, i) : NULL;
        if (!dc)
            continue;
        const char *sep = k++ ? "\n                    & " : "";
        if (dc[0] == '~')
            bm_buf_printf(b, "%s~(%s & %s)", sep, flag(e, i), dc + 1);
        else if (strcmp(dc, "1'b0") != 0)
            bm_buf_printf(b, "%s~(%s & ~%s)", sep, flag(e, i), dc);
        else
            bm_buf_printf(b, "%s~%s", sep, flag(e, i));
    }
    bm_buf_puts(b, e->pl->registered ? ";\n" : ");\n");
}

/* ---- jumps ---------------------------------------------------------------------- */

static void emit_flow(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->body;
    if (!pl->any_jump || pl->pc_width == 0)
        return;
    bm_buf_puts(b, "\n    // ---- Jumps\n");
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
        const hdl_op *op = &pl->op[i];
        if (!op->used || (op->d->flow != BM_FLOW_JUMP_ZERO && op->d->flow != BM_FLOW_JUMP_NONZERO))
            continue;
        hdl_value a = {HV_ZERO, 0};
        if (op->read[0] != HDL_NONE)
            a = (hdl_value){HV_READ, op->read[0]};
        else if (op->imm[0] != HDL_NONE)
            a = (hdl_value){HV_IMM, op->imm[0]};
        else if (op->d->a.kind == BM_SRC_RAM)
            a.kind = HV_RAM;
        bm_buf_printf(b, "    wire zero_%s = ", op->d->mnemonic);
        value_text(e, b, a);
        bm_buf_puts(b, " == ");
        bm_hdl_lit(b, e->W, 0);
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(b, "    wire taken = ");
    int k = 0;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
        const hdl_op *op = &pl->op[i];
        if (!op->used)
            continue;
        const char *sep = k ? " | " : "";
        switch (op->d->flow) {
        case BM_FLOW_JUMP: bm_buf_printf(b, "%s%s", sep, flag(e, i)); k++; break;
        case BM_FLOW_JUMP_ZERO:
            bm_buf_printf(b, "%s(%s & zero_%s)", sep, flag(e, i), op->d->mnemonic);
            k++;
            break;
        case BM_FLOW_JUMP_NONZERO:
            bm_buf_printf(b, "%s(%s & ~zero_%s)", sep, flag(e, i), op->d->mnemonic);
            k++;
            break;
        default: break;
        }
    }
    bm_buf_puts(b, ";\n");
}

/* ---- state updates ------------------------------------------------------------------ */

static void emit_regfile(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->regs;
    if (pl->n_regs == 0)
        return;
    e->uses_clk = 1;
    bm_buf_puts(b, "\n    // ---- Registers the program names (one it never writes keeps its 0)\n");
    bm_buf_puts(b, "    always @(posedge clk) begin\n        if (rst) begin\n");
    for (size_t i = 0; i < pl->n_regs; i++) {
        bm_buf_printf(b, "            r%llu <= ", (unsigned long long)pl->regs[i].number);
        bm_hdl_lit(b, e->W, 0);
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(b, pl->n_written ? "        end else begin\n" : "        end\n");
    for (size_t i = 0; i < pl->n_regs; i++) {
        const hdl_reg *r = &pl->regs[i];
        unsigned long long n = (unsigned long long)r->number;
        if (r->next.n == 0)
            continue; /* never written, or only by the pipelined multiplier */
        bm_buf_printf(b, "            if (wr_r%llu", n);
        write_enable(e, b, &r->writers);
        bm_buf_printf(b, ") r%llu <= ", n);
        if (r->next.n > 1)
            bm_buf_printf(b, "r%llu_next", n);
        else
            value_text(e, b, r->next.c[0].value);
        bm_buf_puts(b, ";\n");
    }
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_dst)
            bm_hdl_mul_writeback(e, b, &pl->regs[i]);
    if (pl->n_written)
        bm_buf_puts(b, "        end\n");
    bm_buf_puts(b, "    end\n");
}

/* Output port q's queue (core parameter queue > 1): a shift register that
 * takes a pushed value at queue_oq_0, and a count; the oldest value,
 * queue_oq_(cnt-1), is offered.  A push and a pop in one cycle shift and
 * keep the count, so the next oldest moves into the head's place. */
static void emit_queue(ce *e, unsigned q)
{
    bm_buf *b = &e->regs;
    unsigned depth = port_depth(e->pl, q), cw = bm_bits_for((uint64_t)depth + 1);
    bm_buf_printf(b,
                  "    always @(posedge clk) begin\n"
                  "        if (rst) cnt_o%u <= %u'd0;\n"
                  "        else if (push_o%u & ~pop_o%u) cnt_o%u <= cnt_o%u + %u'd1;\n"
                  "        else if (pop_o%u & ~push_o%u) cnt_o%u <= cnt_o%u - %u'd1;\n"
                  "    end\n"
                  "    always @(posedge clk) begin\n"
                  "        if (push_o%u) begin\n"
                  "            queue_o%u_0 <= offer_o%u;\n",
                  q, cw, q, q, q, q, cw, q, q, q, q, cw, q, q, q);
    for (unsigned i = 1; i < depth; i++)
        bm_buf_printf(b, "            queue_o%u_%u <= queue_o%u_%u;\n", q, i, q, i - 1);
    bm_buf_printf(b,
                  "        end\n"
                  "    end\n"
                  "    always @(*) begin\n"
                  "        case (cnt_o%u)\n",
                  q);
    for (unsigned i = 2; i <= depth; i++)
        bm_buf_printf(b, "            %u'd%u: head_o%u = queue_o%u_%u;\n", cw, i, q, q, i - 1);
    bm_buf_printf(b,
                  "            default: head_o%u = queue_o%u_0;\n"
                  "        endcase\n"
                  "    end\n",
                  q, q);
}

static void emit_holds(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->regs;
    if (!pl->any_post && !pl->any_fwd)
        return;
    e->uses_clk = 1;
    /* the header names the posted ports' depth (the forward's when there
     * are none; a forward of another depth says its own below) */
    unsigned depth = pl->any_post ? pl->p->queue : port_depth(pl, pl->p->forward_out);
    if (depth > 1)
        bm_buf_printf(b, "\n    // ---- Output queues of %u words: posted values wait here, oldest first,\n"
                         "    // until taken (queue_oN_0 the newest, the oldest at cnt_oN - 1)\n",
                      depth);
    else
        bm_buf_puts(b, "\n    // ---- Output holding registers: a posted value waits here until taken\n");
    for (unsigned q = 0; q < pl->p->outputs; q++) {
        if (!pl->outs[q].post && !pl->outs[q].fwd)
            continue;
        if (pl->outs[q].fwd)
            bm_buf_printf(b, "    // o%u is the forward: every value taken waits here (%u word%s)\n", q,
                          port_depth(pl, q), port_depth(pl, q) == 1 ? "" : "s");
        if (port_depth(pl, q) > 1) {
            emit_queue(e, q);
            continue;
        }
        bm_buf_printf(b,
                      "    always @(posedge clk) begin\n"
                      "        if (rst) full_o%u <= 1'b0;\n"
                      "        else if (full_o%u) full_o%u <= ~o%u_ready;\n"
                      "        else full_o%u <= park_o%u;\n"
                      "    end\n"
                      "    always @(posedge clk) begin\n"
                      "        if (park_o%u) hold_o%u <= offer_o%u;\n"
                      "    end\n",
                      q, q, q, q, q, q, q, q, q);
    }
}

static void emit_multicycle(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->regs;
    if (pl->max_cycles < 2)
        return;
    unsigned cw = bm_bits_for(pl->max_cycles);
    e->uses_clk = 1;
    bm_buf_puts(b, "\n    // ---- Cycle count of a multi-cycle instruction\n");
    bm_buf_puts(b, "    always @(posedge clk) begin\n        if (rst) mc_count <= ");
    bm_hdl_lit(b, cw, 0);
    bm_buf_puts(b, ";\n        else if (");
    int k = 0;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++)
        if (pl->op[i].used && pl->op[i].cycles > 1)
            bm_buf_printf(b, "%s%s", k++ ? " | " : "", flag(e, i));
    bm_buf_puts(b, ") mc_count <= mc_last ? ");
    bm_hdl_lit(b, cw, 0);
    bm_buf_puts(b, " : mc_count + ");
    bm_hdl_lit(b, cw, 1);
    bm_buf_puts(b, ";\n    end\n");
}

static void emit_ram(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->regs;
    if (!pl->has_ram)
        return;
    unsigned W = e->W, depth = pl->p->ram_depth;
    unsigned ninit = bm_core_ram_init_count(pl->core);
    const uint64_t *init = bm_core_ram_init(pl->core);
    int check = ram_needs_range_check(pl);
    const char *index = bm_bits_for(depth) ? "ram_index" : "0";
    e->uses_clk = 1;
    bm_buf_puts(b, "\n    // ---- RAM contents: set at configuration, not changed by reset\n");
    if (ninit < depth)
        bm_buf_puts(b, "    integer ram_i;\n");
    bm_buf_puts(b, "    initial begin\n");
    if (ninit < depth) {
        bm_buf_printf(b, "        for (ram_i = %u; ram_i < %u; ram_i = ram_i + 1)\n", ninit, depth);
        bm_buf_puts(b, "            ram[ram_i] = ");
        bm_hdl_lit(b, W, 0);
        bm_buf_puts(b, ";\n");
    }
    for (unsigned i = 0; i < ninit; i++) {
        bm_buf_printf(b, "        ram[%u] = ", i);
        bm_hdl_lit(b, W, init[i]);
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(b, "    end\n");
    if (pl->ram_store) {
        bm_opcode_set stores;
        bm_opcode_set_clear(&stores);
        for (unsigned i = 0; i < pl->enc.n_opcodes; i++)
            if (pl->op[i].used && pl->op[i].d->dst == BM_DST_RAM)
                bm_opcode_set_add(&stores, i);
        hdl_cand c;
        memset(&c, 0, sizeof c);
        c.ops = stores;
        bm_buf_puts(b, "    wire ram_we = ");
        cand_cond(e, b, &c, 0);
        write_enable(e, b, &stores);
        if (check)
            bm_buf_puts(b, " & ram_in_range");
        bm_buf_puts(b, ";\n    always @(posedge clk) begin\n");
        bm_buf_printf(b, "        if (ram_we) ram[%s] <= ", index);
        mux_text(e, b, &pl->ram_wdata, "            ");
        bm_buf_puts(b, ";\n    end\n");
    }
    if (pl->ram_load) {
        bm_buf_printf(b, "    always @(posedge clk) begin\n        ram_q <= ram[%s];\n", index);
        if (check)
            bm_buf_puts(b, "        ram_q_outside <= ~ram_in_range;\n");
        bm_buf_puts(b, "    end\n");
    }
}

/* ---- declarations, summary and assembly ------------------------------------------------ */

static void emit_ports(ce *e, bm_buf *b)
{
    const bm_core_params *p = e->pl->p;
    unsigned W = e->W;
    char range[32] = "";
    if (W > 1)
        snprintf(range, sizeof range, "[%u:0] ", W - 1);
    bm_buf_puts(b, " (\n    input  wire clk,\n    input  wire rst");
    for (unsigned i = 0; i < p->inputs; i++) {
        bm_buf_printf(b,
                      ",\n    input  wire %si%u_data,\n    input  wire i%u_valid,\n"
                      "    output wire i%u_ready",
                      range, i, i, i);
        /* a port pkmacfx looks at also sees its source's own valid: on a
         * bond to several sinks iN_valid waits for the others' ready */
        if (e->pl->in_read[i] & HDL_IN_LOOK)
            bm_buf_printf(b, ",\n    input  wire i%u_offered", i);
    }
    for (unsigned q = 0; q < p->outputs; q++)
        bm_buf_printf(b,
                      ",\n    output wire %so%u_data,\n    output wire o%u_valid,\n"
                      "    input  wire o%u_ready",
                      range, q, q, q);
    bm_buf_puts(b, "\n);\n");
}

static void emit_summary(ce *e, bm_buf *b)
{
    hdl_core_plan *pl = e->pl;
    const bm_core_params *p = pl->p;
    const bm_encoding *enc = &pl->enc;
    bm_buf_printf(b,
                  "    // %u-bit words; %u register%s (%zu named in the program); ROM %u x %u bits (%u used, %s);\n"
                  "    // RAM %u words; %u input%s, %u output%s.\n",
                  p->width, p->registers, p->registers == 1 ? "" : "s", pl->n_regs, p->rom_depth,
                  enc->insn_width, pl->n_program,
                  pl->logic_rom ? "logic" : pl->staged ? "block RAM, staged fetch" : "block RAM",
                  p->ram_depth, p->inputs, p->inputs == 1 ? "" : "s", p->outputs,
                  p->outputs == 1 ? "" : "s");
    bm_buf_puts(b, "    // Opcodes (number: mnemonic):");
    for (unsigned i = 0; i < enc->n_opcodes; i++)
        bm_buf_printf(b, "%s %u: %s%s", i && i % 8 == 0 ? "\n    //  " : "", i,
                      pl->op[i].d->mnemonic, pl->op[i].used ? "" : " (unused)");
    bm_buf_puts(b, ".\n");
}

static void emit_decls(ce *e, bm_buf *b, const dlist *l, const dec *d)
{
    hdl_core_plan *pl = e->pl;
    unsigned W = e->W;
    /* LOGIC: decoded controls are flip-flops; BLOCK: wires decoded from ir */
    const char *kind = pl->registered ? "reg " : "wire";
    bm_buf_puts(b, "\n    // ---- State\n");
    if (pl->pc_width > 0) {
        bm_buf_puts(b, "    reg  ");
        bm_hdl_range(b, pl->pc_width);
        bm_buf_puts(b, "pc;\n");
    }
    if (!pl->logic_rom) {
        bm_buf_puts(b, "    reg  ");
        bm_hdl_range(b, pl->enc.insn_width);
        bm_buf_puts(b, pl->staged ? "ir;  // the next instruction (staged fetch)\n"
                                  : "ir;  // the current instruction\n");
    }
    if (pl->staged) {
        bm_buf_puts(b, "    reg  ");
        bm_hdl_range(b, pl->pc_width);
        bm_buf_puts(b, "ir_pc;  // its address\n");
    }
    int any = 0;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
        int need = pl->registered ? pl->op[i].used && e->flag_used[i] : d->match_used[i];
        if (!need)
            continue;
        if (!any++)
            bm_buf_printf(b, "    // the current instruction, decoded%s\n",
                          pl->registered ? " (registered at fetch)" : "");
        bm_buf_printf(b, "    %s %s;\n", kind, pl->op[i].flag);
    }
    if (!any && l->n)
        bm_buf_printf(b, "    // the current instruction, decoded%s\n",
                      pl->registered ? " (registered at fetch)" : "");
    for (size_t i = 0; i < l->n; i++) {
        bm_buf_printf(b, "    %s ", kind);
        bm_hdl_range(b, l->s[i].width);
        bm_buf_printf(b, "%s;\n", l->s[i].name);
    }
    for (size_t i = 0; i < pl->n_regs; i++) {
        bm_buf_puts(b, "    reg  ");
        bm_hdl_range(b, W);
        bm_buf_printf(b, "r%llu;\n", (unsigned long long)pl->regs[i].number);
    }
    for (unsigned q = 0; q < pl->p->outputs; q++) {
        if (!pl->outs[q].post && !pl->outs[q].fwd)
            continue;
        unsigned depth = port_depth(pl, q);
        if (depth > 1) {
            unsigned cw = bm_bits_for((uint64_t)depth + 1);
            bm_buf_puts(b, "    reg  ");
            bm_hdl_range(b, cw);
            bm_buf_printf(b, "cnt_o%u;  // values queued on o%u (0..%u)\n", q, q, depth);
            for (unsigned i = 0; i < depth; i++) {
                bm_buf_puts(b, "    reg  ");
                bm_hdl_range(b, W);
                bm_buf_printf(b, "queue_o%u_%u;\n", q, i);
            }
            bm_buf_puts(b, "    reg  ");
            bm_hdl_range(b, W);
            bm_buf_printf(b, "head_o%u;  // the oldest\n", q);
            bm_buf_printf(b, "    wire full_o%u = cnt_o%u != %u'd0;  // a value waits\n", q, q, cw);
            bm_buf_printf(b, "    wire qfull_o%u = cnt_o%u == %u'd%u;  // no room\n", q, q, cw, depth);
            continue;
        }
        bm_buf_printf(b, "    reg  full_o%u;\n    reg  ", q);
        bm_hdl_range(b, W);
        bm_buf_printf(b, "hold_o%u;\n", q);
    }
    if (pl->max_cycles > 1) {
        bm_buf_puts(b, "    reg  ");
        bm_hdl_range(b, bm_bits_for(pl->max_cycles));
        bm_buf_puts(b, "mc_count;\n");
    }
}

/* Inputs and instruction bits this core never looks at, so lint stays quiet. */
static void emit_unused(ce *e, bm_buf *b)
{
    hdl_core_plan *pl = e->pl;
    bm_buf list;
    bm_buf_init(&list, e->ctx);
    unsigned iw = pl->enc.insn_width;
    for (unsigned bit = iw; bit-- > 0;) {
        if (e->word_bit_used[bit])
            continue;
        unsigned lo = bit;
        while (lo > 0 && !e->word_bit_used[lo - 1])
            lo--;
        bm_buf_puts(&list, ", ");
        word_slice(e, &list, e->word, lo, bit - lo + 1);
        bit = lo;
    }
    if (pl->staged)
        bm_buf_puts(&list, ", pc"); /* kept for waveforms: a staged fetch follows ir_pc */
    for (size_t i = 0; i < pl->n_regs; i++)
        if (!pl->regs[i].read)
            bm_buf_printf(&list, ", r%llu", (unsigned long long)pl->regs[i].number);
    for (unsigned i = 0; i < pl->p->inputs; i++)
        if (!pl->in_read[i])
            bm_buf_printf(&list, ", i%u_data, i%u_valid", i, i);
        else if (pl->in_read[i] == HDL_IN_LOOK)
            bm_buf_printf(&list, ", i%u_valid", i); /* only looked at: i%u_offered */
    for (unsigned q = 0; q < pl->p->outputs; q++)
        if (!pl->outs[q].wait && !pl->outs[q].post && !pl->outs[q].fwd)
            bm_buf_printf(&list, ", o%u_ready", q);
    if (!e->uses_clk)
        bm_buf_puts(&list, ", clk");
    if (pl->pc_width == 0 && !bm_hdl_has_stall(e) && pl->n_regs == 0 && !pl->any_post && !pl->any_fwd &&
        pl->max_cycles < 2)
        bm_buf_puts(&list, ", rst");
    if (list.failed)
        b->failed = 1;
    else if (list.len)
        bm_buf_printf(b, "\n    // ---- Inputs and instruction bits this program never uses\n"
                         "    wire unused = &{1'b0%s};\n",
                      list.data);
    bm_buf_free(&list);
}

int bm_hdl_core_body(bm_buf *out, bm_ctx *ctx, const bm_core *core, const bm_verilog_options *opt)
{
    hdl_core_plan pl;
    int rc = bm_hdl_plan_core(&pl, ctx, core, opt);
    if (rc) {
        bm_hdl_plan_free(&pl);
        return rc;
    }
    ce e;
    memset(&e, 0, sizeof e);
    e.pl = &pl;
    e.ctx = ctx;
    e.W = pl.width;
    e.word = pl.logic_rom ? "fetch" : "ir";
    e.word_bit_used = bm_calloc(ctx, pl.enc.insn_width, 1);
    if (!e.word_bit_used) {
        bm_hdl_plan_free(&pl);
        return bm_oom(ctx);
    }
    bm_buf_init(&e.decl, ctx);
    bm_buf_init(&e.body, ctx);
    bm_buf_init(&e.regs, ctx);
    bm_buf fetch;
    bm_buf_init(&fetch, ctx);

    /* The datapath and the state updates first: they decide which decoded
     * controls exist. */
    emit_reads(&e);
    emit_ram_read(&e);
    emit_units(&e);
    emit_next_values(&e);
    emit_ports_logic(&e);
    emit_handshake(&e);
    emit_flow(&e);
    emit_regfile(&e);
    emit_holds(&e);
    bm_hdl_mul_pipeline(&e);
    emit_multicycle(&e);
    emit_ram(&e);
    dlist l = {NULL, 0, 0};
    bm_hdl_collect_decoded(&e, &l);
    dec d;
    memset(&d, 0, sizeof d);
    d.e = &e;
    d.pre = pl.registered ? "next_" : "";
    bm_hdl_emit_fetch(&e, &fetch, &l, &d);

    emit_ports(&e, out);
    emit_summary(&e, out);
    emit_decls(&e, out, &l, &d);
    bm_buf_append(out, e.decl.data ? e.decl.data : "", e.decl.len);
    bm_buf_append(out, e.body.data ? e.body.data : "", e.body.len);
    bm_buf_append(out, fetch.data ? fetch.data : "", fetch.len);
    bm_buf_append(out, e.regs.data ? e.regs.data : "", e.regs.len);
    emit_unused(&e, out);
    bm_buf_puts(out, "endmodule\n");

    int failed = e.decl.failed || e.body.failed || e.regs.failed || fetch.failed;
    bm_free(ctx, l.s);
    bm_buf_free(&e.decl);
    bm_buf_free(&e.body);
    bm_buf_free(&e.regs);
    bm_buf_free(&fetch);
    bm_free(ctx, e.word_bit_used);
    bm_hdl_plan_free(&pl);
    return failed ? bm_oom(ctx) : BM_OK;
}
