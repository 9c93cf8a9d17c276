/* Reading and writing the machine description XML (docs/format.md).
 *
 * Reading parses with libxml2, validates against the RelaxNG schema
 * (arch/schema/machine.rng, compiled into the library) and then checks the
 * machine semantically with bm_machine_validate().  Every problem is recorded
 * on the context as file:line:col.  Writing is canonical: the same machine
 * always gives the same bytes, and read -> write -> read -> write is stable.
 */
#ifndef BM_XML_H
#define BM_XML_H

#include "bm/export.h"

#include <stddef.h>
#include <stdio.h>

#include "bm/machine.h"
#include "bm/output.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The format version this library writes and reads. */
#define BM_FORMAT_VERSION 1

/* Reads a machine from a file.  On failure *out is NULL and the reasons are
 * on the context. */
BM_API int bm_machine_read_file(bm_machine **out, bm_ctx *ctx, const char *path);
/* Reads from memory; `name` is used as the file name in messages. */
BM_API int bm_machine_read_memory(bm_machine **out, bm_ctx *ctx, const char *data,
                           size_t size, const char *name);

/* Writes the canonical form into a malloc'd (bm allocator) NUL-terminated
 * buffer; free it with bm_xml_buffer_free().  The machine must be valid
 * (BM_EINVAL, recorded on its context, otherwise). */
BM_API int bm_machine_write_memory(const bm_machine *m, char **out, size_t *size);
BM_API void bm_xml_buffer_free(bm_ctx *ctx, char *buf);
/* Writes the canonical form to a file safely (bm/output.h): a regular file
 * atomically, so on failure it is left as it was; a symbolic link through
 * to its target; a device or FIFO straight. */
BM_API int bm_machine_write_file(const bm_machine *m, const char *path);
/* The same, as one part of a set of outputs committed together. */
BM_API int bm_output_add_machine(bm_output *o, const bm_machine *m, const char *path);
/* Writes the canonical form to a stream. */
BM_API int bm_machine_write_stream(const bm_machine *m, FILE *stream);

/* The RelaxNG schema text, as compiled into the library. */
BM_API const char *bm_machine_schema(void);

#ifdef __cplusplus
}
#endif
#endif
