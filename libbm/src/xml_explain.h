/* Private: better words for vague schema errors (xml_explain.c). */
#ifndef BM_XML_EXPLAIN_H
#define BM_XML_EXPLAIN_H

#include <libxml/tree.h>

#include "bm/ctx.h"

/* Reports at loc every required attribute the element lacks and every
 * attribute value that does not match the machine schema; returns how many
 * problems it reported (0 when it found nothing to say). */
int bm_xml_explain_attributes(bm_ctx *ctx, bm_loc loc, xmlNodePtr node);

#endif
