/* bmc explore: the design points of a sweep and the folder that runs them.
 *
 * The folder holds everything the jobs read besides bmc and the tools: a
 * copy of the network (and test vectors), sweep.conf, flow.sh, one
 * points/ID/job.sh per point, a Makefile (make -j N) and sweep.sbatch (a
 * Slurm array job).  No absolute path of the folder is written anywhere:
 * the scripts find the folder from their own location or from Slurm's
 * submit folder, so the folder can move to a cluster's shared file system.
 * The only outside path, bmc's own, is written as one single-quoted shell
 * word.  Every file goes through one bm_output set: all or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explore.h"

#define EX_WORDS_MAX 12
#define EX_INPUT_MAX (256u << 20)

typedef struct point {
    const bm_device *device;
    const char *words[EX_WORDS_MAX];
    unsigned n_words;
} point;

/* The mapping entry "--fold 2,1" as two words, kept in the sweep. */
static unsigned mapping_words(const char *m, const char **w, char *buf, size_t size)
{
    snprintf(buf, size, "%s", m);
    char *sp = strchr(buf, ' ');
    w[0] = buf;
    if (!sp)
        return 1;
    *sp = '\0';
    w[1] = sp + 1;
    return 2;
}

/* Every point in a fixed order: device, mapping, split, chain, multiplier,
 * fetch, type. */
static point *enumerate(const ex_sweep *s, char (*mbuf)[96], unsigned *count)
{
    unsigned nm = s->n_muls ? s->n_muls : 1, nf = s->n_fetches ? s->n_fetches : 1,
             nt = s->n_types ? s->n_types : 1, nc = s->n_chains ? s->n_chains : 1,
             ns = s->n_splits ? s->n_splits : 1;
    unsigned long n = (unsigned long)s->n_devices * s->n_mappings * ns * nc * nm * nf * nt;
    if (n == 0 || n > EX_POINTS_MAX) {
        fprintf(stderr, "bmc explore: error: the axes give %lu points (1..%u)\n", n,
                EX_POINTS_MAX);
        return NULL;
    }
    point *p = calloc(n, sizeof *p);
    if (!p) {
        fprintf(stderr, "bmc explore: out of memory\n");
        return NULL;
    }
    /* point k's axis values, the last axis varying fastest */
    for (unsigned long k = 0; k < n; k++) {
        unsigned long r = k;
        unsigned t = (unsigned)(r % nt), f, u, c, x, m, d;
        r /= nt;
        f = (unsigned)(r % nf);
        r /= nf;
        u = (unsigned)(r % nm);
        r /= nm;
        c = (unsigned)(r % nc);
        r /= nc;
        x = (unsigned)(r % ns);
        r /= ns;
        m = (unsigned)(r % s->n_mappings);
        d = (unsigned)(r / s->n_mappings);
        point *q = &p[k];
        q->device = bm_device_get((unsigned)bm_device_find(s->devices[d]));
        q->n_words = mapping_words(s->mappings[m], q->words, mbuf[m], 96);
        if (s->n_splits) {
            q->words[q->n_words++] = "--split";
            q->words[q->n_words++] = s->splits[x];
        }
        if (s->n_chains && s->chains[c])
            q->words[q->n_words++] =
                s->chains[c] == BM_COMPILE_CHAIN_BROADCAST ? "--broadcast" : "--chain";
        if (s->n_muls) {
            q->words[q->n_words++] = "--mul";
            q->words[q->n_words++] = s->muls[u];
        }
        if (s->n_fetches) {
            q->words[q->n_words++] = "--fetch";
            q->words[q->n_words++] = s->fetches[f];
        }
        if (s->n_types) {
            q->words[q->n_words++] = "--type";
            q->words[q->n_words++] = s->types[t];
        }
    }
    *count = (unsigned)n;
    return p;
}

static void point_id(char *buf, size_t size, unsigned i)
{
    snprintf(buf, size, "p%03u", i);
}

static void args_text(ex_text *t, const point *p)
{
    for (unsigned w = 0; w < p->n_words; w++) {
        if (w)
            ex_put(t, " ");
        ex_put(t, p->words[w]);
    }
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        return NULL;
    }
    ex_text t = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && t.len <= EX_INPUT_MAX)
        ex_putn(&t, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || t.failed || t.len > EX_INPUT_MAX) {
        fprintf(stderr, "%s: error: cannot read%s\n", path,
                t.len > EX_INPUT_MAX ? " (larger than 256 MiB)" : "");
        ex_text_free(&t);
        return NULL;
    }
    if (!t.s)
        ex_putn(&t, "", 0);
    *len = t.len;
    return t.s;
}

/* The machine name: the input's file name without extension, made an
 * identifier (what bmc compile would call it), and the extension kept on
 * the copy so that bmc compile tells the format apart as before. */
static void input_names(const char *path, char *name, size_t nsize, char *ext, size_t esize)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t k = 0;
    if (stem == 0 || (base[0] >= '0' && base[0] <= '9'))
        name[k++] = 'n';
    for (size_t i = 0; i < stem && k + 1 < nsize && k < 64; i++) {
        char c = base[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        name[k++] = ok ? c : '_';
    }
    name[k] = '\0';
    ext[0] = '\0';
    if (dot && dot != base && strlen(dot) < esize) {
        int ok = 1;
        for (const char *c = dot + 1; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                ok = 0;
        if (ok)
            snprintf(ext, esize, "%s", dot);
    }
}

static void write_conf(ex_text *t, const ex_sweep *s, const char *input, const char *name)
{
    ex_put(t, "# The settings every point of this sweep shares (bmc explore, docs/explore.md).\n"
              "# BMC in the environment replaces bmc_default, e.g. on a cluster node.\n"
              "bmc_default=");
    ex_put_shell(t, s->bmc);
    ex_put(t, "\ninput=");
    ex_put_shell(t, input);
    ex_put(t, "\nname=");
    ex_put_shell(t, name);
    ex_printf(t, "\ntest_file=%s\nlabels=%d\n", s->test ? "input/test.csv" : "''", s->labels);
    ex_printf(t, "compile_timeout=%u\nsynth_timeout=%u\npnr_timeout=%u\npnr_seeds=%d\n",
              s->compile_timeout, s->synth_timeout, s->pnr_timeout, !s->no_pnr);
}

static void write_job(ex_text *t, const ex_sweep *s, const point *p, const char *id)
{
    const bm_device *d = p->device;
    ex_put(t, "#!/bin/bash\n# One design point of a bmc explore sweep (docs/explore.md): ");
    ex_printf(t, "%s on %s, bmc compile ", id, d->name);
    args_text(t, p);
    ex_put(t, ".\n# Run from anywhere: bash points/ID/job.sh (make and sweep.sbatch do).\nset -u\n");
    ex_printf(t, "point=%s\ndevice=%s\nfamily=%s\nsynth=", id, d->name, d->family_name);
    ex_put_shell(t, d->synth);
    /* The place-and-route hint is "nextpnr-ice40 ARGS": the job keeps the
     * arguments and finds the tool itself (NEXTPNR_ICE40). */
    ex_put(t, "\npnr=(");
    const char *pnr = d->pnr ? strchr(d->pnr, ' ') : NULL;
    if (pnr) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", pnr + 1);
        int first = 1;
        for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "), first = 0) {
            if (!first)
                ex_put(t, " ");
            ex_put_shell(t, w);
        }
    }
    ex_printf(t, ")\nbudget=(%llu %llu %llu %llu)\nargs=(", (unsigned long long)d->lut,
              (unsigned long long)d->ff, (unsigned long long)d->dsp, (unsigned long long)d->bram);
    for (unsigned w = 0; w < p->n_words; w++) {
        if (w)
            ex_put(t, " ");
        ex_put_shell(t, p->words[w]);
    }
    ex_put(t, ")\nseeds=(");
    for (unsigned i = 0; i < s->n_seeds; i++)
        ex_printf(t, "%s%u", i ? " " : "", s->seeds[i]);
    ex_put(t, ")\nhere=$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/../..\" && pwd) || exit 1\n"
              ". \"$here/sweep.conf\" || exit 1\n. \"$here/flow.sh\"\n");
}

static void write_makefile(ex_text *t, const char (*ids)[16], unsigned n)
{
    ex_put(t, "# A bmc explore sweep (docs/explore.md), written by bmc explore.\n"
              "#   make -j N      run every point that has not succeeded yet (a rerun redoes\n"
              "#                  only missing and failed points)\n"
              "#   make collect   results.csv, results.json and pareto.svg of what finished\n"
              "# A point that fails is recorded in points/ID/result.json with its log and\n"
              "# does not stop the others.\n"
              ".PHONY: all collect\n"
              "POINTS :=");
    for (unsigned i = 0; i < n; i++)
        ex_printf(t, "%s%s", i % 8 ? " " : " \\\n  ", ids[i]);
    ex_put(t, "\n\nall: $(POINTS:%=points/%/ok)\n\n"
              "points/%/ok:\n\t@bash points/$*/job.sh\n\n"
              "collect:\n\t@bash collect.sh\n");
}

static void write_sbatch(ex_text *t, const ex_sweep *s, const char (*ids)[16], unsigned n)
{
    unsigned minutes = s->time_limit_min;
    if (!minutes) {
        unsigned long sec = 2ul * s->compile_timeout + s->synth_timeout +
                            (s->no_pnr ? 0ul : (unsigned long)s->n_seeds * s->pnr_timeout) + 60;
        minutes = (unsigned)((sec + 59) / 60);
    }
    ex_put(t, "#!/bin/bash\n"
              "# A bmc explore sweep as a Slurm array job (docs/explore.md): one array task\n"
              "# per design point.  Submit from this folder (on a file system the nodes\n"
              "# share):   sbatch sweep.sbatch\n"
              "# A point that already succeeded is skipped, so submitting again resumes the\n"
              "# sweep; sbatch --array=3,7 sweep.sbatch reruns only those tasks.\n"
              "#SBATCH --job-name=bmc-explore\n");
    ex_printf(t, "#SBATCH --array=0-%u\n#SBATCH --time=%u\n", n - 1, minutes);
    ex_put(t, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
              "#SBATCH --output=logs/slurm-%A_%a.out\n"
              "set -u\n"
              "cd \"${SLURM_SUBMIT_DIR:?submit with sbatch from the sweep folder}\" || exit 1\n"
              "points=(");
    for (unsigned i = 0; i < n; i++)
        ex_printf(t, "%s%s", i % 10 ? " " : i ? "\n  " : "", ids[i]);
    ex_put(t, ")\npoint=${points[${SLURM_ARRAY_TASK_ID:?not a Slurm array task}]}\n"
              "if [ -e \"points/$point/ok\" ]; then echo \"$point: done earlier\"; exit 0; fi\n"
              "exec bash \"points/$point/job.sh\"\n");
}

static void write_listing(ex_text *tsv, ex_text *json, const ex_sweep *s, const point *p,
                          const char (*ids)[16], unsigned n)
{
    ex_put(json, "{\n  \"input\": \"");
    ex_put_json(json, s->input);
    ex_put(json, "\",\n  \"test\": ");
    if (s->test) {
        ex_put(json, "\"");
        ex_put_json(json, s->test);
        ex_put(json, "\"");
    } else {
        ex_put(json, "null");
    }
    ex_put(json, ",\n  \"seeds\": [");
    for (unsigned i = 0; i < s->n_seeds; i++)
        ex_printf(json, "%s%u", i ? ", " : "", s->seeds[i]);
    ex_printf(json, "],\n  \"place_and_route\": %s,\n", s->no_pnr ? "false" : "true");
    ex_printf(json, "  \"timeouts_s\": {\"compile\": %u, \"synth\": %u, \"pnr_per_seed\": %u},\n",
              s->compile_timeout, s->synth_timeout, s->pnr_timeout);
    ex_put(json, "  \"points\": [\n");
    for (unsigned i = 0; i < n; i++) {
        ex_printf(tsv, "%s\t%s\t", ids[i], p[i].device->name);
        args_text(tsv, &p[i]);
        ex_put(tsv, "\n");
        ex_printf(json, "    {\"id\": \"%s\", \"device\": \"%s\", \"args\": \"", ids[i],
                  p[i].device->name);
        ex_text a = {0};
        args_text(&a, &p[i]);
        ex_put_json(json, a.s ? a.s : "");
        ex_text_free(&a);
        ex_printf(json, "\"}%s\n", i + 1 < n ? "," : "");
    }
    ex_put(json, "  ]\n}\n");
}

static int add(bm_output *o, bm_ctx *ctx, const char *dir, const char *rel, const ex_text *t)
{
    if (t->failed) {
        fprintf(stderr, "bmc explore: out of memory\n");
        return -1;
    }
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *path = malloc(len);
    if (!path) {
        fprintf(stderr, "bmc explore: out of memory\n");
        return -1;
    }
    snprintf(path, len, "%s/%s", dir, rel);
    int rc = bm_output_add_file(o, path, t->s ? t->s : "", t->len);
    free(path);
    if (rc) {
        bmc_print_diags(ctx);
        return -1;
    }
    return 0;
}

/* The folders of the sweep, created before the files and removed again if
 * the files cannot be written. */
static int make_dirs(const char *dir, const char (*ids)[16], unsigned n, int undo)
{
    char path[4096];
    static const char *const fixed[] = {"input", "logs", "points"};
    if (undo) {
        for (unsigned i = n; i-- > 0;) {
            snprintf(path, sizeof path, "%s/points/%s", dir, ids[i]);
            rmdir(path);
        }
        for (unsigned i = 3; i-- > 0;) {
            snprintf(path, sizeof path, "%s/%s", dir, fixed[i]);
            rmdir(path);
        }
        rmdir(dir);
        return 0;
    }
    if (strlen(dir) > sizeof path - 64) {
        fprintf(stderr, "bmc explore: error: the folder name is too long\n");
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        if (errno == EEXIST)
            fprintf(stderr, "%s: error: exists; a sweep folder is written once (to resume it, "
                            "run make -C %s again, or sbatch from it)\n", dir, dir);
        else
            fprintf(stderr, "%s: error: cannot create: %s\n", dir, strerror(errno));
        return -1;
    }
    for (unsigned i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, fixed[i]);
        if (mkdir(path, 0777) != 0)
            goto fail;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/points/%s", dir, ids[i]);
        if (mkdir(path, 0777) != 0)
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "%s: error: cannot create: %s\n", path, strerror(errno));
    make_dirs(dir, ids, n, 1);
    return -1;
}

int ex_sweep_write(const ex_sweep *s)
{
    static char mbuf[EX_AXIS_MAX * 4][96];
    unsigned n = 0;
    int rc = BMC_EXIT_FAIL;
    size_t in_len = 0, test_len = 0;
    char *in_data = NULL, *test_data = NULL;
    char (*ids)[16] = NULL;
    point *p = enumerate(s, mbuf, &n);
    if (!p)
        return BMC_EXIT_USAGE;
    ids = calloc(n, sizeof *ids);
    in_data = read_whole(s->input, &in_len);
    if (s->test)
        test_data = read_whole(s->test, &test_len);
    if (!ids || !in_data || (s->test && !test_data)) {
        if (!ids)
            fprintf(stderr, "bmc explore: out of memory\n");
        free(p);
        free(ids);
        free(in_data);
        free(test_data);
        return BMC_EXIT_FAIL;
    }
    for (unsigned i = 0; i < n; i++)
        point_id(ids[i], sizeof ids[i], i);

    char name[80], ext[16], input_rel[32];
    input_names(s->input, name, sizeof name, ext, sizeof ext);
    snprintf(input_rel, sizeof input_rel, "input/network%s", ext);

    bm_ctx *ctx = bmc_new_ctx();
    bm_output *o = NULL;
    ex_text conf = {0}, mk = {0}, sb = {0}, tsv = {0}, json = {0}, flow = {0}, collect = {0};
    ex_text in = {in_data, in_len, in_len, 0}, test = {test_data, test_len, test_len, 0};
    write_conf(&conf, s, input_rel, name);
    write_makefile(&mk, ids, n);
    write_sbatch(&sb, s, ids, n);
    write_listing(&tsv, &json, s, p, ids, n);
    ex_put(&flow, ex_flow_sh);
    ex_put(&collect, "#!/bin/bash\n# Collects this sweep's finished points (bmc explore --collect, "
                     "docs/explore.md):\n# results.csv, results.json and pareto.svg.  Options are "
                     "passed on.\nset -u\ncd \"$(dirname \"${BASH_SOURCE[0]}\")\" || exit 1\n"
                     ". ./sweep.conf || exit 1\nexec \"${BMC:-$bmc_default}\" explore --collect . "
                     "\"$@\"\n");

    if (make_dirs(s->out_dir, ids, n, 0))
        goto out;
    if (bm_output_new(&o, ctx)) {
        bmc_print_diags(ctx);
        goto undo;
    }
    if (add(o, ctx, s->out_dir, "sweep.conf", &conf) || add(o, ctx, s->out_dir, "flow.sh", &flow) ||
        add(o, ctx, s->out_dir, "Makefile", &mk) || add(o, ctx, s->out_dir, "sweep.sbatch", &sb) ||
        add(o, ctx, s->out_dir, "collect.sh", &collect) ||
        add(o, ctx, s->out_dir, "points.tsv", &tsv) || add(o, ctx, s->out_dir, "sweep.json", &json) ||
        add(o, ctx, s->out_dir, input_rel, &in) ||
        (s->test && add(o, ctx, s->out_dir, "input/test.csv", &test)))
        goto undo;
    for (unsigned i = 0; i < n; i++) {
        ex_text job = {0};
        char rel[64];
        write_job(&job, s, &p[i], ids[i]);
        snprintf(rel, sizeof rel, "points/%s/job.sh", ids[i]);
        int bad = add(o, ctx, s->out_dir, rel, &job);
        ex_text_free(&job);
        if (bad)
            goto undo;
    }
    if (bm_output_commit(o)) {
        bmc_print_diags(ctx);
        goto undo;
    }
    printf("bmc explore: %u points in %s; run them with make -C %s -j N, or sbatch sweep.sbatch "
           "there; then bmc explore --collect %s\n", n, s->out_dir, s->out_dir, s->out_dir);
    rc = BMC_EXIT_OK;
    goto out;
undo:
    bm_output_free(o);
    o = NULL;
    make_dirs(s->out_dir, ids, n, 1);
out:
    bm_output_free(o);
    bm_ctx_free(ctx);
    ex_text_free(&conf);
    ex_text_free(&mk);
    ex_text_free(&sb);
    ex_text_free(&tsv);
    ex_text_free(&json);
    ex_text_free(&flow);
    ex_text_free(&collect);
    free(in_data);
    free(test_data);
    free(ids);
    free(p);
    return rc;
}
