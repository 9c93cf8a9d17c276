/* Two optional companions of a machine's Verilog:
 *
 * - the pin wrapper TOP_pins.v, which puts the machine behind three pins
 *   (clk, a serial input shifted into every machine input, reset included,
 *   and one flop holding the XOR of every machine output), so that yosys and
 *   nextpnr can neither optimise its ports away nor run out of I/O pins;
 *
 * - the Verilator harness tb_TOP.cpp, which drives per-input stimulus lists
 *   with the handshake of docs/timing.md and prints one "CYCLE OUTPUT VALUE"
 *   line per transfer on an external output (the simulator's format).
 */
#include <string.h>

#include "hdl.h"

/* ---- pin wrapper ------------------------------------------------------------------ */

int bm_hdl_pin_wrapper(bm_buf *b, const hdl_design *d, const char *name)
{
    const bm_machine *m = d->m;
    unsigned ni = bm_machine_input_count(m), no = bm_machine_output_count(m);
    unsigned bits = 1; /* rst */
    for (unsigned i = 0; i < ni; i++)
        bits += bm_machine_input_width(m, i) + 1;
    bits += no;
    char what[160];
    snprintf(what, sizeof what, "%s.v: %s behind three pins, for area and Fmax trials.", name,
             d->top);
    bm_hdl_file_header(b, m, "//", what);
    bm_buf_printf(b,
                  "\nmodule %s (\n"
                  "    input  wire clk,\n"
                  "    input  wire sin,   // shifted into every input of the machine\n"
                  "    output reg  sout   // the XOR of every output of the machine\n"
                  ");\n",
                  name);
    bm_buf_printf(b, "    reg  ");
    bm_hdl_range(b, bits);
    bm_buf_printf(b, "shift;\n    always @(posedge clk) shift <= ");
    if (bits > 1)
        bm_buf_printf(b, "{shift[%u:0], sin};\n", bits - 2);
    else
        bm_buf_puts(b, "sin;\n");

    unsigned at = 0;
    bm_buf xors;
    bm_buf_init(&xors, bm_machine_ctx(m));
    bm_buf_printf(b, "    wire rst = shift[%u];\n", at++);
    for (unsigned i = 0; i < ni; i++) {
        const char *n = bm_machine_input_name(m, i);
        unsigned w = bm_machine_input_width(m, i);
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, w);
        bm_buf_printf(b, "%s_tdata = ", n);
        bm_hdl_slice(b, "shift", at, w);
        at += w;
        bm_buf_printf(b, ";\n    wire %s_tvalid = shift[%u];\n    wire %s_tready;\n", n, at++, n);
        bm_buf_printf(&xors, ", %s_tready", n);
    }
    for (unsigned i = 0; i < no; i++) {
        const char *n = bm_machine_output_name(m, i);
        bm_buf_puts(b, "    wire ");
        bm_hdl_range(b, bm_machine_output_width(m, i));
        bm_buf_printf(b, "%s_tdata;\n    wire %s_tvalid;\n    wire %s_tready = shift[%u];\n", n, n,
                      n, at++);
        bm_buf_printf(&xors, ", %s_tdata, %s_tvalid", n, n);
    }
    bm_buf_printf(b, "    %s dut (\n        .clk(clk),\n        .rst(rst)", d->top);
    for (unsigned i = 0; i < ni; i++) {
        const char *n = bm_machine_input_name(m, i);
        bm_buf_printf(b, ",\n        .%s_tdata(%s_tdata),\n        .%s_tvalid(%s_tvalid),\n"
                         "        .%s_tready(%s_tready)", n, n, n, n, n, n);
    }
    for (unsigned i = 0; i < no; i++) {
        const char *n = bm_machine_output_name(m, i);
        bm_buf_printf(b, ",\n        .%s_tdata(%s_tdata),\n        .%s_tvalid(%s_tvalid),\n"
                         "        .%s_tready(%s_tready)", n, n, n, n, n, n);
    }
    bm_buf_printf(b, "\n    );\n    always @(posedge clk) sout <= ^{1'b0%s};\nendmodule\n",
                  xors.data ? xors.data : "");
    int failed = xors.failed;
    bm_buf_free(&xors);
    return failed || b->failed ? bm_oom(bm_machine_ctx(m)) : BM_OK;
}

/* ---- Verilator harness -------------------------------------------------------------- */

static const char harness_main[] =
    "\n"
    "static void usage(const char *argv0)\n"
    "{\n"
    "    std::fprintf(stderr,\n"
    "                 \"Usage: %s [--cycles N] [--outputs N] [--ready OUTPUT=PATTERN]...\"\n"
    "                 \" [--vcd FILE] [STIMULUS]\\n\"\n"
    "                 \"STIMULUS (default: standard input) has one 'INPUT VALUE' per line;\\n\"\n"
    "                 \"each input's values are offered in order.  PATTERN is a string of\\n\"\n"
    "                 \"0 and 1, repeated: the output's tready in cycle c is PATTERN[c %% len].\\n\"\n"
    "                 \"Prints 'CYCLE OUTPUT VALUE' for every transfer on an output.\\n\",\n"
    "                 argv0);\n"
    "}\n"
    "\n"
    "static bool parse_u64(const char *s, unsigned long long *v)\n"
    "{\n"
    "    char *end = nullptr;\n"
    "    errno = 0;\n"
    "    *v = std::strtoull(s, &end, 0);\n"
    "    return s[0] && s[0] != '-' && end && *end == '\\0' && errno == 0;\n"
    "}\n"
    "\n"
    "static int find_port(const Port *ports, size_t n, const char *name)\n"
    "{\n"
    "    for (size_t i = 0; i < n; i++)\n"
    "        if (std::strcmp(ports[i].name, name) == 0)\n"
    "            return (int)i;\n"
    "    return -1;\n"
    "}\n"
    "\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    unsigned long long max_cycles = 100000, max_outputs = ~0ull;\n"
    "    const char *stimulus = nullptr, *vcd = nullptr;\n"
    "    std::vector<std::string> ready_pattern(N_OUTPUTS ? N_OUTPUTS : 1, \"1\");\n"
    "    for (int i = 1; i < argc; i++) {\n"
    "        std::string a = argv[i];\n"
    "        bool has_value = i + 1 < argc;\n"
    "        if (a == \"--cycles\" && has_value) {\n"
    "            if (!parse_u64(argv[++i], &max_cycles)) { usage(argv[0]); return 2; }\n"
    "        } else if (a == \"--outputs\" && has_value) {\n"
    "            if (!parse_u64(argv[++i], &max_outputs)) { usage(argv[0]); return 2; }\n"
    "        } else if (a == \"--ready\" && has_value) {\n"
    "            std::string spec = argv[++i];\n"
    "            size_t eq = spec.find('=');\n"
    "            int k = eq == std::string::npos ? -1\n"
    "                    : find_port(outputs, N_OUTPUTS, spec.substr(0, eq).c_str());\n"
    "            std::string pat = eq == std::string::npos ? \"\" : spec.substr(eq + 1);\n"
    "            if (k < 0 || pat.empty() || pat.find_first_not_of(\"01\") != std::string::npos) {\n"
    "                std::fprintf(stderr, \"%s: bad --ready '%s'\\n\", argv[0], spec.c_str());\n"
    "                return 2;\n"
    "            }\n"
    "            ready_pattern[k] = pat;\n"
    "        } else if (a == \"--vcd\" && has_value) {\n"
    "            vcd = argv[++i];\n"
    "        } else if (a == \"--help\" || a == \"-h\") {\n"
    "            usage(argv[0]);\n"
    "            return 0;\n"
    "        } else if (a[0] != '-' && !stimulus) {\n"
    "            stimulus = argv[i];\n"
    "        } else {\n"
    "            usage(argv[0]);\n"
    "            return 2;\n"
    "        }\n"
    "    }\n"
    "\n"
    "    std::vector<std::vector<unsigned long long>> values(N_INPUTS ? N_INPUTS : 1);\n"
    "    FILE *in = stimulus ? std::fopen(stimulus, \"r\") : stdin;\n"
    "    if (!in) {\n"
    "        std::fprintf(stderr, \"%s: cannot open %s: %s\\n\", argv[0], stimulus, std::strerror(errno));\n"
    "        return 2;\n"
    "    }\n"
    "    char line[512];\n"
    "    for (unsigned lineno = 1; std::fgets(line, sizeof line, in); lineno++) {\n"
    "        char name[256], value[256], extra[2];\n"
    "        char *hash = std::strchr(line, '#');\n"
    "        if (hash)\n"
    "            *hash = '\\0';\n"
    "        int n = std::sscanf(line, \"%255s %255s %1s\", name, value, extra);\n"
    "        if (n <= 0)\n"
    "            continue;\n"
    "        unsigned long long v;\n"
    "        int k = n == 2 ? find_port(inputs, N_INPUTS, name) : -1;\n"
    "        if (k < 0 || !parse_u64(value, &v) || (inputs[k].width < 64 && (v >> inputs[k].width))) {\n"
    "            std::fprintf(stderr, \"%s:%u: expected 'INPUT VALUE' with a known input and a value\"\n"
    "                         \" that fits it\\n\", stimulus ? stimulus : \"<stdin>\", lineno);\n"
    "            return 2;\n"
    "        }\n"
    "        values[k].push_back(v);\n"
    "    }\n"
    "    if (stimulus)\n"
    "        std::fclose(in);\n"
    "\n"
    "    VerilatedContext context;\n"
    "    TOP_CLASS top(&context);\n"
    "#if VM_TRACE\n"
    "    VerilatedVcdC *trace = nullptr;\n"
    "    if (vcd) {\n"
    "        context.traceEverOn(true);\n"
    "        trace = new VerilatedVcdC;\n"
    "        top.trace(trace, 99);\n"
    "        trace->open(vcd);\n"
    "    }\n"
    "#else\n"
    "    if (vcd) {\n"
    "        std::fprintf(stderr, \"%s: built without --trace: no VCD\\n\", argv[0]);\n"
    "        return 2;\n"
    "    }\n"
    "#endif\n"
    "    unsigned long long time = 0;\n"
    "    /* Reset: one rising edge with rst high. */\n"
    "    top.clk = 0;\n"
    "    top.rst = 1;\n"
    "    drive_inputs(top, values, nullptr, 0);\n"
    "    top.eval();\n"
    "    top.clk = 1;\n"
    "    top.eval();\n"
    "    top.clk = 0;\n"
    "    top.rst = 0;\n"
    "    std::vector<size_t> next(N_INPUTS ? N_INPUTS : 1, 0);\n"
    "    unsigned long long transfers = 0;\n"
    "    for (unsigned long long cycle = 0; cycle < max_cycles && transfers < max_outputs; cycle++) {\n"
    "        drive_inputs(top, values, next.data(), cycle);\n"
    "        for (size_t k = 0; k < N_OUTPUTS; k++) {\n"
    "            const std::string &p = ready_pattern[k];\n"
    "            set_ready(top, k, p[cycle % p.size()] == '1');\n"
    "        }\n"
    "        top.eval();\n"
    "#if VM_TRACE\n"
    "        if (trace)\n"
    "            trace->dump((vluint64_t)time);\n"
    "#endif\n"
    "        time += 5;\n"
    "        transfers += record(top, next.data(), cycle, max_outputs - transfers);\n"
    "        top.clk = 1;\n"
    "        top.eval();\n"
    "#if VM_TRACE\n"
    "        if (trace)\n"
    "            trace->dump((vluint64_t)time);\n"
    "#endif\n"
    "        time += 5;\n"
    "        top.clk = 0;\n"
    "    }\n"
    "    top.final();\n"
    "#if VM_TRACE\n"
    "    if (trace) {\n"
    "        trace->close();\n"
    "        delete trace;\n"
    "    }\n"
    "#endif\n"
    "    return std::fflush(stdout) == 0 ? 0 : 1;\n"
    "}\n";

int bm_hdl_harness(bm_buf *b, const hdl_design *d)
{
    const bm_machine *m = d->m;
    unsigned ni = bm_machine_input_count(m), no = bm_machine_output_count(m);
    char what[160];
    snprintf(what, sizeof what, "tb_%s.cpp: a Verilator harness for %s.", d->top, d->top);
    bm_hdl_file_header(b, m, "//", what);
    bm_buf_printf(b,
                  "//\n"
                  "// Build:  verilator --cc --exe --build -Wall -f files.f --top-module %s \\\n"
                  "//             tb_%s.cpp -o tb_%s        (add --trace for --vcd)\n"
                  "// Run:    obj_dir/tb_%s --help\n"
                  "// Reset is high for one clock edge; cycle 0 is the first cycle after it.\n"
                  "// Each input offers its next value with tvalid from cycle 0 on, and the\n"
                  "// next one in the cycle after a transfer; each output's tready is 1\n"
                  "// unless --ready says otherwise.  One line per output transfer:\n"
                  "// \"CYCLE OUTPUT VALUE\", VALUE in unsigned decimal.\n\n",
                  d->top, d->top, d->top, d->top);
    bm_buf_printf(b,
                  "#include <cerrno>\n#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n"
                  "#include <string>\n#include <vector>\n\n"
                  "#include \"V%s.h\"\n#include \"verilated.h\"\n"
                  "#if VM_TRACE\n#include \"verilated_vcd_c.h\"\n#endif\n\n"
                  "typedef V%s TOP_CLASS;\n\n"
                  "struct Port {\n    const char *name;\n    unsigned width;\n};\n\n",
                  d->top, d->top);
    bm_buf_printf(b, "static const size_t N_INPUTS = %u, N_OUTPUTS = %u;\n", ni, no);
    bm_buf_puts(b, "static const Port inputs[] = {");
    for (unsigned i = 0; i < ni; i++)
        bm_buf_printf(b, "%s{\"%s\", %u}", i ? ", " : "", bm_machine_input_name(m, i),
                      bm_machine_input_width(m, i));
    if (ni == 0)
        bm_buf_puts(b, "{\"\", 0}");
    bm_buf_puts(b, "};\nstatic const Port outputs[] = {");
    for (unsigned i = 0; i < no; i++)
        bm_buf_printf(b, "%s{\"%s\", %u}", i ? ", " : "", bm_machine_output_name(m, i),
                      bm_machine_output_width(m, i));
    if (no == 0)
        bm_buf_puts(b, "{\"\", 0}");
    bm_buf_puts(b, "};\n\n");

    /* drive_inputs: present each input's next value, if any */
    bm_buf_puts(b,
                "/* Presents each input's next value (all invalid when next is null). */\n"
                "static void drive_inputs(TOP_CLASS &top,\n"
                "                         const std::vector<std::vector<unsigned long long>> &values,\n"
                "                         const size_t *next, unsigned long long cycle)\n{\n"
                "    (void)values;\n    (void)next;\n    (void)cycle;\n    (void)top;\n");
    for (unsigned i = 0; i < ni; i++) {
        const char *n = bm_machine_input_name(m, i);
        bm_buf_printf(b,
                      "    {\n        bool v = next && next[%u] < values[%u].size();\n"
                      "        top.%s_tvalid = v;\n"
                      "        top.%s_tdata = v ? values[%u][next[%u]] : 0;\n    }\n",
                      i, i, n, n, i, i);
    }
    bm_buf_puts(b, "}\n\n");

    bm_buf_puts(b, "static void set_ready(TOP_CLASS &top, size_t k, bool ready)\n{\n"
                   "    (void)top;\n    (void)ready;\n    switch (k) {\n");
    for (unsigned i = 0; i < no; i++)
        bm_buf_printf(b, "    case %u: top.%s_tready = ready; break;\n", i,
                      bm_machine_output_name(m, i));
    bm_buf_puts(b, "    default: break;\n    }\n}\n\n");

    bm_buf_puts(b,
                "/* After the inputs settled, before the edge: notes the transfers of\n"
                " * this cycle, printing the outputs' (at most `room` of them). */\n"
                "static unsigned long long record(TOP_CLASS &top, size_t *next, unsigned long long cycle,\n"
                "                                 unsigned long long room)\n{\n"
                "    unsigned long long printed = 0;\n"
                "    (void)top;\n    (void)next;\n    (void)cycle;\n    (void)room;\n");
    for (unsigned i = 0; i < ni; i++) {
        const char *n = bm_machine_input_name(m, i);
        bm_buf_printf(b, "    if (top.%s_tvalid && top.%s_tready)\n        next[%u]++;\n", n, n, i);
    }
    for (unsigned i = 0; i < no; i++) {
        const char *n = bm_machine_output_name(m, i);
        bm_buf_printf(b,
                      "    if (printed < room && top.%s_tvalid && top.%s_tready) {\n"
                      "        std::printf(\"%%llu %s %%llu\\n\", cycle, (unsigned long long)top.%s_tdata);\n"
                      "        printed++;\n    }\n",
                      n, n, n, n);
    }
    bm_buf_puts(b, "    return printed;\n}\n");
    bm_buf_puts(b, harness_main);
    return b->failed ? bm_oom(bm_machine_ctx(m)) : BM_OK;
}
