/* Private helpers of the graph front ends (libbm/compile/): a name table
 * and the XML plumbing shared by the network and GraphML readers.  Not
 * installed. */
#ifndef BM_COMPILE_H
#define BM_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "bm/ctx.h"
#include "internal.h"

/* ---- names --------------------------------------------------------------- */

/* A string -> unsigned map (open addressing; keys are copied). */
typedef struct bm_names {
    bm_ctx *ctx;
    struct bm_name_slot *slots;
    size_t cap, count;
} bm_names;

void bm_names_init(bm_names *t, bm_ctx *ctx);
void bm_names_free(bm_names *t);
/* 1 and *value if present, 0 if not. */
int bm_names_get(const bm_names *t, const char *key, unsigned *value);
/* Adds or replaces; 0 or BM_ENOMEM. */
int bm_names_put(bm_names *t, const char *key, unsigned value);

/* The identifier rule of machine port names: a letter or '_', then
 * letters, digits or '_', at most 64 characters. */
int bm_is_identifier(const char *s);

/* ---- XML documents with source locations ----------------------------------- */

typedef struct bm_xml_doc {
    bm_ctx *ctx;
    const char *name;    /* file name for messages (interned) */
    const char *text;    /* the source, not owned */
    size_t size;
    xmlDocPtr doc;
    size_t *line_start;  /* offset of the first byte of each line */
    size_t n_lines;
} bm_xml_doc;

/* Parses well-formed XML (no network, no entity loading) and records every
 * element's source offset.  Errors are recorded with file:line:col. */
int bm_xml_doc_parse(bm_xml_doc *d, bm_ctx *ctx, const char *data, size_t size,
                     const char *name);
void bm_xml_doc_free(bm_xml_doc *d);
/* Validates against a RelaxNG schema given as text; `what` names the format
 * in messages ("network"). */
int bm_xml_doc_validate(bm_xml_doc *d, const char *schema, const char *what);

/* The location of an element's '<'. */
bm_loc bm_xml_loc(const bm_xml_doc *d, xmlNodePtr n);
bm_loc bm_xml_offset_loc(const bm_xml_doc *d, size_t offset);

/* The whitespace-separated words of an element's text, each with its exact
 * source location when the text is plain characters (no entities, CDATA or
 * comments in between), else the element's location. */
typedef struct bm_xml_word {
    const char *text;
    bm_loc loc;
} bm_xml_word;

typedef struct bm_xml_words {
    bm_xml_word *words;
    size_t count;
    char *storage;
} bm_xml_words;

int bm_xml_words_get(const bm_xml_doc *d, xmlNodePtr n, bm_xml_words *out);
void bm_xml_words_free(const bm_xml_doc *d, bm_xml_words *w);

/* Element helpers (the local name, namespaces ignored). */
int bm_xml_is(xmlNodePtr n, const char *name);
/* An attribute's value (caller frees with xmlFree), or NULL. */
char *bm_xml_attr(xmlNodePtr n, const char *name);

/* The local name of the root element of an XML text, found without a full
 * parse (used to tell formats apart); "" when there is none. */
void bm_xml_root_name(const char *data, size_t size, char *out, size_t out_size);

#endif
