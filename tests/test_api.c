/* The rules every public function shares (docs/api.md): versions, the ABI
 * of caller-allocated structs, the error contract, options init functions,
 * lifetimes and threads. */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "helpers.h"

/* ---- versions and the ABI ------------------------------------------------ */

Test(api, runtime_version_matches_the_headers)
{
    cr_expect_eq(bm_version_number(), (unsigned)BM_VERSION_NUMBER);
    cr_expect_str_eq(bm_version(), BM_VERSION_STRING);
    cr_expect_eq(BM_VERSION_NUMBER,
                 BM_VERSION_MAJOR * 10000 + BM_VERSION_MINOR * 100 + BM_VERSION_PATCH);
}

/* BM_OPCODE_CAPACITY sizes bm_opcode_set and bm_encoding, which callers
 * allocate: changing it changes the ABI, so it is frozen for libbm.so.0.  The
 * catalogue grows below it. */
Test(api, opcode_structs_have_the_frozen_capacity)
{
    cr_expect_eq(BM_OPCODE_CAPACITY, 512, "BM_OPCODE_CAPACITY is ABI: change only with the soname");
    cr_expect_leq(bm_isa_count(), BM_OPCODE_MAX);
    cr_expect_leq(BM_OPCODE_MAX, BM_OPCODE_CAPACITY);
    bm_encoding e;
    bm_opcode_set s;
    cr_expect_eq(sizeof e.opcode_id / sizeof e.opcode_id[0], BM_OPCODE_CAPACITY);
    cr_expect_eq(sizeof e.local_number / sizeof e.local_number[0], BM_OPCODE_CAPACITY);
    cr_expect_eq(sizeof s.bits * 8, BM_OPCODE_CAPACITY);
    /* Ids beyond the catalogue are never in a set, and never written. */
    bm_opcode_set_clear(&s);
    bm_opcode_set_add(&s, BM_OPCODE_CAPACITY + 5);
    bm_opcode_set_add(&s, BM_OPCODE_MAX);
    cr_expect_eq(bm_opcode_set_count(&s), 0);
    cr_expect_eq(bm_opcode_set_has(&s, BM_OPCODE_CAPACITY + 5), 0);
}

/* ---- not found is not out of memory ------------------------------------- */

Test(api, lookups_answer_not_found)
{
    cr_expect_eq(bm_isa_lookup("nosuch"), BM_ENOTFOUND);
    cr_expect_eq(bm_op_from_name("tanh"), BM_ENOTFOUND);
    cr_expect_eq(bm_op_from_name(NULL), BM_ENOTFOUND);
    cr_expect_eq(bm_map_strategy_from_name("nosuch"), BM_ENOTFOUND);
    cr_expect_eq(bm_mul_variant_from_name("fast"), BM_ENOTFOUND);
    cr_expect_eq(bm_device_find("nosuch"), BM_ENOTFOUND);
    cr_expect_neq(BM_ENOTFOUND, BM_ENOMEM);
    cr_expect_str_eq(bm_strerror(bm_isa_lookup("nosuch")), "not found");

    bm_ctx *ctx;
    bm_machine *m;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    cr_expect_eq(bm_machine_find_input(m, "nosuch"), BM_ENOTFOUND);
    cr_expect_eq(bm_machine_find_output(m, "nosuch"), BM_ENOTFOUND);
    cr_expect_eq(bm_machine_find_core(m, "nosuch"), BM_ENOTFOUND);
    cr_expect_eq(bm_machine_find_input(m, NULL), BM_ENOTFOUND);
    cr_expect_eq(bm_machine_bond_of_input(m, 99), BM_ENOTFOUND);
    cr_expect_eq(bm_ctx_diag_count(ctx), 0, "a lookup answers, it records nothing");
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- every failure leaves a diagnostic ---------------------------------- */

/* Expects rc to be `want` and ctx to hold exactly one new error, which
 * bm_ctx_errmsg() returns, containing `words`; then clears. */
static void expect_error(bm_ctx *ctx, int rc, int want, const char *words, const char *what)
{
    cr_expect_eq(rc, want, "%s: returned %d (%s), not %d", what, rc, bm_strerror(rc), want);
    cr_expect_eq(bm_ctx_error_count(ctx), 1, "%s: %zu errors recorded", what,
                 bm_ctx_error_count(ctx));
    const char *msg = bm_ctx_errmsg(ctx);
    cr_expect(strstr(msg, words) != NULL, "%s: errmsg '%s' lacks '%s'", what, msg, words);
    bm_ctx_clear_diags(ctx);
    cr_expect_str_eq(bm_ctx_errmsg(ctx), "", "%s: cleared", what);
}

Test(api, failing_calls_leave_a_diagnostic)
{
    bm_ctx *ctx;
    bm_machine *m;
    bm_sim *sim;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_expect_str_eq(bm_ctx_errmsg(ctx), "");
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);

    expect_error(ctx, bm_sim_push_input(sim, 7, 1), BM_ENOTFOUND, "no external input 7",
                 "push_input index");
    expect_error(ctx, bm_sim_push_input(sim, 0, 300), BM_ERANGE, "8-bit input 'a'",
                 "push_input range");
    uint64_t v;
    unsigned pc;
    expect_error(ctx, bm_sim_reg(sim, 5, 0, &v), BM_ENOTFOUND, "no core 5", "sim_reg core");
    expect_error(ctx, bm_sim_reg(sim, 0, 99, &v), BM_ENOTFOUND, "no register 99", "sim_reg reg");
    expect_error(ctx, bm_sim_pc(sim, 5, &pc), BM_ENOTFOUND, "no core 5", "sim_pc");
    expect_error(ctx, bm_sim_ram_word(sim, 5, 0, &v), BM_ENOTFOUND, "no core 5", "ram_word");
    bm_sim_free(sim);

    bm_cosim *cs;
    bm_cosim_options co = BM_COSIM_OPTIONS_INIT;
    expect_error(ctx, bm_cosim_build(&cs, m, &co), BM_EINVAL, "no work folder", "cosim_build");

    bm_graph *g;
    bm_fixed_type one_bit = {1, 0};
    expect_error(ctx, bm_graph_new(&g, ctx, one_bit), BM_EINVAL, "bad type", "graph_new");
    cr_expect_null(g);

    /* A change makes the machine invalid until it is validated again. */
    cr_assert_eq(bm_machine_set_name(m, "renamed"), 0);
    char *xml;
    size_t len;
    expect_error(ctx, bm_machine_write_memory(m, &xml, &len), BM_EINVAL, "not valid",
                 "write_memory");

    int64_t raw;
    bm_fixed_type t = {16, 10};
    bm_loc here = {"x.txt", 3, 7};
    expect_error(ctx, bm_fixed_parse(ctx, "1e9", t, here, &raw), BM_ERANGE, "does not fit",
                 "fixed_parse 1e9");
    cr_expect_eq(bm_fixed_parse(ctx, "1e9", t, here, &raw), BM_ERANGE);
    cr_expect_str_eq(bm_ctx_errmsg(ctx),
                     "x.txt:3:7: error: constant 1e9 does not fit fixed<16,6> (range -32 .. "
                     "31.9990234375)");
    cr_expect_eq(bm_fixed_parse(ctx, "1e", t, here, &raw), BM_EPARSE);
    cr_expect(strstr(bm_ctx_errmsg(ctx), "malformed number '1e'") != NULL,
              "the newest error: %s", bm_ctx_errmsg(ctx));
    bm_machine_free(m);
    bm_ctx_free(ctx);
}

/* ---- options init functions --------------------------------------------- */

/* Static objects have zero padding, as have the library's defaults, so
 * the whole struct compares with memcmp. */
#define SAME_AS_MACRO(type, fn, macro, version)                                         \
    do {                                                                                \
        static const type want_ = macro;                                                \
        type got_;                                                                      \
        memset(&got_, 0xa5, sizeof got_);                                               \
        cr_expect_eq(fn(&got_, version), 0, #fn);                                       \
        cr_expect_eq(memcmp(&got_, &want_, sizeof got_), 0, #fn " differs from " #macro); \
        cr_expect_eq(fn(&got_, version + 1), BM_EINVAL, #fn " takes a future version"); \
        cr_expect_eq(fn(&got_, 0), BM_EINVAL, #fn " takes version 0");                  \
        cr_expect_eq(fn(NULL, version), BM_EINVAL, #fn " takes NULL");                  \
    } while (0)

Test(api, options_init_functions_give_the_macros)
{
    SAME_AS_MACRO(bm_asm_options, bm_asm_options_init, BM_ASM_OPTIONS_INIT,
                  BM_ASM_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_disasm_options, bm_disasm_options_init, BM_DISASM_OPTIONS_INIT,
                  BM_DISASM_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_compile_options, bm_compile_options_init, BM_COMPILE_OPTIONS_INIT,
                  BM_COMPILE_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_report_options, bm_report_options_init, BM_REPORT_OPTIONS_INIT,
                  BM_REPORT_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_cosim_options, bm_cosim_options_init, BM_COSIM_OPTIONS_INIT,
                  BM_COSIM_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_graph_options, bm_graph_options_init, BM_GRAPH_OPTIONS_INIT,
                  BM_GRAPH_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_core_params, bm_core_params_init, BM_CORE_PARAMS_INIT,
                  BM_CORE_PARAMS_VERSION);
    SAME_AS_MACRO(bm_random_options, bm_random_options_init, BM_RANDOM_OPTIONS_INIT,
                  BM_RANDOM_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_sim_options, bm_sim_options_init, BM_SIM_OPTIONS_INIT,
                  BM_SIM_OPTIONS_VERSION);
    SAME_AS_MACRO(bm_sim_limits, bm_sim_limits_init, BM_SIM_LIMITS_INIT, BM_SIM_LIMITS_VERSION);
    SAME_AS_MACRO(bm_verilog_options, bm_verilog_options_init, BM_VERILOG_OPTIONS_INIT,
                  BM_VERILOG_OPTIONS_VERSION);
}

/* A binding built against version 1 of a struct has only version 1's
 * fields: init fills those and writes nothing past them. */
Test(api, options_init_of_an_older_version_stays_inside_it)
{
    unsigned char buf[sizeof(bm_compile_options)];
    memset(buf, 0xa5, sizeof buf);
    bm_compile_options *o = (bm_compile_options *)(void *)buf;
    cr_assert_eq(bm_compile_options_init(o, 1), 0);
    cr_expect_eq(o->version, 1);
    cr_expect_eq(o->strategy, BM_MAP_NODE);
    cr_expect_eq(o->cores, 4);
    cr_expect_null(o->name);
    for (size_t i = offsetof(bm_compile_options, buffers); i < sizeof buf; i++)
        cr_expect_eq(buf[i], 0xa5, "byte %zu past a version 1 struct was written", i);
    cr_expect_eq(bm_compile_options_init(o, 3), 0);
    cr_expect_eq(o->fold, BM_COMPILE_FOLD_DEFAULT);

    unsigned char pbuf[sizeof(bm_core_params)];
    memset(pbuf, 0xa5, sizeof pbuf);
    bm_core_params *p = (bm_core_params *)(void *)pbuf;
    cr_assert_eq(bm_core_params_init(p, 1), 0);
    cr_expect_eq(p->width, 8);
    for (size_t i = offsetof(bm_core_params, mul); i < sizeof pbuf; i++)
        cr_expect_eq(pbuf[i], 0xa5, "byte %zu past a version 1 bm_core_params was written", i);
}

/* ---- lifetimes ------------------------------------------------------------ */

Test(api, every_free_function_accepts_null)
{
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    bm_ctx_free(NULL);
    bm_machine_free(NULL);
    bm_graph_free(NULL);
    bm_vectors_free(NULL);
    bm_network_free(NULL);
    bm_sim_free(NULL);
    bm_cosim_free(NULL);
    bm_cosim_stimulus_free(NULL);
    bm_cosim_transfers_free(NULL, NULL);
    bm_verilog_files_free(NULL);
    bm_compile_report_free(NULL);
    bm_xml_buffer_free(ctx, NULL);
    bm_xml_buffer_free(NULL, NULL);
    bm_disasm_free(ctx, NULL);
    bm_disasm_free(NULL, NULL);
    bm_ctx_free(ctx);
}

/* ---- threads -------------------------------------------------------------- */

/* Two threads, each with its own context, read networks at the same time
 * (libxml2 is initialised by the first bm_ctx_new, once).  Run this test
 * under `valgrind --tool=helgrind` to see no race: docs/api.md. */
typedef struct reader_job {
    const char *path;
    unsigned layers;
    int failures;
} reader_job;

static void *read_networks(void *arg)
{
    reader_job *job = arg;
    for (int i = 0; i < 4; i++) {
        bm_ctx *ctx;
        bm_network *net = NULL;
        if (bm_ctx_new(&ctx, NULL)) {
            job->failures++;
            continue;
        }
        if (bm_network_read_file(&net, ctx, job->path, NULL) ||
            bm_network_layer_count(net) != job->layers)
            job->failures++;
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
    return NULL;
}

Test(api, two_threads_with_their_own_contexts)
{
    reader_job jobs[2] = {{"examples/networks/iris.xml", 0, 0},
                          {"examples/networks/digits.xml", 0, 0}};
    for (int k = 0; k < 2; k++) {
        bm_ctx *ctx;
        bm_network *net;
        cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
        cr_assert_eq(bm_network_read_file(&net, ctx, jobs[k].path, NULL), 0);
        jobs[k].layers = bm_network_layer_count(net);
        bm_network_free(net);
        bm_ctx_free(ctx);
    }
    pthread_t th[2];
    for (int k = 0; k < 2; k++)
        cr_assert_eq(pthread_create(&th[k], NULL, read_networks, &jobs[k]), 0);
    for (int k = 0; k < 2; k++) {
        pthread_join(th[k], NULL);
        cr_expect_eq(jobs[k].failures, 0, "%s", jobs[k].path);
    }
}

/* ---- functions users had to write themselves ------------------------------ */

Test(api, a_cloned_machine_writes_the_same_xml_and_lives_alone)
{
    bm_ctx *ctx;
    bm_machine *m, *c;
    cr_assert_eq(bm_ctx_new(&ctx, NULL), 0);
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/ram_table.xml"), 0); /* RAM contents */
    cr_assert_eq(bm_machine_clone(&c, m), 0);
    cr_expect_eq(bm_machine_is_valid(c), 0, "a clone is validated by the caller");
    cr_assert_eq(bm_machine_validate(c), 0);
    char *a, *b;
    size_t na, nb;
    cr_assert_eq(bm_machine_write_memory(m, &a, &na), 0);
    cr_assert_eq(bm_machine_write_memory(c, &b, &nb), 0);
    cr_expect_eq(na, nb);
    cr_expect_str_eq(a, b);
    bm_xml_buffer_free(ctx, b);
    bm_machine_free(m); /* the clone does not point into the original */
    cr_assert_eq(bm_machine_write_memory(c, &b, &nb), 0);
    cr_expect_str_eq(a, b);
    bm_xml_buffer_free(ctx, a);
    bm_xml_buffer_free(ctx, b);
    bm_machine_free(c);
    bm_ctx_free(ctx);
}

/* ---- one way to free a buffer --------------------------------------------------- */

typedef struct live_count {
    long blocks;
} live_count;

static void *counting_malloc(void *user, size_t size)
{
    void *p = malloc(size);
    ((live_count *)user)->blocks += p != NULL;
    return p;
}

static void *counting_realloc(void *user, void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    ((live_count *)user)->blocks += ptr == NULL && p != NULL;
    return p;
}

static void counting_free(void *user, void *ptr)
{
    ((live_count *)user)->blocks -= ptr != NULL;
    free(ptr);
}

/* XML, DOT, assembler and SVG text all go back through bm_buffer_free:
 * the context's allocator sees every block it gave returned. */
Test(api, bm_buffer_free_frees_every_kind_of_buffer)
{
    live_count live = {0};
    bm_allocator a = {counting_malloc, counting_realloc, counting_free, &live};
    bm_ctx *ctx;
    cr_assert_eq(bm_ctx_new(&ctx, &a), 0);
    bm_machine *m;
    cr_assert_eq(bm_machine_read_file(&m, ctx, "examples/acc8.xml"), 0);
    bm_sim *sim;
    cr_assert_eq(bm_sim_new(&sim, m, NULL), 0);
    cr_assert_eq(bm_sim_activity_start(sim), 0);
    cr_assert_eq(bm_sim_push_input(sim, 0, 3), 0);
    bm_sim_step(sim, 10, NULL);
    long before = live.blocks;
    char *text[4];
    size_t len;
    cr_assert_eq(bm_machine_write_memory(m, &text[0], &len), 0);
    cr_assert_eq(bm_machine_dot(&text[1], &len, m), 0);
    cr_assert_eq(bm_disasm_machine(&text[2], &len, m, NULL), 0);
    cr_assert_eq(bm_sim_activity_svg(&text[3], &len, sim), 0);
    cr_expect_eq(live.blocks, before + 4);
    for (int i = 0; i < 4; i++)
        bm_buffer_free(ctx, text[i]);
    cr_expect_eq(live.blocks, before);
    bm_buffer_free(ctx, NULL);
    bm_buffer_free(NULL, NULL);
    bm_sim_free(sim);
    bm_machine_free(m);
    bm_ctx_free(ctx);
}
