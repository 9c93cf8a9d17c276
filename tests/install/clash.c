/* A user program that defines functions with the names libbm uses inside
 * (tests/symbols_check.sh).  It must link against libbm.a and libbm.so, and
 * libbm must keep calling its own functions: compiling and simulating a
 * graph goes through the compiler's operation selection and the
 * simulator's cycle function, whatever their names are. */
#include <stdio.h>
#include <string.h>

#include <bm.h>

static int taken;

/* The names libbm's internal functions had before they took the prefix
 * bmi_, and the names they have now. */
int sim_cycle(void);
int map_select(void);
int asm_parse(void);
int bmi_sim_cycle(void);
int bmi_map_select(void);
int bmi_asm_parse(void);
int sim_cycle(void) { return ++taken; }
int map_select(void) { return ++taken; }
int asm_parse(void) { return ++taken; }
int bmi_sim_cycle(void) { return ++taken; }
int bmi_map_select(void) { return ++taken; }
int bmi_asm_parse(void) { return ++taken; }

static const char graph[] = "type int<16>\ninput x\noutput y = x * 3 + 1\n";

int main(void)
{
    bm_ctx *ctx;
    bm_graph *g = NULL;
    bm_machine *m = NULL;
    bm_sim *sim = NULL;
    if (bm_ctx_new(&ctx, NULL))
        return 1;
    int ok = 0;
    bm_sim_transfer t = {0, 0, 0};
    bm_sim_stop why;
    bm_sim_limits lim = BM_SIM_LIMITS_INIT;
    lim.max_cycles = 1000;
    lim.max_outputs = 1;
    if (!bm_graph_read_text(&g, ctx, graph, strlen(graph), "clash.bmg", NULL) &&
        !bm_compile(&m, g, NULL) && !bm_sim_new(&sim, m, NULL) &&
        !bm_sim_push_input(sim, 0, 14) && !bm_sim_run(sim, &lim, &why) &&
        bm_sim_output_count(sim) == 1 && !bm_sim_output(sim, 0, &t))
        ok = t.value == 43 && !taken;
    if (!ok)
        fprintf(stderr, "clash: output %llu (want 43), user functions called %d times\n",
                (unsigned long long)t.value, taken);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_graph_free(g);
    bm_ctx_free(ctx);
    return ok ? 0 : 1;
}
