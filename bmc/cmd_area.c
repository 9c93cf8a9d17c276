/* bmc area: the area estimate of a machine, per core and in total, and with
 * --device whether it fits that part. */
#include <getopt.h>
#include <string.h>

#include "bmc.h"

static void list_devices(FILE *out)
{
    for (unsigned i = 0; i < bm_device_count(); i++) {
        const bm_device *d = bm_device_get(i);
        fprintf(out, "  %-8s %-10s %7llu %s, %7llu FF, %5llu %s, %4llu %s  (yosys %s)\n", d->name,
                d->part, (unsigned long long)d->lut, d->lut_name, (unsigned long long)d->ff,
                (unsigned long long)d->dsp, d->dsp_name, (unsigned long long)d->bram,
                d->bram_name, d->synth);
    }
}

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc area [--device NAME] [--json] FILE.xml\n"
            "\n"
            "Estimates what the machine's Verilog (bmc verilog) costs, per core and\n"
            "in total, without running synthesis: LUTs, flip-flops, carry cells,\n"
            "DSP blocks, block RAMs and LUT-RAM of the device's family, as yosys\n"
            "counts them (docs/area.md; docs/performance.md \"Area estimate\" says\n"
            "how close the estimate comes).  Without --device the estimate is for\n"
            "hx8k (iCE40, no DSP) and no budget is checked.\n"
            "\n"
            "  --device NAME   estimate for this part and check its budget: every\n"
            "                  resource the machine needs beyond it is an error\n"
            "  --json          print the estimate as one JSON object\n"
            "\n"
            "Devices:\n");
    list_devices(out);
    fprintf(out, "\n"
                 "Exit status: 0 estimated (and fits), 1 bad input or does not fit,\n"
                 "2 usage error (an unknown device among them).\n");
}

static void print_row(const char *name, const bm_area *a)
{
    printf("  %-16s %9llu %9llu %7llu %6llu %6llu %7llu\n", name, (unsigned long long)a->lut,
           (unsigned long long)a->ff, (unsigned long long)a->carry, (unsigned long long)a->dsp,
           (unsigned long long)a->bram, (unsigned long long)a->lutram);
}

static void json_area(bmc_json *j, const char *key, const bm_area *a)
{
    bmc_json_object(j, key);
    bmc_json_uint(j, "lut", a->lut);
    bmc_json_uint(j, "ff", a->ff);
    bmc_json_uint(j, "carry", a->carry);
    bmc_json_uint(j, "dsp", a->dsp);
    bmc_json_uint(j, "bram", a->bram);
    bmc_json_uint(j, "lutram", a->lutram);
    bmc_json_end(j);
}

/* The --json form of the estimate; 0 or -1 (printed). */
static int print_json(const bm_machine *m, const bm_device *d, int checked, const bm_area *total,
                      int fits)
{
    bmc_json *j = bmc_json_new();
    if (!j) {
        fprintf(stderr, "bmc area: out of memory\n");
        return -1;
    }
    unsigned nc = bm_machine_core_count(m);
    bm_area core_sum = {0, 0, 0, 0, 0, 0};
    bmc_json_string(j, "machine", bm_machine_name(m));
    bmc_json_string(j, "device", d->name);
    bmc_json_string(j, "family", d->family_name);
    bmc_json_string(j, "synth", d->synth);
    bmc_json_array(j, "cores");
    for (unsigned i = 0; i < nc; i++) {
        bm_area a;
        bm_area_estimate_core(&a, bm_machine_core(m, i), d);
        core_sum.lut += a.lut;
        bmc_json_object(j, NULL);
        bmc_json_string(j, "name", bm_core_name(bm_machine_core(m, i)));
        json_area(j, "area", &a);
        bmc_json_end(j);
    }
    bmc_json_end(j);
    bm_area glue = {total->lut - core_sum.lut, 0, 0, 0, 0, 0};
    json_area(j, "glue", &glue);
    json_area(j, "total", total);
    if (checked) {
        bm_area budget = {d->lut, d->ff, 0, d->dsp, d->bram, d->lutram};
        json_area(j, "budget", &budget);
        bmc_json_bool(j, "fits", fits);
    }
    int rc = bmc_json_print(j);
    bmc_json_free(j);
    return rc;
}

static void print_estimate(const bm_machine *m, const bm_device *d, int checked,
                           const bm_area *total, int fits)
{
    unsigned nc = bm_machine_core_count(m);
    bm_area core_sum = {0, 0, 0, 0, 0, 0};
    printf("machine %s: area estimate for %s (%s; yosys %s)\n", bm_machine_name(m), d->name,
           d->part, d->synth);
    printf("  %-16s %9s %9s %7s %6s %6s %7s\n", "core", d->lut_name, "FF", "carry", "DSP",
           "BRAM", "LUT-RAM");
    for (unsigned i = 0; i < nc; i++) {
        bm_area a;
        bm_area_estimate_core(&a, bm_machine_core(m, i), d);
        core_sum.lut += a.lut;
        print_row(bm_core_name(bm_machine_core(m, i)), &a);
    }
    bm_area glue = {total->lut - core_sum.lut, 0, 0, 0, 0, 0};
    if (glue.lut)
        print_row("(top glue)", &glue);
    print_row("total", total);
    if (checked) {
        printf("  %-16s %9llu %9llu %7s %6llu %6llu %7llu\n", "budget",
               (unsigned long long)d->lut, (unsigned long long)d->ff, "-",
               (unsigned long long)d->dsp, (unsigned long long)d->bram,
               (unsigned long long)d->lutram);
        printf("  estimate: %s %s %s\n", bm_machine_name(m), fits ? "fits" : "does not fit", d->name);
    }
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"device", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    const char *device = NULL;
    int json = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'd': device = optarg; break;
        case 'j': json = 1; break;
        case ':': return bmc_usage_error("area", "option '%s' needs a value", argv[optind - 1]);
        default: return bmc_usage_error("area", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("area", "expected exactly one FILE.xml");
    int di = bm_device_find(device ? device : "hx8k");
    if (di < 0) {
        fprintf(stderr, "bmc area: unknown device '%s'; the devices are:\n", device);
        list_devices(stderr);
        return bmc_usage_error("area", "--device takes one of the names above");
    }
    const bm_device *d = bm_device_get((unsigned)di);
    bm_ctx *ctx = bmc_new_ctx();
    bm_machine *m;
    int rc = bmc_load_machine(ctx, argv[optind], &m);
    if (rc) {
        bm_ctx_free(ctx);
        return BMC_EXIT_FAIL;
    }
    bm_area total;
    rc = bm_area_estimate_machine(&total, m, d);
    int fits = 1;
    if (rc == 0 && device) {
        char what[300];
        snprintf(what, sizeof what, "machine '%s'", bm_machine_name(m));
        bm_ctx_clear_diags(ctx);
        fits = bm_device_fit(&total, d, ctx, what, bm_machine_loc(m)) == 0;
    }
    if (rc == 0 && json)
        rc = print_json(m, d, device != NULL, &total, fits);
    else if (rc == 0)
        print_estimate(m, d, device != NULL, &total, fits);
    fflush(stdout);
    bmc_print_diags(ctx);
    bm_machine_free(m);
    bm_ctx_free(ctx);
    return rc == 0 && fits ? BMC_EXIT_OK : BMC_EXIT_FAIL;
}

const bmc_command bmc_cmd_area = {"area", "estimate a machine's area and check a device budget",
                                  run, help};
