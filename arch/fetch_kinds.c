/* The fetch kinds (bm/isa.h): one row each, read by the simulator, the
 * Verilog emitter, the assembler, the compiler's timing model and the docs.
 * docs/timing.md "Fetch kinds" is the contract. */
#include <string.h>

#include "bm/isa.h"

static const bm_fetch_kind_def kinds[BM_FETCH_KIND_COUNT] = {
    {"direct", "the next instruction is read and decoded in the cycle before it runs: "
               "a taken jump costs nothing", 0},
    {"staged", "one more fetch stage (the ROM read, then the decode, each registered): "
               "a taken jump costs one more cycle, in which the core does nothing", 1},
};

const bm_fetch_kind_def *bm_fetch_kind_get(unsigned kind)
{
    return kind < BM_FETCH_KIND_COUNT ? &kinds[kind] : NULL;
}

int bm_fetch_kind_from_name(const char *name)
{
    for (unsigned i = 0; name && i < BM_FETCH_KIND_COUNT; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return (int)i;
    return -1;
}
