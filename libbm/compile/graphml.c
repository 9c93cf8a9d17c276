/* GraphML front end (docs/graph.md): arbitrary DAGs as exported by graph
 * tools (networkx, yEd, Gephi, igraph).
 *
 * Data are found through the <key> declarations by their attr.name, so
 * files that call their keys "d0", "d1" work: nodes carry "op" (and "value"
 * for constants, "name" for inputs and outputs), edges may carry "port" (the
 * operand position), the graph may carry "total" and "frac".  Elements of
 * other namespaces (drawing data) are ignored.  An edge source -> target
 * means "source is an operand of target". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "graph_impl.h"

extern const char bm_schema_graphml[];

#define GRAPHML_NS "http://graphml.graphdrawing.org/xmlns"

typedef struct gml_key {
    char *id, *name, *domain, *deflt;
} gml_key;

typedef struct gml_edge {
    xmlNodePtr el;
    unsigned source, target;
    long port; /* -1 = none */
} gml_edge;

typedef struct gml_node {
    xmlNodePtr el;
    char *id;
    bm_op op;
    unsigned *in; /* incoming edges, by port once sorted */
    size_t n_in, cap_in;
    unsigned first_id, result_id; /* builder ids */
} gml_node;

typedef struct gml {
    bm_ctx *ctx;
    bm_xml_doc doc;
    gml_key *keys;
    size_t n_keys, cap_keys;
    gml_node *nodes;
    size_t n_nodes, cap_nodes;
    gml_edge *edges;
    size_t n_edges, cap_edges;
    bm_names ids; /* node id -> index */
    bm_graph *g;
    int errors;
} gml;

static int is_graphml(xmlNodePtr n, const char *name)
{
    /* GraphML elements are in the GraphML namespace or in none. */
    if (!bm_xml_is(n, name))
        return 0;
    return !n->ns || !n->ns->href || strcmp((const char *)n->ns->href, GRAPHML_NS) == 0;
}

/* Puts the elements of a document without namespaces into the GraphML
 * namespace, so one schema checks both spellings. */
static int add_namespace(xmlNodePtr root)
{
    if (root->ns)
        return BM_OK;
    xmlNsPtr ns = xmlNewNs(root, (const xmlChar *)GRAPHML_NS, NULL);
    if (!ns)
        return BM_ENOMEM;
    xmlNodePtr n = root;
    while (n) {
        if (n->type == XML_ELEMENT_NODE && !n->ns)
            xmlSetNs(n, ns);
        if (n->children && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            continue;
        }
        while (n && n != root && !n->next)
            n = n->parent;
        n = n == root || !n ? NULL : n->next;
    }
    return BM_OK;
}

/* Records an error at an element and counts it; returns BM_EPARSE. */
static int err(gml *r, xmlNodePtr at, const char *fmt, ...) BM_PRINTF(3, 4);

static int err(gml *r, xmlNodePtr at, const char *fmt, ...)
{
    r->errors++;
    va_list ap;
    va_start(ap, fmt);
    int rc = bm_diag_addv(r->ctx, BM_SEV_ERROR, bm_xml_loc(&r->doc, at), fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- structure ------------------------------------------------------------------------ */

/* The GraphML children each GraphML element may have (data, default and
 * desc hold anything).  Checked before the schema, whose messages cannot
 * point at the offending element. */
static const char *allowed_children(const char *parent)
{
    static const char *const table[][2] = {
        {"graphml", " desc key graph data "},
        {"key", " desc default "},
        {"graph", " desc data node edge hyperedge "},
        {"node", " desc data port graph "},
        {"edge", " desc data graph "},
        {"port", " desc data port "},
        {"hyperedge", " desc data endpoint graph "},
        {"endpoint", " desc "},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(table[i][0], parent) == 0)
            return table[i][1];
    return NULL; /* anything */
}

static void check_structure(gml *r, xmlNodePtr el)
{
    const char *allowed = allowed_children((const char *)el->name);
    if (!allowed)
        return;
    for (xmlNodePtr c = el->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !is_graphml(c, (const char *)c->name))
            continue;
        char word[80];
        snprintf(word, sizeof word, " %s ", (const char *)c->name);
        if (!strstr(allowed, word)) {
            r->errors++;
            bm_error(r->ctx, bm_xml_loc(&r->doc, c), "unexpected <%s> in <%s> (expected one of:%.*s)",
                     (const char *)c->name, (const char *)el->name, (int)strlen(allowed) - 1,
                     allowed);
        } else {
            check_structure(r, c);
        }
    }
}

/* ---- keys and data ------------------------------------------------------------------ */

static int read_keys(gml *r, xmlNodePtr root)
{
    for (xmlNodePtr k = root->children; k; k = k->next) {
        if (!is_graphml(k, "key"))
            continue;
        if (bm_grow(r->ctx, (void **)&r->keys, &r->cap_keys, r->n_keys + 1, sizeof *r->keys))
            return BM_ENOMEM;
        gml_key *key = &r->keys[r->n_keys++];
        memset(key, 0, sizeof *key);
        key->id = bm_xml_attr(k, "id");
        key->name = bm_xml_attr(k, "attr.name");
        key->domain = bm_xml_attr(k, "for");
        for (xmlNodePtr d = k->children; d; d = d->next)
            if (is_graphml(d, "default") && !key->deflt)
                key->deflt = (char *)xmlNodeGetContent(d);
        if (!key->id)
            err(r, k, "<key> needs an id");
    }
    return BM_OK;
}

/* Is this key the attribute `name` of elements of kind `domain`? */
static int key_means(const gml_key *k, const char *name, const char *domain)
{
    const char *kname = k->name ? k->name : k->id;
    if (!kname || strcmp(kname, name) != 0)
        return 0;
    return !k->domain || strcmp(k->domain, domain) == 0 || strcmp(k->domain, "all") == 0;
}

/* The <data> child of el holding attribute `name`; *text gets its content
 * (xmlFree) or the key's default (not to be freed: *owned = 0).  Returns
 * NULL for the element when there is no <data> (text may still hold a
 * default). */
static xmlNodePtr get_data(gml *r, xmlNodePtr el, const char *domain, const char *name,
                           char **text, int *owned)
{
    *text = NULL;
    *owned = 0;
    for (xmlNodePtr d = el->children; d; d = d->next) {
        if (!is_graphml(d, "data"))
            continue;
        char *key = bm_xml_attr(d, "key");
        int match = 0;
        for (size_t i = 0; key && i < r->n_keys && !match; i++)
            match = r->keys[i].id && strcmp(r->keys[i].id, key) == 0 &&
                    key_means(&r->keys[i], name, domain);
        xmlFree(key);
        if (match) {
            *text = (char *)xmlNodeGetContent(d);
            *owned = 1;
            return d;
        }
    }
    for (size_t i = 0; i < r->n_keys; i++)
        if (key_means(&r->keys[i], name, domain) && r->keys[i].deflt) {
            *text = r->keys[i].deflt;
            return NULL;
        }
    return NULL;
}

/* Every <data> must name a declared key. */
static void check_data_keys(gml *r, xmlNodePtr el)
{
    for (xmlNodePtr d = el->children; d; d = d->next) {
        if (!is_graphml(d, "data"))
            continue;
        char *key = bm_xml_attr(d, "key");
        int found = 0;
        for (size_t i = 0; key && i < r->n_keys && !found; i++)
            found = r->keys[i].id && strcmp(r->keys[i].id, key) == 0;
        if (!key)
            err(r, d, "<data> needs a key");
        else if (!found)
            err(r, d, "data key '%s' is not declared by a <key>", key);
        xmlFree(key);
    }
}

static void free_text(char *text, int owned)
{
    if (owned)
        xmlFree(text);
}

/* The single word of a data element (trimmed) and its exact location. */
static int data_word(gml *r, xmlNodePtr data, const char *text, char *out, size_t size,
                     bm_loc *loc)
{
    *loc = bm_xml_loc(&r->doc, data);
    if (data) {
        bm_xml_words w;
        if (bm_xml_words_get(&r->doc, data, &w))
            return BM_ENOMEM;
        if (w.count >= 1)
            *loc = w.words[0].loc;
        int one = w.count == 1;
        snprintf(out, size, "%s", w.count ? w.words[0].text : "");
        bm_xml_words_free(&r->doc, &w);
        return one ? BM_OK : BM_EPARSE;
    }
    /* A key default. */
    const char *s = text;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    snprintf(out, size, "%s", s);
    size_t n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return n && !strpbrk(out, " \t\r\n") ? BM_OK : BM_EPARSE;
}

static int read_uint_data(gml *r, xmlNodePtr el, const char *domain, const char *name,
                          unsigned *out, int *present)
{
    char *text;
    int owned;
    xmlNodePtr d = get_data(r, el, domain, name, &text, &owned);
    *present = text != NULL;
    if (!text)
        return BM_OK;
    char word[64];
    bm_loc loc;
    int rc = data_word(r, d, text, word, sizeof word, &loc);
    free_text(text, owned);
    if (rc == BM_ENOMEM)
        return rc;
    char *end;
    errno = 0;
    unsigned long v = strtoul(word, &end, 10);
    if (rc || !word[0] || *end || errno || v > 100000 || word[0] == '-' || word[0] == '+') {
        r->errors++;
        return bm_error(r->ctx, loc, "'%s' must be a non-negative integer, not '%s'", name, word);
    }
    *out = (unsigned)v;
    return BM_OK;
}

/* ---- the graph ------------------------------------------------------------------------ */

static int read_type(gml *r, xmlNodePtr graph, const bm_graph_options *opt, bm_fixed_type *t)
{
    unsigned total = 0, frac = 0;
    int has_total = 0, has_frac = 0;
    int rc = read_uint_data(r, graph, "graph", "total", &total, &has_total);
    if (!rc)
        rc = read_uint_data(r, graph, "graph", "frac", &frac, &has_frac);
    if (rc)
        return rc;
    *t = opt->type;
    if (has_total != has_frac) {
        err(r, graph, "the graph gives '%s' without '%s': give both or neither",
            has_total ? "total" : "frac", has_total ? "frac" : "total");
        return BM_OK;
    }
    bm_fixed_type ft = {total, frac};
    if (has_total && bm_fixed_type_check(ft)) {
        r->errors++;
        bm_error(r->ctx, bm_xml_loc(&r->doc, graph),
                 "invalid type: total=%u frac=%u (need 2 <= total <= 64 and frac < total)", total,
                 frac);
        return BM_OK;
    }
    if (has_total && !opt->force_type)
        *t = ft;
    return BM_OK;
}

static int read_node(gml *r, xmlNodePtr el)
{
    check_data_keys(r, el);
    for (xmlNodePtr c = el->children; c; c = c->next)
        if (is_graphml(c, "graph"))
            return err(r, c, "nested graphs are not supported");
    char *id = bm_xml_attr(el, "id");
    if (!id)
        return err(r, el, "<node> needs an id");
    unsigned prev;
    if (bm_names_get(&r->ids, id, &prev)) {
        err(r, el, "node '%s' is already defined", id);
        bm_diag_add(r->ctx, BM_SEV_NOTE, bm_xml_loc(&r->doc, r->nodes[prev].el),
                    "'%s' was defined here", id);
        xmlFree(id);
        return BM_EPARSE;
    }
    if (bm_grow(r->ctx, (void **)&r->nodes, &r->cap_nodes, r->n_nodes + 1, sizeof *r->nodes) ||
        bm_names_put(&r->ids, id, (unsigned)r->n_nodes)) {
        xmlFree(id);
        return BM_ENOMEM;
    }
    gml_node *n = &r->nodes[r->n_nodes++];
    memset(n, 0, sizeof *n);
    n->el = el;
    n->id = id;
    n->op = BM_OP_CONST;
    char *text;
    int owned;
    xmlNodePtr d = get_data(r, el, "node", "op", &text, &owned);
    if (!text)
        return err(r, el, "node '%s' has no 'op' data", id);
    char word[64];
    bm_loc loc;
    int rc = data_word(r, d, text, word, sizeof word, &loc);
    free_text(text, owned);
    if (rc == BM_ENOMEM)
        return rc;
    int op = rc ? -1 : bm_op_from_name(word);
    if (op == BM_OP_SHL || op == BM_OP_SAR)
        op = -1; /* they need an amount, which GraphML does not spell */
    if (op < 0) {
        r->errors++;
        return bm_error(r->ctx, loc,
                        "unknown operation '%s' (known: input, const, add, sub, mul, neg, relu, "
                        "min, max, argmax, output)",
                        word);
    }
    n->op = (bm_op)op;
    return BM_OK;
}

static int read_edge(gml *r, xmlNodePtr el, int undirected_default)
{
    check_data_keys(r, el);
    char *source = bm_xml_attr(el, "source");
    char *target = bm_xml_attr(el, "target");
    char *directed = bm_xml_attr(el, "directed");
    unsigned s = 0, t = 0;
    int rc = BM_OK;
    if (!source || !target) {
        rc = err(r, el, "<edge> needs a source and a target");
    } else if (!bm_names_get(&r->ids, source, &s)) {
        rc = err(r, el, "edge source '%s' is not a node", source);
    } else if (!bm_names_get(&r->ids, target, &t)) {
        rc = err(r, el, "edge target '%s' is not a node", target);
    } else if (directed && strcmp(directed, "true") != 0) {
        rc = err(r, el, "edge '%s' -> '%s' is undirected: data flow needs directed edges", source,
                 target);
    } else if (!directed && undirected_default) {
        rc = BM_EPARSE; /* reported once, on the graph */
    } else if (r->nodes[s].op == BM_OP_OUTPUT) {
        rc = err(r, el, "'%s' is an output and cannot feed '%s'", source, target);
    }
    xmlFree(source);
    xmlFree(target);
    xmlFree(directed);
    if (rc)
        return rc;
    unsigned port = 0;
    int has_port;
    if ((rc = read_uint_data(r, el, "edge", "port", &port, &has_port)))
        return rc;
    if (bm_grow(r->ctx, (void **)&r->edges, &r->cap_edges, r->n_edges + 1, sizeof *r->edges))
        return BM_ENOMEM;
    gml_edge *e = &r->edges[r->n_edges];
    e->el = el;
    e->source = s;
    e->target = t;
    e->port = has_port ? (long)port : -1;
    gml_node *n = &r->nodes[t];
    if (bm_grow(r->ctx, (void **)&n->in, &n->cap_in, n->n_in + 1, sizeof *n->in))
        return BM_ENOMEM;
    n->in[n->n_in++] = (unsigned)r->n_edges++;
    return BM_OK;
}

/* Puts a node's incoming edges in operand order: by port when the edges
 * have ports (then all must, with ports 0..n-1 once each), else in the
 * order of the file. */
static void order_operands(gml *r, gml_node *n)
{
    size_t with = 0;
    for (size_t i = 0; i < n->n_in; i++)
        with += r->edges[n->in[i]].port >= 0;
    if (with == 0)
        return;
    if (with != n->n_in) {
        for (size_t i = 0; i < n->n_in; i++)
            if (r->edges[n->in[i]].port < 0) {
                err(r, r->edges[n->in[i]].el,
                    "this edge into '%s' has no port, but other edges into '%s' have one", n->id,
                    n->id);
                return;
            }
    }
    /* Insertion sort: operand lists are short. */
    for (size_t i = 1; i < n->n_in; i++) {
        unsigned e = n->in[i];
        size_t j = i;
        while (j > 0 && r->edges[n->in[j - 1]].port > r->edges[e].port) {
            n->in[j] = n->in[j - 1];
            j--;
        }
        n->in[j] = e;
    }
    char a[32];
    for (size_t i = 1; i < n->n_in; i++) {
        long port = r->edges[n->in[i]].port;
        if (port == r->edges[n->in[i - 1]].port) {
            snprintf(a, sizeof a, "%ld", port);
            err(r, r->edges[n->in[i]].el, "two edges into '%s' have port %s", n->id, a);
            return;
        }
    }
    for (size_t i = 0; i < n->n_in; i++) {
        if (r->edges[n->in[i]].port != (long)i) {
            snprintf(a, sizeof a, "%zu", i);
            err(r, n->el, "node '%s' has no operand on port %s", n->id, a);
            return;
        }
    }
}

/* Ops that take two or more operands in GraphML and fold to a left chain
 * of binary nodes. */
static int folds(bm_op op)
{
    return op == BM_OP_ADD || op == BM_OP_MUL || op == BM_OP_MIN || op == BM_OP_MAX;
}

static void check_arity(gml *r, gml_node *n)
{
    size_t k = n->n_in;
    const char *op = bm_op_name(n->op);
    const char *need = NULL;
    switch (n->op) {
    case BM_OP_INPUT:
    case BM_OP_CONST: need = k == 0 ? NULL : "no operands"; break;
    case BM_OP_NEG:
    case BM_OP_RELU:
    case BM_OP_OUTPUT: need = k == 1 ? NULL : "1 operand"; break;
    case BM_OP_SUB: need = k == 2 ? NULL : "2 operands"; break;
    case BM_OP_ARGMAX: need = k >= 1 ? NULL : "at least 1 operand"; break;
    default: need = k >= 2 ? NULL : "at least 2 operands"; break;
    }
    if (!need)
        return;
    err(r, n->el, "'%s' takes %s, and node '%s' has %zu", op, need, n->id, k);
}

/* Builder ids: a folded node of k operands is k-1 binary nodes, the last
 * one being its result. */
static void assign_ids(gml *r)
{
    unsigned next = 0;
    for (size_t i = 0; i < r->n_nodes; i++) {
        gml_node *n = &r->nodes[i];
        n->first_id = next;
        next += folds(n->op) ? (unsigned)n->n_in - 1 : 1;
        n->result_id = next - 1;
    }
}

static int build_node(gml *r, gml_node *n)
{
    bm_graph *g = r->g;
    bm_loc loc = bm_xml_loc(&r->doc, n->el);
    unsigned *opd = bm_malloc(r->ctx, (n->n_in ? n->n_in : 1) * sizeof *opd);
    if (!opd)
        return bm_oom(r->ctx);
    for (size_t i = 0; i < n->n_in; i++)
        opd[i] = r->nodes[r->edges[n->in[i]].source].result_id;
    int rc = BM_OK;
    char *text = NULL;
    int owned = 0;
    if (n->op == BM_OP_INPUT || n->op == BM_OP_OUTPUT) {
        xmlNodePtr d = get_data(r, n->el, "node", "name", &text, &owned);
        char name[128];
        bm_loc nloc;
        if (text && (rc = data_word(r, d, text, name, sizeof name, &nloc))) {
            if (rc != BM_ENOMEM)
                err(r, d ? d : n->el, "the name of node '%s' must be one word", n->id);
        } else {
            const char *nm = text ? name : n->id;
            rc = n->op == BM_OP_INPUT ? bm_graph_add_input(g, NULL, nm, loc)
                                      : bm_graph_add_output(g, NULL, nm, opd[0], loc);
        }
    } else if (n->op == BM_OP_CONST) {
        xmlNodePtr d = get_data(r, n->el, "node", "value", &text, &owned);
        char word[512];
        bm_loc vloc;
        int64_t raw = 0;
        if (!text) {
            rc = err(r, n->el, "constant node '%s' has no 'value' data", n->id);
        } else if ((rc = data_word(r, d, text, word, sizeof word, &vloc))) {
            if (rc != BM_ENOMEM)
                err(r, d ? d : n->el, "the value of node '%s' must be one number", n->id);
        } else if ((rc = bm_fixed_parse(r->ctx, word, g->type, vloc, &raw))) {
            r->errors++;
            if (rc == BM_ERANGE)
                rc = BM_EPARSE; /* reported; reading goes on */
        }
        if (rc != BM_ENOMEM)
            rc = bm_graph_add_const(g, NULL, raw, loc);
    } else if (folds(n->op)) {
        unsigned acc = opd[0];
        for (size_t i = 1; i < n->n_in && !rc; i++) {
            unsigned pair[2] = {acc, opd[i]};
            rc = bm_graph_add_op(g, &acc, n->op, pair, 2, loc);
        }
    } else {
        rc = bm_graph_add_op(g, NULL, n->op, opd, (unsigned)n->n_in, loc);
    }
    free_text(text, owned);
    bm_free(r->ctx, opd);
    if (!rc && n->op != BM_OP_INPUT && n->op != BM_OP_OUTPUT)
        rc = bm_graph_set_node_name(g, n->result_id, n->id);
    return rc == BM_EPARSE ? BM_OK : rc;
}

static int read_graph(gml *r, const bm_graph_options *opt)
{
    xmlNodePtr root = xmlDocGetRootElement(r->doc.doc);
    int rc = read_keys(r, root);
    if (rc)
        return rc;
    xmlNodePtr graph = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (!is_graphml(c, "graph"))
            continue;
        if (graph)
            return err(r, c, "only one <graph> per file is supported");
        graph = c;
    }
    if (!graph)
        return err(r, root, "the file has no <graph>");
    check_data_keys(r, graph);
    char *edgedefault = bm_xml_attr(graph, "edgedefault");
    int undirected = edgedefault && strcmp(edgedefault, "undirected") == 0;
    xmlFree(edgedefault);
    if (undirected)
        err(r, graph, "the graph is undirected (edgedefault=\"undirected\"): data flow needs "
                      "directed edges");
    bm_fixed_type type;
    if ((rc = read_type(r, graph, opt, &type)))
        return rc;
    for (xmlNodePtr c = graph->children; c && rc != BM_ENOMEM; c = c->next)
        if (is_graphml(c, "node"))
            rc = read_node(r, c);
        else if (is_graphml(c, "hyperedge"))
            rc = err(r, c, "hyperedges are not supported");
    for (xmlNodePtr c = graph->children; c && rc != BM_ENOMEM; c = c->next)
        if (is_graphml(c, "edge"))
            rc = read_edge(r, c, undirected);
    if (rc == BM_ENOMEM)
        return rc;
    if (r->errors)
        return BM_EPARSE;
    for (size_t i = 0; i < r->n_nodes; i++) {
        order_operands(r, &r->nodes[i]);
        check_arity(r, &r->nodes[i]);
    }
    if (r->errors)
        return BM_EPARSE;
    assign_ids(r);
    if ((rc = bm_graph_new(&r->g, r->ctx, type)))
        return rc;
    bm_graph_set_loc(r->g, bm_xml_loc(&r->doc, graph));
    for (size_t i = 0; i < r->n_nodes && !rc; i++)
        rc = build_node(r, &r->nodes[i]);
    if (!rc && r->errors)
        rc = BM_EPARSE;
    if (!rc && !(rc = bm_graph_finish(r->g, NULL)))
        bm_graph_warn_unused(r->g);
    return rc;
}

int bm_graph_read_graphml(bm_graph **out, bm_ctx *ctx, const char *data, size_t size,
                          const char *name, const bm_graph_options *opt)
{
    if (!out || !ctx || (!data && size))
        return BM_EINVAL;
    *out = NULL;
    bm_graph_options defaults = BM_GRAPH_OPTIONS_INIT;
    if (!opt)
        opt = &defaults;
    if (opt->version != BM_GRAPH_OPTIONS_VERSION)
        return BM_EINVAL;
    gml r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    bm_names_init(&r.ids, ctx);
    int rc = bm_xml_doc_parse(&r.doc, ctx, data, size, name);
    if (!rc && add_namespace(xmlDocGetRootElement(r.doc.doc)))
        rc = bm_oom(ctx);
    if (!rc) {
        xmlNodePtr root = xmlDocGetRootElement(r.doc.doc);
        if (!is_graphml(root, "graphml"))
            rc = err(&r, root, "not GraphML: the root element is <%s>, not <graphml>",
                     (const char *)root->name);
        else
            check_structure(&r, root);
        if (r.errors)
            rc = BM_EPARSE;
    }
    if (!rc)
        rc = bm_xml_doc_validate(&r.doc, bm_schema_graphml, "GraphML");
    if (!rc)
        rc = read_graph(&r, opt);
    for (size_t i = 0; i < r.n_keys; i++) {
        xmlFree(r.keys[i].id);
        xmlFree(r.keys[i].name);
        xmlFree(r.keys[i].domain);
        xmlFree(r.keys[i].deflt);
    }
    for (size_t i = 0; i < r.n_nodes; i++) {
        xmlFree(r.nodes[i].id);
        bm_free(ctx, r.nodes[i].in);
    }
    bm_free(ctx, r.keys);
    bm_free(ctx, r.nodes);
    bm_free(ctx, r.edges);
    bm_names_free(&r.ids);
    bm_xml_doc_free(&r.doc);
    if (rc) {
        bm_graph_free(r.g);
        return rc;
    }
    *out = r.g;
    return BM_OK;
}
