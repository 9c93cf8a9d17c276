/* Verilator co-simulation runner (bm/cosim.h, docs/verify.md).
 *
 * Work folder layout:
 *   src/     the Verilog, files.f and the harness tb_TOP.cpp (bm/verilog.h)
 *   obj/     Verilator's output; obj/tb is the harness binary
 *   STAMP    a hash of everything that went into the build: when it matches,
 *            the build is reused without running Verilator
 *   build.log, stim.txt, out.txt, run.log   the last build and run
 */
/* realpath() is X/Open. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bm/cosim.h"
#include "bm/verilog.h"
#include "bm/version.h"
#include "internal.h"

struct bm_cosim {
    const bm_machine *m;
    bm_ctx *ctx;
    char *dir;
    int reused;
};

struct bm_cosim_stimulus {
    bm_ctx *ctx;
    unsigned n_inputs, n_outputs;
    uint64_t **values;   /* per input */
    size_t *counts;
    char **ready;        /* per output: "0110..." or NULL for always ready */
};

/* FNV-1a, 64 bits: the build stamp only needs to notice changes. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static char *path_join(bm_ctx *ctx, const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = bm_malloc(ctx, n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

static int make_dir(bm_ctx *ctx, const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return BM_OK;
    if (errno == ENOENT)
        bm_error(ctx, bm_loc_make(path, 0, 0),
                 "cannot create the folder: its parent folder does not exist");
    else
        bm_error(ctx, bm_loc_make(path, 0, 0), "cannot create the folder: %s", strerror(errno));
    return BM_EIO;
}

/* Removes obj/ and src/ contents we wrote before (a stale build). */
static int clean_build(bm_ctx *ctx, const char *dir)
{
    char *argv[] = {"rm", "-rf", "obj", "src", "STAMP", NULL};
    int status;
    int rc = bm_run_tool(ctx, argv, dir, NULL, NULL, NULL, &status);
    if (!rc && status != 0) {
        bm_error(ctx, bm_loc_make(dir, 0, 0), "cannot clean the work folder");
        rc = BM_EIO;
    }
    return rc;
}

/* The last lines of a log, for a diagnostic. */
static void log_tail(bm_ctx *ctx, const char *path, char *buf, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    buf[0] = '\0';
    if (access(path, R_OK) != 0 || bm_read_file(ctx, path, &text, &len))
        return;
    size_t start = len;
    for (int lines = 0; start > 0 && lines < 12; start--)
        if (text[start - 1] == '\n' && start != len)
            lines++;
    snprintf(buf, size, "%s", text + start);
    bm_free(ctx, text);
}

static int write_sources(bm_cosim *c, const bm_verilog_files *files, const char *src)
{
    for (size_t i = 0; i < bm_verilog_files_count(files); i++) {
        size_t len;
        const char *text = bm_verilog_file_text(files, i, &len);
        char *p = path_join(c->ctx, src, bm_verilog_file_name(files, i));
        if (!p)
            return bm_oom(c->ctx);
        int rc = bm_write_file_atomic(c->ctx, p, text, len);
        bm_free(c->ctx, p);
        if (rc)
            return rc;
    }
    return BM_OK;
}

static int has_white_space(const char *s)
{
    for (; *s; s++)
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
            return 1;
    return 0;
}

/* GNU make cannot build in a folder whose absolute path holds white space
 * (Verilator's verilated.mk stops there), so such a work folder is refused
 * before anything is created or run.  `resolved`: after the folder exists,
 * its real path is checked too (a symbolic link on the way). */
static int check_work_dir(bm_ctx *ctx, const char *dir, int resolved)
{
    char path[PATH_MAX];
    int bad = has_white_space(dir);
    if (!bad && resolved) {
        if (!realpath(dir, path)) {
            bm_error(ctx, bm_loc_make(dir, 0, 0), "cannot resolve the work folder: %s",
                     strerror(errno));
            return BM_EIO;
        }
        bad = has_white_space(path);
    } else if (!bad && dir[0] != '/' && getcwd(path, sizeof path)) {
        bad = has_white_space(path);
    }
    if (bad) {
        bm_error(ctx, bm_loc_make(dir, 0, 0),
                 "the work folder's path holds white space, where GNU make (Verilator's "
                 "build) cannot work; choose another work folder");
        return BM_EINVAL;
    }
    return BM_OK;
}

static int run_verilator(bm_cosim *c, const bm_cosim_options *o, const char *top)
{
    char tb[300], topmod[300], jobs[32];
    /* Verilator runs in src/ and its make in obj/.  Every file is named
     * relative to them, so that no part of the work folder's path reaches
     * the Makefile Verilator writes, the recipes its make hands to /bin/sh,
     * or make's own variable expansion (docs/verify.md). */
    snprintf(tb, sizeof tb, "../src/tb_%s.cpp", top);
    snprintf(topmod, sizeof topmod, "%s", top);
    snprintf(jobs, sizeof jobs, "%u", o->jobs ? o->jobs : 2);
    /* -O1 for the C++: the harness runs briefly, and compile time dominates
     * the tests' large batched builds. */
    char *argv[] = {(char *)(o->verilator ? o->verilator : "verilator"),
                    "--cc", "--exe", "--build", "-Wno-fatal", "-j", jobs,
                    "-MAKEFLAGS", "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1",
                    "--top-module", topmod, "-f", "files.f", tb, "-o", "tb",
                    "--Mdir", "../obj", o->trace ? "--trace" : NULL, NULL};
    char *log = path_join(c->ctx, c->dir, "build.log");
    char *src = path_join(c->ctx, c->dir, "src");
    int status = -1, rc = log && src ? BM_OK : bm_oom(c->ctx);
    if (!rc)
        rc = bm_run_tool(c->ctx, argv, src, "/dev/null", log, log, &status);
    if (!rc && status != 0) {
        char tail[2048];
        log_tail(c->ctx, log, tail, sizeof tail);
        bm_error(c->ctx, bm_loc_make(log, 0, 0), "Verilator build failed (exit %d):\n%s", status,
                 tail);
        rc = BM_ETOOL;
    }
    bm_free(c->ctx, log);
    bm_free(c->ctx, src);
    return rc;
}

int bm_cosim_build(bm_cosim **out, const bm_machine *m, const bm_cosim_options *opt)
{
    if (!out || !m)
        return BM_EINVAL;
    *out = NULL;
    bm_ctx *ctx = bm_machine_ctx(m);
    if (!opt || opt->version != BM_COSIM_OPTIONS_VERSION || !opt->work_dir) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0), "bm_cosim_build: %s",
                 !opt                                        ? "no options"
                 : opt->version != BM_COSIM_OPTIONS_VERSION ? "unsupported options version"
                                                            : "no work folder (work_dir is NULL)");
        return BM_EINVAL;
    }
    bm_verilog_options vo = BM_VERILOG_OPTIONS_INIT;
    vo.harness = 1;
    bm_verilog_files *files;
    int rc = bm_verilog_generate(&files, m, &vo);
    if (rc)
        return rc;
    bm_cosim *c = bm_calloc(ctx, 1, sizeof *c);
    if (!c) {
        bm_verilog_files_free(files);
        return bm_oom(ctx);
    }
    c->m = m;
    c->ctx = ctx;
    c->dir = bm_strdup(ctx, opt->work_dir);
    char *stamp_path = path_join(ctx, opt->work_dir, "STAMP");
    char *src = path_join(ctx, opt->work_dir, "src");
    char *binary = path_join(ctx, opt->work_dir, "obj/tb");
    if (!c->dir || !stamp_path || !src || !binary)
        rc = bm_oom(ctx);

    /* The stamp covers the sources, the tool, the options and our version. */
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < bm_verilog_files_count(files); i++) {
        size_t len;
        const char *text = bm_verilog_file_text(files, i, &len);
        const char *name = bm_verilog_file_name(files, i);
        h = fnv(h, name, strlen(name) + 1);
        h = fnv(h, text, len);
    }
    char settings[512];
    snprintf(settings, sizeof settings, "libbm %s; %s; trace %d", bm_version(),
             opt->verilator ? opt->verilator : "verilator", opt->trace);
    h = fnv(h, settings, strlen(settings));
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%016" PRIx64 "\n", h);

    if (!rc) {
        char *old = NULL;
        size_t len;
        if (access(binary, X_OK) == 0 && access(stamp_path, R_OK) == 0 &&
            bm_read_file(ctx, stamp_path, &old, &len) == 0 && strcmp(old, stamp) == 0)
            c->reused = 1;
        bm_free(ctx, old);
    }
    if (!rc && !c->reused) {
        rc = check_work_dir(ctx, opt->work_dir, 0);
        if (!rc)
            rc = make_dir(ctx, opt->work_dir);
        if (!rc)
            rc = check_work_dir(ctx, opt->work_dir, 1);
        if (!rc)
            rc = clean_build(ctx, opt->work_dir);
        if (!rc)
            rc = make_dir(ctx, src);
        if (!rc)
            rc = write_sources(c, files, src);
        if (!rc)
            rc = run_verilator(c, opt, bm_verilog_files_top(files));
        /* The stamp goes last: a failed build is never reused. */
        if (!rc)
            rc = bm_write_file_atomic(ctx, stamp_path, stamp, strlen(stamp));
    }
    bm_free(ctx, stamp_path);
    bm_free(ctx, src);
    bm_free(ctx, binary);
    bm_verilog_files_free(files);
    if (rc) {
        bm_cosim_free(c);
        return rc;
    }
    *out = c;
    return BM_OK;
}

int bm_cosim_reused(const bm_cosim *c)
{
    return c ? c->reused : 0;
}

void bm_cosim_free(bm_cosim *c)
{
    if (!c)
        return;
    bm_free(c->ctx, c->dir);
    bm_free(c->ctx, c);
}

void bm_cosim_stimulus_free(bm_cosim_stimulus *st)
{
    if (!st)
        return;
    for (unsigned i = 0; i < st->n_inputs; i++)
        bm_free(st->ctx, st->values[i]);
    for (unsigned i = 0; i < st->n_outputs; i++)
        bm_free(st->ctx, st->ready[i]);
    bm_free(st->ctx, st->values);
    bm_free(st->ctx, st->counts);
    bm_free(st->ctx, st->ready);
    bm_free(st->ctx, st);
}

int bm_cosim_stimulus_capture(bm_cosim_stimulus **out, const bm_sim *sim)
{
    if (!out || !sim)
        return BM_EINVAL;
    *out = NULL;
    const bm_machine *m = bm_sim_machine(sim);
    bm_ctx *ctx = bm_machine_ctx(m);
    bm_cosim_stimulus *st = bm_calloc(ctx, 1, sizeof *st);
    if (!st)
        return bm_oom(ctx);
    st->ctx = ctx;
    unsigned ni = bm_machine_input_count(m), no = bm_machine_output_count(m);
    st->values = bm_calloc(ctx, ni + 1, sizeof *st->values);
    st->counts = bm_calloc(ctx, ni + 1, sizeof *st->counts);
    st->ready = bm_calloc(ctx, no + 1, sizeof *st->ready);
    if (!st->values || !st->counts || !st->ready) {
        bm_cosim_stimulus_free(st);
        return bm_oom(ctx);
    }
    st->n_inputs = ni;
    st->n_outputs = no;
    for (unsigned i = 0; i < ni; i++) {
        size_t n = bm_sim_input_pending(sim, i);
        st->values[i] = bm_malloc(ctx, (n ? n : 1) * sizeof(uint64_t));
        if (!st->values[i]) {
            bm_cosim_stimulus_free(st);
            return bm_oom(ctx);
        }
        for (size_t k = 0; k < n; k++)
            bm_sim_input_peek(sim, i, k, &st->values[i][k]);
        st->counts[i] = n;
    }
    for (unsigned o = 0; o < no; o++) {
        const uint8_t *pattern;
        size_t n;
        if (bm_sim_output_ready_pattern(sim, o, &pattern, &n)) {
            bm_cosim_stimulus_free(st);
            bm_error(ctx, bm_loc_make(NULL, 0, 0),
                     "output '%s' takes ready from a callback, which the RTL harness cannot run",
                     bm_machine_output_name(m, o));
            return BM_EINVAL;
        }
        if (n == 0)
            continue;
        st->ready[o] = bm_malloc(ctx, n + 1);
        if (!st->ready[o]) {
            bm_cosim_stimulus_free(st);
            return bm_oom(ctx);
        }
        for (size_t k = 0; k < n; k++)
            st->ready[o][k] = pattern[k] ? '1' : '0';
        st->ready[o][n] = '\0';
    }
    *out = st;
    return BM_OK;
}

/* Parses the harness's "CYCLE OUTPUT VALUE" lines. */
static int parse_transfers(bm_cosim *c, const char *path, bm_sim_transfer **out, size_t *n)
{
    char *text;
    size_t len, cap = 0;
    int rc = bm_read_file(c->ctx, path, &text, &len);
    if (rc)
        return rc;
    bm_sim_transfer *t = NULL;
    *n = 0;
    unsigned line = 1;
    for (char *p = text; *p && !rc; line++) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        unsigned long long cycle, value;
        char name[128];
        int idx = -1;
        if (sscanf(p, "%llu %127s %llu", &cycle, name, &value) == 3)
            idx = bm_machine_find_output(c->m, name);
        if (idx < 0) {
            bm_error(c->ctx, bm_loc_make(path, line, 1), "unexpected harness output '%s'", p);
            rc = BM_ETOOL;
        } else if (!(rc = bm_grow(c->ctx, (void **)&t, &cap, *n + 1, sizeof *t))) {
            t[*n].output = (unsigned)idx;
            t[*n].value = value;
            t[*n].cycle = cycle;
            (*n)++;
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    bm_free(c->ctx, text);
    if (rc) {
        bm_free(c->ctx, t);
        return rc;
    }
    *out = t;
    return BM_OK;
}

static int write_stimulus(bm_cosim *c, const bm_cosim_stimulus *st, const char *path)
{
    bm_buf b;
    bm_buf_init(&b, c->ctx);
    for (unsigned i = 0; i < st->n_inputs; i++)
        for (size_t k = 0; k < st->counts[i]; k++)
            bm_buf_printf(&b, "%s %" PRIu64 "\n", bm_machine_input_name(c->m, i),
                          st->values[i][k]);
    size_t len;
    char *text = bm_buf_take(&b, &len);
    if (!text)
        return bm_oom(c->ctx);
    int rc = bm_write_file_atomic(c->ctx, path, text, len);
    bm_free(c->ctx, text);
    return rc;
}

int bm_cosim_run(bm_cosim *c, const bm_cosim_stimulus *st, uint64_t cycles, const char *vcd,
                 bm_sim_transfer **out, size_t *n)
{
    if (!c || !st || !out || !n || st->n_inputs != bm_machine_input_count(c->m))
        return BM_EINVAL;
    *out = NULL;
    *n = 0;
    bm_ctx *ctx = c->ctx;
    char *stim = path_join(ctx, c->dir, "stim.txt");
    char *result = path_join(ctx, c->dir, "out.txt");
    char *log = path_join(ctx, c->dir, "run.log");
    char *binary = path_join(ctx, c->dir, "obj/tb");
    /* argv: tb --cycles N [--vcd F] [--ready NAME=PATTERN]... stim.txt */
    size_t max_args = 8 + 2 * (size_t)st->n_outputs;
    char **argv = bm_calloc(ctx, max_args, sizeof *argv);
    char **ready_args = bm_calloc(ctx, st->n_outputs + 1, sizeof *ready_args);
    int rc = stim && result && log && binary && argv && ready_args ? BM_OK : bm_oom(ctx);
    char cyc[32];
    snprintf(cyc, sizeof cyc, "%" PRIu64, cycles);
    size_t a = 0;
    if (!rc) {
        argv[a++] = binary;
        argv[a++] = "--cycles";
        argv[a++] = cyc;
        if (vcd) {
            argv[a++] = "--vcd";
            argv[a++] = (char *)vcd;
        }
        for (unsigned o = 0; o < st->n_outputs && !rc; o++) {
            if (!st->ready[o])
                continue;
            const char *name = bm_machine_output_name(c->m, o);
            size_t len = strlen(name) + strlen(st->ready[o]) + 2;
            ready_args[o] = bm_malloc(ctx, len);
            if (!ready_args[o]) {
                rc = bm_oom(ctx);
                break;
            }
            snprintf(ready_args[o], len, "%s=%s", name, st->ready[o]);
            argv[a++] = "--ready";
            argv[a++] = ready_args[o];
        }
        argv[a++] = stim;
    }
    if (!rc)
        rc = write_stimulus(c, st, stim);
    int status = -1;
    if (!rc)
        rc = bm_run_tool(ctx, argv, NULL, "/dev/null", result, log, &status);
    if (!rc && status != 0) {
        char tail[2048];
        log_tail(ctx, log, tail, sizeof tail);
        bm_error(ctx, bm_loc_make(log, 0, 0), "the Verilator harness failed (exit %d):\n%s",
                 status, tail);
        rc = BM_ETOOL;
    }
    if (!rc)
        rc = parse_transfers(c, result, out, n);
    for (unsigned o = 0; ready_args && o < st->n_outputs; o++)
        bm_free(ctx, ready_args[o]);
    bm_free(ctx, ready_args);
    bm_free(ctx, argv);
    bm_free(ctx, stim);
    bm_free(ctx, result);
    bm_free(ctx, log);
    bm_free(ctx, binary);
    return rc;
}

void bm_cosim_transfers_free(bm_cosim *c, bm_sim_transfer *t)
{
    if (c)
        bm_free(c->ctx, t);
}

long bm_cosim_first_difference(const bm_sim_transfer *a, size_t na, const bm_sim_transfer *b,
                               size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        if (a[i].output != b[i].output || a[i].value != b[i].value || a[i].cycle != b[i].cycle)
            return (long)i;
    return na == nb ? -1 : (long)n;
}
