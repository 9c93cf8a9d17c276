/* Fuzz target: the machine XML reader, then (for a valid machine) the
 * writer, the disassembler and the Verilog generator over what it read. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_ctx *ctx = fuzz_ctx();
    if (!ctx)
        return 0;
    bm_machine *m = NULL;
    int rc = bm_machine_read_memory(&m, ctx, (const char *)data, size, "fuzz.xml");
    fuzz_check(ctx, rc);
    if (!rc) {
        char *text = NULL;
        size_t len;
        if (bm_machine_write_memory(m, &text, &len) == 0)
            bm_xml_buffer_free(ctx, text);
        if (bm_disasm_machine(&text, &len, m, NULL) == 0)
            bm_disasm_free(ctx, text);
        bm_verilog_files *fs = NULL;
        if (bm_verilog_generate(&fs, m, NULL) == 0)
            bm_verilog_files_free(fs);
        bm_machine_free(m);
    }
    bm_ctx_free(ctx);
    return 0;
}
