/* Copying one machine into another under a name prefix: the machines stay
 * independent (no bond joins them), so many small machines can be built,
 * simulated and emitted as one design, which is how the differential tests
 * batch hundreds of random machines into a single Verilator build. */
#include <stdio.h>
#include <string.h>

#include "bm/machine.h"
#include "internal.h"

static char *prefixed(bm_ctx *ctx, const char *prefix, const char *name)
{
    size_t n = strlen(prefix) + strlen(name) + 1;
    char *s = bm_malloc(ctx, n);
    if (s)
        snprintf(s, n, "%s%s", prefix, name);
    return s;
}

static int copy_core(bm_machine *dst, const bm_core *c, const char *prefix)
{
    bm_ctx *ctx = bm_machine_ctx(dst);
    char *name = prefixed(ctx, prefix, bm_core_name(c));
    if (!name)
        return bm_oom(ctx);
    bm_core *copy;
    int rc = bm_machine_add_core(dst, &copy, name, bm_core_get_params(c), bm_core_loc(c));
    bm_free(ctx, name);
    if (rc)
        return rc;
    bm_core_set_opcodes(copy, bm_core_opcodes(c));
    for (unsigned pc = 0; pc < bm_core_program_length(c) && !rc; pc++)
        rc = bm_core_append_insn(copy, bm_core_insn(c, pc));
    if (!rc && bm_core_ram_init_count(c))
        rc = bm_core_set_ram_init(copy, bm_core_ram_init(c), bm_core_ram_init_count(c),
                                  bm_core_ram_init_loc(c));
    return rc;
}

int bm_machine_append(bm_machine *dst, const bm_machine *src, const char *prefix)
{
    if (!dst || !src || !prefix || dst == src)
        return BM_EINVAL;
    bm_ctx *ctx = bm_machine_ctx(dst);
    int rc = BM_OK;
    for (unsigned i = 0; i < bm_machine_input_count(src) && !rc; i++) {
        char *n = prefixed(ctx, prefix, bm_machine_input_name(src, i));
        rc = n ? bm_machine_add_input(dst, n, bm_machine_input_width(src, i), bm_machine_loc(src))
               : bm_oom(ctx);
        bm_free(ctx, n);
    }
    for (unsigned i = 0; i < bm_machine_output_count(src) && !rc; i++) {
        char *n = prefixed(ctx, prefix, bm_machine_output_name(src, i));
        rc = n ? bm_machine_add_output(dst, n, bm_machine_output_width(src, i), bm_machine_loc(src))
               : bm_oom(ctx);
        bm_free(ctx, n);
    }
    for (unsigned i = 0; i < bm_machine_core_count(src) && !rc; i++)
        rc = copy_core(dst, bm_machine_core(src, i), prefix);
    /* Endpoint texts ("x", "core.i0") name things that all got the prefix. */
    for (unsigned b = 0; b < bm_machine_bond_count(src) && !rc; b++) {
        unsigned nb = 0;
        char *s = prefixed(ctx, prefix, bm_machine_bond_source_text(src, b));
        rc = s ? bm_machine_add_bond(dst, &nb, s, bm_machine_bond_loc(src, b)) : bm_oom(ctx);
        bm_free(ctx, s);
        for (unsigned k = 0; k < bm_machine_bond_sink_count(src, b) && !rc; k++) {
            char *t = prefixed(ctx, prefix, bm_machine_bond_sink_text(src, b, k));
            rc = t ? bm_machine_bond_add_sink(dst, nb, t, bm_machine_bond_loc(src, b)) : bm_oom(ctx);
            bm_free(ctx, t);
        }
    }
    return rc;
}

int bm_machine_clone(bm_machine **out, const bm_machine *m)
{
    if (!out || !m)
        return BM_EINVAL;
    *out = NULL;
    bm_machine *c;
    int rc = bm_machine_new(&c, bm_machine_ctx(m), bm_machine_name(m));
    if (rc)
        return rc;
    bm_machine_set_loc(c, bm_machine_loc(m));
    if ((rc = bm_machine_append(c, m, ""))) {
        bm_machine_free(c);
        return rc;
    }
    *out = c;
    return BM_OK;
}
