/* Per-core instruction encoding (bm/encoding.h, docs/isa.md): field widths,
 * instruction widths, encode/decode round trips and refusals. */
#include <string.h>

#include <criterion/criterion.h>

#include "bm.h"
#include "helpers.h"

static bm_ctx *ctx;
static bm_machine *m;

static void setup(void)
{
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    cr_assert_eq(bm_machine_new(&m, ctx, "m"), BM_OK);
}

static void teardown(void)
{
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

TestSuite(encoding, .init = setup, .fini = teardown);

typedef struct shape {
    unsigned width, registers, rom, ram, inputs, outputs;
} shape;

/* A core of the given shape with the opcodes named in `opcodes` (space
 * separated; "*" for the whole catalogue), and its encoding. */
static bm_core *core_with(shape s, const char *opcodes, bm_encoding *enc)
{
    static unsigned n;
    char name[16];
    snprintf(name, sizeof name, "c%u", n++);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = s.width;
    p.registers = s.registers;
    p.rom_depth = s.rom;
    p.ram_depth = s.ram;
    p.inputs = s.inputs;
    p.outputs = s.outputs;
    bm_core *c;
    bm_loc nowhere = {NULL, 0, 0};
    cr_assert_eq(bm_machine_add_core(m, &c, name, &p, nowhere), BM_OK);
    if (strcmp(opcodes, "*") == 0) {
        for (unsigned id = 0; id < bm_isa_count(); id++)
            cr_assert_eq(bm_core_add_opcode(c, bm_isa_get(id)->mnemonic, nowhere), BM_OK);
    } else {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", opcodes);
        for (char *sv = NULL, *t = strtok_r(buf, " ", &sv); t; t = strtok_r(NULL, " ", &sv))
            cr_assert_eq(bm_core_add_opcode(c, t, nowhere), BM_OK, "%s", t);
    }
    cr_assert_eq(bm_core_encoding(c, enc), BM_OK);
    return c;
}

static const shape small = {8, 4, 4, 0, 1, 1};

static unsigned id_of(const char *mnemonic)
{
    int id = bm_isa_lookup(mnemonic);
    cr_assert_geq(id, 0, "no opcode %s", mnemonic);
    return (unsigned)id;
}

/* ---- opcode field ------------------------------------------------------ */

Test(encoding, one_opcode_has_a_zero_bit_opcode_field)
{
    bm_encoding e;
    core_with(small, "halt", &e);
    cr_expect_eq(e.n_opcodes, 1);
    cr_expect_eq(e.opcode_bits, 0);
    cr_expect_eq(e.insn_width, 1, "an instruction is at least one bit");

    shape rom8 = small;
    rom8.rom = 8;
    core_with(rom8, "j", &e);
    cr_expect_eq(e.opcode_bits, 0);
    cr_expect_eq(e.insn_width, 3, "j alone is just its 3-bit address");
    bm_insn j = {id_of("j"), {5, 0, 0}, {NULL, 0, 0}};
    bm_word w;
    cr_assert_eq(bm_encode(&e, &j, &w), BM_OK);
    cr_expect_eq(w.w[0], 5);
    cr_expect_eq(w.w[1], 0);
}

Test(encoding, opcode_field_is_ceil_log2_of_the_set)
{
    static const struct {
        const char *set;
        unsigned n, bits;
    } cases[] = {
        {"nop halt", 2, 1},
        {"nop mov li add", 4, 2},
        {"nop mov li add sub", 5, 3},
        {"nop mov li add sub and or xor", 8, 3},
        {"nop mov li add sub and or xor not", 9, 4},
        {"*", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bm_encoding e;
        core_with(small, cases[i].set, &e);
        unsigned n = cases[i].n ? cases[i].n : bm_isa_count();
        cr_expect_eq(e.n_opcodes, n, "set '%s'", cases[i].set);
        unsigned bits = cases[i].n ? cases[i].bits : bm_bits_for(bm_isa_count());
        cr_expect_eq(e.opcode_bits, bits, "set '%s'", cases[i].set);
        cr_expect_eq(bm_encoding_opcode_lsb(&e), e.insn_width - e.opcode_bits);
    }
}

Test(encoding, opcodes_are_numbered_in_catalogue_order)
{
    bm_encoding e;
    core_with(small, "out in add j", &e);
    static const char *const order[] = {"add", "j", "in", "out"};
    for (unsigned k = 0; k < 4; k++) {
        cr_expect_eq(e.opcode_id[k], id_of(order[k]), "local %u", k);
        cr_expect_eq(e.local_number[id_of(order[k])], (int)k);
    }
    cr_expect_eq(e.local_number[id_of("nop")], -1);
}

/* ---- operand fields and instruction width ------------------------------- */

Test(encoding, field_widths_follow_the_core)
{
    shape s = {12, 5, 17, 3, 1, 9};
    bm_encoding e;
    bm_core *c = core_with(s, "nop", &e);
    cr_expect_eq(e.kind_bits[BM_OPND_REG], 3);
    cr_expect_eq(e.kind_bits[BM_OPND_IMM], 12);
    cr_expect_eq(e.kind_bits[BM_OPND_SHAMT], 4);
    cr_expect_eq(e.kind_bits[BM_OPND_ADDR], 5);
    cr_expect_eq(e.kind_bits[BM_OPND_IN], 0);
    cr_expect_eq(e.kind_bits[BM_OPND_OUT], 4);
    for (unsigned k = 0; k < BM_OPND_KIND_COUNT; k++)
        cr_expect_eq(bm_core_operand_bits(c, (bm_operand_kind)k), e.kind_bits[k]);
}

/* li rd, imm with immediates 5, 12 and 33 bits wide: the instruction is
 * opcode | register | immediate, the widest in the set. */
Test(encoding, immediates_of_5_12_and_33_bits)
{
    static const unsigned widths[] = {5, 12, 33};
    for (size_t i = 0; i < 3; i++) {
        unsigned w = widths[i];
        shape s = {w, 4, 4, 0, 0, 0};
        bm_encoding e;
        core_with(s, "li j halt", &e);
        cr_expect_eq(e.opcode_bits, 2);
        cr_expect_eq(e.kind_bits[BM_OPND_IMM], w);
        cr_expect_eq(e.insn_width, 2 + 2 + w, "word %u", w);
        unsigned lsb, width;
        cr_assert_eq(bm_encoding_operand_field(&e, id_of("li"), 1, &lsb, &width), BM_OK);
        cr_expect_eq(lsb, 0);
        cr_expect_eq(width, w);
        cr_assert_eq(bm_encoding_operand_field(&e, id_of("li"), 0, &lsb, &width), BM_OK);
        cr_expect_eq(lsb, w);
        cr_expect_eq(width, 2);
        cr_expect_eq(bm_encoding_used_bits(&e, id_of("j")), 4);
        cr_expect_eq(bm_encoding_used_bits(&e, id_of("halt")), 2);

        /* li r3, all ones: opcode 1 (li is before j and halt)... */
        uint64_t ones = (UINT64_C(1) << w) - 1;
        bm_insn li = {id_of("li"), {3, ones, 0}, {NULL, 0, 0}};
        bm_word word;
        cr_assert_eq(bm_encode(&e, &li, &word), BM_OK);
        cr_expect_eq(e.local_number[id_of("li")], 0);
        cr_expect_eq(bm_word_get(&word, 0, w), ones);
        cr_expect_eq(bm_word_get(&word, w, 2), 3);
        cr_expect_eq(bm_word_get(&word, w + 2, 2), 0);
        /* ...and one more bit does not fit. */
        li.operand[1] = ones + 1;
        cr_expect_eq(bm_encode(&e, &li, &word), BM_ERANGE, "word %u", w);
    }
}

Test(encoding, instruction_width_is_the_widest_instruction)
{
    shape s = {16, 2, 1000, 0, 0, 0};
    bm_encoding e;
    core_with(s, "inc j halt", &e);
    /* inc: 2 + 1, j: 2 + 10 (ROM of 1000), halt: 2 */
    cr_expect_eq(e.insn_width, 12);
    core_with(s, "inc li j", &e);
    cr_expect_eq(e.insn_width, 2 + 1 + 16);
}

Test(encoding, acc8_words)
{
    bm_encoding e;
    core_with(small, "add j in out", &e);
    cr_expect_eq(e.insn_width, 6);
    static const struct {
        const char *text, *hex, *bin;
    } cases[] = {
        {"in r1, i0", "24", "100100"},
        {"add r0, r1", "01", "000001"},
        {"out o0, r0", "30", "110000"},
        {"j 3", "1c", "011100"},
    };
    for (size_t i = 0; i < 4; i++) {
        bm_insn insn;
        bm_loc nowhere = {NULL, 0, 0};
        cr_assert_eq(bm_insn_parse(ctx, cases[i].text, 8, nowhere, &insn), BM_OK);
        bm_word w;
        cr_assert_eq(bm_encode(&e, &insn, &w), BM_OK);
        char hex[8], bin[8];
        cr_expect_eq(bm_word_to_hex(&w, e.insn_width, hex, sizeof hex), 2);
        cr_expect_eq(bm_word_to_bin(&w, e.insn_width, bin, sizeof bin), 6);
        cr_expect_str_eq(hex, cases[i].hex, "%s", cases[i].text);
        cr_expect_str_eq(bin, cases[i].bin, "%s", cases[i].text);
    }
}

/* ---- round trips --------------------------------------------------------- */

/* The largest value a field of an operand kind may hold in a core, and
 * which the core's limits allow. */
static uint64_t top_value(const bm_encoding *e, bm_operand_kind k, unsigned salt)
{
    unsigned bits = e->kind_bits[k];
    uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    switch (salt % 3) {
    case 0: return max;
    case 1: return 0;
    default: return max / 3; /* 0101... */
    }
}

Test(encoding, every_opcode_round_trips_at_several_shapes)
{
    static const shape shapes[] = {
        {1, 1, 1, 1, 1, 1},
        {8, 4, 4, 0, 1, 1},
        {5, 3, 7, 2, 3, 5},
        {12, 16, 300, 64, 2, 2},
        {33, 17, 1025, 1, 4, 1},
        {64, 65536, 1u << 24, 1u << 24, 65536, 65536},
    };
    static const char *const sets[] = {"*", NULL};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        for (unsigned id = 0; id < bm_isa_count(); id++) {
            /* Once in the full catalogue, once in a set of its own. */
            for (int own = 0; own < 2; own++) {
                bm_encoding e;
                core_with(shapes[si], own ? bm_isa_get(id)->mnemonic : sets[0], &e);
                const bm_opcode_def *d = bm_isa_get(id);
                for (unsigned salt = 0; salt < 3; salt++) {
                    bm_insn in = {(uint16_t)id, {0, 0, 0}, {NULL, 0, 0}};
                    for (unsigned k = 0; k < d->n_operands; k++)
                        in.operand[k] = top_value(&e, d->operands[k], salt + k);
                    bm_word w;
                    cr_assert_eq(bm_encode(&e, &in, &w), BM_OK, "%s shape %zu", d->mnemonic, si);
                    cr_expect_leq(bm_encoding_used_bits(&e, id), e.insn_width);
                    for (unsigned b = e.insn_width; b < BM_WORD_BITS_MAX; b++)
                        cr_assert_eq(bm_word_get(&w, b, 1), 0, "%s: bit %u set", d->mnemonic, b);
                    bm_insn out;
                    cr_assert_eq(bm_decode(&e, &w, &out), BM_OK, "%s shape %zu", d->mnemonic, si);
                    cr_expect_eq(out.opcode, id);
                    for (unsigned k = 0; k < BM_OPERAND_MAX; k++)
                        cr_expect_eq(out.operand[k], in.operand[k], "%s shape %zu operand %u",
                                     d->mnemonic, si, k);
                }
            }
        }
    }
}

/* A 64-bit core with 65536 registers: li is 1 + 16 + 64 = 81 bits, so nop
 * has 80 bits of padding, more than one uint64_t. */
Test(encoding, padding_wider_than_64_bits)
{
    shape s = {64, 65536, 2, 0, 0, 0};
    bm_encoding e;
    core_with(s, "nop li", &e);
    cr_assert_eq(e.insn_width, 81);
    bm_insn nop = {id_of("nop"), {0, 0, 0}, {NULL, 0, 0}};
    bm_word w;
    cr_assert_eq(bm_encode(&e, &nop, &w), BM_OK);
    bm_insn out;
    cr_expect_eq(bm_decode(&e, &w, &out), BM_OK);
    char hex[32];
    cr_expect_eq(bm_word_to_hex(&w, e.insn_width, hex, sizeof hex), 21);
    cr_expect_str_eq(hex, "000000000000000000000");
    bm_word_set(&w, 70, 1, 1);
    cr_expect_eq(bm_decode(&e, &w, &out), BM_EINVAL, "a set padding bit above 64 went unseen");
    bm_word_set(&w, 70, 1, 0);
    bm_word_set(&w, 3, 1, 1);
    cr_expect_eq(bm_decode(&e, &w, &out), BM_EINVAL, "a set padding bit went unseen");

    bm_insn li = {id_of("li"), {65535, UINT64_MAX, 0}, {NULL, 0, 0}};
    cr_assert_eq(bm_encode(&e, &li, &w), BM_OK);
    cr_expect_eq(bm_word_to_hex(&w, e.insn_width, hex, sizeof hex), 21);
    cr_expect_str_eq(hex, "1ffffffffffffffffffff");
    cr_assert_eq(bm_decode(&e, &w, &out), BM_OK);
    cr_expect_eq(out.operand[0], 65535);
    cr_expect_eq(out.operand[1], UINT64_MAX);
}

/* ---- refusals ------------------------------------------------------------- */

Test(encoding, operand_that_does_not_fit_is_erange)
{
    bm_encoding e;
    core_with(small, "add j in out", &e);
    bm_insn add = {id_of("add"), {4, 0, 0}, {NULL, 0, 0}};
    bm_word w;
    cr_expect_eq(bm_encode(&e, &add, &w), BM_ERANGE, "register 4 in a 2-bit field");
    add.operand[0] = 3;
    cr_expect_eq(bm_encode(&e, &add, &w), BM_OK);
    bm_insn in = {id_of("in"), {0, 1, 0}, {NULL, 0, 0}};
    cr_expect_eq(bm_encode(&e, &in, &w), BM_ERANGE, "port 1 in a 0-bit field");
    bm_insn j = {id_of("j"), {4, 0, 0}, {NULL, 0, 0}};
    cr_expect_eq(bm_encode(&e, &j, &w), BM_ERANGE, "address 4 in a 2-bit field");
}

Test(encoding, opcode_outside_the_set)
{
    shape s = {8, 4, 4, 0, 1, 1};
    bm_encoding e;
    core_with(s, "nop mov li add sub", &e);
    cr_assert_eq(e.opcode_bits, 3);
    bm_insn halt = {id_of("halt"), {0, 0, 0}, {NULL, 0, 0}};
    bm_word w;
    cr_expect_eq(bm_encode(&e, &halt, &w), BM_EINVAL, "encoded an opcode not in the set");
    bm_insn bogus = {BM_OPCODE_MAX - 1, {0, 0, 0}, {NULL, 0, 0}};
    cr_expect_eq(bm_encode(&e, &bogus, &w), BM_EINVAL);
    unsigned lsb, width;
    cr_expect_eq(bm_encoding_operand_field(&e, id_of("halt"), 0, &lsb, &width), BM_EINVAL);
    cr_expect_eq(bm_encoding_operand_field(&e, id_of("add"), 2, &lsb, &width), BM_EINVAL);

    /* Local numbers 5, 6 and 7 fit the 3-bit field but name no opcode. */
    bm_insn out;
    for (uint64_t local = 0; local < 8; local++) {
        memset(&w, 0, sizeof w);
        bm_word_set(&w, bm_encoding_opcode_lsb(&e), 3, local);
        int rc = bm_decode(&e, &w, &out);
        cr_expect_eq(rc, local < 5 ? BM_OK : BM_EINVAL, "local opcode %u", (unsigned)local);
    }
    /* A bit above the instruction width. */
    memset(&w, 0, sizeof w);
    bm_word_set(&w, e.insn_width, 1, 1);
    cr_expect_eq(bm_decode(&e, &w, &out), BM_EINVAL);
}

Test(encoding, word_helpers)
{
    bm_word w = {{0, 0}};
    bm_word_set(&w, 60, 8, 0xab);
    cr_expect_eq(w.w[0], UINT64_C(0xb) << 60);
    cr_expect_eq(w.w[1], 0xa);
    cr_expect_eq(bm_word_get(&w, 60, 8), 0xab);
    cr_expect_eq(bm_word_get(&w, 64, 64), 0xa);
    char small_buf[2];
    cr_expect_eq(bm_word_to_hex(&w, 68, small_buf, sizeof small_buf), -1);
    cr_expect_eq(bm_word_to_bin(&w, 68, small_buf, sizeof small_buf), -1);
    char hex[32];
    cr_expect_eq(bm_word_to_hex(&w, 5, hex, sizeof hex), 2);
    cr_expect_str_eq(hex, "00");
    cr_expect_eq(bm_word_to_hex(&w, 68, hex, sizeof hex), 17);
    cr_expect_str_eq(hex, "ab000000000000000");
}
