/* bmc explore --collect: the finished points of a sweep folder into one CSV,
 * one JSON and a Pareto chart.
 *
 * The list of points is points.tsv (written with the sweep); each point's
 * result is points/ID/result.json, written by flow.sh one field per line,
 * which is all this reader expects.  A point without a result is "missing"
 * (not run yet, running, or killed hard).  Values are copied as the flow
 * wrote them, never reformatted, so the output bytes follow the results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"

enum { F_STATUS, F_STEP, F_CORES, F_LATENCY, F_INTERVAL, F_VECTORS, F_ACCURACY, F_LUT, F_FF,
       F_DSP, F_BRAM, F_CARRY, F_FITS, F_SEEDS, F_FMAX, F_SEED_STATUS, F_MEDIAN, F_VPS, F_BMC,
       F_YOSYS, F_NEXTPNR, F_WALL, F_COUNT };

/* JSON key, CSV column (NULL: JSON only), is a string. */
static const struct { const char *key, *column; int string; } fields[F_COUNT] = {
    {"status", "status", 1},           {"failed_step", "failed_step", 1},
    {"cores", "cores", 0},             {"latency_cycles", "latency_cycles", 0},
    {"interval_cycles", "interval_cycles", 0}, {"vectors_tested", "vectors_tested", 0},
    {"accuracy", "accuracy", 0},       {"lut", "lut", 0},
    {"ff", "ff", 0},                   {"dsp", "dsp", 0},
    {"bram", "bram", 0},               {"carry", "carry", 0},
    {"fits", "fits", 0},               {"seeds", "seeds", 0},
    {"fmax_mhz", "fmax_mhz", 0},       {"seed_status", NULL, 0},
    {"fmax_median_mhz", "fmax_median_mhz", 0}, {"vectors_per_s", "vectors_per_s", 0},
    {"bmc", NULL, 1},                  {"yosys", NULL, 1},
    {"nextpnr", NULL, 1},              {"wall_s", "wall_s", 0},
};

typedef struct result {
    char id[16], device[32], args[512];
    char v[F_COUNT][256]; /* raw JSON value, "" when absent; strings unquoted */
    int have;
} result;

/* A value the flow writes: a number, true/false/null, a string without
 * escapes, or a flat array of those. */
static int plain_value(const char *v)
{
    if (!*v)
        return 0;
    for (const char *p = v; *p; p++)
        if (!strchr("0123456789.-+eE[], \"abcdefghijklmnopqrstuvwxyz_", *p))
            return 0;
    return 1;
}

static void parse_line(result *r, char *line)
{
    char *p = line;
    while (*p == ' ')
        p++;
    if (*p != '"')
        return;
    char *key = ++p, *q = strchr(p, '"');
    if (!q || q[1] != ':' || q[2] != ' ')
        return;
    *q = '\0';
    char *val = q + 3;
    size_t n = strlen(val);
    while (n && (val[n - 1] == '\n' || val[n - 1] == '\r'))
        val[--n] = '\0';
    if (n && val[n - 1] == ',')
        val[--n] = '\0';
    for (int f = 0; f < F_COUNT; f++) {
        if (strcmp(key, fields[f].key) != 0)
            continue;
        if (fields[f].string && n >= 2 && val[0] == '"' && val[n - 1] == '"') {
            val[n - 1] = '\0';
            val++;
            if (!strpbrk(val, "\"\\"))
                snprintf(r->v[f], sizeof r->v[f], "%s", val);
        } else if (!fields[f].string || strcmp(val, "null") != 0) {
            if (plain_value(val) && strcmp(val, "null") != 0)
                snprintf(r->v[f], sizeof r->v[f], "%s", val);
        }
        return;
    }
}

static int read_result(result *r, const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/points/%s/result.json", dir, r->id);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        if (strlen(line) == sizeof line - 1 && line[sizeof line - 2] != '\n') {
            /* The compile report: long, and not collected here. */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
            continue;
        }
        parse_line(r, line);
    }
    fclose(f);
    r->have = r->v[F_STATUS][0] != '\0';
    return 0;
}

static result *read_points(const char *dir, size_t *count)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/points.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: error: cannot read: %s (not a bmc explore sweep folder?)\n", path,
                strerror(errno));
        return NULL;
    }
    result *r = NULL;
    size_t n = 0, line_no = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line_no++;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        char *nl = strchr(line, '\n');
        if (!t1 || !t2 || !nl || t1 - line >= 16 || t2 - t1 - 1 >= 32 || n == EX_POINTS_MAX) {
            fprintf(stderr, "%s:%zu:1: error: not a line of bmc explore's points.tsv\n", path,
                    line_no);
            free(r);
            fclose(f);
            return NULL;
        }
        result *bigger = realloc(r, (n + 1) * sizeof *r);
        if (!bigger) {
            fprintf(stderr, "bmc explore: out of memory\n");
            free(r);
            fclose(f);
            return NULL;
        }
        r = bigger;
        memset(&r[n], 0, sizeof r[n]);
        *t1 = *t2 = *nl = '\0';
        memcpy(r[n].id, line, (size_t)(t1 - line));
        memcpy(r[n].device, t1 + 1, (size_t)(t2 - t1 - 1));
        size_t alen = strlen(t2 + 1);
        memcpy(r[n].args, t2 + 1, alen < sizeof r[n].args ? alen : sizeof r[n].args - 1);
        if (strspn(r[n].id, "p0123456789") != strlen(r[n].id)) {
            fprintf(stderr, "%s:%zu:1: error: bad point name\n", path, line_no);
            free(r);
            fclose(f);
            return NULL;
        }
        n++;
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "%s: error: no points\n", path);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (read_result(&r[i], dir)) {
            fprintf(stderr, "%s/points/%s/result.json: error: cannot read: %s\n", dir, r[i].id,
                    strerror(errno));
            free(r);
            return NULL;
        }
    *count = n;
    return r;
}

static int number(const char *v, double *out)
{
    char *end;
    if (!*v)
        return 0;
    *out = strtod(v, &end);
    return *end == '\0';
}

/* Reference points: LABEL,LUT,VECTORS_PER_S per line; '#' comments. */
static ex_chart_point *read_reference(const char *path, size_t *n, char **labels_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        return NULL;
    }
    ex_chart_point *p = calloc(64, sizeof *p);
    char *labels = calloc(64, 128);
    char line[512];
    size_t line_no = 0;
    *n = 0;
    if (!p || !labels) {
        fprintf(stderr, "bmc explore: out of memory\n");
        goto fail;
    }
    while (fgets(line, sizeof line, f)) {
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        double area, rate;
        if (!c1 || !c2 || c1 == line || c1 - line >= 128) {
            fprintf(stderr, "%s:%zu:1: error: expected LABEL,LUT,VECTORS_PER_S\n", path, line_no);
            goto fail;
        }
        *c1 = *c2 = '\0';
        if (!number(c1 + 1, &area) || !number(c2 + 1, &rate) || !(area > 0) || !(rate > 0)) {
            fprintf(stderr, "%s:%zu:%ld: error: LUT and VECTORS_PER_S must be numbers above 0\n",
                    path, line_no, (long)(c1 - line) + 2);
            goto fail;
        }
        if (*n == 64) {
            fprintf(stderr, "%s:%zu:1: error: more than 64 reference points\n", path, line_no);
            goto fail;
        }
        memcpy(labels + *n * 128, line, (size_t)(c1 - line));
        p[*n] = (ex_chart_point){labels + *n * 128, "reference", area, rate, 0, 1};
        (*n)++;
    }
    fclose(f);
    *labels_out = labels;
    return p;
fail:
    fclose(f);
    free(p);
    free(labels);
    return NULL;
}

static void write_csv(ex_text *t, const result *r, size_t n, int no_wall)
{
    ex_put(t, "point,device,args");
    for (int f = 0; f < F_COUNT; f++)
        if (fields[f].column && !(no_wall && f == F_WALL))
            ex_printf(t, ",%s", fields[f].column);
    ex_put(t, "\n");
    for (size_t i = 0; i < n; i++) {
        ex_printf(t, "%s,%s,", r[i].id, r[i].device);
        ex_put_csv(t, r[i].args);
        for (int f = 0; f < F_COUNT; f++) {
            if (!fields[f].column || (no_wall && f == F_WALL))
                continue;
            const char *v = f == F_STATUS && !r[i].have ? "missing" : r[i].v[f];
            char flat[256];
            /* Arrays as "a;b" in one field. */
            if (v[0] == '[') {
                size_t k = 0;
                for (const char *p = v + 1; *p && *p != ']' && k + 1 < sizeof flat; p++)
                    if (*p != ' ' && *p != '"')
                        flat[k++] = *p == ',' ? ';' : *p;
                flat[k] = '\0';
                v = flat;
            }
            ex_put(t, ",");
            ex_put_csv(t, strcmp(v, "null") ? v : "");
        }
        ex_put(t, "\n");
    }
}

static void write_json(ex_text *t, const result *r, size_t n, const char *counts, int no_wall)
{
    ex_printf(t, "{\n  \"summary\": {%s},\n  \"points\": [\n", counts);
    for (size_t i = 0; i < n; i++) {
        ex_printf(t, "    {\"point\": \"%s\", \"device\": \"%s\", \"args\": \"", r[i].id,
                  r[i].device);
        ex_put_json(t, r[i].args);
        ex_put(t, "\"");
        for (int f = 0; f < F_COUNT; f++) {
            if (no_wall && f == F_WALL)
                continue;
            const char *v = f == F_STATUS && !r[i].have ? "missing" : r[i].v[f];
            ex_printf(t, ", \"%s\": ", fields[f].key);
            if (!v[0]) {
                ex_put(t, "null");
            } else if (fields[f].string) {
                ex_put(t, "\"");
                ex_put_json(t, v);
                ex_put(t, "\"");
            } else {
                ex_put(t, v);
            }
        }
        ex_printf(t, "}%s\n", i + 1 < n ? "," : "");
    }
    ex_put(t, "  ]\n}\n");
}

/* The Pareto front: no other point has at most the area and at least the
 * rate with one of them strictly better.  Points that do not fit the part
 * are drawn but never on the front. */
static void mark_front(ex_chart_point *p, size_t n, const int *fits)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].reference || !fits[i])
            continue;
        int dominated = 0;
        for (size_t j = 0; j < n && !dominated; j++)
            if (j != i && !p[j].reference && fits[j] && p[j].area <= p[i].area &&
                p[j].rate >= p[i].rate && (p[j].area < p[i].area || p[j].rate > p[i].rate))
                dominated = 1;
        p[i].front = !dominated;
    }
}

int ex_collect(const ex_collect_options *o)
{
    size_t n = 0, nref = 0;
    result *r = read_points(o->dir, &n);
    if (!r)
        return BMC_EXIT_FAIL;
    ex_chart_point *ref = NULL;
    char *ref_labels = NULL;
    if (o->reference && !(ref = read_reference(o->reference, &nref, &ref_labels))) {
        free(r);
        return BMC_EXIT_FAIL;
    }
    unsigned ok = 0, failed = 0, timeout = 0, killed = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = r[i].v[F_STATUS];
        if (!r[i].have)
            missing++;
        else if (!strcmp(st, "ok"))
            ok++;
        else if (!strcmp(st, "timeout"))
            timeout++;
        else if (!strcmp(st, "killed"))
            killed++;
        else
            failed++;
    }
    char counts[256];
    snprintf(counts, sizeof counts,
             "\"points\": %zu, \"ok\": %u, \"failed\": %u, \"timeout\": %u, \"killed\": %u, "
             "\"missing\": %u",
             n, ok, failed, timeout, killed, missing);

    ex_chart_point *cp = calloc(n + nref + 1, sizeof *cp);
    int *fits = calloc(n + nref + 1, sizeof *fits);
    ex_text csv = {0}, json = {0}, svg = {0};
    int rc = BMC_EXIT_FAIL;
    size_t nc = 0;
    if (!cp || !fits) {
        fprintf(stderr, "bmc explore: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        double area, rate, interval;
        if (!r[i].have || strcmp(r[i].v[F_STATUS], "ok") || !number(r[i].v[F_LUT], &area) ||
            !(area > 0))
            continue;
        if (!number(r[i].v[F_VPS], &rate)) {
            if (!(o->clock_mhz > 0) || !number(r[i].v[F_INTERVAL], &interval) || !(interval > 0))
                continue;
            rate = o->clock_mhz * 1e6 / interval;
        }
        if (!(rate > 0))
            continue;
        fits[nc] = strcmp(r[i].v[F_FITS], "false") != 0;
        cp[nc++] = (ex_chart_point){r[i].id, r[i].device, area, rate, 0, 0};
    }
    for (size_t i = 0; i < nref; i++)
        cp[nc++] = ref[i];
    mark_front(cp, nc, fits);

    write_csv(&csv, r, n, o->no_wall_time);
    write_json(&json, r, n, counts, o->no_wall_time);
    char title[160], note[200];
    snprintf(title, sizeof title, "bmc explore: %u of %zu points finished", ok, n);
    if (o->clock_mhz > 0)
        snprintf(note, sizeof note, "vectors/s = Fmax / interval; without place and route at an "
                                    "assumed %g MHz", o->clock_mhz);
    else
        snprintf(note, sizeof note, "vectors/s = median Fmax over seeds / interval");
    ex_chart_svg(&svg, cp, nc, title, note);

    bm_ctx *ctx = bmc_new_ctx();
    bm_output *out = NULL;
    char path[3][4200];
    snprintf(path[0], sizeof path[0], "%s/results.csv", o->dir);
    snprintf(path[1], sizeof path[1], "%s/results.json", o->dir);
    snprintf(path[2], sizeof path[2], "%s/pareto.svg", o->dir);
    if (csv.failed || json.failed || svg.failed)
        fprintf(stderr, "bmc explore: out of memory\n");
    else if (bm_output_new(&out, ctx) || bm_output_add_file(out, path[0], csv.s, csv.len) ||
             bm_output_add_file(out, path[1], json.s, json.len) ||
             bm_output_add_file(out, path[2], svg.s, svg.len) || bm_output_commit(out))
        bmc_print_diags(ctx);
    else
        rc = BMC_EXIT_OK;
    bm_output_free(out);
    bm_ctx_free(ctx);
    if (rc == BMC_EXIT_OK)
        printf("bmc explore: %zu points: %u ok, %u failed, %u timed out, %u killed, %u missing; "
               "wrote %s, %s and %s\n",
               n, ok, failed, timeout, killed, missing, path[0], path[1], path[2]);
out:
    ex_text_free(&csv);
    ex_text_free(&json);
    ex_text_free(&svg);
    free(cp);
    free(fits);
    free(ref);
    free(ref_labels);
    free(r);
    return rc;
}
