/* Helpers shared by bmc's commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmc.h"

const char *bmc_command_name;

void bmc_print_diags(const bm_ctx *ctx)
{
    for (size_t i = 0; i < bm_ctx_diag_count(ctx); i++) {
        char line[1024];
        const bm_diag *d = bm_ctx_diag(ctx, i);
        /* a diagnostic about no file ("out of memory", "cannot run 'X'")
         * names the command instead, like every other message */
        if (!d->loc.file && bmc_command_name)
            fprintf(stderr, "bmc %s: ", bmc_command_name);
        int n = bm_diag_format(line, sizeof line, d);
        if (n >= 0 && (size_t)n < sizeof line) {
            fprintf(stderr, "%s\n", line);
        } else if (n >= 0) {
            char *big = malloc((size_t)n + 1);
            if (big) {
                bm_diag_format(big, (size_t)n + 1, d);
                fprintf(stderr, "%s\n", big);
                free(big);
            } else {
                fprintf(stderr, "%s...\n", line);
            }
        }
    }
}

int bmc_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bmc%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'bmc %s%s--help' for more information.\n", cmd ? cmd : "",
            cmd ? " " : "");
    return BMC_EXIT_USAGE;
}

bm_ctx *bmc_new_ctx(void)
{
    bm_ctx *ctx;
    if (bm_ctx_new(&ctx, NULL)) {
        fprintf(stderr, "bmc: out of memory\n");
        exit(BMC_EXIT_FAIL);
    }
    /* BMC_INPUT_LIMIT: bytes, with an optional K, M or G suffix. */
    const char *limit = getenv("BMC_INPUT_LIMIT");
    if (limit && *limit) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(limit, &end, 10);
        unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
        if (shift)
            end++;
        if (errno || *end || limit[0] == '-' || (shift && v > (SIZE_MAX >> shift))) {
            fprintf(stderr, "bmc: BMC_INPUT_LIMIT must be a byte count like 1000000, 64K, "
                            "256M or 2G, not '%s'\n", limit);
            exit(BMC_EXIT_USAGE);
        }
        bm_ctx_set_input_limit(ctx, (size_t)(v << shift));
    }
    return ctx;
}

int bmc_load_machine(bm_ctx *ctx, const char *path, bm_machine **out)
{
    int rc = bm_machine_read_file(out, ctx, path);
    bmc_print_diags(ctx);
    bm_ctx_clear_diags(ctx);
    return rc;
}

int bmc_wants_help(int argc, char **argv, const bmc_command *self)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            self->help(stdout);
            return 1;
        }
    }
    return 0;
}

const bmc_command *bmc_find_command(const char *name)
{
    for (unsigned i = 0; i < bmc_command_count; i++)
        if (strcmp(bmc_commands[i]->name, name) == 0)
            return bmc_commands[i];
    return NULL;
}

int bmc_write_stdout(const char *text, size_t len)
{
    return fwrite(text, 1, len, stdout) == len ? 0 : -1;
}

int bmc_write_file(const char *path, const char *text, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) {
        fprintf(stderr, "bmc: out of memory\n");
        return -1;
    }
    snprintf(tmp, plen + 32, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int failed = !f;
    if (f) {
        failed = fwrite(text, 1, len, f) != len;
        if (fclose(f) != 0)
            failed = 1;
        if (!failed && rename(tmp, path) != 0)
            failed = 1;
    }
    if (failed) {
        fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return failed ? -1 : 0;
}

int bmc_is_identifier(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}
