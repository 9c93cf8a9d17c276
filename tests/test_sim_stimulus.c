/* Stimulus and ready-pattern text: values, ranges, appends, comments, and
 * file:line:col errors that leave the simulator untouched. */
#include "sim_helpers.h"

static const char machine[] =
    "<machine format=\"1\" name=\"st\">\n"
    "<input name=\"a\" width=\"8\"/><input name=\"b\" width=\"1\"/>"
    "<input name=\"wide\" width=\"64\"/>"
    "<output name=\"y\" width=\"8\"/>\n"
    "<core name=\"c\" width=\"8\" registers=\"1\" rom=\"3\" ram=\"0\" inputs=\"1\" outputs=\"1\">"
    "<opcodes>j in out</opcodes><program>"
    "<i>in r0, i0</i><i>out o0, r0</i><i>j 0</i></program></core>\n"
    "<bond from=\"a\" to=\"c.i0\"/><bond from=\"c.o0\" to=\"y\"/>\n"
    "</machine>\n";

typedef struct fx {
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim;
} fx;

static fx setup(void)
{
    fx f;
    cr_assert_eq(bm_ctx_new(&f.ctx, NULL), 0);
    f.m = simt_xml(f.ctx, machine);
    bm_ctx_clear_diags(f.ctx); /* warnings: unconnected inputs b and wide */
    f.sim = simt_sim(f.m);
    return f;
}

static void teardown(fx *f)
{
    bm_sim_free(f->sim);
    bm_machine_free(f->m);
    bm_ctx_free(f->ctx);
}

static int load(fx *f, const char *text)
{
    return bm_sim_load_stimulus(f->sim, text, strlen(text), "stim.txt");
}

/* The values queued on input 0 (a), by running them through the core. */
static void expect_a(fx *f, const uint64_t *want, size_t n)
{
    cr_expect_eq(bm_sim_input_pending(f->sim, 0), n);
    simt_run(f->sim, 1000, 0);
    cr_assert_eq(bm_sim_output_count(f->sim), n);
    for (size_t i = 0; i < n; i++) {
        bm_sim_transfer t;
        bm_sim_output(f->sim, i, &t);
        cr_expect_eq(t.value, want[i], "value %zu: got %llu want %llu", i,
                     (unsigned long long)t.value, (unsigned long long)want[i]);
    }
}

Test(sim_stimulus, formats_comments_and_appends)
{
    fx f = setup();
    cr_assert_eq(load(&f, "# stimulus\n"
                          "a = 1, 0x1F, 0b101 # trailing comment\n"
                          "\n"
                          "   b=1,0\r\n"
                          "a=-1,-128,255,+7\n"
                          "wide = 18446744073709551615, -9223372036854775808\n"
                          "a =\n"),
                 0, "%s", simt_diags(f.ctx));
    cr_expect_eq(bm_sim_input_pending(f.sim, 1), 2);
    cr_expect_eq(bm_sim_input_pending(f.sim, 2), 2);
    uint64_t want[] = {1, 31, 5, 255, 128, 255, 7};
    expect_a(&f, want, 7);
    teardown(&f);
}

static void expect_error(const char *text, const char *diag)
{
    fx f = setup();
    cr_expect_eq(load(&f, text), BM_EPARSE, "accepted: %s", text);
    cr_expect_str_eq(simt_diags(f.ctx), diag, "for: %s", text);
    for (unsigned i = 0; i < 3; i++)
        cr_expect_eq(bm_sim_input_pending(f.sim, i), 0, "nothing is pushed on error");
    teardown(&f);
}

Test(sim_stimulus, errors)
{
    expect_error("a = 1\na = 256\n",
                 "stim.txt:2:5: error: value 256 does not fit input 'a' (8 bits: -128..255)\n");
    expect_error("a = -129", "stim.txt:1:5: error: value -129 does not fit input 'a' (8 bits: -128..255)\n");
    expect_error("b = 2", "stim.txt:1:5: error: value 2 does not fit input 'b' (1 bit: -1..1)\n");
    expect_error("wide = 18446744073709551616",
                 "stim.txt:1:8: error: value 18446744073709551616 does not fit input 'wide' "
                 "(64 bits: -9223372036854775808..18446744073709551615)\n");
    expect_error("zz = 1", "stim.txt:1:1: error: machine 'st' has no external input named 'zz'\n");
    expect_error("y = 1", "stim.txt:1:1: error: 'y' is an external output, not an input\n");
    expect_error("a 1", "stim.txt:1:3: error: expected '=' after 'a'\n");
    expect_error("a = 1,", "stim.txt:1:7: error: expected a value after ','\n");
    expect_error("a = 1 2", "stim.txt:1:7: error: expected ',' or the end of the line\n");
    expect_error("a = 0x", "stim.txt:1:5: error: expected a number (decimal, 0x hex or 0b binary)\n");
    expect_error("a = 12abc", "stim.txt:1:5: error: expected a number (decimal, 0x hex or 0b binary)\n");
    expect_error("a = 0b102", "stim.txt:1:5: error: expected a number (decimal, 0x hex or 0b binary)\n");
    expect_error("= 1", "stim.txt:1:1: error: expected the name of an external input\n");
    /* every bad line is reported */
    expect_error("a = 1\nzz = 2\na = 300\n",
                 "stim.txt:2:1: error: machine 'st' has no external input named 'zz'\n"
                 "stim.txt:3:5: error: value 300 does not fit input 'a' (8 bits: -128..255)\n");
}

Test(sim_stimulus, push_input_ranges)
{
    fx f = setup();
    cr_expect_eq(bm_sim_push_input(f.sim, 0, 255), 0);
    cr_expect_eq(bm_sim_push_input(f.sim, 0, 256), BM_ERANGE);
    cr_expect_eq(bm_sim_push_input(f.sim, 0, (uint64_t)-128), 0);
    cr_expect_eq(bm_sim_push_input(f.sim, 0, (uint64_t)-129), BM_ERANGE);
    cr_expect_eq(bm_sim_push_input(f.sim, 1, (uint64_t)-1), 0);
    cr_expect_eq(bm_sim_push_input(f.sim, 1, 2), BM_ERANGE);
    cr_expect_eq(bm_sim_push_input(f.sim, 2, UINT64_MAX), 0);
    cr_expect_eq(bm_sim_push_input(f.sim, 3, 0), BM_ENOTFOUND);
    uint64_t want[] = {255, 128};
    expect_a(&f, want, 2);
    teardown(&f);
}

/* bm_sim_set_input_type: the input's values are decimal constants of its
 * type (bm_fixed_parse: nearest, ties to even, out of range an error);
 * the other inputs and bm_sim_push_input keep taking words. */
Test(sim_stimulus, typed_inputs)
{
    fx f = setup();
    bm_fixed_type q44 = {8, 4}, q16 = {16, 10};
    cr_expect_eq(bm_sim_set_input_type(f.sim, 0, q16), BM_EINVAL); /* a is 8 bits */
    cr_expect_eq(bm_ctx_error_count(f.ctx), 1);
    cr_expect_eq(bm_sim_set_input_type(f.sim, 3, q44), BM_ENOTFOUND);
    bm_ctx_clear_diags(f.ctx);
    cr_expect_eq(bm_sim_set_input_type(f.sim, 0, q44), 0);
    /* 0.09375 is 1.5 steps: to the even 2; -0.03125 is half a step: to 0;
     * 0x10 is sixteen, 7.9375 the largest value */
    cr_expect_eq(load(&f, "a = 1.5, -2.25, 0.09375, -0.03125, 1e-1, 0x1, 7.9375\nb = 1\n"), 0);
    cr_expect_eq(bm_sim_push_input(f.sim, 0, 0x80), 0); /* a raw word, as before */
    uint64_t want[] = {24, 256 - 36, 2, 0, 2, 16, 127, 0x80};
    expect_a(&f, want, 8);
    teardown(&f);

    f = setup();
    cr_expect_eq(bm_sim_set_input_type(f.sim, 0, q44), 0);
    cr_expect_eq(load(&f, "a = 1, 8"), BM_EPARSE);
    cr_expect_eq(bm_sim_input_pending(f.sim, 0), 0); /* nothing pushed */
    char line[256];
    bm_diag_format(line, sizeof line, bm_ctx_diag(f.ctx, 0));
    cr_expect_str_eq(line, "stim.txt:1:8: error: constant 8 does not fit fixed<8,4> (range -8 .. "
                           "7.9375)");
    bm_ctx_clear_diags(f.ctx);
    cr_expect_eq(load(&f, "a = 1.5x"), BM_EPARSE);
    cr_expect_eq(bm_ctx_error_count(f.ctx), 1);
    teardown(&f);
}

Test(sim_stimulus, file)
{
    fx f = setup();
    char path[] = "/tmp/bm-sim-stimulus-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fputs("# from a file\na = 4, 5\n\na = 6 # more\n", fp);
    fclose(fp);
    cr_assert_eq(bm_sim_load_stimulus_file(f.sim, path), 0, "%s", simt_diags(f.ctx));
    uint64_t want[] = {4, 5, 6};
    expect_a(&f, want, 3);
    bm_ctx_clear_diags(f.ctx);
    fp = fopen(path, "w");
    fputs("a = 1\n\n  a = 1, 999\n", fp);
    fclose(fp);
    cr_expect_eq(bm_sim_load_stimulus_file(f.sim, path), BM_EPARSE);
    char want_diag[256];
    snprintf(want_diag, sizeof want_diag,
             "%s:3:10: error: value 999 does not fit input 'a' (8 bits: -128..255)\n", path);
    cr_expect_str_eq(simt_diags(f.ctx), want_diag);
    remove(path);
    bm_ctx_clear_diags(f.ctx);
    cr_expect_eq(bm_sim_load_stimulus_file(f.sim, "/nonexistent/bm/stimulus"), BM_EIO);
    cr_expect(strstr(simt_diags(f.ctx), "/nonexistent/bm/stimulus") != NULL);
    teardown(&f);
}

Test(sim_stimulus, ready_patterns)
{
    fx f = setup();
    const char *ok = "y = 0, 0, 1\n";
    cr_assert_eq(bm_sim_load_ready(f.sim, ok, strlen(ok), "--ready"), 0, "%s", simt_diags(f.ctx));
    bm_sim_push_input(f.sim, 0, 9);
    simt_run(f.sim, 100, 1);
    bm_sim_transfer t;
    cr_assert_eq(bm_sim_output(f.sim, 0, &t), 0);
    cr_expect_eq(t.cycle, 2, "in 0, out 1 not ready, out 2 ready");
    const char *bad = "y = 0, 2";
    cr_expect_eq(bm_sim_load_ready(f.sim, bad, strlen(bad), "--ready"), BM_EPARSE);
    cr_expect_str_eq(simt_diags(f.ctx), "--ready:1:8: error: ready pattern value 2 of 'y' is not 0 or 1\n");
    bm_ctx_clear_diags(f.ctx);
    const char *in = "a = 1";
    cr_expect_eq(bm_sim_load_ready(f.sim, in, strlen(in), "--ready"), BM_EPARSE);
    cr_expect_str_eq(simt_diags(f.ctx), "--ready:1:1: error: 'a' is an external input, not an output\n");
    teardown(&f);
}
