/* The program ROM and the decoder of a core module (docs/verilog.md, "Fetch",
 * "ROM, two styles", "Decode").
 *
 * fetch_pc is the address of the next cycle's instruction.  A LOGIC ROM is a
 * case statement whose word is decoded before the clock edge and registered
 * (reset loads instruction 0 decoded as constants); a BLOCK ROM is a memory
 * read synchronously into ir and decoded after it.  Each decoded control is
 * an assign over the opcode field and the operand fields, simplified with
 * what the program names (an opcode that only ever writes r0 needs no field
 * compare for wr_r0).
 */
#include <string.h>

#include "core.h"

static void dlist_add(ce *e, dlist *l, const char *name, unsigned width)
{
    if (bm_grow(e->ctx, (void **)&l->s, &l->cap, l->n + 1, sizeof *l->s)) {
        e->body.failed = 1;
        return;
    }
    snprintf(l->s[l->n].name, sizeof l->s[l->n].name, "%s", name);
    l->s[l->n++].width = width;
}

static int jump_field(ce *e, unsigned local, unsigned *lsb, unsigned *width)
{
    const bm_opcode_def *d = e->pl->op[local].d;
    if (d->flow != BM_FLOW_JUMP && d->flow != BM_FLOW_JUMP_ZERO && d->flow != BM_FLOW_JUMP_NONZERO)
        return 0;
    bm_hdl_operand_field(e, local, d->target_operand, lsb, width);
    return 1;
}

static int needs_jump_target(ce *e)
{
    return e->pl->any_jump && e->pl->pc_width > 0;
}

/* The decoded controls besides the opcode flags, in a fixed order. */
void bm_hdl_collect_decoded(ce *e, dlist *l)
{
    hdl_core_plan *pl = e->pl;
    char name[48];
    for (size_t i = 0; i < pl->n_regs; i++) {
        if (pl->regs[i].next.n == 0)
            continue;
        snprintf(name, sizeof name, "wr_r%llu", (unsigned long long)pl->regs[i].number);
        dlist_add(e, l, name, 1);
    }
    for (size_t i = 0; i < pl->n_regs; i++) {
        if (!pl->regs[i].mul_dst)
            continue;
        snprintf(name, sizeof name, "mw_r%llu", (unsigned long long)pl->regs[i].number);
        dlist_add(e, l, name, 1);
    }
    for (size_t i = 0; i < pl->n_reads; i++) {
        if (pl->reads[i].n_regs < 2)
            continue;
        snprintf(name, sizeof name, "sel_%s", pl->reads[i].name + 3);
        dlist_add(e, l, name, pl->reads[i].sel_width);
    }
    /* one flag per port read: take_iN or look_iN, or read_iN for a port
     * both taken and looked at, whose take_iN and look_iN are then wires
     * (read_iN and the opcode flags: emit_ports_logic), one flip-flop a
     * port as without pkmacfx */
    for (unsigned p = 0; p < pl->p->inputs; p++) {
        const char *kind = pl->in_read[p] == (HDL_IN_TAKE | HDL_IN_LOOK) ? "read"
                           : pl->in_read[p] == HDL_IN_LOOK              ? "look"
                           : pl->in_read[p] == HDL_IN_TAKE              ? "take"
                                                                        : NULL;
        if (!kind)
            continue;
        snprintf(name, sizeof name, "%s_i%u", kind, p);
        dlist_add(e, l, name, 1);
    }
    for (unsigned q = 0; q < pl->p->outputs; q++) {
        if (pl->outs[q].data.n == 0)
            continue;
        snprintf(name, sizeof name, "give_o%u", q);
        dlist_add(e, l, name, 1);
    }
    for (size_t i = 0; i < pl->n_imms; i++)
        dlist_add(e, l, pl->imms[i].name, pl->imms[i].width);
    if (needs_jump_target(e))
        dlist_add(e, l, "jump_target", pl->pc_width);
}

/* The instruction word as a binary literal with its fields separated by '_'. */
static void word_literal(ce *e, bm_buf *b, const bm_insn *in)
{
    const bm_encoding *enc = &e->pl->enc;
    bm_word w;
    bm_encode(enc, in, &w);
    const bm_opcode_def *d = bm_isa_get(in->opcode);
    unsigned char split[BM_WORD_BITS_MAX] = {0}; /* a field's lowest bit: '_' after it */
    if (enc->opcode_bits)
        split[bm_encoding_opcode_lsb(enc)] = 1;
    for (unsigned k = 0; k < d->n_operands; k++) {
        unsigned lsb, width;
        bm_encoding_operand_field(enc, in->opcode, k, &lsb, &width);
        if (width)
            split[lsb] = 1;
    }
    bm_buf_printf(b, "%u'b", enc->insn_width);
    for (unsigned bit = enc->insn_width; bit-- > 0;) {
        bm_buf_puts(b, bm_word_get(&w, bit, 1) ? "1" : "0");
        if (bit > 0 && split[bit])
            bm_buf_puts(b, "_");
    }
}

static void insn_comment(bm_buf *b, const bm_insn *in)
{
    char text[160];
    bm_insn_format(text, sizeof text, in);
    bm_buf_printf(b, "  // %s\n", text);
}

static size_t reg_index(const hdl_read *r, uint64_t number)
{
    for (size_t i = 0; i < r->n_regs; i++)
        if (r->regs[i] == number)
            return i;
    return 0;
}

/* The flag "the word holds opcode `local`"; marks it used. */
static void match(dec *d, bm_buf *b, unsigned local)
{
    d->match_used[local] = 1;
    bm_buf_printf(b, "%s%s", d->pre, d->e->pl->op[local].flag);
}

/* The register-number field of operand k of opcode `local`, mapped to the
 * compact index of read r; the opcode's first register is the default. */
static void sel_value(ce *e, bm_buf *b, unsigned local, unsigned k, const hdl_read *r)
{
    const hdl_opvals *v = &e->pl->op[local].vals[k];
    unsigned lsb, width;
    bm_hdl_operand_field(e, local, k, &lsb, &width);
    for (size_t j = 1; j < v->n; j++) {
        bm_buf_puts(b, "(");
        bm_hdl_field(e, b, lsb, width);
        bm_buf_puts(b, " == ");
        bm_hdl_lit(b, width, v->v[j]);
        bm_buf_puts(b, ") ? ");
        bm_hdl_lit(b, r->sel_width, reg_index(r, v->v[j]));
        bm_buf_puts(b, " : ");
    }
    bm_hdl_lit(b, r->sel_width, reg_index(r, v->v[0]));
}

/* OR over the opcodes whose operand k (in `operand_of`) names `value`:
 * "is_x" when the opcode only ever names that value, else
 * "is_x & field == value". */
static void named_by(dec *d, bm_buf *b, uint64_t value, int (*relevant)(const hdl_op *),
                     unsigned (*operand_of)(const bm_opcode_def *))
{
    ce *e = d->e;
    int k = 0;
    for (unsigned i = 0; i < e->pl->enc.n_opcodes; i++) {
        const hdl_op *op = &e->pl->op[i];
        if (!op->used || !relevant(op))
            continue;
        unsigned opnd = operand_of(op->d);
        const hdl_opvals *v = &op->vals[opnd];
        size_t j = 0;
        while (j < v->n && v->v[j] != value)
            j++;
        if (j == v->n)
            continue;
        if (k++)
            bm_buf_puts(b, " | ");
        if (v->n == 1) {
            match(d, b, i);
            continue;
        }
        unsigned lsb, width;
        bm_hdl_operand_field(e, i, opnd, &lsb, &width);
        bm_buf_puts(b, "(");
        match(d, b, i);
        bm_buf_puts(b, " & ");
        bm_hdl_field(e, b, lsb, width);
        bm_buf_puts(b, " == ");
        bm_hdl_lit(b, width, value);
        bm_buf_puts(b, ")");
    }
    if (k == 0)
        bm_buf_puts(b, "1'b0");
}

/* Writes its register in its own cycle (wr_rN)... */
static int writes_reg(const hdl_op *op)
{
    return op->d->dst == BM_DST_REG && !op->delayed;
}

/* ... or through the pipelined multiplier's write-back (mw_rN). */
static int writes_reg_later(const hdl_op *op)
{
    return op->d->dst == BM_DST_REG && op->delayed;
}

static unsigned dst_operand(const bm_opcode_def *d)
{
    return d->dst_operand;
}

static int takes_input(const hdl_op *op)
{
    return bm_io_takes_input(op->d->io);
}

static int looks_at_input(const hdl_op *op)
{
    return op->d->io == BM_IO_IN_PEEK;
}

static int reads_input(const hdl_op *op)
{
    return bm_io_reads_input(op->d->io);
}

static int gives_output(const hdl_op *op)
{
    return op->d->io == BM_IO_OUT_WAIT || op->d->io == BM_IO_OUT_POST;
}

static unsigned port_operand(const bm_opcode_def *d)
{
    return d->port_operand;
}

static unsigned slot_operand(const bm_opcode_def *d, unsigned slot)
{
    return slot == 0 ? d->a.operand : slot == 1 ? d->b.operand : d->c.operand;
}

/* The expression of one decoded control. */
static void decoded_expr(dec *d, bm_buf *b, const char *name)
{
    ce *e = d->e;
    hdl_core_plan *pl = e->pl;
    unsigned long long n;
    unsigned u;
    if (sscanf(name, "wr_r%llu", &n) == 1) {
        named_by(d, b, n, writes_reg, dst_operand);
    } else if (sscanf(name, "mw_r%llu", &n) == 1) {
        named_by(d, b, n, writes_reg_later, dst_operand);
    } else if (sscanf(name, "take_i%u", &u) == 1) {
        named_by(d, b, u, takes_input, port_operand);
    } else if (sscanf(name, "look_i%u", &u) == 1) {
        named_by(d, b, u, looks_at_input, port_operand);
    } else if (sscanf(name, "read_i%u", &u) == 1) {
        named_by(d, b, u, reads_input, port_operand);
    } else if (sscanf(name, "give_o%u", &u) == 1) {
        named_by(d, b, u, gives_output, port_operand);
    } else if (strncmp(name, "sel_", 4) == 0) {
        /* the opcodes reading through this mux, each with its field */
        unsigned r = 0;
        while (r < pl->n_reads && strcmp(pl->reads[r].name + 3, name + 4) != 0)
            r++;
        unsigned users[BM_OPCODE_MAX], opnds[BM_OPCODE_MAX], nu = 0;
        for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
            const hdl_op *op = &pl->op[i];
            if (!op->used)
                continue;
            for (unsigned slot = 0; slot < 4; slot++) {
                unsigned rr = slot < 3 ? op->read[slot] : op->addr_read;
                if (rr == r) {
                    users[nu] = i;
                    opnds[nu++] = slot < 3 ? slot_operand(op->d, slot) : op->addr_operand;
                    break;
                }
            }
        }
        for (unsigned k = 0; k + 1 < nu; k++) {
            match(d, b, users[k]);
            bm_buf_puts(b, " ? ");
            sel_value(e, b, users[k], opnds[k], &pl->reads[r]);
            bm_buf_puts(b, " : ");
        }
        sel_value(e, b, users[nu - 1], opnds[nu - 1], &pl->reads[r]);
    } else if (strncmp(name, "imm_", 4) == 0) {
        for (size_t i = 0; i < pl->n_imms; i++)
            if (strcmp(pl->imms[i].name, name) == 0)
                bm_hdl_field(e, b, pl->imms[i].lsb, pl->imms[i].width);
    } else if (strcmp(name, "jump_target") == 0) {
        /* the first jump opcode's field, unless another jump opcode's
         * target sits elsewhere */
        unsigned dlsb = 0, dwidth = 0, lsb, width, first = 1;
        for (unsigned i = 0; i < pl->enc.n_opcodes; i++) {
            if (!pl->op[i].used || !jump_field(e, i, &lsb, &width))
                continue;
            if (first) {
                dlsb = lsb;
                dwidth = width;
                first = 0;
            } else if (lsb != dlsb) {
                match(d, b, i);
                bm_buf_puts(b, " ? ");
                bm_hdl_field(e, b, lsb, width);
                bm_buf_puts(b, " : ");
            }
        }
        bm_hdl_field(e, b, dlsb, dwidth);
    }
}

/* The value a decoded control takes for instruction 0, which reset loads.
 * Controls instruction 0 does not use get 0 (or its word's field): they do
 * not matter in its cycle. */
static uint64_t reset_value(ce *e, const char *name)
{
    hdl_core_plan *pl = e->pl;
    const bm_insn *in = bm_core_insn(pl->core, 0);
    unsigned local = (unsigned)pl->enc.local_number[in->opcode];
    const hdl_op *op = &pl->op[local];
    const bm_opcode_def *d = op->d;
    bm_word w;
    bm_encode(&pl->enc, in, &w);
    unsigned long long n;
    unsigned u;
    if (sscanf(name, "wr_r%llu", &n) == 1)
        return writes_reg(op) && in->operand[d->dst_operand] == n;
    if (sscanf(name, "mw_r%llu", &n) == 1)
        return writes_reg_later(op) && in->operand[d->dst_operand] == n;
    if (sscanf(name, "take_i%u", &u) == 1)
        return takes_input(op) && in->operand[d->port_operand] == u;
    if (sscanf(name, "look_i%u", &u) == 1)
        return looks_at_input(op) && in->operand[d->port_operand] == u;
    if (sscanf(name, "read_i%u", &u) == 1)
        return reads_input(op) && in->operand[d->port_operand] == u;
    if (sscanf(name, "give_o%u", &u) == 1)
        return gives_output(op) && in->operand[d->port_operand] == u;
    if (strncmp(name, "sel_", 4) == 0) {
        for (unsigned slot = 0; slot < 4; slot++) {
            unsigned r = slot < 3 ? op->read[slot] : op->addr_read;
            if (r != HDL_NONE && strcmp(pl->reads[r].name + 3, name + 4) == 0)
                return reg_index(&pl->reads[r],
                                 in->operand[slot < 3 ? slot_operand(d, slot) : op->addr_operand]);
        }
        return 0;
    }
    if (strncmp(name, "imm_", 4) == 0) {
        for (size_t i = 0; i < pl->n_imms; i++)
            if (strcmp(pl->imms[i].name, name) == 0)
                return bm_word_get(&w, pl->imms[i].lsb, pl->imms[i].width);
        return 0;
    }
    if (strcmp(name, "jump_target") == 0) {
        unsigned lsb, width;
        if (jump_field(e, local, &lsb, &width))
            return in->operand[d->target_operand];
    }
    return 0;
}

/* Writes the decode of e->word: the opcode flags, then every control.
 * LOGIC and STAGED declare next_* wires here, registered afterwards; BLOCK
 * assigns wires declared with the state. */
static void emit_decode(ce *e, bm_buf *b, const dlist *l, dec *d)
{
    hdl_core_plan *pl = e->pl;
    int logic = pl->registered;
    bm_buf exprs;
    bm_buf_init(&exprs, e->ctx);
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++)
        if (pl->op[i].used && e->flag_used[i])
            d->match_used[i] = 1;
    for (size_t i = 0; i < l->n; i++) {
        if (logic) {
            bm_buf_puts(&exprs, "    wire ");
            bm_hdl_range(&exprs, l->s[i].width);
            bm_buf_printf(&exprs, "next_%s = ", l->s[i].name);
        } else {
            bm_buf_printf(&exprs, "    assign %s = ", l->s[i].name);
        }
        decoded_expr(d, &exprs, l->s[i].name);
        bm_buf_puts(&exprs, ";\n");
    }
    const bm_encoding *enc = &pl->enc;
    unsigned ob = enc->opcode_bits, olsb = bm_encoding_opcode_lsb(enc);
    for (unsigned i = 0; i < enc->n_opcodes; i++) {
        if (!d->match_used[i])
            continue;
        bm_buf_printf(b, logic ? "    wire next_%s = " : "    assign %s = ", pl->op[i].flag);
        if (ob == 0) {
            bm_buf_puts(b, "1'b1");
        } else {
            bm_hdl_field(e, b, olsb, ob);
            bm_buf_puts(b, " == ");
            bm_hdl_lit(b, ob, i);
        }
        bm_buf_printf(b, ";  // %s %s\n", pl->op[i].d->mnemonic, pl->op[i].d->syntax);
    }
    bm_buf_append(b, exprs.data ? exprs.data : "", exprs.len);
    if (exprs.failed)
        b->failed = 1;
    bm_buf_free(&exprs);
}

/* The flip-flops of the decoded controls, loaded in reset with instruction
 * 0's values (constants, so that rst reaches only the reset pins). */
static void emit_reset_loads(ce *e, bm_buf *b, const dlist *l)
{
    hdl_core_plan *pl = e->pl;
    const bm_encoding *enc = &pl->enc;
    unsigned first_local = (unsigned)enc->local_number[bm_core_insn(pl->core, 0)->opcode];
    for (unsigned i = 0; i < enc->n_opcodes; i++)
        if (pl->op[i].used && e->flag_used[i])
            bm_buf_printf(b, "            %s <= %s;\n", pl->op[i].flag,
                          i == first_local ? "1'b1" : "1'b0");
    for (size_t i = 0; i < l->n; i++) {
        bm_buf_printf(b, "            %s <= ", l->s[i].name);
        bm_hdl_lit(b, l->s[i].width, reset_value(e, l->s[i].name));
        bm_buf_puts(b, ";\n");
    }
}

/* The controls that make an instruction act: its opcode flag and the
 * one-bit enables (register writes now and later, port takes, looks and
 * reads, gives).  A staged core clears them for the cycle after a taken
 * jump (a read_iN left set would raise ready there: its take_iN is
 * read_iN and not pkmacfx). */
static int is_enable(const char *name)
{
    return strncmp(name, "wr_", 3) == 0 || strncmp(name, "mw_", 3) == 0 ||
           strncmp(name, "take_", 5) == 0 || strncmp(name, "look_", 5) == 0 ||
           strncmp(name, "read_", 5) == 0 || strncmp(name, "give_", 5) == 0;
}

/* The program as a memory with a synchronous read port.  Above
 * BM_VERILOG_ROM_LOGIC_MAX words it asks for block RAM: yosys's xc7 flow
 * would otherwise keep ROMs of up to ~300 words in LUTs and MUXF7/8 (a
 * 93-word fold core: 700 LUT6 against 531 and one RAMB18), while a logic
 * ROM of that size is what the staged fetch exists to avoid.  Smaller
 * memories are left to yosys (SB_RAM40_4K or RAMB18 when worth it). */
static void emit_rom_memory(ce *e, bm_buf *b)
{
    hdl_core_plan *pl = e->pl;
    unsigned depth = pl->p->rom_depth, iw = pl->enc.insn_width;
    if (pl->n_program > BM_VERILOG_ROM_LOGIC_MAX)
        bm_buf_puts(b, "    (* rom_style = \"block\" *)\n");
    bm_buf_puts(b, "    reg  ");
    bm_hdl_range(b, iw);
    bm_buf_printf(b, "rom [0:%u];\n", depth - 1);
    if (depth > pl->n_program)
        bm_buf_puts(b, "    integer rom_i;\n");
    bm_buf_puts(b, "    initial begin\n");
    if (depth > pl->n_program) {
        bm_buf_printf(b, "        for (rom_i = %u; rom_i < %u; rom_i = rom_i + 1)\n", pl->n_program,
                      depth);
        bm_buf_puts(b, "            rom[rom_i] = ");
        bm_hdl_lit(b, iw, 0);
        bm_buf_puts(b, ";\n");
    }
    for (unsigned a = 0; a < pl->n_program; a++) {
        bm_buf_printf(b, "        rom[%u] = ", a);
        word_literal(e, b, bm_core_insn(pl->core, a));
        bm_buf_puts(b, ";");
        insn_comment(b, bm_core_insn(pl->core, a));
    }
    bm_buf_puts(b, "    end\n");
}

/* STAGED (docs/verilog.md "Staged fetch"): ir holds the word at ir_pc, the
 * instruction after the current one, read a cycle ahead; its decode is
 * registered when the current instruction completes.  A taken jump
 * instead reads the target into ir and loads a cycle that does nothing
 * (its flags and enables cleared), the refetch cycle of docs/timing.md.
 * Reset loads instruction 0 decoded and reads instruction 1 into ir. */
static void emit_staged_fetch(ce *e, bm_buf *b, const dlist *l, dec *d)
{
    hdl_core_plan *pl = e->pl;
    const bm_encoding *enc = &pl->enc;
    unsigned aw = pl->pc_width;
    int en = bm_hdl_has_stall(e), jumps = needs_jump_target(e);
    bm_buf_puts(b, "\n    // ---- Fetch (staged): the ROM is read a cycle ahead into ir; the decode of\n"
                   "    // ir is registered when the current instruction completes\n");
    bm_buf_puts(b, "    wire ");
    bm_hdl_range(b, aw);
    bm_buf_printf(b, "fetch_pc = %sir_pc + ", jumps ? "taken ? jump_target : " : "");
    bm_hdl_lit(b, aw, 1);
    bm_buf_puts(b, ";\n");
    emit_rom_memory(e, b);
    bm_buf_printf(b, "    always @(posedge clk) begin\n        %sir <= rom[rst ? ",
                  en ? "if (rst | fetch_en)\n            " : "");
    bm_hdl_lit(b, aw, 1);
    bm_buf_puts(b, " : fetch_pc];\n    end\n");
    bm_buf_puts(b, "\n    // ---- Decode of ir, registered below\n");
    emit_decode(e, b, l, d);
    char first[160];
    bm_insn_format(first, sizeof first, bm_core_insn(pl->core, 0));
    bm_buf_printf(b, "    always @(posedge clk) begin\n"
                     "        if (rst) begin  // instruction 0: %s\n"
                     "            pc <= ",
                  first);
    bm_hdl_lit(b, aw, 0);
    bm_buf_puts(b, ";\n            ir_pc <= ");
    bm_hdl_lit(b, aw, 1);
    bm_buf_puts(b, ";\n");
    emit_reset_loads(e, b, l);
    bm_buf_printf(b, "        end else%s begin\n", en ? " if (fetch_en)" : "");
    const char *ind = "            ";
    if (jumps) {
        bm_buf_puts(b, "            if (taken) begin  // refetch: a cycle that does nothing\n"
                       "                pc <= jump_target;\n");
        for (unsigned i = 0; i < enc->n_opcodes; i++)
            if (pl->op[i].used && e->flag_used[i])
                bm_buf_printf(b, "                %s <= 1'b0;\n", pl->op[i].flag);
        for (size_t i = 0; i < l->n; i++)
            bm_buf_printf(b, "                %s <= %s%s;\n", l->s[i].name,
                          is_enable(l->s[i].name) ? "1'b0" : "next_",
                          is_enable(l->s[i].name) ? "" : l->s[i].name);
        bm_buf_puts(b, "            end else begin\n                pc <= ir_pc;\n");
        ind = "                ";
    } else {
        bm_buf_puts(b, "            pc <= ir_pc;\n");
    }
    for (unsigned i = 0; i < enc->n_opcodes; i++)
        if (pl->op[i].used && e->flag_used[i])
            bm_buf_printf(b, "%s%s <= next_%s;\n", ind, pl->op[i].flag, pl->op[i].flag);
    for (size_t i = 0; i < l->n; i++)
        bm_buf_printf(b, "%s%s <= next_%s;\n", ind, l->s[i].name, l->s[i].name);
    if (jumps)
        bm_buf_puts(b, "            end\n");
    bm_buf_puts(b, "            ir_pc <= fetch_pc;\n        end\n    end\n");
    e->uses_clk = 1;
}

void bm_hdl_emit_fetch(ce *e, bm_buf *b, const dlist *l, dec *d)
{
    hdl_core_plan *pl = e->pl;
    if (pl->staged) {
        emit_staged_fetch(e, b, l, d);
        return;
    }
    const bm_encoding *enc = &pl->enc;
    unsigned aw = pl->pc_width, iw = enc->insn_width;
    int en = bm_hdl_has_stall(e);
    const char *ind = pl->logic_rom || en ? "            " : "        ";
    bm_buf_puts(b, "\n    // ---- Fetch: the program ROM, read at the pc of the next cycle\n");
    if (aw > 0) {
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, aw);
        bm_buf_puts(b, "fetch_pc = ");
        if (!pl->logic_rom) {
            bm_buf_puts(b, "rst ? ");
            bm_hdl_lit(b, aw, 0);
            bm_buf_puts(b, " : ");
        }
        if (needs_jump_target(e))
            bm_buf_puts(b, "taken ? jump_target : ");
        bm_buf_puts(b, "pc + ");
        bm_hdl_lit(b, aw, 1);
        bm_buf_puts(b, ";\n");
    }
    int any_flag = 0;
    for (unsigned i = 0; i < enc->n_opcodes; i++)
        any_flag |= pl->op[i].used && e->flag_used[i];
    if (pl->logic_rom) {
        if (aw == 0) {
            /* one instruction: the ROM is a constant */
            bm_buf_puts(b, "    wire ");
            bm_hdl_range(b, iw);
            bm_buf_puts(b, "fetch = ");
            word_literal(e, b, bm_core_insn(pl->core, 0));
            bm_buf_puts(b, ";");
            insn_comment(b, bm_core_insn(pl->core, 0));
        } else {
            bm_buf_puts(b, "    reg  ");
            bm_hdl_range(b, iw);
            bm_buf_puts(b, "fetch;  // the instruction of the next cycle\n");
            bm_buf_puts(b, "    always @(*) begin\n        case (fetch_pc)\n");
            for (unsigned a = 0; a < pl->n_program; a++) {
                bm_buf_puts(b, "            ");
                bm_hdl_lit(b, aw, a);
                bm_buf_puts(b, ": fetch = ");
                word_literal(e, b, bm_core_insn(pl->core, a));
                bm_buf_puts(b, ";");
                insn_comment(b, bm_core_insn(pl->core, a));
            }
            if (aw >= 32 || pl->n_program < (1u << aw))
                bm_buf_printf(b, "            default: fetch = {%u{1'bx}};  // never fetched\n", iw);
            bm_buf_puts(b, "        endcase\n    end\n");
        }
        if (aw == 0 && l->n == 0 && !any_flag)
            return; /* nothing to decode or register */
        bm_buf_puts(b, "\n    // ---- Decode of the fetched instruction, registered below\n");
        emit_decode(e, b, l, d);
        /* Reset loads instruction 0, decoded here rather than through
         * fetch_pc, so that rst reaches only the flip-flops' reset pins. */
        char first[160];
        bm_insn_format(first, sizeof first, bm_core_insn(pl->core, 0));
        bm_buf_printf(b, "    always @(posedge clk) begin\n"
                         "        if (rst) begin  // instruction 0: %s\n", first);
        if (aw > 0) {
            bm_buf_puts(b, "            pc <= ");
            bm_hdl_lit(b, aw, 0);
            bm_buf_puts(b, ";\n");
        }
        emit_reset_loads(e, b, l);
        bm_buf_printf(b, "        end else%s begin\n", en ? " if (fetch_en)" : "");
        if (aw > 0)
            bm_buf_printf(b, "%spc <= fetch_pc;\n", ind);
        for (unsigned i = 0; i < enc->n_opcodes; i++)
            if (pl->op[i].used && e->flag_used[i])
                bm_buf_printf(b, "%s%s <= next_%s;\n", ind, pl->op[i].flag, pl->op[i].flag);
        for (size_t i = 0; i < l->n; i++)
            bm_buf_printf(b, "%s%s <= next_%s;\n", ind, l->s[i].name, l->s[i].name);
        bm_buf_puts(b, "        end\n    end\n");
        e->uses_clk = 1;
        return;
    }
    /* BLOCK: a memory with a synchronous read port */
    emit_rom_memory(e, b);
    bm_buf_puts(b, "    always @(posedge clk) begin\n");
    if (en)
        bm_buf_puts(b, "        if (fetch_en) begin\n");
    if (aw > 0)
        bm_buf_printf(b, "%spc <= fetch_pc;\n%sir <= rom[fetch_pc];\n", ind, ind);
    else
        bm_buf_printf(b, "%sir <= rom[0];\n", ind);
    if (en)
        bm_buf_puts(b, "        end\n");
    bm_buf_puts(b, "    end\n");
    e->uses_clk = 1;
    if (l->n || any_flag) {
        bm_buf_puts(b, "\n    // ---- Decode of the instruction in ir\n");
        emit_decode(e, b, l, d);
    }
}

