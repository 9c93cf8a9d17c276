/* XML plumbing for the network and GraphML readers: parse with libxml2,
 * validate with a compiled-in RelaxNG schema, and give every element (and
 * every word of an element's text) an exact file:line:col.
 *
 * libxml2 gives nodes a line but no column, so we find each element's start
 * tag in the source ourselves: elements in document order are the start tags
 * in text order, once comments, CDATA sections, processing instructions,
 * the DOCTYPE and end tags are skipped.  The offset is kept in
 * node->_private (offset + 1; 0 = unknown). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>

#include "compile.h"
#include "xml_parse_error.h"

/* ---- scanning the source ------------------------------------------------- */

static size_t skip_past(const char *text, size_t size, size_t pos, const char *end)
{
    size_t n = strlen(end);
    for (; pos + n <= size; pos++)
        if (memcmp(text + pos, end, n) == 0)
            return pos + n;
    return size;
}

/* Skips a tag from its '<' to just after its '>', honouring quoted
 * attribute values (which may hold '>'). */
static size_t skip_tag(const char *text, size_t size, size_t pos)
{
    char quote = 0;
    for (pos++; pos < size; pos++) {
        char c = text[pos];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return pos + 1;
        }
    }
    return size;
}

/* Skips "<!DOCTYPE ...>", including an internal subset in brackets. */
static size_t skip_doctype(const char *text, size_t size, size_t pos)
{
    int depth = 0;
    char quote = 0;
    for (pos += 2; pos < size; pos++) {
        char c = text[pos];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            depth++;
        } else if (c == ']') {
            depth--;
        } else if (c == '>' && depth <= 0) {
            return pos + 1;
        }
    }
    return size;
}

/* The offset of the next start tag's '<' at or after pos, or size. */
static size_t next_start_tag(const char *text, size_t size, size_t pos)
{
    while (pos < size) {
        const char *lt = memchr(text + pos, '<', size - pos);
        if (!lt)
            return size;
        pos = (size_t)(lt - text);
        if (pos + 1 >= size)
            return size;
        char c = text[pos + 1];
        if (c == '!') {
            if (size - pos >= 4 && memcmp(text + pos, "<!--", 4) == 0)
                pos = skip_past(text, size, pos + 4, "-->");
            else if (size - pos >= 9 && memcmp(text + pos, "<![CDATA[", 9) == 0)
                pos = skip_past(text, size, pos + 9, "]]>");
            else
                pos = skip_doctype(text, size, pos);
        } else if (c == '?') {
            pos = skip_past(text, size, pos + 2, "?>");
        } else if (c == '/') {
            pos = skip_tag(text, size, pos);
        } else {
            return pos;
        }
    }
    return size;
}

/* Does the tag at pos name this element (with its prefix, if any)? */
static int tag_matches(const char *text, size_t size, size_t pos, xmlNodePtr n)
{
    const char *prefix = n->ns && n->ns->prefix ? (const char *)n->ns->prefix : NULL;
    size_t p = pos + 1;
    if (prefix) {
        size_t pl = strlen(prefix);
        if (p + pl + 1 > size || memcmp(text + p, prefix, pl) != 0 || text[p + pl] != ':')
            return 0;
        p += pl + 1;
    }
    size_t nl = strlen((const char *)n->name);
    if (p + nl >= size || memcmp(text + p, n->name, nl) != 0)
        return 0;
    char after = text[p + nl];
    return after == '>' || after == '/' || isspace((unsigned char)after);
}

/* Walks elements in document order, pairing each with the next start tag.
 * Returns 0 once the pairing fails (the rest stay unknown). */
static int record_offsets(const bm_xml_doc *d, xmlNodePtr node, size_t *cursor)
{
    for (xmlNodePtr n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        size_t pos = next_start_tag(d->text, d->size, *cursor);
        if (pos >= d->size || !tag_matches(d->text, d->size, pos, n))
            return 0;
        n->_private = (void *)(uintptr_t)(pos + 1);
        *cursor = pos + 1;
        if (!record_offsets(d, n->children, cursor))
            return 0;
    }
    return 1;
}

static int index_lines(bm_xml_doc *d)
{
    size_t cap = 0;
    d->n_lines = 0;
    size_t start = 0;
    for (;;) {
        if (bm_grow(d->ctx, (void **)&d->line_start, &cap, d->n_lines + 1, sizeof(size_t)))
            return BM_ENOMEM;
        d->line_start[d->n_lines++] = start;
        const char *nl = start < d->size ? memchr(d->text + start, '\n', d->size - start) : NULL;
        if (!nl)
            return BM_OK;
        start = (size_t)(nl - d->text) + 1;
    }
}

bm_loc bm_xml_offset_loc(const bm_xml_doc *d, size_t offset)
{
    size_t lo = 0, hi = d->n_lines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->line_start[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return bm_loc_make(d->name, (unsigned)(lo + 1), (unsigned)(offset - d->line_start[lo] + 1));
}

bm_loc bm_xml_loc(const bm_xml_doc *d, xmlNodePtr n)
{
    if (!n)
        return bm_loc_make(d->name, 0, 0);
    if (n->type == XML_ELEMENT_NODE && n->_private)
        return bm_xml_offset_loc(d, (size_t)(uintptr_t)n->_private - 1);
    long line = xmlGetLineNo(n);
    return bm_loc_make(d->name, line > 0 ? (unsigned)line : 0, 0);
}

/* ---- parsing and validation ------------------------------------------------ */


int bm_xml_doc_parse(bm_xml_doc *d, bm_ctx *ctx, const char *data, size_t size,
                     const char *name)
{
    memset(d, 0, sizeof *d);
    d->ctx = ctx;
    d->name = bm_ctx_intern(ctx, name ? name : "<memory>");
    d->text = data ? data : "";
    d->size = data ? size : 0;
    if (!d->name)
        return bm_oom(ctx);
    if (size > (size_t)0x7fffffff)
        return bm_error(ctx, bm_loc_make(d->name, 0, 0), "file is too large");
    if (index_lines(d))
        return BM_ENOMEM;
    if (d->size == 0)
        return bm_error(ctx, bm_loc_make(d->name, 1, 1), "malformed XML: the file is empty");
    xmlParserCtxtPtr parser = xmlCreateMemoryParserCtxt(d->text, (int)d->size);
    if (!parser)
        return bm_oom(ctx);
    /* No network, no entity loading, no printing to stderr. */
    xmlCtxtUseOptions(parser, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                  XML_PARSE_BIG_LINES);
    parser->linenumbers = 1;
    bmi_xml_first_error first;
    bmi_xml_first_error_attach(parser, &first);
    int rc = xmlParseDocument(parser);
    if (rc != 0 || !parser->wellFormed || !parser->myDoc) {
        bmi_xml_report_parse_error(ctx, d->name, parser, &first);
        if (parser->myDoc)
            xmlFreeDoc(parser->myDoc);
        xmlFreeParserCtxt(parser);
        return BM_EPARSE;
    }
    d->doc = parser->myDoc;
    parser->myDoc = NULL;
    xmlFreeParserCtxt(parser);
    size_t cursor = 0;
    record_offsets(d, xmlDocGetRootElement(d->doc), &cursor);
    return BM_OK;
}

void bm_xml_doc_free(bm_xml_doc *d)
{
    if (d->doc)
        xmlFreeDoc(d->doc);
    bm_free(d->ctx, d->line_start);
    d->doc = NULL;
    d->line_start = NULL;
}

/* Schema messages are collected, then reported without the duplicates and
 * location-less repeats that libxml2 produces for one problem. */
typedef struct schema_error {
    bm_loc loc;
    char msg[512];
} schema_error;

typedef struct validation {
    const bm_xml_doc *d;
    schema_error *errors;
    size_t count, cap;
    int failed; /* out of memory while collecting */
} validation;

static void relaxng_error(void *user, xmlErrorPtr err)
{
    validation *v = user;
    if (bm_grow(v->d->ctx, (void **)&v->errors, &v->cap, v->count + 1, sizeof *v->errors)) {
        v->failed = 1;
        return;
    }
    schema_error *e = &v->errors[v->count++];
    snprintf(e->msg, sizeof e->msg, "%s", err->message ? err->message : "schema violation");
    bmi_xml_clean_message(e->msg);
    e->loc = bm_xml_loc(v->d, (xmlNodePtr)err->node);
    if (!e->loc.line && err->line > 0)
        e->loc.line = (unsigned)err->line;
}

static void report_schema_errors(validation *v)
{
    int located = 0;
    for (size_t i = 0; i < v->count; i++)
        located |= v->errors[i].loc.line != 0;
    for (size_t i = 0; i < v->count; i++) {
        const schema_error *e = &v->errors[i];
        if (located && !e->loc.line)
            continue;
        if (i > 0 && e->loc.line == v->errors[i - 1].loc.line &&
            e->loc.column == v->errors[i - 1].loc.column)
            continue;
        bm_error(v->d->ctx, e->loc, "schema: %s", e->msg);
    }
}

int bm_xml_doc_validate(bm_xml_doc *d, const char *schema, const char *what)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewMemParserCtxt(schema, (int)strlen(schema));
    if (!pc)
        return bm_oom(d->ctx);
    xmlRelaxNGPtr rng = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    if (!rng)
        return bm_error(d->ctx, bm_loc_make(NULL, 0, 0), "internal: the %s schema does not compile",
                        what);
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
    if (!vc) {
        xmlRelaxNGFree(rng);
        return bm_oom(d->ctx);
    }
    validation v = {d, NULL, 0, 0, 0};
    xmlRelaxNGSetValidStructuredErrors(vc, relaxng_error, &v);
    int rc = xmlRelaxNGValidateDoc(vc, d->doc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlRelaxNGFree(rng);
    report_schema_errors(&v);
    bm_free(d->ctx, v.errors);
    if (v.failed)
        return bm_oom(d->ctx);
    if (rc != 0 && v.count == 0)
        bm_error(d->ctx, bm_loc_make(d->name, 1, 1), "schema: the document does not match the %s format",
                 what);
    return rc == 0 ? BM_OK : BM_EPARSE;
}

/* ---- elements and words ------------------------------------------------------ */

int bm_xml_is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

char *bm_xml_attr(xmlNodePtr n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* The offset just after the start tag of an element, or size if unknown or
 * the element is empty (<x/>). */
static size_t content_offset(const bm_xml_doc *d, xmlNodePtr n)
{
    if (!n->_private)
        return d->size;
    size_t pos = (size_t)(uintptr_t)n->_private - 1;
    size_t end = skip_tag(d->text, d->size, pos);
    if (end >= d->size || end < 2 || d->text[end - 2] == '/')
        return d->size;
    return end;
}

/* Finds the source offset of each word by walking the raw text after the
 * start tag (comments are skipped).  Returns 0 (leaving the element's
 * location) when the raw text is not plain characters. */
static int locate_words(const bm_xml_doc *d, xmlNodePtr n, bm_xml_words *w)
{
    size_t pos = content_offset(d, n);
    for (size_t i = 0; i < w->count; i++) {
        for (;;) {
            while (pos < d->size && isspace((unsigned char)d->text[pos]))
                pos++;
            if (d->size - pos >= 4 && memcmp(d->text + pos, "<!--", 4) == 0)
                pos = skip_past(d->text, d->size, pos + 4, "-->");
            else
                break;
        }
        size_t len = strlen(w->words[i].text);
        if (pos + len > d->size || memcmp(d->text + pos, w->words[i].text, len) != 0)
            return 0;
        w->words[i].loc = bm_xml_offset_loc(d, pos);
        pos += len;
    }
    return 1;
}

int bm_xml_words_get(const bm_xml_doc *d, xmlNodePtr n, bm_xml_words *out)
{
    memset(out, 0, sizeof *out);
    xmlChar *content = xmlNodeGetContent(n);
    const char *text = content ? (const char *)content : "";
    out->storage = bm_strdup(d->ctx, text);
    if (content)
        xmlFree(content);
    if (!out->storage)
        return bm_oom(d->ctx);
    size_t cap = 0;
    bm_loc element = bm_xml_loc(d, n);
    char *save = NULL;
    for (char *tok = strtok_r(out->storage, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (bm_grow(d->ctx, (void **)&out->words, &cap, out->count + 1, sizeof *out->words)) {
            bm_xml_words_free(d, out);
            return BM_ENOMEM;
        }
        out->words[out->count].text = tok;
        out->words[out->count].loc = element;
        out->count++;
    }
    if (!locate_words(d, n, out))
        for (size_t i = 0; i < out->count; i++)
            out->words[i].loc = element;
    return BM_OK;
}

void bm_xml_words_free(const bm_xml_doc *d, bm_xml_words *w)
{
    bm_free(d->ctx, w->words);
    bm_free(d->ctx, w->storage);
    memset(w, 0, sizeof *w);
}

void bm_xml_root_name(const char *data, size_t size, char *out, size_t out_size)
{
    out[0] = '\0';
    size_t pos = next_start_tag(data, size, 0);
    if (pos >= size)
        return;
    size_t start = pos + 1, end = start;
    while (end < size && !isspace((unsigned char)data[end]) && data[end] != '>' &&
           data[end] != '/')
        end++;
    const char *colon = memchr(data + start, ':', end - start);
    if (colon)
        start = (size_t)(colon - data) + 1;
    size_t n = end - start < out_size - 1 ? end - start : out_size - 1;
    memcpy(out, data + start, n);
    out[n] = '\0';
}
