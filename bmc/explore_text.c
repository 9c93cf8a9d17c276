/* bmc explore: a growing text buffer and the quoting of shell words, JSON
 * strings and CSV fields.  Every path and argument bmc explore writes into
 * a script goes through ex_put_shell, so no byte of it is ever read as
 * shell syntax (issue 9 removed such an injection from bmc verify). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"

void ex_putn(ex_text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void ex_put(ex_text *t, const char *s)
{
    ex_putn(t, s, strlen(s));
}

void ex_printf(ex_text *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        ex_putn(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ex_putn(t, big, (size_t)n);
    free(big);
}

void ex_put_shell(ex_text *t, const char *s)
{
    ex_put(t, "'");
    for (; *s; s++) {
        if (*s == '\'')
            ex_put(t, "'\\''");
        else
            ex_putn(t, s, 1);
    }
    ex_put(t, "'");
}

void ex_put_json(ex_text *t, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            ex_printf(t, "\\%c", c);
        else if (c < 0x20)
            ex_printf(t, "\\u%04x", c);
        else
            ex_putn(t, s, 1);
    }
}

void ex_put_csv(ex_text *t, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        ex_put(t, s);
        return;
    }
    ex_put(t, "\"");
    for (; *s; s++) {
        if (*s == '"')
            ex_put(t, "\"\"");
        else
            ex_putn(t, s, 1);
    }
    ex_put(t, "\"");
}

void ex_text_free(ex_text *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
}
