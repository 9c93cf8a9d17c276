/* Pictures: Graphviz (DOT) text for a machine and for a graph.
 *
 * The machine drawing has one node per core, labelled with its name, word
 * width, registers, program size (instructions x instruction bits) and
 * opcode set; external inputs on the left and outputs on the right; one
 * edge per bond sink, labelled with the bond's width and tagged with the
 * port names at both ends.  The graph drawing has one node per operation
 * (inputs, constants, operations, outputs) and one edge per value read,
 * the nodes of each network layer grouped in a cluster.  docs/dot.md
 * describes both.  The same machine or graph always gives the same bytes;
 * `dot -Tsvg` renders them.
 */
#ifndef BM_DOT_H
#define BM_DOT_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/ctx.h"
#include "bm/graph.h"
#include "bm/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The DOT text of a valid machine (BM_EINVAL otherwise), NUL-terminated in
 * *out (allocated with the machine context's allocator: free it with
 * bm_dot_free); *len (may be NULL) receives its length. */
BM_API int bm_machine_dot(char **out, size_t *len, const bm_machine *m);
/* The DOT text of a finished graph, on the graph's context. */
BM_API int bm_graph_dot(char **out, size_t *len, const bm_graph *g);
BM_API void bm_dot_free(bm_ctx *ctx, char *text);

#ifdef __cplusplus
}
#endif
#endif
