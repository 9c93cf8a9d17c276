/* Private to the core emitter (core.c writes the datapath, the handshakes and
 * the state; core_fetch.c the program ROM and the decoder). */
#ifndef BM_HDL_CORE_H
#define BM_HDL_CORE_H

#include "hdl.h"

/* The state of one core module being written. */
typedef struct ce {
    hdl_core_plan *pl;
    bm_ctx *ctx;
    unsigned W;
    const char *word;            /* "fetch" or "ir": what decode reads    */
    unsigned char flag_used[BM_OPCODE_MAX];
    unsigned char *word_bit_used;
    int uses_clk;
    bm_buf decl, body, regs;     /* sections written before fetch/decode  */
    char fwd_full[40];           /* the forward's "no room" wire's name    */
} ce;

/* A decoded control: a flip-flop behind a LOGIC ROM, a wire behind a BLOCK ROM. */
typedef struct dsig {
    char name[48];
    unsigned width;
} dsig;

typedef struct dlist {
    dsig *s;
    size_t n, cap;
} dlist;

/* The decode of the word `e->word` into the controls of one instruction. */
typedef struct dec {
    ce *e;
    const char *pre;                      /* "next_" (LOGIC) or "" (BLOCK) */
    unsigned char match_used[BM_OPCODE_MAX];
} dec;

/* ---- core.c ---- */

/* A field of the decoded word (e->word); marks its bits used. */
void bm_hdl_field(ce *e, bm_buf *b, unsigned lsb, unsigned width);
/* Position and width of operand k of opcode `local` in the instruction word. */
void bm_hdl_operand_field(ce *e, unsigned local, unsigned k, unsigned *lsb, unsigned *width);
/* 1 when some instruction of the program can stall. */
int bm_hdl_has_stall(ce *e);
/* The flag of opcode `local` ("is_add"); marks it used. */
const char *bm_hdl_flag(ce *e, unsigned local);
/* What must hold for an instruction of opcode `local` to complete this
 * cycle ("in_xfer", "mc_last", ...); NULL when it always does. */
const char *bm_hdl_done_cond(ce *e, unsigned local);

/* ---- mul_unit.c: the multiplier family, one function per variant ---- */

/* Writes unit u when it is a multiplier (MUL, MULFX, MACFX) in the core's
 * variant and returns 1; returns 0 for other units.  operand[s] is the
 * text of ALU slot s ("" when the slot is not fed). */
int bm_hdl_mul_unit(ce *e, const hdl_unit *u, char operand[3][48]);
/* A pipelined multiplier's issue registers (nothing for other variants). */
void bm_hdl_mul_pipeline(ce *e);
/* The write-back of register r by the pipelined multiplier, inside the
 * register file's always block after the instructions' own writes. */
void bm_hdl_mul_writeback(ce *e, bm_buf *b, const hdl_reg *r);

/* ---- core_fetch.c ---- */

/* The decoded controls besides the opcode flags, in a fixed order. */
void bm_hdl_collect_decoded(ce *e, dlist *l);
/* The fetch section: fetch_pc, the ROM, the decoder, the fetch registers. */
void bm_hdl_emit_fetch(ce *e, bm_buf *b, const dlist *l, dec *d);

#endif
