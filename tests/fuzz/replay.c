/* Runs a fuzz target without libFuzzer: every file of the given folders
 * (the committed corpus), then MUTATIONS deterministic mutations of each
 * (bit flips, byte changes, cuts, copies, truncation) from a fixed seed.
 * `make test` runs this for every target so the harnesses cannot rot and a
 * small fixed slice of fuzzing happens on every run; `make fuzz` does the
 * real thing.  Exit 0 when nothing crashed (a crash ends the process). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static uint64_t state;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* One mutation of in (len bytes) into out (room for len + 64). */
static size_t mutate(const unsigned char *in, size_t len, unsigned char *out)
{
    static const unsigned char interesting[] = {0, '(', ')', '<', '>', '"', '\n', ',', '-',
                                                '9', '&', ';', '#', 0xff, 0x80, '='};
    memcpy(out, in, len);
    size_t at = len ? (size_t)(next() % len) : 0;
    switch (next() % 6) {
    case 0:
        if (len)
            out[at] ^= (unsigned char)(1u << (next() % 8));
        return len;
    case 1:
        if (len)
            out[at] = interesting[next() % sizeof interesting];
        return len;
    case 2: { /* cut a range */
        size_t n = len - at < 16 ? len - at : (size_t)(next() % 16);
        memmove(out + at, out + at + n, len - at - n);
        return len - n;
    }
    case 3: { /* copy a range of up to 64 bytes to at */
        size_t from = len ? (size_t)(next() % len) : 0;
        size_t n = (size_t)(next() % 64);
        if (n > len - from)
            n = len - from;
        memmove(out + at + n, out + at, len - at);
        memcpy(out + at, in + from, n);
        return len + n;
    }
    case 4:
        return at;
    default: { /* insert random bytes */
        size_t n = 1 + (size_t)(next() % 8);
        memmove(out + at + n, out + at, len - at);
        for (size_t i = 0; i < n; i++)
            out[at + i] = (unsigned char)next();
        return len + n;
    }
    }
}

static uint64_t seed;

static int run_file(const char *path, unsigned mutations, unsigned *inputs)
{
    /* Each file's mutations depend on the seed and its name only, not on
     * the order the folder lists files in. */
    state = seed;
    for (const char *p = strrchr(path, '/') ? strrchr(path, '/') + 1 : path; *p; p++)
        state = (state ^ (unsigned char)*p) * 0x100000001b3u;
    if (state == 0)
        state = 1;
    size_t len;
    unsigned char *data = slurp(path, &len);
    if (!data) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, len);
    (*inputs)++;
    unsigned char *cur = malloc(len + 64 * (size_t)(mutations + 1));
    unsigned char *tmp = malloc(len + 64 * (size_t)(mutations + 1));
    if (!cur || !tmp) {
        free(data);
        free(cur);
        free(tmp);
        return 1;
    }
    /* Mutations stack up to 4 deep, then start again from the file. */
    size_t n = len;
    memcpy(cur, data, len);
    for (unsigned i = 0; i < mutations; i++) {
        if (i % 4 == 0) {
            memcpy(cur, data, len);
            n = len;
        }
        n = mutate(cur, n, tmp);
        memcpy(cur, tmp, n);
        LLVMFuzzerTestOneInput(cur, n);
        (*inputs)++;
    }
    free(data);
    free(cur);
    free(tmp);
    return 0;
}

int main(int argc, char **argv)
{
    const char *m = getenv("BM_FUZZ_MUTATIONS"), *s = getenv("BM_FUZZ_SEED");
    unsigned mutations = m ? (unsigned)strtoul(m, NULL, 10) : 64;
    seed = s ? strtoull(s, NULL, 10) : 0x9e3779b97f4a7c15u;
    unsigned inputs = 0, files = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            failed |= run_file(argv[i], mutations, &inputs);
            files++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            failed |= run_file(path, mutations, &inputs);
            files++;
        }
        closedir(d);
    }
    if (files == 0) {
        fprintf(stderr, "replay: no corpus files\n");
        return 1;
    }
    printf("%u corpus files, %u inputs run\n", files, inputs);
    return failed;
}
