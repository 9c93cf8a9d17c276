/* Private helpers shared inside libbm: allocation through the context's
 * allocator, diagnostics, a growable buffer and string helpers.  Not
 * installed. */
#ifndef BM_INTERNAL_H
#define BM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bm/ctx.h"

#if defined(__GNUC__)
#define BM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define BM_PRINTF(f, a)
#endif

void *bm_malloc(bm_ctx *ctx, size_t size);
void *bm_calloc(bm_ctx *ctx, size_t count, size_t size);
void *bm_realloc(bm_ctx *ctx, void *ptr, size_t size);
void bm_free(bm_ctx *ctx, void *ptr);
char *bm_strdup(bm_ctx *ctx, const char *s);
/* Grows *array (of *cap elements of elem_size) to hold at least need
 * elements.  0 or BM_ENOMEM (with a diagnostic). */
int bm_grow(bm_ctx *ctx, void **array, size_t *cap, size_t need, size_t elem_size);

/* Records a diagnostic.  Returns BM_EPARSE for errors so that callers can
 * write `return bm_error(...)`, and 0 for warnings and notes. */
int bm_diag_add(bm_ctx *ctx, bm_severity sev, bm_loc loc, const char *fmt, ...) BM_PRINTF(4, 5);
int bm_diag_addv(bm_ctx *ctx, bm_severity sev, bm_loc loc, const char *fmt, va_list ap);
#define bm_error(ctx, loc, ...) bm_diag_add((ctx), BM_SEV_ERROR, (loc), __VA_ARGS__)
#define bm_warning(ctx, loc, ...) bm_diag_add((ctx), BM_SEV_WARNING, (loc), __VA_ARGS__)
/* Records "out of memory" and returns BM_ENOMEM. */
int bm_oom(bm_ctx *ctx);

bm_loc bm_loc_make(const char *file, unsigned line, unsigned column);

/* A hash index from names to numbers (name_index.c).  Names are not
 * copied: each must stay valid and unchanged while indexed.  When a name is
 * added twice, find returns one of its values. */
typedef struct bmi_name_slot {
    const char *name; /* NULL: free */
    unsigned value;
} bmi_name_slot;

typedef struct bmi_name_index {
    bm_ctx *ctx;
    bmi_name_slot *slots;
    size_t n, n_slots;
} bmi_name_index;

void bmi_name_index_init(bmi_name_index *x, bm_ctx *ctx);
void bmi_name_index_free(bmi_name_index *x);
/* 0, or BM_ENOMEM (recorded on the context). */
int bmi_name_index_add(bmi_name_index *x, const char *name, unsigned value);
/* The value of the name made of the first len bytes of s, or -1. */
int bmi_name_index_find(const bmi_name_index *x, const char *s, size_t len);

/* A growable byte buffer for generated text. */
typedef struct bm_buf {
    bm_ctx *ctx;
    char *data;
    size_t len, cap;
    int failed; /* set once an append ran out of memory */
} bm_buf;

void bm_buf_init(bm_buf *b, bm_ctx *ctx);
void bm_buf_free(bm_buf *b);
void bm_buf_append(bm_buf *b, const char *s, size_t n);
void bm_buf_puts(bm_buf *b, const char *s);
void bm_buf_printf(bm_buf *b, const char *fmt, ...) BM_PRINTF(2, 3);
/* Takes the NUL-terminated text out of the buffer (caller frees with
 * bm_free); NULL if an append failed. */
char *bm_buf_take(bm_buf *b, size_t *len);

/* One output file written safely (outfile.c, docs/outputs.md): a regular
 * file through a temporary file in its folder renamed over it at commit, a
 * symbolic link through to its target, a device or FIFO straight.  Every
 * failure is recorded on ctx. */
typedef struct bm_outfile {
    char *shown;   /* the path as given, for diagnostics                     */
    char *target;  /* the file finally written (symbolic links followed)     */
    char *tmp;     /* the named temporary file, or NULL                      */
    int fd;        /* -1 when closed                                         */
    FILE *stream;  /* from bm_outfile_stream, owning fd                      */
    int straight;  /* a device, FIFO or socket: written in place             */
    int unnamed;   /* an O_TMPFILE file: linked into place at commit         */
} bm_outfile;
/* Prepares path for writing.  Flags: BM_OUTFILE_DEFER_STRAIGHT, a device or
 * FIFO is only noted (f->straight) and opened later by
 * bm_outfile_open_straight(); BM_OUTFILE_NAMED_TEMP, use the named
 * temporary file even where O_TMPFILE works (for the tests). */
enum { BM_OUTFILE_DEFER_STRAIGHT = 1, BM_OUTFILE_NAMED_TEMP = 2 };
int bm_outfile_open(bm_ctx *ctx, bm_outfile *f, const char *path, unsigned flags);
int bm_outfile_open_straight(bm_ctx *ctx, bm_outfile *f);
int bm_outfile_write(bm_ctx *ctx, bm_outfile *f, const void *data, size_t len);
/* A stdio stream on the file, owned by f. */
FILE *bm_outfile_stream(bm_ctx *ctx, bm_outfile *f);
/* Puts the file in place (or closes a device) and releases f. */
int bm_outfile_commit(bm_ctx *ctx, bm_outfile *f);
/* Removes the temporary file, if any, and releases f; the target is left
 * as it was.  Safe to call twice. */
void bm_outfile_discard(bm_ctx *ctx, bm_outfile *f);
/* Follows symbolic links from path to the first name that is not one (it
 * may not exist yet); a new string in *out. */
int bm_path_final_target(bm_ctx *ctx, const char *path, char **out);
/* A new name ".NAME.tmp-RANDOM" in path's folder (for temporaries). */
int bm_temp_name(bm_ctx *ctx, const char *path, char **out);

/* Adds the n files (names without a folder) as the folder dir to a set of
 * outputs (output.c): a new folder is built aside and renamed into place; an
 * existing one must be empty or hold a MANIFEST whose first line is marker,
 * and only the files it lists are replaced or, when the new set lacks them,
 * deleted.  The files should include that MANIFEST. */
struct bm_output;
int bm_output_add_folder(struct bm_output *o, const char *dir, size_t n, const char *const *names,
                         const char *const *texts, const size_t *lens, const char *marker);

/* Writes data to path safely (bm_outfile), so a failure never leaves a
 * half-written file.  Records a diagnostic on failure. */
int bm_write_file_atomic(bm_ctx *ctx, const char *path, const char *data, size_t len);
/* Reads a whole file (NUL-terminated); records a diagnostic on failure. */
int bm_read_file(bm_ctx *ctx, const char *path, char **out, size_t *len);

/* Runs argv (searched in PATH) in cwd (NULL: here) with standard input,
 * output and error from/to the given files (NULL: inherited), in an
 * environment that keeps only PATH, HOME, TMPDIR, locale, CC, CXX and
 * VERILATOR_ROOT (see run_tool.c); *status is its exit status.  BM_ETOOL (with a diagnostic) when it cannot run or dies by a
 * signal; a non-zero exit status is for the caller to judge. */
int bm_run_tool(bm_ctx *ctx, char *const argv[], const char *cwd, const char *stdin_path,
                const char *stdout_path, const char *stderr_path, int *status);

static inline uint64_t bm_mask(unsigned width)
{
    return width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
}

#endif
