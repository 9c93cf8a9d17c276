/* The public Verilog API: a machine's files in memory, and written to a
 * folder all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm/output.h"
#include "bm/version.h"
#include "hdl.h"

typedef struct vfile {
    char *name;
    char *text;
    size_t len;
} vfile;

struct bm_verilog_files {
    bm_ctx *ctx;
    char *top;
    vfile *f;
    size_t n, cap;
};

#define MANIFEST_FIRST_LINE "# libbm Verilog output"

size_t bm_verilog_files_count(const bm_verilog_files *files)
{
    return files ? files->n : 0;
}

const char *bm_verilog_file_name(const bm_verilog_files *files, size_t i)
{
    return files && i < files->n ? files->f[i].name : NULL;
}

const char *bm_verilog_file_text(const bm_verilog_files *files, size_t i, size_t *len)
{
    if (!files || i >= files->n)
        return NULL;
    if (len)
        *len = files->f[i].len;
    return files->f[i].text;
}

const char *bm_verilog_files_top(const bm_verilog_files *files)
{
    return files ? files->top : NULL;
}

void bm_verilog_files_free(bm_verilog_files *files)
{
    if (!files)
        return;
    bm_ctx *ctx = files->ctx;
    for (size_t i = 0; i < files->n; i++) {
        bm_free(ctx, files->f[i].name);
        bm_free(ctx, files->f[i].text);
    }
    bm_free(ctx, files->f);
    bm_free(ctx, files->top);
    bm_free(ctx, files);
}

/* Adds a file, taking the text out of b. */
static int add_file(bm_verilog_files *fs, const char *name, const char *ext, bm_buf *b)
{
    bm_ctx *ctx = fs->ctx;
    size_t len;
    char *text = bm_buf_take(b, &len);
    size_t nlen = strlen(name) + strlen(ext) + 1;
    char *fname = bm_malloc(ctx, nlen);
    if (!text || !fname || bm_grow(ctx, (void **)&fs->f, &fs->cap, fs->n + 1, sizeof *fs->f)) {
        bm_free(ctx, text);
        bm_free(ctx, fname);
        return bm_oom(ctx);
    }
    snprintf(fname, nlen, "%s%s", name, ext);
    fs->f[fs->n].name = fname;
    fs->f[fs->n].text = text;
    fs->f[fs->n].len = len;
    fs->n++;
    return BM_OK;
}

static int is_identifier(const char *s)
{
    if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* The core modules: one per distinct body text, named after its first core. */
static int core_modules(bm_verilog_files *fs, const bm_machine *m, const bm_verilog_options *opt,
                        hdl_names *modules, const char **core_module)
{
    bm_ctx *ctx = fs->ctx;
    unsigned nc = bm_machine_core_count(m);
    char **body = bm_calloc(ctx, nc ? nc : 1, sizeof *body);
    uint64_t *hash = bm_calloc(ctx, nc ? nc : 1, sizeof *hash);
    if (!body || !hash) {
        bm_free(ctx, body);
        bm_free(ctx, hash);
        return bm_oom(ctx);
    }
    int rc = BM_OK;
    for (unsigned c = 0; c < nc && rc == 0; c++) {
        const bm_core *core = bm_machine_core(m, c);
        bm_buf b;
        bm_buf_init(&b, ctx);
        rc = bm_hdl_core_body(&b, ctx, core, opt);
        body[c] = bm_buf_take(&b, NULL);
        if (rc == 0 && !body[c])
            rc = bm_oom(ctx);
        if (rc)
            break;
        hash[c] = fnv1a(body[c]);
        core_module[c] = NULL;
        for (unsigned j = 0; j < c; j++)
            if (hash[j] == hash[c] && strcmp(body[j], body[c]) == 0) {
                core_module[c] = core_module[j];
                break;
            }
        if (core_module[c])
            continue;
        bm_buf want;
        bm_buf_init(&want, ctx);
        bm_buf_printf(&want, "%s_%s", fs->top, bm_core_name(core));
        char *w = bm_buf_take(&want, NULL);
        core_module[c] = w ? bm_hdl_names_claim(modules, w) : NULL;
        bm_free(ctx, w);
        if (!core_module[c])
            rc = bm_oom(ctx);
    }
    for (unsigned c = 0; c < nc && rc == 0; c++) {
        int first = 1;
        for (unsigned j = 0; j < c; j++)
            if (core_module[j] == core_module[c])
                first = 0;
        if (!first)
            continue;
        bm_buf b, what;
        bm_buf_init(&b, ctx);
        bm_buf_init(&what, ctx);
        bm_buf_printf(&what, "%s.v: the module of core", core_module[c]);
        unsigned users = 0;
        for (unsigned j = c; j < nc; j++)
            users += core_module[j] == core_module[c];
        bm_buf_printf(&what, "%s", users > 1 ? "s" : "");
        for (unsigned j = c, k = 0; j < nc; j++)
            if (core_module[j] == core_module[c])
                bm_buf_printf(&what, "%s '%s'", k++ ? "," : "", bm_core_name(bm_machine_core(m, j)));
        bm_buf_puts(&what, ".");
        char *w = bm_buf_take(&what, NULL);
        bm_hdl_file_header(&b, m, "//", w ? w : "");
        bm_buf_printf(&b, "\nmodule %s%s", core_module[c], body[c]);
        if (!w)
            b.failed = 1;
        bm_free(ctx, w);
        rc = add_file(fs, core_module[c], ".v", &b);
    }
    for (unsigned c = 0; c < nc; c++)
        bm_free(ctx, body[c]);
    bm_free(ctx, body);
    bm_free(ctx, hash);
    return rc;
}

static int manifest(bm_verilog_files *fs, const bm_machine *m)
{
    bm_buf b;
    bm_buf_init(&b, fs->ctx);
    bm_buf_printf(&b,
                  MANIFEST_FIRST_LINE "\n"
                  "# Written by libbm %s (bmc verilog) from %s, machine '%s'; top module %s.\n"
                  "# bmc verilog replaces the files listed here, deletes those it no longer "
                  "writes, and keeps any other file.\n",
                  bm_version(), bm_hdl_basename(bm_machine_loc(m).file), bm_machine_name(m), fs->top);
    for (size_t i = 0; i < fs->n; i++)
        bm_buf_printf(&b, "%s\n", fs->f[i].name);
    return add_file(fs, "MANIFEST", "", &b);
}

int bm_verilog_generate(bm_verilog_files **out, const bm_machine *m,
                        const bm_verilog_options *opt)
{
    if (!out)
        return BM_EINVAL;
    *out = NULL;
    if (!m)
        return BM_EINVAL;
    bm_ctx *ctx = bm_machine_ctx(m);
    bm_verilog_options defaults = BM_VERILOG_OPTIONS_INIT;
    if (!opt)
        opt = &defaults;
    if (opt->version != BM_VERILOG_OPTIONS_VERSION)
        return BM_EINVAL;
    if (!bm_machine_is_valid(m)) {
        bm_error(ctx, bm_machine_loc(m), "machine '%s' must be validated before writing Verilog",
                 bm_machine_name(m));
        return BM_EINVAL;
    }
    const char *top = opt->top_name ? opt->top_name : bm_machine_name(m);
    if (!is_identifier(top) || strlen(top) > BM_VERILOG_TOP_NAME_MAX) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0),
                 "the top module name must be an identifier (letters, digits, '_') of at most "
                 "%d characters", BM_VERILOG_TOP_NAME_MAX);
        return BM_EINVAL;
    }
    bm_verilog_files *fs = bm_calloc(ctx, 1, sizeof *fs);
    if (!fs)
        return bm_oom(ctx);
    fs->ctx = ctx;
    hdl_names modules;
    bm_hdl_names_init(&modules, ctx);
    unsigned nc = bm_machine_core_count(m);
    const char **core_module = bm_calloc(ctx, nc ? nc : 1, sizeof *core_module);
    const char *top_name = bm_hdl_names_claim(&modules, top);
    int rc = core_module && top_name ? BM_OK : bm_oom(ctx);
    if (rc == 0) {
        fs->top = bm_strdup(ctx, top_name);
        rc = fs->top ? core_modules(fs, m, opt, &modules, core_module) : bm_oom(ctx);
    }
    /* the submodules written so far: their declared names are taken in the
     * top's scope */
    const char **sub_text = bm_calloc(ctx, fs->n ? fs->n : 1, sizeof *sub_text);
    if (!sub_text && rc == 0)
        rc = bm_oom(ctx);
    for (size_t i = 0; sub_text && i < fs->n; i++)
        sub_text[i] = fs->f[i].text;
    hdl_design d = {m, fs->top, core_module, sub_text, sub_text ? fs->n : 0};
    if (rc == 0) {
        bm_buf b;
        bm_buf_init(&b, ctx);
        bm_buf_printf(&b, "%s.v: the top module of the machine.", fs->top);
        char *w = bm_buf_take(&b, NULL);
        bm_buf_init(&b, ctx);
        bm_hdl_file_header(&b, m, "//", w ? w : "");
        bm_buf_puts(&b, "\n");
        if (!w)
            b.failed = 1;
        bm_free(ctx, w);
        rc = bm_hdl_top_module(&b, &d);
        if (rc == 0)
            rc = add_file(fs, fs->top, ".v", &b);
        else
            bm_buf_free(&b);
    }
    size_t n_verilog = fs->n;
    if (rc == 0 && opt->pin_wrapper) {
        bm_buf b;
        bm_buf_init(&b, ctx);
        bm_buf wrapper;
        bm_buf_init(&wrapper, ctx);
        bm_buf_printf(&wrapper, "%s_pins", fs->top);
        char *name = bm_buf_take(&wrapper, NULL);
        const char *claimed = name ? bm_hdl_names_claim(&modules, name) : NULL;
        bm_free(ctx, name);
        rc = claimed ? bm_hdl_pin_wrapper(&b, &d, claimed) : bm_oom(ctx);
        if (rc == 0)
            rc = add_file(fs, claimed, ".v", &b);
        else
            bm_buf_free(&b);
    }
    if (rc == 0 && opt->harness) {
        bm_buf b;
        bm_buf_init(&b, ctx);
        rc = bm_hdl_harness(&b, &d);
        if (rc == 0) {
            bm_buf name;
            bm_buf_init(&name, ctx);
            bm_buf_printf(&name, "tb_%s", fs->top);
            char *nm = bm_buf_take(&name, NULL);
            rc = nm ? add_file(fs, nm, ".cpp", &b) : bm_oom(ctx);
            bm_free(ctx, nm);
        } else {
            bm_buf_free(&b);
        }
    }
    if (rc == 0) {
        bm_buf b;
        bm_buf_init(&b, ctx);
        for (size_t i = 0; i < n_verilog; i++)
            bm_buf_printf(&b, "%s\n", fs->f[i].name);
        rc = add_file(fs, "files", ".f", &b);
    }
    if (rc == 0)
        rc = manifest(fs, m);
    bm_free(ctx, (void *)core_module);
    bm_free(ctx, (void *)sub_text);
    bm_hdl_names_free(&modules);
    if (rc) {
        bm_verilog_files_free(fs);
        return rc;
    }
    *out = fs;
    return BM_OK;
}

/* ---- folder output ----------------------------------------------------------------- */

int bm_output_add_verilog(bm_output *o, const bm_machine *m, const char *dir,
                          const bm_verilog_options *opt)
{
    if (!o || !m || !dir)
        return BM_EINVAL;
    bm_ctx *ctx = bm_machine_ctx(m);
    bm_verilog_files *fs;
    int rc = bm_verilog_generate(&fs, m, opt);
    if (rc)
        return rc;
    const char **names = bm_calloc(ctx, fs->n, sizeof *names);
    const char **texts = bm_calloc(ctx, fs->n, sizeof *texts);
    size_t *lens = bm_calloc(ctx, fs->n, sizeof *lens);
    if (!names || !texts || !lens) {
        rc = bm_oom(ctx);
    } else {
        for (size_t i = 0; i < fs->n; i++) {
            names[i] = fs->f[i].name;
            texts[i] = fs->f[i].text;
            lens[i] = fs->f[i].len;
        }
        rc = bm_output_add_folder(o, dir, fs->n, names, texts, lens, MANIFEST_FIRST_LINE);
    }
    bm_free(ctx, names);
    bm_free(ctx, texts);
    bm_free(ctx, lens);
    bm_verilog_files_free(fs);
    return rc;
}

int bm_verilog_write_dir(const bm_machine *m, const char *dir, const bm_verilog_options *opt)
{
    if (!m || !dir)
        return BM_EINVAL;
    bm_output *o;
    int rc = bm_output_new(&o, bm_machine_ctx(m));
    if (!rc)
        rc = bm_output_add_verilog(o, m, dir, opt);
    if (!rc)
        rc = bm_output_commit(o);
    bm_output_free(o);
    return rc;
}
