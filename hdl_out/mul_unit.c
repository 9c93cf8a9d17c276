/* The multiplier family's hardware, one function per variant
 * (docs/timing.md "Multiplier variants", docs/verilog.md "Multipliers").
 *
 *   comb    the product in logic, written in the issue cycle (as every
 *           other unit);
 *   pipe    the product is registered at the end of the issue cycle (mp_p)
 *           with the register it goes to (mp_w_rN); the register file adds
 *           or copies it at the end of the next cycle.  A bare registered
 *           `$mul` is what yosys maps onto a DSP48E1 or an SB_MAC16.  When
 *           every pipelined multiply accumulates (a neuron core), mp_p keeps
 *           the whole product and the write-back is one addition of the
 *           accumulator shifted left by F, which yosys packs into the
 *           block's post-adder too (post_adder below);
 *   serial  Horner's rule over y's bits from the top, one per cycle, in an
 *           accumulator as wide as the bits the result needs (F + W): one
 *           adder instead of a multiplier, W + 1 cycles.
 *
 * A fixed-point product floor(x*y / 2^F) mod 2^W is bits [F+W-1:F] of the
 * product of the signed W-bit values, so every variant computes the
 * product modulo 2^(F+W) and takes those bits, which equals bm_alu_eval's
 * result.  MUL is the case F = 0. */
#include <string.h>

#include "core.h"

/* The fraction bits the unit shifts by (MUL: none). */
static unsigned unit_frac(const ce *e, const hdl_unit *u)
{
    return u->alu == BM_ALU_MUL ? 0 : e->pl->p->frac;
}

/* 1 when the core's pipelined multiplies all accumulate (macfx, macfxi,
 * inmacfx) into registers no plain multiply writes: then the product
 * register mp_p keeps all 2W bits of the product and each write-back adds
 * the accumulator shifted left by F (mp_sum).  Bits [F+W-1:F] of a * 2^F + p
 * are a + floor(p / 2^F) mod 2^W (the F low bits of a * 2^F are 0, so
 * nothing carries out of them): the same value as rK + mp_p.  What it buys
 * is the form yosys packs whole into a DSP48E1 or SB_MAC16 (multiplier, M
 * register, post-adder): one adder per core in the block instead of one
 * W-bit adder in LUTs per accumulating register, and mp_p's flip-flops in
 * the block's register.  Without DSP blocks yosys trims the unused bits and
 * it costs what the plain form costs, with one adder in place of K. */
static int post_adder(const hdl_core_plan *pl)
{
    if (pl->mul != BM_MUL_PIPE || !pl->any_delayed)
        return 0;
    for (unsigned i = 0; i < pl->enc.n_opcodes; i++)
        if (pl->op[i].used && pl->op[i].delayed && pl->op[i].d->alu != BM_ALU_MACFX)
            return 0;
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_set)
            return 0;
    return 1;
}

/* "{{F{x[W-1]}}, x}": x sign-extended by F bits (x itself when F is 0). */
static void sign_extended(ce *e, bm_buf *b, const char *x, unsigned F)
{
    unsigned W = e->W;
    if (F == 0)
        bm_buf_puts(b, x);
    else if (W == 1)
        bm_buf_printf(b, "{{%u{%s}}, %s}", F, x, x);
    else
        bm_buf_printf(b, "{{%u{%s[%u]}}, %s}", F, x, W - 1, x);
}

/* "wire [W-1:0] NAME_SUFFIX = value;" */
static void operand_wire(ce *e, const hdl_unit *u, const char *suffix, const char *value)
{
    bm_buf_puts(&e->body, "    wire ");
    bm_hdl_range(&e->body, e->W);
    bm_buf_printf(&e->body, "%s_%s = %s;\n", u->name, suffix, value);
}

/* The unit's x and y: B and C of a multiply-accumulate, A and B otherwise. */
static void operands(const hdl_unit *u, char operand[3][48], const char **x, const char **y)
{
    int mac = u->alu == BM_ALU_MACFX;
    *x = operand[mac ? 1 : 0];
    *y = operand[mac ? 2 : 1];
}

/* The result wire: bits [F+W-1:F] of `product` (all of it when `whole`),
 * plus the accumulator for a multiply-accumulate that is not pipelined. */
static void result_wire(ce *e, const hdl_unit *u, const char *acc, const char *product,
                        unsigned F, int whole)
{
    bm_buf *b = &e->body;
    unsigned W = e->W;
    bm_buf_puts(b, "    wire ");
    bm_hdl_range(b, W);
    bm_buf_printf(b, "%s = ", u->name);
    if (acc && acc[0])
        bm_buf_printf(b, "%s + ", acc);
    if (whole)
        bm_buf_puts(b, product); /* exactly W bits already */
    else
        bm_hdl_slice(b, product, F, W);
    bm_buf_puts(b, ";\n");
}

/* comb and pipe: the signed W x W product, 2W bits, of which the result
 * takes bits [F+W-1:F].  A multiply of two signed W-bit values is what
 * yosys maps onto one SB_MAC16 (W <= 16) or one DSP48E1 (W <= 18); the
 * operands sign-extended to F + W bits would need three. */
/* The bits y needs when every instruction of the unit's opcodes takes y
 * from an immediate: the widest of those constants as a signed number (a
 * weight of 0.6 in fixed<16,6> needs 11 bits, not 16).  W when some y comes
 * from a register or a port. */
static unsigned immediate_y_bits(const ce *e, const hdl_unit *u)
{
    const hdl_core_plan *pl = e->pl;
    unsigned W = e->W, need = 1;
    int mac = u->alu == BM_ALU_MACFX;
    for (unsigned pc = 0; pc < pl->n_program; pc++) {
        const bm_insn *in = bm_core_insn(pl->core, pc);
        const bm_opcode_def *d = bm_isa_get(in->opcode);
        if (d->alu != u->alu)
            continue;
        bm_src src = mac ? d->c : d->b;
        if (src.kind != BM_SRC_IMM)
            return W;
        unsigned bits = bm_signed_bits(in->operand[src.operand], W);
        if (bits > need)
            need = bits;
    }
    return need;
}

/* comb and pipe: the signed W x W product, 2W bits, of which the result
 * takes bits [F+W-1:F].  A multiply of two signed W-bit values is what
 * yosys maps onto one SB_MAC16 (W <= 16) or one DSP48E1 (W <= 18); the
 * operands sign-extended to F + W bits would need three.  When y is always
 * an immediate, only its significant bits enter the multiplier: the same
 * product from fewer partial products in LUTs. */
static void product_in_logic(ce *e, const hdl_unit *u, char operand[3][48])
{
    bm_buf *b = &e->body;
    unsigned W = e->W, F = unit_frac(e, u), P = 2 * W;
    unsigned yb = immediate_y_bits(e, u);
    const char *x, *y;
    operands(u, operand, &x, &y);
    operand_wire(e, u, "x", x);
    bm_buf_puts(b, "    /* verilator lint_off UNUSEDSIGNAL */\n");
    operand_wire(e, u, "y", y);
    char xn[64], yn[64], pn[64];
    snprintf(xn, sizeof xn, "%s_x", u->name);
    snprintf(yn, sizeof yn, "%s_y", u->name);
    snprintf(pn, sizeof pn, "%s_p", u->name);
    if (yb < W) {
        bm_buf_printf(b, "    wire signed [%u:0] %s_yn = %s[%u:0];  // every y is an immediate of "
                         "%u significant bits\n",
                      yb - 1, u->name, yn, yb - 1, yb);
        snprintf(yn, sizeof yn, "%s_yn", u->name);
    }
    bm_buf_puts(b, "    wire signed ");
    bm_hdl_range(b, P);
    bm_buf_printf(b, "%s = $signed(%s) * $signed(%s);\n", pn, xn, yn);
    bm_buf_puts(b, "    /* verilator lint_on UNUSEDSIGNAL */\n");
    int delayed_mac = u->alu == BM_ALU_MACFX && e->pl->mul == BM_MUL_PIPE;
    if (delayed_mac && post_adder(e->pl))
        return; /* mp_p takes the whole product (bm_hdl_mul_pipeline) */
    result_wire(e, u, u->alu == BM_ALU_MACFX && !delayed_mac ? operand[0] : NULL, pn, F, 0);
}

/* serial: in cycle k (mc_count, 0 .. W-1) acc <- 2*acc + t*x, t being y's
 * bit W-1-k (negated for the sign bit, k = 0); in cycle W the register
 * takes the result from acc. */
static void product_serial(ce *e, const hdl_unit *u, char operand[3][48])
{
    bm_buf *b = &e->body;
    unsigned W = e->W, F = unit_frac(e, u), P = F + W;
    unsigned cw = bm_bits_for(e->pl->max_cycles);
    const char *x, *y;
    const char *n = u->name;
    operands(u, operand, &x, &y);
    operand_wire(e, u, "x", x);
    operand_wire(e, u, "y", y);
    bm_buf_puts(&e->decl, "    reg  ");
    bm_hdl_range(&e->decl, P);
    bm_buf_printf(&e->decl, "%s_acc;  // the serial multiplier's partial product\n", n);

    bm_buf_puts(b, "    /* verilator lint_off UNUSEDSIGNAL */\n    wire ");
    bm_hdl_range(b, W);
    bm_buf_printf(b, "%s_ysh = %s_y << mc_count;  // bit W-1: the bit of this cycle\n", n, n);
    bm_buf_puts(b, "    /* verilator lint_on UNUSEDSIGNAL */\n");
    char xn[64];
    snprintf(xn, sizeof xn, "%s_x", n);
    bm_buf_puts(b, "    wire ");
    bm_hdl_range(b, P);
    bm_buf_printf(b, "%s_xs = ", n);
    sign_extended(e, b, xn, F);
    bm_buf_puts(b, ";\n    wire ");
    bm_hdl_range(b, P);
    bm_buf_printf(b, "%s_base = (mc_count == ", n);
    bm_hdl_lit(b, cw, 0);
    bm_buf_puts(b, ") ? ");
    bm_hdl_lit(b, P, 0);
    if (P == 1)
        bm_buf_puts(b, " : 1'b0;\n");
    else
        bm_buf_printf(b, " : {%s_acc[%u:0], 1'b0};\n", n, P - 2);
    bm_buf_puts(b, "    wire ");
    bm_hdl_range(b, P);
    bm_buf_printf(b, "%s_step = ~", n);
    char ysh[64];
    snprintf(ysh, sizeof ysh, "%s_ysh", n);
    if (W == 1)
        bm_buf_puts(b, ysh); /* a scalar has no bit select */
    else
        bm_hdl_slice(b, ysh, W - 1, 1);
    bm_buf_printf(b, " ? %s_base : (mc_count == ", n);
    bm_hdl_lit(b, cw, 0);
    bm_buf_printf(b, ") ? %s_base - %s_xs : %s_base + %s_xs;\n", n, n, n, n);
    bm_buf_printf(&e->regs,
                  "\n    // ---- Serial multiplier %s: one bit of y per cycle (docs/verilog.md)\n"
                  "    always @(posedge clk) %s_acc <= %s_step;\n",
                  n, n, n);
    e->uses_clk = 1;
    char acc[64];
    snprintf(acc, sizeof acc, "%s_acc", n);
    result_wire(e, u, u->alu == BM_ALU_MACFX ? operand[0] : NULL, acc, F, F == 0);
}

int bm_hdl_mul_unit(ce *e, const hdl_unit *u, char operand[3][48])
{
    if (!bm_alu_uses_mul(u->alu))
        return 0;
    switch ((bm_mul_variant)e->pl->mul) {
    case BM_MUL_SERIAL: product_serial(e, u, operand); return 1;
    case BM_MUL_PIPE:
    case BM_MUL_COMB:
    default:
        /* the plain integer product keeps the one ALU table's expression */
        if (u->alu == BM_ALU_MUL)
            return 0;
        product_in_logic(e, u, operand);
        return 1;
    case BM_MUL_VARIANT_COUNT: return 0;
    }
}

/* ---- pipe ------------------------------------------------------------------ */

/* 1 when some register receives both accumulated and plain products, so the
 * write-back needs to know which (mp_acc). */
static int needs_acc_flag(const hdl_core_plan *pl)
{
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_acc && pl->regs[i].mul_set)
            return 1;
    return 0;
}

/* OR of `flag & done` over the used delayed opcodes that satisfy `which`. */
static void delayed_ops(ce *e, bm_buf *b, int macs_only)
{
    int k = 0;
    for (unsigned i = 0; i < e->pl->enc.n_opcodes; i++) {
        const hdl_op *op = &e->pl->op[i];
        if (!op->used || !op->delayed || (macs_only && op->d->alu != BM_ALU_MACFX))
            continue;
        const char *done = bm_hdl_done_cond(e, i);
        if (done)
            bm_buf_printf(b, "%s(%s & %s)", k++ ? " | " : "", bm_hdl_flag(e, i), done);
        else
            bm_buf_printf(b, "%s%s", k++ ? " | " : "", bm_hdl_flag(e, i));
    }
    if (k == 0)
        bm_buf_puts(b, "1'b0");
}

/* The registers post_adder's write-back adds to: their count, and the
 * position of register r among them. */
static unsigned acc_regs(const hdl_core_plan *pl, const hdl_reg *r, unsigned *index)
{
    unsigned n = 0;
    for (size_t i = 0; i < pl->n_regs; i++) {
        if (&pl->regs[i] == r && index)
            *index = n;
        n += pl->regs[i].mul_acc != 0;
    }
    return n;
}

/* post_adder's datapath: the accumulator the product goes to (mp_a, picked
 * by its index mp_k when there are several) and the sum (mp_sum).  The
 * index is binary, so the pick is one W-bit mux of the accumulators. */
static void post_adder_sum(ce *e)
{
    hdl_core_plan *pl = e->pl;
    bm_buf *b = &e->regs, *d = &e->decl;
    unsigned W = e->W, F = pl->p->frac, n = acc_regs(pl, NULL, NULL);
    unsigned kb = n > 1 ? bm_bits_for(n) : 0;  /* bits to index n */
    if (kb) {
        bm_buf_printf(d, "    reg  [%u:0] mp_k;  // ... the index of that register among the "
                         "accumulators\n", kb - 1);
        bm_buf_puts(d, "    reg  ");
        bm_hdl_range(d, W);
        bm_buf_puts(d, "mp_a;  // ... and its value\n");
    }
    bm_buf_puts(d, "    /* verilator lint_off UNUSEDSIGNAL */\n    wire ");
    bm_hdl_range(d, 2 * W);
    bm_buf_printf(d, "mp_sum;  // the accumulator * 2^%u + the product: bits [%u:%u] are "
                     "written back\n    /* verilator lint_on UNUSEDSIGNAL */\n",
                  F, F + W - 1, F);

    const char *acc = "mp_a";
    char only[32] = "";
    if (kb) {
        /* the index, set at issue from the decoded one-hot mw_rK */
        bm_buf_printf(b, "    always @(posedge clk) mp_k <= {");
        for (unsigned j = kb; j-- > 0;) {
            unsigned k = 0, m = 0;
            bm_buf_puts(b, j + 1 < kb ? ", " : "");
            for (size_t i = 0; i < pl->n_regs; i++) {
                if (!pl->regs[i].mul_acc)
                    continue;
                if ((k >> j) & 1)
                    bm_buf_printf(b, "%smw_r%llu", m++ ? " | " : "",
                                  (unsigned long long)pl->regs[i].number);
                k++;
            }
        }
        bm_buf_puts(b, "};\n    always @(*) begin\n        case (mp_k)\n");
        unsigned k = 0;
        for (size_t i = 0; i < pl->n_regs; i++) {
            if (!pl->regs[i].mul_acc)
                continue;
            if (k + 1 == n) {
                bm_buf_printf(b, "            default: mp_a = r%llu;\n",
                              (unsigned long long)pl->regs[i].number);
            } else {
                bm_buf_puts(b, "            ");
                bm_hdl_lit(b, kb, k);
                bm_buf_printf(b, ": mp_a = r%llu;\n", (unsigned long long)pl->regs[i].number);
            }
            k++;
        }
        bm_buf_puts(b, "        endcase\n    end\n");
    } else {
        for (size_t i = 0; i < pl->n_regs; i++)
            if (pl->regs[i].mul_acc)
                snprintf(only, sizeof only, "r%llu", (unsigned long long)pl->regs[i].number);
        acc = only;
    }
    /* the accumulator sign-extended to 2W - F bits, then F zero bits */
    bm_buf_puts(b, "    assign mp_sum = {");
    if (F < W) {
        if (W == 1)
            bm_buf_printf(b, "{%u{%s}}, ", W - F, acc);
        else
            bm_buf_printf(b, "{%u{%s[%u]}}, ", W - F, acc, W - 1);
    }
    bm_buf_puts(b, acc);
    if (F > 0)
        bm_buf_printf(b, ", %u'b0", F);
    bm_buf_puts(b, "} + mp_p;\n");
}

void bm_hdl_mul_pipeline(ce *e)
{
    hdl_core_plan *pl = e->pl;
    if (!pl->any_delayed)
        return;
    bm_buf *b = &e->regs, *d = &e->decl;
    int whole = post_adder(pl);
    e->uses_clk = 1;
    if (whole) {
        bm_buf_puts(d, "    reg  ");
        bm_hdl_range(d, 2 * e->W);
        bm_buf_puts(d, "mp_p;  // the pipelined multiplier's whole product, added next cycle\n");
    } else {
        bm_buf_puts(d, "    reg  ");
        bm_hdl_range(d, e->W);
        bm_buf_puts(d, "mp_p;  // the pipelined multiplier's product, written back next cycle\n");
    }
    int acc_flag = needs_acc_flag(pl);
    if (acc_flag)
        bm_buf_puts(d, "    reg  mp_acc;  // ... added to its register (else copied)\n");
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_dst)
            bm_buf_printf(d, "    reg  mp_w_r%llu;  // ... into r%llu\n",
                          (unsigned long long)pl->regs[i].number,
                          (unsigned long long)pl->regs[i].number);

    bm_buf_puts(b, "\n    // ---- Pipelined multiplier: the product of the issue cycle waits one cycle\n");
    bm_buf_puts(b, "    wire mp_issue = ");
    delayed_ops(e, b, 0);
    bm_buf_puts(b, ";\n    always @(posedge clk) begin\n        if (rst) begin\n");
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_dst)
            bm_buf_printf(b, "            mp_w_r%llu <= 1'b0;\n",
                          (unsigned long long)pl->regs[i].number);
    bm_buf_puts(b, "        end else begin\n");
    for (size_t i = 0; i < pl->n_regs; i++)
        if (pl->regs[i].mul_dst) {
            unsigned long long n = (unsigned long long)pl->regs[i].number;
            bm_buf_printf(b, "            mp_w_r%llu <= mp_issue & mw_r%llu;\n", n, n);
        }
    bm_buf_puts(b, "        end\n        mp_p <= ");
    /* the product of the unit the issuing opcode uses */
    size_t n_mul = 0;
    for (size_t i = 0; i < pl->n_units; i++)
        n_mul += bm_alu_uses_mul(pl->units[i].alu);
    size_t seen = 0;
    for (size_t i = 0; i < pl->n_units; i++) {
        const hdl_unit *u = &pl->units[i];
        if (!bm_alu_uses_mul(u->alu))
            continue;
        if (++seen == n_mul) {
            bm_buf_printf(b, whole ? "%s_p;\n" : "%s;\n", u->name);
            break;
        }
        bm_buf_puts(b, "(");
        int k = 0;
        for (unsigned j = 0; j < pl->enc.n_opcodes; j++)
            if (pl->op[j].used && pl->op[j].delayed && pl->op[j].d->alu == u->alu)
                bm_buf_printf(b, "%s%s", k++ ? " | " : "", bm_hdl_flag(e, j));
        bm_buf_printf(b, ") ? %s :\n                ", u->name);
    }
    if (acc_flag) {
        bm_buf_puts(b, "        mp_acc <= ");
        delayed_ops(e, b, 1);
        bm_buf_puts(b, ";\n");
    }
    bm_buf_puts(b, "    end\n");
    if (whole)
        post_adder_sum(e);
}

void bm_hdl_mul_writeback(ce *e, bm_buf *b, const hdl_reg *r)
{
    unsigned long long n = (unsigned long long)r->number;
    bm_buf_printf(b, "            if (mp_w_r%llu) r%llu <= ", n, n);
    if (post_adder(e->pl)) {
        bm_hdl_slice(b, "mp_sum", e->pl->p->frac, e->W);
        if (acc_regs(e->pl, NULL, NULL) > 1) {
            unsigned k = 0;
            acc_regs(e->pl, r, &k);
            bm_buf_printf(b, ";  // the multiplier's write-back wins (accumulator %u)\n", k);
        } else {
            bm_buf_puts(b, ";  // the multiplier's write-back wins\n");
        }
    } else if (r->mul_acc && r->mul_set) {
        bm_buf_printf(b, "(mp_acc ? r%llu : ", n);
        bm_hdl_lit(b, e->W, 0);
        bm_buf_puts(b, ") + mp_p;  // the multiplier's write-back wins\n");
    } else if (r->mul_acc) {
        bm_buf_printf(b, "r%llu + mp_p;  // the multiplier's write-back wins\n", n);
    } else {
        bm_buf_puts(b, "mp_p;  // the multiplier's write-back wins\n");
    }
}
