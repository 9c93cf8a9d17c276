/* The machine model through the public API: construction, the validation
 * rules (docs/format.md, "Rules"), the allocator hook and diagnostics. */
#include <stdlib.h>
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
    bm_loc where = {"m.xml", 1, 1};
    bm_machine_set_loc(m, where);
}

static void teardown(void)
{
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

TestSuite(model, .init = setup, .fini = teardown);

static bm_loc at(unsigned line)
{
    bm_loc l = {"m.xml", line, 3};
    return l;
}

/* Adds a core declared at `line` whose instructions are at the following
 * lines (column 10, as after "      <i>").  The ROM holds the program
 * exactly.  prog ends with NULL. */
static bm_core *add_core(const char *name, unsigned width, unsigned regs, unsigned ram,
                         unsigned in, unsigned out, const char *opcodes, unsigned line,
                         const char *const *prog)
{
    bm_core_params p = BM_CORE_PARAMS_INIT;
    unsigned n = 0;
    while (prog[n])
        n++;
    p.width = width;
    p.registers = regs;
    p.rom_depth = n ? n : 1;
    p.ram_depth = ram;
    p.inputs = in;
    p.outputs = out;
    bm_core *c = NULL;
    cr_assert_eq(bm_machine_add_core(m, &c, name, &p, at(line)), BM_OK);
    cr_assert_not_null(c);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", opcodes);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        cr_assert_eq(bm_core_add_opcode(c, t, at(line + 1)), BM_OK, "opcode %s", t);
    for (unsigned k = 0; k < n; k++) {
        bm_insn insn;
        bm_loc l = {"m.xml", line + 1 + k, 10};
        cr_assert_eq(bm_insn_parse(ctx, prog[k], width <= 64 ? width : 64, l, &insn), BM_OK,
                     "parse '%s'", prog[k]);
        cr_assert_eq(bm_core_append_insn(c, &insn), BM_OK);
    }
    return c;
}

static unsigned add_bond(const char *from, const char *to, unsigned line)
{
    unsigned b = 99;
    cr_assert_eq(bm_machine_add_bond(m, &b, from, at(line)), BM_OK);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", to);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        cr_assert_eq(bm_machine_bond_add_sink(m, b, t, at(line)), BM_OK);
    return b;
}

static const char *const loop_in[] = {"in r0, i0", "j 0", NULL};

/* ---- a whole machine --------------------------------------------------- */

Test(model, acc8_through_the_api)
{
    static const char *const prog[] = {"in r1, i0", "add r0, r1", "out o0, r0", "j 0", NULL};
    cr_assert_eq(bm_machine_add_input(m, "a", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "sum", 8, at(3)), BM_OK);
    bm_core *c = add_core("acc", 8, 4, 0, 1, 1, "out in add j", 4, prog);
    add_bond("a", "acc.i0", 12);
    add_bond("acc.o0", "sum", 13);

    bm_endpoint ep;
    cr_expect_eq(bm_machine_bond_source(m, 0, &ep), BM_EINVAL, "resolved before validation");
    cr_assert_eq(bm_machine_validate(m), BM_OK);
    assert_diags(ctx, "");
    cr_expect(bm_machine_is_valid(m));

    cr_expect_str_eq(bm_machine_name(m), "m");
    cr_expect_eq(bm_machine_core_count(m), 1);
    cr_expect_eq(bm_machine_core(m, 0), c);
    cr_expect_null(bm_machine_core(m, 1));
    cr_expect_eq(bm_machine_find_core(m, "acc"), 0);
    cr_expect_eq(bm_machine_find_core(m, "nope"), BM_ENOTFOUND);
    cr_expect_eq(bm_machine_find_input(m, "a"), 0);
    cr_expect_eq(bm_machine_find_output(m, "sum"), 0);
    cr_expect_eq(bm_machine_find_output(m, "a"), BM_ENOTFOUND);
    cr_expect_eq(bm_core_program_length(c), 4);
    cr_expect_eq(bm_core_insn(c, 1)->opcode, bm_isa_lookup("add"));
    cr_expect_null(bm_core_insn(c, 4));
    cr_expect_eq(bm_opcode_set_count(bm_core_opcodes(c)), 4);

    cr_expect_eq(bm_machine_bond_of_input(m, 0), 0);
    cr_expect_eq(bm_machine_bond_of_core_input(m, 0, 0), 0);
    cr_expect_eq(bm_machine_bond_of_core_output(m, 0, 0), 1);
    cr_expect_eq(bm_machine_bond_of_output(m, 0), 1);
    cr_expect_eq(bm_machine_bond_of_core_input(m, 0, 1), BM_ENOTFOUND);
    cr_assert_eq(bm_machine_bond_source(m, 1, &ep), BM_OK);
    cr_expect_eq(ep.kind, BM_EP_CORE_OUT);
    cr_expect_eq(ep.index, 0);
    cr_expect_eq(ep.port, 0);
    cr_assert_eq(bm_machine_bond_sink(m, 0, 0, &ep), BM_OK);
    cr_expect_eq(ep.kind, BM_EP_CORE_IN);
    cr_assert_eq(bm_machine_bond_sink(m, 1, 0, &ep), BM_OK);
    cr_expect_eq(ep.kind, BM_EP_OUTPUT);
    cr_expect_eq(bm_machine_bond_sink(m, 1, 1, &ep), BM_EINVAL);

    /* Any change makes the machine unvalidated again. */
    cr_assert_eq(bm_machine_add_input(m, "b", 8, at(20)), BM_OK);
    cr_expect_not(bm_machine_is_valid(m));
    cr_expect_eq(bm_machine_bond_of_input(m, 0), BM_ENOTFOUND);
}

Test(model, fan_out_is_one_bond_with_several_sinks)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    add_core("p", 8, 1, 0, 1, 0, "in j", 3, loop_in);
    add_core("q", 8, 1, 0, 1, 0, "in j", 6, loop_in);
    add_bond("x", "p.i0 q.i0", 9);
    cr_assert_eq(bm_machine_validate(m), BM_OK);
    assert_diags(ctx, "");
    cr_expect_eq(bm_machine_bond_sink_count(m, 0), 2);
    cr_expect_str_eq(bm_machine_bond_sink_text(m, 0, 1), "q.i0");
    cr_expect_eq(bm_machine_bond_of_core_input(m, 1, 0), 0);
}

/* ---- bonds ------------------------------------------------------------- */

Test(model, fan_in_is_an_error)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_input(m, "y", 8, at(3)), BM_OK);
    add_core("c", 8, 1, 0, 1, 0, "in j", 4, loop_in);
    add_bond("x", "c.i0", 10);
    add_bond("y", "c.i0", 11);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    cr_expect_not(bm_machine_is_valid(m));
    assert_diags(ctx, "m.xml:11:3: error: fan-in: 'c.i0' is already driven by the bond from "
                      "'x' at line 10; a sink has exactly one source\n");
}

Test(model, a_source_drives_one_bond)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    add_core("p", 8, 1, 0, 1, 0, "in j", 3, loop_in);
    add_core("q", 8, 1, 0, 1, 0, "in j", 6, loop_in);
    add_bond("x", "p.i0", 9);
    add_bond("x", "q.i0", 10);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:10:3: error: 'x' already drives the bond at line 9; list all its "
                      "sinks in that one bond\n");
}

Test(model, width_mismatch_is_an_error)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 16, at(2)), BM_OK);
    add_core("c", 8, 1, 0, 1, 0, "in j", 4, loop_in);
    add_bond("x", "c.i0", 10);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:10:3: error: width mismatch: 'x' is 16 bits but 'c.i0' is 8 bits\n");
}

Test(model, bond_to_missing_things_names_them)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "y", 8, at(3)), BM_OK);
    add_core("c", 8, 1, 0, 1, 0, "in j", 4, loop_in);
    add_bond("x", "c.i0 c.i1", 10);
    add_bond("c.o0", "y", 11);
    add_bond("d.o2", "nowhere", 12);
    add_bond("c.x1", "c.i", 13);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx,
                 "m.xml:10:3: error: bond endpoint 'c.i1': core 'c' has no input port 1 (it has 1)\n"
                 "m.xml:11:3: error: bond endpoint 'c.o0': core 'c' has no output port 0 (it has 0)\n"
                 "m.xml:12:3: error: bond endpoint 'd.o2': there is no core named 'd'\n"
                 "m.xml:12:3: error: bond endpoint 'nowhere' is neither an external input nor an "
                 "output\n"
                 "m.xml:13:3: error: bond endpoint 'c.x1': a core port is written 'core.iN' or "
                 "'core.oN'\n"
                 "m.xml:13:3: error: bond endpoint 'c.i': a core port is written 'core.iN' or "
                 "'core.oN'\n");
}

Test(model, bond_direction_is_checked)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "y", 8, at(3)), BM_OK);
    add_bond("y", "x", 10);
    unsigned b;
    cr_assert_eq(bm_machine_add_bond(m, &b, "x", at(11)), BM_OK); /* no sink */
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx,
                 "m.xml:10:3: error: bond source 'y' is a sink (an external output) and cannot "
                 "drive a bond\n"
                 "m.xml:10:3: error: bond sink 'x' is a source (an external input) and cannot be "
                 "driven\n"
                 "m.xml:11:3: error: bond from 'x' has no sink\n");
}

Test(model, unconnected_ports_are_warnings_not_errors)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "y", 8, at(3)), BM_OK);
    add_core("c", 8, 1, 0, 1, 0, "in j", 4, loop_in);
    cr_expect_eq(bm_machine_validate(m), BM_OK);
    cr_expect(bm_machine_is_valid(m));
    cr_expect_eq(bm_ctx_error_count(ctx), 0);
    cr_expect_eq(bm_ctx_warning_count(ctx), 3);
    cr_expect_eq(bm_ctx_diag(ctx, 0)->severity, BM_SEV_WARNING);
    assert_diags(ctx, "m.xml:4:3: warning: core 'c': input port i0 is not connected\n"
                      "m.xml:2:3: warning: external input 'x' is not connected\n"
                      "m.xml:3:3: warning: external output 'y' is not connected\n");
    cr_expect_eq(bm_machine_bond_of_core_input(m, 0, 0), BM_ENOTFOUND);
}

/* ---- names and widths -------------------------------------------------- */

Test(model, duplicate_names_are_errors)
{
    static const char *const prog[] = {"halt", NULL};
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "x", 8, at(3)), BM_OK);
    add_core("c", 8, 1, 0, 0, 0, "halt", 4, prog);
    add_core("c", 8, 1, 0, 0, 0, "halt", 7, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:3:3: error: external port name 'x' is already used at line 2\n"
                      "m.xml:7:3: error: core name 'c' is already used at line 4\n");
}

Test(model, names_must_be_identifiers)
{
    static const char *const prog[] = {"halt", NULL};
    cr_assert_eq(bm_machine_set_name(m, "my machine"), BM_OK);
    cr_assert_eq(bm_machine_add_input(m, "9x", 8, at(2)), BM_OK);
    add_core("c.d", 8, 1, 0, 0, 0, "halt", 4, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx,
                 "m.xml:1:1: error: machine name 'my machine' is not an identifier (a letter or "
                 "'_', then letters, digits or '_', at most 64 characters)\n"
                 "m.xml:2:3: error: input name '9x' is not an identifier (a letter or '_', then "
                 "letters, digits or '_', at most 64 characters)\n"
                 "m.xml:4:3: error: core name 'c.d' is not an identifier (a letter or '_', then "
                 "letters, digits or '_', at most 64 characters)\n");
}

Test(model, core_widths_0_and_65_are_refused)
{
    static const char *const prog[] = {"halt", NULL};
    add_core("zero", 0, 1, 0, 0, 0, "halt", 4, prog);
    add_core("wide", 65, 1, 0, 0, 0, "halt", 7, prog);
    add_core("one", 1, 1, 0, 0, 0, "halt", 10, prog);
    add_core("full", 64, 1, 0, 0, 0, "halt", 13, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:4:3: error: core 'zero': word width 0 is not supported (libbm "
                      "supports 1..64 bits)\n"
                      "m.xml:7:3: error: core 'wide': word width 65 is not supported (libbm "
                      "supports 1..64 bits)\n");
}

Test(model, port_widths_0_and_65_are_refused)
{
    cr_assert_eq(bm_machine_add_input(m, "x", 0, at(2)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "y", 65, at(3)), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "z", 64, at(4)), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:2:3: error: external input 'x': width 0 is not supported (libbm "
                      "supports 1..64 bits)\n"
                      "m.xml:3:3: error: external output 'y': width 65 is not supported (libbm "
                      "supports 1..64 bits)\n");
}

Test(model, core_counts_are_range_checked)
{
    static const char *const prog[] = {"halt", NULL};
    bm_core *c = add_core("c", 8, 1, 0, 0, 0, "halt", 4, prog);
    bm_core_params p = *bm_core_get_params(c);
    p.registers = 0;
    p.inputs = BM_PORTS_MAX + 1;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:4:3: error: core 'c': register count 0 is out of range (1..65536)\n"
                      "m.xml:4:3: error: core 'c': input port count 65537 is out of range "
                      "(0..65536)\n");
    p.version = 0;
    cr_expect_eq(bm_core_set_params(c, &p), BM_EINVAL, "unknown params version accepted");
}

/* ---- programs ---------------------------------------------------------- */

Test(model, opcode_must_be_in_the_set)
{
    static const char *const prog[] = {"inc r0", "j 0", NULL};
    add_core("c", 8, 1, 0, 0, 0, "j", 4, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:5:10: error: core 'c': opcode 'inc' is used but not in the core's "
                      "opcode set\n");
}

Test(model, unknown_opcode_name_and_number)
{
    static const char *const prog[] = {"halt", NULL};
    bm_core *c = add_core("c", 8, 1, 0, 0, 0, "halt", 4, prog);
    cr_expect_eq(bm_core_add_opcode(c, "frob", at(5)), BM_ENOTFOUND);
    cr_expect_eq(bm_core_add_opcode(c, NULL, at(5)), BM_EINVAL);
    cr_expect_eq(bm_machine_set_name(m, NULL), BM_EINVAL);
    bm_insn bad = {0};
    bad.opcode = 200;
    bad.loc = at(9);
    cr_assert_eq(bm_core_append_insn(c, &bad), BM_OK);
    bm_core_params p = *bm_core_get_params(c);
    p.rom_depth = 2;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:5:3: error: unknown opcode 'frob' in core 'c'\n"
                      "m.xml:5:3: error: bm_core_add_opcode: no mnemonic for core 'c'\n"
                      "m.xml:1:1: error: bm_machine_set_name: the name is NULL\n"
                      "m.xml:9:3: error: core 'c': instruction 1 has unknown opcode number 200\n");
}

Test(model, registers_and_ports_must_exist)
{
    static const char *const prog[] = {"add r0, r2", "in r1, i1", "out o1, r0", "j 0", NULL};
    bm_core *c = add_core("c", 8, 2, 0, 1, 1, "add in out j", 4, prog);
    (void)c;
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx,
                 "m.xml:5:10: error: core 'c': register 2 of 'add' does not exist (the core has 2)\n"
                 "m.xml:6:10: error: core 'c': input port 1 of 'in' does not exist (the core has 1)\n"
                 "m.xml:7:10: error: core 'c': output port 1 of 'out' does not exist (the core has "
                 "1)\n");
}

Test(model, shift_amount_must_be_below_the_width)
{
    static const char *const prog[] = {"shli r0, 4", "shri r0, 5", "halt", NULL};
    add_core("c", 5, 1, 0, 0, 0, "shli shri halt", 4, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:6:10: error: core 'c': shift amount 5 of 'shri' is out of range "
                      "(0..4 for 5-bit words)\n");
}

Test(model, jump_past_the_end)
{
    static const char *const prog[] = {"inc r0", "jnz r0, 3", "j 2", NULL};
    add_core("c", 8, 1, 0, 0, 0, "inc jnz j", 4, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:6:10: error: core 'c': jump target 3 of 'jnz' is past the end of "
                      "the program (3 instructions)\n");
}

Test(model, program_must_end_with_j_or_halt)
{
    static const char *const falls[] = {"inc r0", "jz r0, 0", NULL};
    static const char *const halts[] = {"inc r0", "halt", NULL};
    add_core("c", 8, 1, 0, 0, 0, "inc jz", 4, falls);
    add_core("d", 8, 1, 0, 0, 0, "inc halt", 8, halts);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:6:10: error: core 'c': the program can run past its last instruction "
                      "('jz'); end it with 'j' or 'halt'\n");
}

Test(model, empty_program_and_small_rom)
{
    static const char *const none[] = {NULL};
    static const char *const two[] = {"inc r0", "j 0", NULL};
    add_core("c", 8, 1, 0, 0, 0, "halt", 4, none);
    bm_core *d = add_core("d", 8, 1, 0, 0, 0, "inc j", 8, two);
    bm_core_params p = *bm_core_get_params(d);
    p.rom_depth = 1;
    cr_assert_eq(bm_core_set_params(d, &p), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:4:3: error: core 'c' has no program\n"
                      "m.xml:8:3: error: core 'd': program of 2 instructions does not fit a ROM "
                      "of 1 word\n");
}

Test(model, ram_ops_need_a_ram)
{
    static const char *const prog[] = {"ld r0, r1", "st r1, r0", "halt", NULL};
    add_core("c", 8, 2, 0, 0, 0, "ld st halt", 4, prog);
    add_core("d", 8, 2, 4, 0, 0, "ld st halt", 9, prog);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:5:10: error: core 'c': 'ld' needs a RAM but the core has none "
                      "(ram=\"0\")\n"
                      "m.xml:6:10: error: core 'c': 'st' needs a RAM but the core has none "
                      "(ram=\"0\")\n");
}

Test(model, ram_init_must_fit)
{
    static const char *const prog[] = {"ld r0, r1", "halt", NULL};
    bm_core *c = add_core("c", 4, 2, 2, 0, 0, "ld halt", 4, prog);
    const uint64_t words[] = {1, 15, 16};
    cr_assert_eq(bm_core_set_ram_init(c, words, 3, at(7)), BM_OK);
    cr_expect_eq(bm_core_ram_init_count(c), 3);
    cr_expect_eq(bm_core_ram_init(c)[2], 16);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:7:3: error: core 'c': 3 RAM initial words do not fit a RAM of 2 "
                      "words\n"
                      "m.xml:7:3: error: core 'c': RAM initial word 2 (16) does not fit in 4 bits\n");
}

Test(model, immediate_must_fit_the_word)
{
    static const char *const prog[] = {"li r0, 255", "halt", NULL};
    bm_core *c = add_core("c", 8, 1, 0, 0, 0, "li halt", 4, prog);
    cr_assert_eq(bm_machine_validate(m), BM_OK);
    /* An instruction built by hand with a value wider than the word. */
    bm_insn wide = *bm_core_insn(c, 0);
    wide.operand[1] = 256;
    bm_core_clear_program(c);
    cr_assert_eq(bm_core_append_insn(c, &wide), BM_OK);
    static const char *const rest[] = {"halt", NULL};
    bm_insn h;
    cr_assert_eq(bm_insn_parse(ctx, rest[0], 8, at(6), &h), BM_OK);
    cr_assert_eq(bm_core_append_insn(c, &h), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    assert_diags(ctx, "m.xml:5:10: error: core 'c': immediate 256 of 'li' does not fit in 8 bits\n");
}

Test(model, every_problem_is_reported_in_one_run)
{
    static const char *const prog[] = {"add r0, r5", "inc r0", NULL};
    cr_assert_eq(bm_machine_add_input(m, "x", 8, at(2)), BM_OK);
    add_core("c", 8, 2, 0, 1, 0, "add inc", 4, prog);
    add_bond("x", "c.i7", 10);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    cr_expect_eq(bm_ctx_error_count(ctx), 3, "%s", all_diags(ctx));
}

/* ---- opcode sets and small helpers -------------------------------------- */

Test(model, opcode_sets)
{
    bm_opcode_set s;
    bm_opcode_set_clear(&s);
    cr_expect_eq(bm_opcode_set_count(&s), 0);
    bm_opcode_set_add(&s, 0);
    bm_opcode_set_add(&s, 64);
    bm_opcode_set_add(&s, 64);
    bm_opcode_set_add(&s, BM_OPCODE_MAX); /* ignored */
    cr_expect_eq(bm_opcode_set_count(&s), 2);
    cr_expect(bm_opcode_set_has(&s, 64));
    cr_expect_not(bm_opcode_set_has(&s, 63));
    cr_expect_not(bm_opcode_set_has(&s, BM_OPCODE_MAX));
}

Test(model, bits_for)
{
    cr_expect_eq(bm_bits_for(1), 0);
    cr_expect_eq(bm_bits_for(2), 1);
    cr_expect_eq(bm_bits_for(3), 2);
    cr_expect_eq(bm_bits_for(4), 2);
    cr_expect_eq(bm_bits_for(5), 3);
    cr_expect_eq(bm_bits_for(64), 6);
    cr_expect_eq(bm_bits_for(65), 7);
    cr_expect_eq(bm_bits_for(UINT64_MAX), 64);
}

Test(model, catalogue_lookup)
{
    cr_expect_eq(bm_isa_lookup("nop"), 0);
    cr_expect_eq(bm_isa_lookup("NOP"), BM_ENOTFOUND);
    cr_expect_eq(bm_isa_lookup(NULL), BM_ENOTFOUND);
    cr_expect_null(bm_isa_get(bm_isa_count()));
    for (unsigned id = 0; id < bm_isa_count(); id++) {
        const bm_opcode_def *d = bm_isa_get(id);
        cr_assert_not_null(d);
        cr_expect_eq(bm_isa_lookup(d->mnemonic), (int)id, "%s", d->mnemonic);
        cr_expect_leq(d->n_operands, BM_OPERAND_MAX);
        cr_expect_geq(d->cycles, 1);
    }
}

/* ---- the allocator hook ------------------------------------------------- */

typedef struct counting {
    long mallocs, reallocs, frees, live;
    long fail_at; /* the allocation (0-based) that fails, or -1 */
    long seen;
} counting;

static int should_fail(counting *c)
{
    return c->seen++ == c->fail_at;
}

static void *c_malloc(void *user, size_t size)
{
    counting *c = user;
    if (should_fail(c))
        return NULL;
    void *p = malloc(size);
    if (p) {
        c->mallocs++;
        c->live++;
    }
    return p;
}

static void *c_realloc(void *user, void *ptr, size_t size)
{
    counting *c = user;
    if (should_fail(c))
        return NULL;
    void *p = realloc(ptr, size);
    if (p) {
        c->reallocs++;
        if (!ptr)
            c->live++;
    }
    return p;
}

static void c_free(void *user, void *ptr)
{
    counting *c = user;
    if (ptr) {
        c->frees++;
        c->live--;
    }
    free(ptr);
}

static const char acc8_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<machine format=\"1\" name=\"acc8\">\n"
    "  <input name=\"a\" width=\"8\"/>\n"
    "  <output name=\"sum\" width=\"8\"/>\n"
    "  <core name=\"acc\" width=\"8\" registers=\"4\" rom=\"4\" ram=\"0\" inputs=\"1\" "
    "outputs=\"1\">\n"
    "    <opcodes>add j in out</opcodes>\n"
    "    <program>\n"
    "      <i>in r1, i0</i>\n"
    "      <i>add r0, r1</i>\n"
    "      <i>out o0, r0</i>\n"
    "      <i>j 0</i>\n"
    "    </program>\n"
    "  </core>\n"
    "  <bond from=\"a\" to=\"acc.i0\"/>\n"
    "  <bond from=\"acc.o0\" to=\"sum\"/>\n"
    "</machine>\n";

/* Reads acc8 from memory, writes it back and checks the bytes; returns the
 * first failing code.  Also makes a diagnostic (an unknown opcode) so that
 * diagnostics allocate too. */
static int exercise(counting *cnt)
{
    bm_allocator a = {c_malloc, c_realloc, c_free, cnt};
    bm_ctx *x = NULL;
    int rc = bm_ctx_new(&x, &a);
    if (rc)
        return rc;
    bm_machine *mm = NULL;
    rc = bm_machine_read_memory(&mm, x, acc8_xml, strlen(acc8_xml), "acc8.xml");
    char *text = NULL;
    size_t len = 0;
    if (!rc)
        rc = bm_machine_write_memory(mm, &text, &len);
    if (!rc) {
        cr_expect_str_eq(text, acc8_xml);
        cr_expect_eq(len, strlen(acc8_xml));
        bm_core *c = bm_machine_core(mm, 0);
        bm_loc l = {"acc8.xml", 6, 5};
        int r2 = bm_core_add_opcode(c, "frob", l);
        cr_expect(r2 == BM_ENOTFOUND);
    }
    bm_xml_buffer_free(x, text);
    bm_machine_free(mm);
    bm_ctx_free(x);
    return rc;
}

Test(allocator, every_allocation_goes_through_the_hook)
{
    counting cnt = {0, 0, 0, 0, -1, 0};
    cr_assert_eq(exercise(&cnt), BM_OK);
    cr_expect_gt(cnt.mallocs, 10, "only %ld mallocs seen", cnt.mallocs);
    cr_expect_gt(cnt.reallocs, 0);
    cr_expect_eq(cnt.live, 0, "%ld blocks leaked", cnt.live);
    cr_expect_eq(cnt.seen, cnt.mallocs + cnt.reallocs);
}

Test(allocator, incomplete_allocator_is_refused)
{
    bm_allocator a = {c_malloc, NULL, c_free, NULL};
    bm_ctx *x = (bm_ctx *)&a;
    cr_expect_eq(bm_ctx_new(&x, &a), BM_EINVAL);
    cr_expect_null(x);
    cr_expect_eq(bm_ctx_new(NULL, NULL), BM_EINVAL);
}

/* Fails each allocation in turn: every call must fail cleanly (a negative
 * code, no crash) and free everything it had taken. */
Test(allocator, every_allocation_failure_is_handled)
{
    counting ok = {0, 0, 0, 0, -1, 0};
    cr_assert_eq(exercise(&ok), BM_OK);
    for (long k = 0; k < ok.seen; k++) {
        counting cnt = {0, 0, 0, 0, k, 0};
        int rc = exercise(&cnt);
        cr_expect(rc == BM_OK || rc == BM_ENOMEM, "allocation %ld failed: rc %d", k, rc);
        cr_expect_eq(cnt.live, 0, "allocation %ld failed: %ld blocks leaked", k, cnt.live);
    }
}

/* ---- diagnostics -------------------------------------------------------- */

Test(diagnostics, iterate_count_and_clear)
{
    bm_ctx *x;
    cr_assert_eq(bm_ctx_new(&x, NULL), BM_OK);
    bm_machine *mm;
    cr_assert_eq(bm_machine_new(&mm, x, "m"), BM_OK);
    bm_loc l = {"d.xml", 2, 3};
    cr_assert_eq(bm_machine_add_input(mm, "x", 8, l), BM_OK);
    l.line = 3;
    cr_assert_eq(bm_machine_add_output(mm, "x", 70, l), BM_OK);
    l.line = 4;
    cr_assert_eq(bm_machine_add_output(mm, "y", 8, l), BM_OK);
    cr_expect_eq(bm_machine_validate(mm), BM_EINVALID);
    cr_expect_eq(bm_ctx_diag_count(x), 2);
    cr_expect_eq(bm_ctx_error_count(x), 2);
    cr_expect_eq(bm_ctx_warning_count(x), 0);
    const bm_diag *d0 = bm_ctx_diag(x, 0), *d1 = bm_ctx_diag(x, 1);
    cr_assert_not_null(d0);
    cr_assert_not_null(d1);
    cr_expect_null(bm_ctx_diag(x, 2));
    cr_expect_eq(d0->severity, BM_SEV_ERROR);
    cr_expect_str_eq(d0->loc.file, "d.xml");
    cr_expect_eq(d0->loc.line, 3);
    cr_expect_eq(d0->loc.column, 3);
    cr_expect_str_eq(d0->message,
                     "external output 'x': width 70 is not supported (libbm supports 1..64 bits)");
    cr_expect_str_eq(d1->message, "external port name 'x' is already used at line 2");
    bm_ctx_clear_diags(x);
    cr_expect_eq(bm_ctx_diag_count(x), 0);
    cr_expect_eq(bm_ctx_error_count(x), 0);
    cr_expect_null(bm_ctx_diag(x, 0));
    bm_machine_free(mm);
    bm_ctx_free(x);
    cr_expect_eq(bm_ctx_diag_count(NULL), 0);
}

Test(diagnostics, format)
{
    char buf[128];
    bm_diag d = {BM_SEV_ERROR, {"f.xml", 3, 7}, "boom"};
    cr_expect_eq(bm_diag_format(buf, sizeof buf, &d), 22);
    cr_expect_str_eq(buf, "f.xml:3:7: error: boom");
    d.severity = BM_SEV_WARNING;
    d.loc.column = 0;
    bm_diag_format(buf, sizeof buf, &d);
    cr_expect_str_eq(buf, "f.xml:3: warning: boom");
    d.severity = BM_SEV_NOTE;
    d.loc.line = 0;
    bm_diag_format(buf, sizeof buf, &d);
    cr_expect_str_eq(buf, "f.xml: note: boom");
    d.loc.file = NULL;
    d.severity = BM_SEV_ERROR;
    bm_diag_format(buf, sizeof buf, &d);
    cr_expect_str_eq(buf, "error: boom");

    /* Like snprintf: truncates, terminates, returns the full length. */
    d.loc.file = "f.xml";
    d.loc.line = 3;
    d.loc.column = 7;
    char small[5];
    cr_expect_eq(bm_diag_format(small, sizeof small, &d), 22);
    cr_expect_str_eq(small, "f.xm");
    cr_expect_eq(bm_diag_format(NULL, 0, &d), 22);
}

Test(diagnostics, strerror)
{
    cr_expect_str_eq(bm_strerror(BM_OK), "success");
    cr_expect_str_eq(bm_strerror(BM_ENOMEM), "out of memory");
    cr_expect_str_eq(bm_strerror(BM_EINVALID), "input breaks a rule");
    cr_expect_str_eq(bm_strerror(-1000), "unknown error");
    for (int code = BM_ETOOL; code < 0; code++)
        cr_expect_str_neq(bm_strerror(code), "unknown error", "code %d", code);
}

Test(diagnostics, intern_keeps_one_copy)
{
    bm_ctx *x;
    cr_assert_eq(bm_ctx_new(&x, NULL), BM_OK);
    char name[] = "file.xml";
    const char *a = bm_ctx_intern(x, name);
    name[0] = 'F';
    const char *b = bm_ctx_intern(x, "file.xml");
    cr_expect_str_eq(a, "file.xml");
    cr_expect_eq(a, b);
    cr_expect_null(bm_ctx_intern(x, NULL));
    bm_ctx_free(x);
}

/* Core params version 2 added `mul`; a version 1 struct (the layout without
 * it) is still accepted and gets the comb multiplier; unknown versions and
 * unknown variants are refused. */
Test(model, core_params_versions_and_multiplier_variants)
{
    struct v1 {
        unsigned version, width, registers, rom_depth, ram_depth, inputs, outputs, frac;
    } old = {1, 16, 2, 1, 0, 0, 0, 10};
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "old", (const bm_core_params *)(void *)&old, at(1)),
                 BM_OK);
    cr_expect_eq(bm_core_get_params(c)->version, BM_CORE_PARAMS_VERSION);
    cr_expect_eq(bm_core_get_params(c)->mul, BM_MUL_COMB);
    cr_expect_eq(bm_core_get_params(c)->frac, 10);

    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.mul = BM_MUL_SERIAL;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_expect_eq(bm_core_get_params(c)->mul, BM_MUL_SERIAL);
    p.version = BM_CORE_PARAMS_VERSION + 1;
    cr_expect_eq(bm_core_set_params(c, &p), BM_EINVAL);
    cr_expect_eq(bm_machine_add_core(m, NULL, "future", &p, at(2)), BM_EINVAL);

    p = (bm_core_params)BM_CORE_PARAMS_INIT;
    p.mul = 7;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_assert_eq(bm_core_add_opcode(c, "halt", at(3)), BM_OK);
    bm_insn halt = {(uint16_t)bm_isa_lookup("halt"), {0}, at(3)};
    cr_assert_eq(bm_core_append_insn(c, &halt), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    char *diags = all_diags(ctx);
    cr_expect(strstr(diags, "core 'old': unknown multiplier variant 7") != NULL, "%s", diags);
    free(diags);

    /* the table itself */
    cr_expect_eq(bm_mul_variant_from_name("pipe"), BM_MUL_PIPE);
    cr_expect_eq(bm_mul_variant_from_name("fast"), BM_ENOTFOUND);
    cr_expect_null(bm_mul_variant_get(BM_MUL_VARIANT_COUNT));
    const bm_opcode_def *mulfx = bm_isa_get((unsigned)bm_isa_lookup("mulfx"));
    const bm_opcode_def *add = bm_isa_get((unsigned)bm_isa_lookup("add"));
    cr_expect_eq(bm_opcode_cycles(mulfx, BM_MUL_COMB, 16), 1);
    cr_expect_eq(bm_opcode_cycles(mulfx, BM_MUL_PIPE, 16), 1);
    cr_expect_eq(bm_opcode_cycles(mulfx, BM_MUL_SERIAL, 16), 17);
    cr_expect_eq(bm_opcode_cycles(add, BM_MUL_SERIAL, 16), 1);
}

/* Core params version 3 added `fetch`; a version 2 struct (the layout without
 * it) gets the direct fetch; an unknown kind is refused by validation; the
 * XML and the assembler carry the kind, and their unknown names are located
 * errors. */
Test(model, core_params_version_2_and_fetch_kinds)
{
    struct v2 {
        unsigned version, width, registers, rom_depth, ram_depth, inputs, outputs, frac, mul;
    } old = {2, 16, 2, 1, 0, 0, 0, 0, BM_MUL_PIPE};
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "old", (const bm_core_params *)(void *)&old, at(1)),
                 BM_OK);
    cr_expect_eq(bm_core_get_params(c)->mul, BM_MUL_PIPE);
    cr_expect_eq(bm_core_get_params(c)->fetch, BM_FETCH_DIRECT);

    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.fetch = 9;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_assert_eq(bm_core_add_opcode(c, "halt", at(3)), BM_OK);
    bm_insn halt = {(uint16_t)bm_isa_lookup("halt"), {0}, at(3)};
    cr_assert_eq(bm_core_append_insn(c, &halt), BM_OK);
    cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
    char *diags = all_diags(ctx);
    cr_expect(strstr(diags, "core 'old': unknown fetch kind 9 (direct or staged)") != NULL, "%s",
              diags);
    free(diags);

    cr_expect_eq(bm_fetch_kind_from_name("staged"), BM_FETCH_STAGED);
    cr_expect_eq(bm_fetch_kind_from_name("fast"), BM_ENOTFOUND);
    cr_expect_null(bm_fetch_kind_get(BM_FETCH_KIND_COUNT));
    cr_expect_eq(bm_fetch_kind_get(BM_FETCH_DIRECT)->taken_jump_extra, 0);
    cr_expect_eq(bm_fetch_kind_get(BM_FETCH_STAGED)->taken_jump_extra, 1);
}

/* Core params version 4 added `queue`; a version 3 struct gets the one-word
 * holding register; validation keeps a queue within 1..BM_QUEUE_MAX; the
 * XML writes it only when it is not 1, and reads it back. */
Test(model, core_params_version_3_and_queues)
{
    struct v3 {
        unsigned version, width, registers, rom_depth, ram_depth, inputs, outputs, frac, mul,
            fetch;
    } old = {3, 8, 1, 1, 0, 0, 1, 0, BM_MUL_COMB, BM_FETCH_STAGED};
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "old", (const bm_core_params *)(void *)&old, at(1)),
                 BM_OK);
    cr_expect_eq(bm_core_get_params(c)->fetch, BM_FETCH_STAGED);
    cr_expect_eq(bm_core_get_params(c)->queue, 1);
    bm_core_params init;
    cr_assert_eq(bm_core_params_init(&init, BM_CORE_PARAMS_VERSION), BM_OK);
    cr_expect_eq(init.queue, 1);
    cr_assert_eq(bm_core_add_opcode(c, "halt", at(3)), BM_OK);
    bm_insn halt = {(uint16_t)bm_isa_lookup("halt"), {0}, at(3)};
    cr_assert_eq(bm_core_append_insn(c, &halt), BM_OK);
    static const unsigned bad[] = {0, BM_QUEUE_MAX + 1};
    for (unsigned i = 0; i < 2; i++) {
        bm_core_params p = *bm_core_get_params(c);
        p.queue = bad[i];
        cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
        cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
        char *diags = all_diags(ctx);
        char want[96];
        snprintf(want, sizeof want, "core 'old': output queue depth %u", bad[i]);
        cr_expect(strstr(diags, want) != NULL, "%s", diags);
        free(diags);
    }
    bm_core_params p = *bm_core_get_params(c);
    p.queue = 5;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_assert_eq(bm_machine_validate(m), BM_OK);
    char *xml = NULL;
    size_t len = 0;
    cr_assert_eq(bm_machine_write_memory(m, &xml, &len), BM_OK);
    cr_expect(strstr(xml, " queue=\"5\"") != NULL, "%s", xml);
    bm_machine *back = NULL;
    cr_assert_eq(bm_machine_read_memory(&back, ctx, xml, len, "back.xml"), BM_OK);
    cr_expect_eq(bm_core_get_params(bm_machine_core(back, 0))->queue, 5);
    bm_machine_free(back);
    bm_xml_buffer_free(ctx, xml);
}

/* Core params version 5 added `forward`; a version 4 struct forwards
 * nothing; validation keeps the forward to an output port the core has
 * and to 0 or 1; the XML writes it only when set, and reads it back. */
Test(model, core_params_version_4_and_forwards)
{
    struct v4 {
        unsigned version, width, registers, rom_depth, ram_depth, inputs, outputs, frac, mul,
            fetch, queue;
    } old = {4, 8, 1, 1, 0, 1, 1, 0, BM_MUL_COMB, BM_FETCH_DIRECT, 2};
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "old", (const bm_core_params *)(void *)&old, at(1)),
                 BM_OK);
    cr_expect_eq(bm_core_get_params(c)->queue, 2);
    cr_expect_eq(bm_core_get_params(c)->forward, 0);
    bm_core_params init;
    cr_assert_eq(bm_core_params_init(&init, BM_CORE_PARAMS_VERSION), BM_OK);
    cr_expect_eq(init.forward, 0);
    cr_expect_eq(init.forward_queue, 2);
    cr_expect_eq(bm_core_get_params(c)->forward_queue, 2);
    cr_assert_eq(bm_core_add_opcode(c, "halt", at(3)), BM_OK);
    bm_insn halt = {(uint16_t)bm_isa_lookup("halt"), {0}, at(3)};
    cr_assert_eq(bm_core_append_insn(c, &halt), BM_OK);
    static const struct {
        unsigned forward, out;
        const char *want;
    } bad[] = {
        {1, 1, "core 'old': forwarding output port o1 does not exist (the core has 1)"},
        {2, 0, "core 'old': forward flag 2 is neither 0 nor 1"},
        {1, 0, "core 'old': forward queue depth 0 is out of range (1..64)"},
    };
    for (unsigned i = 0; i < 3; i++) {
        bm_core_params p = *bm_core_get_params(c);
        p.forward = bad[i].forward;
        p.forward_out = bad[i].out;
        p.forward_queue = i == 2 ? 0 : 2;
        cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
        cr_expect_eq(bm_machine_validate(m), BM_EINVALID);
        char *diags = all_diags(ctx);
        cr_expect(strstr(diags, bad[i].want) != NULL, "%s", diags);
        free(diags);
        bm_ctx_clear_diags(ctx);
    }
    bm_core_params p = *bm_core_get_params(c);
    p.forward = 1;
    p.forward_out = 0;
    p.forward_queue = 3;
    cr_assert_eq(bm_core_set_params(c, &p), BM_OK);
    cr_assert_eq(bm_machine_validate(m), BM_OK);
    char *xml = NULL;
    size_t len = 0;
    cr_assert_eq(bm_machine_write_memory(m, &xml, &len), BM_OK);
    cr_expect(strstr(xml, " forward=\"o0\" forward-queue=\"3\"") != NULL, "%s", xml);
    bm_machine *back = NULL;
    cr_assert_eq(bm_machine_read_memory(&back, ctx, xml, len, "back.xml"), BM_OK);
    cr_expect_eq(bm_core_get_params(bm_machine_core(back, 0))->forward, 1);
    cr_expect_eq(bm_core_get_params(bm_machine_core(back, 0))->forward_out, 0);
    cr_expect_eq(bm_core_get_params(bm_machine_core(back, 0))->forward_queue, 3);
    bm_machine_free(back);
    bm_xml_buffer_free(ctx, xml);
}
