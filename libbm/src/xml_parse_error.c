/* The first parse error of a document (xml_parse_error.h). */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "xml_parse_error.h"

void bmi_xml_clean_message(char *msg)
{
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
}

static void keep(bmi_xml_first_error *first, const xmlError *err)
{
    if (!first || !err || first->set || err->level < XML_ERR_ERROR)
        return;
    first->set = 1;
    first->code = err->code;
    /* For parser errors libxml2 keeps the column in int2. */
    first->line = err->line > 0 ? (unsigned)err->line : 0;
    first->col = err->int2 > 0 ? (unsigned)err->int2 : 0;
    snprintf(first->msg, sizeof first->msg, "%s", err->message ? err->message : "malformed XML");
}

/* The structured error channel: its user data is the parser context. */
static void on_error(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr parser = data;
    keep(parser ? parser->_private : NULL, err);
}

void bmi_xml_first_error_attach(xmlParserCtxtPtr parser, bmi_xml_first_error *first)
{
    memset(first, 0, sizeof *first);
    parser->_private = first;
    if (parser->sax && parser->sax->initialized == XML_SAX2_MAGIC)
        parser->sax->serror = on_error;
}

void bmi_xml_report_parse_error(bm_ctx *ctx, const char *name, xmlParserCtxtPtr parser,
                                bmi_xml_first_error *first)
{
    if (!first->set)
        keep(first, xmlCtxtGetLastError(parser));
    if (!first->set)
        snprintf(first->msg, sizeof first->msg, "malformed XML");
    bm_loc loc = bm_loc_make(name, first->line, first->col);
    if (first->code == XML_ERR_ENTITY_LOOP) {
        /* libxml2 says "Detected an entity reference loop" for a real loop
         * and for its guard against billion-laughs documents alike */
        bm_error(ctx, loc,
                 "malformed XML: entity references refused by libxml2's expansion limit (an "
                 "entity that refers to itself, or entities expanding to more than about ten "
                 "times the text read so far)");
        return;
    }
    bmi_xml_clean_message(first->msg);
    bm_error(ctx, loc, "malformed XML: %s", first->msg);
}
