/* The Verilog expression of every ALU operation: the one table of hdl_out that
 * knows what an operation computes.  Each entry must equal bm_alu_eval
 * (arch/alu.c) bit for bit on W-bit operands; the co-simulation tests hold
 * them together.
 *
 * Templates: %a, %b, %c are the operands (W-bit expressions), %1 and %0
 * are the W-bit literals 1 and 0, and %z( ... ) zero-extends the 1-bit comparison inside
 * to W bits.  Verilog's own rules give the edge cases of bm_alu_eval:
 * shifting by W or more yields 0 (<<, >>) or the sign (>>> on a signed
 * operand), and a W-bit context keeps the low W bits of a product.
 */
#include <string.h>

#include "hdl.h"

static const char *const alu_template[BM_ALU_OP_COUNT] = {
    [BM_ALU_NONE] = NULL,
    [BM_ALU_PASS_B] = "%b",
    [BM_ALU_ADD] = "%a + %b",
    [BM_ALU_SUB] = "%a - %b",
    [BM_ALU_AND] = "%a & %b",
    [BM_ALU_OR] = "%a | %b",
    [BM_ALU_XOR] = "%a ^ %b",
    [BM_ALU_NOT] = "~%a",
    [BM_ALU_SHL] = "%a << %b",
    [BM_ALU_SHR] = "%a >> %b",
    [BM_ALU_SAR] = "$signed(%a) >>> %b",
    [BM_ALU_INC] = "%a + %1",
    [BM_ALU_DEC] = "%a - %1",
    [BM_ALU_MUL] = "%a * %b",
    [BM_ALU_EQ] = "%z(%a == %b)",
    [BM_ALU_LT] = "%z($signed(%a) < $signed(%b))",
    [BM_ALU_LTU] = "%z(%a < %b)",
    [BM_ALU_NEG] = "-%a",
    [BM_ALU_RELU] = "($signed(%a) < $signed(%0)) ? %0 : %a",
    [BM_ALU_MIN] = "($signed(%a) <= $signed(%b)) ? %a : %b",
    [BM_ALU_MAX] = "($signed(%a) >= $signed(%b)) ? %a : %b",
    /* The fixed-point units need the full 2W-bit product before the shift,
     * which no single W-bit expression gives: core.c writes them out
     * (emit_fixed_unit); these entries only say which inputs they read. */
    [BM_ALU_MULFX] = "%a * %b",
    [BM_ALU_MACFX] = "%a + %b * %c",
};

int bm_hdl_alu_uses(bm_alu_op op, unsigned slot)
{
    if ((unsigned)op >= BM_ALU_OP_COUNT || !alu_template[op] || slot > 2)
        return 0;
    char tag[3] = {'%', (char)('a' + slot), '\0'};
    return strstr(alu_template[op], tag) != NULL;
}

void bm_hdl_alu_expr(bm_buf *b, bm_alu_op op, unsigned width, const char *a, const char *bx,
                  const char *c)
{
    const char *t = (unsigned)op < BM_ALU_OP_COUNT ? alu_template[op] : NULL;
    if (!t) {
        bm_hdl_lit(b, width, 0);
        return;
    }
    int zext_depth = 0; /* open parentheses inside a %z( ... ), 0 when none */
    for (const char *p = t; *p; p++) {
        if (zext_depth && *p == '(')
            zext_depth++;
        if (zext_depth && *p == ')' && --zext_depth == 0) {
            bm_buf_puts(b, width > 1 ? ")}" : ")");
            continue;
        }
        if (*p != '%') {
            bm_buf_append(b, p, 1);
            continue;
        }
        p++;
        switch (*p) {
        case 'a': bm_buf_puts(b, a); break;
        case 'b': bm_buf_puts(b, bx); break;
        case 'c': bm_buf_puts(b, c ? c : "0"); break;
        case '1': bm_hdl_lit(b, width, 1); break;
        case '0': bm_hdl_lit(b, width, 0); break;
        case 'z':
            /* %z(x) -> {{W-1 zeros}, (x)}; for W == 1 just (x). */
            p++; /* the '(' */
            if (width > 1) {
                bm_buf_puts(b, "{");
                bm_hdl_lit(b, width - 1, 0);
                bm_buf_puts(b, ", ");
            }
            bm_buf_puts(b, "(");
            zext_depth = 1;
            break;
        default: bm_buf_append(b, p - 1, 2); break;
        }
    }
}
