/* The area estimator (bm/area.h): prices the shape of a core's hardware
 * (area_shape.c) on a device family.
 *
 * Every term follows one part of the RTL docs/verilog.md describes; docs/
 * area.md explains each and how its coefficients were fitted to yosys 0.23
 * (bench/area/run.sh).  Terms are computed in LUTs and flip-flops of the
 * family (LUT4 on iCE40, LUT6 on Xilinx) as real numbers and rounded once
 * per core.
 */
#include <string.h>

#include "area_shape.h"
#include "bm/area.h"
#include "bm/verilog.h"

/* The coefficients of one family.  Mux costs are per bit and per extra
 * input; unit costs per bit (or per product bit for multipliers). */
typedef struct family_costs {
    double base;          /* per core: reset, stall, fetch enable            */
    double per_flag;      /* per opcode the program uses (its decode)        */
    double per_port;      /* per port used: handshake and stall terms        */
    double pc_bit;        /* pc + 1 and the fetch_pc mux, per pc bit          */
    double rom_bit[8];    /* LOGIC ROM: LUTs per decoded bit, by pc bits      */
    double rom_bit_wide;  /*   beyond 7 pc bits, per word                     */
    double block_decode;  /* BLOCK ROM: LUTs per decoded bit                  */
    double decoded_ff;    /* flip-flops per decoded bit that survive merging */
    double staged_decode; /* STAGED: LUTs per registered decoded bit (the
                             clear after a taken jump and the enable; the
                             iCE40's SB_DFFESR takes them, a 7-series FDRE
                             does not: iris single, 78 bits, +7 and +74)  */
    double read_mux;      /* register read mux with a binary select          */
    double flag_mux;      /* muxes selected by opcode flags (units, outputs)  */
    double write_mux;     /* a register's mux over the values written to it,
                             merged with its enable                          */
    double in_mux;        /* ... per input port's value written to it: a
                             priority chain on take_iN (fold cores: 60)      */
    double add;           /* adder, subtracter, inc, dec, neg                 */
    double logic;         /* and, or, xor, not, relu                          */
    double shift;         /* per bit and select bit of a barrel shifter       */
    double compare;       /* lt, ltu (a carry chain), eq                      */
    double minmax;        /* compare and select                               */
    double mul_lut;       /* per product bit pair of a multiplier in LUTs     */
    double mul_dsp_glue;  /* LUTs per product bit around DSP blocks           */
    double serial_bit;    /* serial multiplier: LUTs per accumulator bit
                             beyond its adder (the base and step selects)     */
    double dsp_port_operand; /* LUTs per operand bit when input ports' data
                             goes into a DSP block (inmacfx) from two ports
                             or more (measured on Xilinx, not understood in
                             detail; one port's data goes in as it is: 0
                             LUTs, measured on chained jet cores)         */
    double dsp_chain_add; /* LUTs per product bit per extra DSP block (the
                             partial products' sum; SB_MAC16 adds its own)    */
    double ram_glue;      /* per data bit: address check, read data mux       */
    unsigned dsp_min_out; /* narrower products stay in LUTs (yosys's minimum) */
    unsigned carry_per;   /* adder bits per carry cell (1 SB_CARRY, 4 CARRY4) */
} family_costs;

static const family_costs ice40 = {
    .base = 2, .per_flag = 0.5, .per_port = 1.0, .pc_bit = 1.0,
    .rom_bit = {0.4, 0.4, 0.5, 0.6, 0.8, 1.5, 2.5, 4.0}, .rom_bit_wide = 0.05,
    .block_decode = 0.5, .decoded_ff = 0.85, .staged_decode = 0.1,
    .read_mux = 0.75, .flag_mux = 1.0, .write_mux = 0.6, .in_mux = 1.0,
    .add = 1.0, .logic = 1.0, .shift = 1.0, .compare = 1.0, .minmax = 2.0,
    .mul_lut = 1.9, .mul_dsp_glue = 0.0, .dsp_port_operand = 0.0, .serial_bit = 2.0, .dsp_chain_add = 0.0, .ram_glue = 1.0,
    .dsp_min_out = 11, .carry_per = 1,
};

static const family_costs xilinx = {
    .base = 2, .per_flag = 0.5, .per_port = 1.0, .pc_bit = 1.5,
    .rom_bit = {0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.7, 1.4}, .rom_bit_wide = 0.025,
    .block_decode = 0.6, .decoded_ff = 0.85, .staged_decode = 0.4,
    .read_mux = 0.45, .flag_mux = 0.6, .write_mux = 0.6, .in_mux = 1.05,
    .add = 1.0, .logic = 0.6, .shift = 0.5, .compare = 0.5, .minmax = 1.5,
    .mul_lut = 1.2, .mul_dsp_glue = 0.2, .dsp_port_operand = 1.25, .serial_bit = 3.0, .dsp_chain_add = 1.0, .ram_glue = 0.6,
    .dsp_min_out = 2, .carry_per = 4,
};

static const family_costs *costs_of(const bm_device *d)
{
    return d->family == BM_FAMILY_ICE40 ? &ice40 : &xilinx;
}

static uint64_t to_count(double x)
{
    return x <= 0 ? 0 : (uint64_t)(x + 0.5);
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* DSP blocks for the low `out` bits of an a x b product: yosys splits each
 * operand into blocks of the DSP's width and keeps the partial products
 * that reach below bit `out`. */
static unsigned dsp_blocks(const bm_device *d, unsigned a, unsigned b, unsigned out)
{
    unsigned sa = d->dsp_a_bits, sb = d->dsp_b_bits;
    if (a > sa || b > sb) { /* split: the chunks are unsigned, one bit less */
        if (d->family != BM_FAMILY_ICE40) {
            sa--;
            sb--;
        }
    }
    unsigned n = 0;
    for (unsigned i = 0; i * sa < a; i++)
        for (unsigned j = 0; j * sb < b; j++)
            n += i * sa + j * sb < out;
    return n;
}

/* Block RAMs for a depth x width memory: the cheapest aspect ratio. */
static unsigned bram_blocks(const bm_device *d, unsigned depth, unsigned width)
{
    unsigned best = 0;
    for (unsigned w = 1; w <= 64; w *= 2) {
        unsigned dep = (unsigned)(d->bram_bits / (w * (d->family == BM_FAMILY_ICE40 ? 1 : 1)));
        if (d->family != BM_FAMILY_ICE40)
            dep = 16384 / w; /* RAMB18: 16 kbit of data (+ parity) */
        if (d->family == BM_FAMILY_ICE40 && (w < 2 || w > 16))
            continue;
        if (d->family != BM_FAMILY_ICE40 && w > 32)
            continue;
        unsigned n = (unsigned)(div_up(width, w) * div_up(depth, dep));
        if (!best || n < best)
            best = n;
    }
    return best;
}

/* 1 when the core's multiplies are all pipelined multiply-accumulates:
 * hdl_out/mul_unit.c then keeps the whole product in mp_p and adds the
 * accumulator at write-back in one adder, the form yosys packs into the
 * DSP block (M register and post-adder). */
static int post_adder(const bm_area_shape *s)
{
    return s->mul == BM_MUL_PIPE && s->unit[BM_ALU_MACFX] && !s->unit[BM_ALU_MUL] &&
           !s->unit[BM_ALU_MULFX];
}

/* The multiplier family's unit (hdl_out/mul_unit.c).  comb and pipe
 * multiply the signed W-bit operands into 2W bits and keep bits
 * [F+W-1:F]: with DSP blocks that is one block per W-bit chunk pair (one
 * for W <= 16 on SB_MAC16, W <= 18 on DSP48E1); in LUTs yosys sign-extends
 * both operands to the `out` bits it keeps (F + W) and builds the array of
 * partial products below that.  pipe adds the product register mp_p (W
 * bits: yosys does not fold a slice of the product into the block; none in
 * the post-adder form with DSP blocks, where it is the block's M register).
 * serial has no multiplier: an (F+W)-bit accumulator, one add/sub with its
 * base and step selects, y's bit of the cycle (a W-to-1 mux) and the cycle
 * counter mc_count.  a and b are the operand bits that can be non-zero.
 * Returns 1 when the product is in DSP blocks. */
static int price_multiplier(double *lut, double *ff, double *carry, uint64_t *dsp,
                            const bm_area_shape *s, const bm_device *d, const family_costs *k,
                            unsigned a, unsigned b, unsigned out, int port_operand)
{
    unsigned W = s->width;
    int in_dsp = 0;
    if (a == 0 || b == 0)
        return 0; /* a product by zero: nothing */
    if (s->mul == BM_MUL_SERIAL) {
        unsigned cw = bm_bits_for(W + 1);
        *lut += (k->add + k->serial_bit) * out + k->flag_mux * W + 2.0 * cw;
        *carry += out + cw;
        *ff += out + cw;
        return 0;
    }
    unsigned aw = a < W ? a : W, bw = b < W ? b : W;
    if (d->dsp > 0 && out >= k->dsp_min_out && aw >= 2 && bw >= 2) {
        unsigned n = dsp_blocks(d, aw, bw, 2 * W);
        *dsp += n;
        /* partial products beyond one block are added in LUTs */
        *lut += k->mul_dsp_glue * out + (n > 1 ? k->dsp_chain_add * out * (n - 1) : 0);
        if (port_operand)
            *lut += k->dsp_port_operand * W;
        in_dsp = 1;
    } else {
        /* an array of partial-product bits below bit `out`, of the operands
         * sign-extended to `out` bits unless narrower constants */
        unsigned ax = a < W ? a : out, bx = b < W ? b : out;
        double pp = 0;
        for (unsigned i = 0; i < ax && i < out; i++)
            pp += bx < out - i ? bx : out - i;
        *lut += k->mul_lut * pp;
    }
    /* mp_p; with the post-adder in a DSP block it is the block's M register */
    if (s->mul == BM_MUL_PIPE && !(in_dsp && post_adder(s)))
        *ff += W;
    return in_dsp;
}

/* Input ports' data goes straight into the multiplier (inmacfx), selected
 * among two ports or more; the data of a core's one input port needs no
 * selection. */
static int port_operand(const bm_area_shape *s, bm_alu_op op)
{
    unsigned x = op == BM_ALU_MACFX ? 1 : 0;
    return ((s->unit_src[op][x] | s->unit_src[op][x + 1]) & AREA_SRC_INPUT) != 0 &&
           s->inputs_read >= 2;
}

/* On Xilinx a DSP block takes a registered operand into its own input
 * register: with a LOGIC ROM (whose decoded fields are registers) a
 * multiplier input fed only by an immediate that varies loses those
 * flip-flops, when the other input comes from registers (measured: not
 * when it comes from an input port, nor from a BLOCK ROM's `ir`). */
static unsigned absorbed_operand_ff(const bm_area_shape *s, const bm_device *d, bm_alu_op op)
{
    if (d->family == BM_FAMILY_ICE40 || d->dsp == 0 || s->mul == BM_MUL_SERIAL ||
        !s->logic_rom)
        return 0;
    unsigned x = op == BM_ALU_MACFX ? 1 : 0;
    for (unsigned slot = x; slot < x + 2; slot++)
        if (s->unit_src[op][slot] == AREA_SRC_IMM &&
            s->unit_src[op][slot == x ? x + 1 : x] == AREA_SRC_OTHER)
            return s->width;
    return 0;
}

static double rom_cost(const bm_area_shape *s, const family_costs *k, double decoded)
{
    if (!s->logic_rom)
        return k->block_decode * decoded;
    unsigned p = s->pc_bits;
    if (p < 8)
        return k->rom_bit[p] * decoded;
    return (k->rom_bit[7] + k->rom_bit_wide * (s->program - 128)) * decoded;
}

int bm_area_estimate_core(bm_area *out, const bm_core *c, const bm_device *d)
{
    if (!out || !c || !d)
        return BM_EINVAL;
    const family_costs *k = costs_of(d);
    bm_area_shape s;
    bm_area_shape_of(&s, c);
    double W = s.width, lut = 0, ff = 0, carry = 0;
    uint64_t dsp = 0, bram = 0, lutram = 0;
    double decoded = s.flags + s.decoded;
    if (s.mul == BM_MUL_PIPE) {
        decoded += s.mul_dst; /* mw_rK */
        ff += s.mul_dst;      /* mp_w_rK */
    }

    /* control: reset, stall, handshakes, opcode decode */
    lut += k->base + k->per_flag * s.flags + k->per_port * (s.inputs_read + s.outputs_written);
    /* fetch: pc + 1 and the jump mux; the program ROM and decoder */
    lut += k->pc_bit * s.pc_bits * (s.jumps ? 1.0 : 0.5);
    carry += s.pc_bits;
    lut += rom_cost(&s, k, decoded);
    ff += s.pc_bits;
    if (s.logic_rom || s.staged)
        ff += k->decoded_ff * decoded;
    if (s.staged) {
        ff += s.pc_bits; /* ir_pc */
        lut += k->staged_decode * decoded;
    }
    /* hdl_out asks for block RAM above BM_VERILOG_ROM_LOGIC_MAX words;
     * shallower memories become LUT ROM (64 x 1 per LUT6, iCE40 alike) */
    if (!s.logic_rom && s.program > BM_VERILOG_ROM_LOGIC_MAX)
        bram += bram_blocks(d, s.program, s.insn_width);
    else if (!s.logic_rom)
        lut += (double)s.insn_width * (double)div_up(s.program, 64);

    /* registers, their write muxes and the read muxes */
    ff += s.reg_bits;
    /* registers written the same values share one r_next mux */
    double in_values = (double)s.reg_in_mux - s.reg_in_mux_shared;
    double other_values = (double)s.reg_mux - s.reg_in_mux - s.reg_mux_shared;
    lut += k->write_mux * W * (other_values > 0 ? other_values : 0) +
           k->in_mux * W * (in_values > 0 ? in_values : 0);
    for (unsigned u = 0; u < AREA_USE_COUNT; u++)
        for (unsigned slot = 0; slot < 3; slot++)
            if (s.read_mux[u][slot] >= 2)
                lut += k->read_mux * s.read_bits[u][slot] * (s.read_mux[u][slot] - 1);

    /* function units and their input muxes */
    lut += k->flag_mux * W * s.unit_mux;
    unsigned sh = bm_bits_for(s.width);
    for (unsigned op = 0; op < BM_ALU_OP_COUNT; op++) {
        if (!s.unit[op])
            continue;
        switch ((bm_alu_op)op) {
        case BM_ALU_ADD: case BM_ALU_SUB: case BM_ALU_INC: case BM_ALU_DEC: case BM_ALU_NEG:
            lut += k->add * W;
            carry += W;
            break;
        case BM_ALU_AND: case BM_ALU_OR: case BM_ALU_XOR: case BM_ALU_NOT: case BM_ALU_RELU:
            lut += k->logic * W;
            break;
        case BM_ALU_SHL: case BM_ALU_SHR: case BM_ALU_SAR:
            lut += k->shift * W * (sh ? sh : 1);
            break;
        case BM_ALU_EQ: case BM_ALU_LT: case BM_ALU_LTU:
            lut += k->compare * W;
            carry += W;
            break;
        case BM_ALU_MIN: case BM_ALU_MAX:
            lut += k->minmax * W;
            carry += W;
            break;
        case BM_ALU_MUL:
            (void)price_multiplier(&lut, &ff, &carry, &dsp, &s, d, k, s.unit_bits[op][0],
                             s.unit_bits[op][1], s.width, port_operand(&s, (bm_alu_op)op));
            ff -= absorbed_operand_ff(&s, d, (bm_alu_op)op);
            break;
        case BM_ALU_MULFX: case BM_ALU_MACFX: {
            unsigned P = s.width + s.frac, x = op == BM_ALU_MACFX ? 1 : 0;
            int in_dsp = price_multiplier(&lut, &ff, &carry, &dsp, &s, d, k, s.unit_bits[op][x],
                                          s.unit_bits[op][x + 1], P,
                                          port_operand(&s, (bm_alu_op)op));
            ff -= absorbed_operand_ff(&s, d, (bm_alu_op)op);
            if (op != BM_ALU_MACFX)
                break;
            if (post_adder(&s)) {
                /* one addition (in the DSP block's post-adder when the
                 * product is there) of the accumulator picked by mp_k */
                if (!in_dsp) {
                    lut += k->add * W;
                    carry += W;
                }
                if (s.mul_acc > 1) {
                    lut += k->read_mux * W * (s.mul_acc - 1);
                    ff += bm_bits_for(s.mul_acc); /* mp_k */
                }
            } else {
                /* the accumulation: one adder, or with pipe one per
                 * accumulating register (rK + mp_p at write-back) */
                unsigned adders = s.mul == BM_MUL_PIPE && s.mul_acc > 1 ? s.mul_acc : 1;
                lut += k->add * W * adders;
                carry += W * adders;
            }
            break;
        }
        default: break;
        }
    }

    /* output ports: the value offered, posted outputs' holding registers */
    lut += k->flag_mux * W * s.out_mux + k->flag_mux * W * s.posted;
    ff += (W + 1) * s.posted;
    /* output queues: Q words instead of one, a count, the oldest's mux
     * (measured on a jet fold core, Q = 4: +45 LUT4, +7 LUT6, +50 FF) */
    const bm_core_params *cp = bm_core_get_params(c);
    unsigned depth[2] = {cp->queue, cp->forward_queue};
    unsigned ports[2] = {s.posted - s.forwarded, s.forwarded};
    for (unsigned i = 0; i < 2; i++) {
        unsigned q = depth[i];
        if (q > 1) {
            lut += k->read_mux * W * (q - 1) * ports[i];
            ff += ((q - 1) * W + bm_bits_for((uint64_t)q + 1) - 1) * ports[i];
        }
    }
    if (s.multicycle)
        ff += 1;

    /* the RAM: block RAM when it is worth one, else LUT-RAM or flip-flops */
    if (s.ram && s.ram_depth > 0) {
        uint64_t bits = (uint64_t)s.ram_depth * s.width;
        lut += k->ram_glue * W;
        ff += 1;
        if (d->family == BM_FAMILY_ICE40 || bits > 1024) {
            bram += bram_blocks(d, s.ram_depth, s.width);
        } else {
            lutram += div_up(s.ram_depth, 64) * s.width;
            ff += W;
        }
    }

    out->lut = to_count(lut);
    out->ff = to_count(ff);
    out->carry = to_count(carry / k->carry_per);
    out->dsp = dsp;
    out->bram = bram;
    out->lutram = lutram;
    return BM_OK;
}

int bm_area_estimate_machine(bm_area *out, const bm_machine *m, const bm_device *d)
{
    if (!out || !m || !d || !bm_machine_is_valid(m))
        return BM_EINVAL;
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        bm_area a;
        int rc = bm_area_estimate_core(&a, bm_machine_core(m, i), d);
        if (rc)
            return rc;
        out->lut += a.lut;
        out->ff += a.ff;
        out->carry += a.carry;
        out->dsp += a.dsp;
        out->bram += a.bram;
        out->lutram += a.lutram;
    }
    /* Glue of the top: a bond with k > 1 sinks gives each sink the AND of
     * the other readies and the source the AND of all. */
    for (unsigned b = 0; b < bm_machine_bond_count(m); b++) {
        unsigned sinks = bm_machine_bond_sink_count(m, b);
        if (sinks > 1)
            out->lut += sinks + 1;
    }
    return BM_OK;
}
