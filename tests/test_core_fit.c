/* bm_core_fit_program: a machine built in C, its program appended
 * instruction by instruction and its core fitted, is the machine the
 * assembler makes of the same program (the same canonical XML); a value set
 * above the need stays; a RAM program without a RAM is refused. */
#include "sim_helpers.h"

static const char *const program[] = {"in r0, i0", "addi r2, 5", "add r2, r0", "out o0, r2",
                                      "out o1, r0", "j 0"};

static const char asm_text[] = ".machine fit\n"
                               ".input x 8\n"
                               ".output y 8\n"
                               ".output z 8\n"
                               ".core a 8\n"
                               "    in r0, i0\n"
                               "    addi r2, 5\n"
                               "    add r2, r0\n"
                               "    out o0, r2\n"
                               "    out o1, r0\n"
                               "    j 0\n"
                               ".bond x -> a.i0\n"
                               ".bond a.o0 -> y\n"
                               ".bond a.o1 -> z\n";

/* The machine of asm_text built in C; registers preset to `registers`. */
static bm_machine *build(bm_ctx *ctx, unsigned registers)
{
    bm_machine *m;
    bm_loc nowhere = {NULL, 0, 0};
    cr_assert_eq(bm_machine_new(&m, ctx, "fit"), 0);
    cr_assert_eq(bm_machine_add_input(m, "x", 8, nowhere), 0);
    cr_assert_eq(bm_machine_add_output(m, "y", 8, nowhere), 0);
    cr_assert_eq(bm_machine_add_output(m, "z", 8, nowhere), 0);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = 8;
    p.registers = registers;
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "a", &p, nowhere), 0);
    for (size_t i = 0; i < sizeof program / sizeof program[0]; i++) {
        bm_insn in;
        cr_assert_eq(bm_insn_parse(ctx, program[i], 8, nowhere, &in), 0, "%s", program[i]);
        cr_assert_eq(bm_core_append_insn(c, &in), 0);
    }
    cr_assert_eq(bm_core_fit_program(c), 0, "%s", simt_diags(ctx));
    unsigned b;
    cr_assert_eq(bm_machine_add_bond(m, &b, "x", nowhere), 0);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "a.i0", nowhere), 0);
    cr_assert_eq(bm_machine_add_bond(m, &b, "a.o0", nowhere), 0);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "y", nowhere), 0);
    cr_assert_eq(bm_machine_add_bond(m, &b, "a.o1", nowhere), 0);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "z", nowhere), 0);
    cr_assert_eq(bm_machine_validate(m), 0, "%s", simt_diags(ctx));
    return m;
}

Test(core_fit, a_program_built_in_c_fits_like_the_assembler_derives)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *built = build(ctx, 1);
    const bm_core_params *p = bm_core_get_params(bm_machine_core(built, 0));
    cr_expect_eq(p->registers, 3); /* r0 .. r2 */
    cr_expect_eq(p->rom_depth, 6);
    cr_expect_eq(p->inputs, 1);
    cr_expect_eq(p->outputs, 2);
    cr_expect_eq(p->ram_depth, 0);
    cr_expect_eq(bm_opcode_set_count(bm_core_opcodes(bm_machine_core(built, 0))), 5);

    bm_machine *assembled;
    cr_assert_eq(bm_asm_memory(&assembled, ctx, asm_text, strlen(asm_text), "fit.s", NULL), 0,
                 "%s", simt_diags(ctx));
    char *a, *b;
    size_t na, nb;
    cr_assert_eq(bm_machine_write_memory(built, &a, &na), 0);
    cr_assert_eq(bm_machine_write_memory(assembled, &b, &nb), 0);
    cr_expect_str_eq(a, b);
    bm_xml_buffer_free(ctx, a);
    bm_xml_buffer_free(ctx, b);

    /* it runs: x = 1, 2 gives y = 6, 13 (r2 += 5 + x) and z = 1, 2 */
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, built, NULL), 0);
    cr_assert_eq(bm_sim_push_input(sim, 0, 1), 0);
    cr_assert_eq(bm_sim_push_input(sim, 0, 2), 0);
    simt_run(sim, 100, 0);
    cr_assert_eq(bm_sim_output_count(sim), 4);
    uint64_t want[4][2] = {{0, 6}, {1, 1}, {0, 13}, {1, 2}}; /* {output, value} */
    for (size_t i = 0; i < 4; i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        cr_expect_eq(t.output, want[i][0], "transfer %zu", i);
        cr_expect_eq(t.value, want[i][1], "transfer %zu", i);
    }
    bm_sim_free(sim);
    bm_machine_free(assembled);
    bm_machine_free(built);

    /* 8 registers set first stay 8 */
    built = build(ctx, 8);
    cr_expect_eq(bm_core_get_params(bm_machine_core(built, 0))->registers, 8);
    bm_machine_free(built);
    bm_ctx_free(ctx);
}

Test(core_fit, a_ram_program_needs_a_ram)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    bm_loc nowhere = {NULL, 0, 0}, here = {"prog", 3, 5};
    cr_assert_eq(bm_machine_new(&m, ctx, "r"), 0);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "a", &p, nowhere), 0);
    bm_insn in;
    cr_assert_eq(bm_insn_parse(ctx, "ld r1, r0", 8, here, &in), 0);
    cr_assert_eq(bm_core_append_insn(c, &in), 0);
    cr_expect_eq(bm_core_fit_program(c), BM_EINVALID);
    cr_expect_str_eq(simt_diags(ctx), "prog:3:5: error: 'ld' needs a RAM: give core 'a' a "
                                      "ram_depth or RAM contents\n");
    bm_ctx_clear_diags(ctx);
    /* RAM contents of 3 words give a RAM of 3 */
    const uint64_t words[] = {7, 8, 9};
    cr_assert_eq(bm_core_set_ram_init(c, words, 3, nowhere), 0);
    cr_expect_eq(bm_core_fit_program(c), 0);
    cr_expect_eq(bm_core_get_params(c)->ram_depth, 3);
    cr_expect_eq(bm_core_get_params(c)->registers, 2);
    cr_expect_eq(bm_core_fit_program(NULL), BM_EINVAL);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
