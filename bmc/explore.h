/* bmc explore: what its files share (docs/explore.md).
 *
 * bmc explore writes a sweep folder that existing engines run (make, Slurm)
 * and collects what they produced; it never runs a design point itself.
 * explore_text.c: a growing text buffer and the quoting rules;
 * explore_sweep.c: the points and the folder; explore_flow.c: the shell
 * flow every point runs; explore_collect.c: results into CSV and JSON;
 * explore_svg.c: the Pareto chart. */
#ifndef BMC_EXPLORE_H
#define BMC_EXPLORE_H

#include <stddef.h>

#include "bmc.h"

/* A text that grows; a failed allocation sets `failed` and later appends do
 * nothing, so callers check once at the end. */
typedef struct ex_text {
    char *s;
    size_t len, cap;
    int failed;
} ex_text;

void ex_put(ex_text *t, const char *s);
void ex_putn(ex_text *t, const char *s, size_t n);
void ex_printf(ex_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as one shell word in single quotes ('it'\''s'); any byte is safe. */
void ex_put_shell(ex_text *t, const char *s);
/* s as the inside of a JSON string. */
void ex_put_json(ex_text *t, const char *s);
/* s as one CSV field (quoted when it holds a comma, quote or newline). */
void ex_put_csv(ex_text *t, const char *s);
void ex_text_free(ex_text *t);

/* The most values an axis takes and the most points of a sweep. */
#define EX_AXIS_MAX 64
#define EX_POINTS_MAX 4096
#define EX_SEEDS_MAX 16

/* One design point: the device row and the `bmc compile` arguments. */
typedef struct ex_point {
    const char *device;      /* bm_device name                       */
    char args[512];          /* compile arguments, space separated   */
} ex_point;

typedef struct ex_sweep {
    const char *input, *test, *out_dir, *bmc;
    int labels, no_pnr;
    const char *devices[EX_AXIS_MAX];
    unsigned n_devices;
    /* The mapping axis: each entry is a ready argument string
     * ("--strategy node", "--cores 4", "--fold 2,1"). */
    char mappings[EX_AXIS_MAX * 4][96];
    unsigned n_mappings;
    const char *muls[EX_AXIS_MAX], *fetches[EX_AXIS_MAX], *types[EX_AXIS_MAX];
    unsigned n_muls, n_fetches, n_types;
    int chains[3];      /* --chain off,on,broadcast: a bm_compile_chain each,
                           in the order given */
    unsigned n_chains;
    char splits[EX_AXIS_MAX][96]; /* --split: compile's "S0,S1,..." each,
                                     with every --fold mapping */
    unsigned n_splits;
    unsigned seeds[EX_SEEDS_MAX], n_seeds;
    unsigned compile_timeout, synth_timeout, pnr_timeout, time_limit_min;
} ex_sweep;

/* Writes the sweep folder s->out_dir, which must not exist; prints what
 * went wrong.  0 or BMC_EXIT_*. */
int ex_sweep_write(const ex_sweep *s);

/* The shell flow of one point, written to the folder as flow.sh. */
extern const char ex_flow_sh[];

typedef struct ex_collect_options {
    const char *dir, *reference;
    double clock_mhz;     /* for points without Fmax (0: left out of the chart) */
    int no_wall_time;
} ex_collect_options;

/* Gathers the finished points of a sweep folder into results.csv,
 * results.json and pareto.svg in that folder.  0 or BMC_EXIT_*. */
int ex_collect(const ex_collect_options *o);

/* One point on the chart. */
typedef struct ex_chart_point {
    const char *label, *group;   /* group: the device, or "reference"   */
    double area, rate;           /* LUTs; vectors per second            */
    int front, reference;
} ex_chart_point;

/* Draws the Pareto chart (log-log: LUT against vectors/s) into t. */
void ex_chart_svg(ex_text *t, const ex_chart_point *p, size_t n, const char *title,
                  const char *note);

#endif
