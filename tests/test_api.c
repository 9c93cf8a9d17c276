/* The rules every public function shares (docs/api.md): versions, the ABI
 * of caller-allocated structs, the error contract, options init functions,
 * lifetimes and threads. */
#include <stddef.h>
#include <stdint.h>

#include "helpers.h"

/* ---- versions and the ABI ------------------------------------------------ */

Test(api, runtime_version_matches_the_headers)
{
    cr_expect_eq(bm_version_number(), (unsigned)BM_VERSION_NUMBER);
    cr_expect_str_eq(bm_version(), BM_VERSION_STRING);
    cr_expect_eq(BM_VERSION_NUMBER,
                 BM_VERSION_MAJOR * 10000 + BM_VERSION_MINOR * 100 + BM_VERSION_PATCH);
}

/* BM_OPCODE_CAPACITY sizes bm_opcode_set and bm_encoding, which callers
 * allocate: changing it changes the ABI, so it is frozen for libbm.so.0.  The
 * catalogue grows below it. */
Test(api, opcode_structs_have_the_frozen_capacity)
{
    cr_expect_eq(BM_OPCODE_CAPACITY, 512, "BM_OPCODE_CAPACITY is ABI: change only with the soname");
    cr_expect_leq(bm_isa_count(), BM_OPCODE_MAX);
    cr_expect_leq(BM_OPCODE_MAX, BM_OPCODE_CAPACITY);
    bm_encoding e;
    bm_opcode_set s;
    cr_expect_eq(sizeof e.opcode_id / sizeof e.opcode_id[0], BM_OPCODE_CAPACITY);
    cr_expect_eq(sizeof e.local_number / sizeof e.local_number[0], BM_OPCODE_CAPACITY);
    cr_expect_eq(sizeof s.bits * 8, BM_OPCODE_CAPACITY);
    /* Ids beyond the catalogue are never in a set, and never written. */
    bm_opcode_set_clear(&s);
    bm_opcode_set_add(&s, BM_OPCODE_CAPACITY + 5);
    bm_opcode_set_add(&s, BM_OPCODE_MAX);
    cr_expect_eq(bm_opcode_set_count(&s), 0);
    cr_expect_eq(bm_opcode_set_has(&s, BM_OPCODE_CAPACITY + 5), 0);
}
