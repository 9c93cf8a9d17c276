/* A small string -> unsigned hash map for the front ends' symbol tables
 * (text-language variables, GraphML node ids), so that big generated graphs
 * do not make name lookup quadratic. */
#include <ctype.h>
#include <string.h>

#include "compile.h"

struct bm_name_slot {
    char *key; /* NULL = empty */
    unsigned value;
};

void bm_names_init(bm_names *t, bm_ctx *ctx)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
}

void bm_names_free(bm_names *t)
{
    for (size_t i = 0; i < t->cap; i++)
        bm_free(t->ctx, t->slots[i].key);
    bm_free(t->ctx, t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

/* FNV-1a. */
static size_t hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return (size_t)h;
}

static struct bm_name_slot *find(const bm_names *t, const char *key)
{
    size_t mask = t->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask)
        if (!t->slots[i].key || strcmp(t->slots[i].key, key) == 0)
            return &t->slots[i];
}

int bm_names_get(const bm_names *t, const char *key, unsigned *value)
{
    if (!t->cap)
        return 0;
    struct bm_name_slot *s = find(t, key);
    if (!s->key)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

static int rehash(bm_names *t, size_t cap)
{
    struct bm_name_slot *slots = bm_calloc(t->ctx, cap, sizeof *slots);
    if (!slots)
        return bm_oom(t->ctx);
    bm_names old = *t;
    t->slots = slots;
    t->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *find(t, old.slots[i].key) = old.slots[i];
    bm_free(t->ctx, old.slots);
    return BM_OK;
}

int bm_names_put(bm_names *t, const char *key, unsigned value)
{
    /* Keep the load factor at most 1/2. */
    if ((t->count + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        if (cap <= t->cap)
            return bm_oom(t->ctx);
        int rc = rehash(t, cap);
        if (rc)
            return rc;
    }
    struct bm_name_slot *s = find(t, key);
    if (!s->key) {
        s->key = bm_strdup(t->ctx, key);
        if (!s->key)
            return bm_oom(t->ctx);
        t->count++;
    }
    s->value = value;
    return BM_OK;
}

int bm_is_identifier(const char *s)
{
    if (!s[0] || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (const char *p = s + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    return strlen(s) <= 64;
}
