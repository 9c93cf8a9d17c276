/* Helpers of the graph suites (tests/test_graph*.c): header-only, static. */
#ifndef BM_TEST_GRAPH_HELPERS_H
#define BM_TEST_GRAPH_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bm.h"

/* Every diagnostic of ctx as bmc prints it, one per line, malloc'd. */
static inline char *graph_diags(const bm_ctx *ctx)
{
    size_t len = 0;
    char *s = calloc(1, 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        char line[2048];
        bm_diag_format(line, sizeof line, bm_ctx_diag(ctx, i));
        size_t n = strlen(line);
        s = realloc(s, len + n + 2);
        cr_assert_not_null(s);
        memcpy(s + len, line, n);
        len += n;
        s[len++] = '\n';
        s[len] = '\0';
    }
    return s;
}

#define expect_graph_diags(ctx, expected)                                                 \
    do {                                                                                  \
        char *got_ = graph_diags(ctx);                                                    \
        cr_expect_str_eq(got_, (expected), "diagnostics differ:\n--- got\n%s--- want\n%s", \
                         got_, (expected));                                               \
        free(got_);                                                                       \
    } while (0)

static inline bm_ctx *graph_ctx(void)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    return ctx;
}

/* Parses a text graph that must be valid (without errors or warnings). */
static inline bm_graph *text_graph(bm_ctx *ctx, const char *text)
{
    bm_graph *g = NULL;
    int rc = bm_graph_read_text(&g, ctx, text, strlen(text), "t.bmg", NULL);
    char *d = graph_diags(ctx);
    cr_assert_eq(rc, 0, "graph does not load (%d):\n%s", rc, d);
    cr_assert_str_eq(d, "", "unexpected diagnostics:\n%s", d);
    free(d);
    return g;
}

/* Raw value of a decimal in the graph's type. */
static inline int64_t graph_raw(const bm_graph *g, const char *decimal)
{
    int64_t raw = 0;
    bm_loc loc = {NULL, 0, 0};
    cr_assert_eq(bm_fixed_parse(bm_graph_ctx(g), decimal, bm_graph_type(g), loc, &raw), 0,
                 "%s does not fit", decimal);
    return raw;
}

/* Evaluates with decimal inputs and returns output k as exact decimal text
 * (in a static buffer). */
static inline const char *eval_text(const bm_graph *g, const char *const *inputs, unsigned k)
{
    static char buf[128];
    int64_t in[16], out[16];
    cr_assert(bm_graph_input_count(g) <= 16 && bm_graph_output_count(g) <= 16);
    for (unsigned i = 0; i < bm_graph_input_count(g); i++)
        in[i] = graph_raw(g, inputs[i]);
    cr_assert_eq(bm_graph_eval(g, in, out), 0);
    bm_fixed_format(buf, sizeof buf, out[k], bm_graph_type(g));
    return buf;
}


/* splitmix64: the random numbers of the graph and compiler suites. */
static inline uint64_t test_rng_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A random raw value of type t. */
static inline int64_t test_random_raw(uint64_t *s, bm_fixed_type t)
{
    return bm_fixed_wrap((int64_t)test_rng_next(s), t);
}

/* The per-layer types of layer l of a typed random network (format 2),
 * drawn from their own generator state ts so that the untyped networks of
 * a seed stay what they were: each of weight_t, accum_t and result_t is
 * given three times in four (the network's type otherwise), totals up to
 * 12, 12 + what the accumulator must keep and 16 bits, an overflow mode
 * (wrap, saturate or none: wrap) with result_t.  They keep the rules of
 * docs/numbers.md ("Per-layer types"): the accumulator drops at most F
 * bits of a product, the last layer without argmax has F fraction bits.
 * The types go into *el as XML, *in becomes the result type. */
typedef struct random_layer_types {
    bm_fixed_type weight, accum, result;
    char el[256];
} random_layer_types;

static inline random_layer_types random_layer_types_draw(uint64_t *ts, bm_fixed_type t,
                                                         bm_fixed_type in, int last_values)
{
    random_layer_types r = {t, t, t, ""};
    size_t n = 0;
    if (test_rng_next(ts) % 4) {
        r.weight.total = 2 + (unsigned)(test_rng_next(ts) % 11);
        r.weight.frac = (unsigned)(test_rng_next(ts) % r.weight.total);
        n += (size_t)snprintf(r.el + n, sizeof r.el - n, "<weight_t total=\"%u\" frac=\"%u\"/>",
                              r.weight.total, r.weight.frac);
    }
    int need = (int)in.frac + (int)r.weight.frac - (int)t.frac; /* fc at least this */
    if (test_rng_next(ts) % 4 || need > (int)t.frac) {
        unsigned low = need > 0 ? (unsigned)need : 0;
        r.accum.total = low + 2 + (unsigned)(test_rng_next(ts) % 12);
        r.accum.frac = low + (unsigned)(test_rng_next(ts) % (r.accum.total - low));
        n += (size_t)snprintf(r.el + n, sizeof r.el - n, "<accum_t total=\"%u\" frac=\"%u\"/>",
                              r.accum.total, r.accum.frac);
    }
    if (test_rng_next(ts) % 4) {
        r.result.total = 2 + (unsigned)(test_rng_next(ts) % 15);
        r.result.frac = (unsigned)(test_rng_next(ts) % r.result.total);
        if (last_values) { /* the outputs are read in the network's type */
            r.result.frac = t.frac;
            if (r.result.total <= t.frac)
                r.result.total = t.frac + 1;
        }
        static const char *const modes[] = {"", " overflow=\"wrap\"", " overflow=\"saturate\"",
                                            " overflow=\"saturate\""};
        n += (size_t)snprintf(r.el + n, sizeof r.el - n, "<result_t total=\"%u\" frac=\"%u\"%s/>",
                              r.result.total, r.result.frac, modes[test_rng_next(ts) % 4]);
    }
    return r;
}

/* A random dense network as network XML (malloc'd, *len bytes): a type of
 * 4 .. 4+type_span-1 total bits, 1..max_layers layers of 1..max_width
 * neurons, relu or linear (and with more_activations clipped relu, leaky
 * relu, sigmoid and tanh), weights and biases exact decimals of random raw
 * values (a fifth of them 0), an argmax half of the time (never over
 * one neuron).  With typed, format 2 with per-layer types
 * (random_layer_types_draw, their own generator state), weights and biases
 * drawn in the layer's types.  *type receives
 * the type and *s the generator state after it, for drawing inputs. */
static inline char *random_network_xml_typed(uint64_t seed, unsigned type_span,
                                             unsigned max_layers, unsigned max_width,
                                             int more_activations, int typed,
                                             bm_fixed_type *type, uint64_t *s, size_t *len_out)
{
    *s = seed;
    uint64_t ts = seed ^ UINT64_C(0x7479706573); /* "types": a stream of its own */
    bm_fixed_type t = {4 + (unsigned)(test_rng_next(s) % type_span), 0};
    t.frac = (unsigned)(test_rng_next(s) % t.total);
    unsigned layers = 1 + (unsigned)(test_rng_next(s) % max_layers);
    unsigned width = 1 + (unsigned)(test_rng_next(s) % max_width);
    int argmax = (int)(test_rng_next(s) % 2);
    size_t cap = 1 << 17, len = 0;
    char *xml = malloc(cap);
    cr_assert_not_null(xml);
    len += (size_t)snprintf(xml + len, cap - len,
                            "<network format=\"%d\" name=\"r%llu\" total=\"%u\" frac=\"%u\">\n"
                            "<input size=\"%u\"/>\n",
                            typed ? 2 : 1, (unsigned long long)seed, t.total, t.frac, width);
    bm_fixed_type in = t;
    for (unsigned l = 0; l < layers; l++) {
        unsigned neurons = 1 + (unsigned)(test_rng_next(s) % max_width);
        if (argmax && l == layers - 1 && (uint64_t)(neurons - 1) > (uint64_t)bm_fixed_max(t))
            neurons = 1;
        if (l == layers - 1 && neurons == 1)
            argmax = 0; /* an argmax over one neuron is an error */
        random_layer_types lt = {t, t, t, ""};
        if (typed)
            lt = random_layer_types_draw(&ts, t, in, l == layers - 1 && !argmax);
        bm_fixed_type rt = lt.result; /* alpha, max and the constants are in it */
        /* odd: relu; even: linear.  With more_activations a quarter of
         * the relus are clipped at half the type's maximum, and a quarter
         * of the linear layers are leaky relus with alpha 1/4 (when the
         * type has 2 fraction bits), a half sigmoid or tanh (when it has 4
         * integer bits).  (A typed layer's leaky relu, sigmoid and tanh
         * also need a result with at most the network's fraction bits.) */
        unsigned pick = (unsigned)(test_rng_next(s) % 8);
        if (!more_activations)
            pick %= 2;
        char act[160], dec[64];
        int narrow = rt.frac <= t.frac;
        if (pick == 7) {
            bm_fixed_format(dec, sizeof dec, bm_fixed_max(rt) / 2 + 1, rt);
            snprintf(act, sizeof act, "relu\" max=\"%s", dec);
        } else if (pick == 6 && rt.frac >= 2 && narrow) {
            bm_fixed_format(dec, sizeof dec, (int64_t)1 << (rt.frac - 2), rt);
            snprintf(act, sizeof act, "leaky_relu\" alpha=\"%s", dec);
        } else if ((pick == 4 || pick == 2) && rt.total - rt.frac >= 4 && narrow) {
            /* sigmoid and tanh need their bound 5 (2.5) in the type */
            snprintf(act, sizeof act, "%s", pick == 4 ? "sigmoid" : "tanh");
        } else {
            snprintf(act, sizeof act, "%s", pick % 2 ? "relu" : "linear");
        }
        len += (size_t)snprintf(xml + len, cap - len,
                                "<layer neurons=\"%u\" activation=\"%s\">%s<weights>", neurons,
                                act, lt.el);
        for (unsigned k = 0; k < neurons * width + neurons; k++) {
            if (k == neurons * width)
                len += (size_t)snprintf(xml + len, cap - len, "</weights><biases>");
            char dec[128];
            bm_fixed_type vt = k < neurons * width ? lt.weight : lt.accum;
            int64_t raw = test_rng_next(s) % 5 == 0 ? 0 : test_random_raw(s, vt);
            bm_fixed_format(dec, sizeof dec, raw, vt);
            len += (size_t)snprintf(xml + len, cap - len, "%s ", dec);
        }
        len += (size_t)snprintf(xml + len, cap - len, "</biases></layer>\n");
        width = neurons;
        in = lt.result;
    }
    len += (size_t)snprintf(xml + len, cap - len, "%s</network>\n", argmax ? "<argmax/>" : "");
    cr_assert_lt(len, cap);
    *type = t;
    *len_out = len;
    return xml;
}

static inline char *random_network_xml(uint64_t seed, unsigned type_span, unsigned max_layers,
                                       unsigned max_width, int more_activations,
                                       bm_fixed_type *type, uint64_t *s, size_t *len_out)
{
    return random_network_xml_typed(seed, type_span, max_layers, max_width, more_activations, 0,
                                    type, s, len_out);
}

#endif
