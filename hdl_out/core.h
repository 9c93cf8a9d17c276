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

/* ---- core_fetch.c ---- */

/* The decoded controls besides the opcode flags, in a fixed order. */
void bm_hdl_collect_decoded(ce *e, dlist *l);
/* The fetch section: fetch_pc, the ROM, the decoder, the fetch registers. */
void bm_hdl_emit_fetch(ce *e, bm_buf *b, const dlist *l, dec *d);

#endif
