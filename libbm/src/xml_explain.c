/* Explaining schema errors that libxml2 leaves vague.
 *
 * For a bad attribute value (name="1c", width="0") or a missing required
 * attribute, libxml2's RelaxNG validator says only "Element core failed to
 * validate attributes".  This file reads the same compiled-in schema to say
 * which attribute is missing or which value has the wrong form, so the
 * schema stays the one description of the format. */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlregexp.h>

#include "internal.h"
#include "xml_explain.h"

extern const char bm_schema_machine[];

/* Words for the value types the schema uses; anything else is described by
 * its pattern. */
static const struct {
    const char *name; /* a <define> name or an xsd type */
    const char *words;
} type_words[] = {
    {"identifier", "an identifier (a letter or '_', then letters, digits or '_')"},
    {"endpoint", "an endpoint ('name', 'core.iN' or 'core.oN')"},
    {"positiveInteger", "a whole number of at least 1"},
    {"nonNegativeInteger", "a whole number of at least 0"},
};

static int is_rng(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static int has_name(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)"name");
    int same = v && strcmp((const char *)v, name) == 0;
    xmlFree(v);
    return same;
}

static xmlNodePtr first_child_element(xmlNodePtr n)
{
    for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return k;
    return NULL;
}

/* The schema's <element name="name">, searched depth first. */
static xmlNodePtr find_rng(xmlNodePtr n, const char *what, const char *name)
{
    for (; n; n = n->next) {
        if (is_rng(n, what) && has_name(n, name))
            return n;
        xmlNodePtr hit = find_rng(n->children, what, name);
        if (hit)
            return hit;
    }
    return NULL;
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Does one token match a <data>, <value> or <ref> pattern?  Returns 1 yes,
 * 0 no, -1 unknown (then nothing is claimed). */
static int token_matches(xmlNodePtr root, xmlNodePtr pat, const char *tok, const char **words)
{
    if (is_rng(pat, "ref")) {
        xmlChar *name = xmlGetProp(pat, (const xmlChar *)"name");
        xmlNodePtr def = name ? find_rng(root, "define", (const char *)name) : NULL;
        int r = def ? token_matches(root, first_child_element(def), tok, words) : -1;
        for (size_t i = 0; name && i < sizeof type_words / sizeof type_words[0]; i++)
            if (strcmp((const char *)name, type_words[i].name) == 0)
                *words = type_words[i].words;
        xmlFree(name);
        return r;
    }
    if (is_rng(pat, "value")) {
        xmlChar *v = xmlNodeGetContent(pat);
        int same = v && strcmp((const char *)v, tok) == 0;
        xmlFree(v);
        return same;
    }
    if (!is_rng(pat, "data"))
        return -1;
    xmlChar *type = xmlGetProp(pat, (const xmlChar *)"type");
    int r = -1;
    if (type) {
        for (size_t i = 0; i < sizeof type_words / sizeof type_words[0]; i++)
            if (strcmp((const char *)type, type_words[i].name) == 0 && !*words)
                *words = type_words[i].words;
        const char *digits = tok[0] == '+' || tok[0] == '-' ? tok + 1 : tok;
        if (strcmp((const char *)type, "positiveInteger") == 0)
            r = tok[0] != '-' && all_digits(digits) && strspn(digits, "0") < strlen(digits);
        else if (strcmp((const char *)type, "nonNegativeInteger") == 0)
            r = all_digits(digits) && (tok[0] != '-' || strspn(digits, "0") == strlen(digits));
        else if (strcmp((const char *)type, "token") == 0)
            r = 1;
    }
    xmlFree(type);
    for (xmlNodePtr p = pat->children; p && r != 0; p = p->next) {
        if (!is_rng(p, "param") || !has_name(p, "pattern"))
            continue;
        xmlChar *re_text = xmlNodeGetContent(p);
        xmlRegexpPtr re = re_text ? xmlRegexpCompile(re_text) : NULL;
        r = re ? xmlRegexpExec(re, (const xmlChar *)tok) == 1 : -1;
        xmlRegFreeRegexp(re);
        xmlFree(re_text);
    }
    return r;
}

/* Checks an attribute value against its <attribute> pattern, token by token
 * for a <list>.  Returns 1 if a problem was reported. */
static int explain_value(bm_ctx *ctx, bm_loc loc, xmlNodePtr root, const char *element,
                         const char *attr, xmlNodePtr pat, const char *value)
{
    int list = is_rng(pat, "list");
    if (list) {
        pat = first_child_element(pat);
        if (is_rng(pat, "oneOrMore") || is_rng(pat, "zeroOrMore"))
            pat = first_child_element(pat);
    }
    char tok[256];
    const char *p = value;
    for (;;) {
        while (is_xml_space(*p))
            p++;
        size_t n = 0;
        if (list) {
            while (p[n] && !is_xml_space(p[n]))
                n++;
        } else {
            n = strlen(p);
            while (n && is_xml_space(p[n - 1]))
                n--;
        }
        if (list && n == 0)
            return 0;
        if (n >= sizeof tok)
            n = sizeof tok - 1;
        memcpy(tok, p, n);
        tok[n] = '\0';
        const char *words = NULL;
        if (token_matches(root, pat, tok, &words) == 0) {
            if (words && list)
                bm_error(ctx, loc, "schema: <%s %s=\"...\">: '%s' is not %s", element, attr, tok,
                         words);
            else if (words)
                bm_error(ctx, loc, "schema: <%s %s=\"%s\">: the value is not %s", element, attr,
                         tok, words);
            else
                bm_error(ctx, loc, "schema: <%s %s=\"%s\">: the value has the wrong form",
                         element, attr, tok);
            return 1;
        }
        if (!list)
            return 0;
        p += n;
    }
}

/* Walks the content of an <element> pattern for its <attribute>s, not
 * descending into child elements.  `required` is 0 under <optional> and the
 * like. */
static void explain_attrs(bm_ctx *ctx, bm_loc loc, xmlNodePtr root, xmlNodePtr node,
                          xmlNodePtr pat, int required, int *found)
{
    for (; pat; pat = pat->next) {
        if (pat->type != XML_ELEMENT_NODE || is_rng(pat, "element"))
            continue;
        if (is_rng(pat, "attribute")) {
            xmlChar *name = xmlGetProp(pat, (const xmlChar *)"name");
            if (!name)
                continue;
            xmlChar *value = xmlGetProp(node, name);
            if (!value && required) {
                bm_error(ctx, loc, "schema: <%s> lacks the attribute '%s'",
                         (const char *)node->name, (const char *)name);
                (*found)++;
            } else if (value) {
                *found += explain_value(ctx, loc, root, (const char *)node->name,
                                        (const char *)name, first_child_element(pat),
                                        (const char *)value);
            }
            xmlFree(value);
            xmlFree(name);
            continue;
        }
        int req = required && !is_rng(pat, "optional") && !is_rng(pat, "zeroOrMore") &&
                  !is_rng(pat, "choice");
        explain_attrs(ctx, loc, root, node, pat->children, req, found);
    }
}

int bm_xml_explain_attributes(bm_ctx *ctx, bm_loc loc, xmlNodePtr node)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return 0;
    xmlDocPtr schema = xmlReadMemory(bm_schema_machine, (int)strlen(bm_schema_machine),
                                     "machine.rng", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!schema)
        return 0;
    xmlNodePtr root = xmlDocGetRootElement(schema);
    xmlNodePtr def = find_rng(root, "element", (const char *)node->name);
    int found = 0;
    if (def)
        explain_attrs(ctx, loc, root, node, def->children, 1, &found);
    xmlFreeDoc(schema);
    return found;
}
