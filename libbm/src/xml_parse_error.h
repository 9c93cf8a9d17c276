/* libxml2's first parse error of a document, for every XML reader of libbm
 * (machines, graphs, GraphML, networks).  libxml2 keeps only its last
 * error, which is often a consequence of the first ("Premature end of
 * data" at the end of a file whose fault is an unescaped '<' lines
 * before), so the readers keep the first one as it happens and report it
 * at its place. */
#ifndef BM_XML_PARSE_ERROR_H
#define BM_XML_PARSE_ERROR_H

#include <libxml/parser.h>

#include "bm/ctx.h"

typedef struct bmi_xml_first_error {
    int set, code;
    unsigned line, col;
    char msg[512];
} bmi_xml_first_error;

/* Keeps the parser's first error in *first (zeroed here): the parser's
 * structured error channel, through parser->_private, which the reader
 * must leave alone. */
void bmi_xml_first_error_attach(xmlParserCtxtPtr parser, bmi_xml_first_error *first);

/* Reports the first error (or, when none was kept, the parser's last) as
 * "NAME:LINE:COL: malformed XML: ..."; an entity expansion refusal says
 * which limit was hit. */
void bmi_xml_report_parse_error(bm_ctx *ctx, const char *name, xmlParserCtxtPtr parser,
                                bmi_xml_first_error *first);

/* Drops the newline and spaces libxml2 ends its messages with. */
void bmi_xml_clean_message(char *msg);

#endif
