/* bmc dot: Graphviz text for a machine or a graph (docs/dot.md). */
#include <getopt.h>
#include <string.h>

#include "bmc.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: bmc dot [OPTIONS] FILE\n"
            "\n"
            "Writes a drawing of FILE as Graphviz (DOT) text; render it with\n"
            "'dot -Tsvg'.  FILE is a machine XML (cores as boxes with their width,\n"
            "registers, program size and opcodes; bonds as edges with their widths;\n"
            "external inputs at the left, outputs at the right) or a graph: a text\n"
            "graph, GraphML or a network XML (one node per operation, one edge per\n"
            "value read, each network layer and neuron in a cluster).  They are told\n"
            "apart by content.  The same input always gives the same bytes.\n"
            "docs/dot.md describes the drawings.\n"
            "\n"
            "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
            "      --type TYPE     read a graph in fixed<TOTAL,INTEGER> or int<TOTAL>\n"
            "\n"
            "Exit status: 0 written, 1 bad input or write error, 2 usage error.\n");
}

/* The name of the first element of an XML file, or "" when the file does
 * not start like XML. */
static void root_element(const char *path, char *name, size_t size)
{
    name[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = buf;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (*p != '<')
            return;
        if (strncmp(p, "<?", 2) == 0 || strncmp(p, "<!DOCTYPE", 9) == 0) {
            p = strchr(p, '>');
        } else if (strncmp(p, "<!--", 4) == 0) {
            p = strstr(p, "-->");
            if (p)
                p += 2;
        } else {
            p++;
            size_t len = strcspn(p, " \t\r\n/>");
            if (len >= size)
                len = size - 1;
            memcpy(name, p, len);
            name[len] = '\0';
            return;
        }
        if (!p)
            return;
        p++;
    }
}

static int run(int argc, char **argv)
{
    enum { OPT_TYPE = 256 };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"type", required_argument, NULL, OPT_TYPE},
                                         {0, 0, 0, 0}};
    const char *output = NULL;
    bm_graph_options gopt = BM_GRAPH_OPTIONS_INIT;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_TYPE:
            if (bm_graph_parse_type(optarg, &gopt.type))
                return bmc_usage_error("dot", "--type takes fixed<T,I> or int<T>, not '%s'",
                                       optarg);
            gopt.force_type = 1;
            break;
        case ':': return bmc_usage_error("dot", "option '%s' needs a value", argv[optind - 1]);
        default: return bmc_usage_error("dot", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return bmc_usage_error("dot", "expected exactly one FILE");
    const char *path = argv[optind];
    char root[64];
    root_element(path, root, sizeof root);
    bm_ctx *ctx = bmc_new_ctx();
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (strcmp(root, "machine") == 0) {
        bm_machine *m;
        rc = bmc_load_machine(ctx, path, &m);
        if (rc == 0) {
            rc = bm_machine_dot(&text, &len, m);
            bm_machine_free(m);
        }
    } else {
        bm_graph *g;
        rc = bm_graph_read_file(&g, ctx, path, &gopt);
        if (rc == 0) {
            rc = bm_graph_dot(&text, &len, g);
            bm_graph_free(g);
        }
    }
    bmc_print_diags(ctx);
    if (rc == 0 && (output ? bmc_write_file(output, text, len) : bmc_write_stdout(text, len)))
        rc = -1;
    bm_dot_free(ctx, text);
    bm_ctx_free(ctx);
    return rc ? BMC_EXIT_FAIL : BMC_EXIT_OK;
}

const bmc_command bmc_cmd_dot = {"dot", "draw a machine or a graph as Graphviz text", run, help};
