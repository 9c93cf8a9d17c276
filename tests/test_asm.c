/* The assembler and the disassembler: derivation of core parameters for
 * every example, literals and expressions, the disasm -> asm round trip on
 * every example program, the error cases of tests/data/asm (each file names
 * its expected first diagnostic in a "; expect: LINE:COL: MESSAGE" line),
 * and the bmc asm / bmc disasm commands. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bm.h"

/* ---- helpers ----------------------------------------------------------- */

static bm_ctx *new_ctx(void)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    return ctx;
}

static void print_diags(const bm_ctx *ctx)
{
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        char line[512];
        bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
        cr_log_info("%s", line);
    }
}

/* Assembles text; fails the test on an error. */
static bm_machine *assemble(bm_ctx *ctx, const char *text)
{
    bm_machine *m;
    int rc = bm_asm_memory(&m, ctx, text, strlen(text), "t.s", NULL);
    if (rc)
        print_diags(ctx);
    cr_assert_eq(rc, 0, "assembly failed: %s", bm_strerror(rc));
    return m;
}

static const char *first_error(const bm_ctx *ctx, char *buf, size_t size)
{
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        const bm_diag *d = bm_ctx_diag(ctx, i);
        if (d->severity == BM_SEV_ERROR) {
            bm_diag_format(buf, size, d);
            return buf;
        }
    }
    return "(no error)";
}

/* The error text that assembling text gives. */
static void expect_error(const char *text, const char *expected)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = (bm_machine *)1;
    int rc = bm_asm_memory(&m, ctx, text, strlen(text), "t.s", NULL);
    char buf[512];
    cr_expect_neq(rc, 0, "'%s' assembled", text);
    cr_expect_null(m);
    cr_expect_str_eq(first_error(ctx, buf, sizeof buf), expected);
    bm_ctx_free(ctx);
}

static const bm_core *core_named(const bm_machine *m, const char *name)
{
    int i = bm_machine_find_core(m, name);
    cr_assert_geq(i, 0, "no core '%s'", name);
    return bm_machine_core(m, (unsigned)i);
}

static void opcode_list(const bm_core *c, char *buf, size_t size)
{
    bm_encoding enc;
    cr_assert_eq(bm_core_encoding(c, &enc), 0);
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < enc.n_opcodes && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", k ? " " : "",
                              bm_isa_get(enc.opcode_id[k])->mnemonic);
}

/* Every core's ROM words, as hex text, one core per line. */
static char *rom_words(const bm_machine *m)
{
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    out[0] = '\0';
    for (unsigned i = 0; i < bm_machine_core_count(m); i++) {
        const bm_core *c = bm_machine_core(m, i);
        bm_encoding enc;
        cr_assert_eq(bm_core_encoding(c, &enc), 0);
        n += (size_t)snprintf(out + n, cap - n, "%s/%u:", bm_core_name(c), enc.insn_width);
        for (unsigned pc = 0; pc < bm_core_program_length(c); pc++) {
            bm_word w;
            char hex[40];
            cr_assert_eq(bm_encode(&enc, bm_core_insn(c, pc), &w), 0);
            bm_word_to_hex(&w, enc.insn_width, hex, sizeof hex);
            n += (size_t)snprintf(out + n, cap - n, " %s", hex);
        }
        n += (size_t)snprintf(out + n, cap - n, "\n");
        cr_assert_lt(n, cap);
    }
    return out;
}

static char *xml_of(const bm_machine *m)
{
    char *text;
    size_t len;
    cr_assert_eq(bm_machine_write_memory(m, &text, &len), 0);
    return text;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The names of dir's files ending in ext, sorted; NULL-terminated. */
static char **list_files(const char *dir, const char *ext)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s (run the tests from the repository root)", dir);
    char **names = calloc(512, sizeof *names);
    size_t n = 0, el = strlen(ext);
    struct dirent *e;
    while ((e = readdir(d)) && n < 511) {
        size_t l = strlen(e->d_name);
        if (l > el && strcmp(e->d_name + l - el, ext) == 0) {
            names[n] = malloc(strlen(dir) + l + 2);
            sprintf(names[n++], "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    return names;
}

static void free_list(char **names)
{
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}

/* ---- derivation on the examples --------------------------------------- */

typedef struct derived {
    const char *file, *core, *opcodes;
    unsigned width, registers, rom, ram, inputs, outputs, insn_width;
} derived;

static const derived examples[] = {
    {"examples/acc.s", "acc", "add j in out", 8, 2, 4, 0, 1, 1, 4},
    {"examples/countdown.s", "cd", "dec j jnz in out", 8, 1, 5, 0, 1, 1, 6},
    {"examples/pipeline.s", "scale", "muli j in out", 8, 1, 4, 0, 1, 1, 10},
    {"examples/pipeline.s", "offset", "addi j in out", 8, 1, 4, 0, 1, 1, 10},
    {"examples/fanout.s", "src", "j in out", 8, 1, 3, 0, 1, 1, 4},
    {"examples/fanout.s", "twice", "shli j in out", 8, 1, 4, 0, 1, 1, 5},
    {"examples/fanout.s", "negate", "not inc j in out", 8, 2, 5, 0, 1, 1, 6},
    {"examples/table.s", "lut", "inc j in out ld st", 8, 2, 6, 16, 1, 1, 6},
    {"examples/ema.s", "avg", "mov li add addi sub sari j in out", 16, 3, 9, 0, 1, 1, 22},
    {"examples/fetch.s", "s", "li dec j jnz in out", 8, 2, 6, 0, 1, 1, 12},
};

Test(asm, derives_each_example_core)
{
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        const derived *x = &examples[i];
        bm_ctx *ctx = new_ctx();
        bm_machine *m;
        int rc = bm_asm_file(&m, ctx, x->file, NULL);
        if (rc)
            print_diags(ctx);
        cr_assert_eq(rc, 0, "%s does not assemble", x->file);
        cr_expect_eq(bm_ctx_error_count(ctx), 0);
        const bm_core *c = core_named(m, x->core);
        const bm_core_params *p = bm_core_get_params(c);
        char ops[256];
        opcode_list(c, ops, sizeof ops);
        cr_expect_str_eq(ops, x->opcodes, "%s/%s opcodes", x->file, x->core);
        cr_expect_eq(p->width, x->width, "%s/%s width", x->file, x->core);
        cr_expect_eq(p->registers, x->registers, "%s/%s registers", x->file, x->core);
        cr_expect_eq(p->rom_depth, x->rom, "%s/%s rom", x->file, x->core);
        cr_expect_eq(p->ram_depth, x->ram, "%s/%s ram", x->file, x->core);
        cr_expect_eq(p->inputs, x->inputs, "%s/%s inputs", x->file, x->core);
        cr_expect_eq(p->outputs, x->outputs, "%s/%s outputs", x->file, x->core);
        bm_encoding enc;
        cr_assert_eq(bm_core_encoding(c, &enc), 0);
        cr_expect_eq(enc.insn_width, x->insn_width, "%s/%s instruction width %u", x->file,
                     x->core, enc.insn_width);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

/* .queue sets the core's output queue; without it a core has the one-word
 * holding register; the disassembly gives it back. */
Test(asm, queue_directive)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/queue.s", NULL), 0);
    cr_expect_eq(bm_core_get_params(core_named(m, "p3"))->queue, 3);
    cr_expect_eq(bm_core_get_params(core_named(m, "p1"))->queue, 1);
    char *text = NULL;
    cr_assert_eq(bm_disasm_machine(&text, NULL, m, NULL), 0);
    cr_expect(strstr(text, ".queue 3\n") != NULL, "%s", text);
    bm_disasm_free(ctx, text);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* .forward names the core's forward port (examples/forward.s): the core
 * gets it as an output port, and the disassembly gives it back; an
 * instruction may not send on it. */
Test(asm, forward_directive)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/forward.s", NULL), 0);
    const bm_core_params *h = bm_core_get_params(core_named(m, "h"));
    cr_expect_eq(h->forward, 1);
    cr_expect_eq(h->forward_out, 1);
    cr_expect_eq(h->outputs, 2);
    cr_expect_eq(h->forward_queue, 1);
    cr_expect_eq(bm_core_get_params(core_named(m, "t"))->forward, 0);
    char *text = NULL;
    cr_assert_eq(bm_disasm_machine(&text, NULL, m, NULL), 0);
    cr_expect(strstr(text, ".forward o1, 1\n") != NULL, "%s", text);
    bm_disasm_free(ctx, text);
    bm_machine_free(m);
    /* the forward's port is counted without an instruction naming it */
    const char *src = ".core c 8\n.forward o2\n    in r0, i0\n    j 0\n";
    cr_assert_eq(bm_asm_memory(&m, ctx, src, strlen(src), "t.s", NULL), 0);
    cr_expect_eq(bm_core_get_params(bm_machine_core(m, 0))->outputs, 3);
    cr_expect_eq(bm_core_get_params(bm_machine_core(m, 0))->forward_queue, 2);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* .fetch sets the core's fetch kind; without it a core is direct. */
Test(asm, fetch_directive)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/fetch.s", NULL), 0);
    cr_expect_eq(bm_core_get_params(core_named(m, "s"))->fetch, BM_FETCH_STAGED);
    cr_expect_eq(bm_core_get_params(core_named(m, "d"))->fetch, BM_FETCH_DIRECT);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, single_core_file_gets_external_ports)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/acc.s", NULL), 0);
    cr_expect_str_eq(bm_machine_name(m), "acc");
    cr_assert_eq(bm_machine_input_count(m), 1);
    cr_assert_eq(bm_machine_output_count(m), 1);
    cr_expect_str_eq(bm_machine_input_name(m, 0), "in0");
    cr_expect_str_eq(bm_machine_output_name(m, 0), "out0");
    cr_assert_eq(bm_machine_bond_count(m), 2);
    cr_expect_str_eq(bm_machine_bond_source_text(m, 0), "in0");
    cr_expect_str_eq(bm_machine_bond_sink_text(m, 0, 0), "acc.i0");
    cr_expect_str_eq(bm_machine_bond_source_text(m, 1), "acc.o0");
    cr_expect_str_eq(bm_machine_bond_sink_text(m, 1, 0), "out0");
    cr_expect_eq(bm_ctx_warning_count(ctx), 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, table_ram_contents)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/table.s", NULL), 0);
    const bm_core *c = core_named(m, "lut");
    static const uint64_t want[] = {0, 1, 4, 9, 16, 25, 36, 49};
    cr_assert_eq(bm_core_ram_init_count(c), 8);
    for (unsigned i = 0; i < 8; i++)
        cr_expect_eq(bm_core_ram_init(c)[i], want[i], "word %u", i);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- literals, expressions, directives -------------------------------- */

/* The operand k of instruction pc of the only core. */
static uint64_t operand(const bm_machine *m, unsigned pc, unsigned k)
{
    const bm_insn *in = bm_core_insn(bm_machine_core(m, 0), pc);
    cr_assert_not_null(in);
    return in->operand[k];
}

Test(asm, integer_literals_and_expressions)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".const K = 0x10\n"
                                  ".const N = -(K - 1) * 2\n"
                                  "    li r0, 255\n"
                                  "    li r0, -1\n"
                                  "    li r0, -128\n"
                                  "    li r0, 0x7F\n"
                                  "    li r0, 0b1010_0101\n"
                                  "    li r0, K * 2 + 1\n"
                                  "    li r0, N\n"
                                  "    li r0, 1_000 - 999\n"
                                  "end: j end - 8\n");
    static const uint64_t want[] = {255, 255, 128, 127, 0xa5, 33, 226, 1};
    for (unsigned pc = 0; pc < 8; pc++)
        cr_expect_eq(operand(m, pc, 1), want[pc], "instruction %u", pc);
    cr_expect_eq(operand(m, 8, 0), 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, fixed_point_literals)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".width 16\n"
                                  "    li r0, fx(1.25)\n"      /* 1280 */
                                  "    li r0, fx(-1.25)\n"     /* -1280 */
                                  "    li r0, -fx(0.5)\n"      /* -512 */
                                  "    li r0, fx(0.00048828125)\n" /* 0.5 raw: tie -> 0 */
                                  "    li r0, fx(0.00146484375)\n" /* 1.5 raw: tie -> 2 */
                                  ".fixed 16 4\n"
                                  "    li r0, fx(1.5)\n"       /* 24 */
                                  "    li r0, fx(6.25e-2)\n"   /* 1 */
                                  "    j 0\n");
    static const uint64_t want[] = {1280, 65536 - 1280, 65536 - 512, 0, 2, 24, 1};
    for (unsigned pc = 0; pc < 7; pc++)
        cr_expect_eq(operand(m, pc, 1), want[pc], "instruction %u", pc);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, data_addresses_and_gaps)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".data @2 7, -1\n"
                                  ".data 9\n"
                                  ".data @0 fx(0.25) * 0 + 3\n"
                                  "    ld r0, r0\n"
                                  "    j 0\n");
    const bm_core *c = bm_machine_core(m, 0);
    static const uint64_t want[] = {3, 0, 7, 255, 9};
    cr_assert_eq(bm_core_ram_init_count(c), 5);
    cr_expect_eq(bm_core_get_params(c)->ram_depth, 5);
    for (unsigned i = 0; i < 5; i++)
        cr_expect_eq(bm_core_ram_init(c)[i], want[i], "word %u", i);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, pins_and_opcodes)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".core c 12\n"
                                  ".registers 8\n.rom 16\n.ram 4\n.inputs 2\n.outputs 3\n"
                                  ".opcodes halt, nop xor\n"
                                  "    in r1, i0\n"
                                  "    j 0\n");
    const bm_core_params *p = bm_core_get_params(bm_machine_core(m, 0));
    cr_expect_eq(p->width, 12);
    cr_expect_eq(p->registers, 8);
    cr_expect_eq(p->rom_depth, 16);
    cr_expect_eq(p->ram_depth, 4);
    cr_expect_eq(p->inputs, 2);
    cr_expect_eq(p->outputs, 3);
    char ops[128];
    opcode_list(bm_machine_core(m, 0), ops, sizeof ops);
    cr_expect_str_eq(ops, "nop xor j in halt");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, bonded_ports_count_as_used)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".input a 8\n.input b 8\n"
                                  ".core c 8\n    in r0, i0\n    j 0\n"
                                  ".bond a -> c.i0\n.bond b -> c.i1\n");
    cr_expect_eq(bm_core_get_params(bm_machine_core(m, 0))->inputs, 2);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, warnings_do_not_fail)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".core a 8\n    out o0, r0\n    j 0\n"
                                  ".core b 8\n    in r0, i0\n    j 0\n");
    cr_expect_eq(bm_ctx_error_count(ctx), 0);
    cr_expect_eq(bm_ctx_warning_count(ctx), 2);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, options)
{
    bm_ctx *ctx = new_ctx();
    bm_asm_options opt = BM_ASM_OPTIONS_INIT;
    opt.machine_name = "renamed";
    opt.default_width = 4;
    opt.auto_ports = 0;
    const char *text = "    in r0, i0\n    li r0, 15\n    j 0\n";
    bm_machine *m;
    cr_assert_eq(bm_asm_memory(&m, ctx, text, strlen(text), "dir/3-x.y.s", &opt), 0);
    cr_expect_str_eq(bm_machine_name(m), "renamed");
    cr_expect_str_eq(bm_core_name(bm_machine_core(m, 0)), "_3_x_y");
    cr_expect_eq(bm_core_get_params(bm_machine_core(m, 0))->width, 4);
    cr_expect_eq(bm_machine_input_count(m), 0);
    bm_machine_free(m);
    opt.version = 99;
    cr_expect_eq(bm_asm_memory(&m, ctx, text, strlen(text), NULL, &opt), BM_EINVAL);
    bm_ctx_free(ctx);
}

Test(asm, every_error_is_reported)
{
    bm_ctx *ctx = new_ctx();
    const char *text = "    foo r0\n    add r0, 1\n    bar\n    j nowhere\n";
    bm_machine *m;
    cr_expect_neq(bm_asm_memory(&m, ctx, text, strlen(text), "t.s", NULL), 0);
    cr_expect_eq(bm_ctx_error_count(ctx), 3, "the three bad lines, got %zu",
                 bm_ctx_error_count(ctx));
    bm_ctx_free(ctx);
}

Test(asm, small_errors)
{
    expect_error("    li r0, fx(1.5\n    j 0\n", "t.s:1:15: error: expected ')' after the fx constant");
    expect_error("    li r0, (1 + 2\n    j 0\n", "t.s:1:12: error: this '(' has no matching ')'");
    expect_error("    li r0, 1 +\n    j 0\n",
                 "t.s:1:15: error: expected a value before the end of the line");
    expect_error(".fixed 16 16\n    j 0\n",
                 "t.s:1:11: error: fixed-point fraction bits 16 is out of range (0 .. 15)");
    expect_error(".core a\n    j 0\n", "t.s:1:8: error: '.core a' needs a word width: .core a WIDTH");
    expect_error(".core a 8\n.width 9\n    j 0\n",
                 "t.s:2:1: error: the width of core 'a' is given on its .core line (line 1)");
    expect_error(".registers 2\n.registers 3\n    j 0\n",
                 "t.s:2:1: error: '.registers' is already given on line 1");
    expect_error(".bond a b\n    j 0\n", "t.s:1:9: error: expected '->' after the bond source, found 'b'");
    expect_error(".opcodes add fly\n    j 0\n", "t.s:1:14: error: unknown mnemonic 'fly'");
    expect_error(".fetch eager\n    j 0\n",
                 "t.s:1:8: error: unknown fetch kind 'eager' (direct or staged)");
    expect_error(".fetch\n    j 0\n",
                 "t.s:1:7: error: '.fetch' needs a fetch kind: direct or staged");
    expect_error(".fetch staged\n.fetch direct\n    j 0\n",
                 "t.s:2:1: error: '.fetch' is already given on line 1");
    expect_error(".queue 0\n    j 0\n",
                 "t.s:1:8: error: output queue depth 0 is out of range (1 .. 64)");
    expect_error(".forward i0\n    j 0\n",
                 "t.s:1:10: error: '.forward' needs an output port (.forward o1)");
    expect_error(".forward\n    j 0\n",
                 "t.s:1:9: error: '.forward' needs an output port (.forward o1)");
    expect_error(".forward o1 o2\n    j 0\n",
                 "t.s:1:13: error: unexpected 'o2' after the output port");
    expect_error(".forward o1, 0\n    j 0\n",
                 "t.s:1:14: error: forward queue depth 0 is out of range (1 .. 64)");
    expect_error(".forward o1,\n    j 0\n",
                 "t.s:1:13: error: '.forward' needs a queue depth after the comma");
    expect_error(".forward o1\n.forward o1\n    j 0\n",
                 "t.s:2:1: error: '.forward' is already given on line 1");
    expect_error(".forward o0\n    in r0, i0\n    outn o0, r0\n    j 0\n",
                 "t.s:3:5: error: core 't': 'outn' sends on o0, which forwards what the core takes "
                 "(only the forward may use it)");
    expect_error("    li r0, 18446744073709551615 * 2\n    j 0\n",
                 "t.s:1:33: error: value out of range: expressions are limited to -2^64 .. 2^64");
    expect_error("    j r1\n", "t.s:1:7: error: operand 1 of 'j' must be a jump target (a label or an "
                                 "address), not a register");
    expect_error("x: .const x = 1\n", "t.s:1:4: error: a label names a ROM address and cannot stand "
                                       "before '.const'");
}

/* ---- error files ------------------------------------------------------- */

Test(asm, error_files)
{
    char **files = list_files("tests/data/asm", ".s");
    size_t count = 0;
    for (size_t i = 0; files[i]; i++, count++) {
        char *text = read_all(files[i]);
        const char *tag = strstr(text, "; expect: ");
        cr_assert_not_null(tag, "%s has no '; expect:' line", files[i]);
        tag += strlen("; expect: ");
        unsigned line, col;
        int used;
        cr_assert_eq(sscanf(tag, "%u:%u: %n", &line, &col, &used), 2, "%s: bad expect line", files[i]);
        char want[512];
        const char *msg = tag + used;
        size_t ml = strcspn(msg, "\n");
        snprintf(want, sizeof want, "%s:%u:%u: error: %.*s", files[i], line, col, (int)ml, msg);
        bm_ctx *ctx = new_ctx();
        bm_machine *m = (bm_machine *)1;
        int rc = bm_asm_file(&m, ctx, files[i], NULL);
        char got[512];
        cr_expect_neq(rc, 0, "%s assembled", files[i]);
        cr_expect_null(m, "%s", files[i]);
        cr_expect_str_eq(first_error(ctx, got, sizeof got), want);
        bm_ctx_free(ctx);
        free(text);
    }
    cr_expect_geq(count, 10, "only %zu error cases", count);
    free_list(files);
}

/* ---- round trip -------------------------------------------------------- */

/* disasm -> asm gives the same ROM words and the same machine. */
static void round_trip(const char *what, const bm_machine *m1, unsigned flags)
{
    bm_ctx *ctx = bm_machine_ctx(m1);
    bm_disasm_options opt = BM_DISASM_OPTIONS_INIT;
    opt.flags = flags;
    char *text;
    size_t len;
    cr_assert_eq(bm_disasm_machine(&text, &len, m1, &opt), 0, "%s: disasm", what);
    cr_assert_eq(strlen(text), len);
    bm_ctx *ctx2 = new_ctx();
    bm_machine *m2;
    int rc = bm_asm_memory(&m2, ctx2, text, len, "disassembled.s", NULL);
    if (rc) {
        print_diags(ctx2);
        cr_log_info("%s", text);
    }
    cr_assert_eq(rc, 0, "%s: the disassembly does not assemble", what);
    char *w1 = rom_words(m1), *w2 = rom_words(m2);
    cr_expect_str_eq(w2, w1, "%s: ROM words differ", what);
    char *x1 = xml_of(m1), *x2 = xml_of(m2);
    cr_expect_str_eq(x2, x1, "%s: machines differ", what);
    free(w1);
    free(w2);
    bm_xml_buffer_free(ctx, x1);
    bm_xml_buffer_free(ctx2, x2);
    bm_disasm_free(ctx, text);
    bm_machine_free(m2);
    bm_ctx_free(ctx2);
}

Test(asm, disasm_round_trip_on_every_example)
{
    char **files = list_files("examples", ".s");
    size_t count = 0;
    for (size_t i = 0; files[i]; i++, count++) {
        bm_ctx *ctx = new_ctx();
        bm_machine *m;
        int rc = bm_asm_file(&m, ctx, files[i], NULL);
        if (rc)
            print_diags(ctx);
        cr_assert_eq(rc, 0, "%s does not assemble", files[i]);
        round_trip(files[i], m, 0);
        round_trip(files[i], m, BM_DISASM_WORDS);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
    cr_expect_geq(count, 5, "only %zu examples", count);
    free_list(files);
}

Test(asm, core_section_gets_no_external_ports)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".core c 8\n    in r0, i0\n    j 0\n");
    cr_expect_eq(bm_machine_input_count(m), 0);
    cr_expect_eq(bm_machine_bond_count(m), 0);
    cr_expect_eq(bm_ctx_warning_count(ctx), 1, "unconnected i0");
    round_trip("unconnected core", m, 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(asm, disasm_round_trip_on_machine_xml)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    round_trip("examples/acc8.xml", m, 0);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Random machines use every opcode, widths up to 64 bits, RAMs and
 * fan-out: the round trip must hold on all of them. */
Test(asm, disasm_round_trip_on_random_machines)
{
    for (uint64_t seed = 1; seed <= 300; seed++) {
        bm_ctx *ctx = new_ctx();
        bm_machine *m;
        int rc = bm_random_machine(&m, ctx, seed, NULL);
        if (rc)
            print_diags(ctx);
        cr_assert_eq(rc, 0, "seed %llu", (unsigned long long)seed);
        char what[32];
        snprintf(what, sizeof what, "random seed %llu", (unsigned long long)seed);
        round_trip(what, m, seed % 2 ? BM_DISASM_WORDS : 0);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

Test(asm, disasm_text)
{
    bm_ctx *ctx = new_ctx();
    bm_machine *m = assemble(ctx, ".core c 8\n.ram 2\n.data 5\n"
                                  "    li r0, -2\nback: ld r1, r0\n    jz r1, back\n    j 0\n");
    char *text;
    size_t len;
    cr_assert_eq(bm_disasm_core(&text, &len, bm_machine_core(m, 0), NULL), 0);
    cr_expect_str_eq(text, ".core c 8\n"
                           ".registers 2\n"
                           ".rom 4\n"
                           ".ram 2\n"
                           ".opcodes li j jz ld\n"
                           ".data 5\n"
                           "L0:\n"
                           "    li r0, 254\n"
                           "L1:\n"
                           "    ld r1, r0\n"
                           "    jz r1, L1\n"
                           "    j L0\n");
    bm_disasm_free(ctx, text);
    bm_disasm_options opt = BM_DISASM_OPTIONS_INIT;
    opt.flags = BM_DISASM_WORDS;
    cr_assert_eq(bm_disasm_core(&text, &len, bm_machine_core(m, 0), &opt), 0);
    /* 4 opcodes (2 bits), 1-bit registers, 8-bit immediates, 2-bit
     * addresses: li is 2+1+8 = 11 bits; li r0, 254 = 00 0 11111110. */
    cr_expect_not_null(strstr(text, "    li r0, 254              ; 0: 0x0fe\n"), "%s", text);
    cr_expect_not_null(strstr(text, "; 11-bit instruction words, opcode field 2 bits\n"), "%s", text);
    bm_disasm_free(ctx, text);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- bmc asm / bmc disasm ---------------------------------------------- */

static const char *bmc_path(void)
{
    const char *p = getenv("BMC");
    return p ? p : "build/bmc";
}

/* Runs a shell command; returns its exit status. */
static int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    return WEXITSTATUS(st);
}

static char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bm_test_asm_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

Test(bmc_asm, writes_the_machine)
{
    const char *dir = temp_dir();
    cr_assert_eq(run("%s asm examples/pipeline.s -o %s/p.xml", bmc_path(), dir), 0);
    cr_assert_eq(run("%s check -q %s/p.xml", bmc_path(), dir), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/p.xml", dir);
    char *got = read_all(path);
    bm_ctx *ctx = new_ctx();
    bm_machine *m;
    cr_assert_eq(bm_asm_file(&m, ctx, "examples/pipeline.s", NULL), 0);
    char *want = xml_of(m);
    cr_expect_str_eq(got, want);
    bm_xml_buffer_free(ctx, want);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    free(got);
    run("rm -rf %s", dir);
}

Test(bmc_asm, errors_write_nothing)
{
    const char *dir = temp_dir();
    run("echo keep > %s/out.xml", dir);
    cr_expect_eq(run("%s asm tests/data/asm/undefined_label.s -o %s/out.xml 2> %s/err", bmc_path(),
                     dir, dir),
                 1);
    char path[128];
    snprintf(path, sizeof path, "%s/err", dir);
    char *err = read_all(path);
    cr_expect_str_eq(err, "tests/data/asm/undefined_label.s:3:10: error: undefined label or "
                          "constant 'lop'\n");
    snprintf(path, sizeof path, "%s/out.xml", dir);
    char *out = read_all(path);
    cr_expect_str_eq(out, "keep\n", "the output file was changed");
    free(err);
    free(out);
    cr_expect_eq(run("%s asm %s/missing.s -o %s/x.xml 2> /dev/null", bmc_path(), dir, dir), 1);
    cr_expect_eq(run("test -e %s/x.xml", dir), 1);
    run("rm -rf %s", dir);
}

Test(bmc_asm, usage_errors)
{
    cr_expect_eq(run("%s asm 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s asm a.s b.s 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s asm --bogus a.s 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s asm examples/acc.s -o 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s asm --width 65 examples/acc.s 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s disasm 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s disasm --bogus x.xml 2> /dev/null", bmc_path()), 2);
    cr_expect_eq(run("%s asm --help > /dev/null", bmc_path()), 0);
    cr_expect_eq(run("%s disasm --help > /dev/null", bmc_path()), 0);
}

Test(bmc_asm, warnings_are_printed_but_do_not_fail)
{
    const char *dir = temp_dir();
    run("printf '.core a 8\\n    out o0, r0\\n    j 0\\n' > %s/w.s", dir);
    cr_expect_eq(run("%s asm %s/w.s -o %s/w.xml 2> %s/err", bmc_path(), dir, dir, dir), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/err", dir);
    char *err = read_all(path);
    cr_expect_not_null(strstr(err, "warning: core 'a': output port o0 is not connected"), "%s", err);
    free(err);
    run("rm -rf %s", dir);
}

Test(bmc_disasm, round_trip_through_files)
{
    const char *dir = temp_dir();
    char **files = list_files("examples", ".s");
    for (size_t i = 0; files[i]; i++) {
        cr_assert_eq(run("%s asm %s -o %s/a.xml", bmc_path(), files[i], dir), 0, "%s", files[i]);
        cr_assert_eq(run("%s disasm --words %s/a.xml > %s/a.s", bmc_path(), dir, dir), 0);
        cr_assert_eq(run("%s asm %s/a.s -o %s/b.xml", bmc_path(), dir, dir), 0);
        cr_expect_eq(run("cmp -s %s/a.xml %s/b.xml", dir, dir), 0, "%s: not the same machine",
                     files[i]);
    }
    free_list(files);
    cr_expect_eq(run("%s disasm tests/data/asm/no_such.xml 2> /dev/null", bmc_path()), 1);
    run("rm -rf %s", dir);
}
