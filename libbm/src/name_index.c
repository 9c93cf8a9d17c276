/* A hash index from names to small numbers (internal.h): what turns the
 * "find the core called X" loops of the assembler and the model into one
 * probe, so that machines of 100,000 cores build in linear time.
 *
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full.  The index does not copy the names: each must stay valid,
 * and unchanged, while it is indexed. */
#include <string.h>

#include "internal.h"

/* FNV-1a over the first len bytes. */
static size_t hash(const char *s, size_t len)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return (size_t)(h ^ (h >> 29));
}

void bmi_name_index_init(bmi_name_index *x, bm_ctx *ctx)
{
    memset(x, 0, sizeof *x);
    x->ctx = ctx;
}

void bmi_name_index_free(bmi_name_index *x)
{
    bm_free(x->ctx, x->slots);
    x->slots = NULL;
    x->n = x->n_slots = 0;
}

static void put(bmi_name_slot *slots, size_t n_slots, const char *name, unsigned value)
{
    size_t i = hash(name, strlen(name)) & (n_slots - 1);
    while (slots[i].name)
        i = (i + 1) & (n_slots - 1);
    slots[i].name = name;
    slots[i].value = value;
}

int bmi_name_index_add(bmi_name_index *x, const char *name, unsigned value)
{
    if (2 * (x->n + 1) > x->n_slots) {
        size_t want = x->n_slots ? 2 * x->n_slots : 64;
        bmi_name_slot *slots = bm_calloc(x->ctx, want, sizeof *slots);
        if (!slots)
            return bm_oom(x->ctx);
        for (size_t i = 0; i < x->n_slots; i++)
            if (x->slots[i].name)
                put(slots, want, x->slots[i].name, x->slots[i].value);
        bm_free(x->ctx, x->slots);
        x->slots = slots;
        x->n_slots = want;
    }
    put(x->slots, x->n_slots, name, value);
    x->n++;
    return BM_OK;
}

int bmi_name_index_find(const bmi_name_index *x, const char *s, size_t len)
{
    if (!x->n_slots)
        return -1;
    for (size_t i = hash(s, len) & (x->n_slots - 1);; i = (i + 1) & (x->n_slots - 1)) {
        const bmi_name_slot *e = &x->slots[i];
        if (!e->name)
            return -1;
        if (strncmp(e->name, s, len) == 0 && e->name[len] == '\0')
            return (int)e->value;
    }
}
