/* The machine XML: canonical round trips of every example, canonical bytes,
 * atomic writes, and the exact diagnostics of every file in tests/data/bad/
 * (each X.xml there has X.expect beside it: one formatted diagnostic a
 * line).  Run from the repository root. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bm.h"
#include "helpers.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The name of the root element, skipping the XML declaration, comments and
 * processing instructions; "" if there is none. */
static void root_name(const char *text, char *name, size_t size)
{
    const char *p = text;
    name[0] = '\0';
    while ((p = strchr(p, '<')) != NULL) {
        if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p, "-->");
            if (!e)
                return;
            p = e + 3;
        } else if (p[1] == '?' || p[1] == '!') {
            p++;
        } else {
            size_t n = strcspn(p + 1, " \t\r\n/>");
            if (n >= size)
                n = size - 1;
            memcpy(name, p + 1, n);
            name[n] = '\0';
            return;
        }
    }
}

/* The text without its comments (and the newline after each), which is
 * what `bmc fmt` would give for a canonical file. */
static char *strip_comments(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    cr_assert_not_null(out);
    const char *p = text;
    while (*p) {
        if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p, "-->");
            cr_assert_not_null(e, "unterminated comment");
            p = e + 3;
            if (*p == '\n')
                p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* read -> write, from memory; returns the canonical text (malloc'd). */
static char *canonical(const char *text, const char *name, size_t *warnings)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m;
    int rc = bm_machine_read_memory(&m, ctx, text, strlen(text), name);
    char *diags = all_diags(ctx);
    cr_assert_eq(rc, BM_OK, "%s does not load:\n%s", name, diags);
    free(diags);
    if (warnings)
        *warnings = bm_ctx_warning_count(ctx);
    char *out, *copy;
    size_t len;
    cr_assert_eq(bm_machine_write_memory(m, &out, &len), BM_OK);
    cr_assert_eq(strlen(out), len);
    copy = strdup(out);
    bm_xml_buffer_free(ctx, out);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return copy;
}

Test(xml, every_example_round_trips_and_is_canonical)
{
    DIR *dir = opendir("examples");
    cr_assert_not_null(dir, "run the tests from the repository root");
    unsigned machines = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!has_suffix(e->d_name, ".xml"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "examples/%s", e->d_name);
        char *text = slurp(path, NULL);
        cr_assert_not_null(text, "cannot read %s", path);
        char root[64];
        root_name(text, root, sizeof root);
        if (strcmp(root, "machine") != 0) {
            free(text);
            continue;
        }
        machines++;
        size_t warnings;
        char *once = canonical(text, path, &warnings);
        char *twice = canonical(once, path, NULL);
        cr_expect_str_eq(twice, once, "%s: write -> read -> write changed the bytes", path);
        cr_expect_eq(warnings, 0, "%s has warnings", path);
        char *bare = strip_comments(text);
        cr_expect_str_eq(bare, once, "%s is not in canonical form (compare bmc fmt)", path);
        free(bare);
        free(once);
        free(twice);
        free(text);
    }
    closedir(dir);
    cr_expect_geq(machines, 5, "only %u example machines", machines);
}

/* A machine built through the API, with opcodes added out of order, a
 * negative immediate, a fan-out bond and nine RAM words (lines of 8). */
Test(xml, canonical_bytes_of_a_known_machine)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m;
    cr_assert_eq(bm_machine_new(&m, ctx, "known"), BM_OK);
    bm_loc nowhere = {NULL, 0, 0};
    cr_assert_eq(bm_machine_add_input(m, "x", 12, nowhere), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "y", 12, nowhere), BM_OK);
    cr_assert_eq(bm_machine_add_output(m, "z", 12, nowhere), BM_OK);
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = 12;
    p.registers = 2;
    p.rom_depth = 8;
    p.ram_depth = 16;
    p.inputs = 1;
    p.outputs = 1;
    bm_core *c;
    cr_assert_eq(bm_machine_add_core(m, &c, "k", &p, nowhere), BM_OK);
    static const char *const ops[] = {"out", "ld", "in", "addi", "j"};
    for (unsigned i = 0; i < 5; i++)
        cr_assert_eq(bm_core_add_opcode(c, ops[i], nowhere), BM_OK);
    static const char *const prog[] = {"in r0, i0", "addi r0, -1", "ld r1, r0", "out o0, r1",
                                       "j 0x0"};
    for (unsigned i = 0; i < 5; i++) {
        bm_insn insn;
        cr_assert_eq(bm_insn_parse(ctx, prog[i], 12, nowhere, &insn), BM_OK);
        cr_assert_eq(bm_core_append_insn(c, &insn), BM_OK);
    }
    const uint64_t words[] = {1, 2, 3, 4, 5, 6, 7, 8, 0xfff};
    cr_assert_eq(bm_core_set_ram_init(c, words, 9, nowhere), BM_OK);
    unsigned b;
    cr_assert_eq(bm_machine_add_bond(m, &b, "x", nowhere), BM_OK);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "k.i0", nowhere), BM_OK);
    cr_assert_eq(bm_machine_add_bond(m, &b, "k.o0", nowhere), BM_OK);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "y", nowhere), BM_OK);
    cr_assert_eq(bm_machine_bond_add_sink(m, b, "z", nowhere), BM_OK);

    char *out;
    size_t len;
    cr_expect_eq(bm_machine_write_memory(m, &out, &len), BM_EINVAL, "wrote an unvalidated machine");
    cr_assert_eq(bm_machine_validate(m), BM_OK, "%s", all_diags(ctx));
    cr_assert_eq(bm_machine_write_memory(m, &out, &len), BM_OK);
    cr_expect_str_eq(out,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<machine format=\"1\" name=\"known\">\n"
                     "  <input name=\"x\" width=\"12\"/>\n"
                     "  <output name=\"y\" width=\"12\"/>\n"
                     "  <output name=\"z\" width=\"12\"/>\n"
                     "  <core name=\"k\" width=\"12\" registers=\"2\" rom=\"8\" ram=\"16\" "
                     "inputs=\"1\" outputs=\"1\">\n"
                     "    <opcodes>addi j in out ld</opcodes>\n"
                     "    <program>\n"
                     "      <i>in r0, i0</i>\n"
                     "      <i>addi r0, 4095</i>\n"
                     "      <i>ld r1, r0</i>\n"
                     "      <i>out o0, r1</i>\n"
                     "      <i>j 0</i>\n"
                     "    </program>\n"
                     "    <ram-init>\n"
                     "      1 2 3 4 5 6 7 8\n"
                     "      4095\n"
                     "    </ram-init>\n"
                     "  </core>\n"
                     "  <bond from=\"x\" to=\"k.i0\"/>\n"
                     "  <bond from=\"k.o0\" to=\"y z\"/>\n"
                     "</machine>\n");
    cr_expect_eq(len, strlen(out));

    /* The stream writer gives the same bytes. */
    char *streamed = NULL;
    size_t slen = 0;
    FILE *f = open_memstream(&streamed, &slen);
    cr_assert_not_null(f);
    cr_expect_eq(bm_machine_write_stream(m, f), BM_OK);
    fclose(f);
    cr_expect_str_eq(streamed, out);
    free(streamed);

    bm_xml_buffer_free(ctx, out);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(xml, non_canonical_input_is_normalised)
{
    const char *text = "<machine name = 'n'   format='1'><core name=' c ' outputs='1' "
                       "width='+8' registers='001' rom='2' ram='3' inputs='0'><opcodes> halt "
                       "ld\n</opcodes><program><i>\tld r0 ,r0 </i><i>halt</i></program>"
                       "<ram-init>010 0x10</ram-init></core><core name='d' width='8' registers='1' "
                       "rom='1' ram='0' inputs='1' outputs='0'><opcodes>halt</opcodes><program>"
                       "<i>halt</i></program></core><bond from='c.o0' to=' d.i00 '/></machine>";
    size_t warnings;
    char *out = canonical(text, "n.xml", &warnings);
    cr_expect_str_eq(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<machine format=\"1\" name=\"n\">\n"
                          "  <core name=\"c\" width=\"8\" registers=\"1\" rom=\"2\" ram=\"3\" "
                          "inputs=\"0\" outputs=\"1\">\n"
                          "    <opcodes>ld halt</opcodes>\n"
                          "    <program>\n"
                          "      <i>ld r0, r0</i>\n"
                          "      <i>halt</i>\n"
                          "    </program>\n"
                          "    <ram-init>\n"
                          "      10 16\n"
                          "    </ram-init>\n"
                          "  </core>\n"
                          "  <core name=\"d\" width=\"8\" registers=\"1\" rom=\"1\" ram=\"0\" "
                          "inputs=\"1\" outputs=\"0\">\n"
                          "    <opcodes>halt</opcodes>\n"
                          "    <program>\n"
                          "      <i>halt</i>\n"
                          "    </program>\n"
                          "  </core>\n"
                          "  <bond from=\"c.o0\" to=\"d.i0\"/>\n"
                          "</machine>\n");
    cr_expect_eq(warnings, 0);
    free(out);
}

/* ---- writing files --------------------------------------------------------- */

static bm_machine *load_acc8(bm_ctx **ctx)
{
    cr_assert_eq(bm_ctx_new(ctx, NULL), BM_OK);
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, *ctx, "examples/acc8.xml"), BM_OK);
    return m;
}

static unsigned count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void make_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/bm_test_xml_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

Test(xml, write_file_replaces_the_file)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.xml", dir);
    spit(path, "old contents\n");
    bm_ctx *ctx;
    bm_machine *m = load_acc8(&ctx);
    cr_assert_eq(bm_machine_write_file(m, path), BM_OK);
    char *want;
    size_t len;
    cr_assert_eq(bm_machine_write_memory(m, &want, &len), BM_OK);
    char *got = slurp(path, NULL);
    cr_expect_str_eq(got, want);
    cr_expect_eq(count_entries(dir), 1, "a temporary file was left behind");
    free(got);
    bm_xml_buffer_free(ctx, want);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    remove_tree(dir);
}

/* The file size limit makes the write itself fail half way (as a full disk
 * would); the old file must be untouched and no temporary left. */
Test(xml, failing_write_leaves_the_old_file_intact)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.xml", dir);
    spit(path, "old contents\n");
    bm_ctx *ctx;
    bm_machine *m = load_acc8(&ctx);

    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {64, 64}; /* the canonical acc8 is ~500 bytes */
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = bm_machine_write_file(m, path);
    cr_expect_eq(rc, BM_EIO);

    char *got = slurp(path, NULL);
    cr_expect_str_eq(got, "old contents\n");
    cr_expect_eq(count_entries(dir), 1, "a temporary file was left behind");
    cr_expect_eq(bm_ctx_error_count(ctx), 1);
    char want[256];
    snprintf(want, sizeof want, "%s: error: cannot write: File too large\n", path);
    assert_diags(ctx, want);
    free(got);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    remove_tree(dir);
}

Test(xml, write_into_a_missing_folder_fails_cleanly)
{
    bm_ctx *ctx;
    bm_machine *m = load_acc8(&ctx);
    cr_expect_eq(bm_machine_write_file(m, "/nonexistent-bm-dir/out.xml"), BM_EIO);
    assert_diags(ctx, "/nonexistent-bm-dir/out.xml: error: cannot write: its folder does not "
                      "exist\n");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- bad input ---------------------------------------------------------------- */

static void check_bad_file(const char *xml_path, const char *expect_path)
{
    char *want = slurp(expect_path, NULL);
    cr_assert_not_null(want, "%s has no %s", xml_path, expect_path);
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m = (bm_machine *)ctx; /* must be reset to NULL */
    int rc = bm_machine_read_file(&m, ctx, xml_path);
    cr_expect_lt(rc, 0, "%s was accepted", xml_path);
    cr_expect_null(m, "%s: *out not NULL on failure", xml_path);
    cr_expect_geq(bm_ctx_error_count(ctx), 1, "%s: failed without an error", xml_path);
    char *got = all_diags(ctx);
    cr_expect_str_eq(got, want, "%s: diagnostics differ\n--- got\n%s--- want (%s)\n%s", xml_path,
                     got, expect_path, want);
    free(got);
    free(want);
    bm_ctx_free(ctx);
}

Test(xml, every_bad_file_gives_its_exact_diagnostics)
{
    const char *folder = "tests/data/bad";
    DIR *dir = opendir(folder);
    cr_assert_not_null(dir, "run the tests from the repository root");
    unsigned files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!has_suffix(e->d_name, ".xml"))
            continue;
        char xml_path[512], expect_path[512];
        snprintf(xml_path, sizeof xml_path, "%s/%s", folder, e->d_name);
        snprintf(expect_path, sizeof expect_path, "%s/%.*s.expect", folder,
                 (int)(strlen(e->d_name) - 4), e->d_name);
        check_bad_file(xml_path, expect_path);
        files++;
    }
    closedir(dir);
    cr_expect_geq(files, 12, "only %u bad files", files);
}

Test(xml, missing_file)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m;
    cr_expect_eq(bm_machine_read_file(&m, ctx, "tests/data/bad/no-such-file.xml"), BM_EIO);
    cr_expect_null(m);
    assert_diags(ctx, "tests/data/bad/no-such-file.xml: error: cannot open: No such file or "
                      "directory\n");
    bm_ctx_free(ctx);
}

Test(xml, memory_input_names_and_edge_cases)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m;
    cr_expect_eq(bm_machine_read_memory(&m, ctx, NULL, 0, NULL), BM_EPARSE);
    cr_expect_eq(bm_machine_read_memory(&m, ctx, "<machine", 8, NULL), BM_EPARSE);
    cr_expect_eq(bm_machine_read_memory(&m, ctx, NULL, 3, "x"), BM_EINVAL);
    cr_expect_eq(bm_machine_read_memory(NULL, ctx, "", 0, "x"), BM_EINVAL);
    assert_diags(ctx, "<memory>:1:1: error: malformed XML: the file is empty\n"
                      "<memory>:1:9: error: malformed XML: Couldn't find end of Start Tag "
                      "machine line 1\n");
    bm_ctx_free(ctx);
}

/* Unconnected ports load (with warnings), so a half-built machine can be
 * inspected. */
Test(xml, warnings_do_not_fail_a_load)
{
    const char *text = "<machine format=\"1\" name=\"w\">\n"
                       "  <input name=\"x\" width=\"8\"/>\n"
                       "  <core name=\"c\" width=\"8\" registers=\"1\" rom=\"1\" ram=\"0\" "
                       "inputs=\"1\" outputs=\"0\">\n"
                       "    <opcodes>halt</opcodes>\n"
                       "    <program><i>halt</i></program>\n"
                       "  </core>\n"
                       "</machine>\n";
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), BM_OK);
    bm_machine *m;
    cr_expect_eq(bm_machine_read_memory(&m, ctx, text, strlen(text), "w.xml"), BM_OK);
    assert_diags(ctx, "w.xml:3:3: warning: core 'c': input port i0 is not connected\n"
                      "w.xml:2:3: warning: external input 'x' is not connected\n");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

Test(xml, schema_is_compiled_in)
{
    const char *s = bm_machine_schema();
    cr_assert_not_null(s);
    cr_expect_not_null(strstr(s, "<element name=\"machine\">"));
    char *file = slurp("arch/schema/machine.rng", NULL);
    cr_assert_not_null(file);
    cr_expect_str_eq(s, file);
    free(file);
}
