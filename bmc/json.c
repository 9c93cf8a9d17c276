/* The one JSON writer of bmc's --json outputs.  A document is built whole
 * in memory (on the growing text of explore_text.c, whose ex_put_json is the
 * one string escaper) and printed only when complete, so a command that
 * fails half-way prints no half object.  Members come out in the order the
 * command adds them: each command's key order is fixed and documented. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "explore.h"

/* Nesting the writer tracks; deeper levels are a bug of the caller. */
#define JSON_DEPTH 16

struct bmc_json {
    ex_text text;
    unsigned depth;
    int first[JSON_DEPTH]; /* no member written yet at this level */
    char close[JSON_DEPTH];
};

bmc_json *bmc_json_new(void)
{
    bmc_json *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    ex_put(&j->text, "{");
    j->first[0] = 1;
    j->close[0] = '}';
    return j;
}

void bmc_json_free(bmc_json *j)
{
    if (!j)
        return;
    ex_text_free(&j->text);
    free(j);
}

/* The separator and the key (none inside an array) of the next member. */
static void member(bmc_json *j, const char *key)
{
    if (!j->first[j->depth])
        ex_put(&j->text, ",");
    j->first[j->depth] = 0;
    if (key) {
        ex_put(&j->text, "\"");
        ex_put_json(&j->text, key);
        ex_put(&j->text, "\":");
    }
}

static void open_level(bmc_json *j, const char *key, char open, char close)
{
    member(j, key);
    if (j->depth + 1 >= JSON_DEPTH) {
        j->text.failed = 1;
        return;
    }
    ex_putn(&j->text, &open, 1);
    j->depth++;
    j->first[j->depth] = 1;
    j->close[j->depth] = close;
}

void bmc_json_object(bmc_json *j, const char *key)
{
    open_level(j, key, '{', '}');
}

void bmc_json_array(bmc_json *j, const char *key)
{
    open_level(j, key, '[', ']');
}

void bmc_json_end(bmc_json *j)
{
    if (j->depth == 0) {
        j->text.failed = 1;
        return;
    }
    ex_putn(&j->text, &j->close[j->depth], 1);
    j->depth--;
}

void bmc_json_string(bmc_json *j, const char *key, const char *value)
{
    member(j, key);
    ex_put(&j->text, "\"");
    ex_put_json(&j->text, value ? value : "");
    ex_put(&j->text, "\"");
}

void bmc_json_int(bmc_json *j, const char *key, int64_t value)
{
    member(j, key);
    ex_printf(&j->text, "%" PRId64, value);
}

void bmc_json_uint(bmc_json *j, const char *key, uint64_t value)
{
    member(j, key);
    ex_printf(&j->text, "%" PRIu64, value);
}

void bmc_json_bool(bmc_json *j, const char *key, int value)
{
    member(j, key);
    ex_put(&j->text, value ? "true" : "false");
}

void bmc_json_null(bmc_json *j, const char *key)
{
    member(j, key);
    ex_put(&j->text, "null");
}

void bmc_json_number(bmc_json *j, const char *key, const char *literal)
{
    member(j, key);
    ex_put(&j->text, literal);
}

int bmc_json_print(bmc_json *j)
{
    if (j->depth != 0)
        j->text.failed = 1;
    ex_put(&j->text, "}\n");
    if (j->text.failed) {
        fprintf(stderr, "bmc %s: out of memory\n", bmc_command_name ? bmc_command_name : "");
        return -1;
    }
    if (bmc_write_stdout(j->text.s, j->text.len) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "bmc %s: cannot write the output\n",
                bmc_command_name ? bmc_command_name : "");
        return -1;
    }
    return 0;
}

int bmc_json_put_string(FILE *f, const char *s)
{
    ex_text t = {NULL, 0, 0, 0};
    ex_put(&t, "\"");
    ex_put_json(&t, s);
    ex_put(&t, "\"");
    int rc = t.failed || fputs(t.s, f) == EOF ? -1 : 0;
    ex_text_free(&t);
    return rc;
}
