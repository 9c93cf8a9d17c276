/* An allocator that fails on purpose, for the allocation-failure suites:
 * after `countdown` successful allocations every further one fails (and is
 * counted) until the countdown is set again; a negative countdown never
 * fails.  Use as {f_malloc, f_realloc, f_free, &state}.  Header-only. */
#ifndef BM_TEST_FAILING_ALLOC_H
#define BM_TEST_FAILING_ALLOC_H

#include <stdlib.h>

typedef struct failing {
    long countdown; /* allocations left before failing; < 0: never fail */
    long failures;  /* allocations refused so far                       */
} failing;

static inline int failing_refuses(failing *f)
{
    if (f->countdown == 0) {
        f->failures++;
        return 1;
    }
    if (f->countdown > 0)
        f->countdown--;
    return 0;
}

static inline void *f_malloc(void *user, size_t size)
{
    return failing_refuses(user) ? NULL : malloc(size);
}

static inline void *f_realloc(void *user, void *ptr, size_t size)
{
    return failing_refuses(user) ? NULL : realloc(ptr, size);
}

static inline void f_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

#endif
