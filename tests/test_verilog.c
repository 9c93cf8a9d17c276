/* The Verilog backend (hdl_out/, bm/verilog.h, bmc verilog):
 *
 * - lint: verilator --lint-only -Wall and iverilog -g2005 -Wall report
 *   nothing on every example, on hand-written machines covering every opcode
 *   at widths 1/5/8/33/64, on names that are Verilog keywords and on seeded
 *   random machines, with both ROM styles;
 * - synthesis: yosys synth / synth_ice40 with check -assert, no latches;
 * - behaviour: Verilator runs of the generated harness give the outputs and
 *   the cycles docs/timing.md predicts, and every ALU operation equals
 *   bm_alu_eval at every width;
 * - output: identical bytes for identical input, gold files under
 *   tests/gold/<example>/ (make regold rewrites them), and folder output that
 *   is all or nothing.
 *
 * Tools run from a temporary folder; tests that need a missing tool fail
 * with a message rather than pass silently.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bm.h"

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/bm_test_verilog_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

/* BM_TEST_KEEP=1 keeps the temporary folders, for looking at failures. */
static void teardown(void)
{
    if (getenv("BM_TEST_KEEP")) {
        fprintf(stderr, "kept %s\n", tmp);
        return;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(verilog, .init = setup, .fini = teardown, .timeout = 600);

/* ---- helpers ------------------------------------------------------------------ */

/* Runs a shell command; returns its exit status (-1 if it did not exit). */
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == -1 ? -1 : (st & 0x7f) ? -1 : (st >> 8) & 0xff;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *d = malloc(cap + 1);
    size_t got;
    while (d && (got = fread(d + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            d = realloc(d, cap + 1);
        }
    }
    fclose(f);
    if (d)
        d[n] = '\0';
    if (len)
        *len = n;
    return d;
}

static uint64_t mask(unsigned w)
{
    return w >= 64 ? ~0ull : (1ull << w) - 1;
}

/* Appends printf-style text to a growing string. */
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap = *cap * 2 + (size_t)n;
        *buf = realloc(*buf, *cap);
        cr_assert_not_null(*buf);
    }
}

/* The last part of a tool's log, short enough for an assertion message. */
static const char *tail_of(const char *log)
{
    size_t n = log ? strlen(log) : 0;
    return !log ? "" : n > 3000 ? log + n - 3000 : log;
}

static void require_tool(const char *tool)
{
    cr_assert_eq(sh("command -v %s >/dev/null 2>&1", tool), 0,
                 "%s is not installed ('make deps' installs it)", tool);
}

static void print_diags(const bm_ctx *ctx)
{
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        char line[512];
        bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
        fprintf(stderr, "%s\n", line);
    }
}

static bm_machine *load_text(bm_ctx *ctx, const char *xml, const char *name)
{
    bm_machine *m = NULL;
    int rc = bm_machine_read_memory(&m, ctx, xml, strlen(xml), name);
    if (rc)
        print_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not load", name);
    return m;
}

static bm_machine *load_file(bm_ctx *ctx, const char *path)
{
    bm_machine *m = NULL;
    int rc = bm_machine_read_file(&m, ctx, path);
    if (rc)
        print_diags(ctx);
    cr_assert_eq(rc, 0, "%s does not load", path);
    return m;
}

/* Writes a machine's Verilog to tmp/label; returns the folder (static). */
static const char *write_to(bm_machine *m, const char *label, const bm_verilog_options *opt)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", tmp, label);
    int rc = bm_verilog_write_dir(m, dir, opt);
    if (rc)
        print_diags(bm_machine_ctx(m));
    cr_assert_eq(rc, 0, "%s: bm_verilog_write_dir failed", label);
    return dir;
}

static const char *top_name(bm_machine *m, const bm_verilog_options *opt)
{
    static char top[128];
    bm_verilog_files *fs;
    cr_assert_eq(bm_verilog_generate(&fs, m, opt), 0);
    snprintf(top, sizeof top, "%s", bm_verilog_files_top(fs));
    bm_verilog_files_free(fs);
    return top;
}

/* verilator -Wall and iverilog -g2005 -Wall: no message at all. */
static void lint(bm_machine *m, const char *label, const bm_verilog_options *opt)
{
    const char *top = top_name(m, opt);
    const char *dir = write_to(m, label, opt);
    int rc = sh("cd '%s' && verilator --lint-only -Wall -f files.f --top-module %s "
                ">lint.log 2>&1",
                dir, top);
    char path[300];
    snprintf(path, sizeof path, "%s/lint.log", dir);
    char *log = slurp(path, NULL);
    cr_expect(rc == 0 && log && log[0] == '\0', "%s: verilator -Wall:\n%s", label, tail_of(log));
    free(log);
    rc = sh("cd '%s' && iverilog -g2005 -Wall -o /dev/null $(cat files.f) >iverilog.log 2>&1", dir);
    snprintf(path, sizeof path, "%s/iverilog.log", dir);
    log = slurp(path, NULL);
    cr_expect(rc == 0 && log && log[0] == '\0', "%s: iverilog -g2005 -Wall:\n%s", label,
              tail_of(log));
    free(log);
}

static void lint_both_roms(bm_machine *m, const char *label)
{
    char l[128];
    bm_verilog_options opt = BM_VERILOG_OPTIONS_INIT;
    opt.rom_style = BM_VERILOG_ROM_LOGIC;
    snprintf(l, sizeof l, "%s_logic", label);
    lint(m, l, &opt);
    opt.rom_style = BM_VERILOG_ROM_BLOCK;
    snprintf(l, sizeof l, "%s_block", label);
    lint(m, l, &opt);
}

/* ---- lint ------------------------------------------------------------------------ */

Test(verilog, lint_examples)
{
    require_tool("verilator");
    require_tool("iverilog");
    DIR *d = opendir("examples");
    cr_assert_not_null(d, "run the tests from the repository root");
    struct dirent *ent;
    unsigned n = 0;
    while ((ent = readdir(d)) != NULL) {
        size_t len = strlen(ent->d_name);
        if (len < 5 || strcmp(ent->d_name + len - 4, ".xml") != 0)
            continue;
        char path[300], label[300];
        snprintf(path, sizeof path, "examples/%s", ent->d_name);
        snprintf(label, sizeof label, "ex_%.*s", (int)(len - 4), ent->d_name);
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        bm_machine *m = load_file(ctx, path);
        lint_both_roms(m, label);
        bm_machine_free(m);
        bm_ctx_free(ctx);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 1);
}

/* A core that uses every opcode of the catalogue, at width W. */
static char *every_opcode_machine(unsigned w)
{
    static char xml[8192];
    unsigned long long imm = w >= 64 ? 0x8000000000000001ull : (1ull << (w - 1)) | 1ull;
    unsigned k = w - 1;
    snprintf(xml, sizeof xml,
             "<?xml version=\"1.0\"?>\n"
             "<machine format=\"1\" name=\"every%u\">\n"
             "  <input name=\"x\" width=\"%u\"/><input name=\"y\" width=\"%u\"/>\n"
             "  <output name=\"z\" width=\"%u\"/><output name=\"w\" width=\"%u\"/>\n"
             "  <core name=\"c\" width=\"%u\" registers=\"8\" rom=\"40\" ram=\"5\" inputs=\"2\" "
             "outputs=\"2\">\n"
             "    <opcodes>nop mov li add addi sub and or xor not shl shr sar shli shri sari inc "
             "dec mul muli eq lt ltu j jz jnz in inn out outn ld st halt</opcodes>\n"
             "    <program>\n"
             "      <i>in r0, i0</i><i>inn r1, i1</i><i>mov r2, r0</i><i>li r3, %llu</i>\n"
             "      <i>add r2, r1</i><i>addi r2, %llu</i><i>sub r3, r2</i><i>and r4, r3</i>\n"
             "      <i>or r4, r0</i><i>xor r4, r1</i><i>not r4</i><i>shl r4, r1</i>\n"
             "      <i>shr r4, r1</i><i>sar r4, r1</i><i>shli r5, %u</i><i>shri r5, %u</i>\n"
             "      <i>sari r5, %u</i><i>inc r5</i><i>dec r6</i><i>mul r6, r4</i>\n"
             "      <i>muli r6, %llu</i><i>eq r7, r6</i><i>lt r7, r0</i><i>ltu r7, r1</i>\n"
             "      <i>st r0, r6</i><i>ld r5, r0</i><i>nop</i><i>jz r7, 30</i><i>jnz r5, 30</i>\n"
             "      <i>out o0, r4</i><i>outn o1, r5</i><i>outn o0, r6</i><i>jz r0, 33</i>\n"
             "      <i>j 0</i><i>halt</i>\n"
             "    </program>\n"
             "    <ram-init>1 0</ram-init>\n"
             "  </core>\n"
             "  <bond from=\"x\" to=\"c.i0\"/><bond from=\"y\" to=\"c.i1\"/>\n"
             "  <bond from=\"c.o0\" to=\"z\"/><bond from=\"c.o1\" to=\"w\"/>\n"
             "</machine>\n",
             w, w, w, w, w, w, imm, imm, k, k ? k - 1 : 0, k, imm);
    return xml;
}

Test(verilog, lint_every_opcode_every_width)
{
    require_tool("verilator");
    require_tool("iverilog");
    static const unsigned widths[] = {1, 5, 8, 33, 64};
    for (unsigned i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        char label[32];
        snprintf(label, sizeof label, "every%u.xml", widths[i]);
        bm_machine *m = load_text(ctx, every_opcode_machine(widths[i]), label);
        snprintf(label, sizeof label, "every%u", widths[i]);
        lint_both_roms(m, label);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

/* A RAM whose index is the whole address: 2 words of 1 bit (the index of
 * a 1-bit address was written as a bit select, which a scalar does not
 * have: Verilator refused it; found by a random machine). */
Test(verilog, lint_one_bit_ram_of_two_words)
{
    require_tool("verilator");
    require_tool("iverilog");
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx,
                              "<?xml version=\"1.0\"?>\n"
                              "<machine format=\"1\" name=\"ram1\">\n"
                              "  <output name=\"z\" width=\"1\"/>\n"
                              "  <core name=\"c\" width=\"1\" registers=\"2\" rom=\"5\" ram=\"2\" "
                              "inputs=\"0\" outputs=\"1\">\n"
                              "    <opcodes>li j out ld st</opcodes>\n"
                              "    <program><i>li r0, 1</i><i>ld r1, r0</i><i>st r0, r0</i>"
                              "<i>out o0, r1</i><i>j 1</i></program>\n"
                              "    <ram-init>0 0</ram-init>\n"
                              "  </core>\n"
                              "  <bond from=\"c.o0\" to=\"z\"/>\n"
                              "</machine>\n",
                              "ram1.xml");
    lint_both_roms(m, "ram1");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A core with every multiplier opcode, at width W, with multiplier variant
 * `mul` (inmacfx only where the variant takes inputs). */
static char *multiplier_machine(unsigned w, const char *mul)
{
    static char xml[4096];
    int inputs = strcmp(mul, "serial") != 0;
    unsigned long long imm = w >= 64 ? 0x8000000000000003ull : ((1ull << (w - 1)) | 3ull) & ((w == 1) ? 1ull : ~0ull);
    snprintf(xml, sizeof xml,
             "<?xml version=\"1.0\"?>\n"
             "<machine format=\"1\" name=\"mul%u%s\">\n"
             "  <input name=\"x\" width=\"%u\"/><output name=\"z\" width=\"%u\"/>\n"
             "  <core name=\"c\" width=\"%u\" registers=\"4\" rom=\"16\" ram=\"0\" inputs=\"1\" "
             "outputs=\"1\" frac=\"%u\" mul=\"%s\">\n"
             "    <opcodes>li mul muli mulfx mulfxi macfx macfxi j in out%s</opcodes>\n"
             "    <program>\n"
             "      <i>in r0, i0</i><i>li r1, %llu</i><i>mul r1, r0</i><i>muli r2, %llu</i>\n"
             "      <i>mulfx r2, r1</i><i>mulfxi r3, %llu</i><i>macfx r3, r0, r2</i>\n"
             "      <i>macfxi r3, r1, %llu</i><i>%s</i><i>out o0, r3</i><i>out o0, r2</i>\n"
             "      <i>j 0</i>\n"
             "    </program>\n"
             "  </core>\n"
             "  <bond from=\"x\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"z\"/>\n"
             "</machine>\n",
             w, mul, w, w, w, w / 2, mul, inputs ? " inmacfx" : "", imm, imm, imm, imm,
             inputs ? "inmacfx r2, i0, 1" : "macfxi r2, r3, 1");
    return xml;
}

/* Every multiplier opcode in every variant, at widths where the product's
 * slices meet their edges, lint-clean with both ROM styles. */
Test(verilog, lint_multiplier_variants)
{
    require_tool("verilator");
    require_tool("iverilog");
    static const unsigned widths[] = {1, 2, 7, 16, 33, 64};
    static const char *const muls[] = {"comb", "pipe", "serial"};
    for (unsigned v = 0; v < 3; v++)
        for (unsigned i = 0; i < sizeof widths / sizeof widths[0]; i++) {
            bm_ctx *ctx;
            cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
            char label[48];
            snprintf(label, sizeof label, "mul%u%s.xml", widths[i], muls[v]);
            bm_machine *m = load_text(ctx, multiplier_machine(widths[i], muls[v]), label);
            snprintf(label, sizeof label, "mul%u%s", widths[i], muls[v]);
            lint_both_roms(m, label);
            bm_machine_free(m);
            bm_ctx_free(ctx);
        }
}

/* Names that are Verilog or SystemVerilog keywords, single-instruction
 * programs, a one-register core, an external input wired straight to an
 * output, unconnected ports and fan-out to three sinks. */
static const char odd_names_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<machine format=\"1\" name=\"module\">\n"
    "  <input name=\"wire\" width=\"3\"/><input name=\"through\" width=\"4\"/>\n"
    "  <input name=\"idle\" width=\"2\"/>\n"
    "  <output name=\"output\" width=\"3\"/><output name=\"passed\" width=\"4\"/>\n"
    "  <output name=\"never\" width=\"1\"/><output name=\"logic\" width=\"3\"/>\n"
    "  <core name=\"reg\" width=\"3\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"2\" outputs=\"2\">\n"
    "    <opcodes>in out j</opcodes>\n"
    "    <program><i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program>\n"
    "  </core>\n"
    "  <core name=\"always\" width=\"3\" registers=\"1\" rom=\"1\" ram=\"0\" inputs=\"1\" outputs=\"0\">\n"
    "    <opcodes>halt</opcodes><program><i>halt</i></program>\n"
    "  </core>\n"
    "  <core name=\"module_reg\" width=\"3\" registers=\"1\" rom=\"1\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>j</opcodes><program><i>j 0</i></program>\n"
    "  </core>\n"
    "  <core name=\"unused\" width=\"3\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"0\">\n"
    "    <opcodes>in j</opcodes><program><i>in r0, i0</i><i>j 0</i></program>\n"
    "  </core>\n"
    "  <bond from=\"wire\" to=\"reg.i0\"/>\n"
    "  <bond from=\"reg.o0\" to=\"output always.i0 unused.i0\"/>\n"
    "  <bond from=\"through\" to=\"passed\"/>\n"
    "</machine>\n";

Test(verilog, lint_keywords_and_corner_cases)
{
    require_tool("verilator");
    require_tool("iverilog");
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx, odd_names_xml, "odd.xml");
    lint_both_roms(m, "odd");
    bm_verilog_files *fs;
    cr_assert_eq(bm_verilog_generate(&fs, m, NULL), 0);
    cr_expect_str_eq(bm_verilog_files_top(fs), "module_1");
    /* core 'reg' becomes module_1_reg; no file is named after a keyword */
    int found = 0;
    for (size_t i = 0; i < bm_verilog_files_count(fs); i++)
        found |= strcmp(bm_verilog_file_name(fs, i), "module_1_reg.v") == 0;
    cr_expect(found);
    bm_verilog_files_free(fs);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Cores named like signals inside the generated core modules: their
 * instances are renamed (pc_1, ...), else Verilator warns VARHIDDEN. */
static const char internal_names_xml[] =
    "<machine format=\"1\" name=\"m\">\n"
    "  <input name=\"x\" width=\"8\"/>\n  <output name=\"y\" width=\"8\"/>\n"
    "  <core name=\"pc\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>j in out</opcodes>\n"
    "    <program><i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program>\n  </core>\n"
    "  <core name=\"stall\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>j in out</opcodes>\n"
    "    <program><i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program>\n  </core>\n"
    "  <core name=\"fetch_pc\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>j in out</opcodes>\n"
    "    <program><i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program>\n  </core>\n"
    "  <bond from=\"x\" to=\"pc.i0\"/>\n  <bond from=\"pc.o0\" to=\"stall.i0\"/>\n"
    "  <bond from=\"stall.o0\" to=\"fetch_pc.i0\"/>\n  <bond from=\"fetch_pc.o0\" to=\"y\"/>\n"
    "</machine>\n";

Test(verilog, lint_cores_named_like_internal_signals)
{
    require_tool("verilator");
    require_tool("iverilog");
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx, internal_names_xml, "internal.xml");
    lint_both_roms(m, "internal_names");
    bm_machine_free(m);
    /* and bm_random_machine makes such machines too (seed 8 is one) */
    bm_random_options ro = BM_RANDOM_OPTIONS_INIT;
    cr_assert_eq(bm_random_machine(&m, ctx, 8, &ro), 0);
    cr_expect_str_eq(bm_core_name(bm_machine_core(m, 0)), "pc");
    lint(m, "random_internal_names", NULL);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- random machines ----------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(rnd(s) % n);
}

static int usable(const bm_opcode_def *d, const bm_core_params *p)
{
    int ram = d->a.kind == BM_SRC_RAM || d->b.kind == BM_SRC_RAM || d->dst == BM_DST_RAM;
    if (ram && p->ram_depth == 0)
        return 0;
    for (unsigned k = 0; k < d->n_operands; k++) {
        if (d->operands[k] == BM_OPND_IN && p->inputs == 0)
            return 0;
        if (d->operands[k] == BM_OPND_OUT && p->outputs == 0)
            return 0;
    }
    return 1;
}

/* A valid random machine: 1 to 3 cores of random widths, parameters and
 * programs, bonded at random (fan-out included), some ports left open. */
static bm_machine *random_machine(bm_ctx *ctx, uint64_t seed)
{
    static const unsigned widths[] = {1, 5, 8, 16, 33, 64};
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    char name[64];
    snprintf(name, sizeof name, "rand%llu", (unsigned long long)seed);
    bm_machine *m;
    cr_assert_eq(bm_machine_new(&m, ctx, name), 0);
    bm_loc nowhere = {NULL, 0, 0};
    unsigned ncores = 1 + pick(&s, 3);
    unsigned width_of[3];
    unsigned nin[3], nout[3];
    for (unsigned c = 0; c < ncores; c++) {
        bm_core_params p = BM_CORE_PARAMS_INIT;
        p.width = widths[pick(&s, 6)];
        p.registers = 1 + pick(&s, 6);
        p.inputs = pick(&s, 3);
        p.outputs = pick(&s, 3);
        p.ram_depth = pick(&s, 2) ? 0 : 1 + pick(&s, 20);
        unsigned len = 1 + pick(&s, 18);
        p.rom_depth = len + pick(&s, 3);
        width_of[c] = p.width;
        nin[c] = p.inputs;
        nout[c] = p.outputs;
        bm_core *core;
        char cname[16];
        snprintf(cname, sizeof cname, "c%u", c);
        cr_assert_eq(bm_machine_add_core(m, &core, cname, &p, nowhere), 0);
        bm_opcode_set set;
        bm_opcode_set_clear(&set);
        for (unsigned pc = 0; pc < len; pc++) {
            bm_insn in;
            memset(&in, 0, sizeof in);
            const bm_opcode_def *d;
            do {
                in.opcode = (uint16_t)pick(&s, bm_isa_count());
                d = bm_isa_get(in.opcode);
            } while (!usable(d, &p) ||
                     (pc + 1 == len && d->flow != BM_FLOW_JUMP && d->flow != BM_FLOW_HALT));
            for (unsigned k = 0; k < d->n_operands; k++) {
                uint64_t v = 0;
                switch (d->operands[k]) {
                case BM_OPND_REG: v = pick(&s, p.registers); break;
                case BM_OPND_IMM:
                    v = rnd(&s) & (p.width >= 64 ? ~0ull : (1ull << p.width) - 1);
                    break;
                case BM_OPND_SHAMT: v = pick(&s, p.width); break;
                case BM_OPND_ADDR: v = pick(&s, len); break;
                case BM_OPND_IN: v = pick(&s, p.inputs); break;
                case BM_OPND_OUT: v = pick(&s, p.outputs); break;
                default: break;
                }
                in.operand[k] = v;
            }
            bm_opcode_set_add(&set, in.opcode);
            cr_assert_eq(bm_core_append_insn(core, &in), 0);
        }
        if (pick(&s, 4) == 0)
            bm_opcode_set_add(&set, pick(&s, bm_isa_count())); /* an opcode the program skips */
        bm_core_set_opcodes(core, &set);
        if (p.ram_depth && pick(&s, 2)) {
            uint64_t init[4] = {rnd(&s), rnd(&s), rnd(&s), rnd(&s)};
            unsigned n = p.ram_depth < 4 ? p.ram_depth : 4;
            for (unsigned i = 0; i < n; i++)
                init[i] &= p.width >= 64 ? ~0ull : (1ull << p.width) - 1;
            cr_assert_eq(bm_core_set_ram_init(core, init, n, nowhere), 0);
        }
    }
    /* Core inputs: taken by core outputs of the same width (fan-out), by
     * external inputs, or left open. */
    unsigned char bound[3][2] = {{0}};
    unsigned next_port = 0;
    for (unsigned c = 0; c < ncores; c++) {
        for (unsigned q = 0; q < nout[c]; q++) {
            unsigned choice = pick(&s, 4);
            if (choice == 0)
                continue; /* open */
            char src[32], sink[32];
            snprintf(src, sizeof src, "c%u.o%u", c, q);
            unsigned bond, sinks = 0;
            cr_assert_eq(bm_machine_add_bond(m, &bond, src, nowhere), 0);
            for (unsigned k = 0; k < ncores; k++)
                for (unsigned i = 0; i < nin[k]; i++)
                    if (!bound[k][i] && width_of[k] == width_of[c] && pick(&s, 2)) {
                        snprintf(sink, sizeof sink, "c%u.i%u", k, i);
                        cr_assert_eq(bm_machine_bond_add_sink(m, bond, sink, nowhere), 0);
                        bound[k][i] = 1;
                        sinks++;
                    }
            if (sinks == 0 || choice == 3) {
                snprintf(sink, sizeof sink, "y%u", next_port++);
                cr_assert_eq(bm_machine_add_output(m, sink, width_of[c], nowhere), 0);
                cr_assert_eq(bm_machine_bond_add_sink(m, bond, sink, nowhere), 0);
            }
        }
    }
    for (unsigned c = 0; c < ncores; c++)
        for (unsigned i = 0; i < nin[c]; i++) {
            if (bound[c][i] || pick(&s, 5) == 0)
                continue;
            char src[32], sink[32];
            snprintf(src, sizeof src, "x%u", next_port++);
            snprintf(sink, sizeof sink, "c%u.i%u", c, i);
            cr_assert_eq(bm_machine_add_input(m, src, width_of[c], nowhere), 0);
            unsigned bond;
            cr_assert_eq(bm_machine_add_bond(m, &bond, src, nowhere), 0);
            cr_assert_eq(bm_machine_bond_add_sink(m, bond, sink, nowhere), 0);
        }
    int rc = bm_machine_validate(m);
    if (rc)
        print_diags(ctx);
    cr_assert_eq(rc, 0, "random machine %llu is invalid", (unsigned long long)seed);
    return m;
}

/* A random pipeline that keeps producing: cores in a chain (each input fed by
 * an earlier core or an external input, each output to a later core or an
 * external output), each program reading every input, doing random
 * straight-line work and writing every output, then jumping back. */
static bm_machine *random_stream_machine(bm_ctx *ctx, uint64_t seed)
{
    static const unsigned widths[] = {1, 5, 8, 16, 33, 64};
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 7;
    char name[64];
    snprintf(name, sizeof name, "stream%llu", (unsigned long long)seed);
    bm_machine *m;
    cr_assert_eq(bm_machine_new(&m, ctx, name), 0);
    bm_loc nowhere = {NULL, 0, 0};
    unsigned ncores = 1 + pick(&s, 3), width = widths[pick(&s, 6)], next_port = 0;
    int pending = -1; /* the core output waiting for a sink, as "cK.oN" */
    char pending_src[32] = "";
    for (unsigned c = 0; c < ncores; c++) {
        bm_core_params p = BM_CORE_PARAMS_INIT;
        p.width = width;
        p.registers = 1 + pick(&s, 5);
        p.inputs = 1 + pick(&s, 2);
        p.outputs = 1 + pick(&s, 2);
        p.ram_depth = pick(&s, 2) ? 0 : 1 + pick(&s, 9);
        unsigned work = pick(&s, 10);
        p.rom_depth = p.inputs + work + p.outputs + 1;
        bm_core *core;
        char cname[16];
        snprintf(cname, sizeof cname, "c%u", c);
        cr_assert_eq(bm_machine_add_core(m, &core, cname, &p, nowhere), 0);
        bm_opcode_set set;
        bm_opcode_set_clear(&set);
        for (unsigned pc = 0; pc < p.rom_depth; pc++) {
            bm_insn in;
            memset(&in, 0, sizeof in);
            const bm_opcode_def *d;
            if (pc < p.inputs) {
                in.opcode = (uint16_t)bm_isa_lookup(pick(&s, 3) ? "in" : "inn");
                in.operand[0] = pick(&s, p.registers);
                in.operand[1] = pc;
            } else if (pc < p.inputs + work) {
                do {
                    in.opcode = (uint16_t)pick(&s, bm_isa_count());
                    d = bm_isa_get(in.opcode);
                } while (!usable(d, &p) || d->flow != BM_FLOW_NEXT || d->io != BM_IO_NONE);
                for (unsigned k = 0; k < d->n_operands; k++) {
                    switch (d->operands[k]) {
                    case BM_OPND_REG: in.operand[k] = pick(&s, p.registers); break;
                    case BM_OPND_IMM: in.operand[k] = rnd(&s) & mask(p.width); break;
                    case BM_OPND_SHAMT: in.operand[k] = pick(&s, p.width); break;
                    default: break;
                    }
                }
            } else if (pc + 1 < p.rom_depth) {
                in.opcode = (uint16_t)bm_isa_lookup(pick(&s, 3) ? "out" : "outn");
                in.operand[0] = pc - p.inputs - work;
                in.operand[1] = pick(&s, p.registers);
            } else {
                in.opcode = (uint16_t)bm_isa_lookup("j");
            }
            bm_opcode_set_add(&set, in.opcode);
            cr_assert_eq(bm_core_append_insn(core, &in), 0);
        }
        bm_core_set_opcodes(core, &set);
        /* inputs: the pending output of an earlier core, else external */
        for (unsigned i = 0; i < p.inputs; i++) {
            char sink[32], src[32];
            snprintf(sink, sizeof sink, "c%u.i%u", c, i);
            unsigned bond;
            if (pending >= 0) {
                cr_assert_eq(bm_machine_add_bond(m, &bond, pending_src, nowhere), 0);
                pending = -1;
            } else {
                snprintf(src, sizeof src, "x%u", next_port++);
                cr_assert_eq(bm_machine_add_input(m, src, width, nowhere), 0);
                cr_assert_eq(bm_machine_add_bond(m, &bond, src, nowhere), 0);
            }
            cr_assert_eq(bm_machine_bond_add_sink(m, bond, sink, nowhere), 0);
        }
        /* outputs: the last one may feed the next core, the others go out */
        for (unsigned q = 0; q < p.outputs; q++) {
            char src[32], sink[32];
            snprintf(src, sizeof src, "c%u.o%u", c, q);
            if (q + 1 == p.outputs && c + 1 < ncores) {
                snprintf(pending_src, sizeof pending_src, "%s", src);
                pending = (int)c;
                continue;
            }
            snprintf(sink, sizeof sink, "y%u", next_port++);
            cr_assert_eq(bm_machine_add_output(m, sink, width, nowhere), 0);
            unsigned bond;
            cr_assert_eq(bm_machine_add_bond(m, &bond, src, nowhere), 0);
            cr_assert_eq(bm_machine_bond_add_sink(m, bond, sink, nowhere), 0);
        }
    }
    int rc = bm_machine_validate(m);
    if (rc)
        print_diags(ctx);
    cr_assert_eq(rc, 0, "random stream machine %llu is invalid", (unsigned long long)seed);
    return m;
}

Test(verilog, lint_random_machines)
{
    require_tool("verilator");
    require_tool("iverilog");
    for (uint64_t seed = 1; seed <= 24; seed++) {
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        bm_machine *m = random_machine(ctx, seed);
        char label[32];
        snprintf(label, sizeof label, "rand%llu", (unsigned long long)seed);
        bm_verilog_options opt = BM_VERILOG_OPTIONS_INIT;
        opt.rom_style = seed % 2 ? BM_VERILOG_ROM_LOGIC : BM_VERILOG_ROM_BLOCK;
        lint(m, label, &opt);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
}

/* ---- synthesis ------------------------------------------------------------------------ */

/* yosys: synth with check -assert and no latch; returns the stat text. */
static void synth_clean(bm_machine *m, const char *label, const char *script_fmt)
{
    const char *top = top_name(m, NULL);
    const char *dir = write_to(m, label, NULL);
    char script[512];
    snprintf(script, sizeof script, script_fmt, top);
    int rc = sh("cd '%s' && yosys -q -l yosys.log -p '%s; check -assert; tee -q -o stat.txt stat' "
                "$(cat files.f) >/dev/null 2>&1",
                dir, script);
    char path[300];
    snprintf(path, sizeof path, "%s/yosys.log", dir);
    char *log = slurp(path, NULL);
    cr_expect_eq(rc, 0, "%s: yosys failed:\n%s", label, tail_of(log));
    free(log);
    snprintf(path, sizeof path, "%s/stat.txt", dir);
    char *stat = slurp(path, NULL);
    cr_assert_not_null(stat);
    cr_expect_null(strstr(stat, "LATCH"), "%s: a latch:\n%s", label, stat);
    cr_expect_null(strstr(stat, "latch"), "%s: a latch:\n%s", label, stat);
    cr_expect_null(strstr(stat, "DLATCH"), "%s: a latch:\n%s", label, stat);
    if (strstr(script_fmt, "ice40")) {
        /* only iCE40 cells: every generic cell was mapped */
        for (const char *p = stat; (p = strchr(p, '$')) != NULL; p++)
            cr_expect(0, "%s: unmapped cell near '%.40s'", label, p);
    }
    free(stat);
}

Test(verilog, yosys_synthesis_is_clean)
{
    require_tool("yosys");
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/acc8.xml");
    synth_clean(m, "acc8_synth", "synth -top %s");
    synth_clean(m, "acc8_ice40", "synth_ice40 -top %s");
    bm_machine_free(m);
    m = load_file(ctx, "examples/posted_pipeline.xml");
    synth_clean(m, "pipeline_ice40", "synth_ice40 -top %s");
    bm_machine_free(m);
    m = load_text(ctx, every_opcode_machine(5), "every5.xml");
    synth_clean(m, "every5_synth", "synth -top %s");
    bm_machine_free(m);
    m = load_file(ctx, "examples/multipliers.xml");
    synth_clean(m, "multipliers_ice40", "synth_ice40 -dsp -top %s");
    bm_machine_free(m);
    static const char *const muls[] = {"pipe", "serial"};
    for (unsigned v = 0; v < 2; v++) {
        char label[48];
        snprintf(label, sizeof label, "mul12%s.xml", muls[v]);
        m = load_text(ctx, multiplier_machine(12, muls[v]), label);
        snprintf(label, sizeof label, "mul12%s_synth", muls[v]);
        synth_clean(m, label, "synth -top %s");
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
}

/* A staged core whose program is `n` instructions: n - 2 distinct li, an
 * outn and the jump back (static buffer). */
static const char *staged_program_machine(unsigned n)
{
    static char buf[8192];
    size_t k = (size_t)snprintf(buf, sizeof buf,
                                "<machine format=\"1\" name=\"romstyle\">\n"
                                "<output name=\"y\" width=\"16\"/>\n"
                                "<core name=\"c\" width=\"16\" registers=\"1\" rom=\"%u\" "
                                "ram=\"0\" inputs=\"0\" outputs=\"1\" fetch=\"staged\">\n"
                                "<opcodes>li outn j</opcodes>\n<program>\n",
                                n);
    for (unsigned i = 0; i + 2 < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "<i>li r0, %u</i>\n", (i * 2654435761u) >> 16);
    snprintf(buf + k, sizeof buf - k,
             "<i>outn o0, r0</i>\n<i>j 0</i>\n</program>\n</core>\n"
             "<bond from=\"c.o0\" to=\"y\"/>\n</machine>\n");
    return buf;
}

/* Above 64 instructions the ROM memory asks for block RAM, which yosys's
 * xc7 flow would otherwise build from LUTs and MUXF7/8 (docs/verilog.md);
 * at 64 and below it does not ask. */
Test(verilog, long_programs_ask_for_block_ram)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    for (unsigned n = 64; n <= 65; n++) {
        bm_machine *m = load_text(ctx, staged_program_machine(n), "romstyle.xml");
        bm_verilog_files *fs;
        cr_assert_eq(bm_verilog_generate(&fs, m, NULL), 0);
        unsigned asks = 0;
        for (size_t i = 0; i < bm_verilog_files_count(fs); i++)
            for (const char *t = bm_verilog_file_text(fs, i, NULL);
                 (t = strstr(t, "(* rom_style = \"block\" *)")) != NULL; t++)
                asks++;
        cr_expect_eq(asks, n > 64, "%u instructions: %u requests for block RAM", n, asks);
        bm_verilog_files_free(fs);
        if (n > 64) {
            require_tool("yosys");
            synth_clean(m, "romstyle_xc7", "synth_xilinx -family xc7 -top %s");
            char path[300];
            snprintf(path, sizeof path, "%s/romstyle_xc7/stat.txt", tmp);
            char *stat = slurp(path, NULL);
            cr_assert_not_null(stat);
            cr_expect_not_null(strstr(stat, "RAMB18E1"), "no block RAM:\n%s", stat);
            cr_expect_null(strstr(stat, "MUXF7"), "a LUT ROM:\n%s", stat);
            free(stat);
        }
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
}

/* ---- behaviour (Verilator) ----------------------------------------------------------------- */

/* Builds the harness of a machine in tmp/label; returns the folder. */
static const char *build_harness(bm_machine *m, const char *label, bm_verilog_rom_style rom)
{
    require_tool("verilator");
    bm_verilog_options opt = BM_VERILOG_OPTIONS_INIT;
    opt.harness = 1;
    opt.rom_style = rom;
    const char *top = top_name(m, &opt);
    const char *dir = write_to(m, label, &opt);
    /* Verilator runs make: keep the variables of our own make (OPT, for one,
     * is also a Verilator make variable, and make sanitize sets it) away. */
    int rc = sh("cd '%s' && env -i PATH=\"$PATH\" HOME=\"$HOME\" "
                "verilator --cc --exe --build -Wall -f files.f --top-module %s "
                "tb_%s.cpp -o tb -CFLAGS -O0 -MAKEFLAGS OPT_FAST=-O0 >build.log 2>&1",
                dir, top, top);
    char path[300];
    snprintf(path, sizeof path, "%s/build.log", dir);
    char *log = slurp(path, NULL);
    cr_assert_eq(rc, 0, "%s: the Verilator harness does not build:\n%s", label, tail_of(log));
    free(log);
    return dir;
}

/* Runs the harness with a stimulus and options; returns its stdout. */
static char *run_harness(const char *dir, const char *stimulus, const char *args)
{
    char path[300];
    snprintf(path, sizeof path, "%s/stimulus.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(stimulus, f);
    fclose(f);
    int rc = sh("cd '%s' && obj_dir/tb %s stimulus.txt >run.out 2>run.err", dir, args);
    snprintf(path, sizeof path, "%s/run.err", dir);
    char *err = slurp(path, NULL);
    cr_assert_eq(rc, 0, "harness failed: %s", tail_of(err));
    free(err);
    snprintf(path, sizeof path, "%s/run.out", dir);
    char *out = slurp(path, NULL);
    cr_assert_not_null(out);
    return out;
}

static void expect_run(const char *dir, const char *stimulus, const char *args, const char *want)
{
    char *got = run_harness(dir, stimulus, args);
    cr_expect_str_eq(got, want, "stimulus:\n%s\nargs: %s", stimulus, args);
    free(got);
}

/* One input bonded to n cores that each pass it on (static buffer). */
static const char *fanout_machine(unsigned n)
{
    static char buf[1 << 20];
    size_t k = (size_t)snprintf(buf, sizeof buf,
                                "<machine format=\"1\" name=\"wide\">\n"
                                "<input name=\"x\" width=\"8\"/>\n");
    for (unsigned i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "<output name=\"y%u\" width=\"8\"/>\n", i);
    for (unsigned i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k,
                              "<core name=\"c%u\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" "
                              "inputs=\"1\" outputs=\"1\"><opcodes>in out j</opcodes><program>"
                              "<i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program></core>\n",
                              i);
    k += (size_t)snprintf(buf + k, sizeof buf - k, "<bond from=\"x\" to=\"");
    for (unsigned i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%sc%u.i0", i ? " " : "", i);
    k += (size_t)snprintf(buf + k, sizeof buf - k, "\"/>\n");
    for (unsigned i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "<bond from=\"c%u.o0\" to=\"y%u\"/>\n", i, i);
    snprintf(buf + k, sizeof buf - k, "</machine>\n");
    return buf;
}

static size_t top_size(bm_ctx *ctx, unsigned n)
{
    bm_machine *m = load_text(ctx, fanout_machine(n), "wide.xml");
    bm_verilog_files *fs;
    cr_assert_eq(bm_verilog_generate(&fs, m, NULL), 0);
    size_t len = 0;
    for (size_t i = 0; i < bm_verilog_files_count(fs); i++)
        if (strcmp(bm_verilog_file_name(fs, i), "wide.v") == 0)
            bm_verilog_file_text(fs, i, &len);
    bm_verilog_files_free(fs);
    bm_machine_free(m);
    return len;
}

/* A bond's text grows linearly with its sinks (issue 9: a 4,700-sink bond
 * made a 451 MB top module); a wide bond's Verilog is lint-clean and moves
 * every value to every sink, in Verilator as in the simulator. */
Test(verilog, wide_bonds_are_linear_and_correct)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    size_t small = top_size(ctx, 200), big = top_size(ctx, 2000);
    cr_expect_gt(small, 0);
    cr_expect_lt((double)big / (double)small, 12.0, "200 sinks: %zu bytes, 2000 sinks: %zu bytes",
                 small, big);
    bm_machine *m = load_text(ctx, fanout_machine(7), "wide7.xml");
    const char *dir = build_harness(m, "wide7", BM_VERILOG_ROM_AUTO);
    char want[512];
    size_t k = 0;
    for (unsigned v = 0; v < 2; v++)
        for (unsigned i = 0; i < 7; i++)
            k += (size_t)snprintf(want + k, sizeof want - k, "%u y%u %u\n", 1 + 3 * v, i, 5 + v);
    expect_run(dir, "x 5\nx 6\n", "--cycles 20", want);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(verilog, timing_accumulator)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/acc8.xml");
    const char *dir = build_harness(m, "acc8_run", BM_VERILOG_ROM_AUTO);
    /* in, add, out, j: four cycles a round, the sum out in the third */
    expect_run(dir, "a 1\na 2\na 3\na 250\n", "--cycles 30",
               "2 sum 1\n6 sum 3\n10 sum 6\n14 sum 0\n");
    /* sum ready only when cycle % 3 == 2: out waits, keeping its value */
    expect_run(dir, "a 1\na 2\na 3\n", "--cycles 30 --ready sum=001",
               "2 sum 1\n8 sum 3\n14 sum 6\n");
    /* no input: in waits with ready high, nothing comes out */
    expect_run(dir, "", "--cycles 30", "");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Runs examples/NAME.xml under Verilator with both ROM styles: the RTL
 * must print exactly the transfers worked out by hand in NAME.expected. */
static void expect_example_both_roms(const char *name, const char *stimulus, const char *args)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    char path[128], label[64];
    snprintf(path, sizeof path, "examples/%s.xml", name);
    bm_machine *m = load_file(ctx, path);
    snprintf(path, sizeof path, "examples/%s.expected", name);
    char *want = slurp(path, NULL);
    cr_assert_not_null(want);
    for (int rom = 0; rom < 2; rom++) {
        snprintf(label, sizeof label, "%s_%s", name, rom ? "block" : "logic");
        const char *dir = build_harness(m, label, rom ? BM_VERILOG_ROM_BLOCK : BM_VERILOG_ROM_LOGIC);
        expect_run(dir, stimulus, args, want);
    }
    free(want);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* The three multiplier variants side by side (examples/multipliers.s): the
 * RTL prints the transfers worked out by hand in multipliers.expected, with
 * both ROM styles. */
Test(verilog, timing_multiplier_variants)
{
    expect_example_both_roms("multipliers", "a 3\nb 5\na 200\nb 7\na 255\nb 255\n", "--cycles 60");
}

/* The two fetch kinds side by side (examples/fetch.s): the RTL prints the
 * transfers worked out by hand in fetch.expected (a staged core's refetch
 * cycle after each taken jump), with both ROM styles for the direct core. */
Test(verilog, timing_fetch_kinds)
{
    expect_example_both_roms("fetch", "a 7\nb 7\na 9\nb 9\n", "--cycles 40");
}

/* An output queue of 3 words beside the one-word holding register
 * (examples/queue.s): the RTL prints the transfers worked out by hand in
 * queue.expected, with both ROM styles. */
Test(verilog, timing_output_queue)
{
    expect_example_both_roms("queue", "a 10\nb 10\na 20\nb 20\n", "--cycles 40");
}

/* A chain of three cores, each forwarding what it takes to the next
 * (examples/forward.s): the RTL prints the transfers worked out by hand in
 * forward.expected, where a full forward keeps a core from taking, with
 * both ROM styles. */
Test(verilog, timing_forwarding)
{
    expect_example_both_roms("forward", "a 3\nb 5\na 9\nb 1\n", "--cycles 40");
}

Test(verilog, timing_pipeline_fanout_and_posted_output)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/posted_pipeline.xml");
    const char *dir = build_harness(m, "pipeline_run", BM_VERILOG_ROM_AUTO);
    expect_run(dir, "x 1\nx 2\nx 3\nx 4\n", "--cycles 40",
               "2 copy 2\n4 y 102\n6 copy 4\n8 y 104\n10 copy 6\n12 y 106\n14 copy 8\n"
               "16 y 108\n");
    /* copy ready in odd cycles: the fan-out bond waits for both sinks; y ready
     * when cycle % 4 == 3: outn parks its value and the core goes on */
    expect_run(dir, "x 1\nx 2\nx 3\nx 4\n", "--cycles 40 --ready y=0001 --ready copy=01",
               "3 copy 2\n7 y 102\n7 copy 4\n11 y 104\n11 copy 6\n15 y 106\n15 copy 8\n"
               "19 y 108\n");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(verilog, timing_load_takes_two_cycles)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/lookup.xml");
    for (int rom = 0; rom < 2; rom++) {
        const char *dir = build_harness(m, rom ? "lookup_block" : "lookup_logic",
                                        rom ? BM_VERILOG_ROM_BLOCK : BM_VERILOG_ROM_LOGIC);
        /* in (0), ld (1-2), out (3), j (4): five cycles a round; 9 is past the
         * table and reads 0 */
        expect_run(dir, "index 3\nindex 9\nindex 7\n", "--cycles 20",
                   "3 value 9\n8 value 0\n13 value 49\n");
    }
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* Control flow, stores, tries and halting, and what reset loads, five cores
 * side by side. */
static const char control_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<machine format=\"1\" name=\"control\">\n"
    "  <input name=\"n\" width=\"8\"/><input name=\"p\" width=\"8\"/>\n"
    "  <input name=\"addr\" width=\"8\"/><input name=\"data\" width=\"8\"/>\n"
    "  <output name=\"sum\" width=\"8\"/><output name=\"seen\" width=\"8\"/>\n"
    "  <output name=\"back\" width=\"8\"/><output name=\"first\" width=\"4\"/>\n"
    "  <output name=\"hop\" width=\"4\"/>\n"
    "  <core name=\"count\" width=\"8\" registers=\"2\" rom=\"8\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>li add dec j jz in out halt</opcodes>\n"
    "    <program><i>in r0, i0</i><i>li r1, 0</i><i>jz r0, 6</i><i>add r1, r0</i>\n"
    "      <i>dec r0</i><i>j 2</i><i>out o0, r1</i><i>halt</i></program>\n"
    "  </core>\n"
    "  <core name=\"poll\" width=\"8\" registers=\"1\" rom=\"5\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
    "    <opcodes>li jnz inn out halt</opcodes>\n"
    "    <program><i>li r0, 7</i><i>inn r0, i0</i><i>out o0, r0</i><i>jnz r0, 1</i>\n"
    "      <i>halt</i></program>\n"
    "  </core>\n"
    "  <core name=\"mem\" width=\"8\" registers=\"3\" rom=\"6\" ram=\"4\" inputs=\"2\" outputs=\"1\">\n"
    "    <opcodes>j in out ld st</opcodes>\n"
    "    <program><i>in r0, i0</i><i>in r1, i1</i><i>st r0, r1</i><i>ld r2, r0</i>\n"
    "      <i>out o0, r2</i><i>j 0</i></program>\n"
    "  </core>\n"
    "  <core name=\"first\" width=\"4\" registers=\"2\" rom=\"5\" ram=\"0\" inputs=\"0\" outputs=\"1\">\n"
    "    <opcodes>li inc j out</opcodes>\n"
    "    <program><i>out o0, r1</i><i>li r1, 9</i><i>out o0, r0</i><i>inc r0</i><i>j 0</i>\n"
    "    </program>\n"
    "  </core>\n"
    "  <core name=\"hop\" width=\"4\" registers=\"1\" rom=\"5\" ram=\"0\" inputs=\"0\" outputs=\"1\">\n"
    "    <opcodes>li j out halt</opcodes>\n"
    "    <program><i>j 2</i><i>halt</i><i>li r0, 4</i><i>out o0, r0</i><i>halt</i></program>\n"
    "  </core>\n"
    "  <bond from=\"first.o0\" to=\"first\"/><bond from=\"hop.o0\" to=\"hop\"/>\n"
    "  <bond from=\"n\" to=\"count.i0\"/><bond from=\"count.o0\" to=\"sum\"/>\n"
    "  <bond from=\"p\" to=\"poll.i0\"/><bond from=\"poll.o0\" to=\"seen\"/>\n"
    "  <bond from=\"addr\" to=\"mem.i0\"/><bond from=\"data\" to=\"mem.i1\"/>\n"
    "  <bond from=\"mem.o0\" to=\"back\"/>\n"
    "</machine>\n";

Test(verilog, timing_control_memory_and_halt)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx, control_xml, "control.xml");
    for (int rom = 0; rom < 2; rom++) {
        const char *dir = build_harness(m, rom ? "control_block" : "control_logic",
                                        rom ? BM_VERILOG_ROM_BLOCK : BM_VERILOG_ROM_LOGIC);
        /* count: in, li, then jz/add/dec/j per step, the taken jz, out: 3+2+1+...
         * = 6 at cycle 2 + 4*3 + 1 = 15, then halt.
         * poll: inn takes 5 in cycle 1, out 5 in 2, jnz back; inn takes 0 in 4,
         * out 0 in 5, jnz falls through to halt.
         * mem: st then ld of address 2 gives 9 out in cycle 5; address 6 is past
         * the 4-word RAM: the store does nothing and the load reads 0 (cycle 12).
         * first: the instruction reset loads reads r1 through a mux (0), then
         * r0 (0), r0 += 1, and round again: 9, 1, 9, 2 ...
         * hop: reset loads a jump, taken in cycle 0; 4 comes out in cycle 2.
         * Lines come cycle by cycle, outputs in declaration order within one. */
        expect_run(dir, "n 3\np 5\np 0\naddr 2\ndata 9\naddr 6\ndata 5\n", "--cycles 16",
                   "0 first 0\n2 seen 5\n2 first 0\n2 hop 4\n5 seen 0\n5 back 9\n5 first 9\n"
                   "7 first 1\n10 first 9\n12 back 0\n12 first 2\n15 sum 6\n15 first 9\n");
    }
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- ALU semantics against bm_alu_eval ---------------------------------------------------- */

/* One core per width: it reads a and b, then for each operation copies a
 * into r2, applies the operation with b (or an immediate) and sends r2 out. */
typedef struct alu_case {
    const char *text; /* the instruction; %llu is the immediate, if any */
    bm_alu_op op;
    int imm;          /* 0: uses b; 1: immediate K; 2: shift amount W-1 */
    int unary;
} alu_case;

static const alu_case alu_cases[] = {
    {"add r2, r1", BM_ALU_ADD, 0, 0},    {"sub r2, r1", BM_ALU_SUB, 0, 0},
    {"and r2, r1", BM_ALU_AND, 0, 0},    {"or r2, r1", BM_ALU_OR, 0, 0},
    {"xor r2, r1", BM_ALU_XOR, 0, 0},    {"shl r2, r1", BM_ALU_SHL, 0, 0},
    {"shr r2, r1", BM_ALU_SHR, 0, 0},    {"sar r2, r1", BM_ALU_SAR, 0, 0},
    {"mul r2, r1", BM_ALU_MUL, 0, 0},    {"eq r2, r1", BM_ALU_EQ, 0, 0},
    {"lt r2, r1", BM_ALU_LT, 0, 0},      {"ltu r2, r1", BM_ALU_LTU, 0, 0},
    {"not r2", BM_ALU_NOT, 0, 1},        {"inc r2", BM_ALU_INC, 0, 1},
    {"dec r2", BM_ALU_DEC, 0, 1},        {"addi r2, %llu", BM_ALU_ADD, 1, 0},
    {"muli r2, %llu", BM_ALU_MUL, 1, 0}, {"shli r2, %llu", BM_ALU_SHL, 2, 0},
    {"shri r2, %llu", BM_ALU_SHR, 2, 0}, {"sari r2, %llu", BM_ALU_SAR, 2, 0},
};
#define N_ALU_CASES (sizeof alu_cases / sizeof alu_cases[0])
static const unsigned alu_widths[] = {1, 5, 8, 33, 64};
#define N_ALU_WIDTHS (sizeof alu_widths / sizeof alu_widths[0])

static uint64_t alu_imm(const alu_case *c, unsigned w)
{
    return c->imm == 2 ? w - 1 : 0xA5A5A5A5A5A5A5A5ull & mask(w);
}

static char *alu_machine(void)
{
    size_t len = 0, cap = 4096;
    char *x = malloc(cap);
    cr_assert_not_null(x);
    append(&x, &len, &cap, "<?xml version=\"1.0\"?>\n<machine format=\"1\" name=\"alu\">\n");
    for (unsigned i = 0; i < N_ALU_WIDTHS; i++)
        append(&x, &len, &cap, "<input name=\"a%u\" width=\"%u\"/><input name=\"b%u\" width=\"%u\"/>\n",
               alu_widths[i], alu_widths[i], alu_widths[i], alu_widths[i]);
    for (unsigned i = 0; i < N_ALU_WIDTHS; i++)
        append(&x, &len, &cap, "<output name=\"r%u\" width=\"%u\"/>\n", alu_widths[i],
               alu_widths[i]);
    for (unsigned i = 0; i < N_ALU_WIDTHS; i++) {
        unsigned w = alu_widths[i];
        unsigned n = 3 + 3 * N_ALU_CASES;
        append(&x, &len, &cap,
               "<core name=\"w%u\" width=\"%u\" registers=\"3\" rom=\"%u\" ram=\"0\" inputs=\"2\" "
               "outputs=\"1\">\n<opcodes>mov add addi sub and or xor not shl shr sar shli shri "
               "sari inc dec mul muli eq lt ltu j in out</opcodes>\n<program>\n"
               "<i>in r0, i0</i><i>in r1, i1</i>\n",
               w, w, n);
        for (unsigned k = 0; k < N_ALU_CASES; k++) {
            append(&x, &len, &cap, "<i>mov r2, r0</i><i>");
            append(&x, &len, &cap, alu_cases[k].text, (unsigned long long)alu_imm(&alu_cases[k], w));
            append(&x, &len, &cap, "</i><i>out o0, r2</i>\n");
        }
        append(&x, &len, &cap, "<i>j 0</i>\n</program>\n</core>\n");
    }
    for (unsigned i = 0; i < N_ALU_WIDTHS; i++) {
        unsigned w = alu_widths[i];
        append(&x, &len, &cap,
               "<bond from=\"a%u\" to=\"w%u.i0\"/><bond from=\"b%u\" to=\"w%u.i1\"/>"
               "<bond from=\"w%u.o0\" to=\"r%u\"/>\n",
               w, w, w, w, w, w);
    }
    append(&x, &len, &cap, "</machine>\n");
    return x;
}

/* Operand values worth trying at width w: edges, shift amounts around w,
 * and a few pseudo-random words. */
static unsigned alu_operands(unsigned w, uint64_t *a, uint64_t *b, unsigned max)
{
    uint64_t m = mask(w), sign = 1ull << (w - 1);
    uint64_t vals[] = {0, 1, m, sign, sign - 1, w - 1, w, w + 1, 3, 0x123456789abcdefull};
    unsigned n = 0;
    uint64_t s = 0x2545F4914F6CDD1Dull ^ w;
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0] && n < max; i++)
        for (unsigned j = 0; j < sizeof vals / sizeof vals[0] && n < max; j += 3) {
            a[n] = vals[i] & m;
            b[n] = vals[(i + j) % (sizeof vals / sizeof vals[0])] & m;
            n++;
        }
    while (n < max) {
        a[n] = rnd(&s) & m;
        b[n] = (n % 3 ? rnd(&s) : rnd(&s) % (w + 2)) & m;
        n++;
    }
    return n;
}

static void check_alu(bm_verilog_rom_style rom, const char *label)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    char *xml = alu_machine();
    bm_machine *m = load_text(ctx, xml, "alu.xml");
    free(xml);
    const char *dir = build_harness(m, label, rom);
    enum { PAIRS = 40 };
    size_t slen = 0, scap = 4096, wlen = 0, wcap = 4096;
    char *stim = malloc(scap), *want = malloc(wcap);
    cr_assert(stim && want);
    stim[0] = want[0] = '\0';
    /* every core runs the same schedule: a round is 2 + 3 * cases + 1 cycles;
     * case k of pair p is out at p * round + 2 + 3 * k + 2 */
    unsigned round = 3 + 3 * N_ALU_CASES;
    uint64_t a[N_ALU_WIDTHS][PAIRS], b[N_ALU_WIDTHS][PAIRS];
    for (unsigned i = 0; i < N_ALU_WIDTHS; i++) {
        alu_operands(alu_widths[i], a[i], b[i], PAIRS);
        for (unsigned p = 0; p < PAIRS; p++)
            append(&stim, &slen, &scap, "a%u %llu\nb%u %llu\n", alu_widths[i],
                   (unsigned long long)a[i][p], alu_widths[i], (unsigned long long)b[i][p]);
    }
    for (unsigned p = 0; p < PAIRS; p++)
        for (unsigned k = 0; k < N_ALU_CASES; k++)
            for (unsigned i = 0; i < N_ALU_WIDTHS; i++) {
                unsigned w = alu_widths[i];
                const alu_case *c = &alu_cases[k];
                uint64_t bb = c->imm ? alu_imm(c, w) : b[i][p];
                uint64_t r = bm_alu_eval(c->op, a[i][p], bb, 0, w, 0);
                append(&want, &wlen, &wcap, "%u r%u %llu\n", p * round + 4 + 3 * k, w,
                       (unsigned long long)r);
            }
    char args[64];
    snprintf(args, sizeof args, "--cycles %u", PAIRS * round);
    expect_run(dir, stim, args, want);
    free(stim);
    free(want);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(verilog, alu_equals_reference_logic_rom)
{
    check_alu(BM_VERILOG_ROM_AUTO, "alu_logic"); /* 63 instructions: auto picks logic */
}

Test(verilog, alu_equals_reference_block_rom)
{
    check_alu(BM_VERILOG_ROM_BLOCK, "alu_block");
}

/* ---- output: determinism, gold files, folders ------------------------------------------- */

Test(verilog, same_input_same_bytes)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    for (uint64_t seed = 100; seed < 106; seed++) {
        bm_machine *m1 = random_machine(ctx, seed), *m2 = random_machine(ctx, seed);
        bm_verilog_options opt = BM_VERILOG_OPTIONS_INIT;
        opt.harness = opt.pin_wrapper = 1;
        bm_verilog_files *f1, *f2;
        cr_assert_eq(bm_verilog_generate(&f1, m1, &opt), 0);
        cr_assert_eq(bm_verilog_generate(&f2, m2, &opt), 0);
        cr_assert_eq(bm_verilog_files_count(f1), bm_verilog_files_count(f2));
        for (size_t i = 0; i < bm_verilog_files_count(f1); i++) {
            size_t l1, l2;
            const char *t1 = bm_verilog_file_text(f1, i, &l1), *t2 = bm_verilog_file_text(f2, i, &l2);
            cr_expect_str_eq(bm_verilog_file_name(f1, i), bm_verilog_file_name(f2, i));
            cr_expect(l1 == l2 && memcmp(t1, t2, l1) == 0, "%s differs",
                      bm_verilog_file_name(f1, i));
        }
        bm_verilog_files_free(f1);
        bm_verilog_files_free(f2);
        bm_machine_free(m1);
        bm_machine_free(m2);
    }
    bm_ctx_free(ctx);
}

/* Each folder tests/gold/NAME holds the output of examples/NAME.xml with the
 * default options; `make regold` rewrites them after an intended change. */
Test(verilog, gold_files)
{
    DIR *d = opendir("tests/gold");
    cr_assert_not_null(d, "tests/gold is missing (run the tests from the repository root)");
    struct dirent *ent;
    unsigned checked = 0;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char xml[300], gold[300];
        snprintf(xml, sizeof xml, "examples/%s.xml", ent->d_name);
        snprintf(gold, sizeof gold, "tests/gold/%s", ent->d_name);
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        bm_machine *m = load_file(ctx, xml);
        bm_verilog_files *fs;
        cr_assert_eq(bm_verilog_generate(&fs, m, NULL), 0);
        size_t n = bm_verilog_files_count(fs);
        for (size_t i = 0; i < n; i++) {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", gold, bm_verilog_file_name(fs, i));
            size_t want_len, got_len;
            char *want = slurp(path, &want_len);
            const char *got = bm_verilog_file_text(fs, i, &got_len);
            cr_expect_not_null(want, "%s is missing: run 'make regold' if the change is meant", path);
            if (want)
                cr_expect(want_len == got_len && memcmp(want, got, got_len) == 0,
                          "%s changed: run 'make regold' if the change is meant", path);
            free(want);
        }
        /* and no file in the gold folder that the generator no longer writes */
        DIR *g = opendir(gold);
        cr_assert_not_null(g);
        struct dirent *ge;
        size_t files = 0;
        while ((ge = readdir(g)) != NULL)
            files += ge->d_name[0] != '.';
        closedir(g);
        cr_expect_eq(files, n, "%s holds %zu files, the generator writes %zu", gold, files, n);
        bm_verilog_files_free(fs);
        bm_machine_free(m);
        bm_ctx_free(ctx);
        checked++;
    }
    closedir(d);
    cr_expect_geq(checked, 1);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries of tmp whose name starts with prefix. */
static unsigned count_entries(const char *prefix)
{
    DIR *d = opendir(tmp);
    cr_assert_not_null(d);
    unsigned n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL)
        n += strncmp(ent->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

Test(verilog, folder_output_is_all_or_nothing)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/acc8.xml");
    char dir[200], path[300];

    /* a new folder, then the same folder again: replaced, nothing left over */
    snprintf(dir, sizeof dir, "%s/out", tmp);
    cr_assert_eq(bm_verilog_write_dir(m, dir, NULL), 0);
    snprintf(path, sizeof path, "%s/acc8.v", dir);
    cr_expect(exists(path));
    snprintf(path, sizeof path, "%s/stale.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(bm_verilog_write_dir(m, dir, NULL), 0);
    cr_expect(exists(path), "a file the MANIFEST does not list is the user's: it stays");
    cr_expect_eq(count_entries("out"), 1);
    cr_expect_eq(count_entries(".out"), 0, "temporary folders are left behind");

    /* a folder that is not ours is refused and left untouched */
    snprintf(dir, sizeof dir, "%s/mine", tmp);
    cr_assert_eq(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("keep me", f);
    fclose(f);
    cr_expect_eq(bm_verilog_write_dir(m, dir, NULL), BM_EEXISTS);
    cr_expect_gt(bm_ctx_error_count(ctx), 0);
    char *kept = slurp(path, NULL);
    cr_expect_str_eq(kept ? kept : "", "keep me");
    free(kept);
    snprintf(path, sizeof path, "%s/acc8.v", dir);
    cr_expect(!exists(path));
    cr_expect_eq(count_entries("mine"), 1);

    /* an empty folder is fine; a file is not */
    snprintf(dir, sizeof dir, "%s/empty", tmp);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_expect_eq(bm_verilog_write_dir(m, dir, NULL), 0);
    snprintf(dir, sizeof dir, "%s/mine/notes.txt", tmp);
    cr_expect_eq(bm_verilog_write_dir(m, dir, NULL), BM_EEXISTS);

    /* a folder whose parent is missing: an error and nothing written */
    snprintf(dir, sizeof dir, "%s/no/such/place", tmp);
    bm_ctx_clear_diags(ctx);
    cr_expect_eq(bm_verilog_write_dir(m, dir, NULL), BM_EIO);
    cr_expect_gt(bm_ctx_error_count(ctx), 0);
    cr_expect(!exists(dir));
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* An allocator that fails every allocation once armed with a countdown. */
typedef struct failing {
    long countdown; /* allocations left before failing; < 0: never fail */
    long failures;
} failing;

static void *f_malloc(void *u, size_t n)
{
    failing *f = u;
    if (f->countdown >= 0 && f->countdown-- == 0) {
        f->failures++;
        return NULL;
    }
    return malloc(n);
}

static void *f_realloc(void *u, void *p, size_t n)
{
    failing *f = u;
    if (f->countdown >= 0 && f->countdown-- == 0) {
        f->failures++;
        return NULL;
    }
    return realloc(p, n);
}

static void f_free(void *u, void *p)
{
    (void)u;
    free(p);
}

/* Running out of memory at any point gives BM_ENOMEM and no folder. */
Test(verilog, out_of_memory_leaves_nothing)
{
    failing fail = {-1, 0};
    bm_allocator a = {f_malloc, f_realloc, f_free, &fail};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &a), 0);
    bm_machine *m = load_file(ctx, "examples/posted_pipeline.xml");
    char dir[200];
    snprintf(dir, sizeof dir, "%s/oom", tmp);
    int rc = -1;
    for (long n = 0; rc != 0; n++) {
        fail.countdown = n;
        fail.failures = 0;
        rc = bm_verilog_write_dir(m, dir, NULL);
        fail.countdown = -1;
        if (rc != 0) {
            cr_assert_eq(rc, BM_ENOMEM, "allocation %ld: %s", n, bm_strerror(rc));
            cr_assert(!exists(dir), "allocation %ld failed but %s exists", n, dir);
            cr_assert_eq(count_entries("oom"), 0, "allocation %ld left a temporary folder", n);
        } else {
            cr_expect_eq(fail.failures, 0);
        }
        bm_ctx_clear_diags(ctx);
        cr_assert_lt(n, 100000);
    }
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(verilog, api_rejects_bad_requests)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_file(ctx, "examples/acc8.xml");
    bm_verilog_files *fs = (bm_verilog_files *)&fs;
    bm_verilog_options opt = BM_VERILOG_OPTIONS_INIT;
    opt.version = 99;
    cr_expect_eq(bm_verilog_generate(&fs, m, &opt), BM_EINVAL);
    cr_expect_null(fs);
    opt = (bm_verilog_options)BM_VERILOG_OPTIONS_INIT;
    opt.top_name = "2bad";
    cr_expect_eq(bm_verilog_generate(&fs, m, &opt), BM_EINVAL);
    cr_expect_gt(bm_ctx_error_count(ctx), 0);
    opt.top_name = "my_top";
    cr_assert_eq(bm_verilog_generate(&fs, m, &opt), 0);
    cr_expect_str_eq(bm_verilog_files_top(fs), "my_top");
    cr_expect_str_eq(bm_verilog_file_name(fs, 0), "my_top_acc.v");
    cr_expect_null(bm_verilog_file_name(fs, bm_verilog_files_count(fs)));
    bm_verilog_files_free(fs);
    /* a machine changed after validation is refused */
    bm_machine_set_name(m, "changed");
    cr_expect_eq(bm_verilog_generate(&fs, m, NULL), BM_EINVAL);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- bmc verilog -------------------------------------------------------------------------- */

static const char *bmc(void)
{
    const char *p = getenv("BMC");
    cr_assert_not_null(p, "set BMC to the path of bmc (make test does)");
    return p;
}

Test(verilog, bmc_verilog_command)
{
    const char *b = bmc();
    cr_expect_eq(sh("'%s' verilog examples/acc8.xml -o '%s/o1' --harness --pin-wrapper "
                    ">/dev/null 2>&1",
                    b, tmp),
                 0);
    char path[300];
    static const char *const want[] = {"acc8_acc.v", "acc8.v", "acc8_pins.v", "tb_acc8.cpp",
                                       "files.f", "MANIFEST"};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf(path, sizeof path, "%s/o1/%s", tmp, want[i]);
        cr_expect(exists(path), "%s is missing", path);
    }
    snprintf(path, sizeof path, "%s/o1/files.f", tmp);
    char *list = slurp(path, NULL);
    cr_expect_str_eq(list ? list : "", "acc8_acc.v\nacc8.v\n");
    free(list);
    /* usage errors: 2; bad input: 1 and no folder */
    cr_expect_eq(sh("'%s' verilog examples/acc8.xml >/dev/null 2>&1", b), 2);
    cr_expect_eq(sh("'%s' verilog --rom nope examples/acc8.xml -o '%s/x' >/dev/null 2>&1", b, tmp), 2);
    cr_expect_eq(sh("'%s' verilog -o '%s/x' >/dev/null 2>&1", b, tmp), 2);
    snprintf(path, sizeof path, "%s/bad.xml", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("<machine format=\"1\" name=\"bad\"><core/></machine>\n", f);
    fclose(f);
    cr_expect_eq(sh("'%s' verilog '%s' -o '%s/o2' >/dev/null 2>&1", b, path, tmp), 1);
    snprintf(path, sizeof path, "%s/o2", tmp);
    cr_expect(!exists(path));
    cr_expect_eq(sh("'%s' verilog examples/no_such.xml -o '%s/o3' >/dev/null 2>&1", b, tmp), 1);
    /* byte-identical output for identical input */
    cr_expect_eq(sh("'%s' verilog examples/posted_pipeline.xml -o '%s/p1' && "
                    "'%s' verilog examples/posted_pipeline.xml -o '%s/p2' && diff -r '%s/p1' '%s/p2'",
                    b, tmp, b, tmp, tmp, tmp),
                 0);
}

Test(verilog, identical_cores_share_a_module)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<machine format=\"1\" name=\"twins\">\n"
        "  <input name=\"x\" width=\"8\"/><output name=\"y\" width=\"8\"/>\n"
        "  <core name=\"a\" width=\"8\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
        "    <opcodes>inc j in out</opcodes>\n"
        "    <program><i>in r0, i0</i><i>inc r0</i><i>out o0, r0</i><i>j 0</i></program>\n"
        "  </core>\n"
        "  <core name=\"b\" width=\"8\" registers=\"1\" rom=\"4\" ram=\"0\" inputs=\"1\" outputs=\"1\">\n"
        "    <opcodes>inc j in out</opcodes>\n"
        "    <program><i>in r0, i0</i><i>inc r0</i><i>out o0, r0</i><i>j 0</i></program>\n"
        "  </core>\n"
        "  <bond from=\"x\" to=\"a.i0\"/><bond from=\"a.o0\" to=\"b.i0\"/>\n"
        "  <bond from=\"b.o0\" to=\"y\"/>\n"
        "</machine>\n";
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx, xml, "twins.xml");
    bm_verilog_files *fs;
    cr_assert_eq(bm_verilog_generate(&fs, m, NULL), 0);
    cr_assert_eq(bm_verilog_files_count(fs), 4);
    cr_expect_str_eq(bm_verilog_file_name(fs, 0), "twins_a.v");
    cr_expect_str_eq(bm_verilog_file_name(fs, 1), "twins.v");
    const char *top = bm_verilog_file_text(fs, 1, NULL);
    cr_expect_not_null(strstr(top, "twins_a a ("));
    cr_expect_not_null(strstr(top, "twins_a b ("));
    cr_expect_not_null(strstr(bm_verilog_file_text(fs, 0, NULL), "cores 'a', 'b'"));
    bm_verilog_files_free(fs);
    const char *dir = build_harness(m, "twins_run", BM_VERILOG_ROM_AUTO);
    /* a: in 0, inc 1, out 2; b takes it in 2, inc 3, out 4 */
    expect_run(dir, "x 1\nx 5\n", "--cycles 12", "4 y 3\n8 y 7\n");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* A posted output parks its value; an out behind it waits while the holding
 * register is full at the start of a cycle, even in the cycle it drains. */
static const char posted_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<machine format=\"1\" name=\"posted\">\n"
    "  <output name=\"y\" width=\"8\"/>\n"
    "  <core name=\"c\" width=\"8\" registers=\"2\" rom=\"6\" ram=\"0\" inputs=\"0\" outputs=\"1\">\n"
    "    <opcodes>li inc j out outn</opcodes>\n"
    "    <program><i>li r0, 1</i><i>li r1, 2</i><i>outn o0, r0</i><i>out o0, r1</i><i>inc r0</i>\n"
    "      <i>j 2</i></program>\n"
    "  </core>\n"
    "  <bond from=\"c.o0\" to=\"y\"/>\n"
    "</machine>\n";

Test(verilog, timing_posted_output_and_holding_register)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m = load_text(ctx, posted_xml, "posted.xml");
    for (int rom = 0; rom < 2; rom++) {
        const char *dir = build_harness(m, rom ? "posted_block" : "posted_logic",
                                        rom ? BM_VERILOG_ROM_BLOCK : BM_VERILOG_ROM_LOGIC);
        /* y ready when cycle % 4 == 3.  outn parks 1 in cycle 2; out waits in
         * 3 (the register drains: "3 y 1"), drives from 4, taken in 7; inc,
         * j; outn parks 2 in 10, drained in 11; out's 2 taken in 15; ... */
        expect_run(dir, "", "--cycles 20 --ready y=0001",
                   "3 y 1\n7 y 2\n11 y 2\n15 y 2\n19 y 3\n");
        /* always ready: outn transfers at once and nothing waits */
        expect_run(dir, "", "--cycles 9", "2 y 1\n3 y 2\n6 y 2\n7 y 2\n");
    }
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* The two ROM styles are two implementations of the same contract: on random
 * pipelines and random stimulus they must print the same transfers. */
Test(verilog, rom_styles_agree_on_random_machines)
{
    unsigned with_output = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        bm_ctx *ctx;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        bm_machine *m = random_stream_machine(ctx, seed);
        size_t len = 0, cap = 1024;
        char *stim = malloc(cap);
        cr_assert_not_null(stim);
        stim[0] = '\0';
        uint64_t s = seed;
        for (unsigned i = 0; i < bm_machine_input_count(m); i++)
            for (unsigned k = 0; k < 30; k++)
                append(&stim, &len, &cap, "%s %llu\n", bm_machine_input_name(m, i),
                       (unsigned long long)(rnd(&s) & mask(bm_machine_input_width(m, i))));
        char label[2][32];
        char *out[2];
        for (int rom = 0; rom < 2; rom++) {
            snprintf(label[rom], sizeof label[rom], "stream%llu_%s", (unsigned long long)seed,
                     rom ? "block" : "logic");
            const char *dir = build_harness(m, label[rom],
                                            rom ? BM_VERILOG_ROM_BLOCK : BM_VERILOG_ROM_LOGIC);
            /* with back-pressure on the first output */
            char args[128];
            snprintf(args, sizeof args, "--cycles 300 --ready %s=1101",
                     bm_machine_output_name(m, 0));
            out[rom] = run_harness(dir, stim, args);
        }
        cr_expect_str_eq(out[0], out[1], "seed %llu: the ROM styles disagree",
                         (unsigned long long)seed);
        with_output += out[0][0] != '\0';
        free(out[0]);
        free(out[1]);
        free(stim);
        bm_machine_free(m);
        bm_ctx_free(ctx);
    }
    cr_expect_eq(with_output, 3, "a random pipeline printed nothing");
}
