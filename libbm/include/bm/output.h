/* Writing a command's outputs all or nothing (docs/outputs.md).
 *
 * A bm_output collects every file (and folder) one job writes.  Each add
 * writes its data to a temporary file next to the target, so a full disk,
 * a missing folder or a refused path shows up before anything is replaced.
 * bm_output_commit() then puts them all in place; bm_output_free() without
 * a commit removes every temporary file and leaves the targets as they
 * were.  For each target:
 *
 * - a regular file (or a new one) is replaced by a rename, so it is never
 *   seen half-written, and keeps its permission bits;
 * - a symbolic link is followed: its target is written, the link stays;
 * - a device, FIFO or socket is written straight at commit, never replaced
 *   (`-o /dev/null` stays a device);
 * - no file that libbm did not write is ever deleted.
 *
 * Failures are recorded as diagnostics on the context.
 */
#ifndef BM_OUTPUT_H
#define BM_OUTPUT_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_output bm_output;

/* A new, empty set of outputs to be written together, all or nothing
 * (docs/outputs.md).  BM_ENOMEM. */
BM_API int bm_output_new(bm_output **out, bm_ctx *ctx);
/* Discards whatever was not committed: temporary files and folders go,
 * targets stay untouched. */
BM_API void bm_output_free(bm_output *o);
/* Adds the file path with the given contents. */
BM_API int bm_output_add_file(bm_output *o, const char *path, const void *data, size_t len);
/* Puts every added file in place: devices and FIFOs first (if one fails,
 * nothing else is replaced), then the renames.  The set is empty afterwards,
 * whatever the result. */
BM_API int bm_output_commit(bm_output *o);

/* bm_machine_write_file and bm_verilog_write_dir add to a set through
 * bm_output_add_machine (bm/xml.h) and bm_output_add_verilog (bm/verilog.h). */

#ifdef __cplusplus
}
#endif
#endif
