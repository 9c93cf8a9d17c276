/* Reader of the machine XML: libxml2 parse, RelaxNG validation against the
 * compiled-in schema, conversion to the model, then bm_machine_validate().
 *
 * Locations: every element is located at the '<' of its start tag, found by
 * a scan of the source text (record_positions); columns count bytes from 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "bm/insn.h"
#include "bm/xml.h"
#include "internal.h"
#include "xml_explain.h"
#include "xml_parse_error.h"

extern const char bm_schema_machine[];

const char *bm_machine_schema(void)
{
    return bm_schema_machine;
}

typedef struct reader {
    bm_ctx *ctx;
    const char *name; /* file name for messages (interned) */
    const char *text;
    size_t size;
    xmlParserCtxtPtr parser;
    int errors;
    xmlNodePtr last_schema_node; /* the element of the last schema error */
    bmi_xml_first_error first; /* libxml2's first parse error */
} reader;

/* The line and column of each element's start tag ('<') are found in the
 * source text and hung on node->_private.  Elements come in document order,
 * which is the order of their start tags in the text, so one forward scan
 * that skips comments, CDATA, processing instructions, declarations and end
 * tags meets each start tag in turn.  (xmlGetLineNo() gives the line where a
 * start tag ends, which is wrong for a tag spread over several lines, and
 * the node info of record_info is unreliable in libxml2 2.9.) */
typedef struct elem_pos {
    unsigned line, column;
} elem_pos;

typedef struct pos_walk {
    elem_pos *pos;
    size_t used, cap;
    size_t off;         /* scan cursor in the text                 */
    size_t line_start;  /* offset of the first byte of its line    */
    unsigned line;      /* its line number                         */
} pos_walk;

static size_t count_elements(xmlNodePtr node)
{
    size_t n = 0;
    for (; node; node = node->next)
        if (node->type == XML_ELEMENT_NODE)
            n += 1 + count_elements(node->children);
    return n;
}

/* Moves the cursor to `to`, keeping the line count. */
static void advance(const reader *r, pos_walk *w, size_t to)
{
    if (to > r->size)
        to = r->size;
    for (; w->off < to; w->off++) {
        if (r->text[w->off] == '\n') {
            w->line++;
            w->line_start = w->off + 1;
        }
    }
}

static int text_at(const reader *r, size_t off, const char *s)
{
    size_t n = strlen(s);
    return off + n <= r->size && memcmp(r->text + off, s, n) == 0;
}

/* Offset just after the first `end` at or after off (the end of the text if
 * there is none). */
static size_t skip_past(const reader *r, size_t off, const char *end)
{
    for (; off < r->size; off++)
        if (text_at(r, off, end))
            return off + strlen(end);
    return r->size;
}

/* Finds the next start tag from the cursor; returns 0 and leaves the cursor
 * on its '<', or -1 at the end of the text. */
static int next_start_tag(const reader *r, pos_walk *w)
{
    size_t off = w->off;
    for (;;) {
        while (off < r->size && r->text[off] != '<')
            off++;
        if (off + 1 >= r->size)
            return -1;
        if (text_at(r, off, "<!--")) {
            off = skip_past(r, off + 4, "-->");
        } else if (text_at(r, off, "<![CDATA[")) {
            off = skip_past(r, off + 9, "]]>");
        } else if (text_at(r, off, "<?")) {
            off = skip_past(r, off + 2, "?>");
        } else if (text_at(r, off, "<!")) {
            int depth = 0; /* a DOCTYPE may hold an internal subset [...] */
            for (off += 2; off < r->size; off++) {
                char ch = r->text[off];
                if (ch == '[')
                    depth++;
                else if (ch == ']')
                    depth--;
                else if (ch == '>' && depth <= 0)
                    break;
            }
        } else if (r->text[off + 1] == '/') {
            off = skip_past(r, off + 2, ">");
        } else {
            advance(r, w, off);
            return 0;
        }
    }
}

static void record_positions(const reader *r, xmlNodePtr node, pos_walk *w)
{
    for (xmlNodePtr n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        size_t nl = strlen((const char *)n->name);
        if (w->used < w->cap && next_start_tag(r, w) == 0 &&
            text_at(r, w->off + 1, (const char *)n->name) && w->off + 1 + nl < r->size) {
            char after = r->text[w->off + 1 + nl];
            if (after == ' ' || after == '\t' || after == '\r' || after == '\n' ||
                after == '/' || after == '>') {
                elem_pos *p = &w->pos[w->used++];
                p->line = w->line;
                p->column = (unsigned)(w->off - w->line_start + 1);
                n->_private = p;
                advance(r, w, w->off + 1);
            }
        }
        record_positions(r, n->children, w);
    }
}

static bm_loc node_loc(const reader *r, xmlNodePtr node)
{
    bm_loc loc = {r->name, 0, 0};
    if (!node)
        return loc;
    const elem_pos *p = node->type == XML_ELEMENT_NODE ? node->_private : NULL;
    if (p) {
        loc.line = p->line;
        loc.column = p->column;
    } else {
        long line = xmlGetLineNo(node);
        loc.line = line > 0 ? (unsigned)line : 0;
    }
    return loc;
}

/* Trims trailing newline and the "Relax-NG validity error : " style prefixes
 * that libxml2 puts in its messages. */
static void relaxng_error(void *user, xmlErrorPtr err)
{
    reader *r = user;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", err->message ? err->message : "schema violation");
    bmi_xml_clean_message(msg);
    xmlNodePtr node = (xmlNodePtr)err->node;
    bm_loc loc = node_loc(r, node);
    if (!loc.line && err->line > 0)
        loc.line = (unsigned)err->line;
    const char *vague = " failed to validate attributes";
    size_t ml = strlen(msg), vl = strlen(vague);
    int about_attributes = (ml > vl && strcmp(msg + ml - vl, vague) == 0) ||
                           (strncmp(msg, "Type ", 5) == 0 && strstr(msg, " doesn't allow value"));
    if (about_attributes && node && node->type == XML_ELEMENT_NODE) {
        /* libxml2 says "Type positiveInteger doesn't allow value '0'"
         * without naming the attribute, then "Element core failed to
         * validate attributes", which alone is all it says for a missing
         * attribute or a pattern mismatch: explain once per element. */
        if (node == r->last_schema_node)
            return;
        int said = bm_xml_explain_attributes(r->ctx, loc, node);
        r->errors += said;
        r->last_schema_node = node;
        if (said)
            return;
    } else if (strcmp(msg, "Expecting an element , got nothing") == 0 && node) {
        snprintf(msg, sizeof msg, "<%s> lacks a required child element", (const char *)node->name);
    }
    bm_error(r->ctx, loc, "schema: %s", msg);
    r->last_schema_node = node;
    r->errors++;
}

static int validate_schema(reader *r, xmlDocPtr doc)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(bm_schema_machine,
                                                            (int)strlen(bm_schema_machine));
    if (!pc)
        return bm_oom(r->ctx);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    if (!schema)
        return bm_error(r->ctx, bm_loc_make(NULL, 0, 0), "internal: the machine schema does not compile");
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    if (!vc) {
        xmlRelaxNGFree(schema);
        return bm_oom(r->ctx);
    }
    xmlRelaxNGSetValidStructuredErrors(vc, relaxng_error, r);
    int rc = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlRelaxNGFree(schema);
    if (rc != 0 && r->errors == 0)
        bm_error(r->ctx, bm_loc_make(r->name, 1, 1), "schema: the document does not match the machine format");
    return rc == 0 ? BM_OK : BM_EPARSE;
}

/* ---- conversion to the model ------------------------------------------ */

/* An attribute's value with leading and trailing white space removed: the
 * schema's token types collapse white space, so name=" a " is valid and
 * means "a". */
static char *attr(xmlNodePtr n, const char *name)
{
    char *v = (char *)xmlGetProp(n, (const xmlChar *)name);
    if (v) {
        size_t start = strspn(v, " \t\r\n"), len = strlen(v + start);
        while (len && strchr(" \t\r\n", v[start + len - 1]))
            len--;
        memmove(v, v + start, len);
        v[len] = '\0';
    }
    return v;
}

/* Before the schema: a document that is not a machine, or a machine of
 * another format version, gets one clear message instead of the schema's. */
static int check_root(reader *r, xmlNodePtr root)
{
    if (!root || strcmp((const char *)root->name, "machine") != 0 || root->ns)
        return bm_error(r->ctx, node_loc(r, root),
                        "not a machine description: the root element is <%s>, expected "
                        "<machine>",
                        root ? (const char *)root->name : "");
    char *format = attr(root, "format");
    int rc = BM_OK;
    if (format && strcmp(format, "1") != 0)
        rc = bm_error(r->ctx, node_loc(r, root),
                      "machine format \"%s\" is not supported (this libbm reads format %d)",
                      format, BM_FORMAT_VERSION);
    xmlFree(format);
    return rc;
}

static int is_element(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Reads an unsigned attribute the schema has already checked for form. */
static unsigned uint_attr(reader *r, xmlNodePtr n, const char *name)
{
    char *v = attr(n, name);
    unsigned result = 0;
    if (v) {
        /* The schema allowed [+-]?[0-9]+ (the sign only on zero for "-"). */
        const char *digits = v[0] == '+' || v[0] == '-' ? v + 1 : v;
        errno = 0;
        char *end;
        unsigned long long x = strtoull(digits, &end, 10);
        if (errno || *end || x > 0xffffffffULL) {
            bm_error(r->ctx, node_loc(r, n), "attribute %s=\"%s\" is too large", name, v);
            r->errors++;
        } else {
            result = (unsigned)x;
        }
        xmlFree(v);
    }
    return result;
}

static int read_port(reader *r, bm_machine *m, xmlNodePtr n, int is_input)
{
    char *name = attr(n, "name");
    unsigned width = uint_attr(r, n, "width");
    int rc = is_input ? bm_machine_add_input(m, name, width, node_loc(r, n))
                      : bm_machine_add_output(m, name, width, node_loc(r, n));
    xmlFree(name);
    return rc;
}

static int read_opcodes(reader *r, bm_core *c, xmlNodePtr n)
{
    char *text = (char *)xmlNodeGetContent(n);
    if (!text)
        return BM_OK;
    char *save = NULL;
    for (char *tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save))
        if (bm_core_add_opcode(c, tok, node_loc(r, n)) == BM_ENOTFOUND)
            r->errors++;
    xmlFree(text);
    return BM_OK;
}

static int read_program(reader *r, bm_core *c, xmlNodePtr prog)
{
    unsigned width = bm_core_get_params(c)->width;
    for (xmlNodePtr n = prog->children; n; n = n->next) {
        if (!is_element(n, "i"))
            continue;
        char *text = (char *)xmlNodeGetContent(n);
        bm_loc loc = node_loc(r, n);
        /* Columns inside the text count from after "<i>". */
        if (loc.column)
            loc.column += 3;
        bm_insn insn;
        int rc = bm_insn_parse(r->ctx, text ? text : "", width, loc, &insn);
        xmlFree(text);
        if (rc == BM_EPARSE) {
            r->errors++;
            continue;
        }
        if (rc)
            return rc;
        rc = bm_core_append_insn(c, &insn);
        if (rc)
            return rc;
    }
    return BM_OK;
}

static int read_ram_init(reader *r, bm_core *c, xmlNodePtr n)
{
    char *text = (char *)xmlNodeGetContent(n);
    if (!text)
        return BM_OK;
    uint64_t *words = NULL;
    size_t count = 0, cap = 0;
    int rc = BM_OK;
    char *save = NULL;
    for (char *tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        errno = 0;
        char *end;
        /* Decimal or 0x hex (the schema's pattern); never octal. */
        int hex = tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X');
        unsigned long long v = strtoull(hex ? tok + 2 : tok, &end, hex ? 16 : 10);
        if (errno || *end) {
            bm_error(r->ctx, node_loc(r, n), "RAM initial value '%s' does not fit in 64 bits", tok);
            r->errors++;
            continue;
        }
        if ((rc = bm_grow(r->ctx, (void **)&words, &cap, count + 1, sizeof *words)))
            break;
        words[count++] = v;
    }
    if (!rc && count > BM_RAM_DEPTH_MAX) {
        bm_error(r->ctx, node_loc(r, n), "too many RAM initial values (%zu)", count);
        r->errors++;
    } else if (!rc) {
        rc = bm_core_set_ram_init(c, words, (unsigned)count, node_loc(r, n));
    }
    bm_free(r->ctx, words);
    xmlFree(text);
    return rc;
}

static int read_core(reader *r, bm_machine *m, xmlNodePtr n)
{
    bm_core_params p = BM_CORE_PARAMS_INIT;
    p.width = uint_attr(r, n, "width");
    p.registers = uint_attr(r, n, "registers");
    p.rom_depth = uint_attr(r, n, "rom");
    p.ram_depth = uint_attr(r, n, "ram");
    p.inputs = uint_attr(r, n, "inputs");
    p.outputs = uint_attr(r, n, "outputs");
    p.frac = uint_attr(r, n, "frac"); /* optional: 0 when absent */
    if (xmlHasProp(n, BAD_CAST "queue"))
        p.queue = uint_attr(r, n, "queue"); /* optional: 1 when absent */
    char *forward = attr(n, "forward"); /* optional: "oN", the schema's pattern */
    if (forward) {
        p.forward = sscanf(forward, "o%u", &p.forward_out) == 1;
        xmlFree(forward);
    }
    if (xmlHasProp(n, BAD_CAST "forward-queue"))
        p.forward_queue = uint_attr(r, n, "forward-queue"); /* optional: 2 when absent */
    char *name = attr(n, "name");
    char *mul = attr(n, "mul"); /* optional: comb when absent */
    if (mul) {
        int v = bm_mul_variant_from_name(mul);
        if (v < 0) {
            bm_error(r->ctx, node_loc(r, n),
                     "core '%s': unknown multiplier variant '%s' (comb, pipe or serial)", name,
                     mul);
            xmlFree(mul);
            xmlFree(name);
            return BM_EINVALID;
        }
        p.mul = (unsigned)v;
        xmlFree(mul);
    }
    char *fetch = attr(n, "fetch"); /* optional: direct when absent */
    if (fetch) {
        int v = bm_fetch_kind_from_name(fetch);
        if (v < 0) {
            bm_error(r->ctx, node_loc(r, n), "core '%s': unknown fetch kind '%s' (direct or staged)",
                     name, fetch);
            xmlFree(fetch);
            xmlFree(name);
            return BM_EINVALID;
        }
        p.fetch = (unsigned)v;
        xmlFree(fetch);
    }
    bm_core *c;
    int rc = bm_machine_add_core(m, &c, name, &p, node_loc(r, n));
    xmlFree(name);
    if (rc)
        return rc;
    for (xmlNodePtr k = n->children; k && !rc; k = k->next) {
        if (is_element(k, "opcodes"))
            rc = read_opcodes(r, c, k);
        else if (is_element(k, "program"))
            rc = read_program(r, c, k);
        else if (is_element(k, "ram-init"))
            rc = read_ram_init(r, c, k);
    }
    return rc;
}

static int read_bond(reader *r, bm_machine *m, xmlNodePtr n)
{
    char *from = attr(n, "from");
    char *to = attr(n, "to");
    bm_loc loc = node_loc(r, n);
    unsigned bond;
    int rc = bm_machine_add_bond(m, &bond, from, loc);
    char *save = NULL;
    for (char *tok = rc ? NULL : strtok_r(to, " \t\r\n", &save); tok && !rc;
         tok = strtok_r(NULL, " \t\r\n", &save))
        rc = bm_machine_bond_add_sink(m, bond, tok, loc);
    xmlFree(from);
    xmlFree(to);
    return rc;
}

static int build_machine(reader *r, xmlDocPtr doc, bm_machine **out)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char *name = attr(root, "name");
    bm_machine *m;
    int rc = bm_machine_new(&m, r->ctx, name ? name : "");
    xmlFree(name);
    if (rc)
        return rc;
    bm_machine_set_loc(m, node_loc(r, root));
    for (xmlNodePtr n = root->children; n && !rc; n = n->next) {
        if (is_element(n, "input"))
            rc = read_port(r, m, n, 1);
        else if (is_element(n, "output"))
            rc = read_port(r, m, n, 0);
        else if (is_element(n, "core"))
            rc = read_core(r, m, n);
        else if (is_element(n, "bond"))
            rc = read_bond(r, m, n);
    }
    if (!rc && r->errors)
        rc = BM_EPARSE;
    if (!rc)
        rc = bm_machine_validate(m);
    if (rc) {
        bm_machine_free(m);
        return rc;
    }
    *out = m;
    return BM_OK;
}

int bm_machine_read_memory(bm_machine **out, bm_ctx *ctx, const char *data, size_t size,
                           const char *name)
{
    if (!out || !ctx || (!data && size))
        return BM_EINVAL;
    *out = NULL;
    if (size > (size_t)0x7fffffff)
        return bm_error(ctx, bm_loc_make(name, 0, 0), "file is too large");
    reader r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.name = bm_ctx_intern(ctx, name ? name : "<memory>");
    r.text = data;
    r.size = size;
    r.parser = xmlCreateMemoryParserCtxt(data ? data : "", (int)size);
    if (!r.parser)
        return size ? bm_oom(ctx) : bm_error(ctx, bm_loc_make(r.name, 1, 1), "malformed XML: the file is empty");
    /* No network, no entity expansion, no printing to stderr. */
    xmlCtxtUseOptions(r.parser, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_BIG_LINES);
    r.parser->linenumbers = 1;
    bmi_xml_first_error_attach(r.parser, &r.first);
    int rc = xmlParseDocument(r.parser);
    xmlDocPtr doc = r.parser->myDoc;
    if (rc != 0 || !r.parser->wellFormed || !doc) {
        bmi_xml_report_parse_error(ctx, r.name, r.parser, &r.first);
        rc = BM_EPARSE;
    } else {
        xmlNodePtr root = xmlDocGetRootElement(doc);
        pos_walk w = {NULL, 0, count_elements(root), 0, 0, 1};
        w.pos = bm_calloc(ctx, w.cap ? w.cap : 1, sizeof *w.pos);
        if (!w.pos) {
            rc = bm_oom(ctx);
        } else {
            record_positions(&r, root, &w);
            rc = check_root(&r, root);
            if (!rc)
                rc = validate_schema(&r, doc);
            if (!rc)
                rc = build_machine(&r, doc, out);
        }
        bm_free(ctx, w.pos);
    }
    if (doc)
        xmlFreeDoc(doc);
    r.parser->myDoc = NULL;
    xmlFreeParserCtxt(r.parser);
    return rc;
}

int bm_machine_read_file(bm_machine **out, bm_ctx *ctx, const char *path)
{
    if (!out || !ctx || !path)
        return BM_EINVAL;
    *out = NULL;
    char *data;
    size_t len;
    int rc = bm_read_file(ctx, path, &data, &len);
    if (rc)
        return rc;
    rc = bm_machine_read_memory(out, ctx, data, len, path);
    bm_free(ctx, data);
    return rc;
}
