/* Reference semantics of the ALU operations on W-bit words (1 <= W <= 64).
 * The simulator calls this; the Verilog emitter's expressions must agree with
 * it, which the co-simulation tests check. */
#include "bm/isa.h"

static uint64_t mask_of(unsigned width)
{
    return width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
}

static int64_t as_signed(uint64_t v, unsigned width)
{
    if (width >= 64)
        return (int64_t)v;
    uint64_t sign = UINT64_C(1) << (width - 1);
    return (int64_t)((v ^ sign) - sign);
}

/* floor(a * b / 2^frac) of two signed W-bit values, from the exact 128-bit
 * product (an arithmetic shift right is a floor division). */
static uint64_t mul_fixed(uint64_t a, uint64_t b, unsigned width, unsigned frac)
{
    __int128 p = (__int128)as_signed(a, width) * (__int128)as_signed(b, width);
    __int128 q = p >= 0 ? p >> frac : -((-p + (((__int128)1 << frac) - 1)) >> frac);
    return (uint64_t)(unsigned __int128)q;
}

uint64_t bm_alu_eval(bm_alu_op op, uint64_t a, uint64_t b, uint64_t c, unsigned width,
                     unsigned frac)
{
    uint64_t m = mask_of(width);
    uint64_t r;
    switch (op) {
    case BM_ALU_NONE: r = 0; break;
    case BM_ALU_PASS_B: r = b; break;
    case BM_ALU_ADD: r = a + b; break;
    case BM_ALU_SUB: r = a - b; break;
    case BM_ALU_AND: r = a & b; break;
    case BM_ALU_OR: r = a | b; break;
    case BM_ALU_XOR: r = a ^ b; break;
    case BM_ALU_NOT: r = ~a; break;
    case BM_ALU_SHL: r = b >= width ? 0 : a << b; break;
    case BM_ALU_SHR: r = b >= width ? 0 : a >> b; break;
    case BM_ALU_SAR: {
        /* Sign-extend to 64 bits, then shift with explicit sign fill (C's >>
         * on negative values is implementation-defined). */
        uint64_t sx = (uint64_t)as_signed(a, width);
        int negative = (sx >> 63) != 0;
        if (b >= width)
            r = negative ? UINT64_MAX : 0;
        else
            r = negative ? ~(~sx >> b) : sx >> b;
        break;
    }
    case BM_ALU_INC: r = a + 1; break;
    case BM_ALU_DEC: r = a - 1; break;
    case BM_ALU_MUL: r = a * b; break;
    case BM_ALU_EQ: r = a == b; break;
    case BM_ALU_LT: r = as_signed(a, width) < as_signed(b, width); break;
    case BM_ALU_LTU: r = a < b; break;
    case BM_ALU_NEG: r = 0 - a; break;
    case BM_ALU_RELU: r = as_signed(a, width) < 0 ? 0 : a; break;
    case BM_ALU_MIN: r = as_signed(a, width) <= as_signed(b, width) ? a : b; break;
    case BM_ALU_MAX: r = as_signed(a, width) >= as_signed(b, width) ? a : b; break;
    case BM_ALU_MULFX: r = mul_fixed(a, b, width, frac); break;
    case BM_ALU_MACFX: r = a + mul_fixed(b, c, width, frac); break;
    default: r = 0; break;
    }
    return r & m;
}
