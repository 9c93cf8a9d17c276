/* The names the generated submodules declare, reserved in the top module's
 * scope (hdl.h).  Verilator's -Wall warns (VARHIDDEN) when a signal inside
 * an instance has the name of an instance in the scope above, so a core
 * named `pc`, `stall` or `fetch_pc` made lint fail; with these names taken,
 * such an instance becomes `pc_1` and its wires keep the core's name.
 *
 * The scan reads only the declarations libbm writes: after `input`,
 * `output`, `inout`, `wire`, `reg`, `integer`, `genvar`, `localparam` or
 * `parameter`, an optional `signed` and range, then a list of names up to
 * the `;` or `)` that ends it (initialisers skipped with their brackets). */
#include <ctype.h>
#include <string.h>

#include "hdl.h"

static int ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static int ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

static const char *skip_space_and_comments(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

static int is_decl_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {"input", "output",  "inout",      "wire",     "reg",
                                     "integer", "genvar", "localparam", "parameter"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
            return 1;
    return 0;
}

/* Claims one name of n bytes at s. */
static int claim(hdl_names *names, bm_ctx *ctx, const char *s, size_t n)
{
    char buf[256];
    if (n >= sizeof buf)
        return BM_OK; /* libbm declares no such name */
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (bm_hdl_is_keyword(buf) || strcmp(buf, "signed") == 0)
        return BM_OK;
    return bm_hdl_names_claim(names, buf) ? BM_OK : bm_oom(ctx);
}

int bmi_hdl_reserve_declared(hdl_names *names, bm_ctx *ctx, const char *text)
{
    const char *p = text;
    while (*(p = skip_space_and_comments(p))) {
        if (!ident_start((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *w = p;
        while (ident_char((unsigned char)*p))
            p++;
        if (!is_decl_keyword(w, (size_t)(p - w)))
            continue;
        /* the list: names separated by commas at depth 0 */
        int depth = 0, want_name = 1;
        for (;;) {
            p = skip_space_and_comments(p);
            char c = *p;
            if (!c || (depth == 0 && (c == ';' || c == ')')))
                break;
            if (c == '(' || c == '[' || c == '{') {
                depth++;
                p++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                p++;
            } else if (depth == 0 && c == ',') {
                want_name = 1;
                p++;
            } else if (depth == 0 && c == '=') {
                want_name = 0;
                p++;
            } else if (ident_start((unsigned char)c)) {
                const char *s = p;
                while (ident_char((unsigned char)*p))
                    p++;
                size_t n = (size_t)(p - s);
                if (depth == 0 && is_decl_keyword(s, n))
                    break; /* `input clk, input rst`: the next declaration */
                if (depth == 0 && want_name && !(n == 6 && memcmp(s, "signed", 6) == 0)) {
                    int rc = claim(names, ctx, s, n);
                    if (rc)
                        return rc;
                    want_name = 0;
                }
            } else {
                p++;
            }
        }
    }
    return BM_OK;
}
