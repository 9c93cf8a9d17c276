/* Every example program examples/NAME.s that has NAME.stim and NAME.expected
 * is assembled and simulated with its stimulus; the output transfers must be
 * exactly the expected `CYCLE OUTPUT VALUE` lines, which were worked out by
 * hand from docs/timing.md. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Simulates one example; returns the number of output lines compared. */
static unsigned check_example(const char *base)
{
    char path[512];
    snprintf(path, sizeof path, "examples/%s.expected", base);
    char *expected = slurp(path);
    if (!expected)
        return 0;
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_machine *m;
    snprintf(path, sizeof path, "examples/%s.s", base);
    bm_asm_options opt = BM_ASM_OPTIONS_INIT;
    cr_assert_eq(bm_asm_file(&m, ctx, path, &opt), 0, "%s does not assemble", path);
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    snprintf(path, sizeof path, "examples/%s.stim", base);
    cr_assert_eq(bm_sim_load_stimulus_file(sim, path), 0, "%s", path);
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_outputs = count_lines(expected);
    lim.max_cycles = 100000;
    bm_sim_stop why;
    cr_assert_eq(bm_sim_run(sim, &lim, &why), 0);
    cr_assert(why == BM_SIM_STOP_OUTPUTS || why == BM_SIM_STOP_HALTED, "%s stopped: %s", base,
              bm_sim_stop_name(why));
    char got[16384] = "";
    size_t len = 0;
    for (size_t i = 0; i < bm_sim_output_count(sim) && len < sizeof got - 100; i++) {
        bm_sim_transfer t;
        bm_sim_output(sim, i, &t);
        len += (size_t)snprintf(got + len, sizeof got - len, "%llu %s %llu\n",
                                (unsigned long long)t.cycle, bm_machine_output_name(m, t.output),
                                (unsigned long long)t.value);
    }
    cr_expect_str_eq(got, expected, "examples/%s: simulated outputs differ from %s.expected",
                     base, base);
    unsigned n = count_lines(expected);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    free(expected);
    return n;
}

Test(examples, every_program_gives_its_expected_outputs)
{
    DIR *d = opendir("examples");
    cr_assert_not_null(d);
    unsigned programs = 0, lines = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".s") != 0)
            continue;
        char base[256];
        snprintf(base, sizeof base, "%.*s", (int)(n - 2), e->d_name);
        unsigned got = check_example(base);
        if (got) {
            programs++;
            lines += got;
        }
    }
    closedir(d);
    cr_expect_geq(programs, 5, "at least five example programs have expected outputs");
    cr_expect_gt(lines, 20);
}
