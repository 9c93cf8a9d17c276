/* bmc explore --collect: the Pareto chart, area (LUTs) against vectors per
 * second, both on log scales (a sweep spans decades of both).  One marker
 * per point, coloured by device; the Pareto front joined by a line and
 * drawn filled; reference points as labelled squares.  It follows the look
 * of bmc sim --activity (sim/trace.c): same header, white ground, font and
 * <title> tooltips; the library's text buffer is internal, so bmc keeps its
 * own (explore_text.c).  Coordinates are printed to 0.1 px: the bytes
 * depend only on the points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"

enum { W = 760, H = 500, LEFT = 80, RIGHT = 180, TOP = 56, BOTTOM = 60 };

static const char *const palette[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf"};

static void put_xml(ex_text *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            ex_put(t, "&lt;");
        else if (*s == '>')
            ex_put(t, "&gt;");
        else if (*s == '&')
            ex_put(t, "&amp;");
        else if (*s == '"')
            ex_put(t, "&quot;");
        else if ((unsigned char)*s >= 0x20)
            ex_putn(t, s, 1);
    }
}

/* 10^k as 100, 10k, 1M, ... */
static void decade_label(char *buf, size_t size, int k)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T"};
    if (k < 0 || k >= 15) {
        snprintf(buf, size, "1e%d", k);
        return;
    }
    int unit = k / 3;
    snprintf(buf, size, "%d%s", k % 3 == 0 ? 1 : k % 3 == 1 ? 10 : 100, suffix[unit]);
}

static int cmp_area(const void *a, const void *b)
{
    const ex_chart_point *p = *(const ex_chart_point *const *)a, *q = *(const ex_chart_point *const *)b;
    if (p->area != q->area)
        return p->area < q->area ? -1 : 1;
    return p->rate > q->rate ? -1 : p->rate < q->rate ? 1 : strcmp(p->label, q->label);
}

void ex_chart_svg(ex_text *t, const ex_chart_point *p, size_t n, const char *title,
                  const char *note)
{
    double ax0 = 1, ax1 = 2, ry0 = 1, ry1 = 2;
    for (size_t i = 0; i < n; i++) {
        double a = log10(p[i].area), r = log10(p[i].rate);
        if (i == 0 || a < ax0)
            ax0 = a;
        if (i == 0 || a > ax1)
            ax1 = a;
        if (i == 0 || r < ry0)
            ry0 = r;
        if (i == 0 || r > ry1)
            ry1 = r;
    }
    int dx0 = (int)floor(ax0), dx1 = (int)ceil(ax1), dy0 = (int)floor(ry0), dy1 = (int)ceil(ry1);
    if (dx1 <= dx0)
        dx1 = dx0 + 1;
    if (dy1 <= dy0)
        dy1 = dy0 + 1;
    double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
#define XPOS(a) (LEFT + (log10(a) - dx0) / (dx1 - dx0) * pw)
#define YPOS(r) (TOP + ph - (log10(r) - dy0) / (dy1 - dy0) * ph)
    ex_printf(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" "
                 "font-size=\"12\">\n<title>",
              W, H, W, H);
    put_xml(t, title);
    ex_put(t, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
              "<text x=\"8\" y=\"20\" font-size=\"14\">");
    put_xml(t, title);
    ex_put(t, "</text>\n<text x=\"8\" y=\"38\" fill=\"#555\">");
    put_xml(t, note);
    ex_put(t, "</text>\n");
    /* Decade grid and labels. */
    for (int k = dx0; k <= dx1; k++) {
        char lab[16];
        double x = LEFT + (double)(k - dx0) / (dx1 - dx0) * pw;
        decade_label(lab, sizeof lab, k);
        ex_printf(t, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                  x, TOP, x, H - BOTTOM, x, H - BOTTOM + 16, lab);
    }
    for (int k = dy0; k <= dy1; k++) {
        char lab[16];
        double y = TOP + ph - (double)(k - dy0) / (dy1 - dy0) * ph;
        decade_label(lab, sizeof lab, k);
        ex_printf(t, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                  LEFT, y, W - RIGHT, y, LEFT - 6, y + 4, lab);
    }
    ex_printf(t, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                 "stroke=\"#444\"/>\n"
                 "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">area (LUTs)</text>\n"
                 "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
                 "%.1f)\">vectors per second</text>\n",
              LEFT, TOP, pw, ph, LEFT + pw / 2, H - 20, TOP + ph / 2, TOP + ph / 2);

    /* The groups (devices) in order of first appearance, for colour and legend. */
    const char *groups[8];
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].reference)
            continue;
        size_t g = 0;
        while (g < ng && strcmp(groups[g], p[i].group))
            g++;
        if (g == ng && ng < 8)
            groups[ng++] = p[i].group;
    }
    /* The front, as a staircase in order of area. */
    const ex_chart_point **front = calloc(n + 1, sizeof *front);
    size_t nf = 0;
    if (!front) {
        t->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i].front)
            front[nf++] = &p[i];
    qsort(front, nf, sizeof *front, cmp_area);
    if (nf > 1) {
        ex_put(t, "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"");
        for (size_t i = 0; i < nf; i++) {
            if (i)
                ex_printf(t, " %.1f,%.1f", XPOS(front[i]->area), YPOS(front[i - 1]->rate));
            ex_printf(t, "%s%.1f,%.1f", i ? " " : "", XPOS(front[i]->area), YPOS(front[i]->rate));
        }
        ex_put(t, "\"/>\n");
    }
    free(front);
    for (size_t i = 0; i < n; i++) {
        double x = XPOS(p[i].area), y = YPOS(p[i].rate);
        if (p[i].reference) {
            ex_printf(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#ff7f0e\" "
                         "stroke=\"black\"><title>",
                      x - 4.5, y - 4.5);
            put_xml(t, p[i].label);
            ex_printf(t, ": %.0f LUT, %.4g vectors/s</title></rect>\n"
                         "<text x=\"%.1f\" y=\"%.1f\" fill=\"#a64d00\">",
                      p[i].area, p[i].rate, x + 8, y + 4);
            put_xml(t, p[i].label);
            ex_put(t, "</text>\n");
            continue;
        }
        size_t g = 0;
        while (g < ng && strcmp(groups[g], p[i].group))
            g++;
        const char *colour = palette[g % (sizeof palette / sizeof palette[0])];
        ex_printf(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" stroke=\"%s\" "
                     "stroke-width=\"%s\"><title>",
                  x, y, p[i].front ? "5" : "3.5", p[i].front ? colour : "white", p[i].front ? "#d62728" : colour,
                  p[i].front ? "2" : "1.5");
        put_xml(t, p[i].label);
        ex_put(t, " (");
        put_xml(t, p[i].group);
        ex_printf(t, "): %.0f LUT, %.4g vectors/s%s</title></circle>\n", p[i].area, p[i].rate,
                  p[i].front ? ", on the Pareto front" : "");
        if (p[i].front) {
            ex_printf(t, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">", x + 7, y - 6);
            put_xml(t, p[i].label);
            ex_put(t, "</text>\n");
        }
    }
    /* Legend. */
    double ly = TOP + 10;
    int lx = W - RIGHT + 14;
    for (size_t g = 0; g < ng; g++, ly += 18) {
        ex_printf(t, "<circle cx=\"%d\" cy=\"%.1f\" r=\"3.5\" fill=\"white\" stroke=\"%s\" "
                     "stroke-width=\"1.5\"/><text x=\"%d\" y=\"%.1f\">",
                  lx, ly, palette[g % (sizeof palette / sizeof palette[0])], lx + 10, ly + 4);
        put_xml(t, groups[g]);
        ex_put(t, "</text>\n");
    }
    ex_printf(t, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d62728\" "
                 "stroke-width=\"1.5\"/><text x=\"%d\" y=\"%.1f\">Pareto front</text>\n",
              lx - 5, ly, lx + 5, ly, lx + 10, ly + 4);
    ly += 18;
    ex_printf(t, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#ff7f0e\" "
                 "stroke=\"black\"/><text x=\"%d\" y=\"%.1f\">reference</text>\n",
              lx - 4.5, ly - 4.5, lx + 10, ly + 4);
    if (n == 0)
        ex_printf(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">no "
                     "finished point with an area and a rate yet</text>\n",
                  LEFT + pw / 2, TOP + ph / 2);
    ex_put(t, "</svg>\n");
#undef XPOS
#undef YPOS
}
