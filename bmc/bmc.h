/* bmc: shared declarations of the command-line tool. */
#ifndef BMC_H
#define BMC_H

#include <stdio.h>

#include "bm.h"

/* Exit codes common to every command (a command may add its own, documented
 * in its --help). */
enum { BMC_EXIT_OK = 0, BMC_EXIT_FAIL = 1, BMC_EXIT_USAGE = 2 };
/* The simulated run of `bmc sim` and `bmc verify` ends here unless --cycles
 * says otherwise (0: no limit), and a run the limit stopped exits 3. */
#define BMC_DEFAULT_CYCLES 1000000
enum { BMC_EXIT_CYCLES = 3 };

typedef struct bmc_command {
    const char *name;
    const char *summary;                   /* one line for `bmc --help`        */
    int (*run)(int argc, char **argv);     /* argv[0] is the command name      */
    void (*help)(FILE *out);               /* full usage for `bmc CMD --help`  */
} bmc_command;

extern const bmc_command *const bmc_commands[];
extern const unsigned bmc_command_count;

/* Prints the context's diagnostics on stderr, one a line; one without a
 * file starts with "bmc CMD: " (bmc_command_name, set by main). */
void bmc_print_diags(const bm_ctx *ctx);
extern const char *bmc_command_name;
/* 1 when s is a name the machine format accepts: a letter or '_', then
 * letters, digits or '_', at most 64 characters (--name options). */
int bmc_is_identifier(const char *s);
/* Prints "bmc CMD: message" and a hint to stderr; returns BMC_EXIT_USAGE. */
int bmc_usage_error(const char *cmd, const char *fmt, ...);
/* Creates a context or exits the process with a message (out of memory). */
bm_ctx *bmc_new_ctx(void);
/* Reads and validates a machine; prints diagnostics (warnings too). */
int bmc_load_machine(bm_ctx *ctx, const char *path, bm_machine **out);
/* Handles "--help"/"-h" as the only argument: prints help, returns 1. */
int bmc_wants_help(int argc, char **argv, const bmc_command *self);
const bmc_command *bmc_find_command(const char *name);
/* Writes text to path through a temporary file renamed into place, so a
 * failure leaves no half file; prints the error.  0 or -1. */
int bmc_write_file(const char *path, const char *text, size_t len);
int bmc_write_stdout(const char *text, size_t len);

/* Stimulus and back-pressure options shared by `sim` and `verify`, applied
 * in the order given: kind 'i' (--in NAME=V,...), 'f' (--in-file FILE),
 * 'r' (--ready NAME=PATTERN). */
typedef struct bmc_feed {
    int kind;
    const char *arg;
} bmc_feed;
int bmc_apply_feeds(bm_sim *sim, const bmc_feed *feeds, int n);
/* A decimal count (no sign); 0 or -1. */
int bmc_parse_count(const char *s, uint64_t *out);

/* The JSON document of a command's --json (bmc/json.c): one object, its
 * members in the order added, printed whole by bmc_json_print or not at
 * all.  key is NULL for the elements of an array.  Allocation failures are
 * remembered and reported by bmc_json_print. */
typedef struct bmc_json bmc_json;
bmc_json *bmc_json_new(void); /* the open top-level object; NULL: no memory */
void bmc_json_free(bmc_json *j);
void bmc_json_object(bmc_json *j, const char *key); /* opens {, up to bmc_json_end */
void bmc_json_array(bmc_json *j, const char *key);  /* opens [, up to bmc_json_end */
void bmc_json_end(bmc_json *j);
void bmc_json_string(bmc_json *j, const char *key, const char *value);
void bmc_json_int(bmc_json *j, const char *key, int64_t value);
void bmc_json_uint(bmc_json *j, const char *key, uint64_t value);
void bmc_json_bool(bmc_json *j, const char *key, int value);
void bmc_json_null(bmc_json *j, const char *key);
/* A number given as its JSON text, e.g. the exact decimal of a fixed-point
 * value from bm_fixed_format. */
void bmc_json_number(bmc_json *j, const char *key, const char *literal);
/* Closes the object and writes it and a newline to stdout; 0, or -1 after
 * printing the error (out of memory, a write error). */
int bmc_json_print(bmc_json *j);
/* s as a quoted JSON string on f, for the outputs streamed as the run goes
 * (bmc sim); 0 or -1. */
int bmc_json_put_string(FILE *f, const char *s);

#endif
