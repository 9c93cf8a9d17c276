/* Verilog output: synthesizable RTL for a machine.
 *
 * One Verilog-2005 file per distinct core module and one for the machine's
 * top module, plus a file list.  Cores with the same parameters, opcode set,
 * program and RAM contents share a module.  The design, naming and timing are
 * described in docs/verilog.md; the cycle-by-cycle behaviour is exactly
 * docs/timing.md.  The same machine and options always give the same bytes.
 */
#ifndef BM_VERILOG_H
#define BM_VERILOG_H

#include "bm/export.h"

#include <stddef.h>

#include "bm/machine.h"
#include "bm/output.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a core's program ROM is written. */
typedef enum bm_verilog_rom_style {
    BM_VERILOG_ROM_AUTO = 0, /* LOGIC up to BM_VERILOG_ROM_LOGIC_MAX words, BLOCK above   */
    BM_VERILOG_ROM_LOGIC,    /* a case statement, decoded before the fetch register      */
    BM_VERILOG_ROM_BLOCK     /* a memory read synchronously: yosys maps it to block RAM  */
} bm_verilog_rom_style;

/* The largest program that BM_VERILOG_ROM_AUTO writes as logic. */
#define BM_VERILOG_ROM_LOGIC_MAX 64

/* The longest top module name (it also names files: TOP.v, tb_TOP.cpp). */
#define BM_VERILOG_TOP_NAME_MAX 64

typedef struct bm_verilog_options {
    unsigned version;              /* BM_VERILOG_OPTIONS_VERSION                       */
    const char *top_name;          /* top module name; NULL: the machine's name         */
    bm_verilog_rom_style rom_style;
    int harness;                   /* also write the Verilator C++ harness tb_TOP.cpp   */
    int pin_wrapper;               /* also write TOP_pins.v, the machine behind three
                                      pins (clk, a shift register in, an XOR flop out), for
                                      area and Fmax measurements                        */
} bm_verilog_options;
#define BM_VERILOG_OPTIONS_VERSION 1
#define BM_VERILOG_OPTIONS_INIT {BM_VERILOG_OPTIONS_VERSION, NULL, BM_VERILOG_ROM_AUTO, 0, 0}
/* Fills *opts with the defaults of BM_VERILOG_OPTIONS_INIT (for callers that cannot use the
 * macro, such as bindings).  version is the BM_VERILOG_OPTIONS_VERSION the caller's struct was
 * declared with.  0, or BM_EINVAL for NULL or an unknown version. */
BM_API int bm_verilog_options_init(bm_verilog_options *opts, unsigned version);

/* A generated set of files, in a fixed order: the core modules, the top
 * module, the optional extras, then "files.f" (the Verilog files in
 * compile order, one per line) and "MANIFEST". */
typedef struct bm_verilog_files bm_verilog_files;

/* Generates the files of a valid machine in memory.  opt may be NULL for the
 * defaults.  Failures are described on the machine's context. */
BM_API int bm_verilog_generate(bm_verilog_files **out, const bm_machine *m,
                        const bm_verilog_options *opt);
BM_API void bm_verilog_files_free(bm_verilog_files *files);
BM_API size_t bm_verilog_files_count(const bm_verilog_files *files);
/* Name (no folder) and NUL-terminated text of the i-th file; NULL past the end. */
BM_API const char *bm_verilog_file_name(const bm_verilog_files *files, size_t i);
BM_API const char *bm_verilog_file_text(const bm_verilog_files *files, size_t i, size_t *len);
/* The module name of the machine's top. */
BM_API const char *bm_verilog_files_top(const bm_verilog_files *files);

/* Generates the files and writes them to the folder dir, all or nothing
 * (bm/output.h, docs/outputs.md).  A new dir is built as a temporary folder
 * next to it and renamed into place.  An existing dir is written only when
 * it is empty or holds a MANIFEST of an earlier output: the files that
 * MANIFEST lists are replaced (or deleted when the new output lacks them),
 * any other file is kept, and a new file whose name is taken by a file the
 * MANIFEST does not list is refused with BM_EEXISTS, as is a non-empty dir
 * without MANIFEST; nothing is written then. */
BM_API int bm_verilog_write_dir(const bm_machine *m, const char *dir, const bm_verilog_options *opt);
/* The same, as one part of a set of outputs committed together. */
BM_API int bm_output_add_verilog(bm_output *o, const bm_machine *m, const char *dir,
                          const bm_verilog_options *opt);

#ifdef __cplusplus
}
#endif
#endif
